/*
 * out.h: where the pure parts of smtp-watch write text: a bounded,
 * NUL-terminated buffer (struct out), or a stream through the caller's
 * emit function.
 *
 * A struct out never holds more than cap - 1 bytes and is always
 * NUL-terminated; a piece that does not fit is dropped whole and marks it
 * full, after which nothing more is written, so a character is never cut
 * in two by out_put().
 */
#ifndef WATCH_OUT_H
#define WATCH_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Receives output bytes (n > 0) from the streaming functions. */
typedef void (*emit_fn)(void *ctx, const char *p, size_t n);

struct out {
	char *p;
	size_t cap, len;
	bool full; /* something did not fit: nothing more is written */
};

void out_init(struct out *o, char *p, size_t cap);

/* Appends all n bytes, or none and marks o full. */
void out_put(struct out *o, const char *s, size_t n);
void out_byte(struct out *o, unsigned char c);

/* Appends code point cp as UTF-8. */
void out_codepoint(struct out *o, uint32_t cp);

/* Moves the end back to len (<= o->len) and allows writing again. */
void out_rewind(struct out *o, size_t len);

/* After a cut made byte by byte, drops a trailing incomplete UTF-8
 * sequence so that the text ends on a character boundary. */
void out_trim_partial(struct out *o);

#endif
