/* Unit tests of AUTH and STARTTLS: base64.c, sasl.c, and the session's
 * handling of both (auth.c, starttls.c, header.c's protocol words). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fake.h"
#include "core/header.h"
#include "core/sasl.h"
#include "lib/base64.h"

static long
dec(const char *s, unsigned char *out)
{
	return base64_decode(s, strlen(s), out, 64);
}

static void
test_base64(void)
{
	unsigned char out[64];

	CHECK(dec("", out) == 0);
	CHECK(dec("YQ==", out) == 1 && out[0] == 'a');
	CHECK(dec("YWI=", out) == 2 && memcmp(out, "ab", 2) == 0);
	CHECK(dec("YWJj", out) == 3 && memcmp(out, "abc", 3) == 0);
	CHECK(dec("AGFsaWNlAHNlY3JldA==", out) == 13 &&
	    memcmp(out, "\0alice\0secret", 13) == 0);
	CHECK(dec("+/+/", out) == 3 && out[0] == 0xfb && out[1] == 0xff);
	/* strict: each of these has a lenient reading somewhere */
	CHECK(dec("YQ", out) < 0);      /* no padding */
	CHECK(dec("YQ=", out) < 0);     /* short padding */
	CHECK(dec("YR==", out) < 0);    /* padding bits not zero */
	CHECK(dec("YWJ=", out) < 0);    /* the same, one pad */
	CHECK(dec("Y===", out) < 0);    /* three pads */
	CHECK(dec("YQ==YQ==", out) < 0); /* padding inside */
	CHECK(dec("Y=Q=", out) < 0);
	CHECK(dec("YW=j", out) < 0);
	CHECK(dec("YW J", out) < 0);    /* white space */
	CHECK(dec("YWJj\n", out) < 0);
	CHECK(dec("YW-j", out) < 0);    /* the URL alphabet */
	CHECK(dec("YW_j", out) < 0);
	CHECK(base64_decode("YWJj", 4, out, 2) < 0); /* no room */
}

static void
test_plain(void)
{
	struct sasl_creds c;

	CHECK(sasl_plain((const unsigned char *)"\0alice\0secret", 13, &c) ==
	    SASL_OK);
	CHECK_STR_EQ(c.user, "alice");
	CHECK_STR_EQ(c.pass, "secret");
	CHECK(sasl_plain((const unsigned char *)"alice\0alice\0pw", 14, &c) ==
	    SASL_OK);
	CHECK(sasl_plain((const unsigned char *)"bob\0alice\0pw", 12, &c) ==
	    SASL_AUTHZID);
	CHECK(sasl_plain((const unsigned char *)"alicex\0alice\0pw", 15, &c) ==
	    SASL_AUTHZID);
	CHECK(sasl_plain((const unsigned char *)"\0alice\0", 7, &c) ==
	    SASL_MALFORMED); /* no password */
	CHECK(sasl_plain((const unsigned char *)"\0\0pw", 4, &c) ==
	    SASL_MALFORMED); /* no user */
	CHECK(sasl_plain((const unsigned char *)"alice\0pw", 8, &c) ==
	    SASL_MALFORMED); /* one NUL */
	CHECK(sasl_plain((const unsigned char *)"\0a\0b\0c", 6, &c) ==
	    SASL_MALFORMED); /* three */
	CHECK(sasl_plain((const unsigned char *)"\0a\nb\0c", 6, &c) ==
	    SASL_MALFORMED); /* a control in the user name */
	CHECK(sasl_plain((const unsigned char *)"", 0, &c) == SASL_MALFORMED);
}

static void
test_response(void)
{
	unsigned char out[64];
	size_t n = 99;

	CHECK(sasl_response("*", 1, out, sizeof(out), &n) == SASL_CANCEL);
	CHECK(sasl_response("=", 1, out, sizeof(out), &n) == SASL_OK && n == 0);
	n = 99;
	CHECK(sasl_response("", 0, out, sizeof(out), &n) == SASL_OK && n == 0);
	CHECK(sasl_response("YWJj", 4, out, sizeof(out), &n) == SASL_OK &&
	    n == 3);
	CHECK(sasl_response("**", 2, out, sizeof(out), &n) == SASL_BAD_B64);
}

static void
test_login(void)
{
	struct sasl_creds c;

	CHECK(sasl_login_user((const unsigned char *)"alice", 5, &c) == SASL_OK);
	CHECK(sasl_login_pass((const unsigned char *)"pw", 2, &c) == SASL_OK);
	CHECK_STR_EQ(c.user, "alice");
	CHECK_STR_EQ(c.pass, "pw");
	CHECK(sasl_login_user((const unsigned char *)"a\0b", 3, &c) ==
	    SASL_MALFORMED);
	CHECK(sasl_login_pass((const unsigned char *)"", 0, &c) ==
	    SASL_MALFORMED);
	char big[SASL_USER_MAX + 2];
	memset(big, 'u', sizeof(big));
	CHECK(sasl_login_user((const unsigned char *)big, sizeof(big), &c) ==
	    SASL_MALFORMED);
}

/* ---- the session ------------------------------------------------------- */

static struct session s;
static struct fake f;
static struct record rec;
static struct path rcpt[4];
static struct session_config cfg;

