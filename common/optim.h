/*
 * optim.h - the price search: for one row, the allowed price with the
 * highest expected profit (or revenue), given a demand function, the
 * business's rules and an optional price ladder.
 *
 * The demand is a callback, so the engine knows nothing about models: the
 * tool adapts model_eval_mean to it, and the unit tests feed it closed-form
 * demand curves.  Everything here works on the LIST price p (the model's
 * price column, what opt_price reports); the customer pays
 *
 *     paid(p) = paid_a * p - paid_b        (paid_a > 0)
 *
 * (1, 0 without an offer; 1 - v, 0 for a v percent-off offer; 1, v for a v
 * amount-off offer).  The objective maximised is
 *
 *     f(p) = (paid(p) - unit_cost) * q(p)
 *
 * where the caller folds into unit_cost the cost of the goods (objective
 * profit; 0 for revenue), an offer's cost per redemption and a capacity's
 * shadow price.
 *
 * Search (continuous): a scan of OPTIM_SCAN points over [lo, hi], spaced
 * evenly in log(p) (demand curves are usually smooth in log price; more
 * points, as densely spaced, where hi / lo is above 9), then
 * every interval where the scan shows a local maximum is refined: with the
 * derivative of the demand, by Brent's root finder on f'(p) (bracketed, so
 * it cannot escape; it converges to the double precision of p, where a
 * minimiser on f itself stops near sqrt(DBL_EPSILON) because f is flat at
 * its top); without it, by Brent's minimiser on -f.  The best of the refined
 * maxima and the two bounds wins.  Exact (to the tolerance) whenever the
 * profit curve has at most one turning point between neighbouring scan
 * points, concave or not.
 *
 * Search (ladder): the allowed points are compared by their objective,
 * never by rounding the continuous optimum.  A ladder with few points in
 * [lo, hi] (OPTIM_LADDER_ALL or fewer) is evaluated in full.  Otherwise the
 * continuous search above is run first; on each stretch of the curve
 * between two local minima the best ladder point is a neighbour of that
 * stretch's maximum, so the candidates are the two ladder points around
 * every local maximum found, and the first and last ladder points (the
 * maxima at the bounds).  The same assumption as above makes this exact.
 */
#ifndef PR_OPTIM_H
#define PR_OPTIM_H

#include <stddef.h>

#include "diag.h"

#define OPTIM_SCAN        12     /* scan points, bounds included, over a price ratio up to 9 */
#define OPTIM_SCAN_MAX    1024   /* scan points over a wider ratio (the same spacing, up to 1e88) */
#define OPTIM_MAX_LOCAL   8      /* interior local maxima refined per row */
#define OPTIM_MAX_KINKS   32     /* kinks of the demand curve (optim_problem) kept per row */
#define OPTIM_LADDER_ALL  24     /* ladders this small are evaluated in full */
#define OPTIM_GRID_MAX    4096   /* points in a --grid or a --grid-col value */

/*
 * Expected demand at list price p for the current row (>= 0), and, when dq
 * is not NULL, *dq = dq/dp (NaN when the derivative is not known: the
 * engine then refines without it).  Returns NaN when the demand cannot be
 * evaluated at p.
 */
typedef double (*optim_demand_fn)(void *ctx, double p, double *dq);

/* Which rule set a bound, or decided the answer (the `binding` column). */
enum optim_rule {
	OPTIM_RULE_NONE,
	OPTIM_RULE_MIN_PRICE,
	OPTIM_RULE_MAX_PRICE,
	OPTIM_RULE_MAX_CHANGE,
	OPTIM_RULE_MAX_UP,
	OPTIM_RULE_MAX_DOWN,
	OPTIM_RULE_MIN_MARGIN,
	OPTIM_RULE_MIN_MARKUP,
	OPTIM_RULE_COST,
	OPTIM_RULE_SEARCH_RANGE,
	OPTIM_RULE_LADDER,
	OPTIM_RULE_CAPACITY,
	OPTIM_RULE_MIN_LIFT,     /* (set by callers) today's price kept: no change gains enough */
	OPTIM_RULE_SPREAD        /* (set by callers) the spread around a group's reference price */
};

