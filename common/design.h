/*
 * design.h - the design matrix of a formula over rows of a store.
 *
 * Once every row is in the store, design_set_levels gives each categorical
 * column's levels (in byte order) to the formula; after formula_build, a
 * design is built for any set of the store's rows: all of them, a range
 * (one shard, one block of rows) or a list (one group).  The design is
 * held in chunks of STORE_CHUNK_ROWS rows, as fit_model_design takes it.
 */
#ifndef PR_DESIGN_H
#define PR_DESIGN_H

#include <stddef.h>

#include "diag.h"
#include "fit.h"
#include "formula.h"
#include "metrics.h"
#include "store.h"

/*
 * A design: chunk c holds m rows (STORE_CHUNK_ROWS, the last fewer) as
 * m x p values (row-major), then the m responses, then (weighted) the m
 * prior weights, then (with folds) the m fold numbers.  Chunks are in
 * memory, or (a design of more than the store's buffer) in an unlinked
 * temporary file, read back a chunk at a time while fitting, so that what
 * stays in memory is a chunk per thread.
 */
struct design {
	size_t n, p, nch;       /* rows, columns (formula_ncoef), chunks */
	size_t cw;              /* doubles a row: p + 1 + weighted + folded */
	int weighted, folded;
	double **x;             /* nch chunks in memory, or NULL each when in the file */
	int fd;                 /* the temporary file, or -1 */
	long fold;              /* in fits, rows of this fold get weight 0 (DESIGN_NO_FOLD: none) */
	unsigned jobs;          /* threads of a fit (0 or 1: one) */
	/* the fit's scratch, per thread */
	double **buf, **wbuf, **xp;
	unsigned nbuf;
};

#define DESIGN_NO_FOLD (-2L)

/*
 * The validation split (pr-train --holdout, --folds): a row's fold is a
 * function of the row alone, so that a shard computes it without the
 * others and the split does not depend on the order of the rows.
 * design_row_unit hashes the seed and the row's values (v, a store row:
 * the nc values of the formula's columns in order, a number by the bits
 * of its double, -0 as 0, a category by the bytes of its level's text,
 * then with weighted the prior weight) into u in [0, 1): SplitMix64's
 * finaliser (Steele, Lea and Flood 2014) chained over 64-bit words, its
 * top 53 bits.  design_split_fold: with a holdout, fold 0 (held out) when
 * u < holdout, else -1; with K folds, floor(u K).  Identical rows share
 * their fold.
 */
struct design_split {
	double holdout;         /* > 0: a holdout of this fraction */
	long folds;             /* else folds 0..folds-1 */
	unsigned long seed;
};

double design_row_unit(const struct formula *f, const double *v, size_t nc, int weighted,
    unsigned long seed);
long design_split_fold(const struct design_split *sp, double u);
/* The fold of store row v under sp: design_split_fold of its unit value with sp's seed. */
long design_row_fold(const struct design_split *sp, const struct formula *f, const double *v,
    size_t nc, int weighted);

/*
 * Sort categorical column col's levels (store_sort_levels) and give them
 * to f (formula_set_levels).  Returns 0, or -1 with d filled (a level the
 * formula refuses, e.g. a C(col, ref=) level that is not in the data, or
 * the store's temporary file failed).
 */
int design_set_levels(struct formula *f, struct store *s, size_t col, struct diag *d);

/*
 * Build the design of f (built: formula_build) over nr rows of s: rows
 * rows[0..nr) when rows is not NULL (s in memory), else the range
 * first..first+nr (read back from the temporary file where s spilled).
 * split (NULL: none) gives each row its fold, from the row's own values
 * (design_split_fold); design_fit with ds->fold set zeroes the weights of
 * a fold.
 * ds need not be initialised; free it with design_free.
 *
 * consume (rows NULL and first a multiple of STORE_CHUNK_ROWS only; else
 * ignored): the range's store chunks are not used again and are freed as
 * soon as their rows are in the design, so that the data is held about
 * once.  jobs threads build whole store chunks at once (a chunk's rows
 * are the same whoever builds it) and the design's fits use as many
 * (ds->jobs).  Returns 0, or -1 with d filled (the temporary file failed).
 */
int design_build(struct store *s, const struct formula *f, const size_t *rows, size_t first,
    size_t nr, int consume, const struct design_split *split, unsigned jobs, struct design *ds,
    struct diag *d);
void design_free(struct design *ds);                       /* members; NULL-safe */

/*
 * The rows of each group of a store (--by), group after group in byte
 * order of the group names: the row numbers of each group when the store
 * is in memory, else a copy of the rows with each group's together in a
 * temporary file (store_by_group), so that a group is read on its own.
 */
struct design_groups {
	size_t ng;              /* groups */
	size_t *order;          /* ng indexes into the store's groups, in byte order of names */
	struct store *s;        /* the store the groups are read from (the store itself, or
	                         * bygroup) */
	struct store *bygroup;  /* store_by_group's store, or NULL */
	size_t *rows, *start;   /* in memory: group order[i]'s rows are rows[start[i]..start[i+1]) */
};

/* Open s's groups (every row in).  Returns 0, or -1 with d filled (a temporary file). */
int design_groups_open(struct design_groups *dg, struct store *s, struct diag *d);

/*
 * The rows of the i-th group (in order): rows[0..*nr) of dg->s when *rows
 * is not NULL, else its rows *first..*first + *nr, as design_build takes them.
 */
void design_groups_range(const struct design_groups *dg, size_t i, const size_t **rows,
    size_t *first, size_t *nr);
void design_groups_close(struct design_groups *dg);        /* members */

/*
 * fit_model_source on ds, with ds->jobs threads, the rows of fold
 * ds->fold weighted 0.  Same contract (no fitted values).
 */
enum fit_status design_fit(struct design *ds, const struct fit_opts *fo,
    struct fit_result *r, struct diag *d);

/*
 * One pass of run r over ds's rows (fit_run_pass, ridge as there, ds->jobs
 * threads), merged into acc.  Returns 0, or -1 with d filled.
 */
int design_pass(struct design *ds, const struct fit_run *r, int ridge, struct fit_stats *acc,
    struct diag *d);

/*
 * Duan's smearing factor of a linear model of a log: the mean of
 * exp(residual) over the rows the model r was fitted on (weight > 0; the
 * rows of fold k, unless DESIGN_NO_FOLD, left out), weighted by the prior
 * weights (Duan 1983, "Smearing estimate: a nonparametric retransformation
 * method", JASA 78: E[y] = exp(eta) times it, whatever the distribution of
 * the errors), into *factor.  Returns 0, or -1 with d filled (a read error).
 */
int design_smearing(struct design *ds, long k, const struct fit_result *r, double *factor,
    struct diag *d);

/*
 * Add every row of a fold 0..nb-1 (the others, a holdout's -1, are
 * skipped), its response and its prediction by the estimates of its fold
 * (beta + fold * p, aliased ones 0, as fit_beta_or_zero gives them; family
 * fam), to acc (metrics.h; of fam's kind), in one pass.  Returns 0, or -1
 * with d filled (a read error).
 */
int design_validate(struct design *ds, enum fit_family fam, const double *beta, size_t nb,
    struct metrics_acc *acc, struct diag *d);

#endif
