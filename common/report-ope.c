/*
 * report-ope.c - logged exposures: what a new pricing policy would have
 * earned on them (off-policy evaluation), and the A/B test of arms.
 *
 * Off-policy evaluation follows Dudík, Langford and Li, "Doubly robust
 * policy evaluation and learning" (ICML 2011).  Row i was shown the logged
 * price a_i with propensity p_i (the logging policy's probability of that
 * price for the row) and earned r_i = (a_i - cost_i) y_i; the new policy
 * would show pi_i.  With w_i = [a_i = pi_i] / p_i:
 *   IPW    V = mean(w r), standard error sd(w r) / sqrt(n);
 *   SNIPW  V = sum(w r) / sum(w), standard error by the delta method,
 *          sqrt(sum w^2 (r - V)^2) / sum(w);
 *   DR     V = mean(q(pi) + w (r - q(a))), q(p) = (p - cost) x the model's
 *          demand at p for the row, standard error sd / sqrt(n);
 * each with the normal interval at 95%, and the effective sample size
 * (sum w)^2 / sum w^2 (Kish).  Two prices are equal when they differ by at
 * most 1e-9 of the larger: prices read back from the shortest text are.
 *
 * The A/B test compares each arm with the control: conversion (the share
 * of exposures with an outcome above 0) by the two-proportion z test,
 * pooled for the p-value and unpooled for the interval (R's
 * prop.test(correct = FALSE)); revenue and profit per exposure by Welch's
 * t test (R's t.test); and the exposures per arm that detect a relative
 * difference of --mde from the control at a two-sided 5% level with 80%
 * power, by the normal approximation (power.prop.test's formula for
 * conversion; 2 (z_.975 + z_.8)^2 s^2 / delta^2 for the means, s the
 * control's standard deviation).
 */
#include "report.h"
#include "report-impl.h"
#include "num.h"
#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#define TRY(x) do { if ((x) < 0) goto fail; } while (0)
#define TRYP(x) do { if ((x) == NULL) goto fail; } while (0)

/* Effective sample sizes below this are thin support: the headline warns. */
#define OPE_THIN_ESS 30

static void
welford_add(struct welford *w, double x)
{
	double d = x - w->mean;

	w->n++;
	w->mean += d / w->n;
	w->m2 += d * (x - w->mean);
}

/* The sample variance (n - 1 in the denominator); NaN below two values. */
static double
welford_var(const struct welford *w)
{
	return w->n > 1 ? w->m2 / (w->n - 1) : NAN;
}

static int
same_price(double a, double b)
{
	double m = fabs(a) > fabs(b) ? fabs(a) : fabs(b);

	return fabs(a - b) <= 1e-9 * m;
}

/* The price as a key of the support tables: its shortest text. */
static struct entry *
price_entry(struct keymap *m, double p)
{
	char buf[NUM_BUFSZ];

	num_format(p, buf);
	return report_keymap_get(m, buf, strlen(buf));
}

static struct arm *
arm_get(struct report *r, const char *name, size_t len)
{
	size_t i;
	struct arm *a;

	for (i = 0; i < r->narms; i++)
		if (strlen(r->arms[i].name) == len && memcmp(r->arms[i].name, name, len) == 0)
			return &r->arms[i];
	if (r->narms == r->cap_arms) {
		size_t cap = r->cap_arms ? 2 * r->cap_arms : 8;
		struct arm *v = realloc(r->arms, cap * sizeof *v);
		if (v == NULL)
			return NULL;
		r->arms = v;
		r->cap_arms = cap;
	}
	a = &r->arms[r->narms];
	memset(a, 0, sizeof *a);
	if ((a->name = malloc(len + 1)) == NULL)
		return NULL;
	memcpy(a->name, name, len);
	a->name[len] = '\0';
	r->narms++;
	return a;
}

