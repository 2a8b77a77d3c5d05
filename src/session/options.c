/*
 * options.c: the command line of smtp-session(8).  Numbers are checked
 * whole: "10k" or "-1" is a usage error, never a silent zero.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/version.h"
#include "session/options.h"


static const char usage_text[] =
    "usage: smtp-session [OPTION]...\n"
    "Speak one SMTP session on standard input and output, then exit.\n"
    "\n"
    "  --hostname NAME       name in the greeting and Received header\n"
    "  --maildir DIR         store each message durably in Maildir DIR\n"
    "  --print               also print each message to standard error\n"
    "  --discard             accept every message and throw it away\n"
    "  --pipe CMD            deliver each message to /bin/sh -c CMD\n"
    "  --max-size BYTES      largest message (SIZE); 0: no limit "
    "[10485760]\n"
    "  --max-recipients N    recipients per message [100]\n"
    "  --timeout SECONDS     longest wait for client input [300]\n"
    "  --max-errors N        bad commands before 421; 0: no limit [10]\n"
    "  --max-session-time SECONDS\n"
    "                        the longest a session may last; 0: no limit "
    "[3600]\n"
    "  --network             network rules even on a pipe or a terminal\n"
    "  --bare-lf MODE        reject or normalize bare CR/LF in a message "
    "[normalize]\n"
    "  --recipients FILE     accept only these recipients (and VRFY them)\n"
    "  --aliases FILE        name: address, ... lists for EXPN\n"
    "  --lmtp                speak LMTP (RFC 2033): LHLO, a reply per "
    "recipient\n"
    "  --proxy-protocol      a HAProxy PROXY v1/v2 header first names the "
    "client\n"
    "  --auth FILE           offer AUTH PLAIN and LOGIN; FILE has user:hash "
    "lines\n"
    "  --auth-required       refuse MAIL (530) until the client "
    "authenticated\n"
    "  --auth-insecure       offer AUTH without TLS (else only after "
    "STARTTLS,\n"
    "                        on implicit TLS, or on loopback)\n"
    "  --auth-any            accept any user name and password (testing)\n"
    "  --tls-cert FILE, --tls-key FILE\n"
    "                        offer STARTTLS with this certificate and key\n"
    "  --tls-on-connect      implicit TLS from the first byte (port 465)\n"
    "  --verbose             log every command\n"
    "  --version, --help\n"
    "\n"
    "Testing the clients that send mail:\n"
    "  --fail WHEN:CODE[:WHICH]\n"
    "                        reply CODE (or drop, hang) at WHEN: connect "
    "helo mail\n"
    "                        rcpt data dot bdat auth starttls rset noop "
    "vrfy expn\n"
    "                        quit; WHICH: 30% or #2 [every time]\n"
    "  --delay WHEN:SECONDS[:WHICH]\n"
    "                        wait before the reply at WHEN\n"
    "  --seed N              the odds of --fail and --delay [random, "
    "logged]\n"
    "  --fail-by-address     451@x, user+552@x, user+dot-451@x ask for "
    "that code\n"
    "  --withhold KEYWORD    neither offer nor accept an EHLO keyword\n"
    "  --transcript DIR      record every byte of the session in DIR\n"
    "\n"
    "See smtp-session(8).\n";

enum {
	O_HOSTNAME = 256, O_MAILDIR, O_PRINT, O_DISCARD, O_PIPE, O_MAX_SIZE,
	O_MAX_RCPT, O_TIMEOUT, O_MAX_ERRORS, O_BARE_LF, O_VERBOSE, O_VERSION,
	O_HELP, O_MAX_SESSION_TIME, O_NETWORK, O_RECIPIENTS, O_ALIASES,
	O_LMTP, O_PROXY, O_FAIL, O_FAIL_BY_ADDRESS, O_DELAY, O_SEED, O_WITHHOLD,
	O_TRANSCRIPT, O_AUTH, O_AUTH_REQUIRED, O_AUTH_INSECURE, O_AUTH_ANY,
	O_TLS_CERT, O_TLS_KEY, O_TLS_ON_CONNECT,
};

static const struct option longopts[] = {
	{ "hostname", required_argument, NULL, O_HOSTNAME },
	{ "maildir", required_argument, NULL, O_MAILDIR },
	{ "print", no_argument, NULL, O_PRINT },
	{ "discard", no_argument, NULL, O_DISCARD },
	{ "pipe", required_argument, NULL, O_PIPE },
	{ "max-size", required_argument, NULL, O_MAX_SIZE },
	{ "max-recipients", required_argument, NULL, O_MAX_RCPT },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ "max-errors", required_argument, NULL, O_MAX_ERRORS },
	{ "max-session-time", required_argument, NULL, O_MAX_SESSION_TIME },
	{ "network", no_argument, NULL, O_NETWORK },
	{ "bare-lf", required_argument, NULL, O_BARE_LF },
	{ "verbose", no_argument, NULL, O_VERBOSE },
	{ "fail", required_argument, NULL, O_FAIL },
	{ "fail-by-address", no_argument, NULL, O_FAIL_BY_ADDRESS },
	{ "delay", required_argument, NULL, O_DELAY },
	{ "seed", required_argument, NULL, O_SEED },
	{ "withhold", required_argument, NULL, O_WITHHOLD },
	{ "transcript", required_argument, NULL, O_TRANSCRIPT },
	{ "version", no_argument, NULL, O_VERSION },
	{ "help", no_argument, NULL, O_HELP },
	{ "recipients", required_argument, NULL, O_RECIPIENTS },
	{ "aliases", required_argument, NULL, O_ALIASES },
	{ "lmtp", no_argument, NULL, O_LMTP },
	{ "proxy-protocol", no_argument, NULL, O_PROXY },
	{ "auth", required_argument, NULL, O_AUTH },
	{ "auth-required", no_argument, NULL, O_AUTH_REQUIRED },
	{ "auth-insecure", no_argument, NULL, O_AUTH_INSECURE },
	{ "auth-any", no_argument, NULL, O_AUTH_ANY },
	{ "tls-cert", required_argument, NULL, O_TLS_CERT },
	{ "tls-key", required_argument, NULL, O_TLS_KEY },
	{ "tls-on-connect", no_argument, NULL, O_TLS_ON_CONNECT },
	{ NULL, 0, NULL, 0 },
};

static bool
parse_number(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

static bool
number_option(const char *name, const char *arg, uint64_t min, uint64_t max,
    uint64_t *out)
{
	if (parse_number(arg, max, out) && *out >= min)
		return true;
	fprintf(stderr, "smtp-session: --%s: expected a number from %llu to "
	    "%llu, not '%s'\n", name, (unsigned long long)min,
	    (unsigned long long)max, arg);
	return false;
}

static bool
unsigned_option(const char *name, const char *arg, uint64_t min,
    uint64_t max, unsigned *out)
{
	uint64_t v;

	if (!number_option(name, arg, min, max, &v))
		return false;
	*out = (unsigned)v;
	return true;
}

static bool
withhold_option(struct options *o, const char *arg)
{
	unsigned ext = session_extension(arg);

	if (ext) {
		o->withhold |= ext;
		return true;
	}
	fprintf(stderr, "smtp-session: --withhold: '%s' is not one of "
	    "PIPELINING, SIZE, 8BITMIME, SMTPUTF8, ENHANCEDSTATUSCODES, "
	    "CHUNKING, STARTTLS, AUTH\n", arg);
	return false;
}

static bool
fault_option(struct options *o, const char *name, enum fault_kind kind,
    const char *arg)
{
	/* kept apart, so a session without faults never clears it */
	static struct fault_table table;
	const char *why = fault_parse(&table, kind, arg);

	if (why == NULL) {
		o->faults = &table;
		return true;
	}
	fprintf(stderr, "smtp-session: --%s '%s': %s\n", name, arg, why);
	return false;
}

