/*
 * pr-train - fit a formula model (linear, logistic or Poisson regression)
 * to a CSV file, as R's lm and glm do: write the coefficient table on
 * stdout and, with -o, the model as JSON for pr-score and pr-optimize.
 * Training holds the data once: as rows stream in, the values of the
 * columns the formula needs are kept in a compact row-major store (one
 * double per value; a categorical value as its level's index), in chunks;
 * when every level is known, the design matrix is built chunk by chunk
 * from the store, and each store chunk is freed as soon as it is used when
 * nothing needs it later (no --by, no --fitted), so that the peak is about
 * one copy of the data.
 */
#ifdef __linux__
#define _DEFAULT_SOURCE 1       /* madvise(MADV_HUGEPAGE) for the store, see chunk_alloc */
#endif
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <stdnoreturn.h>

#ifdef __linux__
#include <sys/mman.h>
#endif

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_gamma.h>

#include "acct.h"
#include "atomic.h"
#include "cli.h"
#include "csvio.h"
#include "diag.h"
#include "fit.h"
#include "formula.h"
#include "model.h"
#include "num.h"
#include "strtab.h"
#include "xalloc.h"

static const char help[] =
"Usage: pr-train -f FORMULA [OPTION]... [FILE]\n"
"Fit a formula model to FILE (or standard input when FILE is - or absent);\n"
"write the coefficient table as CSV on stdout and the model with -o.\n"
"\n"
"      --by=COL           one model per value of COL, plus a pooled model\n"
"  -d, --delimiter=CHAR   input field delimiter (default ,)\n"
"      --family=FAMILY    linear (default), logistic or poisson\n"
"      --fitted=FILE      write each used row's line and fitted value to FILE\n"
"      --folds=K          K-fold cross-validation metrics\n"
"  -f, --formula=FORMULA  the model, e.g. 'bought ~ log(price) * segment'\n"
"  -h, --help             print this help and exit\n"
"      --holdout=FRAC     fit on the other rows, validate on a random FRAC\n"
"      --l2=LAMBDA        ridge penalty (the intercept is not penalised)\n"
"      --max-iter=N       at most N IRLS iterations (default 25, R's glm.control maxit)\n"
"  -o, --output=FILE      write the model as JSON to FILE (atomically)\n"
"      --price=COL        the price column (default price, if the formula uses it)\n"
"  -q, --quiet            say nothing on stderr unless the run fails\n"
"      --rejects=FILE     write dropped rows to FILE with _line and _reason\n"
"      --seed=N           seed of the holdout and fold split (default 1)\n"
"      --strict           fail on the first row with a missing or bad value\n"
"  -t, --tab              input fields are separated by tabs\n"
"      --tol=EPS          IRLS stops when the deviance changes by less than EPS\n"
"                         relative (default 1e-8, R's glm.control epsilon)\n"
"  -v, --verbose          print the fit summary and row counts on stderr\n"
"      --version          print the version and exit\n"
"      --weight=COL       prior weights from column COL\n";

enum {
	OPT_BY = CLI_OPT_FIRST_TOOL, OPT_FAMILY, OPT_FITTED, OPT_FOLDS, OPT_HOLDOUT, OPT_L2,
	OPT_PRICE, OPT_SEED, OPT_WEIGHT, OPT_TOL, OPT_MAX_ITER
};

/* Rows per chunk of the store and of the design (a power of two). */
#define CHUNK_SHIFT 16
#define CHUNK_ROWS ((size_t)1 << CHUNK_SHIFT)

/* The data the formula needs. */
struct data {
	size_t nc;              /* formula columns */
	double **chunk;         /* CHUNK_ROWS rows a chunk, nc values a row: the value, or
	                         * (categorical) the index of the level in lv; NULL once freed */
	size_t nchunk;
	struct strtab **lv;     /* levels seen, NULL while a column is numeric */
	double *w;              /* weights, or NULL */
	long *gid;              /* group of each row (index in groups), or NULL */
	struct strtab *groups;
	size_t *jump_row;       /* input lines: row jump_row[k] is on line jump_line[k], and */
	long *jump_line;        /* the rows after it on the following lines up to the next jump */
	size_t njump, capjump;
	long last_line;
	size_t n, cap;
	long *text_line;        /* where a column first held text (0: never) */
	char (*text_value)[DIAG_VALUE_MAX];
	char *has_num;          /* a column held a number */
};

struct opts {
	const char *formula, *weight, *by, *output, *price, *fitted;
	enum model_family family;
	double l2, holdout, tol;
	long folds, max_iter;
	unsigned long seed;
};

/* One fitted model with its validation and summary. */
struct trained {
	struct fit_result res;
	int ok;
	json_t *sub;
};

static long
intern(struct strtab *t, const char *s, size_t len)
{
	char buf[NUM_BUFSZ];
	double x;
	long id;

	/* numbers in their shortest form, as model_level_lookup looks them up */
	if (num_parse(s, len, &x, 0) == NUM_OK)
		id = strtab_add(t, buf, num_format(x, buf));
	else
		id = strtab_add(t, s, len);
	if (id < 0)
		xalloc_die();
	return id;
}

/*
 * A store chunk.  On Linux it is asked for in transparent huge pages
 * (2 MiB): filling hundreds of megabytes page by page otherwise spends
 * about a tenth of the run in page faults.  Only a hint: the memory is
 * the same either way, and it may be passed to realloc and free.
 */
static double *
chunk_alloc(size_t n)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
	const size_t huge = (size_t)2 << 20;
	void *p;
	if (n * sizeof(double) >= huge && posix_memalign(&p, huge, n * sizeof(double)) == 0) {
		(void)madvise(p, n * sizeof(double) / huge * huge, MADV_HUGEPAGE);
		return p;
	}
#endif
	return xrealloc(NULL, n * sizeof(double));
}

