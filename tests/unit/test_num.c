/*
 * test_num.c - numbers in and out of text.  Expected values are written as
 * C literals (the compiler's own correctly rounded conversion is the
 * independent reference), and the shortest-text property is checked
 * against a brute-force search over precisions.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "check.h"
#include "num.h"

static void
parse_ok(const char *s, double want, const char *name)
{
	double v = -12345;
	enum num_status st = num_parse(s, strlen(s), &v, 0);
	CHECK(st == NUM_OK, name);
	CHECK(v == want, name);
}

static void
parse_st(const char *s, int flags, enum num_status want, const char *name)
{
	double v;
	CHECK(num_parse(s, strlen(s), &v, flags) == want, name);
}

static void
test_parse(void)
{
	double v;

	parse_ok("0", 0, "zero");
	parse_ok("-0", -0.0, "negative zero");
	parse_ok("42", 42, "integer");
	parse_ok("+42", 42, "plus sign");
	parse_ok("-1.5", -1.5, "negative decimal");
	parse_ok(".5", 0.5, "leading point");
	parse_ok("5.", 5.0, "trailing point");
	parse_ok("1e3", 1000, "exponent");
	parse_ok("1.25E-2", 0.0125, "exponent upper, negative");
	parse_ok("0.1", 0.1, "0.1 correctly rounded");
	parse_ok("1234567890123456789", 1234567890123456789.0, "long integer rounds");
	parse_ok("4.9406564584124654e-324", 4.9406564584124654e-324, "smallest subnormal accepted");
	parse_ok("1.7976931348623157e308", DBL_MAX, "largest double");
	parse_st("", 0, NUM_EMPTY, "empty is missing");
	parse_st(" 1", 0, NUM_BAD, "leading space");
	parse_st("1 ", 0, NUM_BAD, "trailing space");
	parse_st("1,5", 0, NUM_BAD, "decimal comma");
	parse_st("12,5O", 0, NUM_BAD, "letter O");
	parse_st("0x10", 0, NUM_BAD, "hex refused");
	parse_st("1e", 0, NUM_BAD, "bare exponent");
	parse_st("e5", 0, NUM_BAD, "no mantissa");
	parse_st(".", 0, NUM_BAD, "lone point");
	parse_st("-", 0, NUM_BAD, "lone minus");
	parse_st("+-1", 0, NUM_BAD, "two signs");
	parse_st("1.2.3", 0, NUM_BAD, "two points");
	parse_st("$5", 0, NUM_BAD, "currency");
	parse_st("inf", 0, NUM_BAD, "inf refused by default");
	parse_st("NaN", 0, NUM_BAD, "nan refused by default");
	parse_st("1e999", 0, NUM_RANGE, "overflow");
	parse_st("-1e999", 0, NUM_RANGE, "negative overflow");
	CHECK(num_parse("inf", 3, &v, NUM_ALLOW_INFNAN) == NUM_OK && isinf(v) && v > 0, "inf allowed");
	CHECK(num_parse("-Infinity", 9, &v, NUM_ALLOW_INFNAN) == NUM_OK && isinf(v) && v < 0, "-Infinity allowed");
	CHECK(num_parse("nan", 3, &v, NUM_ALLOW_INFNAN) == NUM_OK && isnan(v), "nan allowed");
	parse_st("infx", NUM_ALLOW_INFNAN, NUM_BAD, "infx refused");
	/* not NUL-terminated: only len bytes count */
	CHECK(num_parse("12345", 2, &v, 0) == NUM_OK && v == 12, "length respected");
	{
		/* a very long number (over the stack buffer) */
		char big[400];
		memset(big, '0', sizeof big);
		big[0] = '1';
		big[1] = '.';
		big[sizeof big - 1] = '\0';
		parse_ok(big, 1.0, "long text");
	}
	CHECK_STR(num_strerror(NUM_BAD), "not a number", "strerror bad");
	CHECK_STR(num_strerror(NUM_RANGE), "number out of range", "strerror range");
}

static void
fmt(double x, const char *want, const char *name)
{
	char buf[NUM_BUFSZ];
	size_t n = num_format(x, buf);
	CHECK_STR(buf, want, name);
	CHECK(n == strlen(want), name);
}

/* The shortest %.Ng text that reads back, found by trying every N. */
static int
shortest_len(double x)
{
	char buf[64];
	int p;
	for (p = 1; p <= 17; p++) {
		snprintf(buf, sizeof buf, "%.*g", p, x);
		if (strtod(buf, NULL) == x)
			return (int)strlen(buf);
	}
	return 99;
}

