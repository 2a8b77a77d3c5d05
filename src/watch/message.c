/*
 * message.c: one stored message, read for its envelope and the header
 * fields the formats show.
 *
 * Invariants: the envelope block is read whole, whatever its length; the
 * fields shown come from the client's header after it, from one window of
 * FIELD_WINDOW bytes, and a field that the end of the window cuts is not
 * taken (it is absent, never shown as if it were whole).
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

int
message_read(struct message *m)
{
	struct fieldstream *s = &m->head;
	struct field f;
	size_t pos = 0;

	memset(&m->date, 0, sizeof(m->date));
	m->subject = m->message_id = m->from = m->to = m->date;
	fieldstream_init(s, &m->rd, 0);
	if (envelope_read(&m->env, s) < 0 || fieldstream_fill(s) < 0)
		return -1;
	while (field_next(s->buf, s->len, s->eof, &pos, &f) == FIELD_OK)
		take_field(m, &f);
	return 0;
}
