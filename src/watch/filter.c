/*
 * filter.c: which messages are reported.
 *
 * Invariant: every recipient of the block is looked at, however long the
 * block is, and none that is cut (struct addr's cut) can match: a part of
 * an address is never taken for the whole.
 */
#include <string.h>

#include "watch/addrmatch.h"
#include "watch/filter.h"

static bool
listed(const char **pats, size_t n, const struct addr *a)
{
	if (a->cut)
		return false;
	for (size_t i = 0; i < n; i++)
		if (addr_match(pats[i], strlen(pats[i]), a->s, a->len))
			return true;
	return false;
}

int
filter_match(const struct filter *fl, struct message *m)
{
	struct addr a;
	int r;

	if (fl->nfrom == 0 && fl->nrcpt == 0)
		return 1;
	if (!m->env.present)
		return 0;
	if (fl->nfrom && !listed(fl->from, fl->nfrom, &m->env.sender))
		return 0;
	if (fl->nrcpt == 0)
		return 1;
	rcpt_iter_init(&m->rcpts, &m->rd, &m->env);
	while ((r = rcpt_iter_next(&m->rcpts, &a)) > 0)
		if (listed(fl->rcpt, fl->nrcpt, &a))
			return 1;
	return r;
}
