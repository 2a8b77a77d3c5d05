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

#endif
