/*
 * session.h: the SMTP session core (RFC 5321).
 *
 * Pure: it is fed bytes and appends replies to a buffer; delivery and
 * logging are callbacks the edge supplies.  It never blocks, never exits,
 * never reads the clock or a file descriptor, so unit tests, transcript
 * tests and fuzzers drive it without sockets.
 */
#ifndef SESSION_H
#define SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/address.h"
#include "core/data.h"
#include "core/reply.h"

#define SESSION_LINE_MAX 512 /* a command line with its CRLF, 4.5.3.1.4 */
#define SESSION_HELO_MAX 255
#define SESSION_RCPT_LIMIT 100000 /* the largest --max-recipients */
#define JUNK_LIMIT 100 /* NOOP, RSET, VRFY before each counts as an error */

/* What is known of one message; the delivery callbacks read it. */
struct envelope {
	const char *session_id;
	const char *client_addr;
	const char *helo;      /* as the client sent it; may hold anything */
	const char *hostname;  /* ours */
	bool esmtp;            /* EHLO, not HELO */
	char id[64];           /* this message's id: <session>.<n> */
	struct path sender;
	struct mail_params params;
	unsigned nrcpt;
	struct path *rcpt;
	uint64_t size;         /* octets received, CRLF line ends */
	const char *command;   /* the command line being answered */
};

/* Delivery results beyond 0 / -1 with errno. */
#define DELIVER_PERMANENT (-2) /* 554 5.3.0: the message is refused */
#define DELIVER_TEMPORARY (-3) /* 451 4.3.0: try again later */

enum session_event {
	SE_COMMAND,  /* text: the command line (for --verbose) */
	SE_ACCEPTED, /* text: the delivery's note (stored file) */
	SE_REJECTED, /* text: the reply given */
	SE_CLOSE,    /* text: why the session ends */
	SE_REFUSED,  /* text: the reply to a refused MAIL or RCPT (command) */
};

struct delivery_ops {
	/* at DATA, before 354: 0; 1 when the message bytes are not wanted
	 * (they are still read, counted and checked); or -1 with errno */
	int (*begin)(void *ctx, const struct envelope *);
	/* message bytes, LF line ends: 0, or -1 with errno */
	int (*write)(void *ctx, const char *buf, size_t len);
	/* after the end of data: 0 once the message is safe; -1 with errno,
	 * or DELIVER_PERMANENT.  note receives a short description. */
	int (*commit)(void *ctx, const struct envelope *, char *note,
	    size_t notelen);
	/* the message is refused or the session ends inside DATA */
	void (*abort)(void *ctx, const struct envelope *);
	void (*event)(void *ctx, enum session_event, const struct envelope *,
	    const char *text);
};

enum bare_lf_policy { BARE_LF_NORMALIZE, BARE_LF_REJECT };

struct session_config {
	const char *hostname;
	const char *session_id;
	const char *client_addr;
	uint64_t max_size;       /* 0: no limit */
	unsigned max_recipients; /* 1 .. SESSION_RCPT_LIMIT */
	unsigned max_errors;     /* 0: no limit */
	bool local;              /* a pipe or terminal: LF ends lines */
	enum bare_lf_policy bare_lf;
	const struct delivery_ops *ops;
	void *ctx;
};

enum session_state {
	ST_START, /* greeted; HELO or EHLO expected */
	ST_READY, /* no transaction */
	ST_MAIL,  /* MAIL accepted */
	ST_RCPT,  /* at least one recipient */
	ST_DATA,  /* reading the message */
	ST_CLOSED,
};

struct session {
	const struct session_config *cfg;
	enum session_state state;
	unsigned errors;
	unsigned junk; /* NOOP, RSET, VRFY so far */
	unsigned transactions; /* DATA commands that began a message */
	bool in_delivery; /* begin() succeeded, no commit() or abort() yet */
	bool line_too_long;
	size_t line_len;
	char line[SESSION_LINE_MAX];
	char helo[SESSION_HELO_MAX + 1];
	struct envelope env;
	/* the large members last: session_init clears what comes before */
	struct data_machine data;
	struct reply_buf out;
};

/* Allocates the recipient table and writes the greeting: 0, or -1. */
int session_init(struct session *, const struct session_config *);
void session_free(struct session *);

/* Consumes input; returns how much.  It stops early when the session
 * closed or the reply buffer needs flushing: the edge flushes and feeds
 * the rest again. */
size_t session_feed(struct session *, const char *in, size_t len);

/* The client was silent for too long: 421 and close. */
void session_timeout(struct session *);

/* The client went away (EOF); a message in progress is aborted. */
void session_eof(struct session *);

static inline bool
session_closed(const struct session *s)
{
	return s->state == ST_CLOSED;
}

#endif
