/*
 * test_model.c - the model file and its evaluation: exact round trip of
 * every number through JSON, the prediction and its exact price
 * derivative against closed forms, the delta-method standard error and
 * band, groups, and the checks of the input and the file.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "field.h"
#include "model.h"

/* bought ~ log(price) * seg + x, seg in {a, b}: (Intercept) log(price) segb x log(price):segb */
static const double beta[5] = { 0.1, -1.0 / 3, 0.7182818284590452, 1e-300 * 1e290, -0.25 };
static const double beta_b[5] = { 1.5, -2, 0, 0.5, 0 };

static struct formula *
make_formula(void)
{
	static char *const lv[] = { "b", "a" };
	struct diag d;
	struct formula *f = formula_parse("bought ~ log(price) * seg + x", &d);

	if (f == NULL || formula_set_levels(f, (size_t)formula_col_index(f, "seg"), lv, 2, &d) < 0 ||
	    formula_build(f, &d) < 0)
		return NULL;
	return f;
}

static json_t *
make_doc(const struct formula *f, int with_groups, int overflow)
{
	double se[5], cov[25];
	json_t *doc, *sub;
	size_t i, j;

	for (i = 0; i < 5; i++) {
		for (j = 0; j < 5; j++)
			cov[i * 5 + j] = (i == j ? 0.04 : 0.01) * (double)(i + 1) * (double)(j + 1) / 7;
		se[i] = sqrt(cov[i * 5 + i]);
	}
	if (overflow)
		cov[3 * 5 + 3] = NAN;   /* a variance that overflowed: written null */
	doc = model_doc_new(f, FIT_LOGISTIC, "price", NULL, 0);
	sub = model_doc_sub(f, beta, se, cov, 1, 100, NULL);
	json_object_update(doc, sub);
	if (with_groups) {
		json_t *by = json_object(), *groups = json_object();
		json_object_set_new(groups, "B", model_doc_sub(f, beta_b, se, cov, 1, 50, NULL));
		json_object_set_new(by, "column", json_string("item"));
		json_object_set_new(by, "groups", groups);
		json_object_set(by, "pooled", sub);
		json_object_set_new(doc, "by", by);
	}
	json_decref(sub);
	return doc;
}

static void
set_row(struct csvio_row *r, char **f, size_t *len, size_t n)
{
	size_t i;

	r->n = n;
	r->f = f;
	r->len = len;
	r->line = 2;
	for (i = 0; i < n; i++)
		len[i] = strlen(f[i]);
}

