/*
 * test_bdat.c: BDAT's framing (core/bdat.c): the count's syntax, and the
 * same message stored whether it comes by DATA or in BDAT chunks cut
 * anywhere: the same bytes, size, bare line end flag and hop count.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/bdat.h"
#include "core/data.h"

static void
test_parse(void)
{
	static const struct {
		const char *arg;
		bool ok, last;
		uint64_t n;
	} cases[] = {
		{ "0", true, false, 0 },
		{ "0 LAST", true, true, 0 },
		{ "12 last", true, true, 12 },
		{ "12  LaSt  ", true, true, 12 },
		{ "007", true, false, 7 },
		{ "18446744073709551615", true, false, UINT64_MAX },
		{ "18446744073709551616", false, false, 0 },
		{ "99999999999999999999", false, false, 0 },
		{ "", false, false, 0 },
		{ "abc", false, false, 0 },
		{ "-1", false, false, 0 },
		{ "+1", false, false, 0 },
		{ "1.5", false, false, 0 },
		{ "0x10", false, false, 0 },
		{ "5 5", false, false, 0 },
		{ "5 LASTX", false, false, 0 },
		{ "5 LAST x", false, false, 0 },
		{ "5 FIRST", false, false, 0 },
		{ "5\tLAST", false, false, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *a = cases[i].arg;
		uint64_t n = 42;
		bool last = false;
		bool ok = bdat_parse(a, a + strlen(a), &n, &last);
		CHECK(ok == cases[i].ok);
		if (ok && cases[i].ok)
			CHECK(n == cases[i].n && last == cases[i].last);
		if (ok != cases[i].ok)
			fprintf(stderr, "  case \"%s\"\n", a);
	}
}

struct out {
	char *p;
	size_t len, cap;
};

static int
out_write(void *ctx, const char *p, size_t n)
{
	struct out *o = ctx;

	if (o->len + n > o->cap) {
		o->cap = (o->len + n) * 2;
		o->p = realloc(o->p, o->cap);
		if (o->p == NULL)
			abort();
	}
	memcpy(o->p + o->len, p, n);
	o->len += n;
	return 0;
}

struct result {
	struct out out;
	uint64_t size;
	bool bare, too_big;
	unsigned hops;
};

/* The message x by DATA: dot-stuffed where DATA sees a line start. */
static void
by_data(const char *x, size_t n, bool lf_ok, uint64_t max, struct result *r)
{
	static struct data_machine d;
	char *in = malloc(2 * n + 8);
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		bool bol = i == 0 || (i >= 2 && x[i - 2] == '\r' &&
		    x[i - 1] == '\n') || (lf_ok && x[i - 1] == '\n');
		if (bol && x[i] == '.')
			in[k++] = '.';
		in[k++] = x[i];
	}
	memcpy(in + k, ".\r\n", 3);
	k += 3;
	memset(r, 0, sizeof(*r));
	data_begin(&d, lf_ok, max, out_write, &r->out);
	CHECK(data_feed(&d, in, k) == k && data_done(&d));
	r->size = d.body.size, r->bare = d.bare, r->too_big = d.body.too_big;
	r->hops = d.body.hops;
	free(in);
}

/* The message x in BDAT chunks of `step` octets, each fed in reads of
 * `cut` octets. */
static void
by_bdat(const char *x, size_t n, bool lf_ok, uint64_t max, size_t step,
    size_t cut, struct result *r)
{
	static struct body b;
	struct chunk c;
	size_t off = 0;

	memset(r, 0, sizeof(*r));
	memset(&c, 0, sizeof(c));
	body_begin(&b, max, out_write, &r->out);
	bdat_begin(&c, lf_ok);
	do {
		size_t len = n - off < step ? n - off : step, done = 0;
		c.left = len;
		while (done < len) {
			size_t k = len - done < cut ? len - done : cut;
			size_t used = bdat_feed(&c, &b, x + off + done, k);
			CHECK(used == k);
			done += used;
		}
		CHECK(c.left == 0);
		off += len;
	} while (off < n);
	bdat_finish(&c, &b);
	r->size = b.size, r->bare = c.bare, r->too_big = b.too_big;
	r->hops = b.hops;
}

