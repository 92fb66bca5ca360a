/*
 * train-shard.c - pr-train on shards (train.h): the part a shard's map
 * writes, the state a reduce writes, and what each round computes.  A
 * round's statistics are fit.h's fit_stats of the shard's rows, merged by
 * the reduce in the order the parts are given, exactly as blocks merge in
 * one process; numbers travel as C99 hex floats ("%a"), which read back
 * to the same double.
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "design.h"
#include "fit.h"
#include "model.h"
#include "strtab.h"
#include "train.h"
#include "xalloc.h"

#define PART_FORMAT "pr-train-part"
#define STATE_FORMAT "pr-train-state"
#define SHARD_VERSION 2

json_t *
train_options_json(const struct train_opts *o, const char *formula)
{
	json_t *j = json_object();

	json_object_set_new(j, "formula", json_string(formula));
	json_object_set_new(j, "family", json_string(model_family_name(o->family)));
	json_object_set_new(j, "l2", json_real(o->l2));
	json_object_set_new(j, "tol", json_real(o->tol));
	json_object_set_new(j, "max_iter", json_integer(o->max_iter));
	json_object_set_new(j, "weight", o->weight ? json_string(o->weight) : json_null());
	json_object_set_new(j, "price", o->price ? json_string(o->price) : json_null());
	json_object_set_new(j, "response_log", json_boolean(o->response_log));
	json_object_set_new(j, "retransform", json_string(model_retransform_name(o->retransform)));
	if (o->by != NULL)
		json_object_set_new(j, "by", json_string(o->by));
	if (o->holdout > 0)
		json_object_set_new(j, "holdout", json_real(o->holdout));
	if (o->folds > 0)
		json_object_set_new(j, "folds", json_integer(o->folds));
	if (o->holdout > 0 || o->folds > 0)
		json_object_set_new(j, "seed", json_integer((json_int_t)o->seed));
	return j;
}

/* numbers as hex floats */
static json_t *
hex_array(const double *v, size_t n)
{
	json_t *a = json_array();
	char buf[64];

	for (size_t i = 0; i < n; i++) {
		snprintf(buf, sizeof buf, "%a", v[i]);
		json_array_append_new(a, json_string(buf));
	}
	return a;
}

/* n numbers from a, or -1 */
static int
hex_read(const json_t *a, double *v, size_t n)
{
	if (!json_is_array(a) || json_array_size(a) != n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(a, i));
		char *end;
		if (s == NULL)
			return -1;
		v[i] = strtod(s, &end);
		if (end == s || *end != 0 || !isfinite(v[i]))
			return -1;
	}
	return 0;
}

