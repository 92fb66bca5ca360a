/*
 * gen-market - a market drawn from a known logistic purchase model, to prove
 * that pr-optimize finds the profit (tests/check-market.sh).
 *
 * Usage: gen-market history N SEED      past offers with the purchase drawn
 *        gen-market candidates N SEED   rows to price, with the true optimum
 *        gen-market value COL SEED      stdin: candidates (drawn with SEED)
 *                                       with a price column COL; stdout: the
 *                                       total true expected profit of COL
 *        gen-market single SEED         stdin: candidates; stdout: the total
 *                                       true expected profit of the best
 *                                       single price per item
 *
 * The true model:  P(buy) = 1 / (1 + exp(-eta)),
 *   eta = a_item + (b_seg + b_sens * sens) * price / list_price + 0.3 * loyalty
 * with b_seg = -6 (new), -4.5 (regular), -3 (vip) and b_sens = -2: price
 * sensitivity that differs by segment and by customer (sens, a customer
 * trait in [0, 1] the shop knows).  Candidate rows carry their bounds
 * (min_p, max_p: today's price -30% / +30%, never below cost) and the true
 * optimum within them, true_opt: profit (p - c) P(p) is log-concave in p,
 * so the optimum is the stationary point p* = c + (1 + W(exp(a' - b' c - 1)))/b'
 * (a' the rest of eta, b' = -slope/list_price, W the Lambert function)
 * moved into the bounds.  GSL's mt19937 with the seed given: the same files
 * everywhere.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_lambert.h>

#define NITEM 8
#define NCUST 300

static const char *seg_name[] = { "new", "regular", "vip" };
static const double seg_beta[] = { -6, -4.5, -3 };
static const double b_sens = -2, g_loyalty = 0.3;
static const double item_list[NITEM] = { 5, 9, 14, 20, 32, 45, 70, 120 };
static const double item_a[NITEM] = { 3.2, 3.0, 3.4, 2.8, 3.6, 3.1, 2.9, 3.3 };
static const double item_cost_frac[NITEM] = { 0.35, 0.4, 0.3, 0.45, 0.5, 0.35, 0.4, 0.55 };

struct customer {
	int seg;
	double sens, loyalty;
};

static struct customer cust[NCUST];

static void
draw_customers(gsl_rng *r)
{
	int i;

	for (i = 0; i < NCUST; i++) {
		cust[i].seg = (int)gsl_rng_uniform_int(r, 3);
		cust[i].sens = gsl_rng_uniform(r);
		cust[i].loyalty = floor(gsl_rng_uniform(r) * 60) / 10;
	}
}

/* eta = rest + slope * price */
static void
true_eta(int c, int it, double *rest, double *slope)
{
	*rest = item_a[it] + g_loyalty * cust[c].loyalty;
	*slope = (seg_beta[cust[c].seg] + b_sens * cust[c].sens) / item_list[it];
}

static double
round2(double x)
{
	return round(x * 100) / 100;
}

static int
history(long n, unsigned long seed)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	long i;

	gsl_rng_set(r, seed);
	draw_customers(r);
	printf("customer_id,segment,sens,loyalty,item_id,list_price,price,buy\n");
	for (i = 0; i < n; i++) {
		int c = (int)gsl_rng_uniform_int(r, NCUST), it = (int)gsl_rng_uniform_int(r, NITEM);
		double rest, slope, price, p;

		true_eta(c, it, &rest, &slope);
		/* past prices: the list price moved by up to +-35%, so price effects are identified */
		price = round2(item_list[it] * (0.65 + 0.7 * gsl_rng_uniform(r)));
		p = 1 / (1 + exp(-(rest + slope * price)));
		printf("C%03d,%s,%.3f,%.1f,I%d,%g,%.2f,%d\n", c, seg_name[cust[c].seg], cust[c].sens,
		    cust[c].loyalty, it, item_list[it], price, gsl_rng_uniform(r) < p);
	}
	gsl_rng_free(r);
	return 0;
}

static int
candidates(long n, unsigned long seed)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	long i;

	gsl_rng_set(r, seed);
	draw_customers(r);
	gsl_rng_set(r, seed + 1000003);
	printf("customer_id,segment,sens,loyalty,item_id,list_price,price,cost,min_p,max_p,true_opt\n");
	for (i = 0; i < n; i++) {
		int c = (int)gsl_rng_uniform_int(r, NCUST), it = (int)gsl_rng_uniform_int(r, NITEM);
		double rest, slope, today, cost, lo, hi, b, ps;

		true_eta(c, it, &rest, &slope);
		today = item_list[it];
		cost = round2(item_list[it] * item_cost_frac[it]);
		lo = round2(today * 0.7);
		hi = round2(today * 1.3);
		if (lo < cost)
			lo = cost;
		b = -slope;
		ps = cost + (1 + gsl_sf_lambert_W0(exp(rest - b * cost - 1))) / b;
		ps = ps < lo ? lo : ps > hi ? hi : ps;
		printf("C%03d,%s,%.3f,%.1f,I%d,%g,%g,%g,%g,%g,%.17g\n", c, seg_name[cust[c].seg],
		    cust[c].sens, cust[c].loyalty, it, item_list[it], today, cost, lo, hi, ps);
	}
	gsl_rng_free(r);
	return 0;
}

