/*
 * utf8.c: the one UTF-8 validator (RFC 3629): no overlong forms, no
 * surrogates, nothing past U+10FFFF; the encoding of one code point, for
 * smtp-watch's character sets; and the code points that must never reach
 * a terminal, a header or a log unescaped.
 */
#include "lib/utf8.h"

size_t
utf8_decode(const unsigned char *p, const unsigned char *end, uint32_t *cpp)
{
	size_t n, i;
	unsigned c = p[0];
	uint32_t cp;

	if (c < 0x80) {
		*cpp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* overlong forms, surrogates, and past U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	*cpp = cp;
	return n;
}

size_t
utf8_sequence(const unsigned char *p, const unsigned char *end)
{
	uint32_t cp;

	return utf8_decode(p, end, &cp);
}

bool
utf8_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || /* C0, DEL, C1 */
	    cp == 0x2028 || cp == 0x2029 ||              /* line, paragraph */
	    (cp >= 0x202a && cp <= 0x202e) ||            /* bidi embeddings */
	    (cp >= 0x2066 && cp <= 0x2069) ||            /* bidi isolates */
	    cp == 0x200e || cp == 0x200f || cp == 0x061c; /* bidi marks */
}

size_t
utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}