/* 64-bit FNV-1a of the document's compact text, as 16 hex digits: a state's identity. */
static void
doc_id(const json_t *doc, char out[17])
{
	char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	uint64_t h = 14695981039346656037ULL;

	if (text == NULL)
		xalloc_die();
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	free(text);
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

static const char *
jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A part or state: the right format, version (and round when >= 0), or -1 with d naming name. */
static int
check_doc(const json_t *doc, const char *format, const char *name, struct diag *d)
{
	const char *f = jstr(doc, "format");
	if (f == NULL || strcmp(f, format) != 0)
		return diag_set(d, name, 0, NULL, NULL, 0, "not a %s file", format);
	if (json_integer_value(json_object_get(doc, "version")) != SHARD_VERSION)
		return diag_set(d, name, 0, NULL, NULL, 0, "%s version %lld, expected %d", format,
		    (long long)json_integer_value(json_object_get(doc, "version")), SHARD_VERSION);
	return 0;
}

/* The fit options of o for formula f. */
static struct fit_opts
shard_fitopts(const struct train_opts *o, const struct formula *f)
{
	struct fit_opts fo;

	memset(&fo, 0, sizeof fo);
	fo.family = o->family;
	fo.l2 = o->l2;
	fo.tol = o->tol;
	fo.max_iter = (int)o->max_iter;
	fo.intercept = formula_intercept_index(f);
	return fo;
}

/* j is an integer from lo to hi */
static int
int_in(const json_t *j, json_int_t lo, json_int_t hi)
{
	return json_is_integer(j) && json_integer_value(j) >= lo && json_integer_value(j) <= hi;
}

/*
 * The options of a part or state (op; its file name): as the command line
 * would have given them, or -1 with d naming name.  what: "state" or
 * "part", for messages.
 */
static int
options_read(const json_t *op, const char *name, const char *what, struct train_opts *o,
    const char **formula, struct diag *d)
{
	const json_t *w = json_object_get(op, "weight"), *pc = json_object_get(op, "price");
	const json_t *rl = json_object_get(op, "response_log"), *by = json_object_get(op, "by");
	const json_t *ho = json_object_get(op, "holdout"), *fk = json_object_get(op, "folds");
	const json_t *sd = json_object_get(op, "seed");
	struct formula *f;
	const char *price;
	int fam, rt, rc = -1;

	*formula = jstr(op, "formula");
	fam = jstr(op, "family") ? model_family_parse(jstr(op, "family")) : -1;
	rt = jstr(op, "retransform") ? model_retransform_parse(jstr(op, "retransform")) : -1;
	if (*formula == NULL || fam < 0 || rt < 0)
		return diag_set(d, name, 0, NULL, NULL, 0, "the %s has no valid options", what);
	o->family = (enum fit_family)fam;
	o->retransform = (enum model_retransform)rt;
	o->l2 = json_number_value(json_object_get(op, "l2"));
	o->tol = json_number_value(json_object_get(op, "tol"));
	o->max_iter = (long)json_integer_value(json_object_get(op, "max_iter"));
	/* the ranges the command line allows (0: the default) */
	if (!json_is_number(json_object_get(op, "l2")) || !(o->l2 >= 0) || !isfinite(o->l2))
		return diag_set(d, name, 0, NULL, NULL, 0, "the %s's l2 is not a number >= 0", what);
	if (!json_is_number(json_object_get(op, "tol")) || !(o->tol >= 0) || !isfinite(o->tol))
		return diag_set(d, name, 0, NULL, NULL, 0, "the %s's tol is not a number >= 0", what);
	if (!json_is_integer(json_object_get(op, "max_iter")) || o->max_iter < 0 ||
	    o->max_iter > 100000)
		return diag_set(d, name, 0, NULL, NULL, 0,
		    "the %s's max_iter is not a whole number from 0 to 100000", what);
	if (!json_is_null(w) && !json_is_string(w))
		return diag_set(d, name, 0, NULL, NULL, 0, "the %s's weight is not a column name or null",
		    what);
	if (!json_is_null(pc) && !json_is_string(pc))
		return diag_set(d, name, 0, NULL, NULL, 0, "the %s's price is not a column name or null",
		    what);
	if (!json_is_boolean(rl))
		return diag_set(d, name, 0, NULL, NULL, 0, "the %s's response_log is not true or false",
		    what);
	if (by != NULL && !json_is_string(by))
		return diag_set(d, name, 0, NULL, NULL, 0, "the %s's by is not a column name", what);
	/* validation: the ranges of --holdout, --folds and --seed */
	o->holdout = ho ? json_number_value(ho) : 0;
	if (ho != NULL && (!json_is_number(ho) || !(o->holdout > 0 && o->holdout < 1)))
		return diag_set(d, name, 0, NULL, NULL, 0, "the %s's holdout is not a fraction between 0 "
		    "and 1", what);
	if (fk != NULL && !int_in(fk, 2, 1000))
		return diag_set(d, name, 0, NULL, NULL, 0, "the %s's folds is not a whole number from 2 "
		    "to 1000", what);
	o->folds = fk ? (long)json_integer_value(fk) : 0;
	if (ho != NULL && fk != NULL)
		return diag_set(d, name, 0, NULL, NULL, 0, "the %s has both holdout and folds", what);
	if ((ho != NULL || fk != NULL) != (sd != NULL) || (sd != NULL && !int_in(sd, 0, 4294967295LL)))
		return diag_set(d, name, 0, NULL, NULL, 0, "the %s's seed is not a whole number from 0 to "
		    "4294967295 with holdout or folds (and absent without)", what);
	o->seed = sd ? (unsigned long)json_integer_value(sd) : 1;
	o->weight = json_string_value(w);
	o->price = json_string_value(pc);
	o->by = json_string_value(by);
	o->response_log = json_is_true(rl);
	/* what the command line refuses together */
	if ((f = formula_parse(*formula, d)) == NULL) {
		snprintf(d->file, sizeof d->file, "%s", name);
		return -1;
	}
	price = o->price;
	if (train_price_col(f, &price, d) < -1) {
		char m[DIAG_WHAT_MAX];
		const char *t = strncmp(d->what, "--price: ", 9) == 0 ? d->what + 9 : d->what;
		snprintf(m, sizeof m, "%s", t);
		diag_set(d, name, 0, NULL, NULL, 0, "the %s's price: %s", what, m);
	} else if ((o->response_log || formula_response_log(f)) && o->family != FIT_LINEAR)
		diag_set(d, name, 0, NULL, NULL, 0, "the %s's %s needs the linear family, not %s", what,
		    o->response_log ? "response_log" : "formula (a model of a log)",
		    model_family_name(o->family));
	else if (o->response_log && formula_response_log(f))
		diag_set(d, name, 0, NULL, NULL, 0,
		    "the %s's response_log and formula both take the log of the response", what);
	else if (o->retransform == MODEL_RETRANSFORM_SMEARING)
		diag_set(d, name, 0, NULL, NULL, 0,
		    "the %s's retransform smearing cannot be fitted on shards", what);
	else if (o->retransform != MODEL_RETRANSFORM_NORMAL && !o->response_log &&
	    !formula_response_log(f))
		diag_set(d, name, 0, NULL, NULL, 0,
		    "the %s's retransform %s needs a model of a log (response_log, or log(y) ~ ...)",
		    what, model_retransform_name(o->retransform));
	else
		rc = 0;
	formula_free(f);
	return rc;
}


/*
 * The columns of a state (cols) for formula text ftext: one a formula
 * column, by name, in order, numeric or categorical with its levels (an
 * array of texts).  0, or -1 with d naming name.
 */
static int
state_columns_check(const json_t *cols, const char *ftext, const char *name, struct diag *d)
{
	struct formula *f = formula_parse(ftext, d);
	int rc = -1;

	if (f == NULL) {
		snprintf(d->file, sizeof d->file, "%s", name);
		return -1;
	}
	if (!json_is_array(cols) || json_array_size(cols) != formula_ncols(f)) {
		diag_set(d, name, 0, NULL, NULL, 0, "the state's columns are not the formula's");
		goto done;
	}
	for (size_t i = 0; i < formula_ncols(f); i++) {
		const json_t *c = json_array_get(cols, i), *lv = json_object_get(c, "levels");
		const char *n = jstr(c, "name"), *t = jstr(c, "type");
		if (n == NULL || strcmp(n, formula_col(f, i)) != 0) {
			diag_set(d, name, 0, NULL, NULL, 0, "the state's columns are not the formula's");
			goto done;
		}
		if (t == NULL || (strcmp(t, "numeric") != 0 && strcmp(t, "categorical") != 0)) {
			diag_set(d, name, 0, formula_col(f, i), NULL, 0,
			    "the state's type is not numeric or categorical");
			goto done;
		}
		if (strcmp(t, "categorical") == 0 && !json_is_array(lv)) {
			diag_set(d, name, 0, formula_col(f, i), NULL, 0, "the state has no levels");
			goto done;
		}
		for (size_t k = 0; k < json_array_size(lv); k++)
			if (!json_is_string(json_array_get(lv, k))) {
				diag_set(d, name, 0, formula_col(f, i), NULL, 0, "a level that is not a text");
				goto done;
			}
	}
	rc = 0;
done:
	formula_free(f);
	return rc;
}

int
train_state_options(const json_t *state, const char *name, struct train_opts *o,
    const char **formula, struct diag *d)
{
	if (check_doc(state, STATE_FORMAT, name, d) < 0 ||
	    options_read(json_object_get(state, "options"), name, "state", o, formula, d) < 0)
		return -1;
	/* a state is the state after a round: round 1 at least, and at least one row */
	if (!int_in(json_object_get(state, "round"), 1, INT_MAX - 1))
		return diag_set(d, name, 0, NULL, NULL, 0, "bad \"round\"");
	if (!int_in(json_object_get(state, "rows"), 1, LLONG_MAX) ||
	    !int_in(json_object_get(state, "dropped"), 0, LLONG_MAX))
		return diag_set(d, name, 0, NULL, NULL, 0, "bad \"rows\" or \"dropped\"");
	return state_columns_check(json_object_get(state, "columns"), *formula, name, d);
}

int
train_state_prepare(const json_t *state, const struct formula *f, struct store *s,
    struct diag *d)
{
	const json_t *cols = json_object_get(state, "columns");

	if (json_array_size(cols) != formula_ncols(f))
		return diag_set(d, NULL, 0, NULL, NULL, 0, "the state's columns are not the formula's");
	for (size_t i = 0; i < formula_ncols(f); i++) {
		const char *t = jstr(json_array_get(cols, i), "type");
		if (t != NULL && strcmp(t, "categorical") == 0)
			store_force_categorical(s, i);
	}
	return 0;
}

/* Give f the state's levels and build it; then p = formula_ncoef(f).  -1 with d filled. */
static int
state_formula(const json_t *state, const char *name, struct formula *f, struct diag *d)
{
	const json_t *cols = json_object_get(state, "columns");

	if (json_array_size(cols) != formula_ncols(f))
		return diag_set(d, name, 0, NULL, NULL, 0, "the state's columns are not the formula's");
	for (size_t i = 0; i < formula_ncols(f); i++) {
		const json_t *c = json_array_get(cols, i);
		const json_t *lv = json_object_get(c, "levels");
		const char *t = jstr(c, "type");
		if (t == NULL || strcmp(t, "categorical") != 0)
			continue;
		size_t nl = json_array_size(lv);
		char **names = xcalloc(nl + 1, sizeof *names);
		for (size_t k = 0; k < nl; k++)
			if ((names[k] = (char *)json_string_value(json_array_get(lv, k))) == NULL) {
				free(names);
				return diag_set(d, name, 0, NULL, NULL, 0, "a level that is not a text");
			}
		int rc = formula_set_levels(f, i, names, nl, d);
		free(names);
		if (rc < 0) {
			snprintf(d->file, sizeof d->file, "%s", name);
			return -1;
		}
	}
	if (formula_build(f, d) < 0) {
		snprintf(d->file, sizeof d->file, "%s", name);
		return -1;
	}
	return 0;
}

/* Round 0 of a map: what the shard says about each column. */
static json_t *
map_columns(const struct formula *f, const struct store *s)
{
	json_t *cols = json_array();

	for (size_t i = 0; i < s->nc; i++) {
		json_t *c = json_object();
		json_object_set_new(c, "name", json_string(formula_col(f, i)));
		if (s->lv[i] != NULL) {
			json_t *lv = json_array();
			for (size_t k = 0; k < strtab_n(s->lv[i]); k++) {
				size_t len;
				const char *str = strtab_str(s->lv[i], k, &len);
				json_array_append_new(lv, json_stringn(str, len));
			}
			json_object_set_new(c, "type", json_string("categorical"));
			json_object_set_new(c, "levels", lv);
			if (s->text_line[i] > 0) {
				json_object_set_new(c, "text_line", json_integer(s->text_line[i]));
				json_object_set_new(c, "text", json_string(s->text_value[i]));
			}
		} else {
			json_object_set_new(c, "type", json_string(s->n > 0 ? "numeric" : "none"));
		}
		json_array_append_new(cols, c);
	}
	return cols;
}

/*
 * One pass of the run whose state is fit (phase and numbers) over the rows
 * of ds (built from rows of s: rows[0..), or first.., as design_build
 * takes them), the rows of fold (DESIGN_NO_FOLD: none) weighted 0, as a
 * part's "stats"; NULL with d filled.
 */
static json_t *
pass_stats(const struct train_opts *o, const struct formula *f, struct store *s,
    struct design *ds, long fold, const size_t *rows, size_t first, const json_t *fit,
    const char *state_name, const char *input, struct diag *d)
{
	struct fit_opts fo = shard_fitopts(o, f);
	struct fit_run *r = NULL;
	struct fit_stats *acc = NULL;
	json_t *out = NULL;
	double *v = NULL;
	int err;

	if ((r = fit_run_new(&fo, formula_ncoef(f))) == NULL || (acc = fit_stats_new(r)) == NULL)
		xalloc_die();
	size_t nv = fit_run_size(r);
	v = xcalloc(nv + 1, sizeof *v);
	if (hex_read(json_object_get(fit, "numbers"), v, nv) < 0 || fit_run_import(r, v, nv) < 0) {
		diag_set(d, state_name, 0, NULL, NULL, 0, "the state's fit does not fit the formula");
		goto done;
	}
	fit_stats_reset(r, acc);
	ds->fold = fold;
	err = design_pass(ds, r, 0, acc, d);
	ds->fold = DESIGN_NO_FOLD;
	if (err < 0)
		goto done;
	if (fit_stats_bad_what(acc) != NULL) {
		long b = fit_stats_bad_row(acc);
		diag_set(d, input, b >= 0 && (size_t)b < ds->n ? store_line_of(s, rows ? rows[b] :
		    first + (size_t)b) : 0, NULL, NULL, 0, "%s", fit_stats_bad_what(acc));
		goto done;
	}
	free(v);
	nv = fit_stats_size(r);
	v = xcalloc(nv + 1, sizeof *v);
	fit_stats_export(r, acc, v);
	out = hex_array(v, nv);
done:
	free(v);
	fit_stats_free(acc);
	fit_run_free(r);
	return out;
}

/* pass_stats over a design of rows of s built here (no folds); NULL with d filled. */
static json_t *
shard_pass(const struct train_opts *o, const struct formula *f, struct store *s,
    const size_t *rows, size_t first, size_t nr, int consume, const json_t *fit,
    const char *state_name, const char *input, struct diag *d)
{
	struct design ds;
	json_t *out = NULL;

	if (design_build(s, f, rows, first, nr, consume, NULL, o->jobs, &ds, d) == 0)
		out = pass_stats(o, f, s, &ds, DESIGN_NO_FOLD, rows, first, fit, state_name, input, d);
	design_free(&ds);
	return out;
}

/*
 * The validation of a state (o's holdout or folds; or of a group's entry of
 * it): its "fit" in progress (numbers), done ("model" and, with a holdout,
 * its estimates "beta", p hex floats) or failed ("error", while the folds'
 * fits go on), with folds its "folds" (K fits, each in progress, done with
 * its "beta", or failed), and "validation" once measured (an object).  When the
 * fits that predict are all done and nothing is measured yet (the round
 * of the measures), *beta gets their estimates (nb x p, a new array: the
 * model's for a holdout, nb = 1; else the K folds'), else NULL.  Returns
 * 0, or -1 with d naming name.
 */
static int
validation_state(const json_t *state, const struct train_opts *o, size_t p, const char *name,
    double **beta, size_t *nb, struct diag *d)
{
	const json_t *fit = json_object_get(state, "fit"), *folds = json_object_get(state, "folds");
	const json_t *val = json_object_get(state, "validation");
	size_t k, n = o->holdout > 0 ? 1 : (size_t)o->folds;
	double *b = xcalloc(n * p + 1, sizeof *b);
	int ready = 1, running = json_object_get(fit, "numbers") != NULL;
	int failed = json_is_string(json_object_get(fit, "error"));

	*beta = NULL;
	*nb = n;
	if (!running && !failed && (!json_is_object(json_object_get(fit, "model")) ||
	    (o->holdout > 0 && hex_read(json_object_get(fit, "beta"), b, p) < 0)))
		goto bad;
	if (o->holdout > 0) {
		if (folds != NULL)
			goto bad;
		ready = !running && !failed;   /* the model is the fit that predicts */
	} else {
		if (!json_is_array(folds) || json_array_size(folds) != n)
			goto bad;
		for (k = 0; k < n; k++) {
			const json_t *fk = json_array_get(folds, k);
			if (json_object_get(fk, "numbers") != NULL || json_is_string(json_object_get(fk, "error")))
				ready = 0;
			else if (hex_read(json_object_get(fk, "beta"), b + k * p, p) < 0)
				goto bad;
		}
	}
	if (val != NULL && (!json_is_object(val) || !ready))
		goto bad;
	if (ready && val == NULL)
		*beta = b;
	else
		free(b);
	return 0;
bad:
	free(b);
	return diag_set(d, name, 0, NULL, NULL, 0, "the state's validation fits do not fit the formula");
}

/*
 * A later round with validation, of the fits of holder (the state, or a
 * group's entry of it: "fit", "folds", "validation") over rows of s
 * (rows[0..nr), or first..first+nr, as design_build takes them): one
 * design of the rows, each in its fold; the pass of every fit not done (the
 * model's as "stats", a holdout's rows weighted 0; each fold's in "folds",
 * null for one done), and in the round of the measures the rows' measures
 * ("validation", metrics.h's accumulator), into part (the part, or the
 * group's entry of it).  0, or -1 with d filled.
 */
static int
map_validated(const struct train_opts *o, const struct formula *f, struct store *s,
    const size_t *rows, size_t first, size_t nr, int consume, const json_t *holder,
    const char *state_name, const char *input, json_t *part, struct diag *d)
{
	struct design_split split = { o->holdout, o->folds, o->seed };
	const json_t *pfit = json_object_get(holder, "fit"), *folds = json_object_get(holder, "folds");
	struct design ds;
	double *beta = NULL;
	size_t nb;
	int rc = -1;

	if (validation_state(holder, o, formula_ncoef(f), state_name, &beta, &nb, d) < 0)
		return -1;
	if (beta == NULL && json_object_get(pfit, "numbers") == NULL &&
	    json_object_get(holder, "validation") != NULL)
		return 0;   /* done: the fits and the measures */
	if (design_build(s, f, rows, first, nr, consume, &split, o->jobs, &ds, d) < 0)
		goto done;
	if (json_object_get(pfit, "numbers") != NULL) {
		json_t *st = pass_stats(o, f, s, &ds, o->holdout > 0 ? 0 : DESIGN_NO_FOLD, rows, first,
		    pfit, state_name, input, d);
		if (st == NULL)
			goto done;
		json_object_set_new(part, "stats", st);
	}
	if (o->folds > 0) {
		json_t *fa = json_array();
		json_object_set_new(part, "folds", fa);
		for (size_t k = 0; k < json_array_size(folds); k++) {
			const json_t *fk = json_array_get(folds, k);
			json_t *st = json_null();
			if (json_object_get(fk, "numbers") != NULL &&
			    (st = pass_stats(o, f, s, &ds, (long)k, rows, first, fk, state_name, input,
			    d)) == NULL)
				goto done;
			json_array_append_new(fa, st);
		}
	}
	if (beta != NULL) {
		struct metrics_acc acc;
		metrics_acc_init(&acc, train_metrics_kind(o->family));
		int err = design_validate(&ds, o->family, beta, nb, &acc, d);
		if (err == 0)
			json_object_set_new(part, "validation", metrics_acc_json(&acc));
		metrics_acc_fini(&acc);
		if (err < 0)
			goto done;
	}
	rc = 0;
done:
	design_free(&ds);
	free(beta);
	return rc;
}

/*
 * The names of a state's groups (the "name" of each "groups" entry), each
 * at the index of its entry, or NULL when one is not a text or comes twice.
 */
static struct strtab *
group_names(const json_t *groups)
{
	struct strtab *t;

	if (!json_is_array(groups))
		return NULL;
	if ((t = strtab_new()) == NULL)
		xalloc_die();
	for (size_t k = 0; k < json_array_size(groups); k++) {
		const json_t *nm = json_object_get(json_array_get(groups, k), "name");
		if (!json_is_string(nm) ||
		    strtab_find(t, json_string_value(nm), json_string_length(nm)) >= 0) {
			strtab_free(t);
			return NULL;
		}
		if (strtab_add(t, json_string_value(nm), json_string_length(nm)) < 0)
			xalloc_die();
	}
	return t;
}

/*
 * A group's entry of a state (ge) is done: its fit failed, or it is done
 * (and with validation, measured too).
 */
static int
group_done(const struct train_opts *o, const json_t *ge)
{
	const json_t *fit = json_object_get(ge, "fit");

	if (json_object_get(fit, "numbers") != NULL)
		return 0;
	if (json_object_get(fit, "failed") != NULL || !(o->holdout > 0 || o->folds > 0))
		return 1;
	return json_object_get(ge, "validation") != NULL;
}

/* A later round: the passes of the groups not yet done, over their rows in the shard, into p. */
static int
map_groups(const struct train_opts *o, const struct formula *f, struct store *s,
    const json_t *state, const char *state_name, const char *input, json_t *p, struct diag *d)
{
	const json_t *sg = json_object_get(state, "groups");
	struct strtab *names = group_names(sg);
	struct design_groups dg;
	json_t *out = json_array();
	int rc = -1;

	memset(&dg, 0, sizeof dg);
	if (names == NULL) {
		diag_set(d, state_name, 0, NULL, NULL, 0, "the state has no valid groups");
		goto done;
	}
	if (design_groups_open(&dg, s, d) < 0)
		goto done;
	for (size_t i = 0; i < dg.ng; i++) {
		size_t len, first, nr;
		const size_t *rows;
		const char *name = strtab_str(s->groups, dg.order[i], &len);
		long k = strtab_find(names, name, len);
		if (k < 0) {
			diag_set(d, input, 0, o->by, name, len, "a group that is not in the state %s",
			    state_name);
			goto done;
		}
		const json_t *ge = json_array_get(sg, (size_t)k), *fit = json_object_get(ge, "fit");
		if (group_done(o, ge))
			continue;
		design_groups_range(&dg, i, &rows, &first, &nr);
		json_t *e = json_object();
		json_object_set_new(e, "name", json_stringn(name, len));
		json_array_append_new(out, e);
		if (o->holdout > 0 || o->folds > 0) {
			if (map_validated(o, f, dg.s, rows, first, nr, 0, ge, state_name, input, e, d) < 0)
				goto done;
			continue;
		}
		json_t *st = shard_pass(o, f, dg.s, rows, first, nr, 0, fit, state_name, input, d);
		if (st == NULL)
			goto done;
		json_object_set_new(e, "stats", st);
	}
	json_object_set(p, "groups", out);
	rc = 0;
done:
	json_decref(out);
	design_groups_close(&dg);
	strtab_free(names);
	return rc;
}

int
train_map(const struct train_opts *o, struct formula *f, struct store *s, const char *formula_text,
    const json_t *state, const char *state_name, const char *input, json_t **part,
    struct diag *d)
{
	json_t *p = json_object();
	int rc = -1;

	*part = NULL;
	json_object_set_new(p, "format", json_string(PART_FORMAT));
	json_object_set_new(p, "version", json_integer(SHARD_VERSION));
	json_object_set_new(p, "rows", json_integer((json_int_t)s->n));
	if (state == NULL) {
		if (formula_npredvars(f) > 0) {
			diag_set(d, NULL, 0, NULL, formula_predvar_label(f, 0),
			    strlen(formula_predvar_label(f, 0)),
			    "--map: a term that learns from all the rows at once (knots, polynomial "
			    "coefficients) cannot be fitted on shards");
			goto done;
		}
		json_object_set_new(p, "round", json_integer(0));
		json_object_set_new(p, "state", json_null());
		json_object_set_new(p, "options", train_options_json(o, formula_text));
		json_object_set_new(p, "rejected", json_integer((json_int_t)o->dropped));
		json_object_set_new(p, "columns", map_columns(f, s));
		if (s->groups != NULL) {
			size_t ng = strtab_n(s->groups), *order = xcalloc(ng + 1, sizeof *order);
			json_t *g = json_array();
			strtab_sorted(s->groups, order);
			for (size_t k = 0; k < ng; k++) {
				size_t len;
				const char *str = strtab_str(s->groups, order[k], &len);
				json_array_append_new(g, json_stringn(str, len));
			}
			free(order);
			json_object_set_new(p, "groups", g);
		}
		*part = p;
		return 0;
	}
	const json_t *cols = json_object_get(state, "columns");
	for (size_t i = 0; i < s->nc; i++) {
		const char *t = jstr(json_array_get(cols, i), "type");
		int cat = t != NULL && strcmp(t, "categorical") == 0;
		if (!cat && s->lv[i] != NULL) {
			diag_set(d, input, s->text_line[i], formula_col(f, i), s->text_value[i],
			    strlen(s->text_value[i]), "text in a column that is numeric in the state %s",
			    state_name);
			goto done;
		}
	}
	if (state_formula(state, state_name, f, d) < 0)
		goto done;
	for (size_t i = 0; i < s->nc; i++) {
		if (s->lv[i] == NULL)
			continue;
		size_t nl = strtab_n(s->lv[i]);
		size_t *index = xcalloc(nl + 1, sizeof *index);
		for (size_t k = 0; k < nl; k++) {
			size_t len;
			const char *str = strtab_str(s->lv[i], k, &len);
			long x = formula_level_index(f, i, str, len);
			if (x < 0) {
				diag_set(d, input, 0, formula_col(f, i), str, len,
				    "a level that is not in the state %s", state_name);
				free(index);
				goto done;
			}
			index[k] = (size_t)x;
		}
		int err = store_remap_levels(s, i, index);
		free(index);
		if (err != 0) {
			diag_errno(d, spill_dir(), err, "temporary file: read or write error");
			goto done;
		}
	}
	const json_t *pfit = json_object_get(state, "fit");
	if (o->holdout > 0 || o->folds > 0) {
		if (map_validated(o, f, s, NULL, 0, s->n, s->groups == NULL, state, state_name, input, p,
		    d) < 0)
			goto done;
	} else if (json_object_get(pfit, "numbers") != NULL) {
		/* the pooled fit is not done: its pass over every row */
		json_t *st = shard_pass(o, f, s, NULL, 0, s->n, s->groups == NULL, pfit, state_name,
		    input, d);
		if (st == NULL)
			goto done;
		json_object_set_new(p, "stats", st);
	}
	if (s->groups != NULL && map_groups(o, f, s, state, state_name, input, p, d) < 0)
		goto done;
	json_object_set_new(p, "round", json_object_get(state, "round") ?
	    json_integer(json_integer_value(json_object_get(state, "round"))) : json_integer(0));
	json_object_set_new(p, "state", json_string(jstr(state, "id") ? jstr(state, "id") : ""));
	json_object_set_new(p, "formula", json_string(formula_text));
	*part = p;
	p = NULL;
	rc = 0;
done:
	json_decref(p);
	return rc;
}

/* A fit in progress as a state holds it: its phase and numbers. */
static json_t *
run_json(const struct fit_run *r)
{
	json_t *fit = json_object();
	size_t nv = fit_run_size(r);
	double *v = xcalloc(nv + 1, sizeof *v);

	fit_run_export(r, v);
	json_object_set_new(fit, "phase", json_integer(fit_run_phase(r)));
	json_object_set_new(fit, "numbers", hex_array(v, nv));
	free(v);
	return fit;
}

/*
 * The state after a round: doc's columns and options, the pooled fit (fit,
 * taken) and with groups (groups, taken; NULL: none) each group's, with
 * validation the folds' fits (folds, taken; NULL: none) and the measures
 * once made (validation, taken; NULL: not yet), round + 1.
 */
static json_t *
new_state(const json_t *options, json_t *columns, json_int_t rows, json_int_t dropped,
    json_int_t round, json_t *fit, json_t *groups, json_t *folds, json_t *validation)
{
	json_t *st = json_object();
	char id[17];

	json_object_set_new(st, "format", json_string(STATE_FORMAT));
	json_object_set_new(st, "version", json_integer(SHARD_VERSION));
	json_object_set_new(st, "round", json_integer(round));
	json_object_set(st, "options", (json_t *)options);
	json_object_set(st, "columns", columns);
	json_object_set_new(st, "rows", json_integer(rows));
	json_object_set_new(st, "dropped", json_integer(dropped));
	json_object_set_new(st, "fit", fit);
	if (groups != NULL)
		json_object_set_new(st, "groups", groups);
	if (folds != NULL)
		json_object_set_new(st, "folds", folds);
	if (validation != NULL)
		json_object_set_new(st, "validation", validation);
	doc_id(st, id);
	json_object_set_new(st, "id", json_string(id));
	return st;
}

/* Round 0: the columns of every part merged; the state of round 1. */
static int
reduce_columns(json_t *const *parts, const char *const *names, size_t n, json_t **out,
    struct diag *d)
{
	const json_t *opt0 = json_object_get(parts[0], "options");
	const char *ftext;
	struct formula *f = NULL;
	struct train_opts o;
	json_t *cols = NULL, *groups = NULL;
	json_int_t rows = 0, dropped = 0;
	struct fit_run *r = NULL;
	struct strtab *gn = NULL;
	int rc = -1;

	memset(&o, 0, sizeof o);
	for (size_t k = 0; k < n; k++) {
		if (!json_equal(json_object_get(parts[k], "options"), (json_t *)opt0))
			return diag_set(d, names[k], 0, NULL, NULL, 0,
			    "formula or options differ from those of %s", names[0]);
		json_int_t pr = json_integer_value(json_object_get(parts[k], "rows"));
		json_int_t pj = json_integer_value(json_object_get(parts[k], "rejected"));
		if (!json_is_integer(json_object_get(parts[k], "rows")) ||
		    !json_is_integer(json_object_get(parts[k], "rejected")) ||
		    pr < 0 || pj < 0 || pr > LLONG_MAX - rows || pj > LLONG_MAX - dropped)
			return diag_set(d, names[k], 0, NULL, NULL, 0, "bad \"rows\" or \"rejected\"");
		rows += pr;
		dropped += pj;
	}
	if (options_read(opt0, names[0], "part", &o, &ftext, d) < 0)
		return -1;
	if ((f = formula_parse(ftext, d)) == NULL)
		return -1;
	for (size_t k = 0; k < n; k++) {
		const json_t *pc = json_object_get(parts[k], "columns");
		int empty = json_integer_value(json_object_get(parts[k], "rows")) == 0;
		if (!json_is_array(pc) || json_array_size(pc) != formula_ncols(f)) {
			diag_set(d, names[k], 0, NULL, NULL, 0, "a part of round 0 without the formula's columns");
			goto done;
		}
		for (size_t i = 0; i < formula_ncols(f); i++) {
			const json_t *c = json_array_get(pc, i);
			const char *cn = jstr(c, "name"), *t = jstr(c, "type");
			if (cn == NULL || strcmp(cn, formula_col(f, i)) != 0) {
				diag_set(d, names[k], 0, NULL, NULL, 0,
				    "a part of round 0 without the formula's columns");
				goto done;
			}
			if (t == NULL || (strcmp(t, "numeric") != 0 && strcmp(t, "categorical") != 0 &&
			    (strcmp(t, "none") != 0 || !empty))) {
				diag_set(d, names[k], 0, cn, NULL, 0, "the part's type is not numeric or "
				    "categorical%s", empty ? ", or none" : "");
				goto done;
			}
			if (strcmp(t, "categorical") == 0 && !json_is_array(json_object_get(c, "levels"))) {
				diag_set(d, names[k], 0, cn, NULL, 0, "the part has no levels");
				goto done;
			}
		}
	}
	cols = json_array();
	for (size_t i = 0; i < formula_ncols(f); i++) {
		struct strtab *lv = NULL;
		size_t cat_part = n, num_part = n;
		for (size_t k = 0; k < n; k++) {
			const json_t *c = json_array_get(json_object_get(parts[k], "columns"), i);
			const char *t = jstr(c, "type");
			if (t == NULL) {
				diag_set(d, names[k], 0, NULL, NULL, 0, "a part of round 0 without columns");
				strtab_free(lv);
				goto done;
			}
			if (strcmp(t, "numeric") == 0 && num_part == n)
				num_part = k;
			if (strcmp(t, "categorical") != 0)
				continue;
			if (cat_part == n)
				cat_part = k;
			if (lv == NULL && (lv = strtab_new()) == NULL)
				xalloc_die();
			const json_t *l = json_object_get(c, "levels");
			for (size_t j = 0; j < json_array_size(l); j++) {
				const json_t *s = json_array_get(l, j);
				if (!json_is_string(s)) {
					diag_set(d, names[k], 0, NULL, NULL, 0, "a level that is not a text");
					strtab_free(lv);
					goto done;
				}
				if (strtab_add(lv, json_string_value(s), json_string_length(s)) < 0)
					xalloc_die();
			}
		}
		json_t *c = json_object();
		json_object_set_new(c, "name", json_string(formula_col(f, i)));
		if (cat_part < n && num_part < n) {
			const json_t *cc = json_array_get(json_object_get(parts[cat_part], "columns"), i);
			diag_set(d, names[cat_part], 0, formula_col(f, i), jstr(cc, "text"),
			    jstr(cc, "text") ? strlen(jstr(cc, "text")) : 0,
			    "text in a column that holds only numbers in %s: give it one type in every "
			    "shard (C(%s) in the formula makes it categorical)", names[num_part],
			    formula_col(f, i));
			strtab_free(lv);
			json_decref(c);
			goto done;
		}
		if (lv != NULL) {
			json_t *l = json_array();
			size_t nl = strtab_n(lv), *order = xcalloc(nl + 1, sizeof *order);
			strtab_sorted(lv, order);
			for (size_t j = 0; j < nl; j++) {
				size_t len;
				const char *str = strtab_str(lv, order[j], &len);
				json_array_append_new(l, json_stringn(str, len));
			}
			free(order);
			strtab_free(lv);
			json_object_set_new(c, "type", json_string("categorical"));
			json_object_set_new(c, "levels", l);
		} else {
			json_object_set_new(c, "type", json_string("numeric"));
		}
		json_array_append_new(cols, c);
	}
	if (rows == 0) {
		diag_set(d, names[0], 0, NULL, NULL, 0, "no rows to fit: every shard is empty");
		goto done;
	}
	{
		long price = o.price ? formula_col_index(f, o.price) : -1;
		const json_t *pc = price >= 0 ? json_array_get(cols, (size_t)price) : NULL;
		if (pc && strcmp(jstr(pc, "type"), "categorical") == 0) {
			diag_set(d, names[0], 0, o.price, NULL, 0, "the price column must be numeric");
			goto done;
		}
	}
	json_t *tmp = json_object();
	json_object_set(tmp, "columns", cols);
	rc = state_formula(tmp, names[0], f, d);
	json_decref(tmp);
	if (rc < 0)
		goto done;
	rc = -1;
	if (formula_check_work(f, (size_t)rows, d) < 0)
		goto done;
	struct fit_opts fo = shard_fitopts(&o, f);
	if ((r = fit_run_new(&fo, formula_ncoef(f))) == NULL)
		xalloc_die();
	if (o.by != NULL) {
		/* every shard's groups, in byte order, each starting its fit */
		if ((gn = strtab_new()) == NULL)
			xalloc_die();
		for (size_t k = 0; k < n; k++) {
			const json_t *pg = json_object_get(parts[k], "groups");
			if (!json_is_array(pg)) {
				diag_set(d, names[k], 0, NULL, NULL, 0, "a part of round 0 without groups");
				goto done;
			}
			for (size_t j = 0; j < json_array_size(pg); j++) {
				const json_t *g = json_array_get(pg, j);
				if (!json_is_string(g)) {
					diag_set(d, names[k], 0, NULL, NULL, 0, "a group that is not a text");
					goto done;
				}
				if (strtab_add(gn, json_string_value(g), json_string_length(g)) < 0)
					xalloc_die();
			}
		}
		size_t ng = strtab_n(gn), *order = xcalloc(ng + 1, sizeof *order);
		groups = json_array();
		strtab_sorted(gn, order);
		for (size_t j = 0; j < ng; j++) {
			size_t len;
			const char *str = strtab_str(gn, order[j], &len);
			json_t *e = json_object();
			json_object_set_new(e, "name", json_stringn(str, len));
			json_object_set_new(e, "fit", run_json(r));
			if (o.folds > 0) {
				json_t *gf = json_array();
				for (long k = 0; k < o.folds; k++)
					json_array_append_new(gf, run_json(r));
				json_object_set_new(e, "folds", gf);
			}
			json_array_append_new(groups, e);
		}
		free(order);
	}
	json_t *folds = NULL;
	if (o.folds > 0) {
		/* each fold's fit, from the same start */
		folds = json_array();
		for (long k = 0; k < o.folds; k++)
			json_array_append_new(folds, run_json(r));
	}
	*out = new_state(opt0, cols, rows, dropped, 1, run_json(r), groups, folds, NULL);
	groups = NULL;
	rc = 0;
done:
	json_decref(groups);
	strtab_free(gn);
	fit_run_free(r);
	json_decref(cols);
	formula_free(f);
	return rc;
}

/* The sub-model document of a finished fit (as train.c's train_rows makes it, without validation). */
static json_t *
fit_sub(const struct train_opts *o, const struct formula *f, const struct fit_result *res)
{
	size_t p = formula_ncoef(f);
	double *cov = xcalloc(p * p + 1, sizeof *cov);
	json_t *sub;

	for (size_t i = 0; i < p; i++)
		for (size_t j = 0; j < p; j++)
			cov[i * p + j] = gsl_matrix_get(res->cov, i, j);
	sub = model_doc_sub(f, res->beta->data, res->se->data, cov, res->dispersion,
	    res->df_residual, model_doc_training(o->family, res, NULL));
	free(cov);
	return sub;
}

/*
 * One step of the fit whose state is fit (phase and numbers) on the
 * statistics of the parts, merged in order: stats[k] is part k's (NULL:
 * the part has none for this fit; with all, that is refused); group names
 * the group's fit (NULL: the pooled one).  Returns 0
 * with *next (another pass: the fit's new state) or *sub (done: its
 * sub-model document; with beta not NULL, *beta its estimates as
 * fit_beta_or_zero gives them, hex floats), 1 when the fit failed (d says
 * why), -1 with d filled when a part or the state is not valid.
 */
static int
reduce_step(const struct train_opts *o, const struct formula *f, const json_t *fit,
    const json_t *const *stats, int all, const char *group, const char *const *names, size_t n,
    const char *state_name, json_t **next, json_t **sub, json_t **beta, struct diag *d)
{
	struct fit_opts fo = shard_fitopts(o, f);
	struct fit_run *r;
	struct fit_stats *acc, *one;
	struct fit_result res;
	enum fit_status st = FIT_OK;
	size_t got = 0;
	int rc = -1;

	*next = *sub = NULL;
	memset(&res, 0, sizeof res);
	res.bad_row = -1;
	if ((r = fit_run_new(&fo, formula_ncoef(f))) == NULL || (acc = fit_stats_new(r)) == NULL ||
	    (one = fit_stats_new(r)) == NULL)
		xalloc_die();
	size_t nv = fit_run_size(r), ns = fit_stats_size(r);
	double *v = xcalloc((nv > ns ? nv : ns) + 1, sizeof *v);
	if (hex_read(json_object_get(fit, "numbers"), v, nv) < 0 || fit_run_import(r, v, nv) < 0) {
		diag_set(d, state_name, 0, NULL, NULL, 0, "the state's fit does not fit the formula");
		goto done;
	}
	fit_stats_ridge(r, acc);
	for (size_t k = 0; k < n; k++) {
		if (stats[k] == NULL && !all)
			continue;
		if (hex_read(stats[k], v, ns) < 0 || fit_stats_import(r, one, v, ns, NULL) < 0) {
			diag_set(d, names[k], 0, NULL, NULL, 0, "statistics that do not fit the state %s",
			    state_name);
			goto done;
		}
		fit_stats_merge(acc, one);
		got++;
	}
	if (got == 0) {
		diag_set(d, state_name, 0, NULL, group, group ? strlen(group) : 0,
		    "no part holds statistics of this group");
		goto done;
	}
	if (fit_run_step(r, acc, &res, &st, d)) {
		*next = run_json(r);
		rc = 0;
	} else if (st != FIT_OK) {
		rc = 1;
	} else {
		*sub = fit_sub(o, f, &res);
		if (beta != NULL) {
			double *b = xcalloc(res.p + 1, sizeof *b);
			fit_beta_or_zero(&res, b);
			*beta = hex_array(b, res.p);
			free(b);
		}
		rc = 0;
	}
done:
	fit_result_free(&res);
	free(v);
	fit_stats_free(acc);
	fit_stats_free(one);
	fit_run_free(r);
	return rc;
}

/*
 * A later round of the folds' fits (sf, K of them): each fit not done
 * steps on the statistics of the parts' objects (ents[i]["folds"][k]; ents[i]
 * NULL: part i holds none, which all refuses), in the order of the parts;
 * the entries for the next state into *out (a fit in progress, done: its
 * estimates, "beta", or failed: "error", "fold K: why"), *active
 * incremented for each in progress.  Returns 0, or -1 with d filled.
 */
static int
reduce_folds(const struct train_opts *o, const struct formula *f, const json_t *sf,
    const json_t *const *ents, int all, const char *const *names, size_t n,
    const char *state_name, json_t **out, size_t *active, struct diag *d)
{
	const json_t **st = xcalloc(n + 1, sizeof *st);
	json_t *folds = json_array();
	int rc = -1;

	for (size_t k = 0; k < json_array_size(sf); k++) {
		const json_t *fit = json_array_get(sf, k);
		json_t *next, *sub, *beta = NULL;
		if (json_object_get(fit, "numbers") == NULL) {
			json_array_append_new(folds, json_deep_copy(fit));   /* done before */
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			const json_t *pf = ents[i] ? json_object_get(ents[i], "folds") : NULL;
			if ((ents[i] != NULL || all) &&
			    (!json_is_array(pf) || json_array_size(pf) != json_array_size(sf))) {
				diag_set(d, names[i], 0, NULL, NULL, 0, "a part without the statistics of the "
				    "state %s's folds", state_name);
				goto done;
			}
			st[i] = json_array_get(pf, k);
			if (ents[i] != NULL && st[i] == NULL)
				st[i] = json_null();   /* refused below, as statistics that do not fit */
		}
		int r = reduce_step(o, f, fit, st, all, NULL, names, n, state_name, &next, &sub, &beta, d);
		if (r < 0)
			goto done;
		if (r == 1) {
			char m[DIAG_WHAT_MAX + 32];
			snprintf(m, sizeof m, "fold %zu: %s", k + 1, d->what);
			json_array_append_new(folds, json_pack("{ss}", "error", m));
		} else if (next != NULL) {
			json_array_append_new(folds, next);
			(*active)++;
		} else {
			json_t *e = json_object();
			json_object_set_new(e, "beta", beta);
			json_array_append_new(folds, e);
			json_decref(sub);
		}
	}
	*out = folds;
	folds = NULL;
	rc = 0;
done:
	json_decref(folds);
	free(st);
	return rc;
}

/*
 * The round of the measures: the parts' objects' "validation" (ents[i];
 * NULL: none, which all refuses) merged (metrics.h) into the validation
 * object of the model (*out), and as one run says it into line (what
 * names the model: "" or "group \"A\": ").  0, or -1 with d naming the part
 * that holds none that fits.
 */
static int
reduce_measures(const struct train_opts *o, const json_t *const *ents, int all,
    const char *const *names, size_t n, const char *state_name, const char *what, json_t **out,
    char *line, size_t linesz, struct diag *d)
{
	struct metrics_acc acc;
	struct model_validation v;
	char m[256];

	metrics_acc_init(&acc, train_metrics_kind(o->family));
	for (size_t i = 0; i < n; i++)
		if ((ents[i] != NULL || all) &&
		    metrics_acc_add_json(&acc, json_object_get(ents[i], "validation")) < 0) {
			metrics_acc_fini(&acc);
			return diag_set(d, names[i], 0, NULL, NULL, 0, "validation measures that do not "
			    "fit the state %s", state_name);
		}
	train_validation(o, &acc, &v, m, sizeof m);
	metrics_acc_fini(&acc);
	*out = model_doc_validation(o->family, &v);
	snprintf(line, linesz, "%s%s (%zu rows): %s", what, o->holdout > 0 ? "holdout" :
	    "cross-validation", v.n, m);
	return 0;
}

/*
 * One round of a model with validation: holder is the state, or a group's
 * entry of it ("fit", "folds", "validation"); ents[i] part i's object for
 * it (the part, or its entry for the group; NULL: it holds none, which all
 * refuses).  The model's fit and each fold's step on the parts'
 * statistics, and in the round of the measures (validation_state) the
 * parts' measures are merged.  Returns 0 with the holder's members for the
 * next state set in out ("fit": in progress, or done: "model", the
 * measures in its training once made, and with a holdout "beta"; "folds";
 * "validation" once measured), *active 1 when it needs another round, and
 * line the measures' line when they were made in this round ("" else); 1
 * when a fit failed (d says which); -1 with d filled when a part or the
 * state is not valid.
 */
static int
reduce_validated(const struct train_opts *o, const struct formula *f, const json_t *holder,
    const json_t *const *ents, int all, const char *what, const char *const *names, size_t n,
    const char *state_name, json_t *out, int *active, char *line, size_t linesz,
    struct diag *d)
{
	const json_t *fit = json_object_get(holder, "fit");
	const json_t **st = xcalloc(n + 1, sizeof *st);
	json_t *next = NULL, *sub = NULL, *pbeta = NULL, *folds = NULL, *val = NULL;
	size_t running = 0, nb;
	double *vbeta = NULL;
	int rc = -1, r;

	*active = 0;
	line[0] = 0;
	if (validation_state(holder, o, formula_ncoef(f), state_name, &vbeta, &nb, d) < 0)
		goto done;
	if (json_object_get(fit, "numbers") != NULL) {
		for (size_t i = 0; i < n; i++) {
			st[i] = ents[i] ? json_object_get(ents[i], "stats") : NULL;
			if (ents[i] != NULL && st[i] == NULL)
				st[i] = json_null();   /* refused, as statistics that do not fit */
		}
		r = reduce_step(o, f, fit, st, all, what[0] ? what : NULL, names, n, state_name, &next,
		    &sub, o->holdout > 0 ? &pbeta : NULL, d);
		if (r < 0)
			goto done;
		if (r == 1) {
			char m[DIAG_WHAT_MAX + 32];
			snprintf(m, sizeof m, "%s%s", o->holdout > 0 ? "fit without the holdout 1: " : "",
			    d->what);
			next = json_pack("{ss}", "error", m);
		}
	} else if (json_is_string(json_object_get(fit, "error"))) {
		next = json_deep_copy(fit);   /* failed in an earlier round, the folds' fits going on */
	} else {
		sub = json_deep_copy(json_object_get(fit, "model"));   /* done in an earlier round */
		if (o->holdout > 0)
			pbeta = json_deep_copy(json_object_get(fit, "beta"));
	}
	if (o->folds > 0 && reduce_folds(o, f, json_object_get(holder, "folds"), ents, all, names, n,
	    state_name, &folds, &running, d) < 0)
		goto done;
	{
		/*
		 * A failure is the one a run meets first: it fits the folds in
		 * order, then the model; so a fold's only once every fold before
		 * it is done, the model's once every fold is.
		 */
		const char *err = NULL;
		size_t k;
		for (k = 0; k < json_array_size(folds); k++) {
			const json_t *fk = json_array_get(folds, k);
			if (json_object_get(fk, "numbers") != NULL)
				break;
			if ((err = jstr(fk, "error")) != NULL)
				break;
		}
		if (err == NULL && k == json_array_size(folds))
			err = jstr(next, "error");
		if (err != NULL) {
			diag_set(d, state_name, 0, NULL, NULL, 0, "%s", err);
			rc = 1;
			goto done;
		}
	}
	if (vbeta != NULL) {
		if (reduce_measures(o, ents, all, names, n, state_name, what, &val, line, linesz, d) < 0)
			goto done;
	} else if (json_object_get(holder, "validation") != NULL) {
		val = json_deep_copy(json_object_get(holder, "validation"));
	}
	if (next == NULL) {
		next = json_object();
		if (val != NULL)
			json_object_set(json_object_get(sub, "training"), "validation", val);
		json_object_set_new(next, "model", sub);
		sub = NULL;
		if (pbeta != NULL)
			json_object_set_new(next, "beta", pbeta);
		pbeta = NULL;
	} else {
		*active = 1;
	}
	*active = *active || running > 0 || val == NULL;
	json_object_set_new(out, "fit", next);
	next = NULL;
	if (folds != NULL)
		json_object_set_new(out, "folds", folds);
	folds = NULL;
	if (val != NULL)
		json_object_set_new(out, "validation", val);
	val = NULL;
	rc = 0;
done:
	json_decref(next);
	json_decref(sub);
	json_decref(pbeta);
	json_decref(folds);
	json_decref(val);
	free(vbeta);
	free(st);
	return rc;
}

/*
 * A later round of the groups (the state's "groups", sg): each group's
 * statistics from the parts that hold it, in the order of the parts; the
 * groups' entries for the next state into *out, *active of them not done.
 */
static int
reduce_groups(const struct train_opts *o, const struct formula *f, const json_t *sg,
    json_t *const *parts, const char *const *names, size_t n, const char *state_name,
    json_t **out, size_t *active, struct diag *d)
{
	struct strtab *gn = group_names(sg);
	size_t ng = json_array_size(sg);
	const json_t **st = NULL;
	json_t *groups = json_array();
	int rc = -1, validated = o->holdout > 0 || o->folds > 0;

	*active = 0;
	if (gn == NULL) {
		diag_set(d, state_name, 0, NULL, NULL, 0, "the state has no valid groups");
		goto done;
	}
	st = xcalloc(ng * n + 1, sizeof *st);
	for (size_t k = 0; k < n; k++) {
		const json_t *pg = json_object_get(parts[k], "groups");
		if (!json_is_array(pg)) {
			diag_set(d, names[k], 0, NULL, NULL, 0, "a part without groups");
			goto done;
		}
		for (size_t e = 0; e < json_array_size(pg); e++) {
			const json_t *ge = json_array_get(pg, e), *nm = json_object_get(ge, "name");
			long j = json_is_string(nm) ? strtab_find(gn, json_string_value(nm),
			    json_string_length(nm)) : -1;
			const json_t *sge = j >= 0 ? json_array_get(sg, (size_t)j) : NULL;
			if (j < 0 || group_done(o, sge) || st[(size_t)j * n + k] != NULL) {
				diag_set(d, names[k], 0, NULL, json_string_value(nm),
				    json_is_string(nm) ? json_string_length(nm) : 0,
				    "statistics of a group that the state %s does not fit", state_name);
				goto done;
			}
			/* with validation the entry, its statistics and measures read below */
			st[(size_t)j * n + k] = validated ? ge : json_object_get(ge, "stats");
			if (st[(size_t)j * n + k] == NULL) {
				diag_set(d, names[k], 0, NULL, NULL, 0, "statistics that do not fit the state %s",
				    state_name);
				goto done;
			}
		}
	}
	for (size_t j = 0; j < ng; j++) {
		const json_t *ge = json_array_get(sg, j), *fit = json_object_get(ge, "fit");
		const char *name = jstr(ge, "name");
		json_t *e = json_object(), *next, *sub;
		json_object_set_new(e, "name", json_string(name));
		json_array_append_new(groups, e);
		if (validated && !group_done(o, ge)) {
			char what[DIAG_VALUE_MAX + 16], line[DIAG_WHAT_MAX + DIAG_VALUE_MAX];
			int act;
			snprintf(what, sizeof what, "group \"%s\": ", name);
			int r = reduce_validated(o, f, ge, st + j * n, 0, what, names, n, state_name, e, &act,
			    line, sizeof line, d);
			if (r < 0)
				goto done;
			if (r == 1) {
				char m[DIAG_WHAT_MAX + DIAG_VALUE_MAX + 16];
				snprintf(m, sizeof m, "group \"%s\": %s", name, d->what);
				json_object_del(e, "folds");
				json_object_del(e, "validation");
				json_object_set_new(e, "fit", json_pack("{ss}", "failed", m));
				continue;
			}
			if (line[0])
				json_object_set_new(e, "said", json_string(line));
			else if (jstr(ge, "said") != NULL)
				json_object_set_new(e, "said", json_string(jstr(ge, "said")));
			*active += (size_t)act;
			continue;
		}
		if (validated) {
			/* done before: kept as it is, its measures said at the end */
			json_array_set_new(groups, j, json_deep_copy(ge));
			const json_t *why = json_object_get(fit, "failed");
			if (!json_is_string(why) && !json_is_object(json_object_get(fit, "model"))) {
				diag_set(d, state_name, 0, NULL, NULL, 0, "the state has no valid groups");
				goto done;
			}
			continue;
		}
		if (json_object_get(fit, "numbers") == NULL) {
			/* done before: its model, or why it failed */
			const json_t *m = json_object_get(fit, "model"), *why = json_object_get(fit, "failed");
			if (!json_is_object(m) && !json_is_string(why)) {
				diag_set(d, state_name, 0, NULL, NULL, 0, "the state has no valid groups");
				goto done;
			}
			json_object_set_new(e, "fit", json_deep_copy(fit));
			continue;
		}
		int r = reduce_step(o, f, fit, st + j * n, 0, name, names, n, state_name, &next, &sub,
		    NULL, d);
		if (r < 0)
			goto done;
		json_t *nf = json_object();
		if (r == 1) {
			char m[DIAG_WHAT_MAX + DIAG_VALUE_MAX + 16];
			snprintf(m, sizeof m, "group \"%s\": %s", name, d->what);
			json_object_set_new(nf, "failed", json_string(m));
		} else if (next != NULL) {
			json_decref(nf);
			nf = next;
			(*active)++;
		} else {
			json_object_set_new(nf, "model", sub);
		}
		json_object_set_new(e, "fit", nf);
	}
	*out = groups;
	groups = NULL;
	rc = 0;
done:
	json_decref(groups);
	free(st);
	strtab_free(gn);
	return rc;
}

/*
 * The groups that could not be fitted, and with validation each group's
 * measures, in the order of the groups, as one run says them on stderr
 * (train.c): the first TRAIN_GROUP_WARNINGS in full, the rest counted.
 */
static void
note_failed(const json_t *groups, void (*note)(void *, const char *), void *note_arg)
{
	size_t shown = 0, failed = 0, said = 0;
	char msg[DIAG_WHAT_MAX + 2 * DIAG_VALUE_MAX + 64];

	for (size_t j = 0; note != NULL && j < json_array_size(groups); j++) {
		const json_t *ge = json_array_get(groups, j);
		const char *why = jstr(json_object_get(ge, "fit"), "failed"), *line = jstr(ge, "said");
		if (why == NULL && line == NULL)
			continue;
		if (shown == TRAIN_GROUP_WARNINGS) {
			if (why != NULL)
				failed++;
			else
				said++;
			continue;
		}
		shown++;
		if (why == NULL) {
			note(note_arg, line);
			continue;
		}
		note(note_arg, why);
		snprintf(msg, sizeof msg, "group \"%s\": scored with the pooled model", jstr(ge, "name"));
		note(note_arg, msg);
	}
	if (failed + said > 0) {
		size_t k = 0;
		k += (size_t)snprintf(msg + k, sizeof msg - k, "groups: %zu more warnings not shown (",
		    failed + said);
		if (failed > 0)
			k += (size_t)snprintf(msg + k, sizeof msg - k, "%zu groups scored with the pooled "
			    "model%s", failed, said > 0 ? ", " : "");
		if (said > 0)
			snprintf(msg + k, sizeof msg - k, "%zu validation lines", said);
		snprintf(msg + strlen(msg), sizeof msg - strlen(msg), ")");
		note(note_arg, msg);
	}
}

int
train_reduce(const json_t *state, const char *state_name, json_t *const *parts,
    const char *const *names, size_t n, json_t **out, int *is_model, struct diag *d)
{
	return train_reduce_notes(state, state_name, parts, names, n, out, is_model, NULL, NULL, d);
}

int
train_reduce_notes(const json_t *state, const char *state_name, json_t *const *parts,
    const char *const *names, size_t n, json_t **out, int *is_model,
    void (*note)(void *, const char *), void *note_arg, struct diag *d)
{
	struct train_opts o;
	struct formula *f = NULL;
	json_t *next = NULL, *sub = NULL, *groups = NULL, *folds = NULL, *validation = NULL;
	const json_t **pst = NULL;
	const char *ftext;
	size_t active = 0;
	int rc = -1, validated = 0;
	json_int_t round = state ? json_integer_value(json_object_get(state, "round")) : 0;

	*out = NULL;
	*is_model = 0;
	memset(&o, 0, sizeof o);
	if (state != NULL && train_state_options(state, state_name, &o, &ftext, d) < 0)
		return -1;
	for (size_t k = 0; k < n; k++) {
		if (check_doc(parts[k], PART_FORMAT, names[k], d) < 0)
			return -1;
		const char *pf = jstr(parts[k], "formula");
		if (pf == NULL)
			pf = jstr(json_object_get(parts[k], "options"), "formula");
		if (state != NULL && (pf == NULL || strcmp(pf, ftext) != 0))
			return diag_set(d, names[k], 0, NULL, NULL, 0,
			    "a part of the formula \"%s\", not the state's \"%s\"", pf ? pf : "", ftext);
		json_int_t pr = json_integer_value(json_object_get(parts[k], "round"));
		if (pr != round)
			return diag_set(d, names[k], 0, NULL, NULL, 0,
			    "a part of round %lld, not %lld%s", (long long)pr, (long long)round,
			    state ? " (the round of the state)" : " (no --from: the first round)");
		const char *ps = jstr(parts[k], "state");
		if (state != NULL && (ps == NULL || jstr(state, "id") == NULL ||
		    strcmp(ps, jstr(state, "id")) != 0))
			return diag_set(d, names[k], 0, NULL, NULL, 0,
			    "a part of another state (%s), not %s", ps ? ps : "none", state_name);
	}
	if (state == NULL)
		return reduce_columns(parts, names, n, out, d);
	/* a part for every shard, once: their rows are the state's */
	json_int_t srows = json_integer_value(json_object_get(state, "rows")), prows = 0;
	for (size_t k = 0; k < n; k++) {
		const json_t *pr = json_object_get(parts[k], "rows");
		if (!json_is_integer(pr) || json_integer_value(pr) < 0)
			return diag_set(d, names[k], 0, NULL, NULL, 0, "bad \"rows\"");
		/* (never past srows + 1: no overflow, and more is more) */
		prows += json_integer_value(pr) <= srows - prows ? json_integer_value(pr) :
		    srows - prows + 1;
	}
	if (prows != srows)
		return diag_set(d, state_name, 0, NULL, NULL, 0,
		    "the parts hold %s rows than the shards of the state (%lld): give the part of every "
		    "shard, once", prows < srows ? "fewer" : "more", (long long)srows);
	if ((f = formula_parse(ftext, d)) == NULL || state_formula(state, state_name, f, d) < 0)
		goto done;
	validated = o.holdout > 0 || o.folds > 0;
	const json_t *pfit = json_object_get(state, "fit");
	int pactive = 0;
	if (validated) {
		/* the model's fit, the folds', the measures: every part holds its figures */
		json_t *h = json_object();
		char line[DIAG_WHAT_MAX];
		int r = reduce_validated(&o, f, state, (const json_t *const *)parts, 1, "", names, n,
		    state_name, h, &pactive, line, sizeof line, d);
		if (r == 0) {
			next = json_incref(json_object_get(h, "fit"));
			folds = json_incref(json_object_get(h, "folds"));
			validation = json_incref(json_object_get(h, "validation"));
			sub = json_incref(json_object_get(next, "model"));
			if (line[0] && note != NULL)
				note(note_arg, line);
		}
		json_decref(h);
		if (r == 1) {
			char m[DIAG_WHAT_MAX];
			snprintf(m, sizeof m, "%s", d->what);
			diag_set(d, state_name, 0, NULL, NULL, 0, "%s", m);
		}
		if (r != 0)
			goto done;
	} else if (json_object_get(pfit, "numbers") != NULL) {
		/* the pooled fit: every part holds its statistics */
		pst = xcalloc(n + 1, sizeof *pst);
		for (size_t k = 0; k < n; k++)
			pst[k] = json_object_get(parts[k], "stats");
		int r = reduce_step(&o, f, pfit, pst, 1, NULL, names, n, state_name, &next, &sub, NULL,
		    d);
		if (r < 0)
			goto done;
		if (r == 1) {
			char m[DIAG_WHAT_MAX];
			snprintf(m, sizeof m, "%s", d->what);
			diag_set(d, state_name, 0, NULL, NULL, 0, "%s", m);
			goto done;
		}
		pactive = next != NULL;
	} else if (o.by != NULL && json_is_object(json_object_get(pfit, "model"))) {
		sub = json_deep_copy(json_object_get(pfit, "model"));   /* done in an earlier round */
	} else {
		diag_set(d, state_name, 0, NULL, NULL, 0, "the state's fit does not fit the formula");
		goto done;
	}
	if (o.by != NULL && reduce_groups(&o, f, json_object_get(state, "groups"), parts, names, n,
	    state_name, &groups, &active, d) < 0)
		goto done;
	if (pactive || active > 0) {
		json_t *fit = next;
		if (fit == NULL) {
			fit = json_object();
			json_object_set_new(fit, "model", sub);
			sub = NULL;
		}
		next = NULL;
		*out = new_state(json_object_get(state, "options"), json_object_get(state, "columns"),
		    json_integer_value(json_object_get(state, "rows")),
		    json_integer_value(json_object_get(state, "dropped")), round + 1, fit, groups, folds,
		    validation);
		folds = validation = NULL;
		groups = NULL;
		rc = 0;
		goto done;
	}
	/* every fit done: the model, as train_run writes it */
	json_t *doc = model_doc_new(f, o.family, o.price, o.weight, o.l2);
	json_object_update(doc, sub);
	if (o.response_log || formula_response_log(f))
		model_doc_log_response(doc, o.response_log, o.retransform);
	if (o.by != NULL) {
		json_t *gobj = json_object();
		for (size_t j = 0; j < json_array_size(groups); j++) {
			const json_t *ge = json_array_get(groups, j);
			json_t *m = json_object_get(json_object_get(ge, "fit"), "model");
			if (m != NULL)
				json_object_set(gobj, jstr(ge, "name"), m);
		}
		note_failed(groups, note, note_arg);
		model_doc_finish(doc, o.by, gobj, sub,
		    (unsigned long long)json_integer_value(json_object_get(state, "dropped")));
		json_decref(gobj);
	} else {
		model_doc_finish(doc, NULL, NULL, NULL,
		    (unsigned long long)json_integer_value(json_object_get(state, "dropped")));
	}
	/* the fits done in earlier rounds come from the state as they are: pr-score must read them */
	struct model *m = model_from_json(doc, state_name, d);
	if (m == NULL) {
		char msg[DIAG_WHAT_MAX];
		snprintf(msg, sizeof msg, "%s", d->what);
		diag_set(d, state_name, 0, NULL, NULL, 0, "the model of the state's fits: %s", msg);
		json_decref(doc);
		goto done;
	}
	model_free(m);
	*out = doc;
	*is_model = 1;
	rc = 0;
done:
	json_decref(next);
	json_decref(sub);
	json_decref(groups);
	json_decref(folds);
	json_decref(validation);
	free(pst);
	formula_free(f);
	return rc;
}
