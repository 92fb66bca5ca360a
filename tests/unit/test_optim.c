/*
 * test_optim.c - the price search against closed forms: linear demand
 * p* = (a/b + c)/2, constant elasticity p* = c e/(1 + e), the logit
 * first-order condition p* = c + (1 + W(exp(a - b c - 1)))/b (Lambert W,
 * from GSL's special functions, an independent computation); every rule
 * binding; endings, steps and grids checked against enumerating every
 * allowed point; a two-peaked curve against a dense scan; offers; the
 * shadow price of a capacity in closed form.
 */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sys/wait.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_lambert.h>

#include "check.h"
#include "optim.h"

/* ---- demand curves (the derivative is dropped when no_df) ---- */

enum curve { LINEAR, ELASTIC, LOGIT, TWO_PEAKS, RISING, ZERO, PROMO_ELASTIC, NAN_BELOW };

struct demand {
	enum curve kind;
	double a, b;           /* LINEAR q = a - b p; LOGIT 1/(1+exp(-(a - b p))); ELASTIC A = a, e = b */
	double a2, b2, w2;     /* TWO_PEAKS: q = logit(a, b) + w2 logit(a2, b2) */
	double g, promo;       /* PROMO_ELASTIC: q = a p^b exp(g promo) */
	int no_df;
	int calls;
};

static double
logit(double a, double b, double p, double *dq)
{
	double P = 1 / (1 + exp(-(a - b * p)));
	*dq = -b * P * (1 - P);
	return P;
}

static double
demand_fn(void *ctx, double p, double *dq)
{
	struct demand *m = ctx;
	double q = NAN, d = NAN, d2;

	m->calls++;
	switch (m->kind) {
	case LINEAR:
		q = m->a - m->b * p;
		d = -m->b;
		break;
	case ELASTIC:
		q = m->a * pow(p, m->b);
		d = m->b * q / p;
		break;
	case LOGIT:
		q = logit(m->a, m->b, p, &d);
		break;
	case TWO_PEAKS:
		q = logit(m->a, m->b, p, &d) + m->w2 * logit(m->a2, m->b2, p, &d2);
		d += m->w2 * d2;
		break;
	case RISING:
		q = 0.1 + 0.01 * p;
		d = 0.01;
		break;
	case ZERO:
		q = 0;
		d = 0;
		break;
	case PROMO_ELASTIC:
		q = m->a * pow(p, m->b) * exp(m->g * m->promo);
		d = m->b * q / p;
		break;
	case NAN_BELOW:
		q = p < 2 ? NAN : 1 / p;
		d = -1 / (p * p);
		break;
	}
	if (dq != NULL)
		*dq = m->no_df ? NAN : d;
	return q;
}

static void
problem(struct optim_problem *pb, struct demand *m, double cost, double lo, double hi)
{
	memset(pb, 0, sizeof *pb);
	pb->demand = demand_fn;
	pb->ctx = m;
	pb->paid_a = 1;
	pb->paid_b = 0;
	pb->unit_cost = cost;
	pb->lo = lo;
	pb->hi = hi;
	pb->lo_rule = OPTIM_RULE_MIN_PRICE;
	pb->hi_rule = OPTIM_RULE_MAX_PRICE;
	pb->today = (lo + hi) / 2;
}

static double
logit_opt(double a, double b, double c)
{
	return c + (1 + gsl_sf_lambert_W0(exp(a - b * c - 1))) / b;
}

static double
profit_at(struct demand *m, double cost, double p)
{
	return (p - cost) * demand_fn(m, p, NULL);
}

