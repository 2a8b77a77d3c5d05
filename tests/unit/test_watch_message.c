/*
 * test_watch_message.c: unit tests of how smtp-watch reads a stored
 * message: header fields (fields.c), the envelope block (envelope.c), the
 * fields shown (message.c), the --rcpt and --from filter (filter.c), and
 * the three output formats rendered to bytes (format.c).  Messages come
 * from memory through a reader that may return short pieces or fail.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "watch/envelope.h"
#include "watch/fields.h"
#include "watch/filter.h"
#include "watch/format.h"
#include "watch/message.h"

/* ---- helpers -------------------------------------------------------- */

/* A message in memory, read at most chunk bytes at a time (0: all). */
struct mem {
	const char *p;
	size_t len, chunk;
	uint64_t fail_at; /* a read at or past it fails, if fail is set */
	bool fail;
};

static ssize_t
mem_read(void *ctx, char *buf, size_t cap, uint64_t off)
{
	struct mem *m = ctx;
	size_t n;

	if (m->fail && off >= m->fail_at) {
		errno = EIO;
		return -1;
	}
	if (off >= m->len)
		return 0;
	n = m->len - (size_t)off;
	if (n > cap)
		n = cap;
	if (m->chunk && n > m->chunk)
		n = m->chunk;
	memcpy(buf, m->p + off, n);
	return (ssize_t)n;
}

static struct mem mem;
static struct message msg; /* two windows: static */

/* Reads p as the message "1.M1P1Q1.test" in new/; message_read()'s
 * result.  LOAD() for a string literal, read whole. */
#define LOAD(lit) load(lit, sizeof(lit) - 1, 0)
static int
load(const char *p, size_t len, size_t chunk)
{
	mem = (struct mem){ .p = p, .len = len, .chunk = chunk };
	msg.sub = "new";
	msg.name = "1.M1P1Q1.test";
	msg.size = (int64_t)len;
	msg.mtime = 1795888120; /* Sat, 28 Nov 2026 17:48:40 UTC */
	msg.rd = (struct reader){ mem_read, &mem };
	return message_read(&msg);
}

struct sink {
	char *buf;
	size_t len, cap;
};

