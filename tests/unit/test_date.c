/*
 * test_date.c - common/date.c against GNU date (testdata/clean-dates-gnu.txt,
 * made by clean-dates-gnu.sh), against a plain day-by-day walk of the
 * calendar, and on every accepted and refused spelling.
 */
#include "check.h"
#include "date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
parses(const char *text, enum date_order order, const char *want)
{
	struct date dt;
	char buf[DATE_BUFSZ], name[160];
	enum date_status st = date_parse(text, strlen(text), order, &dt);

	snprintf(name, sizeof name, "date_parse(\"%s\")", text);
	CHECK(st == DATE_OK, name);
	if (st == DATE_OK) {
		date_format(&dt, buf);
		CHECK_STR(buf, want, name);
	}
}

static void
refuses(const char *text, enum date_order order, enum date_status want)
{
	struct date dt = { 1, 2, 3 };
	char name[160];
	enum date_status st = date_parse(text, strlen(text), order, &dt);

	snprintf(name, sizeof name, "date_parse(\"%s\") refused with status %d", text, (int)want);
	CHECK(st == want, name);
	CHECK(dt.year == 1 && dt.month == 2 && dt.day == 3, "refused: *out untouched");
}

static void
against_gnu_date(void)
{
	FILE *fp = fopen("clean-dates-gnu.txt", "r");
	char text[16], iso[8];
	int wd, yd, wk, n = 0, bad = 0, got_iy;
	long days;
	struct date dt;

	CHECK(fp != NULL, "open clean-dates-gnu.txt");
	if (fp == NULL)
		return;
	while (fscanf(fp, "%15s %d %d %7s %d %ld", text, &wd, &yd, iso, &wk, &days) == 6) {
		n++;
		if (date_parse(text, strlen(text), DATE_ORDER_NONE, &dt) != DATE_OK) {
			bad++;
			printf("     %s: not parsed\n", text);
			continue;
		}
		if (date_weekday(&dt) != wd || date_yday(&dt) != yd || date_to_days(&dt) != days ||
		    date_iso_week(&dt, &got_iy) != wk || got_iy != atoi(iso)) {
			bad++;
			printf("     %s: weekday %d yday %d days %ld week %d-%d; GNU date: %d %d %ld %d-%d\n",
			    text, date_weekday(&dt), date_yday(&dt), date_to_days(&dt),
			    got_iy, date_iso_week(&dt, NULL), wd, yd, days, atoi(iso), wk);
		}
	}
	fclose(fp);
	CHECK(n > 3000, "clean-dates-gnu.txt has its 3329 dates");
	CHECK(bad == 0, "weekday, day of year, ISO week and day number agree with GNU date");
}

/* Walk every day from 0001-01-01 to 9999-12-31 by the month lengths alone. */
static void
walk_calendar(void)
{
	struct date dt, back;
	long expect = date_to_days(&(struct date){ 1, 1, 1 });
	int y, m, d, bad = 0, yday;

	for (y = DATE_YEAR_MIN; y <= DATE_YEAR_MAX; y++) {
		yday = 0;
		for (m = 1; m <= 12; m++) {
			for (d = 1; d <= date_days_in_month(y, m); d++) {
				dt.year = y;
				dt.month = m;
				dt.day = d;
				yday++;
				if (date_to_days(&dt) != expect || date_yday(&dt) != yday ||
				    date_from_days(expect, &back) != 0 || back.year != y ||
				    back.month != m || back.day != d) {
					if (bad++ < 5)
						printf("     walk: %04d-%02d-%02d\n", y, m, d);
				}
				expect++;
			}
		}
		if (yday != (date_is_leap(y) ? 366 : 365))
			bad++;
	}
	CHECK(bad == 0, "day numbers count the days one by one, and date_from_days inverts them");
	CHECK(date_from_days(expect, &back) == -1, "date_from_days: past 9999-12-31 refused");
	CHECK(date_from_days(date_to_days(&(struct date){ 1, 1, 1 }) - 1, &back) == -1,
	    "date_from_days: before 0001-01-01 refused");
}

