/*
 * gen-realistic - a realistic market drawn from a known model, to measure
 * what share of the achievable profit a pipe earns (tests/bench/
 * bench-realistic.sh, tests/check-realistic.sh).
 *
 * Usage: gen-realistic history SEED [NCUST]      past exposures, days 1..120
 *        gen-realistic candidates SEED [NCUST]   day 121: customer x item rows
 *        gen-realistic offers                    the one coupon (10% off)
 *        gen-realistic value SEED PRICE [OFFER] [NCUST]
 *                       stdin: the candidates with a shelf price column PRICE
 *                       (and an offer column OFFER, empty for none); stdout:
 *                       the total true expected profit
 *        gen-realistic best SEED [NCUST]
 *                       stdout: name,profit rows: today's prices, the best
 *                       single price per item, the best policy from what can
 *                       be observed (with and without the coupon), and the
 *                       policy that knows every hidden quantity
 *
 * The true model: P(buy) = 1 / (1 + exp(-eta)),
 *   eta = alpha + a_item + beta_c log(paid / list) + rho log(p / ref)
 *         + lambda max(log(p / ref), 0) + gamma_t coupon
 * with p the shelf price, paid = p (1 - 0.1 coupon), ref the item's mean
 * shelf price over its exposures of the 28 days before (list without any),
 * rho = -1 and lambda = -2.5 (a price above the reference weighs 3.5 times
 * as much as one below it: loss aversion).  Each customer has a hidden type
 * t (a bargain hunter with probability 0.4, else a regular) and a hidden
 * price sensitivity beta_c ~ N(mu_t, 0.8^2), mu = -6 (bargain) or -1.5
 * (regular); the coupon's effect beyond its price cut is gamma_t = 0.9
 * (bargain) or 0.1, and each redemption costs the shop 1.  Type and sensitivity show only in the customer's
 * history.  The shop's logging policy posts three price levels per item
 * (0.9, 1 and 1.1 list) in turn every 14 days, with 10% of exposures at a
 * random price (0.8 to 1.2 list) and a coupon shown to 15% of them.
 *
 * The rules: the shelf price and the price paid within 0.7 and 1.3 times
 * today's price.  "Best from what can be observed": for each candidate, the
 * shelf price (on
 * a grid of 201 points within the bounds, plus today's price and the
 * reference price) and offer that maximise the expected profit averaged over
 * the posterior of (t, beta_c) given the customer's history (a grid of 41
 * sensitivities per type); its value is the true expected profit.
 * GSL's mt19937 with the seed given: the same files everywhere.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#define NITEM 10
#define NDAYS 120
#define WINDOW 28
#define NGRID 41
#define NPRICE 200
#define MAXCUST 20000
#define CANDS_PER_CUST 3

static const double alpha = -1.0, rho = -1.0, lambda = -2.5, coupon_off = 0.1, redeem = 1.0;
static const double mu[2] = { -6.0, -1.5 }, sigma = 0.8, gamma_t[2] = { 0.9, 0.1 };
static const double p_bargain = 0.4, visit_prob = 0.25, coupon_prob = 0.15;
static const double list_price[NITEM] = { 4, 8, 12, 18, 25, 35, 50, 70, 99, 140 };
static const double levels[3] = { 0.9, 1.0, 1.1 };

struct cust {
	int type;
	double beta;
};

struct expo {
	int day, cust, item, coupon, bought;
	double price, ref;
};

struct market {
	int ncust;
	double a[NITEM];
	int level[NITEM][NDAYS / 14 + 2];   /* the logging policy's level per fortnight */
	struct cust c[MAXCUST];
	struct expo *h;
	size_t nh;
	double ref_today[NITEM];
};

static double
eta_of(const struct market *m, int item, int type, double beta, double p, int coupon, double ref)
{
	double paid = p * (1 - coupon_off * coupon), x = log(p / ref);

	return alpha + m->a[item] + beta * log(paid / list_price[item]) + rho * x +
	    lambda * (x > 0 ? x : 0) + gamma_t[type] * coupon;
}

static double
prob(double eta)
{
	return 1 / (1 + exp(-eta));
}

static double
cents(double x)
{
	return floor(x * 100 + 0.5) / 100;
}

static double
posted(const struct market *m, int item, int day)
{
	return cents(list_price[item] * levels[m->level[item][(day - 1) / 14]]);
}

/* The mean shelf price of item's exposures on days [day - WINDOW, day - 1]. */
static double
reference(const struct market *m, int item, int day)
{
	double s = 0;
	size_t i, n = 0;

	for (i = 0; i < m->nh && m->h[i].day < day; i++)
		if (m->h[i].item == item && m->h[i].day >= day - WINDOW) {
			s += m->h[i].price;
			n++;
		}
	return n ? s / (double)n : list_price[item];
}