static void
test_closed_forms(struct optim *w)
{
	struct demand m = { 0 };
	struct optim_problem pb;
	struct optim_result r;
	struct diag d;
	long evals = 0, rows = 0;
	double a, b, c;
	int no_df;

	for (no_df = 0; no_df <= 1; no_df++) {
		/* without the derivative the minimiser stops near sqrt(eps) in p; the value is exact to eps */
		double xtol = no_df ? 1e-6 : 1e-9;

		m = (struct demand){ .kind = LINEAR, .a = 100, .b = 4, .no_df = no_df };
		problem(&pb, &m, 6, 5, 24);
		CHECK(optim_solve(w, &pb, &r, &d) == 0, "linear: solves");
		CHECK_REL(r.price, (100.0 / 4 + 6) / 2, xtol, "linear: p* = (a/b + c)/2");
		CHECK_REL(r.value, profit_at(&m, 6, (100.0 / 4 + 6) / 2), 1e-12, "linear: profit");
		CHECK(r.status == OPTIM_OK && r.binding == OPTIM_RULE_NONE, "linear: ok, none");

		m = (struct demand){ .kind = ELASTIC, .a = 1000, .b = -2.5, .no_df = no_df };
		problem(&pb, &m, 4, 2, 30);
		CHECK(optim_solve(w, &pb, &r, &d) == 0, "elastic: solves");
		CHECK_REL(r.price, 4 * -2.5 / (1 - 2.5), xtol, "elastic: p* = c e/(1+e)");
		CHECK(r.status == OPTIM_OK, "elastic: ok");

		for (a = -1; a <= 9; a += 2.5)
			for (b = 0.2; b <= 3; b *= 2.3)
				for (c = 0.5; c <= 4; c += 1.75) {
					double ps = logit_opt(a, b, c);
					m = (struct demand){ .kind = LOGIT, .a = a, .b = b, .no_df = no_df };
					problem(&pb, &m, c, ps / 2.5, ps * 2.5);
					CHECK(optim_solve(w, &pb, &r, &d) == 0, "logit: solves");
					CHECK_REL(r.price, ps, xtol, "logit: p* from Lambert W");
					CHECK(r.status == OPTIM_OK, "logit: ok");
					if (!no_df) {
						evals += r.n_eval;
						rows++;
					}
				}
	}
	printf("# logit rows: %.1f demand evaluations per row\n", (double)evals / (double)rows);
}

static void
test_bounds_binding(struct optim *w)
{
	struct demand m = { .kind = LOGIT, .a = 4, .b = 0.5 };
	struct optim_problem pb;
	struct optim_result r;
	struct diag d;
	double ps = logit_opt(4, 0.5, 2);

	problem(&pb, &m, 2, ps / 2, ps * 0.9);
	CHECK(optim_solve(w, &pb, &r, &d) == 0, "hi binds: solves");
	CHECK_REL(r.price, ps * 0.9, 1e-15, "hi binds: at the upper bound");
	CHECK(r.status == OPTIM_AT_BOUND, "hi binds: at_bound");
	CHECK_STR(optim_rule_name(r.binding), "max_price", "hi binds: max_price");

	problem(&pb, &m, 2, ps * 1.1, ps * 2);
	CHECK(optim_solve(w, &pb, &r, &d) == 0, "lo binds: solves");
	CHECK_REL(r.price, ps * 1.1, 1e-15, "lo binds: at the lower bound");
	CHECK(r.status == OPTIM_AT_BOUND, "lo binds: at_bound");
	CHECK_STR(optim_rule_name(r.binding), "min_price", "lo binds: min_price");

	problem(&pb, &m, 2, 7, 7);
	CHECK(optim_solve(w, &pb, &r, &d) == 0 && r.price == 7 && r.status == OPTIM_AT_BOUND,
	    "lo == hi: the one price, at_bound");
}

