/*
 * fake.h: the test double of the edge, shared by the transcript tests and
 * the session fuzzer.  It stands in for the delivery and the event sink,
 * records in order every reply the session gives and every delivery call,
 * as readable text, and fails on demand.  A harness can hook checks of
 * its own into it.
 */
#ifndef FAKE_H
#define FAKE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/book.h"
#include "core/session.h"

/* A growing text record. */
struct record {
	char *p;
	size_t len, cap;
};

void record_add(struct record *, const char *p, size_t n);
void record_str(struct record *, const char *);
/* Bytes shown readably: CRLF (crlf) or LF as a line end, controls and
 * backslashes escaped (\xHH, \\). */
void record_show(struct record *, const char *p, size_t n, bool crlf);
void record_free(struct record *);

enum fake_call { FAKE_BEGIN, FAKE_WRITE, FAKE_COMMIT, FAKE_ABORT };

struct fake {
	struct session *s;
	struct record *rec;  /* where everything is recorded */
	int fail_begin;      /* errno begin fails with; -1: no bytes wanted */
	int fail_write;      /* errno every write fails with */
	int fail_commit;     /* errno, DELIVER_PERMANENT or _TEMPORARY */
	bool record_events;  /* also record the session's events */
	bool in_msg, wanted; /* a message is open; its bytes are written */
	struct record body;  /* the bytes of the open message */
	/* optional: checks of a harness of its own */
	void (*check_replies)(struct fake *, const char *p, size_t n);
	void (*check_call)(struct fake *, enum fake_call,
	    const struct envelope *, const char *p, size_t n);
	void *user;
};

extern const struct delivery_ops fake_ops;

/* AUTH's judge (ctx is the struct fake): alice / secret is right, the
 * user "down" gets AUTH_UNAVAILABLE, anything else AUTH_BAD. */
extern const struct auth_ops fake_auth_ops;

/* The rcpt_result hook (ctx is the struct fake): a recipient whose
 * local part ends in "+fail" gets 451, one ending in "+reject" 554; the
 * rest share the message's result. */
int fake_rcpt_result(void *ctx, const struct envelope *, unsigned i);

/* The event sink (ctx is the struct fake). */
void fake_event(void *ctx, const struct session_note *);

/* Takes the session's replies into the record. */
void fake_drain(struct fake *);

/* What an edge does after each feed: drains, and lets a long reply go
 * on until it is whole. */
void fake_flush(struct fake *);

/* A file of the address book (core/book.h) in memory: the real lookups
 * over text that a test writes. */
struct fake_file {
	struct book_file file;
	struct record text;
	int fail_open;    /* errno the file "cannot be opened" with */
	int fail_read;    /* errno every read fails with */
	unsigned cut;     /* when not 0, reads return at most this many octets */
	unsigned long reads; /* read calls so far */
};

/* Opens f under name over the text it holds now. */
void fake_file_open(struct fake_file *, const char *name);

/* The book's reports, recorded in order with the replies as
 * "[table NAME:LINE why]" or "[table NAME: error ERRNO]"; ctx is the
 * struct fake. */
void fake_book_report(void *ctx, const struct book_file *,
    unsigned long line, const char *why, int error);

#endif
