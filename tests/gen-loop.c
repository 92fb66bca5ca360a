/*
 * gen-loop - a market for the learning loop (tests/check-loop.sh,
 * tests/bench/bench-loop.sh): a shop whose past prices barely varied, so
 * that its history says little about how demand answers price.
 *
 * Usage: gen-loop history SEED N           N past exposures on days 1..10, at
 *                                          list price +-1%
 *        gen-loop candidates SEED DAY N    N customer x item rows to price on DAY
 *        gen-loop outcomes SEED DAY        stdin: the candidates of DAY priced
 *                                          (opt_price); stdout: their history
 *                                          rows with the logged propensity (1
 *                                          when not explored), the purchase
 *                                          drawn from the truth
 *        gen-loop value                    stdin: priced candidates; stdout: the
 *                                          true expected profit of opt_price and
 *                                          that of the true optimum in the same
 *                                          bounds, "got best"
 *        gen-loop truth                    the true price coefficient
 *
 * The true model: P(buy) = 1 / (1 + exp(-(a_item + b log(price / list)))),
 * b = -3, cost half the list price; the optimum within the bounds (0.7 and
 * 1.3 times the list price) is found on a grid of 2,001 prices and refined
 * by golden section.  Draws use GSL's mt19937 seeded from SEED, DAY and the
 * row: the same files everywhere.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#define NITEM 6

static const double b_true = -3.0;
static const double list_price[NITEM] = { 5, 12, 20, 35, 60, 110 };
static const double a_item[NITEM] = { 0.4, 0.1, -0.2, 0.3, -0.1, 0.0 };

static double
prob(int item, double p)
{
	return 1 / (1 + exp(-(a_item[item] + b_true * log(p / list_price[item]))));
}

static double
profit(int item, double p)
{
	return (p - 0.5 * list_price[item]) * prob(item, p);
}

static double
best_profit(int item, double lo, double hi)
{
	double best = lo, x, y, a, b, g = (sqrt(5) - 1) / 2;
	int k;

	for (k = 0; k <= 2000; k++) {
		x = lo + (hi - lo) * k / 2000;
		if (profit(item, x) > profit(item, best))
			best = x;
	}
	a = best - (hi - lo) / 2000;
	b = best + (hi - lo) / 2000;
	if (a < lo)
		a = lo;
	if (b > hi)
		b = hi;
	for (k = 0; k < 60; k++) {
		x = b - g * (b - a);
		y = a + g * (b - a);
		if (profit(item, x) > profit(item, y))
			b = y;
		else
			a = x;
	}
	x = (a + b) / 2;
	return profit(item, x) > profit(item, best) ? profit(item, x) : profit(item, best);
}

static void
date_of(int day, char *buf)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int m = 0;

	while (day > mdays[m]) {
		day -= mdays[m];
		m++;
	}
	sprintf(buf, "2026-%02d-%02d", m + 1, day);
}

/* Column index of name in the header line h, or -1. */
static int
col_of(const char *h, const char *name)
{
	size_t n = strlen(name);
	int i = 0;
	const char *p = h;

	for (;;) {
		size_t len = strcspn(p, ",\r\n");
		if (len == n && strncmp(p, name, n) == 0)
			return i;
		if (p[len] != ',')
			return -1;
		p += len + 1;
		i++;
	}
}

static double
num_field(const char *line, int i)
{
	while (i-- > 0 && (line = strchr(line, ',')) != NULL)
		line++;
	return line ? atof(line) : NAN;
}

static void
text_field(const char *line, int i, char *buf, size_t size)
{
	size_t n;

	while (i-- > 0 && (line = strchr(line, ',')) != NULL)
		line++;
	if (line == NULL) {
		buf[0] = '\0';
		return;
	}
	n = strcspn(line, ",\r\n");
	if (n >= size)
		n = size - 1;
	memcpy(buf, line, n);
	buf[n] = '\0';
}

