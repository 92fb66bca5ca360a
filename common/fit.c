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
#include <pthread.h>
#include <stdio.h>
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
#define FQ_NO_FOLD   /* double's fold: fit-fold.h, below */
#include "fit-qr.h"
#undef FQ_NO_FOLD
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

#include "fit-fold.h"

/* Workspace of one fit: all allocated once. */
struct fit_ws {
	size_t p, p1;          /* columns of X, and p + 1 with the response */
	double *T, *T2;        /* (p1 x p1) triangles, row-major */
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
	ws->wk = calloc(ws->p1, sizeof(double));
	ws->A = calloc(p * ws->p1 + 1, sizeof(double));
	ws->norm0 = calloc(p + 1, sizeof(double));
	ws->piv = calloc(p + 1, sizeof(size_t));
	ws->step = calloc(p + 1, sizeof(double));
	ws->beta_new = calloc(p + 1, sizeof(double));
	ws->beta_prev = calloc(p + 1, sizeof(double));
	ws->Rinv = calloc(p * p + 1, sizeof(double));
	if (!ws->T || !ws->T2 || !ws->wk || !ws->A || !ws->norm0 || !ws->piv ||
	    !ws->step || !ws->beta_new || !ws->beta_prev || !ws->Rinv) {
		ws_free(ws);
		return -1;
	}
	ws->qd = (struct qr_d){ .p = p, .p1 = ws->p1, .A = ws->A, .norm0 = ws->norm0,
	    .piv = ws->piv, .wk = ws->wk, .beta = ws->beta_new, .Rinv = ws->Rinv };
	return 0;
}

/* ---- families ---- */

/*
 * R's binomial()$linkinv and $mu.eta at eta, into *mu and *mu_eta, from
 * one exp(eta): t = exp(eta) clamped (family.c), mu = t / (1 + t), and
 * d mu / d eta = e / (1 + e)^2, DBL_EPSILON outside +-LOGIT_THRESH.
 */
static void
logit_mean(double eta, double *mu, double *mu_eta)
{
	if (eta < -LOGIT_THRESH || eta > LOGIT_THRESH) {
		double t = eta < -LOGIT_THRESH ? DBL_EPSILON : 1 / DBL_EPSILON;
		*mu = t / (1 + t);
		*mu_eta = DBL_EPSILON;
		return;
	}
	double e = exp(eta);
	*mu = e / (1 + e);
	*mu_eta = e / ((1 + e) * (1 + e));
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
	long double *T, *A, *norm0, *wk, *beta, *Rinv;
	size_t *piv;
	struct qr_ld q;
};

static void
xws_free(struct fit_xws *x)
{
	free(x->T);
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
	x->A = calloc(p * p1 + 1, sizeof(long double));
	x->norm0 = calloc(p + 1, sizeof(long double));
	x->wk = calloc(p1, sizeof(long double));
	x->beta = calloc(p + 1, sizeof(long double));
	x->Rinv = calloc(p * p + 1, sizeof(long double));
	x->piv = calloc(p + 1, sizeof(size_t));
	if (!x->T || !x->A || !x->norm0 || !x->wk || !x->beta || !x->Rinv || !x->piv) {
		xws_free(x);
		return -1;
	}
	x->q = (struct qr_ld){ .p = p, .p1 = p1, .A = x->A, .norm0 = x->norm0, .piv = x->piv,
	    .wk = x->wk, .beta = x->beta, .Rinv = x->Rinv };
	return 0;
}

/* ---- one pass over the blocks: the statistics of a block, merged in order ---- */

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
 * The passes of a fit.  Each is one sweep over the rows, block by block;
 * a block's statistics depend only on its rows (and the fit's state), and
 * they are merged in block order, so the result does not depend on how
 * the blocks were scheduled or on which machine a shard was read.
 */
enum fit_phase {
	PH_LIN_CHECK = 1,    /* check the data; fold sqrt(W)[X y] (double) */
	PH_LIN_LD,           /* fold it again in long double */
	PH_LIN_RESID,        /* at beta: rss, sum w fitted, sum log w */
	PH_LIN_TSS,          /* at beta: total and model sums of squares */
	PH_GLM_START,        /* check; deviance and working problem at the starting means */
	PH_GLM_EVAL,         /* at beta: deviance, working problem, summaries, separation */
	PH_DONE
};

struct fit_stats {
	int phase;
	size_t p, p1;
	size_t n_rows;                  /* rows seen */
	size_t n_used;                  /* rows with w > 0 */
	double sum_w, sum_wy;
	long bad_row;                   /* the first bad row (of the rows merged), or -1 */
	char bad_what[DIAG_WHAT_MAX];
	int has_T;                      /* T holds a triangle (else it is all zero) */
	double *T;                      /* p1 x p1 */
	long double *Tl;                /* p1 x p1 (PH_LIN_LD) */
	double rss, fbar, sumlogw, tss, mss;
	double dev, nulldev, ll, big, viol;
	int valid;
	size_t n_extreme;
	/* scratch of one block's computation */
	double *B, *wk;
	long double *Bl, *wkl;
};

struct fit_run {
	struct fit_opts o;
	double tol, rank_tol;
	int max_iter;
	size_t p, p1;
	int phase;
	size_t n_used;
	double sum_w, sum_wy;
	/* linear */
	int extended;
	size_t rank;
	long double rss_qr;
	double rss, fbar, sumlogw;
	long double *Tl;                /* the long-double triangle (extended) */
	/* GLM */
	int iter, halvings, have_prev, have_step;
	double obj_old;
	double change;                  /* the relative change of the last iteration (-1: none yet) */
	int no_T;                       /* the pass at beta need not fold the working problem: the
	                                 * fit is expected to end there (see fit_run_step) */
	double *beta_prev;
	/* the last solve: ws.T its triangle, ws.beta_new the current estimates */
	struct fit_ws ws;
	struct fit_xws xw;
	int have_xw;
	int *aliased;
	int filled;                     /* res holds a complete fit */
};

static void
stats_free(struct fit_stats *s)
{
	if (!s)
		return;
	free(s->T);
	free(s->Tl);
	free(s->B);
	free(s->wk);
	free(s->Bl);
	free(s->wkl);
	free(s);
}

static struct fit_stats *
stats_new(size_t p)
{
	struct fit_stats *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->p = p;
	s->p1 = p + 1;
	s->T = calloc(s->p1 * s->p1, sizeof(double));
	s->Tl = calloc(s->p1 * s->p1, sizeof(long double));
	s->B = calloc((size_t)FIT_BLOCK * s->p1, sizeof(double));
	s->wk = calloc(s->p1, sizeof(double));
	s->Bl = calloc((size_t)FIT_BLOCK * s->p1, sizeof(long double));
	s->wkl = calloc(s->p1, sizeof(long double));
	if (!s->T || !s->Tl || !s->B || !s->wk || !s->Bl || !s->wkl) {
		stats_free(s);
		return NULL;
	}
	return s;
}

