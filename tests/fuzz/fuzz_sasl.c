/*
 * fuzz_sasl.c: AUTH's decoders (src/lib/base64.c, src/core/sasl.c).
 *
 * Input: byte 0 picks the decoder (0 a client response and PLAIN, 1 a
 * response and LOGIN's user name, 2 LOGIN's password, 3 PLAIN on raw
 * octets); the rest is the response line or the message.
 *
 * Invariants: strict base64 has one spelling, so a text that decodes
 * encodes back to itself, octet for octet; a decode never writes past
 * its room; PLAIN accepts only two NULs, a non-empty user without
 * control octets, a non-empty password, and an authorization identity
 * that is empty or the user's own; what it returns are C strings that
 * fit their buffers and match the message.
 */
#include <string.h>

#include "core/sasl.h"
#include "fuzz.h"
#include "lib/base64.h"

static size_t
encode(const unsigned char *in, size_t n, char *out)
{
	static const char abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		unsigned long v = (unsigned long)in[i] << 16 |
		    (i + 1 < n ? (unsigned long)in[i + 1] << 8 : 0) |
		    (i + 2 < n ? in[i + 2] : 0);
		out[o++] = abc[v >> 18 & 63];
		out[o++] = abc[v >> 12 & 63];
		out[o++] = i + 1 < n ? abc[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? abc[v & 63] : '=';
	}
	return o;
}

static void
check_plain(const unsigned char *m, size_t n, enum sasl_result r,
    const struct sasl_creds *c)
{
	const unsigned char *z = memchr(m, 0, n);

	if (r != SASL_OK && r != SASL_AUTHZID)
		return;
	REQUIRE(z != NULL);
	size_t zlen = (size_t)(z - m), ulen = strlen(c->user);
	REQUIRE(ulen > 0 && ulen <= SASL_USER_MAX);
	REQUIRE(strlen(c->pass) > 0 && strlen(c->pass) <= SASL_PASS_MAX);
	REQUIRE(memcmp(z + 1, c->user, ulen) == 0 && z[1 + ulen] == 0);
	REQUIRE(zlen + 1 + ulen + 1 + strlen(c->pass) == n);
	for (size_t i = 0; i < ulen; i++)
		REQUIRE((unsigned char)c->user[i] >= 0x20 &&
		    c->user[i] != 0x7f);
	if (r == SASL_OK)
		REQUIRE(zlen == 0 || (zlen == ulen && memcmp(m, c->user,
		    ulen) == 0));
	else
		REQUIRE(zlen > 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char msg[BASE64_DECODED_MAX(SASL_LINE_MAX)];
	static char again[SASL_LINE_MAX + 4];
	static struct sasl_creds c;
	const char *line = (const char *)data + 1;
	size_t n = size ? size - 1 : 0, len = 0;
	enum sasl_result r;

	if (size < 1 || n > SASL_LINE_MAX)
		return 0;
	if ((data[0] & 3) == 3) {
		r = sasl_plain((const unsigned char *)line, n, &c);
		check_plain((const unsigned char *)line, n, r, &c);
		return 0;
	}
	r = sasl_response(line, n, msg, sizeof(msg), &len);
	REQUIRE(len <= sizeof(msg));
	if (r == SASL_OK && !(n == 1 && line[0] == '=')) {
		/* canonical: the same text, and nothing else, decodes so */
		REQUIRE(encode(msg, len, again) == n);
		REQUIRE(memcmp(again, line, n) == 0);
	}
	if (r != SASL_OK)
		return 0;
	switch (data[0] & 3) {
	case 0:
		check_plain(msg, len, sasl_plain(msg, len, &c), &c);
		break;
	case 1:
		if (sasl_login_user(msg, len, &c) == SASL_OK)
			REQUIRE(strlen(c.user) == len && len <= SASL_USER_MAX);
		break;
	default:
		if (sasl_login_pass(msg, len, &c) == SASL_OK)
			REQUIRE(strlen(c.pass) == len && len <= SASL_PASS_MAX);
		break;
	}
	return 0;
}
