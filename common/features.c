/* features.c - see features.h. */
#include "features.h"
#include "cf.h"
#include "date.h"
#include "field.h"
#include "history.h"
#include "jsonfile.h"
#include "num.h"
#include "source.h"
#include "stats.h"
#include "strtab.h"
#include "xsum.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Formatting a double as the shortest text that reads back (num_format)
 * is the costliest step of a transformed field, and prices, quantities and
 * costs take few distinct values.
 * So each numeric transformation remembers its last results, direct-mapped
 * by the input field's text: a field seen before is neither parsed nor
 * formatted again, and gives the same text as the first time.
 */
#define NUMCACHE_BITS 14
#define NUMCACHE_KEY  16          /* longer fields are not cached */

struct numcache_entry {       /* 48 bytes */
	char in[NUMCACHE_KEY];    /* the field, NUL-padded; all NUL: an empty slot */
	double x;                 /* its value */
	char out[24];             /* the result, NUL-padded */
};

struct numcache {
	struct numcache_entry e[1 << NUMCACHE_BITS];
};

static struct numcache_entry *
numcache_slot(struct numcache *c, const char *s, size_t len)
{
	return &c->e[strtab_hash(s, len) >> (64 - NUMCACHE_BITS)];
}

/* The entry for field s[0..len) when it is cached, else NULL. */
static struct numcache_entry *
numcache_find(struct numcache *c, const char *s, size_t len)
{
	struct numcache_entry *e;

	if (c == NULL || len == 0 || len > NUMCACHE_KEY)
		return NULL;
	/*
	 * The key NUL-padded to 16 bytes, compared as two words: a memcmp call
	 * per field was 15% of an --apply.
	 */
	{
		char key[NUMCACHE_KEY] = { 0 };
		uint64_t a[2], b[2];
		memcpy(key, s, len);
		e = numcache_slot(c, s, len);
		memcpy(a, key, sizeof a);
		memcpy(b, e->in, sizeof b);
		if (a[0] == b[0] && a[1] == b[1])
			return e;
	}
	return NULL;
}

/* One transformation: its columns, what was fitted, and per-row scratch. */
struct tr {
	enum feat_kind kind;
	char *col, *arg;          /* owned */
	long idx, idx2;           /* bound input columns */
	double k;

	/* fitted (numeric) */
	int has_mean;             /* 0: the column had no numbers at fit */
	double n, mean, sd, min, max, low, high;
	double *cut;
	size_t ncut;

	/* fitted (categorical, lookups) */
	struct strtab *levels;    /* onehot and target levels; history/ref keys */
	int other;                /* onehot: a COL_other column */
	double *te;               /* target: value per level */
	double prior, smoothing;
	int holidays;             /* date: add COL_days_to_holiday */
	char **names;             /* lookup: new column names */
	size_t nnames;
	char **text;              /* lookup: nkeys x nnames field texts */
	char **dflt;              /* lookup: nnames texts for an unseen key */
	const char *unseen_says;  /* lookup: what an unseen key gets, for the note */
	int reject_unseen;        /* lookup: a key without a match rejects the row */
	char *names_from;         /* lookup: the file, for the note; owned */
	struct cf *cf;
	struct numcache *cache;   /* numeric: formatted results by input value */
	struct hist_pit *pit;     /* history, ref_price with --asof-col: the history by date */
	long *row_key;            /* with pit: each fitted row's key in the history */
	struct hist_rows rows;    /* with --asof-col: each fitted row's own fields */
	int has_rows;

	/*
	 * Fitting accumulators, all of them mergeable from parts to the same
	 * bits: counts, exact sums (xsum.h), min and max, every value (bins),
	 * levels with their counts and exact target sums.
	 */
	double acc_n, acc_min, acc_max;
	struct xsum acc_s, acc_ss;    /* sum of the values and of their squares */
	double acc_mean, acc_var;     /* from them, at feat_fit_state */
	double *vals;
	size_t nvals, capvals;
	struct strtab *acc_lev;
	double *lev_n;
	struct xsum *lev_y;
	size_t lev_cap;
	double y_n;
	struct xsum y_sum;
	struct hist_acc *hacc;        /* history */
	struct hist_ref_acc *racc;    /* ref_price */
	struct cf_cells *cells;       /* cf */
	struct cf_opts cfo;           /* cf: rating owned */
	json_t *side;             /* lookup: read at feat_fit_new; history, ref_price, cf: the
	                           * state's object, once made */

	/* per-row scratch */
	struct numcache_entry *hit;   /* the field's cached result, or NULL */
	double x, y;
	int miss, ymiss;
	long lev, day;

	/* what apply did */
	unsigned long long n_missing, n_unseen, n_range, n_nohol;
};

struct feat_fit {
	struct tr *tr;
	size_t ntr;
	size_t ncols;
	int missing_as_mean;
	double smoothing;
	long min_count;
	long asof;                /* day number or HIST_NO_DAY */
	long *hol;                /* sorted holiday day numbers */
	size_t nhol;
	char *asof_col;           /* point in time: the rows' date column, or NULL */
	long asof_idx;
	long *row_day;            /* each row's day (HIST_NO_DAY: rejected) */
	size_t nrows, caprows;
	int asof_given;           /* asof came with the options (else: the history's last date) */
	long hist_last;           /* the history's last date, when asof was not given (parts) */
	json_t *spec;             /* the options and whole side tables (spec_json) */
	unsigned long long n_rows;   /* data rows seen (learnt from or not) */
};

struct feat_state {
	struct tr *tr;
	size_t ntr;
	size_t ncols;
	int missing_as_mean;
	long asof;
	long *hol;
	size_t nhol;
	char *asof_col;           /* with fitted rows: the rows' date column */
	long asof_idx;
	size_t row_at;            /* rows applied so far */
	char name[DIAG_FILE_MAX];
};

/*
 * What each kind of transformation does at each step, one row per kind:
 * how it saves what was fitted, reads it back, names its new columns and
 * writes them for a row.
 */
typedef int save_fn(struct feat_fit *, struct tr *, json_t *, struct diag *);
typedef int load_fn(struct tr *, const json_t *, const char *, size_t, struct diag *);
typedef int names_fn(const struct tr *, int (*)(void *, const char *, size_t), void *);
typedef void put_fn(struct feat_state *, struct tr *, const struct csvio_row *, double, size_t,
    struct csvio_writer *);

struct tr_ops {
	const char *name;         /* "type" in the state */
	const char *col_member;   /* the state member naming the input column */
	int numeric;              /* reads a number: n, mean, missing values, the cache */
	const char *suffix;       /* the new column is COL + suffix (names_suffix) */
	save_fn *save;            /* NULL: fitted from a side file (side_json) */
	load_fn *load;
	names_fn *names;
	put_fn *put;              /* numeric kinds get x, the value or the mean for a missing one */
};

static save_fn save_zscore, save_minmax, save_nothing, save_bins, save_clipz, save_levels,
    save_date;
static load_fn load_zscore, load_minmax, load_nothing, load_bins, load_clipz, load_onehot,
    load_target, load_date, load_lookup, load_join, load_cf;
static names_fn names_suffix, names_onehot, names_date, names_table, names_cf;
static put_fn put_scaled, put_log1p, put_bins, put_clipz, put_onehot_tr, put_target, put_date_tr,
    put_table, put_cf;

static const struct tr_ops tr_ops[FEAT_NKINDS] = {
	[FEAT_ZSCORE] = { "zscore", "column", 1, "_z", save_zscore, load_zscore, names_suffix,
	    put_scaled },
	[FEAT_MINMAX] = { "minmax", "column", 1, "_minmax", save_minmax, load_minmax, names_suffix,
	    put_scaled },
	[FEAT_LOG1P] = { "log1p", "column", 1, "_log1p", save_nothing, load_nothing, names_suffix,
	    put_log1p },
	[FEAT_BINS] = { "bins", "column", 1, "_bin", save_bins, load_bins, names_suffix, put_bins },
	[FEAT_CLIPZ] = { "clip_z", "column", 1, "_clip", save_clipz, load_clipz, names_suffix,
	    put_clipz },
	[FEAT_ONEHOT] = { "onehot", "column", 0, NULL, save_levels, load_onehot, names_onehot,
	    put_onehot_tr },
	[FEAT_TARGET] = { "target_mean", "column", 0, "_te", save_levels, load_target, names_suffix,
	    put_target },
	[FEAT_DATE] = { "date", "column", 0, NULL, save_date, load_date, names_date, put_date_tr },
	[FEAT_HISTORY] = { "history", "key", 0, NULL, NULL, load_lookup, names_table, put_table },
	[FEAT_REFPRICE] = { "ref_price", "key", 0, NULL, NULL, load_lookup, names_table, put_table },
	[FEAT_CF] = { "cf", "user", 0, NULL, NULL, load_cf, names_cf, put_cf },
	[FEAT_LOOKUP] = { "lookup", "key", 0, NULL, NULL, load_join, names_table, put_table },
};

static const char *const date_suffix[] = {
	"_dow", "_month", "_doy", "_isoweek", "_weekend", "_days_to_holiday"
};

static void
tr_fini(struct tr *t)
{
	size_t i, nkeys;

	nkeys = t->levels ? strtab_n(t->levels) : 0;
	if (t->text != NULL)
		for (i = 0; i < nkeys * t->nnames; i++)
			free(t->text[i]);
	if (t->dflt != NULL)
		for (i = 0; i < t->nnames; i++)
			free(t->dflt[i]);
	if (t->names != NULL)
		for (i = 0; i < t->nnames; i++)
			free(t->names[i]);
	free(t->text);
	free(t->names_from);
	free(t->dflt);
	free(t->names);
	free(t->col);
	free(t->arg);
	free(t->cut);
	free(t->te);
	free(t->vals);
	free(t->cache);
	free(t->lev_n);
	if (t->lev_y != NULL)
		for (i = 0; i < t->lev_cap; i++)
			xsum_fini(&t->lev_y[i]);
	free(t->lev_y);
	xsum_fini(&t->acc_s);
	xsum_fini(&t->acc_ss);
	xsum_fini(&t->y_sum);
	hist_acc_free(t->hacc);
	hist_ref_acc_free(t->racc);
	cf_cells_free(t->cells);
	free((char *)t->cfo.rating);
	strtab_free(t->levels);
	strtab_free(t->acc_lev);
	cf_free(t->cf);
	json_decref(t->side);
	hist_pit_free(t->pit);
	free(t->row_key);
	hist_rows_fini(&t->rows);
}

static int
oom(struct diag *d)
{
	return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
}

static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Holidays: a CSV file whose column "date" holds the dates, or a plain
 * list of dates, one per line (then the first line is a date too, not a
 * header).
 */
static int
read_holidays(const char *path, const struct csvio_opts *csv, long **out, size_t *nout,
    struct diag *d)
{
	struct csvio_reader *r = csvio_open_opts(path, csv, d);
	const struct csvio_row *h;
	struct csvio_row row;
	struct date dt;
	long col, *v = NULL, *nv;
	size_t n = 0, cap = 0, i, j;
	int got;
	enum date_status st;

	if (r == NULL)
		return -1;
	h = csvio_header(r);
	col = csvio_col(r, "date");
	if (col < 0) {
		col = 0;
		if (h->n > 0 && date_parse(h->f[0], h->len[0], DATE_ORDER_NONE, &dt) == DATE_OK) {
			if ((v = malloc(16 * sizeof *v)) == NULL)
				goto nomem;
			cap = 16;
			v[n++] = date_to_days(&dt);
		}
	}
	while ((got = csvio_next(r, &row, d)) > 0) {
		if ((size_t)col >= row.n)
			continue;
		st = date_parse(row.f[col], row.len[col], DATE_ORDER_NONE, &dt);
		if (st == DATE_EMPTY)
			continue;
		if (st != DATE_OK) {
			diag_set(d, path, row.line, NULL, row.f[col], row.len[col], "%s",
			    date_strerror(st));
			goto fail;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(v, cap * sizeof *v)) == NULL)
				goto nomem;
			v = nv;
		}
		v[n++] = date_to_days(&dt);
	}
	if (got < 0)
		goto fail;
	csvio_close(r);
	qsort(v, n, sizeof *v, cmp_long);
	for (i = j = 0; i < n; i++)
		if (j == 0 || v[j - 1] != v[i])
			v[j++] = v[i];
	*out = v;
	*nout = j;
	return 0;