static void
sink_emit(void *ctx, const char *p, size_t n)
{
	struct sink *s = ctx;

	if (s->len + n + 1 > s->cap) {
		s->cap = 2 * (s->len + n + 1);
		s->buf = realloc(s->buf, s->cap);
		if (s->buf == NULL)
			abort();
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->buf[s->len] = '\0';
}

static bool
utc(int64_t t, struct civil *c)
{
	date_civil(t, c);
	return true;
}

static struct sink rec;

/* The record of the loaded message in format f; format_message()'s
 * result in *ret. */
static const char *
render(enum format f, int *ret)
{
	struct render r = { .format = f, .maildir = "/m", .localtime = utc,
		.emit = sink_emit, .ctx = &rec };

	rec.len = 0;
	sink_emit(&rec, "", 0);
	*ret = format_message(&r, &msg);
	return rec.buf;
}

static char *
text(const struct field *f)
{
	static char buf[512];

	if (f->name == NULL)
		return NULL;
	field_unfold(buf, sizeof(buf), f->value, f->valuelen, NULL);
	return buf;
}

/* ---- fields in a buffer -------------------------------------------------- */

static void
test_field_next(void)
{
	static const char h[] = "Subject : x\nBad line\n";
	struct field f;
	size_t pos = 0;

	CHECK(field_next(h, sizeof(h) - 1, &pos, &f));
	CHECK(field_is(&f, "subject") && !field_is(&f, "subjec"));
	CHECK_MEM_EQ(f.value, f.valuelen, " x", 2);
	CHECK(!field_next(h, sizeof(h) - 1, &pos, &f));
	CHECK(pos == 12); /* stays on the line that is not a field */
	pos = 0;
	CHECK(!field_next(" leading\nSubject: x\n", 20, &pos, &f));

	/* continuation lines; the end of the buffer ends a field */
	pos = 0;
	CHECK(field_next("A: x\n y\nB: z", 12, &pos, &f));
	CHECK_MEM_EQ(f.value, f.valuelen, " x\n y", 5);
	CHECK(field_next("A: x\n y\nB: z", 12, &pos, &f) && pos == 12);
	CHECK_MEM_EQ(f.value, f.valuelen, " z", 2);

	/* blank lines */
	pos = 0;
	CHECK(!field_next("\r\nbody", 6, &pos, &f) && pos == 2);
	pos = 0;
	CHECK(!field_next("\nbody", 5, &pos, &f) && pos == 1);
}

static void
test_unfold(void)
{
	char out[64];
	bool cut;

	CHECK(field_unfold(out, sizeof(out), "  Hello\n\tWorld\r\n  again \r\n",
	    26, &cut) == 18);
	CHECK_STR_EQ(out, "Hello\tWorld  again");
	CHECK(!cut);
	CHECK(field_unfold(out, 4, "abcdef", 6, &cut) == 3);
	CHECK_STR_EQ(out, "abc");
	CHECK(cut);
	CHECK(field_unfold(out, 4, "abc \n ", 6, &cut) == 3 && !cut);
}

/* ---- the envelope block ---------------------------------------------------- */

static const char stored[] =
    "Return-Path: <sender@example.test>\n"
    "X-Original-To: bob@example.test\n"
    "X-Original-To: \"john doe\"@Example.TEST\n"
    "X-Original-To:\n \xc3\xbc@example.test\n"
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
    "From the start\n";

/* The recipients, as "a,b,c". */
static const char *
rcpts(void)
{
	static struct sink s;
	struct addr a;
	int r;

	s.len = 0;
	sink_emit(&s, "", 0);
	rcpt_iter_init(&msg.rcpts, msg.head, &msg.env);
	while ((r = rcpt_iter_next(&msg.rcpts, &a)) > 0) {
		if (s.len)
			sink_emit(&s, ",", 1);
		sink_emit(&s, a.s, a.len);
	}
	return r < 0 ? "ERROR" : s.buf;
}

static void
test_envelope(void)
{
	for (size_t chunk = 0; chunk < 9; chunk++) {
		CHECK(load(stored, sizeof(stored) - 1, chunk) == 0);
		CHECK(msg.env.present && msg.env.nrcpt == 3);
		CHECK_STR_EQ(msg.env.sender.s, "sender@example.test");
		CHECK(msg.env.sender.len == 19);
		CHECK_STR_EQ(rcpts(), "bob@example.test,\"john doe\"@Example.TEST,"
		    "\xc3\xbc@example.test");
		CHECK_STR_EQ(text(&msg.subject),
		    "=?UTF-8?B?R3LDvMOfZSBhdXMg?= =?UTF-8?B?QmVybGlu?= and more");
		CHECK_STR_EQ(text(&msg.from),
		    "=?utf-8?q?Al=C3=AFce?= <alice@example.test>");
		CHECK_STR_EQ(text(&msg.to), "Bob <bob@example.test>");
		CHECK_STR_EQ(text(&msg.date), "Sat, 28 Nov 2026 17:48:40 +0000");
		CHECK_STR_EQ(text(&msg.message_id), "<1@example.test>");
	}
}

static void
test_envelope_variants(void)
{
	static const char nullsender[] =
	    "Return-Path: <>\nX-Original-To: a@b.test\n"
	    "Received: from x (y)\n\tby z (smtp-sink) with SMTP id 1;\n"
	    "\tdate\nno header here\nSubject: not a header\n";
	static const char foreign[] =
	    "Subject: hello\r\nFrom: a@b\r\nX-Original-To: c@d\r\n\r\nbody\r\n";
	static const char cut[] =
	    "Return-Path: <a@b.test>\nX-Original-To: c@d.test\nSubject: lo";
	static const char norcpt[] = "Return-Path: <a@b.test>\n\nbody";
	static const char block_only[] =
	    "Return-Path: a@b.test\nX-Original-To: <c@d.test>";

	CHECK(load(nullsender, sizeof(nullsender) - 1, 0) == 0);
	CHECK(msg.env.present && msg.env.nrcpt == 1);
	CHECK(msg.env.sender.len == 0 && msg.env.sender.s[0] == '\0');
	CHECK(msg.subject.name == NULL);

	CHECK(load(foreign, sizeof(foreign) - 1, 0) == 0);
	CHECK(!msg.env.present && msg.env.nrcpt == 0);
	CHECK_STR_EQ(rcpts(), "");
	CHECK_STR_EQ(text(&msg.subject), "hello");
	CHECK_STR_EQ(text(&msg.from), "a@b");

	CHECK(load(cut, sizeof(cut) - 1, 3) == 0);
	CHECK(msg.env.present && msg.env.nrcpt == 1);
	CHECK_STR_EQ(text(&msg.subject), "lo");

	CHECK(load(norcpt, sizeof(norcpt) - 1, 0) == 0);
	CHECK(msg.env.present && msg.env.nrcpt == 0);
	CHECK_STR_EQ(rcpts(), "");

	CHECK(load(block_only, sizeof(block_only) - 1, 1) == 0);
	CHECK(msg.env.nrcpt == 1);
	CHECK_STR_EQ(msg.env.sender.s, "a@b.test");
	CHECK_STR_EQ(rcpts(), "c@d.test");

	CHECK(load("", 0, 0) == 0);
	CHECK(!msg.env.present && msg.subject.name == NULL);
}

/* ---- the filter ------------------------------------------------------------ */

static int
passes(const char *rcpt, const char *from)
{
	const char *r[] = { rcpt }, *f[] = { from };
	struct filter fl = { r, f, rcpt != NULL, from != NULL };

	return filter_match(&fl, &msg);
}

static void
test_filter(void)
{
	static const char cut[] = "Return-Path: <a@x.test>\n"
	    "X-Original-To: b@x.test\n";

	CHECK(load(stored, sizeof(stored) - 1, 0) == 0);
	CHECK(passes(NULL, NULL) == 1);
	CHECK(passes("bob@EXAMPLE.test", NULL) == 1);
	CHECK(passes("\"john doe\"@example.test", "<sender@example.test>") == 1);
	CHECK(passes("@example.test", "sender@example.TEST") == 1);
	CHECK(passes("eve@evil.test", NULL) == 0);
	CHECK(passes("mallory@evil.test", NULL) == 0);
	CHECK(passes(NULL, "eve@evil.test") == 0);
	CHECK(passes("bob@example.test", "other@example.test") == 0);

	/* no envelope block: no pattern passes */
	CHECK(LOAD("Subject: x\n\n") == 0);
	CHECK(passes(NULL, NULL) == 1 && passes("@x", NULL) == 0);
	CHECK(passes(NULL, "") == 0);

	CHECK(load(cut, sizeof(cut) - 1, 0) == 0);
	CHECK(passes("b@x.test", NULL) == 1);
	CHECK(load(cut, sizeof(cut) - 4, 0) == 0); /* "b@x.te" at the end */
	CHECK(passes("b@x.te", NULL) == 1); /* the message ends: it is whole */
}

/* ---- formats ------------------------------------------------------------------ */

static void
test_summary(void)
{
	char want[512];
	int ret;

	CHECK(load(stored, sizeof(stored) - 1, 0) == 0);
	snprintf(want, sizeof(want), "2026-11-28 17:48:40  %-24s  %-24s  "
	    "Gr\xc3\xbc\xc3\x9f" "e aus Berlin and more%15s  %8zu  1.M1P1Q1.test\n",
	    "sender@example.test", "bob@example.test +2", "", sizeof(stored) - 1);
	CHECK_STR_EQ(render(FMT_SUMMARY, &ret), want);
	CHECK(ret == 0);

	/* no envelope, no Date, a long subject, a name with controls */
	CHECK(LOAD("Subject: 0123456789012345678901234567890123456789x\n\n") ==
	    0);
	msg.name = "2.M\x1b[31m\xe2\x80\xae";
	snprintf(want, sizeof(want), "2026-11-28 17:48:40  %-24s  %-24s  "
	    "0123456789012345678901234567890123456...  %8d  2.M?[31m?\n", "-",
	    "-", 52);
	CHECK(msg.size == 52);
	CHECK_STR_EQ(render(FMT_SUMMARY, &ret), want);

	CHECK(LOAD("Return-Path: <>\nDate: Mon, 1 Jan 2001 00:00:00 +0100\n"
	    "Subject: a\x9b\xc2\x9b\n\n") == 0);
	CHECK(msg.size == 68);
	snprintf(want, sizeof(want), "2000-12-31 23:00:00  %-24s  %-24s  "
	    "a\xef\xbf\xbd?%37s  %8d  1.M1P1Q1.test\n", "<>", "-", "", 68);
	CHECK_STR_EQ(render(FMT_SUMMARY, &ret), want);
}

static void
test_json(void)
{
	char want[1024];
	int ret;

	CHECK(load(stored, sizeof(stored) - 1, 0) == 0);
	snprintf(want, sizeof(want), "{\"date\":\"Sat, 28 Nov 2026 17:48:40 "
	    "+0000\",\"from\":\"sender@example.test\",\"to\":["
	    "\"bob@example.test\",\"\\\"john doe\\\"@Example.TEST\","
	    "\"\xc3\xbc@example.test\"],\"subject\":\"Gr\xc3\xbc\xc3\x9f"
	    "e aus Berlin and more\",\"size\":%zu,\"file\":\"1.M1P1Q1.test\","
	    "\"path\":\"/m/new/1.M1P1Q1.test\",\"message_id\":"
	    "\"<1@example.test>\",\"header_from\":\"Al\xc3\xaf" "ce "
	    "<alice@example.test>\",\"header_to\":\"Bob <bob@example.test>\","
	    "\"delivered\":\"2026-11-28T17:48:40Z\"}\n", sizeof(stored) - 1);
	CHECK_STR_EQ(render(FMT_JSON, &ret), want);
	CHECK(ret == 0);

	/* nulls, and the controls escaped */
	CHECK(LOAD("Subject: a\xe2\x80\xae" "b\xc2\x85\n\n") == 0);
	CHECK(msg.size == 18);
	CHECK_STR_EQ(render(FMT_JSON, &ret), "{\"date\":null,\"from\":null,"
	    "\"to\":[],\"subject\":\"a\\u202eb\\u0085\",\"size\":18,"
	    "\"file\":\"1.M1P1Q1.test\",\"path\":\"/m/new/1.M1P1Q1.test\","
	    "\"message_id\":null,\"header_from\":null,\"header_to\":null,"
	    "\"delivered\":\"2026-11-28T17:48:40Z\"}\n");
}

static void
test_mbox(void)
{
	static const char want_tail[] = "\n>From the start\n\n";
	const char *got;
	int ret;

	CHECK(load(stored, sizeof(stored) - 1, 7) == 0);
	got = render(FMT_MBOX, &ret);
	CHECK(ret == 0);
	CHECK(strncmp(got, "From sender@example.test Sat Nov 28 17:48:40 2026\n"
	    "Return-Path: <sender@example.test>\n", 85) == 0);
	/* one '>', and the empty line after the message */
	CHECK(rec.len == 50 + sizeof(stored) - 1 + 2);
	CHECK(strcmp(got + rec.len - strlen(want_tail), want_tail) == 0);

	CHECK(LOAD("Return-Path: <>\n\nx") == 0);
	msg.mtime = 0;
	CHECK_STR_EQ(render(FMT_MBOX, &ret),
	    "From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n"
	    "Return-Path: <>\n\nx\n\n");
	mem.fail = true;
	mem.fail_at = 5;
	mem.chunk = 5;
	CHECK_STR_EQ(render(FMT_MBOX, &ret),
	    "From MAILER-DAEMON Thu Jan  1 00:00:00 1970\nRetur\n\n");
	CHECK(ret == -1);
}

/* ---- pseudo-random messages ------------------------------------------------- */

/* random(3) with a fixed seed: the same messages on every run */
static unsigned
rnd(unsigned n)
{
	return (unsigned)random() % n;
}

static size_t
random_message(char *buf, size_t cap)
{
	static const char *pieces[] = {
		"Return-Path: <", "X-Original-To: ", "a@x.test", ">\n", "\n",
		"\n ", "\r\n", "Subject: ", "=?utf-8?q?=C3=A9?=", "From ",
		"Date: Sat, 28 Nov 2026 17:48:40 +0000\n", "To: ", ":", " ",
		"\xe2\x80\xae", "\xc2\x85", "\xff", "\"", "\\", "<>",
	};
	size_t i = 0, len = rnd((unsigned)cap);

	if (rnd(2))
		i = (size_t)snprintf(buf, cap, "Return-Path: <s@x.test>\n");
	while (i < len) {
		const char *p = pieces[rnd(sizeof(pieces) / sizeof(pieces[0]))];
		if (rnd(4) == 0)
			buf[i++] = (char)rnd(256);
		for (; *p && i < len; p++)
			buf[i++] = *p;
	}
	return len > i ? i : len;
}

/* Whatever the message and however it is read, the records are the same,
 * and a JSON or summary record is one line. */
static void
test_random(void)
{
	static char buf[8192];
	static const enum format formats[] = { FMT_SUMMARY, FMT_JSON,
		FMT_MBOX };
	struct sink first = { 0 };
	int bad_lines = 0, bad_same = 0, ret;

	srandom(12);
	for (int round = 0; round < 2000; round++) {
		size_t len = random_message(buf, sizeof(buf));
		enum format f = formats[round % 3];
		const char *got;
		CHECK(load(buf, len, 0) == 0);
		(void)passes("a@x.test", NULL);
		got = render(f, &ret);
		first.len = 0;
		sink_emit(&first, got, rec.len);
		if (f != FMT_MBOX && (rec.len == 0 || strchr(got, '\n') !=
		    got + rec.len - 1))
			bad_lines++;
		CHECK(load(buf, len, 1 + rnd(40)) == 0);
		got = render(f, &ret);
		if (rec.len != first.len || memcmp(got, first.buf, rec.len))
			bad_same++;
	}
	CHECK(bad_lines == 0);
	CHECK(bad_same == 0);
	free(first.buf);
}

int
main(void)
{
	test_field_next();
	test_unfold();
	test_envelope();
	test_envelope_variants();
	test_filter();
	test_summary();
	test_json();
	test_mbox();
	test_random();
	free(rec.buf);
	return check_finish("test_watch_message");
}
