/*
 * reply.h: every reply the core can give, by name, and the one function
 * through which each of them leaves.
 *
 * The texts live in replies.c, one line each, so that file is the
 * catalogue of what a client can hear.  reply() formats a named reply
 * into the output buffer and applies the policy that goes with it:
 * counting the client's errors, hanging up after 421, telling the log
 * about refusals.  No handler decides any of that itself.
 *
 * The output buffer never grows.  The core stops consuming input while
 * less than REPLY_ROOM bytes are free, and the edge flushes.  One command
 * writes at most REPLY_ROOM bytes of replies (EHLO is the longest); a
 * reply of more (EXPN of a long list, LMTP's reply per recipient) is
 * written an item at a time through session_more() and resumes after each
 * flush.
 */
#ifndef REPLY_H
#define REPLY_H

#include <stdbool.h>
#include <stddef.h>

#define REPLY_BUF_SIZE 16384
#define REPLY_LINE_MAX 512 /* RFC 5321 4.5.3.1.5, with its CRLF */
#define REPLY_ROOM (8 * REPLY_LINE_MAX) /* what one command may write */

struct reply_buf {
	size_t len;
	bool overflow; /* a line did not fit: never, if REPLY_ROOM holds */
	char data[REPLY_BUF_SIZE];
};

enum reply_id {
	/* the session */
	R_GREETING, R_GREETING_LMTP, R_HELO, R_EHLO_FIRST, R_EHLO_LINE, R_DONE, R_BYE,
	R_HELP_FIRST, R_HELP_LINE, R_HELP_LAST,
	R_TIMEOUT, R_SESSION_TIME, R_SHUTDOWN, R_TOO_MANY_ERRORS, R_HTTP,
	/* lines and verbs */
	R_LINE_TOO_LONG, R_BARE_LF_COMMAND, R_BAD_SYNTAX, R_UNKNOWN,
	R_NOT_IMPLEMENTED, R_NO_ARGUMENTS, R_HELO_SYNTAX, R_HELO_TOO_LONG,
	R_NEED_HELO, R_NEED_LHLO, R_NEED_MAIL, R_NEED_RCPT, R_NESTED_MAIL, R_AFTER_BDAT,
	/* MAIL and RCPT */
	R_MAIL_OK, R_MAIL_SYNTAX, R_SENDER_TOO_LONG, R_SENDER_SYNTAX,
	R_MAIL_PARAM_UNKNOWN, R_MAIL_PARAM_SYNTAX, R_SIZE_CONFLICT,
	R_BODY_CONFLICT, R_SENDER_NEEDS_UTF8,
	R_RCPT_OK, R_RCPT_SYNTAX, R_RCPT_TOO_LONG, R_RCPT_ADDR_SYNTAX,
	R_RCPT_PARAM_UNKNOWN, R_RCPT_NEEDS_UTF8, R_TOO_MANY_RCPT,
	R_SIZE_EXCEEDED,
	/* VRFY, EXPN */
	R_VRFY_SYNTAX, R_CANNOT_VRFY, R_EXPN_DISABLED,
	/* the address book: RCPT, VRFY, EXPN */
	R_NO_SUCH_USER, R_LOOKUP_FAILED, R_NAME_SYNTAX, R_EXPN_SYNTAX,
	R_ADDRESS, R_AMBIGUOUS, R_AMBIGUOUS_LINE, R_NO_SUCH_LIST, R_LIST_CUT,
	/* the message */
	R_START_DATA, R_QUEUED, R_BARE_LF_MESSAGE, R_MAIL_LOOP,
	R_NO_STORAGE, R_LOCAL_ERROR, R_DELIVERY_FAILED,
	R_DELIVERY_DEFERRED,
	/* BDAT and LMTP */
	R_BDAT_SYNTAX, R_CHUNK_OK, R_BINARYMIME_DATA, R_LMTP_QUEUED,
	/* faults on purpose */
	R_NO_SERVICE,
	/* AUTH (RFC 4954) and STARTTLS (RFC 3207) */
	R_AUTH_CHALLENGE, R_AUTH_OK, R_AUTH_CANCELLED, R_AUTH_BAD_B64,
	R_AUTH_FAILED, R_AUTH_TEMPFAIL, R_AUTH_ALREADY, R_IN_TRANSACTION,
	R_NEED_EHLO, R_AUTH_MECHANISM, R_AUTH_NEEDS_TLS, R_AUTH_SYNTAX,
	R_AUTH_TOO_MANY, R_AUTH_REQUIRED, R_TLS_READY, R_TLS_UNAVAILABLE,
	R_TLS_ACTIVE,
	R__COUNT
};

/* Policy flags of a catalogue entry.  A 4xx or 5xx counts toward
 * --max-errors unless it says otherwise, as Postfix counts them. */
#define RF_NOT_COUNTED 0x1 /* not the client's error: our own failure */
#define RF_CLOSE 0x2       /* the session ends after it (221, 421) */
#define RF_OVERSHOOT 0x4   /* counts only past RCPT_OVERSHOOT_LIMIT */

/* Recipients past --max-recipients that are refused before each counts
 * as an error (Postfix's smtpd_recipient_overshoot_limit): a client that
 * sends too many recipients in good faith is not cut off for it. */
#define RCPT_OVERSHOOT_LIMIT 1000

struct reply_def {
	unsigned short code;
	const char *enhanced; /* RFC 3463 code, or NULL where none is sent */
	const char *text;     /* a format whose conversions are all %s */
	unsigned flags;
	const char *why;      /* RF_CLOSE: the reason the log gives */
};

extern const struct reply_def reply_catalogue[R__COUNT];

/* The replies of faults on purpose (--fail, --fail-by-address): one for
 * each code a client is likely to be tested with, for any fault point
 * (point 0) or for one (enum fault_point); a code not listed gets its
 * class's (4.0.0, 5.0.0).  The texts take at most one %s, the host.
 * Arrays, not pointers: a table of pointers costs every session a
 * relocation per pointer at start, used or not. */
struct fault_reply_def {
	unsigned char point;
	unsigned short code;
	char enhanced[8]; /* "" where none is sent */
	char text[72];
};
extern const struct fault_reply_def fault_catalogue[];
extern const size_t fault_catalogue_size;

struct session;

/* Sends reply id as the last (or only) line of a reply, then applies its
 * policy.  The arguments are strings, one for each %s of its text. */
void reply(struct session *, enum reply_id, ...);

/* Sends one line of a multi-line reply ("250-..."): no policy yet, that
 * comes with the last line. */
void reply_more(struct session *, enum reply_id, ...);

/* The buffer itself, for the core and for tests. */
bool reply_buf_full(const struct reply_buf *);
void reply_buf_consume(struct reply_buf *, size_t n);

#endif
