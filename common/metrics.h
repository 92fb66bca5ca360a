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

#include <jansson.h>

#include "xsum.h"

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

/*
 * The same measures computed as the rows go by, in memory that does not
 * grow with them, and mergeable: accumulators of two sets of rows merged
 * give the accumulator of their union, the same whatever order the rows
 * came in and however they were split (pr-train's validation on one
 * machine and on shards).  Sums are exact (xsum.h), counts whole numbers.
 *
 * The AUC is from a histogram: a prediction goes to the bin of its linear
 * predictor eta (the log-odds), METRICS_AUC_BINS bins of width 1/2048 over
 * [-16, 16) (an eta below -16 counts in the first bin, one of 16 or more in
 * the last), and the rows in one bin count as tied.  So it differs from the
 * exact Mann-Whitney statistic (metrics_auc) by at most auc_bound: half the
 * share of positive-negative pairs that fall in one bin (0 when no
 * positive shares a bin with a negative).
 */
enum metrics_kind { METRICS_LINEAR, METRICS_BINARY, METRICS_POISSON };

#define METRICS_AUC_BINS 65536
#define METRICS_AUC_SCALE 2048.0   /* bins per unit of eta */

struct metrics_acc {
	enum metrics_kind kind;
	unsigned long long n;       /* rows added */
	unsigned long long right;   /* binary: rows on the right side of 0.5 */
	struct xsum sse, sae, sy, syy;   /* linear */
	struct xsum loss, brier;         /* binary */
	struct xsum dev;                 /* Poisson */
	unsigned long long *pos, *neg;   /* binary: the AUC's histogram (METRICS_AUC_BINS each) */
};

/* Measures of an accumulator: NaN where undefined (no rows, one class, a constant y). */
struct metrics_summary {
	unsigned long long n;
	double rmse, mae, r2;                        /* linear */
	double log_loss, auc, auc_bound, brier, accuracy;   /* binary */
	double deviance;                             /* Poisson: the sum */
};

/* An empty accumulator of kind; free with metrics_acc_fini (NULL-safe members). */
void metrics_acc_init(struct metrics_acc *a, enum metrics_kind kind);
void metrics_acc_fini(struct metrics_acc *a);
/* Add a row: response y, prediction pred (the mean), eta its linear predictor (binary only). */
void metrics_acc_add(struct metrics_acc *a, double y, double pred, double eta);
/* a = a and b (both of one kind). */
void metrics_acc_merge(struct metrics_acc *a, const struct metrics_acc *b);
void metrics_acc_summary(const struct metrics_acc *a, struct metrics_summary *s);
/* The histogram bin of eta. */
size_t metrics_auc_bin(double eta);

/*
 * An accumulator as JSON (a new reference): n, right, the sums as xsum
 * partials, and the histogram's non-empty bins as [bin, positives,
 * negatives] in increasing bin order.  metrics_acc_add_json merges such
 * a document into a: 0, or -1 when j is not one of a's kind (a count that
 * is negative, not whole or overflows, a bin out of range or out of order,
 * a sum not finite); a is then unchanged in what it will report only if
 * the caller drops it.
 */
json_t *metrics_acc_json(const struct metrics_acc *a);
int metrics_acc_add_json(struct metrics_acc *a, const json_t *j);

#endif
