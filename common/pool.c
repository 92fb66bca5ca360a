/*
 * pool.c - DerSimonian-Laird between-group variance and empirical-Bayes
 * shrinkage (see pool.h for the formulas and references).
 */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

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

int
pool_shrink_joint(size_t p, const double *est, const double *cov, const double *center,
    const double *center_cov, const double *tau2, double *post, double *post_cov)
{
	size_t *idx = malloc((p + 1) * sizeof *idx), s = 0, i, j, k;
	double *A = calloc(p * p + 1, sizeof *A), *D = calloc(p * p + 1, sizeof *D);
	gsl_matrix *M = NULL;
	int rc = -1;

	if (!idx || !A || !D)
		goto done;
	for (j = 0; j < p; j++)
		if (isfinite(tau2[j]) && usable(est[j], cov[j * p + j]))
			idx[s++] = j;
	if (s > 0) {
		M = gsl_matrix_alloc(s, s);
		if (!M)
			goto done;
		for (i = 0; i < s; i++)
			for (k = 0; k < s; k++)
				gsl_matrix_set(M, i, k, cov[idx[i] * p + idx[k]] + (i == k ? tau2[idx[i]] : 0));
		if (gsl_linalg_cholesky_decomp1(M) != GSL_SUCCESS ||
		    gsl_linalg_cholesky_invert(M) != GSL_SUCCESS)
			goto done;
	}
	/* A = T (T + V)^-1 on the shrunk coefficients, I on the unshrunk ones */
	for (i = 0; i < s; i++)
		for (k = 0; k < s; k++)
			A[idx[i] * p + idx[k]] = tau2[idx[i]] * gsl_matrix_get(M, i, k);
	for (j = 0; j < p; j++)
		if (!isfinite(tau2[j]))
			A[j * p + j] = 1;
	for (j = 0; j < p; j++) {
		if (!isfinite(tau2[j])) {
			post[j] = est[j];
			continue;
		}
		double m = center[j];
		for (i = 0; i < s; i++)
			m += A[j * p + idx[i]] * (est[idx[i]] - center[idx[i]]);
		post[j] = m;
	}
	/* post_cov = A V (shrunk block), V (unshrunk), tau2 (aliased), + D Vm D' */
	for (i = 0; i < p * p; i++)
		post_cov[i] = 0;
	for (i = 0; i < s; i++)
		for (k = 0; k < s; k++) {
			double c = 0;
			for (j = 0; j < s; j++)
				c += A[idx[i] * p + idx[j]] * cov[idx[j] * p + idx[k]];
			post_cov[idx[i] * p + idx[k]] = c;
		}
	for (i = 0; i < s; i++)      /* symmetric in exact arithmetic: average the rounding */
		for (k = i + 1; k < s; k++) {
			double c = (post_cov[idx[i] * p + idx[k]] + post_cov[idx[k] * p + idx[i]]) / 2;
			post_cov[idx[i] * p + idx[k]] = post_cov[idx[k] * p + idx[i]] = c;
		}
	for (j = 0; j < p; j++) {
		if (!isfinite(tau2[j])) {
			for (k = 0; k < p; k++)
				if (!isfinite(tau2[k]))
					post_cov[j * p + k] = cov[j * p + k];
		} else if (!usable(est[j], cov[j * p + j])) {
			post_cov[j * p + j] = tau2[j];
		}
	}
	for (i = 0; i < p; i++)
		for (k = 0; k < p; k++)
			D[i * p + k] = (i == k) - A[i * p + k];
	for (i = 0; i < p; i++)
		for (k = 0; k < p; k++) {
			double c = 0;
			for (j = 0; j < p; j++)
				for (size_t l = 0; l < p; l++) {
					double v = center_cov[j * p + l];
					if (D[i * p + j] != 0 && D[k * p + l] != 0 && isfinite(v))
						c += D[i * p + j] * v * D[k * p + l];
				}
			post_cov[i * p + k] += c;
		}
	rc = 0;
done:
	gsl_matrix_free(M);
	free(idx);
	free(A);
	free(D);
	return rc;
}
