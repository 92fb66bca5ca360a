/*
 * fit.h - fitting linear, logistic and Poisson regressions on a design
 * matrix, as accurately as R's lm and glm.
 *
 * CONTRACT between the fitting code and pr-train.  The functions below keep
 * these signatures; more may be added.
 *
 * Least squares by orthogonal factorisation (Householder QR with column
 * pivoting, or SVD), never by forming and inverting X'X.  GLMs by IRLS
 * (each step a weighted least-squares solve by QR) with step halving;
 * separation and non-convergence are detected and reported.  Aliased
 * (collinear) columns are found from the pivoted rank and given NaN
 * estimates, as R gives NA.
 */
#ifndef PR_FIT_H
#define PR_FIT_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "diag.h"

/* The model family: of a fit, and of a model file (model.h names and parses it). */
enum fit_family {
	FIT_LINEAR,
	FIT_LOGISTIC,
	FIT_POISSON
};

struct fit_opts {
	enum fit_family family;
	double l2;              /* ridge penalty lambda (0: none), on the deviance/2 scale, see fit.c */
	long intercept;         /* column index of the intercept (not penalised), or -1 */
	int max_iter;           /* IRLS iterations (0: default 25, glm.control's maxit) */
	double tol;             /* relative deviance change for convergence (0: default 1e-8,
	                         * glm.control's epsilon) */
	double rank_tol;        /* aliasing tolerance (0: default 1e-7 linear as lm, GLM
	                         * 1e-11, glm.fit's at its default epsilon; never tied
	                         * to tol); see fit_model */
	int no_fitted;          /* 1: do not keep res->fitted and res->eta (left NULL) */
};

enum fit_status {
	FIT_OK = 0,
	FIT_NOT_CONVERGED,      /* IRLS did not converge in max_iter */
	FIT_SEPARATION,         /* (quasi-)complete separation: fitted probabilities 0 or 1 */
	FIT_BAD_DATA,           /* y outside the family's range, no rows, ... */
	FIT_NUMERICAL           /* a factorisation failed */
};

struct fit_result {
	size_t n, p;            /* rows used, columns of X */
	gsl_vector *beta;       /* p estimates; NaN for aliased columns */
	gsl_vector *se;         /* p standard errors; NaN for aliased */
	gsl_matrix *cov;        /* p x p covariance (dispersion included); NaN rows/cols for aliased */
	int *aliased;           /* p flags */
	size_t rank;
	gsl_vector *fitted;     /* n fitted means (response scale); NULL with no_fitted */
	gsl_vector *eta;        /* n linear predictors; NULL with no_fitted */
	double dispersion;      /* sigma^2 (linear), 1 (logistic, Poisson) */
	double deviance, null_deviance, loglik, aic;
	double r2, adj_r2;      /* linear only (NaN otherwise) */
	long df_residual, df_null;
	int iterations;
	int converged;
	long bad_row;           /* FIT_BAD_DATA: the row of X (0-based) at fault, or -1 */
	size_t n_extreme;       /* rows whose fitted mean is numerically 0 or 1 (GLMs) */
};

