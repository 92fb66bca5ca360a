/* design.c - see design.h. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "design.h"
#include "xalloc.h"

int
design_set_levels(struct formula *f, struct store *s, size_t col, struct diag *d)
{
	size_t nl, k;
	char **names;
	int rc;

	store_sort_levels(s, col);
	nl = strtab_n(s->lv[col]);
	names = xrealloc(NULL, nl * sizeof *names);
	for (k = 0; k < nl; k++)
		names[k] = (char *)strtab_str(s->lv[col], k, NULL);
	rc = formula_set_levels(f, col, names, nl, d);
	free(names);
	if (rc == 0) {
		/* the formula's order: numbers numerically (R's factor()), text by bytes */
		size_t *rank = xrealloc(NULL, (nl ? nl : 1) * sizeof *rank);
		for (k = 0; k < nl; k++) {
			size_t len;
			const char *str = strtab_str(s->lv[col], k, &len);
			rank[k] = (size_t)formula_level_index(f, col, str, len);
		}
		store_rank_levels(s, col, rank);
		free(rank);
	}
	return rc;
}

void
design_build(struct store *s, const struct formula *f, const size_t *rows, size_t first,
    size_t nr, int consume, struct design *ds)
{
	size_t p = formula_ncoef(f), nc = s->nc, c0 = first >> STORE_CHUNK_SHIFT, c, k;
	double *work = xrealloc(NULL, formula_work_size(f) * sizeof *work);
	double *val = xrealloc(NULL, nc * sizeof *val);

	assert(rows != NULL || first + nr <= s->n);
	memset(ds, 0, sizeof *ds);
	ds->n = nr;
	ds->p = p;
	ds->nch = (nr + STORE_CHUNK_ROWS - 1) / STORE_CHUNK_ROWS;
	ds->x = xrealloc(NULL, (ds->nch ? ds->nch : 1) * sizeof *ds->x);
	ds->y = xrealloc(NULL, nr * sizeof *ds->y);
	if (s->w)
		ds->w0 = xrealloc(NULL, nr * sizeof *ds->w0);
	if (rows != NULL || (first & (STORE_CHUNK_ROWS - 1)) != 0)
		consume = 0;
	for (c = 0; c < ds->nch; c++) {
		size_t r0 = c * STORE_CHUNK_ROWS, i;
		size_t m = nr - r0 < STORE_CHUNK_ROWS ? nr - r0 : STORE_CHUNK_ROWS;
		double *xc;
		if (consume) {
			size_t keep = (p > nc ? p : nc) * m;
			xc = xrealloc(s->chunk[c0 + c], keep * sizeof *xc);
			s->chunk[c0 + c] = NULL;
		} else {
			xc = xrealloc(NULL, m * p * sizeof *xc);
		}
		ds->x[c] = xc;
		for (i = 0; i < m; i++) {
			k = consume && p > nc ? m - 1 - i : i;
			size_t row = rows ? rows[r0 + k] : first + r0 + k;
			const double *v = consume ? xc + k * nc : store_row(s, row);
			memcpy(val, v, nc * sizeof *val);
			formula_eval(f, val, -1, xc + k * p, NULL, work);
			ds->y[r0 + k] = formula_eval_response(f, val);
			if (ds->w0)
				ds->w0[r0 + k] = s->w[row];
		}
		if (consume && p < nc)
			ds->x[c] = xrealloc(xc, m * p * sizeof *xc);
	}
	free(work);
	free(val);
}

void
design_free(struct design *ds)
{
	size_t c;

	if (ds == NULL)
		return;
	for (c = 0; c < ds->nch; c++)
		free(ds->x[c]);
	free(ds->x);
	free(ds->y);
	free(ds->w0);
	free(ds->w);
	memset(ds, 0, sizeof *ds);
}

enum fit_status
design_fit(const struct design *ds, const struct fit_opts *fo, struct fit_result *r,
    struct diag *d)
{
	struct fit_design D;

	memset(&D, 0, sizeof D);
	D.n = ds->n;
	D.p = ds->p;
	D.chunk_rows = STORE_CHUNK_ROWS;
	D.ld = ds->p;
	D.x = ds->x;
	D.y = ds->y;
	D.y_stride = 1;
	D.w = ds->w ? ds->w : ds->w0;
	D.w_stride = 1;
	return fit_model_design(&D, fo, r, d);
}
