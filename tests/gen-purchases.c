/*
 * gen-purchases - write a synthetic purchase history for the
 * collaborative-filtering benchmark: N rows (default 1,000,000) of
 * customer,item,date,rating for C customers (default 100,000) over I items
 * (default 10,000).  Customers and items fall into 50 tastes; a purchase is
 * an item of the customer's taste 70% of the time, else any item, and in
 * either case popular items (Zipf-like, exponent 0.8) are likelier.  Dates
 * rise through 2025 with the row; ratings are 1..5, higher within the
 * taste.  A fixed seed: the file is the same on every machine.
 * Usage: gen-purchases [ROWS [CUSTOMERS [ITEMS [SEED]]]] > purchases.csv
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define TASTES 50

/* xorshift64*: small, fast, and the same everywhere. */
static uint64_t
next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static double
unif(uint64_t *s)
{
	return (double)(next(s) >> 11) / 9007199254740992.0;
}

/* The first index whose cumulative weight exceeds u * total (binary search). */
static long
draw(const double *cum, long n, double u)
{
	long lo = 0, hi = n - 1;
	double x = u * cum[n - 1];

	while (lo < hi) {
		long mid = (lo + hi) / 2;
		if (cum[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

int
main(int argc, char **argv)
{
	long rows = argc > 1 ? atol(argv[1]) : 1000000;
	long nc = argc > 2 ? atol(argv[2]) : 100000;
	long ni = argc > 3 ? atol(argv[3]) : 10000, i, t;
	uint64_t s = argc > 4 ? strtoull(argv[4], NULL, 10) : 20261201;
	double *cum, *tcum[TASTES];
	long *titems[TASTES], tn[TASTES] = { 0 };
	char buf[1 << 16];

	if (rows < 1 || nc < 1 || ni < TASTES || s == 0) {
		fprintf(stderr, "usage: gen-purchases [ROWS [CUSTOMERS [ITEMS [SEED]]]]\n");
		return 2;
	}
	cum = malloc((size_t)ni * sizeof *cum);
	for (t = 0; t < TASTES; t++) {
		tcum[t] = malloc((size_t)(ni / TASTES + 1) * sizeof *tcum[t]);
		titems[t] = malloc((size_t)(ni / TASTES + 1) * sizeof *titems[t]);
	}
	for (i = 0; i < ni; i++) {
		double w = pow((double)i + 1, -0.8);
		t = i % TASTES;
		cum[i] = w + (i ? cum[i - 1] : 0);
		tcum[t][tn[t]] = w + (tn[t] ? tcum[t][tn[t] - 1] : 0);
		titems[t][tn[t]++] = i;
	}
	setvbuf(stdout, buf, _IOFBF, sizeof buf);
	fputs("customer,item,date,rating\n", stdout);
	for (i = 0; i < rows; i++) {
		long c = (long)(next(&s) % (uint64_t)nc), taste = c % TASTES, item;
		int own = unif(&s) < 0.7, rating, doy = (int)(i * 365 / rows);
		static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
		int m = 0;
		item = own ? titems[taste][draw(tcum[taste], tn[taste], unif(&s))] :
		    draw(cum, ni, unif(&s));
		rating = 1 + (int)(next(&s) % 3) + (item % TASTES == taste ? 2 : 0);
		while (doy >= mdays[m]) {
			doy -= mdays[m];
			m++;
		}
		printf("c%06ld,i%05ld,2025-%02d-%02d,%d\n", c, item, m + 1, doy + 1, rating);
	}
	return 0;
}