/* Empty statistics of the run's current pass. */
static void
stats_reset(const struct fit_run *r, struct fit_stats *s)
{
	s->phase = r->phase;
	s->n_rows = s->n_used = 0;
	s->sum_w = s->sum_wy = 0;
	s->bad_row = -1;
	s->bad_what[0] = 0;
	s->has_T = 0;
	memset(s->T, 0, s->p1 * s->p1 * sizeof(double));
	memset(s->Tl, 0, s->p1 * s->p1 * sizeof(long double));
	s->rss = s->fbar = s->sumlogw = s->tss = s->mss = 0;
	s->dev = s->nulldev = s->ll = s->big = s->viol = 0;
	s->valid = 1;
	s->n_extreme = 0;
}

/* A view of rows first..first+m-1 of a design. */
struct fit_view {
	const struct fit_design *D;
	size_t first, m;
};

static const double *
vx(const struct fit_view *v, size_t i)
{
	return xrow(v->D, v->first + i);
}

static double
vy(const struct fit_view *v, size_t i)
{
	return yval(v->D, v->first + i);
}

static double
vw(const struct fit_view *v, size_t i)
{
	return wval(v->D, v->first + i);
}

static void
bad_row(struct fit_stats *s, size_t row, const char *fmt, double x)
{
	s->bad_row = (long)row;
	snprintf(s->bad_what, sizeof s->bad_what, fmt, x);
}

/*
 * The data check of one row (R's lm/glm refuse the same): 0, or -1 with
 * s->bad_row set.  Rows with w == 0 are not checked beyond their weight.
 */
static int
check_row(const struct fit_view *v, enum fit_family f, size_t i, size_t row0,
    struct fit_stats *s)
{
	size_t p = v->D->p;
	double wi = vw(v, i);
	if (!(wi >= 0) || !isfinite(wi))
		return bad_row(s, row0 + i, "weight %g is not a finite non-negative number", wi), -1;
	if (wi == 0)
		return 0;
	const double *xi = vx(v, i);
	for (size_t j = 0; j < p; j++)
		if (!isfinite(xi[j]))
			return bad_row(s, row0 + i, "design matrix column %g is not finite",
			    (double)(j + 1)), -1;
	double yi = vy(v, i);
	int bad = !isfinite(yi);
	if (f == FIT_LOGISTIC && !bad && (yi < 0 || yi > 1))
		bad = 1;
	if (f == FIT_POISSON && !bad && yi < 0)
		bad = 1;
	if (bad) {
		if (f == FIT_LOGISTIC)
			bad_row(s, row0 + i, "response %g is outside [0, 1] for the logistic family", yi);
		else if (f == FIT_POISSON)
			bad_row(s, row0 + i, "response %g is negative or not finite for the poisson family",
			    yi);
		else
			bad_row(s, row0 + i, "response %g is not finite", yi);
		return -1;
	}
	s->n_used++;
	s->sum_w += wi;
	s->sum_wy += wi * yi;
	return 0;
}

/* The block's rows, checked (once a row is bad the rest are not looked at). */
static void
check_block(const struct fit_view *v, enum fit_family f, size_t row0, struct fit_stats *s)
{
	for (size_t i = 0; i < v->m; i++)
		if (check_row(v, f, i, row0, s) < 0)
			return;
}

/* Start s->T: zero, with the ridge rows sqrt(l2) e_j when ridge (the first block of all). */
static void
stats_start_T(const struct fit_run *r, struct fit_stats *s, int ridge)
{
	size_t p = r->p, p1 = r->p1;
	memset(s->T, 0, p1 * p1 * sizeof(double));
	if (ridge && r->o.l2 > 0)
		for (size_t j = 0; j < p; j++)
			if ((long)j != r->o.intercept)
				s->T[j * p1 + j] = sqrt(r->o.l2);
	s->has_T = 1;
}

static void
lin_fold_block(const struct fit_run *r, const struct fit_view *v, struct fit_stats *s, int ridge)
{
	size_t p = r->p, p1 = r->p1, m = 0;
	stats_start_T(r, s, ridge);
	for (size_t i = 0; i < v->m; i++) {
		double wi = vw(v, i);
		if (wi == 0)
			continue;
		double sw = sqrt(wi);
		const double *xi = vx(v, i);
		double *Bi = s->B + m * p1;
		for (size_t j = 0; j < p; j++)
			Bi[j] = sw * xi[j];
		Bi[p] = sw * vy(v, i);
		if (++m == FIT_BLOCK) {
			fold_block_d(s->T, p1, s->B, m, s->wk);
			m = 0;
		}
	}
	if (m)
		fold_block_d(s->T, p1, s->B, m, s->wk);
}

static void
lin_fold_block_ld(const struct fit_run *r, const struct fit_view *v, struct fit_stats *s,
    int ridge)
{
	size_t p = r->p, p1 = r->p1, m = 0;
	memset(s->Tl, 0, p1 * p1 * sizeof(long double));
	if (ridge && r->o.l2 > 0)
		for (size_t j = 0; j < p; j++)
			if ((long)j != r->o.intercept)
				s->Tl[j * p1 + j] = sqrtl((long double)r->o.l2);
	s->has_T = 1;
	for (size_t i = 0; i < v->m; i++) {
		double wi = vw(v, i);
		if (wi == 0)
			continue;
		long double sw = sqrtl((long double)wi);
		const double *xi = vx(v, i);
		long double *Bi = s->Bl + m * p1;
		for (size_t j = 0; j < p; j++)
			Bi[j] = sw * decimal_ld(xi[j]);
		Bi[p] = sw * decimal_ld(vy(v, i));
		if (++m == FIT_BLOCK) {
			fold_block_ld(s->Tl, p1, s->Bl, m, s->wkl);
			m = 0;
		}
	}
	if (m)
		fold_block_ld(s->Tl, p1, s->Bl, m, s->wkl);
}

/* The estimates with aliased columns as 0 (the solve's own convention). */
static const double *
run_beta(const struct fit_run *r)
{
	return r->ws.beta_new;
}

/* ---- GLM rows ---- */

/* Row i's linear predictor at beta, or (beta NULL) at R's starting means. */
static double
glm_eta(const struct fit_view *v, enum fit_family f, const double *beta, size_t i)
{
	if (beta)
		return dot(vx(v, i), beta, v->D->p);
	double wi = vw(v, i), ys = wi == 0 ? 0 : vy(v, i);
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
		logit_mean(eta, mu, mu_eta);
		*var = *mu * (1 - *mu);
		return *mu > 0 && *mu < 1;
	}
	double m = exp(eta);
	if (m < DBL_EPSILON)
		m = DBL_EPSILON;     /* R's poisson linkinv: pmax(exp(eta), eps) */
	*mu = *mu_eta = *var = m;
	return isfinite(m);
}

double
fit_predict(enum fit_family f, const double *x, const double *beta, size_t p, double *eta)
{
	double e = dot(x, beta, p), mu, mu_eta, var;
	if (eta)
		*eta = e;
	if (f == FIT_LINEAR)
		return e;
	glm_mean(f, e, &mu, &mu_eta, &var);
	return mu;
}