static bool
same(const struct result *a, const struct result *b)
{
	return a->out.len == b->out.len &&
	    memcmp(a->out.p, b->out.p, a->out.len) == 0 &&
	    a->size == b->size && a->bare == b->bare &&
	    a->too_big == b->too_big && a->hops == b->hops;
}

static void
compare(const char *x, size_t n, bool lf_ok, uint64_t max, size_t step,
    size_t cut)
{
	struct result d, c;

	by_data(x, n, lf_ok, max, &d);
	by_bdat(x, n, lf_ok, max, step, cut, &c);
	CHECK(same(&d, &c));
	if (!same(&d, &c))
		fprintf(stderr, "  step %zu cut %zu lf_ok %d: DATA %zu octets "
		    "size %llu bare %d, BDAT %zu octets size %llu bare %d\n",
		    step, cut, lf_ok, d.out.len, (unsigned long long)d.size,
		    d.bare, c.out.len, (unsigned long long)c.size, c.bare);
	free(d.out.p);
	free(c.out.p);
}

static void
test_same_as_data(void)
{
	static const char *msgs[] = {
		"Subject: s\r\n\r\nbody\r\n",
		"Received: a\r\nreceived: b\r\n\r\n.\r\n..\r\n.x\r\n",
		"no header\r\n.\r\nMAIL FROM:<x>\r\n",
		"bare\nLF\r\nbare\rCR\r\n\r\r\n\n\r\n",
		"\r\n",
		"a\r\n.\n.\r\r\n",
	};

	for (size_t m = 0; m < sizeof(msgs) / sizeof(msgs[0]); m++) {
		size_t n = strlen(msgs[m]);
		for (size_t step = 1; step <= n; step++)
			for (int lf = 0; lf < 2; lf++) {
				compare(msgs[m], n, lf, 0, step, 1);
				compare(msgs[m], n, lf, 0, step, 3);
				compare(msgs[m], n, lf, 10, step, 64);
			}
	}
}

/* Random messages of CR, LF, dots and letters, ending in CRLF. */
static void
test_random(void)
{
	static const char alphabet[] = "\r\n.aR:";
	unsigned long rng = 12345;
	char x[200];

	for (int t = 0; t < 3000; t++) {
		size_t n;
		rng = rng * 6364136223846793005UL + 1442695040888963407UL;
		n = (size_t)(rng >> 33) % (sizeof(x) - 2);
		for (size_t i = 0; i < n; i++) {
			rng = rng * 6364136223846793005UL + 1;
			x[i] = alphabet[(rng >> 33) % (sizeof(alphabet) - 1)];
		}
		memcpy(x + n, "\r\n", 2);
		compare(x, n + 2, t & 1, t % 3 ? 0 : 50, 1 + (size_t)(rng >> 40) % 17,
		    1 + (size_t)(rng >> 50) % 5);
	}
}

/* A last line without a line end gets one; a CR at the very end is a
 * bare one. */
static void
test_finish(void)
{
	struct result r;

	by_bdat("abc", 3, false, 0, 2, 1, &r);
	CHECK_MEM_EQ(r.out.p, r.out.len, "\nabc\n", 5);
	CHECK(!r.bare && r.size == 5);
	free(r.out.p);
	by_bdat("x: y\r", 5, false, 0, 5, 5, &r);
	CHECK_MEM_EQ(r.out.p, r.out.len, "x: y\n", 5);
	CHECK(r.bare);
	free(r.out.p);
}

int
main(void)
{
	test_parse();
	test_same_as_data();
	test_random();
	test_finish();
	return check_finish("bdat");
}
