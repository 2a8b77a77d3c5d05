/*
 * message.c: one stored message, read for its envelope and the header
 * fields the formats show.
 *
 * Invariant: only the first MESSAGE_HEAD bytes are read, whatever the
 * size of the message.
 */
#include <stddef.h>
#include <string.h>

#include "watch/message.h"

/* Keeps the first occurrence of each field shown. */
static void
take_field(struct message *m, const struct field *f)
{
	static const struct {
		const char *name;
		size_t off;
	} shown[] = {
		{ "Date", offsetof(struct message, date) },
		{ "Subject", offsetof(struct message, subject) },
		{ "Message-ID", offsetof(struct message, message_id) },
		{ "From", offsetof(struct message, from) },
		{ "To", offsetof(struct message, to) },
	};

	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		struct field *slot =
		    (struct field *)((char *)m + shown[i].off);
		if (slot->name == NULL && field_is(f, shown[i].name))
			*slot = *f;
	}
}

/* The first bytes of the message into m->head. */
static int
read_head(struct message *m)
{
	ssize_t n;

	m->len = 0;
	while (m->len < sizeof(m->head) && (n = m->rd.read(m->rd.ctx,
	    m->head + m->len, sizeof(m->head) - m->len, m->len)) != 0) {
		if (n < 0)
			return -1;
		m->len += (size_t)n;
	}
	return 0;
}

int
message_read(struct message *m)
{
	struct field f;
	size_t pos;

	memset(&m->date, 0, sizeof(m->date));
	m->subject = m->message_id = m->from = m->to = m->date;
	if (read_head(m) < 0)
		return -1;
	envelope_read(&m->env, m->head, m->len);
	pos = m->env.end;
	while (field_next(m->head, m->len, &pos, &f))
		take_field(m, &f);
	return 0;
}
