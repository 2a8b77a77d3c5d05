/*
 * test_book.c: the address book (src/core/book.c) over files in memory,
 * and the address keys it compares by (src/core/address.c): the two file
 * formats, bisection of a sorted table and the read-through that checks
 * it, reports of malformed lines, and a 10,000-address EXPN answered
 * whole through the session core.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/book.h"
#include "core/internal.h"
#include "fake.h"

static struct book book;
static struct fake_file rfile, afile;
static unsigned reports, failures;
static unsigned long last_line;

static void
count_report(void *ctx, const struct book_file *f, unsigned long line,
    const char *why, int error)
{
	(void)ctx, (void)f, (void)why, (void)error;
	if (line == 0)
		failures++;
	else
		reports++, last_line = line;
}

/* A book over the given texts (NULL: that file is not given). */
static void
setup(const char *recipients, const char *aliases)
{
	record_free(&rfile.text);
	record_free(&afile.text);
	memset(&rfile, 0, sizeof(rfile));
	memset(&afile, 0, sizeof(afile));
	if (recipients) {
		record_str(&rfile.text, recipients);
		fake_file_open(&rfile, "recipients");
	}
	if (aliases) {
		record_str(&afile.text, aliases);
		fake_file_open(&afile, "aliases");
	}
	reports = failures = 0;
	book_init(&book, recipients ? &rfile.file : NULL,
	    aliases ? &afile.file : NULL, count_report, NULL);
}

static int
accepts(const char *addr)
{
	return book_ops.accepts(&book, addr);
}

static const char *
item(size_t i)
{
	static char buf[ADDR_BUF];

	return book_ops.item(&book, i, buf) ? buf : "(none)";
}

/* ---- keys --------------------------------------------------------------- */

static const char *
key(const char *addr)
{
	static char k[ADDR_BUF];

	CHECK(address_key(addr, k) == strlen(k));
	return k;
}

static void
test_keys(void)
{
	CHECK_STR_EQ(key("bob@Example.TEST"), "bob@example.test");
	CHECK_STR_EQ(key("Bob@example.test"), "Bob@example.test");
	CHECK_STR_EQ(key("\"bob\"@example.test"), "bob@example.test");
	CHECK_STR_EQ(key("\"b\\ob\"@example.test"), "bob@example.test");
	CHECK_STR_EQ(key("\"b.o.b\"@x"), "b.o.b@x");
	CHECK_STR_EQ(key("\"john smith\"@X"), "\"john smith\"@x");
	CHECK_STR_EQ(key("\"a\\ b\"@x"), "\"a b\"@x");
	CHECK_STR_EQ(key("\"d\\\"q\"@x"), "\"d\\\"q\"@x");
	CHECK_STR_EQ(key("\"a@b\"@X"), "\"a@b\"@x");
	CHECK_STR_EQ(key("\"..\"@x"), "\"..\"@x");
	CHECK_STR_EQ(key("\"\"@x"), "\"\"@x");
	CHECK_STR_EQ(key("u@[IPv6:2001:DB8::1]"), "u@[ipv6:2001:db8::1]");
	CHECK_STR_EQ(key("staff"), "staff");
	CHECK_STR_EQ(key("\"staff\""), "staff");
	CHECK(address_key_local("\"a@b\"@x") == 5);
	CHECK(address_key_local("staff") == 5);
	CHECK(address_is_postmaster("postmaster"));
	CHECK(address_is_postmaster("PostMaster@Example.test"));
	CHECK(address_is_postmaster("\"postmaster\"@x"));
	CHECK(!address_is_postmaster("postmasters@x"));
	CHECK(!address_is_postmaster("post.master@x"));
	CHECK(address_is_domain("example.test", 12));
	CHECK(address_is_domain("[192.0.2.1]", 11));
	CHECK(!address_is_domain("ex..test", 8));
	CHECK(!address_is_domain("", 0));
}

static void
test_local_parse(void)
{
	const char *in, *p;
	struct path a;

	in = "staff";
	p = in;
	CHECK(address_parse(&p, in + 5, ADDR_LOCAL_OK, &a) == ADDR_OK);
	CHECK_STR_EQ(a.addr, "staff");
	in = "<\"my list\"> SMTPUTF8";
	p = in;
	CHECK(address_parse(&p, in + strlen(in), ADDR_LOCAL_OK, &a) ==
	    ADDR_OK);
	CHECK_STR_EQ(a.addr, "\"my list\"");
	CHECK_STR_EQ(p, " SMTPUTF8");
	in = "staff@";
	p = in;
	CHECK(address_parse(&p, in + 6, ADDR_LOCAL_OK, &a) == ADDR_SYNTAX);
	in = "staff";
	p = in;
	CHECK(address_parse(&p, in + 5, 0, &a) == ADDR_SYNTAX);
	in = "a.b@c.test";
	p = in;
	CHECK(address_parse(&p, in + strlen(in), ADDR_LOCAL_OK, &a) ==
	    ADDR_OK);
	CHECK_STR_EQ(a.addr, "a.b@c.test");
}