/*
 * Fit y on X (n x p, one row per observation) with optional prior weights
 * w (NULL: all 1; R's weights=).  res is filled (allocated here; free with
 * fit_result_free; res need not be initialised).  Returns FIT_OK, or
 * another status with d filled with a message that names the problem and,
 * for separation, the remedy (--l2).  For statuses other than FIT_OK res
 * may still hold the last iterate (FIT_BAD_DATA: only bad_row is set).
 *
 * Rows with w == 0 take no part in the fit and are not counted in n or the
 * degrees of freedom (as lm/glm drop them), but get eta and fitted values:
 * a holdout or cross-validation fold is fitted by zeroing its weights, and
 * its predictions are then in res->eta / res->fitted.
 *
 * Objective (w_i prior weights, D = identity with a 0 at o->intercept):
 *   FIT_LINEAR:   minimise  sum w_i (y_i - x_i b)^2 / 2 + l2/2 * b'Db
 *   FIT_LOGISTIC, FIT_POISSON:  minimise  deviance(b)/2 + l2/2 * b'Db
 * (deviance/2 is the negative log-likelihood up to a constant).  With l2 > 0
 * the covariance is dispersion * (X'WX + l2 D)^-1 and df/AIC still use the
 * rank, not an effective df.
 *
 * Domains: weights finite and >= 0; X and y finite (rows with w > 0);
 * logistic y in [0, 1] (proportions with w = trials allowed); Poisson
 * y >= 0.  Otherwise FIT_BAD_DATA with res->bad_row.
 * Finite data so large that the sums of squares overflow (|y| or |x|
 * near 1e154 and beyond) give FIT_NUMERICAL ("numbers too large to fit"),
 * never an all-aliased or infinite-error fit.
 *
 * Aliasing follows R's dqrdc2 (lm, glm.fit): a column whose norm, after
 * projecting out the kept columns before it, falls below rank_tol times its
 * own norm is aliased: NaN estimate, se and covariance, aliased[j] = 1;
 * the others keep their order.
 *
 * Linear: the rows are folded into a Householder triangle in double; when
 * the problem is small, some column looks aliased, or the first-order
 * error bound of some estimate exceeds 1e-13, the fold is redone in long
 * double (a 64-bit significand on x86-64) and that factorisation gives
 * the estimates, covariance and rank.  The refit takes each value of X
 * and y that is the double of a decimal with at most 15 significant
 * digits as that decimal (1.11111 exactly, to long double rounding, not
 * the double 1.1111100000000000509): data read from text are so fitted
 * as written, and whole numbers and exact products of them (x^5 of an
 * integer x) are unchanged, while a value with 16 or 17 digits (a
 * computed log) is taken as the double it is.  So NIST's Wampler2, whose
 * responses binary cannot hold, is solved exactly (17 digits; the exact
 * solution of its data as read into doubles has 13.2, R's lm 13.6).  There the tolerance is scaled to
 * the precision (rank_tol * LDBL_EPSILON / DBL_EPSILON, 4.9e-11 for lm's
 * 1e-7): a column is aliased when it is as indistinguishable from the
 * others in that arithmetic as lm's tolerance makes it in double.  So
 * exactly collinear columns are aliased as in R, while a determined but
 * ill-conditioned design (NIST's Filip, degree 10, whose x^10 keeps
 * 5.2e-8 of its norm) is solved, where R's lm drops x^10.  The residual
 * sum of squares is that of the effects beyond the rank (R's
 * sum(effects[-(1:rank)]^2)), not sum (y - X b)^2, which loses the digits
 * that cancel; with l2 > 0 the data's residuals are summed.
 * A standard error whose variance overflows double but that does not
 * itself is computed directly; one that overflows is +Inf.
 *
 * GLMs: IRLS exactly as R's glm.fit with glm.control(epsilon = tol, maxit =
 * max_iter): starting means (w*y+0.5)/(w+1) for logistic, y+0.1 for
 * Poisson, R's link clamping; each iteration solves the working
 * least-squares problem built at the current estimates and takes its
 * solution as the new estimates; it stops when
 * |dev - dev_old| / (|dev| + 0.1) < tol (on the penalised objective when
 * l2 > 0).  The estimates are those of the last solve, and the covariance
 * comes from that solve's R factor (working weights of the iterate
 * before), as summary.glm takes it: with the defaults the result equals
 * R's default glm() to rounding, and tol = 1e-14 gives the fully converged
 * fit.  A step is halved (toward the previous estimates, up to max_iter
 * times) only where glm.fit halves: a deviance that is not finite or a
 * mean outside the family's range; when that happens on the first step
 * (no previous estimates) the fit fails, as glm.fit stops.
 * FIT_SEPARATION when l2 == 0 and some fitted probability is within
 * 10*DBL_EPSILON of 0 or 1 (Poisson: a fitted mean below 10*DBL_EPSILON),
 * R's warning condition; these rows are counted in res->n_extreme.
 * FIT_NOT_CONVERGED after max_iter iterations (res holds the last
 * iterate).
 *
 * Cost: each iteration is one pass over X (the deviance at the new
 * estimates and the working problem there at once: O(n p^2)); least
 * squares takes three (the triangle, the residuals, the sums of squares;
 * a fourth in long double when it is redone).  Rows are taken in blocks
 * of FIT_BLOCK_ROWS merged in order (see fit_source below): with more
 * rows than one block the result differs from the one-block fit only by
 * rounding (1e-13 relative).  Besides X the memory is O(p^2), plus eta
 * and fitted (O(n)) unless no_fitted.
 */
enum fit_status fit_model(const gsl_matrix *X, const gsl_vector *y, const gsl_vector *w,
    const struct fit_opts *o, struct fit_result *res, struct diag *d);

/*
 * A design held in row-major chunks, for callers that build X piece by
 * piece (pr-train): row i is x[i / chunk_rows] + (i % chunk_rows) * ld;
 * y[i * y_stride] is its response and w[i * w_stride] its prior weight
 * (w NULL: all 1).  Every chunk but the last holds chunk_rows rows.
 */
struct fit_design {
	size_t n, p;            /* rows and columns */
	size_t chunk_rows;      /* rows per chunk (> 0) */
	size_t ld;              /* doubles from one row to the next in a chunk (>= p) */
	double *const *x;       /* the chunks */
	const double *y;
	size_t y_stride;
	const double *w;
	size_t w_stride;
};

/* fit_model on a chunked design: same contract, same results. */
enum fit_status fit_model_design(const struct fit_design *D, const struct fit_opts *o,
    struct fit_result *res, struct diag *d);

