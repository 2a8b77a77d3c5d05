/*
 * fuzz_data.c: the DATA machine (src/core/data.c) against a plain reference.
 *
 * Input: one byte of configuration (bit 0 a local session, bits 1-2 the
 * size limit, bit 3 every write fails, bit 4 no writer at all, as under
 * --discard), two bytes that choose where the message is cut, then the
 * bytes that follow the 354.
 *
 * Invariants: the machine stops exactly where the reference, a byte at a
 * time reading of RFC 5321 4.5.2 as data.c documents it, finds the end
 * (<CRLF>.<CRLF> on the network, <LF>.<LF> too locally); the output, the
 * size, the bare-line-end flag and the hop count are the reference's, and
 * they are the same however the input is cut (whole, a byte at a time, or
 * in seeded pieces); no CR ever reaches the output; before the end the
 * output written so far is a beginning of the reference's, and at the end
 * it is all of it, or past --max-size the reference's cut at the limit;
 * a first line that is no header field gets an empty line in front, and
 * only a header section (one that begins with a field) counts hops.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "core/data.h"
#include "fuzz.h"

struct sink {
	struct log out;
	bool fail;
	unsigned writes;
};

static int
sink_write(void *ctx, const char *buf, size_t len)
{
	struct sink *k = ctx;

	REQUIRE(len > 0);
	REQUIRE(memchr(buf, '\r', len) == NULL);
	k->writes++;
	if (k->fail) {
		errno = ENOSPC;
		return -1;
	}
	log_add(&k->out, buf, len);
	return 0;
}

struct result {
	size_t consumed;
	bool done, bare, too_big;
	uint64_t size;
	unsigned hops;
	int write_errno;
	struct sink sink;
};

/* Feeds in pieces chosen by next(); 0 as the seed means whole. */
static void
run(struct result *r, const char *in, size_t len, bool lf_ok, uint64_t max,
    bool fail, bool none, int mode, uint32_t seed)
{
	struct data_machine d;
	struct cutter c;

	memset(r, 0, sizeof(*r));
	r->sink.fail = fail;
	cutter_init(&c, seed);
	data_begin(&d, lf_ok, max, none ? NULL : sink_write, &r->sink);
	while (r->consumed < len && !data_done(&d)) {
		size_t left = len - r->consumed, n;
		n = mode == 0 ? left : mode == 1 ? 1 : cutter_next(&c, left);
		size_t used = data_feed(&d, in + r->consumed, n);
		REQUIRE(used <= n);
		/* it stops early only at the end of the data */
		REQUIRE(used == n || data_done(&d));
		r->consumed += used;
	}
	r->done = data_done(&d);
	r->bare = d.bare;
	r->too_big = d.body.too_big;
	r->size = d.body.size;
	r->hops = d.body.hops;
	r->write_errno = d.body.write_errno;
}

/* ---- the reference -------------------------------------------------- */

struct ref {
	struct log out;
	size_t end; /* bytes up to and including the end, or where it stopped */
	bool done, bare;
	uint64_t size;
	unsigned hops;
	bool header;       /* the first line is a header field */
	bool decided;      /* ... or is known not to be */
	size_t decided_at; /* the octet of out that decided it */
};

static bool
is_ftext(unsigned char c)
{
	return c >= 33 && c <= 126 && c != ':';
}

/* body.h: is the first line "name:" with 1 to 997 ftext octets? */
static void
ref_first_line(struct ref *r)
{
	for (size_t i = 0; i < r->out.len; i++) {
		unsigned char c = (unsigned char)r->out.p[i];
		if (c == ':' && i > 0) {
			r->header = r->decided = true;
		} else if (!is_ftext(c) || i == 997) {
			/* an empty first line is the separator itself */
			r->header = c == '\n' && i == 0;
			r->decided = true;
		} else {
			continue;
		}
		r->decided_at = i;
		return;
	}
}

