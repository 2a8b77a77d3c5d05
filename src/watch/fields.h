/*
 * fields.h: RFC 5322 header fields in a buffer, and the reader through
 * which smtp-watch reads a stored message.
 *
 * Nothing here allocates: a struct field points into the caller's buffer,
 * and every length is a (pointer, length) pair, so NUL bytes in a message
 * are data.
 */
#ifndef WATCH_FIELDS_H
#define WATCH_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One header field as it stands: the value still folded. */
struct field {
	const char *name; /* NULL: absent */
	size_t namelen;
	const char *value;
	size_t valuelen;
};

/*
 * Steps over the header field at buf[*pos]: fills f, moves *pos past the
 * field (and its continuation lines) and returns true.  Returns false at
 * the end of the header section: at the blank line (then *pos is moved
 * past it), at a line that is not a field, or at the end of buf.
 */
bool field_next(const char *buf, size_t len, size_t *pos, struct field *f);

/* Case-insensitive field name test ("Subject", "subject"). */
bool field_is(const struct field *f, const char *name);

/*
 * Unfolds a value (RFC 5322 2.2.3: every CR and LF goes, the white space
 * after them stays) and trims white space at both ends.  Returns the
 * length written to out (capacity cap, NUL-terminated, cut to fit); *cut,
 * unless cut is NULL, tells whether it was cut.
 */
size_t field_unfold(char *out, size_t cap, const char *in, size_t len,
    bool *cut);

/* Reads up to cap bytes of a message at offset off: the count, 0 at its
 * end, or -1 with errno set.  The edge's is pread(2); tests use memory. */
struct reader {
	ssize_t (*read)(void *ctx, char *buf, size_t cap, uint64_t off);
	void *ctx;
};

#endif
