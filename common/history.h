/*
 * history.h - what a customer's or an item's past says, computed once from
 * a history file and kept as a table: key -> the values of the new columns.
 *
 * Aggregates (--agg, comma-separated), per value of the key column:
 *
 *     count       hist_count      rows of the key
 *     sum:COL     hist_sum_COL    sum of COL's numbers (missing ones skipped),
 *                                 exactly rounded whatever their order
 *     mean:COL    hist_mean_COL   their mean (empty when there are none)
 *     min:COL     hist_min_COL    the smallest
 *     max:COL     hist_max_COL    the largest
 *     last:COL    hist_last_COL   COL on the key's latest row by date (ties:
 *                                 the later row); a date column is written ISO
 *     recency     hist_recency    days from the key's latest date to asof
 *
 * COL may be a product or a ratio of two columns, A*B or A/B (no value
 * when either is missing or B is 0): mean:paid/list_price.  Any aggregate
 * may end in a condition, ?FLAG (rows where FLAG is a number other than
 * 0) or ?COL=VALUE (rows where COL's text is VALUE); only those rows count
 * for it: count?coupon, sum:amount?coupon, recency?bought.  The column is
 * named hist_KIND[_COL[_times_|_per_B]][_if_FLAG[_is_VALUE]].
 *
 * A key absent from the history gets count 0 and every sum 0.  Means,
 * min, max, last and recency have no value for it (nor for a key none of
 * whose rows counts), unless --cold-start gives one (cold: "empty",
 * "population", or NAME=VALUE,... with VALUE a number, a text for last:,
 * or "population"): the population value is the aggregate over all the
 * history's rows taken as one key.
 * With a date column, rows dated after asof are ignored: they are the
 * future as seen from "today".
 *
 * Missing values: the history is read as csv says, so NA is missing, like
 * an empty field, unless --keep-na (csvio_opts.na_missing).  A missing
 * number is skipped by the aggregate that reads it (the row still counts
 * for count and for the others); a missing flag does not meet its
 * condition; a row with a missing item or price gives no reference price.
 * A missing date: the row has no day (it counts, but not for last: and
 * recency); under point in time, every history row needs a date.
 *
 * The reference price of an item is the mean or the median of its prices
 * in the window of days (asof - window, asof] (all rows up to asof when
 * window is 0).
 *
 * Both are returned as JSON "lookup" transforms that features.c stores in
 * the state and replays without the history file:
 *
 *     {"type": ..., "key": COL, "columns": [names], "default": [values],
 *      "keys": {KEY: [values], ...}}   (keys in byte order)
 */
#ifndef PR_HISTORY_H
#define PR_HISTORY_H

#include <jansson.h>

#include "diag.h"
#include "source.h"

/* No asof: a day number no date reaches. */
#define HIST_NO_DAY (-2147483647L - 1)

/*
 * Check an --agg list and a --cold-start list (cold may be NULL) without
 * reading anything.  Returns 0, or -1 with d filled (what and value) for
 * an unknown or malformed item.
 */
int hist_check_aggs(const char *agg, const char *cold, struct diag *d);

/*
 * The latest date in column date_col of the history src (read once more
 * from its start).  Returns 1 with
 * *day set, 0 when the file has no such column or no dates, -1 with d
 * filled on a read error or a bad date.
 */
int hist_max_day(struct source *src, const struct csvio_opts *csv, const char *date_col, long *day,
    struct diag *d);

/*
 * Two fits of a history, by accumulators:
 *
 * hist_acc: aggregate the history by key.  asof is a day number (or
 * HIST_NO_DAY); date_col names the date column, which must exist when
 * last: or recency is asked for.  hist_acc_state returns a new JSON
 * transform of type "history".
 *
 * hist_ref_acc: the reference price per item (column item) from column
 * price, over window days before asof (0: all), as the median (median !=
 * 0) or the mean.  hist_ref_acc_state returns a new JSON transform of type
 * "ref_price".
 *
 * Both work in steps, so that a history can be read in parts (shards of
 * its rows, in any split) on several machines: an accumulator learns from
 * history rows (_read) or from what another accumulator learnt (_part,
 * written as JSON, then _merge), and _state writes the transform.  Parts
 * merged in the order of the shards give the bits one read of the whole
 * history gives: counts and exact sums add, min and max keep the earlier
 * part's on a tie, last:COL and recency the later part's (as the later
 * row's), reference prices keep every price (with its day when a window
 * applies) until _state, where the window, the median or the mean are
 * taken.  pit (point in time, --asof-col): every row needs a date, and
 * the state is the table for a row dated asof, from the rows dated before
 * it (as hist_pit_run writes it), the window [asof - window, asof).
 * asof given to _read drops the rows after it; with no --asof, a
 * part reads with its own latest date (which drops nothing) and _state
 * gets the latest date of all the parts.
 *
 * _new returns NULL with d filled (an unknown aggregate, memory); _read
 * (one pass over src from its start) and _merge return 0, or -1 with d
 * filled (name: the part, for "bad part" messages); _state returns the
 * transform, or NULL with d filled ("no
 * dates to take asof from" when recency or a window needs one); _part
 * returns a new JSON object, or NULL when out of memory.
 */
