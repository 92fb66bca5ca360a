/* history.c - see history.h. */
#include "history.h"
#include "csvio.h"
#include "date.h"
#include "field.h"
#include "num.h"
#include "source.h"
#include "strtab.h"
#include "xsum.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum agg_kind { AGG_COUNT, AGG_SUM, AGG_MEAN, AGG_MIN, AGG_MAX, AGG_LAST, AGG_RECENCY };

static const char *const agg_word[] = { "count", "sum", "mean", "min", "max", "last", "recency" };

/* What a key without history gets for an aggregate (--cold-start). */
enum cold_kind { COLD_EMPTY, COLD_VALUE, COLD_POPULATION };

/*
 * One aggregate asked for: KIND[:COL[*COL2|/COL2]][?COND[=VALUE]].  The
 * value of a row is COL, COL times COL2 or COL over COL2; with a
 * condition, only the rows where COND holds count (COND a number other
 * than 0, or COND's text equal to VALUE).
 */
struct agg {
	enum agg_kind kind;
	char *col, *col2;         /* NULL when not used; owned */
	char op;                  /* '*' or '/' with col2, else 0 */
	char *cond, *cond_val;    /* the condition column and its text, or NULL; owned */
	char *name;               /* the new column: hist_... ; owned */
	long idx, idx2, cidx;
	enum cold_kind cold;
	char *cold_text;          /* COLD_VALUE: the text; owned */
	double cold_x;            /* COLD_VALUE: the number (not for last:) */
};

static int
oom(struct diag *d)
{
	return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
}

/* ---- the --agg list ---- */

#define AGG_SYNTAX "count, sum:COL, mean:COL, min:COL, max:COL, last:COL, recency; " \
	"COL may be A*B or A/B; any may end in ?FLAG or ?COL=VALUE"

/* s[0..len) is a column name: not empty, and none of the aggregate syntax in it. */
static int
name_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] == ':' || s[i] == '?' || s[i] == '*' || s[i] == '/')
			return 0;
	return 1;
}

/* The new column's name: hist_KIND[_COL[_times_|_per_COL2]][_if_COND[_is_VALUE]]. */
static char *
agg_name(const struct agg *g)
{
	char buf[2048];
	int n = snprintf(buf, sizeof buf, "hist_%s", agg_word[g->kind]);

	if (g->col != NULL)
		n += snprintf(buf + n, sizeof buf - (size_t)n, "_%s", g->col);
	if (g->col2 != NULL)
		n += snprintf(buf + n, sizeof buf - (size_t)n, "%s%s", g->op == '*' ? "_times_" : "_per_",
		    g->col2);
	if (g->cond != NULL)
		n += snprintf(buf + n, sizeof buf - (size_t)n, "_if_%s", g->cond);
	if (g->cond_val != NULL)
		snprintf(buf + n, sizeof buf - (size_t)n, "_is_%s", g->cond_val);
	return strdup(buf);
}

/* One item p[0..len) into *g (NULL: only check).  Returns 0, or -1 with d filled. */
static int
parse_agg(const char *p, size_t len, struct agg *g, struct diag *d)
{
	const char *q = memchr(p, '?', len), *colon, *op, *eq;
	size_t body = q ? (size_t)(q - p) : len, wl;
	int k, bare;

	colon = memchr(p, ':', body);
	wl = colon ? (size_t)(colon - p) : body;
	for (k = 0; k <= AGG_RECENCY; k++)
		if (strlen(agg_word[k]) == wl && memcmp(agg_word[k], p, wl) == 0)
			break;
	if (k > AGG_RECENCY)
		return diag_set(d, NULL, 0, NULL, p, len, "unknown aggregate (%s)", AGG_SYNTAX);
	bare = k == AGG_COUNT || k == AGG_RECENCY;
	if (bare != (colon == NULL) || (colon != NULL && (size_t)(colon - p) + 1 == body))
		return diag_set(d, NULL, 0, NULL, p, len, bare ? "this aggregate takes no column" :
		    "this aggregate needs a column (as sum:COL)");
	op = NULL;
	if (colon != NULL) {
		const char *c = colon + 1, *e = p + body;
		op = c;
		while (op < e && *op != '*' && *op != '/')
			op++;
		if (op == e)
			op = NULL;
		if (op != NULL && k == AGG_LAST)
			return diag_set(d, NULL, 0, NULL, p, len, "last: takes one column, not a product or ratio");
		if (!name_ok(c, (size_t)((op ? op : e) - c)) || (op && !name_ok(op + 1, (size_t)(e - op - 1))))
			return diag_set(d, NULL, 0, NULL, p, len, "bad column in aggregate (%s)", AGG_SYNTAX);
	}
	eq = NULL;
	if (q != NULL) {
		const char *c = q + 1, *e = p + len;
		eq = memchr(c, '=', (size_t)(e - c));
		if (!name_ok(c, (size_t)((eq ? eq : e) - c)))
			return diag_set(d, NULL, 0, NULL, p, len, "bad condition in aggregate (%s)", AGG_SYNTAX);
	}
	if (g == NULL)
		return 0;
	memset(g, 0, sizeof *g);
	g->kind = (enum agg_kind)k;
	g->idx = g->idx2 = g->cidx = -1;
	if (colon != NULL && (g->col = strndup(colon + 1, (size_t)((op ? op : p + body) - colon - 1))) == NULL)
		return oom(d);
	if (op != NULL) {
		g->op = *op;
		if ((g->col2 = strndup(op + 1, (size_t)(p + body - op - 1))) == NULL)
			return oom(d);
	}
	if (q != NULL) {
		if ((g->cond = strndup(q + 1, (size_t)((eq ? eq : p + len) - q - 1))) == NULL)
			return oom(d);
		if (eq != NULL && (g->cond_val = strndup(eq + 1, (size_t)(p + len - eq - 1))) == NULL)
			return oom(d);
	}
	if ((g->name = agg_name(g)) == NULL)
		return oom(d);
	return 0;
}

/* Parse the list into aggs (NULL: only check).  Returns the count, or -1. */
static long
parse_aggs(const char *agg, struct agg *aggs, struct diag *d)
{
	const char *p = agg;
	long n = 0;
	size_t len;
	const char *end;

	while (*p != '\0') {
		end = strchr(p, ',');
		len = end ? (size_t)(end - p) : strlen(p);
		if (parse_agg(p, len, aggs ? &aggs[n] : NULL, d) < 0)
			return -1;
		n++;
		p += len;
		if (*p == ',') {
			p++;
			if (*p == '\0')
				return diag_set(d, NULL, 0, NULL, agg, strlen(agg), "empty aggregate in list");
		}
	}
	if (n == 0)
		return diag_set(d, NULL, 0, NULL, agg, strlen(agg), "empty aggregate list");
	return n;
}

static void
free_aggs(struct agg *aggs, long naggs)
{
	long a;

	if (aggs == NULL)
		return;
	for (a = 0; a < naggs; a++) {
		free(aggs[a].col);
		free(aggs[a].col2);
		free(aggs[a].cond);
		free(aggs[a].cond_val);
		free(aggs[a].name);
		free(aggs[a].cold_text);
	}
	free(aggs);
}

/*
 * Apply a --cold-start list to aggs: "empty", "population", or
 * NAME=VALUE,... (NAME a new column, VALUE a number, a text for last:, or
 * "population").  Returns 0, or -1 with d filled.
 */
