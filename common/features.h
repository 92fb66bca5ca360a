/*
 * features.h - the price-independent features of pr-features: fitted once
 * on a history, saved as a JSON state, and replayed exactly on other data.
 *
 * Fitting is two passes over the input: feat_fit_row sees every row (the
 * statistics need the whole input: means, standard deviations, quantiles,
 * levels, target means), feat_fit_state turns what was learnt into the
 * state document, and the caller then applies that document (read back
 * with feat_load_json) to the input again.  Because fitting transforms its
 * input with the very document it saved, applying the saved state to the
 * same input gives the same bytes -- except with asof_col (point in time),
 * where feat_state_take_rows hands the second pass each row's own history
 * fields, and the state's table is the one for rows dated its asof.
 *
 * Applying (feat_load, feat_bind, feat_apply_row) streams: each row is
 * parsed, looked up and written without allocating.
 *
 * Output: every input column in order, then the new columns, transform
 * by transform in the order they were asked for:
 *
 *     zscore COL        COL_z         (x - mean) / sd    (sd with n - 1; 0 when sd is 0)
 *     minmax COL        COL_minmax    (x - min) / (max - min)   (0 when max = min)
 *     log1p COL         COL_log1p     log(1 + x)  (x <= -1 rejects the row)
 *     bins COL=K        COL_bin       1..K, quantile bins (see feat_bin_of)
 *     clipz COL=K       COL_clip      x clipped to mean -+ K sd
 *     onehot COL        COL_LEVEL...  0/1 per level (byte order), COL_other with min_count
 *     target COL=Y      COL_te        (sum_y + m prior) / (n + m)
 *     date COL          COL_dow COL_month COL_doy COL_isoweek COL_weekend
 *                       [COL_days_to_holiday]
 *     history KEY       hist_count, hist_sum_X, hist_mean_X, ... (see history.h)
 *     ref_price ITEM    ref_price
 *     cf USER,ITEM      cf_score (see cf.h)
 *     lookup KEY        every column of the lookup file but KEY (see history.h)
 */
#ifndef PR_FEATURES_H
#define PR_FEATURES_H

#include <jansson.h>

#include "csvio.h"
#include "diag.h"

#define FEAT_FORMAT  "pr-features-state"
#define FEAT_VERSION 1
#define FEAT_PART_FORMAT  "pr-features-part"
#define FEAT_PART_VERSION 1

enum feat_kind {
	FEAT_ZSCORE,
	FEAT_MINMAX,
	FEAT_LOG1P,
	FEAT_BINS,
	FEAT_CLIPZ,
	FEAT_ONEHOT,
	FEAT_TARGET,
	FEAT_DATE,
	FEAT_HISTORY,
	FEAT_REFPRICE,
	FEAT_CF,
	FEAT_LOOKUP,
	FEAT_NKINDS             /* the number of kinds */
};

/* One transformation asked for on the command line (strings are borrowed). */
struct feat_spec {
	enum feat_kind kind;
	const char *col;        /* the input column (history, lookup: key; ref_price: item; cf: user) */
	const char *arg;        /* target-mean: the target column; cf: the item column;
	                         * lookup: the file */
	double k;               /* bins: number of bins (>= 2); clipz: K (> 0) */
};

/* Everything fitting needs besides the input (strings are borrowed). */
struct feat_config {
	const struct feat_spec *spec;
	size_t nspec;
	int missing_as_mean;    /* 1: a missing number is replaced by the fitted mean */
	double smoothing;       /* target-mean m (>= 0) */
	long min_count;         /* onehot: levels seen fewer times go to "other"; 0: no folding */
	const char *asof;       /* "today" as a date, or NULL (then the history's last date) */
	const char *asof_col;   /* point in time: the input's date column, or NULL */
	const char *holidays;   /* file of holiday dates, or NULL */
	const char *history;    /* history file, or NULL */
	const char *agg;        /* history aggregates ("count,sum:amount,...") */
	const char *cold;       /* history values for keys without history, or NULL (see history.h) */
	const char *history_date; /* the history's date column */
	long window;            /* ref_price: days back from asof; 0: all */
	int lookup_reject;      /* lookup: a key without a match rejects the row (else empty) */
	int ref_median;         /* ref_price: 1 median, 0 mean */
	const char *cf;         /* purchase file for cf, or NULL */
	long cf_k;              /* neighbours per item (or customer) */
	int cf_mode;            /* enum cf_mode: CF_ITEM or CF_USER */
	const char *cf_rating;  /* the purchases' rating column, or NULL */
	unsigned char delim;    /* delimiter of the side files (history, cf, holidays, lookup) */
	int keep_na;            /* NA in the side files is text, not a missing value (--keep-na) */
	int map;                /* fitting for a part (feat_fit_part): point in time keeps the
	                         * history's aggregates, not each row's */
};

struct feat_fit;     /* opaque: fitting in progress */
struct feat_state;   /* opaque: a loaded state */

/*
 * Start fitting cfg: reads the side files it names (holidays, history, cf)
 * now.  Returns NULL with d filled on failure (unreadable or bad side
 * file, unknown aggregate).  Free with feat_fit_free.
 */