/* optim_bounds: each rule in turn is the tightest and names the bound. */
static void
test_rules(void)
{
	struct optim_rules ru;
	struct optim_bounds b;
	struct diag d;

	optim_rules_init(&ru);
	CHECK(optim_bounds(&ru, 10, NAN, &b, &d) == 0, "no rules: ok");
	CHECK_REL(b.lo, 10.0 / 3, 1e-15, "no rules: lo = today/3");
	CHECK_REL(b.hi, 30, 1e-15, "no rules: hi = today*3");
	CHECK_STR(optim_rule_name(b.lo_rule), "search_range", "no rules: search_range");

	ru.min_price = 8;
	ru.max_price = 12;
	CHECK(optim_bounds(&ru, 10, NAN, &b, &d) == 0 && b.lo == 8 && b.hi == 12
	    && b.lo_rule == OPTIM_RULE_MIN_PRICE && b.hi_rule == OPTIM_RULE_MAX_PRICE, "min/max price");

	ru.max_up = ru.max_down = 0.1;
	ru.up_rule = ru.down_rule = OPTIM_RULE_MAX_CHANGE;
	CHECK(optim_bounds(&ru, 10, NAN, &b, &d) == 0, "max change: ok");
	CHECK_REL(b.lo, 9, 1e-15, "max change: lo = 9");
	CHECK_REL(b.hi, 11, 1e-15, "max change: hi = 11");
	CHECK_STR(optim_rule_name(b.lo_rule), "max_change", "max change names lo");
	CHECK_STR(optim_rule_name(b.hi_rule), "max_change", "max change names hi");

	ru.max_up = 0.05;
	ru.up_rule = OPTIM_RULE_MAX_UP;
	CHECK(optim_bounds(&ru, 10, NAN, &b, &d) == 0 && fabs(b.hi - 10.5) < 1e-14
	    && b.hi_rule == OPTIM_RULE_MAX_UP, "max up");

	/* cost 9.5: the cost itself binds (above today*0.9) */
	CHECK(optim_bounds(&ru, 10, 9.5, &b, &d) == 0 && b.lo == 9.5 && b.lo_rule == OPTIM_RULE_COST,
	    "never below cost");
	ru.allow_loss = 1;
	CHECK(optim_bounds(&ru, 10, 9.5, &b, &d) == 0 && b.lo_rule == OPTIM_RULE_MAX_CHANGE,
	    "allow loss");
	ru.allow_loss = 0;

	/* margin on price: p >= c/(1-m); markup on cost: p >= c(1+m) */
	ru.max_up = NAN;
	ru.max_price = NAN;
	ru.min_margin = 0.6;
	CHECK(optim_bounds(&ru, 10, 4, &b, &d) == 0, "margin: ok");
	CHECK_REL(b.lo, 10, 1e-15, "margin 0.6 on cost 4: p >= 10");
	CHECK_STR(optim_rule_name(b.lo_rule), "min_margin", "margin names lo");
	ru.min_markup = 2;
	CHECK(optim_bounds(&ru, 10, 4.4, &b, &d) == 0, "markup: ok");
	CHECK_REL(b.lo, 13.2, 1e-15, "markup 2 on cost 4.4: p >= 13.2 (margin 0.6 asks 11)");
	CHECK_STR(optim_rule_name(b.lo_rule), "min_markup", "markup names lo");

	ru.max_price = 12.5;
	CHECK(optim_bounds(&ru, 10, 4.4, &b, &d) == -1, "conflict: fails");
	CHECK_STR(d.what, "no price satisfies the rules: min_markup above max_price", "conflict message");

	optim_rules_init(&ru);
	ru.min_margin = 1;
	CHECK(optim_bounds(&ru, 10, 4, &b, &d) == -1, "margin 1: fails");
	CHECK_STR(d.what, "min margin must be below 1", "margin 1 message");
}

/* Enumerate every ladder point in [lo, hi] with its profit: the reference. */
static double
ladder_best(struct demand *m, double cost, double lo, double hi, const double *pts, size_t n)
{
	double best = NAN, bf = -INFINITY;
	size_t i;

	for (i = 0; i < n; i++) {
		double f;
		if (pts[i] < lo || pts[i] > hi)
			continue;
		f = profit_at(m, cost, pts[i]);
		if (f > bf) {
			bf = f;
			best = pts[i];
		}
	}
	return best;
}

