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
#include "fit.h"


struct model;         /* a loaded model; immutable once loaded */
struct model_eval;    /* a model bound to one input header, with per-row state */

/* Load and check (format name, version, consistency).  NULL with d filled on failure. */
struct model *model_load(const char *path, struct diag *d);
void model_free(struct model *m);                           /* NULL-safe */

enum fit_family model_family(const struct model *m);
const char *model_formula(const struct model *m);
const char *model_price_col(const struct model *m);         /* NULL if the formula has no price term */
const char *model_group_col(const struct model *m);         /* NULL unless trained with --by */
const char *model_response(const struct model *m);          /* the response column */
double model_l2(const struct model *m);                     /* the ridge penalty (0: none) */

/*
 * The sub-models, for reports.  MODEL_POOLED is the single model, or the
 * pooled one of a model trained by group; 0 .. model_ngroups(m) - 1 are
 * the groups, in the file's order.  Strings are borrowed, valid as long
 * as m.
 */
#define MODEL_POOLED (-1L)
size_t model_ngroups(const struct model *m);                /* 0 unless trained by group */
const char *model_group_name(const struct model *m, size_t g);
/* Coefficients 0 .. model_ncoef(m) - 1, named as formula_coef_name names them. */
size_t model_ncoef(const struct model *m);
const char *model_coef_name(const struct model *m, size_t j);
/* Sub-model g's coefficient j as the file holds it: NaN estimate and error for an aliased one. */
void model_coef(const struct model *m, long g, size_t j, double *estimate, double *std_error);
long model_df_residual(const struct model *m, long g);
/*
 * The numbers of sub-model g's "training" (its fit statistics: rows,
 * deviance, AIC, ...), in the file's order; null ones left out.  integer:
 * the file holds a whole number.  Returns how many; *stats borrowed.
 */
struct model_stat {
	const char *name;
	double value;
	int integer;
};
size_t model_training(const struct model *m, long g, const struct model_stat **stats);

/*
 * Bind m to an input whose header is header (input_name for messages):
 * resolves every column the formula needs (and the group column), failing
 * with a message naming the missing column.  price_col overrides the
 * model's price column name when not NULL; for a model without a price
 * column it names the formula's numeric column that is the price (its
 * every use in the formula), and one the formula does not use as a number
 * fails.  NULL with d filled on failure.
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
 * probability (logistic), mean count (Poisson), E[y] (linear; for a model
 * of a log, model_log_response, exp(eta) retransformed by
 * model_retransform: the demand on its original scale).  If dmean is not
 * NULL, *dmean = dE[y]/dp.  NaN when the formula cannot be evaluated at p
 * (log of a non-positive price, ...).
 */
double model_eval_mean(struct model_eval *e, double p, double *dmean);

/*
 * The list prices in [lo, hi] where the current row's price terms have a
 * kink (formula_price_kinks: pmax/pmin/abs/comparison/ifelse switches,
 * spline knots in the price), ascending, the first max of them in out;
 * returns how many there are.  0 without a price column.  Keeps the
 * current row's state (model_eval_mean after it costs no more).
 */
size_t model_eval_price_kinks(struct model_eval *e, double lo, double hi, double *out, size_t max);

/* Linear predictor at p and its standard error (delta method, from the covariance). */
double model_eval_eta(struct model_eval *e, double p, double *se_eta);

#include "formula.h"

/* The parsed formula with its levels (borrowed, valid as long as m). */
const struct formula *model_formula_parsed(const struct model *m);

/*
 * Level index of s[0..len) in categorical column col of f, or -1 when the
 * level is unseen.  Text that reads as a number is looked up in its
 * shortest form (num_format), the form pr-train stores, so "1.50" and
 * "1.5" are one level.  Never allocates.
 */
long model_level_lookup(const struct formula *f, size_t col, const char *s, size_t len);

/* Name of the column pr-score appends: "p_buy" (logistic) or "pred". */
const char *model_pred_name(const struct model *m);

/*
 * A linear model of a log: of log(y) (the formula's response), or of a
 * response column that holds the log of the demand already ("response_scale":
 * "log" in the file, pr-train --response-log).  Its mean, the demand, is
 * exp(eta) times a factor, the retransformation: normal exp(sigma^2/2)
 * (E[y] under normal errors on the log scale; a file without
 * "retransform"), smearing (Duan's: the mean of exp(residual) over the
 * training rows, the sub-model's "smearing"), or naive 1 (the median,
 * R's exp(predict(lm))).
 */
enum model_retransform { MODEL_RETRANSFORM_NORMAL, MODEL_RETRANSFORM_SMEARING,
	MODEL_RETRANSFORM_NAIVE };
int model_log_response(const struct model *m);
/* The response column holds a log (--response-log), rather than the formula taking it. */
int model_response_scale_log(const struct model *m);
enum model_retransform model_retransform(const struct model *m);
/* "normal", "smearing", "naive"; parse: -1 when it is none of them. */
const char *model_retransform_name(enum model_retransform r);
int model_retransform_parse(const char *name);

/* Family names as in the file and on the command line: "linear", "logistic", "poisson". */
const char *model_family_name(enum fit_family f);
/* Parse a family name, or R's gaussian and binomial; -1 when it is none of them. */
int model_family_parse(const char *name);

/*
 * Build a model from a document in memory (pr-train uses it to compute its
 * fitted values exactly as pr-score will).  Takes a new reference to doc.
 * name is used in messages.  NULL with d filled on failure.
 */
struct model *model_from_json(json_t *doc, const char *name, struct diag *d);

