/*
 * test_xsum.c - common/xsum against exact references: xsum-ref.txt (made by
 * xsum-ref.py) holds random sets of doubles, some ill-conditioned, with
 * their exactly rounded sum (Python's math.fsum) and their mean and sample
 * variance in rational arithmetic rounded once.  A sum must equal fsum to
 * the bit, whatever the order of its values and however they are split in
 * parts and merged; mean and variance must be within one unit in
 * the last place of the exact values, and, like the sum, not depend on the
 * order or the split.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "xsum.h"

#define MAXV 512

/* Units in the last place between got and want. */
static double
ulps(double got, double want)
{
	if (got == want)
		return 0;
	return fabs(got - want) / (nextafter(fabs(want), INFINITY) - fabs(want));
}

/* Sums of v[0..n) in the order of idx, split after the first cut values: whole and merged. */
static int
sums(const double *v, const size_t *idx, size_t n, size_t cut, struct xsum *s, struct xsum *ss)
{
	struct xsum a = { NULL, 0, 0 }, b = { NULL, 0, 0 }, aa = { NULL, 0, 0 }, bb = { NULL, 0, 0 };
	size_t i;
	int rc = 0;

	for (i = 0; i < n; i++) {
		double x = v[idx[i]];
		if (i < cut)
			rc |= xsum_add(&a, x) | xsum_add_prod(&aa, x, x);
		else
			rc |= xsum_add(&b, x) | xsum_add_prod(&bb, x, x);
	}
	rc |= xsum_add_sum(s, &a) | xsum_add_sum(s, &b) | xsum_add_sum(ss, &aa) | xsum_add_sum(ss, &bb);
	xsum_fini(&a);
	xsum_fini(&b);
	xsum_fini(&aa);
	xsum_fini(&bb);
	return rc;
}

static void
against_ref(void)
{
	FILE *fp = fopen("xsum-ref.txt", "r");
	char tok[64];
	double v[MAXV], want_sum, want_mean, want_var, worst_mean = 0, worst_var = 0;
	size_t n, i, idx[MAXV], cases = 0, sum_exact = 0, order_same = 0;

	CHECK(fp != NULL, "xsum-ref.txt opens");
	if (fp == NULL)
		return;
	while (fscanf(fp, "%zu", &n) == 1 && n <= MAXV) {
		struct xsum s = { NULL, 0, 0 }, ss = { NULL, 0, 0 }, r = { NULL, 0, 0 };
		struct xsum rs = { NULL, 0, 0 };
		double mean, var, rmean, rvar;
		for (i = 0; i < n + 3; i++) {
			if (fscanf(fp, "%63s", tok) != 1)
				break;
			*(i < n ? &v[i] : i == n ? &want_sum : i == n + 1 ? &want_mean : &want_var) =
			    strtod(tok, NULL);
		}
		for (i = 0; i < n; i++)
			idx[i] = i;
		sums(v, idx, n, n, &s, &ss);
		/* Reversed, and split in two parts at a third. */
		for (i = 0; i < n; i++)
			idx[i] = n - 1 - i;
		sums(v, idx, n, n / 3, &r, &rs);
		cases++;
		sum_exact += xsum_value(&s) == want_sum;
		xsum_mean_var(&s, &ss, (double)n, &mean, &var);
		xsum_mean_var(&r, &rs, (double)n, &rmean, &rvar);
		order_same += memcmp(&mean, &rmean, sizeof mean) == 0 &&
		    memcmp(&var, &rvar, sizeof var) == 0 && xsum_value(&r) == xsum_value(&s);
		if (ulps(mean, want_mean) > worst_mean)
			worst_mean = ulps(mean, want_mean);
		if (ulps(var, want_var) > worst_var)
			worst_var = ulps(var, want_var);
		xsum_fini(&s);
		xsum_fini(&ss);
		xsum_fini(&r);
		xsum_fini(&rs);
	}
	fclose(fp);
	CHECK(cases == 60, "xsum-ref.txt: 60 cases read");
	CHECK(sum_exact == cases, "sums equal math.fsum to the bit");
	CHECK(order_same == cases, "reversed and split in two parts: the same sum, mean and variance bits");
	if (worst_mean > 1 || worst_var > 1)
		printf("     worst: mean %g ulp, variance %g ulp\n", worst_mean, worst_var);
	CHECK(worst_mean <= 1, "means within 1 ulp of the exact mean");
	CHECK(worst_var <= 1, "variances within 1 ulp of the exact variance");
}

int
main(void)
{
	against_ref();
	{
		/* 1e100 + 1 - 1e100 + 1e-100: a double sum gives 1e-100; the exact sum is 1 + 1e-100 = 1 */
		struct xsum s = { NULL, 0, 0 };
		xsum_add(&s, 1e100);
		xsum_add(&s, 1);
		xsum_add(&s, -1e100);
		xsum_add(&s, 1e-100);
		CHECK(xsum_value(&s) == 1, "1e100 + 1 - 1e100 + 1e-100 = 1");
		xsum_fini(&s);
	}
	{
		/* ten times 0.1 is 1 exactly rounded (math.fsum); summed in double it is 0.9999999999999999 */
		struct xsum s = { NULL, 0, 0 };
		int i;
		for (i = 0; i < 10; i++)
			xsum_add(&s, 0.1);
		CHECK(xsum_value(&s) == 1, "ten times 0.1 = 1");
		xsum_fini(&s);
	}
	{
		/* a half-way case rounds to even: 1 + 2^-53 + 2^-106 is above half-way, so 1 + 2^-52 */
		struct xsum s = { NULL, 0, 0 };
		xsum_add(&s, 1);
		xsum_add(&s, ldexp(1, -53));
		xsum_add(&s, ldexp(1, -106));
		CHECK(xsum_value(&s) == 1 + DBL_EPSILON, "1 + 2^-53 + 2^-106 rounds up");
		xsum_fini(&s);
		xsum_add(&s, 1);
		xsum_add(&s, ldexp(1, -53));
		CHECK(xsum_value(&s) == 1, "1 + 2^-53 rounds to even (1)");
		xsum_fini(&s);
	}
	{
		/* mean and variance of 1e9 + {1, 2, 3, 4}: 1e9 + 2.5 and 5/3, no cancellation */
		struct xsum s = { NULL, 0, 0 }, ss = { NULL, 0, 0 };
		double mean, var;
		int i;
		for (i = 1; i <= 4; i++) {
			xsum_add(&s, 1e9 + i);
			xsum_add_prod(&ss, 1e9 + i, 1e9 + i);
		}
		xsum_mean_var(&s, &ss, 4, &mean, &var);
		CHECK(mean == 1e9 + 2.5, "mean of 1e9 + 1..4");
		CHECK(var == 5.0 / 3, "variance of 1e9 + 1..4 is 5/3");
		xsum_fini(&s);
		xsum_fini(&ss);
	}
	return check_done();
}
