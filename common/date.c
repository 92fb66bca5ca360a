/*
 * date.c - see date.h.
 *
 * Day numbers follow the "days from civil" construction (H. Hinnant,
 * chrono-compatible low-level date algorithms): shift the year to start on
 * March 1st so that the leap day is the last day of the shifted year, then
 * count 400-year eras of 146097 days.  All integer arithmetic, exact.
 */
#include "date.h"

#include <string.h>

int
date_is_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int
date_days_in_month(int year, int month)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (month < 1 || month > 12)
		return 0;
	if (month == 2 && date_is_leap(year))
		return 29;
	return mdays[month - 1];
}

int
date_valid(int year, int month, int day)
{
	return year >= DATE_YEAR_MIN && year <= DATE_YEAR_MAX && month >= 1 && month <= 12 &&
	    day >= 1 && day <= date_days_in_month(year, month);
}

long
date_to_days(const struct date *dt)
{
	long y = dt->year - (dt->month <= 2);
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;                                 /* 0..399 */
	long mp = (dt->month + 9) % 12;                           /* March = 0 */
	long doy = (153 * mp + 2) / 5 + dt->day - 1;              /* 0..365 */
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;         /* 0..146096 */

	return era * 146097 + doe - 719468;   /* 719468: 0000-03-01 to 1970-01-01 */
}

int
date_from_days(long days, struct date *out)
{
	long z = days + 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	long d = doy - (153 * mp + 2) / 5 + 1;
	long m = mp < 10 ? mp + 3 : mp - 9;
	long y = yoe + era * 400 + (m <= 2);

	if (y < DATE_YEAR_MIN || y > DATE_YEAR_MAX)
		return -1;
	out->year = (int)y;
	out->month = (int)m;
	out->day = (int)d;
	return 0;
}

long
date_diff(const struct date *a, const struct date *b)
{
	return date_to_days(b) - date_to_days(a);
}

int
date_weekday(const struct date *dt)
{
	long n = date_to_days(dt);
	/* 1970-01-01 was a Thursday (4). */
	long w = (n % 7 + 7 + 3) % 7;   /* 0 = Monday */

	return (int)w + 1;
}

int
date_yday(const struct date *dt)
{
	struct date jan1 = { dt->year, 1, 1 };

	return (int)date_diff(&jan1, dt) + 1;
}

/* Weeks in ISO year y: 53 when Jan 1st is a Thursday, or a Wednesday in a leap year. */
static int
iso_weeks_in_year(int y)
{
	struct date jan1 = { y, 1, 1 };
	int w = date_weekday(&jan1);

	return (w == 4 || (w == 3 && date_is_leap(y))) ? 53 : 52;
}

int
date_iso_week(const struct date *dt, int *iso_year)
{
	int y = dt->year;
	int week = (date_yday(dt) - date_weekday(dt) + 10) / 7;

	if (week < 1) {
		y--;
		week = iso_weeks_in_year(y);
	} else if (week > iso_weeks_in_year(y)) {
		y++;
		week = 1;
	}
	if (iso_year != NULL)
		*iso_year = y;
	return week;
}

size_t
date_format(const struct date *dt, char *buf)
{
	int y = dt->year, m = dt->month, d = dt->day;

	buf[0] = (char)('0' + y / 1000 % 10);
	buf[1] = (char)('0' + y / 100 % 10);
	buf[2] = (char)('0' + y / 10 % 10);
	buf[3] = (char)('0' + y % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + m / 10);
	buf[6] = (char)('0' + m % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + d / 10);
	buf[9] = (char)('0' + d % 10);
	buf[10] = '\0';
	return 10;
}

const char *
date_strerror(enum date_status st)
{
	switch (st) {
	case DATE_OK:
		return "ok";
	case DATE_EMPTY:
		return "empty date";
	case DATE_BAD:
		return "not a date";
	case DATE_INVALID:
		return "no such date";
	case DATE_AMBIGUOUS:
		return "ambiguous date (day or month first? use --date-order)";
	}
	return "not a date";
}

