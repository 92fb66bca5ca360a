/* metrics.c - see metrics.h. */
#include <math.h>
#include <stdlib.h>

#include "metrics.h"
#include "stats.h"
#include "xalloc.h"

/* The mean of (y - pred)^2 with a compensated sum; NAN for no rows. */
static double
mean_square(const double *y, const double *pred, size_t n)
{
	double s = 0, c = 0;
	size_t i;

	if (n == 0)
		return NAN;
	for (i = 0; i < n; i++)
		stats_sum_add(&s, &c, (y[i] - pred[i]) * (y[i] - pred[i]));
	return (s + c) / (double)n;
}

double
metrics_rmse(const double *y, const double *pred, size_t n)
{
	return sqrt(mean_square(y, pred, n));
}

double
metrics_mae(const double *y, const double *pred, size_t n)
{
	double s = 0, c = 0;
	size_t i;

	if (n == 0)
		return NAN;
	for (i = 0; i < n; i++)
		stats_sum_add(&s, &c, fabs(y[i] - pred[i]));
	return (s + c) / (double)n;
}

double
metrics_r2(const double *y, const double *pred, size_t n)
{
	double s = 0, c = 0, mean, sse = 0, sse_c = 0, sst = 0, sst_c = 0;
	size_t i;

	if (n == 0)
		return NAN;
	for (i = 0; i < n; i++)
		stats_sum_add(&s, &c, y[i]);
	mean = (s + c) / (double)n;
	for (i = 0; i < n; i++) {
		stats_sum_add(&sse, &sse_c, (y[i] - pred[i]) * (y[i] - pred[i]));
		stats_sum_add(&sst, &sst_c, (y[i] - mean) * (y[i] - mean));
	}
	sst += sst_c;
	return sst > 0 ? 1 - (sse + sse_c) / sst : NAN;
}

double
metrics_log_loss(const double *y, const double *pred, size_t n)
{
	double s = 0, c = 0;
	size_t i;

	if (n == 0)
		return NAN;
	for (i = 0; i < n; i++) {
		double q = pred[i] < 1e-15 ? 1e-15 : pred[i] > 1 - 1e-15 ? 1 - 1e-15 : pred[i];
		/* a 0/1 response takes one term, exactly as -log(q) or -log1p(-q) */
		double l = y[i] == 1 ? log(q) : y[i] == 0 ? log1p(-q) :
		    y[i] * log(q) + (1 - y[i]) * log1p(-q);
		stats_sum_add(&s, &c, -l);
	}
	return (s + c) / (double)n;
}

double
metrics_brier(const double *y, const double *pred, size_t n)
{
	return mean_square(y, pred, n);   /* (pred - y)^2 is the same double */
}

double
metrics_accuracy(const double *y, const double *pred, size_t n)
{
	size_t i, right = 0;

	if (n == 0)
		return NAN;
	for (i = 0; i < n; i++)
		right += (pred[i] >= 0.5) == (y[i] >= 0.5);
	return (double)right / (double)n;
}

struct scored {
	double p;
	int pos;
};

static int
cmp_scored(const void *a, const void *b)
{
	double x = ((const struct scored *)a)->p, y = ((const struct scored *)b)->p;

	return (x > y) - (x < y);
}

double
metrics_auc(const double *y, const double *pred, size_t n)
{
	struct scored *v;
	double n1 = 0, n0 = 0, u = 0, below = 0;
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (y[i] >= 0.5)
			n1++;
		else
			n0++;
	}
	if (n1 == 0 || n0 == 0)
		return NAN;
	v = xrealloc(NULL, n * sizeof *v);
	for (i = 0; i < n; i++) {
		v[i].p = pred[i];
		v[i].pos = y[i] >= 0.5;
	}
	qsort(v, n, sizeof *v, cmp_scored);
	/* counts are whole numbers: exact in doubles up to 2^53 */
	for (i = 0; i < n; i = j) {
		double pos = 0, neg = 0;
		for (j = i; j < n && v[j].p == v[i].p; j++) {
			if (v[j].pos)
				pos++;
			else
				neg++;
		}
		u += pos * (below + 0.5 * neg);
		below += neg;
	}
	free(v);
	return u / (n1 * n0);
}

double
metrics_poisson_deviance(const double *y, const double *mu, size_t n)
{
	double s = 0, c = 0;
	size_t i;

	if (n == 0)
		return NAN;
	for (i = 0; i < n; i++)
		stats_sum_add(&s, &c, 2 * ((y[i] > 0 ? y[i] * log(y[i] / mu[i]) : 0) - (y[i] - mu[i])));
	return s + c;
}
