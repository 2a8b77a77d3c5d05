/*
 * fuzz_watch_message.c: how smtp-watch reads a stored message and writes
 * its record: fields.c's stream, envelope.c, message.c, filter.c and
 * format.c, through a reader that returns short pieces.
 *
 * Input: byte 0 the format (bits 0-1) and whether reads fail past some
 * offset (bit 2); byte 1 the most a read returns (0: all it is asked);
 * bytes 2-3 an offset into the message and byte 4 a count of KiB: the
 * byte at that offset is repeated that many KiB times, so that fields
 * and envelope blocks longer than the 64 KiB window come up; then the
 * message.
 *
 * Invariants: offsets lie inside the message; the recipients iterate to
 * exactly the count message_read() found, each NUL-terminated and shorter
 * than ADDR_MAX, and each that is not cut passes a filter made of it; a
 * record is the same whatever the pieces the reads return; a summary or
 * JSON record is one line, of valid UTF-8 without control characters; an
 * mbox record holds the message.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "watch/envelope.h"
#include "watch/filter.h"
#include "watch/format.h"
#include "watch/message.h"

struct mem {
	const char *p;
	size_t len, chunk;
	uint64_t fail_at;
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

static void
emit_log(void *ctx, const char *p, size_t n)
{
	REQUIRE(n > 0);
	log_add(ctx, p, n);
}

static bool
utc(int64_t t, struct civil *c)
{
	date_civil(t, c);
	return true;
}

static struct message msg;

static int
load(struct mem *m)
{
	msg.sub = "new";
	msg.name = "1.M1P1Q1.fuzz";
	msg.size = (int64_t)m->len;
	msg.mtime = 1795888120;
	msg.rd = (struct reader){ mem_read, m };
	return message_read(&msg);
}

/* The record of the loaded message; format_message()'s result. */
static int
record(enum format f, struct log *out)
{
	struct render r = { .format = f, .maildir = "/m", .localtime = utc,
		.emit = emit_log, .ctx = out };

	return format_message(&r, &msg);
}

/* The code point of the UTF-8 sequence at p[0..n) into *cp, and its
 * length; 0 if it is not well-formed (RFC 3629, written out apart from
 * lib/utf8.c). */
static size_t
decode(const unsigned char *p, size_t n, unsigned long *cp)
{
	size_t k = p[0] < 0x80 ? 1 : p[0] < 0xc2 ? 0 : p[0] < 0xe0 ? 2 :
	    p[0] < 0xf0 ? 3 : p[0] < 0xf5 ? 4 : 0;
	static const unsigned long min[] = { 0, 0, 0x80, 0x800, 0x10000 };

	if (k == 0 || k > n)
		return 0;
	*cp = k == 1 ? p[0] : p[0] & (0x7f >> k);
	for (size_t i = 1; i < k; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (p[i] & 0x3f);
	}
	if (*cp < min[k] || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return k;
}

/* One line of valid UTF-8 without a control character but its end: no
 * C0, DEL, C1, U+2028, U+2029 or bidirectional control. */
static void
check_line(const struct log *l)
{
	const unsigned char *p = (const unsigned char *)l->p;
	unsigned long cp;
	size_t k;

	REQUIRE(l->len > 0 && p[l->len - 1] == '\n');
	for (size_t i = 0; i + 1 < l->len; i += k) {
		k = decode(p + i, l->len - 1 - i, &cp);
		REQUIRE(k > 0);
		REQUIRE(cp >= 0x20 && !(cp >= 0x7f && cp < 0xa0));
		REQUIRE(!(cp >= 0x2028 && cp <= 0x202e));
		REQUIRE(!(cp >= 0x2066 && cp <= 0x2069));
	}
}

static void
check_envelope(const struct mem *m)
{
	const struct envelope *e = &msg.env;
	struct addr a;
	size_t count = 0;
	int r;

	REQUIRE(e->end <= m->len && e->rcpt_begin <= e->end);
	REQUIRE(e->present || e->nrcpt == 0);
	REQUIRE(e->sender.len < ADDR_MAX && e->sender.s[e->sender.len] == 0);
	rcpt_iter_init(&msg.rcpts, &msg.rd, e);
	while ((r = rcpt_iter_next(&msg.rcpts, &a)) > 0) {
		const char *pat[] = { a.s };
		struct filter fl = { pat, NULL, 1, 0 };
		struct rcpt_iter keep = msg.rcpts;
		REQUIRE(a.len < ADDR_MAX && a.s[a.len] == '\0');
		REQUIRE(++count <= e->nrcpt);
		if (!a.cut && memchr(a.s, '\0', a.len) == NULL) {
			REQUIRE(filter_match(&fl, &msg) == 1);
			msg.rcpts = keep;
		}
	}
	REQUIRE(r == 0 && count == e->nrcpt);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum format formats[] = { FMT_SUMMARY, FMT_JSON,
		FMT_MBOX, FMT_JSON };
	struct log whole = { 0 }, pieces = { 0 };
	enum format f;
	struct mem m;
	size_t n, at, k;
	char *in;
	int r1, r2;

	if (size < 5)
		return 0;
	f = formats[data[0] & 3];
	n = size - 5;
	at = n ? ((size_t)data[2] << 8 | data[3]) % n : 0;
	k = n ? (size_t)data[4] * 1024 : 0;
	in = malloc(n + k + 1);
	memcpy(in, data + 5, at);
	memset(in + at, n ? data[5 + at] : 0, k);
	memcpy(in + at + k, data + 5 + at, n - at);
	m = (struct mem){ .p = in, .len = n + k };

	REQUIRE(load(&m) == 0);
	check_envelope(&m);
	r1 = record(f, &whole);
	REQUIRE(r1 == 0);
	if (f != FMT_MBOX)
		check_line(&whole);
	else
		REQUIRE(whole.len >= m.len + 2);

	/* short reads change nothing; failing ones end a whole record */
	m.chunk = data[1];
	m.fail = data[0] & 4;
	m.fail_at = m.len ? data[1] * 97u % m.len : 0;
	if (load(&m) == 0) {
		r2 = record(f, &pieces);
		if (!m.fail)
			REQUIRE(r2 == 0 && pieces.len == whole.len &&
			    memcmp(pieces.p, whole.p, whole.len) == 0);
		else if (f != FMT_MBOX)
			check_line(&pieces);
	}
	log_free(&whole);
	log_free(&pieces);
	free(in);
	return 0;
}
