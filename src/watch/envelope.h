/*
 * envelope.h: the envelope block smtp-session writes in front of each
 * stored message: a Return-Path: field with the sender, then one
 * X-Original-To: field per recipient, Bcc recipients included.
 *
 * The block is read whole through a struct fieldstream, however many
 * recipients it holds, in memory of a fixed size; the recipients are
 * streamed again on demand by a struct rcpt_iter.  The envelope comes only
 * from this leading block, never from fields further down, which the
 * client wrote.  Pure: no I/O but through the caller's reader.
 */
#ifndef WATCH_ENVELOPE_H
#define WATCH_ENVELOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "watch/fields.h"

#define ADDR_MAX 1024 /* an envelope address as shown, NUL included */

/* One envelope address: unfolded, without the white space and the angle
 * brackets around it. */
struct addr {
	char s[ADDR_MAX];
	size_t len;
	bool cut; /* it did not fit, or its field did not: never matched */
};

struct envelope {
	bool present;         /* the leading Return-Path was found */
	struct addr sender;   /* empty for the null sender <> */
	size_t nrcpt;         /* X-Original-To fields in the block */
	uint64_t rcpt_begin;  /* offset of the first of them */
	uint64_t end;         /* offset of what follows the block */
};

/* Reads the block from a stream fresh at offset 0; s is left past it.
 * 0, or -1 when a read failed (errno tells). */
int envelope_read(struct envelope *e, struct fieldstream *s);

struct rcpt_iter {
	struct fieldstream s;
	uint64_t end;   /* the block's end */
	size_t left;    /* recipients still to come */
};

void rcpt_iter_init(struct rcpt_iter *it, const struct reader *rd,
    const struct envelope *e);

/* The next recipient into a: 1; 0 after the last; -1 when a read failed. */
int rcpt_iter_next(struct rcpt_iter *it, struct addr *a);

#endif
