/*
 * fuzz_watch_seen.c: smtp-watch's seen set (seen.c) under any sequence of
 * additions, look-ups, prunings and shrinkings.
 *
 * Input: byte 0 the set's bound (max, 1 to 256); then operations of two
 * bytes: the first says which (bits 0-1: add, find, prune, shrink) and the
 * name (bits 2-7: one of 64, with a ":2,S" info or not), the second the
 * time (add) or the keep limit (prune).
 *
 * Invariants: a name just added is found; a name found was added; count
 * is the number of used slots, never above half of nslots, which stays a
 * power of two and within the bound (2 * max, or the 1024 of an empty
 * set); the time found is the last one given for that name.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "watch/seen.h"

static void
check_sound(const struct seen *s)
{
	size_t used = 0;

	for (size_t i = 0; i < s->nslots; i++)
		used += s->slot[i].name != NULL;
	REQUIRE(used == s->count);
	REQUIRE(2 * s->count <= s->nslots);
	REQUIRE((s->nslots & (s->nslots - 1)) == 0);
	REQUIRE(s->nslots <= (s->max > 512 ? 2 * s->max : 1024));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t last[64], t;
	bool added[64] = { false };
	struct seen s;
	char name[32];

	if (size < 1)
		return 0;
	REQUIRE(seen_init(&s, 1 + data[0]) == 0);
	for (size_t i = 1; i + 1 < size; i += 2) {
		unsigned id = data[i] >> 2 & 63;
		size_t k;
		snprintf(name, sizeof(name), "%u.M%uP1.host%s", id, id * 7,
		    data[i] & 0x80 ? ":2,S" : "");
		k = seen_key(name);
		switch (data[i] & 3) {
		case 0:
			REQUIRE(seen_add(&s, name, k, data[i + 1], data[i + 1] -
			    64) == 0);
			added[id] = true;
			last[id] = data[i + 1];
			REQUIRE(seen_find(&s, name, k, &t) && t == last[id]);
			break;
		case 1:
			if (seen_find(&s, name, k, &t))
				REQUIRE(added[id] && t == last[id]);
			break;
		case 2:
			REQUIRE(seen_prune(&s, data[i + 1]) == 0);
			break;
		default:
			REQUIRE(seen_shrink(&s) == 0);
			break;
		}
		check_sound(&s);
	}
	seen_free(&s);
	return 0;
}