int
main(int argc, char **argv)
{
	static char line[1 << 16];
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	const char *mode = argc > 1 ? argv[1] : "";
	char date[16];
	int i, n;

	if (strcmp(mode, "truth") == 0) {
		printf("%.17g\n", b_true);
		goto done;
	}
	if (strcmp(mode, "history") == 0 && argc == 4) {
		gsl_rng_set(r, strtoul(argv[2], NULL, 10));
		n = atoi(argv[3]);
		printf("date,customer,item,price,list_price,cost,propensity,bought\n");
		for (i = 0; i < n; i++) {
			int item = (int)gsl_rng_uniform_int(r, NITEM);
			double p = list_price[item] * (0.99 + 0.02 * gsl_rng_uniform(r));
			p = floor(p * 100 + 0.5) / 100;
			date_of(1 + i * 10 / n, date);
			printf("%s,c%04d,i%d,%.2f,%.2f,%.2f,1,%d\n", date, (int)gsl_rng_uniform_int(r, 500),
			    item, p, list_price[item], 0.5 * list_price[item],
			    gsl_rng_uniform(r) < prob(item, p));
		}
		goto done;
	}
	if (strcmp(mode, "candidates") == 0 && argc == 5) {
		int day = atoi(argv[3]);
		gsl_rng_set(r, strtoul(argv[2], NULL, 10) * 1000003UL + (unsigned long)day);
		n = atoi(argv[4]);
		date_of(day, date);
		printf("date,customer,item,price,list_price,cost,min_p,max_p\n");
		for (i = 0; i < n; i++) {
			int item = (int)gsl_rng_uniform_int(r, NITEM);
			double l = list_price[item];
			printf("%s,c%04d,i%d,%.2f,%.2f,%.2f,%.2f,%.2f\n", date,
			    (int)gsl_rng_uniform_int(r, 500), item, l, l, 0.5 * l, 0.7 * l, 1.3 * l);
		}
		goto done;
	}
	if ((strcmp(mode, "outcomes") == 0 && argc == 4) || (strcmp(mode, "value") == 0 && argc == 2)) {
		int pc, ic, dc, cc, lc, hc, qc, row = 0, outcomes = mode[0] == 'o';
		double got = 0, best = 0;
		if (fgets(line, sizeof line, stdin) == NULL) {
			gsl_rng_free(r);
			return 1;
		}
		pc = col_of(line, "opt_price");
		ic = col_of(line, "item");
		dc = col_of(line, "date");
		cc = col_of(line, "customer");
		lc = col_of(line, "min_p");
		hc = col_of(line, "max_p");
		qc = col_of(line, "propensity");
		if (pc < 0 || ic < 0 || dc < 0 || cc < 0 || lc < 0 || hc < 0) {
			fprintf(stderr, "gen-loop: a column is missing\n");
			gsl_rng_free(r);
			return 1;
		}
		if (outcomes)
			printf("date,customer,item,price,list_price,cost,propensity,bought\n");
		while (fgets(line, sizeof line, stdin) != NULL) {
			char item_s[16], cust[32];
			double p = num_field(line, pc);
			int item;
			text_field(line, ic, item_s, sizeof item_s);
			text_field(line, dc, date, sizeof date);
			text_field(line, cc, cust, sizeof cust);
			item = atoi(item_s + 1);
			if (item < 0 || item >= NITEM || !(p > 0))
				continue;
			if (outcomes) {
				gsl_rng_set(r, strtoul(argv[2], NULL, 10) * 7919UL +
				    (unsigned long)atoi(argv[3]) * 104729UL + (unsigned long)row++);
				printf("%s,%s,%s,%.17g,%.2f,%.2f,%.17g,%d\n", date, cust, item_s, p,
				    list_price[item], 0.5 * list_price[item],
				    qc >= 0 ? num_field(line, qc) : 1.0, gsl_rng_uniform(r) < prob(item, p));
			} else {
				got += profit(item, p);
				best += best_profit(item, num_field(line, lc), num_field(line, hc));
			}
		}
		if (!outcomes)
			printf("%.6f %.6f\n", got, best);
		goto done;
	}
	fprintf(stderr, "usage: gen-loop history SEED N | candidates SEED DAY N | "
	    "outcomes SEED DAY | value | truth\n");
	gsl_rng_free(r);
	return 2;
done:
	gsl_rng_free(r);
	return 0;
}
