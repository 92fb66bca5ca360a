/* optim.c - see optim.h. */
#include "optim.h"

#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_min.h>
#include <gsl/gsl_roots.h>

#include "num.h"

/*
 * Tolerances.  The root of f' is bracketed to XTOL relative: 1e-13 is a
 * few hundred ulps of a price, well inside the 1e-9 the tests ask and still
 * reached in a handful of Brent steps (superlinear near the root).  The
 * minimiser (no derivative) cannot do better than about sqrt(DBL_EPSILON)
 * relative, because f is flat at its top: 1e-10 asks as much as it can give.
 */
#define XTOL_ROOT 1e-13
#define XTOL_MIN  1e-10
#define MAX_ITER  100

struct optim {
	gsl_root_fsolver *root;
	gsl_min_fminimizer *min;
	const struct optim_problem *pb;
	int failed;                       /* the demand was NaN during a GSL iteration */
	int n_eval;
	double last_p, last_q, last_f, last_df;    /* the last evaluation */
	/* the bracket's ends, whose f' is already known (saves GSL's two calls in _set) */
	double br_x[2], br_df[2];
	/* scan */
	double x[OPTIM_SCAN_MAX], f[OPTIM_SCAN_MAX], df[OPTIM_SCAN_MAX], q[OPTIM_SCAN_MAX];
	/* local maxima found (list prices) */
	double loc[OPTIM_MAX_LOCAL + 2 + OPTIM_MAX_KINKS];
	size_t n_loc;
};

static const char *const rule_names[] = {
	"none", "min_price", "max_price", "max_change", "max_up", "max_down",
	"min_margin", "min_markup", "cost", "search_range", "ladder", "capacity", "min_lift", "spread"
};

const char *
optim_rule_name(enum optim_rule r)
{
	if ((size_t)r < sizeof rule_names / sizeof rule_names[0])
		return rule_names[r];
	return "none";
}

const char *
optim_status_name(enum optim_status s)
{
	switch (s) {
	case OPTIM_OK: return "ok";
	case OPTIM_AT_BOUND: return "at_bound";
	case OPTIM_INCREASING: return "increasing_demand";
	case OPTIM_NO_DEMAND: return "no_demand";
	case OPTIM_OVER_CAPACITY: return "over_capacity";
	case OPTIM_KEPT: return "kept";
	case OPTIM_WORSE_THAN_TODAY: return "worse_than_today";
	case OPTIM_EXPLORED: return "explored";
	}
	return "ok";
}

void
optim_rules_init(struct optim_rules *r)
{
	r->min_price = r->max_price = NAN;
	r->max_up = r->max_down = NAN;
	r->up_rule = OPTIM_RULE_MAX_UP;
	r->down_rule = OPTIM_RULE_MAX_DOWN;
	r->min_margin = r->min_markup = NAN;
	r->allow_loss = 0;
	r->search_range = 3;
	r->spread_lo = r->spread_hi = NAN;
}

static void
raise_lo(struct optim_bounds *b, double v, enum optim_rule rule)
{
	if (!isnan(v) && v > b->lo) {
		b->lo = v;
		b->lo_rule = rule;
	}
}

static void
lower_hi(struct optim_bounds *b, double v, enum optim_rule rule)
{
	if (!isnan(v) && v < b->hi) {
		b->hi = v;
		b->hi_rule = rule;
	}
}

void
optim_cost_floor(const struct optim_rules *r, double cost, double *floor, enum optim_rule *rule)
{
	struct optim_bounds b = { 0, HUGE_VAL, OPTIM_RULE_NONE, OPTIM_RULE_NONE };

	if (!isnan(cost)) {
		if (!r->allow_loss)
			raise_lo(&b, cost, OPTIM_RULE_COST);
		if (!isnan(r->min_margin) && r->min_margin < 1)
			raise_lo(&b, cost / (1 - r->min_margin), OPTIM_RULE_MIN_MARGIN);
		if (!isnan(r->min_markup))
			raise_lo(&b, cost * (1 + r->min_markup), OPTIM_RULE_MIN_MARKUP);
	}
	*floor = b.lo;
	*rule = b.lo_rule;
}

