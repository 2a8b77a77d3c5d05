/*
 * fuzz_book.c: the address book (src/core/book.c): the two file formats
 * and the lookups in them, with the files in memory.
 *
 * Input: byte 0 the reads (bits 0-2: each read returns at most 0 (no
 * limit), 1, 2, 3, 7, 64, 1000 or 4096 octets in the second pass), bytes
 * 1-2 and 3-4 the lengths of the recipients and the aliases file (taken
 * modulo what is left); the rest is the queries, one a line (the first 8).
 *
 * Invariants: a key is shorter than ADDR_BUF, holds no control character,
 * is its own key and parses again as an address; every query is answered
 * the same however the files are read (bisection, the read-through and
 * its window must not depend on the cuts); accepts() is 1 for an address
 * that a line of the table lists (by a plain reading of it, line by line)
 * and, without aliases, 0 for one that none lists; lookup() gives at
 * most BOOK_LIST_MAX distinct keys of that local part; expand() gives as
 * many members as it counted, each a name that parses; malformed lines
 * are reported once, in order, with a line number the file has.
 */
#include <stdbool.h>
#include <string.h>

#include "core/book.h"
#include "fake.h"
#include "fuzz.h"

static struct book book;
static struct fake_file rfile, afile;
static unsigned long last_line[2], lines[2];

static void
report(void *ctx, const struct book_file *f, unsigned long line,
    const char *why, int error)
{
	int w = f == &afile.file;

	(void)ctx;
	REQUIRE(error == 0 && why != NULL && line > last_line[w]);
	REQUIRE(line <= lines[w] + 1);
	last_line[w] = line;
}

static void
check_key(const char *key, bool domain)
{
	size_t n = strnlen(key, ADDR_BUF);
	char again[ADDR_BUF], buf[ADDR_BUF + 2];
	struct path p;
	const char *sp = buf;

	REQUIRE(n < ADDR_BUF);
	for (size_t i = 0; i < n; i++)
		REQUIRE((unsigned char)key[i] >= 0x20 && key[i] != 0x7f);
	if (domain) {
		REQUIRE(key[0] == '@' && address_is_domain(key + 1, n - 1));
		return;
	}
	address_key(key, again);
	REQUIRE(strcmp(again, key) == 0);
	buf[0] = '<';
	memcpy(buf + 1, key, n);
	buf[n + 1] = '>';
	REQUIRE(address_parse(&sp, buf + n + 2,
	    ADDR_POSTMASTER_OK | ADDR_LOCAL_OK, &p) == ADDR_OK);
}

/* Does a line of the table list addr?  Read plainly, line by line. */
static bool
listed(const char *text, size_t len, const char *addr)
{
	char key[ADDR_BUF], k[ADDR_BUF];
	const char *p = text, *end = text + len, *why;

	address_key(addr, key);
	while (p < end) {
		const char *lf = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((lf ? lf : end) - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		switch (book_recipient_line(p, n, k, &why)) {
		case BOOK_ADDRESS:
			check_key(k, false);
			if (strcmp(k, key) == 0)
				return true;
			break;
		case BOOK_DOMAIN:
			check_key(k, true);
			if (strcmp(k, key + address_key_local(key)) == 0)
				return true;
			break;
		default:
			break;
		}
		p = lf ? lf + 1 : end;
	}
	return false;
}

static size_t
count_lines(const struct record *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->len; i++)
		n += r->p[i] == '\n';
	return n;
}

/* Answers every query into out, as text. */
static void
answer(const char *q, size_t qlen, bool aliases, unsigned cut,
    struct log *out)
{
	const char *p = q, *end = q + qlen;
	char buf[ADDR_BUF], num[32];
	int asked = 0;

	fake_file_open(&rfile, "r");
	fake_file_open(&afile, "a");
	rfile.cut = afile.cut = cut;
	last_line[0] = last_line[1] = 0;
	book_init(&book, &rfile.file, aliases ? &afile.file : NULL, report,
	    NULL);
	while (p < end && asked++ < 8) { /* each may read the files through */
		const char *lf = memchr(p, '\n', (size_t)(end - p));
		const char *e = lf ? lf : end, *sp = p;
		struct path name;
		long n;

		if (address_parse(&sp, e, ADDR_POSTMASTER_OK | ADDR_LOCAL_OK,
		    &name) == ADDR_OK) {
			size_t local = address_key_local(name.addr);
			if (name.addr[local] == '@') {
				int r = book_ops.accepts(&book, name.addr);
				bool in = listed(rfile.text.p, rfile.text.len,
				    name.addr);
				REQUIRE(r == 0 || r == 1);
				REQUIRE(!in || r == 1);
				REQUIRE(aliases || in == (r == 1));
				snprintf(num, sizeof(num), "a%d ", r);
				log_str(out, num);
			} else {
				n = book_ops.lookup(&book, name.addr);
				REQUIRE(n >= 0 && n <= BOOK_LIST_MAX);
				for (long i = 0; i < n; i++) {
					REQUIRE(book_ops.item(&book, (size_t)i,
					    buf));
					check_key(buf, false);
					log_str(out, buf);
					for (long j = 0; j < i; j++) {
						char other[ADDR_BUF];
						REQUIRE(book_ops.item(&book,
						    (size_t)j, other));
						REQUIRE(strcmp(other, buf) != 0);
					}
				}
				REQUIRE(!book_ops.item(&book, (size_t)n, buf));
			}
			n = book_ops.expand(&book, name.addr);
			REQUIRE(n >= 0);
			REQUIRE(aliases || n == 0);
			for (long i = 0; i < n; i++) {
				const char *bp = buf;
				struct path m;
				REQUIRE(book_ops.item(&book, (size_t)i, buf));
				REQUIRE(address_parse(&bp, buf + strlen(buf),
				    ADDR_POSTMASTER_OK | ADDR_LOCAL_OK, &m) ==
				    ADDR_OK);
				log_str(out, buf);
			}
			REQUIRE(!book_ops.item(&book, (size_t)n, buf));
			snprintf(num, sizeof(num), " e%ld\n", n);
			log_str(out, num);
		}
		p = lf ? lf + 1 : end;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned cuts[] = { 0, 1, 2, 3, 7, 64, 1000, 4096 };
	struct log one = { 0 }, two = { 0 };
	size_t r, a, off = 5;

	if (size < 5)
		return 0;
	r = (size_t)(data[1] | data[2] << 8) % (size - off + 1);
	a = (size_t)(data[3] | data[4] << 8) % (size - off - r + 1);
	record_free(&rfile.text);
	record_free(&afile.text);
	record_add(&rfile.text, (const char *)data + off, r);
	record_add(&afile.text, (const char *)data + off + r, a);
	lines[0] = count_lines(&rfile.text);
	lines[1] = count_lines(&afile.text);
	off += r + a;
	/* with and without aliases, then cut into small reads */
	answer((const char *)data + off, size - off, false, 0, &one);
	answer((const char *)data + off, size - off, true, 0, &one);
	answer((const char *)data + off, size - off, false,
	    cuts[data[0] & 7], &two);
	answer((const char *)data + off, size - off, true, cuts[data[0] & 7],
	    &two);
	REQUIRE(one.len == two.len);
	REQUIRE(one.len == 0 || memcmp(one.p, two.p, one.len) == 0);
	log_free(&one);
	log_free(&two);
	return 0;
}
