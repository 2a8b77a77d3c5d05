/*
 * bdat.c: BDAT's framing (see bdat.h).
 *
 * Invariants: exactly the announced octets are consumed, whatever they
 * hold ("<CRLF>.<CRLF>" and command lines inside a chunk are message text
 * and start nothing); the text is passed on in runs straight from the
 * input, found with the same line-end scan as DATA's; what is passed on
 * is the same however the chunks and the reads cut the message.
 */
#include <string.h>
#include <strings.h>

#include "core/bdat.h"
#include "core/lineend.h"

bool
bdat_parse(const char *arg, const char *end, uint64_t *count, bool *last)
{
	const char *p = arg;
	uint64_t n = 0;

	if (p == end || *p < '0' || *p > '9')
		return false;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (n > (UINT64_MAX - d) / 10)
			return false; /* no client can send that many */
		n = n * 10 + d;
	}
	*last = false;
	if (p < end && *p == ' ') {
		while (p < end && *p == ' ')
			p++;
		if (end - p >= 4 && strncasecmp(p, "LAST", 4) == 0) {
			*last = true;
			p += 4;
		}
		while (p < end && *p == ' ')
			p++;
	}
	if (p != end)
		return false;
	*count = n;
	return true;
}

void
bdat_begin(struct chunk *c, bool lf_ok)
{
	c->cr = c->mid_line = c->bare = false;
	c->lf_ok = lf_ok;
}

static void
newline(struct chunk *c, struct body *b, bool bare)
{
	body_newline(b);
	c->bare |= bare;
	c->mid_line = false;
}

static void
text(struct chunk *c, struct body *b, const char *p, size_t n)
{
	if (n == 0)
		return;
	body_text(b, p, n);
	c->mid_line = true;
}

/* The chunk's octets in [p, end): whole lines in one piece each, as in
 * DATA; written once and made twice below, for SSE2 and for AVX2, with
 * the scan inlined. */
typedef const char *(*line_end_fn)(const char *, const char *);

static inline __attribute__((always_inline)) void
scan_with(struct chunk *c, struct body *b, const char *p, const char *end,
    line_end_fn find)
{
	while (p < end) {
		const char *e = find(p, end);

		if (e == NULL) {
			text(c, b, p, (size_t)(end - p));
			return;
		}
		if (*e == '\r' && e + 1 == end) {
			text(c, b, p, (size_t)(e - p));
			c->cr = true; /* its LF, if any, is in the next chunk */
			return;
		}
		if (*e == '\r' && e[1] == '\n') {
			body_line(b, p, (size_t)(e - p));
			c->mid_line = false;
			p = e + 2;
			continue;
		}
		text(c, b, p, (size_t)(e - p));
		newline(c, b, *e == '\r' || !c->lf_ok);
		p = e + 1;
	}
}

static void
scan_plain(struct chunk *c, struct body *b, const char *p, const char *end)
{
	scan_with(c, b, p, end, find_line_end);
}

#ifdef DATA_AVX2
__attribute__((target("avx2"))) static void
scan_avx2(struct chunk *c, struct body *b, const char *p, const char *end)
{
	scan_with(c, b, p, end, find_line_end_avx2);
}
#endif

size_t
bdat_feed(struct chunk *c, struct body *b, const char *in, size_t len)
{
	size_t n = (uint64_t)len < c->left ? len : (size_t)c->left;
	const char *p = in, *end = in + n;

	c->left -= n;
	if (b == NULL)
		return n;
	if (c->cr && p < end) { /* a CR ended the chunk before */
		bool lf = *p == '\n';
		c->cr = false;
		p += lf;
		newline(c, b, !lf); /* CRLF, or a bare CR */
	}
#ifdef DATA_AVX2
	if (line_end_avx2()) {
		scan_avx2(c, b, p, end);
		return n;
	}
#endif
	scan_plain(c, b, p, end);
	return n;
}

void
bdat_finish(struct chunk *c, struct body *b)
{
	if (c->cr) {
		c->cr = false;
		newline(c, b, true);
	} else if (c->mid_line) {
		newline(c, b, false);
	}
	body_flush(b);
}
