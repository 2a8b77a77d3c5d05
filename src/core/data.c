/*
 * data.c: the DATA machine of RFC 5321 4.1.1.4 and 4.5.2.
 *
 * Invariants: the end of data is recognised only as "." alone on a line
 * that began after a CRLF (or after any LF in a local session) and ends in
 * CRLF (or LF, locally); text is passed on in runs straight from the input
 * buffer, found with memchr, never byte by byte.  Output line ends are LF.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "core/data.h"
#include "core/lineend.h"

void
data_begin(struct data_machine *d, bool lf_ok, uint64_t max_size,
    body_write_fn write, void *ctx)
{
	d->state = DS_BOL;
	d->lf_ok = lf_ok;
	d->bare = false;
	body_begin(&d->body, max_size, write, ctx);
}

/* Inside a line: pass text on up to the next CR or LF. */
static const char *
feed_text(struct data_machine *d, const char *p, const char *end)
{
	const char *e = find_line_end(p, end);

	if (e == NULL) {
		body_text(&d->body, p, (size_t)(end - p));
		return end;
	}
	if (e > p)
		body_text(&d->body, p, (size_t)(e - p));
	if (*e == '\r') {
		d->state = DS_CR;
		return e + 1;
	}
	body_newline(&d->body);
	if (d->lf_ok)
		d->state = DS_BOL;
	else
		d->bare = true; /* not a line start: "." here ends nothing */
	return e + 1;
}

/*
 * At a line start, the common case: whole lines "text<CRLF>" (or "text<LF>"
 * locally) with no other CR, each found in one scan and passed on in one
 * piece.  Anything else is left to the byte-level states.  Written once
 * and made twice below, for SSE2 and for AVX2, with the scan inlined.
 */
typedef const char *(*line_end_fn)(const char *, const char *);

static inline __attribute__((always_inline)) const char *
feed_lines_with(struct data_machine *d, const char *p, const char *end,
    line_end_fn find)
{
	while (p < end) {
		const char *e = find(p, end), *text = p, *next;

		if (e == NULL)
			break;
		if (*e == '\r') {
			if (end - e < 2 || e[1] != '\n')
				break; /* a bare CR, or one whose LF is to come */
			next = e + 2;
		} else if (d->lf_ok) {
			next = e + 1;
		} else {
			break; /* a bare LF */
		}
		if (*p == '.') {
			if (e == p + 1) {
				d->state = DS_END;
				return next;
			}
			text++; /* dot-stuffing undone */
		}
		body_line(&d->body, text, (size_t)(e - text));
		p = next;
	}
	return p;
}

static const char *
feed_lines_plain(struct data_machine *d, const char *p, const char *end)
{
	return feed_lines_with(d, p, end, find_line_end);
}

#ifdef DATA_AVX2
__attribute__((target("avx2"))) static const char *
feed_lines_avx2(struct data_machine *d, const char *p, const char *end)
{
	return feed_lines_with(d, p, end, find_line_end_avx2);
}

static const char *
feed_lines(struct data_machine *d, const char *p, const char *end)
{
	return line_end_avx2() ? feed_lines_avx2(d, p, end) :
	    feed_lines_plain(d, p, end);
}
#else
#define feed_lines feed_lines_plain
#endif

/* A CR that is not followed by LF is bare: it becomes a line end, and the
 * byte after it is read again as text (never as a line start). */
static void
bare_cr(struct data_machine *d)
{
	d->bare = true;
	body_newline(&d->body);
	d->state = DS_TEXT;
}

size_t
data_feed(struct data_machine *d, const char *in, size_t len)
{
	const char *p = in, *end = in + len;

	while (p < end && d->state != DS_END) {
		switch (d->state) {
		case DS_TEXT:
			p = feed_text(d, p, end);
			break;
		case DS_BOL:
			p = feed_lines(d, p, end);
			if (p == end || d->state == DS_END)
				break;
			if (*p == '.') {
				d->state = DS_DOT;
				p++;
			} else {
				d->state = DS_TEXT;
			}
			break;
		case DS_CR:
			if (*p == '\n') {
				body_newline(&d->body);
				d->state = DS_BOL;
				p++;
			} else {
				bare_cr(d);
			}
			break;
		case DS_DOT:
			if (*p == '\r') {
				d->state = DS_DOT_CR;
				p++;
			} else if (*p == '\n' && d->lf_ok) {
				d->state = DS_END;
				p++;
			} else if (*p == '\n') {
				/* "." alone before a bare LF: a line of its own,
				 * not dot-stuffing, and not the end */
				body_text(&d->body, ".", 1);
				d->state = DS_TEXT;
			} else {
				d->state = DS_TEXT; /* the stuffed dot is dropped */
			}
			break;
		case DS_DOT_CR:
			if (*p == '\n') {
				d->state = DS_END;
				p++;
			} else {
				body_text(&d->body, ".", 1); /* as above, before a bare CR */
				bare_cr(d);
			}
			break;
		case DS_END:
			break;
		}
	}
	if (d->state == DS_END)
		body_flush(&d->body);
	return (size_t)(p - in);
}
