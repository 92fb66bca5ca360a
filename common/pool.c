/*
 * pool.c - DerSimonian-Laird between-group variance and empirical-Bayes
 * shrinkage (see pool.h for the formulas and references).
 */
#include <math.h>

#include "pool.h"

static int
usable(double est, double var)
{
	return isfinite(est) && isfinite(var) && var > 0;
}

size_t
pool_dl_tau2(const double *est, const double *var, size_t k, double *tau2, double *q,
    double *mean_w)
{
	size_t used = 0, i;
	double s1 = 0, s2 = 0, swb = 0;

	for (i = 0; i < k; i++) {
		if (!usable(est[i], var[i]))
			continue;
		double w = 1 / var[i];
		s1 += w;
		s2 += w * w;
		swb += w * est[i];
		used++;
	}
	double bw = used ? swb / s1 : NAN, qq = 0;
	for (i = 0; i < k && used; i++)
		if (usable(est[i], var[i]))
			qq += (est[i] - bw) * (est[i] - bw) / var[i];
	if (q)
		*q = used ? qq : NAN;
	if (mean_w)
		*mean_w = bw;
	if (used < 2) {
		*tau2 = NAN;
		return used;
	}
	double denom = s1 - s2 / s1;
	double t = denom > 0 ? (qq - (double)(used - 1)) / denom : 0;
	*tau2 = t > 0 ? t : 0;
	return used;
}

double
pool_shrink(double est, double var, double center, double center_var, double tau2,
    double *post_var)
{
	double pv, m;

	if (!isfinite(tau2) || (isfinite(est) && var == 0)) {
		pv = var;     /* no pooling, or a group whose estimate is exact */
		m = est;
	} else if (!usable(est, var)) {
		pv = tau2 + center_var;
		m = center;
	} else {
		double b = tau2 / (tau2 + var);
		m = center + b * (est - center);
		pv = b * var + (1 - b) * (1 - b) * center_var;
	}
	if (post_var)
		*post_var = pv;
	return m;
}