/*
 * Blocked fitting.  Every statistic of a fit is a sum over the rows, so
 * the rows are taken in fixed blocks (FIT_BLOCK_ROWS, whatever the number
 * of threads or hosts): each block's statistics are computed on their own
 * (for least squares, the block folded into a (p+1) x (p+1) Householder
 * triangle from zero; for a GLM, one IRLS round's weighted triangle and
 * deviance) and merged strictly in block order (triangles by folding one
 * into the other: TSQR), so the result does not depend on scheduling.
 * Memory is O(p^2) per block in flight, beside the rows themselves.  With
 * all rows in one block the result is, bit for bit, the one-pass fit.
 */
#define FIT_BLOCK_ROWS ((size_t)1 << 16)

/* Where a blocked fit gets its rows: block b holds rows b*block_rows.. (the last fewer). */
struct fit_source {
	size_t n, p;            /* rows and columns */
	size_t block_rows;      /* rows per block (> 0) */
	unsigned jobs;          /* threads to fold blocks with (0 or 1: the caller's only) */
	/*
	 * Block b for worker (0 <= worker < jobs; calls with different workers
	 * may run at once): fills *D and *first so that the block's rows are
	 * rows *first.. of D (its y, w indexed the same way); what D points to
	 * stays valid until the next call for that worker.  Returns 0, or -1
	 * with d filled (a read error).
	 */
	int (*block)(void *arg, size_t b, unsigned worker, struct fit_design *D, size_t *first,
	    struct diag *d);
	void *arg;
};

/* fit_model on a blocked source: same contract, no fitted values (res->fitted NULL). */
enum fit_status fit_model_source(const struct fit_source *S, const struct fit_opts *o,
    struct fit_result *res, struct diag *d);

/* The mean at x (p values) for estimates beta (aliased ones 0); *eta (may be NULL) the linear predictor. */
double fit_predict(enum fit_family f, const double *x, const double *beta, size_t p, double *eta);

/* The estimates of r with its aliased columns as 0, the form fit_predict
 * takes: b gets r->p doubles. */
void fit_beta_or_zero(const struct fit_result *r, double *b);

/*
 * A fit as a sequence of passes, for callers that read the rows
 * elsewhere (one shard per host): fit_run_new starts it; each pass,
 * fit_run_pass (or fit_stats_import of other processes' parts) gathers
 * the statistics of rows into a fit_stats emptied with fit_stats_reset
 * (a reduce starts it with fit_stats_ridge instead, and passes ridge = 0
 * to every shard's fit_run_pass); fit_stats_merge appends one part to
 * another (in the order the rows come); fit_run_step decides from the
 * merged statistics: 1, another pass is needed (at the estimates
 * fit_run_beta), or 0, done with *status (res filled as fit_model fills
 * it; res zeroed once before the first step, with bad_row -1).
 * fit_run_export / fit_stats_export write fit_run_size / fit_stats_size
 * doubles that the _import functions read back exactly (0, or -1 when the
 * numbers do not fit this run: another size, another pass).
 */
struct fit_run;
struct fit_stats;
struct fit_run *fit_run_new(const struct fit_opts *o, size_t p);     /* NULL: out of memory */
void fit_run_free(struct fit_run *r);                                 /* NULL-safe */
int fit_run_done(const struct fit_run *r);
int fit_run_phase(const struct fit_run *r);
const double *fit_run_beta(const struct fit_run *r);
int fit_run_pass(const struct fit_run *r, const struct fit_source *S, int ridge,
    struct fit_stats *acc, struct diag *d);
int fit_run_step(struct fit_run *r, const struct fit_stats *s, struct fit_result *res,
    enum fit_status *status, struct diag *d);
size_t fit_run_size(const struct fit_run *r);
void fit_run_export(const struct fit_run *r, double *v);
int fit_run_import(struct fit_run *r, const double *v, size_t n);
struct fit_stats *fit_stats_new(const struct fit_run *r);           /* NULL: out of memory */
void fit_stats_free(struct fit_stats *s);                             /* NULL-safe */
void fit_stats_reset(const struct fit_run *r, struct fit_stats *s);
void fit_stats_ridge(const struct fit_run *r, struct fit_stats *s);
void fit_stats_merge(struct fit_stats *acc, const struct fit_stats *s);
int fit_stats_phase(const struct fit_stats *s);
size_t fit_stats_size(const struct fit_run *r);
void fit_stats_export(const struct fit_run *r, const struct fit_stats *s, double *v);
int fit_stats_import(const struct fit_run *r, struct fit_stats *s, const double *v, size_t n,
    const char *bad_what);
const char *fit_stats_bad_what(const struct fit_stats *s);           /* NULL: no bad row */
long fit_stats_bad_row(const struct fit_stats *s);   /* its row in the merged order, or -1 */

void fit_result_free(struct fit_result *res);   /* frees members; NULL-safe */

#endif
