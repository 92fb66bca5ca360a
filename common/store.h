/*
 * store.h - the rows a model is trained on, held once, compactly.
 *
 * As rows come in (from a CSV stream, or any other source that can make a
 * struct csvio_row), the values of the columns a formula needs are kept in
 * a row-major store: one double per value, a categorical value as the index
 * of its level, in chunks of STORE_CHUNK_ROWS rows, so that a design can be
 * built chunk by chunk and a chunk freed (or reused in place) as soon as it
 * is used.  Prior weights and the group of each row (--by) are kept in the
 * row after the values, the input line of each row (for messages) beside.
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
#include <sys/types.h>

#include "csvio.h"
#include "diag.h"
#include "formula.h"
#include "strtab.h"

/* Rows per chunk of the store (and of a design built from it): a power of two. */
#define STORE_CHUNK_SHIFT 16
#define STORE_CHUNK_ROWS ((size_t)1 << STORE_CHUNK_SHIFT)

/*
 * Beyond this many bytes of chunks (192 MiB), a store that may spill
 * (store_allow_spill) writes its full chunks to an unlinked temporary file
 * in $TMPDIR (default /tmp) and reads them back a chunk at a time; so does
 * a design (design.h).  What stays in memory is a few chunks, whatever
 * the number of rows.
 */
#define STORE_SPILL_BYTES ((size_t)192 << 20)

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
	double **chunk;         /* STORE_CHUNK_ROWS rows a chunk, rowlen values a row: the
	                         * value, or (categorical) the index of the level in lv, then
	                         * the prior weight when weighted; a chunk is NULL once a
	                         * design used it up (design_build) or it is in the file */
	size_t nchunk;
	size_t rowlen;          /* nc, plus 1 when weighted, plus 1 when grouped */
	int weighted;           /* rows carry a prior weight (at index nc) */
	struct strtab **lv;     /* levels of column i, NULL while it is numeric */
	struct strtab *groups;  /* group names in first-seen order, or NULL; a row's
	                         * group (its index here) follows its weight */
	/* a store made by store_by_group: */
	struct store *parent;   /* the store whose rows these are (row r's index there
	                         * follows its values), or NULL */
	size_t *group_first;    /* groups + 1 row positions: the rows of the group of
	                         * rank k are group_first[k]..group_first[k + 1] */
	/* the rest is the store's own */
	int spill;              /* full chunks may go to the temporary file */
	size_t buffer;          /* bytes of chunks kept in memory (STORE_SPILL_BYTES) */
	int fd;                 /* the temporary file, or -1 */
	char *on_disk;          /* nchunk flags: chunk c is in the file */
	double *cache;          /* one chunk read back (store_row_read), or NULL */
	size_t cache_c;
	int err;                /* errno of a failed read or write of the file, or 0 */
	struct store_spec spec;
	long *field;
	size_t *jump_row;       /* input lines: row jump_row[k] is on line jump_line[k], and */
	long *jump_line;        /* the rows after it on the following lines up to the next jump */
	size_t njump, capjump;
	long last_line;
	long *text_line;        /* where a column first held text (0: never) */
	char (*text_value)[DIAG_VALUE_MAX];
	char *has_num;          /* a column held a number */
	struct store_block *one;   /* store_add_row's block of one row, or NULL */
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
 * Let the store keep its chunks in a temporary file once they pass
 * STORE_SPILL_BYTES (rows are then read back a chunk at a time: the
 * store can no longer give store_row, only store_chunk and
 * store_row_read).  Call before the first row.
 */
void store_allow_spill(struct store *s);

/*
 * The bytes of chunks kept in memory before they spill (default
 * STORE_SPILL_BYTES), by the store (store_allow_spill) and by the designs
 * built from it.  Call before the first row.
 */
void store_set_buffer(struct store *s, size_t bytes);

/*
 * The temporary file of a store or design: a new file in $TMPDIR (or
 * /tmp), already unlinked, so that it goes when the process does.
 * Returns its descriptor, or -1 with errno set.  spill_write and
 * spill_read move len bytes at offset off, retrying short transfers:
 * 0, or an errno.
 */
int spill_file(void);
const char *spill_dir(void);    /* the directory spill_file uses ($TMPDIR or /tmp) */
int spill_write(int fd, const void *buf, size_t len, off_t off);
int spill_read(int fd, void *buf, size_t len, off_t off);

/* 0, or the errno of a failed write or read of the temporary file. */
int store_error(const struct store *s);

/*
 * Check row and keep its values.  A row is refused, with d naming the
 * column and the reason (missing value, not a number in a numeric column,
 * a formula term that is not finite, a missing or negative weight, a
 * missing group), before anything of it is kept: a refused row adds no
 * level.  d's file and line are left for the caller (who knows the input).
 * Returns 0, -1 with d filled (the row is refused), or -2 with d filled
 * when the temporary file could not be written (the run cannot go on).
 */
int store_add_row(struct store *s, const struct csvio_row *row, struct diag *d);

