/*
 * output.h: where smtp-watch writes: records to standard output, flushed
 * after each, and diagnostics to standard error.
 */
#ifndef WATCH_OUTPUT_H
#define WATCH_OUTPUT_H

#include <stddef.h>

/* Fully buffers standard output: a record leaves in one piece. */
void output_init(void);

/* An emit_fn that writes to standard output (ctx unused). */
void output_emit(void *ctx, const char *p, size_t n);

/* Flushes standard output: 0, or -1 after saying why. */
int output_flush(void);

/* "smtp-watch: " and the message on standard error, after what standard
 * output holds, so the two stay in order on a terminal. */
void output_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