/* Room for row dt->n. */
static void
grow(struct data *dt)
{
	size_t c = dt->n >> CHUNK_SHIFT;

	if (c >= dt->nchunk) {
		dt->chunk = xrealloc(dt->chunk, (c + 1) * sizeof *dt->chunk);
		dt->chunk[c] = chunk_alloc(CHUNK_ROWS * dt->nc);
		dt->nchunk = c + 1;
	}
	if (dt->n < dt->cap)
		return;
	dt->cap = dt->cap ? 2 * dt->cap : 1024;
	if (dt->w)
		dt->w = xrealloc(dt->w, dt->cap * sizeof *dt->w);
	if (dt->gid)
		dt->gid = xrealloc(dt->gid, dt->cap * sizeof *dt->gid);
}

/* The values of row r (nc doubles). */
static double *
dv(const struct data *dt, size_t r)
{
	return dt->chunk[r >> CHUNK_SHIFT] + (r & (CHUNK_ROWS - 1)) * dt->nc;
}

/* Row dt->n is on input line line. */
static void
note_line(struct data *dt, long line)
{
	if (dt->n > 0 && line == dt->last_line + 1) {
		dt->last_line = line;
		return;
	}
	if (dt->njump == dt->capjump) {
		dt->capjump = dt->capjump ? 2 * dt->capjump : 16;
		dt->jump_row = xrealloc(dt->jump_row, dt->capjump * sizeof *dt->jump_row);
		dt->jump_line = xrealloc(dt->jump_line, dt->capjump * sizeof *dt->jump_line);
	}
	dt->jump_row[dt->njump] = dt->n;
	dt->jump_line[dt->njump] = line;
	dt->njump++;
	dt->last_line = line;
}

/* The input line of row r. */
static long
row_line(const struct data *dt, size_t r)
{
	size_t lo = 0, hi = dt->njump;   /* the last jump at or before r is in [lo, hi) */

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (dt->jump_row[mid] <= r)
			lo = mid;
		else
			hi = mid;
	}
	return dt->jump_line[lo] + (long)(r - dt->jump_row[lo]);
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

/* ---- validation metrics (unweighted, on the scale of the response as written) ---- */

struct vpair {
	double p, y;
};

static int
cmp_vpair(const void *a, const void *b)
{
	double x = ((const struct vpair *)a)->p, y = ((const struct vpair *)b)->p;
	return x < y ? -1 : x > y;
}

static json_t *
metrics(enum model_family fam, const double *y, const double *pred, size_t n, char *line,
    size_t linesz)
{
	json_t *o = json_object();
	char a[32], b[32], c[32], e[32];
	size_t i;

	json_object_set_new(o, "n", json_integer((json_int_t)n));
	if (n == 0) {
		snprintf(line, linesz, "no rows");
		return o;
	}
	if (fam == MODEL_LINEAR) {
		double sse = 0, sae = 0, mean = 0, sst = 0, rmse, r2;
		for (i = 0; i < n; i++)
			mean += y[i];
		mean /= (double)n;
		for (i = 0; i < n; i++) {
			double r = y[i] - pred[i];
			sse += r * r;
			sae += fabs(r);
			sst += (y[i] - mean) * (y[i] - mean);
		}
		rmse = sqrt(sse / (double)n);
		r2 = sst > 0 ? 1 - sse / sst : NAN;
		json_object_set_new(o, "rmse", json_real(rmse));
		json_object_set_new(o, "mae", json_real(sae / (double)n));
		json_object_set_new(o, "r2", isfinite(r2) ? json_real(r2) : json_null());
		fmt(a, sizeof a, rmse);
		fmt(b, sizeof b, sae / (double)n);
		fmt(c, sizeof c, r2);
		snprintf(line, linesz, "RMSE %s, MAE %s, R2 %s", a, b, c);
	} else if (fam == MODEL_LOGISTIC) {
		double ll = 0, brier = 0, acc = 0, auc, npos = 0, nneg = 0, ranksum = 0;
		struct vpair *v = xrealloc(NULL, n * sizeof *v);
		size_t j;
		for (i = 0; i < n; i++) {
			double p = pred[i] < 1e-15 ? 1e-15 : pred[i] > 1 - 1e-15 ? 1 - 1e-15 : pred[i];
			ll -= y[i] * log(p) + (1 - y[i]) * log(1 - p);
			brier += (pred[i] - y[i]) * (pred[i] - y[i]);
			acc += (pred[i] >= 0.5) == (y[i] >= 0.5);
			v[i].p = pred[i];
			v[i].y = y[i];
		}
		/* AUC by the rank-sum (Mann-Whitney) statistic, ties at their mean rank */
		qsort(v, n, sizeof *v, cmp_vpair);
		for (i = 0; i < n; i = j) {
			double rank;
			for (j = i; j < n && v[j].p == v[i].p; j++)
				;
			rank = ((double)i + 1 + (double)j) / 2;
			for (size_t k = i; k < j; k++) {
				if (v[k].y >= 0.5) {
					npos++;
					ranksum += rank;
				} else {
					nneg++;
				}
			}
		}
		free(v);
		auc = npos > 0 && nneg > 0 ? (ranksum - npos * (npos + 1) / 2) / (npos * nneg) : NAN;
		json_object_set_new(o, "log_loss", json_real(ll / (double)n));
		json_object_set_new(o, "auc", isfinite(auc) ? json_real(auc) : json_null());
		json_object_set_new(o, "brier", json_real(brier / (double)n));
		json_object_set_new(o, "accuracy", json_real(acc / (double)n));
		fmt(a, sizeof a, ll / (double)n);
		fmt(b, sizeof b, auc);
		fmt(c, sizeof c, brier / (double)n);
		fmt(e, sizeof e, acc / (double)n);
		snprintf(line, linesz, "log loss %s, AUC %s, Brier %s, accuracy %s", a, b, c, e);
	} else {
		double dev = 0;
		for (i = 0; i < n; i++) {
			double mu = pred[i];
			dev += 2 * ((y[i] > 0 ? y[i] * log(y[i] / mu) : 0) - (y[i] - mu));
		}
		json_object_set_new(o, "deviance", json_real(dev));
		json_object_set_new(o, "mean_deviance", json_real(dev / (double)n));
		fmt(a, sizeof a, dev);
		fmt(b, sizeof b, dev / (double)n);
		snprintf(line, linesz, "deviance %s, mean deviance %s", a, b);
	}
	return o;
}

