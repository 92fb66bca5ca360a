/*
 * report-elast.c - the price elasticity of each group's demand, at today's
 * and at the chosen prices, with 95% intervals from the model's covariance
 * (report.h: report_elasticity).
 *
 * A group's demand is D = sum_i s_i mu_i(p_i), mu_i the model's demand of
 * row i and s_i its scale (base_demand over the model's demand at today's
 * price: 1, or a --quantity of pr-optimize).  Moving every price of the
 * group by the same factor, d log D / d log p = A / B with
 *   A = sum_i s_i p_i mu_i'(p_i),  B = sum_i s_i mu_i(p_i),
 * the demand-weighted mean of the rows' elasticities p mu' / mu.  Its
 * gradient with respect to the coefficients beta is
 *   g = (grad A) / B - A (grad B) / B^2
 * (model_eval_mean_grad gives grad mu and grad mu'), and by the delta
 * method its variance is g' V g, V the covariance of the sub-model that
 * priced the group's rows: the interval is the elasticity -/+ z se, z the
 * normal quantile (Student's t on the residual degrees of freedom for a
 * linear model), as model_eval_interval bands a mean.  A, B and their
 * gradients are exact sums (xsum.h), so parts merge bit for bit.
 */
#include "report.h"
#include "report-impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

/* The sums of one group: [0] at today's prices, [1] at the chosen ones. */
struct elast {
	size_t p;                       /* coefficients */
	unsigned long long n, skipped;  /* rows in the sums; rows the model could not price */
	long sub;                       /* the sub-model of the rows (model_eval_sub) */
	int mixed;                      /* rows of more than one sub-model: no interval */
	struct xsum a[2], b[2];
	struct xsum *ga[2], *gb[2];     /* p each */
};

static struct elast *
elast_new(size_t p)
{
	struct elast *el = calloc(1, sizeof *el);
	int k;

	if (el == NULL)
		return NULL;
	el->p = p;
	el->sub = MODEL_POOLED;
	for (k = 0; k < 2; k++) {
		el->ga[k] = calloc(p ? p : 1, sizeof *el->ga[k]);
		el->gb[k] = calloc(p ? p : 1, sizeof *el->gb[k]);
		if (el->ga[k] == NULL || el->gb[k] == NULL) {
			report_elast_free(el);
			return NULL;
		}
	}
	return el;
}

void
report_elast_free(struct elast *el)
{
	size_t j;
	int k;

	if (el == NULL)
		return;
	for (k = 0; k < 2; k++) {
		xsum_fini(&el->a[k]);
		xsum_fini(&el->b[k]);
		for (j = 0; j < el->p && el->ga[k] != NULL && el->gb[k] != NULL; j++) {
			xsum_fini(&el->ga[k][j]);
			xsum_fini(&el->gb[k][j]);
		}
		free(el->ga[k]);
		free(el->gb[k]);
	}
	free(el);
}

/* The group entry's sums, made when new (NULL out of memory). */
static struct elast *
elast_of(struct report *r, struct entry *g)
{
	if (g->el == NULL)
		g->el = elast_new(r->el_p);
	return g->el;
}

int
report_elasticity(struct report *r, struct model_eval *e, const struct csvio_row *row)
{
	struct entry *g;
	struct elast *el;
	struct diag d;
	double price[2], mu[2], dmu[2], scale;
	size_t p = r->el_p, j;
	long sub;
	int k;

	if (!r->pricing || r->c.by < 0 || r->last_group < 0)
		return 0;
	if (r->el_gm == NULL) {
		r->el_gm = calloc(4 * (p ? p : 1), sizeof *r->el_gm);
		if (r->el_gm == NULL)
			return -1;
	}
	g = &r->groups.v[r->last_group];
	if ((el = elast_of(r, g)) == NULL)
		return -1;
	price[0] = r->last_price;
	price[1] = r->last_opt;
	if (model_eval_row(e, row, &d) < 0) {
		el->skipped++;
		return 1;
	}
	for (k = 0; k < 2; k++)
		mu[k] = model_eval_mean_grad(e, price[k], &dmu[k], r->el_gm + 2 * (size_t)k * p,
		    r->el_gm + (2 * (size_t)k + 1) * p);
	if (!(mu[0] > 0) || !(r->last_bd > 0) || !isfinite(mu[1]) || !isfinite(dmu[0]) ||
	    !isfinite(dmu[1])) {
		el->skipped++;
		return 1;
	}
	scale = r->last_bd / mu[0];
	sub = model_eval_sub(e);
	if (el->n == 0)
		el->sub = sub;
	else if (sub != el->sub)
		el->mixed = 1;
	el->n++;
	for (k = 0; k < 2; k++) {
		const double *gm = r->el_gm + 2 * (size_t)k * p, *gd = gm + p;
		if (xsum_add(&el->a[k], scale * price[k] * dmu[k]) < 0 ||
		    xsum_add(&el->b[k], scale * mu[k]) < 0)
			return -1;
		for (j = 0; j < p; j++)
			if (xsum_add(&el->ga[k][j], scale * price[k] * gd[j]) < 0 ||
			    xsum_add(&el->gb[k][j], scale * gm[j]) < 0)
				return -1;
	}
	return 0;
}

