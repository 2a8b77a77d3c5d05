/*
 * fields.h: RFC 5322 header fields, in a buffer or streamed from a stored
 * message through a window of bounded size.
 *
 * Nothing here allocates: a struct field points into the caller's buffer
 * (or the stream's window), and every length is a (pointer, length) pair,
 * so NUL bytes in a message are data.  A field is only ever returned
 * whole: one that runs to the end of the bytes at hand is FIELD_MORE (in
 * a buffer) or FIELD_LONG (in a stream), never taken for a whole one.
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

enum field_step {
	FIELD_OK,   /* a whole field */
	FIELD_END,  /* the end of the header section */
	FIELD_MORE, /* the field, or the line that would tell, runs on */
	FIELD_LONG, /* streams: a field longer than the window; its start */
};

/*
 * Steps over the header field at buf[*pos].  FIELD_OK: fills f and moves
 * *pos past the field and its continuation lines.  FIELD_END: the end of
 * the header section, at the blank line (*pos moves past it) or at a line
 * that is not a field (*pos stays).  FIELD_MORE: the bytes run out before
 * that can be told, and eof says more may follow; *pos stays, and f holds
 * the name and the start of the value if the line is surely a field
 * (f->name NULL otherwise).  With eof set, the end of buf ends the field.
 */
enum field_step field_next(const char *buf, size_t len, bool eof,
    size_t *pos, struct field *f);

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

#define FIELD_WINDOW 65536 /* the longest field a stream returns whole */

/* A message's header fields, read through a window of FIELD_WINDOW. */
struct fieldstream {
	struct reader rd;
	uint64_t base;    /* offset in the message of buf[0] */
	uint64_t at;      /* offset of what fieldstream_next() returned */
	size_t len, pos;  /* bytes in buf; where the next field starts */
	bool eof;         /* buf reaches the end of the message */
	bool skip;        /* a long field is still to be stepped over */
	bool failed;      /* a read failed (errno tells): taken as the end */
	char buf[FIELD_WINDOW];
};

void fieldstream_init(struct fieldstream *s, const struct reader *rd,
    uint64_t off);

/*
 * The next field, read on as needed.  FIELD_OK: f is whole.  FIELD_LONG:
 * the field is longer than the window, f holds its name and its start,
 * and the next call steps over the rest.  FIELD_END: the end of the
 * header section, of the message, or a read error (s->failed).  f points
 * into the window until the next call.
 */
enum field_step fieldstream_next(struct fieldstream *s, struct field *f);

/* Makes off the offset of the next field: a field (or the end) that an
 * earlier call returned at s->at, or any offset, read anew. */
void fieldstream_seek(struct fieldstream *s, uint64_t off);

/* Moves the unread bytes to the start of the window and reads until it
 * is full or the message ends: 0, or -1 on a read error. */
int fieldstream_fill(struct fieldstream *s);

#endif
