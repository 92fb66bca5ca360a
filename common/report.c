/*
 * report.c - see report.h: the figures, row by row, and the scored-data
 * metrics.  The document is built in report-build.c, the model section in
 * report-model.c, the gate in report-gate.c.
 */
#include "report.h"
#include "strtab.h"
#include "report-impl.h"
#include "pricing.h"
#include "stats.h"
#include "field.h"
#include "num.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double
report_sum_of(const struct sums *s, int k)
{
	return xsum_value(&s->x[k]);
}

/* Free the partials of the sums of s. */
static void
sums_fini(struct sums *s)
{
	int k;

	for (k = 0; k < NSUM; k++)
		xsum_fini(&s->x[k]);
}

void
report_keymap_free(struct keymap *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->v[i].key);
		sums_fini(&m->v[i].s);
		report_elast_free(m->v[i].el);
	}
	free(m->v);
	free(m->slot);
	memset(m, 0, sizeof *m);
}

static int
keymap_rehash(struct keymap *m, size_t nslot)
{
	size_t *slot = calloc(nslot, sizeof *slot), i;

	if (slot == NULL)
		return -1;
	for (i = 0; i < m->n; i++) {
		size_t h = (size_t)strtab_hash(m->v[i].key, strlen(m->v[i].key)) & (nslot - 1);
		while (slot[h] != 0)
			h = (h + 1) & (nslot - 1);
		slot[h] = i + 1;
	}
	free(m->slot);
	m->slot = slot;
	m->nslot = nslot;
	return 0;
}

struct entry *
report_keymap_get(struct keymap *m, const char *key, size_t len)
{
	size_t h;
	struct entry *e;

	if (m->nslot == 0 && keymap_rehash(m, 16) < 0)
		return NULL;
	h = (size_t)strtab_hash(key, len) & (m->nslot - 1);
	while (m->slot[h] != 0) {
		e = &m->v[m->slot[h] - 1];
		if (strlen(e->key) == len && memcmp(e->key, key, len) == 0)
			return e;
		h = (h + 1) & (m->nslot - 1);
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 8;
		struct entry *v = realloc(m->v, cap * sizeof *v);
		if (v == NULL)
			return NULL;
		m->v = v;
		m->cap = cap;
	}
	e = &m->v[m->n];
	memset(e, 0, sizeof *e);
	e->key = malloc(len + 1);
	if (e->key == NULL)
		return NULL;
	memcpy(e->key, key, len);
	e->key[len] = '\0';
	e->s.shadow = NAN;
	e->curve = -1;
	m->slot[h] = ++m->n;
	if (m->n * 2 > m->nslot && keymap_rehash(m, m->nslot * 2) < 0)
		return NULL;
	return e;
}

int
report_key_cmp(const char *a, const char *b)
{
	double x, y;
	int na = num_parse(a, strlen(a), &x, 0) == NUM_OK;
	int nb = num_parse(b, strlen(b), &y, 0) == NUM_OK;

	if (na != nb)
		return na ? -1 : 1;
	if (na && x != y)
		return x < y ? -1 : 1;
	return strcmp(a, b);
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct entry *const *x = a, *const *y = b;

	return report_key_cmp((*x)->key, (*y)->key);
}

struct entry **
report_keymap_sorted(const struct keymap *m)
{
	struct entry **v = malloc((m->n ? m->n : 1) * sizeof *v);
	size_t i;

	if (v == NULL)
		return NULL;
	for (i = 0; i < m->n; i++)
		v[i] = &m->v[i];
	qsort(v, m->n, sizeof *v, cmp_entry);
	return v;
}

int
report_check_bins(double width, double range, struct diag *d)
{
	double k;

	if (!(width > 0) || !(range > 0) || !isfinite(width) || !isfinite(range))
		return diag_set(d, NULL, 0, NULL, NULL, 0, "bin width and range must be positive");
	k = range / width;
	if (fabs(k - floor(k + 0.5)) > 1e-9 * k || floor(k + 0.5) < 1)
		return diag_set(d, NULL, 0, NULL, NULL, 0,
		    "the bin range must be a whole number of bin widths");
	if (2 * floor(k + 0.5) > REPORT_BINS_MAX)
		return diag_set(d, NULL, 0, NULL, NULL, 0, "more than %d bins", REPORT_BINS_MAX);
	return 0;
}