/*
 * log dbinom for a 0/1 response with prior weight 1: lgamma(2), lgamma(1)
 * are exactly 0, so the combinatorial term is 0 and only the log of the
 * probability remains (what log_dbinom computes, without three lgamma).
 */
static double
log_dbinom_fast(double x, double size, double prob)
{
	if (size == 1 && (x == 0 || x == 1) && prob > 0 && prob < 1)
		return x == 1 ? 0 + x * log(prob) + 0 : 0 + 0 + (size - x) * log1p(-prob);
	return log_dbinom(x, size, prob);
}

/*
 * One block of a GLM pass at beta (NULL: the starting means): the
 * deviance and whether every mean is valid (R's validmu and is.finite),
 * the working problem sqrt(W)[X z] folded into s->T (rows with a zero
 * prior weight or a zero d mu / d eta take no part: glm.fit's "good");
 * at beta also the null deviance, the log-likelihood, the rows with
 * extreme means, and, along the last step (step not NULL), what the
 * separation check needs (see separated).  With r->no_T the working
 * problem is not folded (s->has_T stays 0).
 */
static void
glm_block(const struct fit_run *r, const struct fit_view *v, const double *beta,
    const double *step, struct fit_stats *s, int ridge)
{
	size_t p = r->p, p1 = r->p1, m = 0;
	enum fit_family f = r->o.family;
	int has_int = r->o.intercept >= 0;
	double wtdmu = has_int ? r->sum_wy / r->sum_w : f == FIT_LOGISTIC ? 0.5 : 1.0;
	const double eps10 = 10 * DBL_EPSILON;
	double dev = 0, nulldev = 0, ll = 0, big = 0, viol = s->viol;
	/* the null deviance of the commonest rows (weight 1, y 0 or 1), once */
	const double nd0 = dev_resid(f, 0, wtdmu, 1), nd1 = dev_resid(f, 1, wtdmu, 1);
	size_t n_extreme = 0;
	int ok = 1, want_T = !r->no_T;
	if (want_T)
		stats_start_T(r, s, ridge);
	for (size_t i = 0; i < v->m; i++) {
		double eta = glm_eta(v, f, beta, i), mu, mu_eta, var;
		if (!glm_mean(f, eta, &mu, &mu_eta, &var))
			ok = 0;
		double wi = vw(v, i);
		if (wi == 0)
			continue;
		double yi = vy(v, i);
		dev += dev_resid(f, yi, mu, wi);
		if (beta) {
			nulldev += wi == 1 && yi == 0 ? nd0 : wi == 1 && yi == 1 ? nd1 :
			    dev_resid(f, yi, wtdmu, wi);
			if (f == FIT_LOGISTIC ? (mu < eps10 || mu > 1 - eps10) : mu < eps10)
				n_extreme++;
			if (f == FIT_LOGISTIC)
				ll += log_dbinom_fast(nearbyint(wi * yi), nearbyint(wi), mu);
			else
				ll += wi * log_dpois(yi, mu);
			if (step) {
				double d = dot(vx(v, i), step, p);
				big = fmax(big, fabs(d));
				double t = yi == 0 ? d : f == FIT_LOGISTIC && yi == 1 ? -d : fabs(d);
				if (!(t <= viol) && !isnan(viol))
					viol = t;
			}
		}
		if (!want_T || !(mu_eta != 0))
			continue;
		double z = eta + (yi - mu) / mu_eta;
		double sw = sqrt(wi * mu_eta * mu_eta / var);
		const double *xi = vx(v, i);
		double *Bi = s->B + m * p1;
		for (size_t j = 0; j < p; j++)
			Bi[j] = sw * xi[j];
		Bi[p] = sw * z;
		if (++m == FIT_BLOCK) {
			fold_block_d(s->T, p1, s->B, m, s->wk);
			m = 0;
		}
	}
	if (m)
		fold_block_d(s->T, p1, s->B, m, s->wk);
	s->dev = dev;
	s->valid = ok;
	s->nulldev = nulldev;
	s->ll = ll;
	s->n_extreme = n_extreme;
	s->big = big;
	s->viol = viol;
}

/* The statistics of one block (rows row0.. of all) for the run's pass, into s. */
static void
block_stats(const struct fit_run *r, const struct fit_view *v, size_t row0, int ridge,
    struct fit_stats *s)
{
	const double *step = r->have_prev && !(r->o.l2 > 0) ? r->ws.step : NULL;
	stats_reset(r, s);
	s->n_rows = v->m;
	switch (r->phase) {
	case PH_LIN_CHECK:
		check_block(v, r->o.family, row0, s);
		lin_fold_block(r, v, s, ridge);
		break;
	case PH_LIN_LD:
		lin_fold_block_ld(r, v, s, ridge);
		break;
	case PH_LIN_RESID: {
		const double *b = run_beta(r);
		double rss = 0, fbar = 0, sumlogw = 0;
		for (size_t i = 0; i < v->m; i++) {
			double wi = vw(v, i);
			if (wi == 0)
				continue;
			double e = dot(vx(v, i), b, r->p);
			double res = vy(v, i) - e;
			rss += wi * res * res;
			fbar += wi * e;
			sumlogw += log(wi);
		}
		s->rss = rss;
		s->fbar = fbar;
		s->sumlogw = sumlogw;
		break;
	}
	case PH_LIN_TSS: {
		const double *b = run_beta(r);
		int has_int = r->o.intercept >= 0;
		double ybar = r->sum_wy / r->sum_w, fbar = r->fbar / r->sum_w, tss = 0, mss = 0;
		for (size_t i = 0; i < v->m; i++) {
			double wi = vw(v, i);
			if (wi == 0)
				continue;
			double yi = vy(v, i), fi = dot(vx(v, i), b, r->p);
			double dy = has_int ? yi - ybar : yi;
			double df = has_int ? fi - fbar : fi;
			tss += wi * dy * dy;
			mss += wi * df * df;
		}
		s->tss = tss;
		s->mss = mss;
		break;
	}
	case PH_GLM_START:
		check_block(v, r->o.family, row0, s);
		glm_block(r, v, NULL, NULL, s, ridge);
		break;
	case PH_GLM_EVAL:
		glm_block(r, v, run_beta(r), step, s, ridge);
		break;
	}
}

/*
 * acc = acc followed by s (the next rows).  Sums are added, the first bad
 * row kept, and the triangles merged by folding the rows of s's triangle
 * into acc's (the TSQR reduction; into an empty acc, a copy, so that one
 * block gives exactly the one-pass result).
 */
