/*
 * seen.h: the set of messages already handled, so that none is reported
 * twice: not when the start-up scan and an event both see it, not after an
 * overflow rescan, not when a mail reader moves it from new/ to cur/.
 *
 * A message is known by the unique part of its Maildir name (before the
 * ':' of the info), with the change time of its file, by which the set is
 * pruned.  Memory is bounded: at most 2 * max slots (1024 for a small
 * max), at most half of them used, each by a name of at most NAME_MAX + 1
 * bytes.  Pure: no I/O, no clock; malloc only within that bound, and a
 * failed one is reported, never fatal here.
 */
#ifndef WATCH_SEEN_H
#define WATCH_SEEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct seen_entry {
	char *name;    /* NULL: a free slot */
	int64_t ctime; /* nanoseconds */
};

/* Open addressing, linear probing, at most half full; rebuilt, never
 * deleted from, to prune. */
struct seen {
	struct seen_entry *slot;
	size_t nslots, count, max;
};

/* The unique part of a Maildir name: its length. */
size_t seen_key(const char *name);

/* An empty set that holds up to max names: 0, or -1 (ENOMEM). */
int seen_init(struct seen *s, size_t max);
void seen_free(struct seen *s);

/* Whether name[0..n) is in the set; *ctime (if not NULL) its time. */
bool seen_find(const struct seen *s, const char *name, size_t n,
    int64_t *ctime);

/*
 * Adds name[0..n) with time ctime (or updates its time).  When the set is
 * full, it first forgets the names older than keep, then, if that is not
 * enough, the older half, then (all of one clock tick) every name.
 * 0, or -1 (ENOMEM): the name is not added, the set is still sound.
 */
int seen_add(struct seen *s, const char *name, size_t n, int64_t ctime,
    int64_t keep);

/* Forgets the names older than keep: 0, or -1 (ENOMEM). */
int seen_prune(struct seen *s, int64_t keep);

/* Gives back the slots that a large start-up scan needed: 0, or -1. */
int seen_shrink(struct seen *s);

#endif
