/*
 * test_watch_text.c: unit tests of smtp-watch's text modules: RFC 2047
 * (rfc2047.c), dates (date.c), JSON strings (json.c), terminal text
 * (text.c), address matching (addrmatch.c) and mboxrd (mboxrd.c).  The
 * last group feeds pseudo-random bytes to each and checks the output
 * invariants (run it under ASan and UBSan).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lib/utf8.h"
#include "watch/addrmatch.h"
#include "watch/date.h"
#include "watch/json.h"
#include "watch/mboxrd.h"
#include "watch/rfc2047.h"
#include "watch/text.h"

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

	rfc2047_decode(out, sizeof(out), in, strlen(in));
	return out;
}

static const char *
json(const char *in, size_t len)
{
	static struct sink s;

	s.len = 0;
	json_escape(in, len, sink_emit, &s);
	s.buf[s.len] = '\0';
	return s.buf;
}

static const char *
clean(const char *in, size_t len)
{
	static char out[1024];

	text_clean(out, sizeof(out), in, len);
	return out;
}

static size_t mbox_len; /* length of what mboxrd_whole() returned */

static const char *
mboxrd_whole(const char *in, size_t len, size_t chunk)
{
	static struct sink s;
	struct mboxrd q;

	s.len = 0;
	mboxrd_init(&q);
	for (size_t i = 0; i < len; i += chunk)
		mboxrd_feed(&q, in + i, len - i < chunk ? len - i : chunk,
		    sink_emit, &s);
	mboxrd_finish(&q, sink_emit, &s);
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
	n = rfc2047_decode(out, 5, "=?utf-8?q?=C3=A9=C3=A9=C3=A9?=", 30);
	CHECK(n == 4);
	CHECK_STR_EQ(out, "\xc3\xa9\xc3\xa9");
	n = rfc2047_decode(out, 4, "=?utf-8?q?=C3=A9=C3=A9=C3=A9?=", 30);
	CHECK(n == 2);
	CHECK_STR_EQ(out, "\xc3\xa9");
	CHECK(out[7] == 'X');
	n = rfc2047_decode(out, 1, "abc", 3);
	CHECK(n == 0 && out[0] == '\0');
	CHECK(rfc2047_decode(out, 0, "abc", 3) == 0);
	/* NUL is data */
	n = rfc2047_decode(out, sizeof(out), "a\0b", 3);
	CHECK_MEM_EQ(out, n, "a\0b", 3);
}

/* ---- dates ---------------------------------------------------------- */

