/*
 * data.h: the DATA machine.  Pure: bytes in, message bytes out.
 *
 * It finds the end of the data, undoes dot-stuffing, turns line ends into
 * LF, counts the size, and counts Received headers.  On a network
 * connection only <CRLF>.<CRLF> ends the data (no SMTP smuggling); a bare
 * CR or LF is turned into a line end and remembered, so the session can
 * reject the message whole when asked to.
 */
#ifndef DATA_H
#define DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where message bytes go; returns 0, or -1 with errno set.  After the
 * first failure the machine stops calling it and keeps reading.  NULL:
 * the bytes are counted and checked, and go nowhere (--discard). */
typedef int (*data_write_fn)(void *ctx, const char *buf, size_t len);

enum data_state { DS_BOL, DS_TEXT, DS_CR, DS_DOT, DS_DOT_CR, DS_END };

#define DATA_HOPS_MAX 100 /* Received headers before it is a mail loop */

struct data_machine {
	enum data_state state;
	bool lf_ok;        /* a bare LF ends a line (local session) */
	bool bare;         /* a bare CR or LF was seen */
	uint64_t size;     /* octets with CRLF line ends, after unstuffing */
	uint64_t max_size; /* stop writing past this; 0: no limit */
	bool too_big;
	int write_errno; /* first failure of write, or 0 */
	data_write_fn write;
	void *ctx;
	/* Received counting, over the header section of the output. */
	bool in_headers, at_line_start;
	unsigned prefix_len;
	char prefix[9];
	unsigned hops;
	/* Output is gathered here and handed on in large pieces.  Last, so
	 * that data_begin() need not clear it. */
	size_t out_len;
	char out[65536];
};

void data_begin(struct data_machine *, bool lf_ok, uint64_t max_size,
    data_write_fn, void *ctx);

/* Consumes input up to and including the end of data; returns how many
 * bytes it consumed.  The state is DS_END once the end was found. */
size_t data_feed(struct data_machine *, const char *in, size_t len);

static inline bool
data_done(const struct data_machine *d)
{
	return d->state == DS_END;
}

#endif
