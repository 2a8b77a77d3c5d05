/*
 * test_watch_seen.c: unit tests of smtp-watch's seen set (seen.c): the
 * Maildir unique part, finding and adding, growth up to its bound, and
 * the three steps of pruning when it is full.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "watch/seen.h"

static bool
has(const struct seen *s, const char *name)
{
	return seen_find(s, name, strlen(name), NULL);
}

static void
add(struct seen *s, const char *name, int64_t ctime, int64_t keep)
{
	CHECK(seen_add(s, name, strlen(name), ctime, keep) == 0);
}

/* The set's own invariants: at most half full, a power of two. */
static bool
sound(const struct seen *s)
{
	size_t used = 0;

	for (size_t i = 0; i < s->nslots; i++)
		used += s->slot[i].name != NULL;
	return used == s->count && 2 * s->count <= s->nslots &&
	    (s->nslots & (s->nslots - 1)) == 0;
}

static void
test_key(void)
{
	CHECK(seen_key("1795888120.M41P907Q1.host,S=368") == 31);
	CHECK(seen_key("1795888120.M41P907Q1.host,S=368:2,RS") == 31);
	CHECK(seen_key(":2,S") == 0);
	CHECK(seen_key("") == 0);
}

static void
test_find_add(void)
{
	static const char name[] = "1.M1P1Q1.host:2,S";
	struct seen s;
	int64_t t = 0;
	char buf[32];

	CHECK(seen_init(&s, 1u << 16) == 0);
	CHECK(!has(&s, "1.M1P1Q1.host"));
	CHECK(seen_add(&s, name, seen_key(name), 42, 0) == 0);
	CHECK(seen_find(&s, "1.M1P1Q1.host", 13, &t) && t == 42);
	CHECK(!has(&s, "1.M1P1Q1.hos") && !has(&s, "1.M1P1Q1.host:2,S"));
	add(&s, "1.M1P1Q1.host", 43, 0); /* an update, not a second entry */
	CHECK(s.count == 1 && seen_find(&s, "1.M1P1Q1.host", 13, &t) &&
	    t == 43);

	/* grows as needed, up to twice max slots */
	for (int i = 0; i < 5000; i++) {
		snprintf(buf, sizeof(buf), "%d.M0P0Q%d.h", i, i);
		add(&s, buf, i, 0);
	}
	CHECK(s.count == 5001 && s.nslots == 16384 && sound(&s));
	for (int i = 0; i < 5000; i += 7) {
		snprintf(buf, sizeof(buf), "%d.M0P0Q%d.h", i, i);
		CHECK(has(&s, buf));
	}
	/* forgetting the old, and giving back the slots */
	CHECK(seen_prune(&s, 4990) == 0);
	CHECK(s.count == 10 && has(&s, "4999.M0P0Q4999.h") &&
	    !has(&s, "4989.M0P0Q4989.h") && !has(&s, "1.M1P1Q1.host"));
	CHECK(seen_shrink(&s) == 0 && s.nslots == 1024 && sound(&s));
	CHECK(has(&s, "4995.M0P0Q4995.h"));
	seen_free(&s);
	CHECK(s.slot == NULL && s.count == 0);
}

/* A full set forgets what is older than keep first, then the older half,
 * then (one clock tick for all) everything. */
static void
test_full(void)
{
	struct seen s;
	char buf[32];
	size_t before;

	CHECK(seen_init(&s, 512) == 0); /* 1024 slots, 512 names at most */
	for (int i = 0; i < 512; i++) {
		snprintf(buf, sizeof(buf), "n%d", i);
		add(&s, buf, i, 0);
	}
	CHECK(s.count == 512 && s.nslots == 1024);
	add(&s, "older-than-keep", 1000, 100);
	CHECK(s.count == 413 && s.nslots == 1024 && sound(&s));
	CHECK(!has(&s, "n99") && has(&s, "n100") && has(&s, "older-than-keep"));

	while (s.count < 512) {
		snprintf(buf, sizeof(buf), "m%zu", s.count);
		add(&s, buf, 2000, 0);
	}
	before = s.count;
	add(&s, "median", 3000, 0);
	CHECK(s.count < before / 2 + 2 && has(&s, "median") && sound(&s));

	/* all of one tick: everything goes */
	seen_free(&s);
	CHECK(seen_init(&s, 512) == 0);
	for (int i = 0; i < 512; i++) {
		snprintf(buf, sizeof(buf), "t%d", i);
		add(&s, buf, 7, 0);
	}
	add(&s, "last", 7, 0);
	CHECK(s.count == 1 && has(&s, "last") && !has(&s, "t0"));
	seen_free(&s);
}

/* Pseudo-random work: a name just added is there, a name there was
 * added, and the bounds hold. */
static void
test_random(void)
{
	static char added[1u << 16];
	uint64_t rng = 0x9e3779b97f4a7c15u;
	struct seen s;
	int bad = 0;
	char buf[32];

	CHECK(seen_init(&s, 1024) == 0);
	for (int round = 0; round < 100000; round++) {
		unsigned k;
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		k = (unsigned)(rng % sizeof(added));
		snprintf(buf, sizeof(buf), "%u.M%uP1.h:2,S", k, k * 7);
		if (rng >> 60 == 0) {
			CHECK(seen_prune(&s, round - 500) == 0);
		} else if (rng >> 59 & 1) {
			if (seen_find(&s, buf, seen_key(buf), NULL) && !added[k])
				bad++;
		} else {
			CHECK(seen_add(&s, buf, seen_key(buf), round,
			    round - 1000) == 0);
			added[k] = 1;
			if (!seen_find(&s, buf, seen_key(buf), NULL))
				bad++;
		}
		if (s.count > s.max || s.nslots > 2 * s.max)
			bad++;
	}
	CHECK(bad == 0 && sound(&s));
	seen_free(&s);
}

int
main(void)
{
	test_key();
	test_find_add();
	test_full();
	test_random();
	return check_finish("test_watch_seen");
}
