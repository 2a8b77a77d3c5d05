/*
 * options.c: the options of smtp-watch(1), checked before anything opens.
 *
 * Invariants: every value is checked whole (no trailing junk, no
 * overflow); the filter arrays have room for every argument, so adding
 * to them cannot overflow; getopt_long() prints nothing (opterr = 0).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "watch/options.h"

#define NS 1000000000LL

const char options_help[] =
    "usage: smtp-watch [--existing] [--rcpt ADDR]... [--from ADDR]...\n"
    "                  [--count N] [--timeout SECONDS]\n"
    "                  [--format summary|json|mbox] MAILDIR\n"
    "Reports each message delivered into MAILDIR as it arrives.\n"
    "  -e, --existing        first report the messages already in new/ and cur/\n"
    "  -r, --rcpt ADDR       only messages with this envelope recipient\n"
    "  -f, --from ADDR       only messages with this envelope sender\n"
    "                        (both repeatable; \"@domain\" matches a domain)\n"
    "  -n, --count N         exit 0 after N matching messages\n"
    "  -t, --timeout SECONDS exit 1 when SECONDS pass first\n"
    "  -o, --format FORMAT   summary (default), json or mbox\n"
    "  -h, --help, -V, --version\n";

static enum opt_result __attribute__((format(printf, 3, 4)))
usage_error(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
	return OPT_USAGE;
}

static bool
parse_count(const char *s, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	return *s >= '0' && *s <= '9' && *end == '\0' && errno == 0 && *v > 0;
}

static bool
parse_timeout(const char *s, int64_t *ns)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(v) || v < 0 || v > 1e9)
		return false;
	*ns = (int64_t)(v * (double)NS);
	return true;
}

static bool
parse_format(const char *s, enum format *f)
{
	static const char *const names[] = { "summary", "json", "mbox" };
	static const enum format formats[] = { FMT_SUMMARY, FMT_JSON,
		FMT_MBOX };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i]) == 0) {
			*f = formats[i];
			return true;
		}
	}
	return false;
}

static const struct option longopts[] = {
	{ "existing", no_argument, NULL, 'e' },
	{ "rcpt", required_argument, NULL, 'r' },
	{ "from", required_argument, NULL, 'f' },
	{ "count", required_argument, NULL, 'n' },
	{ "timeout", required_argument, NULL, 't' },
	{ "format", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* Whether arg is "--name=..." for the long option whose short one is c. */
static bool
long_with_value(const char *arg, int c)
{
	size_t n = strcspn(arg, "=");

	if (strncmp(arg, "--", 2) != 0 || arg[n] != '=')
		return false;
	for (const struct option *o = longopts; o->name; o++)
		if (o->val == c && strlen(o->name) == n - 2 &&
		    strncmp(o->name, arg + 2, n - 2) == 0)
			return true;
	return false;
}

/*
 * What getopt_long() refused, as a message.  An unknown long option and a
 * missing argument move optind past the word; optopt is 0 for the first,
 * and the option's letter otherwise.
 */
static enum opt_result
bad_option(int c, char **argv, char *err, size_t cap)
{
	const char *arg = argv[optind - 1];

	if (c == ':' && strncmp(arg, "--", 2) == 0)
		return usage_error(err, cap, "option '%s' needs an argument",
		    arg);
	if (c == ':')
		return usage_error(err, cap, "option '-%c' needs an argument",
		    optopt);
	if (optopt == 0)
		return usage_error(err, cap, "unknown option '%s'", arg);
	if (long_with_value(arg, optopt))
		return usage_error(err, cap, "option '%.*s' takes no argument",
		    (int)strcspn(arg, "="), arg);
	return usage_error(err, cap, "unknown option '-%c'", optopt);
}

/* One option with its argument; OPT_RUN to go on. */
static enum opt_result
take_option(struct options *o, int c, char *err, size_t cap)
{
	switch (c) {
	case 'e':
		o->existing = true;
		return OPT_RUN;
	case 'r':
		o->filter.rcpt[o->filter.nrcpt++] = optarg;
		return OPT_RUN;
	case 'f':
		o->filter.from[o->filter.nfrom++] = optarg;
		return OPT_RUN;
	case 'n':
		if (!parse_count(optarg, &o->count))
			return usage_error(err, cap,
			    "--count: '%s' is not a positive number", optarg);
		return OPT_RUN;
	case 't':
		if (!parse_timeout(optarg, &o->timeout_ns))
			return usage_error(err, cap,
			    "--timeout: '%s' is not a number of seconds",
			    optarg);
		return OPT_RUN;
	case 'o':
		if (!parse_format(optarg, &o->format))
			return usage_error(err, cap,
			    "--format: '%s' is not summary, json or mbox",
			    optarg);
		return OPT_RUN;
	case 'h':
		return OPT_HELP;
	default:
		return OPT_VERSION;
	}
}

enum opt_result
options_parse(struct options *o, int argc, char **argv, char *err,
    size_t cap)
{
	enum opt_result r;
	int c;

	memset(o, 0, sizeof(*o));
	o->timeout_ns = -1;
	o->filter.rcpt = calloc((size_t)argc + 1, sizeof(*o->filter.rcpt));
	o->filter.from = calloc((size_t)argc + 1, sizeof(*o->filter.from));
	if (o->filter.rcpt == NULL || o->filter.from == NULL)
		return usage_error(err, cap, "%s", strerror(ENOMEM));
	opterr = 0;
	optind = 0; /* glibc: start afresh, as for a new program */
	while ((c = getopt_long(argc, argv, ":er:f:n:t:o:hV", longopts,
	    NULL)) != -1) {
		if (c == '?' || c == ':')
			return bad_option(c, argv, err, cap);
		if ((r = take_option(o, c, err, cap)) != OPT_RUN)
			return r;
	}
	if (argc - optind != 1)
		return usage_error(err, cap, "%s", argc == optind ?
		    "missing MAILDIR" : "one MAILDIR only");
	o->maildir = argv[optind];
	if (o->maildir[0] == '\0')
		return usage_error(err, cap, "MAILDIR is empty");
	return OPT_RUN;
}

void
options_free(struct options *o)
{
	free(o->filter.rcpt);
	free(o->filter.from);
	o->filter.rcpt = o->filter.from = NULL;
}