/* "none", "min_price", ... (static strings). */
const char *optim_rule_name(enum optim_rule r);

enum optim_status {
	OPTIM_OK,               /* an interior optimum (or a ladder point near one) */
	OPTIM_AT_BOUND,         /* the objective still rises at the bound that decided */
	OPTIM_INCREASING,       /* demand does not fall over [lo, hi]: left at today's price */
	OPTIM_NO_DEMAND,        /* zero demand everywhere in [lo, hi]: left at today's price */
	OPTIM_OVER_CAPACITY,    /* (set by callers) capacity cannot be met within the bounds */
	OPTIM_KEPT,             /* (set by callers) today's price kept (--min-lift) */
	OPTIM_WORSE_THAN_TODAY, /* (set by callers) the rules leave only prices that earn less */
	OPTIM_EXPLORED          /* (set by callers) a price drawn at random among the allowed */
};

/* "ok", "at_bound", "increasing_demand", "no_demand", "over_capacity", "kept",
 * "worse_than_today", "explored". */
const char *optim_status_name(enum optim_status s);

/*
 * The rules, on the price paid, for one row.  NaN means "not set".  The
 * caller fills the values of column-valued options row by row.
 */
struct optim_rules {
	double min_price, max_price;
	double max_up, max_down;             /* fractions of today's price */
	enum optim_rule up_rule, down_rule;  /* MAX_CHANGE or MAX_UP / MAX_DOWN (for binding) */
	double min_margin;                   /* p >= cost / (1 - min_margin), min_margin < 1 */
	double min_markup;                   /* p >= cost * (1 + min_markup) */
	int allow_loss;                      /* 0: p >= cost */
	double search_range;                 /* > 1: search within [today/r, today*r] */
	double spread_lo, spread_hi;         /* a group's band around its reference price */
};

/* Every rule unset, no loss allowed, search_range 3. */
void optim_rules_init(struct optim_rules *r);

struct optim_bounds {
	double lo, hi;
	enum optim_rule lo_rule, hi_rule;
};

/*
 * The floor that the unit cost puts on the price paid: the cost itself
 * (unless allow_loss), the margin and the markup floors, the highest of
 * them, and the rule that sets it (0 and OPTIM_RULE_NONE when none
 * applies, or cost is NaN).
 */
void optim_cost_floor(const struct optim_rules *r, double cost, double *floor,
    enum optim_rule *rule);

/*
 * Bounds on the price paid from the rules, today's price and the unit
 * cost (NaN: unknown, then cost rules are skipped).  The tightest rule
 * names each bound; the search range applies only where no rule bounds
 * that side (and always keeps the bounds positive).  Returns 0, or -1 with
 * d filled ("no price satisfies the rules: R1 above R2") when lo > hi.
 */
int optim_bounds(const struct optim_rules *r, double today, double cost,
    struct optim_bounds *b, struct diag *d);

enum optim_ladder_kind {
	OPTIM_LADDER_NONE,
	OPTIM_LADDER_ENDING,    /* q * period + ends[i], q a whole number */
	OPTIM_LADDER_STEP,      /* k * step */
	OPTIM_LADDER_GRID       /* the listed points */
};

#define OPTIM_ENDINGS_MAX 1000   /* endings within one period */

struct optim_ladder {
	enum optim_ladder_kind kind;
	double period;           /* ENDING: the endings repeat every period (1 for .99) */
	double ends[OPTIM_ENDINGS_MAX];  /* ENDING: in [0, period), ascending */
	size_t n_ends;
	double step;             /* STEP */
	double scale;            /* 10^decimals of the option's text: points are rounded to it (0: no rounding) */
	const double *grid;      /* GRID: sorted ascending, no duplicates (borrowed) */
	size_t n_grid;
};

