/*
 * text.c: terminal-safe text for the summary format.
 *
 * Invariant: what text_clean() writes is valid UTF-8 holding no
 * text_is_control() character, so no byte of a message can move the
 * cursor, change a window title, or reorder the line around it.
 */
#include "lib/utf8.h"
#include "watch/out.h"
#include "watch/text.h"

bool
text_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 ||
	    cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069);
}

size_t
text_clean(char *out, size_t cap, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s, *end = u + len;
	struct out o;
	size_t i = 0, n;

	out_init(&o, out, cap);
	while (i < len && !o.full) {
		n = utf8_sequence(u + i, end);
		if (n == 0) {
			out_put(&o, "\xef\xbf\xbd", 3);
			n = 1;
		} else if (u[i] == '\t') {
			out_byte(&o, ' ');
		} else if (text_is_control(utf8_decode(u + i, n))) {
			out_byte(&o, '?');
		} else {
			out_put(&o, s + i, n);
		}
		i += n;
	}
	return o.len;
}

size_t
text_prefix(const char *s, size_t len, size_t n, size_t *count)
{
	const unsigned char *u = (const unsigned char *)s, *end = u + len;
	size_t i = 0, c = 0, k;

	while (i < len && c < n) {
		k = utf8_sequence(u + i, end);
		i += k ? k : 1;
		c++;
	}
	if (count)
		*count = c;
	return i;
}
