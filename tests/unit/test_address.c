/* Unit tests of address.c: paths, parameters, UTF-8. */
#include <string.h>

#include "core/address.h"
#include "core/params.h"
#include "lib/utf8.h"
#include "check.h"

static int
parse(const char *in, unsigned flags, struct path *out, const char **rest)
{
	const char *p = in;
	int r = address_parse(&p, in + strlen(in), flags, out);

	if (rest)
		*rest = p;
	return r;
}

static void
test_paths(void)
{
	struct path a;
	const char *rest;

	CHECK(parse("<user@example.test>", 0, &a, &rest) == ADDR_OK);
	CHECK_STR_EQ(a.addr, "user@example.test");
	CHECK(*rest == '\0');
	CHECK(!a.utf8);

	CHECK(parse("<@a.test,@b.test:user@c.test> SIZE=1", 0, &a, &rest) ==
	    ADDR_OK);
	CHECK_STR_EQ(a.addr, "user@c.test"); /* the source route is dropped */
	CHECK_STR_EQ(rest, " SIZE=1");

	CHECK(parse("<>", ADDR_NULL_OK, &a, NULL) == ADDR_OK);
	CHECK_STR_EQ(a.addr, "");
	CHECK(parse("<>", 0, &a, NULL) == ADDR_SYNTAX);

	CHECK(parse("<Postmaster>", ADDR_POSTMASTER_OK, &a, NULL) == ADDR_OK);
	CHECK_STR_EQ(a.addr, "Postmaster");
	CHECK(parse("<Postmaster>", 0, &a, NULL) == ADDR_SYNTAX);
	CHECK(parse("<postmasterx>", ADDR_POSTMASTER_OK, &a, NULL) ==
	    ADDR_SYNTAX);

	CHECK(parse("  user@example.test", 0, &a, &rest) == ADDR_OK);
	CHECK_STR_EQ(a.addr, "user@example.test");

	CHECK(parse("<\"a b\\\"c\"@[IPv6:::1]>", 0, &a, NULL) == ADDR_OK);
	CHECK_STR_EQ(a.addr, "\"a b\\\"c\"@[IPv6:::1]");
	CHECK(parse("<u@[192.0.2.1]>", 0, &a, NULL) == ADDR_OK);
	CHECK(parse("<u@[192.0.2.256]>", 0, &a, NULL) == ADDR_SYNTAX);
	CHECK(parse("<u@[x-tag:data]>", 0, &a, NULL) == ADDR_OK);
	CHECK(parse("<u@[x-tag:]>", 0, &a, NULL) == ADDR_SYNTAX);
	CHECK(parse("<u@[]>", 0, &a, NULL) == ADDR_SYNTAX);

	CHECK(parse("<u@x.test", 0, &a, NULL) == ADDR_SYNTAX);
	CHECK(parse("<u@x.test>x", 0, &a, NULL) == ADDR_SYNTAX);
	CHECK(parse("<u\x01@x.test>", 0, &a, NULL) == ADDR_SYNTAX);
	CHECK(parse("<\"u\r\n\"@x.test>", 0, &a, NULL) == ADDR_SYNTAX);
	CHECK(parse("<u@x..test>", 0, &a, NULL) == ADDR_SYNTAX);
	CHECK(parse("<u@x.test.>", 0, &a, NULL) == ADDR_SYNTAX);
	CHECK(parse("", 0, &a, NULL) == ADDR_SYNTAX);
	CHECK(parse("<", 0, &a, NULL) == ADDR_SYNTAX);
}

