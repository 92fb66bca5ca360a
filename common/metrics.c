/* metrics.c - see metrics.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

/* One row's log loss, p clipped. */
static double
log_loss_term(double y, double p)
{
	double q = p < 1e-15 ? 1e-15 : p > 1 - 1e-15 ? 1 - 1e-15 : p;
	/* a 0/1 response takes one term, exactly as -log(q) or -log1p(-q) */
	return -(y == 1 ? log(q) : y == 0 ? log1p(-q) : y * log(q) + (1 - y) * log1p(-q));
}

/* One row's Poisson deviance. */
static double
poisson_term(double y, double mu)
{
	return 2 * ((y > 0 ? y * log(y / mu) : 0) - (y - mu));
}

double
metrics_log_loss(const double *y, const double *pred, size_t n)
{
	double s = 0, c = 0;
	size_t i;

	if (n == 0)
		return NAN;
	for (i = 0; i < n; i++)
		stats_sum_add(&s, &c, log_loss_term(y[i], pred[i]));
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
		stats_sum_add(&s, &c, poisson_term(y[i], mu[i]));
	return s + c;
}

/* ---- accumulators ---- */

static void
xadd(struct xsum *s, double x)
{
	if (xsum_add(s, x) < 0)
		xalloc_die();
}

void
metrics_acc_init(struct metrics_acc *a, enum metrics_kind kind)
{
	memset(a, 0, sizeof *a);
	a->kind = kind;
	if (kind == METRICS_BINARY) {
		a->pos = xcalloc(METRICS_AUC_BINS, sizeof *a->pos);
		a->neg = xcalloc(METRICS_AUC_BINS, sizeof *a->neg);
	}
}

void
metrics_acc_fini(struct metrics_acc *a)
{
	xsum_fini(&a->sse);
	xsum_fini(&a->sae);
	xsum_fini(&a->sy);
	xsum_fini(&a->syy);
	xsum_fini(&a->loss);
	xsum_fini(&a->brier);
	xsum_fini(&a->dev);
	free(a->pos);
	free(a->neg);
	a->pos = a->neg = NULL;
}

size_t
metrics_auc_bin(double eta)
{
	double b = floor((eta + 16) * METRICS_AUC_SCALE);

	/* (not b > 0: a NaN goes to the first bin) */
	if (!(b > 0))
		return 0;
	return b >= METRICS_AUC_BINS ? METRICS_AUC_BINS - 1 : (size_t)b;
}

void
metrics_acc_add(struct metrics_acc *a, double y, double pred, double eta)
{
	double e = y - pred;

	a->n++;
	switch (a->kind) {
	case METRICS_LINEAR:
		xadd(&a->sse, e * e);
		xadd(&a->sae, fabs(e));
		xadd(&a->sy, y);
		if (xsum_add_prod(&a->syy, y, y) < 0)
			xalloc_die();
		break;
	case METRICS_BINARY:
		xadd(&a->loss, log_loss_term(y, pred));
		xadd(&a->brier, e * e);   /* (pred - y)^2 is the same double */
		a->right += (pred >= 0.5) == (y >= 0.5);
		if (y >= 0.5)
			a->pos[metrics_auc_bin(eta)]++;
		else
			a->neg[metrics_auc_bin(eta)]++;
		break;
	case METRICS_POISSON:
		xadd(&a->dev, poisson_term(y, pred));
		break;
	}
}

static void
xmerge(struct xsum *s, const struct xsum *t)
{
	if (xsum_add_sum(s, t) < 0)
		xalloc_die();
}

void
metrics_acc_merge(struct metrics_acc *a, const struct metrics_acc *b)
{
	a->n += b->n;
	a->right += b->right;
	xmerge(&a->sse, &b->sse);
	xmerge(&a->sae, &b->sae);
	xmerge(&a->sy, &b->sy);
	xmerge(&a->syy, &b->syy);
	xmerge(&a->loss, &b->loss);
	xmerge(&a->brier, &b->brier);
	xmerge(&a->dev, &b->dev);
	if (a->pos != NULL && b->pos != NULL)
		for (size_t k = 0; k < METRICS_AUC_BINS; k++) {
			a->pos[k] += b->pos[k];
			a->neg[k] += b->neg[k];
		}
}

void
metrics_acc_summary(const struct metrics_acc *a, struct metrics_summary *s)
{
	double n = (double)a->n;

	s->n = a->n;
	s->rmse = s->mae = s->r2 = s->log_loss = s->auc = s->auc_bound = NAN;
	s->brier = s->accuracy = s->deviance = NAN;
	if (a->n == 0)
		return;
	switch (a->kind) {
	case METRICS_LINEAR: {
		double mean, var, sse = xsum_value(&a->sse);
		s->rmse = sqrt(sse / n);
		s->mae = xsum_value(&a->sae) / n;
		/* SST = (n - 1) var, from exact sums: about the mean, without its cancellation */
		if (xsum_mean_var(&a->sy, &a->syy, n, &mean, &var) < 0)
			xalloc_die();
		s->r2 = var > 0 ? 1 - sse / (var * (n - 1)) : NAN;
		break;
	}
	case METRICS_BINARY: {
		double n1 = 0, n0 = 0, u = 0, below = 0, tied = 0;
		s->log_loss = xsum_value(&a->loss) / n;
		s->brier = xsum_value(&a->brier) / n;
		s->accuracy = (double)a->right / n;
		/* counts are whole numbers: exact in doubles up to 2^53 */
		for (size_t k = 0; k < METRICS_AUC_BINS; k++) {
			double pos = (double)a->pos[k], neg = (double)a->neg[k];
			u += pos * (below + 0.5 * neg);
			tied += pos * neg;
			below += neg;
			n1 += pos;
		}
		n0 = below;
		if (n1 > 0 && n0 > 0) {
			s->auc = u / (n1 * n0);
			s->auc_bound = 0.5 * tied / (n1 * n0);
		}
		break;
	}
	case METRICS_POISSON:
		s->deviance = xsum_value(&a->dev);
		break;
	}
}