/* ---- the recipients file ------------------------------------------------ */

static void
test_recipient_lines(void)
{
	char k[ADDR_BUF], longline[BOOK_LINE_MAX + 2];
	const char *why;

	CHECK(book_recipient_line("", 0, k, &why) == BOOK_SKIP);
	CHECK(book_recipient_line(" \t ", 3, k, &why) == BOOK_SKIP);
	CHECK(book_recipient_line("  # x@y", 7, k, &why) == BOOK_SKIP);
	CHECK(book_recipient_line(" <Bob@X.test>\t", 14, k, &why) ==
	    BOOK_ADDRESS);
	CHECK_STR_EQ(k, "Bob@x.test");
	CHECK(book_recipient_line("@X.Test", 7, k, &why) == BOOK_DOMAIN);
	CHECK_STR_EQ(k, "@x.test");
	CHECK(book_recipient_line("@a.test:u@b.test", 16, k, &why) ==
	    BOOK_ADDRESS);
	CHECK_STR_EQ(k, "u@b.test");
	CHECK(book_recipient_line("postmaster", 10, k, &why) == BOOK_ADDRESS);
	CHECK(book_recipient_line("bob", 3, k, &why) == BOOK_BAD);
	CHECK_STR_EQ(why, "bad address");
	CHECK(book_recipient_line("a@x b@x", 7, k, &why) == BOOK_BAD);
	CHECK(book_recipient_line("@x..test", 8, k, &why) == BOOK_BAD);
	CHECK_STR_EQ(why, "bad domain");
	memset(longline, 'a', sizeof(longline));
	CHECK(book_recipient_line(longline, BOOK_LINE_MAX + 1, k, &why) ==
	    BOOK_BAD);
	CHECK_STR_EQ(why, "line too long");
}

/* "user%05d@domain%d.test", n of them, in byte order or not. */
static char *
table(unsigned n, bool sorted)
{
	struct record r = { 0 };
	unsigned *order = malloc(n * sizeof(*order));
	char line[64];

	for (unsigned i = 0; i < n; i++)
		order[i] = i;
	srand(7);
	for (unsigned i = n - 1; !sorted && i > 0; i--) {
		unsigned j = (unsigned)rand() % (i + 1), t = order[i];
		order[i] = order[j], order[j] = t;
	}
	record_str(&r, "# a generated table\n");
	for (unsigned i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "user%05u@domain%u.test\n",
		    order[i], order[i] % 7);
		record_str(&r, line);
	}
	free(order);
	return r.p;
}

static void
test_bisection(void)
{
	char *sorted = table(100000, true), *shuffled = table(2000, false);
	char addr[64];
	unsigned long most = 0;

	setup(sorted, NULL);
	for (unsigned i = 0; i < 100000; i += 997) {
		snprintf(addr, sizeof(addr), "user%05u@DOMAIN%u.test", i,
		    i % 7);
		rfile.reads = 0;
		CHECK(accepts(addr) == 1);
		if (rfile.reads > most)
			most = rfile.reads;
	}
	/* found by bisection: about log2(size / 1 KiB) reads */
	CHECK(most <= 14);
	rfile.reads = 0;
	CHECK(accepts("user00001@domain2.test") == 0);
	CHECK(rfile.reads > 24); /* a "no" is read through */
	CHECK(accepts("user00000@domain0.test") == 1); /* the first line */
	CHECK(accepts("user99999@domain4.test") == 1); /* the last one */

	/* the same answers from a file in any order, and with short reads */
	setup(shuffled, NULL);
	for (unsigned i = 0; i < 2000; i += 13) {
		snprintf(addr, sizeof(addr), "user%05u@domain%u.test", i,
		    i % 7);
		CHECK(accepts(addr) == 1);
		snprintf(addr, sizeof(addr), "user%05u@domain%u.test", i,
		    (i + 1) % 7);
		CHECK(accepts(addr) == 0);
	}
	rfile.cut = 5;
	CHECK(accepts("user01999@domain4.test") == 1);
	CHECK(accepts("user0199@domain4.test") == 0);
	CHECK(accepts("user01999@domain4.tes") == 0);
	CHECK(reports == 0 && failures == 0);
	free(sorted);
	free(shuffled);
}

