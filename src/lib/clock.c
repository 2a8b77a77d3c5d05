/*
 * clock.c: deadlines are taken from CLOCK_MONOTONIC, which no one can set
 * back or forward under a running session.
 */
#include <time.h>

#include "lib/clock.h"

long long
clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