/* ---- parts ---- */

static json_t *
jsums_vec(const struct xsum *v, size_t p)
{
	json_t *a = json_array();
	size_t j;

	for (j = 0; a != NULL && j < p; j++)
		json_array_append_new(a, xsum_to_json(&v[j]));
	return a;
}

json_t *
report_elast_to_json(const struct report *r)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < r->groups.n; i++) {
		const struct entry *g = &r->groups.v[i];
		const struct elast *el = g->el;
		if (el == NULL)
			continue;
		json_array_append_new(a, json_pack("{s:s%,s:I,s:I,s:I,s:b,s:[oo],s:[oo],s:[oo],s:[oo]}",
		    "group", g->key, strlen(g->key), "rows", (json_int_t)el->n,
		    "skipped", (json_int_t)el->skipped, "sub", (json_int_t)el->sub,
		    "mixed", el->mixed,
		    "a", xsum_to_json(&el->a[0]), xsum_to_json(&el->a[1]),
		    "b", xsum_to_json(&el->b[0]), xsum_to_json(&el->b[1]),
		    "grad_a", jsums_vec(el->ga[0], r->el_p), jsums_vec(el->ga[1], r->el_p),
		    "grad_b", jsums_vec(el->gb[0], r->el_p), jsums_vec(el->gb[1], r->el_p)));
	}
	return a;
}

/* Add the array of p sums v into s; 0, or -1 when v is not one. */
static int
add_vec(struct xsum *s, const json_t *v, size_t p)
{
	size_t j;

	if (!json_is_array(v) || json_array_size(v) != p)
		return -1;
	for (j = 0; j < p; j++)
		if (xsum_add_json(&s[j], json_array_get(v, j)) < 0)
			return -1;
	return 0;
}

int
report_elast_merge(struct report *r, const json_t *a)
{
	const json_t *v;
	size_t i;
	int k;

	if (!json_is_array(a))
		return -1;
	json_array_foreach(a, i, v) {
		const json_t *key = json_object_get(v, "group"), *sub = json_object_get(v, "sub");
		const json_t *ja = json_object_get(v, "a"), *jb = json_object_get(v, "b");
		const json_t *jga = json_object_get(v, "grad_a"), *jgb = json_object_get(v, "grad_b");
		unsigned long long n = (unsigned long long)json_integer_value(json_object_get(v, "rows"));
		struct entry *g;
		struct elast *el;
		if (!json_is_string(key) || !json_is_integer(sub) ||
		    !json_is_integer(json_object_get(v, "rows")) ||
		    !json_is_integer(json_object_get(v, "skipped")) ||
		    json_array_size(ja) != 2 || json_array_size(jb) != 2 ||
		    json_array_size(jga) != 2 || json_array_size(jgb) != 2)
			return -1;
		g = report_keymap_get(&r->groups, json_string_value(key), json_string_length(key));
		if (g == NULL || (el = elast_of(r, g)) == NULL)
			return -2;
		if (n > 0) {
			if (el->n == 0)
				el->sub = (long)json_integer_value(sub);
			else if (el->sub != (long)json_integer_value(sub))
				el->mixed = 1;
		}
		el->n += n;
		el->skipped += (unsigned long long)json_integer_value(json_object_get(v, "skipped"));
		el->mixed |= json_is_true(json_object_get(v, "mixed"));
		for (k = 0; k < 2; k++)
			if (xsum_add_json(&el->a[k], json_array_get(ja, (size_t)k)) < 0 ||
			    xsum_add_json(&el->b[k], json_array_get(jb, (size_t)k)) < 0 ||
			    add_vec(el->ga[k], json_array_get(jga, (size_t)k), r->el_p) < 0 ||
			    add_vec(el->gb[k], json_array_get(jgb, (size_t)k), r->el_p) < 0)
				return -1;
	}
	return 0;
}

