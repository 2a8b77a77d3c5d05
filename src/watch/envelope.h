/*
 * envelope.h: the envelope block smtp-session writes in front of each
 * stored message: a Return-Path: field with the sender, then one
 * X-Original-To: field per recipient, Bcc recipients included.
 *
 * The envelope comes only from this leading block, never from fields
 * further down, which the client wrote.  Pure: it works on the bytes of
 * the message the caller read.
 */
#ifndef WATCH_ENVELOPE_H
#define WATCH_ENVELOPE_H

#include <stdbool.h>
#include <stddef.h>

#include "watch/fields.h"

#define ADDR_MAX 1024 /* an envelope address as shown, NUL included */

/* One envelope address: unfolded, without the white space and the angle
 * brackets around it, cut to fit. */
struct addr {
	char s[ADDR_MAX];
	size_t len;
};

struct envelope {
	bool present;       /* the leading Return-Path was found */
	struct addr sender; /* empty for the null sender <> */
	size_t nrcpt;       /* X-Original-To fields in the block */
	size_t rcpt_begin;  /* offset of the first of them */
	size_t end;         /* offset of what follows the block */
};

/* Reads the block at the start of buf[0..len). */
void envelope_read(struct envelope *e, const char *buf, size_t len);

struct rcpt_iter {
	const char *buf;
	size_t pos, end; /* the next recipient; the block's end */
	size_t left;     /* recipients still to come */
};

/* Iterates the recipients of the block that envelope_read() found in
 * buf. */
void rcpt_iter_init(struct rcpt_iter *it, const char *buf,
    const struct envelope *e);

/* The next recipient into a: 1; 0 after the last. */
int rcpt_iter_next(struct rcpt_iter *it, struct addr *a);

#endif