int
report_logged_add(struct report *r, const struct csvio_row *row, struct diag *d)
{
	double price, y, cost = 0, p = 1, pi = NAN, reward, w = 0, q_a = NAN, q_pi = NAN;
	struct ope *o = &r->ope;

	if (report_get_num(row, r->c.price, r->o.price_name, &price, d) < 0 ||
	    report_get_num(row, r->c.outcome, r->o.outcome_name, &y, d) < 0)
		return -1;
	if (!(price > 0))
		return diag_set(d, NULL, 0, r->o.price_name, row->f[r->c.price], row->len[r->c.price],
		    "not a positive price");
	if (!(y >= 0))
		return diag_set(d, NULL, 0, r->o.outcome_name, row->f[r->c.outcome],
		    row->len[r->c.outcome], "a negative outcome");
	if (r->c.cost >= 0 && report_get_num(row, r->c.cost, r->o.cost_name, &cost, d) < 0)
		return -1;
	if (r->c.policy >= 0) {
		if (report_get_num(row, r->c.propensity, r->o.propensity_name, &p, d) < 0 ||
		    report_get_num(row, r->c.policy, r->o.policy_name, &pi, d) < 0)
			return -1;
		if (!(p > 0 && p <= 1))
			return diag_set(d, NULL, 0, r->o.propensity_name, row->f[r->c.propensity],
			    row->len[r->c.propensity], "propensity outside (0, 1]");
		if (!(pi > 0))
			return diag_set(d, NULL, 0, r->o.policy_name, row->f[r->c.policy],
			    row->len[r->c.policy], "not a positive price");
		if (r->eval != NULL && model_eval_row(r->eval, row, d) == 0) {
			q_a = (price - cost) * model_eval_mean(r->eval, price, NULL);
			q_pi = (pi - cost) * model_eval_mean(r->eval, pi, NULL);
		}
	}
	reward = (price - cost) * y;
	if (r->c.arm >= 0) {
		struct arm *a = arm_get(r, row->f[r->c.arm], row->len[r->c.arm]);
		if (a == NULL)
			return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
		a->n++;
		a->conversions += y > 0;
		welford_add(&a->revenue, price * y);
		welford_add(&a->profit, reward);
	}
	r->total.n++;
	if (r->c.policy < 0)
		return 0;
	if (price_entry(&o->logged_prices, price) == NULL)
		return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
	{
		struct entry *e = price_entry(&o->policy_prices, pi);
		if (e == NULL)
			return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
		e->s.n++;
	}
	o->n++;
	if (same_price(price, pi)) {
		w = 1 / p;
		o->matched++;
	}
	welford_add(&o->logged, reward);
	welford_add(&o->ipw, w * reward);
	stats_sum_add(&o->sw, &o->sw_c, w);
	stats_sum_add(&o->sw2, &o->sw2_c, w * w);
	stats_sum_add(&o->swr, &o->swr_c, w * reward);
	stats_sum_add(&o->sw2r, &o->sw2r_c, w * w * reward);
	stats_sum_add(&o->sw2r2, &o->sw2r2_c, w * w * reward * reward);
	if (w > o->max_w)
		o->max_w = w;
	if (isfinite(q_a) && isfinite(q_pi)) {
		welford_add(&o->dr, q_pi + w * (reward - q_a));
		o->dr_rows++;
	}
	return 0;
}

void
report_logged_free(struct report *r)
{
	size_t i;

	for (i = 0; i < r->narms; i++)
		free(r->arms[i].name);
	free(r->arms);
	report_keymap_free(&r->ope.logged_prices);
	report_keymap_free(&r->ope.policy_prices);
}

/* One estimator's row: estimate, standard error and the 95% normal interval. */
static int
estimate_row(struct report_table *t, const char *name, const char *how, double v, double se)
{
	double z = gsl_cdf_ugaussian_Pinv(0.975);

	if (report_table_row(t) < 0 || report_table_text(t, 0, name) < 0 ||
	    report_table_text(t, 1, how) < 0)
		return -1;
	report_table_num(t, 2, v, REPORT_MONEY);
	report_table_num(t, 3, se, REPORT_FIX4);
	report_table_num(t, 4, v - z * se, REPORT_MONEY);
	report_table_num(t, 5, v + z * se, REPORT_MONEY);
	return 0;
}

