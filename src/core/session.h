/*
 * session.h: the SMTP session core (RFC 5321).
 *
 * Pure: it is fed bytes and appends replies to a buffer; delivery and
 * events are callbacks the edge supplies.  It never blocks, never exits,
 * never reads the clock or a file descriptor, so unit tests, transcript
 * tests and fuzzers drive it without sockets.
 *
 * The edge's loop, in short:
 *
 *	session_init(&s, &cfg);
 *	for (;;) {
 *		write session_output(&s) to the client, session_output_done();
 *		if (session_closed(&s)) break;
 *		if (session_has_more(&s)) { session_resume(&s); continue; }
 *		wait for input, as long as session_wait(&s) allows;
 *		feed it with session_feed(), flushing whenever the core
 *		stops early (session_feed returns less than it was given);
 *	}
 */
#ifndef SESSION_H
#define SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/address.h"
#include "core/fault.h"
#include "core/params.h"
#include "core/bdat.h"
#include "core/data.h"
#include "core/reply.h"
#include "core/sasl.h"

#define SESSION_LINE_MAX 512 /* a command line with its CRLF, 4.5.3.1.4 */
#define SESSION_HELO_MAX 255
#define SESSION_RCPT_LIMIT 100000 /* the largest --max-recipients */
#define JUNK_LIMIT 100 /* VF_JUNK commands before each counts as an error */

/* What is known of one message; the delivery callbacks read it. */
struct envelope {
	const char *session_id;
	const char *client_addr;
	const char *helo;     /* as the client sent it; may hold anything */
	const char *hostname; /* ours */
	bool esmtp;           /* EHLO, not HELO */
	bool lmtp;            /* LHLO: the session speaks LMTP */
	char id[64];          /* this message's id: <session>Q<n>, an Atom */
	struct path sender;
	struct mail_params params;
	unsigned nrcpt;
	struct path *rcpt;
	int *result; /* each recipient's result (RCPT_AS_MESSAGE or its own
			reply), or NULL: all share the message's */
	uint64_t size; /* octets received, CRLF line ends */
	bool chunked;  /* the message came in BDAT chunks (RFC 3030) */
	const char *auth_user; /* AUTH's user name, or NULL */
	const char *tls;       /* "TLSv1.3 with cipher X", or NULL: in clear */
};

/* A recipient's result at the end of a message (envelope.result[i]):
 * the message's own (RCPT_AS_MESSAGE), or a reply of its own (an enum
 * reply_id).  LMTP gives each recipient its reply; SMTP can say one
 * thing only, so there it is the message's unless every recipient has a
 * refusal of its own. */
#define RCPT_AS_MESSAGE (-1)

/* Delivery results beyond 0 / -1 with errno. */
#define DELIVER_PERMANENT (-2) /* 554 5.3.0: the message is refused */
#define DELIVER_TEMPORARY (-3) /* 451 4.3.0: try again later */

/* Where a message goes.  The header block is the delivery's to write. */
struct delivery_ops {
	/* at DATA, before 354: 0; 1 when the message bytes are not wanted
	 * (they are still read, counted and checked); or -1 with errno */
	int (*begin)(void *ctx, const struct envelope *);
	/* message bytes, LF line ends, in large runs: 0, or -1 with errno */
	int (*write)(void *ctx, const char *buf, size_t len);
	/* after the end of data: 0 once the message is safe; -1 with errno,
	 * DELIVER_PERMANENT or DELIVER_TEMPORARY.  note receives a short
	 * description (the stored file's name) for the log. */
	int (*commit)(void *ctx, const struct envelope *, char *note,
	    size_t notelen);
	/* the message is refused or the session ends inside DATA */
	void (*abort)(void *ctx, const struct envelope *);
};

/* What the session tells the log (and, later, the transcript). */
enum session_event {
	SE_COMMAND,  /* text: the command line */
	SE_REPLY,    /* text: one reply line, without CRLF */
	SE_REFUSED,  /* text: the refused MAIL or RCPT line; reply: the reply */
	SE_ACCEPTED, /* text: the delivery's note (the stored file) */
	SE_REJECTED, /* reply: the reply; error: errno of a local failure */
	SE_CLOSE,    /* text: why the session ends */
	SE_INJECTED, /* text: the fault point ("rcpt"); reply: the injected
			reply, "drop", "hang" or "delay N s" */
	SE_PIPELINING, /* text: the command after which more input waited,
			  though PIPELINING was withheld (once a session) */
};