/* ---- the section ---- */

/* The elasticity of el at k (0 today, 1 chosen), its standard error and interval. */
static void
elast_figures(const struct report *r, const struct model *m, const struct elast *el, int k,
    double *e, double *se, double *lo, double *hi, double *grad)
{
	size_t p = r->el_p, i, j;
	double a = xsum_value(&el->a[k]), b = xsum_value(&el->b[k]), v = 0, q;
	const double *cov;
	long df;

	*e = el->n > 0 && b > 0 ? a / b : NAN;
	*se = *lo = *hi = NAN;
	if (isnan(*e) || el->mixed || m == NULL || (cov = model_cov(m, el->sub)) == NULL)
		return;
	for (j = 0; j < p; j++)
		grad[j] = xsum_value(&el->ga[k][j]) / b - a * xsum_value(&el->gb[k][j]) / (b * b);
	for (i = 0; i < p; i++) {
		double row = 0;
		for (j = 0; j < p; j++)
			row += cov[i * p + j] * grad[j];
		v += grad[i] * row;
	}
	if (!(v >= 0))
		return;
	*se = sqrt(v);
	df = model_df_residual(m, el->sub);
	q = model_family(m) == FIT_LINEAR && df > 0 ? gsl_cdf_tdist_Qinv(0.025, (double)df) :
	    gsl_cdf_ugaussian_Qinv(0.025);
	*lo = *e - q * *se;
	*hi = *e + q * *se;
}

/* Groups in the chart at most. */
#define ELAST_POINTS 40

struct elast_row {
	const struct entry *g;
	double e[2], se[2], lo[2], hi[2];
};

static int
cmp_elast_row(const void *x, const void *y)
{
	const struct elast_row *a = x, *b = y;
	double u = a->e[1], v = b->e[1];

	/* most elastic (most negative) first; undefined last; then by name */
	if (isnan(u) != isnan(v))
		return isnan(u) ? 1 : -1;
	if (!isnan(u) && u != v)
		return u < v ? -1 : 1;
	return report_key_cmp(a->g->key, b->g->key);
}