/*
 * Endings (kind ENDING) are what the price's last digits read, as
 * retailers say them, a comma-separated list: ".99" (0.99, 1.99, ...),
 * ".49,.99", "9.99" (9.99, 19.99, ...), "x.x9" (x: any digit; 0.09, 0.19,
 * ..., 1.09, ...), ".xx9" (prices under one unit: 0.009, 0.019, ...),
 * "5" (5, 15, ...).  The digits left of the first fixed digit are free;
 * a whole part of 0 is none (0.99 is .99), and an ending with no fixed
 * digit is every price in steps of its last position ("0" every whole
 * price, "x.xx" every cent).  Points are rounded to the decimals written.
 *
 * Parse a ladder option into l: "--ending .99" (kind ENDING, arg ".99"),
 * "--step 0.05", or a grid list "9.99,12.99" (commas, semicolons or spaces
 * between numbers) into buf (cap doubles, sorted, duplicates dropped;
 * l->grid = buf).  Returns 0, or -1 with d filled (what, value).
 */
int optim_ladder_parse(struct optim_ladder *l, enum optim_ladder_kind kind, const char *arg,
    size_t len, double *buf, size_t cap, struct diag *d);

/*
 * The number of points of ladder l in [lo, hi] (0: none; -1: no ladder).
 * A ladder too fine to represent there counts as having points: optim_solve
 * rejects it with the reason.
 */
long long optim_ladder_count(const struct optim_ladder *l, double lo, double hi);

/* The k-th point (from 0, ascending) of ladder l in [lo, hi], or NaN past the last. */
double optim_ladder_nth(const struct optim_ladder *l, double lo, double hi, long long k);

struct optim_problem {
	optim_demand_fn demand;
	void *ctx;
	double paid_a, paid_b;         /* price paid = paid_a * p - paid_b */
	double unit_cost;              /* per unit, subtracted from the price paid */
	double lo, hi;                 /* allowed list prices, 0 < lo <= hi */
	enum optim_rule lo_rule, hi_rule;
	const struct optim_ladder *ladder;   /* NULL: continuous */
	double today;                  /* today's list price (where INCREASING/NO_DEMAND rows stay) */
	int trust_model;               /* optimise rows whose demand rises with price */
	/*
	 * Prices where the demand curve has a kink (model_eval_price_kinks),
	 * or NULL: each inside [lo, hi] is evaluated and competes as a local
	 * maximum does (a ladder's neighbours of it too), so an optimum at a
	 * kink (at a reference price) is found at that exact price, where the
	 * root finder on f' would stop within its tolerance of it.
	 */
	const double *kinks;
	size_t nkinks;
};

struct optim_result {
	double price;                  /* chosen list price */
	double demand;                 /* q(price) */
	double value;                  /* f(price) */
	enum optim_status status;
	enum optim_rule binding;
	int n_eval;                    /* demand evaluations used */
};

struct optim;   /* workspace: GSL solvers and scratch, reused row after row */

/* NULL when out of memory. */
struct optim *optim_new(void);
void optim_free(struct optim *w);    /* NULL-safe */

/*
 * Maximise f over the allowed prices of pb (see the top of this file).
 * pb->lo and pb->hi must hold 0 < lo <= hi (asserted: optim_bounds is
 * what turns rules that leave no price into a message).  Fills res.  An INCREASING or NO_DEMAND row gets today's price moved into
 * [lo, hi] (binding names the bound if it moved it) with no ladder, unless
 * trust_model (INCREASING only).  Returns 0, or -1 with d filled when the
 * demand cannot be evaluated at some price ("model cannot be evaluated at
 * price P"), or when a ladder has no point in [lo, hi].  Does not allocate.
 */
int optim_solve(struct optim *w, const struct optim_problem *pb, struct optim_result *res,
    struct diag *d);

/*
 * Shadow price of a capacity: the smallest lambda >= 0 with
 * total(ctx, lambda) <= capacity, where total is the total demand when
 * every row maximises its objective less lambda per unit (non-increasing in
 * lambda).  lambda_scale is a typical price (the search brackets from it).
 * Returns 0 with *lambda (0 when the capacity does not bind), 1 when even
 * a very large lambda leaves the total above capacity (*lambda is then that
 * large value: the least demand within the bounds), or -1 when total
 * failed (its own diagnostic stands).  Bisection to 1e-10 relative.
 */
int optim_shadow_price(double (*total)(void *ctx, double lambda), void *ctx, double capacity,
    double lambda_scale, double *lambda);

#endif
