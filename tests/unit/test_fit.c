/*
 * test_fit.c - fit_model against independent references: R's lm/glm
 * (testdata/fit-ref.R -> fit-ref.txt), NIST StRD certified values
 * (fit-nist-*.csv, fit-nist-cert.txt; R's digits on them from fit-nist-R.R)
 * and closed forms.  With an argument it prints the NIST table of digits.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "check.h"
#include "csvio.h"
#include "fit.h"
#include "num.h"

/* ---- a whole CSV as text cells ---- */

struct table {
	size_t nrow, ncol;
	char **name;
	char **cell;    /* nrow x ncol */
};

static char *
dupn(const char *s, size_t n)
{
	char *t = malloc(n + 1);
	memcpy(t, s, n);
	t[n] = 0;
	return t;
}

static struct table *
table_read(const char *path)
{
	struct diag d;
	struct csvio_reader *r = csvio_open(path, ',', &d);
	if (!r) {
		printf("cannot open %s\n", path);
		exit(1);
	}
	struct table *t = calloc(1, sizeof *t);
	const struct csvio_row *h = csvio_header(r);
	t->ncol = h->n;
	t->name = calloc(h->n, sizeof(char *));
	for (size_t j = 0; j < h->n; j++)
		t->name[j] = dupn(h->f[j], h->len[j]);
	struct csvio_row row;
	size_t cap = 0;
	while (csvio_next(r, &row, &d) == 1) {
		if (t->nrow == cap) {
			cap = cap ? 2 * cap : 64;
			t->cell = realloc(t->cell, cap * t->ncol * sizeof(char *));
		}
		for (size_t j = 0; j < t->ncol; j++)
			t->cell[t->nrow * t->ncol + j] = dupn(row.f[j], row.len[j]);
		t->nrow++;
	}
	csvio_close(r);
	return t;
}

static void
table_free(struct table *t)
{
	for (size_t j = 0; j < t->ncol; j++)
		free(t->name[j]);
	for (size_t i = 0; i < t->nrow * t->ncol; i++)
		free(t->cell[i]);
	free(t->name);
	free(t->cell);
	free(t);
}

static size_t
col(const struct table *t, const char *name)
{
	for (size_t j = 0; j < t->ncol; j++)
		if (strcmp(t->name[j], name) == 0)
			return j;
	printf("no column %s\n", name);
	exit(1);
}

static double
num(const struct table *t, size_t i, const char *name)
{
	const char *s = t->cell[i * t->ncol + col(t, name)];
	double x = NAN;
	if (num_parse(s, strlen(s), &x, 0) != NUM_OK) {
		printf("bad number %s\n", s);
		exit(1);
	}
	return x;
}

static const char *
str(const struct table *t, size_t i, const char *name)
{
	return t->cell[i * t->ncol + col(t, name)];
}

/* ---- reference values: "name value" lines ---- */

static struct table *refs;   /* two columns, read by hand below */

static void
refs_read(const char *path)
{
	FILE *fp = fopen(path, "r");
	if (!fp) {
		printf("cannot open %s\n", path);
		exit(1);
	}
	if (!refs) {
		refs = calloc(1, sizeof *refs);
		refs->ncol = 2;
	}
	char line[256];
	size_t cap = refs->nrow;
	while (fgets(line, sizeof line, fp)) {
		char *sp = strchr(line, ' ');
		if (!sp)
			continue;
		if (refs->nrow >= cap) {
			cap = cap ? 2 * cap : 256;
			refs->cell = realloc(refs->cell, cap * 2 * sizeof(char *));
		}
		refs->cell[refs->nrow * 2] = dupn(line, (size_t)(sp - line));
		refs->cell[refs->nrow * 2 + 1] = dupn(sp + 1, strcspn(sp + 1, "\r\n"));
		refs->nrow++;
	}
	fclose(fp);
}

/* refs_read, with prefix put before every name. */
static void
refs_read_prefixed(const char *path, const char *prefix)
{
	size_t first = refs->nrow;
	refs_read(path);
	for (size_t r = first; r < refs->nrow; r++) {
		char *old = refs->cell[r * 2];
		size_t n = strlen(prefix) + strlen(old) + 1;
		refs->cell[r * 2] = malloc(n);
		snprintf(refs->cell[r * 2], n, "%s%s", prefix, old);
		free(old);
	}
}

/* The reference named "key.i" (i from 1); "NA" is NaN. */
static double
ref(const char *key, size_t i)
{
	char name[128];
	snprintf(name, sizeof name, "%s.%zu", key, i);
	for (size_t r = 0; r < refs->nrow; r++) {
		if (strcmp(refs->cell[r * 2], name) == 0) {
			const char *s = refs->cell[r * 2 + 1];
			double x;
			if (strcmp(s, "NA") == 0)
				return NAN;
			if (num_parse(s, strlen(s), &x, 0) != NUM_OK) {
				printf("bad reference %s\n", s);
				exit(1);
			}
			return x;
		}
	}
	printf("no reference %s\n", name);
	exit(1);
}

/* ---- designs ---- */

/* Columns: intercept (if asked), numeric columns, then factor dummies. */
static gsl_matrix *
design(const struct table *t, int intercept, const char *const *nums, size_t nnum,
    const char *factor, const char *const *levels, size_t nlev)
{
	size_t p = (intercept ? 1 : 0) + nnum + (factor ? nlev - 1 : 0);
	gsl_matrix *X = gsl_matrix_alloc(t->nrow, p);
	for (size_t i = 0; i < t->nrow; i++) {
		size_t j = 0;
		if (intercept)
			gsl_matrix_set(X, i, j++, 1);
		for (size_t k = 0; k < nnum; k++)
			gsl_matrix_set(X, i, j++, num(t, i, nums[k]));
		for (size_t l = 1; factor && l < nlev; l++)
			gsl_matrix_set(X, i, j++, strcmp(str(t, i, factor), levels[l]) == 0);
	}
	return X;
}

static gsl_vector *
column(const struct table *t, const char *name)
{
	gsl_vector *v = gsl_vector_alloc(t->nrow);
	for (size_t i = 0; i < t->nrow; i++)
		gsl_vector_set(v, i, num(t, i, name));
	return v;
}

static void
check_vec(const gsl_vector *got, const char *key, double tol, const char *what)
{
	char name[160];
	for (size_t j = 0; j < got->size; j++) {
		snprintf(name, sizeof name, "%s %s[%zu]", key, what, j + 1);
		CHECK_REL(gsl_vector_get(got, j), ref(key, j + 1), tol, name);
	}
}

/* Agreement with R: 9 significant digits asked; we hold 1e-10. */
#define TOL_R 1e-10

static void
check_glm(const char *key, const struct fit_result *r)
{
	char k[96], name[160];
	snprintf(k, sizeof k, "%s.coef", key);
	check_vec(r->beta, k, TOL_R, "coef");
	snprintf(k, sizeof k, "%s.se", key);
	check_vec(r->se, k, TOL_R, "se");
	snprintf(k, sizeof k, "%s.deviance", key);
	snprintf(name, sizeof name, "%s deviance", key);
	CHECK_REL(r->deviance, ref(k, 1), TOL_R, name);
	snprintf(k, sizeof k, "%s.nulldev", key);
	snprintf(name, sizeof name, "%s null deviance", key);
	CHECK_REL(r->null_deviance, ref(k, 1), TOL_R, name);
	snprintf(k, sizeof k, "%s.aic", key);
	snprintf(name, sizeof name, "%s aic", key);
	CHECK_REL(r->aic, ref(k, 1), TOL_R, name);
	snprintf(k, sizeof k, "%s.loglik", key);
	snprintf(name, sizeof name, "%s loglik", key);
	CHECK_REL(r->loglik, ref(k, 1), TOL_R, name);
	snprintf(k, sizeof k, "%s.dfres", key);
	snprintf(name, sizeof name, "%s df residual", key);
	CHECK(r->df_residual == (long)ref(k, 1), name);
}