int
optim_bounds(const struct optim_rules *r, double today, double cost, struct optim_bounds *b,
    struct diag *d)
{
	/* The search range is a rule like the others, applied first so that a
	 * rule that binds as tightly takes the name. */
	b->lo = today / r->search_range;
	b->hi = today * r->search_range;
	b->lo_rule = b->hi_rule = OPTIM_RULE_SEARCH_RANGE;
	raise_lo(b, r->min_price, OPTIM_RULE_MIN_PRICE);
	raise_lo(b, r->spread_lo, OPTIM_RULE_SPREAD);
	if (!isnan(r->max_down))
		raise_lo(b, today * (1 - r->max_down), r->down_rule);
	if (!isnan(r->min_margin) && !(r->min_margin < 1))
		return diag_set(d, NULL, 0, NULL, NULL, 0, "min margin must be below 1");
	if (!isnan(cost)) {
		double floor;
		enum optim_rule rule;
		optim_cost_floor(r, cost, &floor, &rule);
		raise_lo(b, floor, rule);
	}
	lower_hi(b, r->max_price, OPTIM_RULE_MAX_PRICE);
	lower_hi(b, r->spread_hi, OPTIM_RULE_SPREAD);
	if (!isnan(r->max_up))
		lower_hi(b, today * (1 + r->max_up), r->up_rule);
	if (!(b->lo <= b->hi))
		return diag_set(d, NULL, 0, NULL, NULL, 0, "no price satisfies the rules: %s above %s",
		    optim_rule_name(b->lo_rule), optim_rule_name(b->hi_rule));
	if (!(b->lo > 0) || !(b->hi < HUGE_VAL)) {
		char buf[NUM_BUFSZ];
		size_t n = num_format(today, buf);
		return diag_set(d, NULL, 0, NULL, buf, n,
		    "the search range around today's price leaves the range of numbers");
	}
	return 0;
}

/* ---- ladders ---- */

static double
round_scale(const struct optim_ladder *l, double x)
{
	return l->scale > 0 ? round(x * l->scale) / l->scale : x;
}

static double
ladder_point(const struct optim_ladder *l, long long k)
{
	switch (l->kind) {
	case OPTIM_LADDER_ENDING: {
		long long n = (long long)l->n_ends, q = k >= 0 ? k / n : -((-k + n - 1) / n);
		return round_scale(l, (double)q * l->period + l->ends[k - q * n]);
	}
	case OPTIM_LADDER_STEP:
		return round_scale(l, (double)k * l->step);
	case OPTIM_LADDER_GRID:
		return l->grid[k];
	case OPTIM_LADDER_NONE:
		break;
	}
	return NAN;
}

/* The largest k with point(k) <= x (for a grid, -1 when none). */
static long long
ladder_floor(const struct optim_ladder *l, double x)
{
	long long k, lo, hi;

	if (l->kind == OPTIM_LADDER_GRID) {
		lo = -1;
		hi = (long long)l->n_grid;      /* invariant: point(lo) <= x < point(hi) */
		while (hi - lo > 1) {
			k = lo + (hi - lo) / 2;
			if (l->grid[k] <= x)
				lo = k;
			else
				hi = k;
		}
		return lo;
	}
	if (l->kind == OPTIM_LADDER_ENDING) {
		double q = floor(x / l->period), rest = x - q * l->period;
		long long n = (long long)l->n_ends;
		lo = -1;
		hi = n;         /* the endings at or below rest: ends[0 .. lo] */
		while (hi - lo > 1) {
			k = lo + (hi - lo) / 2;
			if (l->ends[k] <= rest)
				lo = k;
			else
				hi = k;
		}
		k = (long long)q * n + lo;
	} else {
		k = (long long)floor(x / l->step);
	}
	/* the rounding of points may put the guess one off either way */
	while (ladder_point(l, k) > x)
		k--;
	while (ladder_point(l, k + 1) <= x)
		k++;
	return k;
}

/*
 * The largest price up to which the ladder's points are exact and its
 * index k fits: 2^52 points (of the ending's or step's decimal scale).
 * Past it, neighbouring points round to the same double, and the index
 * would overflow the integer it is kept in.
 */
