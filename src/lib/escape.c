/*
 * escape.c: the OpenSMTPD habit of escaping every client string in a log.
 */
#include <stdbool.h>
#include <string.h>

#include "lib/utf8.h"
#include "lib/escape.h"

static bool
plain(const unsigned char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] >= 0x7f || s[i] == '"' ||
		    s[i] == '\\' || s[i] == '=')
			return false;
	return true;
}

size_t
escape_value(char *dst, size_t cap, const char *src, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)src, *end = s + n;
	size_t o = 0;

	if (plain(s, n)) {
		o = n < cap - 1 ? n : cap - 1;
		memcpy(dst, src, o);
		dst[o] = '\0';
		return o;
	}
	if (o + 1 < cap)
		dst[o++] = '"';
	while (s < end) {
		uint32_t cp = 0;
		size_t u = *s >= 0x80 ? utf8_decode(s, end, &cp) : 0;
		if (u > 1 && utf8_is_control(cp)) {
			/* C1, separators, bidi: \u00XX or \uXXXX */
			if (o + 7 >= cap)
				break;
			dst[o++] = '\\', dst[o++] = 'u';
			for (int shift = 12; shift >= 0; shift -= 4)
				dst[o++] = hex[(cp >> shift) & 15];
			s += u;
		} else if (u > 1) {
			if (o + u + 1 >= cap)
				break;
			memcpy(dst + o, s, u);
			o += u, s += u;
		} else if (*s < 0x20 || *s >= 0x7f) {
			if (o + 5 >= cap)
				break;
			dst[o++] = '\\', dst[o++] = 'x';
			dst[o++] = hex[*s >> 4], dst[o++] = hex[*s & 15];
			s++;
		} else {
			if (o + 3 >= cap)
				break;
			if (*s == '"' || *s == '\\')
				dst[o++] = '\\';
			dst[o++] = (char)*s++;
		}
	}
	if (o + 1 < cap)
		dst[o++] = '"';
	dst[o] = '\0';
	return o;
}

size_t
escape_display(char *dst, size_t cap, const char *src, size_t n, bool final,
    size_t *used)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)src, *end = s + n;
	size_t o = 0;

	while (s < end && o + 7 < cap) {
		uint32_t cp = 0;
		size_t u = *s >= 0x80 ? utf8_decode(s, end, &cp) : 1;
		if (u == 0 && !final && (size_t)(end - s) < 4 && *s >= 0xc2 &&
		    *s <= 0xf4)
			break; /* perhaps a character the caller cut */
		if (u > 1 && !utf8_is_control(cp)) {
			memcpy(dst + o, s, u);
			o += u, s += u;
		} else if (u > 1) {
			dst[o++] = '\\', dst[o++] = 'u';
			for (int shift = 12; shift >= 0; shift -= 4)
				dst[o++] = hex[(cp >> shift) & 15];
			s += u;
		} else if (*s == '\t' || (*s >= 0x20 && *s < 0x7f)) {
			dst[o++] = (char)*s++;
		} else {
			dst[o++] = '\\', dst[o++] = 'x';
			dst[o++] = hex[*s >> 4], dst[o++] = hex[*s & 15];
			s++;
		}
	}
	*used = (size_t)(s - (const unsigned char *)src);
	return o;
}
