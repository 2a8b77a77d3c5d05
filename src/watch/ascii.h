/*
 * ascii.h: the few character tests the header parsers share.  ASCII only,
 * never the locale: a message's bytes mean the same whatever LANG says.
 */
#ifndef WATCH_ASCII_H
#define WATCH_ASCII_H

#include <stdbool.h>
#include <stddef.h>

/* RFC 5322 WSP: space and tab. */
static inline bool
ascii_is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* WSP or a line break: what folding and trimming remove. */
static inline bool
ascii_is_space(char c)
{
	return ascii_is_wsp(c) || c == '\r' || c == '\n';
}

static inline char
ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static inline bool
ascii_caseeq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ascii_lower(a[i]) != ascii_lower(b[i]))
			return false;
	return true;
}

/* The value of a hexadecimal digit, or -1. */
static inline int
ascii_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = ascii_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

#endif