static void
test_eval(void)
{
	struct formula *f = make_formula();
	json_t *doc;
	struct model *m;
	struct model_eval *e;
	struct diag d;
	char path[] = "/tmp/test_model.XXXXXX";
	char *hf[] = { "id", "x", "seg", "price", "item" }, *rf[] = { "7", "2.5", "b", "4", "B" };
	size_t hl[5], rl[5], i;
	struct csvio_row hdr, row;
	double eta, mu, dmu, se, lo, hi, x[5], want_eta, want_deta, v = 0, p = 4;
	int fd;

	CHECK(f != NULL, "formula");
	if (f == NULL)
		return;
	doc = make_doc(f, 0, 0);
	fd = mkstemp(path);
	close(fd);
	CHECK(model_save(doc, path, &d) == 0, "save");
	m = model_load(path, &d);
	CHECK(m != NULL, "load");
	if (m == NULL)
		return;
	CHECK(model_family(m) == FIT_LOGISTIC, "family");
	CHECK_STR(model_price_col(m), "price", "price column");
	CHECK(model_group_col(m) == NULL, "no groups");
	CHECK_STR(model_pred_name(m), "p_buy", "prediction name");
	/* every estimate reads back to the same double */
	for (i = 0; i < 5; i++) {
		double est, err;
		model_coef(m, MODEL_POOLED, i, &est, &err);
		CHECK(est == beta[i], "estimate round trip");
	}
	set_row(&hdr, hf, hl, 5);
	set_row(&row, rf, rl, 5);
	e = model_bind(m, &hdr, "in.csv", NULL, &d);
	CHECK(e != NULL, "bind");
	CHECK(model_eval_row(e, &row, &d) == 0, "row");
	CHECK(model_eval_row_price(e) == 4, "row price");
	/* eta = b0 + b1 log p + b2 [seg=b] + b3 x + b4 log p [seg=b] */
	x[0] = 1;
	x[1] = log(p);
	x[2] = 1;
	x[3] = 2.5;
	x[4] = log(p);
	want_eta = 0;
	for (i = 0; i < 5; i++)
		want_eta += beta[i] * x[i];
	want_deta = (beta[1] + beta[4]) / p;
	mu = model_eval_mean(e, p, &dmu);
	CHECK_REL(mu, 1 / (1 + exp(-want_eta)), 1e-15, "logistic mean");
	CHECK_REL(dmu, mu * (1 - mu) * want_deta, 1e-14, "d mean / d price");
	CHECK_REL(p * dmu / mu, (1 - mu) * (beta[1] + beta[4]), 1e-14, "elasticity");
	eta = model_eval_eta(e, p, &se);
	CHECK_REL(eta, want_eta, 1e-15, "eta");
	{
		size_t j;
		for (i = 0; i < 5; i++)
			for (j = 0; j < 5; j++) {
				double c = (i == j ? 0.04 : 0.01) * (double)(i + 1) * (double)(j + 1) / 7;
				v += x[i] * c * x[j];
			}
	}
	CHECK_REL(se, sqrt(v), 1e-14, "se of eta");
	mu = model_eval_interval(e, p, 0.95, &se, &lo, &hi);
	CHECK_REL(se, mu * (1 - mu) * sqrt(v), 1e-14, "se of mean");
	CHECK_REL(lo, 1 / (1 + exp(-(want_eta - 1.959963984540054 * sqrt(v)))), 1e-13, "lower");
	CHECK_REL(hi, 1 / (1 + exp(-(want_eta + 1.959963984540054 * sqrt(v)))), 1e-13, "upper");
	/* another price, and an override of x */
	mu = model_eval_mean(e, 8, NULL);
	CHECK_REL(mu, 1 / (1 + exp(-(want_eta + (beta[1] + beta[4]) * log(2)))), 1e-14, "at another price");
	CHECK(model_eval_var(e, "x") >= 0, "var x");
	CHECK(model_eval_var(e, "seg") == -1, "categorical is not a var");
	CHECK(model_eval_var(e, "nope") == -1, "absent var");
	model_eval_set(e, model_eval_var(e, "x"), 3.5);
	CHECK_REL(model_eval_eta(e, p, NULL), want_eta + beta[3], 1e-14, "override");
	CHECK(isnan(model_eval_mean(e, -1, NULL)), "log of a negative price");
	/* row problems */
	rf[2] = "c";
	set_row(&row, rf, rl, 5);
	CHECK(model_eval_row(e, &row, &d) == -1, "unseen level");
	CHECK_STR(d.what, "category level not seen in training", "unseen level message");
	CHECK_STR(d.value, "c", "unseen level value");
	rf[2] = "a";
	rf[1] = "";
	set_row(&row, rf, rl, 5);
	CHECK(model_eval_row(e, &row, &d) == -1 && strcmp(d.what, "missing value") == 0, "missing value");
	rf[1] = "2.5x";
	set_row(&row, rf, rl, 5);
	CHECK(model_eval_row(e, &row, &d) == -1 && strcmp(d.what, "not a number") == 0, "not a number");
	rf[1] = "2,5";
	set_row(&row, rf, rl, 5);
	CHECK(model_eval_row(e, &row, &d) == -1 && strcmp(d.what, FIELD_DECIMAL_COMMA_WHAT) == 0,
	    "a decimal comma: the hint");
	rf[1] = "2.5";
	rf[3] = "";
	set_row(&row, rf, rl, 5);
	CHECK(model_eval_row(e, &row, &d) == 0 && isnan(model_eval_row_price(e)), "missing price is NaN");
	model_eval_free(e);
	/* a missing column */
	hf[1] = "y";
	set_row(&hdr, hf, hl, 5);
	CHECK(model_bind(m, &hdr, "in.csv", NULL, &d) == NULL, "missing column");
	CHECK_STR(d.column, "x", "missing column name");
	CHECK_STR(d.what, "no such column (the model needs it)", "missing column message");
	hf[1] = "x";
	model_free(m);
	/*
	 * A null variance of a coefficient that has an estimate (it overflowed
	 * when the model was fitted) makes the standard error NaN, never a
	 * standard error that leaves the term out.
	 */
	{
		json_t *doc2 = make_doc(f, 0, 1);
		struct model *m2 = model_from_json(doc2, "m.json", &d);
		struct model_eval *e2 = m2 ? model_bind(m2, &hdr, "in.csv", NULL, &d) : NULL;
		CHECK(e2 != NULL, "null variance: loads");
		if (e2 != NULL) {
			rf[3] = "4";
			set_row(&row, rf, rl, 5);
			CHECK(model_eval_row(e2, &row, &d) == 0, "null variance: row");
			(void)model_eval_eta(e2, p, &se);
			CHECK(isnan(se), "null variance: se of eta NaN, not 0");
			mu = model_eval_interval(e2, p, 0.95, &se, &lo, &hi);
			CHECK(isfinite(mu) && isnan(se) && isnan(lo) && isnan(hi),
			    "null variance: mean finite, se and interval NaN");
		}
		model_eval_free(e2);
		model_free(m2);
		json_decref(doc2);
	}
	/* versions and formats */
	json_object_set_new(doc, "version", json_integer(2));
	CHECK(model_from_json(doc, "m.json", &d) == NULL, "version 2");
	CHECK_STR(d.what, "model format version 2 is not supported (this program reads version 1)", "version message");
	json_object_set_new(doc, "version", json_integer(1));
	json_object_set_new(doc, "formula", json_string("bought ~ log(price) * seg"));
	CHECK(model_from_json(doc, "m.json", &d) == NULL, "formula and coefficients disagree");
	json_object_set_new(doc, "format", json_string("pr-state"));
	CHECK(model_from_json(doc, "m.json", &d) == NULL, "format");
	CHECK_STR(d.what, "not a pr-model file (no \"format\": \"pr-model\")", "format message");
	json_decref(doc);
	unlink(path);
	formula_free(f);
}

