/*
 * fuzz_bdat.c: BDAT's framing (src/core/bdat.c) against DATA's machine.
 *
 * Input: byte 0 the configuration (bit 0 a local session, bits 1-2 the
 * size limit), bytes 1-2 the seed of the chunk sizes and of the reads
 * within a chunk, then the message.
 *
 * Invariants: exactly the chunk's octets are consumed, never more; no CR
 * reaches the output; the output, the size, the bare line end flag, the
 * too-big flag and the hop count are the same however the message is cut
 * into chunks and reads; and for a message that ends in CRLF they are
 * those of DATA for the same message, dot-stuffed where DATA sees a line
 * start (what a client sending DATA would do).
 */
#include <stdbool.h>
#include <string.h>

#include "core/bdat.h"
#include "core/data.h"
#include "fuzz.h"

struct result {
	struct log out;
	uint64_t size;
	bool bare, too_big;
	unsigned hops;
};

static int
out_write(void *ctx, const char *p, size_t n)
{
	REQUIRE(n > 0 && memchr(p, '\r', n) == NULL);
	log_add(ctx, p, n);
	return 0;
}

static void
by_bdat(const char *x, size_t n, bool lf_ok, uint64_t max, uint32_t seed,
    struct result *r)
{
	static struct body b;
	struct chunk c;
	struct cutter chunks, reads;
	size_t off = 0;

	memset(r, 0, sizeof(*r));
	memset(&c, 0, sizeof(c));
	cutter_init(&chunks, seed);
	cutter_init(&reads, seed >> 8);
	body_begin(&b, max, out_write, &r->out);
	bdat_begin(&c, lf_ok);
	while (off < n) {
		size_t len = seed ? cutter_next(&chunks, n - off) : n - off;
		size_t done = 0;
		c.left = len;
		while (done < len) {
			/* more offered than the chunk holds: the rest is
			 * the next command's, never the chunk's */
			size_t k = seed ? cutter_next(&reads, n - off - done) :
			    n - off - done;
			size_t used = bdat_feed(&c, &b, x + off + done, k);
			REQUIRE(used == (k < len - done ? k : len - done));
			done += used;
		}
		REQUIRE(c.left == 0);
		off += len;
	}
	bdat_finish(&c, &b);
	r->size = b.size, r->bare = c.bare, r->too_big = b.too_big;
	r->hops = b.hops;
}

static void
by_data(const char *x, size_t n, bool lf_ok, uint64_t max, struct result *r)
{
	static struct data_machine d;
	struct log in = { 0 };

	for (size_t i = 0; i < n; i++) {
		bool bol = i == 0 || (i >= 2 && x[i - 2] == '\r' &&
		    x[i - 1] == '\n') || (lf_ok && x[i - 1] == '\n');
		if (bol && x[i] == '.')
			log_add(&in, ".", 1);
		log_add(&in, x + i, 1);
	}
	log_add(&in, ".\r\n", 3);
	memset(r, 0, sizeof(*r));
	data_begin(&d, lf_ok, max, out_write, &r->out);
	REQUIRE(data_feed(&d, in.p, in.len) == in.len && data_done(&d));
	r->size = d.body.size, r->bare = d.bare, r->too_big = d.body.too_big;
	r->hops = d.body.hops;
	log_free(&in);
}

static void
require_same(const struct result *a, const struct result *b)
{
	REQUIRE(a->out.len == b->out.len);
	REQUIRE(a->out.len == 0 || memcmp(a->out.p, b->out.p, a->out.len) == 0);
	REQUIRE(a->size == b->size && a->bare == b->bare);
	REQUIRE(a->too_big == b->too_big && a->hops == b->hops);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t sizes[] = { 0, 1, 64, 1000 };
	struct result whole, cut, dat;
	const char *x;
	uint64_t max;
	uint32_t seed;
	bool lf_ok;
	size_t n;

	if (size < 3)
		return 0;
	lf_ok = data[0] & 1;
	max = sizes[(data[0] >> 1) & 3];
	seed = (uint32_t)data[1] << 8 | data[2];
	x = (const char *)data + 3;
	n = size - 3;
	by_bdat(x, n, lf_ok, max, 0, &whole);
	by_bdat(x, n, lf_ok, max, seed | 1, &cut);
	require_same(&whole, &cut);
	if (n >= 2 && x[n - 2] == '\r' && x[n - 1] == '\n') {
		by_data(x, n, lf_ok, max, &dat);
		require_same(&whole, &dat);
		log_free(&dat.out);
	}
	log_free(&whole.out);
	log_free(&cut.out);
	return 0;
}