struct report *
report_new(const struct report_opts *o, const struct report_cols *cols)
{
	struct report *r = calloc(1, sizeof *r);
	size_t top = o->top ? o->top : 1;

	if (r == NULL)
		return NULL;
	r->o = *o;
	r->c = *cols;
	r->logged = cols->policy >= 0 || cols->arm >= 0;
	r->pricing = cols->opt_price >= 0 && !r->logged;
	r->total.shadow = NAN;
	r->nbins = (size_t)floor(2 * o->bin_range / o->bin_width + 0.5);
	r->hist = calloc(r->nbins + 2, sizeof *r->hist);
	r->inc = calloc(top, sizeof *r->inc);
	r->dec = calloc(top, sizeof *r->dec);
	r->flag = calloc(top, sizeof *r->flag);
	r->rows = calloc(REPORT_ROWS_SMALL, sizeof *r->rows);
	r->min_change = INFINITY;
	r->max_change = -INFINITY;
	r->last_group = -1;
	if (r->hist == NULL || r->inc == NULL || r->dec == NULL || r->flag == NULL ||
	    r->rows == NULL) {
		report_free(r);
		return NULL;
	}
	return r;
}

void
report_free(struct report *r)
{
	if (r == NULL)
		return;
	report_keymap_free(&r->groups);
	report_keymap_free(&r->bindings);
	report_keymap_free(&r->statuses);
	report_keymap_free(&r->offers);
	report_keymap_free(&r->audits);
	report_logged_free(r);
	sums_fini(&r->total);
	xsum_fini(&r->sum_change);
	free(r->rows);
	free(r->hist);
	free(r->inc);
	free(r->dec);
	free(r->flag);
	free(r->p);
	free(r->y);
	free(r->curves);
	free(r->curve_group);
	free(r->el_gm);
	free(r);
}

unsigned long long
report_rows(const struct report *r)
{
	return r->total.n;
}

void
report_set_model(struct report *r, struct model_eval *e)
{
	r->eval = e;
}

void
report_set_rejected(struct report *r, unsigned long long n)
{
	r->n_rejected = n;
}

void
report_want_elasticity(struct report *r, size_t ncoef)
{
	r->el_p = ncoef;
}

unsigned long long
report_rejected(const struct report *r)
{
	return r->n_rejected;
}

int
report_get_num(const struct csvio_row *row, long col, const char *name, double *out, struct diag *d)
{
	if (col < 0)
		return 0;
	return field_num(NULL, row, col, name, FIELD_REQUIRED, out, d) < 0 ? -1 : 0;
}

static void
copy_field(char *dst, size_t size, const struct csvio_row *row, long col)
{
	size_t n;

	if (col < 0 || (size_t)col >= row->n) {
		dst[0] = '\0';
		return;
	}
	n = row->len[col];
	if (n >= size)
		n = size - 1;
	memcpy(dst, row->f[col], n);
	dst[n] = '\0';
}

int
report_reserve_scores(struct report *r, size_t n)
{
	size_t cap = r->cap_s ? r->cap_s : 1024;
	double *p;
	unsigned char *y;

	if (n <= r->cap_s)
		return 0;
	while (cap < n)
		cap *= 2;
	p = realloc(r->p, cap * sizeof *p);
	if (p == NULL)
		return -1;
	r->p = p;
	y = realloc(r->y, cap * sizeof *y);
	if (y == NULL)
		return -1;
	r->y = y;
	r->cap_s = cap;
	return 0;
}

/* What a row adds to the counts of struct sums besides its figures. */
struct row_flags {
	int flagged, up, down, losing, bound;
};