/* A cursor over the text being parsed. */
struct scan {
	const char *s;
	size_t i, n;
};

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* Read 1..max digits (at least min); returns the count read, 0 if fewer than min. */
static int
scan_num(struct scan *sc, int min, int max, int *val)
{
	int k = 0, v = 0;

	while (sc->i + (size_t)k < sc->n && k < max && is_digit(sc->s[sc->i + (size_t)k])) {
		v = v * 10 + (sc->s[sc->i + (size_t)k] - '0');
		k++;
	}
	/* More digits than max: not this shape. */
	if (k < min || (sc->i + (size_t)k < sc->n && is_digit(sc->s[sc->i + (size_t)k])))
		return 0;
	sc->i += (size_t)k;
	*val = v;
	return k;
}

static int
scan_char(struct scan *sc, char c)
{
	if (sc->i < sc->n && sc->s[sc->i] == c) {
		sc->i++;
		return 1;
	}
	return 0;
}

static int
at_end(const struct scan *sc)
{
	return sc->i == sc->n;
}

/* An English month name (three letters or full, "sept" too): 1..12, or 0. */
static int
scan_month_name(struct scan *sc)
{
	static const char *const names[12] = {
		"january", "february", "march", "april", "may", "june", "july",
		"august", "september", "october", "november", "december"
	};
	char word[16];
	size_t k = 0, full;
	int m;

	while (sc->i + k < sc->n && k < sizeof word - 1 &&
	    ((lower(sc->s[sc->i + k]) >= 'a' && lower(sc->s[sc->i + k]) <= 'z'))) {
		word[k] = (char)lower(sc->s[sc->i + k]);
		k++;
	}
	word[k] = '\0';
	if (k < 3)
		return 0;
	for (m = 0; m < 12; m++) {
		full = strlen(names[m]);
		if ((k == 3 || k == full) && k <= full && memcmp(word, names[m], k) == 0)
			break;
		if (m == 8 && k == 4 && memcmp(word, "sept", 4) == 0)
			break;
	}
	if (m == 12)
		return 0;
	sc->i += k;
	/* "Nov." is a fine abbreviation too. */
	if (k < strlen(names[m]))
		scan_char(sc, '.');
	return m + 1;
}

/* Skip spaces; returns how many. */
static size_t
skip_spaces(struct scan *sc)
{
	size_t k = 0;

	while (sc->i < sc->n && (sc->s[sc->i] == ' ' || sc->s[sc->i] == '\t')) {
		sc->i++;
		k++;
	}
	return k;
}

/*
 * The time part of an ISO date-time, after 'T' or one space:
 * hh:mm[:ss[.fff]] then an optional Z or +hh[:]mm / -hh[:]mm.
 */
static int
scan_time(struct scan *sc)
{
	int hh, mm, ss, oh, om;

	if (!scan_num(sc, 2, 2, &hh) || !scan_char(sc, ':') || !scan_num(sc, 2, 2, &mm))
		return 0;
	if (hh > 23 || mm > 59)
		return 0;
	if (scan_char(sc, ':')) {
		if (!scan_num(sc, 2, 2, &ss) || ss > 60)
			return 0;
		if (scan_char(sc, '.') || scan_char(sc, ',')) {
			if (sc->i >= sc->n || !is_digit(sc->s[sc->i]))
				return 0;
			while (sc->i < sc->n && is_digit(sc->s[sc->i]))
				sc->i++;
		}
	}
	if (scan_char(sc, 'Z'))
		return at_end(sc);
	if (scan_char(sc, '+') || scan_char(sc, '-')) {
		if (scan_num(sc, 4, 4, &oh)) {          /* +hhmm */
			om = oh % 100;
			oh /= 100;
		} else if (!scan_num(sc, 2, 2, &oh) || !scan_char(sc, ':') ||
		    !scan_num(sc, 2, 2, &om)) {         /* +hh:mm */
			return 0;
		}
		if (oh > 23 || om > 59)
			return 0;
	}
	return at_end(sc);
}

static enum date_status
finish(int y, int m, int d, struct date *out)
{
	if (!date_valid(y, m, d))
		return DATE_INVALID;
	out->year = y;
	out->month = m;
	out->day = d;
	return DATE_OK;
}

