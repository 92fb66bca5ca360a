/*
 * stats.h - the statistics every program shares, each in one place, with
 * R's arithmetic: the type 7 quantile, the p-values of a coefficient
 * table, and compensated sums.  tests/unit/test_stats.c checks them
 * against R on random inputs (testdata/stats-ref.R and its output), and
 * tests/unit/test_pvalue.c the p-values on the whole range.
 */
#ifndef PR_STATS_H
#define PR_STATS_H

#include <stddef.h>

/*
 * R's quantile(x, p, type = 7) of sorted[0..n) (ascending, no NaN), n > 0,
 * 0 <= p <= 1: with index = 1 + (n - 1) p, lo = floor(index) and
 * hi = ceiling(index), x[lo] when index is whole or x[hi] equals x[lo],
 * else (1 - h) x[lo] + h x[hi] with h = index - lo - R's own steps and
 * rounding, so the result is R's to the bit (a quantile computed as
 * x[lo] + h (x[hi] - x[lo]), or from (n - 1) p, differs in the last bit
 * on some inputs).  Deciles as R's seq(0, 1, 0.1) gives them are at
 * p = k * 0.1.
 */
double stats_quantile7(const double *sorted, size_t n, double p);

/*
 * The two-sided p-value of a t statistic with df > 0 degrees of freedom,
 * 2 * pt(-|t|, df) as summary.lm computes it, equal to R 4.2's to the bit
 * (tests/unit/test_pvalue.c): R's pt, i.e. the incomplete beta of
 * betainc.h on t^2/(df + t^2) while df > t^2 and on 1/(1 + t^2/df)
 * beyond, its log-scale tail when 1 + t^2/df exceeds 1e100 (so that tiny
 * p-values keep their digits until they underflow to 0), the normal for
 * df = Inf.  0 for |t| = Inf, NaN for NaN input or df <= 0.
 */
double stats_p_t(double t, double df);

/*
 * The two-sided normal p-value, 2 * pnorm(-|z|) as summary.glm computes
 * it, equal to R's to the bit (Cody's approximation as R's pnorm has it).
 * 0 for |z| = Inf, NaN for NaN.
 */
double stats_p_normal(double z);

/*
 * Add x to the Neumaier (compensated) sum *sum with its compensation
 * *comp (both start at 0); the sum is *sum + *comp.  Its error does not
 * grow with the number of terms, in any order.
 */
void stats_sum_add(double *sum, double *comp, double x);

#endif
