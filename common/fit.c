/*
 * fit.c - linear, logistic and Poisson regression by orthogonal
 * factorisation, as R's lm and glm.fit compute them.
 *
 * Why a streamed QR and not gsl_linalg_QRPC_decomp: each least-squares
 * problem here (one for lm, one per IRLS iteration for glm) is the
 * Householder QR of sqrt(W)[X z], with n up to millions and p small.
 * Instead of factorising an n x (p+1) copy (GSL's QRPC needs the copy, and
 * its unblocked column sweeps stream the whole matrix p times), rows are
 * taken a block at a time (FIT_BLOCK rows, scaled by sqrt(w) while copied
 * into a cache-resident buffer) and folded into a (p+1) x (p+1) upper
 * triangle T by Householder reflections on [T; block] (the "TSQR" update).
 * This is the same sequence of orthogonal transformations as a Householder
 * QR, so it keeps QR's backward stability (the normal equations X'WX are
 * never formed), makes one cache-friendly pass over X per solve, and needs
 * no copy of X.  The last column of T carries Q'z, and T[p][p]^2 is the
 * residual sum of squares of the full-rank fit.  (Measured on 1e6 x 21:
 * see tests/bench/bench-train.sh and the notes in the commit.)
 *
 * Rank and aliasing are decided afterwards on the small triangle: T = Q'X,
 * so the norms of its columns, and of their parts orthogonal to earlier
 * columns, are those of X (up to rounding).  A Householder QR of T with
 * R's dqrdc2 "limited pivoting" (a column whose remaining norm is below
 * rank_tol times its original norm is moved to the end; the others keep
 * their order) therefore takes the same decisions lm and glm.fit take.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fit.h"

#define FIT_BLOCK 128          /* rows per fold: 128 x 22 doubles = 22 KiB, fits L1 */
/* R's logit link clamps eta at +-30 (family.c THRESH, MTHRESH). */
#define LOGIT_THRESH 30.0

#define FQ_REAL double
#define FQ_SFX d
#define FQ_SQRT sqrt
#define FQ_FABS fabs
#include "fit-qr.h"
#undef FQ_REAL
#undef FQ_SFX
#undef FQ_SQRT
#undef FQ_FABS
#define FQ_REAL long double
#define FQ_SFX ld
#define FQ_SQRT sqrtl
#define FQ_FABS fabsl
#include "fit-qr.h"
#undef FQ_REAL
#undef FQ_SFX
#undef FQ_SQRT
#undef FQ_FABS

/* Workspace of one fit: all allocated once. */
struct fit_ws {
	size_t p, p1;          /* columns of X, and p + 1 with the response */
	double *T, *T2;        /* (p1 x p1) triangles, row-major */
	double *B;             /* FIT_BLOCK x p1 block */
	double *wk;            /* p1 scratch for the fold */
	double *A;             /* p x p1 copy of T for the pivoted QR */
	double *norm0;         /* p original column norms */
	size_t *piv;           /* p: position -> original column */
	double *step, *beta_new, *beta_prev;   /* p each; step: the last IRLS step */
	double *Rinv;          /* p x p */
	struct qr_d qd;        /* small_qr_d's view of A, norm0, piv, wk, beta_new, Rinv */
};

static void
ws_free(struct fit_ws *ws)
{
	free(ws->T);
	free(ws->T2);
	free(ws->B);
	free(ws->wk);
	free(ws->A);
	free(ws->norm0);
	free(ws->piv);
	free(ws->step);
	free(ws->beta_new);
	free(ws->beta_prev);
	free(ws->Rinv);
}

static int
ws_init(struct fit_ws *ws, size_t p)
{
	memset(ws, 0, sizeof *ws);
	ws->p = p;
	ws->p1 = p + 1;
	ws->T = calloc(ws->p1 * ws->p1, sizeof(double));
	ws->T2 = calloc(ws->p1 * ws->p1, sizeof(double));
	ws->B = calloc((size_t)FIT_BLOCK * ws->p1, sizeof(double));
	ws->wk = calloc(ws->p1, sizeof(double));
	ws->A = calloc(p * ws->p1 + 1, sizeof(double));
	ws->norm0 = calloc(p + 1, sizeof(double));
	ws->piv = calloc(p + 1, sizeof(size_t));
	ws->step = calloc(p + 1, sizeof(double));
	ws->beta_new = calloc(p + 1, sizeof(double));
	ws->beta_prev = calloc(p + 1, sizeof(double));
	ws->Rinv = calloc(p * p + 1, sizeof(double));
	if (!ws->T || !ws->T2 || !ws->B || !ws->wk || !ws->A || !ws->norm0 || !ws->piv ||
	    !ws->step || !ws->beta_new || !ws->beta_prev || !ws->Rinv) {
		ws_free(ws);
		return -1;
	}
	ws->qd = (struct qr_d){ .p = p, .p1 = ws->p1, .A = ws->A, .norm0 = ws->norm0,
	    .piv = ws->piv, .wk = ws->wk, .beta = ws->beta_new, .Rinv = ws->Rinv };
	return 0;
}

