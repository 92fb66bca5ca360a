/* report.c - see report.h.  The model section is in report-model.c. */
#include "report.h"
#include "num.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Figures summed over rows: today's (base) and the chosen (exp) ones. */
enum { S_BD, S_BR, S_BP, S_ED, S_ER, S_EP, NSUM };

struct sums {
	unsigned long long n, n_flagged;
	double v[NSUM], c[NSUM];    /* Neumaier sums: value and compensation */
	double shadow;              /* largest shadow price seen (NaN: none) */
};

/* One group, rule, status or offer. */
struct entry {
	char *key;
	struct sums s;
	long curve;                 /* index into r->curves; -1 none yet; -2 evicted */
};

/* Open addressing on FNV-1a; slots hold entry index + 1. */
struct keymap {
	struct entry *v;
	size_t n, cap;
	size_t *slot;
	size_t nslot;
};

/* A row kept in a list (largest changes, flagged rows). */
struct keep {
	double change, price, opt, lift;
	long line;
	char id[REPORT_ID_MAX];
	char group[REPORT_ID_MAX];
	char binding[32];
	char status[32];
};

struct report {
	struct report_opts o;
	struct report_cols c;
	int pricing;

	struct sums total;
	struct keymap groups, bindings, statuses, offers;

	size_t nbins;                    /* inner bins; hist has nbins + 2 */
	unsigned long long *hist;        /* [0] below, [1..nbins], [nbins+1] above */
	unsigned long long n_up, n_down, n_same, n_change;
	double sum_change, sum_change_c, min_change, max_change;

	struct keep *inc, *dec, *flag;
	size_t n_inc, n_dec, n_flag;

	double *p;
	unsigned char *y;
	size_t ns, cap_s;

	struct report_curve *curves;
	long *curve_group;               /* with --by: the group entry of each curve */
	size_t ncurves, cap_curves;
	long last_group;                 /* entry of the last row counted, with --by */
	double last_price, last_opt, last_bd, last_bp;   /* figures of the last row counted */
};

static void
neumaier(double *sum, double *comp, double x)
{
	double t = *sum + x;

	if (fabs(*sum) >= fabs(x))
		*comp += (*sum - t) + x;
	else
		*comp += (x - t) + *sum;
	*sum = t;
}

static double
sum_of(const struct sums *s, int k)
{
	return s->v[k] + s->c[k];
}

static uint64_t
fnv1a(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static void
keymap_free(struct keymap *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->v[i].key);
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
		size_t h = (size_t)fnv1a(m->v[i].key, strlen(m->v[i].key)) & (nslot - 1);
		while (slot[h] != 0)
			h = (h + 1) & (nslot - 1);
		slot[h] = i + 1;
	}
	free(m->slot);
	m->slot = slot;
	m->nslot = nslot;
	return 0;
}

