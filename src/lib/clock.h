/*
 * clock.h: the one monotonic clock of the edges, in milliseconds.
 */
#ifndef CLOCK_H
#define CLOCK_H

/* CLOCK_MONOTONIC in milliseconds: for deadlines, never for dates. */
long long clock_ms(void);

#endif