struct feat_fit *feat_fit_new(const struct feat_config *cfg, struct diag *d);
void feat_fit_free(struct feat_fit *f);

/* Resolve the columns of f against r's header.  Returns 0, or -1 with d filled. */
int feat_fit_bind(struct feat_fit *f, const struct csvio_reader *r, struct diag *d);

/*
 * Learn from one row (first pass).  Returns 0, or -1 with d filled (column,
 * reason, value; no file or line) when the row would be rejected: it is
 * then not learnt from, and the second pass rejects it the same way.
 */
int feat_fit_row(struct feat_fit *f, const struct csvio_row *row, struct diag *d);

/*
 * The fitted state document (format, version, options, transforms), a new
 * reference owned by the caller.  Returns NULL with d filled when out of
 * memory.
 */
json_t *feat_fit_state(struct feat_fit *f, struct diag *d);

/*
 * Fitting on shards (map/reduce).  A part is what a fit learnt from one
 * shard of the input and one shard of each side file (--history, --cf),
 * before anything is turned into a state: counts, exact sums of the values
 * and of their squares (xsum.h), min and max, every value of a --bins
 * column (sorted), each level's count and exact target sum, the history's
 * aggregates by key (history.h) and the cf cells (cf.h); with the spec
 * (the options, the holidays and lookup tables, which each part reads
 * whole).  Merging the parts of the shards of an input, in the order of
 * the shards, and writing the state gives the bytes feat_fit_state gives
 * on the whole input: every statistic is exact, so neither the split nor
 * the machine changes a bit.
 *
 * feat_fit_part: the part of f (after feat_fit_row on the shard's rows), a
 * new reference: {"format": FEAT_PART_FORMAT, "version", "spec", "rows",
 * "history_last", "transforms": [...]}; NULL with d filled when out of
 * memory.
 * feat_fit_from_part: an empty fit with part's spec (the first part), to
 * merge every part into, first included; NULL with d filled (name: the
 * part, for the message) when the part is not one.
 * feat_fit_merge: add part (named name) to f; a part of another spec fails
 * ("not a part of the same fit as FIRST (... differs)").  0, or -1 with d
 * filled.  Point in time (asof_col): a part (cfg->map) keeps the history
 * as aggregates, so the merged state is the table for rows dated asof, as
 * --fit writes it; each row's own features need --fit on the whole.
 * feat_fit_rows: the data rows seen, merged parts' included.
 */
json_t *feat_fit_part(struct feat_fit *f, struct diag *d);
struct feat_fit *feat_fit_from_part(const json_t *part, const char *name, struct diag *d);
int feat_fit_merge(struct feat_fit *f, const json_t *part, const char *name, const char *first,
    struct diag *d);
unsigned long long feat_fit_rows(const struct feat_fit *f);

/*
 * Read a state document.  name is used in messages (the state file's
 * path).  Checks the format name and version and every field.  Returns
 * NULL with d filled.  Free with feat_free.
 */
struct feat_state *feat_load_json(const json_t *doc, const char *name, struct diag *d);

/* feat_load_json on the file at path. */
struct feat_state *feat_load(const char *path, struct diag *d);

void feat_free(struct feat_state *st);

/*
 * Point in time (asof_col): hand st, loaded from f's state document, the
 * history fields f computed for each fitted row from the history before the
 * row's own date, so that applying st to the fitted input (again, row for
 * row, in the same order) writes those instead of the state's table, which
 * is for rows dated the state's asof.  Nothing to do without asof_col.
 * Returns 0, or -1 with d filled.
 */
int feat_state_take_rows(struct feat_state *st, struct feat_fit *f, struct diag *d);

/*
 * Resolve the state's columns against r's header; fails when one is
 * missing or when a column the state would add is already in the input.
 * Returns 0, or -1 with d filled.
 */
int feat_bind(struct feat_state *st, const struct csvio_reader *r, struct diag *d);

/* Write the output header: the input's columns, then the new ones; no row end. */
void feat_put_header(const struct feat_state *st, struct csvio_writer *w,
    const struct csvio_row *header);

/*
 * Transform one row: write its fields and the new ones to w and end the
 * row.  Returns 0, or -1 with d filled (column, reason, value) and nothing
 * written when the row must be rejected (wrong field count, a number or a
 * date that does not parse, log1p of a value <= -1).  Does not allocate.
 */
int feat_apply_row(struct feat_state *st, const struct csvio_row *row, struct csvio_writer *w,
    struct diag *d);

/*
 * The notes on what apply did to unusual values (missing values, unseen
 * levels, keys without history, values outside the fitted range), one at a
 * time: start with *iter = 0; each call writes one note into buf (e.g.
 * `3 unseen levels in column "segment" (set to other)`) and returns 1, or
 * returns 0 when there are no more.
 */
int feat_note(const struct feat_state *st, size_t *iter, char *buf, size_t size);

/*
 * Bin of x given the K-1 sorted cut points cut[0..ncut): 1 + the number of
 * cut points strictly below x, so bins are closed on the right (x equal to
 * a cut point falls in the lower bin) as R's cut(right = TRUE), and a value
 * below all the cuts is bin 1, above all of them bin K.
 */
long feat_bin_of(const double *cut, size_t ncut, double x);

#endif
