/* model.c - see model.h.  The file format is described in pr-train(1), MODEL FILE. */
#include "model.h"
#include "suggest.h"
#include "atomic.h"
#include "field.h"
#include "jsonfile.h"
#include "num.h"
#include "strtab.h"
#include "xalloc.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include <gsl/gsl_cdf.h>

#define MODEL_FORMAT "pr-model"
#define MODEL_VERSION 1

struct submodel {
	double *beta;        /* p; aliased coefficients are 0 here, as R's predict treats NA */
	double *cov;         /* p x p, row-major; aliased rows and columns 0 */
	double dispersion;
	long df_residual;
	double log_shift;    /* a model of a log: its mean is exp(eta + log_shift) */
	double *est, *se;    /* p, as in the file (NaN for aliased), for reports */
	struct model_stat *stat;   /* the numbers of "training" */
	size_t nstat;
};

struct model {
	json_t *doc;
	char *name;
	struct formula *f;
	enum fit_family family;
	int log_response;    /* model_log_response */
	int scale_log;       /* the response column holds a log ("response_scale": "log") */
	enum model_retransform retransform;
	long price;          /* formula column of the price, or -1 */
	char *price_name;
	char *group_col;     /* NULL unless --by */
	double l2;
	struct strtab *groups;
	struct submodel *sub;    /* one per group */
	struct submodel top;     /* the single or pooled model */
	size_t p;
};

struct model_eval {
	const struct model *m;
	long *in;            /* input column of each formula column, -1 for the response */
	char *cat;           /* formula column is categorical */
	long group_in;       /* input column of the group, or -1 */
	long price;          /* formula column of the price, or -1 */
	double *val, *x, *dx, *work;
	const struct submodel *cur;
	const char *group;   /* current group name, or NULL */
	int pooled;
	double row_price;
	const char *name;
	/*
	 * The formula's part that depends on the price, and whether x, dx
	 * and work hold the current row's other columns (a full formula_eval
	 * since the row or a non-price value was set): then a new price
	 * evaluates only that part (pr-optimize tries many prices a row).
	 */
	struct formula_subset *sub;
	int rest_ok;
};

const char *
model_family_name(enum fit_family f)
{
	return f == FIT_LOGISTIC ? "logistic" : f == FIT_POISSON ? "poisson" : "linear";
}

int
model_family_parse(const char *name)
{
	/* R's glm family names too */
	if (strcmp(name, "linear") == 0 || strcmp(name, "gaussian") == 0)
		return FIT_LINEAR;
	if (strcmp(name, "logistic") == 0 || strcmp(name, "binomial") == 0)
		return FIT_LOGISTIC;
	if (strcmp(name, "poisson") == 0)
		return FIT_POISSON;
	return -1;
}

static const char *const retransform_names[] = { "normal", "smearing", "naive", NULL };

const char *
model_retransform_name(enum model_retransform r)
{
	return retransform_names[r];
}

int
model_retransform_parse(const char *name)
{
	int i;

	for (i = 0; retransform_names[i] != NULL; i++)
		if (strcmp(name, retransform_names[i]) == 0)
			return i;
	return -1;
}

