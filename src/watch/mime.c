/*
 * mime.c: pure functions over the stored messages smtp-watch reports.
 *
 * Invariants: no I/O, no allocation, no locale.  Input is (pointer,
 * length) and may hold any bytes, NUL included.  Every write into a
 * caller's buffer goes through struct out, which never passes cap - 1
 * bytes and keeps the buffer NUL-terminated.
 */
#include <string.h>

#include "watch/mime.h"

/* ---- small helpers -------------------------------------------------- */

struct out {
	char *p;
	size_t cap, len;
	bool full; /* something did not fit: nothing more is written */
};

static void
out_init(struct out *o, char *p, size_t cap)
{
	o->p = p;
	o->cap = cap;
	o->len = 0;
	o->full = cap == 0;
	if (cap > 0)
		p[0] = '\0';
}

/* All n bytes or none, so a character is never cut in two. */
static void
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

static void
out_byte(struct out *o, unsigned char c)
{
	char b = (char)c;

	out_put(o, &b, 1);
}

/* Moves the end back to len (which is <= o->len) and allows writing. */
static void
out_rewind(struct out *o, size_t len)
{
	if (o->cap == 0)
		return;
	o->len = len;
	o->full = false;
	o->p[len] = '\0';
}

static bool
is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static bool
is_space(char c)
{
	return is_wsp(c) || c == '\r' || c == '\n';
}

static char
ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool
ascii_caseeq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ascii_lower(a[i]) != ascii_lower(b[i]))
			return false;
	return true;
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = ascii_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Length of the well-formed UTF-8 sequence at s (Unicode 3.9, Table 3-7:
 * no overlongs, no surrogates, nothing above U+10FFFF), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t len)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	n = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

static uint32_t
utf8_decode(const unsigned char *s, size_t n)
{
	static const unsigned char mask[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	uint32_t cp = s[0] & mask[n];

	for (size_t i = 1; i < n; i++)
		cp = cp << 6 | (s[i] & 0x3f);
	return cp;
}

static void
out_codepoint(struct out *o, uint32_t cp)
{
	char b[4];

	if (cp < 0x80) {
		out_byte(o, (unsigned char)cp);
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		out_put(o, b, 2);
	} else {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		out_put(o, b, 3);
	}
}

/* After a cut made byte by byte, drops a trailing incomplete UTF-8
 * sequence so the cut falls on a character boundary. */
static void
out_trim_partial(struct out *o)
{
	const unsigned char *p = (const unsigned char *)o->p;
	size_t k = o->len, back = 0;

	while (k > 0 && back < 3 && (p[k - 1] & 0xc0) == 0x80)
		k--, back++;
	if (k == 0 || p[k - 1] < 0xc2 || p[k - 1] > 0xf4)
		return;
	size_t want = p[k - 1] < 0xe0 ? 2 : p[k - 1] < 0xf0 ? 3 : 4;
	if (o->len - (k - 1) < want) {
		o->len = k - 1;
		o->p[o->len] = '\0';
	}
}

/* ---- header fields -------------------------------------------------- */

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
mime_field_next(const char *buf, size_t len, size_t *pos, struct mime_field *f)
{
	size_t p = *pos, eol, name_end, colon;

	if (p >= len)
		return false;
	eol = line_end(buf, len, p);
	if (eol == p || (eol == p + 1 && buf[p] == '\r')) {
		*pos = eol < len ? eol + 1 : len;
		return false;
	}
	for (name_end = p; name_end < eol && is_ftext(buf[name_end]);)
		name_end++;
	for (colon = name_end; colon < eol && is_wsp(buf[colon]);)
		colon++; /* obs-optional: "Subject :" */
	if (name_end == p || colon >= eol || buf[colon] != ':')
		return false; /* not a field: the body starts here */
	/* continuation lines begin with white space */
	while (eol + 1 < len && is_wsp(buf[eol + 1]))
		eol = line_end(buf, len, eol + 1);
	f->name = buf + p;
	f->namelen = name_end - p;
	f->value = buf + colon + 1;
	f->valuelen = eol - (colon + 1);
	*pos = eol < len ? eol + 1 : len;
	return true;
}

bool
mime_field_is(const struct mime_field *f, const char *name)
{
	size_t n = strlen(name);

	return f->name && f->namelen == n && ascii_caseeq(f->name, name, n);
}

/* Keeps the first occurrence of each field shown to the user. */
static void
take_field(struct mime_msg *m, const struct mime_field *f)
{
	static const struct {
		const char *name;
		size_t off;
	} shown[] = {
		{ "Date", offsetof(struct mime_msg, date) },
		{ "Subject", offsetof(struct mime_msg, subject) },
		{ "Message-ID", offsetof(struct mime_msg, message_id) },
		{ "From", offsetof(struct mime_msg, from) },
		{ "To", offsetof(struct mime_msg, to) },
	};

	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		struct mime_field *slot =
		    (struct mime_field *)((char *)m + shown[i].off);
		if (mime_field_is(f, shown[i].name) && slot->value == NULL)
			*slot = *f;
	}
}

