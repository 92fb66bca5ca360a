/*
 * store.h - the rows a model is trained on, held once, compactly.
 *
 * As rows come in (from a CSV stream, or any other source that can make a
 * struct csvio_row), the values of the columns a formula needs are kept in
 * a row-major store: one double per value, a categorical value as the index
 * of its level, in chunks of STORE_CHUNK_ROWS rows, so that a design can be
 * built chunk by chunk and a chunk freed (or reused in place) as soon as it
 * is used.  Prior weights, the group of each row (--by) and the input line
 * of each row (for messages) are kept beside the values.
 *
 * Column types are inferred from the data: a column is numeric until a
 * field that is not a number is seen (unless the formula forces it either
 * way); then it becomes categorical, and the values already stored become
 * levels, in their shortest numeric spelling (num_format), the form
 * model_level_lookup looks them up in.  Levels are interned in first-seen
 * order while reading; store_sort_levels puts a column's levels in byte
 * order once every row is in, as R sorts a factor's levels.
 *
 * Filling needs only rows, never the whole input: a store can hold one
 * shard of the data, and one store's rows need not come from one file.
 */
#ifndef PR_STORE_H
#define PR_STORE_H

#include <stddef.h>

#include "csvio.h"
#include "diag.h"
#include "formula.h"
#include "strtab.h"

/* Rows per chunk of the store (and of a design built from it): a power of two. */
#define STORE_CHUNK_SHIFT 16
#define STORE_CHUNK_ROWS ((size_t)1 << STORE_CHUNK_SHIFT)

/* Where a store's values come from in a row, and what a row must satisfy. */
struct store_spec {
	const struct formula *f;   /* the formula (before formula_build); borrowed for the
	                            * store's life: column i is formula_col(f, i) */
	const long *field;         /* formula_ncols(f) field indexes: column i's field in a row */
	long price;                /* formula column of the price (must be numeric), or -1 */
	long weight_field;         /* field of the prior weight, or -1 */
	const char *weight_name;   /* its column name, for messages */
	long group_field;          /* field of the group (--by), or -1 */
	const char *group_name;
};

struct store {
	size_t nc;              /* formula columns */
	size_t n;               /* rows */
	double **chunk;         /* STORE_CHUNK_ROWS rows a chunk, nc values a row: the value,
	                         * or (categorical) the index of the level in lv; a chunk is
	                         * NULL once a design took its memory (design_build) */
	size_t nchunk;
	struct strtab **lv;     /* levels of column i, NULL while it is numeric */
	double *w;              /* n prior weights, or NULL */
	long *gid;              /* n groups (index in groups), or NULL */
	struct strtab *groups;  /* group names in first-seen order, or NULL */
	/* the rest is the store's own */
	struct store_spec spec;
	long *field;
	size_t cap;
	size_t *jump_row;       /* input lines: row jump_row[k] is on line jump_line[k], and */
	long *jump_line;        /* the rows after it on the following lines up to the next jump */
	size_t njump, capjump;
	long last_line;
	long *text_line;        /* where a column first held text (0: never) */
	char (*text_value)[DIAG_VALUE_MAX];
	char *has_num;          /* a column held a number */
	double *val, *work;     /* one row's values and the formula's scratch */
	/* refused numbers written with a decimal comma ("12,5"), and the first of them */
	unsigned long long n_decimal_comma;
	char decimal_comma[DIAG_VALUE_MAX];
};

/*
 * Fill spec's fields from in's header: field (formula_ncols(spec->f)
 * longs, the caller's) gets each formula column's index, and the weight
 * and group columns (NULL: none) theirs.  Returns 0, or -1 with d naming
 * a missing column (csvio_require_col).
 */
int store_spec_columns(struct store_spec *spec, const struct csvio_reader *in, long *field,
    const char *weight, const char *group, struct diag *d);

/* An empty store for spec (copied; spec->f stays borrowed).  Never NULL (xalloc.h). */
struct store *store_new(const struct store_spec *spec);
void store_free(struct store *s);                           /* NULL-safe */

/*
 * Check row and keep its values.  A row is refused, with d naming the
 * column and the reason (missing value, not a number in a numeric column,
 * a formula term that is not finite, a missing or negative weight, a
 * missing group), before anything of it is kept: a refused row adds no
 * level.  d's file and line are left for the caller (who knows the input).
 * Returns 0, or -1 with d filled.
 */
int store_add_row(struct store *s, const struct csvio_row *row, struct diag *d);

/* The nc values of row r (r < s->n, its chunk not yet taken by a design). */
static inline double *
store_row(const struct store *s, size_t r)
{
	return s->chunk[r >> STORE_CHUNK_SHIFT] + (r & (STORE_CHUNK_ROWS - 1)) * s->nc;
}

/* The input line of row r. */
long store_line(const struct store *s, size_t r);

/*
 * Column col became categorical although it also held numbers: *line and
 * *value (borrowed) say where its first text was.  Returns 1 then, else 0.
 */
int store_mixed_column(const struct store *s, size_t col, long *line, const char **value);

/*
 * Put categorical column col's levels in byte order: every row's value
 * becomes the rank of its level, and s->lv[col] is rebuilt in that order
 * (index = rank).  Call once every row is in.
 */
void store_sort_levels(struct store *s, size_t col);

/*
 * Put categorical column col's levels in the order rank gives (rank[k] is
 * the new index of level k, a permutation of 0..nlevels-1): every row's
 * value becomes its level's rank and s->lv[col] is rebuilt in that order.
 */
void store_rank_levels(struct store *s, size_t col, const size_t *rank);

#endif