nomem:
	oom(d);
fail:
	free(v);
	csvio_close(r);
	return -1;
}

/* ---- fitting ---- */

/*
 * What a fit is, apart from its data: the options and every side table
 * that is read whole (holidays, lookups), as one JSON object.  Parts whose
 * specs are equal merge; strings are copied.
 */
static json_t *
spec_json(const struct feat_config *cfg)
{
	json_t *o = json_object(), *trs = json_array(), *e;
	size_t i;

	if (o == NULL || trs == NULL) {
		json_decref(o);
		json_decref(trs);
		return NULL;
	}
	json_object_set_new(o, "missing_as", json_string(cfg->missing_as_mean ? "mean" : "empty"));
	json_object_set_new(o, "keep_na", json_boolean(cfg->keep_na));
	json_object_set_new(o, "smoothing", json_real(cfg->smoothing));
	json_object_set_new(o, "min_count", json_integer(cfg->min_count));
	json_object_set_new(o, "asof", cfg->asof != NULL ? json_string(cfg->asof) : json_null());
	json_object_set_new(o, "asof_col", cfg->asof_col != NULL ? json_string(cfg->asof_col) :
	    json_null());
	json_object_set_new(o, "holidays", cfg->holidays != NULL ? json_array() : json_null());
	json_object_set_new(o, "transforms", trs);
	for (i = 0; i < cfg->nspec; i++) {
		const struct feat_spec *sp = &cfg->spec[i];
		e = json_pack("{s:s, s:s, s:s?, s:f}", "type", tr_ops[sp->kind].name, "column", sp->col,
		    "arg", sp->arg, "k", sp->k);
		if (e == NULL || json_array_append_new(trs, e) < 0) {
			json_decref(o);
			return NULL;
		}
		if (sp->kind == FEAT_HISTORY) {
			json_object_set_new(e, "aggregates", json_string(cfg->agg));
			json_object_set_new(e, "cold_start", cfg->cold ? json_string(cfg->cold) :
			    json_null());
		}
		if (sp->kind == FEAT_HISTORY || sp->kind == FEAT_REFPRICE)
			json_object_set_new(e, "date_column", json_string(cfg->history_date));
		if (sp->kind == FEAT_REFPRICE) {
			json_object_set_new(e, "window", json_integer(cfg->window));
			json_object_set_new(e, "stat", json_string(cfg->ref_median ? "median" : "mean"));
		}
		if (sp->kind == FEAT_CF) {
			json_object_set_new(e, "mode", json_string(cfg->cf_mode == CF_USER ? "user" :
			    "item"));
			json_object_set_new(e, "neighbours", json_integer(cfg->cf_k));
			json_object_set_new(e, "rating", cfg->cf_rating ? json_string(cfg->cf_rating) :
			    json_null());
		}
		if (sp->kind == FEAT_LOOKUP)
			json_object_set_new(e, "unmatched", json_string(cfg->lookup_reject ? "reject" :
			    "empty"));
	}
	return o;
}

/*
 * A fit of cfg with nothing learnt yet: the transformations and their
 * empty accumulators; no file is read.  NULL with d filled.
 */
static struct feat_fit *
fit_alloc(const struct feat_config *cfg, struct diag *d)
{
	struct feat_fit *f = calloc(1, sizeof *f);
	struct date dt;
	size_t i;

	if (f == NULL) {
		oom(d);
		return NULL;
	}
	f->missing_as_mean = cfg->missing_as_mean;
	f->smoothing = cfg->smoothing;
	f->min_count = cfg->min_count;
	f->asof = HIST_NO_DAY;
	f->hist_last = HIST_NO_DAY;
	if ((f->spec = spec_json(cfg)) == NULL) {
		oom(d);
		goto fail;
	}
	if (cfg->asof_col != NULL && (f->asof_col = strdup(cfg->asof_col)) == NULL) {
		oom(d);
		goto fail;
	}
	if (cfg->asof != NULL) {
		if (date_parse(cfg->asof, strlen(cfg->asof), DATE_ORDER_NONE, &dt) != DATE_OK) {
			diag_set(d, NULL, 0, NULL, cfg->asof, strlen(cfg->asof), "--asof: not a date");
			goto fail;
		}
		f->asof = date_to_days(&dt);
		f->asof_given = 1;
	}
	f->tr = calloc(cfg->nspec ? cfg->nspec : 1, sizeof *f->tr);
	if (f->tr == NULL) {
		oom(d);
		goto fail;
	}
	for (i = 0; i < cfg->nspec; i++) {
		const struct feat_spec *s = &cfg->spec[i];
		struct tr *t = &f->tr[f->ntr++];
		t->kind = s->kind;
		t->k = s->k;
		t->col = strdup(s->col);
		t->arg = s->arg ? strdup(s->arg) : NULL;
		t->acc_min = HUGE_VAL;
		t->acc_max = -HUGE_VAL;
		t->holidays = cfg->holidays != NULL;
		if (t->col == NULL || (s->arg != NULL && t->arg == NULL)) {
			oom(d);
			goto fail;
		}
		if ((t->kind == FEAT_ONEHOT || t->kind == FEAT_TARGET) &&
		    (t->acc_lev = strtab_new()) == NULL) {
			oom(d);
			goto fail;
		}
		if (cfg->asof_col != NULL && !cfg->map &&
		    (t->kind == FEAT_HISTORY || t->kind == FEAT_REFPRICE))
			continue;     /* point in time: feat_fit_new reads the history its own way */
		if (t->kind == FEAT_HISTORY && (t->hacc = hist_acc_new(s->col, cfg->agg, cfg->cold,
		    cfg->history_date, cfg->asof_col != NULL, d)) == NULL)
			goto fail;
		if (t->kind == FEAT_REFPRICE && (t->racc = hist_ref_acc_new(s->col, s->arg,
		    cfg->history_date, cfg->window, cfg->ref_median, cfg->asof_col != NULL, d)) == NULL)
			goto fail;
		if (t->kind == FEAT_CF) {
			t->cfo.mode = cfg->cf_mode;
			t->cfo.k = cfg->cf_k;
			if (cfg->cf_rating != NULL && (t->cfo.rating = strdup(cfg->cf_rating)) == NULL) {
				oom(d);
				goto fail;
			}
			if ((t->cells = cf_cells_new(cfg->cf_rating != NULL, d)) == NULL)
				goto fail;
		}
	}
	return f;
fail:
	feat_fit_free(f);
	return NULL;
}

struct feat_fit *
feat_fit_new(const struct feat_config *cfg, struct diag *d)
{
	struct feat_fit *f = fit_alloc(cfg, d);
	struct source *hist = NULL;
	struct csvio_opts side;   /* the side files: the delimiter, NA as in the input */
	json_t *trs, *hol;
	char buf[DATE_BUFSZ];
	struct date dt;
	size_t i;
	long day;
	int got;

	if (f == NULL)
		return NULL;
	csvio_opts_init(&side, cfg->delim);
	side.na_missing = !cfg->keep_na;
	/* The history is read by several passes (its last date, each aggregate): one source. */
	if (cfg->history != NULL && (hist = source_open(cfg->history, d)) == NULL)
		goto fail;
	/* Point in time, "today" is the day after the history; a part's, the day after its own. */
	if (cfg->asof == NULL && cfg->history != NULL && (cfg->asof_col == NULL || cfg->map)) {
		got = hist_max_day(hist, &side, cfg->history_date, &day, d);
		if (got < 0)
			goto fail;
		if (got > 0) {
			f->hist_last = day;
			f->asof = cfg->asof_col != NULL ? day + 1 : day;
		}
	}
	if (cfg->holidays != NULL && read_holidays(cfg->holidays, &side, &f->hol, &f->nhol, d) < 0)
		goto fail;
	hol = json_object_get(f->spec, "holidays");
	for (i = 0; i < f->nhol; i++)
		if (date_from_days(f->hol[i], &dt) == 0) {
			date_format(&dt, buf);
			json_array_append_new(hol, json_string(buf));
		}
	trs = json_object_get(f->spec, "transforms");
	for (i = 0; i < cfg->nspec; i++) {
		const struct feat_spec *s = &cfg->spec[i];
		struct tr *t = &f->tr[i];
		if ((t->kind == FEAT_HISTORY || t->kind == FEAT_REFPRICE) && cfg->asof_col != NULL &&
		    !cfg->map) {
			t->pit = t->kind == FEAT_HISTORY ?
			    hist_pit_aggs(hist, &side, s->col, cfg->agg, cfg->cold, cfg->history_date, d) :
			    hist_pit_ref(hist, &side, s->col, s->arg, cfg->history_date, cfg->window,
			    cfg->ref_median, d);
			if (t->pit == NULL)
				goto fail;
			if (cfg->asof == NULL && hist_pit_last_day(t->pit, &day) &&
			    (f->asof == HIST_NO_DAY || day + 1 > f->asof))
				f->asof = day + 1;
		} else if (t->kind == FEAT_HISTORY) {
			if (hist_acc_read(t->hacc, hist, &side, f->asof, d) < 0)
				goto fail;
		} else if (t->kind == FEAT_REFPRICE) {
			if (hist_ref_acc_read(t->racc, hist, &side, f->asof, d) < 0)
				goto fail;
		} else if (t->kind == FEAT_LOOKUP) {
			t->side = hist_lookup_fit(s->arg, &side, s->col, cfg->lookup_reject, d);
			if (t->side == NULL)
				goto fail;
			/* Each part reads the whole table: it belongs to the spec. */
			json_object_set(json_array_get(trs, i), "table", t->side);
		} else if (t->kind == FEAT_CF) {
			struct csvio_reader *r = csvio_open_opts(cfg->cf, &side, d);
			if (r == NULL)
				goto fail;
			got = cf_cells_read(t->cells, r, s->col, s->arg, cfg->cf_rating, d);
			csvio_close(r);
			if (got < 0)
				goto fail;
		}
	}
	source_close(hist);
	return f;
fail:
	source_close(hist);
	feat_fit_free(f);
	return NULL;
}

void
feat_fit_free(struct feat_fit *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->ntr; i++)
		tr_fini(&f->tr[i]);
	free(f->tr);
	free(f->hol);
	free(f->asof_col);
	free(f->row_day);
	json_decref(f->spec);
	free(f);
}

/* Resolve t's input columns; fitting also needs the target column. */
static int
bind_tr(struct tr *t, const struct csvio_reader *r, int fitting, struct diag *d)
{
	t->idx = csvio_require_col(r, t->col, d);
	if (t->idx < 0)
		return -1;
	t->idx2 = -1;
	if ((t->kind == FEAT_TARGET && fitting) || t->kind == FEAT_CF) {
		t->idx2 = csvio_require_col(r, t->arg, d);
		if (t->idx2 < 0)
			return -1;
	}
	return 0;
}

int
feat_fit_bind(struct feat_fit *f, const struct csvio_reader *r, struct diag *d)
{
	size_t i;

	f->ncols = csvio_ncols(r);
	for (i = 0; i < f->ntr; i++)
		if (bind_tr(&f->tr[i], r, 1, d) < 0)
			return -1;
	if (f->asof_col != NULL && (f->asof_idx = csvio_require_col(r, f->asof_col, d)) < 0)
		return -1;
	return 0;
}

