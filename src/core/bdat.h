/*
 * bdat.h: the framing of BDAT (RFC 3030 CHUNKING).  Pure: bytes in,
 * message bytes out, into the same struct body as DATA's.
 *
 * A chunk is exactly the number of octets its command names: no dots, no
 * end-of-data search.  Line ends are undone as in DATA: CRLF becomes LF,
 * and a bare CR or LF becomes a line end and is remembered, so the
 * --bare-lf policy holds for BDAT exactly as it does for DATA.  The line
 * state (a CR whose LF comes in the next chunk) is carried from one chunk
 * to the next: how a client cuts a message into chunks changes nothing of
 * what is stored.
 */
#ifndef BDAT_H
#define BDAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/body.h"

struct chunk {
	uint64_t count; /* octets of the current chunk */
	uint64_t left;  /* octets of it still to come */
	bool last;     /* it is the last chunk: BDAT n LAST */
	bool skip;     /* it is read and thrown away: the BDAT was refused */
	int after;     /* skip: the reply owed once it is read (reply_id) */
	/* the line state of the message, across its chunks */
	bool cr;       /* the last octet was a CR: its LF may come next */
	bool mid_line; /* octets since the last line end */
	bool lf_ok;    /* a bare LF ends a line (local session) */
	bool bare;     /* a bare CR or LF was seen */
};

/* "n" or "n LAST" (case-insensitive), n 1*DIGIT that fits in 64 bits:
 * true, with the count and the marker; anything else is false. */
bool bdat_parse(const char *arg, const char *end, uint64_t *count,
    bool *last);

/* A new message in chunks: the line state starts afresh. */
void bdat_begin(struct chunk *, bool lf_ok);

/* Consumes up to c->left octets of in, passing them to body (NULL:
 * thrown away); returns how many it consumed. */
size_t bdat_feed(struct chunk *, struct body *, const char *in, size_t len);

/* After the last chunk: a CR at the very end is a bare one, a last line
 * without a line end gets one (a Maildir holds lines), and the body is
 * flushed. */
void bdat_finish(struct chunk *, struct body *);

#endif