static double
ladder_limit(const struct optim_ladder *l)
{
	const double k_max = 4503599627370496.0;      /* 2^52 */
	double lim = HUGE_VAL;

	if (l->kind == OPTIM_LADDER_ENDING)
		lim = k_max * l->period / (double)l->n_ends;
	else if (l->kind == OPTIM_LADDER_STEP)
		lim = k_max * l->step;
	if (l->scale > 0 && k_max / l->scale < lim)
		lim = k_max / l->scale;
	return lim;
}

/* Index range of the points in [lo, hi]; returns the count (0: none). */
static long long ladder_range(const struct optim_ladder *l, double lo, double hi, long long *kmin,
    long long *kmax);

double
optim_ladder_nth(const struct optim_ladder *l, double lo, double hi, long long k)
{
	long long a, b;

	if (ladder_range(l, lo, hi, &a, &b) <= k || k < 0)
		return NAN;
	return ladder_point(l, a + k);
}

long long
optim_ladder_count(const struct optim_ladder *l, double lo, double hi)
{
	long long a, b;

	if (l == NULL || l->kind == OPTIM_LADDER_NONE)
		return -1;
	if (hi > ladder_limit(l))
		return 1;       /* optim_solve says why */
	return ladder_range(l, lo, hi, &a, &b);
}

/* Index range of the points in [lo, hi]; returns the count (0: none). */
static long long
ladder_range(const struct optim_ladder *l, double lo, double hi, long long *kmin, long long *kmax)
{
	long long a, b;

	b = ladder_floor(l, hi);
	a = ladder_floor(l, lo);
	if (a < 0 || ladder_point(l, a) < lo)
		a++;
	if (l->kind == OPTIM_LADDER_GRID && a >= (long long)l->n_grid)
		return 0;
	if (b < a)
		return 0;
	*kmin = a;
	*kmax = b;
	return b - a + 1;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* 10^(digits after the point) of a decimal text, 0 if it has an exponent or too many. */
static double
decimal_scale(const char *s, size_t len)
{
	size_t i, digits = 0;
	int after = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == 'e' || s[i] == 'E')
			return 0;
		if (s[i] == '.')
			after = 1;
		else if (after)
			digits++;
	}
	if (digits > 9)
		return 0;
	return pow(10, (double)digits);
}

#define ENDING_WHOLE_MAX 6     /* digits before the point of an ending */
#define ENDING_FRAC_MAX  9     /* digits after it */

/*
 * One ending pattern s[0..len) in units of 10^-frac (frac: the digits
 * after the point of the longest pattern): its period and its first
 * offset, and the units of its wildcards right of its first fixed digit
 * (n_wild of them; those left of it add nothing).  See optim.h for the
 * syntax.
 */