static void
test_dates(void)
{
	int64_t t = 0;

#define DATE(s) date_parse(s, strlen(s), &t)
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

static void
test_civil(void)
{
	struct civil c;

	date_civil(0, &c);
	CHECK(c.year == 1970 && c.month == 1 && c.day == 1 && c.wday == 4);
	CHECK(c.hour == 0 && c.min == 0 && c.sec == 0);
	date_civil(1795888120, &c); /* Sat, 28 Nov 2026 17:48:40 */
	CHECK(c.year == 2026 && c.month == 11 && c.day == 28 && c.wday == 6);
	CHECK(c.hour == 17 && c.min == 48 && c.sec == 40);
	date_civil(1709208000, &c); /* Thu, 29 Feb 2024 12:00:00 */
	CHECK(c.year == 2024 && c.month == 2 && c.day == 29 && c.wday == 4);
	date_civil(-1, &c); /* Wed, 31 Dec 1969 23:59:59 */
	CHECK(c.year == 1969 && c.month == 12 && c.day == 31 && c.wday == 3);
	CHECK(c.hour == 23 && c.min == 59 && c.sec == 59);
	date_civil(253402300799, &c);
	CHECK(c.year == 9999 && c.month == 12 && c.day == 31 && c.wday == 5);
	date_civil(951782400, &c); /* 2000-02-29, a 400-year leap day */
	CHECK(c.year == 2000 && c.month == 2 && c.day == 29 && c.wday == 2);

	/* date_parse() and date_civil() agree on every day of 1999-2001 */
	for (int64_t t = 915148800; t < 1009843200; t += 86400 + 3661) {
		char s[64];
		int64_t back;
		static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr",
			"May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
		date_civil(t, &c);
		snprintf(s, sizeof(s), "%d %s %lld %02d:%02d:%02d +0000", c.day,
		    mon[c.month - 1], (long long)c.year, c.hour, c.min, c.sec);
		CHECK(date_parse(s, strlen(s), &back) && back == t);
	}
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

	CHECK_STR_EQ(json(in, sizeof(in) - 1),
	    "a\\u0080b\\u0085c\\u009bd\\u009fe\xc2\xa0"
	    "f\\u2028g\\u2029h\\u202ai\\u202e"
	    "j\xe2\x80\xaf" "k\xe2\x81\xa5" "l\\u2066m\\u2069"
	    "n\xe2\x81\xaa" "o");
	CHECK_STR_EQ(clean(in, sizeof(in) - 1),
	    "a?b?c?d?e\xc2\xa0" "f?g?h?i?j\xe2\x80\xaf" "k\xe2\x81\xa5" "l?m?"
	    "n\xe2\x81\xaa" "o");
	for (uint32_t cp = 0; cp < 0x110000; cp++) {
		bool want = cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ||
		    cp == 0x2028 || cp == 0x2029 ||
		    (cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069) ||
		    cp == 0x200e || cp == 0x200f || cp == 0x061c;
		if (utf8_is_control(cp) != want)
			CHECK(utf8_is_control(cp) == want);
	}
}

static void
test_clean(void)
{
	static const char in[] = "a\tb\x01" "c\x7f\xc2\x85" "d\xff \xc3\xa9\xc2\xa0";
	char out[64];
	size_t n, c;

	n = text_clean(out, sizeof(out), in, sizeof(in) - 1);
	CHECK_STR_EQ(out, "a b?c??d\xef\xbf\xbd \xc3\xa9\xc2\xa0");
	CHECK(n == strlen(out));
	/* cut before the U+FFFD that does not fit */
	n = text_clean(out, 4, "ab\xff", 3);
	CHECK(n == 2);
	CHECK_STR_EQ(out, "ab");
	CHECK(text_clean(out, 0, "ab", 2) == 0);

	CHECK(text_prefix("h\xc3\xa9llo", 6, 2, &c) == 3 && c == 2);
	CHECK(text_prefix("h\xc3\xa9llo", 6, 99, &c) == 6 && c == 5);
	CHECK(text_prefix("\xff\xff", 2, 1, &c) == 1 && c == 1);
}

/* ---- envelope filters ----------------------------------------------- */

static bool
match(const char *pat, const char *addr)
{
	return addr_match(pat, strlen(pat), addr, strlen(addr));
}

static void
test_addr_match(void)
{
	const char *s = "  <a@b>\t";
	size_t n = strlen(s);

	addr_trim(&s, &n);
	CHECK_MEM_EQ(s, n, "a@b", 3);
	s = "<a@b";
	n = 4;
	addr_trim(&s, &n);
	CHECK_MEM_EQ(s, n, "<a@b", 4);
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

	CHECK(mboxrd_sender(sender, sizeof(sender), "", 0) == 13);
	CHECK_STR_EQ(sender, "MAILER-DAEMON");
	mboxrd_sender(sender, sizeof(sender), "<>", 2);
	CHECK_STR_EQ(sender, "MAILER-DAEMON");
	mboxrd_sender(sender, sizeof(sender), "\"j d\"@x\t.test", 13);
	CHECK_STR_EQ(sender, "\"j_d\"@x_.test");
	CHECK(mboxrd_sender(sender, 5, "abcdefgh", 8) == 4);
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
 * lib/utf8.c on purpose, from RFC 3629 section 4. */
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
 * backslash, all of it valid UTF-8 with no character that json.c escapes. */
static bool
json_valid(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		size_t k = utf8_ok(u + i, n - i);
		if (k == 0 || u[i] < 0x20 || u[i] == 0x7f || u[i] == '"')
			return false;
		if (k == 2 && u[i] == 0xc2 && u[i + 1] < 0xa0)
			return false; /* C1 */
		if (k == 3 && u[i] == 0xe2 && ((u[i + 1] == 0x80 &&
		    u[i + 2] >= 0xa8 && u[i + 2] <= 0xae) ||
		    (u[i + 1] == 0x81 && u[i + 2] >= 0xa6 && u[i + 2] <= 0xa9)))
			return false; /* U+2028-U+202E, U+2066-U+2069 */
		if (u[i] == '\\' && (i + 1 >= n ||
		    !strchr("\"\\/bfnrtu", s[i + 1]) || s[i + 1] == '\0'))
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
	static char copy[sizeof(msg) * 3];
	char out[300], shown[1024];
	int bad_json = 0, bad_clean = 0, bad_mbox = 0;

	for (int round = 0; round < 3000; round++) {
		size_t len = rnd(sizeof(msg)), n, wlen;
		const char *whole;
		int64_t t;

		random_message(msg, len);
		n = rfc2047_decode(out, 1 + rnd(sizeof(out)), msg, len);
		s.len = 0;
		json_escape(out, n, sink_emit, &s);
		if (!json_valid(s.buf, s.len))
			bad_json++;
		n = text_clean(shown, sizeof(shown), out, n);
		if (n != strlen(shown) || (!json_valid(shown, n) &&
		    memchr(shown, '"', n) == NULL &&
		    memchr(shown, '\\', n) == NULL))
			bad_clean++;
		(void)date_parse(msg, len, &t);
		s.len = 0;
		json_escape(msg, len, sink_emit, &s);
		if (s.overflow || !json_valid(s.buf, s.len))
			bad_json++;
		s.overflow = false;
		(void)addr_match(msg, len % 50, msg + len / 2, len - len / 2);

		/* mboxrd: chunking does not matter */
		whole = mboxrd_whole(msg, len, len + 1);
		wlen = mbox_len;
		memcpy(copy, whole, wlen);
		whole = mboxrd_whole(msg, len, 1 + rnd(64));
		if (mbox_len != wlen || memcmp(whole, copy, wlen) != 0)
			bad_mbox++;
	}
	CHECK(bad_json == 0);
	CHECK(bad_clean == 0);
	CHECK(bad_mbox == 0);
}

int
main(void)
{
	test_decode_words();
	test_decode_bounds();
	test_dates();
	test_civil();
	test_json();
	test_unicode_controls();
	test_clean();
	test_addr_match();
	test_mboxrd();
	test_random();
	return check_finish("test_watch_text");
}