/* A whole number from 0 to 2^53 (exact in a double, and as a count of rows, plenty). */
static int
count_of(const json_t *j, unsigned long long *out)
{
	if (!json_is_integer(j) || json_integer_value(j) < 0 ||
	    json_integer_value(j) > 9007199254740992LL)
		return -1;
	*out = (unsigned long long)json_integer_value(j);
	return 0;
}

json_t *
metrics_acc_json(const struct metrics_acc *a)
{
	json_t *j = json_object();
	static const char *const names[] = { "sse", "sae", "sy", "syy", "loss", "brier", "dev" };
	const struct xsum *sums[] = { &a->sse, &a->sae, &a->sy, &a->syy, &a->loss, &a->brier,
	    &a->dev };

	json_object_set_new(j, "n", json_integer((json_int_t)a->n));
	if (a->kind == METRICS_BINARY)
		json_object_set_new(j, "right", json_integer((json_int_t)a->right));
	for (size_t k = 0; k < sizeof names / sizeof *names; k++)
		if (sums[k]->n > 0) {
			json_t *x = xsum_to_json(sums[k]);
			if (x == NULL)
				xalloc_die();
			json_object_set_new(j, names[k], x);
		}
	if (a->kind == METRICS_BINARY) {
		json_t *h = json_array();
		for (size_t k = 0; k < METRICS_AUC_BINS; k++)
			if (a->pos[k] > 0 || a->neg[k] > 0)
				json_array_append_new(h, json_pack("[III]", (json_int_t)k,
				    (json_int_t)a->pos[k], (json_int_t)a->neg[k]));
		json_object_set_new(j, "auc_bins", h);
	}
	return j;
}

int
metrics_acc_add_json(struct metrics_acc *a, const json_t *j)
{
	static const char *const names[] = { "sse", "sae", "sy", "syy", "loss", "brier", "dev" };
	struct xsum *sums[] = { &a->sse, &a->sae, &a->sy, &a->syy, &a->loss, &a->brier, &a->dev };
	/* the sums each kind has */
	static const int has[3][7] = {
		{ 1, 1, 1, 1, 0, 0, 0 }, { 0, 0, 0, 0, 1, 1, 0 }, { 0, 0, 0, 0, 0, 0, 1 }
	};
	unsigned long long n, right = 0;
	const json_t *h = json_object_get(j, "auc_bins");
	const char *key;
	const json_t *v;

	if (!json_is_object(j) || count_of(json_object_get(j, "n"), &n) < 0 ||
	    n > 9007199254740992ULL - a->n)
		return -1;
	json_object_foreach((json_t *)j, key, v) {
		size_t k;
		for (k = 0; k < sizeof names / sizeof *names && strcmp(key, names[k]) != 0; k++)
			;
		if (k < sizeof names / sizeof *names ? !has[a->kind][k] :
		    strcmp(key, "n") != 0 && (a->kind != METRICS_BINARY ||
		    (strcmp(key, "right") != 0 && strcmp(key, "auc_bins") != 0)))
			return -1;
	}
	if (a->kind == METRICS_BINARY) {
		unsigned long long total = 0;
		long last = -1;
		if (count_of(json_object_get(j, "right"), &right) < 0 || right > n ||
		    !json_is_array(h) || json_array_size(h) > METRICS_AUC_BINS)
			return -1;
		/* check it all before adding any */
		for (size_t i = 0; i < json_array_size(h); i++) {
			const json_t *e = json_array_get(h, i);
			unsigned long long b, p, q;
			if (!json_is_array(e) || json_array_size(e) != 3 ||
			    count_of(json_array_get(e, 0), &b) < 0 || (long)b <= last ||
			    b >= METRICS_AUC_BINS || count_of(json_array_get(e, 1), &p) < 0 ||
			    count_of(json_array_get(e, 2), &q) < 0 || p > n - total ||
			    q > n - total - p || p + q == 0)
				return -1;
			last = (long)b;
			total += p + q;
		}
		if (total != n)
			return -1;
	}
	for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
		const json_t *x = json_object_get(j, names[k]);
		if (x != NULL && xsum_add_json(sums[k], x) < 0)
			return -1;
	}
	a->n += n;
	a->right += right;
	for (size_t i = 0; a->kind == METRICS_BINARY && i < json_array_size(h); i++) {
		const json_t *e = json_array_get(h, i);
		size_t b = (size_t)json_integer_value(json_array_get(e, 0));
		a->pos[b] += (unsigned long long)json_integer_value(json_array_get(e, 1));
		a->neg[b] += (unsigned long long)json_integer_value(json_array_get(e, 2));
	}
	return 0;
}
