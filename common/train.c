/* train.c - see train.h. */
#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "design.h"
#include "fit.h"
#include "metrics.h"
#include "num.h"
#include "pool.h"
#include "stats.h"
#include "train.h"
#include "xalloc.h"

/* One fitted model with its document. */
struct trained {
	struct fit_result res;
	int ok;
	json_t *sub;
};

/* Hand one message to the caller. */
static void notef(const struct train_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
notef(const struct train_opts *o, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;

	if (o->note == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	o->note(o->note_arg, msg);
}

static void
note_diag(const struct train_opts *o, const struct diag *d)
{
	char msg[DIAG_FILE_MAX + DIAG_COL_MAX + DIAG_VALUE_MAX * 4 + DIAG_WHAT_MAX + 64];

	diag_format(d, msg, sizeof msg);
	if (o->note != NULL)
		o->note(o->note_arg, msg);
}

static void
fmt(char *buf, size_t size, double x)
{
	/* a summary for people: 6 digits; the "C" locale is in force (no setlocale) */
	if (isnan(x))
		snprintf(buf, size, "NA");
	else if (isinf(x))
		snprintf(buf, size, "%s", x > 0 ? "Inf" : "-Inf");
	else
		snprintf(buf, size, "%.6g", x);
}

enum metrics_kind
train_metrics_kind(enum fit_family fam)
{
	return fam == FIT_LINEAR ? METRICS_LINEAR : fam == FIT_LOGISTIC ? METRICS_BINARY :
	    METRICS_POISSON;
}

void
train_validation(const struct train_opts *o, const struct metrics_acc *acc,
    struct model_validation *v, char *line, size_t linesz)
{
	char a[32], b[32], c[32], e[32];
	struct metrics_summary m;
	enum fit_family fam = o->family;

	metrics_acc_summary(acc, &m);
	memset(v, 0, sizeof *v);
	v->folds_method = !(o->holdout > 0);
	v->fraction = o->holdout;
	v->folds = o->folds;
	v->seed = o->seed;
	v->n = (size_t)m.n;
	v->rmse = m.rmse;
	v->mae = m.mae;
	v->r2 = m.r2;
	v->log_loss = m.log_loss;
	v->auc = m.auc;
	v->auc_bound = m.auc_bound;
	v->brier = m.brier;
	v->accuracy = m.accuracy;
	v->deviance = m.deviance;
	if (m.n == 0) {
		snprintf(line, linesz, "no rows");
	} else if (fam == FIT_LINEAR) {
		fmt(a, sizeof a, v->rmse);
		fmt(b, sizeof b, v->mae);
		fmt(c, sizeof c, v->r2);
		snprintf(line, linesz, "RMSE %s, MAE %s, R2 %s", a, b, c);
	} else if (fam == FIT_LOGISTIC) {
		fmt(a, sizeof a, v->log_loss);
		fmt(b, sizeof b, v->auc);
		fmt(c, sizeof c, v->brier);
		fmt(e, sizeof e, v->accuracy);
		snprintf(line, linesz, "log loss %s, AUC %s, Brier %s, accuracy %s", a, b, c, e);
	} else {
		fmt(a, sizeof a, v->deviance);
		fmt(b, sizeof b, v->deviance / (double)v->n);
		snprintf(line, linesz, "deviance %s, mean deviance %s", a, b);
	}
}

/* ---- fitting ---- */

/*
 * The groups' warnings given in full (--by); the rest are counted by kind
 * and summed up in one line, so that a million groups do not give a
 * million lines.
 */
#define GROUP_WARNINGS TRAIN_GROUP_WARNINGS

struct group_tally {
	size_t shown;
	size_t failed, aliased, overflow, validated;   /* not shown */
};

struct trainer {
	const struct train_opts *o;
	const struct formula *f;
	struct store *s;
	size_t p;
	const char *input;
	struct group_tally *tally;   /* fitting a group, or NULL */
};

/* Whether a warning of kind (a counter of t->tally) is left out: past GROUP_WARNINGS of a group's. */
static int
tally_skip(const struct trainer *t, size_t *kind)
{
	if (t->tally == NULL)
		return 0;
	if (t->tally->shown < GROUP_WARNINGS) {
		t->tally->shown++;
		return 0;
	}
	(*kind)++;
	return 1;
}

static struct fit_opts
fitopts(const struct trainer *t)
{
	struct fit_opts fo;

	memset(&fo, 0, sizeof fo);
	fo.family = t->o->family;
	fo.l2 = t->o->l2;
	fo.tol = t->o->tol;
	fo.max_iter = (int)t->o->max_iter;
	fo.intercept = formula_intercept_index(t->f);
	return fo;
}

/*
 * The validation of the design's rows, each in the fold the split gives it
 * (holdout: 0 for the held-out rows, -1 for the others).  Fits each fold
 * without its rows and adds the held-out predictions to the measures, as
 * they are made (nothing is kept per row); with a holdout the fit without
 * it is the model (*res).  Returns 0, or -1 with d filled.
 */
static int
validate(const struct trainer *t, struct design *ds, const char *what,
    struct model_validation *v, struct fit_result *res, struct diag *d)
{
	const struct train_opts *o = t->o;
	struct fit_opts fo = fitopts(t);
	long k, nf = o->folds > 0 ? o->folds : 1;
	struct metrics_acc acc;
	double *beta = xrealloc(NULL, ((size_t)nf * t->p + 1) * sizeof *beta);
	char vline[256] = "";
	int rc = -1;

	metrics_acc_init(&acc, train_metrics_kind(o->family));
	for (k = 0; k < nf; k++) {
		struct fit_result r;
		enum fit_status st;
		if (o->progress != NULL && o->folds > 0 && t->tally == NULL)
			o->progress(o->progress_arg, TRAIN_FOLD, (size_t)k, (size_t)nf);
		ds->fold = k;
		st = design_fit(ds, &fo, &r, d);
		ds->fold = DESIGN_NO_FOLD;
		if (st != FIT_OK) {
			char m[DIAG_WHAT_MAX];
			snprintf(m, sizeof m, "%s", d->what);
			diag_set(d, t->input, 0, NULL, NULL, 0, "%s%s %ld: %s", what,
			    o->holdout > 0 ? "fit without the holdout" : "fold", k + 1, m);
			fit_result_free(&r);
			goto done;
		}
		fit_beta_or_zero(&r, beta + (size_t)k * t->p);
		if (o->holdout > 0)
			*res = r;   /* the model is the one fitted without the holdout */
		else
			fit_result_free(&r);
	}
	/* every fold's rows predicted by its fit, in one pass */
	if (design_validate(ds, o->family, beta, (size_t)nf, &acc, d) < 0) {
		if (o->holdout > 0)
			fit_result_free(res);
		goto done;
	}
	train_validation(o, &acc, v, vline, sizeof vline);
	rc = 0;
	if (!o->quiet && !(t->tally && tally_skip(t, &t->tally->validated)))
		notef(o, "%s%s (%zu rows): %s", what, o->holdout > 0 ? "holdout" : "cross-validation",
		    v->n, vline);
done:
	metrics_acc_fini(&acc);
	free(beta);
	return rc;
}

/*
 * Fit rows[0..nr) of t->s (a group; rows NULL: the rows first..first+nr),
 * with the validation asked for.  what names the model in messages ("" or
 * "group \"A\": ").  consume: the store is not needed afterwards (see
 * design_build).  Returns 0, or -1 with d filled when the fit failed.
 */
static int
train_rows(const struct trainer *t, const size_t *rows, size_t first, size_t nr, int consume,
    const char *what, struct trained *out, struct diag *d)
{
	const struct train_opts *o = t->o;
	struct design ds;
	struct fit_opts fo = fitopts(t);
	enum fit_status st;
	struct model_validation valid;
	int validated = o->holdout > 0 || o->folds > 0;
	int smearing = o->retransform == MODEL_RETRANSFORM_SMEARING;
	size_t i, j, p = t->p;
	double *cov;

	memset(out, 0, sizeof *out);
	if (nr == 0)
		return diag_set(d, t->input, 0, NULL, NULL, 0, "%sno rows to fit", what);
	{
		struct design_split split = { o->holdout, o->folds, o->seed };
		if (design_build(t->s, t->f, rows, first, nr, consume, validated ? &split : NULL,
		    o->jobs, &ds, d) < 0)
			return -1;
	}
	if (validated && validate(t, &ds, what, &valid, &out->res, d) < 0)
		goto fail;
	if (!(o->holdout > 0)) {
		st = design_fit(&ds, &fo, &out->res, d);
		if (st != FIT_OK) {
			char m[DIAG_WHAT_MAX];
			snprintf(m, sizeof m, "%s", d->what);
			if (st == FIT_BAD_DATA && out->res.bad_row >= 0 && (size_t)out->res.bad_row < nr) {
				size_t b = (size_t)out->res.bad_row;
				diag_set(d, t->input, store_line_of(t->s, rows ? rows[b] : first + b), NULL,
				    NULL, 0,
				    "%s%s", what, m);
			} else {
				diag_set(d, t->input, 0, NULL, NULL, 0, "%s%s", what, m);
			}
			goto fail;
		}
	}
	cov = xrealloc(NULL, p * p * sizeof *cov);
	for (i = 0; i < p; i++)
		for (j = 0; j < p; j++)
			cov[i * p + j] = gsl_matrix_get(out->res.cov, i, j);
	assert(out->res.beta->stride == 1 && out->res.se->stride == 1);
	out->sub = model_doc_sub(t->f, out->res.beta->data, out->res.se->data, cov,
	    out->res.dispersion, out->res.df_residual,
	    model_doc_training(o->family, &out->res, validated ? &valid : NULL));
	free(cov);
	if (smearing) {
		double sf;
		if (design_smearing(&ds, o->holdout > 0 ? 0 : DESIGN_NO_FOLD, &out->res, &sf, d) < 0)
			goto fail;
		model_doc_smearing(out->sub, sf);
	}
	out->ok = 1;
	design_free(&ds);
	return 0;
fail:
	fit_result_free(&out->res);
	design_free(&ds);
	return -1;
}

static void
trained_free(struct trained *tr)
{
	if (tr->ok) {
		json_decref(tr->sub);
		fit_result_free(&tr->res);
	}
	memset(tr, 0, sizeof *tr);
}

/* Append name to the list in buf (cap bytes, *nn used), comma-separated, truncating. */
static void
name_list_add(char *buf, size_t cap, size_t *nn, const char *name)
{
	*nn += (size_t)snprintf(buf + *nn, *nn < cap ? cap - *nn : 0, "%s%s", *nn ? ", " : "", name);
	if (*nn >= cap)
		*nn = cap - 1;
}

/*
 * The coefficient table rows of one model; the aliased ones noted, and the
 * ones whose standard error overflows double (written empty, with the
 * statistic and p-value, never as 0 or inf).  With --shrink (raw_b not
 * NULL) each row ends with the estimate and standard error before
 * shrinkage.
 */
static void
put_table(const struct trainer *t, struct csvio_writer *out, const char *group,
    const struct fit_result *r, const double *raw_b, const double *raw_se)
{
	size_t j;
	char names[2048] = "", big[2048] = "";
	size_t nn = 0, nb = 0;

	for (j = 0; j < t->p; j++) {
		double est = gsl_vector_get(r->beta, j), se = gsl_vector_get(r->se, j), stat, pv;
		if (group != NULL)
			csvio_put_str(out, group);
		csvio_put_str(out, formula_coef_name(t->f, j));
		if (r->aliased[j] || isnan(est)) {
			est = se = stat = pv = NAN;
			name_list_add(names, sizeof names, &nn, formula_coef_name(t->f, j));
		} else if (!isfinite(se)) {
			se = stat = pv = NAN;
			name_list_add(big, sizeof big, &nb, formula_coef_name(t->f, j));
		} else {
			stat = est / se;
			if (t->o->family == FIT_LINEAR)
				pv = r->df_residual > 0 ? stats_p_t(stat, (double)r->df_residual) : NAN;
			else
				pv = stats_p_normal(stat);
		}
		csvio_put_num(out, est);
		csvio_put_num(out, se);
		csvio_put_num(out, stat);
		csvio_put_num(out, pv);
		if (raw_b != NULL) {
			csvio_put_num(out, raw_b[j]);
			csvio_put_num(out, isfinite(raw_se[j]) ? raw_se[j] : NAN);
		}
		csvio_end(out);
	}
	if (nn > 0 && !t->o->quiet && !(t->tally && tally_skip(t, &t->tally->aliased))) {
		if (group != NULL)
			notef(t->o, "group \"%s\": aliased (collinear) terms, estimated as missing: %s",
			    group, names);
		else
			notef(t->o, "aliased (collinear) terms, estimated as missing: %s", names);
	}
	if (nb > 0 && r->df_residual == 0 && !t->o->quiet &&
	    !(t->tally && tally_skip(t, &t->tally->overflow))) {
		/* sigma^2 = rss / 0: not estimable, as R's lm says with NaN */
		int lg = (t->o->response_log || formula_response_log(t->f)) &&
		    t->o->retransform == MODEL_RETRANSFORM_NORMAL;
		notef(t->o, "%s%s%sno residual degrees of freedom (as many estimated coefficients as "
		    "rows): standard errors written empty: %s%s", group ? "group \"" : "", group ? group : "",
		    group ? "\": " : "", big,
		    lg ? "; the demand of the model of a log is exp of the fit (a retransformation "
		    "of 1: sigma^2 cannot be estimated)" : "");
	} else if (nb > 0 && !t->o->quiet && !(t->tally && tally_skip(t, &t->tally->overflow))) {
		if (group != NULL)
			notef(t->o, "group \"%s\": standard errors beyond the range of a double "
			    "(rescale the terms), written empty: %s", group, big);
		else
			notef(t->o, "standard errors beyond the range of a double (rescale the terms), "
			    "written empty: %s", big);
	}
}

/* One line for the groups' warnings past the first GROUP_WARNINGS, by kind. */
static void
tally_note(const struct train_opts *o, const struct group_tally *g)
{
	char line[512] = "";
	size_t n = 0;

	if (g->failed > 0)
		n += (size_t)snprintf(line + n, sizeof line - n, ", %zu groups scored with the pooled "
		    "model", g->failed);
	if (g->aliased > 0)
		n += (size_t)snprintf(line + n, sizeof line - n, ", %zu with aliased terms", g->aliased);
	if (g->overflow > 0)
		n += (size_t)snprintf(line + n, sizeof line - n, ", %zu with standard errors beyond "
		    "the range of a double", g->overflow);
	if (g->validated > 0)
		n += (size_t)snprintf(line + n, sizeof line - n, ", %zu validation lines", g->validated);
	if (n > 0)
		notef(o, "groups: %zu more warnings not shown (%s)",
		    g->failed + g->aliased + g->overflow + g->validated, line + 2);
}

static void
summary(const struct trainer *t, const char *what, const struct fit_result *r,
    unsigned long long dropped)
{
	char ll[32], dev[32], nd[32], aic[32], r2[32];

	fmt(ll, sizeof ll, r->loglik);
	fmt(dev, sizeof dev, r->deviance);
	fmt(nd, sizeof nd, r->null_deviance);
	fmt(aic, sizeof aic, r->aic);
	fmt(r2, sizeof r2, r->r2);
	notef(t->o, "%s%s model: %zu rows used, %llu dropped; df residual %ld, null %ld; "
	    "log-likelihood %s; deviance %s; null deviance %s; AIC %s%s%s; iterations %d",
	    what, model_family_name(t->o->family), r->n, dropped, r->df_residual, r->df_null,
	    ll, dev, nd, aic, t->o->family == FIT_LINEAR ? "; R2 " : "",
	    t->o->family == FIT_LINEAR ? r2 : "", r->iterations);
}

static const double *
store_row_ctx(const void *s, size_t r)
{
	return store_row_read((struct store *)s, r);   /* the store's own read-back cache */
}

/*
 * Nothing to fit: say what the rows were refused for, the commonest
 * reasons first, with the remedy where the values tell it.
 */
static int
no_rows(const struct train_opts *o, const struct store *s, const char *input, struct diag *d)
{
	const struct acct *a = o->acct;
	char why[DIAG_WHAT_MAX] = "";
	size_t n = 0, k, i, used[3];

	if (a == NULL || a->n_rejected == 0)
		return diag_set(d, input, 0, NULL, NULL, 0, "no rows to fit%s",
		    a != NULL && a->n_in == 0 ? ": the input has no data rows" : "");
	for (k = 0; k < 3 && k < a->n_reasons; k++) {
		size_t best = a->n_reasons;
		for (i = 0; i < a->n_reasons; i++) {
			size_t j;
			for (j = 0; j < k && used[j] != i; j++)
				;
			if (j == k && (best == a->n_reasons || a->reason[i].n > a->reason[best].n))
				best = i;
		}
		used[k] = best;
		n += (size_t)snprintf(why + n, n < sizeof why ? sizeof why - n : 0, "%s%llu %s",
		    k ? "; " : "", a->reason[best].n, a->reason[best].key);
		if (n >= sizeof why)
			n = sizeof why - 1;
	}
	if (a->n_reasons > 3 || a->n_other > 0)
		snprintf(why + n, n < sizeof why ? sizeof why - n : 0, "; ...");
	return diag_set(d, input, 0, NULL, NULL, 0,
	    "no rows to fit: all %llu rows were rejected (%s)%s%s%s", a->n_rejected, why,
	    s->n_decimal_comma > 0 ? "; numbers such as \"" : "",
	    s->n_decimal_comma > 0 ? s->decimal_comma : "",
	    s->n_decimal_comma > 0 ? "\" have a decimal comma: convert them with pr-clean "
	    "--decimal-comma" : "");
}

/*
 * Categorical columns get their levels; the formula learns its
 * data-dependent parameters; then it is built.
 */
static int
set_levels(const struct train_opts *o, struct formula *f, struct store *s, const char *input,
    long price, struct diag *d)
{
	size_t i;

	for (i = 0; i < s->nc; i++) {
		long line;
		const char *value;
		if (s->lv[i] == NULL)
			continue;
		if ((long)i == price)
			return diag_set(d, input, 0, formula_col(f, i), NULL, 0,
			    "the price column must be numeric");
		/* a column of numbers with some text is worth a word */
		if (store_mixed_column(s, i, &line, &value) && !o->quiet)
			notef(o, "%s:%ld: column \"%s\" is categorical: it holds text: \"%s\"",
			    input, line, formula_col(f, i), value);
		if (design_set_levels(f, s, i, d) < 0) {
			snprintf(d->file, sizeof d->file, "%s", input);
			return -1;
		}
	}
	if (s->n == 0)
		return no_rows(o, s, input, d);
	/* knots and orthogonal polynomials from the rows kept */
	if (formula_learn(f, store_row_ctx, s, s->n, d) < 0 || formula_build(f, d) < 0) {
		snprintf(d->file, sizeof d->file, "%s", input);
		return -1;
	}
	if (store_error(s) != 0)
		return diag_errno(d, spill_dir(), store_error(s), "temporary file: read error");
	return 0;
}

/*
 * Shrink every fitted group's coefficients toward the pooled fit (pool.h):
 * per coefficient, the DerSimonian-Laird tau2 over the groups where it is
 * estimated; each group's coefficients are then shrunk jointly with its
 * whole covariance (pool_shrink_joint; one at a time should T + V not be
 * positive definite).  A coefficient aliased in a group gets the pooled
 * value with variance tau2 plus the pooled one (the group says nothing
 * about it); one with fewer than two groups, or aliased in the pooled fit,
 * is not shrunk (tau2 null).  raw_b and raw_se (ng x p) get the raw values;
 * tau2 and used (p) the estimator's.
 */
static void
shrink_groups(const struct trainer *t, const struct fit_result *pooled, struct trained *tg,
    size_t ng, double *raw_b, double *raw_se, double *tau2, size_t *used)
{
	size_t p = t->p, g, j, i;
	double *est = xrealloc(NULL, (ng + 1) * sizeof *est), *var = xrealloc(NULL, (ng + 1) * sizeof *var);
	double *pcov = xrealloc(NULL, p * p * sizeof *pcov), *gcov = xrealloc(NULL, p * p * sizeof *gcov);
	double *post = xrealloc(NULL, p * sizeof *post), *post_cov = xrealloc(NULL, p * p * sizeof *post_cov);

	for (g = 0; g < ng; g++)
		for (j = 0; j < p; j++) {
			int al = tg[g].res.aliased[j];
			raw_b[g * p + j] = al ? NAN : gsl_vector_get(tg[g].res.beta, j);
			raw_se[g * p + j] = al ? NAN : gsl_vector_get(tg[g].res.se, j);
		}
	for (j = 0; j < p; j++) {
		for (g = 0; g < ng; g++) {
			est[g] = raw_b[g * p + j];
			var[g] = raw_se[g * p + j] * raw_se[g * p + j];
		}
		used[j] = pool_dl_tau2(est, var, ng, &tau2[j], NULL, NULL);
		if (pooled->aliased[j])
			tau2[j] = NAN;
	}
	for (i = 0; i < p * p; i++)
		pcov[i] = pooled->cov->data[(i / p) * pooled->cov->tda + i % p];
	for (g = 0; g < ng; g++) {
		struct fit_result *r = &tg[g].res;
		for (i = 0; i < p * p; i++)
			gcov[i] = r->cov->data[(i / p) * r->cov->tda + i % p];
		if (pool_shrink_joint(p, raw_b + g * p, gcov, pooled->beta->data, pcov, tau2, post,
		    post_cov) < 0) {
			/* T + V not positive definite: one coefficient at a time */
			for (j = 0; j < p; j++) {
				double se = raw_se[g * p + j];
				post[j] = pool_shrink(raw_b[g * p + j], se * se, pooled->beta->data[j],
				    pcov[j * p + j], tau2[j], &post_cov[j * p + j]);
				for (i = 0; i < p; i++)
					if (i != j)
						post_cov[j * p + i] = 0;
			}
		}
		for (j = 0; j < p; j++) {
			r->aliased[j] = isnan(post[j]);
			gsl_vector_set(r->beta, j, post[j]);
			gsl_vector_set(r->se, j, r->aliased[j] ? NAN : sqrt(post_cov[j * p + j]));
		}
		for (j = 0; j < p; j++)
			for (i = 0; i < p; i++)
				gsl_matrix_set(r->cov, j, i, r->aliased[j] || r->aliased[i] ? NAN :
				    post_cov[j * p + i]);
	}
	free(est);
	free(var);
	free(pcov);
	free(gcov);
	free(post);
	free(post_cov);
}

/* The sub-model document of a trained (shrunk) fit, its training summary kept. */
static void
rebuild_sub(const struct trainer *t, struct trained *tg, const double *raw_b, const double *raw_se)
{
	size_t p = t->p, i, j;
	double *cov = xrealloc(NULL, p * p * sizeof *cov);
	json_t *training = json_incref(json_object_get(tg->sub, "training"));

	for (i = 0; i < p; i++)
		for (j = 0; j < p; j++)
			cov[i * p + j] = gsl_matrix_get(tg->res.cov, i, j);
	json_decref(tg->sub);
	tg->sub = model_doc_sub(t->f, tg->res.beta->data, tg->res.se->data, cov,
	    tg->res.dispersion, tg->res.df_residual, training);
	model_doc_sub_raw(tg->sub, raw_b, raw_se, p);
	free(cov);
}

/*
 * One model per group, in byte order of the group names, each on its own
 * rows; their documents go into groups, and with --shrink tau2 and used
 * (p each) get the shrinkage's figures.  Returns 0, or -1 with d filled (a
 * failed group under strict).
 */
static int
train_groups(const struct trainer *tp, struct csvio_writer *out, const struct fit_result *pooled,
    json_t *groups, double *tau2, size_t *used, struct diag *d)
{
	struct group_tally tally;
	struct trainer group = *tp, *t = &group;
	const struct train_opts *o = t->o;
	struct store *s = t->s;
	struct design_groups dg;
	size_t ng = strtab_n(s->groups), i, nok = 0;
	struct trained *kept = o->shrink ? xcalloc(ng + 1, sizeof *kept) : NULL;
	const char **kept_name = o->shrink ? xcalloc(ng + 1, sizeof *kept_name) : NULL;
	int rc = 0;

	memset(&tally, 0, sizeof tally);
	t->tally = &tally;
	if (design_groups_open(&dg, s, d) < 0)
		rc = -1;   /* no group is fitted */
	t->s = dg.s;
	for (i = 0; rc == 0 && i < ng; i++) {
		size_t g = dg.order[i], first, nr;
		const size_t *rows;
		const char *gname = strtab_str(s->groups, g, NULL);
		char what[DIAG_VALUE_MAX + 32];
		struct trained tg;
		snprintf(what, sizeof what, "group \"%s\": ", gname);
		if (o->progress != NULL)
			o->progress(o->progress_arg, TRAIN_GROUP, i, ng);
		design_groups_range(&dg, i, &rows, &first, &nr);
		int fit = train_rows(t, rows, first, nr, 0, what, &tg, d);
		if (fit < 0) {
			if (o->strict) {
				rc = -1;
				break;
			}
			if (!o->quiet && !tally_skip(t, &tally.failed)) {
				note_diag(o, d);
				notef(o, "group \"%s\": scored with the pooled model", gname);
			}
			continue;
		}
		if (o->verbose)
			summary(t, what, &tg.res, 0);
		if (kept != NULL) {
			kept[nok] = tg;
			kept_name[nok++] = gname;
			continue;
		}
		put_table(t, out, gname, &tg.res, NULL, NULL);
		json_object_set(groups, gname, tg.sub);
		trained_free(&tg);
	}
	if (kept != NULL) {
		size_t p = t->p;
		double *raw_b = xrealloc(NULL, (nok * p + 1) * sizeof *raw_b);
		double *raw_se = xrealloc(NULL, (nok * p + 1) * sizeof *raw_se);
		if (rc == 0) {
			shrink_groups(t, pooled, kept, nok, raw_b, raw_se, tau2, used);
			for (i = 0; i < nok; i++) {
				put_table(t, out, kept_name[i], &kept[i].res, raw_b + i * p, raw_se + i * p);
				rebuild_sub(t, &kept[i], raw_b + i * p, raw_se + i * p);
				json_object_set(groups, kept_name[i], kept[i].sub);
			}
		}
		for (i = 0; i < nok; i++)
			trained_free(&kept[i]);
		free(raw_b);
		free(raw_se);
	}
	free(kept);
	free(kept_name);
	if (rc == 0)
		tally_note(o, &tally);
	design_groups_close(&dg);
	return rc;
}

long
train_price_col(const struct formula *f, const char **name, struct diag *d)
{
	long price;

	if (*name != NULL) {
		price = formula_col_index(f, *name);
		if (price < 0) {
			diag_set(d, NULL, 0, NULL, NULL, 0, "--price: column \"%s\" is not in the formula", *name);
			return -2;
		}
	} else {
		price = formula_col_index(f, "price");
		if (price >= 0)
			*name = "price";
	}
	if (price >= 0 && (size_t)price == formula_response_col(f)) {
		diag_set(d, NULL, 0, NULL, NULL, 0, "--price: the price column \"%s\" is the response", *name);
		return -2;
	}
	if (price >= 0 && formula_col_forced(f, (size_t)price)) {
		diag_set(d, NULL, 0, NULL, NULL, 0, "--price: the price column \"%s\" cannot be categorical",
		    *name);
		return -2;
	}
	return price;
}

int
train_run(const struct train_opts *o, struct formula *f, struct store *s, const char *input,
    struct csvio_writer *out, json_t **docp, struct diag *d)
{
	struct trainer t;
	struct trained pooled;
	json_t *doc;
	long price = o->price != NULL ? formula_col_index(f, o->price) : -1;

	*docp = NULL;
	if (set_levels(o, f, s, input, price, d) < 0)
		return -1;
	if (formula_check_work(f, s->n, d) < 0) {
		snprintf(d->file, sizeof d->file, "%s", input);
		return -1;
	}
	t.o = o;
	t.f = f;
	t.s = s;
	t.p = formula_ncoef(f);
	t.input = input;
	t.tally = NULL;
	/* the store is needed after the pooled fit only by the groups and the caller */
	if (train_rows(&t, NULL, 0, s->n, o->by == NULL && !o->keep_store, "", &pooled, d) < 0)
		return -1;
	if (o->by)
		csvio_put_str(out, "group");
	csvio_put_str(out, "term");
	csvio_put_str(out, "estimate");
	csvio_put_str(out, "std_error");
	csvio_put_str(out, "statistic");
	csvio_put_str(out, "p_value");
	if (o->shrink) {
		csvio_put_str(out, "raw_estimate");
		csvio_put_str(out, "raw_std_error");
	}
	csvio_end(out);
	put_table(&t, out, o->by ? "" : NULL, &pooled.res, o->shrink ? pooled.res.beta->data : NULL,
	    pooled.res.se->data);
	if (o->verbose)
		summary(&t, o->by ? "pooled " : "", &pooled.res, o->dropped);
	doc = model_doc_new(f, o->family, o->price, o->weight, o->l2);
	json_object_update(doc, pooled.sub);
	if (o->response_log || formula_response_log(f))
		model_doc_log_response(doc, o->response_log, o->retransform);
	if (o->by) {
		json_t *groups = json_object();
		double *tau2 = xcalloc(t.p + 1, sizeof *tau2);
		size_t *used = xcalloc(t.p + 1, sizeof *used);
		int rc = train_groups(&t, out, &pooled.res, groups, tau2, used, d);
		model_doc_finish(doc, o->by, groups, pooled.sub, o->dropped);
		if (o->shrink && rc == 0)
			model_doc_shrink(doc, f, tau2, used);
		free(tau2);
		free(used);
		json_decref(groups);
		if (rc < 0) {
			json_decref(doc);
			trained_free(&pooled);
			return -1;
		}
	} else {
		model_doc_finish(doc, NULL, NULL, NULL, o->dropped);
	}
	trained_free(&pooled);
	*docp = doc;
	return 0;
}

int
train_write_fitted(const struct train_opts *o, struct store *s, const struct formula *f,
    json_t *doc, FILE *fp, const char *path, struct diag *d)
{
	const char *by = o->by;
	struct design_split split = { o->holdout, o->folds, o->seed };
	int validated = o->holdout > 0 || o->folds > 0;
	struct model *m = model_from_json(doc, path, d);
	struct model_eval *e = NULL;
	struct csvio_row hdr, row;
	struct csvio_writer *w;
	size_t nf = s->nc + 1, i, r;
	char (*buf)[NUM_BUFSZ];
	int rc = -1, err;

	if (m == NULL)
		return -1;
	hdr.n = nf;
	hdr.f = xrealloc(NULL, nf * sizeof *hdr.f);
	hdr.len = xrealloc(NULL, nf * sizeof *hdr.len);
	row.n = nf;
	row.f = xrealloc(NULL, nf * sizeof *row.f);
	row.len = xrealloc(NULL, nf * sizeof *row.len);
	buf = xrealloc(NULL, nf * sizeof *buf);
	for (i = 0; i < s->nc; i++)
		hdr.f[i] = (char *)formula_col(f, i);
	hdr.f[s->nc] = (char *)(by ? by : "");
	e = model_bind(m, &hdr, path, NULL, d);
	if (e == NULL)
		goto done;
	w = csvio_writer_new(fp, ',');
	if (w == NULL)
		xalloc_die();
	csvio_put_str(w, "line");
	csvio_put_str(w, model_pred_name(m));
	if (validated)
		csvio_put_str(w, o->folds > 0 ? "fold" : "holdout");
	csvio_end(w);
	for (r = 0; r < s->n; r++) {
		/* in order: one read of the temporary file a chunk */
		const double *v = store_row_read(s, r);
		for (i = 0; i < s->nc; i++) {
			if (s->lv[i] != NULL) {
				row.f[i] = (char *)strtab_str(s->lv[i], (size_t)v[i], &row.len[i]);
			} else {
				row.len[i] = num_format(v[i], buf[i]);
				row.f[i] = buf[i];
			}
		}
		row.f[s->nc] = (char *)(s->groups ? strtab_str(s->groups, store_row_group(s, v),
		    &row.len[s->nc]) : "");
		if (!s->groups)
			row.len[s->nc] = 0;
		row.line = store_line(s, r);
		csvio_put_long(w, row.line);
		if (model_eval_row(e, &row, d) < 0)
			csvio_put_num(w, NAN);
		else
			csvio_put_num(w, model_eval_mean(e, model_eval_row_price(e), NULL));
		if (validated)
			csvio_put_long(w, design_row_fold(&split, f, v, s->nc, s->weighted) + 1);
		csvio_end(w);
	}
	if (store_error(s) != 0) {
		(void)csvio_writer_free(w);
		diag_errno(d, spill_dir(), store_error(s), "temporary file: read error");
		goto done;
	}
	if ((err = csvio_writer_free(w)) != 0) {
		diag_errno(d, path, err, "write error");
		goto done;
	}
	rc = 0;
done:
	model_eval_free(e);
	model_free(m);
	free(hdr.f);
	free(hdr.len);
	free(row.f);
	free(row.len);
	free(buf);
	return rc;
}
