/*
 * sasl.c: decoding of the PLAIN and LOGIN exchanges (see sasl.h).
 *
 * Invariants: a response is strict base64 or refused whole; PLAIN has
 * exactly two NULs, a non-empty authentication identity and, if any, an
 * authorization identity equal to it (we never let one user act as
 * another); a user name holds no control octet, so it is safe to log
 * and to put in a Received header once escaped as any client text is.
 */
#include <string.h>

#include "core/sasl.h"
#include "lib/base64.h"

enum sasl_result
sasl_response(const char *line, size_t n, unsigned char *out, size_t cap,
    size_t *len)
{
	long got;

	*len = 0;
	if (n == 1 && line[0] == '*')
		return SASL_CANCEL;
	/* "=" is an empty initial response, an empty line an empty
	 * continuation (RFC 4954 4) */
	if ((n == 1 && line[0] == '=') || n == 0)
		return SASL_OK;
	got = base64_decode(line, n, out, cap);
	if (got < 0)
		return SASL_BAD_B64;
	*len = (size_t)got;
	return SASL_OK;
}

static enum sasl_result
take(char *dst, size_t max, const unsigned char *p, size_t n, int is_user)
{
	if (n == 0 || n > max || memchr(p, '\0', n))
		return SASL_MALFORMED;
	for (size_t i = 0; is_user && i < n; i++)
		if (p[i] < 0x20 || p[i] == 0x7f)
			return SASL_MALFORMED;
	memcpy(dst, p, n);
	dst[n] = '\0';
	return SASL_OK;
}

enum sasl_result
sasl_plain(const unsigned char *msg, size_t len, struct sasl_creds *c)
{
	const unsigned char *nul1 = memchr(msg, '\0', len), *nul2, *end;
	size_t zlen, ulen;

	if (nul1 == NULL)
		return SASL_MALFORMED;
	end = msg + len;
	nul2 = memchr(nul1 + 1, '\0', (size_t)(end - nul1 - 1));
	if (nul2 == NULL)
		return SASL_MALFORMED;
	zlen = (size_t)(nul1 - msg);
	ulen = (size_t)(nul2 - nul1 - 1);
	if (take(c->user, SASL_USER_MAX, nul1 + 1, ulen, 1) != SASL_OK ||
	    take(c->pass, SASL_PASS_MAX, nul2 + 1, (size_t)(end - nul2 - 1),
	    0) != SASL_OK)
		return SASL_MALFORMED;
	if (zlen > 0 && (zlen != ulen || memcmp(msg, nul1 + 1, ulen) != 0))
		return SASL_AUTHZID;
	return SASL_OK;
}

enum sasl_result
sasl_login_user(const unsigned char *msg, size_t len, struct sasl_creds *c)
{
	return take(c->user, SASL_USER_MAX, msg, len, 1);
}

enum sasl_result
sasl_login_pass(const unsigned char *msg, size_t len, struct sasl_creds *c)
{
	return take(c->pass, SASL_PASS_MAX, msg, len, 0);
}

void
sasl_wipe(void *p, size_t n)
{
	/* a volatile pointer: the compiler may not drop stores it cannot
	 * see the use of */
	volatile unsigned char *v = p;

	while (n--)
		*v++ = 0;
}
