/* Unit tests of data.c: the end of data, unstuffing, line ends, sizes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/data.h"

struct sink {
	char buf[8192];
	size_t len;
	int fail;
};

static int
sink_write(void *ctx, const char *p, size_t n)
{
	struct sink *s = ctx;

	if (s->fail) {
		errno = s->fail;
		return -1;
	}
	if (s->len + n <= sizeof(s->buf)) {
		memcpy(s->buf + s->len, p, n);
		s->len += n;
	}
	return 0;
}

/* Feeds in (n bytes) cut every `step` bytes; returns bytes consumed. */
static size_t
run(struct data_machine *d, struct sink *s, bool lf_ok, uint64_t max,
    const char *in, size_t n, size_t step)
{
	size_t off = 0;

	memset(s, 0, sizeof(*s));
	data_begin(d, lf_ok, max, sink_write, s);
	while (off < n && !data_done(d)) {
		size_t k = n - off < step ? n - off : step;
		size_t used = data_feed(d, in + off, k);
		off += used;
		if (used < k)
			break;
	}
	return off;
}

#define RUN(d, s, lf, max, lit, step) run(d, s, lf, max, lit, sizeof(lit) - 1, step)

static void
test_end(void)
{
	struct data_machine d;
	struct sink s;
	static const char msg[] = "a\r\n..b\r\n.\r\nNEXT";
	size_t used;

	for (size_t step = 1; step <= sizeof(msg); step++) {
		used = RUN(&d, &s, false, 0, msg, step);
		CHECK(data_done(&d));
		CHECK(used == sizeof(msg) - 1 - 4); /* "NEXT" is left */
		CHECK_MEM_EQ(s.buf, s.len, "\na\n.b\n", 6);
		CHECK(d.body.size == 7); /* "a\r\n.b\r\n" */
		CHECK(!d.bare);
	}
	/* the DATA command's own CRLF starts the first line */
	used = RUN(&d, &s, false, 0, ".\r\n", 1);
	CHECK(data_done(&d) && used == 3 && s.len == 0);
}

static void
test_smuggling(void)
{
	static const char *variants[] = {
		"x\n.\nMAIL\r\n", "x\r.\rMAIL\r\n", "x\n.\r\nMAIL\r\n",
		"x\r\n.\nMAIL\r\n", "x\r\n.\rMAIL\r\n", "x\r\n.\r\rMAIL\r\n",
		"x\r\n\0.\r\nMAIL\r\n", "x\r\n.\0\r\nMAIL\r\n",
	};
	struct data_machine d;
	struct sink s;

	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		char in[64];
		size_t n = strlen(variants[i]);
		if (i >= 6)
			n = 11; /* they hold a NUL */
		memcpy(in, variants[i], n);
		memcpy(in + n, "\r\n.\r\n", 5);
		for (size_t step = 1; step < 4; step++) {
			size_t used = run(&d, &s, false, 0, in, n + 5, step);
			CHECK(data_done(&d));
			CHECK(used == n + 5); /* only the real end ends it */
			CHECK(i >= 6 || d.bare);
			CHECK(memmem(s.buf, s.len, "MAIL", 4) != NULL);
		}
	}
}

static void
test_local(void)
{
	struct data_machine d;
	struct sink s;

	RUN(&d, &s, true, 0, "typed\n..dot\n.\n", 1);
	CHECK(data_done(&d) && !d.bare);
	CHECK_MEM_EQ(s.buf, s.len, "\ntyped\n.dot\n", 12);
	RUN(&d, &s, true, 0, "mixed\r\nends\n.\r\n", 3);
	CHECK(data_done(&d) && !d.bare);
	CHECK_MEM_EQ(s.buf, s.len, "\nmixed\nends\n", 12);
	RUN(&d, &s, true, 0, "bare\rcr\n.\n", 2);
	CHECK(data_done(&d) && d.bare);
	CHECK_MEM_EQ(s.buf, s.len, "\nbare\ncr\n", 9);
}

