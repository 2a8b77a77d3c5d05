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
		CHECK_MEM_EQ(s.buf, s.len, "a\n.b\n", 5);
		CHECK(d.size == 7); /* "a\r\n.b\r\n" */
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
	CHECK_MEM_EQ(s.buf, s.len, "typed\n.dot\n", 11);
	RUN(&d, &s, true, 0, "mixed\r\nends\n.\r\n", 3);
	CHECK(data_done(&d) && !d.bare);
	CHECK_MEM_EQ(s.buf, s.len, "mixed\nends\n", 11);
	RUN(&d, &s, true, 0, "bare\rcr\n.\n", 2);
	CHECK(data_done(&d) && d.bare);
	CHECK_MEM_EQ(s.buf, s.len, "bare\ncr\n", 8);
}

static void
test_size(void)
{
	struct data_machine d;
	struct sink s;

	RUN(&d, &s, false, 10, "0123456789\r\n.\r\n", 4);
	CHECK(data_done(&d) && d.too_big);
	CHECK_MEM_EQ(s.buf, s.len, "0123456789", 10);
	RUN(&d, &s, false, 12, "0123456789\r\n.\r\n", 4);
	CHECK(data_done(&d) && !d.too_big && d.size == 12);
	s.fail = 0;
	memset(&s, 0, sizeof(s));
	s.fail = ENOSPC;
	data_begin(&d, false, 0, sink_write, &s);
	data_feed(&d, "abc\r\n.\r\n", 8);
	CHECK(data_done(&d) && d.write_errno == ENOSPC);
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
	CHECK(d.hops == 4);
	run(&d, &s, false, 0, in, n, 7);
	CHECK(d.hops == 4);
	free(in);
}

int
main(void)
{
	test_end();
	test_smuggling();
	test_local();
	test_size();
	test_hops();
	return check_finish("data");
}