/* Start T afresh: zero, plus the ridge rows sqrt(l2) e_j (response 0). */
static void
start_triangle(struct fit_ws *ws, double *T, double l2, long intercept)
{
	size_t p = ws->p, p1 = ws->p1;
	memset(T, 0, p1 * p1 * sizeof(double));
	if (l2 > 0) {
		/* The rows sqrt(l2) e_j are already upper triangular. */
		for (size_t j = 0; j < p; j++)
			if ((long)j != intercept)
				T[j * p1 + j] = sqrt(l2);
	}
}

/* ---- families ---- */

static double
logit_linkinv(double eta)
{
	double t = eta < -LOGIT_THRESH ? DBL_EPSILON :
	    eta > LOGIT_THRESH ? 1 / DBL_EPSILON : exp(eta);
	return t / (1 + t);
}

static double
logit_mu_eta(double eta)
{
	if (eta > LOGIT_THRESH || eta < -LOGIT_THRESH)
		return DBL_EPSILON;
	double e = exp(eta);
	return e / ((1 + e) * (1 + e));
}

static double
ylogy(double y, double mu)
{
	return y != 0 ? y * log(y / mu) : 0;
}

/* Unit deviance times the prior weight (R's dev.resids). */
static double
dev_resid(enum fit_family f, double y, double mu, double w)
{
	if (f == FIT_LOGISTIC)
		return 2 * w * (ylogy(y, mu) + ylogy(1 - y, 1 - mu));
	if (y > 0)
		return 2 * w * (y * log(y / mu) - (y - mu));
	return 2 * mu * w;
}

/* log dbinom(x; size, prob) for the AIC, as R's binomial()$aic uses it. */
static double
log_dbinom(double x, double size, double prob)
{
	if (x < 0 || x > size)
		return -INFINITY;
	if (prob == 0)
		return x == 0 ? 0 : -INFINITY;
	if (prob == 1)
		return x == size ? 0 : -INFINITY;
	double lc = lgamma(size + 1) - lgamma(x + 1) - lgamma(size - x + 1);
	return lc + (x > 0 ? x * log(prob) : 0) + (size - x > 0 ? (size - x) * log1p(-prob) : 0);
}

/*
 * log dpois(y; mu) for the AIC, as R's poisson()$aic uses it: a count that
 * is not a whole number (beyond R's 1e-7 relative allowance) has
 * probability 0, so the log-likelihood is -Inf and the AIC Inf, as R
 * reports them for non-integer responses.
 */
static double
log_dpois(double y, double mu)
{
	double r = nearbyint(y);
	if (fabs(y - r) > 1e-7 * fmax(1, fabs(y)))
		return -INFINITY;
	if (r == 0)
		return -mu;
	return r * log(mu) - mu - lgamma(r + 1);
}

/* ---- result ---- */

void
fit_result_free(struct fit_result *res)
{
	if (!res)
		return;
	gsl_vector_free(res->beta);
	gsl_vector_free(res->se);
	gsl_matrix_free(res->cov);
	free(res->aliased);
	gsl_vector_free(res->fitted);
	gsl_vector_free(res->eta);
	res->beta = res->se = res->fitted = res->eta = NULL;
	res->cov = NULL;
	res->aliased = NULL;
}

static int
result_alloc(struct fit_result *res, size_t n, size_t p)
{
	res->beta = gsl_vector_alloc(p);
	res->se = gsl_vector_alloc(p);
	res->cov = gsl_matrix_alloc(p, p);
	res->aliased = calloc(p, sizeof(int));
	if (!res->beta || !res->se || !res->cov || !res->aliased)
		return -1;
	if (n == 0)
		return 0;   /* fitted values not kept */
	res->fitted = gsl_vector_alloc(n);
	res->eta = gsl_vector_alloc(n);
	if (!res->fitted || !res->eta)
		return -1;
	return 0;
}

/* ---- the design, row by row ---- */

static const double *
xrow(const struct fit_design *D, size_t i)
{
	return D->x[i / D->chunk_rows] + (i % D->chunk_rows) * D->ld;
}

static double
yval(const struct fit_design *D, size_t i)
{
	return D->y[i * D->y_stride];
}

static double
wval(const struct fit_design *D, size_t i)
{
	return D->w ? D->w[i * D->w_stride] : 1.0;
}

static double
dot(const double *restrict x, const double *restrict b, size_t p)
{
	double s = 0;
	for (size_t j = 0; j < p; j++)
		s += x[j] * b[j];
	return s;
}

/* ---- checks ---- */