static void
ending_pattern(const char *s, size_t len, int frac, long long *period, long long *off,
    long long wild_unit[ENDING_WHOLE_MAX + ENDING_FRAC_MAX], int *n_wild)
{
	const char *dot = memchr(s, '.', len);
	size_t whole = dot ? (size_t)(dot - s) : len, i;
	long long unit, first = -1;
	int pos;

	/* a whole part of 0 is none: 0.99 is .99, and 0 alone every whole price */
	if (whole == 1 && s[0] == '0') {
		s++;
		len--;
		whole = 0;
	}
	*off = 0;
	*n_wild = 0;
	/* positions, from the leftmost: unit 10^(whole - 1 - i) of the price, in 10^-frac */
	for (i = 0, pos = 0; i < len; i++) {
		if (s[i] == '.')
			continue;
		unit = 1;
		{
			int e = (int)whole - 1 - pos + frac, t;
			for (t = 0; t < e; t++)
				unit *= 10;
		}
		pos++;
		if (s[i] == 'x' || s[i] == 'X') {
			if (first >= 0)
				wild_unit[(*n_wild)++] = unit;
			continue;
		}
		if (first < 0)
			first = unit;
		*off += (s[i] - '0') * unit;
	}
	/* no fixed digit: every price in steps of the last position written */
	if (first < 0) {
		long long last = 1;
		int e = frac - (int)(len > whole ? len - whole - 1 : 0), t;
		for (t = 0; t < e; t++)
			last *= 10;
		*period = last;
		*off = 0;
		*n_wild = 0;
		return;
	}
	*period = first * 10;
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

/*
 * --ending: a comma-separated list of patterns (see optim.h) into l's
 * period and sorted endings.  Computed in whole units of the smallest
 * position written, so that 0.99 is the double nearest 99/100, as strtod
 * reads ".99".
 */
static int
parse_endings(struct optim_ladder *l, const char *arg, size_t len, struct diag *d)
{
	long long offs[OPTIM_ENDINGS_MAX], period = 1, unit, p_i, off, base;
	long long wu[ENDING_WHOLE_MAX + ENDING_FRAC_MAX];
	size_t i, j, k, n = 0, npat = 0;
	int frac = 0, nw;
	struct { size_t at, len; } pat[64];

	/* the patterns, checked, and the digits after the point of the longest */
	for (i = 0; i <= len; i = j + 1) {
		size_t whole = 0, after = 0, dots = 0, digits = 0;
		for (j = i; j < len && arg[j] != ','; j++) {
			char c = arg[j];
			if (c == '.') {
				dots++;
			} else if ((c >= '0' && c <= '9') || c == 'x' || c == 'X') {
				digits++;
				if (dots)
					after++;
				else
					whole++;
			} else {
				dots = 2;       /* not a pattern */
				break;
			}
		}
		if (dots > 1 || digits == 0 || npat == sizeof pat / sizeof pat[0]) {
			while (j < len && arg[j] != ',')
				j++;
			return diag_set(d, NULL, 0, NULL, arg + i, j - i,
			    "an ending is digits, with x for any digit, as .99, 9.99 or x.x9");
		}
		if (whole > ENDING_WHOLE_MAX || after > ENDING_FRAC_MAX)
			return diag_set(d, NULL, 0, NULL, arg + i, j - i,
			    "an ending has at most %d digits before the point and %d after",
			    ENDING_WHOLE_MAX, ENDING_FRAC_MAX);
		if ((int)after > frac)
			frac = (int)after;
		pat[npat].at = i;
		pat[npat++].len = j - i;
	}
	/* the common period: the longest (they are all powers of ten) */
	for (i = 0; i < npat; i++) {
		ending_pattern(arg + pat[i].at, pat[i].len, frac, &p_i, &off, wu, &nw);
		if (p_i > period)
			period = p_i;
	}
	/* every pattern's endings within one common period */
	for (i = 0; i < npat; i++) {
		long long count = 1;
		ending_pattern(arg + pat[i].at, pat[i].len, frac, &p_i, &off, wu, &nw);
		for (k = 0; k < (size_t)nw && count <= OPTIM_ENDINGS_MAX; k++)
			count *= 10;
		count *= period / p_i;
		if (count > OPTIM_ENDINGS_MAX || n + (size_t)count > OPTIM_ENDINGS_MAX)
			return diag_set(d, NULL, 0, NULL, arg, len,
			    "more than %d prices in each period of the endings", OPTIM_ENDINGS_MAX);
		for (base = 0; base < period; base += p_i) {
			long long w, nwild = 1;
			for (k = 0; k < (size_t)nw; k++)
				nwild *= 10;
			/* wildcards right of the first fixed digit: every digit there */
			for (w = 0; w < nwild; w++) {
				long long add = 0, rest = w;
				int t;
				for (t = 0; t < nw; t++) {
					add += (rest % 10) * wu[t];
					rest /= 10;
				}
				offs[n++] = base + off + add;
			}
		}
	}
	qsort(offs, n, sizeof *offs, cmp_ll);
	for (i = 1, j = 1; i < n; i++)
		if (offs[i] != offs[j - 1])
			offs[j++] = offs[i];
	n = j;
	unit = 1;
	for (k = 0; k < (size_t)frac; k++)
		unit *= 10;
	l->period = (double)period / (double)unit;
	for (i = 0; i < n; i++)
		l->ends[i] = (double)offs[i] / (double)unit;
	l->n_ends = n;
	l->scale = (double)unit;
	return 0;
}

int
optim_ladder_parse(struct optim_ladder *l, enum optim_ladder_kind kind, const char *arg,
    size_t len, double *buf, size_t cap, struct diag *d)
{
	double v;
	size_t i, j, n = 0;
	enum num_status st;

	memset(l, 0, sizeof *l);
	l->kind = kind;
	if (kind == OPTIM_LADDER_ENDING)
		return parse_endings(l, arg, len, d);
	if (kind == OPTIM_LADDER_STEP) {
		if ((st = num_parse(arg, len, &v, 0)) != NUM_OK)
			return diag_set(d, NULL, 0, NULL, arg, len, "%s", num_strerror(st));
		l->scale = decimal_scale(arg, len);
		{
			if (!(v > 0))
				return diag_set(d, NULL, 0, NULL, arg, len, "a step must be positive");
			l->step = v;
		}
		return 0;
	}
	for (i = 0; i < len; i = j) {
		while (i < len && (arg[i] == ',' || arg[i] == ';' || arg[i] == ' '))
			i++;
		if (i == len)
			break;
		for (j = i; j < len && arg[j] != ',' && arg[j] != ';' && arg[j] != ' '; j++)
			;
		if ((st = num_parse(arg + i, j - i, &v, 0)) != NUM_OK)
			return diag_set(d, NULL, 0, NULL, arg + i, j - i, "price grid: %s",
			    num_strerror(st));
		if (!(v > 0))
			return diag_set(d, NULL, 0, NULL, arg + i, j - i,
			    "price grid: not a positive price");
		if (n == cap)
			return diag_set(d, NULL, 0, NULL, NULL, 0,
			    "price grid: more than %zu prices", cap);
		buf[n++] = v;
	}
	if (n == 0)
		return diag_set(d, NULL, 0, NULL, arg, len, "price grid: no prices");
	qsort(buf, n, sizeof *buf, cmp_double);
	for (i = 1, j = 1; i < n; i++)
		if (buf[i] != buf[j - 1])
			buf[j++] = buf[i];
	l->grid = buf;
	l->n_grid = j;
	return 0;
}

/* ---- the search ---- */

struct optim *
optim_new(void)
{
	struct optim *w = calloc(1, sizeof *w);

	if (w == NULL)
		return NULL;
	w->root = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
	w->min = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
	if (w->root == NULL || w->min == NULL) {
		optim_free(w);
		return NULL;
	}
	return w;
}

void
optim_free(struct optim *w)
{
	if (w == NULL)
		return;
	if (w->root != NULL)
		gsl_root_fsolver_free(w->root);
	if (w->min != NULL)
		gsl_min_fminimizer_free(w->min);
	free(w);
}

/* f, f' and q at p; -1 when the demand is NaN (or f is). */
static int
eval(struct optim *w, double p, double *f, double *df, double *q)
{
	const struct optim_problem *pb = w->pb;
	double dq = NAN, qq, unit;

	w->n_eval++;
	qq = pb->demand(pb->ctx, p, &dq);
	unit = pb->paid_a * p - pb->paid_b - pb->unit_cost;
	w->last_p = p;
	w->last_q = qq;
	w->last_f = unit * qq;
	w->last_df = pb->paid_a * qq + unit * dq;
	if (isnan(qq))
		return -1;
	*q = qq;
	*f = w->last_f;
	*df = w->last_df;
	return 0;
}

/* f' for the root finder. */
static double
gsl_dfun(double p, void *params)
{
	struct optim *w = params;
	double f, df, q;

	if (p == w->br_x[0])
		return w->br_df[0];
	if (p == w->br_x[1])
		return w->br_df[1];
	if (eval(w, p, &f, &df, &q) < 0 || isnan(df)) {
		w->failed = 1;
		return 0;
	}
	return df;
}

/* -f for the minimiser. */
static double
gsl_negf(double p, void *params)
{
	struct optim *w = params;
	double f, df, q;

	if (eval(w, p, &f, &df, &q) < 0) {
		w->failed = 1;
		return 0;
	}
	return -f;
}

static int
eval_fail(struct diag *d, double p)
{
	char buf[NUM_BUFSZ];
	size_t n = num_format(p, buf);

	return diag_set(d, NULL, 0, NULL, buf, n, "model cannot be evaluated at price");
}

/* The root of f' in (x[i], x[i+1]), where f'(x[i]) > 0 > f'(x[i+1]). */
static int
refine_root(struct optim *w, size_t i, double *xr)
{
	gsl_function F;
	double a, b;
	int it, st;

	F.function = gsl_dfun;
	F.params = w;
	w->br_x[0] = w->x[i];
	w->br_df[0] = w->df[i];
	w->br_x[1] = w->x[i + 1];
	w->br_df[1] = w->df[i + 1];
	w->failed = 0;
	if (gsl_root_fsolver_set(w->root, &F, w->x[i], w->x[i + 1]) != GSL_SUCCESS)
		return -1;
	for (it = 0; it < MAX_ITER; it++) {
		st = gsl_root_fsolver_iterate(w->root);
		if (w->failed)
			return -2;
		if (st != GSL_SUCCESS)
			break;
		a = gsl_root_fsolver_x_lower(w->root);
		b = gsl_root_fsolver_x_upper(w->root);
		if (gsl_root_test_interval(a, b, 0, XTOL_ROOT) == GSL_SUCCESS)
			break;
	}
	*xr = gsl_root_fsolver_root(w->root);
	return 0;
}

/* The maximum of f in (x[i-1], x[i+1]) around x[i], without the derivative. */
static int
refine_min(struct optim *w, size_t i, double *xr)
{
	gsl_function F;
	double a, b;
	int it, st;

	*xr = w->x[i];
	if (!(w->f[i] > w->f[i - 1] && w->f[i] > w->f[i + 1]))
		return 0;       /* a plateau: GSL needs a strict bracket; x[i] is as good */
	F.function = gsl_negf;
	F.params = w;
	w->failed = 0;
	if (gsl_min_fminimizer_set_with_values(w->min, &F, w->x[i], -w->f[i], w->x[i - 1],
	    -w->f[i - 1], w->x[i + 1], -w->f[i + 1]) != GSL_SUCCESS)
		return 0;
	for (it = 0; it < MAX_ITER; it++) {
		st = gsl_min_fminimizer_iterate(w->min);
		if (w->failed)
			return -2;
		if (st != GSL_SUCCESS)
			break;
		a = gsl_min_fminimizer_x_lower(w->min);
		b = gsl_min_fminimizer_x_upper(w->min);
		if (gsl_min_test_interval(a, b, 0, XTOL_MIN) == GSL_SUCCESS)
			break;
	}
	*xr = gsl_min_fminimizer_x_minimum(w->min);
	return 0;
}

/* f and q at p, reusing the last evaluation when it was at p. */
static int
eval_at(struct optim *w, double p, double *f, double *q)
{
	double df;

	if (w->n_eval > 0 && p == w->last_p && !isnan(w->last_q)) {
		*f = w->last_f;
		*q = w->last_q;
		return 0;
	}
	return eval(w, p, f, &df, q);
}

/* Put today's price into [lo, hi]: where INCREASING and NO_DEMAND rows stay. */
static int
stay(struct optim *w, const struct optim_problem *pb, enum optim_status status,
    struct optim_result *res, struct diag *d)
{
	double p = pb->today;

	res->binding = OPTIM_RULE_NONE;
	if (p < pb->lo) {
		p = pb->lo;
		res->binding = pb->lo_rule;
	} else if (p > pb->hi) {
		p = pb->hi;
		res->binding = pb->hi_rule;
	}
	if (eval_at(w, p, &res->value, &res->demand) < 0)
		return eval_fail(d, p);
	res->price = p;
	res->status = status;
	return 0;
}

/* Compare candidate (p, f, q) with the best so far: higher f wins, ties the lower price. */
static void
consider(double p, double f, double q, double *bp, double *bf, double *bq)
{
	if (isnan(*bp) || f > *bf || (f == *bf && p < *bp)) {
		*bp = p;
		*bf = f;
		*bq = q;
	}
}

static int
solve_ladder(struct optim *w, const struct optim_problem *pb, struct optim_result *res,
    struct diag *d)
{
	const struct optim_ladder *l = pb->ladder;
	long long kmin, kmax, k, n, cand[2 * (OPTIM_MAX_LOCAL + 2 + OPTIM_MAX_KINKS) + 2];
	size_t nc = 0, i;
	double bp = NAN, bf = NAN, bq = NAN, f, q, p;

	if (pb->hi > ladder_limit(l)) {
		char buf[NUM_BUFSZ];
		size_t len = num_format(pb->hi, buf);
		return diag_set(d, NULL, 0, NULL, buf, len,
		    "price ladder: more than 2^52 points up to this price (too fine to represent)");
	}
	n = ladder_range(l, pb->lo, pb->hi, &kmin, &kmax);
	if (n <= 0)
		return diag_set(d, NULL, 0, NULL, NULL, 0, "no ladder price within the bounds");
	if (n <= OPTIM_LADDER_ALL) {
		for (k = kmin; k <= kmax; k++) {
			p = ladder_point(l, k);
			if (eval_at(w, p, &f, &q) < 0)
				return eval_fail(d, p);
			consider(p, f, q, &bp, &bf, &bq);
		}
	} else {
		cand[nc++] = kmin;
		cand[nc++] = kmax;
		for (i = 0; i < w->n_loc; i++) {
			k = ladder_floor(l, w->loc[i]);
			if (k >= kmin && k <= kmax)
				cand[nc++] = k;
			if (k + 1 >= kmin && k + 1 <= kmax)
				cand[nc++] = k + 1;
		}
		for (i = 0; i < nc; i++) {
			size_t j;
			for (j = 0; j < i && cand[j] != cand[i]; j++)
				;
			if (j < i)
				continue;       /* already evaluated */
			p = ladder_point(l, cand[i]);
			if (eval_at(w, p, &f, &q) < 0)
				return eval_fail(d, p);
			consider(p, f, q, &bp, &bf, &bq);
		}
	}
	if (res->status == OPTIM_OK)
		res->binding = bp == res->price ? OPTIM_RULE_NONE : OPTIM_RULE_LADDER;
	res->price = bp;
	res->value = bf;
	res->demand = bq;
	return 0;
}

int
optim_solve(struct optim *w, const struct optim_problem *pb, struct optim_result *res,
    struct diag *d)
{
	size_t n, i, best;
	int have_df = 1, any_demand = 0, rc;
	double ratio, xr, f, q, bp, bf, bq;

	/*
	 * An interval that is empty (or NaN, or not positive) is a caller's
	 * mistake, not bad input: optim_bounds refuses rules that leave no
	 * price with a message, and an offer whose bounds cross is skipped
	 * before it gets here.  The scan would otherwise run backwards and
	 * GSL's Brent would be handed an interval that brackets nothing.
	 */
	assert(pb->lo > 0 && pb->lo <= pb->hi);
	w->pb = pb;
	w->n_eval = 0;
	w->n_loc = 0;
	res->status = OPTIM_OK;
	res->binding = OPTIM_RULE_NONE;

	/* the scan, evenly in log(p), no coarser than OPTIM_SCAN points over a
	 * ratio of 9 (the default search range's) while OPTIM_SCAN_MAX last */
	n = 1;
	if (pb->hi > pb->lo) {
		double steps = ceil(log(pb->hi / pb->lo) / (log(9) / (OPTIM_SCAN - 1)));
		n = steps + 1 <= OPTIM_SCAN ? OPTIM_SCAN
		    : steps + 1 >= OPTIM_SCAN_MAX ? OPTIM_SCAN_MAX : (size_t)steps + 1;
	}
	ratio = n > 1 ? log(pb->hi / pb->lo) / (double)(n - 1) : 0;
	for (i = 0; i < n; i++) {
		w->x[i] = i == 0 ? pb->lo : i == n - 1 ? pb->hi : pb->lo * exp(ratio * (double)i);
		if (eval(w, w->x[i], &w->f[i], &w->df[i], &w->q[i]) < 0)
			return eval_fail(d, w->x[i]);
		if (isnan(w->df[i]))
			have_df = 0;
		if (w->q[i] != 0)
			any_demand = 1;
	}
	if (!any_demand) {
		rc = stay(w, pb, OPTIM_NO_DEMAND, res, d);
		res->n_eval = w->n_eval;
		return rc;
	}
	if (n > 1 && w->q[n - 1] > w->q[0] && !pb->trust_model) {
		rc = stay(w, pb, OPTIM_INCREASING, res, d);
		res->n_eval = w->n_eval;
		return rc;
	}

	/* the bounds are candidates; so is every interior local maximum */
	bp = w->x[0];
	bf = w->f[0];
	bq = w->q[0];
	best = 0;
	for (i = 1; i + 1 < n && w->n_loc < OPTIM_MAX_LOCAL; i++) {
		rc = 1;
		if (have_df && w->df[i - 1] > 0 && w->df[i] < 0) {
			rc = refine_root(w, i - 1, &xr);
		} else if (have_df && w->df[i] == 0 && w->df[i - 1] > 0 && w->df[i + 1] < 0) {
			xr = w->x[i];
			rc = 0;
		} else if (!have_df && w->f[i] >= w->f[i - 1] && w->f[i] > w->f[i + 1]) {
			rc = refine_min(w, i, &xr);
		}
		if (rc == 1)
			continue;
		if (rc < 0)
			return eval_fail(d, w->last_p);
		if (eval_at(w, xr, &f, &q) < 0)
			return eval_fail(d, xr);
		w->loc[w->n_loc++] = xr;
		if (f > bf || (f == bf && xr < bp)) {
			bp = xr;
			bf = f;
			bq = q;
			best = i;
		}
	}
	/* the last interval [x[n-2], x[n-1]] may hold a maximum too */
	if (have_df && n > 1 && w->df[n - 2] > 0 && w->df[n - 1] < 0 && w->n_loc < OPTIM_MAX_LOCAL) {
		rc = refine_root(w, n - 2, &xr);
		if (rc < 0)
			return eval_fail(d, w->last_p);
		if (eval_at(w, xr, &f, &q) < 0)
			return eval_fail(d, xr);
		w->loc[w->n_loc++] = xr;
		if (f > bf || (f == bf && xr < bp)) {
			bp = xr;
			bf = f;
			bq = q;
			best = n - 2;
		}
	}
	/* the kinks of the demand curve */
	for (i = 0; i < pb->nkinks; i++) {
		xr = pb->kinks[i];
		if (!(xr > pb->lo && xr < pb->hi))
			continue;
		if (eval_at(w, xr, &f, &q) < 0)
			return eval_fail(d, xr);
		if (w->n_loc < OPTIM_MAX_LOCAL + 2 + OPTIM_MAX_KINKS)
			w->loc[w->n_loc++] = xr;
		if (f > bf || (f == bf && xr < bp)) {
			bp = xr;
			bf = f;
			bq = q;
			best = (size_t)-1;
		}
	}
	if (w->f[n - 1] > bf) {
		bp = w->x[n - 1];
		bf = w->f[n - 1];
		bq = w->q[n - 1];
		best = n - 1;
	}

	/* at a bound: is the objective still rising into it? */
	if (n == 1) {
		res->status = OPTIM_AT_BOUND;
		res->binding = have_df && w->df[0] < 0 ? pb->lo_rule : pb->hi_rule;
	} else if (bp == w->x[0] && best == 0 && (have_df ? w->df[0] < 0 : w->f[0] > w->f[1])) {
		res->status = OPTIM_AT_BOUND;
		res->binding = pb->lo_rule;
	} else if (best == n - 1 && (have_df ? w->df[n - 1] > 0 : w->f[n - 1] > w->f[n - 2])) {
		res->status = OPTIM_AT_BOUND;
		res->binding = pb->hi_rule;
	}
	res->price = bp;
	res->value = bf;
	res->demand = bq;
	if (pb->ladder != NULL && pb->ladder->kind != OPTIM_LADDER_NONE) {
		if (solve_ladder(w, pb, res, d) < 0)
			return -1;
	}
	res->n_eval = w->n_eval;
	return 0;
}

int
optim_shadow_price(double (*total)(void *ctx, double lambda), void *ctx, double capacity,
    double lambda_scale, double *lambda)
{
	double lo = 0, hi, t;
	int i;

	t = total(ctx, 0);
	if (isnan(t))
		return -1;
	if (t <= capacity) {
		*lambda = 0;
		return 0;
	}
	/* bracket: double from a typical price until the total fits */
	hi = lambda_scale > 0 ? lambda_scale : 1;
	for (i = 0;; i++) {
		t = total(ctx, hi);
		if (isnan(t))
			return -1;
		if (t <= capacity)
			break;
		if (i == 40) {
			*lambda = hi;
			return 1;
		}
		lo = hi;
		hi *= 2;
	}
	/* invariant: total(lo) > capacity >= total(hi) */
	for (i = 0; i < 200 && hi - lo > 1e-10 * hi; i++) {
		double mid = lo + (hi - lo) / 2;
		t = total(ctx, mid);
		if (isnan(t))
			return -1;
		if (t <= capacity)
			hi = mid;
		else
			lo = mid;
	}
	*lambda = hi;
	return 0;
}