/*
 * Write doc to path atomically (temporary file renamed into place), reals
 * with 17 significant digits so that every number reads back exactly.
 * Returns 0, or -1 with d filled.
 */
int model_save(const json_t *doc, const char *path, struct diag *d);
/* The document as model_save writes it, to fp (path names it in messages). */
int model_write(const json_t *doc, FILE *fp, const char *path, struct diag *d);

/*
 * The parts of a document (pr-train): model_doc_new gives the top level
 * (format, version, formula, family, response, price_column,
 * weight_column, l2, columns with kinds and levels, terms, coefficient
 * names); model_doc_sub one fitted model (coefficients with std_error,
 * aliased ones null; covariance; dispersion; df_residual; training, which
 * it steals).  cov is p x p, row-major, NaN for aliased.  New references.
 */
json_t *model_doc_new(const struct formula *f, enum fit_family fam, const char *price_col,
    const char *weight_col, double l2);
json_t *model_doc_sub(const struct formula *f, const double *beta, const double *se,
    const double *cov, double dispersion, long df_residual, json_t *training);

/*
 * A model of a log (pr-train): model_doc_log_response records in doc
 * (model_doc_new's) whether the response column holds a log
 * ("response_scale": "log", only then) and the retransformation
 * ("retransform"); model_doc_smearing a sub-model's smearing factor (with
 * MODEL_RETRANSFORM_SMEARING, in every sub-model).
 */
void model_doc_log_response(json_t *doc, int response_scale_log, enum model_retransform r);
void model_doc_smearing(json_t *sub, double factor);

/* How a model was validated (--holdout, --folds), for its "training.validation". */
struct model_validation {
	int folds_method;       /* 0: a holdout of fraction, 1: folds */
	double fraction;
	long folds;
	unsigned long seed;
	size_t n;               /* rows predicted */
	double rmse, mae, r2;                     /* linear (NaN: undefined) */
	double log_loss, auc, brier, accuracy;    /* logistic */
	double auc_bound;       /* |auc - the exact Mann-Whitney statistic| <= it (metrics.h) */
	double deviance;                          /* Poisson: the sum; "mean_deviance" is it / n */
};

/*
 * A sub-model's "training" (for model_doc_sub): the fit's rows, rank,
 * degrees of freedom, log-likelihood, deviances, AIC, R2 (linear) and
 * iterations, non-finite ones null; with v, its validation, the measures
 * of fam.  A new reference.
 */
json_t *model_doc_training(enum fit_family fam, const struct fit_result *r,
    const struct model_validation *v);
/* The "validation" object of v (measures of fam) that model_doc_training puts in; a new reference. */
json_t *model_doc_validation(enum fit_family fam, const struct model_validation *v);

/*
 * Finish a document (model_doc_new, with the single or pooled sub-model's
 * members merged in): by_column and the groups object (name -> sub-model)
 * with the pooled sub-model (both references taken) as "by", when
 * by_column is not NULL; the rows dropped while reading as
 * "training.dropped".
 */
void model_doc_finish(json_t *doc, const char *by_column, json_t *groups, json_t *pooled,
    unsigned long long dropped);

/*
 * Partial pooling.  model_doc_sub_raw records in a sub-model (whose
 * estimates, standard errors and covariance are the shrunk ones, which
 * readers use) each coefficient's estimate and standard error before
 * shrinkage, as raw_estimate and raw_std_error (null where not finite); p
 * values.  model_doc_shrink records in doc's "by" object (made by
 * model_doc_finish) how: "shrink":
 * {"method": "DerSimonian-Laird", "center": "pooled", "tau2": [...],
 * "groups": [...]}, per coefficient the between-group variance (null:
 * not shrunk) and the number of groups it was estimated from.
 */
void model_doc_sub_raw(json_t *sub, const double *raw_beta, const double *raw_se, size_t p);
void model_doc_shrink(json_t *doc, const struct formula *f, const double *tau2,
    const size_t *groups);

/*
 * The current row's group: its name, or NULL when the model has no groups
 * or the row's group was not seen in training (then the pooled model is
 * used and model_eval_pooled() is 1).
 */
const char *model_eval_group(const struct model_eval *e);
int model_eval_pooled(const struct model_eval *e);

/*
 * The current row's mean at p (as model_eval_mean) and *dmean = dE[y]/dp,
 * with their gradients with respect to the current sub-model's
 * coefficients: grad_mean[j] = d mean / d beta_j and grad_dmean[j] =
 * d dmean / d beta_j (model_ncoef entries each), the dispersion or
 * retransformation factor held fixed.  For the delta method of figures
 * built from the demand and its slope (pr-report's elasticities).  NaN
 * (and *dmean NaN) when the formula cannot be evaluated at p.
 */
double model_eval_mean_grad(struct model_eval *e, double p, double *dmean, double *grad_mean,
    double *grad_dmean);

/*
 * The sub-model that prices the current row: MODEL_POOLED or a group
 * index, as model_coef numbers them.  model_cov is sub-model g's
 * covariance of the coefficients (model_ncoef squared, row-major; aliased
 * rows and columns 0), valid as long as m.
 */
long model_eval_sub(const struct model_eval *e);
const double *model_cov(const struct model *m, long g);

/*
 * Mean at p with its delta-method standard error (*se_mean, may be NULL)
 * and a confidence band at level (0 < level < 1) computed on the link
 * scale and transformed (*lower, *upper; may be NULL): Student t with the
 * residual degrees of freedom for linear models, normal for GLMs.  NaN
 * when the formula cannot be evaluated at p.
 */
double model_eval_interval(struct model_eval *e, double p, double level, double *se_mean,
    double *lower, double *upper);

#endif
