/*
 * text.c: terminal-safe text for the summary format.
 *
 * Invariant: what text_clean() writes is valid UTF-8 holding no
 * utf8_is_control() character, so no byte of a message can move the
 * cursor, change a window title, or reorder the line around it.
 */
#include "lib/utf8.h"
#include "watch/out.h"
#include "watch/text.h"

size_t
text_clean(char *out, size_t cap, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s, *end = u + len;
	struct out o;
	size_t i = 0, n;

	out_init(&o, out, cap);
	while (i < len && !o.full) {
		uint32_t cp;
		n = utf8_decode(u + i, end, &cp);
		if (n == 0) {
			out_put(&o, "\xef\xbf\xbd", 3);
			n = 1;
		} else if (u[i] == '\t') {
			out_byte(&o, ' ');
		} else if (utf8_is_control(cp)) {
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
