/*
 * test_mime.c: unit tests of src/watch/mime.c, the pure half of smtp-watch.
 * The last group feeds pseudo-random bytes to every function and checks
 * the output invariants (run it under ASan and UBSan).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "watch/mime.h"

/* ---- helpers -------------------------------------------------------- */

struct sink {
	char buf[65536];
	size_t len;
	bool overflow;
};

static void
sink_emit(void *ctx, const char *p, size_t n)
{
	struct sink *s = ctx;

	if (n > sizeof(s->buf) - s->len) {
		s->overflow = true;
		return;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

static const char *
decode(const char *in)
{
	static char out[1024];

	mime_decode_words(out, sizeof(out), in, strlen(in));
	return out;
}

static const char *
json(const char *in, size_t len)
{
	static struct sink s;

	s.len = 0;
	mime_json_escape(in, len, sink_emit, &s);
	s.buf[s.len] = '\0';
	return s.buf;
}

static size_t mbox_len; /* length of what mboxrd_whole() returned */

static const char *
mboxrd_whole(const char *in, size_t len, size_t chunk)
{
	static struct sink s;
	struct mime_mboxrd q;

	s.len = 0;
	mime_mboxrd_init(&q);
	for (size_t i = 0; i < len; i += chunk)
		mime_mboxrd_feed(&q, in + i, len - i < chunk ? len - i : chunk,
		    sink_emit, &s);
	mime_mboxrd_finish(&q, sink_emit, &s);
	s.buf[s.len] = '\0';
	mbox_len = s.len;
	return s.buf;
}

/* ---- RFC 2047 ------------------------------------------------------- */

static void
test_decode_words(void)
{
	CHECK_STR_EQ(decode("plain text"), "plain text");
	CHECK_STR_EQ(decode("=?UTF-8?B?SGVsbG8gV29ybGQ=?="), "Hello World");
	CHECK_STR_EQ(decode("=?utf-8?b?SGk?="), "Hi"); /* no padding */
	CHECK_STR_EQ(decode("=?utf-8?q?hello_world?="), "hello world");
	CHECK_STR_EQ(decode("=?iso-8859-1?q?caf=E9_cr=E8me?="),
	    "caf\xc3\xa9 cr\xc3\xa8me");
	CHECK_STR_EQ(decode("=?ISO-8859-1?B?Y2Fm6Q==?="), "caf\xc3\xa9");
	CHECK_STR_EQ(decode("=?us-ascii?Q?a=5Fb_c?="), "a_b c");
	CHECK_STR_EQ(decode("=?windows-1252?q?=80_=93x=94?="),
	    "\xe2\x82\xac \xe2\x80\x9cx\xe2\x80\x9d");
	CHECK_STR_EQ(decode("=?ISO-8859-15?Q?=A4?="), "\xe2\x82\xac");
	CHECK_STR_EQ(decode("=?utf-8*en?q?hi?="), "hi");
	CHECK_STR_EQ(decode("=?utf-8?q?" "?="), "");

	/* a subject split over several encoded words */
	CHECK_STR_EQ(decode("=?UTF-8?B?R3LDvMOfZSBhdXMg?= =?UTF-8?B?QmVybGlu?="),
	    "Gr\xc3\xbc\xc3\x9f" "e aus Berlin");
	CHECK_STR_EQ(decode("=?utf-8?q?a?=  \t =?utf-8?q?b?=\t=?utf-8?q?c?="),
	    "abc");
	/* one character split between two words */
	CHECK_STR_EQ(decode("=?UTF-8?Q?=E2=82?= =?UTF-8?Q?=AC?="),
	    "\xe2\x82\xac");
	/* white space next to plain text stays */
	CHECK_STR_EQ(decode("Re: =?utf-8?q?Gr=C3=BC=C3=9Fe?= aus Berlin"),
	    "Re: Gr\xc3\xbc\xc3\x9f" "e aus Berlin");
	CHECK_STR_EQ(decode("=?utf-8?q?a?= x =?utf-8?q?b?="), "a x b");
	CHECK_STR_EQ(decode("x=?utf-8?q?a?=y"), "xay");

	/* invalid words are shown raw */
	CHECK_STR_EQ(decode("=?utf-8?x?abc?="), "=?utf-8?x?abc?=");
	CHECK_STR_EQ(decode("=?klingon?q?abc?="), "=?klingon?q?abc?=");
	CHECK_STR_EQ(decode("=?utf-8?b?!!!!?="), "=?utf-8?b?!!!!?=");
	CHECK_STR_EQ(decode("=?utf-8?b?QUJD=RA==?="), "=?utf-8?b?QUJD=RA==?=");
	CHECK_STR_EQ(decode("=?utf-8?b?QUJDR?="), "=?utf-8?b?QUJDR?=");
	CHECK_STR_EQ(decode("=?utf-8?q?a=ZZ?="), "=?utf-8?q?a=ZZ?=");
	CHECK_STR_EQ(decode("=?utf-8?q?a=4?="), "=?utf-8?q?a=4?=");
	CHECK_STR_EQ(decode("=?utf-8?q?abc"), "=?utf-8?q?abc");
	CHECK_STR_EQ(decode("=?utf-8?q?a b?="), "=?utf-8?q?a b?=");
	CHECK_STR_EQ(decode("=??q?a?="), "=??q?a?=");
	CHECK_STR_EQ(decode("=?"), "=?");
	CHECK_STR_EQ(decode("=?bad?q?x?= =?utf-8?q?y?="), "=?bad?q?x?= y");
	/* the white space before an invalid word comes back */
	CHECK_STR_EQ(decode("=?utf-8?q?a?= \t=?utf-8?q?=Z?="),
	    "a \t=?utf-8?q?=Z?=");
	CHECK_STR_EQ(decode("=?=?utf-8?q?x?="), "=?x");
}

static void
test_decode_bounds(void)
{
	char out[8];
	size_t n;

	/* cut on a character boundary: "ééé" needs 6 bytes, room for 4 */
	memset(out, 'X', sizeof(out));
	n = mime_decode_words(out, 5, "=?utf-8?q?=C3=A9=C3=A9=C3=A9?=", 30);
	CHECK(n == 4);
	CHECK_STR_EQ(out, "\xc3\xa9\xc3\xa9");
	n = mime_decode_words(out, 4, "=?utf-8?q?=C3=A9=C3=A9=C3=A9?=", 30);
	CHECK(n == 2);
	CHECK_STR_EQ(out, "\xc3\xa9");
	CHECK(out[7] == 'X');
	n = mime_decode_words(out, 1, "abc", 3);
	CHECK(n == 0 && out[0] == '\0');
	CHECK(mime_decode_words(out, 0, "abc", 3) == 0);
	/* NUL is data */
	n = mime_decode_words(out, sizeof(out), "a\0b", 3);
	CHECK_MEM_EQ(out, n, "a\0b", 3);
}

/* ---- header parsing ------------------------------------------------- */

static const char stored[] =
    "Return-Path: <sender@example.test>\n"
    "X-Original-To: bob@example.test\n"
    "X-Original-To: \"john doe\"@Example.TEST\n"
    "X-Original-To: \xc3\xbc@example.test\n"
    "Received: from client.example (127.0.0.1)\n"
    "\tby sink.example (smtp-sink) with ESMTP id 5F3A1B2C0001.1;\n"
    "\tSat, 28 Nov 2026 17:48:40 +0000\n"
    "Return-Path: <eve@evil.test>\n"
    "X-Original-To: eve@evil.test\n"
    "From: =?utf-8?q?Al=C3=AFce?= <alice@example.test>\n"
    "To: Bob <bob@example.test>\n"
    "Subject: =?UTF-8?B?R3LDvMOfZSBhdXMg?=\n"
    " =?UTF-8?B?QmVybGlu?= and more\n"
    "Date: Sat, 28 Nov 2026 17:48:40 +0000\n"
    "Message-ID: <1@example.test>\n"
    "Subject: second subject\n"
    "\n"
    "X-Original-To: mallory@evil.test\n"
    "body\n";

static void
test_parse_stored(void)
{
	struct mime_msg m;
	char buf[256];
	size_t pos;
	long n;

	mime_parse(stored, sizeof(stored) - 1, &m);
	CHECK(m.envelope);
	CHECK(m.complete);
	CHECK(m.nrcpt == 3);
	CHECK(mime_sender(&m, buf, sizeof(buf)) == 19);
	CHECK_STR_EQ(buf, "sender@example.test");

	pos = m.rcpt_begin;
	n = mime_rcpt_next(stored, &m, &pos, buf, sizeof(buf));
	CHECK(n == 16);
	CHECK_STR_EQ(buf, "bob@example.test");
	n = mime_rcpt_next(stored, &m, &pos, buf, sizeof(buf));
	CHECK_STR_EQ(buf, "\"john doe\"@Example.TEST");
	n = mime_rcpt_next(stored, &m, &pos, buf, sizeof(buf));
	CHECK_STR_EQ(buf, "\xc3\xbc@example.test");
	CHECK(mime_rcpt_next(stored, &m, &pos, buf, sizeof(buf)) == -1);
	(void)n;

	mime_field_text(buf, sizeof(buf), &m.subject);
	CHECK_STR_EQ(buf, "Gr\xc3\xbc\xc3\x9f" "e aus Berlin and more");
	mime_field_text(buf, sizeof(buf), &m.from);
	CHECK_STR_EQ(buf, "Al\xc3\xaf" "ce <alice@example.test>");
	mime_field_text(buf, sizeof(buf), &m.to);
	CHECK_STR_EQ(buf, "Bob <bob@example.test>");
	mime_field_text(buf, sizeof(buf), &m.date);
	CHECK_STR_EQ(buf, "Sat, 28 Nov 2026 17:48:40 +0000");
	mime_field_text(buf, sizeof(buf), &m.message_id);
	CHECK_STR_EQ(buf, "<1@example.test>");
	CHECK_STR_EQ(stored + m.body, "X-Original-To: mallory@evil.test\nbody\n");
}

static void
test_parse_variants(void)
{
	static const char nullsender[] =
	    "Return-Path: <>\nX-Original-To: a@b.test\n"
	    "Received: from x (y)\n\tby z (smtp-sink) with SMTP id 1;\n"
	    "\tdate\nno header here\nSubject: not a header\n";
	static const char foreign[] =
	    "Subject: hello\r\nFrom: a@b\r\n\r\nbody\r\n";
	static const char cut[] =
	    "Return-Path: <a@b.test>\nX-Original-To: c@d.test\nSubject: lo";
	static const char norcpt[] = "Return-Path: <a@b.test>\n\nbody";
	struct mime_msg m;
	char buf[64];
	size_t pos;

	mime_parse(nullsender, sizeof(nullsender) - 1, &m);
	CHECK(m.envelope && m.nrcpt == 1 && m.complete);
	CHECK(mime_sender(&m, buf, sizeof(buf)) == 0 && buf[0] == '\0');
	CHECK(m.subject.value == NULL);
	CHECK_STR_EQ(nullsender + m.body, "no header here\nSubject: not a header\n");

	mime_parse(foreign, sizeof(foreign) - 1, &m);
	CHECK(!m.envelope && m.nrcpt == 0 && m.complete);
	pos = m.rcpt_begin;
	CHECK(mime_rcpt_next(foreign, &m, &pos, buf, sizeof(buf)) == -1);
	mime_field_text(buf, sizeof(buf), &m.subject);
	CHECK_STR_EQ(buf, "hello");
	mime_field_text(buf, sizeof(buf), &m.from);
	CHECK_STR_EQ(buf, "a@b");
	CHECK_STR_EQ(foreign + m.body, "body\r\n");

	mime_parse(cut, sizeof(cut) - 1, &m);
	CHECK(m.envelope && m.nrcpt == 1 && !m.complete);
	mime_field_text(buf, sizeof(buf), &m.subject);
	CHECK_STR_EQ(buf, "lo");

	mime_parse(norcpt, sizeof(norcpt) - 1, &m);
	CHECK(m.envelope && m.nrcpt == 0 && m.complete);
	CHECK_STR_EQ(norcpt + m.body, "body");

	mime_parse("", 0, &m);
	CHECK(!m.envelope && !m.complete && m.body == 0);

	/* the address is cut to the buffer, never beyond */
	mime_parse(stored, sizeof(stored) - 1, &m);
	pos = m.rcpt_begin;
	CHECK(mime_rcpt_next(stored, &m, &pos, buf, 4) == 3);
	CHECK_STR_EQ(buf, "bob");
}

static void
test_fields(void)
{
	static const char h[] = "Subject : x\nBad line\n";
	static const char ws[] = " leading\nSubject: x\n";
	struct mime_field f;
	size_t pos = 0;
	char out[64];

	CHECK(mime_field_next(h, sizeof(h) - 1, &pos, &f));
	CHECK(mime_field_is(&f, "subject"));
	CHECK(!mime_field_is(&f, "subjec"));
	CHECK(!mime_field_next(h, sizeof(h) - 1, &pos, &f));
	CHECK(pos == 12); /* stays on the line that is not a field */
	pos = 0;
	CHECK(!mime_field_next(ws, sizeof(ws) - 1, &pos, &f));

	CHECK(mime_unfold(out, sizeof(out), "  Hello\n\tWorld\r\n  again \r\n",
	    26) == 18);
	CHECK_STR_EQ(out, "Hello\tWorld  again");
	CHECK(mime_unfold(out, 4, "abcdef", 6) == 3);
	CHECK_STR_EQ(out, "abc");
}

/* ---- dates ---------------------------------------------------------- */

static void
test_dates(void)
{
	int64_t t = 0;

#define DATE(s) mime_parse_date(s, strlen(s), &t)
	CHECK(DATE("Sat, 28 Nov 2026 17:48:40 +0000") && t == 1795888120);
	CHECK(DATE("28 Nov 2026 17:48 -0130") && t == 1795893480);
	CHECK(DATE("Sat, 28 Nov 26 17:48:40 GMT") && t == 1795888120);
	CHECK(DATE("  sat ,28 nov 2026 17:48:40 EST (Eastern)") &&
	    t == 1795906120);
	CHECK(DATE("Fri, 31 Dec 99 23:59:59 UT") && t == 946684799);
	CHECK(DATE("Thu, 29 Feb 2024 12:00:00 +0530") && t == 1709188200);
	CHECK(DATE("Sat, 28 Nov 2026 17:48:40") && t == 1795888120);
	CHECK(!DATE("yesterday"));
	CHECK(!DATE(""));
	CHECK(!DATE("Sat, 31 Feb 2026 00:00:00 +0000"));
	CHECK(!DATE("Sat, 28 Nov 2026 24:00:00 +0000"));
	CHECK(!DATE("Sat, 28 Nov 2026 17:48:40 +00"));
	CHECK(!DATE("Sat, 28 Foo 2026 17:48:40 +0000"));
#undef DATE
}

/* ---- escaping ------------------------------------------------------- */

static void
test_json(void)
{
	static const char in[] =
	    "q\"b\\n\nt\tc\x01\x1f\x7f|\xff|\xc3\xa9|\xe2\x82\xac|"
	    "\xe2\x80\xa8|\xc0\xaf|\xed\xa0\x80|\xe2\x82|\xf0\x9f\x98\x80|";

	CHECK_STR_EQ(json(in, sizeof(in) - 1),
	    "q\\\"b\\\\n\\nt\\tc\\u0001\\u001f\\u007f|\\ufffd|\xc3\xa9|"
	    "\xe2\x82\xac|\\u2028|\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|"
	    "\\ufffd\\ufffd|\xf0\x9f\x98\x80|");
	CHECK_STR_EQ(json("a\0b\b\f\r", 6), "a\\u0000b\\b\\f\\r");
	CHECK_STR_EQ(json("", 0), "");
	CHECK_STR_EQ(json("\xf4\x90\x80\x80", 4),
	    "\\ufffd\\ufffd\\ufffd\\ufffd"); /* above U+10FFFF */
}

/* C1 controls, the line and paragraph separators and the bidirectional
 * controls: escaped in JSON, '?' on the terminal. */
static void
test_unicode_controls(void)
{
	static const char in[] =
	    "a\xc2\x80" "b\xc2\x85" "c\xc2\x9b" "d\xc2\x9f" "e\xc2\xa0"
	    "f\xe2\x80\xa8" "g\xe2\x80\xa9" "h\xe2\x80\xaa" "i\xe2\x80\xae"
	    "j\xe2\x80\xaf" "k\xe2\x81\xa5" "l\xe2\x81\xa6" "m\xe2\x81\xa9"
	    "n\xe2\x81\xaa" "o";
	char out[128];

	CHECK_STR_EQ(json(in, sizeof(in) - 1),
	    "a\\u0080b\\u0085c\\u009bd\\u009fe\xc2\xa0"
	    "f\\u2028g\\u2029h\\u202ai\\u202e"
	    "j\xe2\x80\xaf" "k\xe2\x81\xa5" "l\\u2066m\\u2069"
	    "n\xe2\x81\xaa" "o");
	mime_sanitize(out, sizeof(out), in, sizeof(in) - 1);
	CHECK_STR_EQ(out,
	    "a?b?c?d?e\xc2\xa0" "f?g?h?i?j\xe2\x80\xaf" "k\xe2\x81\xa5" "l?m?"
	    "n\xe2\x81\xaa" "o");
}

static void
test_sanitize(void)
{
	static const char in[] = "a\tb\x01" "c\x7f\xc2\x85" "d\xff \xc3\xa9\xc2\xa0";
	char out[64];
	size_t n, c;

	n = mime_sanitize(out, sizeof(out), in, sizeof(in) - 1);
	CHECK_STR_EQ(out, "a b?c??d\xef\xbf\xbd \xc3\xa9\xc2\xa0");
	CHECK(n == strlen(out));
	/* cut before the U+FFFD that does not fit */
	n = mime_sanitize(out, 4, "ab\xff", 3);
	CHECK(n == 2);
	CHECK_STR_EQ(out, "ab");

	CHECK(mime_utf8_prefix("h\xc3\xa9llo", 6, 2, &c) == 3 && c == 2);
	CHECK(mime_utf8_prefix("h\xc3\xa9llo", 6, 99, &c) == 6 && c == 5);
	CHECK(mime_utf8_prefix("\xff\xff", 2, 1, &c) == 1 && c == 1);
}

/* ---- envelope filters ----------------------------------------------- */

static bool
match(const char *pat, const char *addr)
{
	return mime_addr_match(pat, strlen(pat), addr, strlen(addr));
}

static void
test_addr_match(void)
{
	CHECK(match("bob@example.test", "bob@example.test"));
	CHECK(match("bob@EXAMPLE.Test", "bob@example.TEST"));
	CHECK(match("<bob@example.test>", "bob@example.test"));
	CHECK(!match("Bob@example.test", "bob@example.test"));
	CHECK(!match("bob@example.test", "bob@example.test.evil"));
	CHECK(!match("bob@example.test", "xbob@example.test"));
	CHECK(!match("ob@example.test", "bob@example.test"));
	CHECK(match("@Example.test", "anyone@example.TEST"));
	CHECK(!match("@example.test", "anyone@sub.example.test"));
	CHECK(match("\"john doe\"@example.test", "\"john doe\"@EXAMPLE.test"));
	CHECK(match("\"a@b\"@example.test", "\"a@b\"@example.test"));
	CHECK(!match("\"a@b\"@example.test", "\"a@c\"@example.test"));
	CHECK(match("postmaster", "postmaster"));
	CHECK(!match("postmaster", "postmaster@example.test"));
	CHECK(!match("bob@example.test", "bob"));
	CHECK(match("", ""));
	CHECK(match("<>", ""));
	CHECK(!match("", "bob@example.test"));
	CHECK(!match("bob@example.test", ""));
	CHECK(match("\xc3\xbc@example.test", "\xc3\xbc@EXAMPLE.test"));
}

/* ---- mboxrd --------------------------------------------------------- */

static void
test_mboxrd(void)
{
	static const char in[] =
	    "From a\n>From b\n>>From c\nFrom\nFro\nXFrom d\n >From e\n"
	    "\n>\n>F\nFrom x";
	static const char want[] =
	    ">From a\n>>From b\n>>>From c\nFrom\nFro\nXFrom d\n >From e\n"
	    "\n>\n>F\n>From x\n\n";
	static const char many[] =
	    ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>From z\n";
	char buf[sizeof(many) + 8];
	char sender[32];

	for (size_t chunk = 1; chunk <= sizeof(in); chunk++)
		CHECK_STR_EQ(mboxrd_whole(in, sizeof(in) - 1, chunk), want);
	CHECK_STR_EQ(mboxrd_whole("", 0, 1), "\n");
	CHECK_STR_EQ(mboxrd_whole("x\n", 2, 1), "x\n\n");
	CHECK_STR_EQ(mboxrd_whole("x\n\n", 3, 1), "x\n\n\n");
	CHECK_STR_EQ(mboxrd_whole(">>", 2, 1), ">>\n\n");
	snprintf(buf, sizeof(buf), ">%s\n", many);
	for (size_t chunk = 1; chunk < 70; chunk += 7)
		CHECK_STR_EQ(mboxrd_whole(many, sizeof(many) - 1, chunk), buf);

	CHECK(mime_mbox_sender(sender, sizeof(sender), "", 0) == 13);
	CHECK_STR_EQ(sender, "MAILER-DAEMON");
	mime_mbox_sender(sender, sizeof(sender), "<>", 2);
	CHECK_STR_EQ(sender, "MAILER-DAEMON");
	mime_mbox_sender(sender, sizeof(sender), "\"j d\"@x\t.test", 13);
	CHECK_STR_EQ(sender, "\"j_d\"@x_.test");
	CHECK(mime_mbox_sender(sender, 5, "abcdefgh", 8) == 4);
}

/* ---- pseudo-random input -------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15u;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static void
random_message(char *buf, size_t len)
{
	static const char *pieces[] = {
		"=?", "?=", "?q?", "?B?", "utf-8", "iso-8859-1", "=C3", "=A9",
		"\n", "\r\n", "\n ", "\n\t", ": ", "Subject:", "From ", ">",
		"Return-Path: <", ">\n", "X-Original-To: ", "\n\n", "\xff",
		"\xe2\x82", "\xe2\x82\xac", "\"", "\\", "\x01", "SGk=", "_",
		"Date: Sat, 28 Nov 2026 17:48:40 +0000\n", "(", ")", "@", " ",
	};
	size_t i = 0;

	while (i < len) {
		if (rnd(3) == 0) {
			buf[i++] = (char)rnd(256);
			continue;
		}
		const char *p = pieces[rnd(sizeof(pieces) / sizeof(pieces[0]))];
		for (; *p && i < len; p++)
			buf[i++] = *p;
	}
}

/* Length of a well-formed UTF-8 sequence at s, or 0: written apart from
 * mime.c on purpose, from RFC 3629 section 4. */
static size_t
utf8_ok(const unsigned char *s, size_t n)
{
	size_t k;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		k = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		k = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		k = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (k > n)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((k == 2 && cp < 0x80) || (k == 3 && cp < 0x800) ||
	    (k == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return k;
}

/* A JSON string body: no raw control character, no lone quote or
 * backslash, all of it valid UTF-8. */
static bool
json_valid(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		size_t k = utf8_ok(u + i, n - i);
		if (k == 0 || u[i] < 0x20 || u[i] == '"')
			return false;
		if (u[i] == '\\' && (i + 1 >= n || !strchr("\"\\/bfnrtu", s[i + 1]) ||
		    s[i + 1] == '\0'))
			return false;
		i += u[i] == '\\' ? 2 : k;
	}
	return true;
}

static void
test_random(void)
{
	static char msg[4096];
	static struct sink s;
	char out[300], shown[1024], addr[40];
	int bad_json = 0, bad_bound = 0, bad_mbox = 0;

	for (int round = 0; round < 3000; round++) {
		size_t len = rnd(sizeof(msg)), pos;
		struct mime_msg m;
		struct mime_field *fields[] = { &m.subject, &m.from, &m.to,
			&m.date, &m.message_id };
		int64_t t;

		random_message(msg, len);
		mime_parse(msg, len, &m);
		if (m.body > len)
			bad_bound++;
		pos = m.rcpt_begin;
		while (mime_rcpt_next(msg, &m, &pos, addr, sizeof(addr)) >= 0)
			if (strlen(addr) >= sizeof(addr))
				bad_bound++;
		mime_sender(&m, addr, sizeof(addr));
		for (size_t f = 0; f < 5; f++) {
			size_t n = mime_field_text(out, 1 + rnd(sizeof(out)),
			    fields[f]);
			s.len = 0;
			mime_json_escape(out, n, sink_emit, &s);
			if (!json_valid(s.buf, s.len))
				bad_json++;
			n = mime_sanitize(shown, sizeof(shown), out, n);
			if (!json_valid(shown, n) && memchr(shown, '"', n) == NULL &&
			    memchr(shown, '\\', n) == NULL)
				bad_json++;
			(void)mime_parse_date(out, strlen(out), &t);
		}
		s.len = 0;
		mime_json_escape(msg, len, sink_emit, &s);
		if (s.overflow || !json_valid(s.buf, s.len))
			bad_json++;
		s.overflow = false;
		(void)mime_addr_match(msg, len % 50, msg + len / 2, len - len / 2);

		/* mboxrd: chunking does not matter */
		static char copy[sizeof(msg) * 3];
		const char *whole = mboxrd_whole(msg, len, len + 1);
		size_t wlen = mbox_len;
		memcpy(copy, whole, wlen);
		whole = mboxrd_whole(msg, len, 1 + rnd(64));
		if (mbox_len != wlen || memcmp(whole, copy, wlen) != 0)
			bad_mbox++;
	}
	CHECK(bad_json == 0);
	CHECK(bad_bound == 0);
	CHECK(bad_mbox == 0);
}

int
main(void)
{
	test_decode_words();
	test_decode_bounds();
	test_parse_stored();
	test_parse_variants();
	test_fields();
	test_dates();
	test_json();
	test_unicode_controls();
	test_sanitize();
	test_addr_match();
	test_mboxrd();
	test_random();
	return check_finish("test_mime");
}
