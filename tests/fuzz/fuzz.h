/*
 * fuzz.h: what the libFuzzer harnesses share: an invariant check that
 * aborts with the line it failed on, and a small seeded generator for the
 * points where an input is cut.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(cond)                                                         \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "%s:%d: invariant broken: %s\n",      \
			    __FILE__, __LINE__, #cond);                       \
			abort();                                              \
		}                                                             \
	} while (0)

/* Cuts come from the input itself, so a crash replays exactly. */
struct cutter {
	uint32_t state;
};

static inline void
cutter_init(struct cutter *c, uint32_t seed)
{
	c->state = seed * 2654435761u + 1;
}

/* The next piece length, 1 .. left: mostly short, sometimes long. */
static inline size_t
cutter_next(struct cutter *c, size_t left)
{
	size_t n;

	c->state = c->state * 1103515245u + 12345u;
	switch ((c->state >> 16) & 3) {
	case 0:
		n = 1;
		break;
	case 1:
		n = 1 + (c->state >> 18) % 7;
		break;
	case 2:
		n = 1 + (c->state >> 18) % 64;
		break;
	default:
		n = 1 + (c->state >> 18) % 1024;
		break;
	}
	return n < left ? n : left;
}

/* A growing byte buffer that a harness logs into. */
struct log {
	char *p;
	size_t len, cap;
};

static inline void
log_add(struct log *l, const void *p, size_t n)
{
	if (l->len + n > l->cap) {
		l->cap = (l->len + n) * 2 + 64;
		l->p = realloc(l->p, l->cap);
		REQUIRE(l->p != NULL);
	}
	if (n)
		memcpy(l->p + l->len, p, n);
	l->len += n;
}

static inline void
log_str(struct log *l, const char *s)
{
	log_add(l, s, strlen(s));
}

static inline void
log_free(struct log *l)
{
	free(l->p);
	l->p = NULL;
	l->len = l->cap = 0;
}

#endif
