/*
 * date.c: RFC 5322 section 3.3 date-times (with the obsolete forms of
 * 4.3), and the calendar fields of a moment, without the C library's time
 * zone machinery, so both are the same on every machine.
 *
 * Invariants: every read stays inside (s, len); numbers have bounded
 * digit counts, so nothing overflows; a date is accepted only when the
 * day exists in its month.
 */
#include "watch/ascii.h"
#include "watch/date.h"

struct scan {
	const char *s;
	size_t len, i;
};

/* Skips white space and (nested) comments: RFC 5322 CFWS. */
static void
scan_cfws(struct scan *sc)
{
	unsigned depth = 0;

	while (sc->i < sc->len) {
		char c = sc->s[sc->i];
		if (c == '(')
			depth++;
		else if (c == ')' && depth > 0)
			depth--;
		else if (depth == 0 && !ascii_is_space(c))
			return;
		else if (c == '\\' && depth > 0 && sc->i + 1 < sc->len)
			sc->i++;
		sc->i++;
	}
}

/* Reads 1 to max digits; -1 if there are none. */
static long
scan_number(struct scan *sc, size_t max, size_t *ndigits)
{
	long v = 0;
	size_t n = 0;

	while (sc->i < sc->len && n < max && sc->s[sc->i] >= '0' &&
	    sc->s[sc->i] <= '9') {
		v = v * 10 + (sc->s[sc->i++] - '0');
		n++;
	}
	if (ndigits)
		*ndigits = n;
	return n > 0 ? v : -1;
}

static size_t
scan_alpha(struct scan *sc)
{
	size_t b = sc->i;

	while (sc->i < sc->len && ((sc->s[sc->i] | 0x20) >= 'a' &&
	    (sc->s[sc->i] | 0x20) <= 'z'))
		sc->i++;
	return sc->i - b;
}

static bool
scan_char(struct scan *sc, char c)
{
	if (sc->i < sc->len && sc->s[sc->i] == c) {
		sc->i++;
		return true;
	}
	return false;
}

static int
month_number(const char *s, size_t n)
{
	static const char names[] = "janfebmaraprmayjunjulaugsepoctnovdec";

	if (n != 3)
		return -1;
	for (int m = 0; m < 12; m++)
		if (ascii_caseeq(names + 3 * m, s, 3))
			return m + 1;
	return -1;
}

/* Minutes east of UTC for the obsolete zone names (RFC 5322 4.3); other
 * names, military ones included, mean "unknown", taken as UTC. */
static int
zone_minutes(const char *s, size_t n)
{
	static const struct {
		const char *name;
		int hours;
	} zones[] = {
		{ "EST", -5 }, { "EDT", -4 }, { "CST", -6 }, { "CDT", -5 },
		{ "MST", -7 }, { "MDT", -6 }, { "PST", -8 }, { "PDT", -7 },
	};

	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		if (n == 3 && ascii_caseeq(zones[i].name, s, 3))
			return zones[i].hours * 60;
	return 0;
}

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian (H. Hinnant). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static int
days_in_month(long y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/* "hh:mm[:ss] zone"; the zone may be missing (taken as UTC). */
static bool
scan_time(struct scan *sc, long *secs, long *zone)
{
	long h, mi, s = 0, z = 0;
	size_t nd;

	scan_cfws(sc);
	h = scan_number(sc, 2, NULL);
	scan_cfws(sc);
	if (h < 0 || h > 23 || !scan_char(sc, ':'))
		return false;
	scan_cfws(sc);
	mi = scan_number(sc, 2, NULL);
	if (mi < 0 || mi > 59)
		return false;
	scan_cfws(sc);
	if (scan_char(sc, ':')) {
		scan_cfws(sc);
		s = scan_number(sc, 2, NULL);
		if (s < 0 || s > 60)
			return false;
	}
	scan_cfws(sc);
	if (sc->i < sc->len && (sc->s[sc->i] == '+' || sc->s[sc->i] == '-')) {
		long sign = sc->s[sc->i++] == '-' ? -1 : 1;
		long v = scan_number(sc, 4, &nd);
		if (v < 0 || nd != 4 || v % 100 > 59)
			return false;
		z = sign * (v / 100 * 60 + v % 100);
	} else {
		size_t b = sc->i, n = scan_alpha(sc);
		z = zone_minutes(sc->s + b, n);
	}
	*secs = h * 3600 + mi * 60 + s;
	*zone = z;
	return true;
}

bool
date_parse(const char *s, size_t len, int64_t *epoch)
{
	struct scan sc = { s, len, 0 };
	long day, year, secs, zone;
	size_t b, n, nd;
	int mon;

	scan_cfws(&sc);
	b = sc.i;
	if (scan_alpha(&sc) > 0) { /* day name: optional, so not checked */
		scan_cfws(&sc);
		scan_char(&sc, ',');
		scan_cfws(&sc);
	} else {
		sc.i = b;
	}
	day = scan_number(&sc, 2, NULL);
	scan_cfws(&sc);
	b = sc.i;
	n = scan_alpha(&sc);
	mon = month_number(s + b, n);
	scan_cfws(&sc);
	year = scan_number(&sc, 4, &nd);
	if (day < 1 || mon < 0 || year < 0 || nd < 2)
		return false;
	if (nd == 2) /* RFC 5322 4.3 */
		year += year < 50 ? 2000 : 1900;
	else if (nd == 3)
		year += 1900;
	if (day > days_in_month(year, mon) || !scan_time(&sc, &secs, &zone))
		return false;
	*epoch = days_from_civil(year, mon, (int)day) * 86400 + secs -
	    zone * 60;
	return true;
}

/* 1970-01-01 plus days, proleptic Gregorian (H. Hinnant). */
static void
civil_from_days(int64_t z, struct civil *c)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	c->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	c->month = (int)(mp < 10 ? mp + 3 : mp - 9);
	c->year = yoe + era * 400 + (c->month <= 2);
}

void
date_civil(int64_t t, struct civil *c)
{
	int64_t days = t / 86400, secs = t % 86400;

	if (secs < 0)
		secs += 86400, days--;
	civil_from_days(days, c);
	c->hour = (int)(secs / 3600);
	c->min = (int)(secs / 60 % 60);
	c->sec = (int)(secs % 60);
	/* 1970-01-01 was a Thursday */
	c->wday = (int)(((days % 7) + 11) % 7);
}