struct session_note {
	enum session_event type;
	const struct envelope *env;
	const char *text;
	const char *reply;
	int error;
};

typedef void (*session_event_fn)(void *ctx, const struct session_note *);

/*
 * The address book: which recipients exist (--recipients) and what a
 * list expands to (--aliases).  The edge keeps the files; the core asks
 * it here, and only when cfg->book says that it holds the file asked
 * about.  Addresses are as address_parse() stored them.
 */
#define BOOK_RECIPIENTS 0x1 /* RCPT and VRFY ask accepts() and lookup() */
#define BOOK_ALIASES 0x2    /* EXPN asks expand(); its names are recipients */
#define BOOK_UNAVAILABLE (-1) /* a file cannot be read: 451 4.3.0 */

struct address_book_ops {
	/* RCPT and VRFY of a mailbox: 1 when addr is a recipient, 0 when it
	 * is not, BOOK_UNAVAILABLE */
	int (*accepts)(void *ctx, const char *addr);
	/* VRFY of a local part alone: how many recipients it may mean, or
	 * BOOK_UNAVAILABLE; item() gives them */
	long (*lookup)(void *ctx, const char *local);
	/* EXPN: how many members list name has (0: no such list), or
	 * BOOK_UNAVAILABLE; item() gives them */
	long (*expand)(void *ctx, const char *name);
	/* The answer i (0, 1, ... in order) of the last lookup() or
	 * expand(), into buf (ADDR_BUF): false when it cannot be read. */
	bool (*item)(void *ctx, size_t i, char *buf);
};

enum bare_lf_policy { BARE_LF_NORMALIZE, BARE_LF_REJECT };

/*
 * AUTH (RFC 4954): the core decodes the exchange, the edge judges the
 * credentials.  check() may take its time (a hash, a delay after a
 * failure); failures counts the session's failed attempts before this
 * one.  The password is wiped as soon as check() returns.
 */
#define AUTH_OK 0
#define AUTH_BAD 1         /* 535 5.7.8 */
#define AUTH_UNAVAILABLE 2 /* 454 4.7.0: the credentials cannot be read */
#define AUTH_MAX_FAILURES 3 /* then 421 and the session ends */

struct auth_ops {
	int (*check)(void *ctx, const char *user, const char *pass,
	    unsigned failures);
};

/* STARTTLS (RFC 3207): what the edge can do. */
enum tls_offer {
	TLS_NONE,     /* no certificate configured: 502, not advertised */
	TLS_UNUSABLE, /* configured, but the key or certificate failed: 454 */
	TLS_READY,
};

/* The service extensions EHLO may offer (RFC 5321 2.2). */
#define EXT_PIPELINING 0x01
#define EXT_SIZE 0x02
#define EXT_8BITMIME 0x04
#define EXT_SMTPUTF8 0x08
#define EXT_ENHANCEDSTATUSCODES 0x10
#define EXT_CHUNKING 0x20   /* BDAT, RFC 3030 */
#define EXT_BINARYMIME 0x40 /* BODY=BINARYMIME, RFC 3030; needs CHUNKING */
#define EXT_STARTTLS 0x100  /* offered with --tls-cert */
#define EXT_AUTH 0x200      /* offered with --auth */
#define EXT_DEFAULT (EXT_PIPELINING | EXT_SIZE | EXT_8BITMIME | EXT_SMTPUTF8 | \
    EXT_ENHANCEDSTATUSCODES | EXT_CHUNKING | EXT_BINARYMIME)

/* At the end of a message, before it is committed: recipient i's own
 * result, an enum reply_id, or RCPT_AS_MESSAGE.  The hook through which
 * a recipient can fail while the others succeed (fault injection); the
 * message is committed only when at least one recipient is left. */
typedef int (*session_rcpt_fn)(void *ctx, const struct envelope *,
    unsigned i);

/* The EXT_* bit of an EHLO keyword (any case), or 0: PIPELINING, SIZE,
 * 8BITMIME, SMTPUTF8, ENHANCEDSTATUSCODES, CHUNKING, STARTTLS, AUTH. */
unsigned session_extension(const char *keyword);