/*
 * Rows checked but not yet added, so that many threads can check rows (the
 * work of reading) and one adds them, in input order, with the results of
 * adding them one at a time (store_add_row is a block of one row).
 *
 * store_block_new: an empty block for s's columns as they are before the
 * first row (call it before store_read starts, or before any row).  The
 * block then depends on nothing of s that adding rows changes: any thread
 * may fill it while another adds blocks to s.
 *
 * store_block_parse: check row, read by in, as store_add_row does (and
 * that it has the header's width): keep its values (a number, or a text
 * in the block's own table), or keep it as refused, with the reason.
 * Returns 0 (kept), or -1 (refused; d says why).
 *
 * store_block_add: add b's rows to s in order; each refused row goes to
 * reject (with its row and reason, d's file and line left unset as
 * store_add_row leaves them) in its place.  Returns 0, or -2 with d filled
 * when the temporary file could not be written.  The block is emptied.
 */
struct store_block;
struct store_block *store_block_new(const struct store *s);
void store_block_free(struct store_block *b);      /* NULL-safe */
size_t store_block_rows(const struct store_block *b);   /* rows kept and refused */
int store_block_parse(struct store_block *b, const struct csvio_reader *in,
    const struct csvio_row *row, struct diag *d);
int store_block_add(struct store *s, struct store_block *b,
    void (*reject)(void *arg, const struct csvio_row *row, struct diag *d), void *arg,
    struct diag *d);

/*
 * Read every row of in into s, with jobs threads (0 or 1: this one): the
 * rows, levels, refusals and their order are those of adding the rows one
 * at a time, for any jobs.  A regular file (csvio_data_cursor) is read in
 * byte ranges of about range_bytes, by the jobs threads (or by this one
 * with jobs 1); a pipe is read here, a block of rows at a time.
 * reject gets each refused row in input order; progress (when not NULL)
 * the rows read so far and the bytes, now and then.  *n_in counts the
 * rows read.  Returns 0, or -1 with d filled: bad CSV (after the rows
 * before it), a read error, or -2 when the temporary file could not be
 * written.  in must not have handed out a row yet.
 */
struct store_read_opts {
	unsigned jobs;
	long long range_bytes;    /* bytes of input a thread reads at a time (0: 1 MiB) */
	void (*reject)(void *arg, const struct csvio_row *row, struct diag *d);
	void (*progress)(void *arg, unsigned long long rows, unsigned long long bytes);
	void *arg;
};
int store_read(struct store *s, struct csvio_reader *in, const struct store_read_opts *o,
    unsigned long long *n_in, struct diag *d);

/* The values of row r (r < s->n, its chunk in memory): nc values, then the weight, the group. */
static inline double *
store_row(const struct store *s, size_t r)
{
	return s->chunk[r >> STORE_CHUNK_SHIFT] + (r & (STORE_CHUNK_ROWS - 1)) * s->rowlen;
}

/*
 * The rows of chunk c (rowlen doubles each): in memory, or read from the
 * file into buf (STORE_CHUNK_ROWS * rowlen doubles).  NULL with d filled
 * on a read error.
 */
const double *store_chunk(const struct store *s, size_t c, double *buf, struct diag *d);

/* Chunk c will not be read again: its memory is freed. */
void store_chunk_drop(struct store *s, size_t c);

/*
 * Row r wherever its chunk is (read back into a one-chunk cache: rows in
 * order cost one read a chunk).  On a read error the row reads as NaN and
 * store_error says so.  Valid until the next call.
 */
const double *store_row_read(struct store *s, size_t r);

/* The input line of row r. */
long store_line(const struct store *s, size_t r);

/* The group of a row of s (its values): an index in s->groups. */
static inline size_t
store_row_group(const struct store *s, const double *v)
{
	return (size_t)v[s->nc + (size_t)s->weighted];
}

/* Whether some of s's rows are in the temporary file (rows must be read back). */
int store_in_file(const struct store *s);

/*
 * The rows of s (with groups, every row in) again, those of each group
 * together, the groups in the order rank gives (rank[g] for group g of
 * s->groups, a permutation), a group's rows in their order in s: a new
 * store whose rows are all in its own temporary file, each row followed
 * by its index in s (store_line_of finds its line).  It is made in two
 * passes, each linear in the rows: every chunk of s sorted by group into
 * a first file, then these runs merged in one pass (a heap over the runs,
 * each read through its own buffer, together half of s's buffer), so that
 * memory stays within the buffer, and a group is later read on its own
 * without reading the others (store_row_read, one read a chunk).
 * Returns NULL with d filled when a temporary file failed.  Free it (before
 * s) with store_free.
 */
struct store *store_by_group(struct store *s, const size_t *rank, struct diag *d);

/* The input line of row r of s, or of a store made by store_by_group. */
long store_line_of(struct store *s, size_t r);

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

/* Column col is categorical from the first row on (a shard told so by a state). */
void store_force_categorical(struct store *s, size_t col);

/*
 * Every row's value of categorical column col (a level index k) becomes
 * index[k] (the level's index in another list, a state's); s->lv[col]
 * keeps the store's own levels.  Returns 0, or an errno (the file).
 */
int store_remap_levels(struct store *s, size_t col, const size_t *index);

/*
 * Put categorical column col's levels in the order rank gives (rank[k] is
 * the new index of level k, a permutation of 0..nlevels-1): every row's
 * value becomes its level's rank and s->lv[col] is rebuilt in that order.
 */
void store_rank_levels(struct store *s, size_t col, const size_t *rank);

#endif
