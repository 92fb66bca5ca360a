/* offers.c - see offers.h. */
#include "offers.h"

#include <stdlib.h>
#include <string.h>

#include "field.h"
#include "strtab.h"

int
offers_load(struct offers *o, const char *path, const struct csvio_opts *csv,
    const char *promo_col, struct diag *d)
{
	struct csvio_reader *r;
	struct csvio_row row;
	long c_id, c_kind, c_value, c_cost, c_promo;
	int got, rc = -1;
	size_t cap = 0;
	struct strtab *ids;     /* the ids seen: a duplicate is found by hash, not by a scan */

	o->v = NULL;
	o->n = 0;
	if ((ids = strtab_new()) == NULL)
		return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
	if ((r = csvio_open_opts(path, csv, d)) == NULL) {
		strtab_free(ids);
		return -1;
	}
	if ((c_id = csvio_require_col(r, "offer_id", d)) < 0
	    || (c_kind = csvio_require_col(r, "kind", d)) < 0
	    || (c_value = csvio_require_col(r, "value", d)) < 0)
		goto out;
	c_promo = -1;
	if (promo_col != NULL) {
		c_promo = csvio_col(r, promo_col);
		if (c_promo < 0 && csvio_col(r, "promo_value") >= 0)
			promo_col = "promo_value";
		if ((c_promo = csvio_require_col(r, promo_col, d)) < 0)
			goto out;
	}
	c_cost = csvio_col(r, "cost");
	while ((got = csvio_next(r, &row, d)) > 0) {
		struct offer *of, *v;

		if (csvio_check_width(r, &row, d) < 0)
			goto out;
		if (o->n == cap) {
			size_t ncap = cap ? 2 * cap : 16;
			if ((v = realloc(o->v, ncap * sizeof *v)) == NULL) {
				diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
				goto out;
			}
			o->v = v;
			cap = ncap;
		}
		of = &o->v[o->n];
		memset(of, 0, sizeof *of);
		if (row.len[c_id] == 0) {
			diag_set(d, csvio_name(r), row.line, "offer_id", NULL, 0, "missing value");
			goto out;
		}
		if (strtab_find(ids, row.f[c_id], row.len[c_id]) >= 0) {
			diag_set(d, csvio_name(r), row.line, "offer_id", row.f[c_id], row.len[c_id],
			    "duplicate offer");
			goto out;
		}
		if (strtab_add(ids, row.f[c_id], row.len[c_id]) < 0) {
			diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
			goto out;
		}
		if (strcmp(row.f[c_kind], "percent") == 0) {
			of->kind = OFFER_PERCENT;
		} else if (strcmp(row.f[c_kind], "amount") == 0) {
			of->kind = OFFER_AMOUNT;
		} else {
			diag_set(d, csvio_name(r), row.line, "kind", row.f[c_kind], row.len[c_kind],
			    "expected percent or amount");
			goto out;
		}
		if (field_num(csvio_name(r), &row, c_value, "value", FIELD_REQUIRED, &of->value, d) < 0)
			goto out;
		if (c_promo >= 0 && field_num(csvio_name(r), &row, c_promo, promo_col, FIELD_REQUIRED,
		    &of->promo_value, d) < 0)
			goto out;
		if (c_cost >= 0 && field_num(csvio_name(r), &row, c_cost, "cost", 0, &of->cost, d) < 0)
			goto out;
		if (of->kind == OFFER_PERCENT ? !(of->value >= 0 && of->value < 100) : !(of->value >= 0)) {
			diag_set(d, csvio_name(r), row.line, "value", row.f[c_value], row.len[c_value],
			    of->kind == OFFER_PERCENT ? "a percent offer must be at least 0 and below 100"
			    : "an amount offer must not be negative");
			goto out;
		}
		of->paid_a = of->kind == OFFER_PERCENT ? 1 - of->value / 100 : 1;
		of->paid_b = of->kind == OFFER_PERCENT ? 0 : of->value;
		if ((of->id = strdup(row.f[c_id])) == NULL) {
			diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
			goto out;
		}
		o->n++;
	}
	if (got < 0)
		goto out;
	if (o->n == 0) {
		diag_set(d, csvio_name(r), 0, NULL, NULL, 0, "no offers");
		goto out;
	}
	rc = 0;
out:
	csvio_close(r);
	strtab_free(ids);
	return rc;
}

void
offers_free(struct offers *o)
{
	size_t i;

	if (o == NULL)
		return;
	for (i = 0; i < o->n; i++)
		free(o->v[i].id);
	free(o->v);
	o->v = NULL;
	o->n = 0;
}