/* 0, or -1 out of memory. */
static int
sums_add(struct sums *s, const double *v, const struct row_flags *f, double shadow)
{
	int k;

	s->n++;
	s->n_flagged += f->flagged != 0;
	s->n_up += f->up != 0;
	s->n_down += f->down != 0;
	s->n_losing += f->losing != 0;
	s->n_bound += f->bound != 0;
	for (k = 0; k < NSUM; k++)
		if (xsum_add(&s->x[k], v[k]) < 0)
			return -1;
	if (!isnan(shadow) && (isnan(s->shadow) || shadow > s->shadow))
		s->shadow = shadow;
	return 0;
}

/* Add the row's figures to the entry of key[0..len) in m; -1 when out of memory. */
static int
count_in(struct keymap *m, const char *key, size_t len, const double *v,
    const struct row_flags *f, double shadow)
{
	struct entry *e = report_keymap_get(m, key, len);

	if (e == NULL)
		return -1;
	return sums_add(&e->s, v, f, shadow);
}

/*
 * Keep the row in a list of at most top rows ordered by key (descending
 * when sign > 0, ascending when sign < 0), earlier rows first among ties:
 * a new row enters only ahead of a strictly worse one.
 */
void
report_keep_row(struct keep *v, size_t *n, size_t top, const struct keep *k, int sign)
{
	size_t pos = *n;

	while (pos > 0 && (sign > 0 ? k->change > v[pos - 1].change : k->change < v[pos - 1].change))
		pos--;
	if (pos >= top)
		return;
	if (*n < top)
		(*n)++;
	memmove(&v[pos + 1], &v[pos], (*n - 1 - pos) * sizeof *v);
	v[pos] = *k;
}

/*
 * Whether pr-optimize's binding names a bound of the price (min_price,
 * max_price, max_change, max_up, max_down, min_margin, min_markup, cost,
 * search_range): not none, ladder or capacity, which leave the price
 * inside its bounds.
 */
static int
is_bound(const struct csvio_row *row, long col)
{
	static const char *const inside[] = { "", "none", "ladder", "capacity", NULL };
	size_t i;

	if (col < 0)
		return 0;
	for (i = 0; inside[i] != NULL; i++)
		if (row->len[col] == strlen(inside[i]) && memcmp(row->f[col], inside[i],
		    row->len[col]) == 0)
			return 0;
	return 1;
}

/* Whether a status means pr-optimize flagged the row: anything but "" and "ok". */
static int
is_flagged(const struct csvio_row *row, long col)
{
	if (col < 0)
		return 0;
	return !(row->len[col] == 0 || (row->len[col] == 2 && memcmp(row->f[col], "ok", 2) == 0));
}

