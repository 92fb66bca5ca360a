/*
 * test_clean.c - the value functions of common/clean.c (numbers, whole
 * numbers, yes/no), the type 7 quantile against R (testdata/clean-stats-R.txt,
 * made by clean-stats.R), and the option checks.
 */
#include "check.h"
#include "clean.h"
#include "diag.h"
#include "num.h"
#include "stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
num_ok(const char *text, int flags, double want)
{
	double x = -12345;
	char name[160];
	int rc = clean_num(text, strlen(text), flags, &x);

	snprintf(name, sizeof name, "clean_num(\"%s\", %d)", text, flags);
	CHECK(rc == 0, name);
	CHECK(x == want, name);
	if (x != want)
		printf("     got %.17g, want %.17g\n", x, want);
}

static void
num_bad(const char *text, int flags)
{
	double x = -12345;
	char name[160];

	snprintf(name, sizeof name, "clean_num(\"%s\", %d) refused", text, flags);
	CHECK(clean_num(text, strlen(text), flags, &x) == -1 && x == -12345, name);
}

static void
int_ok(const char *text, int flags, const char *want)
{
	char buf[256], name[160];
	long n = clean_int(text, strlen(text), flags, buf);

	snprintf(name, sizeof name, "clean_int(\"%s\")", text);
	CHECK(n == (long)strlen(want), name);
	if (n >= 0)
		CHECK_STR(buf, want, name);
}

