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
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

enum data_state { DS_BOL, DS_TEXT, DS_CR, DS_DOT, DS_DOT_CR, DS_END };

struct data_machine {
	enum data_state state;
	bool lf_ok; /* a bare LF ends a line (local session) */
	bool bare;  /* a bare CR or LF was seen */
	struct body body; /* last: it is large, and clears only its head */
};

/* The next CR or LF in [p, end), or NULL: the scan DATA and BDAT share.
 * Every message byte passes here once: with SSE2 (every x86-64) sixteen bytes are looked at in one
 * step for both, instead of one memchr(3) for each. */
#if defined(__SSE2__)
static inline const char *
data_line_end(const char *p, const char *end)
{
	const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');

	for (; end - p >= 16; p += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
		    _mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));
		if (m)
			return p + __builtin_ctz(m);
	}
	for (; p < end; p++)
		if (*p == '\r' || *p == '\n')
			return p;
	return NULL;
}
#else
static inline const char *
data_line_end(const char *p, const char *end)
{
	const char *lf = memchr(p, '\n', (size_t)(end - p));
	const char *cr = memchr(p, '\r', (size_t)((lf ? lf : end) - p));

	return cr ? cr : lf;
}
#endif

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