static void
test_format(void)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	int i, bad_round = 0, bad_short = 0;

	fmt(0, "0", "zero");
	fmt(-0.0, "0", "negative zero written 0");
	fmt(1, "1", "one");
	fmt(-42, "-42", "negative integer");
	fmt(0.1, "0.1", "0.1");
	fmt(1.0 / 3, "0.3333333333333333", "third, 16 digits");
	fmt(0.1 + 0.2, "0.30000000000000004", "0.1+0.2 needs 17");
	fmt(1234.5, "1234.5", "decimal");
	fmt(0.05, "0.05", "leading zeros after the point");
	fmt(-0.0001, "-0.0001", "smallest fixed");
	fmt(0.00012, "0.00012", "fixed just above 1e-4");
	fmt(9.99, "9.99", "price");
	fmt(7.2 / 8 - 1, "-0.09999999999999998", "just below a power of ten (log10 rounds up)");
	fmt(0.99999999999999989, "0.9999999999999999", "just below one");
	fmt(99999.999999999985, "99999.99999999999", "just below 1e5");
	fmt(123456.78901234, "123456.78901234", "many decimals");
	fmt(1e-5, "1e-05", "1e-5");
	fmt(1e21, "1e+21", "big power of ten");
	fmt(9007199254740992.0, "9007199254740992", "2^53");
	fmt(123456789012.0, "123456789012", "large integer, no exponent");
	fmt(DBL_MAX, "1.7976931348623157e+308", "DBL_MAX");
	fmt(4.9406564584124654e-324, "5e-324", "smallest subnormal is 5e-324");
	fmt(NAN, "", "NaN is missing");
	fmt(INFINITY, "inf", "inf");
	fmt(-INFINITY, "-inf", "-inf");

	/* random doubles of every magnitude: round trip, and never longer than the shortest %g */
	gsl_rng_set(rng, 20261124);
	for (i = 0; i < 200000; i++) {
		union { unsigned long long u; double d; } b;
		char buf[NUM_BUFSZ];
		double back;
		b.u = ((unsigned long long)gsl_rng_get(rng) << 32) ^ gsl_rng_get(rng);
		if (isnan(b.d) || isinf(b.d) || b.d == 0)
			continue;
		num_format(b.d, buf);
		back = strtod(buf, NULL);
		if (back != b.d)
			bad_round++;
		if ((int)strlen(buf) > shortest_len(b.d))
			bad_short++;
	}
	/* the fixed-notation fast path: decimals of every length, as prices and rates are */
	for (i = 0; i < 300000; i++) {
		char buf[NUM_BUFSZ], want[64];
		int p;
		double x = (double)gsl_rng_uniform_int(rng, 100000000) / pow(10, (double)gsl_rng_uniform_int(rng, 12));
		if (i % 3 == 0)
			x = gsl_rng_uniform(rng) * pow(10, (double)gsl_rng_uniform_int(rng, 18) - 4);
		if (i % 5 == 0)   /* next to powers of ten, where log10 rounds */
			x = nextafter(pow(10, (double)gsl_rng_uniform_int(rng, 19) - 4), 0) *
			    (1 - (double)gsl_rng_uniform_int(rng, 64) * 1e-16);
		if (i % 2)
			x = -x;
		num_format(x, buf);
		for (p = 1; p <= 17; p++) {     /* what %.Pg writes at the shortest P */
			snprintf(want, sizeof want, "%.*g", p, x);
			if (strtod(want, NULL) == x)
				break;
		}
		if (strchr(want, 'e') == NULL && !(x == floor(x)) && strcmp(buf, want) != 0) {
			if (bad_round++ == 0)
				printf("     fixed path: %s, %%g: %s\n", buf, want);
		}
		if (strtod(buf, NULL) != x)
			bad_round++;
	}
	CHECK(bad_round == 0, "random doubles round-trip, fixed notation as %g writes it");
	CHECK(bad_short == 0, "random doubles written shortest");
	gsl_rng_free(rng);
}

/*
 * The fast path must agree with strtod (glibc's, correctly rounded) to the
 * bit, on random decimal texts of every shape: short and long significands,
 * leading and trailing zeros, exponents in and out of the fast range.
 */