static void
check_lm(const char *key, const struct fit_result *r, double tol)
{
	char k[96], name[160];
	snprintf(k, sizeof k, "%s.coef", key);
	check_vec(r->beta, k, tol, "coef");
	snprintf(k, sizeof k, "%s.se", key);
	check_vec(r->se, k, tol, "se");
	static const char *const stat[] = { "r2", "adjr2", "sigma", "loglik", "aic", "rss" };
	for (size_t s = 0; s < 6; s++) {
		double got = s == 0 ? r->r2 : s == 1 ? r->adj_r2 : s == 2 ? sqrt(r->dispersion) :
		    s == 3 ? r->loglik : s == 4 ? r->aic : r->deviance;
		snprintf(k, sizeof k, "%s.%s", key, stat[s]);
		snprintf(name, sizeof name, "%s %s", key, stat[s]);
		CHECK_REL(got, ref(k, 1), tol, name);
	}
}

/*
 * The references of fit-ref.txt and the closed forms are fully converged
 * fits: GLMs here run with tol 1e-14 and max_iter 100 (R's
 * glm.control(epsilon = 1e-14, maxit = 100)).
 * The defaults (R's default glm) are checked in test_glm_default_r.
 */
static enum fit_status
fit(const gsl_matrix *X, const gsl_vector *y, const gsl_vector *w, enum fit_family f,
    long intercept, double l2, struct fit_result *r, struct diag *d)
{
	struct fit_opts o = { .family = f, .l2 = l2, .intercept = intercept, .tol = 1e-14,
	    .max_iter = 100 };
	return fit_model(X, y, w, &o, r, d);
}

/* With default options: R's default glm() (epsilon 1e-8, maxit 25). */
static enum fit_status
fit_default(const gsl_matrix *X, const gsl_vector *y, const gsl_vector *w, enum fit_family f,
    long intercept, struct fit_result *r, struct diag *d)
{
	struct fit_opts o = { .family = f, .intercept = intercept };
	return fit_model(X, y, w, &o, r, d);
}

/* ---- against R ---- */

static void
test_linear_r(void)
{
	struct table *t = table_read("fit-lin.csv");
	static const char *const nums[] = { "x1", "x2" };
	static const char *const lev[] = { "a", "b", "c" };
	gsl_vector *y = column(t, "y"), *w = column(t, "w");
	struct fit_result r;
	struct diag d;
	gsl_matrix *X = design(t, 1, nums, 2, "g", lev, 3);
	CHECK(fit(X, y, NULL, FIT_LINEAR, 0, 0, &r, &d) == FIT_OK, "lin ok");
	check_lm("lin", &r, TOL_R);
	CHECK(r.rank == 5 && r.n == 60 && r.df_residual == 55, "lin rank, n, df");
	fit_result_free(&r);
	CHECK(fit(X, y, w, FIT_LINEAR, 0, 0, &r, &d) == FIT_OK, "linw ok");
	check_lm("linw", &r, TOL_R);
	fit_result_free(&r);

	/* Ridge against the closed form (X'X + lambda D)^-1 X'y in R. */
	CHECK(fit(X, y, NULL, FIT_LINEAR, 0, 2.5, &r, &d) == FIT_OK, "linridge ok");
	check_vec(r.beta, "linridge.coef", TOL_R, "coef");
	check_vec(r.se, "linridge.se", TOL_R, "se");
	fit_result_free(&r);
	gsl_matrix_free(X);

	X = design(t, 0, nums, 2, NULL, NULL, 0);
	CHECK(fit(X, y, NULL, FIT_LINEAR, -1, 0, &r, &d) == FIT_OK, "lin0 ok");
	check_lm("lin0", &r, TOL_R);
	fit_result_free(&r);
	gsl_matrix_free(X);

	/* Aliased: x3 = x1 + x2 sits between x2 and the factor, as in R. */
	X = gsl_matrix_alloc(t->nrow, 6);
	for (size_t i = 0; i < t->nrow; i++) {
		double x1 = num(t, i, "x1"), x2 = num(t, i, "x2");
		gsl_matrix_set(X, i, 0, 1);
		gsl_matrix_set(X, i, 1, x1);
		gsl_matrix_set(X, i, 2, x2);
		gsl_matrix_set(X, i, 3, x1 + x2);
		gsl_matrix_set(X, i, 4, strcmp(str(t, i, "g"), "b") == 0);
		gsl_matrix_set(X, i, 5, strcmp(str(t, i, "g"), "c") == 0);
	}
	CHECK(fit(X, y, NULL, FIT_LINEAR, 0, 0, &r, &d) == FIT_OK, "linal ok");
	check_lm("linal", &r, TOL_R);
	CHECK(r.rank == 5 && r.aliased[3] && !r.aliased[4] && !r.aliased[2], "linal: x3 aliased");
	CHECK(isnan(gsl_matrix_get(r.cov, 3, 1)) && !isnan(gsl_matrix_get(r.cov, 4, 1)),
	    "linal: NaN covariance for the aliased column only");
	fit_result_free(&r);
	gsl_matrix_free(X);

	/* Zero weights: the same fit as without those rows, and they get predictions. */
	X = design(t, 1, nums, 2, "g", lev, 3);
	gsl_vector *w0 = gsl_vector_alloc(t->nrow);
	gsl_vector_set_all(w0, 1);
	for (size_t i = 0; i < t->nrow; i += 3)
		gsl_vector_set(w0, i, 0);
	CHECK(fit(X, y, w0, FIT_LINEAR, 0, 0, &r, &d) == FIT_OK, "zero weights ok");
	size_t nsub = 0;
	for (size_t i = 0; i < t->nrow; i++)
		nsub += i % 3 != 0;
	gsl_matrix *Xs = gsl_matrix_alloc(nsub, X->size2);
	gsl_vector *ys = gsl_vector_alloc(nsub);
	for (size_t i = 0, k = 0; i < t->nrow; i++) {
		if (i % 3 == 0)
			continue;
		for (size_t j = 0; j < X->size2; j++)
			gsl_matrix_set(Xs, k, j, gsl_matrix_get(X, i, j));
		gsl_vector_set(ys, k++, gsl_vector_get(y, i));
	}
	struct fit_result rs;
	CHECK(fit(Xs, ys, NULL, FIT_LINEAR, 0, 0, &rs, &d) == FIT_OK, "subset ok");
	CHECK(r.n == nsub && r.df_residual == rs.df_residual, "zero weights: n and df");
	for (size_t j = 0; j < X->size2; j++) {
		CHECK_REL(gsl_vector_get(r.beta, j), gsl_vector_get(rs.beta, j), 1e-12, "zero weights: beta");
		CHECK_REL(gsl_vector_get(r.se, j), gsl_vector_get(rs.se, j), 1e-12, "zero weights: se");
	}
	CHECK_REL(r.loglik, rs.loglik, 1e-12, "zero weights: loglik");
	double pred0 = 0;
	for (size_t j = 0; j < X->size2; j++)
		pred0 += gsl_matrix_get(X, 0, j) * gsl_vector_get(r.beta, j);
	CHECK_REL(gsl_vector_get(r.fitted, 0), pred0, 1e-12, "zero weights: held-out row predicted");
	fit_result_free(&r);
	fit_result_free(&rs);
	gsl_matrix_free(Xs);
	gsl_vector_free(ys);
	gsl_vector_free(w0);
	gsl_matrix_free(X);
	gsl_vector_free(y);
	gsl_vector_free(w);
	table_free(t);
}

