/*
 * clean.h - typed values and the row cleaner behind pr-clean.
 *
 * Two layers.  The value functions (clean_num, clean_int, clean_bool,
 * clean_missing_match) are pure: text in, normalised text
 * or a number out, no allocation.  The cleaner (struct clean) applies the
 * options to one row at a time, in this order (man/pr-clean.1 says the
 * same):
 *
 *     shape -> missing spellings -> types -> range/clip/winsorize -> fill
 *     -> drop-missing -> dedupe -> keep/drop/rename
 *
 * Options are gathered by name from the command line in a struct
 * clean_opts (everything that can be checked from argv is checked there),
 * then resolved against the input's header by clean_new.
 */
#ifndef PR_CLEAN_H
#define PR_CLEAN_H

#include <stddef.h>

#include "csvio.h"
#include "date.h"
#include "diag.h"

/* ---- values ---- */

/* Flags for clean_num. */
#define CLEAN_DECIMAL_COMMA 1   /* ',' is the decimal mark and '.' groups thousands */
#define CLEAN_PERCENT       2   /* a trailing '%' divides by 100 */

/*
 * Read a number written by a person or a spreadsheet: s[0..len) with
 * spaces and tabs around it ignored; an optional sign ('-' or '+', before
 * or after a currency symbol); at most one currency symbol ($, €, £, ¥)
 * before or after the number, spaces allowed between; thousands grouped by
 * ',' (by '.' with CLEAN_DECIMAL_COMMA) in groups of exactly three digits
 * after the first; a decimal mark; an exponent (only without grouping); a
 * trailing '%' only with CLEAN_PERCENT.  "inf" and "nan" are not numbers.
 * Returns 0 with *out set, or -1 (not a number; *out untouched).  An empty
 * field is -1 too: test for missing values first.
 */
int clean_num(const char *s, size_t len, int flags, double *out);

/*
 * The normal form of a number clean_num reads: the text num_format writes
 * for its value, into buf (at least NUM_BUFSZ bytes, NUL added), found
 * without a double for plain decimals of up to 15 significant digits.
 * Returns the length, or -1 when s is not a number (-2: a number too
 * large for a double).
 */
long clean_num_text(const char *s, size_t len, int flags, char *buf);

/*
 * Normalise a whole number without going through a double, so that
 * identifiers longer than 2^53 keep every digit: spaces around ignored, an
 * optional sign, digits grouped as clean_num groups them, and an optional
 * fraction of zeros only ("12.0", as exports of floating columns write
 * integers).  Writes the canonical text (no '+', no leading zeros, "0" for
 * minus zero) into buf, which needs len + 2 bytes, NUL added.  Returns the
 * length written, or -1 (not a whole number; buf undefined).
 */
long clean_int(const char *s, size_t len, int flags, char *buf);

/*
 * A yes/no value, case-insensitive, spaces around ignored: 1 for true, yes,
 * y, t, on, 1; 0 for false, no, n, f, off, 0; -1 for anything else.
 */
int clean_bool(const char *s, size_t len);

/*
 * The missing-value spellings used when --missing is not given, in one
 * comma-separated string (the man page lists the same).  Matching is exact
 * and case-sensitive, after spaces and tabs around the field are trimmed;
 * a field that is empty after trimming is always missing.
 */
#define CLEAN_MISSING_DEFAULT "NA,N/A,n/a,na,#N/A,null,NULL,Null,NaN,nan,None,none,-"

/* ---- options, by column name ---- */

enum clean_type {
	CLEAN_TEXT = 0,   /* kept as it is, apart from missing spellings */
	CLEAN_TRIM,       /* text, spaces and tabs at both ends removed (--text) */
	CLEAN_NUM,        /* clean_num, written by num_format */
	CLEAN_INT,        /* clean_int, exact digits */
	CLEAN_DATE,       /* date_parse, written YYYY-MM-DD */
	CLEAN_BOOL        /* clean_bool, written 1 or 0 */
};

enum clean_fill {
	CLEAN_FILL_NONE = 0,
	CLEAN_FILL_VALUE,     /* a constant, normalised to the column's type */
	CLEAN_FILL_MEAN,      /* numeric columns only */
	CLEAN_FILL_MEDIAN,    /* numeric columns only */
	CLEAN_FILL_MODE       /* any column: the most frequent value */
};