struct session_config {
	const char *hostname;
	const char *session_id;
	const char *client_addr;
	uint64_t max_size;       /* 0: no limit */
	unsigned max_recipients; /* 1 .. SESSION_RCPT_LIMIT */
	struct path *rcpt_table; /* room for max_recipients: the edge's */
	int *rcpt_results;       /* the same room, or NULL: then no recipient
				    has a result of its own */
	unsigned max_errors;     /* 0: no limit */
	unsigned extensions;     /* EXT_*: what EHLO offers (and MAIL accepts) */
	unsigned withheld;       /* EXT_* withheld (--withhold): their verbs
				    are unknown commands */
	bool local;              /* a person on a pipe or terminal: LF ends lines */
	bool lmtp;               /* speak LMTP (RFC 2033): LHLO, a reply per
				    recipient after the message */
	enum bare_lf_policy bare_lf;
	const struct delivery_ops *delivery;
	void *delivery_ctx;
	session_event_fn event; /* may be NULL */
	void *event_ctx;
	unsigned book; /* BOOK_RECIPIENTS, BOOK_ALIASES: what book_ops hold */
	const struct address_book_ops *book_ops;
	void *book_ctx;
	session_rcpt_fn rcpt_result; /* NULL (or no rcpt_results): all share
					the message's result */
	void *rcpt_result_ctx;
	/* faults on purpose (fault.h): NULL when there are none */
	const struct fault_table *faults;
	uint64_t fault_seed; /* the odds of this session */
	bool fail_by_address; /* a local part such as "451" asks for a fault */
	/* AUTH: NULL when not configured (502, not advertised) */
	const struct auth_ops *auth;
	void *auth_ctx;
	bool auth_clear;    /* AUTH allowed without TLS: loopback, a local
			       pipe, or --auth-insecure */
	bool auth_required; /* MAIL gets 530 until AUTH succeeded */
	enum tls_offer tls; /* STARTTLS */
	/* session_feed() returns at the end of each message, so the edge
	 * knows which bytes were the message (a transcript leaves out what
	 * is past its limit) */
	bool split_messages;
};

enum session_state {
	ST_START, /* greeted; HELO or EHLO expected */
	ST_READY, /* no transaction */
	ST_MAIL,  /* MAIL accepted */
	ST_RCPT,  /* at least one recipient */
	ST_DATA,  /* reading the message */
	ST_CHUNKS, /* a message in BDAT chunks has begun; BDAT LAST ends it */
	ST_CLOSED,
};

/* Session flags (s->flags). */
#define SF_ESMTP 0x1     /* the client said EHLO */
#define SF_HUNG 0x2      /* a fault: say nothing, read and drop input */
#define SF_REFUSED 0x4   /* a fault: greeted with 5xx, only QUIT answered */
#define SF_PIPELINED 0x8 /* improper pipelining was noted */
#define SF_SECRET 0x10   /* the client's next lines are credentials (an
			    AUTH exchange sets it while it waits for them) */
#define SF_UNCOUNTED 0x20 /* replies now are not counted as errors (the
			    replies per recipient of one LMTP message) */
#define SF_TLS 0x40      /* the connection is encrypted */
#define SF_AUTHED 0x80   /* AUTH succeeded */
#define SF_TLS_PENDING 0x100 /* 220 to STARTTLS given: the edge handshakes
				before another byte is read */

/* Where an AUTH exchange is (s->auth_step). */
enum auth_step { AUTH_IDLE, AUTH_PLAIN_WAIT, AUTH_LOGIN_USER,
	AUTH_LOGIN_PASS };

struct verb;

/* A reply given a piece at a time: item(s, i) for i in [next, count). */
struct reply_more {
	bool (*item)(struct session *, size_t i);
	size_t next, count;
};