static void
test_size(void)
{
	struct data_machine d;
	struct sink s;

	RUN(&d, &s, false, 10, "0123456789\r\n.\r\n", 4);
	CHECK(data_done(&d) && d.body.too_big);
	/* the client's octets up to the limit, after our blank line */
	CHECK_MEM_EQ(s.buf, s.len, "\n0123456789", 11);
	RUN(&d, &s, false, 12, "0123456789\r\n.\r\n", 4);
	CHECK(data_done(&d) && !d.body.too_big && d.body.size == 12);
	s.fail = 0;
	memset(&s, 0, sizeof(s));
	s.fail = ENOSPC;
	data_begin(&d, false, 0, sink_write, &s);
	data_feed(&d, "abc\r\n.\r\n", 8);
	CHECK(data_done(&d) && d.body.write_errno == ENOSPC);
}

/* A message that does not begin with a header field gets the empty line
 * that ends the header section; one that does, or that begins with the
 * empty line itself, is passed on as it is. */
static void
test_head(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "Subject: x\r\n\r\nbody\r\n.\r\n", "Subject: x\n\nbody\n" },
		{ "\r\nbody\r\n.\r\n", "\nbody\n" },
		{ "..\r\nbody\r\n.\r\n", "\n.\nbody\n" },
		{ "MAIL FROM:<x>\r\n.\r\n", "\nMAIL FROM:<x>\n" },
		{ "From x\r\nSubject: y\r\n.\r\n", "\nFrom x\nSubject: y\n" },
		{ ":no-name\r\n.\r\n", "\n:no-name\n" },
		{ " folded\r\n.\r\n", "\n folded\n" },
		{ "X-\xc3\xa9: v\r\n.\r\n", "\nX-\xc3\xa9: v\n" },
		{ "A:\r\n.\r\n", "A:\n" },
		{ "noline.\r\n.\r\n", "\nnoline.\n" },
	};
	struct data_machine d;
	struct sink s;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (size_t step = 1; step < 8; step += 3) {
			run(&d, &s, false, 0, cases[i].in, strlen(cases[i].in),
			    step);
			CHECK(data_done(&d));
			CHECK_MEM_EQ(s.buf, s.len, cases[i].out,
			    strlen(cases[i].out));
			CHECK(d.body.blank_inserted == (cases[i].out[0] == '\n' &&
			    cases[i].in[0] != '\r'));
		}
	}
	/* a first line of 997 name octets and a colon is a field; 998 is not */
	char *in = malloc(1200);
	memset(in, 'n', 998);
	memcpy(in + 997, ":\r\n.\r\n", 7);
	run(&d, &s, false, 0, in, 1004, 5);
	CHECK(data_done(&d) && !d.body.blank_inserted && s.len == 999);
	memset(in, 'n', 998);
	memcpy(in + 998, ":\r\n.\r\n", 7);
	run(&d, &s, false, 0, in, 1005, 5);
	CHECK(data_done(&d) && d.body.blank_inserted && s.len == 1001);
	free(in);
}

static void
test_hops(void)
{
	struct data_machine d;
	struct sink s;
	char *in = malloc(200 * 40 + 64);
	size_t n = 0;

	for (int i = 0; i < 3; i++)
		n += (size_t)sprintf(in + n, "Received: from h%d\r\n", i);
	n += (size_t)sprintf(in + n, "RECEIVED:x\r\n received: folded\r\n");
	n += (size_t)sprintf(in + n, "Subject: s\r\n\r\nReceived: body\r\n.\r\n");
	run(&d, &s, false, 0, in, n, 1);
	CHECK(data_done(&d));
	CHECK(d.body.hops == 4);
	run(&d, &s, false, 0, in, n, 7);
	CHECK(d.body.hops == 4);
	free(in);
}

int
main(void)
{
	test_end();
	test_head();
	test_smuggling();
	test_local();
	test_size();
	test_hops();
	return check_finish("data");
}
