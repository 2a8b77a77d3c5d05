/*
 * json.c: the one JSON string escaper of the json format.
 *
 * Invariant: the output is printable ASCII plus valid UTF-8 without any
 * utf8_is_control() character; runs that need no escape are emitted in
 * one piece.
 */
#include <string.h>

#include "lib/utf8.h"
#include "watch/json.h"
#include "watch/text.h"

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
json_escape(const char *s, size_t len, emit_fn emit, void *ctx)
{
	const unsigned char *u = (const unsigned char *)s, *end = u + len;
	size_t i = 0, run = 0, n;
	uint32_t cp;
	char esc[8];

	while (i < len) {
		n = utf8_decode(u + i, end, &cp);
		if (n > 0 && cp != '"' && cp != '\\' && !utf8_is_control(cp)) {
			i += n;
			continue;
		}
		if (i > run)
			emit(ctx, s + run, i - run);
		emit(ctx, esc, json_escape_one(n > 0 ? (long)cp : -1, esc));
		i += n ? n : 1;
		run = i;
	}
	if (i > run)
		emit(ctx, s + run, i - run);
}
