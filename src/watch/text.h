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
 * The code points that must never reach a terminal or a JSON reader as
 * they are: C0 controls, DEL, C1 controls (U+0080-U+009F), the line and
 * paragraph separators U+2028 and U+2029, and the bidirectional embeddings,
 * overrides and isolates U+202A-U+202E and U+2066-U+2069, which reorder
 * what a reader sees (CVE-2021-42574).
 */
bool text_is_control(uint32_t cp);

/*
 * Copies s for display on one terminal line: valid UTF-8 is kept, a tab
 * becomes a space, every other text_is_control() character becomes '?',
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
