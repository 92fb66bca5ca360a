/*
 * date.h - calendar dates as plain numbers: parsing the common spellings
 * into ISO 8601 (YYYY-MM-DD), and day arithmetic.
 *
 * Pure functions on the proleptic Gregorian calendar: no locale, no time
 * zone, no struct tm, no mktime.  Years run from 1 to 9999 (four digits,
 * as ISO 8601 writes them without an agreement on expansion).  A day
 * number counts days from 1970-01-01 (day 0), negative before it, so two
 * dates are compared and subtracted as integers.
 */
#ifndef PR_DATE_H
#define PR_DATE_H

#include <stddef.h>

/* Room for "YYYY-MM-DD" and its NUL. */
#define DATE_BUFSZ 11

/* Smallest and largest year accepted anywhere in this interface. */
#define DATE_YEAR_MIN 1
#define DATE_YEAR_MAX 9999

struct date {
	int year;    /* DATE_YEAR_MIN..DATE_YEAR_MAX */
	int month;   /* 1..12 */
	int day;     /* 1..days in that month */
};

/*
 * How to read a date whose day and month are both numbers and the year
 * comes last with '/' or '-' between them ("03/04/2026"): nobody can tell
 * the 3rd of April from March the 4th, so by default such a date is
 * refused (DATE_AMBIGUOUS) rather than guessed.
 */
enum date_order {
	DATE_ORDER_NONE = 0,   /* refuse N/N/YYYY and N-N-YYYY */
	DATE_ORDER_DMY,        /* day first: 03/04/2026 is 2026-04-03 */
	DATE_ORDER_MDY         /* month first: 03/04/2026 is 2026-03-04 */
};

enum date_status {
	DATE_OK = 0,
	DATE_EMPTY,       /* zero-length (after trimming spaces): missing, not an error */
	DATE_BAD,         /* not a date in any accepted spelling */
	DATE_INVALID,     /* a date's shape, but no such day (2026-02-29, 2026-13-01) */
	DATE_AMBIGUOUS    /* N/N/YYYY with DATE_ORDER_NONE */
};

/*
 * Parse s[0..len) (need not be NUL-terminated; leading and trailing spaces
 * and tabs are ignored) into *out.  Accepted spellings (month names in
 * English, any case, full or three letters, "Sept" too):
 *
 *     2026-11-24   2026/11/24   2026.11.24   20261124   (year first)
 *     2026-11-24T10:00:00 and 2026-11-24 10:00[:00[.fff]][Z|+hh:mm|-hhmm]
 *                  (an ISO date-time: the date as written is kept, the
 *                  time is checked for shape and dropped; the offset is
 *                  not applied, so the local calendar date survives)
 *     24.11.2026                 (dots: always day first, as in Europe)
 *     24/11/2026  11/24/2026  24-11-2026   (need order; see enum date_order)
 *     24 Nov 2026  24-Nov-2026  24 November 2026
 *     Nov 24, 2026  Nov 24 2026  November 24, 2026
 *
 * Day and month may have one or two digits where they are separated; the
 * year always has four.  Returns DATE_OK with *out set, or another status
 * with *out untouched.
 */
enum date_status date_parse(const char *s, size_t len, enum date_order order,
    struct date *out);

/* Text for a status other than DATE_OK ("not a date", "no such date", ...). */
const char *date_strerror(enum date_status st);

/*
 * Write dt as "YYYY-MM-DD" into buf (at least DATE_BUFSZ bytes, NUL
 * added).  dt must be valid (date_valid).  Returns 10.
 */
size_t date_format(const struct date *dt, char *buf);

/* 1 if year is a Gregorian leap year (divisible by 4, not by 100 unless by 400). */
int date_is_leap(int year);

/* Days in month (1..12) of year: 28..31; 0 for a month out of range. */
int date_days_in_month(int year, int month);

/* 1 if year/month/day is a real calendar date within the year range, else 0. */
int date_valid(int year, int month, int day);

/*
 * Day number of a valid civil date: days since 1970-01-01 (which is 0;
 * 1969-12-31 is -1).  Exact for the whole year range.
 */
long date_to_days(const struct date *dt);

/*
 * The civil date of day number days (the inverse of date_to_days).
 * Returns 0, or -1 (and *out untouched) when the date would fall outside
 * DATE_YEAR_MIN..DATE_YEAR_MAX.
 */
int date_from_days(long days, struct date *out);

/* Days from a to b: date_to_days(b) - date_to_days(a) (negative if b is earlier). */
long date_diff(const struct date *a, const struct date *b);

/* ISO 8601 day of the week of a valid date: 1 = Monday ... 7 = Sunday. */
int date_weekday(const struct date *dt);

/* Day of the year of a valid date: 1 (January 1st) ... 365 or 366. */
int date_yday(const struct date *dt);

/*
 * ISO 8601 week of a valid date: 1..53, weeks start on Monday and week 1
 * is the one holding the year's first Thursday.  The week-numbering year
 * can differ from the calendar year near January 1st (2026-12-31 is in
 * week 53 of 2026; 2027-01-01 too; 2024-12-30 is in week 1 of 2025):
 * it is stored in *iso_year when iso_year is not NULL.
 */
int date_iso_week(const struct date *dt, int *iso_year);

#endif