/* ---- fitting ---- */

struct trainer {
	const struct opts *o;
	const struct formula *f;
	struct data *dt;
	struct cli_common *common;
	size_t p;
	const char *input;
};

/* A design matrix in chunks of CHUNK_ROWS rows, with its responses and weights. */
struct design {
	size_t n, p, nch;
	double **x;
	double *y;
	double *w0;             /* prior weights, or NULL (all 1) */
	double *w;              /* weights of the current fit (validation), or NULL: w0 */
};

/*
 * Build the design of rows[0..nr) (rows NULL: every row in order).  With
 * consume (rows NULL only), the store is not used again: each design chunk
 * is built in the memory of its store chunk (resized to hold it), so that
 * the data is held once and no fresh pages are touched.  In place is
 * safe row by row: row k's values are copied out before its design row is
 * written, and a design row never reaches a store row not yet read when
 * the rows are taken forward (p <= nc) or backward (p > nc).
 */
static void
design_build(const struct trainer *t, const size_t *rows, size_t nr, int consume,
    struct design *ds)
{
	struct data *dt = t->dt;
	size_t p = t->p, c, k;
	double *work = xrealloc(NULL, formula_work_size(t->f) * sizeof *work);
	double *val = xrealloc(NULL, dt->nc * sizeof *val);

	memset(ds, 0, sizeof *ds);
	ds->n = nr;
	ds->p = p;
	ds->nch = (nr + CHUNK_ROWS - 1) / CHUNK_ROWS;
	ds->x = xrealloc(NULL, (ds->nch ? ds->nch : 1) * sizeof *ds->x);
	ds->y = xrealloc(NULL, nr * sizeof *ds->y);
	if (dt->w)
		ds->w0 = xrealloc(NULL, nr * sizeof *ds->w0);
	if (rows != NULL)
		consume = 0;
	for (c = 0; c < ds->nch; c++) {
		size_t r0 = c * CHUNK_ROWS, m = nr - r0 < CHUNK_ROWS ? nr - r0 : CHUNK_ROWS;
		size_t nc = dt->nc, i;
		double *xc;
		if (consume) {
			size_t keep = (p > nc ? p : nc) * m;
			xc = xrealloc(dt->chunk[c], keep * sizeof *xc);
			dt->chunk[c] = NULL;
		} else {
			xc = xrealloc(NULL, m * p * sizeof *xc);
		}
		ds->x[c] = xc;
		for (i = 0; i < m; i++) {
			k = consume && p > nc ? m - 1 - i : i;
			size_t row = rows ? rows[r0 + k] : r0 + k;
			const double *v = consume ? xc + k * nc : dv(dt, row);
			memcpy(val, v, nc * sizeof *val);
			formula_eval(t->f, val, -1, xc + k * p, NULL, work);
			ds->y[r0 + k] = formula_eval_response(t->f, val);
			if (ds->w0)
				ds->w0[r0 + k] = dt->w[row];
		}
		if (consume && p < nc)
			ds->x[c] = xrealloc(xc, m * p * sizeof *xc);
	}
	free(work);
	free(val);
}

static void
design_free(struct design *ds)
{
	size_t c;

	for (c = 0; c < ds->nch; c++)
		free(ds->x[c]);
	free(ds->x);
	free(ds->y);
	free(ds->w0);
	free(ds->w);
}

static enum fit_status
design_fit(const struct design *ds, const struct fit_opts *fo, struct fit_result *r,
    struct diag *d)
{
	struct fit_design D;
	const double *w = ds->w ? ds->w : ds->w0;

	memset(&D, 0, sizeof D);
	D.n = ds->n;
	D.p = ds->p;
	D.chunk_rows = CHUNK_ROWS;
	D.ld = ds->p;
	D.x = ds->x;
	D.y = ds->y;
	D.y_stride = 1;
	D.w = w;
	D.w_stride = 1;
	return fit_model_design(&D, fo, r, d);
}

static struct fit_opts
fitopts(const struct trainer *t)
{
	struct fit_opts fo;

	memset(&fo, 0, sizeof fo);
	fo.family = t->o->family == MODEL_LOGISTIC ? FIT_LOGISTIC :
	    t->o->family == MODEL_POISSON ? FIT_POISSON : FIT_LINEAR;
	fo.l2 = t->o->l2;
	fo.tol = t->o->tol;
	fo.max_iter = (int)t->o->max_iter;
	fo.intercept = formula_intercept_index(t->f);
	return fo;
}

/*
 * Fit rows[0..nr) (a group; rows NULL: every row), with the validation
 * asked for.  what names the model in messages ("" or "group \"A\": ").
 * consume: the store is not needed afterwards (see design_build).
 * Returns 0, or -1 with d filled when the fit failed.
 */