static void
test_groups(void)
{
	struct formula *f = make_formula();
	json_t *doc = make_doc(f, 1, 0);
	struct diag d;
	struct model *m = model_from_json(doc, "m.json", &d);
	char *hf[] = { "id", "x", "seg", "price", "item" }, *rf[] = { "7", "2.5", "a", "4", "B" };
	size_t hl[5], rl[5];
	struct csvio_row hdr, row;
	struct model_eval *e;
	double eta;

	CHECK(m != NULL, "load with groups");
	if (m == NULL)
		return;
	CHECK_STR(model_group_col(m), "item", "group column");
	set_row(&hdr, hf, hl, 5);
	set_row(&row, rf, rl, 5);
	e = model_bind(m, &hdr, "in.csv", NULL, &d);
	CHECK(e != NULL, "bind");
	CHECK(model_eval_row(e, &row, &d) == 0, "row of group B");
	CHECK_STR(model_eval_group(e), "B", "group B");
	CHECK(!model_eval_pooled(e), "not pooled");
	eta = model_eval_eta(e, 4, NULL);
	CHECK_REL(eta, beta_b[0] + beta_b[1] * log(4) + beta_b[3] * 2.5, 1e-15, "group B coefficients");
	rf[4] = "Z";
	set_row(&row, rf, rl, 5);
	CHECK(model_eval_row(e, &row, &d) == 0, "row of an unseen group");
	CHECK(model_eval_group(e) == NULL && model_eval_pooled(e), "pooled");
	CHECK_REL(model_eval_eta(e, 4, NULL), beta[0] + beta[1] * log(4) + beta[3] * 2.5, 1e-15,
	    "pooled coefficients");
	model_eval_free(e);
	/* the group column is required */
	hf[4] = "sku";
	set_row(&hdr, hf, hl, 5);
	CHECK(model_bind(m, &hdr, "in.csv", NULL, &d) == NULL, "group column missing");
	CHECK_STR(d.column, "item", "group column named");
	model_free(m);
	json_decref(doc);
	formula_free(f);
}

