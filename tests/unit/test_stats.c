/*
 * test_stats.c - common/stats against R: the type 7 quantile to the bit,
 * the coefficient p-values of summary.lm and summary.glm, on the random
 * inputs of stats-ref.txt (made by stats-ref.R); the old ways of computing
 * a quantile, for comparison, and a compensated sum against a closed form.
 */
#include <float.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>

#include "check.h"
#include "stats.h"

#define MAXN 128

static int
cmp_double_asc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The largest relative difference of got from want (0 when both are 0). */
static double
rel(double got, double want)
{
	if (got == want)
		return 0;
	return fabs((got - want) / want);
}

static void
against_r(void)
{
	FILE *fp = fopen("stats-ref.txt", "r");
	char kind[4];
	size_t nq = 0, nt = 0, nz = 0, q_exact = 0, t_exact = 0, z_exact = 0;
	size_t old_a = 0, old_b = 0;
	double t_max = 0, z_max = 0, old_t1 = 0, old_t2 = 0;

	CHECK(fp != NULL, "open stats-ref.txt");
	if (fp == NULL)
		return;
	while (fscanf(fp, "%3s", kind) == 1) {
		if (strcmp(kind, "q") == 0) {
			double x[MAXN], p, want, got;
			size_t n, i;
			if (fscanf(fp, "%zu %lf", &n, &p) != 2 || n == 0 || n > MAXN)
				break;
			for (i = 0; i < n; i++)
				if (fscanf(fp, "%lf", &x[i]) != 1)
					break;
			if (i < n || fscanf(fp, "%lf", &want) != 1)
				break;
			qsort(x, n, sizeof x[0], cmp_double_asc);
			got = stats_quantile7(x, n, p);
			nq++;
			q_exact += got == want;
			/* the two formulas it replaces, counted for the record */
			{
				double h = (double)(n - 1) * p, fl = floor(h);
				size_t lo = (size_t)fl;
				double a = lo + 1 >= n ? x[n - 1] : x[lo] + (h - fl) * (x[lo + 1] - x[lo]);
				double b = lo + 1 >= n || x[lo + 1] == x[lo] ? x[lo < n ? lo : n - 1] :
				    (1 - (h - fl)) * x[lo] + (h - fl) * x[lo + 1];
				old_a += a != want;
				old_b += b != want;
			}
		} else if (strcmp(kind, "t") == 0) {
			double t, df, want, got;
			if (fscanf(fp, "%lf %lf %lf", &t, &df, &want) != 3)
				break;
			got = stats_p_t(t, df);
			nt++;
			t_exact += got == want;
			if (rel(got, want) > t_max)
				t_max = rel(got, want);
			/* the two ways it replaces: the incomplete beta on df/(df+t^2), GSL's t tail */
			got = gsl_sf_beta_inc(df / 2, 0.5, df / (df + t * t));
			if (rel(got, want) > old_t1)
				old_t1 = rel(got, want);
			got = 2 * gsl_cdf_tdist_Q(fabs(t), df);
			if (rel(got, want) > old_t2)
				old_t2 = rel(got, want);
		} else if (strcmp(kind, "z") == 0) {
			double z, want, got;
			if (fscanf(fp, "%lf %lf", &z, &want) != 2)
				break;
			got = stats_p_normal(z);
			nz++;
			z_exact += got == want;
			if (rel(got, want) > z_max)
				z_max = rel(got, want);
		} else {
			break;
		}
	}
	fclose(fp);
	CHECK(nq == 600 && nt == 600 && nz == 600, "stats-ref.txt read to the end");
	printf("     quantile: %zu of %zu equal to R (the old formulas: %zu and %zu differ)\n",
	    q_exact, nq, old_a, old_b);
	printf("     t p-values: %zu of %zu equal to R, largest relative difference %.3g "
	    "(the old ways: %.3g and %.3g)\n", t_exact, nt, t_max, old_t1, old_t2);
	printf("     normal p-values: %zu of %zu equal to R, largest relative difference %.3g\n",
	    z_exact, nz, z_max);
	CHECK(q_exact == nq, "type 7 quantile is R's to the bit on every input");
	CHECK(t_exact == nt, "t p-values are R's to the bit");
	CHECK(z_exact == nz, "normal p-values are R's to the bit");
}

int
main(void)
{
	against_r();
	{
		/* Closed form: 1..5, p = 0.3: index 2.2, 0.8 * 2 + 0.2 * 3 = 2.2. */
		double s[] = { 1, 2, 3, 4, 5 }, one = 7;
		CHECK(stats_quantile7(s, 5, 0) == 1 && stats_quantile7(s, 5, 1) == 5, "the extremes");
		CHECK_REL(stats_quantile7(s, 5, 0.3), 2.2, 1e-15, "1..5 at 0.3 is 2.2");
		CHECK(stats_quantile7(&one, 1, 0.3) == 7, "one value is every quantile");
	}
	{
		/* t with 1 df is Cauchy: p = 1 - 2 atan(t) / pi; the normal tail at 1.96 */
		CHECK_REL(stats_p_t(1, 1), 0.5, 1e-15, "t(1) at 1: p = 1/2");
		CHECK_REL(stats_p_t(-1e8, 1), 2 / (3.14159265358979323846 * 1e8), 1e-12, "t(1) far tail");
		CHECK_REL(stats_p_normal(1.959963984540054), 0.05, 1e-14, "normal at 1.96: 0.05");
		CHECK(isnan(stats_p_t(1, 0)) && isnan(stats_p_t(NAN, 3)), "no df, NaN: NaN");
	}
	{
		/* 1 + 1e100 + 1 - 1e100 is 2; summed in double it is 0 (Neumaier's example) */
		double s = 0, c = 0;
		stats_sum_add(&s, &c, 1);
		stats_sum_add(&s, &c, 1e100);
		stats_sum_add(&s, &c, 1);
		stats_sum_add(&s, &c, -1e100);
		CHECK(s + c == 2, "compensated sum: 1 + 1e100 + 1 - 1e100 = 2");
	}
	return check_done();
}