static void
simulate(struct market *m, unsigned long seed, int ncust)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	size_t cap = 1024;
	int i, d, k;
	double refs[NITEM];

	gsl_rng_set(r, seed);
	m->ncust = ncust;
	for (i = 0; i < NITEM; i++) {
		m->a[i] = gsl_rng_uniform(r) - 0.5;
		for (k = 0; k < NDAYS / 14 + 2; k++)
			m->level[i][k] = (int)((i + k) % 3);
	}
	for (i = 0; i < ncust; i++) {
		m->c[i].type = gsl_rng_uniform(r) < p_bargain ? 0 : 1;
		m->c[i].beta = mu[m->c[i].type] + sigma * gsl_ran_gaussian(r, 1);
	}
	m->h = malloc(cap * sizeof *m->h);
	m->nh = 0;
	for (d = 1; d <= NDAYS; d++) {
		for (i = 0; i < NITEM; i++)
			refs[i] = reference(m, i, d);
		for (i = 0; i < ncust; i++) {
			struct expo *e;
			if (gsl_rng_uniform(r) >= visit_prob)
				continue;
			if (m->nh == cap)
				m->h = realloc(m->h, (cap *= 2) * sizeof *m->h);
			e = &m->h[m->nh++];
			e->day = d;
			e->cust = i;
			e->item = (int)gsl_rng_uniform_int(r, NITEM);
			e->price = gsl_rng_uniform(r) < 0.1 ?
			    cents(list_price[e->item] * (0.8 + 0.4 * gsl_rng_uniform(r))) :
			    posted(m, e->item, d);
			e->coupon = gsl_rng_uniform(r) < coupon_prob;
			e->ref = refs[e->item];
			e->bought = gsl_rng_uniform(r) <
			    prob(eta_of(m, e->item, m->c[i].type, m->c[i].beta, e->price, e->coupon,
			    e->ref));
		}
	}
	for (i = 0; i < NITEM; i++)
		m->ref_today[i] = reference(m, i, NDAYS + 1);
	gsl_rng_free(r);
}

/* Candidate j: customer j / CANDS_PER_CUST and an item drawn for it (distinct per customer). */
static int
cand_item(unsigned long seed, int j)
{
	unsigned long x = seed * 2654435761UL + (unsigned long)(j / CANDS_PER_CUST) * 40503UL + 12345UL;

	x ^= x >> 13;
	x *= 0x5bd1e995UL;
	x ^= x >> 15;
	return (int)((x + (unsigned long)(j % CANDS_PER_CUST) * 3) % NITEM);
}

static double
today_price(const struct market *m, int item)
{
	return posted(m, item, NDAYS + 1);
}

static void
bounds(const struct market *m, int item, double *lo, double *hi)
{
	double t = today_price(m, item);

	*lo = cents(0.7 * t);
	*hi = cents(1.3 * t);
}

static double
cost(int item)
{
	return 0.5 * list_price[item];
}

/* True expected profit of candidate j at shelf price p, coupon or not. */
static double
true_profit(const struct market *m, int j, double p, int coupon)
{
	int cu = j / CANDS_PER_CUST, item = cand_item((unsigned long)m->ncust, j);
	double paid = p * (1 - coupon_off * coupon);

	return (paid - cost(item) - redeem * coupon) *
	    prob(eta_of(m, item, m->c[cu].type, m->c[cu].beta, p, coupon, m->ref_today[item]));
}

/* The posterior over (type, beta grid) of customer cu: w[2][NGRID], betas b[2][NGRID]. */
static void
posterior(const struct market *m, int cu, double w[2][NGRID], double b[2][NGRID])
{
	double lw[2][NGRID], top = -INFINITY, s = 0;
	size_t i;
	int t, g;

	for (t = 0; t < 2; t++)
		for (g = 0; g < NGRID; g++) {
			double z = -4 + 8.0 * g / (NGRID - 1);
			b[t][g] = mu[t] + sigma * z;
			lw[t][g] = log(t == 0 ? p_bargain : 1 - p_bargain) - 0.5 * z * z;
		}
	for (i = 0; i < m->nh; i++) {
		const struct expo *e = &m->h[i];
		if (e->cust != cu)
			continue;
		for (t = 0; t < 2; t++)
			for (g = 0; g < NGRID; g++) {
				double pr = prob(eta_of(m, e->item, t, b[t][g], e->price, e->coupon, e->ref));
				lw[t][g] += e->bought ? log(pr) : log1p(-pr);
			}
	}
	for (t = 0; t < 2; t++)
		for (g = 0; g < NGRID; g++)
			if (lw[t][g] > top)
				top = lw[t][g];
	for (t = 0; t < 2; t++)
		for (g = 0; g < NGRID; g++)
			s += (w[t][g] = exp(lw[t][g] - top));
	for (t = 0; t < 2; t++)
		for (g = 0; g < NGRID; g++)
			w[t][g] /= s;
}