static void
test_levels(void)
{
	static char *const lv[] = { "1.5", "10", "x" };
	struct diag d;
	struct formula *f = formula_parse("y ~ g", &d);

	formula_set_levels(f, 1, lv, 3, &d);
	CHECK(model_level_lookup(f, 1, "1.50", 4) == 0, "1.50 is level 1.5");
	CHECK(model_level_lookup(f, 1, "1e1", 3) == 1, "1e1 is level 10");
	CHECK(model_level_lookup(f, 1, "x", 1) == 2, "text level");
	CHECK(model_level_lookup(f, 1, "X", 1) == -1, "case matters");
	formula_free(f);
}

/*
 * A model of a log, logq ~ log(price) + x: the mean is exp(eta) times the
 * factor of its retransformation (exp(s2/2), the smearing factor stored,
 * or 1), its price derivative mean * b / p and its elasticity b; the same
 * document without "response_scale" and "retransform" (a file from before
 * them) is of the column as it is; log(q) ~ ... without "retransform" is
 * retransformed normally.
 */
static void
test_log_response(void)
{
	static const double b[3] = { 5, -2.5, 0.25 }, se[3] = { 0.1, 0.05, 0.02 };
	static const double cov[9] = { 0.01, 0, 0, 0, 0.0025, 0, 0, 0, 0.0004 };
	const double s2 = 0.04, p = 3, eta = b[0] + b[1] * log(p) + b[2] * 2;
	const double factor[3] = { exp(s2 / 2), 1.0625, 1 };
	char *hf[] = { "price", "x" }, *rf[] = { "3", "2" };
	size_t hl[2], rl[2];
	struct csvio_row hdr, row;
	struct diag d;
	int r, kind;

	set_row(&hdr, hf, hl, 2);
	set_row(&row, rf, rl, 2);
	/* kind 0..2: --response-log with each retransformation; 3: no fields; 4: log(q) ~, no field */
	for (kind = 0; kind <= 4; kind++) {
		struct formula *f = formula_parse(kind == 4 ? "log(q) ~ log(price) + x" :
		    "logq ~ log(price) + x", &d);
		json_t *doc, *sub;
		struct model *m;
		struct model_eval *e;
		double mu, dmu, want;
		r = kind < 3 ? kind : MODEL_RETRANSFORM_NORMAL;
		CHECK(f != NULL && formula_build(f, &d) == 0, "log model: formula");
		doc = model_doc_new(f, FIT_LINEAR, "price", NULL, 0);
		sub = model_doc_sub(f, b, se, cov, s2, 97, NULL);
		if (r == MODEL_RETRANSFORM_SMEARING)
			model_doc_smearing(sub, factor[1]);
		json_object_update(doc, sub);
		json_decref(sub);
		if (kind < 3)
			model_doc_log_response(doc, 1, (enum model_retransform)r);
		m = model_from_json(doc, "m.json", &d);
		json_decref(doc);
		formula_free(f);
		CHECK(m != NULL, "log model: loads");
		if (m == NULL)
			continue;
		CHECK(model_log_response(m) == (kind != 3), "log model: model_log_response");
		CHECK(model_response_scale_log(m) == (kind < 3), "log model: response_scale");
		CHECK(model_retransform(m) == (enum model_retransform)r, "log model: retransform");
		e = model_bind(m, &hdr, "in.csv", NULL, &d);
		CHECK(e != NULL && model_eval_row(e, &row, &d) == 0, "log model: row");
		if (e == NULL) {
			model_free(m);
			continue;
		}
		mu = model_eval_mean(e, p, &dmu);
		want = kind == 3 ? eta : exp(eta) * factor[r];
		CHECK_REL(mu, want, 1e-15, kind == 3 ? "a file without the fields: the column as it is" :
		    "log model: mean exp(eta) times the factor");
		CHECK_REL(dmu, kind == 3 ? b[1] / p : want * b[1] / p, 1e-14, "log model: d mean / d price");
		if (kind != 3)
			CHECK_REL(p * dmu / mu, b[1], 1e-14, "log model: elasticity b");
		model_eval_free(e);
		model_free(m);
	}
	CHECK_STR(model_retransform_name(MODEL_RETRANSFORM_SMEARING), "smearing", "retransform name");
	CHECK(model_retransform_parse("naive") == MODEL_RETRANSFORM_NAIVE, "retransform parse");
	CHECK(model_retransform_parse("mean") == -1, "retransform parse: none");
}

int
main(void)
{
	test_eval();
	test_log_response();
	test_groups();
	test_levels();
	return check_done();
}
