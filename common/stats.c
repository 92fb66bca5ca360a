/* stats.c - see stats.h. */
#include <assert.h>
#include <math.h>

#include <float.h>

#include "betainc.h"
#include "stats.h"

double
stats_quantile7(const double *sorted, size_t n, double p)
{
	/* R 4.2 quantile.default, type 7: index, lo and hi are 1-based there */
	double index, lo, hi, qs, h;

	assert(n > 0 && p >= 0 && p <= 1);
	index = 1 + (double)(n - 1) * p;
	lo = floor(index);
	hi = ceil(index);
	qs = sorted[(size_t)lo - 1];
	if (!(index > lo && sorted[(size_t)hi - 1] != qs))
		return qs;
	h = index - lo;
	return (1 - h) * qs + h * sorted[(size_t)hi - 1];
}

/*
 * pnorm(x): the lower tail of the standard normal, by W. J. Cody's rational
 * approximations (Math. Comp. 23 (1969) 631-637, as in his CALERF) with the
 * branches and operations of R's pnorm_both, so that the result is R's to
 * the bit: |x| <= qnorm(3/4), up to sqrt(32), and the tail with x^2 split
 * as s^2 + (x - s)(x + s), s = x truncated to a multiple of 1/16, so that
 * exp(-x^2/2) loses no digits; 0 or 1 beyond -37.5193 and 8.2924.
 */
static double
normal_lower(double x)
{
	static const double a[5] = { 2.2352520354606839287, 161.02823106855587881,
		1067.6894854603709582, 18154.981253343561249, 0.065682337918207449113 };
	static const double b[4] = { 47.20258190468824187, 976.09855173777669322,
		10260.932208618978205, 45507.789335026729956 };
	static const double c[9] = { 0.39894151208813466764, 8.8831497943883759412,
		93.506656132177855979, 597.27027639480026226, 2494.5375852903726711,
		6848.1904505362823326, 11602.651437647350124, 9842.7148383839780218,
		1.0765576773720192317e-8 };
	static const double d[8] = { 22.266688044328115691, 235.38790178262499861,
		1519.377599407554805, 6485.558298266760755, 18615.571640885098091,
		34900.952721145977266, 38912.003286093271411, 19685.429676859990727 };
	static const double p[6] = { 0.21589853405795699, 0.1274011611602473639,
		0.022235277870649807, 0.001421619193227893466, 2.9112874951168792e-5,
		0.02307344176494017303 };
	static const double q[5] = { 1.28426009614491121, 0.468238212480865118,
		0.0659881378689285515, 0.00378239633202758244, 7.29751555083966205e-5 };
	const double one_sqrt_2pi = 0.398942280401432677939946059934;
	const double sqrt_32 = 5.656854249492380195206754896838;
	double y = fabs(x), xnum, xden, xsq, del, temp, cum;

	if (isnan(x))
		return x;
	if (y <= 0.67448975) {
		if (y > DBL_EPSILON * 0.5) {
			xsq = x * x;
			xnum = a[4] * xsq;
			xden = xsq;
			for (int i = 0; i < 3; ++i) {
				xnum = (xnum + a[i]) * xsq;
				xden = (xden + b[i]) * xsq;
			}
		} else {
			xnum = xden = 0.0;
		}
		temp = x * (xnum + a[3]) / (xden + b[3]);
		return 0.5 + temp;
	}
	if (y <= sqrt_32) {
		xnum = c[8] * y;
		xden = y;
		for (int i = 0; i < 7; ++i) {
			xnum = (xnum + c[i]) * y;
			xden = (xden + d[i]) * y;
		}
		temp = (xnum + c[7]) / (xden + d[7]);
		xsq = trunc(y * 16) / 16;
		del = (y - xsq) * (y + xsq);
	} else if (-37.5193 < x && x < 8.2924) {
		xsq = 1.0 / (x * x);
		xnum = p[5] * xsq;
		xden = xsq;
		for (int i = 0; i < 4; ++i) {
			xnum = (xnum + p[i]) * xsq;
			xden = (xden + q[i]) * xsq;
		}
		temp = xsq * (xnum + p[4]) / (xden + q[4]);
		temp = (one_sqrt_2pi - temp) / y;
		xsq = trunc(x * 16) / 16;
		del = (x - xsq) * (x + xsq);
	} else {
		return x > 0 ? 1 : 0;
	}
	cum = exp(-xsq * ldexp(xsq, -1)) * exp(-ldexp(del, -1)) * temp;
	return x > 0 ? 1.0 - cum : cum;
}

double
stats_p_normal(double z)
{
	if (isnan(z))
		return NAN;
	return 2 * normal_lower(-fabs(z));
}

double
stats_p_t(double t, double df)
{
	/* R 4.2's pt(x, df) at x = -|t|, lower tail, and summary.lm's 2 * that */
	double x = -fabs(t), nx, val;

	if (isnan(t) || isnan(df) || !(df > 0))
		return NAN;
	if (isinf(x))
		return 0;
	if (isinf(df))
		return 2 * normal_lower(x);
	nx = 1 + (x / df) * x;
	if (nx > 1e100) {
		/*
		 * 1/nx underflows: I_z(df/2, 1/2) ~ z^(df/2) / ((df/2) B(df/2, 1/2)),
		 * z = 1/nx (Abramowitz and Stegun 26.5.4), on the log scale
		 */
		double lval = -0.5 * df * (2 * log(fabs(x)) - log(df)) -
		    betainc_lbeta(0.5 * df, 0.5) - log(0.5 * df);
		val = exp(lval);
	} else if (df > x * x) {
		/* the upper tail of t^2/(df + t^2), which keeps the digits of a small t^2/df */
		val = betainc_pbeta(x * x / (df + x * x), 0.5, df / 2., 0, 0);
	} else {
		val = betainc_pbeta(1. / nx, df / 2., 0.5, 1, 0);
	}
	/* pt halves val for one tail and summary.lm doubles it: exact but in subnormals */
	return 2 * (val / 2.);
}

void
stats_sum_add(double *sum, double *comp, double x)
{
	double t = *sum + x;

	if (fabs(*sum) >= fabs(x))
		*comp += (*sum - t) + x;
	else
		*comp += (x - t) + *sum;
	*sum = t;
}
