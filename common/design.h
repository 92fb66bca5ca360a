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
#include "store.h"

struct design {
	size_t n, p, nch;       /* rows, columns (formula_ncoef), chunks */
	double **x;             /* nch chunks of STORE_CHUNK_ROWS rows of p doubles (the last
	                         * may be shorter) */
	double *y;              /* n responses */
	double *w0;             /* n prior weights, or NULL (all 1) */
	double *w;              /* weights of the current fit (a fold), or NULL: w0.  Owned
	                         * by the design: design_free frees it */
};

/*
 * Sort categorical column col's levels (store_sort_levels) and give them
 * to f (formula_set_levels).  Returns 0, or -1 with d filled (a level the
 * formula refuses, e.g. a C(col, ref=) level that is not in the data).
 */
int design_set_levels(struct formula *f, struct store *s, size_t col, struct diag *d);

/*
 * Build the design of f (built: formula_build) over nr rows of s: rows
 * rows[0..nr) when rows is not NULL, else the range first..first+nr.
 * ds need not be initialised; free it with design_free.
 *
 * consume (rows NULL and first a multiple of STORE_CHUNK_ROWS only; else
 * ignored): the range's store chunks are not used again, and each design
 * chunk is built in the memory of its store chunk (resized to hold it), so
 * that the data is held once and no fresh pages are touched.  Their
 * s->chunk[] become NULL.  In place is safe row by row: row k's values are
 * copied out before its design row is written, and a design row never
 * reaches a store row not yet read when the rows are taken forward
 * (p <= nc) or backward (p > nc).
 */
void design_build(struct store *s, const struct formula *f, const size_t *rows, size_t first,
    size_t nr, int consume, struct design *ds);
void design_free(struct design *ds);                       /* members; NULL-safe */

/* fit_model_design on ds with weights ds->w (or ds->w0).  Same contract. */
enum fit_status design_fit(const struct design *ds, const struct fit_opts *fo,
    struct fit_result *r, struct diag *d);

#endif
