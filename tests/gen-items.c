/*
 * gen-items - a market of many items with few sales rows each, drawn from
 * a known logistic purchase model whose price response differs from item
 * to item: the case for partial pooling (pr-train --by item --shrink),
 * tests/bench/bench-shrink.sh.
 *
 * Usage: gen-items history ITEMS ROWS SEED   ROWS past offers per item, the
 *                                            purchase drawn from the model
 *        gen-items candidates ITEMS SEED     one row per item to price
 *        gen-items value COL ITEMS SEED      stdin: candidates with a price
 *                                            column COL; stdout: the total
 *                                            true expected profit at COL
 *        gen-items best ITEMS SEED           the total true expected profit
 *                                            at each item's true optimum
 *
 * The true model for item i, price p, list price L_i, cost c_i:
 *   P(buy) = 1 / (1 + exp(-(a_i + b_i (p / L_i - 1))))
 * with a_i ~ N(-0.5, 0.5^2) and b_i ~ N(-4, 1.2^2) (capped at -1, so that
 * every item has an interior optimum), L_i ~ U(10, 50), c_i = L_i U(0.4,
 * 0.6).  Past prices are L_i U(0.7, 1.3).  The optimum of (p - c) P(p)
 * within [c, 3 L] is found by golden-section search on the log of the
 * profit (log-concave in p).  GSL's mt19937 with the seed: the items'
 * parameters are the first draws, so every mode sees the same items.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "csvio.h"
#include "num.h"

struct item {
	double a, b, list, cost;
};

static struct item *
items(gsl_rng *rng, long n)
{
	struct item *it = calloc((size_t)n, sizeof *it);
	if (!it)
		exit(1);
	for (long i = 0; i < n; i++) {
		it[i].a = -0.5 + gsl_ran_gaussian(rng, 0.5);
		it[i].b = fmin(-1, -4 + gsl_ran_gaussian(rng, 1.2));
		it[i].list = gsl_ran_flat(rng, 10, 50);
		it[i].cost = it[i].list * gsl_ran_flat(rng, 0.4, 0.6);
	}
	return it;
}

static double
prob(const struct item *it, double p)
{
	return 1 / (1 + exp(-(it->a + it->b * (p / it->list - 1))));
}

static double
profit(const struct item *it, double p)
{
	return (p - it->cost) * prob(it, p);
}

/* argmax of profit on [cost, 3 list] (log-concave: unimodal), golden section */
static double
best_price(const struct item *it)
{
	double lo = it->cost, hi = 3 * it->list, g = (sqrt(5) - 1) / 2;
	for (int k = 0; k < 200; k++) {
		double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
		if (profit(it, x1) < profit(it, x2))
			lo = x1;
		else
			hi = x2;
	}
	return (lo + hi) / 2;
}

static void
num(double x)
{
	char b[NUM_BUFSZ];
	num_format(x, b);
	fputs(b, stdout);
}

static long
arg_long(const char *s)
{
	char *e;
	long v = strtol(s, &e, 10);
	if (*e || v <= 0) {
		fprintf(stderr, "gen-items: not a positive number: %s\n", s);
		exit(2);
	}
	return v;
}

/* The total true expected profit of the prices in column col of stdin. */
static int
value(const char *col, const struct item *it, long n)
{
	struct diag d;
	struct csvio_reader *r = csvio_open("-", ',', &d);
	if (!r)
		return 1;
	long ci = csvio_require_col(r, col, &d), ii = csvio_require_col(r, "item", &d);
	if (ci < 0 || ii < 0) {
		fprintf(stderr, "gen-items: no column %s or item\n", col);
		return 1;
	}
	struct csvio_row row;
	double total = 0;
	while (csvio_next(r, &row, &d) == 1) {
		double p;
		long k = strtol(row.f[ii] + 1, NULL, 10);   /* "i0042" */
		if (num_parse(row.f[ci], row.len[ci], &p, 0) != NUM_OK || k < 0 || k >= n) {
			fprintf(stderr, "gen-items: bad row %zu\n", (size_t)row.line);
			return 1;
		}
		total += profit(&it[k], p);
	}
	csvio_close(r);
	num(total);
	putchar('\n');
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: gen-items history ITEMS ROWS SEED | candidates ITEMS SEED | "
		    "value COL ITEMS SEED | best ITEMS SEED\n");
		return 2;
	}
	const char *mode = argv[1];
	int hist = strcmp(mode, "history") == 0, val = strcmp(mode, "value") == 0;
	if ((hist || val) && argc < 5)
		return fprintf(stderr, "gen-items: %s needs 3 arguments\n", mode), 2;
	long n = arg_long(argv[val ? 3 : 2]);
	unsigned long seed = (unsigned long)arg_long(argv[hist || val ? 4 : 3]);
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, seed);
	struct item *it = items(rng, n);
	int rc = 0;
	if (hist) {
		long rows = arg_long(argv[3]);
		puts("item,price,list_price,cost,bought");
		for (long i = 0; i < n; i++)
			for (long k = 0; k < rows; k++) {
				double p = round(it[i].list * gsl_ran_flat(rng, 0.7, 1.3) * 100) / 100;
				printf("i%04ld,", i);
				num(p);
				putchar(',');
				num(it[i].list);
				putchar(',');
				num(it[i].cost);
				printf(",%d\n", gsl_rng_uniform(rng) < prob(&it[i], p));
			}
	} else if (strcmp(mode, "candidates") == 0) {
		puts("item,price,list_price,cost,min_p,max_p");
		for (long i = 0; i < n; i++) {
			printf("i%04ld,", i);
			num(it[i].list);
			putchar(',');
			num(it[i].list);
			putchar(',');
			num(it[i].cost);
			putchar(',');
			num(it[i].cost);
			putchar(',');
			num(3 * it[i].list);
			putchar('\n');
		}
	} else if (val) {
		rc = value(argv[2], it, n);
	} else if (strcmp(mode, "best") == 0) {
		double total = 0;
		for (long i = 0; i < n; i++)
			total += profit(&it[i], best_price(&it[i]));
		num(total);
		putchar('\n');
	} else {
		fprintf(stderr, "gen-items: unknown mode %s\n", mode);
		rc = 2;
	}
	free(it);
	gsl_rng_free(rng);
	return rc;
}