static void
test_recipients(void)
{
	struct record big = { 0 };

	setup("b@x.test\r\n"
	      "  \"Carol\"@X.test  \r\n"
	      "<Dan@x.test>\n"
	      " erin@x.test\n"
	      "# c@x.test\n"
	      "@Catch.TEST\n"
	      "bad line\n"
	      "b@x.test\n"
	      "b@y.test\n"
	      "last@x.test", NULL);
	/* a miss first: later read-throughs skip what cannot match */
	CHECK(accepts("zz@x.test") == 0);
	CHECK(rfile.file.read == 10);
	CHECK(accepts("b@X.TEST") == 1);
	CHECK(accepts("\"b\"@x.test") == 1);
	CHECK(accepts("Carol@x.test") == 1);
	CHECK(accepts("carol@x.test") == 0);
	CHECK(accepts("Dan@x.test") == 1);
	CHECK(accepts("erin@x.test") == 1);
	CHECK(accepts("c@x.test") == 0);
	CHECK(accepts("anyone@catch.test") == 1);
	CHECK(accepts("anyone@sub.catch.test") == 0);
	CHECK(accepts("last@x.test") == 1); /* no line end at the end */
	/* one report a session for each malformed line, however often read */
	CHECK(reports == 1 && last_line == 7);

	/* duplicates name one recipient; a catch-all adds its own */
	CHECK(book_ops.lookup(&book, "b") == 3);
	CHECK_STR_EQ(item(0), "b@x.test");
	CHECK_STR_EQ(item(1), "b@catch.test");
	CHECK_STR_EQ(item(2), "b@y.test");
	CHECK_STR_EQ(item(3), "(none)");
	CHECK(book_ops.lookup(&book, "last") == 2);
	CHECK(book_ops.lookup(&book, "\"Carol\"") == 2);
	CHECK_STR_EQ(item(0), "Carol@x.test");

	/* the answers an ambiguous VRFY names are bounded */
	for (unsigned i = 0; i < 150; i++) {
		char line[64];
		snprintf(line, sizeof(line), "bob@d%u.test\n", i);
		record_str(&big, line);
	}
	setup(big.p, NULL);
	CHECK(book_ops.lookup(&book, "bob") == BOOK_LIST_MAX);
	CHECK(book_ops.lookup(&book, "alice") == 0);
	record_free(&big);

	/* a line longer than the window is skipped whole */
	record_str(&big, "a@x.test\n");
	for (unsigned i = 0; i < BOOK_CHUNK + 100; i++)
		record_add(&big, "z", 1);
	record_str(&big, "@x.test\nb@y.test\n");
	setup(big.p, NULL);
	CHECK(accepts("b@y.test") == 1);
	CHECK(accepts("c@y.test") == 0);
	CHECK(accepts("zz@x.test") == 0);
	CHECK(reports == 1 && last_line == 2);
	record_free(&big);
}

static void
test_failures(void)
{
	setup("a@x.test\n", "l: a@x.test\n");
	rfile.file.error = EACCES;
	CHECK(accepts("a@x.test") == BOOK_UNAVAILABLE);
	CHECK(book_ops.lookup(&book, "a") == BOOK_UNAVAILABLE);
	CHECK(failures == 2);
	CHECK(book_ops.expand(&book, "l") == 1);
	afile.fail_read = EIO;
	CHECK(book_ops.expand(&book, "l") == BOOK_UNAVAILABLE);
	CHECK(failures == 3);

	/* the table answers without the aliases when it can */
	setup("a@x.test\n", "l: a@x.test\n");
	afile.fail_read = EIO;
	CHECK(accepts("a@x.test") == 1);
	CHECK(accepts("l@x.test") == BOOK_UNAVAILABLE);
}

/* ---- the aliases file --------------------------------------------------- */

static void
test_aliases(void)
{
	setup(NULL, "  orphan@x.test\n"
		    "staff: a@x.test, <b@x.test>,\r\n"
		    "# inside\n"
		    "\t\"c\"@x.test ,, d\r\n"
		    "\n"
		    "  e@x.test\n"
		    "bad: |cmd, /file, :include:/f, x@@y, \"q,r\"@x.test\n"
		    "nocolon\n"
		    "empty:\n"
		    "staff: second@x.test\n"
		    "dom@x.test: one@x.test\n"
		    "POSTMASTER: root\n");
	CHECK(book_ops.expand(&book, "staff") == 5);
	CHECK_STR_EQ(item(0), "a@x.test");
	CHECK_STR_EQ(item(1), "b@x.test");
	CHECK_STR_EQ(item(2), "\"c\"@x.test");
	CHECK_STR_EQ(item(3), "d");
	CHECK_STR_EQ(item(4), "e@x.test");
	CHECK_STR_EQ(item(5), "(none)");
	CHECK_STR_EQ(item(1), "b@x.test"); /* back: the cursor starts again */
	CHECK(reports == 1 && last_line == 1);
	CHECK(book_ops.expand(&book, "staff@anywhere.test") == 5);
	CHECK(book_ops.expand(&book, "\"staff\"") == 5);
	CHECK(book_ops.expand(&book, "Staff") == 0);
	/* read through: each malformed line reported, once */
	CHECK(reports == 3 && last_line == 8);
	CHECK(book_ops.expand(&book, "bad") == 1);
	CHECK_STR_EQ(item(0), "\"q,r\"@x.test");
	CHECK(book_ops.expand(&book, "empty") == 0);
	CHECK(book_ops.expand(&book, "dom") == 1);
	CHECK(book_ops.expand(&book, "dom@X.TEST") == 1);
	CHECK(book_ops.expand(&book, "dom@y.test") == 0);
	CHECK(book_ops.expand(&book, "postmaster") == 1);
	CHECK_STR_EQ(item(0), "root");
	CHECK(reports == 3);

	/* a name is a recipient, with --recipients given */
	setup("a@x.test\n", "staff: a@x.test\nempty:\n");
	CHECK(accepts("staff@x.test") == 1);
	CHECK(accepts("empty@x.test") == 0);
	CHECK(book_ops.lookup(&book, "staff") == 1);
	CHECK_STR_EQ(item(0), "staff");

}