static enum fit_status
check_data(const struct fit_design *D, enum fit_family f, struct fit_result *res,
    struct diag *d, size_t *n_used, double *sum_w, double *sum_wy)
{
	size_t n = D->n, p = D->p;
	size_t used = 0;
	double sw = 0, swy = 0;
	for (size_t i = 0; i < n; i++) {
		double wi = wval(D, i);
		if (!(wi >= 0) || !isfinite(wi)) {
			res->bad_row = (long)i;
			diag_set(d, NULL, 0, NULL, NULL, 0,
			    "weight %g is not a finite non-negative number", wi);
			return FIT_BAD_DATA;
		}
		if (wi == 0)
			continue;
		used++;
		const double *xi = xrow(D, i);
		for (size_t j = 0; j < p; j++) {
			if (!isfinite(xi[j])) {
				res->bad_row = (long)i;
				diag_set(d, NULL, 0, NULL, NULL, 0,
				    "design matrix column %zu is not finite", j + 1);
				return FIT_BAD_DATA;
			}
		}
		double yi = yval(D, i);
		int bad = !isfinite(yi);
		if (f == FIT_LOGISTIC && !bad && (yi < 0 || yi > 1))
			bad = 1;
		if (f == FIT_POISSON && !bad && yi < 0)
			bad = 1;
		if (bad) {
			res->bad_row = (long)i;
			if (f == FIT_LOGISTIC)
				diag_set(d, NULL, 0, NULL, NULL, 0,
				    "response %g is outside [0, 1] for the logistic family", yi);
			else if (f == FIT_POISSON)
				diag_set(d, NULL, 0, NULL, NULL, 0,
				    "response %g is negative or not finite for the poisson family", yi);
			else
				diag_set(d, NULL, 0, NULL, NULL, 0, "response %g is not finite", yi);
			return FIT_BAD_DATA;
		}
		sw += wi;
		swy += wi * yi;
	}
	if (used == 0) {
		diag_set(d, NULL, 0, NULL, NULL, 0, "no rows to fit (all weights are zero or no data)");
		return FIT_BAD_DATA;
	}
	*n_used = used;
	*sum_w = sw;
	*sum_wy = swy;
	return FIT_OK;
}

/* Keep row i's linear predictor and mean when the caller asked for them. */
static void
keep_fitted(struct fit_result *res, size_t i, double eta, double mu)
{
	if (res->eta) {
		gsl_vector_set(res->eta, i, eta);
		gsl_vector_set(res->fitted, i, mu);
	}
}

/* ---- linear ---- */

/*
 * 0 when every entry of the folded triangle T (p x p+1) is finite.  Data
 * that are finite but huge (1e308) overflow the sums of squares; every
 * column would then look negligible and the fit would come out "all
 * aliased" with no error, so say so instead.
 */
static int
triangle_overflow(const struct fit_ws *ws, const double *T, struct diag *d)
{
	for (size_t i = 0; i < ws->p * ws->p1; i++)
		if (!isfinite(T[i]))
			return diag_set(d, NULL, 0, NULL, NULL, 0,
			    "numbers too large to fit: their sums of squares overflow (rescale the data)");
	return 0;
}

/*
 * The largest first-order relative error bound of the estimates of a
 * double-precision QR solve (Higham, Accuracy and Stability, 20.1: a
 * backward error of u ||x_c|| in each column c):
 *   |db_j| <= u ||Rinv_j.|| (sum_c ||x_c|| |b_c| + ||Rinv||_F ||X||_F ||r||)
 * relative to |b_j|, from small_qr_d's factor (positions < rank) and the
 * residual norm.  Columns scaled to unit norm would not change it: the
 * bound is about each estimate's own digits, which a small coefficient on
 * a large column (an intercept beside x^5) loses first.
 */
static double
worst_relative_error(const struct fit_ws *ws, size_t rank, double rnorm)
{
	size_t p = ws->p;
	double sxb = 0, sx = 0, fi = 0, worst = 0;
	for (size_t c = 0; c < rank; c++) {
		sxb += ws->norm0[c] * fabs(ws->beta_new[ws->piv[c]]);
		sx += ws->norm0[c] * ws->norm0[c];
		for (size_t m = c; m < rank; m++)
			fi += ws->Rinv[c * p + m] * ws->Rinv[c * p + m];
	}
	double t = sxb + sqrt(fi) * sqrt(sx) * rnorm;
	for (size_t j = 0; j < rank; j++) {
		double rj = 0;
		for (size_t m = j; m < rank; m++)
			rj += ws->Rinv[j * p + m] * ws->Rinv[j * p + m];
		double bj = fabs(ws->beta_new[ws->piv[j]]);
		double e = DBL_EPSILON * sqrt(rj) * t / (bj > 0 ? bj : DBL_MIN);
		if (!(e <= worst))
			worst = e;
	}
	return worst;
}

/*
 * When the linear least squares are redone in extended precision: when the
 * double factorisation may give fewer than 13 digits of some estimate
 * (FIT_ERR_EXTENDED), and always when the problem is small (n (p+1)^2 up
 * to FIT_SMALL_EXTENDED, a few milliseconds), so that small data get the
 * most digits the data allow.  The extended fold costs about 11 times the
 * double one (x87 arithmetic does not vectorise: 500,000 x 21, 0.18 s ->
 * 2.1 s), so large well-conditioned fits keep the one fast pass.
 */
#define FIT_ERR_EXTENDED 1e-13
#define FIT_SMALL_EXTENDED 1e6

/* Extended-precision arrays of the linear path, allocated only when used. */
struct fit_xws {
	long double *T, *B, *A, *norm0, *wk, *beta, *Rinv;
	size_t *piv;
	struct qr_ld q;
};

static void
xws_free(struct fit_xws *x)
{
	free(x->T);
	free(x->B);
	free(x->A);
	free(x->norm0);
	free(x->wk);
	free(x->beta);
	free(x->Rinv);
	free(x->piv);
}