/* AUTH and TLS (the submission options). */
static bool
submission_option(struct options *o, int c, const char *arg)
{
	switch (c) {
	case O_AUTH:
		o->auth_file = arg;
		return true;
	case O_AUTH_REQUIRED:
		o->auth_required = true;
		return true;
	case O_AUTH_INSECURE:
		o->auth_insecure = true;
		return true;
	case O_AUTH_ANY:
		o->auth_any = true;
		return true;
	case O_TLS_CERT:
		o->tls_cert = arg;
		return true;
	case O_TLS_KEY:
		o->tls_key = arg;
		return true;
	case O_TLS_ON_CONNECT:
		o->tls_on_connect = true;
		return true;
	}
	return false;
}

/* The combinations that cannot mean anything. */
static bool
submission_valid(const struct options *o)
{
	const char *why = NULL;

	if (!o->tls_cert != !o->tls_key)
		why = "--tls-cert and --tls-key go together";
	else if (o->tls_on_connect && !o->tls_cert)
		why = "--tls-on-connect needs --tls-cert and --tls-key";
	else if (o->auth_file && o->auth_any)
		why = "--auth-any excludes --auth";
	else if ((o->auth_required || o->auth_insecure) && !o->auth_file &&
	    !o->auth_any)
		why = "--auth-required and --auth-insecure need --auth or "
		    "--auth-any";
	if (why)
		fprintf(stderr, "smtp-session: %s\n", why);
	return why == NULL;
}