static void
test_logistic_r(void)
{
	struct table *t = table_read("fit-logit.csv");
	static const char *const nums[] = { "x1", "x2" };
	static const char *const lev[] = { "hi", "lo", "mid" };
	gsl_vector *y = column(t, "y"), *w = column(t, "w");
	struct fit_result r;
	struct diag d;
	gsl_matrix *X = design(t, 1, nums, 2, "g", lev, 3);
	CHECK(fit(X, y, NULL, FIT_LOGISTIC, 0, 0, &r, &d) == FIT_OK, "logit ok");
	check_glm("logit", &r);
	CHECK(r.converged && r.iterations >= 3 && r.iterations < 15, "logit iterations");
	fit_result_free(&r);
	CHECK(fit(X, y, w, FIT_LOGISTIC, 0, 0, &r, &d) == FIT_OK, "logitw ok");
	check_glm("logitw", &r);
	fit_result_free(&r);
	/* Ridge against Newton's method on the penalised objective in R. */
	CHECK(fit(X, y, NULL, FIT_LOGISTIC, 0, 2.5, &r, &d) == FIT_OK, "logitridge ok");
	check_vec(r.beta, "logitridge.coef", TOL_R, "coef");
	check_vec(r.se, "logitridge.se", TOL_R, "se");
	fit_result_free(&r);
	gsl_matrix_free(X);
	X = design(t, 0, nums, 2, NULL, NULL, 0);
	CHECK(fit(X, y, NULL, FIT_LOGISTIC, -1, 0, &r, &d) == FIT_OK, "logit0 ok");
	check_glm("logit0", &r);
	fit_result_free(&r);
	gsl_matrix_free(X);
	gsl_vector_free(y);
	gsl_vector_free(w);
	table_free(t);

	/* Proportions with trials as weights. */
	t = table_read("fit-prop.csv");
	static const char *const xn[] = { "x" };
	X = design(t, 1, xn, 1, NULL, NULL, 0);
	y = gsl_vector_alloc(t->nrow);
	w = column(t, "m");
	for (size_t i = 0; i < t->nrow; i++)
		gsl_vector_set(y, i, num(t, i, "k") / num(t, i, "m"));
	CHECK(fit(X, y, w, FIT_LOGISTIC, 0, 0, &r, &d) == FIT_OK, "prop ok");
	check_glm("prop", &r);
	fit_result_free(&r);
	gsl_matrix_free(X);
	gsl_vector_free(y);
	gsl_vector_free(w);
	table_free(t);
}

static void
test_poisson_r(void)
{
	struct table *t = table_read("fit-pois.csv");
	static const char *const nums[] = { "x" };
	static const char *const lev[] = { "u", "v" };
	gsl_vector *y = column(t, "y"), *w = column(t, "w");
	struct fit_result r;
	struct diag d;
	gsl_matrix *X = design(t, 1, nums, 1, "g", lev, 2);
	CHECK(fit(X, y, NULL, FIT_POISSON, 0, 0, &r, &d) == FIT_OK, "pois ok");
	check_glm("pois", &r);
	fit_result_free(&r);
	CHECK(fit(X, y, w, FIT_POISSON, 0, 0, &r, &d) == FIT_OK, "poisw ok");
	check_glm("poisw", &r);
	fit_result_free(&r);
	gsl_matrix_free(X);
	gsl_vector_free(y);
	gsl_vector_free(w);
	table_free(t);
}

/* ---- against R's default glm (fit-ref-default.txt) ---- */

/*
 * R's default glm stops 1e-8 short of the maximum-likelihood estimates and
 * takes the standard errors from the working weights of the iterate
 * before: fit_model's defaults follow it step by step, so they agree to
 * rounding (measured: about 1e-14), far below the 1e-5..1e-8 by which R's
 * default result differs from the converged one.
 */
#define TOL_RD 1e-11

static void
check_glm_default(const char *key, const struct fit_result *r, double tol)
{
	char k[96], name[160];
	static const char *const what[] = { "coef", "se" };
	for (size_t s = 0; s < 2; s++) {
		snprintf(k, sizeof k, "%s.%s", key, what[s]);
		check_vec(s == 0 ? r->beta : r->se, k, tol, what[s]);
	}
	static const char *const stat[] = { "deviance", "nulldev", "aic", "loglik" };
	for (size_t s = 0; s < 4; s++) {
		double got = s == 0 ? r->deviance : s == 1 ? r->null_deviance : s == 2 ? r->aic :
		    r->loglik;
		snprintf(k, sizeof k, "%s.%s", key, stat[s]);
		snprintf(name, sizeof name, "%s %s", key, stat[s]);
		CHECK_REL(got, ref(k, 1), tol, name);
	}
	snprintf(k, sizeof k, "%s.iter", key);
	snprintf(name, sizeof name, "%s iterations as R's", key);
	CHECK(r->iterations == (int)ref(k, 1), name);
	snprintf(k, sizeof k, "%s.dfres", key);
	snprintf(name, sizeof name, "%s df residual", key);
	CHECK(r->df_residual == (long)ref(k, 1), name);
}

static void
test_glm_default_r(void)
{
	struct table *t = table_read("fit-logit.csv");
	static const char *const nums[] = { "x1", "x2" };
	static const char *const lev[] = { "hi", "lo", "mid" };
	gsl_vector *y = column(t, "y"), *w = column(t, "w");
	struct fit_result r, rt;
	struct diag d;
	gsl_matrix *X = design(t, 1, nums, 2, "g", lev, 3);
	CHECK(fit_default(X, y, NULL, FIT_LOGISTIC, 0, &r, &d) == FIT_OK, "dlogit ok");
	check_glm_default("dlogit", &r, TOL_RD);
	/* and it is not the converged fit: R's default differs from it (the test can fail) */
	CHECK(fit(X, y, NULL, FIT_LOGISTIC, 0, 0, &rt, &d) == FIT_OK, "logit tight ok");
	CHECK(fabs(gsl_vector_get(r.se, 1) / gsl_vector_get(rt.se, 1) - 1) > 1e-9,
	    "default and converged standard errors differ");
	fit_result_free(&r);
	fit_result_free(&rt);
	CHECK(fit_default(X, y, w, FIT_LOGISTIC, 0, &r, &d) == FIT_OK, "dlogitw ok");
	check_glm_default("dlogitw", &r, TOL_RD);
	fit_result_free(&r);
	gsl_matrix_free(X);
	X = design(t, 0, nums, 2, NULL, NULL, 0);
	CHECK(fit_default(X, y, NULL, FIT_LOGISTIC, -1, &r, &d) == FIT_OK, "dlogit0 ok");
	check_glm_default("dlogit0", &r, TOL_RD);
	fit_result_free(&r);
	gsl_matrix_free(X);
	gsl_vector_free(y);
	gsl_vector_free(w);
	table_free(t);

	t = table_read("fit-prop.csv");
	static const char *const xn[] = { "x" };
	X = design(t, 1, xn, 1, NULL, NULL, 0);
	y = gsl_vector_alloc(t->nrow);
	w = column(t, "m");
	for (size_t i = 0; i < t->nrow; i++)
		gsl_vector_set(y, i, num(t, i, "k") / num(t, i, "m"));
	CHECK(fit_default(X, y, w, FIT_LOGISTIC, 0, &r, &d) == FIT_OK, "dprop ok");
	check_glm_default("dprop", &r, TOL_RD);
	fit_result_free(&r);
	gsl_matrix_free(X);
	gsl_vector_free(y);
	gsl_vector_free(w);
	table_free(t);

	t = table_read("fit-pois.csv");
	static const char *const pn[] = { "x" };
	static const char *const plev[] = { "u", "v" };
	y = column(t, "y");
	w = column(t, "w");
	X = design(t, 1, pn, 1, "g", plev, 2);
	CHECK(fit_default(X, y, NULL, FIT_POISSON, 0, &r, &d) == FIT_OK, "dpois ok");
	check_glm_default("dpois", &r, TOL_RD);
	fit_result_free(&r);
	CHECK(fit_default(X, y, w, FIT_POISSON, 0, &r, &d) == FIT_OK, "dpoisw ok");
	check_glm_default("dpoisw", &r, TOL_RD);
	fit_result_free(&r);

	/* A chunked design (7 rows a chunk, rows 9 doubles apart) fits the same. */
	size_t n = X->size1, p = X->size2, cr = 7, nch = (n + cr - 1) / cr;
	double **ch = malloc(nch * sizeof *ch);
	for (size_t c = 0; c < nch; c++) {
		ch[c] = calloc(cr * 9, sizeof(double));
		for (size_t i = c * cr; i < n && i < (c + 1) * cr; i++)
			for (size_t j = 0; j < p; j++)
				ch[c][(i - c * cr) * 9 + j] = gsl_matrix_get(X, i, j);
	}
	struct fit_design D = { .n = n, .p = p, .chunk_rows = cr, .ld = 9, .x = ch,
	    .y = y->data, .y_stride = y->stride, .w = w->data, .w_stride = w->stride };
	struct fit_opts o = { .family = FIT_POISSON, .intercept = 0, .no_fitted = 1 };
	CHECK(fit_model_design(&D, &o, &r, &d) == FIT_OK, "chunked design ok");
	check_glm_default("dpoisw", &r, TOL_RD);
	CHECK(r.fitted == NULL && r.eta == NULL, "no_fitted: no fitted values kept");
	fit_result_free(&r);
	for (size_t c = 0; c < nch; c++)
		free(ch[c]);
	free(ch);
	gsl_matrix_free(X);
	gsl_vector_free(y);
	gsl_vector_free(w);
	table_free(t);
}