static int
xws_init(struct fit_xws *x, size_t p)
{
	size_t p1 = p + 1;
	memset(x, 0, sizeof *x);
	x->T = calloc(p1 * p1, sizeof(long double));
	x->B = calloc((size_t)FIT_BLOCK * p1, sizeof(long double));
	x->A = calloc(p * p1 + 1, sizeof(long double));
	x->norm0 = calloc(p + 1, sizeof(long double));
	x->wk = calloc(p1, sizeof(long double));
	x->beta = calloc(p + 1, sizeof(long double));
	x->Rinv = calloc(p * p + 1, sizeof(long double));
	x->piv = calloc(p + 1, sizeof(size_t));
	if (!x->T || !x->B || !x->A || !x->norm0 || !x->wk || !x->beta || !x->Rinv || !x->piv) {
		xws_free(x);
		return -1;
	}
	x->q = (struct qr_ld){ .p = p, .p1 = p1, .A = x->A, .norm0 = x->norm0, .piv = x->piv,
	    .wk = x->wk, .beta = x->beta, .Rinv = x->Rinv };
	return 0;
}

/*
 * v as the decimal it was written as, in long double: when a decimal of at
 * most DBL_DIG = 15 significant digits rounds to v, that decimal (there is
 * only one: two such decimals are too far apart to share a double), else
 * v itself.  Data read from text with up to 15 digits (NIST's 1.11111,
 * 0.2, 338.8, which binary cannot hold) are so taken as written, and an
 * exact sum or product of short decimals (an integer x^5) stays exact;
 * any other computed value (log(x): 16 or 17 digits) is kept as the
 * double it is.  The 15-digit candidate is round(v 10^k) / 10^k with
 * 10^k exact in long double (|k| <= 27), checked by rounding it back.
 */
static long double
decimal_ld(double v)
{
	static const long double pow10[28] = { 1e0L, 1e1L, 1e2L, 1e3L, 1e4L, 1e5L, 1e6L, 1e7L,
		1e8L, 1e9L, 1e10L, 1e11L, 1e12L, 1e13L, 1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L,
		1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L };
	long double m, d;
	int k, e2;

	if (!(fabs(v) < 0x1p52) || v == (double)(int64_t)v)
		return v;   /* whole numbers (dummies, counts) are exact already */
	/*
	 * k digits after the point leave DBL_DIG significant ones; from the
	 * binary exponent, 2^(e2 - 1) <= |v| < 2^e2, the decimal one is
	 * floor((e2 - 1) log10(2)) or one more, so k may be one too large
	 */
	uint64_t bits;
	memcpy(&bits, &v, sizeof bits);
	e2 = (int)((bits >> 52) & 0x7ff) - 1022;   /* frexp's exponent; subnormals leave k > 27 */
	k = DBL_DIG - 1 - (int)floor((e2 - 1) * 0.30102999566398120);
	for (int tries = 0; tries < 2; tries++, k--) {
		if (k > 27 || k < -27)
			return v;
		m = k >= 0 ? v * pow10[k] : v / pow10[-k];
		/* to the nearest whole number (|m| < 2^62): 2^63 + 2^62 leaves no fraction bits */
		m = (m + 0x1.8p63L) - 0x1.8p63L;
		if (fabsl(m) >= 1e15L)
			continue;   /* 16 digits: k was one too large */
		d = k >= 0 ? m / pow10[k] : m * pow10[-k];
		return (double)d == v ? d : v;
	}
	return v;
}

/*
 * The linear least squares of D folded in long double: the data, each value
 * taken as the decimal it was written as (decimal_ld), scaled by sqrt(w)
 * and folded as fit_linear folds
 * them, then factorised with the rank tolerance scaled to the precision
 * (rank_tol * LDBL_EPSILON / DBL_EPSILON, so that a column is aliased when
 * it is as indistinguishable from the others in this arithmetic as lm's
 * 1e-7 makes it in double).  Returns the rank; *rss the squared norm of the
 * effects beyond it; ws->beta_new gets the estimates rounded to double.
 */
static size_t
linear_extended(const struct fit_design *D, const struct fit_opts *o, double rank_tol,
    struct fit_ws *ws, struct fit_xws *x, int *aliased, long double *rss)
{
	size_t n = D->n, p = D->p, p1 = p + 1, m = 0;
	memset(x->T, 0, p1 * p1 * sizeof(long double));
	if (o->l2 > 0)
		for (size_t j = 0; j < p; j++)
			if ((long)j != o->intercept)
				x->T[j * p1 + j] = sqrtl((long double)o->l2);
	for (size_t i = 0; i < n; i++) {
		double wi = wval(D, i);
		if (wi == 0)
			continue;
		long double sw = sqrtl((long double)wi);
		const double *xi = xrow(D, i);
		long double *Bi = x->B + m * p1;
		for (size_t j = 0; j < p; j++)
			Bi[j] = sw * decimal_ld(xi[j]);
		Bi[p] = sw * decimal_ld(yval(D, i));
		if (++m == FIT_BLOCK) {
			fold_block_ld(x->T, p1, x->B, m, x->wk);
			m = 0;
		}
	}
	if (m)
		fold_block_ld(x->T, p1, x->B, m, x->wk);
	long double extra;
	long double tol = (long double)rank_tol * (LDBL_EPSILON / DBL_EPSILON);
	size_t rank = small_qr_ld(&x->q, x->T, tol, aliased, &extra);
	*rss = x->T[p * p1 + p] * x->T[p * p1 + p] + extra;
	for (size_t j = 0; j < p; j++)
		ws->beta_new[j] = (double)x->beta[j];
	return rank;
}

