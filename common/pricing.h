/*
 * pricing.h - the pricing policy: which price (and offer) one candidate row
 * gets under a model and the business's rules, the shadow price that holds
 * a group to its capacity, and the output columns that say what was
 * decided.  pr-optimize is options and streams around this; a program that
 * reads pr-optimize's output (pr-report) names its columns from here.
 *
 * Use:
 *   1. pricing_config_init, then pricing_value_parse for every NUM|COL rule
 *      given, and the other fields of struct pricing_config;
 *      pricing_config_check finds what is wrong from the arguments alone.
 *   2. pricing_new binds the configuration to a model, the input's header
 *      and the offers (column names resolved, the model's variables found).
 *   3. Per row: pricing_decide (or, with a capacity, pricing_capacity_add
 *      for every row, pricing_capacity_solve once, pricing_capacity_decide
 *      per held row), then pricing_put_row.
 *
 * The engine underneath is optim.h (one price search on a demand curve);
 * this module turns a row into the searches: the row's rules become bounds
 * on the price paid, today's price gives the baseline, and every offer is
 * one more search on the list price, the best objective winning.
 */
#ifndef PR_PRICING_H
#define PR_PRICING_H

#include <stddef.h>

#include "csvio.h"
#include "diag.h"
#include "model.h"
#include "offers.h"
#include "optim.h"

/* The columns appended to every input row, in this order. */
#define PRICING_COL_OPT_PRICE    "opt_price"      /* chosen list (shelf) price */
#define PRICING_COL_EXP_DEMAND   "exp_demand"     /* expected demand there */
#define PRICING_COL_EXP_REVENUE  "exp_revenue"    /* price paid x demand */
#define PRICING_COL_EXP_PROFIT   "exp_profit"     /* (paid - cost - offer cost) x demand */
#define PRICING_COL_BASE_DEMAND  "base_demand"    /* the same at today's price, no offer */
#define PRICING_COL_BASE_REVENUE "base_revenue"
#define PRICING_COL_BASE_PROFIT  "base_profit"
#define PRICING_COL_LIFT         "lift"           /* exp_ - base_ of the objective */
#define PRICING_COL_BINDING      "binding"        /* optim_rule_name */
#define PRICING_COL_STATUS       "status"         /* optim_status_name */
/* With offers: */
#define PRICING_COL_OFFER_ID     "offer_id"       /* empty: no offer */
#define PRICING_COL_PAID_PRICE   "paid_price"
/* With a capacity: */
#define PRICING_COL_SHADOW_PRICE "shadow_price"   /* empty: over capacity */
/* With exploration: */
#define PRICING_COL_POLICY       "policy"         /* exploit or explore */
#define PRICING_COL_PROPENSITY   "propensity"     /* P(this price and offer | policy) */

#define PRICING_EXPLORE_GRID       11    /* explored prices per offer without a ladder */
#define PRICING_EXPLORE_OFFERS_MAX 1024  /* offers an explored row chooses among */

/* The ten columns every run appends (the names above, in order). */
#define PRICING_N_BASE_COLS 10
extern const char *const pricing_base_cols[PRICING_N_BASE_COLS];

/* The rules that take a number for every row or a column name (NUM|COL). */
enum pricing_rule {
	PRICING_COST,
	PRICING_MIN_PRICE,
	PRICING_MAX_PRICE,
	PRICING_MAX_CHANGE,
	PRICING_MAX_UP,
	PRICING_MAX_DOWN,
	PRICING_MIN_MARGIN,
	PRICING_MIN_MARKUP,
	PRICING_CAPACITY,
	PRICING_MAX_SPREAD,
	PRICING_N_RULES
};

/* A NUM|COL value: a constant, or a column read row by row. */
struct pricing_value {
	const char *arg;        /* the option's text; NULL: not given */
	double value;           /* the constant; NaN when a column */
};

/* With offers, what the price bounds and the largest changes hold for. */
enum pricing_bounds_on {
	PRICING_BOUNDS_BOTH,        /* the shelf price and the price paid (default) */
	PRICING_BOUNDS_PAID,        /* the price paid only */
	PRICING_BOUNDS_SHELF        /* the shelf (list) price only */
};

struct pricing_config {
	const char *price_col;      /* today's price (NULL: the model's) */
	const char *quantity_col;   /* units per expected purchase, or NULL */
	const char *promo_col;      /* the model's promotion column that offers set, or NULL */
	const char *by_col;         /* capacity groups, or NULL */
	int revenue;                /* objective revenue (0: profit) */
	int trust_model;            /* optimise rows whose demand rises with price */
	int allow_loss;             /* allow prices below cost */
	int with_offers;            /* an offers file is given */
	enum pricing_bounds_on bounds_on;   /* the cost, margin and markup floors hold for the paid price */
	int bounds_on_given;        /* --bounds-on was given (it needs offers) */
	double min_lift;            /* keep today's price unless a change gains this (NaN: 0) */
	int explore;                /* --explore given */
	double explore_eps;         /* the share of rows explored, in [0, 1] */
	unsigned long long seed;
	int seed_given;
	const char *explore_key;    /* the column whose value keys a row's draw (NULL: every field) */
	const char *spread_by;      /* --max-spread groups */
	const char *spread_ref;     /* their reference price column (NULL: today's price) */
	const char *same_price;     /* a column prices must not depend on, or NULL */
	int min_lift_relative;      /* min_lift is a fraction of the base objective */
	double search_range;        /* > 1 (default 3) */
	struct pricing_value rule[PRICING_N_RULES];
	enum optim_ladder_kind ladder_kind;
	const char *ladder_arg;     /* --ending/--step/--grid text; NULL with grid_col */
	const char *grid_col;       /* --grid-col COL, or NULL */
	const char *ladder_option;  /* "--ending", ... for messages (set by pricing_config_check) */
	struct optim_ladder ladder; /* a constant ladder, parsed by pricing_config_check */
	double *grid_buf;           /* owned: its points */
};