/* The entry for key[0..len), added when new.  NULL when out of memory. */
static struct entry *
keymap_get(struct keymap *m, const char *key, size_t len)
{
	size_t h;
	struct entry *e;

	if (m->nslot == 0 && keymap_rehash(m, 16) < 0)
		return NULL;
	h = (size_t)fnv1a(key, len) & (m->nslot - 1);
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

static int
cmp_entry(const void *a, const void *b)
{
	const struct entry *const *x = a, *const *y = b;

	return strcmp((*x)->key, (*y)->key);
}

/* Entries sorted by key (bytewise), as a new array of pointers; NULL if out of memory. */
static struct entry **
keymap_sorted(const struct keymap *m)
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
	r->pricing = cols->opt_price >= 0;
	r->total.shadow = NAN;
	r->nbins = (size_t)floor(2 * o->bin_range / o->bin_width + 0.5);
	r->hist = calloc(r->nbins + 2, sizeof *r->hist);
	r->inc = calloc(top, sizeof *r->inc);
	r->dec = calloc(top, sizeof *r->dec);
	r->flag = calloc(top, sizeof *r->flag);
	r->min_change = INFINITY;
	r->max_change = -INFINITY;
	r->last_group = -1;
	if (r->hist == NULL || r->inc == NULL || r->dec == NULL || r->flag == NULL) {
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
	keymap_free(&r->groups);
	keymap_free(&r->bindings);
	keymap_free(&r->statuses);
	keymap_free(&r->offers);
	free(r->hist);
	free(r->inc);
	free(r->dec);
	free(r->flag);
	free(r->p);
	free(r->y);
	free(r->curves);
	free(r->curve_group);
	free(r);
}

unsigned long long
report_rows(const struct report *r)
{
	return r->total.n;
}

/* Parse the number in column col (named name) of row; -1 with d filled when it is not one. */
static int
get_num(const struct csvio_row *row, long col, const char *name, double *out, struct diag *d)
{
	enum num_status st;

	if (col < 0)
		return 0;
	st = num_parse(row->f[col], row->len[col], out, 0);
	if (st == NUM_OK)
		return 0;
	return diag_set(d, NULL, 0, name, st == NUM_EMPTY ? NULL : row->f[col], row->len[col],
	    "%s", st == NUM_EMPTY ? "missing value" : num_strerror(st));
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

static void
sums_add(struct sums *s, const double *v, int flagged, double shadow)
{
	int k;

	s->n++;
	if (flagged)
		s->n_flagged++;
	for (k = 0; k < NSUM; k++)
		neumaier(&s->v[k], &s->c[k], v[k]);
	if (!isnan(shadow) && (isnan(s->shadow) || shadow > s->shadow))
		s->shadow = shadow;
}

/*
 * Keep the row in a list of at most top rows ordered by key (descending
 * when sign > 0, ascending when sign < 0), earlier rows first among ties:
 * a new row enters only ahead of a strictly worse one.
 */
static void
keep_row(struct keep *v, size_t *n, size_t top, const struct keep *k, int sign)
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
	static const int order[NSUM] = { S_ED, S_ER, S_EP, S_BD, S_BR, S_BP };
	static const char *const names[NSUM] = { "exp_demand", "exp_revenue", "exp_profit",
	    "base_demand", "base_revenue", "base_profit" };
	double v[NSUM], price = NAN, opt = NAN, shadow = NAN, label = NAN, pred = NAN, change;
	long cols[NSUM];
	struct entry *g = NULL, *e;
	struct keep k;
	int flagged, i;
	const char *empty = "(none)";

	cols[S_BD] = r->c.base_demand;
	cols[S_BR] = r->c.base_revenue;
	cols[S_BP] = r->c.base_profit;
	cols[S_ED] = r->c.exp_demand;
	cols[S_ER] = r->c.exp_revenue;
	cols[S_EP] = r->c.exp_profit;
	if (r->pricing) {
		if (get_num(row, r->c.price, r->o.price_name, &price, d) < 0)
			return -1;
		if (!(price > 0))
			return diag_set(d, NULL, 0, r->o.price_name, row->f[r->c.price],
			    row->len[r->c.price], "not a positive price");
		if (get_num(row, r->c.opt_price, "opt_price", &opt, d) < 0)
			return -1;
		for (i = 0; i < NSUM; i++) {
			if (get_num(row, cols[order[i]], names[i], &v[order[i]], d) < 0)
				return -1;
		}
		if (r->c.shadow >= 0 && row->len[r->c.shadow] > 0 &&
		    get_num(row, r->c.shadow, "shadow_price", &shadow, d) < 0)
			return -1;
	}
	if (r->c.label >= 0) {
		if (get_num(row, r->c.label, r->o.label_name, &label, d) < 0)
			return -1;
		if (label != 0 && label != 1)
			return diag_set(d, NULL, 0, r->o.label_name, row->f[r->c.label],
			    row->len[r->c.label], "label is not 0 or 1");
		if (get_num(row, r->c.pred, r->o.pred_name, &pred, d) < 0)
			return -1;
		if (!(pred >= 0 && pred <= 1))
			return diag_set(d, NULL, 0, r->o.pred_name, row->f[r->c.pred],
			    row->len[r->c.pred], "probability outside [0, 1]");
		if (r->ns == r->cap_s) {
			size_t cap = r->cap_s ? r->cap_s * 2 : 1024;
			double *p = realloc(r->p, cap * sizeof *p);
			unsigned char *y;
			if (p == NULL)
				return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
			r->p = p;
			y = realloc(r->y, cap * sizeof *y);
			if (y == NULL)
				return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
			r->y = y;
			r->cap_s = cap;
		}
	}
	/* Every check has passed: count the row. */
	r->last_group = -1;
	r->last_price = price;
	r->last_opt = opt;
	r->last_bd = v[S_BD];
	r->last_bp = v[S_BP];
	if (r->c.by >= 0) {
		g = keymap_get(&r->groups, row->f[r->c.by], row->len[r->c.by]);
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
	flagged = is_flagged(row, r->c.status);
	sums_add(&r->total, v, flagged, shadow);
	if (g != NULL)
		sums_add(&g->s, v, flagged, shadow);
	if (r->c.binding >= 0) {
		e = keymap_get(&r->bindings, row->f[r->c.binding], row->len[r->c.binding]);
		if (e == NULL)
			return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
		sums_add(&e->s, v, flagged, shadow);
	}
	if (r->c.status >= 0) {
		e = keymap_get(&r->statuses, row->f[r->c.status], row->len[r->c.status]);
		if (e == NULL)
			return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
		sums_add(&e->s, v, flagged, shadow);
	}
	if (r->c.offer >= 0) {
		size_t len = row->len[r->c.offer];
		e = keymap_get(&r->offers, len ? row->f[r->c.offer] : empty,
		    len ? len : strlen(empty));
		if (e == NULL)
			return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
		sums_add(&e->s, v, flagged, shadow);
	}

	/* (opt - price) / price: the subtraction is exact when the prices are within a factor 2. */
	change = (opt - price) / price;
	if (opt == price) {
		change = 0;
		r->n_same++;
	} else if (opt > price) {
		r->n_up++;
	} else {
		r->n_down++;
	}
	r->n_change++;
	neumaier(&r->sum_change, &r->sum_change_c, change);
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
	k.lift = v[S_EP] - v[S_BP];
	k.line = row->line;
	copy_field(k.id, sizeof k.id, row, r->c.id);
	copy_field(k.group, sizeof k.group, row, r->c.by);
	copy_field(k.binding, sizeof k.binding, row, r->c.binding);
	copy_field(k.status, sizeof k.status, row, r->c.status);
	if (r->o.top > 0) {
		if (change > 0)
			keep_row(r->inc, &r->n_inc, r->o.top, &k, 1);
		if (change < 0)
			keep_row(r->dec, &r->n_dec, r->o.top, &k, -1);
		if (flagged && r->n_flag < r->o.top)
			r->flag[r->n_flag++] = k;
	}
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
		if (worst < 0 || strcmp(r->groups.v[r->curve_group[i]].key,
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
	return strcmp(r->groups.v[r->last_group].key,
	    r->groups.v[r->curve_group[worst]].key) < 0;
}

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

struct scored {
	double p;
	unsigned char y;
};

static int
cmp_scored(const void *a, const void *b)
{
	const struct scored *x = a, *y = b;

	return (x->p > y->p) - (x->p < y->p);
}

double
report_auc(const double *p, const unsigned char *y, size_t n)
{
	struct scored *v;
	double n1 = 0, n0 = 0, u = 0, below = 0;
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (y[i])
			n1++;
		else
			n0++;
	}
	if (n1 == 0 || n0 == 0)
		return NAN;
	v = malloc(n * sizeof *v);
	if (v == NULL)
		return -2;
	for (i = 0; i < n; i++) {
		v[i].p = p[i];
		v[i].y = y[i];
	}
	qsort(v, n, sizeof *v, cmp_scored);
	/*
	 * Mann-Whitney: each positive scores the negatives strictly below it,
	 * plus one half for each negative tied with it.
	 */
	for (i = 0; i < n; i = j) {
		double pos = 0, neg = 0;
		for (j = i; j < n && v[j].p == v[i].p; j++) {
			if (v[j].y)
				pos++;
			else
				neg++;
		}
		u += pos * (below + 0.5 * neg);
		below += neg;
	}
	free(v);
	return u / (n1 * n0);
}

double
report_log_loss(const double *p, const unsigned char *y, size_t n)
{
	double s = 0, c = 0;
	size_t i;

	if (n == 0)
		return NAN;
	for (i = 0; i < n; i++) {
		double q = p[i];
		/* Clipped as scikit-learn's log_loss did: a p of exactly 0 or 1 would give inf. */
		if (q < 1e-15)
			q = 1e-15;
		if (q > 1 - 1e-15)
			q = 1 - 1e-15;
		neumaier(&s, &c, -(y[i] ? log(q) : log1p(-q)));
	}
	return (s + c) / (double)n;
}

double
report_brier(const double *p, const unsigned char *y, size_t n)
{
	double s = 0, c = 0;
	size_t i;

	if (n == 0)
		return NAN;
	for (i = 0; i < n; i++)
		neumaier(&s, &c, (p[i] - y[i]) * (p[i] - y[i]));
	return (s + c) / (double)n;
}

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
	for (k = 0; k <= 10; k++) {
		/* R's type 7: h = (n - 1) * k / 10, interpolate between order statistics. */
		double h = (double)(n - 1) * k / 10.0;
		size_t lo = (size_t)floor(h);
		size_t hi = lo + 1 < n ? lo + 1 : lo;
		breaks[k] = s[lo] + (h - (double)lo) * (s[hi] - s[lo]);
	}
	breaks[10] = s[n - 1];
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

static double
rel(double now, double before)
{
	return before != 0 ? (now - before) / fabs(before) : NAN;
}

/* The number of rows as a share of the total rows. */
static double
share(unsigned long long n, unsigned long long total)
{
	return total ? (double)n / (double)total : NAN;
}

#define TRY(x) do { if ((x) < 0) goto fail; } while (0)
#define TRYP(x) do { if ((x) == NULL) goto fail; } while (0)

static int
build_counts(struct report_doc *doc, const struct keymap *m, const char *name,
    const char *title, const char *what, unsigned long long total, int with_figures)
{
	const char *keys[] = { what, "rows", "share", "exp_demand", "exp_profit", "lift" };
	const char *heads[] = { what, "rows", "share", "demand", "profit", "lift" };
	struct report_table *t;
	struct entry **v = keymap_sorted(m);
	size_t i;

	if (v == NULL)
		return -1;
	t = report_doc_table(doc, name, title, with_figures ? 6 : 3, keys, heads);
	if (t == NULL)
		goto fail;
	for (i = 0; i < m->n; i++) {
		const struct sums *s = &v[i]->s;
		TRY(report_table_row(t));
		TRY(report_table_text(t, 0, v[i]->key));
		report_table_num(t, 1, (double)s->n, REPORT_INT);
		report_table_num(t, 2, share(s->n, total), REPORT_PCT);
		if (with_figures) {
			report_table_num(t, 3, sum_of(s, S_ED), REPORT_FIX2);
			report_table_num(t, 4, sum_of(s, S_EP), REPORT_FIX2);
			report_table_num(t, 5, sum_of(s, S_EP) - sum_of(s, S_BP), REPORT_FIX2);
		}
	}
	free(v);
	return 0;
fail:
	free(v);
	return -1;
}

static int
build_keep(const struct report *r, struct report_doc *doc, const char *name,
    const char *title, const struct keep *v, size_t n, int flagged)
{
	const char *keys[8], *heads[8];
	struct report_table *t;
	size_t nc = 0, i, c;

	keys[nc] = "rank", heads[nc++] = "#";
	keys[nc] = "line", heads[nc++] = "line";
	if (r->c.id >= 0)
		keys[nc] = "id", heads[nc++] = r->o.id_name;
	if (r->c.by >= 0)
		keys[nc] = "group", heads[nc++] = r->o.by_name;
	keys[nc] = "price", heads[nc++] = "today";
	keys[nc] = "opt_price", heads[nc++] = "chosen";
	keys[nc] = "change", heads[nc++] = "change";
	if (flagged)
		keys[nc] = "status", heads[nc++] = "status";
	else
		keys[nc] = "binding", heads[nc++] = "binding";
	t = report_doc_table(doc, name, title, nc, keys, heads);
	if (t == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		c = 0;
		if (report_table_row(t) < 0)
			return -1;
		report_table_num(t, c++, (double)(i + 1), REPORT_INT);
		report_table_num(t, c++, (double)v[i].line, REPORT_INT);
		if (r->c.id >= 0 && report_table_text(t, c++, v[i].id) < 0)
			return -1;
		if (r->c.by >= 0 && report_table_text(t, c++, v[i].group) < 0)
			return -1;
		report_table_num(t, c++, v[i].price, REPORT_FIX2);
		report_table_num(t, c++, v[i].opt, REPORT_FIX2);
		report_table_num(t, c++, v[i].change, REPORT_PCT);
		if (report_table_text(t, c++, flagged ? v[i].status : v[i].binding) < 0)
			return -1;
	}
	return 0;
}

static int
build_pricing(const struct report *r, struct report_doc *doc)
{
	static const char *const tk[] = { "measure", "today", "chosen", "change", "change_rel" };
	static const char *const th[] = { "", "today", "chosen", "change", "change %" };
	static const char *const measure[3] = { "demand", "revenue", "profit" };
	const struct sums *s = &r->total;
	struct report_table *t;
	struct entry **gv = NULL;
	char title[REPORT_ID_MAX + 64];
	int k;
	size_t i;

	TRY(report_doc_heading(doc, "Pricing"));
	TRYP(t = report_doc_table(doc, "totals", "Totals at today's and at the chosen prices", 5,
	    tk, th));
	for (k = 0; k < 3; k++) {
		double before = sum_of(s, S_BD + k), now = sum_of(s, S_ED + k);
		TRY(report_table_row(t));
		TRY(report_table_text(t, 0, measure[k]));
		report_table_num(t, 1, before, REPORT_FIX2);
		report_table_num(t, 2, now, REPORT_FIX2);
		report_table_num(t, 3, now - before, REPORT_FIX2);
		report_table_num(t, 4, rel(now, before), REPORT_PCT);
	}

	TRYP(t = report_doc_kv(doc, "changes", "Price changes"));
	TRY(report_table_kv(t, "rows|rows", (double)s->n, REPORT_INT));
	TRY(report_table_kv(t, "rows_up|prices raised", (double)r->n_up, REPORT_INT));
	TRY(report_table_kv(t, "rows_down|prices lowered", (double)r->n_down, REPORT_INT));
	TRY(report_table_kv(t, "rows_unchanged|prices unchanged", (double)r->n_same, REPORT_INT));
	TRY(report_table_kv(t, "rows_flagged|rows flagged", (double)s->n_flagged, REPORT_INT));
	TRY(report_table_kv(t, "mean_change|mean change",
	    r->n_change ? (r->sum_change + r->sum_change_c) / (double)r->n_change : NAN,
	    REPORT_PCT));
	TRY(report_table_kv(t, "min_change|smallest change", r->n_change ? r->min_change : NAN,
	    REPORT_PCT));
	TRY(report_table_kv(t, "max_change|largest change", r->n_change ? r->max_change : NAN,
	    REPORT_PCT));

	if (r->c.by >= 0) {
		const char *keys[] = { "group", "rows", "rows_flagged", "base_demand", "exp_demand",
		    "base_revenue", "exp_revenue", "base_profit", "exp_profit", "lift", "lift_rel",
		    "shadow_price" };
		const char *heads[] = { r->o.by_name, "rows", "flagged", "demand today",
		    "demand chosen", "revenue today", "revenue chosen", "profit today",
		    "profit chosen", "lift", "lift %", "shadow price" };
		snprintf(title, sizeof title, "By %s", r->o.by_name);
		TRYP(gv = keymap_sorted(&r->groups));
		TRYP(t = report_doc_table(doc, "by_group", title, r->c.shadow >= 0 ? 12 : 11, keys,
		    heads));
		for (i = 0; i < r->groups.n; i++) {
			const struct sums *g = &gv[i]->s;
			TRY(report_table_row(t));
			TRY(report_table_text(t, 0, gv[i]->key));
			report_table_num(t, 1, (double)g->n, REPORT_INT);
			report_table_num(t, 2, (double)g->n_flagged, REPORT_INT);
			for (k = 0; k < 3; k++) {
				report_table_num(t, 3 + 2 * k, sum_of(g, S_BD + k), REPORT_FIX2);
				report_table_num(t, 4 + 2 * k, sum_of(g, S_ED + k), REPORT_FIX2);
			}
			report_table_num(t, 9, sum_of(g, S_EP) - sum_of(g, S_BP), REPORT_FIX2);
			report_table_num(t, 10, rel(sum_of(g, S_EP), sum_of(g, S_BP)), REPORT_PCT);
			if (r->c.shadow >= 0)
				report_table_num(t, 11, g->shadow, REPORT_FIX4);
		}
		free(gv);
		gv = NULL;
	}

	{
		static const char *const hk[] = { "bin", "lo", "hi", "rows", "share" };
		static const char *const hh[] = { "change", "from", "to", "rows", "share" };
		size_t nb = r->nbins + 2;
		double *y = calloc(nb, sizeof *y);
		char **labels = calloc(nb, sizeof *labels);
		int bad = y == NULL || labels == NULL;
		t = bad ? NULL : report_doc_table(doc, "change_hist",
		    "Distribution of price changes (chosen / today - 1)", 5, hk, hh);
		for (i = 0; t != NULL && i < nb; i++) {
			double lo = i == 0 ? -INFINITY : -r->o.bin_range + r->o.bin_width * (double)(i - 1);
			double hi = i == nb - 1 ? INFINITY : -r->o.bin_range + r->o.bin_width * (double)i;
			char lab[64];
			/* Edges are multiples of the width: print them clean (no 1e-17 residue). */
			lo = isfinite(lo) ? floor(lo * 1e9 + 0.5) / 1e9 + 0.0 : lo;
			hi = isfinite(hi) ? floor(hi * 1e9 + 0.5) / 1e9 + 0.0 : hi;
			if (i == 0)
				snprintf(lab, sizeof lab, "< %g%%", hi * 100);
			else if (i == nb - 1)
				snprintf(lab, sizeof lab, "> %g%%", lo * 100);
			else
				snprintf(lab, sizeof lab, "%g%% .. %g%%", lo * 100, hi * 100);
			if (report_table_row(t) < 0 || report_table_text(t, 0, lab) < 0 ||
			    (labels[i] = malloc(strlen(lab) + 1)) == NULL) {
				bad = 1;
				break;
			}
			memcpy(labels[i], lab, strlen(lab) + 1);
			report_table_num(t, 1, isfinite(lo) ? lo : NAN, REPORT_PCT);
			report_table_num(t, 2, isfinite(hi) ? hi : NAN, REPORT_PCT);
			report_table_num(t, 3, (double)r->hist[i], REPORT_INT);
			report_table_num(t, 4, share(r->hist[i], r->n_change), REPORT_PCT);
			y[i] = (double)r->hist[i];
		}
		if (!bad && t != NULL) {
			/*
			 * People get the bins from the first to the last that holds a
			 * row; machines (JSON, CSV) get every bin.
			 */
			struct report_table *tp = report_doc_table(doc, "change_hist",
			    t->title, 5, hk, hh);
			size_t first = 0, last = nb;
			while (first < nb && r->hist[first] == 0)
				first++;
			while (last > first && r->hist[last - 1] == 0)
				last--;
			t->detail = 1;
			if (tp == NULL)
				bad = 1;
			else
				tp->detail = 2;
			for (i = first; !bad && i < last; i++) {
				const struct report_cell *c = &t->cells[i * 5];
				if (report_table_row(tp) < 0 || report_table_text(tp, 0, c[0].s) < 0)
					bad = 1;
				else
					for (k = 1; k < 5; k++)
						report_table_num(tp, (size_t)k, c[k].x, c[k].kind);
			}
		}
		if (!bad && t != NULL && report_doc_chart(doc, REPORT_CHART_BARS,
		    "Price changes", "change (chosen / today - 1)", "rows", nb, NULL, y,
		    (const char *const *)labels) == NULL)
			bad = 1;
		for (i = 0; labels != NULL && i < nb; i++)
			free(labels[i]);
		free(labels);
		free(y);
		if (bad || t == NULL)
			goto fail;
	}

	if (r->c.binding >= 0)
		TRY(build_counts(doc, &r->bindings, "binding", "Binding rules", "binding", s->n, 0));
	if (r->c.offer >= 0)
		TRY(build_counts(doc, &r->offers, "offers", "Offer mix", "offer_id", s->n, 1));
	if (r->c.status >= 0)
		TRY(build_counts(doc, &r->statuses, "status", "Status", "status", s->n, 0));
	if (r->o.top == 0)
		return 0;
	snprintf(title, sizeof title, "Largest increases (top %zu)", r->o.top);
	TRY(build_keep(r, doc, "largest_increases", title, r->inc, r->n_inc, 0));
	snprintf(title, sizeof title, "Largest decreases (top %zu)", r->o.top);
	TRY(build_keep(r, doc, "largest_decreases", title, r->dec, r->n_dec, 0));
	if (r->c.status >= 0) {
		snprintf(title, sizeof title, "Flagged rows (first %zu)", r->o.top);
		TRY(build_keep(r, doc, "flagged", title, r->flag, r->n_flag, 1));
	}
	return 0;
fail:
	free(gv);
	return -1;
}

static int
build_curves(const struct report *r, struct report_doc *doc)
{
	static const char *const sk[] = { "curve", "price", "opt_price", "demand_today",
	    "demand_chosen", "profit_today", "profit_chosen", "best_grid_price" };
	static const char *const sh[] = { "row", "today", "chosen", "demand today",
	    "demand chosen", "profit today", "profit chosen", "best on grid" };
	static const char *const dk[] = { "point", "curve", "price", "demand", "profit" };
	struct report_table *ts, *td;
	const struct report_curve **v;
	struct entry **gv = NULL;
	size_t n = 0, i, j;
	char buf[REPORT_ID_MAX + 64];

	v = malloc((r->ncurves ? r->ncurves : 1) * sizeof *v);
	if (v == NULL)
		return -1;
	if (r->c.by >= 0) {
		gv = keymap_sorted(&r->groups);
		if (gv == NULL)
			goto fail;
		for (i = 0; i < r->groups.n && n < r->o.curves; i++)
			if (gv[i]->curve >= 0)
				v[n++] = &r->curves[gv[i]->curve];
	} else {
		for (i = 0; i < r->ncurves; i++)
			v[n++] = &r->curves[i];
	}
	TRY(report_doc_heading(doc, "Price response"));
	TRY(report_doc_para(doc, r->c.by >= 0 ?
	    "Demand and profit from the model for the first row of each group, at 51 prices "
	    "from half to one and a half times today's price (widened to take in the chosen "
	    "price)." :
	    "Demand and profit from the model for the first rows, at 51 prices from half to "
	    "one and a half times today's price (widened to take in the chosen price)."));
	TRYP(ts = report_doc_table(doc, "curves", "Today's and the chosen price on each curve", 8,
	    sk, sh));
	for (i = 0; i < n; i++) {
		const struct report_curve *c = v[i];
		size_t best = 0;
		for (j = 1; j < c->n; j++)
			if (c->profit[j] > c->profit[best])
				best = j;
		TRY(report_table_row(ts));
		TRY(report_table_text(ts, 0, c->label));
		report_table_num(ts, 1, c->today, REPORT_FIX2);
		report_table_num(ts, 2, c->chosen, REPORT_FIX2);
		report_table_num(ts, 3, c->today_demand, REPORT_FIX4);
		report_table_num(ts, 4, c->chosen_demand, REPORT_FIX4);
		report_table_num(ts, 5, c->today_profit, REPORT_FIX2);
		report_table_num(ts, 6, c->chosen_profit, REPORT_FIX2);
		report_table_num(ts, 7, c->n ? c->price[best] : NAN, REPORT_FIX2);
	}
	TRYP(td = report_doc_table(doc, "curve_points", "Curve points", 5, dk, dk));
	td->detail = 1;
	for (i = 0; i < n; i++) {
		const struct report_curve *c = v[i];
		for (j = 0; j < c->n; j++) {
			snprintf(buf, sizeof buf, "%s:%zu", c->label, j + 1);
			TRY(report_table_row(td));
			TRY(report_table_text(td, 0, buf));
			TRY(report_table_text(td, 1, c->label));
			report_table_num(td, 2, c->price[j], REPORT_FIX2);
			report_table_num(td, 3, c->demand[j], REPORT_FIX4);
			report_table_num(td, 4, c->profit[j], REPORT_FIX2);
		}
	}
	for (i = 0; i < n; i++) {
		const struct report_curve *c = v[i];
		struct report_chart *ch;
		snprintf(buf, sizeof buf, "Demand: %s", c->label);
		TRYP(ch = report_doc_chart(doc, REPORT_CHART_LINES, buf, "price", "expected demand",
		    c->n, c->price, c->demand, NULL));
		ch->mark[0] = c->today;
		ch->mark[1] = c->chosen;
		snprintf(buf, sizeof buf, "Profit: %s", c->label);
		TRYP(ch = report_doc_chart(doc, REPORT_CHART_LINES, buf, "price", "expected profit",
		    c->n, c->price, c->profit, NULL));
		ch->mark[0] = c->today;
		ch->mark[1] = c->chosen;
	}
	free(gv);
	free(v);
	return 0;
fail:
	free(gv);
	free(v);
	return -1;
}

/* Scored-data figures, computed once for the summary and the section. */
struct quality {
	double auc, log_loss, brier, positives;
};

static int
quality_of(const struct report *r, struct quality *q)
{
	size_t i;

	q->positives = 0;
	for (i = 0; i < r->ns; i++)
		q->positives += r->y[i];
	q->auc = report_auc(r->p, r->y, r->ns);
	if (q->auc == -2)
		return -1;
	q->log_loss = report_log_loss(r->p, r->y, r->ns);
	q->brier = report_brier(r->p, r->y, r->ns);
	return 0;
}

static int
build_quality(const struct report *r, struct report_doc *doc, const struct quality *q)
{
	static const char *const ck[] = { "decile", "rows", "p_min", "p_max", "mean_pred",
	    "observed", "positives" };
	static const char *const ch[] = { "decile", "rows", "lowest p", "highest p",
	    "mean predicted", "observed", "positives" };
	static const char *const lk[] = { "decile", "rows", "positives", "rate", "lift",
	    "cum_positives_share", "cum_lift" };
	static const char *const lh[] = { "decile (top first)", "rows", "positives", "rate",
	    "lift", "positives captured", "cumulative lift" };
	double n[10] = { 0 }, pos[10] = { 0 }, sp[10] = { 0 }, spc[10] = { 0 };
	double pmin[10], pmax[10], breaks[11], mx[10], my[10];
	unsigned char *bin = NULL;
	struct report_table *t;
	char buf[256];
	size_t i, nm = 0;
	int k;

	snprintf(buf, sizeof buf, "Model quality (%s against %s)", r->o.pred_name,
	    r->o.label_name);
	TRY(report_doc_heading(doc, buf));
	TRYP(t = report_doc_kv(doc, "quality", "Scores"));
	TRY(report_table_kv(t, "rows|rows", (double)r->ns, REPORT_INT));
	TRY(report_table_kv(t, "positives|positives", q->positives, REPORT_INT));
	TRY(report_table_kv(t, "base_rate|base rate", r->ns ? q->positives / (double)r->ns : NAN,
	    REPORT_FIX4));
	TRY(report_table_kv(t, "auc|AUC", q->auc, REPORT_FIX4));
	TRY(report_table_kv(t, "log_loss|log loss", q->log_loss, REPORT_FIX4));
	TRY(report_table_kv(t, "brier|Brier score", q->brier, REPORT_FIX4));
	if (r->ns == 0)
		return 0;
	bin = malloc(r->ns);
	if (bin == NULL || report_deciles(r->p, r->ns, bin, breaks) < 0)
		goto fail;
	for (k = 0; k < 10; k++) {
		pmin[k] = INFINITY;
		pmax[k] = -INFINITY;
	}
	for (i = 0; i < r->ns; i++) {
		k = bin[i];
		n[k]++;
		pos[k] += r->y[i];
		neumaier(&sp[k], &spc[k], r->p[i]);
		if (r->p[i] < pmin[k])
			pmin[k] = r->p[i];
		if (r->p[i] > pmax[k])
			pmax[k] = r->p[i];
	}
	free(bin);
	bin = NULL;
	TRYP(t = report_doc_table(doc, "calibration",
	    "Calibration by decile of predicted probability", 7, ck, ch));
	for (k = 0; k < 10; k++) {
		if (n[k] == 0)
			continue;
		TRY(report_table_row(t));
		report_table_num(t, 0, k + 1, REPORT_INT);
		report_table_num(t, 1, n[k], REPORT_INT);
		report_table_num(t, 2, pmin[k], REPORT_FIX4);
		report_table_num(t, 3, pmax[k], REPORT_FIX4);
		report_table_num(t, 4, (sp[k] + spc[k]) / n[k], REPORT_FIX4);
		report_table_num(t, 5, pos[k] / n[k], REPORT_FIX4);
		report_table_num(t, 6, pos[k], REPORT_INT);
		mx[nm] = (sp[k] + spc[k]) / n[k];
		my[nm] = pos[k] / n[k];
		nm++;
	}
	TRYP(report_doc_chart(doc, REPORT_CHART_CALIB, "Calibration", "mean predicted probability",
	    "observed rate", nm, mx, my, NULL));
	TRYP(t = report_doc_table(doc, "lift", "Lift by decile, highest scores first", 7, lk, lh));
	{
		double base = q->positives / (double)r->ns, cn = 0, cp = 0;
		for (k = 9; k >= 0; k--) {
			if (n[k] == 0)
				continue;
			cn += n[k];
			cp += pos[k];
			TRY(report_table_row(t));
			report_table_num(t, 0, k + 1, REPORT_INT);
			report_table_num(t, 1, n[k], REPORT_INT);
			report_table_num(t, 2, pos[k], REPORT_INT);
			report_table_num(t, 3, pos[k] / n[k], REPORT_FIX4);
			report_table_num(t, 4, base > 0 ? pos[k] / n[k] / base : NAN, REPORT_FIX2);
			report_table_num(t, 5, q->positives > 0 ? cp / q->positives : NAN, REPORT_PCT);
			report_table_num(t, 6, base > 0 ? cp / cn / base : NAN, REPORT_FIX2);
		}
	}
	return 0;
fail:
	free(bin);
	return -1;
}

struct report_doc *
report_build(const struct report *r, const json_t *model)
{
	struct report_doc *doc;
	struct report_table *t;
	struct quality q = { NAN, NAN, NAN, 0 };
	char title[DIAG_FILE_MAX + 32];

	snprintf(title, sizeof title, "Pricing report: %s", r->o.input_name);
	if (!r->pricing)
		snprintf(title, sizeof title, "Model report: %s", r->o.input_name);
	doc = report_doc_new(title, r->o.input_name);
	if (doc == NULL)
		return NULL;
	if (r->c.label >= 0 && quality_of(r, &q) < 0)
		goto fail;

	/* The flat summary the gate reads; for machines only. */
	TRYP(t = report_doc_kv(doc, "summary", "Summary"));
	t->detail = 1;
	TRY(report_table_kv(t, "rows", (double)r->total.n, REPORT_INT));
	if (r->pricing) {
		const struct sums *s = &r->total;
		TRY(report_table_kv(t, "rows_flagged", (double)s->n_flagged, REPORT_INT));
		TRY(report_table_kv(t, "base_demand", sum_of(s, S_BD), REPORT_FIX2));
		TRY(report_table_kv(t, "base_revenue", sum_of(s, S_BR), REPORT_FIX2));
		TRY(report_table_kv(t, "base_profit", sum_of(s, S_BP), REPORT_FIX2));
		TRY(report_table_kv(t, "exp_demand", sum_of(s, S_ED), REPORT_FIX2));
		TRY(report_table_kv(t, "exp_revenue", sum_of(s, S_ER), REPORT_FIX2));
		TRY(report_table_kv(t, "exp_profit", sum_of(s, S_EP), REPORT_FIX2));
		TRY(report_table_kv(t, "lift", sum_of(s, S_EP) - sum_of(s, S_BP), REPORT_FIX2));
		TRY(report_table_kv(t, "lift_rel", rel(sum_of(s, S_EP), sum_of(s, S_BP)),
		    REPORT_PCT));
	}
	if (r->c.label >= 0) {
		TRY(report_table_kv(t, "scored_rows", (double)r->ns, REPORT_INT));
		TRY(report_table_kv(t, "positives", q.positives, REPORT_INT));
		TRY(report_table_kv(t, "auc", q.auc, REPORT_FIX4));
		TRY(report_table_kv(t, "log_loss", q.log_loss, REPORT_FIX4));
		TRY(report_table_kv(t, "brier", q.brier, REPORT_FIX4));
	}

	if (r->pricing)
		TRY(build_pricing(r, doc));
	if (model != NULL)
		TRY(report_build_model(doc, model));
	if (r->o.curves > 0)
		TRY(build_curves(r, doc));
	if (r->c.label >= 0)
		TRY(build_quality(r, doc, &q));
	return doc;
fail:
	report_doc_free(doc);
	return NULL;
}