/*
 * Linear least squares.  One pass folds sqrt(W)[X y] into the triangle in
 * double; when the kept columns are ill-conditioned (FIT_COND_EXTENDED) or
 * some column looks aliased in double, the fold is redone in long double
 * and that factorisation decides the rank and gives the estimates, the
 * residual sum of squares and the covariance.  The residual sum of squares
 * is that of the effects Q'y beyond the rank (T[p][p]^2, as R's lm takes
 * it from dqrls), not sum (y - X b)^2, which loses the digits that cancel
 * in y - X b; with a ridge penalty T also holds the penalty rows, so the
 * data's residuals are summed instead.
 */
static enum fit_status
fit_linear(const struct fit_design *D, const struct fit_opts *o, double rank_tol,
    struct fit_ws *ws, struct fit_result *res, size_t n_used, double sum_w, double sum_wy,
    struct diag *d)
{
	size_t n = D->n, p = D->p, p1 = ws->p1;
	start_triangle(ws, ws->T, o->l2, o->intercept);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		double wi = wval(D, i);
		if (wi == 0)
			continue;
		double sw = sqrt(wi);
		const double *xi = xrow(D, i);
		double *Bi = ws->B + m * p1;
		for (size_t j = 0; j < p; j++)
			Bi[j] = sw * xi[j];
		Bi[p] = sw * yval(D, i);
		if (++m == FIT_BLOCK) {
			fold_block_d(ws->T, p1, ws->B, m, ws->wk);
			m = 0;
		}
	}
	if (m)
		fold_block_d(ws->T, p1, ws->B, m, ws->wk);
	if (triangle_overflow(ws, ws->T, d) < 0)
		return FIT_NUMERICAL;
	double extra;
	size_t rank = small_qr_d(&ws->qd, ws->T, rank_tol, res->aliased, &extra);
	long double rss_qr = (long double)ws->T[p * p1 + p] * ws->T[p * p1 + p] + extra;
	struct fit_xws xw;
	int extended = 0;
	if (LDBL_EPSILON < DBL_EPSILON && (rank < p ||
	    (double)n_used * (double)p1 * (double)p1 <= FIT_SMALL_EXTENDED ||
	    !(worst_relative_error(ws, rank, fabs(ws->T[p * p1 + p])) <= FIT_ERR_EXTENDED))) {
		if (xws_init(&xw, p) < 0)
			return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory"), FIT_NUMERICAL;
		rank = linear_extended(D, o, rank_tol, ws, &xw, res->aliased, &rss_qr);
		extended = 1;
	}
	res->rank = rank;
	res->iterations = 1;
	res->converged = 1;
	const double *b = ws->beta_new;
	double rss = 0, fbar = 0, sumlogw = 0;
	for (size_t i = 0; i < n; i++) {
		double e = dot(xrow(D, i), b, p);
		keep_fitted(res, i, e, e);
		double wi = wval(D, i);
		if (wi == 0)
			continue;
		double r = yval(D, i) - e;
		rss += wi * r * r;
		fbar += wi * e;
		sumlogw += log(wi);
	}
	if (!(o->l2 > 0) && isfinite(rss))
		rss = (double)rss_qr;
	double ybar = sum_wy / sum_w;
	fbar /= sum_w;
	int has_int = o->intercept >= 0;
	double tss = 0, mss = 0;
	for (size_t i = 0; i < n; i++) {
		double wi = wval(D, i);
		if (wi == 0)
			continue;
		double yi = yval(D, i), fi = dot(xrow(D, i), b, p);
		double dy = has_int ? yi - ybar : yi;
		double df = has_int ? fi - fbar : fi;
		tss += wi * dy * dy;
		mss += wi * df * df;
	}
	if (!isfinite(rss) || !isfinite(tss)) {
		if (extended)
			xws_free(&xw);
		return diag_set(d, NULL, 0, NULL, NULL, 0,
		    "numbers too large to fit: their sums of squares overflow (rescale the data)"),
		    FIT_NUMERICAL;
	}
	res->df_residual = (long)n_used - (long)rank;
	res->df_null = (long)n_used - (has_int ? 1 : 0);
	res->deviance = rss;
	res->null_deviance = tss;
	res->dispersion = res->df_residual > 0 ? rss / (double)res->df_residual : NAN;
	/* summary.lm */
	res->r2 = mss / (mss + rss);
	res->adj_r2 = 1 - (1 - res->r2) * ((double)(n_used - (has_int ? 1 : 0)) / (double)res->df_residual);
	/* logLik.lm: 0.5 (sum log w - N (log 2pi + 1 - log N + log RSS)), df = rank + 1 */
	double N = (double)n_used;
	res->loglik = 0.5 * (sumlogw - N * (log(2 * 3.14159265358979323846) + 1 - log(N) + log(rss)));
	res->aic = -2 * res->loglik + 2 * ((double)rank + 1);
	if (extended) {
		long double rss_x = o->l2 > 0 ? (long double)rss : rss_qr;
		long double disp = res->df_residual > 0 ? rss_x / (long double)res->df_residual : NAN;
		fill_cov_ld(&xw.q, rank, disp, res);
		xws_free(&xw);
	} else {
		fill_cov_d(&ws->qd, rank, res->dispersion, res);
	}
	return FIT_OK;
}