/* The list is cut short between EXPN's count and its lines: the reply
 * still ends, as a 250 that says so. */
static void
test_expn_cut(void)
{
	static struct path rcpt[1];
	struct session_config cfg = {
		.hostname = "sink.test", .session_id = "T",
		.client_addr = "192.0.2.1", .max_recipients = 1,
		.rcpt_table = rcpt, .extensions = EXT_DEFAULT,
		.book_ops = &book_ops, .book_ctx = &book,
	};
	static struct session s;
	const char *out;
	size_t len;

	setup(NULL, "l: a@x.test,\n  b@x.test\n");
	cfg.book = book_holds(&book);
	session_init(&s, &cfg);
	session_output_done(&s, s.out.len);
	CHECK(session_feed(&s, "EXPN l\r\n", 8) == 8);
	CHECK(session_has_more(&s));
	afile.text.len = 13; /* "l: a@x.test,\n" */
	while (session_has_more(&s))
		session_resume(&s);
	out = session_output(&s, &len);
	CHECK_MEM_EQ(out, len, "250-2.1.5 <a@x.test>\r\n"
	    "250 2.1.5 (the rest of the list cannot be read)\r\n", 71);
}

/* ---- through the session ------------------------------------------------ */

/* An EXPN of 10,000 addresses comes whole, in order, across flushes, and
 * the next command is answered after it. */
static void
test_expn_long(void)
{
	static struct path rcpt[1];
	struct record list = { 0 }, out = { 0 };
	struct session_config cfg = {
		.hostname = "sink.test", .session_id = "T",
		.client_addr = "192.0.2.1", .max_recipients = 1,
		.rcpt_table = rcpt, .max_errors = 3,
		.extensions = EXT_DEFAULT, .book_ops = &book_ops,
		.book_ctx = &book,
	};
	static struct session s;
	const char *in = "HELO c\r\nEXPN big\r\nNOOP\r\n", *p;
	size_t len, off = 0, flushes = 0, lines = 0;
	char line[64];

	record_str(&list, "big: m00000@x.test");
	for (unsigned i = 1; i < 10000; i++) {
		snprintf(line, sizeof(line), ",%sm%05u@x.test",
		    i % 10 ? " " : "\n  ", i);
		record_str(&list, line);
	}
	record_str(&list, "\n");
	setup(NULL, list.p);
	cfg.book = book_holds(&book);
	session_init(&s, &cfg);
	while (off < strlen(in) || session_has_more(&s)) {
		if (session_has_more(&s))
			session_resume(&s);
		else
			off += session_feed(&s, in + off, strlen(in) - off);
		p = session_output(&s, &len);
		CHECK(len <= REPLY_BUF_SIZE);
		record_add(&out, p, len);
		session_output_done(&s, len);
		flushes++;
	}
	for (p = out.p; (p = strstr(p, "250-2.1.5 <m")) != NULL; p++)
		lines++;
	CHECK(lines == 9999);
	CHECK(strstr(out.p, "250-2.1.5 <m00000@x.test>\r\n"
			    "250-2.1.5 <m00001@x.test>\r\n") != NULL);
	CHECK(strstr(out.p, "250-2.1.5 <m09998@x.test>\r\n"
			    "250 2.1.5 <m09999@x.test>\r\n"
			    "250 2.0.0 Ok\r\n") != NULL);
	CHECK(flushes > 10 && !s.out.overflow && reports == 0);
	record_free(&list);
	record_free(&out);
}

int
main(void)
{
	test_keys();
	test_local_parse();
	test_recipient_lines();
	test_bisection();
	test_recipients();
	test_failures();
	test_aliases();
	test_expn_long();
	test_expn_cut();
	record_free(&rfile.text);
	record_free(&afile.text);
	return check_finish("book");
}
