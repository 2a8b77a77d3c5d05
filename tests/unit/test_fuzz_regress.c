/*
 * test_fuzz_regress.c: every input the fuzz harnesses (tests/fuzz/) found
 * failing that a transcript cannot replay, because the session refuses
 * it before the module sees it.  The ones a session can reach are
 * transcripts (tests/transcripts/09x-fuzz-*).
 */
#include <string.h>

#include "core/address.h"
#include "check.h"

static int
parse_n(const char *in, size_t n, unsigned flags, struct path *out)
{
	const char *p = in;

	return address_parse(&p, in + n, flags, out);
}

/* fuzz_address: a NUL inside an address literal hid the junk after it
 * from inet_pton(), and the address was stored with a NUL in it. */
static void
test_literal_nul(void)
{
	static const char in[] = "W@[IPv6:9::\0\xf4\xb4\xb4]";
	struct path a;

	CHECK(parse_n(in, sizeof(in) - 1, ADDR_POSTMASTER_OK, &a) ==
	    ADDR_SYNTAX);
	CHECK(parse_n("W@[IPv6:9::]", 12, 0, &a) == ADDR_OK);
}

/* fuzz_address: "<>" followed by anything but a space or the end. */
static void
test_null_path_junk(void)
{
	struct path a;

	CHECK(parse_n("<>\x82", 3, ADDR_NULL_OK, &a) == ADDR_SYNTAX);
	CHECK(parse_n("<>SIZE=1", 8, ADDR_NULL_OK, &a) == ADDR_SYNTAX);
	CHECK(parse_n("<> SIZE=1", 9, ADDR_NULL_OK, &a) == ADDR_OK);
}

int
main(void)
{
	test_literal_nul();
	test_null_path_junk();
	return check_finish("fuzz regressions");
}