/* ---- GLM ---- */

/* Row i's linear predictor at beta, or (beta NULL) at R's starting means. */
static double
glm_eta(const struct fit_design *D, enum fit_family f, const double *beta, size_t i)
{
	if (beta)
		return dot(xrow(D, i), beta, D->p);
	double wi = wval(D, i), ys = wi == 0 ? 0 : yval(D, i);
	if (f == FIT_LOGISTIC) {
		double mus = (wi * ys + 0.5) / (wi + 1);
		return log(mus / (1 - mus));
	}
	return log(ys + 0.1);
}

/* Mean, d mu / d eta and variance at eta; 0 when mu is outside the family's range. */
static int
glm_mean(enum fit_family f, double eta, double *mu, double *mu_eta, double *var)
{
	if (f == FIT_LOGISTIC) {
		*mu = logit_linkinv(eta);
		*mu_eta = logit_mu_eta(eta);
		*var = *mu * (1 - *mu);
		return *mu > 0 && *mu < 1;
	}
	double m = exp(eta);
	if (m < DBL_EPSILON)
		m = DBL_EPSILON;     /* R's poisson linkinv: pmax(exp(eta), eps) */
	*mu = *mu_eta = *var = m;
	return isfinite(m);
}

/*
 * The deviance at beta (NULL: at the starting means), and whether every
 * mean is valid and the deviance finite (R's validmu and is.finite(dev)).
 */
static double
glm_deviance(const struct fit_design *D, enum fit_family f, const double *beta, int *valid)
{
	double dev = 0, mu, mu_eta, var;
	int ok = 1;
	for (size_t i = 0; i < D->n; i++) {
		double eta = glm_eta(D, f, beta, i);
		if (!glm_mean(f, eta, &mu, &mu_eta, &var))
			ok = 0;
		double wi = wval(D, i);
		if (wi != 0)
			dev += dev_resid(f, yval(D, i), mu, wi);
	}
	*valid = ok && isfinite(dev);
	return dev;
}

/*
 * Fold the working least-squares problem at beta (NULL: at the starting
 * means), sqrt(W)[X z] with R's working weights and responses, into T
 * (started with the ridge rows).  Rows with a zero prior weight or a zero
 * d mu / d eta take no part (glm.fit's "good").
 */
static void
glm_fold(const struct fit_design *D, const struct fit_opts *o, struct fit_ws *ws,
    const double *beta, double *T)
{
	size_t n = D->n, p = D->p, p1 = ws->p1, m = 0;
	enum fit_family f = o->family;
	start_triangle(ws, T, o->l2, o->intercept);
	for (size_t i = 0; i < n; i++) {
		double wi = wval(D, i);
		if (wi == 0)
			continue;
		double eta = glm_eta(D, f, beta, i), mu, mu_eta, var;
		glm_mean(f, eta, &mu, &mu_eta, &var);
		if (!(mu_eta != 0))
			continue;
		double z = eta + (yval(D, i) - mu) / mu_eta;
		double sw = sqrt(wi * mu_eta * mu_eta / var);
		const double *xi = xrow(D, i);
		double *Bi = ws->B + m * p1;
		for (size_t j = 0; j < p; j++)
			Bi[j] = sw * xi[j];
		Bi[p] = sw * z;
		if (++m == FIT_BLOCK) {
			fold_block_d(T, p1, ws->B, m, ws->wk);
			m = 0;
		}
	}
	if (m)
		fold_block_d(T, p1, ws->B, m, ws->wk);
}

static double
penalty(const struct fit_opts *o, const double *beta, size_t p)
{
	if (!(o->l2 > 0) || !beta)
		return 0;
	double s = 0;
	for (size_t j = 0; j < p; j++)
		if ((long)j != o->intercept)
			s += beta[j] * beta[j];
	return o->l2 * s;
}

/*
 * Whether the direction d separates the data: x_i d >= 0 for every row
 * with y = 1 and <= 0 for every row with y = 0 (logistic), x_i d <= 0 for
 * every zero count (Poisson), and x_i d = 0 for every other row (a
 * proportion strictly inside (0, 1), a positive count), with x_i d != 0 for
 * some row, each to within 1e-6 of the largest |x_i d|.  Such a d is a
 * certificate of (quasi-)complete separation (Albert and Anderson 1984):
 * the likelihood increases without bound along it, so no finite maximum
 * exists.  fit_glm takes d as the last IRLS step: when the maximum does not
 * exist the steps converge in direction to such a d (the linear predictor
 * of the separated rows grows by about one per step while the rest of the
 * fit has converged), and when it does exist the last step is a tiny
 * correction that no sign pattern of the data follows.  So a fit whose
 * fitted probability is 2e-16 only because a row lies far in the tail is
 * not called separated; one that can be pushed to 0 or 1 is.
 */