/* ---- NIST StRD ---- */

/* Log relative error: the number of correct significant digits. */
static double
lre(double got, double cert)
{
	if (got == cert)
		return 17;
	double e = cert == 0 ? fabs(got) : fabs(got - cert) / fabs(cert);
	return e == 0 ? 17 : -log10(e);
}

/*
 * Digits on one set from fit-nist-R.txt (R's lm, src "R") or
 * fit-nist-decimal.txt (the exact solution of the data as written, src
 * "decimal"):
 * lines "set.what_lre value".
 */
static double
r_digits(const char *src, const char *set, const char *what)
{
	char name[64];
	snprintf(name, sizeof name, "%s%s.%s_lre", strcmp(src, "decimal") == 0 ? "decimal." : "", set, what);
	for (size_t r = 0; r < refs->nrow; r++)
		if (strcmp(refs->cell[r * 2], name) == 0)
			return strtod(refs->cell[r * 2 + 1], NULL);
	printf("no reference %s\n", name);
	exit(1);
}

/*
 * One NIST StRD linear set: fit it by default (lm's rank tolerance), and
 * check the correct digits (LRE) of the worst estimate, the worst standard
 * error and the residual SD against floors, and against R's lm on the same
 * data (fit-nist-R.R -> fit-nist-R.txt): the estimates must have at least
 * R's digits on every set.  So must the standard errors and residual SD,
 * except where R's exceed those of the exact solution of the data as
 * written (fit-nist-exact.py decimal -> fit-nist-decimal.txt): the
 * certified values have 15 digits, and the true NoInt2 SE rounded to them
 * has 14.9, R's 15.1 by the luck of its rounding; there we must come
 * within 0.2 digits of the exact solution.
 * Where the certified SE is 0 (exact fits) the digits are those of the SE
 * relative to the estimate, and of the residual SD relative to the last
 * response.  print: the table of digits, ours and R's.
 */
struct nist_set {
	const char *key;
	double floor_b, floor_se, floor_sigma;   /* our digits must reach these */
};

static void
nist(const struct nist_set *ns, const gsl_matrix *X, const gsl_vector *y, long intercept,
    int print)
{
	struct fit_opts o = { .family = FIT_LINEAR, .intercept = intercept };
	struct fit_result r;
	struct diag d;
	char k[64], name[160];
	const char *key = ns->key;
	enum fit_status st = fit_model(X, y, NULL, &o, &r, &d);
	snprintf(name, sizeof name, "nist %s ok, full rank by default", key);
	CHECK(st == FIT_OK && r.rank == X->size2, name);
	if (st != FIT_OK)
		return;
	double lb = 17, ls = 17;
	for (size_t j = 0; j < X->size2; j++) {
		snprintf(k, sizeof k, "%s.coef", key);
		double l = lre(gsl_vector_get(r.beta, j), ref(k, j + 1));
		lb = l < lb ? l : lb;
		snprintf(k, sizeof k, "%s.se", key);
		double cs = ref(k, j + 1), gs = gsl_vector_get(r.se, j);
		if (cs == 0)
			l = fmin(17, -log10(fabs(gs) / fabs(gsl_vector_get(r.beta, j)) + 1e-17));
		else
			l = lre(gs, cs);
		ls = l < ls ? l : ls;
	}
	snprintf(k, sizeof k, "%s.sigma", key);
	double lsig = ref(k, 1) == 0 ?
	    fmin(17, -log10(sqrt(r.dispersion) / fabs(gsl_vector_get(y, y->size - 1)) + 1e-17)) :
	    lre(sqrt(r.dispersion), ref(k, 1));
	snprintf(k, sizeof k, "%s.r2", key);
	double lr2 = lre(r.r2, ref(k, 1));
	double rb = r_digits("R", key, "coef"), rs = r_digits("R", key, "se"),
	    rg = r_digits("R", key, "sigma");
	/* R's digits, or (SE, SD) those of the exact solution less 0.2 where R is luckier */
	double wb = rb,
	    ws = fmin(rs, r_digits("decimal", key, "se") - 0.2),
	    wg = fmin(rg, r_digits("decimal", key, "sigma") - 0.2);
	if (print)
		printf("| %-9s | %4.1f | %4.1f | %4.1f | %4.1f | %4.1f | %4.1f | %4.1f |\n", key,
		    lb, rb, ls, rs, lsig, rg, lr2);
	snprintf(name, sizeof name, "nist %s: estimate digits %.1f >= %.1f", key, lb, ns->floor_b);
	CHECK(lb >= ns->floor_b, name);
	snprintf(name, sizeof name, "nist %s: estimate digits %.1f >= R's %.1f",
	    key, lb, wb);
	CHECK(lb >= wb, name);
	snprintf(name, sizeof name, "nist %s: se digits %.1f >= %.1f and R's (or the data's) %.1f",
	    key, ls, ns->floor_se, ws);
	CHECK(ls >= ns->floor_se && ls >= ws, name);
	snprintf(name, sizeof name,
	    "nist %s: residual SD digits %.1f >= %.1f and R's (or the data's) %.1f", key, lsig,
	    ns->floor_sigma, wg);
	CHECK(lsig >= ns->floor_sigma && lsig >= wg, name);
	snprintf(name, sizeof name, "nist %s: r2 digits %.1f >= %.1f", key, lr2, ns->floor_se);
	CHECK(lr2 >= ns->floor_se, name);
	fit_result_free(&r);
}

/* Columns x^0..x^degree (from x^1 without the intercept). */
static gsl_matrix *
poly(const struct table *t, const char *x, size_t degree, int intercept)
{
	size_t k0 = intercept ? 0 : 1;
	gsl_matrix *X = gsl_matrix_alloc(t->nrow, degree + 1 - k0);
	for (size_t i = 0; i < t->nrow; i++) {
		double xi = num(t, i, x), v = 1;
		for (size_t k = 0; k <= degree; k++, v *= xi)
			if (k >= k0)
				gsl_matrix_set(X, i, k - k0, v);
	}
	return X;
}

static void
nist_poly(const struct nist_set *ns, const char *file, const char *ycol, size_t degree,
    int intercept, int print)
{
	struct table *t = table_read(file);
	gsl_matrix *X = poly(t, "x", degree, intercept);
	gsl_vector *y = column(t, ycol);
	nist(ns, X, y, intercept ? 0 : -1, print);
	gsl_matrix_free(X);
	gsl_vector_free(y);
	table_free(t);
}