static uint64_t
out_size_n(const char *p, size_t n)
{
	uint64_t size = 0;

	for (size_t k = 0; k < n; k++)
		size += p[k] == '\n' ? 2 : 1;
	return size;
}

/* The empty line body.c puts in front of a first line that is no header
 * field: unless the size limit was passed before that was known. */
static bool
ref_blank(const struct ref *r, uint64_t max)
{
	return r->decided && !r->header &&
	    !(max && out_size_n(r->out.p, r->decided_at) > max);
}

static void
ref_run(struct ref *r, const unsigned char *in, size_t n, bool lf_ok)
{
	size_t i = 0;
	bool bol = true;

	memset(r, 0, sizeof(*r));
	while (i < n) {
		unsigned char c = in[i];
		if (bol && c == '.') {
			if (i + 1 == n)
				break; /* undecided */
			if (in[i + 1] == '\n' && lf_ok) {
				r->done = true, i += 2;
				break;
			}
			if (in[i + 1] == '\r') {
				if (i + 2 == n)
					break;
				if (in[i + 2] == '\n') {
					r->done = true, i += 3;
					break;
				}
				log_add(&r->out, ".", 1); /* a dot line, bare CR */
			} else if (in[i + 1] == '\n') {
				log_add(&r->out, ".", 1); /* a dot line, bare LF */
			}
			/* otherwise the stuffed dot goes */
			i++;
			bol = false;
			continue;
		}
		bol = false;
		if (c == '\r') {
			if (i + 1 == n)
				break;
			log_add(&r->out, "\n", 1);
			if (in[i + 1] == '\n') {
				bol = true, i += 2;
			} else {
				r->bare = true, i++;
			}
			continue;
		}
		if (c == '\n') {
			log_add(&r->out, "\n", 1);
			if (lf_ok)
				bol = true;
			else
				r->bare = true;
			i++;
			continue;
		}
		log_add(&r->out, &c, 1);
		i++;
	}
	r->end = r->done ? i : n;
	for (size_t k = 0; k < r->out.len; k++)
		r->size += r->out.p[k] == '\n' ? 2 : 1;
	/* Received: fields of the header section: the lines before the
	 * first empty one, if the first line is a field */
	ref_first_line(r);
	for (size_t k = 0; r->header && k < r->out.len;) {
		const char *e = memchr(r->out.p + k, '\n', r->out.len - k);
		size_t ll = e ? (size_t)(e - (r->out.p + k)) : r->out.len - k;
		if (ll == 0 && e)
			break;
		if (ll >= 9 && strncasecmp(r->out.p + k, "received:", 9) == 0)
			r->hops++;
		k += ll + 1;
	}
}

/* Where a plain substring search finds the end (bytes up to and
 * including it), or (size_t)-1. */
static size_t
ref_search(const char *in, size_t n, bool lf_ok)
{
	static const char *const network[] = { "\r\n.\r\n", NULL };
	static const char *const local[] = { "\n.\r\n", "\n.\n", NULL };
	char *buf = malloc(n + 2);
	size_t best = (size_t)-1;

	/* the DATA line's own CRLF is the line end before the first byte */
	memcpy(buf, "\r\n", 2);
	memcpy(buf + 2, in, n);
	for (const char *const *pat = lf_ok ? local : network; *pat; pat++) {
		size_t pl = strlen(*pat);
		const char *hit = memmem(buf, n + 2, *pat, pl);
		if (hit && (size_t)(hit - buf) + pl - 2 < best)
			best = (size_t)(hit - buf) + pl - 2;
	}
	free(buf);
	return best;
}

static uint64_t
out_size(const struct log *l)
{
	return out_size_n(l->p, l->len);
}

/* Output is gathered and written in large pieces: only at the end is
 * all of it written, whatever the cuts. */