static void
test_ladders(struct optim *w)
{
	struct demand m = { .kind = LOGIT, .a = 8, .b = 1 };
	struct optim_problem pb;
	struct optim_result r;
	struct optim_ladder l;
	struct diag d;
	double pts[2000], grid[16];
	size_t n, k;
	double ps = logit_opt(8, 1, 1);

	/* ending .99, few points: the nearest (6.99) is not the best (5.99) */
	CHECK(optim_ladder_parse(&l, OPTIM_LADDER_ENDING, ".99", 3, NULL, 0, &d) == 0, "ending parses");
	problem(&pb, &m, 1, 2, 12);
	pb.ladder = &l;
	CHECK(optim_solve(w, &pb, &r, &d) == 0, "ending: solves");
	CHECK(fabs(ps - 6.99) < fabs(ps - 5.99), "ending: 6.99 is the nearest point");
	CHECK_REL(r.price, 5.99, 0, "ending: 5.99 is the best");
	CHECK_STR(optim_rule_name(r.binding), "ladder", "ending: binding ladder");
	CHECK_REL(r.value, profit_at(&m, 1, 5.99), 1e-15, "ending: profit at 5.99");

	/* many points (the neighbours path): the same answer */
	problem(&pb, &m, 1, 1.5, 90);
	pb.ladder = &l;
	CHECK(optim_solve(w, &pb, &r, &d) == 0 && r.price == 5.99, "ending, 89 points: 5.99");

	/* every combination of bounds: compare with enumerating every point */
	for (n = 0, k = 0; k < 100; k++)
		pts[n++] = (double)k + 0.99;
	{
		double lo, hi;
		int ok = 1;
		for (lo = 1.2; lo < 9; lo += 0.37)
			for (hi = lo + 0.5; hi < 60; hi *= 1.3) {
				double want = ladder_best(&m, 1, lo, hi, pts, n);
				problem(&pb, &m, 1, lo, hi);
				pb.ladder = &l;
				if (isnan(want))
					ok &= optim_solve(w, &pb, &r, &d) == -1;
				else
					ok &= optim_solve(w, &pb, &r, &d) == 0 && r.price == want;
			}
		CHECK(ok, "ending: the enumerated best for every bounds");
	}
	problem(&pb, &m, 1, 6.1, 6.5);
	pb.ladder = &l;
	CHECK(optim_solve(w, &pb, &r, &d) == -1, "ending: none in bounds fails");
	CHECK_STR(d.what, "no ladder price within the bounds", "ending: none in bounds message");

	/* step 0.05: points are k/20, exactly as written */
	CHECK(optim_ladder_parse(&l, OPTIM_LADDER_STEP, "0.05", 4, NULL, 0, &d) == 0, "step parses");
	for (n = 0, k = 1; k < 1000; k++)
		pts[n++] = (double)k / 20;
	problem(&pb, &m, 1, 2, 12);
	pb.ladder = &l;
	CHECK(optim_solve(w, &pb, &r, &d) == 0, "step: solves");
	CHECK_REL(r.price, ladder_best(&m, 1, 2, 12, pts, n), 0, "step: the enumerated best");
	CHECK_REL(r.price, 6.5, 0, "step: 6.5 (written as 6.5)");

	/* a grid */
	CHECK(optim_ladder_parse(&l, OPTIM_LADDER_GRID, "12.99,9.99;6.49 9.99,5.99", 25, grid, 16, &d) == 0
	    && l.n_grid == 4 && grid[0] == 5.99 && grid[3] == 12.99, "grid parses, sorted, no duplicates");
	problem(&pb, &m, 1, 2, 12);
	pb.ladder = &l;
	CHECK(optim_solve(w, &pb, &r, &d) == 0 && r.price == 6.49, "grid: 6.49");
	problem(&pb, &m, 1, 7, 12);
	pb.ladder = &l;
	CHECK(optim_solve(w, &pb, &r, &d) == 0 && r.price == 9.99, "grid within bounds: 9.99");

	CHECK(optim_ladder_parse(&l, OPTIM_LADDER_ENDING, "1..5", 4, NULL, 0, &d) == -1, "ending 1..5 fails");
	CHECK_STR(d.what, "an ending is digits, with x for any digit, as .99, 9.99 or x.x9",
	    "ending 1..5 message");
	CHECK(optim_ladder_parse(&l, OPTIM_LADDER_ENDING, ".99,", 4, NULL, 0, &d) == -1,
	    "ending .99, fails");
	CHECK(optim_ladder_parse(&l, OPTIM_LADDER_ENDING, ".xxxx", 5, NULL, 0, &d) == 0,
	    "ending .xxxx: every price in steps of 0.0001");
	CHECK(optim_ladder_parse(&l, OPTIM_LADDER_ENDING, "9.xxxx9", 7, NULL, 0, &d) == -1,
	    "ending 9.xxxx9: too many endings per period");
	CHECK_STR(d.what, "more than 1000 prices in each period of the endings", "too many endings message");
	CHECK(optim_ladder_parse(&l, OPTIM_LADDER_ENDING, "1234567.99", 10, NULL, 0, &d) == -1,
	    "ending with 7 whole digits fails");
	CHECK(optim_ladder_parse(&l, OPTIM_LADDER_STEP, "0", 1, NULL, 0, &d) == -1, "step 0 fails");
	CHECK_STR(d.what, "a step must be positive", "step 0 message");
	CHECK(optim_ladder_parse(&l, OPTIM_LADDER_GRID, "9.99,x", 6, grid, 16, &d) == -1, "grid x fails");
	CHECK_STR(d.what, "price grid: not a number", "grid x message");
	CHECK(optim_ladder_parse(&l, OPTIM_LADDER_GRID, "1,2,3", 5, grid, 2, &d) == -1, "grid too long");
	CHECK_STR(d.what, "price grid: more than 2 prices", "grid too long message");
	CHECK(optim_ladder_parse(&l, OPTIM_LADDER_GRID, "1,-2", 4, grid, 2, &d) == -1, "grid -2 fails");
	CHECK_STR(d.what, "price grid: not a positive price", "grid -2 message");
	CHECK(optim_ladder_parse(&l, OPTIM_LADDER_GRID, " ; ", 3, grid, 2, &d) == -1, "empty grid fails");
	CHECK_STR(d.what, "price grid: no prices", "empty grid message");
}

