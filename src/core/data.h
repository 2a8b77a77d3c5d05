/*
 * data.h: the DATA machine.  Pure: bytes in, message bytes out.
 *
 * It finds the end of the data, undoes dot-stuffing and turns line ends
 * into LF; the body (body.h) counts, checks and hands on what is left.
 * On a network connection only <CRLF>.<CRLF> ends the data (no SMTP
 * smuggling); a bare CR or LF is turned into a line end and remembered,
 * so the session can reject the message whole when asked to.
 */
#ifndef DATA_H
#define DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/body.h"

enum data_state { DS_BOL, DS_TEXT, DS_CR, DS_DOT, DS_DOT_CR, DS_END };

struct data_machine {
	enum data_state state;
	bool lf_ok; /* a bare LF ends a line (local session) */
	bool bare;  /* a bare CR or LF was seen */
	struct body body; /* last: it is large, and clears only its head */
};

void data_begin(struct data_machine *, bool lf_ok, uint64_t max_size,
    body_write_fn, void *ctx);

/* Consumes input up to and including the end of data; returns how many
 * bytes it consumed.  The state is DS_END once the end was found. */
size_t data_feed(struct data_machine *, const char *in, size_t len);

static inline bool
data_done(const struct data_machine *d)
{
	return d->state == DS_END;
}

#endif