static int
separating(const struct fit_design *D, enum fit_family f, const double *d)
{
	double big = 0;
	for (size_t i = 0; i < D->n; i++)
		if (wval(D, i) != 0)
			big = fmax(big, fabs(dot(xrow(D, i), d, D->p)));
	if (!(big > 0))
		return 0;
	double slack = 1e-6 * big;
	for (size_t i = 0; i < D->n; i++) {
		if (wval(D, i) == 0)
			continue;
		double m = dot(xrow(D, i), d, D->p), y = yval(D, i);
		int ok = y == 0 ? m <= slack : f == FIT_LOGISTIC && y == 1 ? m >= -slack :
		    fabs(m) <= slack;
		if (!ok)
			return 0;
	}
	return 1;
}

/*
 * IRLS exactly as R's glm.fit: each iteration solves the working problem
 * built at the current estimates (the starting means first), takes the
 * solution as the new estimates, and stops when the deviance changes by
 * less than tol relative; the estimates are those of the last solve and
 * the covariance comes from the QR of that solve (working weights of the
 * iterate before), as summary.glm takes it.  Step halving only where
 * glm.fit halves: a deviance that is not finite or a mean outside the
 * family's range.
 */
static enum fit_status
fit_glm(const struct fit_design *D, const struct fit_opts *o, double tol, int max_iter,
    double rank_tol, struct fit_ws *ws, struct fit_result *res, size_t n_used, double sum_w,
    double sum_wy, struct diag *d)
{
	size_t n = D->n, p = D->p;
	enum fit_family f = o->family;
	double extra, dev;
	int valid;
	size_t rank = 0;

	dev = glm_deviance(D, f, NULL, &valid);
	if (!valid)
		return diag_set(d, NULL, 0, NULL, NULL, 0,
		    "cannot start the fit: the starting values give no valid deviance"),
		    FIT_NUMERICAL;
	glm_fold(D, o, ws, NULL, ws->T);
	double obj_old = dev;
	int have_prev = 0, have_step = 0, converged = 0, iter;
	for (iter = 1; iter <= max_iter; iter++) {
		if (triangle_overflow(ws, ws->T, d) < 0) {
			res->iterations = iter;
			return FIT_NUMERICAL;
		}
		rank = small_qr_d(&ws->qd, ws->T, rank_tol, res->aliased, &extra);
		dev = glm_deviance(D, f, ws->beta_new, &valid);
		for (int halvings = 0; !valid; ) {
			if (!have_prev) {
				res->iterations = iter;
				return diag_set(d, NULL, 0, NULL, NULL, 0,
				    "no valid set of coefficients found (the first step diverges)"),
				    FIT_NUMERICAL;
			}
			if (++halvings > max_iter) {
				res->iterations = iter;
				return diag_set(d, NULL, 0, NULL, NULL, 0,
				    "the fit did not converge: step halving failed after %d iterations",
				    iter), FIT_NOT_CONVERGED;
			}
			for (size_t j = 0; j < p; j++)
				ws->beta_new[j] = (ws->beta_new[j] + ws->beta_prev[j]) / 2;
			dev = glm_deviance(D, f, ws->beta_new, &valid);
		}
		if (have_prev)
			for (size_t j = 0; j < p; j++)
				ws->step[j] = ws->beta_new[j] - ws->beta_prev[j];
		have_step = have_prev;
		double obj = dev + penalty(o, ws->beta_new, p);
		if (fabs(obj - obj_old) / (fabs(obj) + 0.1) < tol) {
			converged = 1;
			break;
		}
		obj_old = obj;
		memcpy(ws->beta_prev, ws->beta_new, p * sizeof(double));
		have_prev = 1;
		if (iter < max_iter)
			glm_fold(D, o, ws, ws->beta_new, ws->T);
	}
	if (iter > max_iter)
		iter = max_iter;
	/* The estimates are ws->beta_new, the covariance the last solve's ws->Rinv. */
	const double eps10 = 10 * DBL_EPSILON;
	int has_int = o->intercept >= 0;
	/* glm.fit: the null model's mean is the weighted mean of y, or linkinv(0). */
	double wtdmu = has_int ? sum_wy / sum_w : f == FIT_LOGISTIC ? 0.5 : 1.0;
	double nulldev = 0, ll = 0, mu, mu_eta, var;
	size_t n_extreme = 0;
	dev = 0;
	for (size_t i = 0; i < n; i++) {
		double eta = glm_eta(D, f, ws->beta_new, i);
		glm_mean(f, eta, &mu, &mu_eta, &var);
		keep_fitted(res, i, eta, mu);
		double wi = wval(D, i);
		if (wi == 0)
			continue;
		double yi = yval(D, i);
		dev += dev_resid(f, yi, mu, wi);
		nulldev += dev_resid(f, yi, wtdmu, wi);
		if (f == FIT_LOGISTIC ? (mu < eps10 || mu > 1 - eps10) : mu < eps10)
			n_extreme++;
		if (f == FIT_LOGISTIC)
			ll += log_dbinom(nearbyint(wi * yi), nearbyint(wi), mu);
		else
			ll += wi * log_dpois(yi, mu);
	}
	res->rank = rank;
	res->iterations = iter;
	res->converged = converged;
	res->n_extreme = n_extreme;
	res->dispersion = 1;
	res->deviance = dev;
	res->r2 = res->adj_r2 = NAN;
	res->df_residual = (long)n_used - (long)rank;
	res->df_null = (long)n_used - (has_int ? 1 : 0);
	res->null_deviance = nulldev;
	res->loglik = ll;
	res->aic = -2 * ll + 2 * (double)rank;
	fill_cov_d(&ws->qd, rank, 1.0, res);

	if (n_extreme > 0 && !(o->l2 > 0) && have_step && separating(D, f, ws->step)) {
		if (f == FIT_LOGISTIC)
			diag_set(d, NULL, 0, NULL, NULL, 0,
			    "complete or quasi-complete separation: fitted probabilities numerically "
			    "0 or 1 for %zu rows (use --l2 to regularise)", n_extreme);
		else
			diag_set(d, NULL, 0, NULL, NULL, 0,
			    "fitted means numerically 0 for %zu rows: a term separates the zero "
			    "counts (use --l2 to regularise)", n_extreme);
		return FIT_SEPARATION;
	}
	if (!converged)
		return diag_set(d, NULL, 0, NULL, NULL, 0,
		    "the fit did not converge in %d iterations (use --l2 to regularise)", iter),
		    FIT_NOT_CONVERGED;
	return FIT_OK;
}