void
mime_parse(const char *buf, size_t len, struct mime_msg *m)
{
	struct mime_field f;
	size_t pos = 0, start = 0;
	bool ok;

	memset(m, 0, sizeof(*m));
	ok = mime_field_next(buf, len, &pos, &f);
	if (ok && mime_field_is(&f, "Return-Path")) {
		m->envelope = true;
		m->sender = f;
		m->rcpt_begin = m->rcpt_end = pos;
		for (;;) {
			start = pos;
			ok = mime_field_next(buf, len, &pos, &f);
			if (!ok || !mime_field_is(&f, "X-Original-To"))
				break;
			m->nrcpt++;
			m->rcpt_end = pos;
		}
	}
	while (ok) {
		take_field(m, &f);
		start = pos;
		ok = mime_field_next(buf, len, &pos, &f);
	}
	m->body = pos;
	/* the section ended on a blank line, or on a line that is no field */
	m->complete = pos != start || pos < len;
}

/* Trims white space and one pair of angle brackets, in place. */
static size_t
strip_angle(char *s, size_t n)
{
	size_t b = 0;

	while (b < n && is_space(s[b]))
		b++;
	while (n > b && is_space(s[n - 1]))
		n--;
	if (n - b >= 2 && s[b] == '<' && s[n - 1] == '>')
		b++, n--;
	memmove(s, s + b, n - b);
	s[n - b] = '\0';
	return n - b;
}

long
mime_rcpt_next(const char *buf, const struct mime_msg *m, size_t *pos,
    char *out, size_t cap)
{
	struct mime_field f;

	if (cap == 0 || *pos < m->rcpt_begin || *pos >= m->rcpt_end ||
	    !mime_field_next(buf, m->rcpt_end, pos, &f))
		return -1;
	return (long)strip_angle(out, mime_unfold(out, cap, f.value,
	    f.valuelen));
}

size_t
mime_sender(const struct mime_msg *m, char *out, size_t cap)
{
	if (cap == 0)
		return 0;
	if (!m->envelope || m->sender.value == NULL) {
		out[0] = '\0';
		return 0;
	}
	return strip_angle(out, mime_unfold(out, cap, m->sender.value,
	    m->sender.valuelen));
}

size_t
mime_unfold(char *out, size_t cap, const char *in, size_t len)
{
	struct out o;
	size_t b = 0;

	out_init(&o, out, cap);
	while (b < len && is_space(in[b]))
		b++;
	while (len > b && is_space(in[len - 1]))
		len--;
	for (size_t i = b; i < len && !o.full; i++)
		if (in[i] != '\r' && in[i] != '\n')
			out_byte(&o, (unsigned char)in[i]);
	return o.len;
}

