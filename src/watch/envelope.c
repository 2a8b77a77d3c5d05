/*
 * envelope.c: the envelope block, read through a stream.
 *
 * Invariants: an address is whole or marked cut, never a part taken for
 * the whole: a field longer than the stream's window (FIELD_LONG), or an
 * address longer than ADDR_MAX - 1, is cut; a field that the end of a
 * window splits is read on, never taken as it stands.
 */
#include <string.h>

#include "watch/addrmatch.h"
#include "watch/envelope.h"

/* The address in field f; longer: f is the start of a FIELD_LONG. */
static void
addr_take(struct addr *a, const struct field *f, bool longer)
{
	const char *s = a->s;
	bool cut;
	size_t n = field_unfold(a->s, sizeof(a->s), f->value, f->valuelen,
	    &cut);

	addr_trim(&s, &n);
	memmove(a->s, s, n);
	a->s[n] = '\0';
	a->len = n;
	a->cut = cut || longer;
}

int
envelope_read(struct envelope *e, struct fieldstream *s)
{
	struct field f;
	enum field_step st;

	memset(e, 0, sizeof(*e));
	st = fieldstream_next(s, &f);
	if (st != FIELD_END && field_is(&f, "Return-Path")) {
		e->present = true;
		addr_take(&e->sender, &f, st == FIELD_LONG);
		st = fieldstream_next(s, &f);
		e->rcpt_begin = s->at;
		while (st != FIELD_END && field_is(&f, "X-Original-To")) {
			e->nrcpt++;
			st = fieldstream_next(s, &f);
		}
	}
	e->end = s->at;
	fieldstream_seek(s, e->end);
	return s->failed ? -1 : 0;
}

void
rcpt_iter_init(struct rcpt_iter *it, const struct reader *rd,
    const struct envelope *e)
{
	fieldstream_init(&it->s, rd, e->rcpt_begin);
	it->end = e->end;
	it->left = e->nrcpt;
}

int
rcpt_iter_next(struct rcpt_iter *it, struct addr *a)
{
	struct field f;
	enum field_step st;

	if (it->left == 0)
		return 0;
	st = fieldstream_next(&it->s, &f);
	if (it->s.failed)
		return -1;
	/* the block is read again: it must still be what it was */
	if (st == FIELD_END || it->s.at >= it->end ||
	    !field_is(&f, "X-Original-To"))
		return 0;
	it->left--;
	addr_take(a, &f, st == FIELD_LONG);
	return 1;
}
