/*
 * body.h: where a message's bytes go once the framing (DATA's dots and
 * line ends, or later a BDAT chunk's length) is undone: the size limit,
 * what is learnt from the header section on the way, and the one buffer
 * from which the bytes are handed to the delivery.
 *
 * Each byte is copied once, from the input into buf; a run longer than
 * buf goes out without a copy.  The delivery receives large runs, never a
 * line at a time.
 *
 * The header section: Received fields are counted (RFC 5321 6.3, loop
 * detection).  A message whose first line is not a header field ("name:"
 * of printable ASCII), as when a client starts with "MAIL FROM:<x>" or
 * a bare ".", gets an empty line in front, as Postfix's cleanup does: a
 * reader must never take the client's lines for our header block's.  An
 * empty first line already is that separator.
 */
#ifndef BODY_H
#define BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Where bytes go; returns 0, or -1 with errno.  After the first failure
 * nothing more is written, but bytes are still counted. */
typedef int (*body_write_fn)(void *ctx, const char *buf, size_t len);

#define BODY_BUF_SIZE 65536
#define BODY_NAME_MAX 997 /* the longest field name: a 998-octet line */
#define BODY_HOPS_MAX 100 /* Received fields before it is a mail loop */

enum body_head {
	HEAD_FIRST,  /* on the first line: a field or not? */
	HEAD_FIELDS, /* in the header section */
	HEAD_DONE,   /* in the body */
};

struct body {
	uint64_t size;     /* octets counted with CRLF line ends */
	uint64_t max_size; /* write nothing past this; 0: no limit */
	bool too_big;
	int write_errno; /* the first failure of write, or 0 */
	body_write_fn write; /* NULL: bytes are counted and go nowhere */
	void *ctx;
	enum body_head head;
	bool blank_inserted; /* the first line was no header field */
	size_t name_len;     /* HEAD_FIRST: octets of the field name so far */
	bool at_bol;         /* the header section: at a line start */
	unsigned prefix_len;
	char prefix[9];
	unsigned hops;
	/* last, so that body_begin() need not clear it */
	size_t len;
	char buf[BODY_BUF_SIZE];
};

void body_begin(struct body *, uint64_t max_size, body_write_fn, void *ctx);

/* Octets inside a line, and a line end (counted as CRLF, written LF). */
void body_text(struct body *, const char *p, size_t n);
void body_newline(struct body *);

/* A whole line and its line end: body_text() and body_newline() in one,
 * the fast path for the common case (every line of a long message
 * passes here, so it is inline). */
void body_line_slow(struct body *, const char *p, size_t n);
void body_line_spill(struct body *, const char *p, size_t n);

static inline void
body_line(struct body *b, const char *p, size_t n)
{
	if (b->head != HEAD_DONE || b->too_big ||
	    (b->max_size && b->size + n + 2 > b->max_size)) {
		body_line_slow(b, p, n);
		return;
	}
	b->size += n + 2;
	if (b->write == NULL || b->write_errno)
		return;
	if (b->len + n + 1 > sizeof(b->buf)) {
		body_line_spill(b, p, n);
		return;
	}
	memcpy(b->buf + b->len, p, n);
	b->buf[b->len + n] = '\n';
	b->len += n + 1;
}

/* Hands on what is buffered: at the end of the message. */
void body_flush(struct body *);

#endif
