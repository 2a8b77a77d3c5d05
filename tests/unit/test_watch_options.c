/*
 * test_watch_options.c: unit tests of smtp-watch's command line
 * (options.c): every option, every value checked whole, and the messages
 * of bad usage.
 */
#include <stdarg.h>
#include <string.h>

#include "check.h"
#include "watch/options.h"

static struct options o;
static char err[256];

/* Parses the NULL-terminated words after "smtp-watch". */
static enum opt_result
parse(const char *first, ...)
{
	static char words[16][64];
	char *argv[17];
	int argc = 0;
	va_list ap;

	argv[argc] = strcpy(words[argc], "smtp-watch");
	argc++;
	va_start(ap, first);
	for (const char *w = first; w && argc < 16; w = va_arg(ap, const char *)) {
		argv[argc] = strcpy(words[argc], w);
		argc++;
	}
	va_end(ap);
	argv[argc] = NULL;
	options_free(&o);
	err[0] = '\0';
	return options_parse(&o, argc, argv, err, sizeof(err));
}

static void
test_defaults(void)
{
	CHECK(parse("./mail", NULL) == OPT_RUN);
	CHECK_STR_EQ(o.maildir, "./mail");
	CHECK(!o.existing && o.count == 0 && o.timeout_ns == -1);
	CHECK(o.format == FMT_SUMMARY);
	CHECK(o.filter.nrcpt == 0 && o.filter.nfrom == 0);
}

static void
test_options(void)
{
	CHECK(parse("-e", "--rcpt", "a@x", "-r", "@y", "--from=<>", "-f", "",
	    "--count", "3", "-t", "1.5", "--format", "json", "M", NULL) ==
	    OPT_RUN);
	CHECK(o.existing && o.count == 3 && o.timeout_ns == 1500000000);
	CHECK(o.filter.nrcpt == 2 && o.filter.nfrom == 2);
	CHECK_STR_EQ(o.filter.rcpt[0], "a@x");
	CHECK_STR_EQ(o.filter.rcpt[1], "@y");
	CHECK_STR_EQ(o.filter.from[0], "<>");
	CHECK_STR_EQ(o.filter.from[1], "");
	CHECK(o.format == FMT_JSON);
	CHECK_STR_EQ(o.maildir, "M");
	CHECK(parse("M", "-o", "mbox", NULL) == OPT_RUN && o.format == FMT_MBOX);
	CHECK(parse("--existing", "--format=summary", "--timeout=0", "M",
	    NULL) == OPT_RUN && o.format == FMT_SUMMARY && o.timeout_ns == 0);
	CHECK(parse("--help", NULL) == OPT_HELP);
	CHECK(parse("-V", "M", NULL) == OPT_VERSION);
	CHECK(strstr(options_help, "  -e, --existing") != NULL);
}

static void
test_usage(void)
{
#define BAD(msg, ...)                                                        \
	do {                                                                 \
		CHECK(parse(__VA_ARGS__, NULL) == OPT_USAGE);                \
		CHECK_STR_EQ(err, msg);                                      \
	} while (0)
	BAD("missing MAILDIR", "-e");
	BAD("one MAILDIR only", "a", "b");
	BAD("MAILDIR is empty", "");
	BAD("--count: '0' is not a positive number", "--count", "0", "M");
	BAD("--count: '-1' is not a positive number", "-n", "-1", "M");
	BAD("--count: ' 1' is not a positive number", "-n", " 1", "M");
	BAD("--count: '1x' is not a positive number", "-n", "1x", "M");
	BAD("--count: '99999999999999999999999' is not a positive number",
	    "-n", "99999999999999999999999", "M");
	BAD("--timeout: 'soon' is not a number of seconds", "-t", "soon", "M");
	BAD("--timeout: '-1' is not a number of seconds", "-t", "-1", "M");
	BAD("--timeout: 'nan' is not a number of seconds", "-t", "nan", "M");
	BAD("--timeout: 'inf' is not a number of seconds", "-t", "inf", "M");
	BAD("--timeout: '1e10' is not a number of seconds", "-t", "1e10", "M");
	BAD("--timeout: '' is not a number of seconds", "-t", "", "M");
	BAD("--format: 'xml' is not summary, json or mbox", "-o", "xml", "M");
	BAD("unknown option '--bogus'", "--bogus", "M");
	BAD("unknown option '-z'", "-z", "M");
	BAD("unknown option '-z'", "--existing", "-ez", "M");
	BAD("option '--count' needs an argument", "M", "--count");
	BAD("option '-n' needs an argument", "M", "-n");
	BAD("option '--existing' takes no argument", "--existing=yes", "M");
#undef BAD
}

int
main(void)
{
	test_defaults();
	test_options();
	test_usage();
	options_free(&o);
	return check_finish("test_watch_options");
}
