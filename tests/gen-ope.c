/*
 * gen-ope - logged exposures of a market whose truth is known, for checking
 * pr-report --ope and --ab against it.
 *
 * Usage: gen-ope [-t] [-a] SEED N
 *
 * The market: segments a, b, c with probabilities 0.5, 0.3, 0.2; prices on
 * the ladder 8, 9, 10, 11, 12; unit cost 6; a customer of segment s buys at
 * price p with probability 1 / (1 + exp(-(alpha_s - 0.45 p))), alpha =
 * 4, 5, 6.  The logging policy shows 10 with probability 0.7 and else a
 * ladder price drawn uniformly, so the propensity of 10 is 0.76 and of any
 * other price 0.06, written exactly.  The new policy (column new_price)
 * shows 9 to a, 11 to b and 12 to c.
 *
 * Writes N rows segment,price,propensity,new_price,cost,bought.  With -t it
 * writes instead the new policy's true expected profit per exposure,
 * sum over s of P(s) (pi(s) - 6) P(buy | s, pi(s)), exactly.
 *
 * With -a, an A/B test with no difference: arm A or B with probability one
 * half each, the price drawn uniformly from the ladder in both arms; rows
 * arm,segment,price,cost,bought.
 *
 * The generator is splitmix64, so a seed gives the same rows everywhere.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state;

static uint64_t
next64(void)
{
	uint64_t z = (state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1) with 53 random bits. */
static double
uniform(void)
{
	return (double)(next64() >> 11) * 0x1.0p-53;
}

static const double seg_p[3] = { 0.5, 0.3, 0.2 };
static const double alpha[3] = { 4, 5, 6 };
static const double ladder[5] = { 8, 9, 10, 11, 12 };
static const double new_price[3] = { 9, 11, 12 };
static const char *const seg_name[3] = { "a", "b", "c" };
#define COST 6.0
#define BETA 0.45

static double
p_buy(int s, double p)
{
	return 1 / (1 + exp(-(alpha[s] - BETA * p)));
}

static int
segment(void)
{
	double u = uniform();

	return u < seg_p[0] ? 0 : u < seg_p[0] + seg_p[1] ? 1 : 2;
}

int
main(int argc, char **argv)
{
	int truth = 0, ab = 0, i = 1, s;
	long n, k;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-t") == 0)
			truth = 1;
		else if (strcmp(argv[i], "-a") == 0)
			ab = 1;
		else
			break;
	}
	if (argc - i != 2) {
		fprintf(stderr, "usage: gen-ope [-t] [-a] SEED N\n");
		return 2;
	}
	state = strtoull(argv[i], NULL, 10);
	n = strtol(argv[i + 1], NULL, 10);
	if (truth) {
		double v = 0;
		for (s = 0; s < 3; s++)
			v += seg_p[s] * (new_price[s] - COST) * p_buy(s, new_price[s]);
		printf("%.17g\n", v);
		return 0;
	}
	puts(ab ? "arm,segment,price,cost,bought" : "segment,price,propensity,new_price,cost,bought");
	for (k = 0; k < n; k++) {
		double p, prop;
		int bought;
		s = segment();
		if (ab) {
			const char *arm = uniform() < 0.5 ? "A" : "B";
			p = ladder[(int)(uniform() * 5)];
			bought = uniform() < p_buy(s, p);
			printf("%s,%s,%g,%g,%d\n", arm, seg_name[s], p, COST, bought);
			continue;
		}
		if (uniform() < 0.7)
			p = 10;
		else
			p = ladder[(int)(uniform() * 5)];
		prop = p == 10 ? 0.76 : 0.06;
		bought = uniform() < p_buy(s, p);
		printf("%s,%g,%g,%g,%g,%d\n", seg_name[s], p, prop, new_price[s], COST, bought);
	}
	return 0;
}
