/*
 * fit-qr.h - the Householder kernels of fit.c, written once for two
 * floating types.  fit.c includes this file twice: with FQ_REAL double
 * (the fast path, every GLM iteration; with FQ_NO_FOLD, as the fold of
 * doubles is fit-fold.h's, in vectors, with the same bits) and with
 * FQ_REAL long double (the extended-precision least squares of an
 * ill-conditioned linear model; on x86-64 a 64-bit significand, 2^11
 * times finer than double's).  Not a
 * public header: it defines static functions, named with the suffix
 * FQ_SFX, and expects <math.h> and <string.h>.
 *
 * Define before including: FQ_REAL (the type), FQ_SFX (the suffix token),
 * FQ_SQRT and FQ_FABS (the type's sqrt and fabs).
 */
#define FQ_CAT2(a, b) a##_##b
#define FQ_CAT(a, b) FQ_CAT2(a, b)
#define FQ(name) FQ_CAT(name, FQ_SFX)

#ifndef FQ_NO_FOLD   /* the fold (fit.c folds doubles with fit-fold.h) */
/*
 * y[k] += a * x[k] for k in [k0, k1): two elements a step, which GCC's
 * straight-line (SLP) vectoriser turns into SSE2 pairs at -O2.  Each
 * element gets exactly the scalar operations, so results do not change.
 */
