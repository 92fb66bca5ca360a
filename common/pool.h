/*
 * pool.h - partial pooling of per-group estimates: the between-group
 * variance of a coefficient by the DerSimonian-Laird moment estimator, and
 * empirical-Bayes shrinkage of each group's estimate toward a centre.
 *
 * For one coefficient with estimates b_k and sampling variances v_k
 * (squared standard errors) in K groups, weights w_k = 1 / v_k:
 *   bw   = sum w_k b_k / sum w_k                  (the fixed-effect mean)
 *   Q    = sum w_k (b_k - bw)^2                   (Cochran's Q)
 *   tau2 = max(0, (Q - (K - 1)) / (S1 - S2 / S1)), S1 = sum w_k, S2 = sum w_k^2
 * (DerSimonian and Laird, Controlled Clinical Trials 7, 1986).  A group's
 * estimate shrunk toward the centre m (the pooled fit's coefficient, with
 * sampling variance v_m) is the posterior mean under b_k ~ N(theta_k, v_k),
 * theta_k ~ N(m, tau2):
 *   theta_k = m + B_k (b_k - m),  B_k = tau2 / (tau2 + v_k),
 * with variance B_k v_k + (1 - B_k)^2 v_m: the posterior variance given m,
 * plus the part of m's own uncertainty that the shrinkage carries (Morris,
 * JASA 78, 1983, section 3, with tau2 taken as known).  With tau2 = 0 the
 * group is the pooled fit, with its variance.
 * Pure functions: no state, no allocation.
 */
#ifndef PR_POOL_H
#define PR_POOL_H

#include <stddef.h>

/*
 * The DerSimonian-Laird tau2 of the k estimates est[] with variances var[]
 * (stride 1).  Entries whose estimate or variance is not finite, or whose
 * variance is not > 0, take no part (an aliased coefficient, a group fitted
 * exactly).  Returns the number of groups used; with fewer than 2, *tau2
 * is NaN (no between-group variance can be estimated).  q and mean_w, when
 * not NULL, get Cochran's Q and the fixed-effect mean (NaN with none).
 */
size_t pool_dl_tau2(const double *est, const double *var, size_t k, double *tau2, double *q,
    double *mean_w);

/*
 * est (variance var) shrunk toward center (variance center_var) with
 * between-group variance tau2: the posterior mean, and in *post_var (may
 * be NULL) its variance, as above.  tau2 NaN or infinite, or var == 0 (an
 * exact estimate): no pooling (est and var returned).  An estimate or
 * variance that is not finite (no information in the group): the centre,
 * with variance tau2 + center_var.
 */
double pool_shrink(double est, double var, double center, double center_var, double tau2,
    double *post_var);

/*
 * One group's p coefficients shrunk jointly, the multivariate form of
 * pool_shrink: with V the group's covariance, T = diag(tau2) and Vm the
 * centre's covariance,
 *   A = T (T + V)^-1,  post = m + A (b - m),
 *   post_cov = A V + (I - A) Vm (I - A)'
 * (the posterior under b ~ N(theta, V), theta ~ N(m, T), with the centre's
 * uncertainty carried; for p = 1 exactly pool_shrink).  Using the group's
 * whole covariance keeps the coefficients consistent with each other: an
 * intercept and a slope estimated with correlated errors move together.
 * Coefficients whose estimate is not finite (aliased in the group) get the
 * centre, with variance tau2 + Vm; those whose tau2 is not finite are not
 * shrunk (their estimate and variance kept, their covariance with the
 * shrunk ones 0).  est, center, tau2, post: p values; cov, center_cov,
 * post_cov: p x p, row-major.  Returns 0, or -1 (post and post_cov
 * unset) when T + V is not positive definite or memory runs out.
 */
int pool_shrink_joint(size_t p, const double *est, const double *cov, const double *center,
    const double *center_cov, const double *tau2, double *post, double *post_cov);

#endif