/* ---- RFC 2047 ------------------------------------------------------- */

enum charset { CS_NONE, CS_UTF8, CS_LATIN1, CS_LATIN9, CS_CP1252 };

static enum charset
charset_find(const char *s, size_t n)
{
	static const struct {
		const char *name;
		enum charset cs;
	} known[] = {
		{ "utf-8", CS_UTF8 }, { "utf8", CS_UTF8 },
		{ "us-ascii", CS_UTF8 }, { "ascii", CS_UTF8 },
		{ "ansi_x3.4-1968", CS_UTF8 },
		{ "iso-8859-1", CS_LATIN1 }, { "iso8859-1", CS_LATIN1 },
		{ "iso_8859-1", CS_LATIN1 }, { "latin1", CS_LATIN1 },
		{ "latin-1", CS_LATIN1 }, { "l1", CS_LATIN1 },
		{ "iso-8859-15", CS_LATIN9 }, { "iso8859-15", CS_LATIN9 },
		{ "iso_8859-15", CS_LATIN9 }, { "latin-9", CS_LATIN9 },
		{ "latin9", CS_LATIN9 },
		{ "windows-1252", CS_CP1252 }, { "cp1252", CS_CP1252 },
	};
	const char *star = memchr(s, '*', n);

	if (star) /* RFC 2231 language: "utf-8*en" */
		n = (size_t)(star - s);
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strlen(known[i].name) == n &&
		    ascii_caseeq(known[i].name, s, n))
			return known[i].cs;
	return CS_NONE;
}

/* Windows-1252 0x80..0x9f; 0xfffd where the code page has a hole. */
static const uint16_t cp1252_c1[32] = {
	0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd,
	0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178,
};

static uint32_t
latin9_codepoint(unsigned char c)
{
	switch (c) {
	case 0xa4: return 0x20ac;
	case 0xa6: return 0x0160;
	case 0xa8: return 0x0161;
	case 0xb4: return 0x017d;
	case 0xb8: return 0x017e;
	case 0xbc: return 0x0152;
	case 0xbd: return 0x0153;
	case 0xbe: return 0x0178;
	default: return c;
	}
}

/* One decoded byte of an encoded word, converted to UTF-8.  UTF-8 and
 * US-ASCII bytes go through as they are: escaping for JSON or the
 * terminal deals with invalid ones later. */
static void
charset_put(struct out *o, enum charset cs, unsigned char c)
{
	if (c < 0x80 || cs == CS_UTF8)
		out_byte(o, c);
	else if (cs == CS_CP1252 && c < 0xa0)
		out_codepoint(o, cp1252_c1[c - 0x80]);
	else if (cs == CS_LATIN9)
		out_codepoint(o, latin9_codepoint(c));
	else
		out_codepoint(o, c);
}

static int
base64_value(char c)
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

static bool
decode_b(struct out *o, enum charset cs, const char *t, size_t n)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t data = 0, pad = 0;

	for (size_t i = 0; i < n; i++) {
		int v = t[i] == '=' ? -2 : base64_value(t[i]);
		if (v == -2) {
			pad++;
			continue;
		}
		if (v < 0 || pad > 0)
			return false; /* not base64, or data after padding */
		data++;
		acc = (acc << 6 | (uint32_t)v) & 0xffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			charset_put(o, cs, (unsigned char)(acc >> bits));
		}
	}
	if (data % 4 == 1 || pad > 2 || (pad > 0 && (data + pad) % 4 != 0))
		return false;
	return true;
}

static bool
decode_q(struct out *o, enum charset cs, const char *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (t[i] == '_') {
			charset_put(o, cs, ' ');
		} else if (t[i] == '=') {
			int hi, lo;
			if (i + 2 >= n)
				return false;
			hi = hex_value(t[i + 1]);
			lo = hex_value(t[i + 2]);
			if (hi < 0 || lo < 0)
				return false;
			charset_put(o, cs, (unsigned char)(hi << 4 | lo));
			i += 2;
		} else {
			charset_put(o, cs, (unsigned char)t[i]);
		}
	}
	return true;
}