/* The global maximum of a two-peaked profit curve by a dense scan and bisection on f'. */
static double
two_peaks_ref(struct demand *m, double cost, double lo, double hi)
{
	double bx = lo, bf = -INFINITY, x, a, b, dq, q;
	int i, it;

	for (i = 0; i <= 200000; i++) {
		double f;
		x = lo + (hi - lo) * i / 200000.0;
		f = profit_at(m, cost, x);
		if (f > bf) {
			bf = f;
			bx = x;
		}
	}
	a = bx - (hi - lo) / 200000.0;
	b = bx + (hi - lo) / 200000.0;
	if (a < lo || b > hi)
		return bx;
	for (it = 0; it < 200; it++) {
		double mid = (a + b) / 2;
		q = demand_fn(m, mid, &dq);
		if (q + (mid - cost) * dq > 0)
			a = mid;
		else
			b = mid;
	}
	return (a + b) / 2;
}

static void
test_two_peaks(struct optim *w)
{
	struct demand m;
	struct optim_problem pb;
	struct optim_result r;
	struct optim_ladder l;
	struct diag d;
	double w2, pts[200];
	size_t n, k;
	int ok_lo = 0, ok_hi = 0;

	/* a price-sensitive mass segment and a small loyal segment that pays far more */
	for (w2 = 0.02; w2 < 0.5; w2 *= 1.25) {
		double want, f_lo, f_hi;
		m = (struct demand){ .kind = TWO_PEAKS, .a = 6, .b = 1.2, .a2 = 8, .b2 = 0.2, .w2 = w2 };
		problem(&pb, &m, 1, 1.2, 60);
		want = two_peaks_ref(&m, 1, 1.2, 60);
		CHECK(optim_solve(w, &pb, &r, &d) == 0, "two peaks: solves");
		CHECK_REL(r.price, want, 1e-9, "two peaks: the global maximum");
		f_lo = want < 15 ? 1 : 0;
		f_hi = 1 - f_lo;
		ok_lo += (int)f_lo;
		ok_hi += (int)f_hi;
		/* and the best .99 point, against enumerating all of them */
		for (n = 0, k = 1; k < 60; k++)
			pts[n++] = (double)k + 0.99;
		CHECK(optim_ladder_parse(&l, OPTIM_LADDER_ENDING, ".99", 3, NULL, 0, &d) == 0, "ending");
		pb.ladder = &l;
		CHECK(optim_solve(w, &pb, &r, &d) == 0, "two peaks, ending: solves");
		CHECK_REL(r.price, ladder_best(&m, 1, 1.2, 60, pts, n), 0, "two peaks, ending: enumerated best");
	}
	CHECK(ok_lo > 0 && ok_hi > 0, "two peaks: the global maximum is at each peak in turn");
}

static void
test_statuses(struct optim *w)
{
	struct demand m = { .kind = RISING };
	struct optim_problem pb;
	struct optim_result r;
	struct diag d;

	problem(&pb, &m, 1, 5, 20);
	pb.today = 8;
	CHECK(optim_solve(w, &pb, &r, &d) == 0 && r.price == 8 && r.status == OPTIM_INCREASING
	    && r.binding == OPTIM_RULE_NONE, "rising demand: left at today's price");
	pb.today = 30;
	CHECK(optim_solve(w, &pb, &r, &d) == 0 && r.price == 20 && r.status == OPTIM_INCREASING
	    && r.binding == OPTIM_RULE_MAX_PRICE, "rising demand: today's price moved into the bounds");
	pb.trust_model = 1;
	CHECK(optim_solve(w, &pb, &r, &d) == 0 && r.price == 20 && r.status == OPTIM_AT_BOUND,
	    "rising demand, trusted: at the upper bound");
	CHECK_STR(optim_status_name(r.status), "at_bound", "at_bound name");

	m.kind = ZERO;
	pb.trust_model = 0;
	pb.today = 9;
	CHECK(optim_solve(w, &pb, &r, &d) == 0 && r.price == 9 && r.status == OPTIM_NO_DEMAND,
	    "no demand: today's price");
	CHECK_STR(optim_status_name(r.status), "no_demand", "no_demand name");
	CHECK_STR(optim_status_name(OPTIM_INCREASING), "increasing_demand", "increasing name");

	m.kind = NAN_BELOW;
	problem(&pb, &m, 0, 1, 5);
	CHECK(optim_solve(w, &pb, &r, &d) == -1, "NaN demand fails");
	CHECK_STR(d.what, "model cannot be evaluated at price", "NaN demand message");
	CHECK_STR(d.value, "1", "NaN demand value");
}

