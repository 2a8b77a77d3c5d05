/*
 * message.h: what smtp-watch knows about one stored message: where it is,
 * its envelope block, and the header fields it shows.
 *
 * The caller fills in the file's particulars and a reader; message_read()
 * reads the first MESSAGE_HEAD bytes through it, into the fixed memory of
 * the struct, and finds the rest there.  Pure: no I/O but through the
 * reader.
 */
#ifndef WATCH_MESSAGE_H
#define WATCH_MESSAGE_H

#include <stdint.h>

#include "watch/envelope.h"
#include "watch/fields.h"

#define MESSAGE_HEAD 65536 /* bytes read for the header */

struct message {
	/* set by the caller */
	const char *sub;   /* "new" or "cur" */
	const char *name;  /* the file name */
	int64_t size;      /* bytes */
	int64_t mtime;     /* delivery time, seconds since the epoch */
	struct reader rd;
	/* set by message_read() */
	struct envelope env;
	/* the first of each name after the envelope block; name NULL when
	 * absent */
	struct field date, subject, message_id, from, to;
	char head[MESSAGE_HEAD]; /* the first bytes of the message */
	size_t len;
	struct rcpt_iter rcpts;  /* for the filter and the formats */
};

/* Reads the envelope block and the header fields shown: 0, or -1 when a
 * read failed (errno tells). */
int message_read(struct message *m);

#endif