enum fit_status
fit_model_design(const struct fit_design *D, const struct fit_opts *o, struct fit_result *res,
    struct diag *d)
{
	memset(res, 0, sizeof *res);
	res->bad_row = -1;
	res->r2 = res->adj_r2 = NAN;
	size_t n = D->n, p = D->p;
	if (p == 0)
		return diag_set(d, NULL, 0, NULL, NULL, 0, "the model has no terms"), FIT_BAD_DATA;
	if (!(o->l2 >= 0) || !isfinite(o->l2))
		return diag_set(d, NULL, 0, NULL, NULL, 0,
		    "the l2 penalty must be a finite number >= 0"), FIT_BAD_DATA;
	if (o->tol < 0 || !isfinite(o->tol) || o->max_iter < 0)
		return diag_set(d, NULL, 0, NULL, NULL, 0,
		    "the tolerance and the iteration limit must be positive"), FIT_BAD_DATA;
	size_t n_used;
	double sum_w, sum_wy;
	enum fit_status st = check_data(D, o->family, res, d, &n_used, &sum_w, &sum_wy);
	if (st != FIT_OK)
		return st;
	res->n = n_used;
	res->p = p;
	struct fit_ws ws;
	if (ws_init(&ws, p) < 0 || result_alloc(res, o->no_fitted ? 0 : n, p) < 0) {
		fit_result_free(res);
		return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory"), FIT_NUMERICAL;
	}
	double tol = o->tol > 0 ? o->tol : 1e-8;
	int max_iter = o->max_iter > 0 ? o->max_iter : 25;
	/*
	 * The rank tolerance is its own, not tied to tol: lm's 1e-7, and for
	 * GLMs glm.fit's min(1e-7, epsilon / 1000) at its default epsilon
	 * (1e-11), so that the default fit decides aliasing exactly as R's
	 * default glm does.  (glm.fit ties it to epsilon, so R with
	 * glm.control(epsilon = 1e-14) compares with 1e-17, finds nothing
	 * aliased in an exactly collinear design and reports coefficients of
	 * 1e13; here a tighter --tol only converges further.)
	 */
	double rank_tol = o->rank_tol > 0 ? o->rank_tol : o->family == FIT_LINEAR ? 1e-7 : 1e-11;
	if (o->family == FIT_LINEAR)
		st = fit_linear(D, o, rank_tol, &ws, res, n_used, sum_w, sum_wy, d);
	else
		st = fit_glm(D, o, tol, max_iter, rank_tol, &ws, res, n_used, sum_w, sum_wy, d);
	ws_free(&ws);
	return st;
}

enum fit_status
fit_model(const gsl_matrix *X, const gsl_vector *y, const gsl_vector *w,
    const struct fit_opts *o, struct fit_result *res, struct diag *d)
{
	size_t n = X->size1;
	if (y->size != n || (w && w->size != n)) {
		memset(res, 0, sizeof *res);
		res->bad_row = -1;
		return diag_set(d, NULL, 0, NULL, NULL, 0,
		    "response and weights must have one value per row"), FIT_BAD_DATA;
	}
	double *chunk = X->data;
	struct fit_design D = {
		.n = n, .p = X->size2, .chunk_rows = n > 0 ? n : 1, .ld = X->tda,
		.x = &chunk, .y = y->data, .y_stride = y->stride,
		.w = w ? w->data : NULL, .w_stride = w ? w->stride : 1
	};
	return fit_model_design(&D, o, res, d);
}