/*
 * All eleven linear sets.  The floors are the digits we reach, rounded
 * down.  Wampler2's responses (1.11111, ...) are not exact in binary: the
 * exact least-squares solution of the data as read into doubles has 13.2
 * correct digits (R's lm 13.6); the extended refit takes them as the
 * decimals they were written as and reaches the exact solution.  Filip:
 * R's lm aliases x^10 (0 digits); we solve it.
 */
static void
test_nist(int print)
{
	refs_read("fit-nist-cert.txt");
	refs_read("fit-nist-R.txt");
	refs_read_prefixed("fit-nist-decimal.txt", "decimal.");
	if (print) {
		printf("| set       | estimates | R | std errors | R | residual SD | R | R^2 |\n");
		printf("|---|---|---|---|---|---|---|---|\n");
	}
	static const struct nist_set norris = { "norris", 14, 14.5, 15 },
	    pontius = { "pontius", 15, 14.5, 14.5 },
	    noint1 = { "noint1", 14.5, 14.5, 14.5 },
	    noint2 = { "noint2", 15, 14.5, 15 },
	    filip = { "filip", 7.5, 9, 8.5 },
	    longley = { "longley", 14, 14.5, 14.5 };
	nist_poly(&norris, "fit-nist-norris.csv", "y", 1, 1, print);
	nist_poly(&pontius, "fit-nist-pontius.csv", "y", 2, 1, print);
	nist_poly(&noint1, "fit-nist-noint.csv", "y", 1, 0, print);
	nist_poly(&noint2, "fit-nist-noint2.csv", "y", 1, 0, print);
	nist_poly(&filip, "fit-nist-filip.csv", "y", 10, 1, print);

	struct table *t = table_read("fit-nist-longley.csv");
	static const char *const lx[] = { "x1", "x2", "x3", "x4", "x5", "x6" };
	gsl_matrix *X = design(t, 1, lx, 6, NULL, NULL, 0);
	gsl_vector *y = column(t, "y");
	nist(&longley, X, y, 0, print);
	gsl_matrix_free(X);
	gsl_vector_free(y);
	table_free(t);

	static const struct nist_set wampler[] = {
		{ "wampler1", 13, 12.5, 16 },
		{ "wampler2", 16.5, 16, 16.5 },
		{ "wampler3", 12.5, 14, 14.5 },
		{ "wampler4", 11.5, 14, 14.5 },
		{ "wampler5", 9.5, 14, 14.5 },
	};
	static const char *const wy[] = { "y1", "y2", "y3", "y4", "y5" };
	for (int k = 0; k < 5; k++)
		nist_poly(&wampler[k], "fit-nist-wampler.csv", wy[k], 5, 1, print);

	/*
	 * Rank: exactly collinear columns are still aliased, as lm aliases
	 * them: Filip with x^10 repeated as an 12th column.
	 */
	t = table_read("fit-nist-filip.csv");
	gsl_matrix *P = poly(t, "x", 10, 1);
	X = gsl_matrix_alloc(P->size1, 12);
	for (size_t i = 0; i < P->size1; i++) {
		for (size_t j = 0; j < 11; j++)
			gsl_matrix_set(X, i, j, gsl_matrix_get(P, i, j));
		gsl_matrix_set(X, i, 11, 2 * gsl_matrix_get(P, i, 10));
	}
	y = column(t, "y");
	struct fit_opts o = { .family = FIT_LINEAR, .intercept = 0 };
	struct fit_result r;
	struct diag d;
	CHECK(fit_model(X, y, NULL, &o, &r, &d) == FIT_OK && r.rank == 11 && r.aliased[11] &&
	    !r.aliased[10], "filip with 2 x^10 repeated: the repeat aliased");
	fit_result_free(&r);
	gsl_matrix_free(P);
	gsl_matrix_free(X);
	gsl_vector_free(y);
	table_free(t);
}

/* ---- closed forms ---- */

/*
 * The extended refit takes short decimals as written: the mean of 8.87858,
 * 3.39763 and 4.77015 is 5.68212 (that of the three doubles they read as
 * is 5.682119999999999, rounded once); a value with 17 digits (log 2) is
 * the double it is: the mean of log 2, log 3 and log 5 is that of the
 * three doubles, rounded once.
 */
static void
test_decimal_data(void)
{
	static const double dec[3] = { 8.87858, 3.39763, 4.77015 };
	double lg[3] = { log(2.), log(3.), log(5.) };
	const double *ys[2] = { dec, lg };
	double want[2] = { 5.68212, (double)(((long double)lg[0] + lg[1] + lg[2]) / 3) };
	for (int k = 0; k < 2; k++) {
		gsl_matrix *X = gsl_matrix_alloc(3, 1);
		gsl_vector *y = gsl_vector_alloc(3);
		gsl_matrix_set_all(X, 1);
		for (size_t i = 0; i < 3; i++)
			gsl_vector_set(y, i, ys[k][i]);
		struct fit_opts o = { .family = FIT_LINEAR, .intercept = 0 };
		struct fit_result r;
		struct diag d;
		CHECK(fit_model(X, y, NULL, &o, &r, &d) == FIT_OK &&
		    gsl_vector_get(r.beta, 0) == want[k],
		    k == 0 ? "mean of 8.87858, 3.39763, 4.77015 is 5.68212: the decimals as written" :
		    "mean of log 2, 3, 5: the doubles as they are");
		fit_result_free(&r);
		gsl_matrix_free(X);
		gsl_vector_free(y);
	}
}