static void
test_lengths(void)
{
	char buf[600], local[70], label[70];
	struct path a;

	memset(local, 'l', 64);
	local[64] = '\0';
	snprintf(buf, sizeof(buf), "<%s@x.test>", local);
	CHECK(parse(buf, 0, &a, NULL) == ADDR_OK);
	local[64] = 'l', local[65] = '\0';
	snprintf(buf, sizeof(buf), "<%s@x.test>", local);
	CHECK(parse(buf, 0, &a, NULL) == ADDR_TOO_LONG);

	memset(label, 'd', 63);
	label[63] = '\0';
	snprintf(buf, sizeof(buf), "<u@%s.test>", label);
	CHECK(parse(buf, 0, &a, NULL) == ADDR_OK);
	label[63] = 'd', label[64] = '\0';
	snprintf(buf, sizeof(buf), "<u@%s.test>", label);
	CHECK(parse(buf, 0, &a, NULL) == ADDR_TOO_LONG);

	/* 256 octets of path is the limit, brackets included */
	memset(label, 'd', 60);
	label[60] = '\0';
	snprintf(buf, sizeof(buf), "<%.60s@%s.%s.%s.%.62s>", local, label,
	    label, label, "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd");
	CHECK(strlen(buf) == 60 + 1 + 60 * 3 + 3 + 62 + 2);
	CHECK(parse(buf, 0, &a, NULL) == ADDR_TOO_LONG);
	snprintf(buf, sizeof(buf), "<%.8s@%s.%s.%s.%.62s>", local, label,
	    label, label, "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd");
	CHECK(strlen(buf) == 256);
	CHECK(parse(buf, 0, &a, NULL) == ADDR_OK);
	CHECK(strlen(a.addr) == 254);
}

static void
test_utf8(void)
{
	const unsigned char ok2[] = { 0xc3, 0xa9 }, bad_cont[] = { 0xc3, 0x41 },
			    overlong[] = { 0xc0, 0xaf },
			    surrogate[] = { 0xed, 0xa0, 0x80 },
			    four[] = { 0xf0, 0x9f, 0x98, 0x80 },
			    toobig[] = { 0xf4, 0x90, 0x80, 0x80 };
	struct path a;

	CHECK(utf8_sequence(ok2, ok2 + 2) == 2);
	CHECK(utf8_sequence(ok2, ok2 + 1) == 0); /* cut short */
	CHECK(utf8_sequence(bad_cont, bad_cont + 2) == 0);
	CHECK(utf8_sequence(overlong, overlong + 2) == 0);
	CHECK(utf8_sequence(surrogate, surrogate + 3) == 0);
	CHECK(utf8_sequence(four, four + 4) == 4);
	CHECK(utf8_sequence(toobig, toobig + 4) == 0);

	CHECK(parse("<j\xc3\xb6rg@b\xc3\xbc" "cher.test>", 0, &a, NULL) ==
	    ADDR_OK);
	CHECK(a.utf8);
	CHECK(parse("<j\xc3rg@x.test>", 0, &a, NULL) == ADDR_SYNTAX);
}