static int
build_ope(const struct report *r, struct report_doc *doc)
{
	static const char *const ek[] = { "estimator", "method", "estimate", "std_error", "lower",
	    "upper" };
	static const char *const eh[] = { "estimator", "", "per exposure", "std. error",
	    "95% from", "to" };
	const struct ope *o = &r->ope;
	double n = (double)o->n, sw = o->sw + o->sw_c, sw2 = o->sw2 + o->sw2_c;
	double ipw = o->ipw.mean, ipw_se = sqrt(welford_var(&o->ipw) / n);
	double snipw = sw > 0 ? (o->swr + o->swr_c) / sw : NAN, snipw_se = NAN;
	double ess = sw2 > 0 ? sw * sw / sw2 : 0;
	unsigned long long outside = 0, outside_first = 0;
	struct entry **pv = NULL;
	struct report_table *t;
	char line[1024], a[96], b[96], c[96], e[96];
	const char *first_outside = NULL;
	size_t i;

	if (sw > 0) {
		/* sum w^2 (r - V)^2 = sum w^2 r^2 - 2 V sum w^2 r + V^2 sum w^2 */
		double s = (o->sw2r2 + o->sw2r2_c) - 2 * snipw * (o->sw2r + o->sw2r_c) +
		    snipw * snipw * sw2;
		snipw_se = sqrt(s > 0 ? s : 0) / sw;
	}
	TRYP(pv = report_keymap_sorted(&o->policy_prices));
	for (i = 0; i < o->policy_prices.n; i++) {
		const char *k = pv[i]->key;
		size_t j, found = 0;
		for (j = 0; j < o->logged_prices.n && !found; j++)
			found = same_price(strtod(k, NULL), strtod(o->logged_prices.v[j].key, NULL));
		if (!found) {
			outside += pv[i]->s.n;
			if (first_outside == NULL) {
				first_outside = k;
				outside_first = pv[i]->s.n;
			}
		}
	}

	TRY(report_doc_heading(doc, "Off-policy evaluation"));
	snprintf(line, sizeof line, "Expected profit per exposure of the new policy (column %.64s), "
	    "estimated from %llu logged %s; the logging policy earned %s.", r->o.policy_name,
	    o->n, o->n == 1 ? "exposure" : "exposures", report_show(doc, o->logged.mean, REPORT_MONEY, -1, a, sizeof a));
	TRY(report_doc_para(doc, line));
	{
		double v = r->eval != NULL ? o->dr.mean : snipw;
		double se = r->eval != NULL ? sqrt(welford_var(&o->dr) / (double)o->dr.n) : snipw_se;
		double z = gsl_cdf_ugaussian_Pinv(0.975);
		snprintf(line, sizeof line, "The new policy would earn %s per exposure (95%% interval "
		    "%s to %s, %s), against %s logged.",
		    report_show(doc, v, REPORT_MONEY, -1, a, sizeof a),
		    report_show(doc, v - z * se, REPORT_MONEY, -1, b, sizeof b),
		    report_show(doc, v + z * se, REPORT_MONEY, -1, c, sizeof c),
		    r->eval != NULL ? "doubly robust" : "self-normalised IPW",
		    report_show(doc, o->logged.mean, REPORT_MONEY, -1, e, sizeof e));
		TRY(report_doc_note(doc, 0, line));
	}
	if (ess < OPE_THIN_ESS) {
		snprintf(line, sizeof line, "Thin support: the effective sample size is %.1f (%llu of "
		    "%llu exposures show the new policy's price); the intervals are not to be trusted.",
		    ess, o->matched, o->n);
		TRY(report_doc_note(doc, 1, line));
	}
	if (outside > 0) {
		snprintf(line, sizeof line, "%llu %s a new price the logs never show (the first, "
		    "%.32s, on %llu %s): no estimate can see what it would earn there.", outside,
		    outside == 1 ? "row has" : "rows have", first_outside, outside_first,
		    outside_first == 1 ? "row" : "rows");
		TRY(report_doc_note(doc, 1, line));
	}
	if (r->eval != NULL && o->dr_rows < o->n) {
		snprintf(line, sizeof line, "The model could not evaluate %llu rows; the doubly robust "
		    "estimate covers the other %llu.", o->n - o->dr_rows, o->dr_rows);
		TRY(report_doc_note(doc, 1, line));
	}

	TRYP(t = report_doc_table(doc, "ope", "Estimates (95% normal intervals)", 6, ek, eh));
	TRY(estimate_row(t, "logged", "logging policy", o->logged.mean,
	    sqrt(welford_var(&o->logged) / n)));
	TRY(estimate_row(t, "ipw", "IPW", ipw, ipw_se));
	TRY(estimate_row(t, "snipw", "self-normalised IPW", snipw, snipw_se));
	if (r->eval != NULL)
		TRY(estimate_row(t, "dr", "doubly robust", o->dr.mean,
		    sqrt(welford_var(&o->dr) / (double)o->dr.n)));
	TRYP(t = report_doc_kv(doc, "ope_support", "Support"));
	TRY(report_table_kv(t, "rows|logged exposures", n, REPORT_INT));
	TRY(report_table_kv(t, "matched|showing the new price", (double)o->matched, REPORT_INT));
	TRY(report_table_kv(t, "ess|effective sample size", ess, REPORT_QTY));
	TRY(report_table_kv(t, "max_weight|largest weight", o->max_w, REPORT_QTY));
	TRY(report_table_kv(t, "rows_outside_support|new price never logged", (double)outside,
	    REPORT_INT));
	free(pv);
	return 0;
fail:
	free(pv);
	return -1;
}