static void
test_closed_forms(void)
{
	struct fit_result r;
	struct diag d;
	/* Simple regression: slope Sxy/Sxx, intercept ybar - slope xbar, se sigma/sqrt(Sxx). */
	static const double xs[] = { 1, 2, 3, 4, 5, 6, 7 };
	static const double ys[] = { 2.1, 3.9, 6.2, 7.8, 10.1, 12.2, 13.8 };
	size_t n = 7;
	gsl_matrix *X = gsl_matrix_alloc(n, 2);
	gsl_vector *y = gsl_vector_alloc(n);
	double xb = 0, yb = 0;
	for (size_t i = 0; i < n; i++) {
		gsl_matrix_set(X, i, 0, 1);
		gsl_matrix_set(X, i, 1, xs[i]);
		gsl_vector_set(y, i, ys[i]);
		xb += xs[i] / (double)n;
		yb += ys[i] / (double)n;
	}
	double sxx = 0, sxy = 0, syy = 0;
	for (size_t i = 0; i < n; i++) {
		sxx += (xs[i] - xb) * (xs[i] - xb);
		sxy += (xs[i] - xb) * (ys[i] - yb);
		syy += (ys[i] - yb) * (ys[i] - yb);
	}
	double slope = sxy / sxx, icept = yb - slope * xb;
	double rss = syy - slope * sxy, s2 = rss / (double)(n - 2);
	CHECK(fit(X, y, NULL, FIT_LINEAR, 0, 0, &r, &d) == FIT_OK, "simple regression ok");
	CHECK_REL(gsl_vector_get(r.beta, 1), slope, 1e-13, "simple regression slope");
	CHECK_REL(gsl_vector_get(r.beta, 0), icept, 1e-13, "simple regression intercept");
	CHECK_REL(gsl_vector_get(r.se, 1), sqrt(s2 / sxx), 1e-12, "simple regression se(slope)");
	CHECK_REL(gsl_vector_get(r.se, 0), sqrt(s2 * (1.0 / (double)n + xb * xb / sxx)), 1e-12,
	    "simple regression se(intercept)");
	CHECK_REL(r.r2, sxy * sxy / (sxx * syy), 1e-13, "simple regression r2");
	fit_result_free(&r);
	gsl_matrix_free(X);
	gsl_vector_free(y);

	/*
	 * 2x2 table as four weighted rows: group x in {0,1}, outcome y; counts
	 * a (x=0,y=1), b (x=0,y=0), c (x=1,y=1), d (x=1,y=0).  The slope is the
	 * log odds ratio log(a d / (b c))... with x=1 meaning exposed:
	 * log((c/d)/(a/b)), se sqrt(1/a+1/b+1/c+1/d); intercept log(a/b).
	 */
	double ca = 12, cb = 30, cc = 25, cd = 14;
	X = gsl_matrix_alloc(4, 2);
	y = gsl_vector_alloc(4);
	gsl_vector *w = gsl_vector_alloc(4);
	double cells[4][3] = { { 0, 1, ca }, { 0, 0, cb }, { 1, 1, cc }, { 1, 0, cd } };
	for (size_t i = 0; i < 4; i++) {
		gsl_matrix_set(X, i, 0, 1);
		gsl_matrix_set(X, i, 1, cells[i][0]);
		gsl_vector_set(y, i, cells[i][1]);
		gsl_vector_set(w, i, cells[i][2]);
	}
	/*
	 * The standard errors are R's: from the working weights of the iterate
	 * before the last, which even at tol 1e-14 sit about 1e-10 from the
	 * maximum-likelihood estimates (the deviance is flat there, so it
	 * cannot pin them closer): 1e-9 for them, 1e-12 for the estimates.
	 */
	CHECK(fit(X, y, w, FIT_LOGISTIC, 0, 0, &r, &d) == FIT_OK, "2x2 logistic ok");
	CHECK_REL(gsl_vector_get(r.beta, 1), log((cc / cd) / (ca / cb)), 1e-12, "2x2 log odds ratio");
	CHECK_REL(gsl_vector_get(r.se, 1), sqrt(1 / ca + 1 / cb + 1 / cc + 1 / cd), 1e-9,
	    "2x2 se of the log odds ratio");
	CHECK_REL(gsl_vector_get(r.beta, 0), log(ca / cb), 1e-12, "2x2 intercept log odds");
	CHECK_REL(gsl_vector_get(r.se, 0), sqrt(1 / ca + 1 / cb), 1e-9, "2x2 se intercept");
	fit_result_free(&r);
	gsl_matrix_free(X);
	gsl_vector_free(y);
	gsl_vector_free(w);

	/* Poisson with one factor: coefficients are logs of group means, se 1/sqrt(total). */
	static const double g0[] = { 3, 5, 2, 4, 6 }, g1[] = { 9, 7, 11, 8 };
	X = gsl_matrix_alloc(9, 2);
	y = gsl_vector_alloc(9);
	double s0 = 0, s1 = 0;
	for (size_t i = 0; i < 9; i++) {
		int grp = i >= 5;
		double v = grp ? g1[i - 5] : g0[i];
		gsl_matrix_set(X, i, 0, 1);
		gsl_matrix_set(X, i, 1, grp);
		gsl_vector_set(y, i, v);
		if (grp)
			s1 += v;
		else
			s0 += v;
	}
	CHECK(fit(X, y, NULL, FIT_POISSON, 0, 0, &r, &d) == FIT_OK, "poisson factor ok");
	{
		/* AIC = -2 loglik + 2 rank, loglik = sum of log dpois(y; mu) at the group means */
		double ll = 0;
		for (size_t i = 0; i < 9; i++) {
			double v = gsl_vector_get(y, i), mu = i >= 5 ? s1 / 4 : s0 / 5;
			ll += v * log(mu) - mu - lgamma(v + 1);
		}
		CHECK_REL(r.loglik, ll, 1e-12, "poisson loglik");
		CHECK_REL(r.aic, -2 * ll + 4, 1e-12, "poisson aic");
		/* a count that is not whole: R's dpois gives 0, its AIC Inf */
		struct fit_result r2;
		gsl_vector_set(y, 0, 3.5);
		CHECK(fit(X, y, NULL, FIT_POISSON, 0, 0, &r2, &d) == FIT_OK &&
		    isinf(r2.aic) && r2.aic > 0 && isinf(r2.loglik), "poisson aic Inf for y = 3.5, as R");
		fit_result_free(&r2);
		gsl_vector_set(y, 0, g0[0]);
	}
	CHECK_REL(gsl_vector_get(r.beta, 0), log(s0 / 5), TOL_R, "poisson log mean of group 0");
	CHECK_REL(gsl_vector_get(r.beta, 1), log((s1 / 4) / (s0 / 5)), TOL_R, "poisson log ratio");
	CHECK_REL(gsl_vector_get(r.se, 0), 1 / sqrt(s0), TOL_R, "poisson se intercept");
	CHECK_REL(gsl_vector_get(r.se, 1), sqrt(1 / s0 + 1 / s1), TOL_R, "poisson se ratio");
	fit_result_free(&r);
	gsl_matrix_free(X);
	gsl_vector_free(y);
}

/*
 * Aliasing is decided by its own tolerance, not by the IRLS tolerance:
 * poisson breaks ~ wool:tension on warpbreaks at tol 1e-14 names
 * woolB:tensionM aliased, as R's default glm gives it NA, and the other
 * estimates are R's converged ones (fit-aliased-tol.R).
 */
static void
test_aliased_tol(void)
{
	refs_read("fit-aliased-tol.txt");
	struct table *t = table_read("fit-warpbreaks.csv");
	static const char *const wool[] = { "A", "B" }, *const tension[] = { "H", "L", "M" };
	gsl_matrix *X = gsl_matrix_alloc(t->nrow, 7);
	gsl_vector *y = column(t, "breaks");
	for (size_t i = 0; i < t->nrow; i++) {
		gsl_matrix_set(X, i, 0, 1);
		for (size_t a = 0; a < 3; a++)
			for (size_t b = 0; b < 2; b++)
				gsl_matrix_set(X, i, 1 + a * 2 + b,
				    strcmp(str(t, i, "wool"), wool[b]) == 0 &&
				    strcmp(str(t, i, "tension"), tension[a]) == 0);
	}
	struct fit_opts o = { .family = FIT_POISSON, .intercept = 0, .tol = 1e-14, .max_iter = 100 };
	struct fit_result r;
	struct diag d;
	CHECK(fit_model(X, y, NULL, &o, &r, &d) == FIT_OK, "warpbreaks tol 1e-14 fits");
	size_t al = (size_t)ref("warp.aliased", 1) - 1;
	CHECK(r.rank == 6 && r.aliased[al], "warpbreaks tol 1e-14: woolB:tensionM aliased, as R's NA");
	for (size_t j = 0, k = 1; j < 7; j++) {
		if (j == al)
			continue;
		CHECK_REL(gsl_vector_get(r.beta, j), ref("warp.coef", k), TOL_R, "warpbreaks estimate");
		CHECK_REL(gsl_vector_get(r.se, j), ref("warp.se", k), TOL_R, "warpbreaks se");
		k++;
	}
	fit_result_free(&r);
	o.tol = 0;
	o.max_iter = 0;
	CHECK(fit_model(X, y, NULL, &o, &r, &d) == FIT_OK && r.rank == 6 && r.aliased[al],
	    "warpbreaks default: the same column aliased");
	fit_result_free(&r);
	gsl_matrix_free(X);
	gsl_vector_free(y);
	table_free(t);
}

/*
 * A fitted probability of 2e-16 is not separation: hinox ~ dis on
 * MASS::Boston converges in 8 iterations with R's default glm
 * (fit-hinox.R), and so must the default fit here, to R's numbers.
 */
