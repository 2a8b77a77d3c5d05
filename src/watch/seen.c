/*
 * seen.c: the seen set of seen.h.
 *
 * Invariants: 2 * (count + 1) <= nslots after every seen_add(), so a probe
 * always ends on a free slot; nslots is a power of two, at least
 * SEEN_SLOTS_MIN and at most 2 * max (or what was needed when max was
 * lowered, until the next seen_shrink()); a rebuild builds the new table
 * first, so a failed allocation leaves the set as it was.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "watch/seen.h"

#define SEEN_SLOTS_MIN 1024

size_t
seen_key(const char *name)
{
	return strcspn(name, ":");
}

static uint64_t
seen_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3u;
	return h;
}

static struct seen_entry *
seen_slot(struct seen_entry *slot, size_t nslots, const char *name, size_t n)
{
	size_t i = seen_hash(name, n) & (nslots - 1);

	while (slot[i].name && (strlen(slot[i].name) != n ||
	    memcmp(slot[i].name, name, n) != 0))
		i = (i + 1) & (nslots - 1);
	return &slot[i];
}

int
seen_init(struct seen *s, size_t max)
{
	s->nslots = SEEN_SLOTS_MIN;
	s->slot = calloc(s->nslots, sizeof(*s->slot));
	s->count = 0;
	s->max = max;
	return s->slot ? 0 : -1;
}

void
seen_free(struct seen *s)
{
	for (size_t i = 0; s->slot && i < s->nslots; i++)
		free(s->slot[i].name);
	free(s->slot);
	s->slot = NULL;
	s->nslots = s->count = 0;
}

/* Rebuilds the table with nslots slots, keeping the entries with
 * ctime >= keep. */
static int
seen_rebuild(struct seen *s, size_t nslots, int64_t keep)
{
	struct seen_entry *slot = calloc(nslots, sizeof(*slot));
	size_t count = 0;

	if (slot == NULL)
		return -1;
	for (size_t i = 0; i < s->nslots; i++) {
		struct seen_entry *e = &s->slot[i];
		if (e->name == NULL)
			continue;
		if (e->ctime < keep) {
			free(e->name);
			continue;
		}
		*seen_slot(slot, nslots, e->name, strlen(e->name)) = *e;
		count++;
	}
	free(s->slot);
	s->slot = slot;
	s->nslots = nslots;
	s->count = count;
	return 0;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The median ctime: forgetting what is older halves the set. */
static int
seen_median(const struct seen *s, int64_t *median)
{
	int64_t *t = malloc((s->count ? s->count : 1) * sizeof(*t));
	size_t k = 0;

	if (t == NULL)
		return -1;
	for (size_t i = 0; i < s->nslots; i++)
		if (s->slot[i].name)
			t[k++] = s->slot[i].ctime;
	qsort(t, k, sizeof(*t), cmp_i64);
	*median = k ? t[k / 2] : 0;
	free(t);
	return 0;
}

static bool
seen_full(const struct seen *s)
{
	return 2 * (s->count + 1) > s->nslots;
}

/* Makes room for one more entry. */
static int
seen_room(struct seen *s, int64_t keep)
{
	int64_t median;

	if (!seen_full(s))
		return 0;
	if (s->nslots < 2 * s->max)
		return seen_rebuild(s, 2 * s->nslots, INT64_MIN);
	if (seen_rebuild(s, s->nslots, keep) < 0)
		return -1;
	if (seen_full(s) && (seen_median(s, &median) < 0 ||
	    seen_rebuild(s, s->nslots, median + 1) < 0))
		return -1;
	if (seen_full(s))
		return seen_rebuild(s, s->nslots, INT64_MAX);
	return 0;
}

bool
seen_find(const struct seen *s, const char *name, size_t n, int64_t *ctime)
{
	struct seen_entry *e = seen_slot(s->slot, s->nslots, name, n);

	if (e->name && ctime)
		*ctime = e->ctime;
	return e->name != NULL;
}

int
seen_add(struct seen *s, const char *name, size_t n, int64_t ctime,
    int64_t keep)
{
	struct seen_entry *e;

	if (seen_room(s, keep) < 0)
		return -1;
	e = seen_slot(s->slot, s->nslots, name, n);
	if (e->name == NULL) {
		if ((e->name = malloc(n + 1)) == NULL)
			return -1;
		memcpy(e->name, name, n);
		e->name[n] = '\0';
		s->count++;
	}
	e->ctime = ctime;
	return 0;
}

int
seen_prune(struct seen *s, int64_t keep)
{
	return seen_rebuild(s, s->nslots, keep);
}

int
seen_shrink(struct seen *s)
{
	size_t n = SEEN_SLOTS_MIN;

	while (n < 2 * (s->count + 1))
		n *= 2;
	return n < s->nslots ? seen_rebuild(s, n, INT64_MIN) : 0;
}