static int
train_rows(const struct trainer *t, const size_t *rows, size_t nr, int consume,
    const char *what, struct trained *out, struct diag *d)
{
	const struct opts *o = t->o;
	struct design ds;
	struct fit_opts fo = fitopts(t);
	enum fit_status st;
	json_t *training, *valid = NULL;
	char vline[256] = "";
	size_t i, nvalid = 0;
	double *vy = NULL, *vp = NULL;
	int *fold = NULL;

	memset(out, 0, sizeof *out);
	if (nr == 0)
		return diag_set(d, NULL, 0, NULL, NULL, 0, "%sno rows to fit", what);
	design_build(t, rows, nr, consume, &ds);
	if (o->holdout > 0 || o->folds > 0) {
		gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
		fold = xrealloc(NULL, nr * sizeof *fold);
		long k, nf = o->folds > 0 ? o->folds : 1;
		if (rng == NULL)
			xalloc_die();
		gsl_rng_set(rng, o->seed);
		if (o->holdout > 0) {
			for (i = 0; i < nr; i++)
				fold[i] = gsl_rng_uniform(rng) < o->holdout ? 0 : -1;
		} else {
			size_t *perm = xrealloc(NULL, nr * sizeof *perm);
			for (i = 0; i < nr; i++)
				perm[i] = i;
			gsl_ran_shuffle(rng, perm, nr, sizeof *perm);
			for (i = 0; i < nr; i++)
				fold[perm[i]] = (int)(i % (size_t)o->folds);
			free(perm);
		}
		gsl_rng_free(rng);
		vy = xrealloc(NULL, nr * sizeof *vy);
		vp = xrealloc(NULL, nr * sizeof *vp);
		ds.w = xrealloc(NULL, nr * sizeof *ds.w);
		for (k = 0; k < nf; k++) {
			struct fit_result r;
			for (i = 0; i < nr; i++)
				ds.w[i] = fold[i] == k ? 0 : ds.w0 ? ds.w0[i] : 1;
			st = design_fit(&ds, &fo, &r, d);
			if (st != FIT_OK) {
				char m[DIAG_WHAT_MAX];
				snprintf(m, sizeof m, "%s", d->what);
				diag_set(d, NULL, 0, NULL, NULL, 0, "%s%s %ld: %s", what,
				    o->holdout > 0 ? "fit without the holdout" : "fold", k + 1, m);
				fit_result_free(&r);
				goto fail;
			}
			for (i = 0; i < nr; i++)
				if (fold[i] == k) {
					vy[nvalid] = ds.y[i];
					vp[nvalid] = gsl_vector_get(r.fitted, i);
					nvalid++;
				}
			if (o->holdout > 0) {
				out->res = r;   /* the model is the one fitted without the holdout */
				break;
			}
			fit_result_free(&r);
		}
		valid = metrics(o->family, vy, vp, nvalid, vline, sizeof vline);
		json_object_set_new(valid, "method", json_string(o->holdout > 0 ? "holdout" : "folds"));
		if (o->holdout > 0)
			json_object_set_new(valid, "fraction", json_real(o->holdout));
		else
			json_object_set_new(valid, "folds", json_integer(o->folds));
		json_object_set_new(valid, "seed", json_integer((json_int_t)o->seed));
		free(fold);
		fold = NULL;
		if (!t->common->quiet)
			cli_warn("%s%s (%zu rows): %s", what,
			    o->holdout > 0 ? "holdout" : "cross-validation", nvalid, vline);
	}
	if (!(o->holdout > 0)) {
		free(ds.w);
		ds.w = NULL;
		fo.no_fitted = 1;   /* the model's own fit: no fitted values needed */
		st = design_fit(&ds, &fo, &out->res, d);
		if (st != FIT_OK) {
			char m[DIAG_WHAT_MAX];
			snprintf(m, sizeof m, "%s", d->what);
			if (st == FIT_BAD_DATA && out->res.bad_row >= 0 && (size_t)out->res.bad_row < nr) {
				size_t b = (size_t)out->res.bad_row;
				diag_set(d, t->input, row_line(t->dt, rows ? rows[b] : b), NULL, NULL, 0,
				    "%s%s", what, m);
			} else {
				diag_set(d, NULL, 0, NULL, NULL, 0, "%s%s", what, m);
			}
			goto fail;
		}
	}
	training = json_object();
	json_object_set_new(training, "n", json_integer((json_int_t)out->res.n));
	json_object_set_new(training, "rank", json_integer((json_int_t)out->res.rank));
	json_object_set_new(training, "df_residual", json_integer(out->res.df_residual));
	json_object_set_new(training, "df_null", json_integer(out->res.df_null));
#define JN(k, v) json_object_set_new(training, k, isfinite(v) ? json_real(v) : json_null())
	JN("loglik", out->res.loglik);
	JN("deviance", out->res.deviance);
	JN("null_deviance", out->res.null_deviance);
	JN("aic", out->res.aic);
	JN("r2", out->res.r2);
	JN("adj_r2", out->res.adj_r2);
#undef JN
	json_object_set_new(training, "iterations", json_integer(out->res.iterations));
	if (valid)
		json_object_set_new(training, "validation", valid);
	{
		size_t p = t->p;
		double *cov = xrealloc(NULL, p * p * sizeof *cov);
		size_t j;
		for (i = 0; i < p; i++)
			for (j = 0; j < p; j++)
				cov[i * p + j] = gsl_matrix_get(out->res.cov, i, j);
		out->sub = model_doc_sub(t->f, out->res.beta->data, out->res.se->data, cov,
		    out->res.dispersion, out->res.df_residual, training);
		if (out->res.beta->stride != 1 || out->res.se->stride != 1)
			abort();
		free(cov);
	}
	out->ok = 1;
	design_free(&ds);
	free(vy);
	free(vp);
	return 0;
fail:
	fit_result_free(&out->res);
	free(fold);
	json_decref(valid);
	design_free(&ds);
	free(vy);
	free(vp);
	return -1;
}

