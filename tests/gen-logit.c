/*
 * gen-logit - write a benchmark data set from a known logistic model:
 * N rows of 20 standard normal predictors x1..x20 (rounded to 4 decimals)
 * and y ~ Bernoulli(1 / (1 + exp(-eta))), eta = -0.5 + sum_j b_j x_j with
 * b_j = 0.1 * ((j mod 7) - 3).  Writes CSV (header y,x1..x20) to CSV_OUT
 * and the same data in libsvm format (labels 0/1, features 1..20) to
 * SVM_OUT.  Deterministic for a given SEED.
 *
 * usage: gen-logit N SEED CSV_OUT SVM_OUT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "num.h"

#define NPRED 20

int
main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: gen-logit N SEED CSV_OUT SVM_OUT\n");
		return 2;
	}
	long n = strtol(argv[1], NULL, 10);
	unsigned long seed = strtoul(argv[2], NULL, 10);
	FILE *csv = fopen(argv[3], "w"), *svm = fopen(argv[4], "w");
	if (n <= 0 || !csv || !svm) {
		fprintf(stderr, "gen-logit: bad arguments or cannot write\n");
		return 1;
	}
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, seed);
	fputs("y", csv);
	for (int j = 1; j <= NPRED; j++)
		fprintf(csv, ",x%d", j);
	fputc('\n', csv);
	double x[NPRED];
	char buf[NUM_BUFSZ];
	for (long i = 0; i < n; i++) {
		double eta = -0.5;
		for (int j = 0; j < NPRED; j++) {
			x[j] = nearbyint(gsl_ran_gaussian(rng, 1.0) * 1e4) / 1e4;
			eta += 0.1 * (double)(((j + 1) % 7) - 3) * x[j];
		}
		int y = gsl_rng_uniform(rng) < 1 / (1 + exp(-eta));
		fprintf(csv, "%d", y);
		fprintf(svm, "%d", y);
		for (int j = 0; j < NPRED; j++) {
			num_format(x[j], buf);
			fprintf(csv, ",%s", buf);
			fprintf(svm, " %d:%s", j + 1, buf);
		}
		fputc('\n', csv);
		fputc('\n', svm);
	}
	gsl_rng_free(rng);
	if (fclose(csv) != 0 || fclose(svm) != 0) {
		fprintf(stderr, "gen-logit: write error\n");
		return 1;
	}
	return 0;
}