/* Charset and encoded text may hold any printable character but '?'. */
static bool
is_word_char(char c)
{
	return c > ' ' && c < 0x7f && c != '?';
}

/*
 * Decodes the encoded word "=?cs?e?text?=" starting at in[i] into o and
 * stores the offset after it in *end.  False if there is none: the caller
 * undoes what was written.
 */
static bool
decode_word(struct out *o, const char *in, size_t len, size_t i, size_t *end)
{
	size_t p = i + 2, cs_at, t_at;
	enum charset cs;
	char enc;

	for (cs_at = p; p < len && is_word_char(in[p]);)
		p++;
	if (p == cs_at || p + 2 >= len || in[p] != '?' || in[p + 2] != '?')
		return false;
	cs = charset_find(in + cs_at, p - cs_at);
	enc = ascii_lower(in[p + 1]);
	for (t_at = p += 3; p < len && is_word_char(in[p]);)
		p++;
	if (cs == CS_NONE || p + 1 >= len || in[p] != '?' || in[p + 1] != '=')
		return false;
	*end = p + 2;
	if (enc == 'b')
		return decode_b(o, cs, in + t_at, p - t_at);
	if (enc == 'q')
		return decode_q(o, cs, in + t_at, p - t_at);
	return false;
}

static bool
only_space(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_space(s[i]))
			return false;
	return true;
}

size_t
mime_decode_words(char *out, size_t cap, const char *in, size_t len)
{
	struct out o;
	size_t i = 0, word_in = 0, word_out = 0, end;
	bool after_word = false;

	out_init(&o, out, cap);
	while (i < len && !o.full) {
		if (in[i] == '=' && i + 1 < len && in[i + 1] == '?') {
			size_t save = o.len;
			/* RFC 2047 6.2: white space between two encoded
			 * words is not displayed */
			bool join = after_word &&
			    only_space(in + word_in, i - word_in);
			if (join)
				out_rewind(&o, word_out);
			if (decode_word(&o, in, len, i, &end)) {
				after_word = true;
				word_in = i = end;
				word_out = o.len;
				continue;
			}
			out_rewind(&o, join ? word_out : save);
			if (join)
				out_put(&o, in + word_in, i - word_in);
		}
		out_byte(&o, (unsigned char)in[i++]);
	}
	if (o.full)
		out_trim_partial(&o);
	return o.len;
}

size_t
mime_field_text(char *out, size_t cap, const struct mime_field *f)
{
	char tmp[8192];
	size_t n;

	if (cap == 0)
		return 0;
	if (f->value == NULL) {
		out[0] = '\0';
		return 0;
	}
	n = mime_unfold(tmp, sizeof(tmp), f->value, f->valuelen);
	return mime_decode_words(out, cap, tmp, n);
}

/* ---- RFC 5322 dates ------------------------------------------------- */

struct scan {
	const char *s;
	size_t len, i;
};

/* Skips white space and (nested) comments: RFC 5322 CFWS. */
static void
scan_cfws(struct scan *sc)
{
	unsigned depth = 0;

	while (sc->i < sc->len) {
		char c = sc->s[sc->i];
		if (c == '(')
			depth++;
		else if (c == ')' && depth > 0)
			depth--;
		else if (depth == 0 && !is_space(c))
			return;
		else if (c == '\\' && depth > 0 && sc->i + 1 < sc->len)
			sc->i++;
		sc->i++;
	}
}

/* Reads 1 to max digits; -1 if there are none. */
static long
scan_number(struct scan *sc, size_t max, size_t *ndigits)
{
	long v = 0;
	size_t n = 0;

	while (sc->i < sc->len && n < max && sc->s[sc->i] >= '0' &&
	    sc->s[sc->i] <= '9') {
		v = v * 10 + (sc->s[sc->i++] - '0');
		n++;
	}
	if (ndigits)
		*ndigits = n;
	return n > 0 ? v : -1;
}