static void
test_params(void)
{
	struct mail_params p;
	const char *s;

	s = " SIZE=1000 BODY=8BITMIME SMTPUTF8";
	CHECK(params_parse_mail(s, s + strlen(s), &p) == PARAM_OK);
	CHECK(p.size == 1000);
	CHECK(p.body == BODY_8BITMIME);
	CHECK(p.smtputf8);
	s = " size=5 body=7bit";
	CHECK(params_parse_mail(s, s + strlen(s), &p) == PARAM_OK);
	CHECK(p.size == 5 && p.body == BODY_7BIT && !p.smtputf8);
	s = "";
	CHECK(params_parse_mail(s, s, &p) == PARAM_OK);
	CHECK(p.size == 0 && p.body == BODY_UNSPECIFIED);
	/* RFC 1870: up to 20 digits; past 64 bits it saturates (552 later) */
	s = " SIZE=99999999999999999999";
	CHECK(params_parse_mail(s, s + strlen(s), &p) == PARAM_OK);
	CHECK(p.size == UINT64_MAX);
	s = " SIZE=18446744073709551615";
	CHECK(params_parse_mail(s, s + strlen(s), &p) == PARAM_OK);
	CHECK(p.size == UINT64_MAX);
	s = " SIZE=18446744073709551614";
	CHECK(params_parse_mail(s, s + strlen(s), &p) == PARAM_OK);
	CHECK(p.size == UINT64_MAX - 1);
	s = " SIZE=100000000000000000000";
	CHECK(params_parse_mail(s, s + strlen(s), &p) == PARAM_SYNTAX);
	s = " SIZE=-1";
	CHECK(params_parse_mail(s, s + strlen(s), &p) == PARAM_SYNTAX);
	s = " SIZE";
	CHECK(params_parse_mail(s, s + strlen(s), &p) == PARAM_SYNTAX);
	s = " BODY=BINARYMIME";
	CHECK(params_parse_mail(s, s + strlen(s), &p) == PARAM_OK);
	CHECK(p.body == BODY_BINARYMIME);
	s = " BODY=binarymime BODY=8BITMIME";
	CHECK(params_parse_mail(s, s + strlen(s), &p) == PARAM_BODY_CONFLICT);
	/* RFC 4954 5: AUTH=<> or xtext (RFC 3461); the session refuses it
	 * with 555 where AUTH is not offered */
	s = " AUTH=<>";
	CHECK(params_parse_mail(s, s + strlen(s), &p) == PARAM_OK);
	CHECK(p.auth);
	s = " SIZE=5 AUTH=user+40example.test";
	CHECK(params_parse_mail(s, s + strlen(s), &p) == PARAM_OK);
	CHECK(p.auth && p.size == 5);
	s = " AUTH=user+4";
	CHECK(params_parse_mail(s, s + strlen(s), &p) == PARAM_SYNTAX);
	s = " AUTH=user+4g";
	CHECK(params_parse_mail(s, s + strlen(s), &p) == PARAM_SYNTAX);
	s = " AUTH=a=b";
	CHECK(params_parse_mail(s, s + strlen(s), &p) == PARAM_SYNTAX);
	s = " AUTH=";
	CHECK(params_parse_mail(s, s + strlen(s), &p) == PARAM_SYNTAX);
	s = " AUTH";
	CHECK(params_parse_mail(s, s + strlen(s), &p) == PARAM_SYNTAX);
	s = " AUTH=\x01";
	CHECK(params_parse_mail(s, s + strlen(s), &p) == PARAM_SYNTAX);
	/* a repeat that says the same thing is taken (smtplib sends
	 * "SMTPUTF8 SMTPUTF8"); a contradiction is not */
	s = " SMTPUTF8 SMTPUTF8";
	CHECK(params_parse_mail(s, s + strlen(s), &p) == PARAM_OK);
	CHECK(p.smtputf8);
	s = " size=1528 SMTPUTF8 SMTPUTF8 BODY=8BITMIME";
	CHECK(params_parse_mail(s, s + strlen(s), &p) == PARAM_OK);
	CHECK(p.size == 1528 && p.body == BODY_8BITMIME && p.smtputf8);
	s = " SIZE=10 SIZE=10";
	CHECK(params_parse_mail(s, s + strlen(s), &p) == PARAM_OK);
	CHECK(p.size == 10);
	s = " SIZE=10 size=010";
	CHECK(params_parse_mail(s, s + strlen(s), &p) == PARAM_OK);
	CHECK(p.size == 10);
	s = " SIZE=0 SIZE=0";
	CHECK(params_parse_mail(s, s + strlen(s), &p) == PARAM_OK);
	s = " BODY=8BITMIME BODY=8bitmime";
	CHECK(params_parse_mail(s, s + strlen(s), &p) == PARAM_OK);
	CHECK(p.body == BODY_8BITMIME);
	s = " SIZE=10 SIZE=11";
	CHECK(params_parse_mail(s, s + strlen(s), &p) == PARAM_SIZE_CONFLICT);
	s = " SIZE=0 SIZE=10";
	CHECK(params_parse_mail(s, s + strlen(s), &p) == PARAM_SIZE_CONFLICT);
	s = " BODY=7BIT BODY=8BITMIME";
	CHECK(params_parse_mail(s, s + strlen(s), &p) == PARAM_BODY_CONFLICT);
	s = " SIZE=10 SIZE=x";
	CHECK(params_parse_mail(s, s + strlen(s), &p) == PARAM_SYNTAX);
	s = " SIZE=10 SIZE";
	CHECK(params_parse_mail(s, s + strlen(s), &p) == PARAM_SYNTAX);
	s = " BODY=7BIT BODY=8BIT";
	CHECK(params_parse_mail(s, s + strlen(s), &p) == PARAM_SYNTAX);
	s = " SMTPUTF8 SMTPUTF8=x";
	CHECK(params_parse_mail(s, s + strlen(s), &p) == PARAM_SYNTAX);
	s = " NOTIFY=NEVER";
	CHECK(params_parse_rcpt(s, s + strlen(s)) == PARAM_UNKNOWN);
	s = "   ";
	CHECK(params_parse_rcpt(s, s + strlen(s)) == PARAM_OK);
}

int
main(void)
{
	test_paths();
	test_lengths();
	test_utf8();
	test_params();
	return check_finish("address");
}
