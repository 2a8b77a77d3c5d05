/*
 * base64.c: strict base64 decoding (see base64.h).
 *
 * Invariant: one text has at most one decoding; anything this accepts
 * re-encodes to the same characters, so a proxy in front of us and we
 * can never disagree on what a client sent.
 */
#include <stdbool.h>

#include "lib/base64.h"

int
base64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* One group of four characters, of which the last pad are '=': the
 * octets written, or -1. */
static int
group(const unsigned char *g, int pad, unsigned char *out)
{
	unsigned long bits = 0;

	for (int i = 0; i < 4 - pad; i++) {
		int v = base64_value(g[i]);
		if (v < 0)
			return -1;
		bits |= (unsigned long)v << (18 - 6 * i);
	}
	/* the bits a padded group leaves over must be zero (RFC 4648 3.5) */
	if ((pad == 1 && (bits & 0xff)) || (pad == 2 && (bits & 0xffff)))
		return -1;
	out[0] = (unsigned char)(bits >> 16);
	out[1] = (unsigned char)(bits >> 8);
	out[2] = (unsigned char)bits;
	return 3 - pad;
}

long
base64_decode(const char *in, size_t len, unsigned char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)in;
	unsigned char tmp[3];
	size_t o = 0;

	if (len % 4 != 0)
		return -1;
	for (size_t i = 0; i < len; i += 4) {
		bool last = i + 4 == len;
		int pad = last ? (p[i + 3] == '=') + (p[i + 2] == '=') : 0;
		if (pad == 1 && p[i + 2] == '=') /* "x==y" is no padding */
			return -1;
		int n = group(p + i, pad, tmp);
		if (n < 0 || o + (size_t)n > cap)
			return -1;
		for (int k = 0; k < n; k++)
			out[o++] = tmp[k];
	}
	return (long)o;
}