static size_t
scan_alpha(struct scan *sc)
{
	size_t b = sc->i;

	while (sc->i < sc->len && ((sc->s[sc->i] | 0x20) >= 'a' &&
	    (sc->s[sc->i] | 0x20) <= 'z'))
		sc->i++;
	return sc->i - b;
}

static bool
scan_char(struct scan *sc, char c)
{
	if (sc->i < sc->len && sc->s[sc->i] == c) {
		sc->i++;
		return true;
	}
	return false;
}

static int
month_number(const char *s, size_t n)
{
	static const char names[] = "janfebmaraprmayjunjulaugsepoctnovdec";

	if (n != 3)
		return -1;
	for (int m = 0; m < 12; m++)
		if (ascii_caseeq(names + 3 * m, s, 3))
			return m + 1;
	return -1;
}

/* Minutes east of UTC for the obsolete zone names (RFC 5322 4.3); other
 * names, military ones included, mean "unknown", taken as UTC. */
static int
zone_minutes(const char *s, size_t n)
{
	static const struct {
		const char *name;
		int hours;
	} zones[] = {
		{ "EST", -5 }, { "EDT", -4 }, { "CST", -6 }, { "CDT", -5 },
		{ "MST", -7 }, { "MDT", -6 }, { "PST", -8 }, { "PDT", -7 },
	};

	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		if (n == 3 && ascii_caseeq(zones[i].name, s, 3))
			return zones[i].hours * 60;
	return 0;
}

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian (H. Hinnant). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static int
days_in_month(long y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/* "hh:mm[:ss] zone"; the zone may be missing (taken as UTC). */
static bool
scan_time(struct scan *sc, long *secs, long *zone)
{
	long h, mi, s = 0, z = 0;
	size_t nd;

	scan_cfws(sc);
	h = scan_number(sc, 2, NULL);
	scan_cfws(sc);
	if (h < 0 || h > 23 || !scan_char(sc, ':'))
		return false;
	scan_cfws(sc);
	mi = scan_number(sc, 2, NULL);
	if (mi < 0 || mi > 59)
		return false;
	scan_cfws(sc);
	if (scan_char(sc, ':')) {
		scan_cfws(sc);
		s = scan_number(sc, 2, NULL);
		if (s < 0 || s > 60)
			return false;
	}
	scan_cfws(sc);
	if (sc->i < sc->len && (sc->s[sc->i] == '+' || sc->s[sc->i] == '-')) {
		long sign = sc->s[sc->i++] == '-' ? -1 : 1;
		long v = scan_number(sc, 4, &nd);
		if (v < 0 || nd != 4 || v % 100 > 59)
			return false;
		z = sign * (v / 100 * 60 + v % 100);
	} else {
		size_t b = sc->i, n = scan_alpha(sc);
		z = zone_minutes(sc->s + b, n);
	}
	*secs = h * 3600 + mi * 60 + s;
	*zone = z;
	return true;
}

bool
mime_parse_date(const char *s, size_t len, int64_t *epoch)
{
	struct scan sc = { s, len, 0 };
	long day, year, secs, zone;
	size_t b, n, nd;
	int mon;

	scan_cfws(&sc);
	b = sc.i;
	if (scan_alpha(&sc) > 0) { /* day name: optional, so not checked */
		scan_cfws(&sc);
		scan_char(&sc, ',');
		scan_cfws(&sc);
	} else {
		sc.i = b;
	}
	day = scan_number(&sc, 2, NULL);
	scan_cfws(&sc);
	b = sc.i;
	n = scan_alpha(&sc);
	mon = month_number(s + b, n);
	scan_cfws(&sc);
	year = scan_number(&sc, 4, &nd);
	if (day < 1 || mon < 0 || year < 0 || nd < 2)
		return false;
	if (nd == 2) /* RFC 5322 4.3 */
		year += year < 50 ? 2000 : 1900;
	else if (nd == 3)
		year += 1900;
	if (day > days_in_month(year, mon) || !scan_time(&sc, &secs, &zone))
		return false;
	*epoch = days_from_civil(year, mon, (int)day) * 86400 + secs -
	    zone * 60;
	return true;
}

/* ---- escaping for output ------------------------------------------ */

/*
 * The code points that must never reach a terminal or a JSON reader as
 * they are: C0 controls, DEL, C1 controls (U+0080-U+009F), the line and
 * paragraph separators U+2028 and U+2029, and the bidirectional embeddings,
 * overrides and isolates U+202A-U+202E and U+2066-U+2069, which reorder
 * what a reader sees (CVE-2021-42574).
 */
static bool
is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 ||
	    cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069);
}