/* Year first: YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYYMMDD, ISO date-time. */
static enum date_status
parse_year_first(struct scan sc, struct date *out)
{
	int y, m, d;
	char sep;

	if (!scan_num(&sc, 4, 4, &y)) {
		/* YYYYMMDD: eight digits and nothing else. */
		if (sc.n - sc.i == 8 && scan_num(&sc, 8, 8, &y))
			return finish(y / 10000, y / 100 % 100, y % 100, out);
		return DATE_BAD;
	}
	if (at_end(&sc))
		return DATE_BAD;
	sep = sc.s[sc.i];
	if (sep != '-' && sep != '/' && sep != '.')
		return DATE_BAD;
	sc.i++;
	if (!scan_num(&sc, 1, 2, &m) || !scan_char(&sc, sep) || !scan_num(&sc, 1, 2, &d))
		return DATE_BAD;
	if (!at_end(&sc)) {
		if (sep != '-')
			return DATE_BAD;
		if (!scan_char(&sc, 'T') && !scan_char(&sc, ' '))
			return DATE_BAD;
		if (!scan_time(&sc))
			return DATE_BAD;
	}
	return finish(y, m, d, out);
}

/* Numbers with the year last: D.M.YYYY, and D/M/YYYY or M/D/YYYY by order. */
static enum date_status
parse_year_last(struct scan sc, enum date_order order, struct date *out)
{
	int a, b, y;
	char sep;

	if (!scan_num(&sc, 1, 2, &a) || at_end(&sc))
		return DATE_BAD;
	sep = sc.s[sc.i];
	if (sep != '.' && sep != '/' && sep != '-')
		return DATE_BAD;
	sc.i++;
	if (!scan_num(&sc, 1, 2, &b) || !scan_char(&sc, sep) || !scan_num(&sc, 4, 4, &y) ||
	    !at_end(&sc))
		return DATE_BAD;
	if (sep == '.')
		return finish(y, b, a, out);
	if (order == DATE_ORDER_DMY)
		return finish(y, b, a, out);
	if (order == DATE_ORDER_MDY)
		return finish(y, a, b, out);
	return DATE_AMBIGUOUS;
}

/* A month name: "24 Nov 2026", "24-Nov-2026", "Nov 24, 2026", "November 24 2026". */
static enum date_status
parse_month_name(struct scan sc, struct date *out)
{
	struct scan save = sc;
	int y, m, d;

	/* Day first. */
	if (scan_num(&sc, 1, 2, &d)) {
		if (scan_char(&sc, '-')) {
			if (!(m = scan_month_name(&sc)) || !scan_char(&sc, '-'))
				return DATE_BAD;
		} else {
			if (!skip_spaces(&sc) || !(m = scan_month_name(&sc)) || !skip_spaces(&sc))
				return DATE_BAD;
		}
		if (!scan_num(&sc, 4, 4, &y) || !at_end(&sc))
			return DATE_BAD;
		return finish(y, m, d, out);
	}
	/* Month first. */
	sc = save;
	if (!(m = scan_month_name(&sc)) || !skip_spaces(&sc) || !scan_num(&sc, 1, 2, &d))
		return DATE_BAD;
	scan_char(&sc, ',');
	if (!skip_spaces(&sc) || !scan_num(&sc, 4, 4, &y) || !at_end(&sc))
		return DATE_BAD;
	return finish(y, m, d, out);
}

enum date_status
date_parse(const char *s, size_t len, enum date_order order, struct date *out)
{
	struct scan sc;
	size_t digits = 0;
	enum date_status st;

	while (len > 0 && (s[0] == ' ' || s[0] == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0)
		return DATE_EMPTY;
	sc.s = s;
	sc.i = 0;
	sc.n = len;
	while (digits < len && is_digit(s[digits]))
		digits++;
	if (digits >= 4)
		return parse_year_first(sc, out);
	st = parse_year_last(sc, order, out);
	if (st != DATE_BAD)
		return st;
	return parse_month_name(sc, out);
}