struct hist_acc;
struct hist_acc *hist_acc_new(const char *key, const char *agg, const char *cold,
    const char *date_col, int pit, struct diag *d);
int hist_acc_read(struct hist_acc *h, struct source *src, const struct csvio_opts *csv, long asof,
    struct diag *d);
json_t *hist_acc_part(const struct hist_acc *h);
int hist_acc_merge(struct hist_acc *h, const json_t *part, const char *name, struct diag *d);
json_t *hist_acc_state(const struct hist_acc *h, long asof, struct diag *d);
void hist_acc_free(struct hist_acc *h);

struct hist_ref_acc;
struct hist_ref_acc *hist_ref_acc_new(const char *item, const char *price, const char *date_col,
    long window, int median, int pit, struct diag *d);
int hist_ref_acc_read(struct hist_ref_acc *h, struct source *src, const struct csvio_opts *csv,
    long asof, struct diag *d);
json_t *hist_ref_acc_part(const struct hist_ref_acc *h);
int hist_ref_acc_merge(struct hist_ref_acc *h, const json_t *part, const char *name,
    struct diag *d);
json_t *hist_ref_acc_state(const struct hist_ref_acc *h, long asof, struct diag *d);
void hist_ref_acc_free(struct hist_ref_acc *h);

/*
 * Point in time (--asof-col): the features of a row dated t use only the
 * history rows dated strictly before t -- the history as the row's own day
 * began -- and a reference price the --window days before t, [t - window,
 * t).  recency is t minus the key's latest date.  The history is read once
 * into memory and sorted by date (rows of one day keep their file order);
 * one sweep over it answers every row, with the running aggregates of each
 * key, and for reference prices each item's prices in the window (a
 * Fenwick tree over its distinct prices for the median, an exactly rounded
 * sum for the mean): O((n + m) log n) for n history rows and m rows.
 * Every history row needs a date.
 */
struct hist_pit;   /* opaque */

/*
 * Read the history src (one pass) for the aggregates agg by key (as
 * hist_acc).  Returns NULL with d filled (a missing column, a history row
 * without a date or with a bad number or date).  Free with hist_pit_free.
 */
struct hist_pit *hist_pit_aggs(struct source *src, const struct csvio_opts *csv, const char *key,
    const char *agg, const char *cold, const char *date_col, struct diag *d);

/* Likewise for the reference price of item (as hist_ref_acc; window 0: all days before). */
struct hist_pit *hist_pit_ref(struct source *src, const struct csvio_opts *csv, const char *item,
    const char *price, const char *date_col, long window, int median, struct diag *d);

void hist_pit_free(struct hist_pit *p);

/* 1 with *day the latest date in the history, 0 when it has no rows. */
int hist_pit_last_day(const struct hist_pit *p, long *day);

/* The history's index of key s[0..len), or -1 when the history never has it. */
long hist_pit_key(const struct hist_pit *p, const char *s, size_t len);

/* The answers for each row: texts of the new fields. */
#define HIST_ROW_NONE ((size_t)-1)
struct hist_rows {
	char *text;               /* the fields of each answered row, each NUL-terminated */
	size_t len, cap;
	size_t *off;              /* n: where row q's first field starts in text, or
	                           * HIST_ROW_NONE: a row skipped (no day) */
	unsigned char *cold;      /* n: 1 when row q's key had no history before its date
	                           * (its fields are then the --cold-start defaults) */
	size_t n;
};

/*
 * Answer nq rows: row q has key qkey[q] (hist_pit_key; -1 for a key the
 * history lacks) and day qday[q] (HIST_NO_DAY: skip it).  Fills rows (free
 * with hist_rows_fini) and returns the state's transform (as hist_acc_state or
 * hist_ref_acc_state give) for rows dated asof, or NULL with d filled.  Call once.
 */
json_t *hist_pit_run(struct hist_pit *p, const long *qkey, const long *qday, size_t nq,
    long asof, struct hist_rows *rows, struct diag *d);

void hist_rows_fini(struct hist_rows *rows);

/*
 * A lookup table (a join): every column of the file at path but key, by
 * key, as a JSON transform of type "lookup" with the texts as they are
 * ("file": path, "unmatched": "reject" when reject, else "empty").  Returns
 * NULL with d filled: no such column, a file with no other column, a key
 * repeated, a row of the wrong width.
 */
json_t *hist_lookup_fit(const char *path, const struct csvio_opts *csv, const char *key, int reject,
    struct diag *d);

#endif
