/*
 * header.h: the header block smtp-session puts in front of every message.
 * Pure: the date comes from the caller.
 *
 *   Return-Path: <sender>
 *   X-Original-To: rcpt            (one line per envelope recipient)
 *   Received: from helo (client)
 *   	by host (smtp-sink) with ESMTP id ID
 *   	for <rcpt>; date            (the "for" clause with one recipient)
 *
 * smtp-watch reads the envelope back from exactly this block.
 */
#ifndef HEADER_H
#define HEADER_H

#include <stddef.h>

#include "core/body.h"
#include "core/session.h"

#define HEADER_BLOCK_BUF 4096

/* Writes the block through write(), in pieces of up to HEADER_BLOCK_BUF
 * bytes (one, unless there are many recipients): 0, or -1 with errno. */
int header_write(const struct envelope *, const char *date,
    body_write_fn write, void *ctx);

/* Copies src into dst (size n > 0) with every control character and
 * every byte of invalid UTF-8 turned into '?': client text can never
 * start a header line of its own or make the header invalid. */
void header_clean(char *dst, size_t n, const char *src);

/* The RFC 3848 / RFC 6531 protocol name of the Received "with" clause. */
const char *header_protocol(const struct envelope *);

#endif
