/*
 * book.h: the address book behind --recipients and --aliases: the two
 * file formats, and the lookups in the files as they are.  Pure: the edge
 * opens the files and hands in a read callback (src/session/addrbook.c),
 * so tests and fuzzers give it files in memory.
 *
 * The recipients file has one address or @domain a line; the aliases
 * file is /etc/aliases: "name: member, member", a line that starts with a
 * blank continues the list above it.  In both, blank lines and lines
 * whose first non-blank character is '#' are skipped, a line may end in
 * LF or CR LF, and a malformed line is reported once and skipped.
 *
 * Cost: a lookup first bisects the recipients file.  In a file whose
 * lines are in byte order (LC_ALL=C sort) that finds any listed address
 * in about log2(size) small reads.  Bisection only ever finds lines that
 * are there, so its "yes" holds in a file in any order; a "no" is checked
 * by reading the file through, which is what an unsorted file costs.  The
 * aliases file is read until the list is found.  Nothing is kept between
 * lookups but the answers the core asks for next, so memory does not
 * grow with the files.
 */
#ifndef BOOK_H
#define BOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/address.h"
#include "core/session.h"

#define BOOK_LINE_MAX 4096 /* octets in a line, without its line end */
#define BOOK_CHUNK 65536   /* what a scan reads at once */
#define BOOK_LIST_MAX 100  /* the recipients an ambiguous VRFY names */

struct book_file {
	const char *name; /* for the log */
	/* Up to n bytes at off into buf: how many (fewer only at the end
	 * of the file), or -1 with errno. */
	long (*read_at)(void *ctx, char *buf, size_t n, uint64_t off);
	void *ctx;
	uint64_t size;       /* when it was opened */
	int error;           /* it cannot be read: why (an errno), else 0 */
	unsigned long told;  /* malformed lines up to this one were reported */
	unsigned long read;  /* lines up to this one were parsed this session */
};

/* A malformed line (line > 0, why), or a read that failed (line 0,
 * error is its errno). */
typedef void (*book_report_fn)(void *ctx, const struct book_file *,
    unsigned long line, const char *why, int error);

/* A file read a line at a time, through the book's window. */
struct book_scan {
	struct book_file *f;
	char *buf;            /* BOOK_CHUNK octets */
	uint64_t off;         /* the file offset of buf[0] */
	size_t pos, len;      /* the next line starts at buf[pos] */
	unsigned long line;   /* the number of the line last given */
	uint64_t line_off;    /* and its offset */
	bool eof, failed;
	int error;
};

enum book_answer { BOOK_NONE, BOOK_CANDIDATES, BOOK_LIST };

struct book {
	struct book_file *recipients, *aliases; /* NULL: not given */
	book_report_fn report;
	void *report_ctx;
	enum book_answer answer; /* what item() gives */
	/* lookup(): the keys of the recipients a local part may mean */
	size_t count;
	char cand[BOOK_LIST_MAX][ADDR_BUF];
	/* expand(): where the list starts, and a cursor on its members */
	uint64_t list_off;
	unsigned long list_line;
	struct book_scan cur;
	const char *cur_p, *cur_end; /* the rest of the cursor's line */
	size_t cur_next;             /* the member the cursor is at */
	bool cur_open;
	char window[BOOK_CHUNK];
};

/* The callbacks of struct address_book_ops; ctx is a struct book. */
extern const struct address_book_ops book_ops;

/* Either file may be NULL (not given); one whose error is set answers
 * BOOK_UNAVAILABLE to every lookup that needs it. */
void book_init(struct book *, struct book_file *recipients,
    struct book_file *aliases, book_report_fn, void *report_ctx);

/* BOOK_RECIPIENTS and BOOK_ALIASES, for session_config.book. */
unsigned book_holds(const struct book *);

enum book_line { BOOK_SKIP, BOOK_ADDRESS, BOOK_DOMAIN, BOOK_BAD };

/* One line of the recipients file, without its line end: its key (an
 * address_key(), or "@" and the domain in lower case; ADDR_BUF), or why
 * it is malformed. */
enum book_line book_recipient_line(const char *p, size_t n, char *key,
    const char **why);

#endif
