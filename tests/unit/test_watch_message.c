/*
 * test_watch_message.c: unit tests of how smtp-watch reads a stored
 * message: header fields in a buffer and through a stream's window
 * (fields.c), the envelope block (envelope.c), the fields shown
 * (message.c), the --rcpt and --from filter (filter.c), and the three
 * output formats rendered to bytes (format.c).  Messages come from memory
 * through a reader that may return short pieces or fail.
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

/* A Return-Path, n recipients r0@x.test.. and a Subject: into a new
 * buffer. */
static char *
many_rcpts(size_t n, size_t *len)
{
	char *p = malloc(64 + 32 * n), *q = p;

	q += sprintf(q, "Return-Path: <a@x.test>\n");
	for (size_t i = 0; i < n; i++)
		q += sprintf(q, "X-Original-To: r%zu@x.test\n", i);
	q += sprintf(q, "Subject: many\n\nbody\n");
	*len = (size_t)(q - p);
	return p;
}

/* ---- fields in a buffer -------------------------------------------------- */

static void
test_field_next(void)
{
	static const char h[] = "Subject : x\nBad line\n";
	struct field f;
	size_t pos = 0;

	CHECK(field_next(h, sizeof(h) - 1, true, &pos, &f) == FIELD_OK);
	CHECK(field_is(&f, "subject") && !field_is(&f, "subjec"));
	CHECK_MEM_EQ(f.value, f.valuelen, " x", 2);
	CHECK(field_next(h, sizeof(h) - 1, true, &pos, &f) == FIELD_END);
	CHECK(pos == 12); /* stays on the line that is not a field */
	pos = 0;
	CHECK(field_next(" leading\nSubject: x\n", 20, true, &pos, &f) ==
	    FIELD_END);

	/* the end of the bytes at hand: more may follow, or not */
	pos = 0;
	CHECK(field_next("Subject: x", 10, false, &pos, &f) == FIELD_MORE);
	CHECK(pos == 0 && field_is(&f, "Subject"));
	CHECK(field_next("Subject: x", 10, true, &pos, &f) == FIELD_OK);
	CHECK(pos == 10 && f.valuelen == 2);
	pos = 0;
	CHECK(field_next("Subject: x\n", 11, false, &pos, &f) == FIELD_MORE);
	CHECK(field_next("Subject: x\n", 11, true, &pos, &f) == FIELD_OK);
	CHECK(pos == 11 && f.valuelen == 2);
	pos = 0;
	CHECK(field_next("Subj", 4, false, &pos, &f) == FIELD_MORE);
	CHECK(f.name == NULL);
	CHECK(field_next("Subj", 4, true, &pos, &f) == FIELD_END);
	pos = 0;
	CHECK(field_next("", 0, false, &pos, &f) == FIELD_MORE);
	CHECK(field_next("", 0, true, &pos, &f) == FIELD_END);

	/* continuation lines, and the line end that tells */
	pos = 0;
	CHECK(field_next("A: x\n y\nB: z\n", 13, false, &pos, &f) ==
	    FIELD_OK);
	CHECK_MEM_EQ(f.value, f.valuelen, " x\n y", 5);
	CHECK(pos == 8);
	CHECK(field_next("A: x\n y\nB: z\n", 13, false, &pos, &f) ==
	    FIELD_MORE);
	CHECK(field_next("A: x\n y\nB: z\n", 13, true, &pos, &f) == FIELD_OK);

	/* blank lines */
	pos = 0;
	CHECK(field_next("\r", 1, false, &pos, &f) == FIELD_MORE);
	CHECK(field_next("\r", 1, true, &pos, &f) == FIELD_END && pos == 1);
	pos = 0;
	CHECK(field_next("\r\nbody", 6, false, &pos, &f) == FIELD_END);
	CHECK(pos == 2);
	pos = 0;
	CHECK(field_next("\nbody", 5, false, &pos, &f) == FIELD_END);
	CHECK(pos == 1);
	pos = 0;
	CHECK(field_next("\rX: y\n", 6, true, &pos, &f) == FIELD_END);
	CHECK(pos == 0);
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

/* ---- streams ------------------------------------------------------------- */

/* The fields of p through a stream, read chunk bytes at a time, as
 * "name=value;" (value unfolded, "LONG" for a FIELD_LONG) into got. */
static void
stream_fields(const char *p, size_t len, size_t chunk, struct sink *got)
{
	static struct fieldstream s;
	struct mem m = { .p = p, .len = len, .chunk = chunk };
	struct reader rd = { mem_read, &m };
	enum field_step st;
	struct field f;
	char v[256];

	got->len = 0;
	sink_emit(got, "", 0);
	fieldstream_init(&s, &rd, 0);
	while ((st = fieldstream_next(&s, &f)) != FIELD_END) {
		sink_emit(got, f.name, f.namelen);
		sink_emit(got, "=", 1);
		if (st == FIELD_LONG)
			sink_emit(got, "LONG", 4);
		else
			sink_emit(got, v, field_unfold(v, sizeof(v), f.value,
			    f.valuelen, NULL));
		sink_emit(got, ";", 1);
	}
	CHECK(!s.failed);
}

static void
test_stream(void)
{
	static const char h[] = "A: 1\nB: two\n\tlines\nC:\nD: 4\n\nE: body\n";
	size_t len = FIELD_WINDOW + 100, n;
	char *big = malloc(2 * len);
	struct sink got = { 0 };

	for (size_t chunk = 0; chunk < 12; chunk++) {
		stream_fields(h, sizeof(h) - 1, chunk, &got);
		CHECK_STR_EQ(got.buf, "A=1;B=two\tlines;C=;D=4;");
	}

	/* a field longer than the window: its name, then the next one */
	n = (size_t)sprintf(big, "A: 1\nLong: ");
	memset(big + n, 'x', len);
	n += len;
	n += (size_t)sprintf(big + n, "\n continued\nB: 2\n\n");
	stream_fields(big, n, 0, &got);
	CHECK_STR_EQ(got.buf, "A=1;Long=LONG;B=2;");
	stream_fields(big, n, 4093, &got);
	CHECK_STR_EQ(got.buf, "A=1;Long=LONG;B=2;");
	/* at the end of the message */
	stream_fields(big, n - 6, 0, &got);
	CHECK_STR_EQ(got.buf, "A=1;Long=LONG;");
	/* a window of ftext is no field name: the header ends */
	memset(big, 'N', len);
	stream_fields(big, len, 0, &got);
	CHECK_STR_EQ(got.buf, "");

	/* exactly the window, line end included, needs the next byte */
	n = (size_t)sprintf(big, "X: ");
	memset(big + n, 'y', FIELD_WINDOW - n - 1);
	big[FIELD_WINDOW - 1] = '\n';
	memcpy(big + FIELD_WINDOW, "Z: 1\n", 5);
	stream_fields(big, FIELD_WINDOW + 5, 0, &got);
	CHECK_STR_EQ(got.buf, "X=LONG;Z=1;");
	free(got.buf);
	free(big);
}

static void
test_stream_seek_and_fail(void)
{
	static const char h[] = "A: 1\nB: 2\nC: 3\n\n";
	static struct fieldstream s;
	struct mem m = { .p = h, .len = sizeof(h) - 1 };
	struct reader rd = { mem_read, &m };
	struct field f;
	uint64_t at;

	fieldstream_init(&s, &rd, 0);
	CHECK(fieldstream_next(&s, &f) == FIELD_OK && s.at == 0);
	CHECK(fieldstream_next(&s, &f) == FIELD_OK && s.at == 5);
	at = s.at;
	CHECK(fieldstream_next(&s, &f) == FIELD_OK && field_is(&f, "C"));
	fieldstream_seek(&s, at);
	CHECK(fieldstream_next(&s, &f) == FIELD_OK && field_is(&f, "B"));
	CHECK(fieldstream_next(&s, &f) == FIELD_OK && field_is(&f, "C"));
	CHECK(fieldstream_next(&s, &f) == FIELD_END && s.at == 15);

	/* before the window: read anew */
	fieldstream_init(&s, &rd, 10);
	CHECK(fieldstream_next(&s, &f) == FIELD_OK && field_is(&f, "C"));
	fieldstream_seek(&s, 0);
	CHECK(fieldstream_next(&s, &f) == FIELD_OK && field_is(&f, "A"));
	CHECK(s.at == 0 && s.base == 0);

	m.fail = true;
	m.fail_at = 3;
	m.chunk = 4;
	fieldstream_init(&s, &rd, 0);
	CHECK(fieldstream_next(&s, &f) == FIELD_END && s.failed);
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

/* The recipients, as "a,b,c" ("!" after a cut one). */
static const char *
rcpts(void)
{
	static struct sink s;
	struct addr a;
	int r;

	s.len = 0;
	sink_emit(&s, "", 0);
	rcpt_iter_init(&msg.rcpts, &msg.rd, &msg.env);
	while ((r = rcpt_iter_next(&msg.rcpts, &a)) > 0) {
		if (s.len)
			sink_emit(&s, ",", 1);
		sink_emit(&s, a.s, a.len);
		if (a.cut)
			sink_emit(&s, "!", 1);
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
		CHECK(msg.env.sender.len == 19 && !msg.env.sender.cut);
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

/* An address too long to show whole, or in a field longer than the
 * window, is cut, and says so. */
static void
test_envelope_cut(void)
{
	size_t n, len = FIELD_WINDOW + 10;
	char *p = malloc(len + ADDR_MAX + 256);

	n = (size_t)sprintf(p, "Return-Path: <");
	memset(p + n, 's', ADDR_MAX);
	n += ADDR_MAX;
	n += (size_t)sprintf(p + n, "@x.test>\nX-Original-To: ");
	memset(p + n, 'r', len);
	n += len;
	n += (size_t)sprintf(p + n, "@x.test\nX-Original-To: ok@x.test\n\n");
	CHECK(load(p, n, 0) == 0);
	CHECK(msg.env.sender.cut && msg.env.sender.len == ADDR_MAX - 1);
	CHECK(msg.env.nrcpt == 2);
	CHECK(strcmp(rcpts() + ADDR_MAX - 1, "!,ok@x.test") == 0);
	free(p);
}

/* smtp-watch's #12: a block longer than one read, with the end of the
 * first window in the middle of an address. */
static void
test_envelope_long_block(void)
{
	char *p = malloc(FIELD_WINDOW * 2);
	size_t len, n, count = 0, pad;

	n = (size_t)sprintf(p, "Return-Path: <a@x.test>\n");
	while (n < FIELD_WINDOW - 100) {
		n += (size_t)sprintf(p + n, "X-Original-To: %08zu@x.test\n", n);
		count++;
	}
	/* "victim@example.test" ends exactly at the end of the window */
	pad = FIELD_WINDOW - 34 - n - 23;
	n += (size_t)sprintf(p + n, "X-Original-To: %0*d@x.test\n", (int)pad, 0);
	n += (size_t)sprintf(p + n, "X-Original-To: victim@example.test");
	CHECK(n == FIELD_WINDOW);
	n += (size_t)sprintf(p + n, ".evil\nX-Original-To: carol@real.test\n"
	    "Subject: s\n\nbody\n");
	len = n;
	for (size_t chunk = 0; chunk < 3; chunk++) {
		const char *r;
		CHECK(load(p, len, chunk ? 4096 * chunk + 1 : 0) == 0);
		CHECK(msg.env.nrcpt == count + 3);
		CHECK_STR_EQ(text(&msg.subject), "s");
		r = rcpts();
		CHECK(strstr(r, ",victim@example.test.evil,carol@real.test") ==
		    r + strlen(r) - 41);
		CHECK(strchr(r, '!') == NULL);
	}
	free(p);

	p = many_rcpts(3000, &len);
	for (size_t chunk = 0; chunk < 3; chunk++) {
		const char *r;
		CHECK(load(p, len, chunk * 1000) == 0);
		CHECK(msg.env.nrcpt == 3000);
		CHECK_STR_EQ(text(&msg.subject), "many");
		r = rcpts();
		CHECK(strncmp(r, "r0@x.test,r1@x.test,", 20) == 0);
		CHECK(strcmp(r + strlen(r) - 13, ",r2999@x.test") == 0);
		CHECK(strchr(r, '!') == NULL);
	}
	free(p);
}

/* The fields shown come from one window after the block; one that the
 * end of the window cuts is absent, not shown cut. */
static void
test_fields_window(void)
{
	size_t n = 0, pad;
	char *p = malloc(2 * FIELD_WINDOW);

	n += (size_t)sprintf(p + n, "Return-Path: <a@x.test>\n"
	    "X-Original-To: b@x.test\nSubject: first\nX-Pad: ");
	pad = FIELD_WINDOW - (n - 49) - 40;
	memset(p + n, 'p', pad);
	n += pad;
	n += (size_t)sprintf(p + n, "\nDate: Sat, 28 Nov 2026 17:48:40 +0000\n"
	    "To: after@x.test\n\n");
	CHECK(load(p, n, 0) == 0);
	CHECK_STR_EQ(text(&msg.subject), "first");
	CHECK(msg.date.name == NULL); /* cut by the end of the window */
	CHECK(msg.to.name == NULL);
	free(p);
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
	char *p;
	size_t len, n;

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

	/* every recipient of a long block counts, however it is read */
	p = many_rcpts(4000, &len);
	CHECK(load(p, len, 0) == 0);
	CHECK(passes("r3999@x.test", NULL) == 1);
	CHECK(passes("r0@x.test", "a@x.test") == 1);
	CHECK(passes("r4000@x.test", NULL) == 0);
	mem.fail = true;
	mem.fail_at = len / 2;
	CHECK(passes("r3999@x.test", NULL) == -1);
	free(p);

	/* a cut sender matches nothing, not even its start */
	p = malloc(ADDR_MAX + 64);
	n = (size_t)sprintf(p, "Return-Path: <");
	memset(p + n, 'a', ADDR_MAX);
	n += ADDR_MAX;
	n += (size_t)sprintf(p + n, "@x.test>\n\n");
	CHECK(load(p, n, 0) == 0);
	p[ADDR_MAX - 1 + 14] = '\0';
	CHECK(passes(NULL, p + 14) == 0);
	free(p);

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
test_json_many(void)
{
	size_t len, count = 0;
	char *p = many_rcpts(3000, &len);
	const char *line, *q;
	int ret;

	CHECK(load(p, len, 0) == 0);
	line = render(FMT_JSON, &ret);
	CHECK(ret == 0);
	for (q = line; (q = strstr(q, "@x.test\"")) != NULL; q++)
		count++;
	CHECK(count == 3001); /* the sender, and each recipient */
	CHECK(strstr(line, "[\"r0@x.test\",\"r1@x.test\",") != NULL);
	CHECK(strstr(line, ",\"r2999@x.test\"],\"subject\":\"many\"") != NULL);

	/* a read that fails on the way ends the array: the line stays JSON */
	mem.fail = true;
	mem.fail_at = len / 2;
	line = render(FMT_JSON, &ret);
	CHECK(ret == -1);
	CHECK(strstr(line, "@x.test\"],\"subject\":\"many\"") != NULL);
	CHECK(line[strlen(line) - 1] == '\n' && strchr(line, '\n') ==
	    line + strlen(line) - 1);
	free(p);
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
	test_stream();
	test_stream_seek_and_fail();
	test_envelope();
	test_envelope_variants();
	test_envelope_cut();
	test_envelope_long_block();
	test_fields_window();
	test_filter();
	test_summary();
	test_json();
	test_json_many();
	test_mbox();
	test_random();
	free(rec.buf);
	return check_finish("test_watch_message");
}
