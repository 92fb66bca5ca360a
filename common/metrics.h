/*
 * metrics.h - how well predictions fit: the validation measures of
 * pr-train (--holdout, --folds) and the model-quality figures of pr-report,
 * one implementation each.  Unweighted, on the scale of the response as
 * written, sums compensated (stats_sum_add) so that the order of the rows
 * does not matter to the last digits.
 *
 * Every function takes responses y[0..n) and predictions pred[0..n) and
 * returns NaN for n == 0.  For the binary measures a prediction is a
 * probability in [0, 1] and y is in [0, 1] (a proportion counts as its
 * share of a positive in the log loss and the Brier score; for the AUC and
 * accuracy, y >= 0.5 is a positive).
 */
#ifndef PR_METRICS_H
#define PR_METRICS_H

#include <stddef.h>

/* Root mean squared error, mean absolute error. */
double metrics_rmse(const double *y, const double *pred, size_t n);
double metrics_mae(const double *y, const double *pred, size_t n);
/* 1 - SSE / SST about the mean of y; NaN when y is constant. */
double metrics_r2(const double *y, const double *pred, size_t n);

/*
 * Mean log loss -(y log p + (1 - y) log(1 - p)), p clipped to
 * [1e-15, 1 - 1e-15] as scikit-learn's log_loss clips it (a p of 0 or 1
 * would give an infinite loss).
 */
double metrics_log_loss(const double *y, const double *pred, size_t n);
/* Mean of (p - y)^2. */
double metrics_brier(const double *y, const double *pred, size_t n);
/* Share of rows with (p >= 0.5) == (y >= 0.5). */
double metrics_accuracy(const double *y, const double *pred, size_t n);
/*
 * The area under the ROC curve as the Mann-Whitney statistic: each
 * positive scores the negatives below it and one half for each negative
 * tied with it (R's rank with ties.method = "average").  Sorts a copy.
 * NaN when either class is empty.
 */
double metrics_auc(const double *y, const double *pred, size_t n);

/* Poisson deviance 2 sum (y log(y / mu) - (y - mu)), as R's poisson()$dev.resids; mu > 0. */
double metrics_poisson_deviance(const double *y, const double *mu, size_t n);

#endif