/* Exposures per arm for a two-sided 5% test with 80% power (see the top). */
static double
n_needed_prop(double p0, double delta)
{
	double p1 = p0 + delta, za = gsl_cdf_ugaussian_Pinv(0.975), zb = gsl_cdf_ugaussian_Pinv(0.8);
	double x;

	if (!(delta != 0) || !(p1 > 0 && p1 < 1))
		return NAN;
	x = za * sqrt((p0 + p1) * (2 - p0 - p1) / 2) + zb * sqrt(p0 * (1 - p0) + p1 * (1 - p1));
	return ceil(x * x / (delta * delta));
}

static double
n_needed_mean(double var, double delta)
{
	double z = gsl_cdf_ugaussian_Pinv(0.975) + gsl_cdf_ugaussian_Pinv(0.8);

	if (!(delta != 0) || !(var >= 0))
		return NAN;
	return ceil(2 * z * z * var / (delta * delta));
}

static int
cmp_arm(const void *x, const void *y)
{
	return report_key_cmp(((const struct arm *)x)->name, ((const struct arm *)y)->name);
}

/* One comparison row of the A/B table. */
struct ab_test {
	double control, value, diff, lo, hi, p, n_needed;
};

static void
welch(const struct welford *c, const struct welford *a, double mde, struct ab_test *t)
{
	double vc = welford_var(c), va = welford_var(a), se2, se, df, q;

	t->control = c->mean;
	t->value = a->mean;
	t->diff = a->mean - c->mean;
	se2 = vc / c->n + va / a->n;
	se = sqrt(se2);
	df = se2 * se2 / ((vc / c->n) * (vc / c->n) / (c->n - 1) + (va / a->n) * (va / a->n) /
	    (a->n - 1));
	q = df > 0 ? gsl_cdf_tdist_Pinv(0.975, df) : NAN;
	t->lo = t->diff - q * se;
	t->hi = t->diff + q * se;
	t->p = se > 0 ? stats_p_t(t->diff / se, df) : NAN;
	t->n_needed = n_needed_mean(vc, mde * fabs(c->mean));
}

static void
two_prop(const struct arm *c, const struct arm *a, double mde, struct ab_test *t)
{
	double p0 = (double)c->conversions / (double)c->n, p1 = (double)a->conversions / (double)a->n;
	double pp = (double)(c->conversions + a->conversions) / (double)(c->n + a->n);
	double se0 = sqrt(pp * (1 - pp) * (1 / (double)c->n + 1 / (double)a->n));
	double se = sqrt(p0 * (1 - p0) / (double)c->n + p1 * (1 - p1) / (double)a->n);
	double z = gsl_cdf_ugaussian_Pinv(0.975);

	t->control = p0;
	t->value = p1;
	t->diff = p1 - p0;
	t->lo = t->diff - z * se;
	t->hi = t->diff + z * se;
	t->p = se0 > 0 ? stats_p_normal(t->diff / se0) : NAN;
	t->n_needed = n_needed_prop(p0, mde * p0);
}

