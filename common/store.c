/* store.c - see store.h. */
#ifdef __linux__
#define _DEFAULT_SOURCE 1       /* madvise(MADV_HUGEPAGE), see chunk_alloc */
#endif
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __linux__
#include <sys/mman.h>
#endif

#include "field.h"
#include "num.h"
#include "store.h"
#include "xalloc.h"

/* The level of s[0..len): numbers in their shortest form, as model_level_lookup looks them up. */
static long
intern(struct strtab *t, const char *s, size_t len)
{
	char buf[NUM_BUFSZ];
	double x;
	long id;

	if (num_parse(s, len, &x, 0) == NUM_OK)
		id = strtab_add(t, buf, num_format(x, buf));
	else
		id = strtab_add(t, s, len);
	if (id < 0)
		xalloc_die();
	return id;
}

/*
 * A store chunk.  On Linux it is asked for in transparent huge pages
 * (2 MiB): filling hundreds of megabytes page by page otherwise spends
 * about a tenth of the run in page faults.  Only a hint: the memory is
 * the same either way, and it may be passed to realloc and free.
 */
static double *
chunk_alloc(size_t n)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
	const size_t huge = (size_t)2 << 20;
	void *p;
	if (n * sizeof(double) >= huge && posix_memalign(&p, huge, n * sizeof(double)) == 0) {
		(void)madvise(p, n * sizeof(double) / huge * huge, MADV_HUGEPAGE);
		return p;
	}
#endif
	return xrealloc(NULL, n * sizeof(double));
}

/* Room for row s->n. */
static void
grow(struct store *s)
{
	size_t c = s->n >> STORE_CHUNK_SHIFT;

	if (c >= s->nchunk) {
		s->chunk = xrealloc(s->chunk, (c + 1) * sizeof *s->chunk);
		s->chunk[c] = chunk_alloc(STORE_CHUNK_ROWS * s->nc);
		s->nchunk = c + 1;
	}
	if (s->n < s->cap)
		return;
	s->cap = s->cap ? 2 * s->cap : 1024;
	if (s->w)
		s->w = xrealloc(s->w, s->cap * sizeof *s->w);
	if (s->gid)
		s->gid = xrealloc(s->gid, s->cap * sizeof *s->gid);
}

/* Row s->n is on input line line. */
static void
note_line(struct store *s, long line)
{
	if (s->n > 0 && line == s->last_line + 1) {
		s->last_line = line;
		return;
	}
	if (s->njump == s->capjump) {
		s->capjump = s->capjump ? 2 * s->capjump : 16;
		s->jump_row = xrealloc(s->jump_row, s->capjump * sizeof *s->jump_row);
		s->jump_line = xrealloc(s->jump_line, s->capjump * sizeof *s->jump_line);
	}
	s->jump_row[s->njump] = s->n;
	s->jump_line[s->njump] = line;
	s->njump++;
	s->last_line = line;
}

long
store_line(const struct store *s, size_t r)
{
	size_t lo = 0, hi = s->njump;   /* the last jump at or before r is in [lo, hi) */

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->jump_row[mid] <= r)
			lo = mid;
		else
			hi = mid;
	}
	return s->jump_line[lo] + (long)(r - s->jump_row[lo]);
}

int
store_spec_columns(struct store_spec *spec, const struct csvio_reader *in, long *field,
    const char *weight, const char *group, struct diag *d)
{
	size_t i;

	for (i = 0; i < formula_ncols(spec->f); i++)
		if ((field[i] = csvio_require_col(in, formula_col(spec->f, i), d)) < 0)
			return -1;
	spec->field = field;
	spec->weight_field = spec->group_field = -1;
	spec->weight_name = weight;
	spec->group_name = group;
	if (weight != NULL && (spec->weight_field = csvio_require_col(in, weight, d)) < 0)
		return -1;
	if (group != NULL && (spec->group_field = csvio_require_col(in, group, d)) < 0)
		return -1;
	return 0;
}

struct store *
store_new(const struct store_spec *spec)
{
	const struct formula *f = spec->f;
	struct store *s = xcalloc(1, sizeof *s);
	size_t nc = formula_ncols(f), i;

	s->spec = *spec;
	s->nc = nc;
	s->field = xrealloc(NULL, nc * sizeof *s->field);
	memcpy(s->field, spec->field, nc * sizeof *s->field);
	s->spec.field = s->field;
	s->lv = xcalloc(nc, sizeof *s->lv);
	s->text_line = xcalloc(nc, sizeof *s->text_line);
	s->text_value = xcalloc(nc, sizeof *s->text_value);
	s->has_num = xcalloc(nc, 1);
	for (i = 0; i < nc; i++)
		if (formula_col_forced(f, i) && (s->lv[i] = strtab_new()) == NULL)
			xalloc_die();
	if (spec->weight_field >= 0)
		s->w = xrealloc(NULL, 1);
	if (spec->group_field >= 0) {
		s->gid = xrealloc(NULL, 1);
		if ((s->groups = strtab_new()) == NULL)
			xalloc_die();
	}
	s->val = xrealloc(NULL, nc * sizeof *s->val);
	s->work = xrealloc(NULL, formula_work_size(f) * sizeof *s->work);
	return s;
}

void
store_free(struct store *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nc; i++)
		strtab_free(s->lv[i]);
	for (i = 0; i < s->nchunk; i++)
		free(s->chunk[i]);
	free(s->chunk);
	free(s->jump_row);
	free(s->jump_line);
	free(s->lv);
	free(s->w);
	free(s->gid);
	free(s->text_line);
	free(s->text_value);
	free(s->has_num);
	strtab_free(s->groups);
	free(s->field);
	free(s->val);
	free(s->work);
	free(s);
}