/* Offers: the model sees the list price and the promotion; the customer pays paid(p). */
static void
test_offers(struct optim *w)
{
	struct demand m = { .kind = PROMO_ELASTIC, .a = 1000, .b = -3, .g = 2 };
	struct optim_problem pb;
	struct optim_result r;
	struct diag d;
	double c = 4, red = 0.5, v, want;

	/* 10% off: f = ((1-v)p - c - r) A p^e e^(g v): p* = (c + r)/(1 - v) * e/(1+e) */
	v = 0.1;
	m.promo = v;
	problem(&pb, &m, c + red, 1, 50);
	pb.paid_a = 1 - v;
	CHECK(optim_solve(w, &pb, &r, &d) == 0, "percent offer: solves");
	want = (c + red) / (1 - v) * -3 / (1 - 3);
	CHECK_REL(r.price, want, 1e-9, "percent offer: p* = (c+r)/(1-v) e/(1+e)");
	CHECK_REL(r.value, ((1 - v) * want - c - red) * 1000 * pow(want, -3) * exp(2 * v), 1e-12,
	    "percent offer: profit");

	/* 2 off: f = (p - v - c - r) A p^e e^(g v): p* = (v + c + r) e/(1+e) */
	v = 2;
	m.promo = 0.3;
	problem(&pb, &m, c + red, 1, 50);
	pb.paid_b = v;
	CHECK(optim_solve(w, &pb, &r, &d) == 0, "amount offer: solves");
	CHECK_REL(r.price, (v + c + red) * 1.5, 1e-9, "amount offer: p* = (v+c+r) e/(1+e)");
}

/* Shadow price: linear rows q_i = a_i - b_i p with cost c; at lambda each
 * row's price is (a_i/b_i + c + lambda)/2, so the total demand is
 * sum(a_i - b_i c)/2 - lambda sum(b_i)/2, and the capacity K binds at
 * lambda = (sum(a_i - b_i c) - 2K)/sum(b_i). */
struct cap_ctx {
	struct optim *w;
	struct demand rows[3];
	double cost, hi;
};

static double
cap_total(void *ctx, double lambda)
{
	struct cap_ctx *c = ctx;
	struct optim_problem pb;
	struct optim_result r;
	struct diag d;
	double t = 0;
	int i;

	for (i = 0; i < 3; i++) {
		problem(&pb, &c->rows[i], c->cost + lambda, 1, c->hi);
		if (optim_solve(c->w, &pb, &r, &d) < 0)
			return NAN;
		t += r.demand;
	}
	return t;
}

static void
test_capacity(struct optim *w)
{
	struct cap_ctx c = { .w = w, .cost = 3, .hi = 200 };
	double lambda, sa = 0, sb = 0;
	int i;

	c.rows[0] = (struct demand){ .kind = LINEAR, .a = 100, .b = 4 };
	c.rows[1] = (struct demand){ .kind = LINEAR, .a = 60, .b = 2 };
	c.rows[2] = (struct demand){ .kind = LINEAR, .a = 30, .b = 0.5 };
	for (i = 0; i < 3; i++) {
		sa += c.rows[i].a - c.rows[i].b * c.cost;
		sb += c.rows[i].b;
	}
	CHECK(optim_shadow_price(cap_total, &c, 1000, 10, &lambda) == 0 && lambda == 0,
	    "capacity not binding: lambda 0");
	CHECK(optim_shadow_price(cap_total, &c, 50, 10, &lambda) == 0, "capacity 50: found");
	CHECK_REL(lambda, (sa - 2 * 50) / sb, 1e-9, "capacity 50: lambda in closed form");
	/* at the upper bound 20 the rows still want 20 + 20 + 20 */
	c.hi = 20;
	CHECK(optim_shadow_price(cap_total, &c, 1, 10, &lambda) == 1, "capacity 1: cannot be met");
}