static int
build_ab(const struct report *r, struct report_doc *doc)
{
	static const char *const ak[] = { "arm", "exposures", "conversions", "conversion",
	    "revenue_per_exposure", "profit_per_exposure" };
	static const char *const ah[] = { "arm", "exposures", "conversions", "conversion",
	    "revenue / exposure", "profit / exposure" };
	static const char *const tk[] = { "arm", "metric", "test", "control", "value",
	    "difference", "lower", "upper", "p_value", "n_needed" };
	static const char *const th[] = { "arm", "metric", "test", "control", "arm's",
	    "difference", "95% from", "to", "p-value", "n per arm" };
	static const char *const metric[3] = { "conversion", "revenue", "profit" };
	struct arm *v = malloc((r->narms ? r->narms : 1) * sizeof *v);
	const struct arm *ctl = NULL;
	struct report_table *t;
	char line[512];
	size_t i;
	int k;

	if (v == NULL)
		return -1;
	memcpy(v, r->arms, r->narms * sizeof *v);
	qsort(v, r->narms, sizeof *v, cmp_arm);
	for (i = 0; i < r->narms && ctl == NULL; i++)
		if (r->o.control == NULL || strcmp(v[i].name, r->o.control) == 0)
			ctl = &v[i];
	snprintf(line, sizeof line, "A/B test by %.64s", r->o.arm_name);
	TRY(report_doc_heading(doc, line));
	snprintf(line, sizeof line, "Each arm against the control, %.64s: conversion by the "
	    "two-proportion z test, revenue and profit per exposure by Welch's t test; n per arm "
	    "is the exposures each arm needs to detect a change of %g%% from the control with 80%% "
	    "power at the 5%% level.", ctl != NULL ? ctl->name : "-", r->o.mde * 100);
	TRY(report_doc_para(doc, line));
	for (i = 0; ctl != NULL && i < r->narms; i++) {
		struct ab_test x;
		char a[96], b[96], c[96];
		if (&v[i] == ctl)
			continue;
		welch(&ctl->profit, &v[i].profit, r->o.mde, &x);
		snprintf(line, sizeof line, "Arm %.64s earns %s per exposure against the control's "
		    "%s: a difference of %s (95%% interval %s, p = %.4f, Welch t).", v[i].name,
		    report_show(doc, x.value, REPORT_MONEY, -1, a, sizeof a),
		    report_show(doc, x.control, REPORT_MONEY, -1, b, sizeof b),
		    report_show(doc, x.diff, REPORT_MONEY, -1, c, sizeof c),
		    x.lo > 0 || x.hi < 0 ? "excludes 0" : "includes 0", x.p);
		TRY(report_doc_note(doc, 0, line));
	}
	TRYP(t = report_doc_table(doc, "ab_arms", "Arms", 6, ak, ah));
	for (i = 0; i < r->narms; i++) {
		TRY(report_table_row(t));
		TRY(report_table_text(t, 0, v[i].name));
		report_table_num(t, 1, (double)v[i].n, REPORT_INT);
		report_table_num(t, 2, (double)v[i].conversions, REPORT_INT);
		report_table_num(t, 3, (double)v[i].conversions / (double)v[i].n, REPORT_FIX4);
		report_table_num(t, 4, v[i].revenue.mean, REPORT_MONEY);
		report_table_num(t, 5, v[i].profit.mean, REPORT_MONEY);
	}
	TRYP(t = report_doc_table(doc, "ab_tests", "Differences from the control", 10, tk, th));
	for (i = 0; ctl != NULL && i < r->narms; i++) {
		if (&v[i] == ctl)
			continue;
		for (k = 0; k < 3; k++) {
			struct ab_test x;
			enum report_kind kind = k == 0 ? REPORT_FIX4 : REPORT_MONEY;
			if (k == 0)
				two_prop(ctl, &v[i], r->o.mde, &x);
			else
				welch(k == 1 ? &ctl->revenue : &ctl->profit,
				    k == 1 ? &v[i].revenue : &v[i].profit, r->o.mde, &x);
			TRY(report_table_row(t));
			TRY(report_table_text(t, 0, v[i].name));
			TRY(report_table_text(t, 1, metric[k]));
			TRY(report_table_text(t, 2, k == 0 ? "two-proportion z" : "Welch t"));
			report_table_num(t, 3, x.control, kind);
			report_table_num(t, 4, x.value, kind);
			report_table_num(t, 5, x.diff, kind);
			report_table_num(t, 6, x.lo, kind);
			report_table_num(t, 7, x.hi, kind);
			report_table_num(t, 8, x.p, REPORT_PVAL);
			report_table_num(t, 9, x.n_needed, REPORT_INT);
		}
	}
	free(v);
	return 0;
fail:
	free(v);
	return -1;
}

size_t
report_arms(const struct report *r, const char **first)
{
	*first = r->narms > 0 ? r->arms[0].name : NULL;
	return r->narms;
}

int
report_has_arm(const struct report *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->narms; i++)
		if (strcmp(r->arms[i].name, name) == 0)
			return 1;
	return 0;
}

unsigned long long
report_ope_matched(const struct report *r)
{
	return r->ope.matched;
}

int
report_build_logged(const struct report *r, struct report_doc *doc)
{
	if (r->c.policy >= 0 && build_ope(r, doc) < 0)
		return -1;
	if (r->c.arm >= 0 && build_ab(r, doc) < 0)
		return -1;
	return 0;
}