int
report_build_elasticity(const struct report *r, struct report_doc *doc,
    const struct model *model)
{
	static const char *const mk[] = { "group", "rows", "rows_skipped", "elasticity_today",
	    "se_today", "lower_today", "upper_today", "elasticity_chosen", "se_chosen",
	    "lower_chosen", "upper_chosen" };
	const char *hk[] = { "group", "rows", "elasticity_today", "lower_today", "upper_today",
	    "elasticity_chosen", "lower_chosen", "upper_chosen" };
	const char *hh[] = { r->o.by_name, "rows", "today", "95% from", "to", "chosen",
	    "95% from", "to" };
	struct entry **gv = report_keymap_sorted(&r->groups);
	struct elast_row *rows = NULL;
	struct report_table *tm, *tp;
	double *grad = malloc((r->el_p ? r->el_p : 1) * sizeof *grad);
	char title[REPORT_ID_MAX + 128];
	size_t i, n = 0, mixed = 0, skipped = 0;
	int k, bad = 0;

	rows = calloc(r->groups.n ? r->groups.n : 1, sizeof *rows);
	if (gv == NULL || rows == NULL || grad == NULL)
		goto fail;
	for (i = 0; i < r->groups.n; i++) {
		const struct elast *el = gv[i]->el;
		if (el == NULL)
			continue;
		rows[n].g = gv[i];
		for (k = 0; k < 2; k++)
			elast_figures(r, model, el, k, &rows[n].e[k], &rows[n].se[k], &rows[n].lo[k],
			    &rows[n].hi[k], grad);
		mixed += el->mixed;
		skipped += el->skipped;
		n++;
	}
	snprintf(title, sizeof title, "Price elasticity by %.64s", r->o.by_name);
	if (report_doc_heading(doc, title) < 0 || report_doc_para(doc,
	    "The percentage change in a group's expected demand for a 1% change in all its "
	    "prices (d log demand / d log price, from the model), at today's and at the chosen "
	    "prices, with 95% intervals from the model's covariance (the delta method).  Below -1 "
	    "demand is elastic: a rise loses more units than it gains in price.") < 0)
		goto fail;
	if (mixed > 0 && report_doc_para(doc, "A group whose rows were priced by more than one "
	    "of the model's sub-models has no interval (their coefficients are apart).") < 0)
		goto fail;
	if (skipped > 0) {
		char para[160];
		snprintf(para, sizeof para, "%zu %s the model could not price %s left out.", skipped,
		    skipped == 1 ? "row" : "rows", skipped == 1 ? "is" : "are");
		if (report_doc_para(doc, para) < 0)
			goto fail;
	}
	snprintf(title, sizeof title, "Elasticity by %.64s at today's and at the chosen prices, "
	    "with 95%% intervals", r->o.by_name);
	if ((tm = report_doc_table(doc, "elasticity", title, 11, mk, mk)) == NULL ||
	    (tp = report_doc_table(doc, "elasticity", title, 8, hk, hh)) == NULL)
		goto fail;
	tm->detail = 1;
	tp->detail = 2;
	tp->sortable = 1;
	for (i = 0; i < n; i++) {
		const struct elast_row *x = &rows[i];
		if (report_table_row(tm) < 0 || report_table_text(tm, 0, x->g->key) < 0 ||
		    report_table_row(tp) < 0 || report_table_text(tp, 0, x->g->key) < 0)
			goto fail;
		report_table_num(tm, 1, (double)x->g->el->n, REPORT_INT);
		report_table_num(tm, 2, (double)x->g->el->skipped, REPORT_INT);
		report_table_num(tp, 1, (double)x->g->el->n, REPORT_INT);
		for (k = 0; k < 2; k++) {
			report_table_num(tm, 3 + 4 * (size_t)k, x->e[k], REPORT_FIX4);
			report_table_num(tm, 4 + 4 * (size_t)k, x->se[k], REPORT_FIX4);
			report_table_num(tm, 5 + 4 * (size_t)k, x->lo[k], REPORT_FIX4);
			report_table_num(tm, 6 + 4 * (size_t)k, x->hi[k], REPORT_FIX4);
			report_table_num(tp, 2 + 3 * (size_t)k, x->e[k], REPORT_FIX2);
			report_table_num(tp, 3 + 3 * (size_t)k, x->lo[k], REPORT_FIX2);
			report_table_num(tp, 4 + 3 * (size_t)k, x->hi[k], REPORT_FIX2);
		}
	}
	/* the chart: groups by the elasticity at the chosen prices, the most elastic first */
	qsort(rows, n, sizeof *rows, cmp_elast_row);
	if (n > ELAST_POINTS)
		n = ELAST_POINTS;
	if (n > 0) {
		double *v = malloc(6 * n * sizeof *v);
		const char **lab = malloc(n * sizeof *lab);
		struct report_chart *ch = NULL;
		if (v != NULL && lab != NULL) {
			for (i = 0; i < n; i++) {
				lab[i] = rows[i].g->key;
				for (k = 0; k < 2; k++) {
					v[(size_t)(3 * k) * n + i] = rows[i].e[1 - k];
					v[(size_t)(3 * k + 1) * n + i] = rows[i].lo[1 - k];
					v[(size_t)(3 * k + 2) * n + i] = rows[i].hi[1 - k];
				}
			}
			if (r->groups.n > n)
				snprintf(title, sizeof title, "Elasticity by %.64s: the %zu most elastic at "
				    "the chosen prices", r->o.by_name, n);
			else
				snprintf(title, sizeof title, "Elasticity by %.64s", r->o.by_name);
			ch = report_doc_chart(doc, REPORT_CHART_INTERVALS, title,
			    "d log demand / d log price, with 95% intervals", "", n, NULL, v, lab);
			if (ch != NULL && report_chart_intervals(ch, v + n, v + 2 * n, v + 3 * n,
			    v + 4 * n, v + 5 * n) < 0)
				ch = NULL;
		}
		bad = ch == NULL;
		free(v);
		free(lab);
		if (bad)
			goto fail;
	}
	free(grad);
	free(rows);
	free(gv);
	return 0;
fail:
	free(grad);
	free(rows);
	free(gv);
	return -1;
}
