/*
 * out.c: the bounded output buffer of out.h.  Every write into a caller's
 * buffer in src/watch goes through here, so the one bounds check is here.
 */
#include <string.h>

#include "lib/utf8.h"
#include "watch/out.h"

void
out_init(struct out *o, char *p, size_t cap)
{
	o->p = p;
	o->cap = cap;
	o->len = 0;
	o->full = cap == 0;
	if (cap > 0)
		p[0] = '\0';
}

void
out_put(struct out *o, const char *s, size_t n)
{
	if (o->full || n > o->cap - 1 - o->len) {
		o->full = true;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

void
out_byte(struct out *o, unsigned char c)
{
	char b = (char)c;

	out_put(o, &b, 1);
}

void
out_codepoint(struct out *o, uint32_t cp)
{
	char b[4];

	out_put(o, b, utf8_encode(cp, b));
}

void
out_rewind(struct out *o, size_t len)
{
	if (o->cap == 0)
		return;
	o->len = len;
	o->full = false;
	o->p[len] = '\0';
}

void
out_trim_partial(struct out *o)
{
	const unsigned char *p = (const unsigned char *)o->p;
	size_t k = o->len, back = 0, want;

	while (k > 0 && back < 3 && (p[k - 1] & 0xc0) == 0x80)
		k--, back++;
	if (k == 0 || p[k - 1] < 0xc2 || p[k - 1] > 0xf4)
		return;
	want = p[k - 1] < 0xe0 ? 2 : p[k - 1] < 0xf0 ? 3 : 4;
	if (o->len - (k - 1) < want) {
		o->len = k - 1;
		o->p[o->len] = '\0';
	}
}
