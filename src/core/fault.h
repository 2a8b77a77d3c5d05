/*
 * fault.h: faults on purpose, for testing the programs that send mail
 * (--fail, --delay, --fail-by-address).  Pure: the table is parsed once
 * at start-up from the command line; a session draws its odds from a
 * generator seeded by the edge, so one seed replays one session exactly.
 *
 * A fault point (WHEN) is "the reply to X": a verb of the verb table,
 * found by its name, so a verb that joins the table later (LHLO, BDAT,
 * AUTH, STARTTLS) has its faults without more code, or one of two
 * pseudo-verbs: the greeting (connect) and the reply after a message
 * (dot).
 *
 * Grammar (each word case-insensitive):
 *
 *	fail	= when ":" code [ ":" which ]
 *	delay	= when ":" seconds [ ":" which ]
 *	when	= "connect" / "helo" / "mail" / "rcpt" / "data" / "dot" /
 *		  "bdat" / "auth" / "starttls" / "rset" / "noop" / "vrfy" /
 *		  "expn" / "quit"
 *	code	= 3DIGIT (400 to 599) / "drop" / "hang"
 *		  (connect: 421, 521, 554, drop or hang only)
 *	seconds	= 1*5DIGIT [ "." 1*3DIGIT ]   (at most 86400)
 *	which	= odds "%" / "#" 1*7DIGIT     (the n-th such command, n >= 1)
 *	odds	= 1*3DIGIT [ "." 1*4DIGIT ]   (more than 0, at most 100)
 */
#ifndef FAULT_H
#define FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum fault_point {
	FP_NONE,
	FP_CONNECT, /* the greeting */
	FP_HELO,    /* HELO, EHLO, LHLO */
	FP_MAIL,
	FP_RCPT,
	FP_DATA, /* the reply to DATA itself */
	FP_DOT,  /* the reply after the message (and after BDAT LAST) */
	FP_BDAT,
	FP_AUTH,
	FP_STARTTLS,
	FP_RSET,
	FP_NOOP,
	FP_VRFY,
	FP_EXPN,
	FP_QUIT,
	FP__COUNT
};

enum fault_kind { FAULT_FAIL, FAULT_DELAY };
enum fault_which { WHICH_EVERY, WHICH_ODDS, WHICH_NTH };

/* code of a FAULT_FAIL rule below 400: no reply at all */
#define FAULT_DROP 1 /* close the connection */
#define FAULT_HANG 2 /* say nothing until the client or --timeout gives up */

#define FAULT_RULES_MAX 64
#define FAULT_DELAY_MAX_MS 86400000u
#define FAULT_NTH_MAX 9999999u
#define FAULT_ODDS_ONE 1000000u /* odds are in millionths */

struct fault_rule {
	unsigned char point; /* enum fault_point */
	unsigned char kind;  /* enum fault_kind */
	unsigned char which; /* enum fault_which */
	unsigned short code; /* FAULT_FAIL: 400-599, FAULT_DROP, FAULT_HANG */
	uint32_t ms;         /* FAULT_DELAY: the wait */
	uint32_t n;          /* WHICH_ODDS: in millionths; WHICH_NTH: n */
};

struct fault_table {
	unsigned n;
	struct fault_rule rule[FAULT_RULES_MAX];
};

/* Adds the rule spec of that kind to the table: NULL, or why it cannot
 * (a sentence for the usage message; the table is unchanged). */
const char *fault_parse(struct fault_table *, enum fault_kind,
    const char *spec);

/* The rule as fault_parse() reads it back ("rcpt:451:#3",
 * "dot:1.5:25%"): the length written, at most cap - 1, NUL-terminated. */
size_t fault_format(const struct fault_rule *, char *buf, size_t cap);

/* The name of a fault point ("rcpt"), "" for FP_NONE. */
const char *fault_point_name(enum fault_point);

/* The table draws odds: a session's seed decides them. */
bool fault_table_has_odds(const struct fault_table *);

/* --fail-by-address: the reply code a local part asks for ("451",
 * "user+552", "dot-451", "user+dot-451"), or 0; *after_message is set
 * when it is for the reply after the message ("dot-"). */
unsigned fault_address_code(const char *addr, bool *after_message);

/* The generator behind the odds (splitmix64): the next number of *state. */
uint64_t fault_random(uint64_t *state);

#endif
