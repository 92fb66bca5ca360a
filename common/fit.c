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
#include <stdlib.h>
#include <string.h>

#include "fit.h"

#define FIT_BLOCK 128          /* rows per fold: 128 x 22 doubles = 22 KiB, fits L1 */
/* R's logit link clamps eta at +-30 (family.c THRESH, MTHRESH). */
#define LOGIT_THRESH 30.0

/* Workspace of one fit: all allocated once. */
struct fit_ws {
	size_t p, p1;          /* columns of X, and p + 1 with the response */
	double *T, *T2;        /* (p1 x p1) triangles, row-major */
	double *B;             /* FIT_BLOCK x p1 block */
	double *wk;            /* p1 scratch for the fold */
	double *A;             /* p x p1 copy of T for the pivoted QR */
	double *norm0;         /* p original column norms */
	size_t *piv;           /* p: position -> original column */
	double *beta, *beta_new, *beta_prev;   /* p each */
	double *Rinv;          /* p x p */
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
	free(ws->beta);
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
	ws->beta = calloc(p + 1, sizeof(double));
	ws->beta_new = calloc(p + 1, sizeof(double));
	ws->beta_prev = calloc(p + 1, sizeof(double));
	ws->Rinv = calloc(p * p + 1, sizeof(double));
	if (!ws->T || !ws->T2 || !ws->B || !ws->wk || !ws->A || !ws->norm0 || !ws->piv ||
	    !ws->beta || !ws->beta_new || !ws->beta_prev || !ws->Rinv) {
		ws_free(ws);
		return -1;
	}
	return 0;
}

/*
 * y[k] += a * x[k] for k in [k0, k1): two elements a step, which GCC's
 * straight-line (SLP) vectoriser turns into SSE2 pairs at -O2.  Each
 * element gets exactly the scalar operations, so results do not change.
 */
static inline void
axpy(double *restrict y, double a, const double *restrict x, size_t k0, size_t k1)
{
	size_t k = k0;
	for (; k + 2 <= k1; k += 2) {
		double y0 = y[k] + a * x[k];
		double y1 = y[k + 1] + a * x[k + 1];
		y[k] = y0;
		y[k + 1] = y1;
	}
	if (k < k1)
		y[k] += a * x[k];
}

/*
 * Fold the m rows of B (row-major, p1 columns; destroyed) into the upper
 * triangle T (p1 x p1): afterwards T'T gains B'B, i.e. T is the R factor of
 * [T; B].  One Householder reflection per column j, acting on row j of T
 * and the m rows of B (rows j+1.. of T are zero in column j).  Loops run
 * along rows so that the inner loops are contiguous (and vectorise).
 */