/* The candidates, written or read: customer,item,price,list_price,cost,min_p,max_p. */
static void
write_candidates(const struct market *m)
{
	int j;

	printf("customer,item,price,list_price,cost,min_p,max_p,discount\n");
	for (j = 0; j < m->ncust * CANDS_PER_CUST; j++) {
		int item = cand_item((unsigned long)m->ncust, j);
		double lo, hi;
		bounds(m, item, &lo, &hi);
		printf("c%05d,i%02d,%.2f,%.2f,%.2f,%.2f,%.2f,0\n", j / CANDS_PER_CUST, item,
		    today_price(m, item), list_price[item], cost(item), lo, hi);
	}
}

static void
write_history(const struct market *m)
{
	size_t i;

	printf("date,customer,item,price,list_price,cost,discount,paid,bought\n");
	for (i = 0; i < m->nh; i++) {
		const struct expo *e = &m->h[i];
		int day = e->day, month = 1;
		static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
		while (day > mdays[month - 1]) {
			day -= mdays[month - 1];
			month++;
		}
		printf("2026-%02d-%02d,c%05d,i%02d,%.2f,%.2f,%.2f,%s,%.2f,%d\n", month, day, e->cust,
		    e->item, e->price, list_price[e->item], cost(e->item), e->coupon ? "0.1" : "0",
		    e->price * (1 - coupon_off * e->coupon), e->bought);
	}
}

/* Column index of name in a header line, or -1. */
static int
col_of(char *header, const char *name)
{
	char *tok, *save = NULL;
	int i = 0;

	for (tok = strtok_r(header, ",\r\n", &save); tok; tok = strtok_r(NULL, ",\r\n", &save), i++)
		if (strcmp(tok, name) == 0)
			return i;
	return -1;
}

