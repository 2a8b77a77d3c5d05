/*
 * escape.h: client text made safe for a key=value log line.  Pure.
 */
#ifndef ESCAPE_H
#define ESCAPE_H

#include <stddef.h>

/*
 * Writes src (n bytes) into dst (size cap > 0) as one log value: bare when
 * it is plain, otherwise in double quotes with '"' and '\' escaped and
 * every control character or byte of invalid UTF-8 shown as \xHH.  The
 * result never holds a space outside quotes, a line break or a NUL.
 * Returns the length written (cut short at cap - 1).
 */
size_t escape_value(char *dst, size_t cap, const char *src, size_t n);

#endif
