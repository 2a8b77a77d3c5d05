/*
 * verb.h: the verb table.  Each command names its handler, the states in
 * which it may run and its flags; the dispatcher in session.c checks them,
 * so no handler repeats a state or junk check, and HELP is built from it.
 */
#ifndef VERB_H
#define VERB_H

#include <stddef.h>

#include "core/reply.h"
#include "core/session.h"

/* Verb flags. */
#define VF_NO_ARGS 0x01  /* an argument gets 501 (DATA, RSET) */
#define VF_JUNK 0x02     /* free to repeat: past JUNK_LIMIT each is an error */
#define VF_ENVELOPE 0x04 /* MAIL, RCPT: a refusal is logged as one */
#define VF_HIDDEN 0x08   /* not listed by HELP */
#define VF_OPTIONAL 0x10 /* listed by HELP when the configuration offers it */
#define VF_SMTP 0x20     /* SMTP only: 500 under --lmtp (HELO, EHLO) */
#define VF_LMTP 0x40     /* LMTP only: 500 without --lmtp (LHLO) */
#define VF_CHUNK 0x80    /* octets follow the line (BDAT): they are read
			    even when the command is refused */
/* The extension (EXT_*) a verb belongs to, in the flags' upper bits:
 * withheld (--withhold), the verb is an unknown command. */
#define VF_EXT_SHIFT 16
#define VF_EXT(ext) ((unsigned)(ext) << VF_EXT_SHIFT)

/* A set of states, as the bits 1 << ST_x. */
#define IN(st) (1u << (st))
#define IN_GREETED (IN(ST_READY) | IN(ST_MAIL) | IN(ST_RCPT) | IN(ST_CHUNKS))
#define IN_ANY (IN(ST_START) | IN_GREETED)

typedef void (*verb_fn)(struct session *, const char *arg, const char *end);

struct verb {
	const char *name;
	verb_fn run;
	unsigned states; /* where it may run; elsewhere 503 */
	unsigned flags;  /* VF_* */
	enum reply_id busy; /* the 503 when a transaction is past its state */
};

/* Pseudo-verbs, so that every reply answers something (s->verb) and a
 * fault point is always "the reply to X": the greeting, and the reply
 * after a message. */
extern const struct verb verb_greeting, verb_message_end;

/* The verb of a command line (case-insensitive, RFC 5321 2.4); *arg is
 * set to its argument, leading spaces skipped, or to line + len.  An
 * unknown verb gives the table's entry for "unknown". */
const struct verb *verb_lookup(const char *line, size_t len, const char **arg);

/* The verbs HELP lists in this session, separated by spaces: the length
 * written. */
size_t verb_list(const struct session *, char *buf, size_t cap);
#define VF_SMTP 0x20     /* SMTP only: 500 under --lmtp (HELO, EHLO) */
#define VF_LMTP 0x40     /* LMTP only: 500 without --lmtp (LHLO) */
#define VF_CHUNK 0x80    /* octets follow the line (BDAT): they are read
			    even when the command is refused */

#endif