/* The coefficient table rows of one model; the aliased ones named on stderr. */
static void
put_table(const struct trainer *t, struct csvio_writer *out, const char *group,
    const struct fit_result *r)
{
	size_t j;
	char names[2048] = "";
	size_t nn = 0;

	for (j = 0; j < t->p; j++) {
		double est = gsl_vector_get(r->beta, j), se = gsl_vector_get(r->se, j), stat, pv;
		if (group != NULL)
			csvio_put_str(out, group);
		csvio_put_str(out, formula_coef_name(t->f, j));
		if (r->aliased[j] || isnan(est)) {
			csvio_put_num(out, NAN);
			csvio_put_num(out, NAN);
			csvio_put_num(out, NAN);
			csvio_put_num(out, NAN);
			csvio_end(out);
			nn += (size_t)snprintf(names + nn, nn < sizeof names ? sizeof names - nn : 0,
			    "%s%s", nn ? ", " : "", formula_coef_name(t->f, j));
			if (nn >= sizeof names)
				nn = sizeof names - 1;
			continue;
		}
		stat = est / se;
		if (t->o->family == MODEL_LINEAR)
			/* two-sided Student t tail as a regularised incomplete beta,
			 * accurate far into the tail (R's pt; gsl_cdf_tdist_Q loses
			 * digits below 1e-100) */
			pv = r->df_residual > 0 ? gsl_sf_beta_inc((double)r->df_residual / 2, 0.5,
			    (double)r->df_residual / ((double)r->df_residual + stat * stat)) : NAN;
		else
			pv = 2 * gsl_cdf_ugaussian_Q(fabs(stat));
		csvio_put_num(out, est);
		csvio_put_num(out, se);
		csvio_put_num(out, stat);
		csvio_put_num(out, pv);
		csvio_end(out);
	}
	if (nn > 0 && !t->common->quiet) {
		if (group != NULL)
			cli_warn("group \"%s\": aliased (collinear) terms, estimated as missing: %s", group, names);
		else
			cli_warn("aliased (collinear) terms, estimated as missing: %s", names);
	}
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
	cli_warn("%s%s model: %zu rows used, %llu dropped; df residual %ld, null %ld; "
	    "log-likelihood %s; deviance %s; null deviance %s; AIC %s%s%s; iterations %d",
	    what, model_family_name(t->o->family), r->n, dropped, r->df_residual, r->df_null,
	    ll, dev, nd, aic, t->o->family == MODEL_LINEAR ? "; R2 " : "",
	    t->o->family == MODEL_LINEAR ? r2 : "", r->iterations);
}

/*
 * What main holds, so that every way out frees it: under LeakSanitizer a
 * failing run must not leave the reader, the store or the formula behind
 * (the compiler may have dropped main's last copy of a pointer).  The
 * pointers lead to main's own variables.  The output writer is not freed
 * on failure: that would flush rows that a failed run does not write.
 */
struct run {
	struct formula *f;
	struct csvio_reader *in;
	struct acct *acct;       /* NULL until acct_init */
	struct data *dt;         /* NULL until set up */
	long *idx;
	double *val, *work;
	json_t *doc;
	struct trained *pooled;
	struct trained *tg;      /* ng, zeroed: ok says which hold a fit */
	size_t ng;
};

static void
run_free(struct run *r)
{
	struct data *dt = r->dt;
	size_t i;

	json_decref(r->doc);
	if (r->pooled != NULL) {
		json_decref(r->pooled->sub);
		fit_result_free(&r->pooled->res);
	}
	for (i = 0; i < r->ng; i++) {
		if (r->tg[i].ok) {
			json_decref(r->tg[i].sub);
			fit_result_free(&r->tg[i].res);
		}
	}
	free(r->tg);
	if (dt != NULL) {
		for (i = 0; i < dt->nc; i++)
			strtab_free(dt->lv[i]);
		for (i = 0; i < dt->nchunk; i++)
			free(dt->chunk[i]);
		free(dt->chunk);
		free(dt->jump_row);
		free(dt->jump_line);
		free(dt->lv);
		free(dt->w);
		free(dt->gid);
		free(dt->text_line);
		free(dt->text_value);
		free(dt->has_num);
		strtab_free(dt->groups);
	}
	free(r->val);
	free(r->work);
	free(r->idx);
	formula_free(r->f);
	csvio_close(r->in);
	memset(r, 0, sizeof *r);
}

/* What a failing run frees (cli_at_fail): the rejects temporary is removed. */
static void
run_cleanup(void *arg)
{
	struct run *r = arg;
	struct diag scratch;

	if (r->acct != NULL)
		acct_finish(r->acct, 0, &scratch);
	run_free(r);
}

/*
 * --fitted: every used row's fitted value, computed as pr-score computes
 * it (the model read back from its document, the row's values given as
 * text), so that scoring the training data reproduces these exactly.
 */