static void
int_bad(const char *text)
{
	char buf[256], name[160];

	snprintf(name, sizeof name, "clean_int(\"%s\") refused", text);
	CHECK(clean_int(text, strlen(text), 0, buf) == -1, name);
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The quantiles, mean and median of clean-stats.csv's x against R. */
static void
against_r(void)
{
	/* x of clean-stats.csv, its missing values left out */
	double x[] = { 3.2, 15.7, 8.1, 22.4, 1.05, 9.9, 100, 7.3, 12.6, -4.5, 6.6, 18.2, 5.5,
	    11.1, 9.9, 250, 2.2, 13.3 };
	size_t n = sizeof x / sizeof x[0];
	FILE *fp = fopen("clean-stats-R.txt", "r");
	char key[64], rest[256];
	double v;
	int seen = 0;

	CHECK(fp != NULL, "open clean-stats-R.txt");
	if (fp == NULL)
		return;
	qsort(x, n, sizeof x[0], cmp);
	while (fscanf(fp, "%63s", key) == 1) {
		if (strcmp(key, "x_q10") == 0 && fscanf(fp, "%lf", &v) == 1) {
			CHECK(stats_quantile7(x, n, 0.1) == v, "type 7 quantile 0.1 is R's, to the bit");
			seen++;
		} else if (strcmp(key, "x_q90") == 0 && fscanf(fp, "%lf", &v) == 1) {
			CHECK(stats_quantile7(x, n, 0.9) == v, "type 7 quantile 0.9 is R's, to the bit");
			seen++;
		} else if (strcmp(key, "x_median") == 0 && fscanf(fp, "%lf", &v) == 1) {
			CHECK(stats_quantile7(x, n, 0.5) == v, "median is R's");
			seen++;
		} else if (fgets(rest, sizeof rest, fp) == NULL) {
			break;
		}
	}
	fclose(fp);
	CHECK(seen == 3, "clean-stats-R.txt has x_q10, x_q90, x_median");
	CHECK(stats_quantile7(x, n, 0) == -4.5 && stats_quantile7(x, n, 1) == 250, "p = 0 and 1: the extremes");
	{
		double one = 7;
		CHECK(stats_quantile7(&one, 1, 0.3) == 7, "one value: it is every quantile");
	}
	{
		/* Closed form: 1..5, p = 0.3: h = 1.2, 2 + 0.2 * (3 - 2) = 2.2. */
		double s[] = { 1, 2, 3, 4, 5 };
		CHECK_REL(stats_quantile7(s, 5, 0.3), 2.2, 1e-15, "1..5 at 0.3 is 2.2");
	}
}

static void
options(void)
{
	struct clean_opts *o = clean_opts_new();
	struct diag d;

	CHECK(o != NULL, "clean_opts_new");
	CHECK(clean_opts_set(o, CLEAN_OPT_NUM, "price,cost", &d) == 0, "--num price,cost");
	CHECK(clean_opts_set(o, CLEAN_OPT_FILL, "price=median", &d) == 0, "--fill price=median");
	CHECK(!clean_opts_need_stats(o) == 0, "a median needs a first pass");
	CHECK(clean_opts_set(o, CLEAN_OPT_RANGE, "cost=5:1", &d) == -1 &&
	    strcmp(d.what, "LO is greater than HI") == 0, "--range 5:1 refused");
	CHECK(clean_opts_set(o, CLEAN_OPT_WINSORIZE, "cost=0.2:1.1", &d) == -1,
	    "--winsorize beyond 1 refused");
	CHECK(clean_opts_set(o, CLEAN_OPT_DATE_ORDER, "ydm", &d) == -1, "--date-order ydm refused");
	CHECK(clean_opts_set(o, CLEAN_OPT_INT, "cost", &d) == 0, "--int cost (conflict found later)");
	CHECK(clean_opts_check(o, &d) == -1 && strcmp(d.column, "cost") == 0 &&
	    strcmp(d.what, "column given two types: num and int") == 0, "two types for cost");
	clean_opts_free(o);

	o = clean_opts_new();
	CHECK(clean_opts_set(o, CLEAN_OPT_CLIP, "qty=1:", &d) == 0, "--clip qty=1:");
	CHECK(clean_opts_check(o, &d) == -1 &&
	    strcmp(d.what, "--clip needs a numeric column (give it --num or --int)") == 0,
	    "--clip on a text column refused");
	clean_opts_free(o);

	o = clean_opts_new();
	CHECK(clean_opts_set(o, CLEAN_OPT_NUM, "p", &d) == 0 &&
	    clean_opts_set(o, CLEAN_OPT_FILL, "p=x1", &d) == 0, "--fill p=x1 recorded");
	CHECK(clean_opts_check(o, &d) == -1 && strcmp(d.what, "--fill: not a number") == 0,
	    "--fill p=x1 is not a number");
	CHECK(!clean_opts_need_stats(o), "a constant fill needs no first pass");
	clean_opts_free(o);
	clean_opts_free(NULL);
}

/*
 * clean_num_text's short cut for plain decimals must write what num_format
 * writes for the value: random decimals of 1 to 17 digits with the point
 * anywhere (the end included), leading and trailing zeros, both signs.
 */
static void
text_is_num_format(void)
{
	unsigned long long seed = 88172645463325252ULL;
	char in[64], got[NUM_BUFSZ], want[NUM_BUFSZ];
	int i, k, nd, point, bad = 0;
	double x;

	for (i = 0; i < 200000; i++) {
		size_t pos = 0;
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		if (seed & 1)
			in[pos++] = '-';
		nd = 1 + (int)((seed >> 8) % 17);
		point = (int)((seed >> 16) % (unsigned)(nd + 1));
		for (k = 0; k < nd; k++) {
			if (k == point && k > 0)
				in[pos++] = '.';
			/* many zeros, so that leading and trailing ones are common */
			in[pos++] = (char)('0' + ((seed >> (20 + k * 2)) % 4 == 0 ? 0 :
			    (int)((seed >> (24 + k)) % 10)));
		}
		if (point == nd && (seed >> 60) < 4)
			in[pos++] = '.';   /* "12." */
		in[pos] = '\0';
		if (clean_num_text(in, pos, 0, got) < 0 || clean_num(in, pos, 0, &x) < 0) {
			if (bad++ < 5)
				printf("     \"%s\" not read\n", in);
			continue;
		}
		num_format(x, want);
		if (strcmp(got, want) != 0 && bad++ < 5)
			printf("     \"%s\": clean_num_text \"%s\", num_format \"%s\"\n", in, got, want);
	}
	CHECK(bad == 0, "clean_num_text agrees with num_format on 200000 random decimals");
}

int
main(void)
{
	/* Numbers: what a person or a spreadsheet writes. */
	num_ok("1234.5", 0, 1234.5);
	num_ok("$1,234.50", 0, 1234.5);
	num_ok("  $ 1,234.50 ", 0, 1234.5);
	num_ok("-$3", 0, -3);
	num_ok("$-3", 0, -3);
	num_ok("+7", 0, 7);
	num_ok("12.5 \xe2\x82\xac", 0, 12.5);
	num_ok("\xe2\x82\xac" "12.5", 0, 12.5);
	num_ok("\xc2\xa3" "9.99", 0, 9.99);
	num_ok("\xc2\xa5" "1,000", 0, 1000);
	num_ok("1,234,567", 0, 1234567);
	num_ok("0.1", 0, 0.1);
	num_ok(".5", 0, 0.5);
	num_ok("5.", 0, 5);
	num_ok("1e3", 0, 1000);
	num_ok("-2.5E-3", 0, -0.0025);
	num_ok("-0", 0, 0);
	num_ok("1.234,50", CLEAN_DECIMAL_COMMA, 1234.5);
	num_ok("12,5", CLEAN_DECIMAL_COMMA, 12.5);
	num_ok("\xe2\x82\xac 1.000.000", CLEAN_DECIMAL_COMMA, 1000000);
	num_ok("12%", CLEAN_PERCENT, 0.12);
	num_ok("1.5 %", CLEAN_PERCENT, 0.015);
	num_ok("0.5", CLEAN_PERCENT, 0.5);
	num_ok("12,5%", CLEAN_PERCENT | CLEAN_DECIMAL_COMMA, 0.125);
	num_bad("", 0);
	num_bad("   ", 0);
	num_bad("12,5O", 0);
	num_bad("12,5", 0);           /* a comma groups thousands, in threes */
	num_bad("1,23", 0);
	num_bad("1,2345", 0);
	num_bad("1234,567", 0);       /* a first group of four */
	num_bad(",123", 0);
	num_bad("1,234.5", CLEAN_DECIMAL_COMMA);
	num_bad("12%", 0);
	num_bad("$$12", 0);
	num_bad("$12$", 0);
	num_bad("--12", 0);
	num_bad("-$-12", 0);
	num_bad("(5.00)", 0);
	num_bad("1,000e3", 0);        /* no exponent with grouping */
	num_bad("1e", 0);
	num_bad(".", 0);
	num_bad("-", 0);
	num_bad("inf", 0);
	num_bad("nan", 0);
	num_bad("0x10", 0);
	num_bad("1e999", 0);          /* out of range */
	num_bad("12 34", 0);
	num_bad("EUR 12", 0);

	/* Whole numbers, exactly. */
	int_ok("7", 0, "7");
	int_ok("007", 0, "7");
	int_ok("+12", 0, "12");
	int_ok(" -5 ", 0, "-5");
	int_ok("-0", 0, "0");
	int_ok("-000", 0, "0");
	int_ok("0", 0, "0");
	int_ok("12.0", 0, "12");
	int_ok("12.000", 0, "12");
	int_ok("1,200", 0, "1200");
	int_ok("1.200", CLEAN_DECIMAL_COMMA, "1200");
	int_ok("12,0", CLEAN_DECIMAL_COMMA, "12");
	int_ok("9007199254740993", 0, "9007199254740993");              /* 2^53 + 1 */
	int_ok("123456789012345678901234567890", 0, "123456789012345678901234567890");
	int_bad("");
	int_bad("1.5");
	int_bad("1e3");
	int_bad("two");
	int_bad("1,20");
	int_bad("$5");
	int_bad("--1");
	int_bad(".0");
	int_bad("+");

	/* Yes and no. */
	CHECK(clean_bool("yes", 3) == 1 && clean_bool("TRUE", 4) == 1 && clean_bool(" y ", 3) == 1 &&
	    clean_bool("T", 1) == 1 && clean_bool("On", 2) == 1 && clean_bool("1", 1) == 1, "true words");
	CHECK(clean_bool("no", 2) == 0 && clean_bool("False", 5) == 0 && clean_bool("N", 1) == 0 &&
	    clean_bool("f", 1) == 0 && clean_bool("OFF", 3) == 0 && clean_bool("0", 1) == 0, "false words");
	CHECK(clean_bool("maybe", 5) == -1 && clean_bool("", 0) == -1 && clean_bool("2", 1) == -1 &&
	    clean_bool("yess", 4) == -1 && clean_bool("truetrue", 8) == -1, "neither");

	text_is_num_format();
	against_r();
	options();
	return check_done();
}
