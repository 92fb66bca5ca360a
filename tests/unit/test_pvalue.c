/*
 * test_pvalue.c - the distribution functions behind every p-value against
 * R 4.2, to the bit: the two-sided t p-value of summary.lm (stats_p_t),
 * the normal one of summary.glm (stats_p_normal) and the incomplete beta
 * ratio under both (betainc_pbeta, also on the log scale), on the inputs of pvalue-ref.txt (made
 * by pvalue-ref.R, hex floats), and the ends: t = 0, |t| = Inf, df = Inf,
 * p-values that underflow to 0.  With an argument it prints each mismatch.
 */
#include <stdlib.h>

#include "betainc.h"
#include "check.h"
#include "stats.h"

/* Equal as doubles, NaN equal to NaN; 0 and -0 are the same p-value. */
static int
same(double got, double want)
{
	return got == want || (isnan(got) && isnan(want));
}

static void
against_r(int verbose)
{
	FILE *fp = fopen("pvalue-ref.txt", "r");
	char kind[4], f[5][64];
	size_t nt = 0, nz = 0, nb = 0, nl = 0, t_exact = 0, z_exact = 0, b_exact = 0, l_exact = 0;
	size_t t_under = 0, t_far = 0, t_inf = 0, t_dfinf = 0;

	CHECK(fp != NULL, "open pvalue-ref.txt");
	if (fp == NULL)
		return;
	while (fscanf(fp, "%3s", kind) == 1) {
		int want_n = strcmp(kind, "t") == 0 ? 3 : strcmp(kind, "z") == 0 ? 2 :
		    strcmp(kind, "b") == 0 || strcmp(kind, "l") == 0 ? 5 : 0, k;
		double v[5];
		for (k = 0; k < want_n; k++) {
			if (fscanf(fp, "%63s", f[k]) != 1)
				break;
			v[k] = strtod(f[k], NULL);
		}
		if (want_n == 0 || k < want_n)
			break;
		if (kind[0] == 't') {
			double got = stats_p_t(v[0], v[1]);
			int ok = same(got, v[2]);
			nt++;
			t_exact += ok;
			t_under += ok && v[2] == 0 && isfinite(v[0]);
			t_far += ok && 1 + (v[0] / v[1]) * v[0] > 1e100;
			t_inf += ok && isinf(v[0]);
			t_dfinf += ok && isinf(v[1]);
			if (!ok && verbose)
				printf("t %s %s: %a, R %a\n", f[0], f[1], got, v[2]);
		} else if (kind[0] == 'z') {
			double got = stats_p_normal(v[0]);
			int ok = same(got, v[1]);
			nz++;
			z_exact += ok;
			if (!ok && verbose)
				printf("z %s: %a, R %a\n", f[0], got, v[1]);
		} else {
			int lg = kind[0] == 'l';
			double lo = betainc_pbeta(v[0], v[1], v[2], 1, lg),
			    up = betainc_pbeta(v[0], v[1], v[2], 0, lg);
			int ok = same(lo, v[3]) && same(up, v[4]);
			nb += !lg;
			b_exact += ok && !lg;
			nl += lg;
			l_exact += ok && lg;
			if (!ok && verbose)
				printf("%s %s %s %s: %a %a, R %a %a\n", kind, f[0], f[1], f[2], lo, up,
				    v[3], v[4]);
		}
	}
	fclose(fp);
	printf("     t p-values: %zu of %zu equal to R (%zu where 1 + t^2/df > 1e100, %zu "
	    "underflowing to 0, %zu at |t| = Inf, %zu at df = Inf)\n", t_exact, nt, t_far,
	    t_under, t_inf, t_dfinf);
	printf("     normal p-values: %zu of %zu equal to R\n", z_exact, nz);
	printf("     pbeta, both tails: %zu of %zu equal to R; on the log scale %zu of %zu\n",
	    b_exact, nb, l_exact, nl);
	CHECK(nt == 4144 && nz == 1523 && nb == 3000 && nl == 3000, "pvalue-ref.txt read to the end");
	CHECK(t_exact == nt, "t p-values are R's to the bit");
	CHECK(t_under > 0 && t_far > 0 && t_inf > 0 && t_dfinf > 0,
	    "the far tail, underflow, |t| = Inf and df = Inf among them");
	CHECK(z_exact == nz, "normal p-values are R's to the bit");
	CHECK(b_exact == nb, "pbeta is R's to the bit, both tails");
	CHECK(l_exact == nl, "pbeta on the log scale is R's to the bit, both tails");
}

int
main(int argc, char **argv)
{
	(void)argv;
	against_r(argc > 1);
	/* closed forms: t(1) is Cauchy, t(2) has P(|T| > t) = 1 - t / sqrt(2 + t^2) */
	CHECK(stats_p_t(0, 5) == 1, "p = 1 at t = 0");
	CHECK_REL(stats_p_t(1, 1), 0.5, 1e-15, "t(1) at 1: 1/2 (R's is 1/2 - 2^-51)");
	CHECK_REL(stats_p_t(3, 2), 1 - 3 / sqrt(11.), 1e-15, "t(2) at 3: 1 - 3/sqrt(11)");
	CHECK(stats_p_t(INFINITY, 3) == 0 && stats_p_t(-INFINITY, INFINITY) == 0, "|t| = Inf: 0");
	CHECK(stats_p_t(1e200, 3) == 0, "underflow: 0");
	CHECK(isnan(stats_p_t(1, 0)) && isnan(stats_p_t(1, -1)) && isnan(stats_p_t(NAN, 3)) &&
	    isnan(stats_p_t(1, NAN)), "df <= 0, NaN: NaN");
	CHECK(stats_p_normal(0) == 1 && stats_p_normal(INFINITY) == 0 && isnan(stats_p_normal(NAN)),
	    "normal: 1 at 0, 0 at Inf, NaN");
	CHECK_REL(betainc_pbeta(0.3, 1, 1, 1, 0), 0.3, 1e-16, "Beta(1, 1) is uniform");
	CHECK_REL(betainc_pbeta(0.3, 2, 1, 1, 0), 0.09, 1e-15, "Beta(2, 1): x^2");
	CHECK_REL(betainc_lbeta(2, 3), log(1. / 12), 1e-15, "B(2, 3) = 1/12");
	CHECK(betainc_pbeta(0.5, 0, 0, 1, 0) == 0.5 && betainc_pbeta(0.2, 0, 3, 1, 0) == 1 &&
	    betainc_pbeta(0.2, 3, INFINITY, 1, 0) == 1 &&
	    betainc_pbeta(0.2, INFINITY, 3, 1, 0) == 0 && betainc_pbeta(0.6, INFINITY, INFINITY, 1, 0) == 1 && isnan(betainc_pbeta(0.2, -1, 3, 1, 0)),
	    "pbeta's point masses and a negative shape");
	return check_done();
}
