/*
 * reply.h: the only way a reply reaches the client.
 *
 * Replies are appended to a fixed buffer that the edge flushes before it
 * blocks on input; under PIPELINING a whole batch leaves in one write.
 * The buffer never grows: the core stops consuming input while less than
 * REPLY_MAX bytes are free, and the edge flushes.
 */
#ifndef REPLY_H
#define REPLY_H

#include <stdarg.h>
#include <stddef.h>

#define REPLY_BUF_SIZE 16384
#define REPLY_MAX 2048 /* the longest reply the core ever writes (EHLO, HELP) */

struct reply_buf {
	size_t len;
	char data[REPLY_BUF_SIZE];
};

/* Appends one reply line, CRLF added.  Control characters in the text are
 * shown as '?': a reply never carries a line break the core did not mean. */
void reply_line(struct reply_buf *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void reply_vline(struct reply_buf *, const char *fmt, va_list);

/* True when another whole reply may not fit: stop and let the edge flush. */
int reply_full(const struct reply_buf *);

/* Removes the first n bytes (after the edge wrote them). */
void reply_consume(struct reply_buf *, size_t n);

#endif
