/*
 * utf8.h: UTF-8 sequences, for addresses, headers, logs and smtp-watch.
 */
#ifndef UTF8_H
#define UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length of a well-formed UTF-8 sequence at p (1 to 4; 1 for ASCII), or
 * 0 when the bytes at p are not one.  Never reads at or past end. */
size_t utf8_sequence(const unsigned char *p, const unsigned char *end);

/* The same, and the code point it encodes in *cp. */
size_t utf8_decode(const unsigned char *p, const unsigned char *end,
    uint32_t *cp);

/* A code point that changes how text around it is shown rather than
 * being shown: C0 and C1 controls, DEL, the line and paragraph
 * separators, and the bidirectional overrides, isolates and marks
 * (Trojan Source).  Never accepted in an address, never written out raw. */
bool utf8_is_control(uint32_t cp);

/* Writes code point cp (at most U+10FFFF) into out as UTF-8 and returns
 * its length, 1 to 4. */
size_t utf8_encode(uint32_t cp, char out[4]);

#endif
