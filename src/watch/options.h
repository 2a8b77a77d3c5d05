/*
 * options.h: smtp-watch's command line.  Pure: nothing is printed and
 * nothing exits here; main() does both with what options_parse() returns.
 */
#ifndef WATCH_OPTIONS_H
#define WATCH_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "watch/filter.h"
#include "watch/format.h"

struct options {
	bool existing;
	struct filter filter;
	unsigned long count; /* 0: run until interrupted */
	int64_t timeout_ns;  /* -1: none */
	enum format format;
	const char *maildir;
};

enum opt_result {
	OPT_RUN,     /* follow o->maildir */
	OPT_HELP,    /* print options_help, exit 0 */
	OPT_VERSION, /* print the version, exit 0 */
	OPT_USAGE,   /* print err and a hint, exit 2 */
};

/* The --help text. */
extern const char options_help[];

/*
 * Parses argv (getopt_long(3), so argv may be permuted and the strings
 * stay argv's).  Allocates the two filter arrays (argc pointers each; see
 * options_free()).  On OPT_USAGE, err (capacity cap) says what is wrong.
 */
enum opt_result options_parse(struct options *o, int argc, char **argv,
    char *err, size_t cap);

void options_free(struct options *o);

#endif
