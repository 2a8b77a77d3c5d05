/*
 * rfc2047.h: RFC 2047 encoded words ("=?utf-8?q?caf=C3=A9?="), decoded
 * for display.  Pure: no I/O, no allocation, no locale.
 */
#ifndef WATCH_RFC2047_H
#define WATCH_RFC2047_H

#include <stddef.h>

/*
 * Decodes the encoded words in an unfolded value into UTF-8: B and Q
 * encodings, charsets UTF-8, US-ASCII, ISO-8859-1, ISO-8859-15 and
 * Windows-1252 (an RFC 2231 "*language" suffix is ignored).  White space
 * between two adjacent encoded words is dropped.  A word that is
 * malformed, or in another charset, is copied as it is, and so is the text
 * outside encoded words, byte for byte: escaping for the terminal or for
 * JSON deals with what is not UTF-8.  Output is cut on a character
 * boundary to fit cap (NUL-terminated).  Returns the length written.
 */
size_t rfc2047_decode(char *out, size_t cap, const char *in, size_t len);

#endif