static void
same(const struct result *a, const struct result *b)
{
	REQUIRE(a->consumed == b->consumed);
	REQUIRE(a->done == b->done);
	REQUIRE(a->bare == b->bare);
	REQUIRE(a->too_big == b->too_big);
	REQUIRE(a->size == b->size);
	REQUIRE(a->hops == b->hops);
	if (!a->done)
		return;
	REQUIRE((a->write_errno != 0) == (b->write_errno != 0));
	REQUIRE(a->sink.out.len == b->sink.out.len);
	REQUIRE(a->sink.out.len == 0 ||
	    memcmp(a->sink.out.p, b->sink.out.p, a->sink.out.len) == 0);
}

/* a is a beginning of `of`, after the blank line if blank. */
static bool
is_prefix(const struct log *a, const struct log *of, bool blank)
{
	if (blank && a->len > 0) {
		struct log rest = { a->p + 1, a->len - 1, 0 };
		return a->p[0] == '\n' && is_prefix(&rest, of, false);
	}
	return a->len <= of->len &&
	    (a->len == 0 || memcmp(a->p, of->p, a->len) == 0);
}

/* One run against the reference. */
static void
check(const struct result *r, const struct ref *ref, uint64_t max, bool fail,
    bool none)
{
	REQUIRE(r->too_big == (max != 0 && ref->size > max));
	if (none || fail) {
		REQUIRE(r->sink.out.len == 0);
		REQUIRE(r->write_errno == 0 || r->sink.writes > 0);
		REQUIRE(!none || r->sink.writes == 0);
		REQUIRE(!r->done || (r->write_errno != 0) == (r->sink.writes > 0));
		return;
	}
	bool blank = ref_blank(ref, max);
	REQUIRE(r->write_errno == 0);
	REQUIRE(is_prefix(&r->sink.out, &ref->out, blank));
	if (r->too_big) {
		/* the client's octets stop at the limit; the blank line (2
		 * octets as out_size counts it) is not theirs */
		uint64_t got = out_size(&r->sink.out);
		if (blank && r->sink.out.len > 0)
			got -= 2;
		REQUIRE(got <= max);
		if (r->done)
			REQUIRE(got + 1 >= max);
	} else if (r->done) {
		REQUIRE(r->sink.out.len == ref->out.len + blank);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t limits[] = { 0, 1, 64, 1000 };
	struct result whole, bytes, cut;
	struct ref ref;
	bool lf_ok, fail, none;
	uint64_t max;
	char *in;
	size_t n, end;

	if (size < 3)
		return 0;
	lf_ok = data[0] & 1;
	max = limits[(data[0] >> 1) & 3];
	fail = data[0] & 8;
	none = data[0] & 16;
	n = size - 3;
	in = malloc(n ? n : 1); /* exactly n bytes: ASan sees an overread */
	memcpy(in, data + 3, n);

	ref_run(&ref, (const unsigned char *)in, n, lf_ok);
	end = ref_search(in, n, lf_ok);
	REQUIRE(ref.done == (end != (size_t)-1));
	if (ref.done)
		REQUIRE(ref.end == end);

	run(&whole, in, n, lf_ok, max, fail, none, 0, 0);
	REQUIRE(whole.done == ref.done);
	REQUIRE(whole.consumed == ref.end);
	REQUIRE(whole.size == ref.size);
	REQUIRE(whole.hops == ref.hops);
	/* a pending CR decides nothing yet */
	if (whole.done || n == 0 || in[n - 1] != '\r')
		REQUIRE(whole.bare == ref.bare);
	check(&whole, &ref, max, fail, none);

	run(&cut, in, n, lf_ok, max, fail, none, 2,
	    (uint32_t)data[1] << 8 | data[2]);
	same(&whole, &cut);
	check(&cut, &ref, max, fail, none);
	if (n <= 4096) {
		run(&bytes, in, n, lf_ok, max, fail, none, 1, 0);
		same(&whole, &bytes);
		check(&bytes, &ref, max, fail, none);
		log_free(&bytes.sink.out);
	}
	log_free(&whole.sink.out);
	log_free(&cut.sink.out);
	log_free(&ref.out);
	free(in);
	return 0;
}
