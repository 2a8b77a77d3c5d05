/*
 * reply.c: formatting replies into the bounded output buffer.
 *
 * Invariant: every line in the buffer ends in CRLF and holds no other CR
 * or LF, whatever the format arguments contained.
 */
#include <stdio.h>
#include <string.h>

#include "core/reply.h"

void
reply_vline(struct reply_buf *b, const char *fmt, va_list ap)
{
	size_t room = sizeof(b->data) - b->len;
	char *line = b->data + b->len;
	int n;

	if (room < 3)
		return;
	n = vsnprintf(line, room - 2, fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n > room - 3)
		n = (int)(room - 3);
	for (int i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = '?';
	memcpy(line + n, "\r\n", 2);
	b->len += (size_t)n + 2;
}

void
reply_line(struct reply_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	reply_vline(b, fmt, ap);
	va_end(ap);
}

int
reply_full(const struct reply_buf *b)
{
	return sizeof(b->data) - b->len < REPLY_MAX;
}

void
reply_consume(struct reply_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}