int
report_add_row(struct report *r, const struct csvio_row *row, struct diag *d)
{
	/* Checked in the order pr-optimize writes the columns. */
	static const int order[6] = { S_ED, S_ER, S_EP, S_BD, S_BR, S_BP };
	static const char *const names[6] = { PRICING_COL_EXP_DEMAND, PRICING_COL_EXP_REVENUE,
	    PRICING_COL_EXP_PROFIT, PRICING_COL_BASE_DEMAND, PRICING_COL_BASE_REVENUE,
	    PRICING_COL_BASE_PROFIT };
	double v[NSUM], price = NAN, opt = NAN, paid = NAN, shadow = NAN, label = NAN, pred = NAN;
	double change;
	long cols[NSUM];
	struct entry *g = NULL;
	struct keep k;
	struct row_flags fl;
	int i;
	const char *empty = "(none)";

	cols[S_BD] = r->c.base_demand;
	cols[S_BR] = r->c.base_revenue;
	cols[S_BP] = r->c.base_profit;
	cols[S_ED] = r->c.exp_demand;
	cols[S_ER] = r->c.exp_revenue;
	cols[S_EP] = r->c.exp_profit;
	if (r->logged)
		return report_logged_add(r, row, d);
	for (i = 0; i < NSUM; i++)
		v[i] = NAN;
	if (r->pricing) {
		if (report_get_num(row, r->c.price, r->o.price_name, &price, d) < 0)
			return -1;
		if (!(price > 0))
			return diag_set(d, NULL, 0, r->o.price_name, row->f[r->c.price],
			    row->len[r->c.price], "not a positive price");
		if (report_get_num(row, r->c.opt_price, PRICING_COL_OPT_PRICE, &opt, d) < 0)
			return -1;
		for (i = 0; i < 6; i++) {
			if (report_get_num(row, cols[order[i]], names[i], &v[order[i]], d) < 0)
				return -1;
		}
		paid = opt;
		if (r->c.paid >= 0 && report_get_num(row, r->c.paid, PRICING_COL_PAID_PRICE, &paid, d) < 0)
			return -1;
		if (r->c.shadow >= 0 && row->len[r->c.shadow] > 0 &&
		    report_get_num(row, r->c.shadow, PRICING_COL_SHADOW_PRICE, &shadow, d) < 0)
			return -1;
	}
	if (r->c.label >= 0) {
		if (report_get_num(row, r->c.label, r->o.label_name, &label, d) < 0)
			return -1;
		if (label != 0 && label != 1)
			return diag_set(d, NULL, 0, r->o.label_name, row->f[r->c.label],
			    row->len[r->c.label], "label is not 0 or 1");
		if (report_get_num(row, r->c.pred, r->o.pred_name, &pred, d) < 0)
			return -1;
		if (!(pred >= 0 && pred <= 1))
			return diag_set(d, NULL, 0, r->o.pred_name, row->f[r->c.pred],
			    row->len[r->c.pred], "probability outside [0, 1]");
		if (report_reserve_scores(r, r->ns + 1) < 0)
			return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
	}
	/* Every check has passed: count the row. */
	r->last_group = -1;
	r->last_price = price;
	r->last_opt = opt;
	r->last_bd = v[S_BD];
	r->last_bp = v[S_BP];
	if (r->c.by >= 0) {
		g = report_keymap_get(&r->groups, row->f[r->c.by], row->len[r->c.by]);
		if (g == NULL)
			return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
		r->last_group = (long)(g - r->groups.v);
	}
	if (r->c.label >= 0) {
		r->p[r->ns] = pred;
		r->y[r->ns] = (unsigned char)label;
		r->ns++;
	}
	if (!r->pricing) {
		r->total.n++;
		if (g != NULL)
			g->s.n++;
		return 0;
	}
	/* (opt - price) / price: the subtraction is exact when the prices are within a factor 2. */
	change = (opt - price) / price;
	memset(&fl, 0, sizeof fl);
	fl.flagged = is_flagged(row, r->c.status);
	fl.bound = is_bound(row, r->c.binding);
	/*
	 * Losing: the chosen price earns less than today's beyond rounding
	 * (pr-optimize's own lift of two equal prices can be -4e-16).
	 */
	fl.losing = v[S_EP] - v[S_BP] < -1e-9 * (fabs(v[S_BP]) > 1 ? fabs(v[S_BP]) : 1);
	if (opt == price) {
		change = 0;
		r->n_same++;
	} else if (opt > price) {
		r->n_up++;
		fl.up = 1;
	} else {
		r->n_down++;
		fl.down = 1;
	}
	v[S_PRICE] = price;
	v[S_OPT] = opt;
	v[S_PAID] = paid;
	v[S_CHG] = change;
	v[S_UP] = change > 0 ? change : 0;
	v[S_DOWN] = change < 0 ? change : 0;
	v[S_IDX] = paid / price;
	v[S_LOSS] = fl.losing ? v[S_EP] - v[S_BP] : 0;
	if (sums_add(&r->total, v, &fl, shadow) < 0 || (g != NULL && sums_add(&g->s, v, &fl,
	    shadow) < 0) ||
	    (r->c.binding >= 0 && count_in(&r->bindings, row->f[r->c.binding],
	    row->len[r->c.binding], v, &fl, shadow) < 0) ||
	    (r->c.status >= 0 && count_in(&r->statuses, row->f[r->c.status],
	    row->len[r->c.status], v, &fl, shadow) < 0) ||
	    (r->c.offer >= 0 && count_in(&r->offers, row->len[r->c.offer] ? row->f[r->c.offer] :
	    empty, row->len[r->c.offer] ? row->len[r->c.offer] : strlen(empty), v, &fl, shadow) < 0) ||
	    (r->c.audit >= 0 && count_in(&r->audits, row->f[r->c.audit], row->len[r->c.audit], v,
	    &fl, shadow) < 0))
		return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
	r->n_change++;
	if (xsum_add(&r->sum_change, change) < 0)
		return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
	if (change < r->min_change)
		r->min_change = change;
	if (change > r->max_change)
		r->max_change = change;
	{
		/* A change within 1e-9 of a bin's edge counts in the bin above the edge. */
		double t = (change + r->o.bin_range) / r->o.bin_width;
		size_t b;
		if (t < -1e-9)
			b = 0;
		else if (t > (double)r->nbins + 1e-9)
			b = r->nbins + 1;
		else {
			double f = floor(t + 1e-9);
			b = f >= (double)r->nbins ? r->nbins : (size_t)f + 1;
		}
		r->hist[b]++;
	}

	memset(&k, 0, sizeof k);
	k.change = change;
	k.price = price;
	k.opt = opt;
	k.paid = paid;
	k.lift = v[S_EP] - v[S_BP];
	k.line = row->line;
	copy_field(k.id, sizeof k.id, row, r->c.id);
	copy_field(k.group, sizeof k.group, row, r->c.by);
	copy_field(k.binding, sizeof k.binding, row, r->c.binding);
	copy_field(k.status, sizeof k.status, row, r->c.status);
	if (r->o.top > 0) {
		if (change > 0)
			report_keep_row(r->inc, &r->n_inc, r->o.top, &k, 1);
		if (change < 0)
			report_keep_row(r->dec, &r->n_dec, r->o.top, &k, -1);
		if (fl.flagged && r->n_flag < r->o.top)
			r->flag[r->n_flag++] = k;
	}
	if (r->n_rows < REPORT_ROWS_SMALL)
		r->rows[r->n_rows++] = k;
	return 0;
}

