/*
 * model.h - a fitted model file: load, save, and evaluate at any price.
 *
 * CONTRACT between pr-train/pr-score (which implement it), pr-optimize and
 * pr-report (which use it).  The functions below keep these signatures;
 * more may be added.
 *
 * A model is self-describing JSON (format "pr-model", version 1): formula,
 * family, price column, coefficients with standard errors and covariance,
 * levels of every categorical term, the group column and one sub-model per
 * group when trained with --by (plus a pooled model for unseen groups), and
 * a summary of the training data and fit.
 */
#ifndef PR_MODEL_H
#define PR_MODEL_H

#include <jansson.h>

#include "csvio.h"
#include "diag.h"

enum model_family {
	MODEL_LINEAR,
	MODEL_LOGISTIC,
	MODEL_POISSON
};

struct model;         /* a loaded model; immutable once loaded */
struct model_eval;    /* a model bound to one input header, with per-row state */

/* Load and check (format name, version, consistency).  NULL with d filled on failure. */
struct model *model_load(const char *path, struct diag *d);
void model_free(struct model *m);                           /* NULL-safe */

enum model_family model_family(const struct model *m);
const char *model_formula(const struct model *m);
const char *model_price_col(const struct model *m);         /* NULL if the formula has no price term */
const char *model_group_col(const struct model *m);         /* NULL unless trained with --by */
/* The whole document as loaded (borrowed, valid as long as m): for reports. */
const json_t *model_json(const struct model *m);

/*
 * Bind m to an input whose header is header (input_name for messages):
 * resolves every column the formula needs (and the group column), failing
 * with a message naming the missing column.  price_col overrides the
 * model's price column name when not NULL.  NULL with d filled on failure.
 */
struct model_eval *model_bind(const struct model *m, const struct csvio_row *header,
    const char *input_name, const char *price_col, struct diag *d);
void model_eval_free(struct model_eval *e);                 /* NULL-safe */

/*
 * Take this row's values: parses every model column except the price,
 * picks the sub-model of the row's group (the pooled one for an unseen
 * group), and reads the row's own price (model_eval_row_price).  Returns 0,
 * or -1 with d filled (missing value, not a number, unseen category level:
 * naming the column and value) - the caller rejects the row.
 */
int model_eval_row(struct model_eval *e, const struct csvio_row *row, struct diag *d);
double model_eval_row_price(const struct model_eval *e);    /* NaN if missing */

/*
 * Index of a numeric input column of the formula (e.g. a promotion column
 * "discount"), or -1 when the formula does not use it.  model_eval_set
 * overrides that input for the current row (until the next model_eval_row).
 */
long model_eval_var(const struct model_eval *e, const char *column);
void model_eval_set(struct model_eval *e, long var, double value);

/*
 * Expected response at price p for the current row, on the response scale:
 * probability (logistic), mean count (Poisson), E[y] (linear; for a formula
 * whose response is log(y), the retransformation to E[y] is applied as the
 * man page documents).  If dmean is not NULL, *dmean = dE[y]/dp.  NaN when
 * the formula cannot be evaluated at p (log of a non-positive price, ...).
 */
double model_eval_mean(struct model_eval *e, double p, double *dmean);

/* Linear predictor at p and its standard error (delta method, from the covariance). */
double model_eval_eta(struct model_eval *e, double p, double *se_eta);

#endif