/* Which option clean_opts_set is given. */
enum clean_opt {
	CLEAN_OPT_TEXT, CLEAN_OPT_NUM, CLEAN_OPT_INT, CLEAN_OPT_DATE, CLEAN_OPT_BOOL, CLEAN_OPT_PERCENT,
	CLEAN_OPT_SPEC, CLEAN_OPT_DECIMAL_COMMA, CLEAN_OPT_DATE_ORDER, CLEAN_OPT_MISSING,
	CLEAN_OPT_BAD_TO_MISSING, CLEAN_OPT_DROP_MISSING, CLEAN_OPT_FILL, CLEAN_OPT_RANGE,
	CLEAN_OPT_CLIP, CLEAN_OPT_WINSORIZE, CLEAN_OPT_DEDUPE, CLEAN_OPT_DEDUPE_KEY,
	CLEAN_OPT_PAD, CLEAN_OPT_KEEP, CLEAN_OPT_DROP, CLEAN_OPT_RENAME
};

struct clean_opts;   /* opaque */

/* A new, empty set of options; NULL when out of memory. */
struct clean_opts *clean_opts_new(void);
void clean_opts_free(struct clean_opts *o);   /* NULL is fine */

/*
 * Record one option (arg is NULL for the flags: DECIMAL_COMMA,
 * BAD_TO_MISSING, DEDUPE, PAD).  Checks what the argument alone can tell
 * (a bad LO:HI, a quantile outside [0, 1], an unknown --date-order, a
 * spec file that cannot be read or has a bad line).  Returns 0, or -1 with
 * d filled (d->what says why; for a spec file, d->file and d->line say
 * where).
 */
int clean_opts_set(struct clean_opts *o, enum clean_opt which, const char *arg,
    struct diag *d);

/*
 * After the last option: checks between options (a column given two
 * types; --range, --clip, --winsorize, --fill mean|median on a column that
 * is not --num or --int; a --fill VALUE that is not of the column's type;
 * --keep with --drop).  Normalises --fill constants.  Returns 0, or -1 with
 * d filled (d->column names the column).
 */
int clean_opts_check(struct clean_opts *o, struct diag *d);

/* 1 if some option needs a statistic of a whole column (a second pass). */
int clean_opts_need_stats(const struct clean_opts *o);

/* ---- the cleaner ---- */

struct clean;   /* opaque */

/*
 * A cleaner for the input r (its header; the name for messages), with the
 * checked options o (which must outlive the cleaner).  Every column named
 * in o must be in the header (d lists the available ones otherwise);
 * renames must not make two output columns with the same name.  Returns
 * NULL with d filled.
 */
struct clean *clean_new(const struct clean_opts *o, const struct csvio_reader *r,
    struct diag *d);
void clean_free(struct clean *c);   /* NULL is fine */

/* The output header (kept columns, renamed), valid as long as c. */
const struct csvio_row *clean_header(const struct clean *c);

/*
 * First pass, when clean_opts_need_stats: run the row through the steps
 * before the fill (shape, missing, types, range, clip) and keep the values
 * the statistics need from the rows that survive.  Returns 0, or -1 when
 * out of memory (d filled).
 */
int clean_stats_row(struct clean *c, const struct csvio_row *row, struct diag *d);

/*
 * End of the first pass: compute the winsorizing limits and the fill
 * values.  Returns 0, or -1 with d filled (a column with no value to
 * compute a statistic from).  Memory of the first pass is released.
 */
int clean_stats_finish(struct clean *c, struct diag *d);

enum clean_result {
	CLEAN_ROW_OUT = 0,   /* *out is the cleaned row: write it */
	CLEAN_ROW_BAD,       /* bad data (shape, value, range): reject; d says why */
	CLEAN_ROW_DROP,      /* removed on request (--drop-missing, duplicates); d says why */
	CLEAN_ROW_ERROR      /* out of memory; d says so */
};

/*
 * Clean one row.  On CLEAN_ROW_OUT, *out holds the output fields (owned by
 * c, valid until the next call; out->line is the input line).  Otherwise d
 * is filled with the column, the value and the reason (no file or line:
 * the caller knows them).
 */
/*
 * A hint, with no effect on results: with --dedupe-key, fetch into the
 * cache the key-table slot that row (a row still to come, see csvio_peek)
 * will probe, so that the probe does not wait for memory.  Returns at once
 * otherwise.  clean_prefetches says whether calling it is worth it.
 */
void clean_prefetch(const struct clean *c, const struct csvio_row *row);
int clean_prefetches(const struct clean *c);

enum clean_result clean_row(struct clean *c, const struct csvio_row *in,
    struct csvio_row *out, struct diag *d);

/* Counts for the verbose summary: values made missing by --bad-to-missing; values filled. */
unsigned long long clean_n_bad_to_missing(const struct clean *c);
unsigned long long clean_n_filled(const struct clean *c);

#endif