/*
 * With --by, only the curves of the o.curves groups first in name order are
 * kept: a new group's curve is made when there is room, or when its name
 * sorts before the last one kept, which it then replaces.  So memory stays
 * bounded by --curves however many groups there are.
 */
static long
last_kept(const struct report *r)
{
	long worst = -1;
	size_t i;

	for (i = 0; i < r->ncurves; i++)
		if (worst < 0 || report_key_cmp(r->groups.v[r->curve_group[i]].key,
		    r->groups.v[r->curve_group[worst]].key) > 0)
			worst = (long)i;
	return worst;
}

int
report_need_curve(const struct report *r, const struct csvio_row *row)
{
	long worst;

	(void)row;
	if (r->o.curves == 0)
		return 0;
	if (r->c.by < 0)
		return r->ncurves < r->o.curves;
	if (r->last_group < 0 || r->groups.v[r->last_group].curve != -1)
		return 0;
	if (r->ncurves < r->o.curves)
		return 1;
	worst = last_kept(r);
	return report_key_cmp(r->groups.v[r->last_group].key,
	    r->groups.v[r->curve_group[worst]].key) < 0;
}

/*
 * Add a curve for the row just counted (with --by, it belongs to the row's
 * group).  Returns 0, or -1 out of memory.
 */
int
report_add_curve(struct report *r, const struct report_curve *c)
{
	size_t slot = r->ncurves;

	if (r->c.by >= 0 && r->ncurves >= r->o.curves && r->ncurves > 0) {
		/* Replace the last kept group's curve (report_need_curve said this one sorts first). */
		slot = (size_t)last_kept(r);
		r->groups.v[r->curve_group[slot]].curve = -2;
	} else if (r->ncurves == r->cap_curves) {
		size_t cap = r->cap_curves ? r->cap_curves * 2 : 8;
		struct report_curve *v = realloc(r->curves, cap * sizeof *v);
		long *g;
		if (v == NULL)
			return -1;
		r->curves = v;
		g = realloc(r->curve_group, cap * sizeof *g);
		if (g == NULL)
			return -1;
		r->curve_group = g;
		r->cap_curves = cap;
	}
	r->curves[slot] = *c;
	r->curve_group[slot] = r->last_group;
	if (r->c.by >= 0 && r->last_group >= 0)
		r->groups.v[r->last_group].curve = (long)slot;
	if (slot == r->ncurves)
		r->ncurves++;
	return 0;
}

