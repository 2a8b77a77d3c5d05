/*
 * message.h: what smtp-watch knows about one stored message: where it is,
 * its envelope block, and the header fields it shows.
 *
 * The caller fills in the file's particulars and a reader; message_read()
 * does the rest through that reader, in the fixed memory of the struct
 * (two windows of FIELD_WINDOW: one for the fields shown, one for
 * streaming the recipients again).  Pure: no I/O but through the reader.
 */
#ifndef WATCH_MESSAGE_H
#define WATCH_MESSAGE_H

#include <stdint.h>

#include "watch/envelope.h"
#include "watch/fields.h"

struct message {
	/* set by the caller */
	const char *sub;   /* "new" or "cur" */
	const char *name;  /* the file name */
	int64_t size;      /* bytes */
	int64_t mtime;     /* delivery time, seconds since the epoch */
	struct reader rd;
	/* set by message_read() */
	struct envelope env;
	/* the first of each name after the envelope block, in the
	 * FIELD_WINDOW bytes that follow it; name NULL when absent */
	struct field date, subject, message_id, from, to;
	struct fieldstream head;  /* the window they point into */
	struct rcpt_iter rcpts;   /* for the filter and the formats */
};

/* Reads the envelope block and the header fields shown: 0, or -1 when a
 * read failed (errno tells). */
int message_read(struct message *m);

#endif