/* The escape for one character (code point cp, or -1 for a byte that is
 * not UTF-8) into esc; its length. */
static size_t
json_escape_one(long cp, char esc[8])
{
	static const char hex[] = "0123456789abcdef";
	static const char ctl[] = "\b\f\n\r\t", ctl_name[] = "bfnrt";
	const char *named = cp > 0 && cp < 0x20 ? strchr(ctl, (int)cp) : NULL;

	esc[0] = '\\';
	if (cp == '"' || cp == '\\') {
		esc[1] = (char)cp;
		return 2;
	}
	if (named) {
		esc[1] = ctl_name[named - ctl];
		return 2;
	}
	if (cp < 0)
		cp = 0xfffd;
	esc[1] = 'u';
	for (int i = 0; i < 4; i++)
		esc[2 + i] = hex[cp >> (12 - 4 * i) & 0xf];
	return 6;
}

void
mime_json_escape(const char *s, size_t len, mime_emit_fn emit, void *ctx)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0, n;
	long cp;
	char esc[8];

	while (i < len) {
		n = utf8_len(u + i, len - i);
		cp = n ? (long)utf8_decode(u + i, n) : -1;
		if (cp >= 0 && cp != '"' && cp != '\\' &&
		    !is_control((uint32_t)cp)) {
			i += n;
			continue;
		}
		if (i > run)
			emit(ctx, s + run, i - run);
		emit(ctx, esc, json_escape_one(cp, esc));
		i += n ? n : 1;
		run = i;
	}
	if (i > run)
		emit(ctx, s + run, i - run);
}

size_t
mime_sanitize(char *out, size_t cap, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	struct out o;
	size_t i = 0;

	out_init(&o, out, cap);
	while (i < len && !o.full) {
		size_t n = utf8_len(u + i, len - i);
		if (n == 0) {
			out_put(&o, "\xef\xbf\xbd", 3);
			n = 1;
		} else if (u[i] == '\t') {
			out_byte(&o, ' ');
		} else if (is_control(utf8_decode(u + i, n))) {
			out_byte(&o, '?');
		} else {
			out_put(&o, s + i, n);
		}
		i += n;
	}
	return o.len;
}

size_t
mime_utf8_prefix(const char *s, size_t len, size_t n, size_t *count)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, c = 0;

	while (i < len && c < n) {
		size_t k = utf8_len(u + i, len - i);
		i += k ? k : 1;
		c++;
	}
	if (count)
		*count = c;
	return i;
}

/* ---- envelope filters ---------------------------------------------- */

static void
trim_angle(const char **s, size_t *n)
{
	while (*n > 0 && is_space(**s))
		(*s)++, (*n)--;
	while (*n > 0 && is_space((*s)[*n - 1]))
		(*n)--;
	if (*n >= 2 && (*s)[0] == '<' && (*s)[*n - 1] == '>')
		(*s)++, *n -= 2;
}

