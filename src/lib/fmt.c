/*
 * fmt.c: see fmt.h.
 */
#include "lib/fmt.h"

static size_t
fmt_base(char *dst, unsigned long long v, unsigned base, unsigned width)
{
	static const char digits[] = "0123456789ABCDEF";
	char tmp[24];
	size_t n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v > 0 && n < sizeof(tmp));
	while (n < width && n < sizeof(tmp))
		tmp[n++] = '0';
	for (size_t i = 0; i < n; i++)
		dst[i] = tmp[n - 1 - i];
	return n;
}

size_t
fmt_dec(char *dst, unsigned long long v)
{
	return fmt_base(dst, v, 10, 1);
}

size_t
fmt_hex(char *dst, unsigned long long v, unsigned width)
{
	return fmt_base(dst, v, 16, width);
}