static void
test_tail_not_separation(void)
{
	refs_read("fit-hinox.txt");
	struct table *t = table_read("fit-hinox.csv");
	static const char *const xs[] = { "dis" };
	gsl_matrix *X = design(t, 1, xs, 1, NULL, NULL, 0);
	gsl_vector *y = column(t, "hinox");
	struct fit_opts o = { .family = FIT_LOGISTIC, .intercept = 0 };
	struct fit_result r;
	struct diag d;
	CHECK(fit_model(X, y, NULL, &o, &r, &d) == FIT_OK, "hinox ~ dis fits (not separated)");
	CHECK(r.iterations == (int)ref("hinox.iter", 1), "hinox ~ dis: 8 iterations, as R");
	CHECK(r.n_extreme == 1, "hinox ~ dis: one fitted probability numerically 0");
	check_vec(r.beta, "hinox.coef", TOL_R, "coef");
	check_vec(r.se, "hinox.se", TOL_R, "se");
	CHECK_REL(r.deviance, ref("hinox.deviance", 1), TOL_R, "hinox deviance");
	double mn = 1;
	for (size_t i = 0; i < r.fitted->size; i++)
		mn = fmin(mn, gsl_vector_get(r.fitted, i));
	CHECK_REL(mn, ref("hinox.minfitted", 1), 1e-12, "hinox smallest fitted probability, as R");
	fit_result_free(&r);
	/* converged fully, still not separated */
	o.tol = 1e-14;
	o.max_iter = 100;
	CHECK(fit_model(X, y, NULL, &o, &r, &d) == FIT_OK, "hinox ~ dis at tol 1e-14 fits");
	fit_result_free(&r);
	gsl_matrix_free(X);
	gsl_vector_free(y);
	table_free(t);
}

/*
 * A standard error whose variance overflows double (x ~ 1e-160: se 3.6e158,
 * variance 1.3e317) is still computed, and equals the closed form
 * sigma / sqrt(Sxx) evaluated on x scaled by 1e160; R's vcov gives Inf
 * there and summary.lm an se of Inf.
 */
static void
test_se_beyond_variance(void)
{
	struct table *t = table_read("fit-tiny-x.csv");
	static const char *const xs[] = { "x" };
	gsl_matrix *X = design(t, 1, xs, 1, NULL, NULL, 0);
	gsl_vector *y = column(t, "y");
	size_t n = t->nrow;
	double xb = 0, yb = 0, sxx = 0, sxy = 0, syy = 0;
	for (size_t i = 0; i < n; i++) {
		xb += gsl_matrix_get(X, i, 1) * 1e160 / (double)n;
		yb += gsl_vector_get(y, i) / (double)n;
	}
	for (size_t i = 0; i < n; i++) {
		double dx = gsl_matrix_get(X, i, 1) * 1e160 - xb, dy = gsl_vector_get(y, i) - yb;
		sxx += dx * dx;
		sxy += dx * dy;
		syy += dy * dy;
	}
	double s2 = (syy - sxy * sxy / sxx) / (double)(n - 2);
	struct fit_result r;
	struct diag d;
	CHECK(fit(X, y, NULL, FIT_LINEAR, 0, 0, &r, &d) == FIT_OK, "tiny x fits");
	CHECK(isinf(gsl_matrix_get(r.cov, 1, 1)), "tiny x: the variance overflows");
	CHECK_REL(gsl_vector_get(r.se, 1), sqrt(s2 / sxx) * 1e160, 1e-12,
	    "tiny x: se computed beyond the variance's range");
	CHECK_REL(gsl_vector_get(r.beta, 1), sxy / sxx * 1e160, 1e-12, "tiny x: slope");
	fit_result_free(&r);
	gsl_matrix_free(X);
	gsl_vector_free(y);
	table_free(t);
}

/* ---- failures ---- */

static void
test_failures(void)
{
	struct fit_result r;
	struct diag d;
	/* Complete separation: y = (x > 0). */
	static const double xs[] = { -3, -2, -1.5, -1, -0.5, 0.5, 1, 1.5, 2, 3 };
	gsl_matrix *X = gsl_matrix_alloc(10, 2);
	gsl_vector *y = gsl_vector_alloc(10);
	for (size_t i = 0; i < 10; i++) {
		gsl_matrix_set(X, i, 0, 1);
		gsl_matrix_set(X, i, 1, xs[i]);
		gsl_vector_set(y, i, xs[i] > 0);
	}
	diag_clear(&d);
	CHECK(fit(X, y, NULL, FIT_LOGISTIC, 0, 0, &r, &d) == FIT_SEPARATION, "complete separation");
	static const char sep_head[] = "complete or quasi-complete separation: fitted "
	    "probabilities numerically 0 or 1 for ";
	CHECK(strncmp(d.what, sep_head, sizeof sep_head - 1) == 0 &&
	    strstr(d.what, " rows (use --l2 to regularise)") != NULL, "separation message");
	CHECK(r.n_extreme >= 6 && r.n_extreme <= 10, "separation: extreme rows counted");
	fit_result_free(&r);
	CHECK(fit_default(X, y, NULL, FIT_LOGISTIC, 0, &r, &d) == FIT_SEPARATION,
	    "complete separation with the default tolerance");
	fit_result_free(&r);
	CHECK(fit(X, y, NULL, FIT_LOGISTIC, 0, 0.1, &r, &d) == FIT_OK, "separation with --l2 fits");
	CHECK(gsl_vector_get(r.beta, 1) > 0 && isfinite(gsl_vector_get(r.se, 1)), "l2 estimate finite");
	fit_result_free(&r);
	/* Quasi-complete: overlap at x = 0 only. */
	gsl_matrix_set(X, 4, 1, 0);
	gsl_matrix_set(X, 5, 1, 0);
	CHECK(fit(X, y, NULL, FIT_LOGISTIC, 0, 0, &r, &d) == FIT_SEPARATION, "quasi-complete separation");
	fit_result_free(&r);
	/*
	 * Separated and with rows far in the tail besides: still named.  The
	 * old rule (any fitted probability within 10 eps of 0 or 1) named
	 * hinox too; the certificate (a direction that pushes every row toward
	 * its outcome) tells the two apart.
	 */
	{
		gsl_matrix *X2 = gsl_matrix_alloc(30, 3);
		gsl_vector *y2 = gsl_vector_alloc(30);
		for (size_t i = 0; i < 30; i++) {
			double a = (double)i / 3 - 5, b = sin((double)i);
			gsl_matrix_set(X2, i, 0, 1);
			gsl_matrix_set(X2, i, 1, a);
			gsl_matrix_set(X2, i, 2, b);
			gsl_vector_set(y2, i, a + 0.5 * b > 0);
		}
		CHECK(fit(X2, y2, NULL, FIT_LOGISTIC, 0, 0, &r, &d) == FIT_SEPARATION,
		    "separated by a combination of two columns");
		fit_result_free(&r);
		CHECK(fit_default(X2, y2, NULL, FIT_LOGISTIC, 0, &r, &d) == FIT_SEPARATION,
		    "separated by two columns, default tolerance");
		fit_result_free(&r);
		/*
		 * Poisson: an indicator that is 1 only on zero counts (a level seen
		 * with no events) drives their means to 0.
		 */
		for (size_t i = 0; i < 30; i++) {
			double a = gsl_matrix_get(X2, i, 1);
			gsl_matrix_set(X2, i, 2, a < 0);
			gsl_vector_set(y2, i, a < 0 ? 0 : 1 + (double)(i % 4));
		}
		CHECK(fit(X2, y2, NULL, FIT_POISSON, 0, 0, &r, &d) == FIT_SEPARATION,
		    "poisson: zero counts separated");
		CHECK_STR(d.what, "fitted means numerically 0 for 15 rows: a term separates the zero "
		    "counts (use --l2 to regularise)", "poisson separation message");
		fit_result_free(&r);
		gsl_matrix_free(X2);
		gsl_vector_free(y2);
	}
	/* Non-convergence in too few iterations. */
	gsl_matrix_set(X, 3, 1, 1);
	gsl_matrix_set(X, 6, 1, -1);
	struct fit_opts o = { .family = FIT_LOGISTIC, .intercept = 0, .max_iter = 2 };
	CHECK(fit_model(X, y, NULL, &o, &r, &d) == FIT_NOT_CONVERGED, "not converged");
	CHECK_STR(d.what, "the fit did not converge in 2 iterations (use --l2 to regularise)",
	    "not converged message");
	fit_result_free(&r);
	/* Bad data. */
	gsl_vector_set(y, 7, 2);
	CHECK(fit(X, y, NULL, FIT_LOGISTIC, 0, 0, &r, &d) == FIT_BAD_DATA && r.bad_row == 7,
	    "logistic y > 1");
	CHECK_STR(d.what, "response 2 is outside [0, 1] for the logistic family", "bad y message");
	fit_result_free(&r);
	gsl_vector_set(y, 7, -1);
	CHECK(fit(X, y, NULL, FIT_POISSON, 0, 0, &r, &d) == FIT_BAD_DATA && r.bad_row == 7,
	    "poisson y < 0");
	CHECK_STR(d.what, "response -1 is negative or not finite for the poisson family",
	    "bad count message");
	fit_result_free(&r);
	gsl_vector_set(y, 7, 1);
	gsl_vector *w = gsl_vector_alloc(10);
	gsl_vector_set_all(w, 1);
	gsl_vector_set(w, 2, -1);
	CHECK(fit(X, y, w, FIT_LINEAR, 0, 0, &r, &d) == FIT_BAD_DATA && r.bad_row == 2, "negative weight");
	CHECK_STR(d.what, "weight -1 is not a finite non-negative number", "weight message");
	fit_result_free(&r);
	gsl_vector_set_all(w, 0);
	CHECK(fit(X, y, w, FIT_LINEAR, 0, 0, &r, &d) == FIT_BAD_DATA, "all weights zero");
	CHECK_STR(d.what, "no rows to fit (all weights are zero or no data)", "no rows message");
	fit_result_free(&r);
	gsl_vector_set_all(w, 1);
	gsl_matrix_set(X, 5, 1, NAN);
	CHECK(fit(X, y, w, FIT_LINEAR, 0, 0, &r, &d) == FIT_BAD_DATA && r.bad_row == 5, "NaN in X");
	CHECK_STR(d.what, "design matrix column 2 is not finite", "NaN message");
	fit_result_free(&r);
	fit_result_free(NULL);
	gsl_vector_free(w);
	gsl_matrix_free(X);
	gsl_vector_free(y);
}