static bool
apply(struct options *o, int c, const char *arg)
{
	switch (c) {
	case O_HOSTNAME:
		if (*arg == '\0' || strlen(arg) > 253 || strpbrk(arg, " \r\n\t")) {
			fprintf(stderr, "smtp-session: --hostname: '%s' is not "
			    "a host name\n", arg);
			return false;
		}
		o->hostname = arg;
		return true;
	case O_MAILDIR:
		o->maildir = arg;
		return true;
	case O_PRINT:
		o->print = true;
		return true;
	case O_DISCARD:
		o->discard = true;
		return true;
	case O_PIPE:
		o->pipe_cmd = arg;
		return true;
	case O_MAX_SIZE:
		return number_option("max-size", arg, 0, UINT64_MAX / 2,
		    &o->max_size);
	case O_MAX_RCPT:
		return unsigned_option("max-recipients", arg, 1,
		    SESSION_RCPT_LIMIT, &o->max_recipients);
	case O_TIMEOUT:
		return unsigned_option("timeout", arg, 1, 86400, &o->timeout);
	case O_MAX_ERRORS:
		return unsigned_option("max-errors", arg, 0, 1000000,
		    &o->max_errors);
	case O_MAX_SESSION_TIME:
		return unsigned_option("max-session-time", arg, 0, 31536000,
		    &o->max_session_time);
	case O_NETWORK:
		o->network = true;
		return true;
	case O_BARE_LF:
		if (strcmp(arg, "reject") == 0)
			o->bare_lf = BARE_LF_REJECT;
		else if (strcmp(arg, "normalize") == 0)
			o->bare_lf = BARE_LF_NORMALIZE;
		else {
			fprintf(stderr, "smtp-session: --bare-lf: expected "
			    "'reject' or 'normalize', not '%s'\n", arg);
			return false;
		}
		return true;
	case O_VERBOSE:
		o->verbose = true;
		return true;
	case O_RECIPIENTS:
		o->recipients = arg;
		return true;
	case O_ALIASES:
		o->aliases = arg;
		return true;
	case O_LMTP:
		o->lmtp = true;
		return true;
	case O_PROXY:
		o->proxy = true;
		return true;
	case O_FAIL:
		return fault_option(o, "fail", FAULT_FAIL, arg);
	case O_DELAY:
		return fault_option(o, "delay", FAULT_DELAY, arg);
	case O_FAIL_BY_ADDRESS:
		o->fail_by_address = true;
		return true;
	case O_SEED:
		o->seed_given = true;
		return number_option("seed", arg, 0, UINT64_MAX, &o->seed);
	case O_WITHHOLD:
		return withhold_option(o, arg);
	case O_TRANSCRIPT:
		o->transcript = arg;
		return true;
	default:
		return submission_option(o, c, arg);
	}
}

enum options_result
options_parse(struct options *o, int argc, char **argv)
{
	int c;

	*o = (struct options){
		.max_size = 10485760,
		.max_recipients = 100,
		.max_errors = 10,
		.timeout = 300,
		.max_session_time = 3600,
		.bare_lf = BARE_LF_NORMALIZE,
	};
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == O_HELP) {
			fputs(usage_text, stdout);
			return OPTIONS_EXIT;
		}
		if (c == O_VERSION) {
			puts("smtp-session (smtp-sink) " SMTP_SINK_VERSION);
			return OPTIONS_EXIT;
		}
		if (c == '?') {
			fprintf(stderr, "smtp-session: unknown option or "
			    "missing argument: %s\n", argv[optind - 1]);
			fputs(usage_text, stderr);
			return OPTIONS_USAGE;
		}
		if (!apply(o, c, optarg))
			return OPTIONS_USAGE;
	}
	if (optind < argc) {
		fprintf(stderr, "smtp-session: unexpected argument: %s\n",
		    argv[optind]);
		return OPTIONS_USAGE;
	}
	if (o->discard && (o->maildir || o->pipe_cmd || o->print)) {
		fprintf(stderr, "smtp-session: --discard excludes --maildir, "
		    "--pipe and --print\n");
		return OPTIONS_USAGE;
	}
	return submission_valid(o) ? OPTIONS_RUN : OPTIONS_USAGE;
}
