/*
 * fields.c: header fields (RFC 5322 2.2) in a buffer.
 *
 * Invariant: every index stays below len.
 */
#include <string.h>

#include "watch/ascii.h"
#include "watch/fields.h"
#include "watch/out.h"

static size_t
line_end(const char *buf, size_t len, size_t pos)
{
	const char *nl = memchr(buf + pos, '\n', len - pos);

	return nl ? (size_t)(nl - buf) : len;
}

/* RFC 5322 ftext: printable US-ASCII except ':'. */
static bool
is_ftext(char c)
{
	return c > ' ' && c < 0x7f && c != ':';
}

bool
field_next(const char *buf, size_t len, size_t *pos, struct field *f)
{
	size_t p = *pos, eol, name_end, colon;

	f->name = NULL;
	if (p >= len)
		return false;
	eol = line_end(buf, len, p);
	if (eol == p || (eol == p + 1 && buf[p] == '\r')) {
		*pos = eol < len ? eol + 1 : len;
		return false;
	}
	for (name_end = p; name_end < eol && is_ftext(buf[name_end]);)
		name_end++;
	for (colon = name_end; colon < eol && ascii_is_wsp(buf[colon]);)
		colon++; /* obs-optional: "Subject :" */
	if (name_end == p || colon >= eol || buf[colon] != ':')
		return false; /* not a field: the body starts here */
	/* continuation lines begin with white space */
	while (eol + 1 < len && ascii_is_wsp(buf[eol + 1]))
		eol = line_end(buf, len, eol + 1);
	f->name = buf + p;
	f->namelen = name_end - p;
	f->value = buf + colon + 1;
	f->valuelen = eol - (colon + 1);
	*pos = eol < len ? eol + 1 : len;
	return true;
}

bool
field_is(const struct field *f, const char *name)
{
	size_t n = strlen(name);

	return f->name && f->namelen == n && ascii_caseeq(f->name, name, n);
}

size_t
field_unfold(char *out, size_t cap, const char *in, size_t len, bool *cut)
{
	struct out o;
	size_t b = 0;

	out_init(&o, out, cap);
	while (b < len && ascii_is_space(in[b]))
		b++;
	while (len > b && ascii_is_space(in[len - 1]))
		len--;
	for (size_t i = b; i < len && !o.full; i++)
		if (in[i] != '\r' && in[i] != '\n')
			out_byte(&o, (unsigned char)in[i]);
	if (cut)
		*cut = o.full;
	return o.len;
}