/* Defaults: nothing set, objective profit, search range 3. */
void pricing_config_init(struct pricing_config *c);
/* Free what pricing_config_check allocated.  NULL-safe. */
void pricing_config_fini(struct pricing_config *c);

/*
 * Set rule r from its option's text arg: a number (checked against the
 * rule's range: at least 0, or below 1 for --min-margin), else a column
 * name resolved by pricing_new.  Returns 0, or -1 with d's reason filled
 * ("--max-price must be at least 0, not \"-1\"").
 */
int pricing_value_parse(struct pricing_config *c, enum pricing_rule r, const char *arg,
    struct diag *d);

/*
 * --min-lift: an amount of the objective (profit, or revenue) per row, or
 * N% of the row's objective at today's price.  Returns 0, or -1 with d's
 * reason filled.
 */
int pricing_min_lift_parse(struct pricing_config *c, const char *arg, struct diag *d);

/* --explore EPS: 0 <= EPS <= 1.  Returns 0, or -1 with d's reason filled. */
int pricing_explore_parse(struct pricing_config *c, const char *arg, struct diag *d);

/*
 * What is wrong with c from the arguments alone: a missing --cost with
 * objective profit, --capacity without --by (or the reverse), --promo-col
 * or --bounds-on without offers, --min-margin or --min-markup without
 * --cost, constant rules that no price satisfies, a constant ladder that
 * does not parse.  Parses the
 * constant ladder (allocating grid_buf).  Returns 0, or -1 with d filled;
 * *option is then the option to name before d's message, or NULL.
 */
int pricing_config_check(struct pricing_config *c, const char **option, struct diag *d);

/* What was decided for one row. */
struct pricing_decision {
	double opt_price, paid, demand, revenue, profit;
	double base_demand, base_revenue, base_profit, lift;
	enum optim_rule binding;
	enum optim_status status;
	long offer;             /* index into the offers, -1: none */
	int explored;           /* drawn at random (--explore) */
	double propensity;      /* the probability of this price and offer under the policy */
};

struct pricing;     /* c bound to a model and an input: workspaces reused row after row */

/*
 * Bind c (borrowed, as are m and offers, for the life of the result) to
 * model m (loaded from model_path, for messages), the input in (its header
 * and name) and offers (NULL without).  Fails, returning NULL with d
 * filled, when the model has no price column, the input lacks a column the
 * model or a rule names or already has an output column, the promotion
 * column is not a numeric column of the model, or memory runs out.
 */
struct pricing *pricing_new(const struct pricing_config *c, const struct model *m,
    const char *model_path, const struct csvio_reader *in, const struct offers *offers,
    struct diag *d);
void pricing_free(struct pricing *p);   /* NULL-safe */

/*
 * Decide one row at capacity shadow price lambda (0: none): fills dc.
 * Returns 0, or -1 with d filled when the row is to be rejected (its
 * width, a missing or bad value, rules no price satisfies, a model that
 * cannot be evaluated).  Does not allocate.
 */
int pricing_decide(struct pricing *p, const struct csvio_row *row, double lambda,
    struct pricing_decision *dc, struct diag *d);

/* The input's header followed by the output columns of this run; the caller ends the row. */
void pricing_put_header(const struct pricing *p, struct csvio_writer *w,
    const struct csvio_row *header);

/* row followed by dc's columns; lambda is written as shadow_price (NaN: empty). */
void pricing_put_row(const struct pricing *p, struct csvio_writer *w, const struct csvio_row *row,
    const struct pricing_decision *dc, double lambda);

/*
 * Capacity: the rows are held until the end of the input, and each --by
 * group gets the smallest shadow price lambda >= 0 at which its total
 * expected demand fits its capacity (optim_shadow_price).
 */
struct pricing_capacity;

struct pricing_capacity *pricing_capacity_new(void);      /* NULL: out of memory */
void pricing_capacity_free(struct pricing_capacity *h);   /* NULL-safe */

/*
 * Check row (decided at lambda 0; its capacity read; the same capacity as
 * its group's first row) and hold a copy.  Returns 0 (held), -1 with d
 * filled (the row is rejected), or -2 when out of memory.
 */
int pricing_capacity_add(struct pricing_capacity *h, struct pricing *p,
    const struct csvio_row *row, struct diag *d);

/* Every group's shadow price.  Returns 0, or -1 with d filled. */
int pricing_capacity_solve(struct pricing_capacity *h, struct pricing *p, struct diag *d);

/* The number of rows held. */
size_t pricing_capacity_n(const struct pricing_capacity *h);

/*
 * Decide held row i (in input order) at its group's shadow price: *row is
 * the held row (valid until pricing_capacity_free), *lambda its group's
 * shadow price (NaN when even the largest leaves the group over capacity:
 * dc->status is then OPTIM_OVER_CAPACITY).  Returns 0, or -1 with d filled.
 */
int pricing_capacity_decide(struct pricing_capacity *h, struct pricing *p, size_t i,
    const struct csvio_row **row, struct pricing_decision *dc, double *lambda, struct diag *d);

#endif