static const char *
last_at(const char *s, size_t n)
{
	for (size_t i = n; i > 0; i--)
		if (s[i - 1] == '@')
			return s + i - 1;
	return NULL;
}

bool
mime_addr_match(const char *pat, size_t plen, const char *addr, size_t alen)
{
	const char *pa, *aa;
	size_t pdom, adom;

	trim_angle(&pat, &plen);
	trim_angle(&addr, &alen);
	if (plen == 0)
		return alen == 0;
	pa = last_at(pat, plen);
	aa = last_at(addr, alen);
	if (pa == NULL)
		return plen == alen && memcmp(pat, addr, plen) == 0;
	if (aa == NULL)
		return false;
	pdom = plen - (size_t)(pa - pat) - 1;
	adom = alen - (size_t)(aa - addr) - 1;
	if (pdom != adom || !ascii_caseeq(pa + 1, aa + 1, pdom))
		return false;
	/* "@domain" matches every local part */
	return pa == pat || (pa - pat == aa - addr &&
	    memcmp(pat, addr, (size_t)(pa - pat)) == 0);
}

/* ---- mboxrd --------------------------------------------------------- */

static void
q_emit(struct mime_mboxrd *q, mime_emit_fn emit, void *ctx, const char *p,
    size_t n)
{
	if (n == 0)
		return;
	emit(ctx, p, n);
	q->any = true;
	q->last_lf = p[n - 1] == '\n';
}

/* The '>'s and the part of "From " held back at the start of a line. */
static void
q_release(struct mime_mboxrd *q, mime_emit_fn emit, void *ctx)
{
	static const char gts[] = ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>";

	while (q->gt > 0) {
		size_t n = q->gt < sizeof(gts) - 1 ? q->gt : sizeof(gts) - 1;
		q_emit(q, emit, ctx, gts, n);
		q->gt -= n;
	}
	q_emit(q, emit, ctx, "From ", q->match);
	q->match = 0;
}

void
mime_mboxrd_init(struct mime_mboxrd *q)
{
	memset(q, 0, sizeof(*q));
}

void
mime_mboxrd_feed(struct mime_mboxrd *q, const char *p, size_t len,
    mime_emit_fn emit, void *ctx)
{
	size_t i = 0;

	while (i < len) {
		if (q->midline) {
			const char *nl = memchr(p + i, '\n', len - i);
			size_t n = nl ? (size_t)(nl - (p + i)) + 1 : len - i;
			q_emit(q, emit, ctx, p + i, n);
			i += n;
			q->midline = nl == NULL;
		} else if (q->match == 0 && p[i] == '>') {
			q->gt++, i++;
		} else if (p[i] == "From "[q->match]) {
			i++;
			if (++q->match == 5) {
				q_emit(q, emit, ctx, ">", 1);
				q_release(q, emit, ctx);
				q->midline = true;
			}
		} else {
			/* no quoting: the byte at i is handled mid-line */
			q_release(q, emit, ctx);
			q->midline = true;
		}
	}
}

void
mime_mboxrd_finish(struct mime_mboxrd *q, mime_emit_fn emit, void *ctx)
{
	if (!q->midline)
		q_release(q, emit, ctx);
	if (q->any && !q->last_lf)
		q_emit(q, emit, ctx, "\n", 1);
	q_emit(q, emit, ctx, "\n", 1);
	mime_mboxrd_init(q);
}

size_t
mime_mbox_sender(char *out, size_t cap, const char *s, size_t len)
{
	struct out o;

	out_init(&o, out, cap);
	trim_angle(&s, &len);
	if (len == 0) {
		out_put(&o, "MAILER-DAEMON", 13);
		return o.len;
	}
	for (size_t i = 0; i < len && !o.full; i++) {
		unsigned char c = (unsigned char)s[i];
		out_byte(&o, c <= ' ' || c == 0x7f ? '_' : c);
	}
	return o.len;
}
