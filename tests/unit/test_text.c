/* Unit tests of the text modules: escape.c, header.c. */
#include <string.h>

#include "check.h"
#include "lib/escape.h"
#include "core/header.h"

static void
test_escape(void)
{
	char out[64];

	escape_value(out, sizeof(out), "plain@x.test", 12);
	CHECK_STR_EQ(out, "plain@x.test");
	escape_value(out, sizeof(out), "two words", 9);
	CHECK_STR_EQ(out, "\"two words\"");
	escape_value(out, sizeof(out), "a\"b\\c", 5);
	CHECK_STR_EQ(out, "\"a\\\"b\\\\c\"");
	escape_value(out, sizeof(out), "nl\n\0x", 5);
	CHECK_STR_EQ(out, "\"nl\\x0a\\x00x\"");
	escape_value(out, sizeof(out), "k=v", 3);
	CHECK_STR_EQ(out, "\"k=v\"");
	escape_value(out, sizeof(out), "", 0);
	CHECK_STR_EQ(out, "\"\"");
	escape_value(out, sizeof(out), "\xc3\xa9\xff", 3);
	CHECK_STR_EQ(out, "\"\xc3\xa9\\xff\"");
	escape_value(out, 8, "a long value here", 17);
	CHECK(strlen(out) < 8);
}

struct collect {
	char buf[4096];
	size_t len;
};

static int
collect(void *ctx, const char *p, size_t n)
{
	struct collect *c = ctx;

	if (c->len + n < sizeof(c->buf)) {
		memcpy(c->buf + c->len, p, n);
		c->len += n;
		c->buf[c->len] = '\0';
	}
	return 0;
}

static void
test_header(void)
{
	struct path rcpt[2] = { { "b@y.test", false }, { "c@y.test", false } };
	struct envelope env = {
		.session_id = "S", .client_addr = "192.0.2.1",
		.helo = "evil\r\nX-Injected: yes", .hostname = "sink.test",
		.esmtp = true, .id = "S.1", .nrcpt = 1, .rcpt = rcpt,
	};
	struct collect c = { .len = 0 };

	strcpy(env.sender.addr, "a@x.test");
	CHECK(header_write(&env, "Sat, 28 Nov 2026 18:00:00 +0000", collect,
	    &c) == 0);
	CHECK_STR_EQ(c.buf,
	    "Return-Path: <a@x.test>\n"
	    "X-Original-To: b@y.test\n"
	    "Received: from [192.0.2.1] ([192.0.2.1] helo=\"evil??X-Injected: yes\")\n"
	    "\tby sink.test (smtp-sink) with ESMTP id S.1\n"
	    "\tfor <b@y.test>; Sat, 28 Nov 2026 18:00:00 +0000\n");

	c.len = 0;
	env.nrcpt = 2;
	env.client_addr = "2001:db8::1";
	env.helo = "c.test";
	env.params.smtputf8 = true;
	CHECK(header_write(&env, "D", collect, &c) == 0);
	CHECK_STR_EQ(c.buf,
	    "Return-Path: <a@x.test>\n"
	    "X-Original-To: b@y.test\n"
	    "X-Original-To: c@y.test\n"
	    "Received: from c.test ([IPv6:2001:db8::1])\n"
	    "\tby sink.test (smtp-sink) with UTF8SMTP id S.1;\n"
	    "\tD\n");
	env.params.smtputf8 = false;
	env.esmtp = false;
	CHECK_STR_EQ(header_protocol(&env), "SMTP");

	/* a HELO that forges a Received "from" clause stays in the comment */
	c.len = 0;
	env.nrcpt = 1;
	env.client_addr = "192.0.2.1";
	env.helo = "mail.google.com ([142.250.1.1]) by mx.google.com with "
	    "ESMTPS id abc; Mon, 1 Jan 2024";
	CHECK(header_write(&env, "D", collect, &c) == 0);
	CHECK_STR_EQ(c.buf,
	    "Return-Path: <a@x.test>\n"
	    "X-Original-To: b@y.test\n"
	    "Received: from [192.0.2.1] ([192.0.2.1] helo=\"mail.google.com "
	    "\\([142.250.1.1]\\) by mx.google.com with ESMTPS id abc\\; "
	    "Mon, 1 Jan 2024\")\n"
	    "\tby sink.test (smtp-sink) with SMTP id S.1\n"
	    "\tfor <b@y.test>; D\n");
	/* a name with a bidi override is no domain either; a local session
	 * without an address says "unknown" */
	c.len = 0;
	env.client_addr = "local";
	env.helo = "ab\xe2\x80\xae" "c.test";
	CHECK(header_write(&env, "D", collect, &c) == 0);
	CHECK(strstr(c.buf, "Received: from unknown (local helo=\"ab?c.test\")\n")
	    != NULL);
	/* domains, UTF-8 ones and address literals are named as they are */
	CHECK(address_is_domain("mx.example.test", 15));
	CHECK(address_is_domain("m\xc3\xbc" "ller.test", 12));
	CHECK(address_is_domain("[192.0.2.1]", 11));
	CHECK(address_is_domain("[IPv6:2001:db8::1]", 18));
	CHECK(!address_is_domain("a b", 3));
	CHECK(!address_is_domain("a..b", 4));
	CHECK(!address_is_domain("-a.test", 7));
	CHECK(!address_is_domain("[1.2.3.4", 8));
}

int
main(void)
{
	test_escape();
	test_header();
	return check_finish("text");
}
