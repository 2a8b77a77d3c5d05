/*
 * addrmatch.c: the address comparison behind --rcpt and --from.
 *
 * Invariant: the domain is the part after the last '@', so a quoted local
 * part holding '@' ("a@b"@example.test) is never taken for a domain.
 */
#include <string.h>

#include "watch/addrmatch.h"
#include "watch/ascii.h"

void
addr_trim(const char **s, size_t *n)
{
	while (*n > 0 && ascii_is_space(**s))
		(*s)++, (*n)--;
	while (*n > 0 && ascii_is_space((*s)[*n - 1]))
		(*n)--;
	if (*n >= 2 && (*s)[0] == '<' && (*s)[*n - 1] == '>')
		(*s)++, *n -= 2;
}

static const char *
last_at(const char *s, size_t n)
{
	for (size_t i = n; i > 0; i--)
		if (s[i - 1] == '@')
			return s + i - 1;
	return NULL;
}

bool
addr_match(const char *pat, size_t plen, const char *addr, size_t alen)
{
	const char *pa, *aa;
	size_t pdom, adom;

	addr_trim(&pat, &plen);
	addr_trim(&addr, &alen);
	if (plen == 0)
		return alen == 0;
	pa = last_at(pat, plen);
	aa = last_at(addr, alen);
	if (pa == NULL)
		return plen == alen && memcmp(pat, addr, plen) == 0;
	if (aa == NULL)
		return false;
	pdom = plen - (size_t)(pa - pat) - 1;
	adom = alen - (size_t)(aa - addr) - 1;
	if (pdom != adom || !ascii_caseeq(pa + 1, aa + 1, pdom))
		return false;
	/* "@domain" matches every local part */
	return pa == pat || (pa - pat == aa - addr &&
	    memcmp(pat, addr, (size_t)(pa - pat)) == 0);
}