struct session {
	const struct session_config *cfg;
	enum session_state state;
	unsigned flags;        /* SF_* */
	unsigned errors;
	unsigned junk;         /* VF_JUNK commands so far */
	unsigned overshoot;    /* recipients refused past the limit */
	unsigned transactions; /* DATA commands that began a message */
	unsigned chunks;       /* BDAT chunks begun (each has a deadline) */
	int outcome;           /* LMTP: the message's reply id, or -1: queued */
	int outcome_errno;     /* and the local failure behind it, or 0 */
	bool in_delivery;      /* begin() succeeded, no commit() or abort() yet */
	const struct verb *verb; /* the command being answered, or NULL */
	uint64_t fault_rng;      /* draws the odds of --fail and --delay */
	unsigned fault_seen[FP__COUNT]; /* commands so far at each point */
	unsigned delay_ms;       /* the reply at out.data[delay_at] waits */
	size_t delay_at;
	bool rejecting;   /* the reply refuses a begun message */
	int reply_errno;  /* and the local failure behind it, or 0 */
	struct reply_more more;
	struct chunk chunk; /* the BDAT chunk being read, if any */
	bool line_too_long;
	size_t line_len;
	enum auth_step auth_step;
	unsigned auth_failures;
	char helo[SESSION_HELO_MAX + 1];
	struct envelope env;
	/* the large members last: session_init clears what comes before */
	struct data_machine data;
	struct reply_buf out;
	/* a command line; only an AUTH line may be longer than
	 * SESSION_LINE_MAX, and only its first bytes are touched otherwise */
	char line[SASL_LINE_MAX];
	struct sasl_creds creds; /* wiped after each check */
	/* read only through env.auth_user and env.tls, which are cleared:
	 * a session that never uses them never touches their pages */
	char user[SASL_USER_MAX + 1]; /* who AUTH said the client is */
	char tls[128];                /* the edge's description of TLS */
};

/* Starts the session and writes the greeting.  The recipient table is
 * the caller's (cfg->rcpt_table): a static one costs a short session
 * nothing, where malloc(3) would be set up for it. */
void session_init(struct session *, const struct session_config *);

/* Consumes input; returns how much.  It stops early when the session
 * closed or the edge must flush (the reply buffer is nearly full, a
 * long reply waits for room, a reply is to be delayed, or PIPELINING is
 * withheld and a command was answered; with split_messages, at the end
 * of a message too): the edge flushes and feeds the rest.  A session
 * that a fault hung takes all input and says nothing. */
size_t session_feed(struct session *, const char *in, size_t len);

/* A long reply is waiting for room: after a flush, session_resume()
 * writes the next part. */
bool session_has_more(const struct session *);
void session_resume(struct session *);

/* The replies not yet written, and how many of them the edge wrote. */
const char *session_output(const struct session *, size_t *len);
void session_output_done(struct session *, size_t n);

/* --delay: the reply that starts *at bytes into the output is to wait
 * this many milliseconds (0: none).  The edge writes what comes before
 * it, waits (the wait counts against no timeout), calls
 * session_delay_done() and writes the rest.  session_feed() stops after
 * the command whose reply waits, so there is never more than one. */
unsigned session_delay(const struct session *, size_t *at);
void session_delay_done(struct session *);

/* What the session waits for: the edge turns it into a deadline. */
enum session_wait {
	WAIT_COMMAND,  /* a new command line */
	WAIT_MID_LINE, /* the rest of a command line that has begun */
	WAIT_MESSAGE,  /* the message after 354, or a BDAT chunk */
	WAIT_HUNG,     /* nothing: a fault holds the session silent until the
			  client leaves or --timeout (from when it began) */
};
enum session_wait session_wait(const struct session *);

/* The client's next lines are secrets (SF_SECRET): a transcript masks
 * them whole. */
bool session_secret(const struct session *);

/* Messages and BDAT chunks begun so far: a new value starts a new
 * message deadline. */
unsigned session_messages(const struct session *);

/* The client was silent for too long: 421 and close. */
void session_timeout(struct session *);

/* The session lasted --max-session-time: 421 and close. */
void session_expired(struct session *);

/* The service is stopping (SIGTERM): 421 and close; a message in
 * progress is aborted, so nothing of it stays behind. */
void session_shutdown(struct session *);

/* The client went away (EOF); a message in progress is aborted. */
void session_eof(struct session *);

bool session_closed(const struct session *);

/* STARTTLS was answered 220: the edge throws away every byte it holds
 * from the client (RFC 3207 5, the command injection of CVE-2011-0411),
 * handshakes, and says how it went.  session_feed() takes nothing until
 * then. */
bool session_tls_pending(const struct session *);

/* The handshake succeeded (after STARTTLS, or before the greeting with
 * implicit TLS): the session forgets HELO, AUTH and the transaction
 * (RFC 3207 4.2); desc ("TLSv1.3 with cipher ...") goes into Received. */
void session_tls_started(struct session *, const char *desc);

/* The handshake failed: the session ends without a reply. */
void session_tls_failed(struct session *, const char *why);

#endif
