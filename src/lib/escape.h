/*
 * escape.h: client text made safe for a key=value log line.  Pure.
 */
#ifndef ESCAPE_H
#define ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Writes src (n bytes) into dst (size cap > 0) as one log value: bare when
 * it is plain, otherwise in double quotes with '"' and '\' escaped,
 * every control character or byte of invalid UTF-8 shown as \xHH, and
 * every Unicode control (utf8_is_control: C1, U+2028, the bidi
 * overrides) as \uXXXX.  The
 * result never holds a space outside quotes, a line break or a NUL.
 * Returns the length written (cut short at cap - 1).
 */
size_t escape_value(char *dst, size_t cap, const char *src, size_t n);

/*
 * Writes text from src (n bytes, no line ends) into dst (cap > 7) for a
 * terminal: printable ASCII, tabs and UTF-8 as they are, every other
 * control or byte of invalid UTF-8 as \xHH, every Unicode control as
 * \uXXXX, so no escape sequence or bidi override reaches the screen.
 * Stops when dst is nearly full, or, unless final, before what may be a
 * UTF-8 character cut at the end of src; *used receives the bytes of src
 * consumed.  Returns the length written (no NUL).
 */
size_t escape_display(char *dst, size_t cap, const char *src, size_t n,
    bool final, size_t *used);

#endif