/* A number, or null for NaN and infinities (JSON has neither). */
static json_t *
jnum(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

json_t *
model_doc_new(const struct formula *f, enum fit_family fam, const char *price_col,
    const char *weight_col, double l2)
{
	json_t *doc = json_object(), *cols = json_array(), *terms = json_array(),
	    *names = json_array();
	size_t i, k;

	json_object_set_new(doc, "format", json_string(MODEL_FORMAT));
	json_object_set_new(doc, "version", json_integer(MODEL_VERSION));
	json_object_set_new(doc, "formula", json_string(formula_text(f)));
	if (formula_npredvars(f) > 0) {
		/* what the formula learned from the data (knots, poly's coefs), as R's predvars */
		json_t *pv = json_array();
		for (i = 0; i < formula_npredvars(f); i++) {
			char *call = formula_predvar(f, i);
			json_array_append_new(pv, json_string(call));
			free(call);
		}
		json_object_set_new(doc, "predvars", pv);
	}
	json_object_set_new(doc, "family", json_string(model_family_name(fam)));
	json_object_set_new(doc, "response", json_string(formula_col(f, formula_response_col(f))));
	json_object_set_new(doc, "response_log", json_boolean(formula_response_log(f)));
	json_object_set_new(doc, "price_column", price_col ? json_string(price_col) : json_null());
	json_object_set_new(doc, "weight_column", weight_col ? json_string(weight_col) : json_null());
	json_object_set_new(doc, "l2", json_real(l2));
	for (i = 0; i < formula_ncols(f); i++) {
		json_t *c = json_object();
		json_object_set_new(c, "name", json_string(formula_col(f, i)));
		if (formula_col_categorical(f, i)) {
			json_t *lv = json_array();
			json_object_set_new(c, "kind", json_string("categorical"));
			for (k = 0; k < formula_nlevels(f, i); k++)
				json_array_append_new(lv, json_string(formula_level(f, i, k)));
			json_object_set_new(c, "levels", lv);
		} else {
			json_object_set_new(c, "kind", json_string("numeric"));
		}
		json_array_append_new(cols, c);
	}
	json_object_set_new(doc, "columns", cols);
	for (i = 0; i < formula_nterms(f); i++)
		json_array_append_new(terms, json_string(formula_term_label(f, i)));
	json_object_set_new(doc, "terms", terms);
	for (i = 0; i < formula_ncoef(f); i++)
		json_array_append_new(names, json_string(formula_coef_name(f, i)));
	json_object_set_new(doc, "coefficient_names", names);
	return doc;
}

json_t *
model_doc_sub(const struct formula *f, const double *beta, const double *se, const double *cov,
    double dispersion, long df_residual, json_t *training)
{
	json_t *sub = json_object(), *co = json_array(), *cv = json_array();
	size_t p = formula_ncoef(f), i, j;

	for (i = 0; i < p; i++) {
		json_t *c = json_object(), *row = json_array();
		json_object_set_new(c, "term", json_string(formula_coef_name(f, i)));
		json_object_set_new(c, "estimate", jnum(beta[i]));
		json_object_set_new(c, "std_error", jnum(se[i]));
		json_array_append_new(co, c);
		for (j = 0; j < p; j++)
			json_array_append_new(row, jnum(cov[i * p + j]));
		json_array_append_new(cv, row);
	}
	json_object_set_new(sub, "coefficients", co);
	json_object_set_new(sub, "covariance", cv);
	json_object_set_new(sub, "dispersion", jnum(dispersion));
	json_object_set_new(sub, "df_residual", json_integer(df_residual));
	json_object_set_new(sub, "training", training ? training : json_object());
	return sub;
}

void
model_doc_log_response(json_t *doc, int response_scale_log, enum model_retransform r)
{
	if (response_scale_log)
		json_object_set_new(doc, "response_scale", json_string("log"));
	json_object_set_new(doc, "retransform", json_string(model_retransform_name(r)));
}

void
model_doc_smearing(json_t *sub, double factor)
{
	json_object_set_new(sub, "smearing", jnum(factor));
}

json_t *
model_doc_validation(enum fit_family fam, const struct model_validation *v)
{
	json_t *o = json_object();

	json_object_set_new(o, "n", json_integer((json_int_t)v->n));
	if (v->n > 0 && fam == FIT_LINEAR) {
		json_object_set_new(o, "rmse", json_real(v->rmse));
		json_object_set_new(o, "mae", json_real(v->mae));
		json_object_set_new(o, "r2", jnum(v->r2));
	} else if (v->n > 0 && fam == FIT_LOGISTIC) {
		json_object_set_new(o, "log_loss", json_real(v->log_loss));
		json_object_set_new(o, "auc", jnum(v->auc));
		json_object_set_new(o, "auc_bound", jnum(v->auc_bound));
		json_object_set_new(o, "brier", json_real(v->brier));
		json_object_set_new(o, "accuracy", json_real(v->accuracy));
	} else if (v->n > 0) {
		json_object_set_new(o, "deviance", json_real(v->deviance));
		json_object_set_new(o, "mean_deviance", json_real(v->deviance / (double)v->n));
	}
	json_object_set_new(o, "method", json_string(v->folds_method ? "folds" : "holdout"));
	if (v->folds_method)
		json_object_set_new(o, "folds", json_integer(v->folds));
	else
		json_object_set_new(o, "fraction", json_real(v->fraction));
	json_object_set_new(o, "seed", json_integer((json_int_t)v->seed));
	return o;
}

json_t *
model_doc_training(enum fit_family fam, const struct fit_result *r,
    const struct model_validation *v)
{
	json_t *tr = json_object();

	json_object_set_new(tr, "n", json_integer((json_int_t)r->n));
	json_object_set_new(tr, "rank", json_integer((json_int_t)r->rank));
	json_object_set_new(tr, "df_residual", json_integer(r->df_residual));
	json_object_set_new(tr, "df_null", json_integer(r->df_null));
	json_object_set_new(tr, "loglik", jnum(r->loglik));
	json_object_set_new(tr, "deviance", jnum(r->deviance));
	json_object_set_new(tr, "null_deviance", jnum(r->null_deviance));
	json_object_set_new(tr, "aic", jnum(r->aic));
	json_object_set_new(tr, "r2", jnum(r->r2));
	json_object_set_new(tr, "adj_r2", jnum(r->adj_r2));
	json_object_set_new(tr, "iterations", json_integer(r->iterations));
	if (v != NULL)
		json_object_set_new(tr, "validation", model_doc_validation(fam, v));
	return tr;
}

void
model_doc_finish(json_t *doc, const char *by_column, json_t *groups, json_t *pooled,
    unsigned long long dropped)
{
	if (by_column != NULL) {
		json_t *by = json_object();
		json_object_set_new(by, "column", json_string(by_column));
		json_object_set(by, "groups", groups);
		json_object_set(by, "pooled", pooled);
		json_object_set_new(doc, "by", by);
	}
	json_object_set_new(json_object_get(doc, "training"), "dropped",
	    json_integer((json_int_t)dropped));
}

int
model_write(const json_t *doc, FILE *fp, const char *path, struct diag *d)
{
	errno = 0;
	if (json_dumpf(doc, fp, JSON_INDENT(1) | JSON_REAL_PRECISION(17)) != 0 ||
	    fputc('\n', fp) == EOF)
		return diag_errno(d, path, errno ? errno : EIO, "write error");
	return 0;
}

void
model_doc_sub_raw(json_t *sub, const double *raw_beta, const double *raw_se, size_t p)
{
	json_t *co = json_object_get(sub, "coefficients");
	size_t i;

	for (i = 0; i < p; i++) {
		json_t *c = json_array_get(co, i);
		json_object_set_new(c, "raw_estimate", jnum(raw_beta[i]));
		json_object_set_new(c, "raw_std_error", jnum(raw_se[i]));
	}
}

void
model_doc_shrink(json_t *doc, const struct formula *f, const double *tau2, const size_t *groups)
{
	json_t *by = json_object_get(doc, "by");
	json_t *sh = json_object(), *t2 = json_array(), *ng = json_array();
	size_t i;

	for (i = 0; i < formula_ncoef(f); i++) {
		json_array_append_new(t2, jnum(tau2[i]));
		json_array_append_new(ng, json_integer((json_int_t)groups[i]));
	}
	json_object_set_new(sh, "method", json_string("DerSimonian-Laird"));
	json_object_set_new(sh, "center", json_string("pooled"));
	json_object_set_new(sh, "tau2", t2);
	json_object_set_new(sh, "groups", ng);
	json_object_set_new(by, "shrink", sh);
}

int
model_save(const json_t *doc, const char *path, struct diag *d)
{
	struct atomic_file *af = atomic_open(path, d);

	if (af == NULL)
		return -1;
	if (model_write(doc, atomic_fp(af), path, d) < 0) {
		atomic_abort(af);
		return -1;
	}
	return atomic_commit(af, d);
}

/* ---- loading ---- */

/*
 * Every field is checked for its type and range, and a message names its
 * path as jq writes it (coefficients[3].estimate, by.groups["north"]...):
 * a value of the wrong type was once read as 0 ("estimate": "NaN"), which
 * sent pr-optimize's prices to their bounds without a word.
 */
static int
bad(struct diag *d, const struct model *m, const char *what)
{
	return diag_set(d, m->name, 0, NULL, NULL, 0, "not a valid model: %s", what);
}

/* What a value is, for "expected X, found Y": its JSON text when short, else its type. */
static void
found(const json_t *v, char *buf, size_t size)
{
	char *text;

	if (v == NULL) {
		snprintf(buf, size, "nothing");
		return;
	}
	if (json_is_object(v) || json_is_array(v)) {
		snprintf(buf, size, "%s", json_is_object(v) ? "an object" : "an array");
		return;
	}
	if (json_is_real(v)) {
		/* the shortest text that reads back (-0.1, not -0.10000000000000001) */
		char nb[NUM_BUFSZ];
		nb[num_format(json_real_value(v), nb)] = '\0';
		snprintf(buf, size, "%s%s", nb, strpbrk(nb, ".eEn") ? "" : ".0");
		return;
	}
	text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	if (text == NULL)
		xalloc_die();
	if (strlen(text) > 40)
		snprintf(buf, size, "%.37s...", text);
	else
		snprintf(buf, size, "%s", text);
	free(text);
}

/* "not a valid model: PATH: expected WANT, found ..." (or "missing" when v is NULL). */
static int
bad_field(struct diag *d, const struct model *m, const char *path, const char *want,
    const json_t *v)
{
	char f[64];

	if (v == NULL)
		return diag_set(d, m->name, 0, NULL, NULL, 0, "not a valid model: %s: missing", path);
	found(v, f, sizeof f);
	return diag_set(d, m->name, 0, NULL, NULL, 0, "not a valid model: %s: expected %s, found %s",
	    path, want, f);
}

/*
 * A number field: a JSON number, or null when nullok (then *x is NaN).
 * min is the least value allowed (-HUGE_VAL for any).  JSON has no NaN or
 * infinity, so every number read is finite.
 */
static int
get_num(struct diag *d, const struct model *m, const json_t *v, const char *path, int nullok,
    double min, double *x)
{
	if (nullok && json_is_null(v)) {
		*x = NAN;
		return 0;
	}
	if (!json_is_number(v))
		return bad_field(d, m, path, nullok ? "a number or null" : "a number", v);
	*x = json_number_value(v);
	if (!isfinite(*x) || *x < min)
		return bad_field(d, m, path, min == 0 ? "a number >= 0" : "a finite number", v);
	return 0;
}

/* An optional array of strings that must equal want(f, i) for i < n. */
static int
check_names(struct diag *d, const struct model *m, const json_t *v, const char *key, size_t n,
    const char *(*want)(const struct formula *, size_t))
{
	char path[96], w[DIAG_VALUE_MAX + 8];
	size_t i;

	if (v == NULL)
		return 0;
	if (!json_is_array(v))
		return bad_field(d, m, key, "an array", v);
	if (json_array_size(v) != n) {
		snprintf(w, sizeof w, "%zu names (the formula's)", n);
		snprintf(path, sizeof path, "%s", key);
		diag_set(d, m->name, 0, NULL, NULL, 0,
		    "not a valid model: %s: expected %s, found %zu", path, w, json_array_size(v));
		return -1;
	}
	for (i = 0; i < n; i++) {
		const json_t *e = json_array_get(v, i);
		if (!json_is_string(e) || strcmp(json_string_value(e), want(m->f, i)) != 0) {
			snprintf(path, sizeof path, "%s[%zu]", key, i);
			snprintf(w, sizeof w, "\"%.*s\"", DIAG_VALUE_MAX, want(m->f, i));
			return bad_field(d, m, path, w, e);
		}
	}
	return 0;
}

/*
 * One fitted model: coefficients (term as the formula names it, estimate
 * a number or null when aliased, std_error a number >= 0 or null),
 * covariance (p x p of numbers or null), dispersion (>= 0 or null),
 * df_residual (an integer >= 0), training (optional: an object of numbers,
 * nulls and the validation object).  at is the path of o ("" or
 * "by.pooled." ...).
 */
static int
load_sub(struct model *m, const json_t *o, const char *at, struct submodel *s, struct diag *d)
{
	const json_t *co = json_object_get(o, "coefficients"), *cv = json_object_get(o, "covariance"),
	    *v, *tr;
	size_t p = m->p, i, j;
	char path[600];
	double x;
	const char *key;

	snprintf(path, sizeof path, "%scoefficients", at);
	if (!json_is_array(co))
		return bad_field(d, m, path, "an array", co);
	if (json_array_size(co) != p)
		return diag_set(d, m->name, 0, NULL, NULL, 0,
		    "not a valid model: %s: expected %zu coefficients (the formula's), found %zu",
		    path, p, json_array_size(co));
	snprintf(path, sizeof path, "%scovariance", at);
	if (!json_is_array(cv))
		return bad_field(d, m, path, "an array", cv);
	if (json_array_size(cv) != p)
		return diag_set(d, m->name, 0, NULL, NULL, 0,
		    "not a valid model: %s: expected %zu rows, found %zu", path, p, json_array_size(cv));
	/* only now: p x p for a file that does not hold as many numbers would
	 * ask for gigabytes (200,000 levels) */
	s->beta = xcalloc(p, sizeof *s->beta);
	s->cov = xcalloc(p * p, sizeof *s->cov);
	s->est = xcalloc(p, sizeof *s->est);
	s->se = xcalloc(p, sizeof *s->se);
	for (i = 0; i < p; i++) {
		const json_t *c = json_array_get(co, i), *row = json_array_get(cv, i);
		char w[DIAG_VALUE_MAX + 8];
		snprintf(path, sizeof path, "%scoefficients[%zu]", at, i);
		if (!json_is_object(c))
			return bad_field(d, m, path, "an object", c);
		v = json_object_get(c, "term");
		snprintf(path, sizeof path, "%scoefficients[%zu].term", at, i);
		snprintf(w, sizeof w, "\"%.*s\"", DIAG_VALUE_MAX, formula_coef_name(m->f, i));
		if (!json_is_string(v) || strcmp(json_string_value(v), formula_coef_name(m->f, i)) != 0)
			return bad_field(d, m, path, w, v);
		snprintf(path, sizeof path, "%scoefficients[%zu].estimate", at, i);
		if (get_num(d, m, json_object_get(c, "estimate"), path, 1, -HUGE_VAL, &x) < 0)
			return -1;
		s->est[i] = x;
		s->beta[i] = isnan(x) ? 0 : x;   /* aliased: 0, as R's predict treats NA */
		snprintf(path, sizeof path, "%scoefficients[%zu].std_error", at, i);
		if (get_num(d, m, json_object_get(c, "std_error"), path, 1, 0, &s->se[i]) < 0)
			return -1;
		snprintf(path, sizeof path, "%scovariance[%zu]", at, i);
		if (!json_is_array(row))
			return bad_field(d, m, path, "an array", row);
		if (json_array_size(row) != p)
			return diag_set(d, m->name, 0, NULL, NULL, 0,
			    "not a valid model: %s: expected %zu numbers, found %zu", path, p,
			    json_array_size(row));
		for (j = 0; j < p; j++) {
			snprintf(path, sizeof path, "%scovariance[%zu][%zu]", at, i, j);
			if (get_num(d, m, json_array_get(row, j), path, 1, i == j ? 0 : -HUGE_VAL, &x) < 0)
				return -1;
			s->cov[i * p + j] = x;
		}
	}
	/*
	 * A missing covariance is 0 where an aliased coefficient (estimate
	 * null, taken as 0) is involved, and stays NaN otherwise: a variance
	 * that overflowed must give an empty standard error, not one that
	 * leaves its term out.
	 */
	for (i = 0; i < p; i++) {
		const json_t *ei = json_object_get(json_array_get(co, i), "estimate");
		for (j = 0; j < p; j++) {
			const json_t *ej = json_object_get(json_array_get(co, j), "estimate");
			if (isnan(s->cov[i * p + j]) && (json_is_null(ei) || json_is_null(ej)))
				s->cov[i * p + j] = 0;
		}
	}
	snprintf(path, sizeof path, "%sdispersion", at);
	if (get_num(d, m, json_object_get(o, "dispersion"), path, 1, 0, &s->dispersion) < 0)
		return -1;
	if (isnan(s->dispersion))
		s->dispersion = 1;
	v = json_object_get(o, "smearing");
	snprintf(path, sizeof path, "%ssmearing", at);
	if (m->log_response && m->retransform == MODEL_RETRANSFORM_SMEARING) {
		if (!json_is_number(v) || !(json_number_value(v) > 0))
			return bad_field(d, m, path, "a number > 0 (\"retransform\" is \"smearing\")", v);
		s->log_shift = log(json_number_value(v));
	} else if (v != NULL) {
		return diag_set(d, m->name, 0, NULL, NULL, 0,
		    "not a valid model: %s: given, but \"retransform\" is not \"smearing\"", path);
	}
	v = json_object_get(o, "df_residual");
	snprintf(path, sizeof path, "%sdf_residual", at);
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return bad_field(d, m, path, "an integer >= 0", v);
	s->df_residual = (long)json_integer_value(v);
	/*
	 * normal: exp(eta + sigma^2/2).  Without residual degrees of freedom
	 * sigma^2 cannot be estimated (R's lm: NaN); the factor is then 1, as
	 * Duan's smearing of the residuals (all 0) and the ML variance (0)
	 * give, and as R's exp(predict(fit)).
	 */
	if (m->retransform == MODEL_RETRANSFORM_NORMAL)
		s->log_shift = s->df_residual > 0 ? s->dispersion / 2 : 0;
	tr = json_object_get(o, "training");
	snprintf(path, sizeof path, "%straining", at);
	if (tr != NULL && !json_is_object(tr))
		return bad_field(d, m, path, "an object", tr);
	s->stat = xcalloc(json_object_size(tr), sizeof *s->stat);
	json_object_foreach((json_t *)tr, key, v) {
		int ok = strcmp(key, "validation") == 0 ? json_is_object(v) :
		    json_is_number(v) || json_is_null(v);
		if (!ok) {
			snprintf(path, sizeof path, "%straining.%.64s", at, key);
			return bad_field(d, m, path, strcmp(key, "validation") == 0 ? "an object" :
			    "a number or null", v);
		}
		if (json_is_number(v)) {
			s->stat[s->nstat].name = key;   /* the document's, held by m->doc */
			s->stat[s->nstat].value = json_number_value(v);
			s->stat[s->nstat].integer = json_is_integer(v);
			s->nstat++;
		}
	}
	return 0;
}

static void
free_sub(struct submodel *s)
{
	free(s->beta);
	free(s->cov);
	free(s->est);
	free(s->se);
	free(s->stat);
}

/* The levels of column fi from columns[i].levels (an array of strings). */
/* "predvars": the formula's data-dependent parameters (formula_set_predvars), when it has any. */
static int
load_predvars(struct model *m, const json_t *pv, struct diag *d)
{
	size_t n = formula_npredvars(m->f), i;
	char **calls;
	int rc;

	if (n == 0 && pv == NULL)
		return 0;
	if (pv == NULL) {
		const char *label = formula_predvar_label(m->f, 0);
		if (strncmp(label, "poly(", 5) == 0)
			return diag_set(d, m->name, 0, NULL, label, strlen(label),
			    "not a valid model: no \"predvars\" for an orthogonal polynomial (a model from "
			    "before poly() was orthogonal meant poly(..., raw = TRUE): train it again)");
		return diag_set(d, m->name, 0, NULL, label, strlen(label),
		    "not a valid model: no \"predvars\" (the knots) for a spline");
	}
	if (!json_is_array(pv) || json_array_size(pv) != n) {
		char w[64];
		snprintf(w, sizeof w, "an array of %zu strings (the formula's)", n);
		return bad_field(d, m, "predvars", w, pv);
	}
	calls = xcalloc(n + 1, sizeof *calls);
	for (i = 0; i < n; i++) {
		if (!json_is_string(json_array_get(pv, i))) {
			char path[32];
			free(calls);
			snprintf(path, sizeof path, "predvars[%zu]", i);
			return bad_field(d, m, path, "a string", json_array_get(pv, i));
		}
		calls[i] = (char *)json_string_value(json_array_get(pv, i));
	}
	rc = formula_set_predvars(m->f, calls, n, d);
	free(calls);
	if (rc < 0) {
		char what[DIAG_WHAT_MAX];
		diag_format(d, what, sizeof what);
		return diag_set(d, m->name, 0, NULL, NULL, 0, "not a valid model: \"predvars\": %s", what);
	}
	return 0;
}

static int
load_levels(struct model *m, const json_t *lv, size_t i, long fi, struct diag *d)
{
	char path[96], what[400];
	char **levels;
	size_t k, n;
	int r;

	snprintf(path, sizeof path, "columns[%zu].levels", i);
	if (!json_is_array(lv))
		return bad_field(d, m, path, "an array of strings", lv);
	n = json_array_size(lv);
	levels = xcalloc(n + 1, sizeof *levels);
	for (k = 0; k < n; k++) {
		const json_t *e = json_array_get(lv, k);
		if (!json_is_string(e)) {
			free(levels);
			snprintf(path, sizeof path, "columns[%zu].levels[%zu]", i, k);
			return bad_field(d, m, path, "a string", e);
		}
		levels[k] = (char *)json_string_value(e);
	}
	r = formula_set_levels(m->f, (size_t)fi, levels, n, d);
	free(levels);
	if (r < 0) {
		/* "level given twice", "needs at least two levels"...: keep the value */
		snprintf(what, sizeof what, "%.380s", d->what);
		snprintf(d->what, sizeof d->what, "not a valid model: %.90s: %.380s", path, what);
		snprintf(d->file, sizeof d->file, "%s", m->name);
		d->column[0] = '\0';
		return -1;
	}
	return 0;
}

/* The top of a document: format, version, formula (with its learned parameters), family,
 * response, weight column and penalty. */
static int
load_head(struct model *m, const json_t *doc, struct diag *d)
{
	const json_t *v;
	const char *fam;

	v = json_object_get(doc, "format");
	if (!json_is_object(doc) || !json_is_string(v) || strcmp(json_string_value(v), MODEL_FORMAT) != 0) {
		diag_set(d, m->name, 0, NULL, NULL, 0, "not a pr-model file (no \"format\": \"pr-model\")");
		return -1;
	}
	v = json_object_get(doc, "version");
	if (json_is_integer(v) && json_integer_value(v) != MODEL_VERSION) {
		diag_set(d, m->name, 0, NULL, NULL, 0,
		    "model format version %lld is not supported (this program reads version %d)",
		    (long long)json_integer_value(v), MODEL_VERSION);
		return -1;
	}
	if (!json_is_integer(v)) {
		bad_field(d, m, "version", "the integer 1", v);
		return -1;
	}
	v = json_object_get(doc, "formula");
	if (!json_is_string(v)) {
		bad_field(d, m, "formula", "a string", v);
		return -1;
	}
	m->f = formula_parse(json_string_value(v), d);
	if (m->f == NULL) {
		char what[DIAG_WHAT_MAX];
		snprintf(what, sizeof what, "%s", d->what);
		diag_set(d, m->name, 0, NULL, NULL, 0, "not a valid model: %s", what);
		return -1;
	}
	if (load_predvars(m, json_object_get(doc, "predvars"), d) < 0)
		return -1;
	fam = json_string_value(json_object_get(doc, "family"));
	if (fam == NULL || model_family_parse(fam) < 0) {
		bad(d, m, "\"family\" is not linear, logistic or poisson");
		return -1;
	}
	m->family = (enum fit_family)model_family_parse(fam);
	v = json_object_get(doc, "response");
	if (!json_is_string(v) ||
	    strcmp(json_string_value(v), formula_col(m->f, formula_response_col(m->f))) != 0) {
		char w[DIAG_COL_MAX + 32];
		snprintf(w, sizeof w, "\"%.*s\" (the formula's)", DIAG_COL_MAX,
		    formula_col(m->f, formula_response_col(m->f)));
		bad_field(d, m, "response", w, v);
		return -1;
	}
	v = json_object_get(doc, "response_log");
	if (!json_is_boolean(v) || json_is_true(v) != formula_response_log(m->f)) {
		bad_field(d, m, "response_log", formula_response_log(m->f) ? "true (the formula's)" :
		    "false (the formula's)", v);
		return -1;
	}
	/* both optional: a file from before them is of a column as it is, retransformed normally */
	v = json_object_get(doc, "response_scale");
	if (v != NULL && (!json_is_string(v) || (strcmp(json_string_value(v), "log") != 0 &&
	    strcmp(json_string_value(v), "identity") != 0))) {
		bad_field(d, m, "response_scale", "\"log\" or \"identity\"", v);
		return -1;
	}
	m->scale_log = v != NULL && strcmp(json_string_value(v), "log") == 0;
	if (m->scale_log && (formula_response_log(m->f) || m->family != FIT_LINEAR)) {
		bad(d, m, formula_response_log(m->f) ?
		    "response_scale: \"log\", and the formula takes the log of the response too" :
		    "response_scale: \"log\" for a family that is not linear");
		return -1;
	}
	m->log_response = m->scale_log || (formula_response_log(m->f) && m->family == FIT_LINEAR);
	v = json_object_get(doc, "retransform");
	if (v != NULL && !m->log_response) {
		bad(d, m, "retransform: given, but the model is not of a log");
		return -1;
	}
	if (v != NULL && (!json_is_string(v) || model_retransform_parse(json_string_value(v)) < 0)) {
		bad_field(d, m, "retransform", "\"normal\", \"smearing\" or \"naive\"", v);
		return -1;
	}
	m->retransform = v == NULL ? MODEL_RETRANSFORM_NORMAL :
	    (enum model_retransform)model_retransform_parse(json_string_value(v));
	v = json_object_get(doc, "weight_column");
	if (v != NULL && !json_is_string(v) && !json_is_null(v)) {
		bad_field(d, m, "weight_column", "a string or null", v);
		return -1;
	}
	v = json_object_get(doc, "l2");
	if (v != NULL && get_num(d, m, v, "l2", 0, 0, &m->l2) < 0)
		return -1;
	return 0;
}

/* The columns with their kinds and levels; then the formula is built and its names checked. */
static int
load_columns(struct model *m, const json_t *doc, struct diag *d)
{
	const json_t *cols;
	char *listed = NULL;
	char path[600];
	size_t i;
	int rc = -1;

	cols = json_object_get(doc, "columns");
	if (!json_is_array(cols)) {
		bad_field(d, m, "columns", "an array", cols);
		goto done;
	}
	/* each formula column at most once; one not listed is numeric (a
	 * C() column then fails in formula_build) */
	listed = xcalloc(formula_ncols(m->f) + 1, 1);
	for (i = 0; i < json_array_size(cols); i++) {
		const json_t *c = json_array_get(cols, i), *cn = json_object_get(c, "name"),
		    *kind = json_object_get(c, "kind");
		long fi;
		snprintf(path, sizeof path, "columns[%zu]", i);
		if (!json_is_object(c)) {
			bad_field(d, m, path, "an object", c);
			goto done;
		}
		snprintf(path, sizeof path, "columns[%zu].name", i);
		if (!json_is_string(cn)) {
			bad_field(d, m, path, "a string", cn);
			goto done;
		}
		fi = formula_col_index(m->f, json_string_value(cn));
		if (fi < 0 || listed[fi]) {
			diag_set(d, m->name, 0, NULL, json_string_value(cn), json_string_length(cn),
			    "not a valid model: %s: %s", path, fi < 0 ? "not a column of the formula" :
			    "listed twice");
			goto done;
		}
		listed[fi] = 1;
		snprintf(path, sizeof path, "columns[%zu].kind", i);
		if (!json_is_string(kind) || (strcmp(json_string_value(kind), "numeric") != 0 &&
		    strcmp(json_string_value(kind), "categorical") != 0)) {
			bad_field(d, m, path, "\"numeric\" or \"categorical\"", kind);
			goto done;
		}
		if (strcmp(json_string_value(kind), "categorical") == 0 &&
		    load_levels(m, json_object_get(c, "levels"), i, fi, d) < 0)
			goto done;
	}
	if (formula_build(m->f, d) < 0) {
		char what[DIAG_WHAT_MAX];
		diag_format(d, what, sizeof what);
		diag_set(d, m->name, 0, NULL, NULL, 0, "not a valid model: the formula's terms cannot be built: %s",
		    what);
		goto done;
	}
	m->p = formula_ncoef(m->f);
	if (check_names(d, m, json_object_get(doc, "terms"), "terms", formula_nterms(m->f),
	    formula_term_label) < 0 ||
	    check_names(d, m, json_object_get(doc, "coefficient_names"), "coefficient_names",
	    m->p, formula_coef_name) < 0)
		goto done;
	rc = 0;
done:
	free(listed);
	return rc;
}

/* The price column: a numeric column of the formula, or null. */
static int
load_price(struct model *m, const json_t *doc, struct diag *d)
{
	const json_t *v;

	v = json_object_get(doc, "price_column");
	if (json_is_string(v)) {
		m->price_name = xstrdup(json_string_value(v));
		m->price = formula_col_index(m->f, m->price_name);
		if (m->price < 0 || formula_col_categorical(m->f, (size_t)m->price)) {
			bad(d, m, "\"price_column\" is not a numeric column of the formula");
			return -1;
		}
	} else if (!json_is_null(v)) {
		bad_field(d, m, "price_column", "a string or null", v);
		return -1;
	}
	return 0;
}

/* The groups of a model trained by group: "by" with its column, groups and pooled model. */
static int
load_by(struct model *m, const json_t *doc, struct diag *d)
{
	const json_t *by;
	char path[600];

	by = json_object_get(doc, "by");
	if (by != NULL && !json_is_null(by)) {
		const json_t *groups = json_object_get(by, "groups"), *pooled = json_object_get(by, "pooled"),
		    *gc = json_object_get(by, "column");
		const char *key;
		json_t *g;
		if (!json_is_object(by)) {
			bad_field(d, m, "by", "an object or null", by);
			return -1;
		}
		if (!json_is_string(gc)) {
			bad_field(d, m, "by.column", "a string", gc);
			return -1;
		}
		if (!json_is_object(groups)) {
			bad_field(d, m, "by.groups", "an object", groups);
			return -1;
		}
		if (!json_is_object(pooled)) {
			bad_field(d, m, "by.pooled", "an object", pooled);
			return -1;
		}
		m->group_col = xstrdup(json_string_value(gc));
		m->groups = strtab_new();
		if (m->groups == NULL)
			xalloc_die();
		m->sub = xcalloc(json_object_size(groups), sizeof *m->sub);
		free_sub(&m->top);
		memset(&m->top, 0, sizeof m->top);
		if (load_sub(m, pooled, "by.pooled.", &m->top, d) < 0)
			return -1;
		json_object_foreach((json_t *)groups, key, g) {
			long gi = strtab_add(m->groups, key, strlen(key));
			if (gi < 0)
				xalloc_die();
			snprintf(path, sizeof path, "by.groups[\"%.*s\"]", DIAG_VALUE_MAX, key);
			if (!json_is_object(g)) {
				bad_field(d, m, path, "an object", g);
				return -1;
			}
			strcat(path, ".");
			if (load_sub(m, g, path, &m->sub[gi], d) < 0)
				return -1;
		}
	}
	return 0;
}

struct model *
model_from_json(json_t *doc, const char *name, struct diag *d)
{
	struct model *m = xcalloc(1, sizeof *m);

	m->doc = json_incref(doc);
	m->name = xstrdup(name);
	m->price = -1;
	if (load_head(m, doc, d) < 0 || load_columns(m, doc, d) < 0 || load_price(m, doc, d) < 0 ||
	    load_sub(m, doc, "", &m->top, d) < 0 || load_by(m, doc, d) < 0) {
		model_free(m);
		return NULL;
	}
	return m;
}

struct model *
model_load(const char *path, struct diag *d)
{
	json_t *doc = jsonfile_load(path, JSON_REJECT_DUPLICATES, d);
	struct model *m;

	if (doc == NULL)
		return NULL;
	m = model_from_json(doc, path, d);
	json_decref(doc);
	return m;
}

void
model_free(struct model *m)
{
	size_t i;

	if (m == NULL)
		return;
	if (m->sub != NULL)
		for (i = 0; i < strtab_n(m->groups); i++)
			free_sub(&m->sub[i]);
	free(m->sub);
	strtab_free(m->groups);
	free_sub(&m->top);
	formula_free(m->f);
	json_decref(m->doc);
	free(m->name);
	free(m->price_name);
	free(m->group_col);
	free(m);
}

enum fit_family model_family(const struct model *m) { return m->family; }
const char *model_formula(const struct model *m) { return formula_text(m->f); }
const char *model_price_col(const struct model *m) { return m->price_name; }
const char *model_group_col(const struct model *m) { return m->group_col; }
const char *model_response(const struct model *m) { return formula_col(m->f, formula_response_col(m->f)); }
double model_l2(const struct model *m) { return m->l2; }
int model_log_response(const struct model *m) { return m->log_response; }
int model_response_scale_log(const struct model *m) { return m->scale_log; }
enum model_retransform model_retransform(const struct model *m) { return m->retransform; }
size_t model_ngroups(const struct model *m) { return m->groups ? strtab_n(m->groups) : 0; }
const char *model_group_name(const struct model *m, size_t g) { return strtab_str(m->groups, g, NULL); }
size_t model_ncoef(const struct model *m) { return m->p; }
const char *model_coef_name(const struct model *m, size_t j) { return formula_coef_name(m->f, j); }

static const struct submodel *
sub_of(const struct model *m, long g)
{
	return g == MODEL_POOLED ? &m->top : &m->sub[g];
}

void
model_coef(const struct model *m, long g, size_t j, double *estimate, double *std_error)
{
	*estimate = sub_of(m, g)->est[j];
	*std_error = sub_of(m, g)->se[j];
}

long model_df_residual(const struct model *m, long g) { return sub_of(m, g)->df_residual; }

size_t
model_training(const struct model *m, long g, const struct model_stat **stats)
{
	*stats = sub_of(m, g)->stat;
	return sub_of(m, g)->nstat;
}
const struct formula *model_formula_parsed(const struct model *m) { return m->f; }

const char *
model_pred_name(const struct model *m)
{
	return m->family == FIT_LOGISTIC ? "p_buy" : "pred";
}

/* ---- evaluation ---- */

struct model_eval *
model_bind(const struct model *m, const struct csvio_row *header, const char *input_name,
    const char *price_col, struct diag *d)
{
	struct model_eval *e = xcalloc(1, sizeof *e);
	size_t nc = formula_ncols(m->f), i, k;

	e->m = m;
	e->name = input_name;
	e->in = xcalloc(nc, sizeof *e->in);
	e->cat = xcalloc(nc, 1);
	for (i = 0; i < nc; i++)
		e->cat[i] = (char)formula_col_categorical(m->f, i);
	e->val = xcalloc(nc, sizeof *e->val);
	e->x = xcalloc(m->p, sizeof *e->x);
	e->dx = xcalloc(m->p, sizeof *e->dx);
	e->work = xcalloc(formula_work_size(m->f), sizeof *e->work);
	e->cur = &m->top;
	e->group_in = -1;
	e->price = m->price;
	e->row_price = NAN;
	if (e->price < 0 && price_col != NULL) {
		/* a model trained without a price column: the formula's uses of
		 * price_col are the price */
		long c = formula_col_index(m->f, price_col);
		if (c < 0 || (size_t)c == formula_response_col(m->f)
		    || formula_col_categorical(m->f, (size_t)c)) {
			diag_set(d, NULL, 0, price_col, NULL, 0,
			    "not a numeric column of the model's formula: the price would change nothing");
			model_eval_free(e);
			return NULL;
		}
		e->price = c;
	}
	if (e->price >= 0)
		e->sub = formula_subset_new(m->f, (size_t)e->price);   /* NULL: evaluate it all */
	for (i = 0; i < nc; i++) {
		const char *want = formula_col(m->f, i);
		e->in[i] = -1;
		if (i == formula_response_col(m->f))
			continue;
		if (price_col != NULL && (long)i == e->price)
			want = price_col;
		for (k = 0; k < header->n; k++)
			if (strcmp(header->f[k], want) == 0) {
				e->in[i] = (long)k;
				break;
			}
		if (e->in[i] < 0) {
			char hint[DIAG_COL_MAX + 96];
			const char *near = suggest_word(want, (const char *const *)header->f, header->n);
			if (csvio_header_hint(header, 0, hint, sizeof hint)[0] == '\0' && near != NULL)
				snprintf(hint, sizeof hint, "; did you mean \"%s\"?", near);
			diag_set(d, input_name, 0, want, NULL, 0, "no such column (the model needs it)%s",
			    hint);
			model_eval_free(e);
			return NULL;
		}
	}
	if (m->group_col != NULL) {
		for (k = 0; k < header->n; k++)
			if (strcmp(header->f[k], m->group_col) == 0) {
				e->group_in = (long)k;
				break;
			}
		if (e->group_in < 0) {
			diag_set(d, input_name, 0, m->group_col, NULL, 0,
			    "no such column (the model's group column)");
			model_eval_free(e);
			return NULL;
		}
	}
	return e;
}

void
model_eval_free(struct model_eval *e)
{
	if (e == NULL)
		return;
	free(e->in);
	free(e->cat);
	free(e->val);
	free(e->x);
	free(e->dx);
	free(e->work);
	formula_subset_free(e->sub);
	free(e);
}

/*
 * A categorical value as stored: text that reads as a number is kept in
 * its shortest form (num_format), so "1.50" and "1.5" are one level.
 */
long
model_level_lookup(const struct formula *f, size_t col, const char *s, size_t len)
{
	char buf[NUM_BUFSZ];
	double x;

	if (num_parse(s, len, &x, 0) == NUM_OK)
		return formula_level_index(f, col, buf, num_format(x, buf));
	return formula_level_index(f, col, s, len);
}

int
model_eval_row(struct model_eval *e, const struct csvio_row *row, struct diag *d)
{
	const struct model *m = e->m;
	size_t nc = formula_ncols(m->f), i;

	e->rest_ok = 0;
	e->row_price = NAN;
	for (i = 0; i < nc; i++) {
		long c = e->in[i];
		const char *s;
		size_t len;
		if (c < 0)
			continue;
		if ((size_t)c >= row->n)
			return diag_set(d, NULL, 0, formula_col(m->f, i), NULL, 0, "missing field");
		s = row->f[c];
		len = row->len[c];
		if (e->cat[i]) {
			long lv;
			if (len == 0)
				return diag_set(d, NULL, 0, formula_col(m->f, i), NULL, 0, "missing value");
			lv = model_level_lookup(m->f, i, s, len);
			if (lv < 0)
				return diag_set(d, NULL, 0, formula_col(m->f, i), s, len,
				    "category level not seen in training");
			e->val[i] = (double)lv;
		} else {
			/* a missing price stays NaN: the caller says what it means */
			double x = NAN;
			int is_price = (long)i == e->price;
			if (field_num(NULL, row, c, formula_col(m->f, i), is_price ? 0 : FIELD_REQUIRED,
			    &x, d) < 0)
				return -1;
			if (is_price)
				e->row_price = x;
			e->val[i] = x;
		}
	}
	e->cur = &m->top;
	e->group = NULL;
	e->pooled = 0;
	if (e->group_in >= 0) {
		long gi = -1;
		if ((size_t)e->group_in < row->n)
			gi = strtab_find(m->groups, row->f[e->group_in], row->len[e->group_in]);
		if (gi >= 0) {
			e->cur = &m->sub[gi];
			e->group = strtab_str(m->groups, (size_t)gi, NULL);
		} else {
			e->pooled = 1;
		}
	}
	return 0;
}

double model_eval_row_price(const struct model_eval *e) { return e->row_price; }
const char *model_eval_group(const struct model_eval *e) { return e->group; }
int model_eval_pooled(const struct model_eval *e) { return e->pooled; }

long
model_eval_var(const struct model_eval *e, const char *column)
{
	long i = formula_col_index(e->m->f, column);

	if (i < 0 || formula_col_categorical(e->m->f, (size_t)i) ||
	    (size_t)i == formula_response_col(e->m->f))
		return -1;
	return i;
}

void
model_eval_set(struct model_eval *e, long var, double value)
{
	if (var >= 0 && (size_t)var < formula_ncols(e->m->f)) {
		e->val[var] = value;
		if (var != e->price)
			e->rest_ok = 0;
	}
}

size_t
model_eval_price_kinks(struct model_eval *e, double lo, double hi, double *out, size_t max)
{
	if (e->price < 0)
		return 0;
	return formula_price_kinks(e->m->f, e->val, (size_t)e->price, lo, hi, out, max, e->work);
}

/* eta and d eta / dp at p for the current row; NaN when a column is not finite. */
static double
eval_eta(struct model_eval *e, double p, double *deta)
{
	const double *beta = e->cur->beta;
	double eta = 0, de = 0;
	size_t j;

	if (e->price >= 0)
		e->val[e->price] = p;
	if (e->rest_ok) {
		formula_eval_subset(e->m->f, e->sub, e->val, e->price, e->x, deta ? e->dx : NULL,
		    e->work);
	} else {
		/* dx always, so that the columns left alone next time have theirs (0) */
		formula_eval(e->m->f, e->val, e->price, e->x, e->dx, e->work);
		e->rest_ok = e->sub != NULL;
	}
	for (j = 0; j < e->m->p; j++) {
		if (!isfinite(e->x[j]))
			return NAN;
		eta += beta[j] * e->x[j];
		if (deta)
			de += beta[j] * e->dx[j];
	}
	if (deta)
		*deta = de;
	return eta;
}

/* Inverse link and its derivative. */
static double
linkinv(const struct model_eval *e, double eta, double *dmu)
{
	double mu;

	switch (e->m->family) {
	case FIT_LOGISTIC:
		mu = eta >= 0 ? 1 / (1 + exp(-eta)) : exp(eta) / (1 + exp(eta));
		*dmu = mu * (1 - mu);
		return mu;
	case FIT_POISSON:
		mu = exp(eta);
		*dmu = mu;
		return mu;
	case FIT_LINEAR:
		break;
	}
	if (e->m->log_response) {
		/* exp(eta) retransformed (model.h): normal exp(eta + sigma^2 / 2), smearing, naive */
		mu = exp(eta + e->cur->log_shift);
		*dmu = mu;
		return mu;
	}
	*dmu = 1;
	return eta;
}

double
model_eval_mean(struct model_eval *e, double p, double *dmean)
{
	double deta, dmu, eta = eval_eta(e, p, dmean ? &deta : NULL), mu;

	if (isnan(eta)) {
		if (dmean)
			*dmean = NAN;
		return NAN;
	}
	mu = linkinv(e, eta, &dmu);
	if (dmean)
		*dmean = dmu * deta;
	return mu;
}

double
model_eval_mean_grad(struct model_eval *e, double p, double *dmean, double *grad_mean,
    double *grad_dmean)
{
	double deta, dmu, d2mu, eta = eval_eta(e, p, &deta), mu;
	size_t j;

	if (isnan(eta)) {
		*dmean = NAN;
		return NAN;
	}
	mu = linkinv(e, eta, &dmu);
	/* the inverse link's second derivative: mean' = h'(eta) eta', so d mean'/d beta needs h'' */
	switch (e->m->family) {
	case FIT_LOGISTIC:
		d2mu = dmu * (1 - 2 * mu);
		break;
	case FIT_POISSON:
		d2mu = mu;
		break;
	default:
		d2mu = e->m->log_response ? mu : 0;
		break;
	}
	*dmean = dmu * deta;
	for (j = 0; j < e->m->p; j++) {
		grad_mean[j] = dmu * e->x[j];
		grad_dmean[j] = d2mu * deta * e->x[j] + dmu * e->dx[j];
	}
	return mu;
}

long
model_eval_sub(const struct model_eval *e)
{
	return e->cur == &e->m->top ? MODEL_POOLED : (long)(e->cur - e->m->sub);
}

const double *
model_cov(const struct model *m, long g)
{
	return sub_of(m, g)->cov;
}

static double
se_of(const struct model_eval *e)
{
	const double *c = e->cur->cov, *x = e->x;
	size_t p = e->m->p, i, j;
	double v = 0;

	for (i = 0; i < p; i++) {
		double r = 0;
		for (j = 0; j < p; j++)
			r += c[i * p + j] * x[j];
		v += x[i] * r;
	}
	return v > 0 ? sqrt(v) : isnan(v) ? NAN : 0;   /* NaN: a covariance that overflowed */
}

double
model_eval_eta(struct model_eval *e, double p, double *se_eta)
{
	double eta = eval_eta(e, p, NULL);

	if (se_eta)
		*se_eta = isnan(eta) ? NAN : se_of(e);
	return eta;
}

double
model_eval_interval(struct model_eval *e, double p, double level, double *se_mean,
    double *lower, double *upper)
{
	double se, dmu, mu, q, a, b;
	double eta = model_eval_eta(e, p, &se);

	if (isnan(eta)) {
		if (se_mean)
			*se_mean = NAN;
		if (lower)
			*lower = NAN;
		if (upper)
			*upper = NAN;
		return NAN;
	}
	mu = linkinv(e, eta, &dmu);
	if (se_mean)
		*se_mean = fabs(dmu) * se;
	if (lower || upper) {
		if (e->m->family == FIT_LINEAR && e->cur->df_residual > 0)
			q = gsl_cdf_tdist_Qinv((1 - level) / 2, (double)e->cur->df_residual);
		else
			q = gsl_cdf_ugaussian_Qinv((1 - level) / 2);
		a = linkinv(e, eta - q * se, &dmu);
		b = linkinv(e, eta + q * se, &dmu);
		if (lower)
			*lower = a;
		if (upper)
			*upper = b;
	}
	return mu;
}