/* Split a line (comma-separated, no quoting) in place; returns the count. */
static int
split(char *line, char **fields, int maxf)
{
	int n = 0;
	char *s = line, *e;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < maxf) {
		fields[n++] = s;
		if ((e = strchr(s, ',')) == NULL)
			break;
		*e = '\0';
		s = e + 1;
	}
	return n;
}

static int
col_of(char **fields, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(fields[i], name) == 0)
			return i;
	return -1;
}

/* Total true expected profit of the prices in column pcol. */
static int
value(const char *pcol)
{
	char line[4096], *f[64];
	int ic, ii, ip, ik, n;
	double total = 0;

	if (fgets(line, sizeof line, stdin) == NULL)
		return 1;
	n = split(line, f, 64);
	ip = col_of(f, n, pcol);
	ic = col_of(f, n, "customer_id");
	ii = col_of(f, n, "item_id");
	ik = col_of(f, n, "cost");
	if (ip < 0 || ic < 0 || ii < 0 || ik < 0) {
		fprintf(stderr, "gen-market: value: missing column\n");
		return 1;
	}
	while (fgets(line, sizeof line, stdin) != NULL) {
		double rest, slope, p, cost;
		int c, it;
		n = split(line, f, 64);
		if (n <= ip || n <= ic || n <= ii || n <= ik)
			return 1;
		c = atoi(f[ic] + 1);
		it = atoi(f[ii] + 1);
		p = strtod(f[ip], NULL);
		cost = strtod(f[ik], NULL);
		true_eta(c, it, &rest, &slope);
		total += (p - cost) / (1 + exp(-(rest + slope * p)));
	}
	printf("%.10f\n", total);
	return 0;
}

/* Total true expected profit of the best single price per item (a fine scan of [min_p, max_p]). */
static int
single(void)
{
	static double rest[200000], slope[200000], cost[200000], lo[NITEM], hi[NITEM];
	static int item[200000];
	char line[4096], *f[64];
	int ic, ii, ik, il, ih, n, it, k;
	long nrow = 0, i;
	double total = 0;

	if (fgets(line, sizeof line, stdin) == NULL)
		return 1;
	n = split(line, f, 64);
	ic = col_of(f, n, "customer_id");
	ii = col_of(f, n, "item_id");
	ik = col_of(f, n, "cost");
	il = col_of(f, n, "min_p");
	ih = col_of(f, n, "max_p");
	if (ic < 0 || ii < 0 || ik < 0 || il < 0 || ih < 0)
		return 1;
	while (nrow < 200000 && fgets(line, sizeof line, stdin) != NULL) {
		n = split(line, f, 64);
		it = atoi(f[ii] + 1);
		true_eta(atoi(f[ic] + 1), it, &rest[nrow], &slope[nrow]);
		cost[nrow] = strtod(f[ik], NULL);
		item[nrow] = it;
		lo[it] = strtod(f[il], NULL);   /* the same for every row of an item */
		hi[it] = strtod(f[ih], NULL);
		nrow++;
	}
	for (it = 0; it < NITEM; it++) {
		double best = -INFINITY;
		for (k = 0; k <= 2000; k++) {
			double p = lo[it] + (hi[it] - lo[it]) * k / 2000.0, t = 0;
			for (i = 0; i < nrow; i++)
				if (item[i] == it)
					t += (p - cost[i]) / (1 + exp(-(rest[i] + slope[i] * p)));
			if (t > best)
				best = t;
		}
		if (best > -INFINITY)
			total += best;
	}
	printf("%.10f\n", total);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "single") == 0) {
		gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
		gsl_rng_set(r, strtoul(argv[2], NULL, 10));
		draw_customers(r);
		gsl_rng_free(r);
		return single();
	}
	if (argc == 4 && strcmp(argv[1], "history") == 0)
		return history(atol(argv[2]), strtoul(argv[3], NULL, 10));
	if (argc == 4 && strcmp(argv[1], "candidates") == 0)
		return candidates(atol(argv[2]), strtoul(argv[3], NULL, 10));
	if (argc == 4 && strcmp(argv[1], "value") == 0) {
		gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
		gsl_rng_set(r, strtoul(argv[3], NULL, 10));
		draw_customers(r);
		gsl_rng_free(r);
		return value(argv[2]);
	}
	fprintf(stderr, "usage: gen-market history N SEED | candidates N SEED | value COL SEED | single SEED\n");
	return 2;
}