static void
write_fitted(const struct trainer *t, json_t *doc, const char *path)
{
	const struct data *dt = t->dt;
	struct diag d;
	struct model *m = model_from_json(doc, path, &d);
	struct model_eval *e;
	struct csvio_row hdr, row;
	struct atomic_file *af;
	struct csvio_writer *w;
	size_t nf = dt->nc + 1, i, r;
	char (*buf)[NUM_BUFSZ];

	if (m == NULL)
		cli_fail_diag(EXIT_FAIL, &d);
	hdr.n = nf;
	hdr.f = xrealloc(NULL, nf * sizeof *hdr.f);
	hdr.len = xrealloc(NULL, nf * sizeof *hdr.len);
	row.n = nf;
	row.f = xrealloc(NULL, nf * sizeof *row.f);
	row.len = xrealloc(NULL, nf * sizeof *row.len);
	buf = xrealloc(NULL, nf * sizeof *buf);
	for (i = 0; i < dt->nc; i++)
		hdr.f[i] = (char *)formula_col(t->f, i);
	hdr.f[dt->nc] = (char *)(t->o->by ? t->o->by : "");
	e = model_bind(m, &hdr, path, NULL, &d);
	af = e != NULL ? atomic_open(path, &d) : NULL;
	if (af == NULL)
		goto fail;
	w = csvio_writer_new(atomic_fp(af), ',');
	if (w == NULL)
		xalloc_die();
	csvio_put_str(w, "line");
	csvio_put_str(w, model_pred_name(m));
	csvio_end(w);
	for (r = 0; r < dt->n; r++) {
		for (i = 0; i < dt->nc; i++) {
			if (dt->lv[i] != NULL) {
				row.f[i] = (char *)strtab_str(dt->lv[i], (size_t)dv(dt, r)[i], &row.len[i]);
			} else {
				row.len[i] = num_format(dv(dt, r)[i], buf[i]);
				row.f[i] = buf[i];
			}
		}
		row.f[dt->nc] = (char *)(dt->gid ? strtab_str(dt->groups, (size_t)dt->gid[r], &row.len[dt->nc]) : "");
		if (!dt->gid)
			row.len[dt->nc] = 0;
		row.line = row_line(dt, r);
		csvio_put_long(w, row.line);
		if (model_eval_row(e, &row, &d) < 0)
			csvio_put_num(w, NAN);
		else
			csvio_put_num(w, model_eval_mean(e, model_eval_row_price(e), NULL));
		csvio_end(w);
	}
	if (csvio_writer_free(w) != 0) {
		atomic_abort(af);
		diag_set(&d, path, 0, NULL, NULL, 0, "write error");
		goto fail;
	}
	if (atomic_commit(af, &d) < 0)
		goto fail;
	model_eval_free(e);
	model_free(m);
	free(hdr.f);
	free(hdr.len);
	free(row.f);
	free(row.len);
	free(buf);
	return;
fail:
	model_eval_free(e);
	model_free(m);
	free(hdr.f);
	free(hdr.len);
	free(row.f);
	free(row.len);
	free(buf);
	cli_fail_diag(EXIT_FAIL, &d);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONG,
		{ "by",      required_argument, NULL, OPT_BY },
		{ "family",  required_argument, NULL, OPT_FAMILY },
		{ "fitted",  required_argument, NULL, OPT_FITTED },
		{ "folds",   required_argument, NULL, OPT_FOLDS },
		{ "formula", required_argument, NULL, 'f' },
		{ "holdout", required_argument, NULL, OPT_HOLDOUT },
		{ "l2",      required_argument, NULL, OPT_L2 },
		{ "max-iter", required_argument, NULL, OPT_MAX_ITER },
		{ "output",  required_argument, NULL, 'o' },
		{ "price",   required_argument, NULL, OPT_PRICE },
		{ "seed",    required_argument, NULL, OPT_SEED },
		{ "tol",     required_argument, NULL, OPT_TOL },
		{ "weight",  required_argument, NULL, OPT_WEIGHT },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_common common;
	struct opts o;
	struct formula *f;
	struct csvio_reader *in;
	struct csvio_writer *out;
	struct csvio_row row;
	struct acct acct;
	struct diag d;
	struct data dt;
	struct trainer t;
	struct trained pooled, *tg = NULL;
	struct run run;
	char input_name[DIAG_FILE_MAX];
	long *idx, widx = -1, gidx = -1, price = -1;
	double *val, *work;
	size_t nc, i, r, ng = 0;
	int opt, got, fam;
	json_t *doc;

	cli_init(argv);
	cli_common_init(&common);
	gsl_set_error_handler_off();
	memset(&o, 0, sizeof o);
	o.family = MODEL_LINEAR;
	o.seed = 1;
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT "f:o:", longopts, NULL)) != -1) {
		if (cli_common_opt(&common, opt, optarg, help))
			continue;
		switch (opt) {
		case 'f': o.formula = optarg; break;
		case 'o': o.output = optarg; break;
		case OPT_BY: o.by = optarg; break;
		case OPT_FITTED: o.fitted = optarg; break;
		case OPT_PRICE: o.price = optarg; break;
		case OPT_WEIGHT: o.weight = optarg; break;
		case OPT_FAMILY:
			fam = model_family_parse(optarg);
			if (fam < 0)
				cli_usage("--family: expected linear, logistic or poisson, not \"%s\"", optarg);
			o.family = (enum model_family)fam;
			break;
		case OPT_FOLDS:
			o.folds = cli_long_arg("--folds", optarg, 2, 1000);
			break;
		case OPT_HOLDOUT:
			o.holdout = cli_num_arg("--holdout", optarg);
			if (!(o.holdout > 0 && o.holdout < 1))
				cli_usage("--holdout: expected a fraction between 0 and 1, not \"%s\"", optarg);
			break;
		case OPT_L2:
			o.l2 = cli_num_arg("--l2", optarg);
			if (!(o.l2 >= 0) || !isfinite(o.l2))
				cli_usage("--l2: expected a number >= 0, not \"%s\"", optarg);
			break;
		case OPT_TOL:
			o.tol = cli_num_arg("--tol", optarg);
			if (!(o.tol > 0) || !isfinite(o.tol))
				cli_usage("--tol: expected a number > 0, not \"%s\"", optarg);
			break;
		case OPT_MAX_ITER:
			o.max_iter = cli_long_arg("--max-iter", optarg, 1, 100000);
			break;
		case OPT_SEED:
			o.seed = (unsigned long)cli_long_arg("--seed", optarg, 0, 4294967295L);
			break;
		default:
			cli_usage_try();
		}
	}
	if (argc - optind > 1)
		cli_usage("too many arguments: one input file at most");
	if (o.formula == NULL)
		cli_usage("a formula is required (-f 'y ~ x')");
	if (o.holdout > 0 && o.folds > 0)
		cli_usage("--holdout and --folds exclude each other");
	f = formula_parse(o.formula, &d);
	if (f == NULL)
		cli_usage_diag(NULL, &d);
	memset(&run, 0, sizeof run);
	cli_at_fail(run_cleanup, &run);
	memset(&pooled, 0, sizeof pooled);
	run.f = f;
	nc = formula_ncols(f);
	if (o.price != NULL) {
		price = formula_col_index(f, o.price);
		if (price < 0)
			cli_usage("--price: column \"%s\" is not in the formula", o.price);
	} else {
		price = formula_col_index(f, "price");
		if (price >= 0)
			o.price = "price";
	}
	if (price >= 0 && (size_t)price == formula_response_col(f))
		cli_usage("--price: the price column \"%s\" is the response", o.price);
	if (price >= 0 && formula_col_forced(f, (size_t)price))
		cli_usage("--price: the price column \"%s\" cannot be categorical", o.price);

	in = run.in = csvio_open(optind < argc ? argv[optind] : NULL, common.delim, &d);
	if (in == NULL)
		cli_fail_diag(EXIT_FAIL, &d);
	idx = run.idx = xrealloc(NULL, nc * sizeof *idx);
	for (i = 0; i < nc; i++)
		if ((idx[i] = csvio_require_col(in, formula_col(f, i), &d)) < 0)
			cli_fail_diag(EXIT_FAIL, &d);
	if (o.weight && (widx = csvio_require_col(in, o.weight, &d)) < 0)
		cli_fail_diag(EXIT_FAIL, &d);
	if (o.by && (gidx = csvio_require_col(in, o.by, &d)) < 0)
		cli_fail_diag(EXIT_FAIL, &d);
	acct_init(&acct);
	if (common.rejects != NULL && acct_open_rejects(&acct, common.rejects, csvio_header(in), &d) < 0)
		cli_fail_diag(EXIT_FAIL, &d);
	run.acct = &acct;

	memset(&dt, 0, sizeof dt);
	run.dt = &dt;
	dt.nc = nc;
	dt.lv = xrealloc(NULL, nc * sizeof *dt.lv);
	memset(dt.lv, 0, nc * sizeof *dt.lv);
	dt.text_line = xrealloc(NULL, nc * sizeof *dt.text_line);
	dt.text_value = xrealloc(NULL, nc * sizeof *dt.text_value);
	memset(dt.text_line, 0, nc * sizeof *dt.text_line);
	dt.has_num = xrealloc(NULL, nc);
	memset(dt.has_num, 0, nc);
	for (i = 0; i < nc; i++) {
		dt.lv[i] = NULL;
		if (formula_col_forced(f, i) && (dt.lv[i] = strtab_new()) == NULL)
			xalloc_die();
	}
	if (o.weight)
		dt.w = xrealloc(NULL, 1);
	if (o.by) {
		dt.gid = xrealloc(NULL, 1);
		if ((dt.groups = strtab_new()) == NULL)
			xalloc_die();
	}
	val = run.val = xrealloc(NULL, nc * sizeof *val);
	work = run.work = xrealloc(NULL, formula_work_size(f) * sizeof *work);

	/* Read every row; keep the formula's columns. */
	while ((got = csvio_next(in, &row, &d)) > 0) {
		const char *label;
		int text = 0;
		acct.n_in++;
		if (csvio_check_width(in, &row, &d) < 0) {
			cli_reject(&common, run.acct, csvio_name(run.in), &row, &d);
			continue;
		}
		/* first check every field, so a rejected row adds no level */
		for (i = 0; i < nc; i++) {
			const char *s = row.f[idx[i]];
			size_t len = row.len[idx[i]];
			enum num_status st;
			if (len == 0) {
				diag_set(&d, NULL, 0, formula_col(f, i), NULL, 0, "missing value");
				goto reject;
			}
			val[i] = NAN;
			if (dt.lv[i] != NULL)
				continue;
			st = num_parse(s, len, &val[i], 0);
			if (st != NUM_OK) {
				if (formula_col_numeric(f, i) || (long)i == price) {
					diag_set(&d, NULL, 0, formula_col(f, i), s, len, "%s", num_strerror(st));
					goto reject;
				}
				text = 1;
			}
		}
		if (formula_check_row(f, val, work, &label) < 0) {
			diag_set(&d, NULL, 0, NULL, label, strlen(label), "formula term is not finite");
			goto reject;
		}
		if (dt.w) {
			double wv;
			enum num_status st = num_parse(row.f[widx], row.len[widx], &wv, 0);
			if (st != NUM_OK || wv < 0) {
				diag_set(&d, NULL, 0, o.weight, st == NUM_EMPTY ? NULL : row.f[widx],
				    row.len[widx], "%s", st == NUM_EMPTY ? "missing value" :
				    st != NUM_OK ? num_strerror(st) : "negative weight");
				goto reject;
			}
			grow(&dt);
			dt.w[dt.n] = wv;
		}
		if (dt.gid && row.len[gidx] == 0) {
			diag_set(&d, NULL, 0, o.by, NULL, 0, "missing value");
			goto reject;
		}
		grow(&dt);
		for (i = 0; i < nc; i++) {
			const char *s = row.f[idx[i]];
			size_t len = row.len[idx[i]];
			if (dt.lv[i] == NULL && text && isnan(val[i])) {
				/* the first text in this column: it is categorical */
				char buf[NUM_BUFSZ];
				if ((dt.lv[i] = strtab_new()) == NULL)
					xalloc_die();
				dt.text_line[i] = row.line;
				snprintf(dt.text_value[i], sizeof dt.text_value[i], "%.*s",
				    (int)(len < 60 ? len : 60), s);
				for (r = 0; r < dt.n; r++) {
					double *v = dv(&dt, r);
					long id = strtab_add(dt.lv[i], buf, num_format(v[i], buf));
					if (id < 0)
						xalloc_die();
					v[i] = (double)id;
				}
			}
			if (!dt.has_num[i]) {
				double x;
				dt.has_num[i] = dt.lv[i] == NULL || num_parse(s, len, &x, 0) == NUM_OK;
			}
			dv(&dt, dt.n)[i] = dt.lv[i] ? (double)intern(dt.lv[i], s, len) : val[i];
		}
		if (dt.gid) {
			long g = strtab_add(dt.groups, row.f[gidx], row.len[gidx]);
			if (g < 0)
				xalloc_die();
			dt.gid[dt.n] = g;
		}
		note_line(&dt, row.line);
		dt.n++;
		acct.n_out++;
		continue;
reject:
		cli_reject(&common, run.acct, csvio_name(run.in), &row, &d);
	}
	if (got < 0)
		cli_fail_diag(EXIT_FAIL, &d);

	/* Categorical columns: levels in byte order. */
	for (i = 0; i < nc; i++) {
		size_t nl, k, *order, *rank;
		char **names;
		if (dt.lv[i] == NULL)
			continue;
		if ((long)i == price) {
			diag_set(&d, csvio_name(in), 0, formula_col(f, i), NULL, 0,
			    "the price column must be numeric");
			cli_fail_diag(EXIT_FAIL, &d);
		}
		/* a column of numbers with some text is worth a word */
		if (dt.text_line[i] > 0 && dt.has_num[i] && !common.quiet)
			cli_warn("%s:%ld: column \"%s\" is categorical: it holds text: \"%s\"",
			    csvio_name(in), dt.text_line[i], formula_col(f, i), dt.text_value[i]);
		nl = strtab_n(dt.lv[i]);
		order = xrealloc(NULL, nl * sizeof *order);
		rank = xrealloc(NULL, nl * sizeof *rank);
		names = xrealloc(NULL, nl * sizeof *names);
		strtab_sorted(dt.lv[i], order);
		for (k = 0; k < nl; k++) {
			rank[order[k]] = k;
			names[k] = (char *)strtab_str(dt.lv[i], k, NULL);
		}
		if (formula_set_levels(f, i, names, nl, &d) < 0) {
			snprintf(d.file, sizeof d.file, "%s", csvio_name(in));
			free(order);
			free(rank);
			free(names);
			cli_fail_diag(EXIT_FAIL, &d);
		}
		/* keep the levels in strtab order for --fitted; the design uses sorted ranks */
		for (r = 0; r < dt.n; r++) {
			double *v = dv(&dt, r);
			v[i] = (double)rank[(size_t)v[i]];
		}
		{
			/* a table in sorted order, so that index = rank */
			struct strtab *s = strtab_new();
			if (s == NULL)
				xalloc_die();
			for (k = 0; k < nl; k++) {
				size_t len;
				const char *str = strtab_str(dt.lv[i], order[k], &len);
				if (strtab_add(s, str, len) < 0)
					xalloc_die();
			}
			strtab_free(dt.lv[i]);
			dt.lv[i] = s;
		}
		free(order);
		free(rank);
		free(names);
	}
	if (formula_build(f, &d) < 0)
		cli_fail_diag(EXIT_FAIL, &d);

	t.o = &o;
	t.f = f;
	t.dt = &dt;
	t.common = &common;
	t.p = formula_ncoef(f);
	t.input = csvio_name(in);
	/* the store is needed after the pooled fit only by --by and --fitted */
	run.pooled = &pooled;
	if (train_rows(&t, NULL, dt.n, o.by == NULL && o.fitted == NULL, "", &pooled, &d) < 0)
		cli_fail_diag(EXIT_FAIL, &d);
	out = cli_open_output();
	if (o.by)
		csvio_put_str(out, "group");
	csvio_put_str(out, "term");
	csvio_put_str(out, "estimate");
	csvio_put_str(out, "std_error");
	csvio_put_str(out, "statistic");
	csvio_put_str(out, "p_value");
	csvio_end(out);
	put_table(&t, out, o.by ? "" : NULL, &pooled.res);
	if (common.verbose)
		summary(&t, o.by ? "pooled " : "", &pooled.res, acct.n_rejected);
	doc = run.doc = model_doc_new(f, o.family, o.price, o.weight, o.l2);
	json_object_update(doc, pooled.sub);
	if (o.by) {
		/* groups in byte order; each fitted on its own rows */
		json_t *by = json_object(), *groups = json_object();
		size_t *order, *cnt, *start, *rows;
		ng = strtab_n(dt.groups);
		order = xrealloc(NULL, ng * sizeof *order);
		cnt = xrealloc(NULL, ng * sizeof *cnt);
		start = xrealloc(NULL, (ng + 1) * sizeof *start);
		rows = xrealloc(NULL, dt.n * sizeof *rows);
		tg = run.tg = xrealloc(NULL, ng * sizeof *tg);
		memset(tg, 0, ng * sizeof *tg);
		run.ng = ng;
		strtab_sorted(dt.groups, order);
		memset(cnt, 0, ng * sizeof *cnt);
		for (r = 0; r < dt.n; r++)
			cnt[dt.gid[r]]++;
		start[0] = 0;
		for (i = 0; i < ng; i++)
			start[i + 1] = start[i] + cnt[i];
		memset(cnt, 0, ng * sizeof *cnt);
		for (r = 0; r < dt.n; r++)
			rows[start[dt.gid[r]] + cnt[dt.gid[r]]++] = r;
		for (i = 0; i < ng; i++) {
			size_t g = order[i];
			const char *gname = strtab_str(dt.groups, g, NULL);
			char what[DIAG_VALUE_MAX + 32];
			snprintf(what, sizeof what, "group \"%s\": ", gname);
			if (train_rows(&t, rows + start[g], cnt[g], 0, what, &tg[g], &d) < 0) {
				if (common.strict) {
					json_decref(by);
					json_decref(groups);
					free(order);
					free(cnt);
					free(start);
					free(rows);
					cli_fail_diag(EXIT_FAIL, &d);
				}
				if (!common.quiet) {
					cli_warn_diag(&d);
					cli_warn("group \"%s\": scored with the pooled model", gname);
				}
				continue;
			}
			put_table(&t, out, gname, &tg[g].res);
			if (common.verbose)
				summary(&t, what, &tg[g].res, 0);
			json_object_set(groups, gname, tg[g].sub);
		}
		json_object_set_new(by, "column", json_string(o.by));
		json_object_set_new(by, "groups", groups);
		json_object_set(by, "pooled", pooled.sub);
		json_object_set_new(doc, "by", by);
		free(order);
		free(cnt);
		free(start);
		free(rows);
	}
	json_object_set_new(json_object_get(doc, "training"), "dropped",
	    json_integer((json_int_t)acct.n_rejected));
	if (o.output && model_save(doc, o.output, &d) < 0)
		cli_fail_diag(EXIT_FAIL, &d);
	if (o.fitted)
		write_fitted(&t, doc, o.fitted);
	/* free all but the writer and the counts first: cli_finish may exit */
	cli_at_fail(NULL, NULL);
	snprintf(input_name, sizeof input_name, "%s", csvio_name(in));
	run_free(&run);
	cli_finish(&common, &acct, input_name, out);
	return EXIT_OK;
}