/*
 * A demand that bends at a reference price r: elasticity e1 below it, e2
 * above (q = (p/r)^-e1 below r, (p/r)^-e2 above; cost c).  Each side's
 * constant-elasticity optimum c e / (e - 1) lies on the other side (12
 * and 5.33 around r = 8), so the profit peaks exactly at r, where f'
 * jumps from + to -.
 */
static double
kinked_demand(void *ctx, double p, double *dq)
{
	double e = p < 8 ? 1.5 : 4, q = pow(p / 8, -e);

	(void)ctx;
	*dq = -e * q / p;
	return q;
}

static void
test_kinks(struct optim *w)
{
	struct optim_problem pb;
	struct optim_result r;
	struct diag d;
	double kink = 8;

	memset(&pb, 0, sizeof pb);
	pb.demand = kinked_demand;
	pb.paid_a = 1;
	pb.unit_cost = 4;
	pb.lo = 4;
	pb.hi = 24;
	pb.lo_rule = OPTIM_RULE_MIN_PRICE;
	pb.hi_rule = OPTIM_RULE_MAX_PRICE;
	pb.today = 10;
	pb.kinks = &kink;
	pb.nkinks = 1;
	CHECK(optim_solve(w, &pb, &r, &d) == 0, "kink: solved");
	CHECK(r.price == 8, "kink: the optimum is the reference price 8, exactly");
	CHECK(r.status == OPTIM_OK && r.binding == OPTIM_RULE_NONE, "kink: an interior optimum");
	CHECK_REL(r.value, 4 * 1, 0, "kink: profit (8 - 4) * 1");
}

/*
 * Endings as retailers say them, against the same points listed as a grid
 * (written out here in whole units of the last decimal, independently of
 * the parser): the best point must be the same double, for bounds that
 * take the full evaluation (few points) and the neighbours' search (many).
 */
static void
test_endings(struct optim *w)
{
	static const struct {
		const char *ending;
		long period, ends[12];  /* in units of 1/scale; ends terminated by -1 */
		double scale;
	} cases[] = {
		{ ".99",     100,  { 99, -1 }, 100 },
		{ "0.99",    100,  { 99, -1 }, 100 },
		{ ".49,.99", 100,  { 49, 99, -1 }, 100 },
		{ "x.x9",    10,   { 9, -1 }, 100 },
		{ ".x9",     10,   { 9, -1 }, 100 },
		{ "9.99",    1000, { 999, -1 }, 100 },
		{ "9.x9",    1000, { 909, 919, 929, 939, 949, 959, 969, 979, 989, 999, -1 }, 100 },
		{ ".xx9",    10,   { 9, -1 }, 1000 },
		{ "5",       10,   { 5, -1 }, 1 },
		{ "0",       1,    { 0, -1 }, 1 },
		{ "x.xx",    1,    { 0, -1 }, 100 },
		{ "1.5",     100,  { 15, -1 }, 10 },
		{ ".25,.x9", 100,  { 9, 19, 25, 29, 39, 49, 59, 69, 79, 89, 99, -1 }, 100 },
	};
	static double grid[OPTIM_GRID_MAX];
	struct demand m = { .kind = LOGIT, .a = 8, .b = 1 };
	struct optim_problem pb;
	struct optim_result re, rg;
	struct optim_ladder le, lg;
	struct diag d;
	size_t c, n, k;
	int bad;

	for (c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		const char *e = cases[c].ending;
		double b[][2] = { { 2, 12 }, { 0.5, 3 }, { 4.2, 4.9 }, { 1.5, 90 }, { 0.01, 0.2 } };
		size_t bi;

		CHECK(optim_ladder_parse(&le, OPTIM_LADDER_ENDING, e, strlen(e), NULL, 0, &d) == 0, e);
		for (n = 0, k = 0; n < OPTIM_GRID_MAX - 16; k++) {
			size_t i;
			for (i = 0; cases[c].ends[i] >= 0 && n < OPTIM_GRID_MAX - 16; i++) {
				long units = (long)k * cases[c].period + cases[c].ends[i];
				if (units > 0)
					grid[n++] = (double)units / cases[c].scale;
			}
			if (n > 0 && grid[n - 1] > 200)
				break;
		}
		lg.kind = OPTIM_LADDER_GRID;
		lg.grid = grid;
		lg.n_grid = n;
		lg.scale = 0;
		bad = 0;
		for (bi = 0; bi < sizeof b / sizeof b[0]; bi++) {
			int ge, gg;
			problem(&pb, &m, 0.005, b[bi][0], b[bi][1]);
			pb.ladder = &le;
			ge = optim_solve(w, &pb, &re, &d);
			pb.ladder = &lg;
			gg = optim_solve(w, &pb, &rg, &d);
			if (ge != gg || (ge == 0 && (re.price != rg.price || re.value != rg.value))) {
				printf("     ending %s on [%g, %g]: %d %.17g vs grid %d %.17g\n", e, b[bi][0],
				    b[bi][1], ge, re.price, gg, rg.price);
				bad = 1;
			}
		}
		CHECK(!bad, e);
	}
}

