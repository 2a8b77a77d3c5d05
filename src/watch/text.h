/*
 * text.h: message text made safe to show on a terminal, one line per
 * message.  Pure: no I/O, no allocation, no locale.
 */
#ifndef WATCH_TEXT_H
#define WATCH_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Copies s for display on one terminal line: valid UTF-8 is kept, a tab
 * becomes a space, every other utf8_is_control() character becomes '?',
 * and each byte that is not part of a well-formed UTF-8 sequence becomes
 * U+FFFD.  Output is cut on a character boundary to fit cap
 * (NUL-terminated).  Returns the length written.
 */
size_t text_clean(char *out, size_t cap, const char *s, size_t len);

/* Bytes taken by the first n characters of s (at most len; a byte that is
 * not UTF-8 counts as one character); *count receives how many
 * characters that is (<= n). */
size_t text_prefix(const char *s, size_t len, size_t n, size_t *count);

#endif