static void
stats_merge(struct fit_stats *acc, const struct fit_stats *s)
{
	size_t p1 = acc->p1;
	acc->n_rows += s->n_rows;
	acc->n_used += s->n_used;
	acc->sum_w += s->sum_w;
	acc->sum_wy += s->sum_wy;
	if (acc->bad_row < 0 && s->bad_row >= 0) {
		acc->bad_row = (long)acc->n_rows - (long)s->n_rows + s->bad_row;
		memcpy(acc->bad_what, s->bad_what, sizeof acc->bad_what);
	}
	if (s->has_T) {
		if (!acc->has_T) {
			memcpy(acc->T, s->T, p1 * p1 * sizeof(double));
			memcpy(acc->Tl, s->Tl, p1 * p1 * sizeof(long double));
			acc->has_T = 1;
		} else if (acc->phase == PH_LIN_LD) {
			for (size_t k = 0; k < p1; k += FIT_BLOCK) {
				size_t m = p1 - k < FIT_BLOCK ? p1 - k : FIT_BLOCK;
				memcpy(acc->Bl, s->Tl + k * p1, m * p1 * sizeof(long double));
				fold_block_ld(acc->Tl, p1, acc->Bl, m, acc->wkl);
			}
		} else {
			for (size_t k = 0; k < p1; k += FIT_BLOCK) {
				size_t m = p1 - k < FIT_BLOCK ? p1 - k : FIT_BLOCK;
				memcpy(acc->B, s->T + k * p1, m * p1 * sizeof(double));
				fold_block_d(acc->T, p1, acc->B, m, acc->wk);
			}
		}
	}
	acc->rss += s->rss;
	acc->fbar += s->fbar;
	acc->sumlogw += s->sumlogw;
	acc->tss += s->tss;
	acc->mss += s->mss;
	acc->dev += s->dev;
	acc->nulldev += s->nulldev;
	acc->ll += s->ll;
	acc->valid = acc->valid && s->valid;
	acc->n_extreme += s->n_extreme;
	acc->big = fmax(acc->big, s->big);
	if (!(s->viol <= acc->viol) && !isnan(acc->viol))
		acc->viol = s->viol;
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

/* ---- the run: what each merged pass decides ---- */

void
fit_run_free(struct fit_run *r)
{
	if (!r)
		return;
	ws_free(&r->ws);
	if (r->have_xw)
		xws_free(&r->xw);
	free(r->Tl);
	free(r->beta_prev);
	free(r->aliased);
	free(r);
}

struct fit_run *
fit_run_new(const struct fit_opts *o, size_t p)
{
	struct fit_run *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->o = *o;
	r->o.no_fitted = 1;
	r->p = p;
	r->p1 = p + 1;
	r->tol = o->tol > 0 ? o->tol : 1e-8;
	r->max_iter = o->max_iter > 0 ? o->max_iter : 25;
	/*
	 * The rank tolerance is its own, not tied to tol: lm's 1e-7, and for
	 * GLMs glm.fit's min(1e-7, epsilon / 1000) at its default epsilon
	 * (1e-11), so that the default fit decides aliasing exactly as R's
	 * default glm does.  (glm.fit ties it to epsilon, so R with
	 * glm.control(epsilon = 1e-14) compares with 1e-17, finds nothing
	 * aliased in an exactly collinear design and reports coefficients of
	 * 1e13; here a tighter --tol only converges further.)
	 */
	r->rank_tol = o->rank_tol > 0 ? o->rank_tol : o->family == FIT_LINEAR ? 1e-7 : 1e-11;
	r->phase = o->family == FIT_LINEAR ? PH_LIN_CHECK : PH_GLM_START;
	r->change = -1;
	r->Tl = calloc(r->p1 * r->p1, sizeof(long double));
	r->beta_prev = calloc(p + 1, sizeof(double));
	r->aliased = calloc(p + 1, sizeof(int));
	if (ws_init(&r->ws, p) < 0 || !r->Tl || !r->beta_prev || !r->aliased) {
		free(r->Tl);
		free(r->beta_prev);
		free(r->aliased);
		free(r);
		return NULL;
	}
	return r;
}

int
fit_run_done(const struct fit_run *r)
{
	return r->phase == PH_DONE;
}

/* res's arrays (once) and its aliasing flags. */
static int
res_ready(const struct fit_run *r, struct fit_result *res)
{
	if (!res->beta && result_alloc(res, 0, r->p) < 0)
		return -1;
	memcpy(res->aliased, r->aliased, r->p * sizeof(int));
	return 0;
}

/* Solve the working problem in r->ws.T: the estimates, rank, aliasing.  -1 on overflow. */
static int
glm_solve(struct fit_run *r, struct fit_result *res, struct diag *d)
{
	double extra;
	if (triangle_overflow(&r->ws, r->ws.T, d) < 0) {
		res->iterations = r->iter;
		return -1;
	}
	r->rank = small_qr_d(&r->ws.qd, r->ws.T, r->rank_tol, r->aliased, &extra);
	return 0;
}

static enum fit_status
lin_finish(struct fit_run *r, const struct fit_stats *s, struct fit_result *res, struct diag *d)
{
	size_t p = r->p;
	double rss = r->rss, tss = s->tss, mss = s->mss;
	int has_int = r->o.intercept >= 0;
	size_t n_used = r->n_used;
	res->n = n_used;
	res->p = p;
	res->rank = r->rank;
	res->iterations = 1;
	res->converged = 1;
	if (!(r->o.l2 > 0) && isfinite(rss))
		rss = (double)r->rss_qr;
	if (!isfinite(rss) || !isfinite(tss))
		return diag_set(d, NULL, 0, NULL, NULL, 0,
		    "numbers too large to fit: their sums of squares overflow (rescale the data)"),
		    FIT_NUMERICAL;
	res->df_residual = (long)n_used - (long)r->rank;
	res->df_null = (long)n_used - (has_int ? 1 : 0);
	res->deviance = rss;
	res->null_deviance = tss;
	res->dispersion = res->df_residual > 0 ? rss / (double)res->df_residual : NAN;
	/* summary.lm */
	res->r2 = mss / (mss + rss);
	res->adj_r2 = 1 - (1 - res->r2) * ((double)(n_used - (has_int ? 1 : 0)) / (double)res->df_residual);
	/* logLik.lm: 0.5 (sum log w - N (log 2pi + 1 - log N + log RSS)), df = rank + 1 */
	double N = (double)n_used;
	res->loglik = 0.5 * (r->sumlogw - N * (log(2 * 3.14159265358979323846) + 1 - log(N) + log(rss)));
	res->aic = -2 * res->loglik + 2 * ((double)r->rank + 1);
	if (r->extended) {
		long double rss_x = r->o.l2 > 0 ? (long double)rss : r->rss_qr;
		long double disp = res->df_residual > 0 ? rss_x / (long double)res->df_residual : NAN;
		fill_cov_ld(&r->xw.q, r->rank, disp, res);
	} else {
		fill_cov_d(&r->ws.qd, r->rank, res->dispersion, res);
	}
	(void)p;
	return FIT_OK;
}

/* The extended-precision factorisation of r->Tl: rank, aliasing, estimates, rss. */
static int
lin_solve_ld(struct fit_run *r)
{
	size_t p = r->p, p1 = r->p1;
	if (!r->have_xw) {
		if (xws_init(&r->xw, p) < 0)
			return -1;
		r->have_xw = 1;
	}
	long double extra;
	long double tol = (long double)r->rank_tol * (LDBL_EPSILON / DBL_EPSILON);
	r->rank = small_qr_ld(&r->xw.q, r->Tl, tol, r->aliased, &extra);
	r->rss_qr = r->Tl[p * p1 + p] * r->Tl[p * p1 + p] + extra;
	for (size_t j = 0; j < p; j++)
		r->ws.beta_new[j] = (double)r->xw.beta[j];
	return 0;
}

/* The double factorisation of r->ws.T; whether the extended one is needed. */
static int
lin_solve_d(struct fit_run *r)
{
	size_t p = r->p, p1 = r->p1;
	double extra;
	r->rank = small_qr_d(&r->ws.qd, r->ws.T, r->rank_tol, r->aliased, &extra);
	r->rss_qr = (long double)r->ws.T[p * p1 + p] * r->ws.T[p * p1 + p] + extra;
	return LDBL_EPSILON < DBL_EPSILON && (r->rank < p ||
	    (double)r->n_used * (double)p1 * (double)p1 <= FIT_SMALL_EXTENDED ||
	    !(worst_relative_error(&r->ws, r->rank, fabs(r->ws.T[p * p1 + p])) <= FIT_ERR_EXTENDED));
}

static enum fit_status
glm_finish(struct fit_run *r, const struct fit_stats *s, struct fit_result *res, struct diag *d)
{
	enum fit_family f = r->o.family;
	int has_int = r->o.intercept >= 0;
	int converged = r->phase == PH_DONE && r->iter > 0 && r->halvings >= 0 && r->have_step >= 0;
	(void)converged;
	res->n = r->n_used;
	res->p = r->p;
	res->rank = r->rank;
	res->iterations = r->iter > r->max_iter ? r->max_iter : r->iter;
	res->n_extreme = s->n_extreme;
	res->dispersion = 1;
	res->deviance = s->dev;
	res->r2 = res->adj_r2 = NAN;
	res->df_residual = (long)r->n_used - (long)r->rank;
	res->df_null = (long)r->n_used - (has_int ? 1 : 0);
	res->null_deviance = s->nulldev;
	res->loglik = s->ll;
	res->aic = -2 * s->ll + 2 * (double)r->rank;
	fill_cov_d(&r->ws.qd, r->rank, 1.0, res);
	if (s->n_extreme > 0 && !(r->o.l2 > 0) && r->have_step && s->big > 0 &&
	    s->viol <= 1e-6 * s->big) {
		if (f == FIT_LOGISTIC)
			diag_set(d, NULL, 0, NULL, NULL, 0,
			    "complete or quasi-complete separation: fitted probabilities numerically "
			    "0 or 1 for %zu rows (use --l2 to regularise)", s->n_extreme);
		else
			diag_set(d, NULL, 0, NULL, NULL, 0,
			    "fitted means numerically 0 for %zu rows: a term separates the zero "
			    "counts (use --l2 to regularise)", s->n_extreme);
		return FIT_SEPARATION;
	}
	if (!res->converged)
		return diag_set(d, NULL, 0, NULL, NULL, 0,
		    "the fit did not converge in %d iterations (use --l2 to regularise)",
		    res->iterations), FIT_NOT_CONVERGED;
	return FIT_OK;
}

/*
 * What the merged statistics s of the run's pass decide (see fit.h).
 * IRLS exactly as R's glm.fit: each iteration solves the working problem
 * built at the current estimates (the starting means first), takes the
 * solution as the new estimates, and stops when the deviance changes by
 * less than tol relative; the estimates are those of the last solve and
 * the covariance comes from the QR of that solve (working weights of the
 * iterate before), as summary.glm takes it.  Step halving only where
 * glm.fit halves: a deviance that is not finite or a mean outside the
 * family's range.  The pass at the new estimates gives their deviance and
 * the next working problem at once.
 */
int
fit_run_step(struct fit_run *r, const struct fit_stats *s, struct fit_result *res,
    enum fit_status *status, struct diag *d)
{
	size_t p = r->p;
	enum fit_status st = FIT_OK;
	if (res_ready(r, res) < 0) {
		*status = FIT_NUMERICAL;
		diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
		return 0;
	}
	switch (r->phase) {
	case PH_LIN_CHECK:
	case PH_GLM_START:
		if (s->bad_row >= 0) {
			res->bad_row = s->bad_row;
			diag_set(d, NULL, 0, NULL, NULL, 0, "%s", s->bad_what);
			st = FIT_BAD_DATA;
			goto done;
		}
		if (s->n_used == 0) {
			diag_set(d, NULL, 0, NULL, NULL, 0, "no rows to fit (all weights are zero or no data)");
			st = FIT_BAD_DATA;
			goto done;
		}
		r->n_used = s->n_used;
		r->sum_w = s->sum_w;
		r->sum_wy = s->sum_wy;
		res->n = s->n_used;
		res->p = p;
		memcpy(r->ws.T, s->T, r->p1 * r->p1 * sizeof(double));
		if (r->phase == PH_LIN_CHECK) {
			if (triangle_overflow(&r->ws, r->ws.T, d) < 0) {
				st = FIT_NUMERICAL;
				goto done;
			}
			if (lin_solve_d(r)) {
				r->extended = 1;
				r->phase = PH_LIN_LD;
			} else {
				r->phase = PH_LIN_RESID;
			}
			return res_ready(r, res), 1;
		}
		if (!s->valid) {
			diag_set(d, NULL, 0, NULL, NULL, 0,
			    "cannot start the fit: the starting values give no valid deviance");
			st = FIT_NUMERICAL;
			goto done;
		}
		r->obj_old = s->dev;
		r->iter = 1;
		if (glm_solve(r, res, d) < 0) {
			st = FIT_NUMERICAL;
			goto done;
		}
		r->phase = PH_GLM_EVAL;
		return res_ready(r, res), 1;
	case PH_LIN_LD:
		memcpy(r->Tl, s->Tl, r->p1 * r->p1 * sizeof(long double));
		if (lin_solve_ld(r) < 0) {
			diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
			st = FIT_NUMERICAL;
			goto done;
		}
		r->phase = PH_LIN_RESID;
		return res_ready(r, res), 1;
	case PH_LIN_RESID:
		r->rss = s->rss;
		r->fbar = s->fbar;
		r->sumlogw = s->sumlogw;
		r->phase = PH_LIN_TSS;
		return 1;
	case PH_LIN_TSS:
		res_ready(r, res);
		r->phase = PH_DONE;
		st = lin_finish(r, s, res, d);
		r->filled = st == FIT_OK;
		goto done;
	case PH_GLM_EVAL: {
		double *beta = r->ws.beta_new;
		if (!s->valid) {
			if (!r->have_prev) {
				res->iterations = r->iter;
				diag_set(d, NULL, 0, NULL, NULL, 0,
				    "no valid set of coefficients found (the first step diverges)");
				st = FIT_NUMERICAL;
				goto done;
			}
			if (++r->halvings > r->max_iter) {
				res->iterations = r->iter;
				diag_set(d, NULL, 0, NULL, NULL, 0,
				    "the fit did not converge: step halving failed after %d iterations",
				    r->iter);
				st = FIT_NOT_CONVERGED;
				goto done;
			}
			for (size_t j = 0; j < p; j++)
				beta[j] = (beta[j] + r->beta_prev[j]) / 2;
			if (r->have_prev)
				for (size_t j = 0; j < p; j++)
					r->ws.step[j] = beta[j] - r->beta_prev[j];
			return 1;
		}
		r->have_step = r->have_prev;
		double obj = s->dev + penalty(&r->o, beta, p);
		double change = fabs(obj - r->obj_old) / (fabs(obj) + 0.1);
		int converged = change < r->tol;
		if (converged || r->iter >= r->max_iter) {
			res->converged = converged;
			r->phase = PH_DONE;
			res_ready(r, res);
			st = glm_finish(r, s, res, d);
			r->filled = 1;
			goto done;
		}
		if (!s->has_T) {
			/* made without the working problem, as the end was expected: again with it */
			r->no_T = 0;
			return 1;
		}
		/*
		 * Near the end IRLS converges quadratically: the next change is
		 * about this one squared.  When that is below tol (and this change
		 * fell by more than a factor 100, so the convergence is not slow),
		 * or the iterations run out, the next pass is expected to be the
		 * last, whose working problem is never solved: it is not folded,
		 * and made again with it (same estimates, same sums) if the fit
		 * goes on after all.  So the result is the same either way.
		 */
		r->no_T = r->iter + 1 >= r->max_iter ||
		    (change * change < r->tol && (r->change < 0 || change < 0.01 * r->change));
		r->change = change;
		r->obj_old = obj;
		memcpy(r->beta_prev, beta, p * sizeof(double));
		r->have_prev = 1;
		r->halvings = 0;
		r->iter++;
		memcpy(r->ws.T, s->T, r->p1 * r->p1 * sizeof(double));
		if (glm_solve(r, res, d) < 0) {
			st = FIT_NUMERICAL;
			goto done;
		}
		for (size_t j = 0; j < p; j++)
			r->ws.step[j] = beta[j] - r->beta_prev[j];
		return res_ready(r, res), 1;
	}
	}
done:
	r->phase = PH_DONE;
	*status = st;
	return 0;
}

/* ---- statistics as numbers (a shard's part, a run's state) ---- */

size_t
fit_stats_size(const struct fit_run *r)
{
	return 17 + 3 * r->p1 * r->p1 + 5;
}

/* A long double as two doubles whose sum is exactly it (64-bit significand: 53 + 11 bits). */
static void
ld_split(long double x, double *hi, double *lo)
{
	*hi = (double)x;
	*lo = isfinite(*hi) ? (double)(x - (long double)*hi) : 0;
}

void
fit_stats_export(const struct fit_run *r, const struct fit_stats *s, double *v)
{
	size_t q = r->p1 * r->p1, k = 0;
	v[k++] = s->phase;
	v[k++] = (double)s->n_rows;
	v[k++] = (double)s->n_used;
	v[k++] = s->sum_w;
	v[k++] = s->sum_wy;
	v[k++] = (double)s->bad_row;
	v[k++] = s->has_T;
	v[k++] = s->rss;
	v[k++] = s->fbar;
	v[k++] = s->sumlogw;
	v[k++] = s->tss;
	v[k++] = s->mss;
	v[k++] = s->dev;
	v[k++] = s->nulldev;
	v[k++] = s->ll;
	v[k++] = s->big;
	v[k++] = s->viol;
	for (size_t i = 0; i < q; i++)
		v[k++] = s->T[i];
	for (size_t i = 0; i < q; i++) {
		ld_split(s->Tl[i], &v[k], &v[k + q]);
		k++;
	}
	k += q;
	v[k++] = s->valid;
	v[k++] = (double)s->n_extreme;
	v[k++] = 0;
	v[k++] = 0;
	v[k++] = 0;
}

long
fit_stats_bad_row(const struct fit_stats *s)
{
	return s->bad_row;
}

const char *
fit_stats_bad_what(const struct fit_stats *s)
{
	return s->bad_row >= 0 ? s->bad_what : NULL;
}

/* x is a whole number from lo to hi (NaN is not): a count or flag read back before its cast. */
static int
whole_in(double x, double lo, double hi)
{
	return x >= lo && x <= hi && x == floor(x);
}

#define WHOLE_MAX 9007199254740992.0   /* 2^53: every count a double holds exactly */

int
fit_stats_import(const struct fit_run *r, struct fit_stats *s, const double *v, size_t n,
    const char *bad_what)
{
	size_t q = r->p1 * r->p1, k = 0;
	if (n != fit_stats_size(r))
		return -1;
	/* the counts and flags (phase, rows, used, bad row, has_T; valid, extreme) */
	if (!whole_in(v[0], PH_LIN_CHECK, PH_GLM_EVAL) || !whole_in(v[1], 0, WHOLE_MAX) ||
	    !whole_in(v[2], 0, v[1]) || !whole_in(v[5], -1, WHOLE_MAX) || !whole_in(v[6], 0, 1) ||
	    !whole_in(v[17 + 3 * q], 0, 1) || !whole_in(v[18 + 3 * q], 0, WHOLE_MAX))
		return -1;
	/* sums of weights and of weighted squares (sum_w, rss, tss, mss) */
	if (!(v[3] >= 0) || !(v[7] >= 0) || !(v[10] >= 0) || !(v[11] >= 0))
		return -1;
	stats_reset(r, s);
	s->phase = (int)v[k++];
	s->n_rows = (size_t)v[k++];
	s->n_used = (size_t)v[k++];
	s->sum_w = v[k++];
	s->sum_wy = v[k++];
	s->bad_row = (long)v[k++];
	s->has_T = (int)v[k++];
	s->rss = v[k++];
	s->fbar = v[k++];
	s->sumlogw = v[k++];
	s->tss = v[k++];
	s->mss = v[k++];
	s->dev = v[k++];
	s->nulldev = v[k++];
	s->ll = v[k++];
	s->big = v[k++];
	s->viol = v[k++];
	for (size_t i = 0; i < q; i++)
		s->T[i] = v[k++];
	for (size_t i = 0; i < q; i++, k++)
		s->Tl[i] = (long double)v[k] + (long double)v[k + q];
	k += q;
	s->valid = v[k++] != 0;
	s->n_extreme = (size_t)v[k++];
	if (s->bad_row >= 0)
		snprintf(s->bad_what, sizeof s->bad_what, "%s", bad_what ? bad_what : "bad data");
	return s->phase == r->phase ? 0 : -1;
}

size_t
fit_run_size(const struct fit_run *r)
{
	return 16 + 3 * r->p + 3 * r->p1 * r->p1;
}

void
fit_run_export(const struct fit_run *r, double *v)
{
	size_t q = r->p1 * r->p1, p = r->p, k = 0;
	v[k++] = r->phase;
	v[k++] = (double)r->n_used;
	v[k++] = r->sum_w;
	v[k++] = r->sum_wy;
	v[k++] = r->extended;
	v[k++] = r->rss;
	v[k++] = r->fbar;
	v[k++] = r->sumlogw;
	v[k++] = r->iter;
	v[k++] = r->halvings;
	v[k++] = r->have_prev;
	v[k++] = r->have_step;
	v[k++] = r->obj_old;
	v[k++] = (double)p;
	v[k++] = 0;
	v[k++] = 0;
	for (size_t j = 0; j < p; j++)
		v[k++] = r->ws.beta_new[j];
	for (size_t j = 0; j < p; j++)
		v[k++] = r->beta_prev[j];
	for (size_t j = 0; j < p; j++)
		v[k++] = r->ws.step[j];
	for (size_t i = 0; i < q; i++)
		v[k++] = r->ws.T[i];
	for (size_t i = 0; i < q; i++, k++)
		ld_split(r->Tl[i], &v[k], &v[k + q]);
}

int
fit_run_import(struct fit_run *r, const double *v, size_t n)
{
	size_t q = r->p1 * r->p1, p = r->p, k = 0;
	int lin = r->o.family == FIT_LINEAR;
	if (n != fit_run_size(r) || v[13] != (double)p)
		return -1;
	/* a pass of this family still to come (a finished run is a model, not a state); the
	 * counts and flags whole numbers in their ranges before their casts */
	if (!whole_in(v[0], lin ? PH_LIN_CHECK : PH_GLM_START, lin ? PH_LIN_TSS : PH_GLM_EVAL) ||
	    !whole_in(v[1], 0, WHOLE_MAX) || !whole_in(v[4], 0, 1) ||
	    !whole_in(v[8], 0, r->max_iter) || !whole_in(v[9], 0, r->max_iter) ||
	    !whole_in(v[10], 0, 1) || !whole_in(v[11], 0, 1) || !(v[2] >= 0) || !(v[5] >= 0))
		return -1;
	r->phase = (int)v[k++];
	r->n_used = (size_t)v[k++];
	r->sum_w = v[k++];
	r->sum_wy = v[k++];
	r->extended = (int)v[k++];
	r->rss = v[k++];
	r->fbar = v[k++];
	r->sumlogw = v[k++];
	r->iter = (int)v[k++];
	r->halvings = (int)v[k++];
	r->have_prev = (int)v[k++];
	r->have_step = (int)v[k++];
	r->obj_old = v[k++];
	k += 3;
	double *beta = r->ws.beta_new;
	for (size_t j = 0; j < p; j++)
		beta[j] = v[k++];
	for (size_t j = 0; j < p; j++)
		r->beta_prev[j] = v[k++];
	for (size_t j = 0; j < p; j++)
		r->ws.step[j] = v[k++];
	for (size_t i = 0; i < q; i++)
		r->ws.T[i] = v[k++];
	for (size_t i = 0; i < q; i++, k++)
		r->Tl[i] = (long double)v[k] + (long double)v[k + q];
	/* the factorisations the next steps use, recomputed exactly as they were made */
	if (r->phase == PH_LIN_RESID || r->phase == PH_LIN_TSS) {
		(void)lin_solve_d(r);
		if (r->extended && lin_solve_ld(r) < 0)
			return -1;
	} else if (r->phase == PH_GLM_EVAL) {
		double extra;
		double *keep = malloc((p + 1) * sizeof *keep);
		if (!keep)
			return -1;
		memcpy(keep, beta, p * sizeof *keep);
		r->rank = small_qr_d(&r->ws.qd, r->ws.T, r->rank_tol, r->aliased, &extra);
		memcpy(beta, keep, p * sizeof *keep);
		free(keep);
	}
	return 0;
}

const double *
fit_run_beta(const struct fit_run *r)
{
	return r->ws.beta_new;
}

/* ---- running a pass, on one thread or several ---- */

struct fit_stats *
fit_stats_new(const struct fit_run *r)
{
	struct fit_stats *s = stats_new(r->p);
	if (s)
		stats_reset(r, s);
	return s;
}

void
fit_stats_free(struct fit_stats *s)
{
	stats_free(s);
}

void
fit_stats_reset(const struct fit_run *r, struct fit_stats *s)
{
	stats_reset(r, s);
}

void
fit_stats_merge(struct fit_stats *acc, const struct fit_stats *s)
{
	stats_merge(acc, s);
}

void
fit_stats_ridge(const struct fit_run *r, struct fit_stats *s)
{
	struct fit_design D = { .n = 0, .p = r->p, .chunk_rows = 1, .ld = r->p };
	struct fit_view v = { &D, 0, 0 };
	block_stats(r, &v, 0, 1, s);
}

int
fit_stats_phase(const struct fit_stats *s)
{
	return s->phase;
}

int
fit_run_phase(const struct fit_run *r)
{
	return r->phase;
}

struct pass_pool {
	const struct fit_run *r;
	const struct fit_source *S;
	int ridge;
	size_t nblock, next, merged, window;
	struct fit_stats **slot;
	int *ready;
	int err;
	struct diag d;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

struct pass_worker {
	struct pass_pool *pool;
	unsigned id;
	pthread_t th;
};

static size_t
block_rows_of(const struct fit_source *S, size_t b)
{
	size_t r0 = b * S->block_rows;
	return S->n - r0 < S->block_rows ? S->n - r0 : S->block_rows;
}

static void *
pass_work(void *arg)
{
	struct pass_worker *w = arg;
	struct pass_pool *pl = w->pool;
	for (;;) {
		pthread_mutex_lock(&pl->mu);
		while (!pl->err && pl->next < pl->nblock && pl->next >= pl->merged + pl->window)
			pthread_cond_wait(&pl->cv, &pl->mu);
		if (pl->err || pl->next >= pl->nblock) {
			pthread_mutex_unlock(&pl->mu);
			return NULL;
		}
		size_t b = pl->next++;
		pthread_mutex_unlock(&pl->mu);
		struct fit_design D;
		struct diag d;
		size_t first;
		if (pl->S->block(pl->S->arg, b, w->id, &D, &first, &d) < 0) {
			pthread_mutex_lock(&pl->mu);
			if (!pl->err) {
				pl->err = 1;
				pl->d = d;
			}
			pthread_cond_broadcast(&pl->cv);
			pthread_mutex_unlock(&pl->mu);
			return NULL;
		}
		struct fit_view v = { &D, first, block_rows_of(pl->S, b) };
		block_stats(pl->r, &v, 0, pl->ridge && b == 0, pl->slot[b % pl->window]);
		pthread_mutex_lock(&pl->mu);
		pl->ready[b % pl->window] = 1;
		pthread_cond_broadcast(&pl->cv);
		pthread_mutex_unlock(&pl->mu);
	}
}

int
fit_run_pass(const struct fit_run *r, const struct fit_source *S, int ridge,
    struct fit_stats *acc, struct diag *d)
{
	size_t nblock = S->block_rows ? (S->n + S->block_rows - 1) / S->block_rows : 0;
	unsigned jobs = S->jobs > 0 ? S->jobs : 1;
	if (jobs > nblock)
		jobs = nblock > 0 ? (unsigned)nblock : 1;
	if (jobs == 1) {
		struct fit_stats *s = stats_new(r->p);
		if (!s)
			return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
		for (size_t b = 0; b < nblock; b++) {
			struct fit_design D;
			size_t first;
			if (S->block(S->arg, b, 0, &D, &first, d) < 0) {
				stats_free(s);
				return -1;
			}
			struct fit_view v = { &D, first, block_rows_of(S, b) };
			block_stats(r, &v, 0, ridge && b == 0, s);
			stats_merge(acc, s);
		}
		stats_free(s);
		return 0;
	}
	struct pass_pool pl;
	memset(&pl, 0, sizeof pl);
	pl.r = r;
	pl.S = S;
	pl.ridge = ridge;
	pl.nblock = nblock;
	pl.window = 2 * (size_t)jobs;
	pl.slot = calloc(pl.window, sizeof *pl.slot);
	pl.ready = calloc(pl.window, sizeof *pl.ready);
	struct pass_worker *w = calloc(jobs, sizeof *w);
	int rc = 0;
	unsigned started = 0;
	if (!pl.slot || !pl.ready || !w)
		rc = -1;
	for (size_t k = 0; rc == 0 && k < pl.window; k++)
		if (!(pl.slot[k] = stats_new(r->p)))
			rc = -1;
	if (rc < 0) {
		diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
		goto done;
	}
	pthread_mutex_init(&pl.mu, NULL);
	pthread_cond_init(&pl.cv, NULL);
	for (unsigned k = 0; k < jobs; k++) {
		w[k].pool = &pl;
		w[k].id = k;
		if (pthread_create(&w[k].th, NULL, pass_work, &w[k]) != 0)
			break;
		started++;
	}
	if (started == 0) {
		rc = diag_set(d, NULL, 0, NULL, NULL, 0, "cannot start a thread");
	} else {
		for (size_t m = 0; m < nblock; m++) {
			pthread_mutex_lock(&pl.mu);
			while (!pl.ready[m % pl.window] && !pl.err)
				pthread_cond_wait(&pl.cv, &pl.mu);
			if (pl.err) {
				pthread_mutex_unlock(&pl.mu);
				break;
			}
			pl.ready[m % pl.window] = 0;
			pthread_mutex_unlock(&pl.mu);
			stats_merge(acc, pl.slot[m % pl.window]);
			pthread_mutex_lock(&pl.mu);
			pl.merged = m + 1;
			pthread_cond_broadcast(&pl.cv);
			pthread_mutex_unlock(&pl.mu);
		}
	}
	for (unsigned k = 0; k < started; k++)
		pthread_join(w[k].th, NULL);
	if (pl.err) {
		*d = pl.d;
		rc = -1;
	}
	pthread_mutex_destroy(&pl.mu);
	pthread_cond_destroy(&pl.cv);
done:
	for (size_t k = 0; pl.slot && k < pl.window; k++)
		stats_free(pl.slot[k]);
	free(pl.slot);
	free(pl.ready);
	free(w);
	return rc;
}

/* ---- the fits ---- */

static enum fit_status
check_opts(const struct fit_opts *o, size_t p, struct fit_result *res, struct diag *d)
{
	memset(res, 0, sizeof *res);
	res->bad_row = -1;
	res->r2 = res->adj_r2 = NAN;
	if (p == 0)
		return diag_set(d, NULL, 0, NULL, NULL, 0, "the model has no terms"), FIT_BAD_DATA;
	if (!(o->l2 >= 0) || !isfinite(o->l2))
		return diag_set(d, NULL, 0, NULL, NULL, 0,
		    "the l2 penalty must be a finite number >= 0"), FIT_BAD_DATA;
	if (o->tol < 0 || !isfinite(o->tol) || o->max_iter < 0)
		return diag_set(d, NULL, 0, NULL, NULL, 0,
		    "the tolerance and the iteration limit must be positive"), FIT_BAD_DATA;
	return FIT_OK;
}

/* fit_model_source; *filled: res holds a complete fit (its estimates). */
static enum fit_status
fit_source_run(const struct fit_source *S, const struct fit_opts *o, struct fit_result *res,
    int *filled, struct diag *d)
{
	enum fit_status st = check_opts(o, S->p, res, d);
	*filled = 0;
	if (st != FIT_OK)
		return st;
	struct fit_run *r = fit_run_new(o, S->p);
	struct fit_stats *acc = r ? stats_new(S->p) : NULL;
	if (!acc) {
		fit_run_free(r);
		return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory"), FIT_NUMERICAL;
	}
	for (;;) {
		stats_reset(r, acc);
		if (fit_run_pass(r, S, 1, acc, d) < 0) {
			st = FIT_NUMERICAL;
			break;
		}
		if (!fit_run_step(r, acc, res, &st, d))
			break;
	}
	*filled = r->filled;
	stats_free(acc);
	fit_run_free(r);
	return st;
}

enum fit_status
fit_model_source(const struct fit_source *S, const struct fit_opts *o, struct fit_result *res,
    struct diag *d)
{
	int filled;
	return fit_source_run(S, o, res, &filled, d);
}

static int
design_block(void *arg, size_t b, unsigned worker, struct fit_design *D, size_t *first,
    struct diag *d)
{
	(void)worker;
	(void)d;
	*D = *(const struct fit_design *)arg;
	*first = b * FIT_BLOCK_ROWS;
	return 0;
}

enum fit_status
fit_model_design(const struct fit_design *D, const struct fit_opts *o, struct fit_result *res,
    struct diag *d)
{
	struct fit_source S = { .n = D->n, .p = D->p, .block_rows = FIT_BLOCK_ROWS, .jobs = 1,
	    .block = design_block, .arg = (void *)D };
	int filled;
	enum fit_status st = fit_source_run(&S, o, res, &filled, d);
	if (filled && !o->no_fitted) {
		size_t n = D->n, p = D->p;
		double *b = malloc((p + 1) * sizeof *b);
		res->fitted = gsl_vector_alloc(n > 0 ? n : 1);
		res->eta = gsl_vector_alloc(n > 0 ? n : 1);
		if (!b || !res->fitted || !res->eta) {
			free(b);
			fit_result_free(res);
			return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory"), FIT_NUMERICAL;
		}
		fit_beta_or_zero(res, b);
		for (size_t i = 0; i < n; i++) {
			double eta, mu = fit_predict(o->family, xrow(D, i), b, p, &eta);
			gsl_vector_set(res->eta, i, eta);
			gsl_vector_set(res->fitted, i, mu);
		}
		free(b);
	}
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

void
fit_beta_or_zero(const struct fit_result *r, double *b)
{
	for (size_t j = 0; j < r->p; j++)
		b[j] = r->aliased[j] ? 0 : gsl_vector_get(r->beta, j);
}