static void
start(enum tls_offer tls, bool clear)
{
	record_free(&rec);
	memset(&f, 0, sizeof(f));
	f.s = &s;
	f.rec = &rec;
	cfg = (struct session_config){
		.hostname = "sink.test", .session_id = "T",
		.client_addr = "192.0.2.7", .max_recipients = 4,
		.rcpt_table = rcpt, .max_errors = 10,
		.extensions = EXT_DEFAULT, .delivery = &fake_ops,
		.delivery_ctx = &f, .event = fake_event, .event_ctx = &f,
		.auth = &fake_auth_ops, .auth_ctx = &f, .auth_clear = clear,
		.tls = tls,
	};
	session_init(&s, &cfg);
	session_output_done(&s, s.out.len);
}

/* Feeds text without the fake's automatic handshake: what the session
 * took, and its replies in out. */
static size_t
feed(const char *text, char *out, size_t cap)
{
	size_t used = session_feed(&s, text, strlen(text)), len;
	const char *o = session_output(&s, &len);

	snprintf(out, cap, "%.*s", (int)len, o);
	session_output_done(&s, len);
	return used;
}

/* STARTTLS\r\nNOOP\r\n in one piece: the core stops after STARTTLS and
 * takes nothing more until the handshake, so the NOOP the client sent in
 * clear is the edge's to throw away, never a command. */
static void
test_starttls_injection(void)
{
	char out[2048];
	const char *both = "STARTTLS\r\nNOOP\r\n";

	start(TLS_READY, false);
	feed("EHLO c.test\r\n", out, sizeof(out));
	CHECK(strstr(out, "250-STARTTLS\r\n") != NULL);
	CHECK(strstr(out, "AUTH") == NULL); /* not in clear, not loopback */
	CHECK(feed(both, out, sizeof(out)) == 10);
	CHECK_STR_EQ(out, "220 2.0.0 Ready to start TLS\r\n");
	CHECK(session_tls_pending(&s));
	CHECK(feed(both + 10, out, sizeof(out)) == 0);
	CHECK_STR_EQ(out, "");
	session_tls_started(&s, "TLSv1.3 with cipher X");
	CHECK(!session_tls_pending(&s));
	feed("MAIL FROM:<a@x.test>\r\n", out, sizeof(out));
	CHECK(strncmp(out, "503 ", 4) == 0); /* HELO was forgotten */
	feed("EHLO c.test\r\n", out, sizeof(out));
	CHECK(strstr(out, "STARTTLS") == NULL);
	CHECK(strstr(out, "250-AUTH PLAIN LOGIN\r\n") != NULL);
	feed("STARTTLS\r\n", out, sizeof(out));
	CHECK(strncmp(out, "554 5.5.1", 9) == 0);
	feed("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n", out, sizeof(out));
	CHECK_STR_EQ(out, "235 2.7.0 Authentication successful\r\n");
	CHECK_STR_EQ(s.env.auth_user, "alice");
	CHECK_STR_EQ(s.env.tls, "TLSv1.3 with cipher X");
	CHECK_STR_EQ(header_protocol(&s.env), "ESMTPSA");
	/* the password never reached the record of events */
	CHECK(rec.len > 0 && memmem(rec.p, rec.len, "AGFsaWNl", 8) == NULL);
	CHECK(memmem(rec.p, rec.len, "secret", 6) == NULL);
	CHECK(memmem(&s.creds, sizeof(s.creds), "secret", 6) == NULL);
}

static void
test_tls_failed(void)
{
	char out[256];

	start(TLS_READY, false);
	feed("EHLO c.test\r\nSTARTTLS\r\n", out, sizeof(out));
	feed("STARTTLS\r\n", out, sizeof(out)); /* still pending */
	session_tls_failed(&s, "handshake failed");
	CHECK(session_closed(&s));
	CHECK(!session_tls_pending(&s));
}

/* The protocol words of RFC 3848 and RFC 6531. */
static void
test_protocol(void)
{
	struct envelope env = { .esmtp = true };

	CHECK_STR_EQ(header_protocol(&env), "ESMTP");
	env.tls = "x";
	CHECK_STR_EQ(header_protocol(&env), "ESMTPS");
	env.auth_user = "u";
	CHECK_STR_EQ(header_protocol(&env), "ESMTPSA");
	env.tls = NULL;
	CHECK_STR_EQ(header_protocol(&env), "ESMTPA");
	env.params.smtputf8 = true;
	CHECK_STR_EQ(header_protocol(&env), "UTF8SMTPA");
	env.lmtp = true;
	env.tls = "x";
	CHECK_STR_EQ(header_protocol(&env), "UTF8LMTPSA");
	env = (struct envelope){ .esmtp = false };
	CHECK_STR_EQ(header_protocol(&env), "SMTP");
}

/* A verbose log never shows an initial response or a continuation. */
static void
test_masking(void)
{
	char out[512];

	start(TLS_NONE, true);
	f.record_events = true;
	feed("EHLO c.test\r\nAUTH LOGIN YWxpY2U=\r\nc2VjcmV0\r\n", out,
	    sizeof(out));
	CHECK(strstr(out, "235 2.7.0") != NULL ||
	    memmem(rec.p, rec.len, "235 2.7.0", 9) != NULL);
	CHECK(memmem(rec.p, rec.len, "AUTH LOGIN *** |", 16) != NULL);
	CHECK(memmem(rec.p, rec.len, "YWxpY2U", 7) == NULL);
	CHECK(memmem(rec.p, rec.len, "c2VjcmV0", 8) == NULL);
	CHECK(session_secret(&s) == false);
}

int
main(void)
{
	test_base64();
	test_plain();
	test_response();
	test_login();
	test_starttls_injection();
	test_tls_failed();
	test_protocol();
	test_masking();
	record_free(&rec);
	return check_finish("sasl");
}
