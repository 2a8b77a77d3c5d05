/*
 * options.h: smtp-session's command line.
 */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/session.h"

struct options {
	const char *hostname; /* NULL: gethostname() */
	const char *maildir;
	const char *pipe_cmd;
	const char *recipients, *aliases; /* the address book's files */
	bool print, discard, verbose;
	bool network; /* --network: network rules even on a pipe or terminal */
	bool lmtp;    /* --lmtp: speak LMTP (RFC 2033) */
	bool proxy;   /* --proxy-protocol: a PROXY v1 or v2 header comes first */
	uint64_t max_size;
	unsigned max_recipients, max_errors, timeout;
	unsigned max_session_time; /* seconds; 0: no limit */
	enum bare_lf_policy bare_lf;
	/* testing clients: faults on purpose, withheld extensions, and a
	 * transcript of every byte */
	struct fault_table *faults; /* --fail, --delay; NULL: none */
	bool fail_by_address;
	bool seed_given;
	uint64_t seed;
	unsigned withhold; /* EXT_* */
	const char *transcript; /* a directory, or NULL */
	/* submission: AUTH and TLS */
	const char *auth_file;  /* --auth: user:hash lines */
	bool auth_any, auth_required, auth_insecure;
	const char *tls_cert, *tls_key; /* PEM files, or NULL */
	bool tls_on_connect;    /* implicit TLS (RFC 8314) */
};

enum options_result { OPTIONS_RUN, OPTIONS_EXIT, OPTIONS_USAGE };

/* Fills opt; --help and --version print and return OPTIONS_EXIT; a bad
 * option prints a message and returns OPTIONS_USAGE. */
enum options_result options_parse(struct options *, int argc, char **argv);

#endif