static void
test_parse_vs_strtod(void)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	int i, bad = 0;
	char buf[64], first_bad[64] = "";

	gsl_rng_set(rng, 7);
	for (i = 0; i < 1000000; i++) {
		int n = 0, ip = (int)gsl_rng_uniform_int(rng, 12), fp = (int)gsl_rng_uniform_int(rng, 18), k;
		double mine, ref;
		if (gsl_rng_uniform(rng) < 0.3)
			buf[n++] = '-';
		if (ip == 0 && fp == 0)
			ip = 1;
		for (k = 0; k < ip; k++)
			buf[n++] = (char)('0' + (k == 0 && gsl_rng_uniform(rng) < 0.2 ? 0 : gsl_rng_uniform_int(rng, 10)));
		if (fp > 0) {
			buf[n++] = '.';
			for (k = 0; k < fp; k++)
				buf[n++] = (char)('0' + gsl_rng_uniform_int(rng, 10));
		}
		if (gsl_rng_uniform(rng) < 0.2)
			n += snprintf(buf + n, sizeof buf - (size_t)n, "e%d", (int)gsl_rng_uniform_int(rng, 61) - 30);
		buf[n] = '\0';
		ref = strtod(buf, NULL);
		if (num_parse(buf, (size_t)n, &mine, 0) != NUM_OK || memcmp(&mine, &ref, sizeof ref) != 0) {
			if (bad++ == 0)
				snprintf(first_bad, sizeof first_bad, "%s", buf);
		}
	}
	CHECK(bad == 0, "num_parse equals strtod bit for bit on a million random texts");
	if (bad)
		printf("     %d differ, first: %s\n", bad, first_bad);
	gsl_rng_free(rng);
}

/*
 * Short texts at the edges of the one-pass path (sign, dot, 15 and 16
 * digits): the value strtod gives, and the refusals of the general path.
 */
static void
test_short_shapes(void)
{
	static const char *ok[] = { "5", "0", "-0", "+7", "-1.4374", "0.548", "+1.5", "007.50",
	    "123456789012345", "1234567890123456", "12345678901234.5", "0.00000000000001",
	    "-999999999999999", "9007199254740993", "1.", ".5", "-.5", "0.1", "1234567.8901234" };
	static const char *bad[] = { "-", "+", ".", "-.", "1.2.3", "1..2", "12a", "1-2", "--1",
	    " 1", "1 ", "1,5", "0x10" };
	char name[64];
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		double v = 1, ref = strtod(ok[i], NULL);
		enum num_status st = num_parse(ok[i], strlen(ok[i]), &v, 0);
		snprintf(name, sizeof name, "\"%s\" is strtod's number", ok[i]);
		CHECK(st == NUM_OK && memcmp(&v, &ref, sizeof v) == 0, name);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		double v;
		snprintf(name, sizeof name, "\"%s\" is not a number", bad[i]);
		CHECK(num_parse(bad[i], strlen(bad[i]), &v, 0) == NUM_BAD, name);
	}
}

/* [+-]? (digits [. digits?] | . digits), the texts without an exponent num_parse takes */
static int
plain_decimal(const char *s)
{
	size_t i = s[0] == '-' || s[0] == '+', before = 0, after = 0;
	while (s[i] >= '0' && s[i] <= '9')
		i++, before++;
	if (s[i] == '.')
		for (i++; s[i] >= '0' && s[i] <= '9'; i++)
			after++;
	return s[i] == '\0' && before + after > 0;
}

/*
 * Random short texts of digits, dots, signs and bytes next to the digits
 * ('/', ':', a space, a byte past 0x7f), lengths 1 to 10: taken exactly
 * when they are plain decimals, as strtod's number (the eight-byte path
 * covers 4 to 8 bytes after the sign).
 */
static void
test_short_random(void)
{
	static const char alphabet[] = "0123456789012345678901234567890123456789..-+/: \xb5";
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	char buf[16], first_bad[16] = "";
	int bad = 0, taken = 0;

	gsl_rng_set(rng, 11);
	for (int k = 0; k < 2000000; k++) {
		size_t n = 1 + gsl_rng_uniform_int(rng, 10), i;
		double v = 0, ref;
		for (i = 0; i < n; i++)
			buf[i] = alphabet[gsl_rng_uniform_int(rng, sizeof alphabet - 1)];
		buf[n] = '\0';
		enum num_status st = num_parse(buf, n, &v, 0);
		int want = plain_decimal(buf);
		ref = want ? strtod(buf, NULL) : 0;
		taken += want;
		if (want ? st != NUM_OK || memcmp(&v, &ref, sizeof v) != 0 : st != NUM_BAD) {
			if (bad++ == 0)
				snprintf(first_bad, sizeof first_bad, "%s", buf);
		}
	}
	CHECK(bad == 0 && taken > 100000, "short random texts: plain decimals exactly, the rest refused");
	if (bad)
		printf("     %d wrong, first: \"%s\"\n", bad, first_bad);
	gsl_rng_free(rng);
}

int
main(void)
{
	test_short_shapes();
	test_short_random();
	test_parse();
	test_parse_vs_strtod();
	test_format();
	return check_done();
}
