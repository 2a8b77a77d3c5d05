/*
 * utf8.h: UTF-8 sequences, for addresses, headers, logs and smtp-watch.
 */
#ifndef UTF8_H
#define UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Length of a well-formed UTF-8 sequence at p (1 to 4; 1 for ASCII), or
 * 0 when the bytes at p are not one.  Never reads at or past end. */
size_t utf8_sequence(const unsigned char *p, const unsigned char *end);

/* The code point of the n-byte sequence at p, which utf8_sequence()
 * accepted with length n. */
uint32_t utf8_decode(const unsigned char *p, size_t n);

/* Writes code point cp (at most U+10FFFF) into out as UTF-8 and returns
 * its length, 1 to 4. */
size_t utf8_encode(uint32_t cp, char out[4]);

#endif
