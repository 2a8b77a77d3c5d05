/*
 * envelope.c: the envelope block, in a buffer.
 *
 * Invariant: an address is cut to ADDR_MAX - 1 bytes, never written past.
 */
#include <string.h>

#include "watch/addrmatch.h"
#include "watch/envelope.h"

/* The address in field f. */
static void
addr_take(struct addr *a, const struct field *f)
{
	const char *s = a->s;
	size_t n = field_unfold(a->s, sizeof(a->s), f->value, f->valuelen,
	    NULL);

	addr_trim(&s, &n);
	memmove(a->s, s, n);
	a->s[n] = '\0';
	a->len = n;
}

void
envelope_read(struct envelope *e, const char *buf, size_t len)
{
	struct field f;
	size_t pos = 0;

	memset(e, 0, sizeof(*e));
	if (!field_next(buf, len, &pos, &f) || !field_is(&f, "Return-Path"))
		return;
	e->present = true;
	addr_take(&e->sender, &f);
	e->rcpt_begin = e->end = pos;
	while (field_next(buf, len, &pos, &f) &&
	    field_is(&f, "X-Original-To")) {
		e->nrcpt++;
		e->end = pos;
	}
}

void
rcpt_iter_init(struct rcpt_iter *it, const char *buf,
    const struct envelope *e)
{
	it->buf = buf;
	it->pos = e->rcpt_begin;
	it->end = e->end;
	it->left = e->nrcpt;
}

int
rcpt_iter_next(struct rcpt_iter *it, struct addr *a)
{
	struct field f;

	if (it->left == 0 || !field_next(it->buf, it->end, &it->pos, &f))
		return 0;
	it->left--;
	addr_take(a, &f);
	return 1;
}
