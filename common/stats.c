/* stats.c - see stats.h. */
#include <assert.h>
#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>

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

double
stats_p_normal(double z)
{
	/* the lower tail at -|z|: GSL's upper tail loses digits far out (|z| > 30) */
	if (isnan(z))
		return NAN;
	return 2 * gsl_cdf_ugaussian_P(-fabs(z));
}

/*
 * The continued fraction of the incomplete beta I_x(a, b) (Lentz's method,
 * as Numerical Recipes' betacf and GSL's beta_cont_frac), converging for
 * x < (a + 1) / (a + b + 2).
 */
/* One step of Lentz's method: c and d take the partial numerator aa; returns the factor. */
static double
lentz_step(double *c, double *d, double aa)
{
	const double tiny = 1e-300;

	*d = 1 + aa * *d;
	if (fabs(*d) < tiny)
		*d = tiny;
	*c = 1 + aa / *c;
	if (fabs(*c) < tiny)
		*c = tiny;
	*d = 1 / *d;
	return *d * *c;
}

static double
beta_cf(double a, double b, double x)
{
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;
	int m;

	if (fabs(d) < 1e-300)
		d = 1e-300;
	d = 1 / d;
	h = d;
	for (m = 1; m <= 10000; m++) {
		double del;
		h *= lentz_step(&c, &d, m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)));
		del = lentz_step(&c, &d, -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)));
		h *= del;
		if (fabs(del - 1) < 1e-16)
			break;
	}
	return h;
}

double
stats_p_t(double t, double df)
{
	double x = fabs(t), nx, y, w, ln_y, ln_w, lnb, a = 0.5, b;

	if (isnan(t) || isnan(df) || !(df > 0))
		return NAN;
	nx = 1 + (x / df) * x;
	if (nx > 1e100) {
		/* R's pt: the tail on the log scale, where 1/nx underflows */
		double lval = -0.5 * df * (2 * log(x) - log(df)) - gsl_sf_lnbeta(0.5 * df, 0.5) -
		    log(0.5 * df);
		return exp(lval);
	}
	/*
	 * p = I_w(df/2, 1/2) = 1 - I_y(1/2, df/2), y = t^2/(df+t^2) and
	 * w = df/(df+t^2) each computed directly (R's pt takes y while
	 * df > t^2), so that neither loses the digits of a small t^2/df, and
	 * whichever continued fraction converges.
	 */
	b = 0.5 * df;
	y = x * x / (df + x * x);
	w = df / (df + x * x);
	ln_y = w < 0.5 ? log1p(-w) : log(y);
	ln_w = y < 0.5 ? log1p(-y) : log(w);
	lnb = gsl_sf_lnbeta(a, b);
	if (y < (a + 1) / (a + b + 2))
		return 1 - exp(a * ln_y + b * ln_w - lnb) / a * beta_cf(a, b, y);
	return exp(b * ln_w + a * ln_y - lnb) / b * beta_cf(b, a, w);
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