static inline void
FQ(axpy)(FQ_REAL *restrict y, FQ_REAL a, const FQ_REAL *restrict x, size_t k0, size_t k1)
{
	size_t k = k0;
	for (; k + 2 <= k1; k += 2) {
		FQ_REAL y0 = y[k] + a * x[k];
		FQ_REAL y1 = y[k + 1] + a * x[k + 1];
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
FQ(fold_block)(FQ_REAL *restrict T, size_t p1, FQ_REAL *restrict B, size_t m,
    FQ_REAL *restrict wk)
{
	for (size_t j = 0; j < p1; j++) {
		FQ_REAL ss = 0;
		for (size_t i = 0; i < m; i++) {
			FQ_REAL b = B[i * p1 + j];
			ss += b * b;
		}
		if (ss == 0)
			continue;
		FQ_REAL alpha = T[j * p1 + j];
		FQ_REAL norm = FQ_SQRT(alpha * alpha + ss);
		FQ_REAL beta = alpha > 0 ? -norm : norm;
		FQ_REAL tau = (beta - alpha) / beta;
		FQ_REAL scale = 1 / (alpha - beta);
		T[j * p1 + j] = beta;
		FQ_REAL *Tj = T + j * p1;
		for (size_t k = j + 1; k < p1; k++)
			wk[k] = Tj[k];
		for (size_t i = 0; i < m; i++) {
			FQ_REAL *Bi = B + i * p1;
			FQ_REAL vi = Bi[j] * scale;
			Bi[j] = vi;
			FQ(axpy)(wk, vi, Bi, j + 1, p1);
		}
		for (size_t k = j + 1; k < p1; k++) {
			wk[k] *= tau;
			Tj[k] -= wk[k];
		}
		for (size_t i = 0; i < m; i++) {
			FQ_REAL *Bi = B + i * p1;
			FQ(axpy)(Bi, -Bi[j], wk, j + 1, p1);
		}
	}
}

#endif

/* The arrays small_qr works in (p = columns of X, p1 = p + 1). */
struct FQ(qr) {
	size_t p, p1;
	FQ_REAL *A;        /* p x p1: the pivoted factor */
	FQ_REAL *norm0;    /* p: original column norms, by position */
	size_t *piv;       /* p: position -> original column */
	FQ_REAL *wk;       /* p1 scratch */
	FQ_REAL *beta;     /* p: estimates by column, 0 for aliased */
	FQ_REAL *Rinv;     /* p x p: inverse of the rank x rank pivoted R */
};

/*
 * Householder QR of the small triangle T (p x p1, the response last) with
 * dqrdc2's limited pivoting, and the solve.  A column whose norm, after
 * projecting out the kept columns before it, is below rank_tol times its
 * own norm is moved to the end (aliased).  Out: q->piv, the rank (the
 * return value), q->beta, aliased[] (may be NULL), *rss_extra (squared
 * residual of the response column beyond the rank, to add to T[p][p]^2)
 * and q->Rinv (row-major p x p, the rank x rank block filled).
 */
static size_t
FQ(small_qr)(struct FQ(qr) *q, const FQ_REAL *T, FQ_REAL rank_tol, int *aliased,
    FQ_REAL *rss_extra)
{
	size_t p = q->p, p1 = q->p1;
	FQ_REAL *A = q->A;
	memcpy(A, T, p * p1 * sizeof(FQ_REAL));
	for (size_t j = 0; j < p; j++) {
		FQ_REAL s = 0;
		for (size_t i = 0; i <= j; i++)
			s += A[i * p1 + j] * A[i * p1 + j];
		q->norm0[j] = s > 0 ? FQ_SQRT(s) : 1;   /* dqrdc2: a zero column compares with 1 */
		q->piv[j] = j;
	}
	size_t k = p;   /* columns at positions >= k are aliased */
	for (size_t l = 0; l < k; l++) {
		for (;;) {
			FQ_REAL s = 0;
			for (size_t i = l; i < p; i++)
				s += A[i * p1 + l] * A[i * p1 + l];
			if (FQ_SQRT(s) >= q->norm0[l] * rank_tol)
				break;
			/* Negligible: move column l to the end (position p-1). */
			for (size_t i = 0; i < p; i++) {
				FQ_REAL t = A[i * p1 + l];
				memmove(A + i * p1 + l, A + i * p1 + l + 1, (p - 1 - l) * sizeof(FQ_REAL));
				A[i * p1 + p - 1] = t;
			}
			FQ_REAL tn = q->norm0[l];
			size_t tp = q->piv[l];
			memmove(q->norm0 + l, q->norm0 + l + 1, (p - 1 - l) * sizeof(FQ_REAL));
			memmove(q->piv + l, q->piv + l + 1, (p - 1 - l) * sizeof(size_t));
			q->norm0[p - 1] = tn;
			q->piv[p - 1] = tp;
			k--;
			if (l >= k)
				break;
		}
		if (l >= k)
			break;
		/* Householder on rows l..p-1 of column l, applied to columns l+1..p. */
		FQ_REAL ss = 0;
		for (size_t i = l + 1; i < p; i++)
			ss += A[i * p1 + l] * A[i * p1 + l];
		if (ss == 0)
			continue;
		FQ_REAL alpha = A[l * p1 + l];
		FQ_REAL norm = FQ_SQRT(alpha * alpha + ss);
		FQ_REAL beta = alpha > 0 ? -norm : norm;
		FQ_REAL tau = (beta - alpha) / beta;
		FQ_REAL scale = 1 / (alpha - beta);
		A[l * p1 + l] = beta;
		for (size_t i = l + 1; i < p; i++)
			A[i * p1 + l] *= scale;
		for (size_t c = l + 1; c < p1; c++) {
			FQ_REAL s = A[l * p1 + c];
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
	FQ_REAL extra = 0;
	for (size_t i = k; i < p; i++)
		extra += A[i * p1 + p] * A[i * p1 + p];
	*rss_extra = extra;
	/* Back substitution in pivot order. */
	FQ_REAL *b = q->beta;
	FQ_REAL *bp = q->wk;   /* estimates by position */
	for (size_t ii = k; ii-- > 0;) {
		FQ_REAL s = A[ii * p1 + p];
		for (size_t c = ii + 1; c < k; c++)
			s -= A[ii * p1 + c] * bp[c];
		bp[ii] = s / A[ii * p1 + ii];
	}
	for (size_t j = 0; j < p; j++)
		b[j] = 0;
	for (size_t pos = 0; pos < k; pos++)
		b[q->piv[pos]] = bp[pos];
	if (aliased) {
		for (size_t j = 0; j < p; j++)
			aliased[j] = 0;
		for (size_t pos = k; pos < p; pos++)
			aliased[q->piv[pos]] = 1;
	}
	/* Inverse of the k x k upper triangle, column by column. */
	FQ_REAL *Ri = q->Rinv;
	memset(Ri, 0, p * p * sizeof(FQ_REAL));
	for (size_t c = 0; c < k; c++) {
		Ri[c * p + c] = 1 / A[c * p1 + c];
		for (size_t ii = c; ii-- > 0;) {
			FQ_REAL s = 0;
			for (size_t m = ii + 1; m <= c; m++)
				s += A[ii * p1 + m] * Ri[m * p + c];
			Ri[ii * p + c] = -s / A[ii * p1 + ii];
		}
	}
	return k;
}

/*
 * res->cov = scale * Rinv Rinv' mapped back to column order (NaN for
 * aliased columns), res->se its root diagonal and res->beta the estimates
 * (NaN for aliased).  A standard error whose variance overflows but which
 * is itself representable is computed from the scaled row norm of Rinv
 * instead (so a covariance of 1e400 still gives a standard error of
 * 1e200); one that overflows double is +Inf, for the caller to report.
 */
static void
FQ(fill_cov)(const struct FQ(qr) *q, size_t rank, FQ_REAL scale, struct fit_result *res)
{
	size_t p = q->p;
	const FQ_REAL *Ri = q->Rinv;
	for (size_t i = 0; i < p; i++)
		for (size_t j = 0; j < p; j++)
			gsl_matrix_set(res->cov, i, j, NAN);
	for (size_t a = 0; a < rank; a++) {
		for (size_t b = a; b < rank; b++) {
			FQ_REAL s = 0;
			for (size_t m = b; m < rank; m++)    /* Rinv upper: nonzero for m >= row */
				s += Ri[a * p + m] * Ri[b * p + m];
			s *= scale;
			gsl_matrix_set(res->cov, q->piv[a], q->piv[b], (double)s);
			gsl_matrix_set(res->cov, q->piv[b], q->piv[a], (double)s);
		}
		size_t j = q->piv[a];
		double v = gsl_matrix_get(res->cov, j, j);
		if (isfinite(v)) {
			gsl_vector_set(res->se, j, sqrt(v));
			continue;
		}
		/* sqrt(scale) * ||Rinv row a||, scaled by the largest entry */
		FQ_REAL big = 0, s = 0;
		for (size_t m = a; m < rank; m++)
			if (FQ_FABS(Ri[a * p + m]) > big)
				big = FQ_FABS(Ri[a * p + m]);
		for (size_t m = a; m < rank && big > 0; m++) {
			FQ_REAL t = Ri[a * p + m] / big;
			s += t * t;
		}
		double se = (double)(FQ_SQRT(scale) * big) * sqrt((double)s);
		gsl_vector_set(res->se, j, isnan(se) ? HUGE_VAL : se);
	}
	for (size_t j = 0; j < p; j++) {
		if (res->aliased[j])
			gsl_vector_set(res->se, j, NAN);
		gsl_vector_set(res->beta, j, res->aliased[j] ? NAN : (double)q->beta[j]);
	}
}

#undef FQ
#undef FQ_CAT
#undef FQ_CAT2