int
report_curve(struct report *r, struct model_eval *e, const struct csvio_row *row,
    const char *label)
{
	struct report_curve c;
	struct diag d;
	double price = r->last_price, opt = r->last_opt, lo, hi, m0, scale, cost;
	size_t i;

	if (!report_need_curve(r, row) || !r->pricing)
		return 0;
	if (model_eval_row(e, row, &d) < 0)
		return 1;
	m0 = model_eval_mean(e, price, NULL);
	if (!(m0 > 0) || !(r->last_bd > 0))
		return 1;
	scale = r->last_bd / m0;
	cost = price - r->last_bp / r->last_bd;
	memset(&c, 0, sizeof c);
	c.line = row->line;
	c.line_label = label == NULL;
	if (label == NULL)
		snprintf(c.label, sizeof c.label, "line %ld", row->line);
	else
		snprintf(c.label, sizeof c.label, "%s", label);
	copy_field(c.group, sizeof c.group, row, r->c.by);
	lo = 0.5 * price < opt ? 0.5 * price : opt;
	hi = 1.5 * price > opt ? 1.5 * price : opt;
	c.n = REPORT_CURVE_POINTS;
	for (i = 0; i < c.n; i++) {
		double p = lo + (hi - lo) * (double)i / (double)(c.n - 1);
		c.price[i] = p;
		c.demand[i] = scale * model_eval_mean(e, p, NULL);
		c.profit[i] = (p - cost) * c.demand[i];
	}
	c.today = price;
	c.chosen = opt;
	c.today_demand = r->last_bd;
	c.today_profit = r->last_bp;
	c.chosen_demand = scale * model_eval_mean(e, opt, NULL);
	c.chosen_profit = (opt - cost) * c.chosen_demand;
	return report_add_curve(r, &c);
}

/* ---- scores ---- */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
report_deciles(const double *p, size_t n, unsigned char *bin, double *breaks)
{
	double *s;
	size_t i;
	int k;

	if (n == 0)
		return -1;
	s = malloc(n * sizeof *s);
	if (s == NULL)
		return -1;
	memcpy(s, p, n * sizeof *s);
	qsort(s, n, sizeof *s, cmp_double);
	/* R's quantile(p, seq(0, 1, 0.1)): the probabilities k * 0.1, as seq makes them */
	for (k = 0; k <= 10; k++)
		breaks[k] = stats_quantile7(s, n, k * 0.1);
	free(s);
	for (i = 0; i < n; i++) {
		k = 0;
		while (k < 9 && p[i] > breaks[k + 1])
			k++;
		bin[i] = (unsigned char)k;
	}
	return 0;
}

/* ---- the document ---- */

static const char *const metric_names[] = {
	"rows", "rows_flagged", "base_demand", "base_revenue", "base_profit",
	"exp_demand", "exp_revenue", "exp_profit", "lift", "lift_rel",
	"scored_rows", "positives", "auc", "log_loss", "brier", NULL
};

const char *const *
report_metric_names(void)
{
	return metric_names;
}

int
report_metric_known(const char *name, int *higher_is_better)
{
	size_t i;

	for (i = 0; metric_names[i] != NULL; i++) {
		if (strcmp(metric_names[i], name) == 0) {
			*higher_is_better = !(strcmp(name, "log_loss") == 0 ||
			    strcmp(name, "brier") == 0 || strcmp(name, "rows_flagged") == 0);
			return 1;
		}
	}
	return 0;
}