static int
is_numeric(enum feat_kind k)
{
	return tr_ops[k].numeric;
}

static int
check_count(const struct csvio_row *row, size_t ncols, struct diag *d)
{
	if (row->n == ncols)
		return 0;
	return diag_set(d, NULL, 0, NULL, NULL, 0, "%s fields (expected %zu)",
	    row->n > ncols ? "too many" : "too few", ncols);
}

/*
 * The first phase of a row, shared by fitting and applying: parse every
 * field a transform reads into its scratch, so that a row is rejected
 * before anything of it is written or learnt.
 */
static int
parse_row(struct tr *tr, size_t ntr, const struct csvio_row *row, int fitting, struct diag *d)
{
	struct date dt;
	enum date_status ds;
	size_t i;
	int k;

	for (i = 0; i < ntr; i++) {
		struct tr *t = &tr[i];
		const char *s = row->f[t->idx];
		size_t len = row->len[t->idx];

		if (is_numeric(t->kind)) {
			if ((t->hit = numcache_find(t->cache, s, len)) != NULL) {
				t->x = t->hit->x;
				t->miss = 0;
				continue;
			}
			if ((k = field_num(NULL, row, t->idx, t->col, 0, &t->x, d)) < 0)
				return -1;
			t->miss = k == 0;
			if (t->kind == FEAT_LOG1P && !t->miss && !(t->x > -1))
				return diag_set(d, NULL, 0, t->col, s, len,
				    "log1p needs a value above -1");
		} else if (t->kind == FEAT_DATE) {
			ds = date_parse(s, len, DATE_ORDER_NONE, &dt);
			t->miss = ds == DATE_EMPTY;
			if (ds != DATE_OK && ds != DATE_EMPTY)
				return diag_set(d, NULL, 0, t->col, s, len, "%s", date_strerror(ds));
			if (ds == DATE_OK)
				t->day = date_to_days(&dt);
		} else if (t->kind == FEAT_TARGET && fitting) {
			/*
			 * The target is read at fitting only, so it cannot reject a
			 * row (applying would keep it): a target that is not a
			 * number is not learnt from, like a missing one.
			 */
			if (num_parse(row->f[t->idx2], row->len[t->idx2], &t->y, 0) != NUM_OK)
				t->ymiss = 1;
			else
				t->ymiss = 0;
		}
	}
	return 0;
}

static int
push_val(struct tr *t, double x)
{
	if (t->nvals == t->capvals) {
		size_t cap = t->capvals ? t->capvals * 2 : 1024;
		double *v = realloc(t->vals, cap * sizeof *v);
		if (v == NULL)
			return -1;
		t->vals = v;
		t->capvals = cap;
	}
	t->vals[t->nvals++] = x;
	return 0;
}

/*
 * Level s[0..len) of t seen once more (with target y when has_y): its
 * index, or -1 when out of memory.  count: how many times (1 for a row).
 */
static long
count_level(struct tr *t, const char *s, size_t len, double count, double y, int has_y)
{
	long li = strtab_add(t->acc_lev, s, len);

	if (li < 0)
		return -1;
	if ((size_t)li >= t->lev_cap) {
		size_t cap = t->lev_cap ? t->lev_cap * 2 : 64;
		double *a = realloc(t->lev_n, cap * sizeof *a);
		struct xsum *b;
		if (a == NULL)
			return -1;
		t->lev_n = a;
		if ((b = realloc(t->lev_y, cap * sizeof *b)) == NULL)
			return -1;
		t->lev_y = b;
		memset(t->lev_n + t->lev_cap, 0, (cap - t->lev_cap) * sizeof *a);
		memset(t->lev_y + t->lev_cap, 0, (cap - t->lev_cap) * sizeof *b);
		t->lev_cap = cap;
	}
	if (has_y) {
		t->lev_n[li] += count;
		if (xsum_add(&t->lev_y[li], y) < 0)
			return -1;
	} else if (t->kind == FEAT_ONEHOT) {
		t->lev_n[li] += count;
	}
	return li;
}

/* The day of a row in the --asof-col column: 0 with *day, or -1 with d filled. */
static int
parse_asof(const struct csvio_row *row, long idx, const char *col, long *day, struct diag *d)
{
	struct date dt;
	enum date_status ds = date_parse(row->f[idx], row->len[idx], DATE_ORDER_NONE, &dt);

	if (ds == DATE_EMPTY)
		return diag_set(d, NULL, 0, col, NULL, 0,
		    "missing date (with --asof-col every row needs one)");
	if (ds != DATE_OK)
		return diag_set(d, NULL, 0, col, row->f[idx], row->len[idx], "%s", date_strerror(ds));
	*day = date_to_days(&dt);
	return 0;
}

/* Point in time: remember the row's day and its key in each history, for feat_fit_state. */
static int
fit_row_day(struct feat_fit *f, const struct csvio_row *row, int ok, struct diag *d)
{
	size_t i, n = f->nrows;
	long day = HIST_NO_DAY;

	if (n == f->caprows) {
		size_t cap = f->caprows ? f->caprows * 2 : 1024;
		long *v = realloc(f->row_day, cap * sizeof *v);
		if (v == NULL)
			return oom(d);
		f->row_day = v;
		for (i = 0; i < f->ntr; i++) {
			struct tr *t = &f->tr[i];
			if (t->pit == NULL)
				continue;
			if ((v = realloc(t->row_key, cap * sizeof *v)) == NULL)
				return oom(d);
			t->row_key = v;
		}
		f->caprows = cap;
	}
	f->nrows++;
	f->row_day[n] = HIST_NO_DAY;
	for (i = 0; i < f->ntr; i++)
		if (f->tr[i].pit != NULL)
			f->tr[i].row_key[n] = -1;
	if (!ok || parse_asof(row, f->asof_idx, f->asof_col, &day, d) < 0)
		return -1;
	f->row_day[n] = day;
	for (i = 0; i < f->ntr; i++) {
		struct tr *t = &f->tr[i];
		if (t->pit != NULL)
			t->row_key[n] = hist_pit_key(t->pit, row->f[t->idx], row->len[t->idx]);
	}
	return 0;
}

int
feat_fit_row(struct feat_fit *f, const struct csvio_row *row, struct diag *d)
{
	size_t i;
	int ok;

	f->n_rows++;
	ok = check_count(row, f->ncols, d) == 0 && parse_row(f->tr, f->ntr, row, 1, d) == 0;

	/* Every row takes its place, a rejected one too, so the second pass finds its own. */
	if (f->asof_col != NULL && fit_row_day(f, row, ok, d) < 0)
		return -1;
	if (!ok)
		return -1;
	for (i = 0; i < f->ntr; i++) {
		struct tr *t = &f->tr[i];
		const char *s = row->f[t->idx];
		size_t len = row->len[t->idx];

		if (is_numeric(t->kind) && !t->miss) {
			/* Exact sums: the same bits in one pass or in merged parts. */
			t->acc_n += 1;
			if (xsum_add(&t->acc_s, t->x) < 0 || xsum_add_prod(&t->acc_ss, t->x, t->x) < 0)
				return oom(d);
			if (t->x < t->acc_min)
				t->acc_min = t->x;
			if (t->x > t->acc_max)
				t->acc_max = t->x;
			if (t->kind == FEAT_BINS && push_val(t, t->x) < 0)
				return oom(d);
		} else if (t->kind == FEAT_ONEHOT && len > 0) {
			if (count_level(t, s, len, 1, 0, 0) < 0)
				return oom(d);
		} else if (t->kind == FEAT_TARGET) {
			if (!t->ymiss) {
				t->y_n += 1;
				if (xsum_add(&t->y_sum, t->y) < 0)
					return oom(d);
			}
			if (len > 0 && count_level(t, s, len, 1, t->y, !t->ymiss) < 0)
				return oom(d);
		}
	}
	return 0;
}

static json_t *
num_or_null(int ok, double x)
{
	return ok && isfinite(x) ? json_real(x) : json_null();
}

/* The sample standard deviation (n - 1) of what t has seen; 0 for fewer than 2 values. */
static double
fit_sd(const struct tr *t)
{
	return t->acc_n > 1 ? sqrt(t->acc_var) : 0;
}

/*
 * What each kind adds to its state object o (which has "type", "column"
 * and, for the numeric kinds, "n" and "mean" already): 0, or -1 with d
 * filled.
 */
static int
save_zscore(struct feat_fit *f, struct tr *t, json_t *o, struct diag *d)
{
	(void)f;
	(void)d;
	json_object_set_new(o, "sd", num_or_null(t->acc_n > 0, fit_sd(t)));
	return 0;
}

static int
save_minmax(struct feat_fit *f, struct tr *t, json_t *o, struct diag *d)
{
	(void)f;
	if (t->acc_n > 0 && !isfinite(t->acc_max - t->acc_min))
		return diag_set(d, NULL, 0, t->col, NULL, 0,
		    "values too large to fit (max - min overflows; rescale the column)");
	json_object_set_new(o, "min", num_or_null(t->acc_n > 0, t->acc_min));
	json_object_set_new(o, "max", num_or_null(t->acc_n > 0, t->acc_max));
	return 0;
}

static int
save_nothing(struct feat_fit *f, struct tr *t, json_t *o, struct diag *d)
{
	(void)f;
	(void)t;
	(void)o;
	(void)d;
	return 0;
}

static int
save_bins(struct feat_fit *f, struct tr *t, json_t *o, struct diag *d)
{
	json_t *a = json_array();
	size_t i;

	(void)f;
	if (a == NULL)
		return oom(d);
	json_object_set_new(o, "bins", json_integer((json_int_t)t->k));
	json_object_set_new(o, "min", num_or_null(t->acc_n > 0, t->acc_min));
	json_object_set_new(o, "max", num_or_null(t->acc_n > 0, t->acc_max));
	json_object_set_new(o, "cuts", a);
	if (t->nvals > 0) {
		qsort(t->vals, t->nvals, sizeof *t->vals, cmp_double);
		for (i = 1; i < (size_t)t->k; i++)
			json_array_append_new(a, json_real(stats_quantile7(t->vals, t->nvals,
			    (double)i / t->k)));
	}
	return 0;
}

static int
save_clipz(struct feat_fit *f, struct tr *t, json_t *o, struct diag *d)
{
	int has = t->acc_n > 0;
	double sd = fit_sd(t);

	(void)f;
	(void)d;
	json_object_set_new(o, "sd", num_or_null(has, sd));
	json_object_set_new(o, "k", json_real(t->k));
	json_object_set_new(o, "low", num_or_null(has, t->acc_mean - t->k * sd));
	json_object_set_new(o, "high", num_or_null(has, t->acc_mean + t->k * sd));
	return 0;
}

