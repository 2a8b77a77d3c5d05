/*
 * mboxrd.h: the mboxrd quoting of the mbox format, streamed, and the
 * address of its "From " separator line.  Pure: no I/O, no allocation.
 */
#ifndef WATCH_MBOXRD_H
#define WATCH_MBOXRD_H

#include <stdbool.h>
#include <stddef.h>

#include "watch/out.h"

/*
 * Every line that matches ^>*From  gets one more '>' in front.  Feed the
 * message in pieces of any size; mboxrd_finish() writes what is held back,
 * a final LF if the message lacks one, and the empty line that ends an
 * mbox message.  The output is the same whatever the pieces.
 */
struct mboxrd {
	bool midline;  /* inside a line that no longer needs quoting */
	size_t gt;     /* '>' seen at the start of the current line */
	size_t match;  /* bytes of "From " matched after them */
	bool any;      /* some byte was written */
	bool last_lf;  /* the last byte written was LF */
};

void mboxrd_init(struct mboxrd *q);
void mboxrd_feed(struct mboxrd *q, const char *p, size_t len, emit_fn emit,
    void *ctx);
void mboxrd_finish(struct mboxrd *q, emit_fn emit, void *ctx);

/* The address for the "From " line: the sender with white space and
 * control characters as '_', or MAILER-DAEMON for the null sender.
 * Returns the length (cut to cap - 1). */
size_t mboxrd_sender(char *out, size_t cap, const char *s, size_t len);

#endif
