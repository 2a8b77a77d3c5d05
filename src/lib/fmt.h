/*
 * fmt.h: numbers as text without printf(3), for what every session does
 * before it reads a byte (its id, the log prefix): the printf machinery
 * costs instructions and pages that a short session notices.
 */
#ifndef FMT_H
#define FMT_H

#include <stddef.h>

/* v in decimal, or in upper-case hexadecimal padded with zeros to at
 * least width digits; dst needs 21 bytes.  Returns the length; no NUL. */
size_t fmt_dec(char *dst, unsigned long long v);
size_t fmt_hex(char *dst, unsigned long long v, unsigned width);

#endif