static void
fold_block(double *restrict T, size_t p1, double *restrict B, size_t m, double *restrict wk)
{
	for (size_t j = 0; j < p1; j++) {
		double ss = 0;
		for (size_t i = 0; i < m; i++) {
			double b = B[i * p1 + j];
			ss += b * b;
		}
		if (ss == 0)
			continue;
		double alpha = T[j * p1 + j];
		double norm = sqrt(alpha * alpha + ss);
		double beta = alpha > 0 ? -norm : norm;
		double tau = (beta - alpha) / beta;
		double scale = 1 / (alpha - beta);
		T[j * p1 + j] = beta;
		double *Tj = T + j * p1;
		for (size_t k = j + 1; k < p1; k++)
			wk[k] = Tj[k];
		for (size_t i = 0; i < m; i++) {
			double *Bi = B + i * p1;
			double vi = Bi[j] * scale;
			Bi[j] = vi;
			axpy(wk, vi, Bi, j + 1, p1);
		}
		for (size_t k = j + 1; k < p1; k++) {
			wk[k] *= tau;
			Tj[k] -= wk[k];
		}
		for (size_t i = 0; i < m; i++) {
			double *Bi = B + i * p1;
			axpy(Bi, -Bi[j], wk, j + 1, p1);
		}
	}
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

/*
 * Householder QR of the small triangle T with dqrdc2's limited pivoting,
 * and the solve.  Out: ws->piv (position -> column), rank, ws->beta_new
 * (estimates, 0 for aliased columns, so that eta = X beta_new), aliased[]
 * (may be NULL), *rss_extra (squared residual of the response column
 * beyond the rank, to add to T[p][p]^2), and ws->Rinv (rank x rank inverse
 * of the pivoted R, row-major p x p).
 */
static size_t
small_qr(struct fit_ws *ws, const double *T, double rank_tol, int *aliased, double *rss_extra)
{
	size_t p = ws->p, p1 = ws->p1;
	double *A = ws->A;
	memcpy(A, T, p * p1 * sizeof(double));
	for (size_t j = 0; j < p; j++) {
		double s = 0;
		for (size_t i = 0; i <= j; i++)
			s += A[i * p1 + j] * A[i * p1 + j];
		ws->norm0[j] = s > 0 ? sqrt(s) : 1;   /* dqrdc2: a zero column compares with 1 */
		ws->piv[j] = j;
	}
	size_t k = p;   /* columns at positions >= k are aliased */
	for (size_t l = 0; l < k; l++) {
		for (;;) {
			double s = 0;
			for (size_t i = l; i < p; i++)
				s += A[i * p1 + l] * A[i * p1 + l];
			if (sqrt(s) >= ws->norm0[l] * rank_tol)
				break;
			/* Negligible: move column l to the end (position p-1). */
			for (size_t i = 0; i < p; i++) {
				double t = A[i * p1 + l];
				memmove(A + i * p1 + l, A + i * p1 + l + 1, (p - 1 - l) * sizeof(double));
				A[i * p1 + p - 1] = t;
			}
			double tn = ws->norm0[l];
			size_t tp = ws->piv[l];
			memmove(ws->norm0 + l, ws->norm0 + l + 1, (p - 1 - l) * sizeof(double));
			memmove(ws->piv + l, ws->piv + l + 1, (p - 1 - l) * sizeof(size_t));
			ws->norm0[p - 1] = tn;
			ws->piv[p - 1] = tp;
			k--;
			if (l >= k)
				break;
		}
		if (l >= k)
			break;
		/* Householder on rows l..p-1 of column l, applied to columns l+1..p. */
		double ss = 0;
		for (size_t i = l + 1; i < p; i++)
			ss += A[i * p1 + l] * A[i * p1 + l];
		if (ss == 0)
			continue;
		double alpha = A[l * p1 + l];
		double norm = sqrt(alpha * alpha + ss);
		double beta = alpha > 0 ? -norm : norm;
		double tau = (beta - alpha) / beta;
		double scale = 1 / (alpha - beta);
		A[l * p1 + l] = beta;
		for (size_t i = l + 1; i < p; i++)
			A[i * p1 + l] *= scale;
		for (size_t c = l + 1; c < p1; c++) {
			double s = A[l * p1 + c];
			for (size_t i = l + 1; i < p; i++)
				s += A[i * p1 + l] * A[i * p1 + c];
			s *= tau;
			A[l * p1 + c] -= s;
			for (size_t i = l + 1; i < p; i++)
				A[i * p1 + c] -= s * A[i * p1 + l];
		}
		for (size_t i = l + 1; i < p; i++)
			A[i * p1 + l] = 0;
	}
	double extra = 0;
	for (size_t i = k; i < p; i++)
		extra += A[i * p1 + p] * A[i * p1 + p];
	*rss_extra = extra;
	/* Back substitution in pivot order. */
	double *b = ws->beta_new;
	double *bp = ws->wk;   /* estimates by position */
	for (size_t ii = k; ii-- > 0;) {
		double s = A[ii * p1 + p];
		for (size_t c = ii + 1; c < k; c++)
			s -= A[ii * p1 + c] * bp[c];
		bp[ii] = s / A[ii * p1 + ii];
	}
	for (size_t j = 0; j < p; j++)
		b[j] = 0;
	for (size_t pos = 0; pos < k; pos++)
		b[ws->piv[pos]] = bp[pos];
	if (aliased) {
		for (size_t j = 0; j < p; j++)
			aliased[j] = 0;
		for (size_t pos = k; pos < p; pos++)
			aliased[ws->piv[pos]] = 1;
	}
	/* Inverse of the k x k upper triangle, column by column. */
	double *Ri = ws->Rinv;
	memset(Ri, 0, p * p * sizeof(double));
	for (size_t c = 0; c < k; c++) {
		Ri[c * p + c] = 1 / A[c * p1 + c];
		for (size_t ii = c; ii-- > 0;) {
			double s = 0;
			for (size_t m = ii + 1; m <= c; m++)
				s += A[ii * p1 + m] * Ri[m * p + c];
			Ri[ii * p + c] = -s / A[ii * p1 + ii];
		}
	}
	return k;
}

/* cov = scale * Rinv Rinv' mapped back to column order; NaN for aliased. */
static void
fill_cov(struct fit_ws *ws, size_t rank, double scale, struct fit_result *res)
{
	size_t p = ws->p;
	const double *Ri = ws->Rinv;
	for (size_t i = 0; i < p; i++)
		for (size_t j = 0; j < p; j++)
			gsl_matrix_set(res->cov, i, j, NAN);
	for (size_t a = 0; a < rank; a++) {
		for (size_t b = a; b < rank; b++) {
			double s = 0;
			for (size_t m = b; m < rank; m++)    /* Rinv upper: nonzero for m >= row */
				s += Ri[a * p + m] * Ri[b * p + m];
			s *= scale;
			gsl_matrix_set(res->cov, ws->piv[a], ws->piv[b], s);
			gsl_matrix_set(res->cov, ws->piv[b], ws->piv[a], s);
		}
	}
	for (size_t j = 0; j < p; j++) {
		double v = gsl_matrix_get(res->cov, j, j);
		gsl_vector_set(res->se, j, res->aliased[j] ? NAN : sqrt(v));
		gsl_vector_set(res->beta, j, res->aliased[j] ? NAN : ws->beta_new[j]);
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
			fold_block(ws->T, p1, ws->B, m, ws->wk);
			m = 0;
		}
	}
	if (m)
		fold_block(ws->T, p1, ws->B, m, ws->wk);
	if (triangle_overflow(ws, ws->T, d) < 0)
		return FIT_NUMERICAL;
	double extra;
	size_t rank = small_qr(ws, ws->T, rank_tol, res->aliased, &extra);
	res->rank = rank;
	res->iterations = 1;
	res->converged = 1;
	/* Residuals from the data (not from T), as R's residuals are y - fitted. */
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
	if (!isfinite(rss) || !isfinite(tss))
		return diag_set(d, NULL, 0, NULL, NULL, 0,
		    "numbers too large to fit: their sums of squares overflow (rescale the data)"),
		    FIT_NUMERICAL;
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
	fill_cov(ws, rank, res->dispersion, res);
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
			fold_block(T, p1, ws->B, m, ws->wk);
			m = 0;
		}
	}
	if (m)
		fold_block(T, p1, ws->B, m, ws->wk);
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
	int have_prev = 0, converged = 0, iter;
	for (iter = 1; iter <= max_iter; iter++) {
		if (triangle_overflow(ws, ws->T, d) < 0) {
			res->iterations = iter;
			return FIT_NUMERICAL;
		}
		rank = small_qr(ws, ws->T, rank_tol, res->aliased, &extra);
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
	fill_cov(ws, rank, 1.0, res);

	if (n_extreme > 0 && !(o->l2 > 0)) {
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
	double rank_tol = o->rank_tol > 0 ? o->rank_tol : o->family == FIT_LINEAR ? 1e-7 :
	    fmin(1e-7, tol / 1000);
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
