/*
 * addrmatch.h: envelope addresses as the --rcpt and --from filters compare
 * them.  Pure: no I/O, no allocation, no locale.
 */
#ifndef WATCH_ADDRMATCH_H
#define WATCH_ADDRMATCH_H

#include <stdbool.h>
#include <stddef.h>

/* Narrows (*s, *n) to the address inside: white space around it and one
 * pair of angle brackets go. */
void addr_trim(const char **s, size_t *n);

/*
 * A pattern "local@domain" matches the same local part (exactly) at the
 * same domain (ASCII case-insensitive); "@domain" matches any address at
 * that domain; a pattern without '@' must equal the address; the empty
 * pattern matches only the null sender.  Both are addr_trim()med first.
 */
bool addr_match(const char *pat, size_t plen, const char *addr, size_t alen);

#endif
