/*
 * fields.c: header fields (RFC 5322 2.2), in a buffer and through a
 * stream's window.
 *
 * Invariants: every index stays below len; a field is FIELD_OK only when
 * the byte after its last line end was seen (it could be a continuation)
 * or the message ends there; a stream's window holds FIELD_WINDOW bytes
 * at most, whatever the size of the message or of one field.
 */
#include <string.h>

#include "watch/ascii.h"
#include "watch/fields.h"
#include "watch/out.h"

/* RFC 5322 ftext: printable US-ASCII except ':'. */
static bool
is_ftext(char c)
{
	return c > ' ' && c < 0x7f && c != ':';
}

/* The blank line that ends a header section, "\n" or "\r\n", at p. */
static enum field_step
blank_line(const char *buf, size_t len, bool eof, size_t *pos)
{
	size_t p = *pos;

	if (buf[p] == '\n') {
		*pos = p + 1;
		return FIELD_END;
	}
	if (p + 1 == len && !eof)
		return FIELD_MORE;
	if (p + 1 == len || buf[p + 1] == '\n')
		*pos = p + 1 == len ? len : p + 2;
	return FIELD_END;
}

/* Where the field whose value starts at v ends: just past the line end
 * that no continuation line follows, or len when the message ends first;
 * 0 when that cannot be told yet. */
static size_t
field_end(const char *buf, size_t len, bool eof, size_t v)
{
	const char *nl;

	for (;;) {
		nl = memchr(buf + v, '\n', len - v);
		if (nl == NULL)
			return eof ? len : 0;
		v = (size_t)(nl - buf) + 1;
		if (v == len)
			return eof ? len : 0;
		if (!ascii_is_wsp(buf[v]))
			return v;
	}
}

enum field_step
field_next(const char *buf, size_t len, bool eof, size_t *pos,
    struct field *f)
{
	size_t p = *pos, name_end, colon, end;

	f->name = NULL;
	if (p >= len)
		return eof ? FIELD_END : FIELD_MORE;
	if (buf[p] == '\n' || buf[p] == '\r')
		return blank_line(buf, len, eof, pos);
	for (name_end = p; name_end < len && is_ftext(buf[name_end]);)
		name_end++;
	for (colon = name_end; colon < len && ascii_is_wsp(buf[colon]);)
		colon++; /* obs-optional: "Subject :" */
	if (colon == len && !eof)
		return FIELD_MORE;
	if (name_end == p || colon == len || buf[colon] != ':')
		return FIELD_END; /* not a field: the body starts here */
	f->name = buf + p;
	f->namelen = name_end - p;
	f->value = buf + colon + 1;
	end = field_end(buf, len, eof, colon + 1);
	if (end == 0) {
		f->valuelen = len - (colon + 1);
		return FIELD_MORE;
	}
	f->valuelen = end - (colon + 1);
	/* the line end is not part of the value */
	if (f->valuelen > 0 && f->value[f->valuelen - 1] == '\n')
		f->valuelen--;
	*pos = end;
	return FIELD_OK;
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

/* ---- streams ---------------------------------------------------------- */

void
fieldstream_init(struct fieldstream *s, const struct reader *rd,
    uint64_t off)
{
	s->rd = *rd;
	s->base = s->at = off;
	s->len = s->pos = 0;
	s->eof = s->skip = s->failed = false;
}

void
fieldstream_seek(struct fieldstream *s, uint64_t off)
{
	s->skip = false;
	if (off >= s->base && off - s->base <= s->len) {
		s->pos = (size_t)(off - s->base);
		return;
	}
	s->base = off;
	s->len = s->pos = 0;
	s->eof = false;
}

int
fieldstream_fill(struct fieldstream *s)
{
	memmove(s->buf, s->buf + s->pos, s->len - s->pos);
	s->base += s->pos;
	s->len -= s->pos;
	s->pos = 0;
	while (s->len < sizeof(s->buf) && !s->eof) {
		ssize_t n = s->rd.read(s->rd.ctx, s->buf + s->len,
		    sizeof(s->buf) - s->len, s->base + s->len);
		if (n < 0) {
			s->failed = true;
			return -1;
		}
		if (n == 0)
			s->eof = true;
		s->len += (size_t)n;
	}
	return 0;
}

/* Steps over the rest of a long field that starts at buf[pos]: to the
 * line end that no continuation line follows, or to the end. */
static int
skip_long(struct fieldstream *s)
{
	size_t i = s->pos + 1;

	for (;;) {
		for (; i + 1 < s->len; i++) {
			if (s->buf[i] == '\n' && !ascii_is_wsp(s->buf[i + 1])) {
				s->pos = i + 1;
				return 0;
			}
		}
		if (s->eof) {
			s->pos = s->len;
			return 0;
		}
		/* keep the last byte: it may be the line end */
		s->pos = s->len > 0 ? s->len - 1 : 0;
		if (fieldstream_fill(s) < 0)
			return -1;
		i = 0;
	}
}

enum field_step
fieldstream_next(struct fieldstream *s, struct field *f)
{
	enum field_step st;

	if (s->skip) {
		s->skip = false;
		if (skip_long(s) < 0)
			return FIELD_END;
	}
	for (;;) {
		s->at = s->base + s->pos;
		if (s->failed)
			return FIELD_END;
		st = field_next(s->buf, s->len, s->eof, &s->pos, f);
		if (st != FIELD_MORE)
			return st;
		if (s->pos == 0 && s->len == sizeof(s->buf)) {
			/* a name that fills the window is no field of ours */
			if (f->name == NULL)
				return FIELD_END;
			s->skip = true;
			return FIELD_LONG;
		}
		if (fieldstream_fill(s) < 0)
			return FIELD_END;
	}
}
