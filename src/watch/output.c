/*
 * output.c: standard output and standard error, for the whole program.
 *
 * Invariant: an error writing standard output is noticed at the flush
 * after each record, and reported once, by output_flush().
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "watch/output.h"

void
output_init(void)
{
	static char buf[65536];

	setvbuf(stdout, buf, _IOFBF, sizeof(buf));
}

void
output_emit(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	fwrite(p, 1, n, stdout);
}

int
output_flush(void)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "smtp-watch: standard output: %s\n",
		    strerror(errno));
		return -1;
	}
	return 0;
}

void
output_warn(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("smtp-watch: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