/*
 * Ladders and ranges at the edge of what a double holds: a rejected row
 * with a message, never a loop (the points of .99 at 4e18 are one double
 * apart, and 1e-18 steps up to 30 overflow any integer index).
 */
static void
test_extremes(struct optim *w)
{
	struct demand m = { .kind = ELASTIC, .a = 1e40, .b = -2.5 };
	struct optim_problem pb;
	struct optim_result r;
	struct optim_ladder l;
	struct optim_rules ru;
	struct optim_bounds b;
	struct diag d;

	CHECK(optim_ladder_parse(&l, OPTIM_LADDER_ENDING, ".99", 3, NULL, 0, &d) == 0, "ending .99");
	problem(&pb, &m, 1, 4e18, 5e18);
	pb.ladder = &l;
	CHECK(optim_solve(w, &pb, &r, &d) == -1, "ending .99 at 4e18: refused");
	CHECK_STR(d.what, "price ladder: more than 2^52 points up to this price (too fine to represent)",
	    "ending .99 at 4e18: the reason");
	CHECK(optim_ladder_parse(&l, OPTIM_LADDER_STEP, "1e-18", 5, NULL, 0, &d) == 0, "step 1e-18");
	problem(&pb, &m, 1, 2, 30);
	pb.ladder = &l;
	CHECK(optim_solve(w, &pb, &r, &d) == -1, "step 1e-18 up to 30: refused");
	/* the same step where its points are few enough: solved, on the ladder */
	m.a = 1;
	problem(&pb, &m, 1e-16, 1e-16, 1e-14);
	pb.ladder = &l;
	CHECK(optim_solve(w, &pb, &r, &d) == 0, "step 1e-18 up to 1e-14: solved");
	CHECK_REL(r.price, 1e-18 * round(1e-16 * 2.5 / 1.5 / 1e-18), 1e-6,
	    "step 1e-18: the ladder point at c e / (1 + e)");
	/* a search range of 1e30 still finds the interior optimum (constant
	 * elasticity -2.5, cost 4: p* = 4 * 2.5 / 1.5) */
	optim_rules_init(&ru);
	ru.search_range = 1e30;
	CHECK(optim_bounds(&ru, 10, 4, &b, &d) == 0, "search range 1e30: bounds");
	problem(&pb, &m, 4, b.lo, b.hi);
	CHECK(optim_solve(w, &pb, &r, &d) == 0, "search range 1e30: solved");
	CHECK_REL(r.price, 4 * 2.5 / 1.5, 1e-9, "search range 1e30: p* = c e / (1 + e)");
	/* bounds past the doubles: refused */
	ru.search_range = 1e30;
	CHECK(optim_bounds(&ru, 1e300, NAN, &b, &d) == -1, "1e300 * 1e30: refused");
	CHECK_STR(d.what, "the search range around today's price leaves the range of numbers",
	    "1e300 * 1e30: the reason");
}

/* An empty interval is a caller's mistake: optim_solve aborts on it, in a child. */
static void
test_empty_interval(struct optim *w)
{
	struct optim_problem pb;
	struct optim_result r;
	struct demand m = { .kind = LINEAR, .a = 10, .b = 1 };
	struct diag d;
	int status = 0;
	pid_t pid;

	problem(&pb, &m, 1, 6, 5);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		freopen("/dev/null", "w", stderr);
		(void)optim_solve(w, &pb, &r, &d);
		_exit(0);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid, "lo > hi: the child ran");
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT, "lo > hi: assertion failed");
}

int
main(void)
{
	struct optim *w;

	gsl_set_error_handler_off();
	w = optim_new();
	CHECK(w != NULL, "optim_new");
	test_closed_forms(w);
	test_bounds_binding(w);
	test_rules();
	test_ladders(w);
	test_two_peaks(w);
	test_statuses(w);
	test_offers(w);
	test_capacity(w);
	test_extremes(w);
	test_endings(w);
	test_kinks(w);
	test_empty_interval(w);
	optim_free(w);
	return check_done();
}