int
main(void)
{
	struct date a = { 2026, 11, 24 }, b = { 2024, 2, 29 };

	/* Leap years: the Gregorian rule. */
	CHECK(date_is_leap(2024) && date_is_leap(2000) && date_is_leap(1600), "leap: 2024 2000 1600");
	CHECK(!date_is_leap(1900) && !date_is_leap(2100) && !date_is_leap(2026), "not leap: 1900 2100 2026");
	CHECK(date_days_in_month(2024, 2) == 29 && date_days_in_month(2026, 2) == 28, "February");
	CHECK(date_days_in_month(2026, 13) == 0 && date_days_in_month(2026, 0) == 0, "no month 0 or 13");
	CHECK(date_valid(2026, 4, 30) && !date_valid(2026, 4, 31) && !date_valid(0, 1, 1) &&
	    !date_valid(10000, 1, 1), "date_valid");

	/* Known day numbers (Unix time / 86400). */
	CHECK(date_to_days(&(struct date){ 1970, 1, 1 }) == 0, "1970-01-01 is day 0");
	CHECK(date_to_days(&(struct date){ 1969, 12, 31 }) == -1, "1969-12-31 is day -1");
	CHECK(date_to_days(&(struct date){ 2000, 3, 1 }) == 11017, "2000-03-01 is day 11017");
	CHECK(date_diff(&b, &a) == 999, "2024-02-29 to 2026-11-24: 999 days");
	CHECK(date_diff(&a, &b) == -999, "backwards: -999");
	CHECK(date_weekday(&a) == 2, "2026-11-24 is a Tuesday");

	/* ISO weeks around the new year (also in the GNU table). */
	{
		int iy, w;
		w = date_iso_week(&(struct date){ 2026, 12, 31 }, &iy);
		CHECK(w == 53 && iy == 2026, "2026-12-31: week 53 of 2026");
		w = date_iso_week(&(struct date){ 2027, 1, 1 }, &iy);
		CHECK(w == 53 && iy == 2026, "2027-01-01: week 53 of 2026");
		w = date_iso_week(&(struct date){ 2024, 12, 30 }, &iy);
		CHECK(w == 1 && iy == 2025, "2024-12-30: week 1 of 2025");
		w = date_iso_week(&(struct date){ 2021, 1, 3 }, &iy);
		CHECK(w == 53 && iy == 2020, "2021-01-03: week 53 of 2020");
	}

	against_gnu_date();
	walk_calendar();

	/* Spellings. */
	parses("2026-11-24", DATE_ORDER_NONE, "2026-11-24");
	parses("  2026-11-24\t", DATE_ORDER_NONE, "2026-11-24");
	parses("2026/11/24", DATE_ORDER_NONE, "2026-11-24");
	parses("2026.11.24", DATE_ORDER_NONE, "2026-11-24");
	parses("2026-1-5", DATE_ORDER_NONE, "2026-01-05");
	parses("20261124", DATE_ORDER_NONE, "2026-11-24");
	parses("2026-11-24T10:00:00", DATE_ORDER_NONE, "2026-11-24");
	parses("2026-11-24T23:59:59.125Z", DATE_ORDER_NONE, "2026-11-24");
	parses("2026-11-24 10:00", DATE_ORDER_NONE, "2026-11-24");
	parses("2026-11-24T23:30:00+02:00", DATE_ORDER_NONE, "2026-11-24");
	parses("2026-11-24T01:30:00-0500", DATE_ORDER_NONE, "2026-11-24");
	parses("24.11.2026", DATE_ORDER_NONE, "2026-11-24");
	parses("1.2.2026", DATE_ORDER_MDY, "2026-02-01");   /* dots are always day first */
	parses("24/11/2026", DATE_ORDER_DMY, "2026-11-24");
	parses("11/24/2026", DATE_ORDER_MDY, "2026-11-24");
	parses("03-04-2026", DATE_ORDER_DMY, "2026-04-03");
	parses("03/04/2026", DATE_ORDER_MDY, "2026-03-04");
	parses("24 Nov 2026", DATE_ORDER_NONE, "2026-11-24");
	parses("24 nov. 2026", DATE_ORDER_NONE, "2026-11-24");
	parses("24-Nov-2026", DATE_ORDER_NONE, "2026-11-24");
	parses("24 NOVEMBER 2026", DATE_ORDER_NONE, "2026-11-24");
	parses("Nov 24, 2026", DATE_ORDER_NONE, "2026-11-24");
	parses("November 24 2026", DATE_ORDER_NONE, "2026-11-24");
	parses("Sept 3, 2026", DATE_ORDER_NONE, "2026-09-03");
	parses("May 2 2026", DATE_ORDER_NONE, "2026-05-02");
	parses("2024-02-29", DATE_ORDER_NONE, "2024-02-29");
	parses("2000-02-29", DATE_ORDER_NONE, "2000-02-29");
	parses("0001-01-01", DATE_ORDER_NONE, "0001-01-01");
	parses("9999-12-31", DATE_ORDER_NONE, "9999-12-31");

	refuses("", DATE_ORDER_NONE, DATE_EMPTY);
	refuses("   ", DATE_ORDER_NONE, DATE_EMPTY);
	refuses("24/11/2026", DATE_ORDER_NONE, DATE_AMBIGUOUS);
	refuses("03/04/2026", DATE_ORDER_NONE, DATE_AMBIGUOUS);
	refuses("11/24/2026", DATE_ORDER_DMY, DATE_INVALID);
	refuses("2026-02-29", DATE_ORDER_NONE, DATE_INVALID);
	refuses("1900-02-29", DATE_ORDER_NONE, DATE_INVALID);
	refuses("2026-04-31", DATE_ORDER_NONE, DATE_INVALID);
	refuses("2026-13-01", DATE_ORDER_NONE, DATE_INVALID);
	refuses("2026-00-10", DATE_ORDER_NONE, DATE_INVALID);
	refuses("0000-01-01", DATE_ORDER_NONE, DATE_INVALID);
	refuses("20260230", DATE_ORDER_NONE, DATE_INVALID);
	refuses("31 Feb 2026", DATE_ORDER_NONE, DATE_INVALID);
	refuses("someday", DATE_ORDER_NONE, DATE_BAD);
	refuses("24/11/26", DATE_ORDER_DMY, DATE_BAD);        /* two-digit year */
	refuses("2026-11", DATE_ORDER_NONE, DATE_BAD);
	refuses("2026-11-24x", DATE_ORDER_NONE, DATE_BAD);
	refuses("2026-11-24T25:00", DATE_ORDER_NONE, DATE_BAD);
	refuses("2026-11-24T10", DATE_ORDER_NONE, DATE_BAD);
	refuses("2026/11-24", DATE_ORDER_NONE, DATE_BAD);
	refuses("2026/11/24T10:00", DATE_ORDER_NONE, DATE_BAD);
	refuses("202611245", DATE_ORDER_NONE, DATE_BAD);
	refuses("123-11-24", DATE_ORDER_NONE, DATE_BAD);
	refuses("Nov 2026", DATE_ORDER_NONE, DATE_BAD);
	refuses("24 Novem 2026", DATE_ORDER_NONE, DATE_BAD);
	refuses("24 Nov, 2026", DATE_ORDER_NONE, DATE_BAD);
	refuses("2026-11-24 10:00 extra", DATE_ORDER_NONE, DATE_BAD);

	CHECK_STR(date_strerror(DATE_BAD), "not a date", "date_strerror");
	return check_done();
}