/* onehot and target_mean: the levels in byte order, with their counts (and means). */
static int
save_levels(struct feat_fit *f, struct tr *t, json_t *o, struct diag *d)
{
	size_t i, nlev = strtab_n(t->acc_lev), *order;
	json_t *a, *b, *c;
	double prior;

	if (t->kind == FEAT_TARGET && t->y_n == 0)
		return diag_set(d, NULL, 0, t->arg, NULL, 0, "no numbers to fit target means on");
	if ((order = malloc((nlev ? nlev : 1) * sizeof *order)) == NULL)
		return oom(d);
	strtab_sorted(t->acc_lev, order);
	a = json_array();
	b = json_array();
	c = json_array();
	if (a == NULL || b == NULL || c == NULL) {
		json_decref(a);
		json_decref(b);
		json_decref(c);
		free(order);
		return oom(d);
	}
	if (t->kind == FEAT_TARGET) {
		prior = xsum_value(&t->y_sum) / t->y_n;
		json_object_set_new(o, "target", json_string(t->arg));
		json_object_set_new(o, "smoothing", json_real(f->smoothing));
		json_object_set_new(o, "prior", json_real(prior));
		for (i = 0; i < nlev; i++) {
			size_t li = order[i];
			json_array_append_new(a, json_string(strtab_str(t->acc_lev, li, NULL)));
			json_array_append_new(b, json_integer((json_int_t)t->lev_n[li]));
			json_array_append_new(c, json_real((xsum_value(&t->lev_y[li]) + f->smoothing * prior) /
			    (t->lev_n[li] + f->smoothing)));
		}
		json_object_set_new(o, "levels", a);
		json_object_set_new(o, "n", b);
		json_object_set_new(o, "value", c);
	} else {
		json_object_set_new(o, "min_count", json_integer(f->min_count));
		json_object_set_new(o, "other", json_boolean(f->min_count > 0));
		for (i = 0; i < nlev; i++) {
			size_t li = order[i];
			if (t->lev_n[li] < (double)f->min_count) {
				json_array_append_new(c, json_string(strtab_str(t->acc_lev, li, NULL)));
				continue;
			}
			json_array_append_new(a, json_string(strtab_str(t->acc_lev, li, NULL)));
			json_array_append_new(b, json_integer((json_int_t)t->lev_n[li]));
		}
		json_object_set_new(o, "levels", a);
		json_object_set_new(o, "counts", b);
		json_object_set_new(o, "folded", c);
	}
	free(order);
	return 0;
}

static int
save_date(struct feat_fit *f, struct tr *t, json_t *o, struct diag *d)
{
	(void)f;
	(void)d;
	json_object_set_new(o, "holidays", json_boolean(t->holidays));
	return 0;
}

/*
 * The kinds fitted from a side file (history, ref_price, lookup, cf): a
 * lookup's object was built at feat_fit_new; the others' are made now,
 * from what was learnt (point in time also answers the fitted rows).  A new
 * reference, or NULL with d filled.
 */
static json_t *
side_json(struct feat_fit *f, struct tr *t, struct diag *d)
{
	struct cf *c;

	if (t->pit != NULL && t->side == NULL) {
		t->side = hist_pit_run(t->pit, t->row_key, f->row_day, f->nrows, f->asof, &t->rows, d);
		if (t->side == NULL)
			return NULL;
		t->has_rows = 1;
	}
	if (t->side == NULL && t->hacc != NULL && (t->side = hist_acc_state(t->hacc, f->asof, d)) == NULL)
		return NULL;
	if (t->side == NULL && t->racc != NULL &&
	    (t->side = hist_ref_acc_state(t->racc, f->asof, d)) == NULL)
		return NULL;
	if (t->side == NULL && t->cells != NULL) {
		if ((c = cf_cells_build(t->cells, &t->cfo, d)) == NULL)
			return NULL;
		t->side = json_pack("{s:s, s:s, s:s, s:o*}", "type", "cf", "user", t->col,
		    "item", t->arg, "model", cf_to_json(c));
		cf_free(c);
		if (t->side == NULL || json_object_get(t->side, "model") == NULL) {
			json_decref(t->side);
			t->side = NULL;
			oom(d);
			return NULL;
		}
	}
	return json_incref(t->side);
}

