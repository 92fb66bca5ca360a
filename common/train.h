/*
 * train.h - training a formula model on a store: the fit, its validation
 * (holdout or K folds), one model per group (--by) beside the pooled one,
 * the coefficient table, the model document and the fitted values.
 *
 * The driver of pr-train.  It prints nothing: what a person should read
 * on stderr (validation figures, aliased terms, groups that could not be
 * fitted, the fit summary) is handed to the caller's note function, one
 * message at a time, in the order it happens.
 */
#ifndef PR_TRAIN_H
#define PR_TRAIN_H

#include <jansson.h>

#include "acct.h"
#include "csvio.h"
#include "diag.h"
#include "formula.h"
#include "metrics.h"
#include "model.h"
#include "store.h"

enum train_stage { TRAIN_FOLD, TRAIN_GROUP };

struct train_opts {
	enum fit_family family;
	double l2;              /* ridge penalty (0: none) */
	double tol;             /* IRLS tolerance (0: fit.h's default) */
	long max_iter;          /* IRLS iterations (0: default) */
	double holdout;         /* validate on this random fraction of the rows (0: no holdout) */
	long folds;             /* K-fold cross-validation (0: none; excludes holdout) */
	unsigned long seed;     /* of the holdout and the folds */
	const char *price;      /* column names the model records, or NULL */
	const char *weight;
	const char *by;         /* one model per value of this column (the store's groups) */
	int shrink;             /* with by: shrink the groups toward the pooled fit (pool.h) */
	int response_log;       /* the response column holds the log of the demand (linear only) */
	enum model_retransform retransform;   /* of a model of a log (model.h) */
	int quiet;              /* no notes but those of -v */
	int verbose;            /* a fit summary per model */
	int strict;             /* a group that cannot be fitted fails the run */
	unsigned jobs;          /* threads of each fit (0 or 1: one) */
	int keep_store;         /* the store is read again afterwards (train_write_fitted) */
	unsigned long long dropped;   /* rows refused while reading: recorded in the model */
	const struct acct *acct;      /* the reading's counts and reasons (for a run that kept
	                               * no row), or NULL */
	void (*note)(void *arg, const char *msg);
	void *note_arg;
	/*
	 * Called, when not NULL, before each fold of the pooled model's
	 * cross-validation (TRAIN_FOLD) and before each group's model
	 * (TRAIN_GROUP, in the order they are fitted): i (from 0) of n.  A
	 * group's own folds are not reported.  The caller shows it (or not).
	 */
	void (*progress)(void *arg, enum train_stage stage, size_t i, size_t n);
	void *progress_arg;
};

/*
 * The price column of f: *name (NULL: "price" when the formula uses a
 * column of that name, and *name is set to it).  Returns its formula
 * column, -1 when there is none, or -2 with d filled when *name is not a
 * column of the formula, is the response, or is forced categorical.
 */
long train_price_col(const struct formula *f, const char **name, struct diag *d);

/*
 * Train on every row of s (filled; f parsed but not yet built): give the
 * categorical columns their levels, build f, fit the pooled model and,
 * with o->by, one per group in byte order of the group names (a group
 * that cannot be fitted is noted and scored with the pooled model, or
 * fails the run under o->strict); write the coefficient table
 * ([group,]term,estimate,std_error,statistic,p_value, and with o->shrink
 * raw_estimate,raw_std_error: the groups' estimates are then shrunk toward
 * the pooled fit, see shrink_groups in train.c) to out.  input names
 * the data in messages.  On success *doc is the model document (a new
 * reference, for model_save).  Returns 0, or -1 with d filled; out may
 * then hold a part of the table, which the caller does not flush.
 * Without o->keep_store the store's chunks are consumed by the pooled
 * design when there are no groups.
 */
int train_run(const struct train_opts *o, struct formula *f, struct store *s, const char *input,
    struct csvio_writer *out, json_t **doc, struct diag *d);

/*
 * Write every stored row's line and fitted value to fp (path names it),
 * computed as pr-score computes it: the model read back from doc, the
 * row's values given as text, so that scoring the training data
 * reproduces these exactly.  o->by names the group column (or NULL); with
 * o->folds a third column "fold" gives each row's fold (1 to K), with
 * o->holdout a column "holdout" 1 for a held-out row, else 0.  The
 * rows are read in order, from the temporary file where the store spilled
 * (store_row_read).  Returns 0, or -1 with d filled.
 */
int train_write_fitted(const struct train_opts *o, struct store *s, const struct formula *f,
    json_t *doc, FILE *fp, const char *path, struct diag *d);

/*
 * Training on shards (pr-train --map / --reduce; the formats are in
 * pr-train(1)).  A round's map reads one shard into s (f parsed, not
 * built) and train_map makes its part: round 0 (state NULL) the column
 * types and levels (with o->by, the shard's groups); a later round the
 * statistics of the state's next pass over the shard's rows (with by, of
 * each group's fit not yet done over the group's rows too).  train_reduce merges parts (in the order given)
 * into *out: the state of the next round (*is_model 0) or the model
 * document (*is_model 1).  train_state_options reads the formula and the
 * options a state records into o (strings borrowed from state);
 * train_state_prepare makes the state's categorical columns categorical
 * in s before its first row.  train_options_json: the options a model
 * depends on, as a part or state records them.  All return 0 or -1 with d
 * filled, naming the file at fault.
 */
json_t *train_options_json(const struct train_opts *o, const char *formula);
int train_map(const struct train_opts *o, struct formula *f, struct store *s,
    const char *formula_text, const json_t *state, const char *state_name, const char *input,
    json_t **part, struct diag *d);
int train_reduce(const json_t *state, const char *state_name, json_t *const *parts,
    const char *const *names, size_t n, json_t **out, int *is_model, struct diag *d);
/* train_reduce, saying on note (NULL: nothing) which groups could not be fitted, as one run does. */
int train_reduce_notes(const json_t *state, const char *state_name, json_t *const *parts,
    const char *const *names, size_t n, json_t **out, int *is_model,
    void (*note)(void *arg, const char *msg), void *note_arg, struct diag *d);

/*
 * The validation of o (method, fraction or folds, seed) with the measures
 * of acc into v, and as a line for people into line (linesz bytes):
 * "RMSE 1.2, MAE 0.9, R2 0.8" and the like.  train_metrics_kind: the kind
 * of measures of a family.
 */
void train_validation(const struct train_opts *o, const struct metrics_acc *acc,
    struct model_validation *v, char *line, size_t linesz);
enum metrics_kind train_metrics_kind(enum fit_family fam);

/* The groups' warnings given in full (--by); the rest are counted by kind in one line. */
#define TRAIN_GROUP_WARNINGS 10
int train_state_options(const json_t *state, const char *name, struct train_opts *o,
    const char **formula, struct diag *d);
int train_state_prepare(const json_t *state, const struct formula *f, struct store *s,
    struct diag *d);

#endif
