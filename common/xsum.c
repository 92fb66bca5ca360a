/* xsum.c - see xsum.h. */
#include "xsum.h"

#include <math.h>
#include <stdlib.h>

void
xsum_fini(struct xsum *s)
{
	free(s->p);
	s->p = NULL;
	s->n = s->cap = 0;
}

int
xsum_add(struct xsum *s, double x)
{
	size_t i, j = 0;

	/* Room first, so that a failure leaves the partials as they were. */
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4;
		double *q = realloc(s->p, cap * sizeof *q);
		if (q == NULL)
			return -1;
		s->p = q;
		s->cap = cap;
	}
	for (i = 0; i < s->n; i++) {
		double y = s->p[i], hi, lo;
		if (fabs(x) < fabs(y)) {
			double t = x;
			x = y;
			y = t;
		}
		hi = x + y;
		lo = y - (hi - x);
		if (lo != 0)
			s->p[j++] = lo;
		x = hi;
	}
	s->p[j++] = x;
	s->n = j;
	return 0;
}

int
xsum_add_prod(struct xsum *s, double a, double b)
{
	double hi = a * b, lo = fma(a, b, -hi);

	if (xsum_add(s, hi) < 0)
		return -1;
	return lo != 0 ? xsum_add(s, lo) : 0;
}

int
xsum_add_sum(struct xsum *s, const struct xsum *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (xsum_add(s, t->p[i]) < 0)
			return -1;
	return 0;
}

double
xsum_value(const struct xsum *s)
{
	size_t n = s->n;
	double hi, lo = 0, x, y, yr;

	if (n == 0)
		return 0;
	hi = s->p[--n];
	while (n > 0) {
		x = hi;
		y = s->p[--n];
		hi = x + y;
		yr = hi - x;
		lo = y - yr;
		if (lo != 0)
			break;
	}
	if (n > 0 && ((lo < 0 && s->p[n - 1] < 0) || (lo > 0 && s->p[n - 1] > 0))) {
		y = lo * 2;
		x = hi + y;
		yr = x - hi;
		if (y == yr)
			hi = x;
	}
	return hi;
}

int
xsum_mean_var(const struct xsum *s, const struct xsum *ss, double n, double *mean, double *var)
{
	struct xsum r = { NULL, 0, 0 };
	double q = xsum_value(s) / n;
	size_t i, j;
	int rc = -1;

	/* The mean: s / n rounded, corrected by the exact remainder s - q n. */
	if (xsum_add_sum(&r, s) < 0 || xsum_add_prod(&r, -q, n) < 0)
		goto out;
	*mean = isfinite(q) ? q + xsum_value(&r) / n : q;
	xsum_fini(&r);
	*var = 0;
	if (n > 1) {
		/* n ss - s^2, exactly: every partial product split by fma. */
		for (i = 0; i < ss->n; i++)
			if (xsum_add_prod(&r, ss->p[i], n) < 0)
				goto out;
		for (i = 0; i < s->n; i++)
			for (j = 0; j < s->n; j++)
				if (xsum_add_prod(&r, -s->p[i], s->p[j]) < 0)
					goto out;
		/* n (n - 1) is exact below 2^53: one rounding less. */
		*var = n < 9.4e7 ? xsum_value(&r) / (n * (n - 1)) : xsum_value(&r) / n / (n - 1);
		if (*var < 0)          /* only from products that underflowed */
			*var = 0;
	}
	rc = 0;
out:
	xsum_fini(&r);
	return rc;
}

json_t *
xsum_to_json(const struct xsum *s)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < s->n; i++)
		if (json_array_append_new(a, json_real(s->p[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

int
xsum_add_json(struct xsum *s, const json_t *j)
{
	size_t i;

	if (!json_is_array(j))
		return -1;
	for (i = 0; i < json_array_size(j); i++) {
		const json_t *v = json_array_get(j, i);
		if (!json_is_number(v) || !isfinite(json_number_value(v)) ||
		    xsum_add(s, json_number_value(v)) < 0)
			return -1;
	}
	return 0;
}
