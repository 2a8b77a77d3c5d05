/*
 * fuzz_address.c: RFC 5321 paths and ESMTP parameters (src/core/address.c),
 * and the log escaping of client text (src/lib/escape.c).
 *
 * Input: byte 0 chooses the function (bits 2-3) and the flags (bits 0-1;
 * for escape_value, the capacity), the rest is the argument, in a buffer
 * of exactly its size so that ASan sees any read past the end.
 *
 * Invariants: an accepted address holds no control character, is valid
 * UTF-8, is marked utf8 when it is not ASCII, fits ADDR_BUF, is empty only
 * when "<>" was allowed, lacks a domain only when it is <Postmaster>, is
 * followed by a space or the end, and parses again, in brackets, to
 * itself; MAIL parameters parse again to the same values when each is
 * given twice, and conflict only when SIZE= or BODY= is there twice;
 * escape_value() writes one log value: within its capacity, no
 * control character, no space outside quotes, valid UTF-8.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "core/address.h"
#include "core/params.h"
#include "lib/utf8.h"
#include "lib/escape.h"
#include "fuzz.h"

static bool
valid_utf8(const unsigned char *p, size_t n)
{
	const unsigned char *end = p + n;

	while (p < end) {
		size_t k = utf8_sequence(p, end);
		if (k == 0)
			return false;
		p += k;
	}
	return true;
}

static void
check_address(const char *in, size_t n, unsigned flags)
{
	const char *sp = in, *end = in + n;
	struct path out, again;
	enum addr_result r;
	size_t len;
	bool ascii = true;
	char buf[ADDR_BUF + 2];

	memset(&out, 0xa5, sizeof(out)); /* nothing may be read unset */
	r = address_parse(&sp, end, flags, &out);
	REQUIRE(r == ADDR_OK || r == ADDR_SYNTAX || r == ADDR_TOO_LONG);
	if (r != ADDR_OK)
		return;
	REQUIRE(sp >= in && sp <= end);
	REQUIRE(sp == end || *sp == ' ');
	len = strnlen(out.addr, sizeof(out.addr));
	REQUIRE(len <= ADDR_PATH_MAX - 2);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)out.addr[i];
		REQUIRE(c >= 0x20 && c != 0x7f);
		if (c >= 0x80)
			ascii = false;
	}
	REQUIRE(valid_utf8((const unsigned char *)out.addr, len));
	REQUIRE(ascii || out.utf8);
	if (len == 0)
		REQUIRE(flags & ADDR_NULL_OK);
	else if (memchr(out.addr, '@', len) == NULL)
		REQUIRE((flags & ADDR_POSTMASTER_OK) &&
		    strcasecmp(out.addr, "postmaster") == 0);

	/* what we store, we would accept again as it is */
	buf[0] = '<';
	memcpy(buf + 1, out.addr, len);
	buf[len + 1] = '>';
	sp = buf;
	REQUIRE(address_parse(&sp, buf + len + 2, flags, &again) == ADDR_OK);
	REQUIRE(sp == buf + len + 2);
	REQUIRE(strcmp(again.addr, out.addr) == 0);
	REQUIRE(ascii || again.utf8);
}

/* How many words of in[0, n) start with the keyword key (with its '='). */
static size_t
count_key(const char *in, size_t n, const char *key)
{
	size_t k = strlen(key), count = 0;

	for (size_t i = 0; i + k <= n; i++)
		if ((i == 0 || in[i - 1] == ' ') &&
		    strncasecmp(in + i, key, k) == 0)
			count++;
	return count;
}

/* Every parameter given once more, saying the same, changes nothing. */
static void
check_repeat(const char *in, size_t n, const struct mail_params *p)
{
	char *twice = malloc(2 * n + 1);
	struct mail_params q;

	memcpy(twice, in, n);
	twice[n] = ' ';
	memcpy(twice + n + 1, in, n);
	memset(&q, 0x5a, sizeof(q));
	REQUIRE(params_parse_mail(twice, twice + 2 * n + 1, &q) == PARAM_OK);
	REQUIRE(q.size == p->size && q.body == p->body &&
	    q.smtputf8 == p->smtputf8);
	free(twice);
}

static void
check_params(const char *in, size_t n)
{
	struct mail_params p;
	enum param_result r;

	memset(&p, 0xa5, sizeof(p));
	r = params_parse_mail(in, in + n, &p);
	REQUIRE(r == PARAM_OK || r == PARAM_SYNTAX || r == PARAM_UNKNOWN ||
	    r == PARAM_SIZE_CONFLICT || r == PARAM_BODY_CONFLICT);
	/* a conflict needs the keyword twice */
	if (r == PARAM_SIZE_CONFLICT)
		REQUIRE(count_key(in, n, "SIZE=") >= 2);
	if (r == PARAM_BODY_CONFLICT)
		REQUIRE(count_key(in, n, "BODY=") >= 2);
	if (r == PARAM_OK) {
		REQUIRE(p.body == BODY_UNSPECIFIED || p.body == BODY_7BIT ||
		    p.body == BODY_8BITMIME);
		check_repeat(in, n, &p);
	}
	r = params_parse_rcpt(in, in + n);
	REQUIRE(r == PARAM_OK || r == PARAM_SYNTAX || r == PARAM_UNKNOWN);
	/* nothing but spaces is no parameter at all */
	if (r == PARAM_OK)
		for (size_t i = 0; i < n; i++)
			REQUIRE(in[i] == ' ');
}

static void
check_escape(const char *in, size_t n, size_t cap)
{
	char *dst = malloc(cap);
	size_t len = escape_value(dst, cap, in, n);
	bool quoted;

	REQUIRE(len < cap);
	REQUIRE(dst[len] == '\0');
	REQUIRE(strlen(dst) == len);
	quoted = len > 0 && dst[0] == '"';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)dst[i];
		REQUIRE(c >= 0x20 && c != 0x7f);
		REQUIRE(quoted || (c != ' ' && c != '"'));
	}
	REQUIRE(valid_utf8((const unsigned char *)dst, len));
	/* plain text is shown as it is when there is room */
	if (!quoted && cap > n)
		REQUIRE(len == n && memcmp(dst, in, n) == 0);
	free(dst);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n;
	char *in;

	if (size < 1)
		return 0;
	n = size - 1;
	in = malloc(n ? n : 1);
	memcpy(in, data + 1, n);
	switch ((data[0] >> 2) & 3) {
	case 0:
	case 1:
		check_address(in, n, data[0] & 3);
		break;
	case 2:
		check_params(in, n);
		break;
	case 3:
		check_escape(in, n, 1 + (data[0] >> 4) * 17);
		if (n > 0) /* its callers never pass an empty range */
			REQUIRE(utf8_sequence((const unsigned char *)in,
			    (const unsigned char *)in + n) <= n);
		break;
	}
	free(in);
	return 0;
}
