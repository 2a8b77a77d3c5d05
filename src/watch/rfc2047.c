/*
 * rfc2047.c: encoded words (RFC 2047 sections 2 to 6), into UTF-8.
 *
 * Invariants: a word is decoded whole or not at all (what a failed word
 * wrote is taken back with out_rewind()); nothing is written past the
 * caller's capacity, and a cut never leaves half a UTF-8 sequence.
 */
#include <stdint.h>
#include <string.h>

#include "lib/base64.h"
#include "watch/ascii.h"
#include "watch/out.h"
#include "watch/rfc2047.h"

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

static bool
decode_b(struct out *o, enum charset cs, const char *t, size_t n)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t data = 0, pad = 0;

	for (size_t i = 0; i < n; i++) {
		int v = t[i] == '=' ? -2 : base64_value((unsigned char)t[i]);
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
			hi = ascii_hex(t[i + 1]);
			lo = ascii_hex(t[i + 2]);
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
		if (!ascii_is_space(s[i]))
			return false;
	return true;
}

size_t
rfc2047_decode(char *out, size_t cap, const char *in, size_t len)
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
