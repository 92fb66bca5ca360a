/* history.c - see history.h. */
#include "history.h"
#include "csvio.h"
#include "date.h"
#include "num.h"
#include "source.h"
#include "strtab.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum agg_kind { AGG_COUNT, AGG_SUM, AGG_MEAN, AGG_MIN, AGG_MAX, AGG_LAST, AGG_RECENCY };

static const char *const agg_word[] = { "count", "sum", "mean", "min", "max", "last", "recency" };

struct agg {
	enum agg_kind kind;
	char *col;                /* NULL for count and recency */
	long idx;
	double *sum, *n, *min, *max;     /* per key */
	char **last;                     /* per key, owned */
	long *last_day;                  /* per key */
};

static int
oom(struct diag *d)
{
	return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
}

/* Parse the list into aggs (NULL: only check).  Returns the count, or -1. */
static long
parse_aggs(const char *agg, struct agg *aggs, struct diag *d)
{
	const char *p = agg;
	long n = 0;
	size_t len, wl;
	const char *colon, *end;
	int k;

	while (*p != '\0') {
		end = strchr(p, ',');
		len = end ? (size_t)(end - p) : strlen(p);
		colon = memchr(p, ':', len);
		wl = colon ? (size_t)(colon - p) : len;
		for (k = 0; k <= AGG_RECENCY; k++)
			if (strlen(agg_word[k]) == wl && memcmp(agg_word[k], p, wl) == 0)
				break;
		if (k > AGG_RECENCY)
			return diag_set(d, NULL, 0, NULL, p, len,
			    "unknown aggregate (count, sum:COL, mean:COL, min:COL, max:COL, last:COL, recency)");
		if ((k == AGG_COUNT || k == AGG_RECENCY) != (colon == NULL) ||
		    (colon != NULL && (size_t)(colon - p) + 1 == len))
			return diag_set(d, NULL, 0, NULL, p, len,
			    k == AGG_COUNT || k == AGG_RECENCY ? "this aggregate takes no column" :
			    "this aggregate needs a column (as sum:COL)");
		if (aggs != NULL) {
			memset(&aggs[n], 0, sizeof aggs[n]);
			aggs[n].kind = (enum agg_kind)k;
			if (colon != NULL &&
			    (aggs[n].col = strndup(colon + 1, len - wl - 1)) == NULL)
				return oom(d);
		}
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

int
hist_check_aggs(const char *agg, struct diag *d)
{
	return parse_aggs(agg, NULL, d) < 0 ? -1 : 0;
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
hist_max_day(struct source *src, unsigned char delim, const char *date_col, long *day,
    struct diag *d)
{
	struct csvio_reader *r = source_reader(src, delim, d);
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

/* Grow every per-key array of aggs to cap keys, zeroing the new part. */
static int
grow(struct agg *aggs, long naggs, double **count, size_t old, size_t cap)
{
	long a;
	size_t i;

#define GROW(p) do { \
	void *q_ = realloc((p), cap * sizeof *(p)); \
	if (q_ == NULL) return -1; \
	(p) = q_; \
	memset((p) + old, 0, (cap - old) * sizeof *(p)); \
} while (0)
	GROW(*count);
	for (a = 0; a < naggs; a++) {
		GROW(aggs[a].sum);
		GROW(aggs[a].n);
		GROW(aggs[a].min);
		GROW(aggs[a].max);
		GROW(aggs[a].last);
		GROW(aggs[a].last_day);
		for (i = old; i < cap; i++)
			aggs[a].last_day[i] = HIST_NO_DAY;
	}
#undef GROW
	return 0;
}

static json_t *
num_json(double x)
{
	if (x == floor(x) && fabs(x) < 9007199254740992.0)
		return json_integer((json_int_t)x);
	return json_real(x);
}

json_t *
hist_fit(struct source *src, unsigned char delim, const char *key, const char *agg,
    const char *date_col, long asof, struct diag *d)
{
	const char *path = source_name(src);
	struct csvio_reader *r = NULL;
	struct csvio_row row;
	struct strtab *keys = NULL;
	struct agg *aggs = NULL;
	double *count = NULL, x;
	long naggs, a, kidx, didx = -1, day = 0, ki;
	size_t cap = 0, nk, i, *order = NULL;
	int got, has_day, need_day = 0;
	json_t *out = NULL, *cols, *dflt, *map, *vals;
	char name[1024], buf[DATE_BUFSZ];
	struct date dt;
	enum num_status ns;

	if ((naggs = parse_aggs(agg, NULL, d)) < 0)
		return NULL;
	if ((aggs = calloc((size_t)naggs, sizeof *aggs)) == NULL || parse_aggs(agg, aggs, d) < 0)
		goto fail;
	if ((r = source_reader(src, delim, d)) == NULL)
		goto fail;
	if ((kidx = csvio_require_col(r, key, d)) < 0)
		goto fail;
	for (a = 0; a < naggs; a++) {
		if (aggs[a].kind == AGG_LAST || aggs[a].kind == AGG_RECENCY)
			need_day = 1;
		if (aggs[a].col != NULL && (aggs[a].idx = csvio_require_col(r, aggs[a].col, d)) < 0)
			goto fail;
	}
	didx = need_day ? csvio_require_col(r, date_col, d) : csvio_col(r, date_col);
	if (need_day && didx < 0)
		goto fail;
	if (need_day && asof == HIST_NO_DAY) {
		for (a = 0; a < naggs && aggs[a].kind != AGG_RECENCY; a++)
			;
		if (a < naggs) {
			diag_set(d, path, 0, date_col, NULL, 0, "no dates to take asof from: give --asof");
			goto fail;
		}
	}
	if ((keys = strtab_new()) == NULL)
		goto nomem;
	while ((got = csvio_next(r, &row, d)) > 0) {
		if (csvio_check_width(r, &row, d) < 0)
			goto fail;
		has_day = 0;
		if (didx >= 0) {
			if ((has_day = field_day(path, &row, didx, date_col, &day, d)) < 0)
				goto fail;
			if (has_day && asof != HIST_NO_DAY && day > asof)
				continue;
		}
		if ((ki = strtab_add(keys, row.f[kidx], row.len[kidx])) < 0)
			goto nomem;
		if ((size_t)ki >= cap) {
			size_t ncap = cap ? cap * 2 : 256;
			if (grow(aggs, naggs, &count, cap, ncap) < 0)
				goto nomem;
			cap = ncap;
		}
		count[ki] += 1;
		for (a = 0; a < naggs; a++) {
			struct agg *g = &aggs[a];
			if (g->kind == AGG_COUNT)
				continue;
			if (g->kind == AGG_LAST || g->kind == AGG_RECENCY) {
				/* The latest dated row; on a tie the later row wins. */
				if (!has_day || day < g->last_day[ki])
					continue;
				g->last_day[ki] = day;
				if (g->kind == AGG_LAST) {
					char *c;
					if ((size_t)g->idx == (size_t)didx) {
						date_from_days(day, &dt);
						date_format(&dt, buf);
						c = strdup(buf);
					} else {
						c = strndup(row.f[g->idx], row.len[g->idx]);
					}
					if (c == NULL)
						goto nomem;
					free(g->last[ki]);
					g->last[ki] = c;
				}
				continue;
			}
			ns = num_parse(row.f[g->idx], row.len[g->idx], &x, 0);
			if (ns == NUM_EMPTY)
				continue;
			if (ns != NUM_OK) {
				diag_set(d, path, row.line, g->col, row.f[g->idx], row.len[g->idx], "%s",
				    num_strerror(ns));
				goto fail;
			}
			if (g->n[ki] == 0 || x < g->min[ki])
				g->min[ki] = x;
			if (g->n[ki] == 0 || x > g->max[ki])
				g->max[ki] = x;
			g->n[ki] += 1;
			g->sum[ki] += x;
		}
	}
	if (got < 0)
		goto fail;

	out = json_object();
	cols = json_array();
	dflt = json_array();
	map = json_object();
	if (out == NULL || cols == NULL || dflt == NULL || map == NULL) {
		json_decref(cols);
		json_decref(dflt);
		json_decref(map);
		goto nomem;
	}
	json_object_set_new(out, "type", json_string("history"));
	json_object_set_new(out, "key", json_string(key));
	json_object_set_new(out, "date_column", didx >= 0 ? json_string(date_col) : json_null());
	json_object_set_new(out, "aggregates", json_string(agg));
	json_object_set_new(out, "columns", cols);
	json_object_set_new(out, "default", dflt);
	json_object_set_new(out, "keys", map);
	for (a = 0; a < naggs; a++) {
		if (aggs[a].col != NULL)
			snprintf(name, sizeof name, "hist_%s_%s", agg_word[aggs[a].kind], aggs[a].col);
		else
			snprintf(name, sizeof name, "hist_%s", agg_word[aggs[a].kind]);
		json_array_append_new(cols, json_string(name));
		json_array_append_new(dflt, aggs[a].kind == AGG_COUNT ? json_integer(0) : json_null());
	}
	nk = strtab_n(keys);
	if ((order = malloc((nk ? nk : 1) * sizeof *order)) == NULL)
		goto nomem;
	strtab_sorted(keys, order);
	for (i = 0; i < nk; i++) {
		size_t k = order[i];
		if ((vals = json_array()) == NULL)
			goto nomem;
		for (a = 0; a < naggs; a++) {
			struct agg *g = &aggs[a];
			json_t *v;
			switch (g->kind) {
			case AGG_COUNT: v = num_json(count[k]); break;
			case AGG_SUM: v = num_json(g->sum[k]); break;
			case AGG_MEAN: v = g->n[k] > 0 ? json_real(g->sum[k] / g->n[k]) : json_null(); break;
			case AGG_MIN: v = g->n[k] > 0 ? num_json(g->min[k]) : json_null(); break;
			case AGG_MAX: v = g->n[k] > 0 ? num_json(g->max[k]) : json_null(); break;
			case AGG_LAST: v = g->last[k] ? json_string(g->last[k]) : json_null(); break;
			default:
				v = g->last_day[k] != HIST_NO_DAY ? json_integer(asof - g->last_day[k]) :
				    json_null();
				break;
			}
			json_array_append_new(vals, v);
		}
		json_object_set_new(map, strtab_str(keys, k, NULL), vals);
	}
	goto done;
nomem:
	oom(d);
fail:
	json_decref(out);
	out = NULL;
done:
	free(order);
	csvio_close(r);
	if (aggs != NULL) {
		for (a = 0; a < naggs; a++) {
			if (aggs[a].last != NULL)
				for (i = 0; i < cap; i++)
					free(aggs[a].last[i]);
			free(aggs[a].col);
			free(aggs[a].sum);
			free(aggs[a].n);
			free(aggs[a].min);
			free(aggs[a].max);
			free(aggs[a].last);
			free(aggs[a].last_day);
		}
	}
	free(aggs);
	free(count);
	strtab_free(keys);
	return out;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct price_list {
	double *v;
	size_t n, cap;
};

json_t *
hist_ref_fit(struct source *src, unsigned char delim, const char *item, const char *price,
    const char *date_col, long asof, long window, int median, struct diag *d)
{
	const char *path = source_name(src);
	struct csvio_reader *r = NULL;
	struct csvio_row row;
	struct strtab *items = NULL;
	struct price_list *pl = NULL;
	size_t cap = 0, nk = 0, i, *order = NULL;
	long iidx, pidx, didx = -1, day = 0, ki;
	int got, has_day;
	double x, v;
	enum num_status ns;
	json_t *out = NULL, *map;

	if ((r = source_reader(src, delim, d)) == NULL)
		goto fail;
	if ((iidx = csvio_require_col(r, item, d)) < 0 || (pidx = csvio_require_col(r, price, d)) < 0)
		goto fail;
	didx = window > 0 ? csvio_require_col(r, date_col, d) : csvio_col(r, date_col);
	if (window > 0 && didx < 0)
		goto fail;
	if (window > 0 && asof == HIST_NO_DAY) {
		diag_set(d, path, 0, date_col, NULL, 0, "no dates to take asof from: give --asof");
		goto fail;
	}
	if ((items = strtab_new()) == NULL)
		goto nomem;
	while ((got = csvio_next(r, &row, d)) > 0) {
		if (csvio_check_width(r, &row, d) < 0)
			goto fail;
		has_day = 0;
		if (didx >= 0 && (has_day = field_day(path, &row, didx, date_col, &day, d)) < 0)
			goto fail;
		if (has_day && asof != HIST_NO_DAY && day > asof)
			continue;
		if (window > 0 && (!has_day || asof - day >= window))
			continue;
		ns = num_parse(row.f[pidx], row.len[pidx], &x, 0);
		if (ns == NUM_EMPTY || row.len[iidx] == 0)
			continue;
		if (ns != NUM_OK) {
			diag_set(d, path, row.line, price, row.f[pidx], row.len[pidx], "%s",
			    num_strerror(ns));
			goto fail;
		}
		if ((ki = strtab_add(items, row.f[iidx], row.len[iidx])) < 0)
			goto nomem;
		if ((size_t)ki >= cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct price_list *q = realloc(pl, ncap * sizeof *q);
			if (q == NULL)
				goto nomem;
			pl = q;
			memset(pl + cap, 0, (ncap - cap) * sizeof *pl);
			cap = ncap;
		}
		if (pl[ki].n == pl[ki].cap) {
			size_t c2 = pl[ki].cap ? pl[ki].cap * 2 : 8;
			double *q = realloc(pl[ki].v, c2 * sizeof *q);
			if (q == NULL)
				goto nomem;
			pl[ki].v = q;
			pl[ki].cap = c2;
		}
		pl[ki].v[pl[ki].n++] = x;
	}
	if (got < 0)
		goto fail;
	out = json_pack("{s:s, s:s, s:s, s:o, s:i, s:s, s:[s], s:[n], s:{}}",
	    "type", "ref_price", "key", item, "price", price,
	    "date_column", didx >= 0 ? json_string(date_col) : json_null(),
	    "window", (int)window, "stat", median ? "median" : "mean",
	    "columns", "ref_price", "default", "keys");
	if (out == NULL)
		goto nomem;
	map = json_object_get(out, "keys");
	nk = strtab_n(items);
	if ((order = malloc((nk ? nk : 1) * sizeof *order)) == NULL)
		goto nomem;
	strtab_sorted(items, order);
	for (i = 0; i < nk; i++) {
		struct price_list *p = &pl[order[i]];
		size_t j;
		if (median) {
			qsort(p->v, p->n, sizeof *p->v, cmp_double);
			v = p->n % 2 ? p->v[p->n / 2] : (p->v[p->n / 2 - 1] + p->v[p->n / 2]) / 2;
		} else {
			for (v = 0, j = 0; j < p->n; j++)
				v += p->v[j];
			v /= (double)p->n;
		}
		json_object_set_new(map, strtab_str(items, order[i], NULL), json_pack("[f]", v));
	}
	goto done;
nomem:
	oom(d);
fail:
	json_decref(out);
	out = NULL;
done:
	free(order);
	csvio_close(r);
	for (i = 0; i < cap; i++)
		free(pl[i].v);
	free(pl);
	strtab_free(items);
	return out;
}
