/*
 * date.h: RFC 5322 dates in, calendar fields out.  Pure: no I/O, no
 * clock, no time zone database, no locale.
 */
#ifndef WATCH_DATE_H
#define WATCH_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Parses an RFC 5322 date-time ("Sat, 28 Nov 2026 17:48:40 +0000", with
 * the obsolete forms: no day name, 2-digit years, no seconds, zone names
 * such as GMT or EST, trailing comments).  Stores seconds since the epoch
 * (UTC) and returns true, or returns false when s is not a date.
 */
bool date_parse(const char *s, size_t len, int64_t *epoch);

/* A moment in calendar fields, proleptic Gregorian. */
struct civil {
	int64_t year;
	int month, day;      /* 1-12, 1-31 */
	int hour, min, sec;
	int wday;            /* 0 Sunday .. 6 Saturday */
};

/* The UTC calendar fields of t, seconds since the epoch. */
void date_civil(int64_t t, struct civil *c);

#endif