/* Column i turns categorical at row (the first text in it): the values so far become levels. */
static void
make_categorical(struct store *s, size_t i, const struct csvio_row *row, const char *t, size_t len)
{
	char buf[NUM_BUFSZ];
	size_t r;

	if ((s->lv[i] = strtab_new()) == NULL)
		xalloc_die();
	s->text_line[i] = row->line;
	snprintf(s->text_value[i], sizeof s->text_value[i], "%.*s", (int)(len < 60 ? len : 60), t);
	for (r = 0; r < s->n; r++) {
		double *v = store_row(s, r);
		long id = strtab_add(s->lv[i], buf, num_format(v[i], buf));
		if (id < 0)
			xalloc_die();
		v[i] = (double)id;
	}
}

int
store_add_row(struct store *s, const struct csvio_row *row, struct diag *d)
{
	const struct store_spec *sp = &s->spec;
	const struct formula *f = sp->f;
	const long *idx = s->field;
	double *val = s->val;
	const char *label;
	size_t nc = s->nc, i;
	int text = 0;

	/* first check every field, so a rejected row adds no level */
	for (i = 0; i < nc; i++) {
		const char *t = row->f[idx[i]];
		size_t len = row->len[idx[i]];
		enum num_status st;
		if (len == 0)
			return diag_set(d, NULL, 0, formula_col(f, i), NULL, 0, "missing value");
		val[i] = NAN;
		if (s->lv[i] != NULL)
			continue;
		st = num_parse(t, len, &val[i], 0);
		if (st != NUM_OK) {
			if (formula_col_numeric(f, i) || (long)i == sp->price) {
				if (field_decimal_comma(t, len) && s->n_decimal_comma++ == 0)
					snprintf(s->decimal_comma, sizeof s->decimal_comma, "%.*s",
					    (int)(len < 60 ? len : 60), t);
				return diag_set(d, NULL, 0, formula_col(f, i), t, len, "%s", num_strerror(st));
			}
			text = 1;
		}
	}
	if (formula_check_row(f, val, s->work, &label) < 0) {
		size_t rc = formula_response_col(f);
		if (formula_response_log(f) && isfinite(val[rc]) && !(val[rc] > 0))
			return diag_set(d, NULL, 0, formula_col(f, rc), row->f[idx[rc]], row->len[idx[rc]],
			    "a response of log() must be > 0");
		return diag_set(d, NULL, 0, NULL, label, strlen(label), "formula term is not finite");
	}
	if (s->w) {
		long wf = sp->weight_field;
		double wv;
		enum num_status st = num_parse(row->f[wf], row->len[wf], &wv, 0);
		if (st != NUM_OK || wv < 0)
			return diag_set(d, NULL, 0, sp->weight_name, st == NUM_EMPTY ? NULL : row->f[wf],
			    row->len[wf], "%s", st == NUM_EMPTY ? "missing value" :
			    st != NUM_OK ? num_strerror(st) : "negative weight");
		grow(s);
		s->w[s->n] = wv;
	}
	if (s->gid && row->len[sp->group_field] == 0)
		return diag_set(d, NULL, 0, sp->group_name, NULL, 0, "missing value");
	grow(s);
	for (i = 0; i < nc; i++) {
		const char *t = row->f[idx[i]];
		size_t len = row->len[idx[i]];
		if (s->lv[i] == NULL && text && isnan(val[i]))
			make_categorical(s, i, row, t, len);
		if (!s->has_num[i]) {
			double x;
			s->has_num[i] = s->lv[i] == NULL || num_parse(t, len, &x, 0) == NUM_OK;
		}
		store_row(s, s->n)[i] = s->lv[i] ? (double)intern(s->lv[i], t, len) : val[i];
	}
	if (s->gid) {
		long g = strtab_add(s->groups, row->f[sp->group_field], row->len[sp->group_field]);
		if (g < 0)
			xalloc_die();
		s->gid[s->n] = g;
	}
	note_line(s, row->line);
	s->n++;
	return 0;
}

int
store_mixed_column(const struct store *s, size_t col, long *line, const char **value)
{
	if (s->lv[col] == NULL || s->text_line[col] <= 0 || !s->has_num[col])
		return 0;
	*line = s->text_line[col];
	*value = s->text_value[col];
	return 1;
}

void
store_rank_levels(struct store *s, size_t col, const size_t *rank)
{
	struct strtab *lv = s->lv[col], *sorted;
	size_t nl = strtab_n(lv), k, r, *order;

	order = xrealloc(NULL, (nl ? nl : 1) * sizeof *order);
	for (k = 0; k < nl; k++)
		order[rank[k]] = k;
	for (r = 0; r < s->n; r++) {
		double *v = store_row(s, r);
		v[col] = (double)rank[(size_t)v[col]];
	}
	/* a table in rank order, so that index = rank */
	if ((sorted = strtab_new()) == NULL)
		xalloc_die();
	for (k = 0; k < nl; k++) {
		size_t len;
		const char *str = strtab_str(lv, order[k], &len);
		if (strtab_add(sorted, str, len) < 0)
			xalloc_die();
	}
	strtab_free(lv);
	s->lv[col] = sorted;
	free(order);
}

void
store_sort_levels(struct store *s, size_t col)
{
	size_t nl = strtab_n(s->lv[col]), k, *order, *rank;

	order = xrealloc(NULL, (nl ? nl : 1) * sizeof *order);
	rank = xrealloc(NULL, (nl ? nl : 1) * sizeof *rank);
	strtab_sorted(s->lv[col], order);
	for (k = 0; k < nl; k++)
		rank[order[k]] = k;
	store_rank_levels(s, col, rank);
	free(order);
	free(rank);
}
