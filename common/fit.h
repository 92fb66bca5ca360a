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

enum fit_family {
	FIT_LINEAR,
	FIT_LOGISTIC,
	FIT_POISSON
};

struct fit_opts {
	enum fit_family family;
	double l2;              /* ridge penalty lambda (0: none), on the deviance/2 scale, see fit.c */
	long intercept;         /* column index of the intercept (not penalised), or -1 */
	int max_iter;           /* IRLS iterations (0: default 50) */
	double tol;             /* relative deviance change for convergence (0: default 1e-10) */
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
	gsl_vector *fitted;     /* n fitted means (response scale) */
	gsl_vector *eta;        /* n linear predictors */
	double dispersion;      /* sigma^2 (linear), 1 (logistic, Poisson) */
	double deviance, null_deviance, loglik, aic;
	double r2, adj_r2;      /* linear only (NaN otherwise) */
	long df_residual, df_null;
	int iterations;
	int converged;
};

/*
 * Fit y on X with optional prior weights w (NULL: all 1).  res is filled
 * (allocated here; free with fit_result_free).  Returns FIT_OK, or another
 * status with d filled with a message that names the problem and, for
 * separation, the remedy (--l2).  For statuses other than FIT_OK res may
 * still hold the last iterate.
 */
enum fit_status fit_model(const gsl_matrix *X, const gsl_vector *y, const gsl_vector *w,
    const struct fit_opts *o, struct fit_result *res, struct diag *d);

void fit_result_free(struct fit_result *res);   /* frees members; NULL-safe */

#endif
