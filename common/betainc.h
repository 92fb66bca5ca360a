/*
 * betainc.h - the beta function and the incomplete beta ratio
 * I_x(a, b) = B_x(a, b) / B(a, b), computed as R 4.2 computes pbeta() and
 * lbeta(), so that a p-value built on them is R's to the bit: Didonato and
 * Morris's algorithm BRATIO, ACM TOMS 708 (1992), with its series (BPSER,
 * APSER, FPSER, BUP), continued fraction (BFRAC), asymptotic expansions
 * (BGRAT, BASYM) and their own log-gamma, gamma-ratio and erfc
 * approximations, in the form R's nmath keeps (the log scale, the retry on
 * the log scale when BGRAT underflows); lbeta after SLATEC's DLBETA with
 * Chebyshev series for gamma and its Stirling correction.
 * tests/unit/test_pvalue.c checks them against R on every branch
 * (testdata/pvalue-ref.R and its output).  No state; every function is
 * pure and thread-safe.
 */
#ifndef PR_BETAINC_H
#define PR_BETAINC_H

/*
 * R's pbeta(x, a, b, lower_tail, log_p): P(X <= x) (lower_tail != 0) or
 * P(X > x) for X ~ Beta(a, b), its natural logarithm when log_p != 0.
 * a, b >= 0, either may be 0 or +Inf (point masses, as R treats them);
 * x <= 0 gives the lower tail 0, x >= 1 gives 1.  NaN for a NaN argument
 * or a negative a or b.  Accuracy: that of TOMS 708, about 14 digits and
 * better, over the whole range, including tails far below DBL_MIN on the
 * log scale.
 */
double betainc_pbeta(double x, double a, double b, int lower_tail, int log_p);

/*
 * R's lbeta(a, b) = log(B(a, b)) = log(Gamma(a) Gamma(b) / Gamma(a + b))
 * for a, b >= 0: +Inf when either is 0, -Inf when one is +Inf (and the
 * other positive), NaN for NaN or a negative argument.
 */
double betainc_lbeta(double a, double b);

#endif