/* The JSON object of one fitted transformation, or NULL with d filled. */
static json_t *
tr_json(struct feat_fit *f, struct tr *t, struct diag *d)
{
	const struct tr_ops *ops = &tr_ops[t->kind];
	int has = t->acc_n > 0;
	json_t *o;

	if (ops->save == NULL)
		return side_json(f, t, d);
	if (ops->numeric && has && xsum_mean_var(&t->acc_s, &t->acc_ss, t->acc_n, &t->acc_mean,
	    &t->acc_var) < 0) {
		oom(d);
		return NULL;
	}
	/*
	 * Values near the largest double overflow the mean or the sum of
	 * squares: say so now, not with a state file that cannot be read back.
	 */
	if (ops->numeric && has && (!isfinite(t->acc_mean) || !isfinite(fit_sd(t)))) {
		diag_set(d, NULL, 0, t->col, NULL, 0,
		    "values too large to fit (the mean or the sum of squares overflows; rescale the column)");
		return NULL;
	}
	if ((o = json_object()) == NULL) {
		oom(d);
		return NULL;
	}
	json_object_set_new(o, "type", json_string(ops->name));
	json_object_set_new(o, "column", json_string(t->col));
	if (ops->numeric) {
		json_object_set_new(o, "n", json_integer((json_int_t)t->acc_n));
		json_object_set_new(o, "mean", num_or_null(has, t->acc_mean));
	}
	if (ops->save(f, t, o, d) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *
feat_fit_state(struct feat_fit *f, struct diag *d)
{
	json_t *doc = json_object(), *trs = json_array(), *hol = json_array(), *o;
	char buf[DATE_BUFSZ];
	struct date dt;
	size_t i;

	if (doc == NULL || trs == NULL || hol == NULL) {
		json_decref(doc);
		json_decref(trs);
		json_decref(hol);
		oom(d);
		return NULL;
	}
	json_object_set_new(doc, "format", json_string(FEAT_FORMAT));
	json_object_set_new(doc, "version", json_integer(FEAT_VERSION));
	json_object_set_new(doc, "missing_as", json_string(f->missing_as_mean ? "mean" : "empty"));
	if (f->asof != HIST_NO_DAY && date_from_days(f->asof, &dt) == 0) {
		date_format(&dt, buf);
		json_object_set_new(doc, "asof", json_string(buf));
	} else {
		json_object_set_new(doc, "asof", json_null());
	}
	if (f->asof_col != NULL)
		json_object_set_new(doc, "asof_col", json_string(f->asof_col));
	for (i = 0; i < f->nhol; i++)
		if (date_from_days(f->hol[i], &dt) == 0) {
			date_format(&dt, buf);
			json_array_append_new(hol, json_string(buf));
		}
	json_object_set_new(doc, "holidays", hol);
	json_object_set_new(doc, "transforms", trs);
	for (i = 0; i < f->ntr; i++) {
		if ((o = tr_json(f, &f->tr[i], d)) == NULL) {
			json_decref(doc);
			return NULL;
		}
		json_array_append_new(trs, o);
	}
	return doc;
}

/* ---- parts: one shard's statistics, and their merge ---- */

static int get_num(const json_t *o, const char *key, double *x, int *has);
static int day_of(const char *s, long *day);

/* What t learnt, as the JSON object of its part; NULL when out of memory. */
static json_t *
tr_part(struct tr *t)
{
	json_t *o, *a, *b, *c;
	size_t i, nlev, *order;

	if (t->hacc != NULL)
		return hist_acc_part(t->hacc);
	if (t->racc != NULL)
		return hist_ref_acc_part(t->racc);
	if (t->cells != NULL)
		return cf_cells_part(t->cells);
	if ((o = json_object()) == NULL)
		return NULL;
	if (is_numeric(t->kind)) {
		int has = t->acc_n > 0;
		json_object_set_new(o, "n", json_integer((json_int_t)t->acc_n));
		json_object_set_new(o, "sum", xsum_to_json(&t->acc_s));
		json_object_set_new(o, "sum_squares", xsum_to_json(&t->acc_ss));
		json_object_set_new(o, "min", has ? json_real(t->acc_min) : json_null());
		json_object_set_new(o, "max", has ? json_real(t->acc_max) : json_null());
		if (t->kind == FEAT_BINS) {
			/* Every value, sorted: the quantiles of the merge are exact. */
			if (t->nvals > 0)
				qsort(t->vals, t->nvals, sizeof *t->vals, cmp_double);
			if ((a = json_array()) == NULL)
				goto nomem;
			json_object_set_new(o, "values", a);
			for (i = 0; i < t->nvals; i++)
				if (json_array_append_new(a, json_real(t->vals[i])) < 0)
					goto nomem;
		}
	} else if (t->acc_lev != NULL) {
		nlev = strtab_n(t->acc_lev);
		if ((order = malloc((nlev ? nlev : 1) * sizeof *order)) == NULL)
			goto nomem;
		strtab_sorted(t->acc_lev, order);
		a = json_array();
		b = json_array();
		c = t->kind == FEAT_TARGET ? json_array() : json_null();
		json_object_set_new(o, "levels", a);
		json_object_set_new(o, "counts", b);
		if (t->kind == FEAT_TARGET) {
			json_object_set_new(o, "sums", c);
			json_object_set_new(o, "n", json_integer((json_int_t)t->y_n));
			json_object_set_new(o, "sum", xsum_to_json(&t->y_sum));
		} else {
			json_decref(c);
		}
		for (i = 0; a != NULL && b != NULL && c != NULL && i < nlev; i++) {
			if (json_array_append_new(a, json_string(strtab_str(t->acc_lev, order[i], NULL))) < 0 ||
			    json_array_append_new(b, json_integer((json_int_t)t->lev_n[order[i]])) < 0 ||
			    (t->kind == FEAT_TARGET &&
			    json_array_append_new(c, xsum_to_json(&t->lev_y[order[i]])) < 0))
				break;
		}
		free(order);
		if (a == NULL || b == NULL || c == NULL || i < nlev)
			goto nomem;
	}
	return o;
nomem:
	json_decref(o);
	return NULL;
}

json_t *
feat_fit_part(struct feat_fit *f, struct diag *d)
{
	json_t *doc = json_object(), *trs = json_array(), *o;
	char buf[DATE_BUFSZ];
	struct date dt;
	size_t i;

	if (doc == NULL || trs == NULL)
		goto nomem;
	json_object_set_new(doc, "format", json_string(FEAT_PART_FORMAT));
	json_object_set_new(doc, "version", json_integer(FEAT_PART_VERSION));
	json_object_set_new(doc, "spec", json_incref(f->spec));
	json_object_set_new(doc, "rows", json_integer((json_int_t)f->n_rows));
	if (!f->asof_given && f->hist_last != HIST_NO_DAY && date_from_days(f->hist_last, &dt) == 0) {
		date_format(&dt, buf);
		json_object_set_new(doc, "history_last", json_string(buf));
	} else {
		json_object_set_new(doc, "history_last", json_null());
	}
	json_object_set_new(doc, "transforms", trs);
	for (i = 0; i < f->ntr; i++)
		if ((o = tr_part(&f->tr[i])) == NULL || json_array_append_new(trs, o) < 0)
			goto nomem2;
	return doc;
nomem:
	json_decref(trs);
nomem2:
	json_decref(doc);
	oom(d);
	return NULL;
}

/* "bad state: ..." or "bad part: ..." of document name, transform i (or -1: none). */
static int
bad_doc(struct diag *d, const char *doc, const char *name, size_t i, const char *what)
{
	if (i == (size_t)-1)
		return diag_set(d, name, 0, NULL, NULL, 0, "bad %s: %s", doc, what);
	return diag_set(d, name, 0, NULL, NULL, 0, "bad %s: transform %zu: %s", doc, i + 1, what);
}

static int
bad_part(struct diag *d, const char *name, size_t i, const char *what)
{
	return bad_doc(d, "part", name, i, what);
}

static int
bad_state(struct diag *d, const char *name, size_t i, const char *what)
{
	return bad_doc(d, "state", name, i, what);
}

/* Check a part's format name and version: 0, or -1 with d filled. */
static int
part_check(const json_t *part, const char *name, struct diag *d)
{
	const json_t *fmt = json_object_get(part, "format"), *ver = json_object_get(part, "version");

	if (!json_is_object(part) || !json_is_string(fmt) ||
	    strcmp(json_string_value(fmt), FEAT_PART_FORMAT) != 0)
		return diag_set(d, name, 0, NULL, NULL, 0,
		    "not a pr-features part (written by pr-features --map)");
	if (!json_is_integer(ver) || json_integer_value(ver) != FEAT_PART_VERSION)
		return diag_set(d, name, 0, NULL, NULL, 0,
		    "part version %lld, this pr-features reads version %d",
		    json_is_integer(ver) ? (long long)json_integer_value(ver) : -1LL, FEAT_PART_VERSION);
	if (!json_is_object(json_object_get(part, "spec")) ||
	    !json_is_array(json_object_get(part, "transforms")) ||
	    !json_is_integer(json_object_get(part, "rows")))
		return bad_part(d, name, (size_t)-1, "no \"spec\", \"transforms\" or \"rows\"");
	if (json_integer_value(json_object_get(part, "rows")) < 0)
		return bad_part(d, name, (size_t)-1, "bad \"rows\"");
	return 0;
}

static const char *
spec_str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int load_tr(struct tr *t, const json_t *o, const char *name, size_t i, struct diag *d);

/*
 * A --lookup table goes from the part into the state as it is: read it as
 * --apply will, so that a table --apply refuses is refused here, with the
 * part named ("bad part: transform N: ...").  0, or -1 with d filled.
 */
static int
table_check(const json_t *table, const char *name, size_t i, struct diag *d)
{
	const json_t *type = json_object_get(table, "type");
	struct tr t;
	int rc;

	if (!json_is_string(type) || strcmp(json_string_value(type), "lookup") != 0)
		return bad_part(d, name, i, "bad \"table\"");
	memset(&t, 0, sizeof t);
	rc = load_tr(&t, table, name, i, d);
	tr_fini(&t);
	if (rc < 0 && strncmp(d->what, "bad state: ", 11) == 0) {
		char what[DIAG_WHAT_MAX];
		snprintf(what, sizeof what, "bad part: %s", d->what + 11);
		snprintf(d->what, sizeof d->what, "%s", what);
	}
	return rc;
}

struct feat_fit *
feat_fit_from_part(const json_t *part, const char *name, struct diag *d)
{
	const json_t *spec = json_object_get(part, "spec"), *trs, *e, *v;
	struct feat_config cfg;
	struct feat_spec *sp = NULL;
	struct feat_fit *f = NULL;
	size_t i, n;
	int k;

	if (part_check(part, name, d) < 0)
		return NULL;
	trs = json_object_get(spec, "transforms");
	memset(&cfg, 0, sizeof cfg);
	if (!json_is_array(trs) || (n = json_array_size(trs)) == 0) {
		bad_part(d, name, (size_t)-1, "no transformations in \"spec\"");
		return NULL;
	}
	if ((sp = calloc(n, sizeof *sp)) == NULL) {
		oom(d);
		return NULL;
	}
	v = json_object_get(spec, "missing_as");
	cfg.missing_as_mean = json_is_string(v) && strcmp(json_string_value(v), "mean") == 0;
	cfg.smoothing = json_number_value(json_object_get(spec, "smoothing"));
	cfg.min_count = (long)json_integer_value(json_object_get(spec, "min_count"));
	/* The ranges the options have: the state is read with the same checks. */
	if (!json_is_string(v) || (!cfg.missing_as_mean && strcmp(json_string_value(v), "empty") != 0) ||
	    !json_is_number(json_object_get(spec, "smoothing")) || !(cfg.smoothing >= 0) ||
	    !isfinite(cfg.smoothing) || !json_is_integer(json_object_get(spec, "min_count")) ||
	    cfg.min_count < 0 || cfg.min_count > 1000000000) {
		bad_part(d, name, (size_t)-1, "bad \"missing_as\", \"smoothing\" or \"min_count\"");
		goto out;
	}
	cfg.asof = spec_str(spec, "asof");
	cfg.asof_col = spec_str(spec, "asof_col");
	cfg.map = 1;
	cfg.holidays = json_is_array(json_object_get(spec, "holidays")) ? "" : NULL;
	cfg.history_date = "date";
	for (i = 0; i < n; i++) {
		e = json_array_get(trs, i);
		for (k = 0; k < FEAT_NKINDS; k++)
			if (spec_str(e, "type") != NULL && strcmp(spec_str(e, "type"), tr_ops[k].name) == 0)
				break;
		if (k == FEAT_NKINDS || spec_str(e, "column") == NULL ||
		    !json_is_number(json_object_get(e, "k"))) {
			bad_part(d, name, i, "bad \"type\", \"column\" or \"k\"");
			goto out;
		}
		sp[i].kind = (enum feat_kind)k;
		sp[i].col = spec_str(e, "column");
		sp[i].arg = spec_str(e, "arg");
		sp[i].k = json_number_value(json_object_get(e, "k"));
		if ((k == FEAT_BINS && !(sp[i].k >= 2 && sp[i].k <= 1000 && sp[i].k == floor(sp[i].k))) ||
		    (k == FEAT_CLIPZ && !(sp[i].k > 0 && isfinite(sp[i].k)))) {
			bad_part(d, name, i, "bad \"k\"");
			goto out;
		}
		if (k == FEAT_HISTORY) {
			cfg.agg = spec_str(e, "aggregates");
			cfg.cold = spec_str(e, "cold_start");
		}
		if ((k == FEAT_HISTORY || k == FEAT_REFPRICE) && spec_str(e, "date_column") != NULL)
			cfg.history_date = spec_str(e, "date_column");
		if (k == FEAT_REFPRICE) {
			cfg.window = (long)json_integer_value(json_object_get(e, "window"));
			if (cfg.window < 0 || cfg.window > 1000000) {
				bad_part(d, name, i, "bad \"window\"");
				goto out;
			}
			cfg.ref_median = spec_str(e, "stat") == NULL ||
			    strcmp(spec_str(e, "stat"), "mean") != 0;
		}
		if (k == FEAT_CF) {
			cfg.cf_mode = spec_str(e, "mode") != NULL &&
			    strcmp(spec_str(e, "mode"), "user") == 0 ? CF_USER : CF_ITEM;
			cfg.cf_k = (long)json_integer_value(json_object_get(e, "neighbours"));
			cfg.cf_rating = spec_str(e, "rating");
			if (cfg.cf_k < 1 || cfg.cf_k > 1000000 || sp[i].arg == NULL) {
				bad_part(d, name, i, "bad \"neighbours\" or \"arg\"");
				goto out;
			}
		}
		if ((k == FEAT_HISTORY && cfg.agg == NULL) ||
		    ((k == FEAT_REFPRICE || k == FEAT_TARGET) && sp[i].arg == NULL) ||
		    (k == FEAT_LOOKUP && !json_is_object(json_object_get(e, "table")))) {
			bad_part(d, name, i, "bad \"aggregates\", \"arg\" or \"table\"");
			goto out;
		}
	}
	cfg.spec = sp;
	cfg.nspec = n;
	if ((f = fit_alloc(&cfg, d)) == NULL) {
		if (d->file[0] == '\0')
			snprintf(d->file, sizeof d->file, "%s", name);
		goto out;
	}
	/* The spec as the part has it, for comparing the others with. */
	json_decref(f->spec);
	f->spec = json_incref((json_t *)spec);
	v = json_object_get(spec, "holidays");
	if (json_is_array(v) && json_array_size(v) > 0) {
		if ((f->hol = malloc(json_array_size(v) * sizeof *f->hol)) == NULL) {
			oom(d);
			goto fail;
		}
		for (i = 0; i < json_array_size(v); i++) {
			const json_t *h = json_array_get(v, i);
			if (!json_is_string(h) || day_of(json_string_value(h), &f->hol[i]) < 0 ||
			    (i > 0 && f->hol[i] <= f->hol[i - 1])) {
				bad_part(d, name, (size_t)-1, "bad \"holidays\"");
				goto fail;
			}
			f->nhol++;
		}
	}
	for (i = 0; i < f->ntr; i++)
		if (f->tr[i].kind == FEAT_LOOKUP) {
			f->tr[i].side = json_incref(json_object_get(json_array_get(trs, i), "table"));
			if (table_check(f->tr[i].side, name, i, d) < 0)
				goto fail;
		}
	goto out;
fail:
	feat_fit_free(f);
	f = NULL;
out:
	free(sp);
	return f;
}

/* The first member in which specs a and b differ, for the message. */
static const char *
spec_diff(const json_t *a, const json_t *b, char *buf, size_t size)
{
	const json_t *ta = json_object_get(a, "transforms"), *tb = json_object_get(b, "transforms");
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach((json_t *)a, key, v)
		if (strcmp(key, "transforms") != 0 && !json_equal(v, json_object_get(b, key))) {
			snprintf(buf, size, "\"%s\"", key);
			return buf;
		}
	if (json_array_size(ta) != json_array_size(tb)) {
		snprintf(buf, size, "the number of transformations");
		return buf;
	}
	for (i = 0; i < json_array_size(ta); i++) {
		const json_t *ea = json_array_get(ta, i), *eb = json_array_get(tb, i);
		if (json_equal(ea, eb))
			continue;
		json_object_foreach((json_t *)ea, key, v)
			if (!json_equal(v, json_object_get(eb, key))) {
				snprintf(buf, size, "transformation %zu, \"%s\"", i + 1, key);
				return buf;
			}
		snprintf(buf, size, "transformation %zu", i + 1);
		return buf;
	}
	snprintf(buf, size, "the options");
	return buf;
}

/* Add part p of transformation t: 0, or -1 with d filled. */
static int
tr_merge(struct feat_fit *f, struct tr *t, const json_t *p, const char *name, size_t i,
    struct diag *d)
{
	const json_t *a, *b, *c, *v;
	size_t j;
	long li;

	(void)f;
	if (!json_is_object(p))
		return bad_part(d, name, i, "not an object");
	if (t->hacc != NULL)
		return hist_acc_merge(t->hacc, p, name, d);
	if (t->racc != NULL)
		return hist_ref_acc_merge(t->racc, p, name, d);
	if (t->cells != NULL)
		return cf_cells_merge(t->cells, p, name, d);
	if (is_numeric(t->kind)) {
		double n, lo, hi;
		if (!json_is_integer(json_object_get(p, "n")) || json_integer_value(json_object_get(p, "n")) < 0)
			return bad_part(d, name, i, "bad \"n\"");
		if ((n = (double)json_integer_value(json_object_get(p, "n"))) == 0)
			return 0;
		if (xsum_add_json(&t->acc_s, json_object_get(p, "sum")) < 0 ||
		    xsum_add_json(&t->acc_ss, json_object_get(p, "sum_squares")) < 0 ||
		    get_num(p, "min", &lo, NULL) < 0 || get_num(p, "max", &hi, NULL) < 0 || !(lo <= hi))
			return bad_part(d, name, i, "bad \"sum\", \"sum_squares\", \"min\" or \"max\"");
		/* Ties keep the earlier part's, as the earlier row's. */
		if (lo < t->acc_min)
			t->acc_min = lo;
		if (hi > t->acc_max)
			t->acc_max = hi;
		t->acc_n += n;
		if (t->kind == FEAT_BINS) {
			v = json_object_get(p, "values");
			if (!json_is_array(v) || (double)json_array_size(v) != n)
				return bad_part(d, name, i, "bad \"values\"");
			for (j = 0; j < json_array_size(v); j++) {
				if (!json_is_number(json_array_get(v, j)))
					return bad_part(d, name, i, "bad \"values\"");
				if (push_val(t, json_number_value(json_array_get(v, j))) < 0)
					return oom(d);
			}
		}
		return 0;
	}
	if (t->acc_lev == NULL)
		return 0;
	a = json_object_get(p, "levels");
	b = json_object_get(p, "counts");
	c = json_object_get(p, "sums");
	if (!json_is_array(a) || !json_is_array(b) || json_array_size(a) != json_array_size(b) ||
	    (t->kind == FEAT_TARGET && (!json_is_array(c) || json_array_size(c) != json_array_size(a) ||
	    !json_is_integer(json_object_get(p, "n")) || json_integer_value(json_object_get(p, "n")) < 0)))
		return bad_part(d, name, i, "bad \"levels\", \"counts\" or \"sums\"");
	if (t->kind == FEAT_TARGET) {
		t->y_n += (double)json_integer_value(json_object_get(p, "n"));
		if (xsum_add_json(&t->y_sum, json_object_get(p, "sum")) < 0)
			return bad_part(d, name, i, "bad \"sum\"");
	}
	for (j = 0; j < json_array_size(a); j++) {
		const json_t *lev = json_array_get(a, j), *cnt = json_array_get(b, j);
		if (!json_is_string(lev) || !json_is_integer(cnt) || json_integer_value(cnt) < 0)
			return bad_part(d, name, i, "bad \"levels\" or \"counts\"");
		li = count_level(t, json_string_value(lev), json_string_length(lev),
		    (double)json_integer_value(cnt), 0, 0);
		if (li < 0)
			return oom(d);
		if (t->kind == FEAT_TARGET) {
			t->lev_n[li] += (double)json_integer_value(cnt);
			if (xsum_add_json(&t->lev_y[li], json_array_get(c, j)) < 0)
				return bad_part(d, name, i, "bad \"sums\"");
		}
	}
	return 0;
}

int
feat_fit_merge(struct feat_fit *f, const json_t *part, const char *name, const char *first,
    struct diag *d)
{
	const json_t *trs, *last;
	char buf[128];
	size_t i;
	long day;

	if (part_check(part, name, d) < 0)
		return -1;
	if (!json_equal(f->spec, json_object_get(part, "spec")))
		return diag_set(d, name, 0, NULL, NULL, 0, "not a part of the same fit as %s "
		    "(%s differs)", first, spec_diff(f->spec, json_object_get(part, "spec"), buf,
		    sizeof buf));
	trs = json_object_get(part, "transforms");
	if (json_array_size(trs) != f->ntr)
		return bad_part(d, name, (size_t)-1, "\"transforms\" and \"spec\" differ in length");
	last = json_object_get(part, "history_last");
	if (!f->asof_given && json_is_string(last)) {
		if (day_of(json_string_value(last), &day) < 0)
			return bad_part(d, name, (size_t)-1, "bad \"history_last\"");
		if (f->asof_col != NULL)
			day++;            /* point in time: the day after the history */
		if (f->asof == HIST_NO_DAY || day > f->asof)
			f->asof = day;
	}
	f->n_rows += (unsigned long long)json_integer_value(json_object_get(part, "rows"));
	for (i = 0; i < f->ntr; i++)
		if (tr_merge(f, &f->tr[i], json_array_get(trs, i), name, i, d) < 0)
			return -1;
	return 0;
}

unsigned long long
feat_fit_rows(const struct feat_fit *f)
{
	return f->n_rows;
}

/* ---- loading ---- */


/* A number or null (then *has = 0); -1 when the member is neither. */
static int
get_num(const json_t *o, const char *key, double *x, int *has)
{
	const json_t *v = json_object_get(o, key);

	if (v != NULL && json_is_number(v)) {
		*x = json_number_value(v);
		if (has)
			*has = 1;
		return 0;
	}
	if (v != NULL && json_is_null(v) && has != NULL) {
		*has = 0;
		*x = 0;
		return 0;
	}
	return -1;
}

static int
day_of(const char *s, long *day)
{
	struct date dt;

	if (date_parse(s, strlen(s), DATE_ORDER_NONE, &dt) != DATE_OK)
		return -1;
	*day = date_to_days(&dt);
	return 0;
}

/* Text of a lookup value: a number, a string, or null (empty). */
static char *
value_text(const json_t *v)
{
	char buf[NUM_BUFSZ];

	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (json_is_number(v)) {
		num_format(json_number_value(v), buf);
		return strdup(buf);
	}
	if (json_is_null(v))
		return strdup("");
	return NULL;
}

static int
load_lookup(struct tr *t, const json_t *o, const char *name, size_t i, struct diag *d)
{
	const json_t *cols = json_object_get(o, "columns"), *dflt = json_object_get(o, "default");
	const json_t *keys = json_object_get(o, "keys"), *v, *vals;
	const char *key;
	size_t j, nk = 0;

	if (!json_is_array(cols) || !json_is_array(dflt) || !json_is_object(keys) ||
	    json_array_size(cols) != json_array_size(dflt) || json_array_size(cols) == 0)
		return bad_state(d, name, i, "bad \"columns\", \"default\" or \"keys\"");
	t->nnames = json_array_size(cols);
	t->names = calloc(t->nnames, sizeof *t->names);
	t->dflt = calloc(t->nnames, sizeof *t->dflt);
	t->text = calloc(json_object_size(keys) * t->nnames + 1, sizeof *t->text);
	if ((t->levels = strtab_new()) == NULL || t->names == NULL || t->dflt == NULL ||
	    t->text == NULL)
		return oom(d);
	for (j = 0; j < t->nnames; j++) {
		v = json_array_get(cols, j);
		if (!json_is_string(v))
			return bad_state(d, name, i, "a column name is not a string");
		if ((t->names[j] = strdup(json_string_value(v))) == NULL)
			return oom(d);
		if ((t->dflt[j] = value_text(json_array_get(dflt, j))) == NULL)
			return bad_state(d, name, i, "bad \"default\"");
	}
	json_object_foreach((json_t *)keys, key, vals) {
		if (!json_is_array(vals) || json_array_size(vals) != t->nnames)
			return bad_state(d, name, i, "a key has the wrong number of values");
		if (strtab_add(t->levels, key, strlen(key)) != (long)nk)
			return bad_state(d, name, i, "a key is repeated");
		for (j = 0; j < t->nnames; j++)
			if ((t->text[nk * t->nnames + j] = value_text(json_array_get(vals, j))) == NULL)
				return bad_state(d, name, i, "a value is not a number, a string or null");
		nk++;
	}
	v = json_object_get(o, "cold_start");
	t->unseen_says = t->kind != FEAT_HISTORY ? "left empty" :
	    json_is_string(v) && strcmp(json_string_value(v), "empty") != 0 ?
	    "count 0, sums 0, others from --cold-start" : "count 0, sums 0, others empty";
	return 0;
}

static int
load_levels(struct tr *t, const json_t *levels, const char *name, size_t i, struct diag *d)
{
	size_t j;

	if (!json_is_array(levels))
		return bad_state(d, name, i, "bad \"levels\"");
	if ((t->levels = strtab_new()) == NULL)
		return oom(d);
	for (j = 0; j < json_array_size(levels); j++) {
		const json_t *v = json_array_get(levels, j);
		if (!json_is_string(v))
			return bad_state(d, name, i, "a level is not a string");
		if (strtab_add(t->levels, json_string_value(v), json_string_length(v)) != (long)j)
			return bad_state(d, name, i, "a level is repeated");
	}
	return 0;
}

/*
 * What each kind reads from its state object o besides its type and
 * column (and "n" and "mean" for the numeric kinds): 0, or -1 with d
 * filled (bad_state).
 */
static int
load_zscore(struct tr *t, const json_t *o, const char *name, size_t i, struct diag *d)
{
	int has_sd;

	if (get_num(o, "sd", &t->sd, &has_sd) < 0 || has_sd != t->has_mean || t->sd < 0)
		return bad_state(d, name, i, "bad \"sd\"");
	return 0;
}

static int
load_minmax(struct tr *t, const json_t *o, const char *name, size_t i, struct diag *d)
{
	int has_min, has_max;

	if (get_num(o, "min", &t->min, &has_min) < 0 || get_num(o, "max", &t->max, &has_max) < 0 ||
	    has_min != t->has_mean || has_max != t->has_mean || t->min > t->max)
		return bad_state(d, name, i, "bad \"min\" or \"max\"");
	return 0;
}

static int
load_nothing(struct tr *t, const json_t *o, const char *name, size_t i, struct diag *d)
{
	(void)t;
	(void)o;
	(void)name;
	(void)i;
	(void)d;
	return 0;
}

static int
load_bins(struct tr *t, const json_t *o, const char *name, size_t i, struct diag *d)
{
	const json_t *v = json_object_get(o, "cuts");
	int has_min, has_max;
	size_t j;

	if (get_num(o, "bins", &t->k, NULL) < 0 || t->k < 2 || !json_is_array(v) ||
	    (json_array_size(v) != (size_t)t->k - 1 && json_array_size(v) != 0) ||
	    get_num(o, "min", &t->min, &has_min) < 0 || get_num(o, "max", &t->max, &has_max) < 0)
		return bad_state(d, name, i, "bad \"bins\", \"cuts\", \"min\" or \"max\"");
	t->ncut = json_array_size(v);
	if ((t->cut = malloc((t->ncut + 1) * sizeof *t->cut)) == NULL)
		return oom(d);
	for (j = 0; j < t->ncut; j++) {
		if (!json_is_number(json_array_get(v, j)))
			return bad_state(d, name, i, "a cut point is not a number");
		t->cut[j] = json_number_value(json_array_get(v, j));
		if (j > 0 && t->cut[j] < t->cut[j - 1])
			return bad_state(d, name, i, "cut points out of order");
	}
	return 0;
}

static int
load_clipz(struct tr *t, const json_t *o, const char *name, size_t i, struct diag *d)
{
	int has_low, has_high;

	if (get_num(o, "low", &t->low, &has_low) < 0 || get_num(o, "high", &t->high, &has_high) < 0 ||
	    has_low != t->has_mean || has_high != t->has_mean || t->low > t->high)
		return bad_state(d, name, i, "bad \"low\" or \"high\"");
	return 0;
}

static int
load_onehot(struct tr *t, const json_t *o, const char *name, size_t i, struct diag *d)
{
	const json_t *v = json_object_get(o, "other");

	if (!json_is_boolean(v))
		return bad_state(d, name, i, "bad \"other\"");
	t->other = json_is_true(v);
	return load_levels(t, json_object_get(o, "levels"), name, i, d);
}

static int
load_target(struct tr *t, const json_t *o, const char *name, size_t i, struct diag *d)
{
	const json_t *v = json_object_get(o, "value");
	size_t j;

	if (get_num(o, "prior", &t->prior, NULL) < 0 || !json_is_array(v) ||
	    !json_is_string(json_object_get(o, "target")))
		return bad_state(d, name, i, "bad \"prior\", \"target\" or \"value\"");
	if ((t->arg = strdup(json_string_value(json_object_get(o, "target")))) == NULL)
		return oom(d);
	if (load_levels(t, json_object_get(o, "levels"), name, i, d) < 0)
		return -1;
	if (json_array_size(v) != strtab_n(t->levels))
		return bad_state(d, name, i, "\"value\" and \"levels\" differ in length");
	if ((t->te = malloc((strtab_n(t->levels) + 1) * sizeof *t->te)) == NULL)
		return oom(d);
	for (j = 0; j < strtab_n(t->levels); j++) {
		if (!json_is_number(json_array_get(v, j)))
			return bad_state(d, name, i, "a target mean is not a number");
		t->te[j] = json_number_value(json_array_get(v, j));
	}
	return 0;
}

static int
load_date(struct tr *t, const json_t *o, const char *name, size_t i, struct diag *d)
{
	const json_t *v = json_object_get(o, "holidays");

	if (!json_is_boolean(v))
		return bad_state(d, name, i, "bad \"holidays\"");
	t->holidays = json_is_true(v);
	return 0;
}

static int
load_join(struct tr *t, const json_t *o, const char *name, size_t i, struct diag *d)
{
	const json_t *v = json_object_get(o, "unmatched");

	if (!json_is_string(v) || (strcmp(json_string_value(v), "empty") != 0 &&
	    strcmp(json_string_value(v), "reject") != 0))
		return bad_state(d, name, i, "bad \"unmatched\"");
	t->reject_unseen = strcmp(json_string_value(v), "reject") == 0;
	v = json_object_get(o, "file");
	if (!json_is_string(v))
		return bad_state(d, name, i, "no \"file\"");
	if ((t->names_from = strdup(json_string_value(v))) == NULL)
		return oom(d);
	return load_lookup(t, o, name, i, d);
}

static int
load_cf(struct tr *t, const json_t *o, const char *name, size_t i, struct diag *d)
{
	const json_t *v = json_object_get(o, "item");

	if (!json_is_string(v))
		return bad_state(d, name, i, "no \"item\"");
	if ((t->arg = strdup(json_string_value(v))) == NULL)
		return oom(d);
	if ((t->cf = cf_from_json(json_object_get(o, "model"), d)) == NULL) {
		char what[DIAG_WHAT_MAX];
		snprintf(what, sizeof what, "%s", d->what);
		return bad_state(d, name, i, what);
	}
	return 0;
}

static int
load_tr(struct tr *t, const json_t *o, const char *name, size_t i, struct diag *d)
{
	const json_t *type = json_object_get(o, "type"), *col;
	const struct tr_ops *ops;
	int k;

	if (!json_is_object(o) || !json_is_string(type))
		return bad_state(d, name, i, "no \"type\"");
	for (k = 0; k < FEAT_NKINDS; k++)
		if (strcmp(json_string_value(type), tr_ops[k].name) == 0)
			break;
	if (k == FEAT_NKINDS)
		return bad_state(d, name, i, "unknown \"type\"");
	t->kind = (enum feat_kind)k;
	ops = &tr_ops[k];
	col = json_object_get(o, ops->col_member);
	if (!json_is_string(col))
		return bad_state(d, name, i, "no column name");
	if ((t->col = strdup(json_string_value(col))) == NULL)
		return oom(d);
	if (ops->numeric && (get_num(o, "n", &t->n, NULL) < 0 ||
	    get_num(o, "mean", &t->mean, &t->has_mean) < 0))
		return bad_state(d, name, i, "bad \"n\" or \"mean\"");
	if (ops->numeric && t->kind != FEAT_BINS &&
	    (t->cache = calloc(1, sizeof *t->cache)) == NULL)
		return oom(d);
	return ops->load(t, o, name, i, d);
}

struct feat_state *
feat_load_json(const json_t *doc, const char *name, struct diag *d)
{
	struct feat_state *st;
	const json_t *fmt, *ver, *trs, *miss, *asof, *hol;
	size_t i;

	fmt = json_object_get(doc, "format");
	ver = json_object_get(doc, "version");
	if (!json_is_string(fmt) || strcmp(json_string_value(fmt), FEAT_FORMAT) != 0) {
		diag_set(d, name, 0, NULL, NULL, 0, "not a pr-features state (no \"format\": \"%s\")",
		    FEAT_FORMAT);
		return NULL;
	}
	if (!json_is_integer(ver) || json_integer_value(ver) != FEAT_VERSION) {
		diag_set(d, name, 0, NULL, NULL, 0,
		    "state version %s is not supported (this program reads version %d)",
		    json_is_integer(ver) ? "other than 1" : "missing", FEAT_VERSION);
		if (json_is_integer(ver))
			snprintf(d->what, sizeof d->what,
			    "state version %lld is not supported (this program reads version %d)",
			    (long long)json_integer_value(ver), FEAT_VERSION);
		return NULL;
	}
	if ((st = calloc(1, sizeof *st)) == NULL) {
		oom(d);
		return NULL;
	}
	snprintf(st->name, sizeof st->name, "%s", name);
	st->asof = HIST_NO_DAY;
	miss = json_object_get(doc, "missing_as");
	asof = json_object_get(doc, "asof");
	hol = json_object_get(doc, "holidays");
	trs = json_object_get(doc, "transforms");
	if (!json_is_string(miss) || (strcmp(json_string_value(miss), "mean") != 0 &&
	    strcmp(json_string_value(miss), "empty") != 0)) {
		bad_state(d, name, (size_t)-1, "bad \"missing_as\"");
		goto fail;
	}
	st->missing_as_mean = strcmp(json_string_value(miss), "mean") == 0;
	if (asof != NULL && !json_is_null(asof) &&
	    (!json_is_string(asof) || day_of(json_string_value(asof), &st->asof) < 0)) {
		bad_state(d, name, (size_t)-1, "bad \"asof\"");
		goto fail;
	}
	if (!json_is_array(hol) || !json_is_array(trs)) {
		bad_state(d, name, (size_t)-1, "bad \"holidays\" or \"transforms\"");
		goto fail;
	}
	st->hol = malloc((json_array_size(hol) + 1) * sizeof *st->hol);
	st->tr = calloc(json_array_size(trs) + 1, sizeof *st->tr);
	if (st->hol == NULL || st->tr == NULL) {
		oom(d);
		goto fail;
	}
	for (i = 0; i < json_array_size(hol); i++) {
		const json_t *v = json_array_get(hol, i);
		if (!json_is_string(v) || day_of(json_string_value(v), &st->hol[i]) < 0 ||
		    (i > 0 && st->hol[i] <= st->hol[i - 1])) {
			bad_state(d, name, (size_t)-1, "bad holiday date");
			goto fail;
		}
		st->nhol++;
	}
	for (i = 0; i < json_array_size(trs); i++) {
		st->ntr++;
		if (load_tr(&st->tr[i], json_array_get(trs, i), name, i, d) < 0)
			goto fail;
	}
	return st;
fail:
	feat_free(st);
	return NULL;
}

struct feat_state *
feat_load(const char *path, struct diag *d)
{
	json_t *doc = jsonfile_load(path, 0, d);
	struct feat_state *st;

	if (doc == NULL)
		return NULL;
	st = feat_load_json(doc, path, d);
	json_decref(doc);
	return st;
}

void
feat_free(struct feat_state *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->ntr; i++)
		tr_fini(&st->tr[i]);
	free(st->tr);
	free(st->hol);
	free(st->asof_col);
	free(st);
}

int
feat_state_take_rows(struct feat_state *st, struct feat_fit *f, struct diag *d)
{
	size_t i;

	if (f->asof_col == NULL)
		return 0;
	if (st->ntr != f->ntr || (st->asof_col = strdup(f->asof_col)) == NULL)
		return oom(d);
	for (i = 0; i < f->ntr; i++) {
		struct tr *t = &f->tr[i];
		if (!t->has_rows)
			continue;
		st->tr[i].rows = t->rows;
		st->tr[i].has_rows = 1;
		memset(&t->rows, 0, sizeof t->rows);
		t->has_rows = 0;
	}
	return 0;
}

/* ---- applying ---- */

/* A new column name to fn, as each_name passes them. */
static int
emit_name(int (*fn)(void *, const char *, size_t), void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
emit_name(int (*fn)(void *, const char *, size_t), void *ctx, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return fn(ctx, buf, len < (int)sizeof buf ? (size_t)len : sizeof buf - 1);
}

/*
 * Each kind's new column names, in order, to fn; they stop at the first
 * nonzero return of fn and return it.
 */
static int
names_suffix(const struct tr *t, int (*fn)(void *, const char *, size_t), void *ctx)
{
	return emit_name(fn, ctx, "%s%s", t->col, tr_ops[t->kind].suffix);
}

static int
names_onehot(const struct tr *t, int (*fn)(void *, const char *, size_t), void *ctx)
{
	size_t j, n = strtab_n(t->levels), len;
	const char *lev;
	int r;

	for (j = 0; j < n; j++) {
		lev = strtab_str(t->levels, j, &len);
		if ((r = emit_name(fn, ctx, "%s_%.*s", t->col, (int)len, lev)) != 0)
			return r;
	}
	return t->other ? emit_name(fn, ctx, "%s_other", t->col) : 0;
}

static int
names_date(const struct tr *t, int (*fn)(void *, const char *, size_t), void *ctx)
{
	size_t j;
	int r;

	for (j = 0; j < 5 + (t->holidays != 0); j++)
		if ((r = emit_name(fn, ctx, "%s%s", t->col, date_suffix[j])) != 0)
			return r;
	return 0;
}

static int
names_table(const struct tr *t, int (*fn)(void *, const char *, size_t), void *ctx)
{
	size_t j;
	int r;

	for (j = 0; j < t->nnames; j++)
		if ((r = emit_name(fn, ctx, "%s", t->names[j])) != 0)
			return r;
	return 0;
}

static int
names_cf(const struct tr *t, int (*fn)(void *, const char *, size_t), void *ctx)
{
	(void)t;
	return emit_name(fn, ctx, "cf_score");
}

/* Call fn with each new column name of t; stops at the first nonzero return. */
static int
each_name(const struct tr *t, int (*fn)(void *, const char *, size_t), void *ctx)
{
	return tr_ops[t->kind].names(t, fn, ctx);
}

struct name_check {
	const struct csvio_reader *r;
	struct strtab *seen;
	struct diag *d;
};

static int
check_name(void *ctx, const char *s, size_t len)
{
	struct name_check *c = ctx;
	size_t n = strtab_n(c->seen);

	if (csvio_col(c->r, s) != -1 || strtab_add(c->seen, s, len) != (long)n) {
		diag_set(c->d, csvio_name(c->r), 0, s, NULL, 0,
		    "the new column is already in the input or made twice");
		return 1;
	}
	return 0;
}

int
feat_bind(struct feat_state *st, const struct csvio_reader *r, struct diag *d)
{
	struct name_check nc;
	size_t i;
	int rc = 0;

	st->ncols = csvio_ncols(r);
	for (i = 0; i < st->ntr; i++)
		if (bind_tr(&st->tr[i], r, 0, d) < 0)
			return -1;
	if (st->asof_col != NULL && (st->asof_idx = csvio_require_col(r, st->asof_col, d)) < 0)
		return -1;
	nc.r = r;
	nc.d = d;
	if ((nc.seen = strtab_new()) == NULL)
		return oom(d);
	for (i = 0; i < st->ntr && rc == 0; i++)
		rc = each_name(&st->tr[i], check_name, &nc);
	strtab_free(nc.seen);
	return rc ? -1 : 0;
}

static int
put_name(void *ctx, const char *s, size_t len)
{
	csvio_put(ctx, s, len);
	return 0;
}

void
feat_put_header(const struct feat_state *st, struct csvio_writer *w,
    const struct csvio_row *header)
{
	size_t i;

	csvio_put_row(w, header);
	for (i = 0; i < st->ntr; i++)
		each_name(&st->tr[i], put_name, w);
}

long
feat_bin_of(const double *cut, size_t ncut, double x)
{
	size_t lo = 0, hi = ncut;

	/* Binary search for the number of cut points strictly below x. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cut[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)lo + 1;
}

/*
 * Write y, the result for the row's field s[0..len) read as x: from the
 * cache when the field was seen before, else formatted and remembered.
 */
static void
put_result(struct tr *t, const char *s, size_t len, double x, double y,
    struct csvio_writer *w)
{
	struct numcache_entry *e;
	char buf[NUM_BUFSZ];
	size_t n;

	if (t->hit != NULL) {
		e = t->hit;
		n = e->out[sizeof e->out - 1] != '\0' ? sizeof e->out : strlen(e->out);
		csvio_put_plain(w, e->out, n);   /* num_format's text: no quotes needed */
		return;
	}
	n = num_format(y, buf);
	csvio_put_plain(w, buf, n);
	/* Only a field read as a number is kept (not a missing one replaced by the mean). */
	if (t->cache == NULL || t->miss || n == 0 || n > sizeof e->out || len == 0 ||
	    len > NUMCACHE_KEY)
		return;
	e = numcache_slot(t->cache, s, len);
	memset(e, 0, sizeof *e);
	memcpy(e->in, s, len);
	e->x = x;
	memcpy(e->out, buf, n);
}

/*
 * n indicator columns, 1 at lev (none when lev < 0), and an "other" one
 * when asked: written as one block of text where there are few levels
 * (a call per 0 or 1 was a tenth of an --apply).
 */
static void
put_onehot(struct csvio_writer *w, size_t n, long lev, int other, int is_other)
{
	char buf[128];
	size_t j, m = n + (other != 0);

	if (m == 0)
		return;
	if (m > sizeof buf / 2) {
		for (j = 0; j < n; j++)
			csvio_put_plain(w, (long)j == lev ? "1" : "0", 1);
		if (other)
			csvio_put_plain(w, is_other ? "1" : "0", 1);
		return;
	}
	for (j = 0; j < m; j++) {
		buf[2 * j] = '0';
		buf[2 * j + 1] = ',';
	}
	if (lev >= 0)
		buf[2 * lev] = '1';
	if (other && is_other)
		buf[2 * n] = '1';
	csvio_put_joined(w, buf, 2 * m - 1, m);
}

/* A small non-negative whole number, without printf. */
static void
put_small(struct csvio_writer *w, long v)
{
	char buf[24];
	size_t i = sizeof buf;

	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0 && i > 0);
	csvio_put_plain(w, buf + i, sizeof buf - i);
}

static void
put_missing(struct csvio_writer *w, size_t n)
{
	while (n-- > 0)
		csvio_put(w, "", 0);
}

static void
put_date(const struct feat_state *st, struct tr *t, struct csvio_writer *w)
{
	struct date dt;
	int dow;
	size_t lo = 0, hi = st->nhol;

	if (t->miss || date_from_days(t->day, &dt) < 0) {
		put_missing(w, 5 + (t->holidays != 0));
		t->n_missing++;
		return;
	}
	dow = date_weekday(&dt);
	put_small(w, dow);
	put_small(w, dt.month);
	put_small(w, date_yday(&dt));
	put_small(w, date_iso_week(&dt, NULL));
	csvio_put_plain(w, dow >= 6 ? "1" : "0", 1);
	if (!t->holidays)
		return;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (st->hol[mid] < t->day)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < st->nhol) {
		put_small(w, st->hol[lo] - t->day);
	} else {
		csvio_put(w, "", 0);
		t->n_nohol++;
	}
}

/* zscore and minmax of x. */
static double
scaled(const struct tr *t, double x)
{
	if (t->kind == FEAT_ZSCORE)
		return t->sd > 0 ? (x - t->mean) / t->sd : 0;
	return t->max > t->min ? (x - t->min) / (t->max - t->min) : 0;
}

/*
 * Each kind's new fields for a row (x: a numeric kind's value, the mean
 * for a missing one; at: the row's place in the input).
 */
static void
put_scaled(struct feat_state *st, struct tr *t, const struct csvio_row *row, double x, size_t at,
    struct csvio_writer *w)
{
	(void)st;
	(void)at;
	if (t->kind == FEAT_MINMAX && (x < t->min || x > t->max))
		t->n_range++;
	put_result(t, row->f[t->idx], row->len[t->idx], x, scaled(t, x), w);
}

static void
put_log1p(struct feat_state *st, struct tr *t, const struct csvio_row *row, double x, size_t at,
    struct csvio_writer *w)
{
	(void)st;
	(void)at;
	put_result(t, row->f[t->idx], row->len[t->idx], x, log1p(x), w);
}

static void
put_bins(struct feat_state *st, struct tr *t, const struct csvio_row *row, double x, size_t at,
    struct csvio_writer *w)
{
	(void)st;
	(void)row;
	(void)at;
	if (x < t->min || x > t->max)
		t->n_range++;
	put_small(w, feat_bin_of(t->cut, t->ncut, x));
}

static void
put_clipz(struct feat_state *st, struct tr *t, const struct csvio_row *row, double x, size_t at,
    struct csvio_writer *w)
{
	(void)st;
	(void)at;
	put_result(t, row->f[t->idx], row->len[t->idx], x,
	    x < t->low ? t->low : x > t->high ? t->high : x, w);
}

/* The row's level of t (-1: none), counted as missing or unseen. */
static long
row_level(struct tr *t, const struct csvio_row *row)
{
	size_t len = row->len[t->idx];

	t->lev = len > 0 ? strtab_find(t->levels, row->f[t->idx], len) : -1;
	if (len == 0)
		t->n_missing++;
	else if (t->lev < 0)
		t->n_unseen++;
	return t->lev;
}

static void
put_onehot_tr(struct feat_state *st, struct tr *t, const struct csvio_row *row, double x,
    size_t at, struct csvio_writer *w)
{
	(void)st;
	(void)x;
	(void)at;
	row_level(t, row);
	put_onehot(w, strtab_n(t->levels), t->lev, t->other, t->lev < 0 && row->len[t->idx] > 0);
}

static void
put_target(struct feat_state *st, struct tr *t, const struct csvio_row *row, double x, size_t at,
    struct csvio_writer *w)
{
	(void)st;
	(void)x;
	(void)at;
	csvio_put_num(w, row_level(t, row) >= 0 ? t->te[t->lev] : t->prior);
}

static void
put_date_tr(struct feat_state *st, struct tr *t, const struct csvio_row *row, double x, size_t at,
    struct csvio_writer *w)
{
	(void)row;
	(void)x;
	(void)at;
	put_date(st, t, w);
}

static void put_row_fields(struct tr *t, size_t at, struct csvio_writer *w);

/* history, ref_price, lookup: the key's fields from the table (or the row's own, point in time). */
static void
put_table(struct feat_state *st, struct tr *t, const struct csvio_row *row, double x, size_t at,
    struct csvio_writer *w)
{
	size_t j;

	(void)st;
	(void)x;
	if (t->has_rows) {
		put_row_fields(t, at, w);
		return;
	}
	t->lev = strtab_find(t->levels, row->f[t->idx], row->len[t->idx]);
	if (t->lev < 0) {
		t->n_unseen++;
		for (j = 0; j < t->nnames; j++)
			csvio_put_str(w, t->dflt[j]);
	} else {
		for (j = 0; j < t->nnames; j++)
			csvio_put_str(w, t->text[(size_t)t->lev * t->nnames + j]);
	}
}

static void
put_cf(struct feat_state *st, struct tr *t, const struct csvio_row *row, double x, size_t at,
    struct csvio_writer *w)
{
	int known;

	(void)st;
	(void)at;
	x = cf_score(t->cf, row->f[t->idx], row->len[t->idx], row->f[t->idx2], row->len[t->idx2],
	    &known);
	if (!known)
		t->n_unseen++;
	csvio_put_num(w, x);
}

/* The fields a fitted row's own history gave it (point in time). */
static void
put_row_fields(struct tr *t, size_t at, struct csvio_writer *w)
{
	const char *p;
	size_t j;

	if (at >= t->rows.n || t->rows.off[at] == HIST_ROW_NONE) {   /* not reached: no day */
		t->n_unseen++;
		for (j = 0; j < t->nnames; j++)
			csvio_put_str(w, t->dflt[j]);
		return;
	}
	if (t->rows.cold[at])
		t->n_unseen++;
	for (p = t->rows.text + t->rows.off[at], j = 0; j < t->nnames; j++, p += strlen(p) + 1)
		csvio_put_str(w, p);
}


/*
 * What rejects a row only once its fields are parsed, checked before
 * anything of it is written: a key without a match in a lookup that
 * rejects those, and a value far outside the fitted ones (1e10 where the
 * fitted spread was 1e-300), which scales to infinity, and no reader of
 * the output accepts that.
 */
static int
check_row(const struct feat_state *st, const struct csvio_row *row, struct diag *d)
{
	size_t i;

	for (i = 0; i < st->ntr; i++) {
		const struct tr *t = &st->tr[i];
		if (t->kind == FEAT_LOOKUP && t->reject_unseen &&
		    strtab_find(t->levels, row->f[t->idx], row->len[t->idx]) < 0)
			return diag_set(d, NULL, 0, t->col, row->f[t->idx], row->len[t->idx],
			    "no match in %s", t->names_from);
		double x = t->miss ? t->mean : t->x;
		if ((t->kind != FEAT_ZSCORE && t->kind != FEAT_MINMAX) || t->hit != NULL ||
		    !t->has_mean || (t->miss && !st->missing_as_mean) || isfinite(scaled(t, x)))
			continue;
		return diag_set(d, NULL, 0, t->col, row->f[t->idx], row->len[t->idx],
		    "%s of this value is not a finite number (too far from the fitted values)",
		    tr_ops[t->kind].name);
	}
	return 0;
}

int
feat_apply_row(struct feat_state *st, const struct csvio_row *row, struct csvio_writer *w,
    struct diag *d)
{
	size_t i, at = st->row_at++;
	double x = 0;
	long day;

	if (check_count(row, st->ncols, d) < 0 || parse_row(st->tr, st->ntr, row, 0, d) < 0 ||
	    (st->asof_col != NULL && parse_asof(row, st->asof_idx, st->asof_col, &day, d) < 0) ||
	    check_row(st, row, d) < 0)
		return -1;
	csvio_put_row(w, row);
	for (i = 0; i < st->ntr; i++) {
		struct tr *t = &st->tr[i];

		if (is_numeric(t->kind)) {
			x = t->x;
			if (t->miss) {
				t->n_missing++;
				if (!st->missing_as_mean || !t->has_mean) {
					csvio_put(w, "", 0);
					continue;
				}
				x = t->mean;
			}
			if (!t->has_mean) {      /* nothing fitted: nothing to say */
				csvio_put(w, "", 0);
				continue;
			}
		}
		tr_ops[t->kind].put(st, t, row, x, at, w);
	}
	csvio_end(w);
	return 0;
}

int
feat_note(const struct feat_state *st, size_t *iter, char *buf, size_t size)
{
	/* *iter walks transform i, counter c as i * 4 + c. */
	while (*iter < st->ntr * 4) {
		const struct tr *t = &st->tr[*iter / 4];
		int c = (int)(*iter % 4);
		unsigned long long n;
		(*iter)++;
		n = c == 0 ? t->n_missing : c == 1 ? t->n_unseen : c == 2 ? t->n_range : t->n_nohol;
		if (n == 0)
			continue;
		switch (c) {
		case 0:
			snprintf(buf, size, "%llu missing value%s in column \"%s\" (%s)", n,
			    n == 1 ? "" : "s", t->col,
			    t->kind == FEAT_ONEHOT ? "all zeros" :
			    t->kind == FEAT_TARGET ? "set to the prior" :
			    is_numeric(t->kind) && st->missing_as_mean && t->has_mean ?
			    "set to the mean" : "left empty");
			break;
		case 1:
			if (t->kind == FEAT_CF)
				snprintf(buf, size,
				    "%llu rows with a customer or item not in the history (cf_score 0)", n);
			else if (t->kind == FEAT_HISTORY || t->kind == FEAT_REFPRICE)
				snprintf(buf, size, "%llu key%s without history in column \"%s\" (%s)",
				    n, n == 1 ? "" : "s", t->col, t->unseen_says);
			else if (t->kind == FEAT_LOOKUP)
				snprintf(buf, size, "%llu key%s without a match in %s in column \"%s\" (left empty)",
				    n, n == 1 ? "" : "s", t->names_from, t->col);
			else
				snprintf(buf, size, "%llu unseen level%s in column \"%s\" (%s)", n,
				    n == 1 ? "" : "s", t->col,
				    t->kind == FEAT_TARGET ? "set to the prior" :
				    t->other ? "set to other" : "all zeros");
			break;
		case 2:
			snprintf(buf, size, "%llu value%s outside the fitted range in column \"%s\" (%s)",
			    n, n == 1 ? "" : "s", t->col,
			    t->kind == FEAT_BINS ? "put in the first or last bin" : "kept");
			break;
		default:
			snprintf(buf, size, "%llu date%s after the last holiday in column \"%s\" (left empty)",
			    n, n == 1 ? "" : "s", t->col);
			break;
		}
		return 1;
	}
	return 0;
}