/* A blocked source over a whole design: block b is rows b * rows.. of D. */
struct whole {
	struct fit_design D;
	size_t rows;
};

static int
whole_block(void *arg, size_t b, unsigned worker, struct fit_design *D, size_t *first,
    struct diag *d)
{
	const struct whole *w = arg;
	(void)worker;
	(void)d;
	*D = w->D;
	*first = b * w->rows;
	return 0;
}

static enum fit_status
fit_blocks(const struct whole *w, unsigned jobs, const struct fit_opts *o, struct fit_result *r,
    struct diag *d)
{
	struct fit_source S = { .n = w->D.n, .p = w->D.p, .block_rows = w->rows, .jobs = jobs,
	    .block = whole_block, .arg = (void *)w };
	return fit_model_source(&S, o, r, d);
}

static int
same_bytes(const struct fit_result *a, const struct fit_result *b)
{
	size_t p = a->p;
	return a->p == b->p && a->n == b->n &&
	    memcmp(a->beta->data, b->beta->data, p * sizeof(double)) == 0 &&
	    memcmp(a->se->data, b->se->data, p * sizeof(double)) == 0 &&
	    memcmp(a->cov->data, b->cov->data, p * p * sizeof(double)) == 0 &&
	    memcmp(&a->deviance, &b->deviance, sizeof(double)) == 0 &&
	    memcmp(&a->null_deviance, &b->null_deviance, sizeof(double)) == 0 &&
	    memcmp(&a->loglik, &b->loglik, sizeof(double)) == 0 && a->iterations == b->iterations;
}

/*
 * 140,000 rows (three blocks of FIT_BLOCK_ROWS): the blocked fit (each
 * block's triangle on its own, merged in order) agrees with the one-pass
 * fit of all rows as one block to 1e-12 relative, and is the same bytes
 * for 1 and 3 threads; with a ridge penalty and with zero weights (a
 * validation fold) too.
 */
static void
test_blocked(void)
{
	const size_t n = 140000, p = 6;
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_matrix *X = gsl_matrix_alloc(n, p);
	gsl_vector *y = gsl_vector_alloc(n), *w = gsl_vector_alloc(n);
	struct diag d;
	gsl_rng_set(rng, 42);
	for (int fam = 0; fam < 3; fam++) {
		for (size_t i = 0; i < n; i++) {
			double eta = -0.3;
			gsl_matrix_set(X, i, 0, 1);
			for (size_t j = 1; j < p; j++) {
				double x = gsl_ran_gaussian(rng, 1);
				gsl_matrix_set(X, i, j, x);
				eta += 0.2 * ((double)j - 3) * x;
			}
			double yi = fam == FIT_LINEAR ? eta + gsl_ran_gaussian(rng, 1) :
			    fam == FIT_LOGISTIC ? (gsl_rng_uniform(rng) < 1 / (1 + exp(-eta))) :
			    (double)gsl_ran_poisson(rng, exp(eta));
			gsl_vector_set(y, i, yi);
			gsl_vector_set(w, i, i % 5 == 2 ? 0 : 1 + (double)(i % 3));
		}
		for (int variant = 0; variant < 3; variant++) {
			struct fit_opts o = { .family = (enum fit_family)fam, .intercept = 0,
			    .l2 = variant == 1 ? 2.5 : 0, .no_fitted = 1 };
			struct whole wh = { .D = { .n = n, .p = p, .chunk_rows = n, .ld = p,
			    .x = &X->data, .y = y->data, .y_stride = 1,
			    .w = variant == 2 ? w->data : NULL, .w_stride = 1 }, .rows = n };
			struct fit_result one, blk, th;
			char name[128];
			snprintf(name, sizeof name, "blocked family %d variant %d", fam, variant);
			CHECK(fit_blocks(&wh, 1, &o, &one, &d) == FIT_OK, name);
			wh.rows = FIT_BLOCK_ROWS;
			CHECK(fit_blocks(&wh, 1, &o, &blk, &d) == FIT_OK, name);
			double worst = 0;
			for (size_t j = 0; j < p; j++) {
				double b0 = gsl_vector_get(one.beta, j), b1 = gsl_vector_get(blk.beta, j);
				double s0 = gsl_vector_get(one.se, j), s1 = gsl_vector_get(blk.se, j);
				worst = fmax(worst, fabs(b1 - b0) / fabs(b0));
				worst = fmax(worst, fabs(s1 - s0) / fabs(s0));
			}
			worst = fmax(worst, fabs(blk.deviance - one.deviance) / fabs(one.deviance));
			CHECK(worst < 1e-12 && blk.n == one.n && blk.iterations == one.iterations, name);
			for (unsigned jobs = 3; jobs <= 3; jobs++) {
				CHECK(fit_blocks(&wh, jobs, &o, &th, &d) == FIT_OK && same_bytes(&th, &blk),
				    name);
				fit_result_free(&th);
			}
			/* fit_model takes the same blocks */
			CHECK(fit_model(X, y, variant == 2 ? w : NULL, &o, &th, &d) == FIT_OK &&
			    same_bytes(&th, &blk), name);
			fit_result_free(&th);
			fit_result_free(&one);
			fit_result_free(&blk);
		}
	}
	gsl_rng_free(rng);
	gsl_matrix_free(X);
	gsl_vector_free(y);
	gsl_vector_free(w);
}

int
main(int argc, char **argv)
{
	(void)argv;
	refs_read("fit-ref.txt");
	refs_read("fit-ref-default.txt");
	test_linear_r();
	test_glm_default_r();
	test_logistic_r();
	test_poisson_r();
	test_closed_forms();
	test_decimal_data();
	test_failures();
	test_aliased_tol();
	test_tail_not_separation();
	test_se_beyond_variance();
	test_nist(argc > 1);
	test_blocked();
	for (size_t i = 0; i < refs->nrow * 2; i++)
		free(refs->cell[i]);
	free(refs->cell);
	free(refs);
	return check_done();
}