static int
parse_cold(const char *cold, struct agg *aggs, long naggs, struct diag *d)
{
	const char *p = cold, *end, *eq;
	size_t len;
	long a;
	enum num_status ns;

	if (cold == NULL || strcmp(cold, "empty") == 0)
		return 0;
	if (strcmp(cold, "population") == 0) {
		for (a = 0; a < naggs; a++)
			if (aggs[a].kind != AGG_COUNT && aggs[a].kind != AGG_SUM)
				aggs[a].cold = COLD_POPULATION;
		return 0;
	}
	while (*p != '\0') {
		end = strchr(p, ',');
		len = end ? (size_t)(end - p) : strlen(p);
		eq = memchr(p, '=', len);
		if (eq == NULL || eq == p)
			return diag_set(d, NULL, 0, NULL, p, len,
			    "expected empty, population or NAME=VALUE,... (NAME a new history column)");
		for (a = 0; a < naggs; a++)
			if (strlen(aggs[a].name) == (size_t)(eq - p) && memcmp(aggs[a].name, p, (size_t)(eq - p)) == 0)
				break;
		if (a == naggs)
			return diag_set(d, NULL, 0, NULL, p, (size_t)(eq - p), "not a history column of --agg");
		if (aggs[a].kind == AGG_COUNT || aggs[a].kind == AGG_SUM)
			return diag_set(d, NULL, 0, NULL, p, (size_t)(eq - p),
			    "a key without history has count and sums 0");
		free(aggs[a].cold_text);
		aggs[a].cold_text = NULL;
		if ((size_t)(eq + 1 - p) == len) {
			aggs[a].cold = COLD_EMPTY;
		} else if (len - (size_t)(eq + 1 - p) == 10 && memcmp(eq + 1, "population", 10) == 0) {
			aggs[a].cold = COLD_POPULATION;
		} else {
			aggs[a].cold = COLD_VALUE;
			if ((aggs[a].cold_text = strndup(eq + 1, len - (size_t)(eq + 1 - p))) == NULL)
				return oom(d);
			if (aggs[a].kind != AGG_LAST &&
			    (ns = num_parse(eq + 1, strlen(aggs[a].cold_text), &aggs[a].cold_x, 0)) != NUM_OK)
				return diag_set(d, NULL, 0, NULL, eq + 1, strlen(aggs[a].cold_text),
				    "%s: %s (or population)", aggs[a].name, num_strerror(ns));
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

int
hist_check_aggs(const char *agg, const char *cold, struct diag *d)
{
	long naggs;
	struct agg *aggs;
	int rc;

	if ((naggs = parse_aggs(agg, NULL, d)) < 0)
		return -1;
	if ((aggs = calloc((size_t)naggs, sizeof *aggs)) == NULL)
		return oom(d);
	rc = parse_aggs(agg, aggs, d) < 0 || parse_cold(cold, aggs, naggs, d) < 0 ? -1 : 0;
	free_aggs(aggs, naggs);
	return rc;
}

/* The parsed list, or NULL with d filled; *naggs gets its length. */
static struct agg *
new_aggs(const char *agg, const char *cold, long *naggs, struct diag *d)
{
	struct agg *aggs;

	if ((*naggs = parse_aggs(agg, NULL, d)) < 0)
		return NULL;
	if ((aggs = calloc((size_t)*naggs, sizeof *aggs)) == NULL) {
		oom(d);
		return NULL;
	}
	if (parse_aggs(agg, aggs, d) < 0 || parse_cold(cold, aggs, *naggs, d) < 0) {
		free_aggs(aggs, *naggs);
		return NULL;
	}
	return aggs;
}

static int
needs_day(enum agg_kind k)
{
	return k == AGG_LAST || k == AGG_RECENCY;
}

/* ---- small tools ---- */

/* Text kept for the life of a fit: values of last:COL. */
struct arena {
	char *buf;
	size_t len, cap;
};

/* Append s[0..len) and a NUL; returns its offset, or (size_t)-1 when out of memory. */
static size_t
arena_add(struct arena *ar, const char *s, size_t len)
{
	size_t off = ar->len;

	if (ar->len + len + 1 > ar->cap) {
		size_t cap = ar->cap ? ar->cap : 4096;
		char *b;
		while (cap < ar->len + len + 1)
			cap *= 2;
		if ((b = realloc(ar->buf, cap)) == NULL)
			return (size_t)-1;
		ar->buf = b;
		ar->cap = cap;
	}
	memcpy(ar->buf + ar->len, s, len);
	ar->buf[ar->len + len] = '\0';
	ar->len += len + 1;
	return off;
}

/* Grow *p (elements of size sz) from old to cap elements, zeroing the new part. */
static int
grow_zero(void *p, size_t sz, size_t old, size_t cap)
{
	char *q = realloc(*(void **)p, cap * sz);

	if (q == NULL)
		return -1;
	memset(q + old * sz, 0, (cap - old) * sz);
	*(void **)p = q;
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static json_t *
num_json(double x)
{
	if (x == floor(x) && fabs(x) < 9007199254740992.0)
		return json_integer((json_int_t)x);
	return json_real(x);
}

/* Day number of field idx of row: 1 with *day, 0 when empty, -1 with d filled. */
static int
field_day(const char *path, const struct csvio_row *row, long idx, const char *col, long *day,
    struct diag *d)
{
	struct date dt;
	enum date_status st;

	if ((size_t)idx >= row->n)
		return 0;
	st = date_parse(row->f[idx], row->len[idx], DATE_ORDER_NONE, &dt);
	if (st == DATE_EMPTY)
		return 0;
	if (st != DATE_OK)
		return diag_set(d, path, row->line, col, row->f[idx], row->len[idx], "%s",
		    date_strerror(st));
	*day = date_to_days(&dt);
	return 1;
}

int
hist_max_day(struct source *src, const struct csvio_opts *csv, const char *date_col, long *day,
    struct diag *d)
{
	struct csvio_reader *r = source_reader_opts(src, csv, d);
	const char *path = source_name(src);
	struct csvio_row row;
	long idx, x;
	int got, found = 0, k;

	if (r == NULL)
		return -1;
	if ((idx = csvio_col(r, date_col)) < 0) {
		csvio_close(r);
		return 0;
	}
	while ((got = csvio_next(r, &row, d)) > 0) {
		if ((k = field_day(path, &row, idx, date_col, &x, d)) < 0) {
			csvio_close(r);
			return -1;
		}
		if (k > 0 && (!found || x > *day)) {
			*day = x;
			found = 1;
		}
	}
	csvio_close(r);
	return got < 0 ? -1 : found;
}

/* ---- aggregates by key: one history row at a time ---- */

/* The columns of the history an --agg list reads, bound to a header. */
struct agg_cols {
	struct agg *aggs;
	long naggs;
	long kidx, didx;          /* key and date columns (didx -1: none) */
	int need_day;             /* some aggregate needs the date */
	const char *path, *date_col;
};

/* One history row, parsed: its day and the value of each aggregate. */
struct hist_row {
	long day;
	int has_day;
	double *val;              /* naggs: the number (NAN: missing; count, recency: unused) */
	const char **text;        /* naggs: last:COL's text (a date written ISO) */
	size_t *text_len;
	char (*date_buf)[DATE_BUFSZ];
};

/* Per key, what the rows so far say. */
struct agg_acc {
	long naggs;
	size_t cap;
	double *count;            /* cap */
	double *n, *min, *max;    /* naggs x cap, aggregate a of key k at a * cap + k */
	struct xsum *sum;         /* naggs x cap: exact, so that parts merge to the same bits */
	long *last_day;           /* naggs x cap; HIST_NO_DAY: no dated row yet */
	size_t *last_off;         /* naggs x cap: the text in the arena */
	struct arena text;
};

static void
agg_acc_fini(struct agg_acc *c)
{
	size_t i;

	for (i = 0; i < (size_t)c->naggs * c->cap; i++)
		xsum_fini(&c->sum[i]);
	free(c->count);
	free(c->sum);
	free(c->n);
	free(c->min);
	free(c->max);
	free(c->last_day);
	free(c->last_off);
	free(c->text.buf);
}

/* Room for key index ki. */
static int
agg_acc_reserve(struct agg_acc *c, size_t ki)
{
	size_t cap, i, a, na = (size_t)c->naggs;
	struct agg_acc g;

	if (ki < c->cap)
		return 0;
	cap = c->cap ? c->cap * 2 : 256;
	while (cap <= ki)
		cap *= 2;
	/* Arrays of naggs x cap: rebuilt with the new stride. */
	memset(&g, 0, sizeof g);
	if (grow_zero(&c->count, sizeof *c->count, c->cap, cap) < 0 ||
	    (g.sum = calloc(na * cap, sizeof *g.sum)) == NULL ||
	    (g.n = calloc(na * cap, sizeof *g.n)) == NULL ||
	    (g.min = calloc(na * cap, sizeof *g.min)) == NULL ||
	    (g.max = calloc(na * cap, sizeof *g.max)) == NULL ||
	    (g.last_day = calloc(na * cap, sizeof *g.last_day)) == NULL ||
	    (g.last_off = calloc(na * cap, sizeof *g.last_off)) == NULL) {
		free(g.sum);
		free(g.n);
		free(g.min);
		free(g.max);
		free(g.last_day);
		free(g.last_off);
		return -1;
	}
	for (a = 0; a < na; a++) {
		for (i = 0; i < cap; i++)
			g.last_day[a * cap + i] = HIST_NO_DAY;
		for (i = 0; i < c->cap; i++) {
			g.sum[a * cap + i] = c->sum[a * c->cap + i];
			g.n[a * cap + i] = c->n[a * c->cap + i];
			g.min[a * cap + i] = c->min[a * c->cap + i];
			g.max[a * cap + i] = c->max[a * c->cap + i];
			g.last_day[a * cap + i] = c->last_day[a * c->cap + i];
			g.last_off[a * cap + i] = c->last_off[a * c->cap + i];
		}
	}
	free(c->sum);
	free(c->n);
	free(c->min);
	free(c->max);
	free(c->last_day);
	free(c->last_off);
	c->sum = g.sum;
	c->n = g.n;
	c->min = g.min;
	c->max = g.max;
	c->last_day = g.last_day;
	c->last_off = g.last_off;
	c->cap = cap;
	return 0;
}

/*
 * Bind an --agg list to the history's header: every column it reads must
 * exist (the date column too when last: or recency is asked for).
 */
static int
agg_cols_bind(struct agg_cols *ac, const struct csvio_reader *r, const char *key,
    const char *date_col, struct diag *d)
{
	long a;

	ac->path = csvio_name(r);
	ac->date_col = date_col;
	if ((ac->kidx = csvio_require_col(r, key, d)) < 0)
		return -1;
	ac->need_day = 0;
	for (a = 0; a < ac->naggs; a++) {
		struct agg *g = &ac->aggs[a];
		if (needs_day(g->kind))
			ac->need_day = 1;
		if ((g->col != NULL && (g->idx = csvio_require_col(r, g->col, d)) < 0) ||
		    (g->col2 != NULL && (g->idx2 = csvio_require_col(r, g->col2, d)) < 0) ||
		    (g->cond != NULL && (g->cidx = csvio_require_col(r, g->cond, d)) < 0))
			return -1;
	}
	ac->didx = ac->need_day ? csvio_require_col(r, date_col, d) : csvio_col(r, date_col);
	if (ac->need_day && ac->didx < 0)
		return -1;
	return 0;
}

/* Whether row meets g's condition: 1, 0, or -1 with d filled (a flag that is not a number). */
static int
agg_cond(const struct agg_cols *ac, const struct agg *g, const struct csvio_row *row,
    struct diag *d)
{
	double x;
	int k;

	if (g->cond == NULL)
		return 1;
	if (g->cond_val != NULL)
		return row->len[g->cidx] == strlen(g->cond_val) &&
		    memcmp(row->f[g->cidx], g->cond_val, row->len[g->cidx]) == 0;
	if ((k = field_num(ac->path, row, g->cidx, g->cond, 0, &x, d)) < 0)
		return -1;
	return k > 0 && x != 0;
}

/*
 * Parse what the aggregates read from row into hr: val[a] is the row's
 * value (NAN: missing, or the row does not meet the condition; count,
 * last, recency: 1 when the row counts).  Returns 0, or -1 with d filled.
 */
static int
agg_cols_parse(const struct agg_cols *ac, const struct csvio_row *row, struct hist_row *hr,
    struct diag *d)
{
	struct date dt;
	double y;
	long a;
	int k, on;

	hr->has_day = 0;
	if (ac->didx >= 0 &&
	    (hr->has_day = field_day(ac->path, row, ac->didx, ac->date_col, &hr->day, d)) < 0)
		return -1;
	for (a = 0; a < ac->naggs; a++) {
		const struct agg *g = &ac->aggs[a];
		if ((on = agg_cond(ac, g, row, d)) < 0)
			return -1;
		hr->val[a] = on ? 1 : NAN;
		if (g->kind == AGG_COUNT || g->kind == AGG_RECENCY)
			continue;
		if (g->kind == AGG_LAST) {
			if (g->idx == ac->didx && hr->has_day) {
				date_from_days(hr->day, &dt);
				date_format(&dt, hr->date_buf[a]);
				hr->text[a] = hr->date_buf[a];
				hr->text_len[a] = strlen(hr->date_buf[a]);
			} else {
				hr->text[a] = row->f[g->idx];
				hr->text_len[a] = row->len[g->idx];
			}
			continue;
		}
		/* Both fields are read whatever the condition, so a bad number is always found. */
		if ((k = field_num(ac->path, row, g->idx, g->col, 0, &hr->val[a], d)) < 0 ||
		    (g->col2 != NULL && field_num(ac->path, row, g->idx2, g->col2, 0, &y, d) < 0))
			return -1;
		if (!on || k == 0 || (g->col2 != NULL && row->len[g->idx2] == 0)) {
			hr->val[a] = NAN;
			continue;
		}
		if (g->op == '*')
			hr->val[a] *= y;
		else if (g->op == '/')
			hr->val[a] = y != 0 ? hr->val[a] / y : NAN;   /* over 0: no value */
	}
	return 0;
}

/*
 * Add one row of key ki to the aggregates.  last:COL takes the latest dated
 * row; on a tie the later one, so rows must come in file order within a
 * day.  text_off[a]: where last:COL's text of this row is in c->text, or
 * NULL to copy hr's text there when it is taken.
 */
static int
agg_acc_add(struct agg_acc *c, const struct agg *aggs, size_t ki, const struct hist_row *hr,
    const size_t *text_off)
{
	long a;

	if (agg_acc_reserve(c, ki) < 0)
		return -1;
	c->count[ki] += 1;
	for (a = 0; a < c->naggs; a++) {
		size_t at = (size_t)a * c->cap + ki;
		double x = hr->val[a];
		if (isnan(x))         /* missing, or not meeting the condition */
			continue;
		switch (aggs[a].kind) {
		case AGG_COUNT:
			c->n[at] += 1;
			break;
		case AGG_LAST:
		case AGG_RECENCY:
			if (!hr->has_day || hr->day < c->last_day[at])
				break;
			c->last_day[at] = hr->day;
			if (aggs[a].kind == AGG_LAST) {
				size_t off = text_off != NULL ? text_off[a] :
				    arena_add(&c->text, hr->text[a], hr->text_len[a]);
				if (off == (size_t)-1)
					return -1;
				c->last_off[at] = off;
			}
			break;
		default:
			if (c->n[at] == 0 || x < c->min[at])
				c->min[at] = x;
			if (c->n[at] == 0 || x > c->max[at])
				c->max[at] = x;
			c->n[at] += 1;
			if (xsum_add(&c->sum[at], x) < 0)
				return -1;
			break;
		}
	}
	return 0;
}

/* What one aggregate of one key says: a number, a text, or nothing. */
struct hist_value {
	int has;                  /* 0: no value (empty field, JSON null) */
	double x;
	const char *s;            /* a text (last:COL), or NULL for a number */
	int real;                 /* a number written as a JSON real even when whole */
};

/* Aggregate a of key ki of c (ki beyond the keys seen: a key without rows) as of day asof. */
static struct hist_value
acc_value(const struct agg_acc *c, const struct agg *aggs, long a, size_t ki, long asof)
{
	struct hist_value v = { 0, 0, NULL, 0 };
	size_t at = (size_t)a * c->cap + ki;
	int seen = ki < c->cap && c->count[ki] > 0;

	switch (aggs[a].kind) {
	case AGG_COUNT:
		v.has = 1;
		v.x = seen ? c->n[at] : 0;
		break;
	case AGG_SUM:
		v.has = 1;
		v.x = seen ? xsum_value(&c->sum[at]) : 0;
		break;
	case AGG_MEAN:
		if ((v.has = seen && c->n[at] > 0))
			v.x = xsum_value(&c->sum[at]) / c->n[at];
		v.real = 1;
		break;
	case AGG_MIN:
		if ((v.has = seen && c->n[at] > 0))
			v.x = c->min[at];
		break;
	case AGG_MAX:
		if ((v.has = seen && c->n[at] > 0))
			v.x = c->max[at];
		break;
	case AGG_LAST:
		if ((v.has = seen && c->last_day[at] != HIST_NO_DAY))
			v.s = c->text.buf + c->last_off[at];
		break;
	case AGG_RECENCY:
		if ((v.has = seen && c->last_day[at] != HIST_NO_DAY))
			v.x = (double)(asof - c->last_day[at]);
		break;
	}
	return v;
}

/*
 * Aggregate a of key ki as of asof, with --cold-start's default where it
 * has no value: a given one, or the population's (pool: every row as one
 * key, at index 0).
 */
static struct hist_value
agg_acc_value(const struct agg_acc *c, const struct agg_acc *pool, const struct agg *aggs,
    long a, size_t ki, long asof)
{
	struct hist_value v = acc_value(c, aggs, a, ki, asof);

	if (v.has || aggs[a].cold == COLD_EMPTY)
		return v;
	if (aggs[a].cold == COLD_POPULATION)
		return acc_value(pool, aggs, a, 0, asof);
	v.has = 1;
	if (aggs[a].kind == AGG_LAST)
		v.s = aggs[a].cold_text;
	else
		v.x = aggs[a].cold_x;
	return v;
}

static json_t *
value_json(struct hist_value v)
{
	if (!v.has)
		return json_null();
	if (v.s != NULL)
		return json_string(v.s);
	return v.real ? json_real(v.x) : num_json(v.x);
}

/*
 * A lookup transform of type type with empty "columns", "default" and
 * "keys", after the members in extra (stolen), in the order the state has
 * always had them.
 */
static json_t *
lookup_new(const char *type, const char *key, json_t *extra)
{
	json_t *o = json_pack("{s:s, s:s}", "type", type, "key", key), *v;
	const char *k;

	if (o == NULL || extra == NULL) {
		json_decref(o);
		json_decref(extra);
		return NULL;
	}
	json_object_foreach(extra, k, v)
		json_object_set(o, k, v);
	json_decref(extra);
	json_object_set_new(o, "columns", json_array());
	json_object_set_new(o, "default", json_array());
	json_object_set_new(o, "keys", json_object());
	return o;
}

/* The "history" transform of aggregates c of keys (in byte order) as of asof. */
static json_t *
agg_json(const struct agg_acc *c, const struct agg_acc *pool, const struct agg *aggs,
    const struct strtab *keys, const char *key, const char *agg, const char *cold,
    const char *date_col, long asof)
{
	json_t *out = lookup_new("history", key, cold == NULL ? json_pack("{s:o, s:s}",
	    "date_column", date_col != NULL ? json_string(date_col) : json_null(), "aggregates", agg) :
	    json_pack("{s:o, s:s, s:s}", "date_column", date_col != NULL ? json_string(date_col) :
	    json_null(), "aggregates", agg, "cold_start", cold));
	json_t *cols, *dflt, *map, *vals;
	size_t nk = strtab_n(keys), i, *order;
	long a;

	if (out == NULL)
		return NULL;
	cols = json_object_get(out, "columns");
	dflt = json_object_get(out, "default");
	map = json_object_get(out, "keys");
	for (a = 0; a < c->naggs; a++) {
		json_array_append_new(cols, json_string(aggs[a].name));
		json_array_append_new(dflt, value_json(agg_acc_value(c, pool, aggs, a, (size_t)-1 / 2,
		    asof)));
	}
	if ((order = malloc((nk ? nk : 1) * sizeof *order)) == NULL) {
		json_decref(out);
		return NULL;
	}
	strtab_sorted(keys, order);
	for (i = 0; i < nk; i++) {
		if (order[i] >= c->cap || c->count[order[i]] == 0)
			continue;
		if ((vals = json_array()) == NULL)
			break;
		for (a = 0; a < c->naggs; a++)
			json_array_append_new(vals, value_json(agg_acc_value(c, pool, aggs, a, order[i],
			    asof)));
		json_object_set_new(map, strtab_str(keys, order[i], NULL), vals);
	}
	free(order);
	if (i < nk) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* Scratch for one parsed row of naggs aggregates. */
static int
row_scratch_init(struct hist_row *hr, long naggs)
{
	size_t n = (size_t)naggs;

	memset(hr, 0, sizeof *hr);
	hr->val = calloc(n, sizeof *hr->val);
	hr->text = calloc(n, sizeof *hr->text);
	hr->text_len = calloc(n, sizeof *hr->text_len);
	hr->date_buf = calloc(n, sizeof *hr->date_buf);
	return hr->val && hr->text && hr->text_len && hr->date_buf ? 0 : -1;
}

static void
row_scratch_fini(struct hist_row *hr)
{
	free(hr->val);
	free(hr->text);
	free(hr->text_len);
	free(hr->date_buf);
}

static int undated(const char *path, const struct csvio_row *row, const char *date_col,
    struct diag *d);

/*
 * Aggregates by key being learnt: from history rows (hist_acc_read), or
 * from the parts of other fits (hist_acc_merge).
 */
struct hist_acc {
	char *key, *agg, *cold, *date_col, *path;   /* owned */
	struct agg *aggs;
	long naggs;
	struct strtab *keys;      /* in the order first seen */
	struct agg_acc acc, pool;
	int date_column;          /* the history has the date column */
	int pit;                  /* point in time: every row dated, the rows before asof */
};

void
hist_acc_free(struct hist_acc *h)
{
	if (h == NULL)
		return;
	free(h->key);
	free(h->agg);
	free(h->cold);
	free(h->date_col);
	free(h->path);
	free_aggs(h->aggs, h->naggs);
	strtab_free(h->keys);
	agg_acc_fini(&h->acc);
	agg_acc_fini(&h->pool);
	free(h);
}

static char *
dup_or_null(const char *s, int *bad)
{
	char *c = s != NULL ? strdup(s) : NULL;

	if (s != NULL && c == NULL)
		*bad = 1;
	return c;
}

struct hist_acc *
hist_acc_new(const char *key, const char *agg, const char *cold, const char *date_col, int pit,
    struct diag *d)
{
	struct hist_acc *h = calloc(1, sizeof *h);
	int bad = 0;

	if (h == NULL) {
		oom(d);
		return NULL;
	}
	h->key = dup_or_null(key, &bad);
	h->agg = dup_or_null(agg, &bad);
	h->cold = dup_or_null(cold, &bad);
	h->date_col = dup_or_null(date_col, &bad);
	h->pit = pit;
	if (bad || (h->keys = strtab_new()) == NULL) {
		oom(d);
		hist_acc_free(h);
		return NULL;
	}
	if ((h->aggs = new_aggs(agg, cold, &h->naggs, d)) == NULL) {
		hist_acc_free(h);
		return NULL;
	}
	h->acc.naggs = h->pool.naggs = h->naggs;
	return h;
}

static int
set_path(char **path, const char *name)
{
	if (*path != NULL)
		return 0;
	return (*path = strdup(name)) != NULL ? 0 : -1;
}

int
hist_acc_read(struct hist_acc *h, struct source *src, const struct csvio_opts *csv, long asof,
    struct diag *d)
{
	struct csvio_reader *r = NULL;
	struct csvio_row row;
	struct agg_cols ac;
	struct hist_row hr;
	long ki;
	int got, rc = -1;

	memset(&ac, 0, sizeof ac);
	ac.aggs = h->aggs;
	ac.naggs = h->naggs;
	if (row_scratch_init(&hr, h->naggs) < 0 || set_path(&h->path, source_name(src)) < 0) {
		oom(d);
		goto out;
	}
	if ((r = source_reader_opts(src, csv, d)) == NULL ||
	    agg_cols_bind(&ac, r, h->key, h->date_col, d) < 0 ||
	    (h->pit && ac.didx < 0 && (ac.didx = csvio_require_col(r, h->date_col, d)) < 0))
		goto out;
	if (ac.didx >= 0)
		h->date_column = 1;
	while ((got = csvio_next(r, &row, d)) > 0) {
		if (csvio_check_width(r, &row, d) < 0 || agg_cols_parse(&ac, &row, &hr, d) < 0)
			goto out;
		if (h->pit && !hr.has_day) {
			undated(ac.path, &row, h->date_col, d);
			goto out;
		}
		/*
		 * Rows dated after asof are the future as seen from "today"; point
		 * in time, a row dated asof is too (the history as the day began).
		 */
		if (hr.has_day && asof != HIST_NO_DAY && (hr.day > asof || (h->pit && hr.day == asof)))
			continue;
		if ((ki = strtab_add(h->keys, row.f[ac.kidx], row.len[ac.kidx])) < 0 ||
		    agg_acc_add(&h->acc, h->aggs, (size_t)ki, &hr, NULL) < 0 ||
		    agg_acc_add(&h->pool, h->aggs, 0, &hr, NULL) < 0) {
			oom(d);
			goto out;
		}
	}
	rc = got < 0 ? -1 : 0;
out:
	csvio_close(r);
	row_scratch_fini(&hr);
	return rc;
}

json_t *
hist_acc_state(const struct hist_acc *h, long asof, struct diag *d)
{
	json_t *out;
	long a;

	for (a = 0; a < h->naggs && h->aggs[a].kind != AGG_RECENCY; a++)
		;
	if (a < h->naggs && asof == HIST_NO_DAY) {
		diag_set(d, h->path, 0, h->date_col, NULL, 0, "no dates to take asof from: give --asof");
		return NULL;
	}
	out = agg_json(&h->acc, &h->pool, h->aggs, h->keys, h->key, h->agg, h->cold,
	    h->date_column ? h->date_col : NULL, asof);
	if (out == NULL)
		oom(d);
	return out;
}

/* What key ki of c holds, as a JSON array: [rows, value of each aggregate]. */
static json_t *
acc_part(const struct agg_acc *c, const struct agg *aggs, size_t ki)
{
	json_t *o = json_array(), *v;
	long a;

	if (o == NULL)
		return NULL;
	json_array_append_new(o, json_integer((json_int_t)c->count[ki]));
	for (a = 0; a < c->naggs; a++) {
		size_t at = (size_t)a * c->cap + ki;
		switch (aggs[a].kind) {
		case AGG_COUNT:
			v = json_integer((json_int_t)c->n[at]);
			break;
		case AGG_LAST:
			v = c->last_day[at] == HIST_NO_DAY ? json_null() : json_pack("[I,s]",
			    (json_int_t)c->last_day[at], c->text.buf + c->last_off[at]);
			break;
		case AGG_RECENCY:
			v = c->last_day[at] == HIST_NO_DAY ? json_null() :
			    json_integer((json_int_t)c->last_day[at]);
			break;
		default:
			v = c->n[at] == 0 ? json_pack("[i]", 0) : json_pack("[I,o,f,f]",
			    (json_int_t)c->n[at], xsum_to_json(&c->sum[at]), c->min[at], c->max[at]);
			break;
		}
		if (v == NULL || json_array_append_new(o, v) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

json_t *
hist_acc_part(const struct hist_acc *h)
{
	json_t *o = json_object(), *keys = json_array(), *e;
	size_t nk = strtab_n(h->keys), i, *order = malloc((nk ? nk : 1) * sizeof *order);

	if (o == NULL || keys == NULL || order == NULL)
		goto nomem;
	json_object_set_new(o, "date_column", json_boolean(h->date_column));
	json_object_set_new(o, "keys", keys);
	strtab_sorted(h->keys, order);
	for (i = 0; i < nk; i++) {
		if ((e = acc_part(&h->acc, h->aggs, order[i])) == NULL)
			goto nomem2;
		json_array_insert_new(e, 0, json_string(strtab_str(h->keys, order[i], NULL)));
		if (json_array_append_new(keys, e) < 0)
			goto nomem2;
	}
	if (h->pool.cap > 0 && h->pool.count[0] > 0) {
		if ((e = acc_part(&h->pool, h->aggs, 0)) == NULL)
			goto nomem2;
		json_object_set_new(o, "population", e);
	} else {
		json_object_set_new(o, "population", json_null());
	}
	free(order);
	return o;
nomem:
	json_decref(keys);
nomem2:
	json_decref(o);
	free(order);
	return NULL;
}

/* A count in a part: an integer, 0 or more. */
static int
count_ok(const json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) >= 0;
}

/* A day number in a part: an integer that is a date (DATE_YEAR_MIN..DATE_YEAR_MAX). */
static int
day_ok(const json_t *v)
{
	struct date dt;

	return json_is_integer(v) && json_integer_value(v) > -4000000 &&
	    json_integer_value(v) < 4000000 && date_from_days((long)json_integer_value(v), &dt) == 0;
}

/* Add the part p ([rows, values...], as acc_part writes) to key ki of c: 0, or -1. */
static int
acc_merge(struct agg_acc *c, const struct agg *aggs, size_t ki, const json_t *p)
{
	long a;

	if (!json_is_array(p) || json_array_size(p) != (size_t)c->naggs + 1 ||
	    !count_ok(json_array_get(p, 0)) || agg_acc_reserve(c, ki) < 0)
		return -1;
	c->count[ki] += (double)json_integer_value(json_array_get(p, 0));
	for (a = 0; a < c->naggs; a++) {
		size_t at = (size_t)a * c->cap + ki;
		const json_t *v = json_array_get(p, (size_t)a + 1);
		double n, lo, hi;
		long day;
		switch (aggs[a].kind) {
		case AGG_COUNT:
			if (!count_ok(v))
				return -1;
			c->n[at] += (double)json_integer_value(v);
			break;
		case AGG_LAST:
		case AGG_RECENCY:
			if (json_is_null(v))
				break;
			if (aggs[a].kind == AGG_LAST && (!json_is_array(v) || json_array_size(v) != 2 ||
			    !json_is_string(json_array_get(v, 1))))
				return -1;
			if (aggs[a].kind == AGG_LAST)
				v = json_array_get(v, 0);
			if (!day_ok(v))
				return -1;
			day = (long)json_integer_value(v);
			/* A tie goes to the later part, as to the later row. */
			if (day < c->last_day[at])
				break;
			c->last_day[at] = day;
			if (aggs[a].kind == AGG_LAST) {
				const json_t *t = json_array_get(json_array_get(p, (size_t)a + 1), 1);
				size_t off = arena_add(&c->text, json_string_value(t), json_string_length(t));
				if (off == (size_t)-1)
					return -1;
				c->last_off[at] = off;
			}
			break;
		default:
			if (!json_is_array(v) || !count_ok(json_array_get(v, 0)))
				return -1;
			if ((n = (double)json_integer_value(json_array_get(v, 0))) == 0)
				break;
			if (json_array_size(v) != 4 || !json_is_number(json_array_get(v, 2)) ||
			    !json_is_number(json_array_get(v, 3)) ||
			    xsum_add_json(&c->sum[at], json_array_get(v, 1)) < 0)
				return -1;
			lo = json_number_value(json_array_get(v, 2));
			hi = json_number_value(json_array_get(v, 3));
			if (!(lo <= hi))
				return -1;
			/* Ties keep the earlier part's, as the earlier row's. */
			if (c->n[at] == 0 || lo < c->min[at])
				c->min[at] = lo;
			if (c->n[at] == 0 || hi > c->max[at])
				c->max[at] = hi;
			c->n[at] += n;
			break;
		}
	}
	return 0;
}

int
hist_acc_merge(struct hist_acc *h, const json_t *part, const char *name, struct diag *d)
{
	const json_t *keys = json_object_get(part, "keys"), *pop = json_object_get(part, "population");
	const json_t *dc = json_object_get(part, "date_column"), *e, *k;
	size_t i;
	long ki;

	if (!json_is_array(keys) || !json_is_boolean(dc) || (pop != NULL && !json_is_null(pop) &&
	    acc_merge(&h->pool, h->aggs, 0, pop) < 0))
		goto bad;
	if (set_path(&h->path, name) < 0)
		return oom(d);
	if (json_is_true(dc))
		h->date_column = 1;
	for (i = 0; i < json_array_size(keys); i++) {
		json_t *rest;
		int rc;
		e = json_array_get(keys, i);
		k = json_array_get(e, 0);
		if (!json_is_array(e) || !json_is_string(k))
			goto bad;
		if ((ki = strtab_add(h->keys, json_string_value(k), json_string_length(k))) < 0)
			return oom(d);
		if ((rest = json_copy((json_t *)e)) == NULL)
			return oom(d);
		json_array_remove(rest, 0);
		rc = acc_merge(&h->acc, h->aggs, (size_t)ki, rest);
		json_decref(rest);
		if (rc < 0)
			goto bad;
	}
	return 0;
bad:
	return diag_set(d, name, 0, NULL, NULL, 0, "bad part: history of \"%s\"", h->key);
}

/* ---- reference prices ---- */

/* The median of n sorted values (n >= 1), as R's median. */
static double
median_sorted(const double *v, size_t n)
{
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The "ref_price" transform with an empty table. */
static json_t *
ref_json_new(const char *item, const char *price, const char *date_col, long window, int median)
{
	json_t *out = lookup_new("ref_price", item, json_pack("{s:s, s:o, s:I, s:s}", "price", price,
	    "date_column", date_col != NULL ? json_string(date_col) : json_null(),
	    "window", (json_int_t)window, "stat", median ? "median" : "mean"));

	if (out == NULL)
		return NULL;
	json_array_append_new(json_object_get(out, "columns"), json_string("ref_price"));
	json_array_append_new(json_object_get(out, "default"), json_null());
	return out;
}

/* An item's prices, in the order read, with their days when a window needs them. */
struct price_list {
	double *v;
	long *day;
	size_t n, cap;
};

/*
 * Reference prices being learnt.  The window is applied when the state is
 * written, since "today" is the latest date of the whole history, which
 * one part of it does not know.
 */
struct hist_ref_acc {
	char *item, *price, *date_col, *path;   /* owned */
	long window;
	int median;
	int date_column;          /* the history has the date column */
	int pit;                  /* point in time: the window [asof - window, asof) */
	struct strtab *items;     /* in the order first seen */
	struct price_list *pl;
	size_t cap;
};

void
hist_ref_acc_free(struct hist_ref_acc *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->cap; i++) {
		free(h->pl[i].v);
		free(h->pl[i].day);
	}
	free(h->pl);
	strtab_free(h->items);
	free(h->item);
	free(h->price);
	free(h->date_col);
	free(h->path);
	free(h);
}

struct hist_ref_acc *
hist_ref_acc_new(const char *item, const char *price, const char *date_col, long window,
    int median, int pit, struct diag *d)
{
	struct hist_ref_acc *h = calloc(1, sizeof *h);
	int bad = 0;

	if (h == NULL) {
		oom(d);
		return NULL;
	}
	h->item = dup_or_null(item, &bad);
	h->price = dup_or_null(price, &bad);
	h->date_col = dup_or_null(date_col, &bad);
	h->window = window;
	h->median = median;
	h->pit = pit;
	if (bad || (h->items = strtab_new()) == NULL) {
		oom(d);
		hist_ref_acc_free(h);
		return NULL;
	}
	return h;
}

/* Append price x (of day day) to item s[0..len): 0, or -1 when out of memory. */
static int
ref_add(struct hist_ref_acc *h, const char *s, size_t len, double x, long day)
{
	long ki = strtab_add(h->items, s, len);
	struct price_list *p;

	if (ki < 0)
		return -1;
	if ((size_t)ki >= h->cap) {
		size_t ncap = h->cap ? h->cap * 2 : 256;
		if (grow_zero(&h->pl, sizeof *h->pl, h->cap, ncap) < 0)
			return -1;
		h->cap = ncap;
	}
	p = &h->pl[ki];
	if (p->n == p->cap) {
		size_t c2 = p->cap ? p->cap * 2 : 8;
		double *q = realloc(p->v, c2 * sizeof *q);
		long *dq;
		if (q == NULL)
			return -1;
		p->v = q;
		if ((dq = realloc(p->day, c2 * sizeof *dq)) == NULL)
			return -1;
		p->day = dq;
		p->cap = c2;
	}
	p->v[p->n] = x;
	p->day[p->n] = day;
	p->n++;
	return 0;
}

int
hist_ref_acc_read(struct hist_ref_acc *h, struct source *src, const struct csvio_opts *csv,
    long asof, struct diag *d)
{
	const char *path = source_name(src);
	struct csvio_reader *r = NULL;
	struct csvio_row row;
	long iidx, pidx, didx = -1, day = 0;
	int got, has_day, k, rc = -1;
	double x;

	if (set_path(&h->path, path) < 0) {
		oom(d);
		return -1;
	}
	if ((r = source_reader_opts(src, csv, d)) == NULL)
		goto out;
	if ((iidx = csvio_require_col(r, h->item, d)) < 0 ||
	    (pidx = csvio_require_col(r, h->price, d)) < 0)
		goto out;
	didx = h->window > 0 || h->pit ? csvio_require_col(r, h->date_col, d) :
	    csvio_col(r, h->date_col);
	if ((h->window > 0 || h->pit) && didx < 0)
		goto out;
	if (didx >= 0)
		h->date_column = 1;
	while ((got = csvio_next(r, &row, d)) > 0) {
		if (csvio_check_width(r, &row, d) < 0)
			goto out;
		has_day = 0;
		if (didx >= 0 && (has_day = field_day(path, &row, didx, h->date_col, &day, d)) < 0)
			goto out;
		if ((k = field_num(path, &row, pidx, h->price, 0, &x, d)) < 0)
			goto out;
		if (k == 0 || row.len[iidx] == 0)
			continue;
		if (h->pit && !has_day) {
			undated(path, &row, h->date_col, d);
			goto out;
		}
		if (has_day && asof != HIST_NO_DAY && (day > asof || (h->pit && day == asof)))
			continue;
		if (h->window > 0 && !has_day)
			continue;
		if (ref_add(h, row.f[iidx], row.len[iidx], x, has_day ? day : 0) < 0) {
			oom(d);
			goto out;
		}
	}
	rc = got < 0 ? -1 : 0;
out:
	csvio_close(r);
	return rc;
}

json_t *
hist_ref_acc_state(const struct hist_ref_acc *h, long asof, struct diag *d)
{
	size_t nk = strtab_n(h->items), i, j, m, cap = 0, *order = NULL;
	double *v = NULL, x;
	json_t *out = NULL, *map;

	if (h->window > 0 && asof == HIST_NO_DAY) {
		diag_set(d, h->path, 0, h->date_col, NULL, 0, "no dates to take asof from: give --asof");
		return NULL;
	}
	if ((out = ref_json_new(h->item, h->price, h->date_column ? h->date_col : NULL, h->window,
	    h->median)) == NULL || (order = malloc((nk ? nk : 1) * sizeof *order)) == NULL)
		goto nomem;
	map = json_object_get(out, "keys");
	strtab_sorted(h->items, order);
	for (i = 0; i < nk; i++) {
		const struct price_list *p = &h->pl[order[i]];
		struct xsum s = { NULL, 0, 0 };
		if (p->n > cap) {
			double *q = realloc(v, p->n * sizeof *q);
			if (q == NULL)
				goto nomem;
			v = q;
			cap = p->n;
		}
		/* The window, now that asof is known: (asof - window, asof], point in time [asof - window, asof). */
		for (j = m = 0; j < p->n; j++)
			if (h->window == 0 || asof - p->day[j] < h->window + h->pit)
				v[m++] = p->v[j];
		if (m == 0)
			continue;
		if (h->median) {
			qsort(v, m, sizeof *v, cmp_double);
			x = median_sorted(v, m);
		} else {
			for (j = 0; j < m; j++)
				if (xsum_add(&s, v[j]) < 0) {
					xsum_fini(&s);
					goto nomem;
				}
			x = xsum_value(&s) / (double)m;
			xsum_fini(&s);
		}
		json_object_set_new(map, strtab_str(h->items, order[i], NULL), json_pack("[f]", x));
	}
	goto done;
nomem:
	oom(d);
	json_decref(out);
	out = NULL;
done:
	free(order);
	free(v);
	return out;
}

json_t *
hist_ref_acc_part(const struct hist_ref_acc *h)
{
	json_t *o = json_object(), *items = json_array(), *e, *pv, *dv;
	size_t nk = strtab_n(h->items), i, j, *order = malloc((nk ? nk : 1) * sizeof *order);

	if (o == NULL || items == NULL || order == NULL) {
		json_decref(o);
		json_decref(items);
		free(order);
		return NULL;
	}
	json_object_set_new(o, "date_column", json_boolean(h->date_column));
	json_object_set_new(o, "items", items);
	strtab_sorted(h->items, order);
	for (i = 0; i < nk; i++) {
		const struct price_list *p = &h->pl[order[i]];
		pv = json_array();
		dv = h->window > 0 ? json_array() : json_null();
		e = json_pack("[s,o,o]", strtab_str(h->items, order[i], NULL), pv, dv);
		if (e == NULL || json_array_append_new(items, e) < 0)
			goto nomem;
		for (j = 0; j < p->n; j++)
			if (json_array_append_new(pv, json_real(p->v[j])) < 0 ||
			    (h->window > 0 && json_array_append_new(dv, json_integer(p->day[j])) < 0))
				goto nomem;
	}
	free(order);
	return o;
nomem:
	json_decref(o);
	free(order);
	return NULL;
}

int
hist_ref_acc_merge(struct hist_ref_acc *h, const json_t *part, const char *name, struct diag *d)
{
	const json_t *items = json_object_get(part, "items"), *dc = json_object_get(part, "date_column");
	size_t i, j;

	if (!json_is_array(items) || !json_is_boolean(dc))
		goto bad;
	if (set_path(&h->path, name) < 0)
		return oom(d);
	if (json_is_true(dc))
		h->date_column = 1;
	for (i = 0; i < json_array_size(items); i++) {
		const json_t *e = json_array_get(items, i), *k = json_array_get(e, 0);
		const json_t *pv = json_array_get(e, 1), *dv = json_array_get(e, 2);
		if (!json_is_string(k) || !json_is_array(pv) || (h->window > 0 ? !json_is_array(dv) ||
		    json_array_size(dv) != json_array_size(pv) : !json_is_null(dv)))
			goto bad;
		for (j = 0; j < json_array_size(pv); j++) {
			const json_t *x = json_array_get(pv, j), *dy = json_array_get(dv, j);
			if (!json_is_number(x) || (h->window > 0 && !day_ok(dy)))
				goto bad;
			if (ref_add(h, json_string_value(k), json_string_length(k), json_number_value(x),
			    h->window > 0 ? (long)json_integer_value(dy) : 0) < 0)
				return oom(d);
		}
	}
	return 0;
bad:
	return diag_set(d, name, 0, NULL, NULL, 0, "bad part: reference prices of \"%s\"", h->item);
}

/* ---- point in time ---- */

struct hist_pit {
	int ref;                  /* 0: aggregates by key; 1: a reference price by item */
	char *key, *agg, *cold, *date_col, *price;   /* owned, for the state */
	long window;
	int median;
	struct agg *aggs;
	long naggs;               /* ref: 1 (the price) */
	struct strtab *keys;      /* keys or items, in the order first seen */
	size_t n, cap;            /* history rows, in file order */
	long *rkey, *rday;
	double *val;              /* n x naggs */
	size_t *text_off;         /* n x naggs: last:COL's text in acc.text */
	size_t *order;            /* rows by (day, file order) */
	struct agg_acc acc;       /* aggregates: the running values by key */
	struct agg_acc pool;      /* and of every row as one key (--cold-start population) */
	/* ref: each item's distinct prices, sorted, and a Fenwick tree of counts over them */
	size_t *rank;             /* per row: its price's place among its item's */
	size_t *vstart, *vcount;  /* per item */
	double *vals;
	long *fen;
	long *icount;             /* per item: prices in the window */
	struct xsum *isum;        /* per item: their exact sum */
};

void
hist_pit_free(struct hist_pit *p)
{
	size_t i;

	if (p == NULL)
		return;
	free(p->key);
	free(p->agg);
	free(p->cold);
	free(p->date_col);
	free(p->price);
	free_aggs(p->aggs, p->naggs);
	if (p->isum != NULL)
		for (i = 0; i < strtab_n(p->keys); i++)
			free(p->isum[i].p);
	strtab_free(p->keys);
	free(p->rkey);
	free(p->rday);
	free(p->val);
	free(p->text_off);
	free(p->order);
	agg_acc_fini(&p->acc);
	p->pool.text.buf = NULL;   /* the pool shares acc's texts */
	agg_acc_fini(&p->pool);
	free(p->rank);
	free(p->vstart);
	free(p->vcount);
	free(p->vals);
	free(p->fen);
	free(p->icount);
	free(p->isum);
	free(p);
}

static struct hist_pit *
pit_new(int ref, const char *key, const char *date_col, struct diag *d)
{
	struct hist_pit *p = calloc(1, sizeof *p);

	if (p == NULL || (p->key = strdup(key)) == NULL || (p->date_col = strdup(date_col)) == NULL ||
	    (p->keys = strtab_new()) == NULL) {
		hist_pit_free(p);
		oom(d);
		return NULL;
	}
	p->ref = ref;
	return p;
}

/* Room for one more row. */
static int
pit_reserve(struct hist_pit *p)
{
	size_t cap, na = (size_t)p->naggs;

	if (p->n < p->cap)
		return 0;
	cap = p->cap ? p->cap * 2 : 1024;
	if (grow_zero(&p->rkey, sizeof *p->rkey, p->cap, cap) < 0 ||
	    grow_zero(&p->rday, sizeof *p->rday, p->cap, cap) < 0 ||
	    grow_zero(&p->val, sizeof *p->val * na, p->cap, cap) < 0 ||
	    grow_zero(&p->text_off, sizeof *p->text_off * na, p->cap, cap) < 0)
		return -1;
	p->cap = cap;
	return 0;
}

/* A history row without a date cannot be placed before or after anything. */
static int
undated(const char *path, const struct csvio_row *row, const char *date_col, struct diag *d)
{
	return diag_set(d, path, row->line, date_col, NULL, 0,
	    "no date: with --asof-col every history row needs one");
}

struct day_row {
	long day;
	size_t row;
};

static int
cmp_day_row(const void *a, const void *b)
{
	const struct day_row *x = a, *y = b;

	if (x->day != y->day)
		return (x->day > y->day) - (x->day < y->day);
	return (x->row > y->row) - (x->row < y->row);
}

/* order[0..n): 0..n-1 sorted by (day[i], i). */
static size_t *
sort_by_day(const long *day, size_t n)
{
	struct day_row *dr = malloc((n ? n : 1) * sizeof *dr);
	size_t *order = malloc((n ? n : 1) * sizeof *order), i;

	if (dr == NULL || order == NULL) {
		free(dr);
		free(order);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		dr[i].day = day[i];
		dr[i].row = i;
	}
	qsort(dr, n, sizeof *dr, cmp_day_row);
	for (i = 0; i < n; i++)
		order[i] = dr[i].row;
	free(dr);
	return order;
}

struct hist_pit *
hist_pit_aggs(struct source *src, const struct csvio_opts *csv, const char *key, const char *agg,
    const char *cold, const char *date_col, struct diag *d)
{
	struct hist_pit *p = pit_new(0, key, date_col, d);
	struct csvio_reader *r = NULL;
	struct csvio_row row;
	struct agg_cols ac;
	struct hist_row hr;
	long a, ki;
	int got;

	memset(&hr, 0, sizeof hr);
	if (p == NULL)
		return NULL;
	if ((p->agg = strdup(agg)) == NULL || (cold != NULL && (p->cold = strdup(cold)) == NULL))
		goto nomem;
	if ((p->aggs = new_aggs(agg, cold, &p->naggs, d)) == NULL)
		goto fail;
	memset(&ac, 0, sizeof ac);
	ac.aggs = p->aggs;
	ac.naggs = p->naggs;
	p->acc.naggs = p->pool.naggs = p->naggs;
	if (row_scratch_init(&hr, p->naggs) < 0)
		goto nomem;
	if ((r = source_reader_opts(src, csv, d)) == NULL || agg_cols_bind(&ac, r, key, date_col, d) < 0)
		goto fail;
	if (ac.didx < 0 && csvio_require_col(r, date_col, d) < 0)
		goto fail;
	ac.didx = csvio_col(r, date_col);
	while ((got = csvio_next(r, &row, d)) > 0) {
		size_t at = p->n * (size_t)p->naggs;
		if (csvio_check_width(r, &row, d) < 0 || agg_cols_parse(&ac, &row, &hr, d) < 0)
			goto fail;
		if (!hr.has_day) {
			undated(ac.path, &row, date_col, d);
			goto fail;
		}
		if (pit_reserve(p) < 0 ||
		    (ki = strtab_add(p->keys, row.f[ac.kidx], row.len[ac.kidx])) < 0)
			goto nomem;
		p->rkey[p->n] = ki;
		p->rday[p->n] = hr.day;
		for (a = 0; a < p->naggs; a++) {
			p->val[at + (size_t)a] = hr.val[a];
			if (p->aggs[a].kind == AGG_LAST &&
			    (p->text_off[at + (size_t)a] = arena_add(&p->acc.text, hr.text[a],
			    hr.text_len[a])) == (size_t)-1)
				goto nomem;
		}
		p->n++;
	}
	if (got < 0)
		goto fail;
	if ((p->order = sort_by_day(p->rday, p->n)) == NULL)
		goto nomem;
	csvio_close(r);
	row_scratch_fini(&hr);
	return p;
nomem:
	oom(d);
fail:
	csvio_close(r);
	row_scratch_fini(&hr);
	hist_pit_free(p);
	return NULL;
}

struct item_price {
	long item;
	double price;
	size_t row;
};

static int
cmp_item_price(const void *a, const void *b)
{
	const struct item_price *x = a, *y = b;

	if (x->item != y->item)
		return (x->item > y->item) - (x->item < y->item);
	return (x->price > y->price) - (x->price < y->price);
}

/* Each item's distinct prices, sorted (vstart, vcount, vals), and each row's place there. */
static int
pit_ranks(struct hist_pit *p)
{
	size_t n = p->n, ni = strtab_n(p->keys), i, nv = 0;
	struct item_price *ip = malloc((n ? n : 1) * sizeof *ip);

	p->rank = malloc((n ? n : 1) * sizeof *p->rank);
	p->vals = malloc((n ? n : 1) * sizeof *p->vals);
	p->fen = calloc(n ? n : 1, sizeof *p->fen);
	p->vstart = calloc(ni ? ni : 1, sizeof *p->vstart);
	p->vcount = calloc(ni ? ni : 1, sizeof *p->vcount);
	p->icount = calloc(ni ? ni : 1, sizeof *p->icount);
	p->isum = calloc(ni ? ni : 1, sizeof *p->isum);
	if (ip == NULL || p->rank == NULL || p->vals == NULL || p->fen == NULL ||
	    p->vstart == NULL || p->vcount == NULL || p->icount == NULL || p->isum == NULL) {
		free(ip);
		return -1;
	}
	for (i = 0; i < n; i++) {
		ip[i].item = p->rkey[i];
		ip[i].price = p->val[i];
		ip[i].row = i;
	}
	qsort(ip, n, sizeof *ip, cmp_item_price);
	for (i = 0; i < n; i++) {
		long it = ip[i].item;
		if (i == 0 || it != ip[i - 1].item) {
			p->vstart[it] = nv;
			p->vcount[it] = 0;
		}
		if (i == 0 || it != ip[i - 1].item || ip[i].price != ip[i - 1].price) {
			p->vals[nv++] = ip[i].price;
			p->vcount[it]++;
		}
		p->rank[ip[i].row] = p->vcount[it] - 1;
	}
	free(ip);
	return 0;
}

struct hist_pit *
hist_pit_ref(struct source *src, const struct csvio_opts *csv, const char *item, const char *price,
    const char *date_col, long window, int median, struct diag *d)
{
	struct hist_pit *p = pit_new(1, item, date_col, d);
	struct csvio_reader *r = NULL;
	struct csvio_row row;
	const char *path = source_name(src);
	long iidx, pidx, didx, ki, day;
	double x;
	int got, k, has_price;

	if (p == NULL)
		return NULL;
	p->window = window;
	p->median = median;
	p->naggs = 1;
	if ((p->price = strdup(price)) == NULL)
		goto nomem;
	if ((r = source_reader_opts(src, csv, d)) == NULL)
		goto fail;
	if ((iidx = csvio_require_col(r, item, d)) < 0 || (pidx = csvio_require_col(r, price, d)) < 0 ||
	    (didx = csvio_require_col(r, date_col, d)) < 0)
		goto fail;
	while ((got = csvio_next(r, &row, d)) > 0) {
		if (csvio_check_width(r, &row, d) < 0 ||
		    (k = field_day(path, &row, didx, date_col, &day, d)) < 0)
			goto fail;
		if ((has_price = field_num(path, &row, pidx, price, 0, &x, d)) < 0)
			goto fail;
		if (has_price == 0 || row.len[iidx] == 0)
			continue;
		if (k == 0) {
			undated(path, &row, date_col, d);
			goto fail;
		}
		if (pit_reserve(p) < 0 || (ki = strtab_add(p->keys, row.f[iidx], row.len[iidx])) < 0)
			goto nomem;
		p->rkey[p->n] = ki;
		p->rday[p->n] = day;
		p->val[p->n] = x;
		p->n++;
	}
	if (got < 0)
		goto fail;
	if ((p->order = sort_by_day(p->rday, p->n)) == NULL || pit_ranks(p) < 0)
		goto nomem;
	csvio_close(r);
	return p;
nomem:
	oom(d);
fail:
	csvio_close(r);
	hist_pit_free(p);
	return NULL;
}

int
hist_pit_last_day(const struct hist_pit *p, long *day)
{
	if (p->n == 0)
		return 0;
	*day = p->rday[p->order[p->n - 1]];
	return 1;
}

long
hist_pit_key(const struct hist_pit *p, const char *s, size_t len)
{
	return strtab_find(p->keys, s, len);
}

/* Fenwick tree of item it: add delta at place i (0-based). */
static void
fen_add(struct hist_pit *p, long it, size_t i, long delta)
{
	long *f = p->fen + p->vstart[it];
	size_t n = p->vcount[it];

	for (i++; i <= n; i += i & (~i + 1))
		f[i - 1] += delta;
}

/* The k-th smallest price (1-based) in item it's window. */
static double
fen_kth(const struct hist_pit *p, long it, long k)
{
	const long *f = p->fen + p->vstart[it];
	size_t n = p->vcount[it], pos = 0, step = 1;

	while (step * 2 <= n)
		step *= 2;
	for (; step > 0; step /= 2)
		if (pos + step <= n && f[pos + step - 1] < k) {
			pos += step;
			k -= f[pos - 1];
		}
	return p->vals[p->vstart[it] + pos];
}

/* Row i enters (delta 1) or leaves (delta -1) its item's window. */
static int
ref_move(struct hist_pit *p, size_t i, long delta)
{
	long it = p->rkey[i];

	fen_add(p, it, p->rank[i], delta);
	p->icount[it] += delta;
	return xsum_add(&p->isum[it], delta > 0 ? p->val[i] : -p->val[i]);
}

/* The reference price of item it now: 1 with *v, 0 when the window holds none. */
static int
ref_value(const struct hist_pit *p, long it, double *v)
{
	long c;

	if (it < 0 || (c = p->icount[it]) == 0)
		return 0;
	if (!p->median)
		*v = xsum_value(&p->isum[it]) / (double)c;
	else if (c % 2)
		*v = fen_kth(p, it, (c + 1) / 2);
	else
		*v = (fen_kth(p, it, c / 2) + fen_kth(p, it, c / 2 + 1)) / 2;
	return 1;
}

/* Sweep position: rows before add_at are in, rows before del_at are out again. */
struct sweep {
	size_t add_at, del_at;
};

/* Move the window to the days [day - window, day) (all days before day when window is 0). */
static int
sweep_to(struct hist_pit *p, struct sweep *sw, long day)
{
	size_t i;

	if (day == HIST_NO_DAY)
		return 0;             /* nothing is dated before it */
	while (sw->add_at < p->n && p->rday[i = p->order[sw->add_at]] < day) {
		struct hist_row hr = { .day = p->rday[i], .has_day = 1,
		    .val = p->val + i * (size_t)p->naggs };
		const size_t *off = p->text_off + i * (size_t)p->naggs;
		if (p->ref ? ref_move(p, i, 1) < 0 :
		    agg_acc_add(&p->acc, p->aggs, (size_t)p->rkey[i], &hr, off) < 0 ||
		    agg_acc_add(&p->pool, p->aggs, 0, &hr, off) < 0)
			return -1;
		/* The pool's last: texts are offsets into acc's. */
		p->pool.text = p->acc.text;
		sw->add_at++;
	}
	if (p->ref && p->window > 0)
		while (sw->del_at < sw->add_at && p->rday[i = p->order[sw->del_at]] < day - p->window) {
			if (ref_move(p, i, -1) < 0)
				return -1;
			sw->del_at++;
		}
	return 0;
}

/* The state's table as the sweep stands, for rows dated asof. */
static json_t *
pit_json(struct hist_pit *p, long asof)
{
	json_t *out, *map;
	size_t ni = strtab_n(p->keys), i, *order;
	double v;

	if (!p->ref)
		return agg_json(&p->acc, &p->pool, p->aggs, p->keys, p->key, p->agg, p->cold,
		    p->date_col, asof);
	if ((out = ref_json_new(p->key, p->price, p->date_col, p->window, p->median)) == NULL)
		return NULL;
	if ((order = malloc((ni ? ni : 1) * sizeof *order)) == NULL) {
		json_decref(out);
		return NULL;
	}
	map = json_object_get(out, "keys");
	strtab_sorted(p->keys, order);
	for (i = 0; i < ni; i++)
		if (ref_value(p, (long)order[i], &v))
			json_object_set_new(map, strtab_str(p->keys, order[i], NULL), json_pack("[f]", v));
	free(order);
	return out;
}

/*
 * The fields of query key ki now, each NUL-terminated, into rows; *off
 * where they start, *cold 1 when the key has no history yet (then they
 * are the --cold-start defaults).
 */
static int
pit_answer(struct hist_pit *p, long ki, long day, struct hist_rows *rows, size_t *off,
    unsigned char *cold)
{
	struct arena ar = { rows->text, rows->len, rows->cap };
	char buf[NUM_BUFSZ];
	struct hist_value v;
	long a;
	int rc = 0;

	if (p->ref) {
		*cold = !ref_value(p, ki, &v.x);
		*off = *cold ? arena_add(&ar, "", 0) : arena_add(&ar, buf, num_format(v.x, buf));
		rc = *off == (size_t)-1 ? -1 : 0;
	} else {
		size_t k = ki < 0 ? (size_t)-1 / 2 : (size_t)ki;   /* a key never seen */
		*cold = k >= p->acc.cap || p->acc.count[k] == 0;
		for (a = 0; a < p->naggs && rc == 0; a++) {
			size_t at;
			v = agg_acc_value(&p->acc, &p->pool, p->aggs, a, k, day);
			if (!v.has)
				at = arena_add(&ar, "", 0);
			else if (v.s != NULL)
				at = arena_add(&ar, v.s, strlen(v.s));
			else
				at = arena_add(&ar, buf, num_format(v.x, buf));
			if (at == (size_t)-1)
				rc = -1;
			else if (a == 0)
				*off = at;
		}
	}
	rows->text = ar.buf;
	rows->len = ar.len;
	rows->cap = ar.cap;
	return rc;
}

json_t *
hist_pit_run(struct hist_pit *p, const long *qkey, const long *qday, size_t nq, long asof,
    struct hist_rows *rows, struct diag *d)
{
	struct sweep sw = { 0, 0 };
	size_t *qorder = NULL, i, q;
	json_t *snap = NULL;

	memset(rows, 0, sizeof *rows);
	if ((rows->off = malloc((nq ? nq : 1) * sizeof *rows->off)) == NULL ||
	    (rows->cold = calloc(nq ? nq : 1, 1)) == NULL ||
	    (qorder = sort_by_day(qday, nq)) == NULL)
		goto nomem;
	rows->n = nq;
	for (i = 0; i < nq; i++) {
		q = qorder[i];
		rows->off[q] = HIST_ROW_NONE;
		if (qday[q] == HIST_NO_DAY)
			continue;
		/* The state is the table a row dated asof sees: taken when the sweep passes asof. */
		if (snap == NULL && qday[q] > asof &&
		    (sweep_to(p, &sw, asof) < 0 || (snap = pit_json(p, asof)) == NULL))
			goto nomem;
		if (sweep_to(p, &sw, qday[q]) < 0 ||
		    pit_answer(p, qkey[q], qday[q], rows, &rows->off[q], &rows->cold[q]) < 0)
			goto nomem;
	}
	if (snap == NULL && (sweep_to(p, &sw, asof) < 0 || (snap = pit_json(p, asof)) == NULL))
		goto nomem;
	free(qorder);
	return snap;
nomem:
	oom(d);
	free(qorder);
	json_decref(snap);
	hist_rows_fini(rows);
	return NULL;
}

void
hist_rows_fini(struct hist_rows *rows)
{
	free(rows->text);
	free(rows->off);
	free(rows->cold);
	memset(rows, 0, sizeof *rows);
}

/* ---- lookup tables ---- */

json_t *
hist_lookup_fit(const char *path, const struct csvio_opts *csv, const char *key, int reject,
    struct diag *d)
{
	struct csvio_reader *r = csvio_open_opts(path, csv, d);
	const struct csvio_row *h;
	struct csvio_row row;
	json_t *out = NULL, *cols, *dflt, *map, *vals;
	long kidx;
	size_t j;
	int got;

	if (r == NULL)
		return NULL;
	if ((kidx = csvio_require_col(r, key, d)) < 0)
		goto fail;
	h = csvio_header(r);
	if (h->n < 2) {
		diag_set(d, path, 1, NULL, NULL, 0, "a lookup file needs a column besides the key \"%s\"",
		    key);
		goto fail;
	}
	if ((out = lookup_new("lookup", key, json_pack("{s:s, s:s}", "file", path, "unmatched",
	    reject ? "reject" : "empty"))) == NULL)
		goto nomem;
	cols = json_object_get(out, "columns");
	dflt = json_object_get(out, "default");
	map = json_object_get(out, "keys");
	for (j = 0; j < h->n; j++)
		if ((long)j != kidx) {
			json_array_append_new(cols, json_stringn(h->f[j], h->len[j]));
			json_array_append_new(dflt, json_null());
		}
	while ((got = csvio_next(r, &row, d)) > 0) {
		char *k;
		if (csvio_check_width(r, &row, d) < 0)
			goto fail;
		if ((k = strndup(row.f[kidx], row.len[kidx])) == NULL)
			goto nomem;
		if (json_object_get(map, k) != NULL) {
			diag_set(d, path, row.line, key, row.f[kidx], row.len[kidx],
			    "key repeated in the lookup file");
			free(k);
			goto fail;
		}
		if ((vals = json_array()) == NULL) {
			free(k);
			goto nomem;
		}
		for (j = 0; j < row.n; j++)
			if ((long)j != kidx)
				json_array_append_new(vals, json_stringn(row.f[j], row.len[j]));
		json_object_set_new(map, k, vals);
		free(k);
	}
	if (got < 0)
		goto fail;
	csvio_close(r);
	return out;
nomem:
	oom(d);
fail:
	json_decref(out);
	csvio_close(r);
	return NULL;
}