/* Field i of a CSV line without quotes (the candidates' ids are plain). */
static const char *
field(const char *line, int i, char *buf, size_t size)
{
	const char *p = line;
	size_t n = 0;

	while (i > 0 && *p) {
		if (*p++ == ',')
			i--;
	}
	while (p[n] && p[n] != ',' && p[n] != '\n' && p[n] != '\r' && n + 1 < size)
		n++;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

static int
value_mode(const struct market *m, const char *price_col, const char *offer_col)
{
	static char line[1 << 16];
	char buf[256], cb[64];
	int pc, oc = -1, cc, j = 0;
	double total = 0;

	if (fgets(line, sizeof line, stdin) == NULL)
		return 1;
	{
		char h1[1 << 16], h2[1 << 16], h3[1 << 16];
		strcpy(h1, line);
		strcpy(h2, line);
		strcpy(h3, line);
		pc = col_of(h1, price_col);
		cc = col_of(h2, "customer");
		if (offer_col != NULL)
			oc = col_of(h3, offer_col);
	}
	if (pc < 0 || cc < 0 || (offer_col != NULL && oc < 0)) {
		fprintf(stderr, "gen-realistic: a column is missing\n");
		return 1;
	}
	/* Rows are the candidates in order; a rejected row earns what today's price does. */
	while (fgets(line, sizeof line, stdin) != NULL) {
		int cu = atoi(field(line, cc, cb, sizeof cb) + 1), want_j;
		double p = atof(field(line, pc, buf, sizeof buf));
		int coupon = oc >= 0 && field(line, oc, buf, sizeof buf)[0] != '\0';
		want_j = j;
		while (want_j / CANDS_PER_CUST < cu)
			want_j++;
		for (; j < want_j; j++)   /* candidates missing from the output: today's price */
			total += true_profit(m, j, today_price(m, cand_item((unsigned long)m->ncust, j)), 0);
		if (!(p > 0))
			p = today_price(m, cand_item((unsigned long)m->ncust, j));
		total += true_profit(m, j, p, coupon);
		j++;
	}
	for (; j < m->ncust * CANDS_PER_CUST; j++)
		total += true_profit(m, j, today_price(m, cand_item((unsigned long)m->ncust, j)), 0);
	printf("%.6f\n", total);
	return 0;
}

static int
best_mode(const struct market *m)
{
	double today = 0, single = 0, obs[2] = { 0, 0 }, oracle[2] = { 0, 0 };
	double w[2][NGRID], b[2][NGRID];
	int j, item, k, cu = -1;

	for (item = 0; item < NITEM; item++) {
		double lo, hi, best = -INFINITY;
		bounds(m, item, &lo, &hi);
		for (k = 0; k <= 600; k++) {
			double p = lo + (hi - lo) * k / 600, s = 0;   /* 601 prices */
			for (j = 0; j < m->ncust * CANDS_PER_CUST; j++)
				if (cand_item((unsigned long)m->ncust, j) == item)
					s += true_profit(m, j, p, 0);
			if (s > best)
				best = s;
		}
		single += best;
	}
	for (j = 0; j < m->ncust * CANDS_PER_CUST; j++) {
		int it = cand_item((unsigned long)m->ncust, j), t, g, cpn;
		double lo, hi, t0 = today_price(m, it), best_e[2], best_p[2], best_true[2];
		int best_c[2];
		if (j / CANDS_PER_CUST != cu) {
			cu = j / CANDS_PER_CUST;
			posterior(m, cu, w, b);
		}
		bounds(m, it, &lo, &hi);
		today += true_profit(m, j, t0, 0);
		for (k = 0; k < 2; k++) {
			best_e[k] = best_true[k] = -INFINITY;
			best_p[k] = t0;
			best_c[k] = 0;
		}
		/* [0]: no offer; [1]: the coupon may be given. */
		for (cpn = 0; cpn < 2; cpn++)
			for (k = 0; k <= NPRICE + 2; k++) {
				double p = k <= NPRICE ? lo + (hi - lo) * k / NPRICE : k == NPRICE + 1 ? t0 :
				    m->ref_today[it], e = 0, paid = p * (1 - coupon_off * cpn), tp;
				int v;
				/* The bounds hold for the shelf price and the price paid. */
				if (p < lo || p > hi || paid < lo)
					continue;
				for (t = 0; t < 2; t++)
					for (g = 0; g < NGRID; g++)
						if (w[t][g] > 1e-12)
							e += w[t][g] * prob(eta_of(m, it, t, b[t][g], p, cpn,
							    m->ref_today[it]));
				e *= paid - cost(it) - redeem * cpn;
				tp = true_profit(m, j, p, cpn);
				for (v = cpn; v < 2; v++) {
					if (e > best_e[v]) {
						best_e[v] = e;
						best_p[v] = p;
						best_c[v] = cpn;
					}
					if (tp > best_true[v])
						best_true[v] = tp;
				}
			}
		for (k = 0; k < 2; k++) {
			obs[k] += true_profit(m, j, best_p[k], best_c[k]);
			oracle[k] += best_true[k];
		}
	}
	printf("policy,profit\n");
	printf("today,%.6f\n", today);
	printf("single_price,%.6f\n", single);
	printf("observable_best,%.6f\n", obs[0]);
	printf("observable_best_offers,%.6f\n", obs[1]);
	printf("oracle,%.6f\n", oracle[0]);
	printf("oracle_offers,%.6f\n", oracle[1]);
	return 0;
}

int
main(int argc, char **argv)
{
	static struct market m;
	unsigned long seed;
	int ncust = 2000, rc = 0;
	const char *mode;

	if (argc < 2)
		goto usage;
	mode = argv[1];
	if (strcmp(mode, "offers") == 0) {
		printf("offer_id,kind,value,cost,discount\n10PCT,percent,10,%g,0.1\n", redeem);
		return 0;
	}
	if (argc < 3)
		goto usage;
	seed = strtoul(argv[2], NULL, 10);
	if (strcmp(mode, "value") == 0) {
		const char *offer = NULL;
		if (argc < 4)
			goto usage;
		if (argc >= 5 && argv[4][0] != '\0')
			offer = argv[4];
		if (argc >= 6)
			ncust = atoi(argv[5]);
		if (ncust < 1 || ncust > MAXCUST)
			goto usage;
		simulate(&m, seed, ncust);
		return value_mode(&m, argv[3], offer);
	}
	if (argc >= 4)
		ncust = atoi(argv[3]);
	if (ncust < 1 || ncust > MAXCUST)
		goto usage;
	simulate(&m, seed, ncust);
	if (strcmp(mode, "history") == 0)
		write_history(&m);
	else if (strcmp(mode, "candidates") == 0)
		write_candidates(&m);
	else if (strcmp(mode, "best") == 0)
		rc = best_mode(&m);
	else
		goto usage;
	free(m.h);
	return rc;
usage:
	fprintf(stderr, "usage: gen-realistic history|candidates|best SEED [NCUST] | offers | "
	    "value SEED PRICE [OFFER [NCUST]]\n");
	return 2;
}
