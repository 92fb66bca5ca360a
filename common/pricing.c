/* pricing.c - see pricing.h. */
#include "pricing.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field.h"
#include "formula.h"
#include "num.h"
#include "strtab.h"

const char *const pricing_base_cols[PRICING_N_BASE_COLS] = {
	PRICING_COL_OPT_PRICE, PRICING_COL_EXP_DEMAND, PRICING_COL_EXP_REVENUE,
	PRICING_COL_EXP_PROFIT, PRICING_COL_BASE_DEMAND, PRICING_COL_BASE_REVENUE,
	PRICING_COL_BASE_PROFIT, PRICING_COL_LIFT, PRICING_COL_BINDING, PRICING_COL_STATUS
};

/* Each NUM|COL rule's option and range. */
enum rule_kind {
	RULE_AMOUNT,            /* a price or cost: at least 0 */
	RULE_CHANGE,            /* a fraction of today's price below 1 (or N% below 100%) */
	RULE_RISE,              /* a fraction up to 1, or any N% */
	RULE_SPREAD,            /* as RULE_CHANGE, of a reference price */
	RULE_MARGIN,            /* a fraction below 1 (or N% below 100%), any sign */
	RULE_MARKUP             /* a fraction (or N%), any sign */
};

static const struct {
	const char *option;
	enum rule_kind kind;
} rule_def[PRICING_N_RULES] = {
	[PRICING_COST]       = { "--cost", RULE_AMOUNT },
	[PRICING_MIN_PRICE]  = { "--min-price", RULE_AMOUNT },
	[PRICING_MAX_PRICE]  = { "--max-price", RULE_AMOUNT },
	[PRICING_MAX_CHANGE] = { "--max-change", RULE_CHANGE },
	[PRICING_MAX_UP]     = { "--max-up", RULE_RISE },
	[PRICING_MAX_DOWN]   = { "--max-down", RULE_CHANGE },
	[PRICING_MIN_MARGIN] = { "--min-margin", RULE_MARGIN },
	[PRICING_MIN_MARKUP] = { "--min-markup", RULE_MARKUP },
	[PRICING_CAPACITY]   = { "--capacity", RULE_AMOUNT },
	[PRICING_MAX_SPREAD] = { "--max-spread", RULE_SPREAD },
};

/*
 * Read a value of rule r from s (len bytes): a number, or for a fraction
 * N% (N / 100).  Returns 0 with *out; -1 when it is not a number (*st
 * says why); -2 when it is out of the rule's range (*why says so).  A
 * plain fraction that cannot be meant as one (--max-change 20, meaning
 * 20%) is out of range, with the hint to write the percent sign.
 */
static int
rule_number(enum pricing_rule r, const char *s, size_t len, double *out, enum num_status *st,
    const char **why)
{
	enum rule_kind kind = rule_def[r].kind;
	int percent = kind != RULE_AMOUNT && len > 1 && s[len - 1] == '%';
	double x;

	if ((*st = num_parse(s, percent ? len - 1 : len, &x, 0)) != NUM_OK)
		return -1;
	if (percent)
		x /= 100;
	*out = x;
	switch (kind) {
	case RULE_AMOUNT:
		*why = "must not be negative";
		return x >= 0 ? 0 : -2;
	case RULE_CHANGE:
	case RULE_RISE:
	case RULE_SPREAD:
		*why = "must not be negative";
		if (!(x >= 0))
			return -2;
		if (kind == RULE_RISE && (percent || x <= 1))
			return 0;
		if (x < 1)
			return 0;
		*why = percent ? "must be below 100%"
		    : kind == RULE_SPREAD
		    ? "a fraction of the reference price, below 1 (0.2 is 20%); write a percent with %, as 20%"
		    : kind == RULE_RISE
		    ? "a fraction of today's price, at most 1 (0.2 is 20%); write a percent with %, as 20% or 150%"
		    : "a fraction of today's price, below 1 (0.2 is 20%); write a percent with %, as 20%";
		return -2;
	case RULE_MARGIN:
		*why = percent ? "must be below 100%" : "must be below 1";
		return x < 1 ? 0 : -2;
	case RULE_MARKUP:
		return 0;
	}
	return 0;
}

struct pricing {
	const struct pricing_config *c;
	const struct offers *offers;        /* NULL: none */
	const struct csvio_reader *in;      /* the input (its header's width) */
	struct model_eval *eval;
	struct optim *optim;
	const char *price_col;
	struct optim_ladder row_ladder;     /* --grid-col: this row's */
	double *row_grid;                   /* its points */
	long rule_col[PRICING_N_RULES];     /* a rule's column, or -1 */
	long promo_var, quantity_idx, grid_idx, by_idx, explore_idx;
	long spread_by_idx, spread_ref_idx, same_price_idx;
	struct strtab *spread_groups;       /* --spread-by values seen */
	double *spread_ref;                 /* each one's reference price (its first row's) */
	size_t spread_cap;
	double quantity;                    /* this row's */
	double kinks[OPTIM_MAX_KINKS];      /* this search's kinks of the price terms */
};

/* ---- configuration ---- */

void
pricing_config_init(struct pricing_config *c)
{
	size_t k;

	memset(c, 0, sizeof *c);
	c->search_range = 3;
	c->min_lift = NAN;
	c->ladder_kind = OPTIM_LADDER_NONE;
	for (k = 0; k < PRICING_N_RULES; k++) {
		c->rule[k].value = NAN;
	}
}

void
pricing_config_fini(struct pricing_config *c)
{
	if (c == NULL)
		return;
	free(c->grid_buf);
	c->grid_buf = NULL;
}

int
pricing_value_parse(struct pricing_config *c, enum pricing_rule r, const char *arg,
    struct diag *d)
{
	struct pricing_value *v = &c->rule[r];
	const char *option = rule_def[r].option, *why;
	enum num_status st;
	int rc;

	v->arg = arg;
	v->value = NAN;
	rc = rule_number(r, arg, strlen(arg), &v->value, &st, &why);
	if (rc == -1) {
		v->value = NAN;         /* a column name */
		return 0;
	}
	if (rc == 0)
		return 0;
	if (v->value < 0 && rule_def[r].kind != RULE_MARGIN)
		return diag_set(d, NULL, 0, NULL, NULL, 0, "%s must be at least 0, not \"%s\"", option,
		    arg);
	if (strcmp(why, "must be below 1") == 0 || strcmp(why, "must be below 100%") == 0)
		return diag_set(d, NULL, 0, NULL, NULL, 0, "%s %s, not \"%s\"", option, why, arg);
	return diag_set(d, NULL, 0, NULL, NULL, 0, "%s %s: %s", option, arg, why);
}

/*
 * Rules given as constants that no price can satisfy together: the
 * highest floor (--min-price, the cost unless --allow-loss, the margin and
 * markup floors on a constant cost) above --max-price.  Rows would all be
 * rejected; the command line is what is wrong.
 */
static int
check_constant_rules(const struct pricing_config *c, struct diag *d)
{
	double hi = c->rule[PRICING_MAX_PRICE].value, cost = c->rule[PRICING_COST].value;
	double m = c->rule[PRICING_MIN_MARGIN].value, mk = c->rule[PRICING_MIN_MARKUP].value;
	const struct pricing_value *v;
	char floor_text[NUM_BUFSZ];

	if (isnan(hi))
		return 0;
	v = &c->rule[PRICING_MAX_PRICE];
	if (c->rule[PRICING_MIN_PRICE].value > hi)
		return diag_set(d, NULL, 0, NULL, NULL, 0,
		    "no price satisfies the rules: --min-price %s is above --max-price %s",
		    c->rule[PRICING_MIN_PRICE].arg, v->arg);
	if (isnan(cost))
		return 0;
	if (!c->allow_loss && cost > hi)
		return diag_set(d, NULL, 0, NULL, NULL, 0,
		    "no price satisfies the rules: --cost %s is above --max-price %s (a price below cost needs --allow-loss)",
		    c->rule[PRICING_COST].arg, v->arg);
	if (!isnan(m) && cost / (1 - m) > hi) {
		floor_text[num_format(cost / (1 - m), floor_text)] = '\0';
		return diag_set(d, NULL, 0, NULL, NULL, 0,
		    "no price satisfies the rules: --min-margin %s on --cost %s asks for at least %s, above --max-price %s",
		    c->rule[PRICING_MIN_MARGIN].arg, c->rule[PRICING_COST].arg, floor_text, v->arg);
	}
	if (!isnan(mk) && cost * (1 + mk) > hi) {
		floor_text[num_format(cost * (1 + mk), floor_text)] = '\0';
		return diag_set(d, NULL, 0, NULL, NULL, 0,
		    "no price satisfies the rules: --min-markup %s on --cost %s asks for at least %s, above --max-price %s",
		    c->rule[PRICING_MIN_MARKUP].arg, c->rule[PRICING_COST].arg, floor_text, v->arg);
	}
	return 0;
}

int
pricing_min_lift_parse(struct pricing_config *c, const char *arg, struct diag *d)
{
	size_t len = strlen(arg);
	int percent = len > 1 && arg[len - 1] == '%';
	double v;

	if (num_parse(arg, percent ? len - 1 : len, &v, 0) != NUM_OK || !(v >= 0))
		return diag_set(d, NULL, 0, NULL, NULL, 0,
		    "--min-lift: expected an amount or a percent of today's objective at least 0 (2.5 or 5%%), not \"%s\"",
		    arg);
	c->min_lift = percent ? v / 100 : v;
	c->min_lift_relative = percent;
	return 0;
}

int
pricing_explore_parse(struct pricing_config *c, const char *arg, struct diag *d)
{
	double v;

	if (num_parse(arg, strlen(arg), &v, 0) != NUM_OK || !(v >= 0 && v <= 1))
		return diag_set(d, NULL, 0, NULL, NULL, 0,
		    "--explore: expected the share of rows to explore, from 0 to 1, not \"%s\"", arg);
	c->explore = 1;
	c->explore_eps = v;
	return 0;
}

int
pricing_config_check(struct pricing_config *c, const char **option, struct diag *d)
{
	*option = NULL;
	if (c->rule[PRICING_COST].arg == NULL && !c->revenue)
		return diag_set(d, NULL, 0, NULL, NULL, 0, "--cost is required with --objective profit");
	if ((c->rule[PRICING_CAPACITY].arg != NULL) != (c->by_col != NULL))
		return diag_set(d, NULL, 0, NULL, NULL, 0, "--capacity and --by go together");
	if (c->promo_col != NULL && !c->with_offers)
		return diag_set(d, NULL, 0, NULL, NULL, 0, "--promo-col needs --offers");
	if (c->explore && c->rule[PRICING_CAPACITY].arg != NULL)
		return diag_set(d, NULL, 0, NULL, NULL, 0, "--explore and --capacity exclude each other");
	if (c->explore && !c->seed_given)
		return diag_set(d, NULL, 0, NULL, NULL, 0, "--explore needs --seed");
	if ((c->rule[PRICING_MAX_SPREAD].arg != NULL) != (c->spread_by != NULL))
		return diag_set(d, NULL, 0, NULL, NULL, 0, "--max-spread and --spread-by go together");
	if (c->spread_ref != NULL && c->spread_by == NULL)
		return diag_set(d, NULL, 0, NULL, NULL, 0, "--spread-ref needs --max-spread");
	if (c->explore_key != NULL && !c->explore)
		return diag_set(d, NULL, 0, NULL, NULL, 0, "--explore-key needs --explore");
	if (c->bounds_on_given && !c->with_offers)
		return diag_set(d, NULL, 0, NULL, NULL, 0, "--bounds-on needs --offers");
	if (c->rule[PRICING_COST].arg == NULL && (c->rule[PRICING_MIN_MARGIN].arg != NULL
	    || c->rule[PRICING_MIN_MARKUP].arg != NULL))
		return diag_set(d, NULL, 0, NULL, NULL, 0, "%s needs --cost",
		    c->rule[PRICING_MIN_MARGIN].arg != NULL ? "--min-margin" : "--min-markup");
	if (check_constant_rules(c, d) < 0)
		return -1;
	c->ladder_option = c->ladder_kind == OPTIM_LADDER_ENDING ? "--ending"
	    : c->ladder_kind == OPTIM_LADDER_STEP ? "--step"
	    : c->grid_col != NULL ? "--grid-col" : "--grid";
	if (c->ladder_kind != OPTIM_LADDER_NONE && c->grid_col == NULL) {
		if (c->ladder_kind == OPTIM_LADDER_GRID) {
			if ((c->grid_buf = malloc(OPTIM_GRID_MAX * sizeof *c->grid_buf)) == NULL)
				return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
		}
		if (optim_ladder_parse(&c->ladder, c->ladder_kind, c->ladder_arg,
		    strlen(c->ladder_arg), c->grid_buf, OPTIM_GRID_MAX, d) < 0) {
			*option = c->ladder_option;
			return -1;
		}
	}
	return 0;
}

/* ---- binding ---- */

/*
 * --same-price COL: the decision must not depend on COL.  Refused when
 * the model uses it (a term of its formula, or its group column), or a
 * rule, ladder, quantity, offer or spread column is COL; the exploration
 * draw then leaves COL out of a row's key.  What is refused can be
 * verified from the model and the command; marginalising a model over COL
 * could not be (it needs COL's distribution, which the input does not give).
 */
static int
check_same_price(struct pricing *p, const struct pricing_config *c, const struct model *m,
    const char *model_path, const struct csvio_reader *in, struct diag *d)
{
	const char *col = c->same_price, *group = model_group_col(m);
	const char *uses[] = { c->quantity_col, c->grid_col, c->promo_col, c->spread_by,
	    c->spread_ref, c->explore_key, c->by_col };
	size_t k;

	if ((p->same_price_idx = csvio_require_col(in, col, d)) < 0)
		return -1;
	if (formula_col_index(model_formula_parsed(m), col) >= 0)
		return diag_set(d, NULL, 0, NULL, NULL, 0,
		    "%s: --same-price %s: the model's formula uses it (%s): prices would depend on it",
		    model_path, col, model_formula(m));
	if (group != NULL && strcmp(group, col) == 0)
		return diag_set(d, NULL, 0, NULL, NULL, 0,
		    "%s: --same-price %s: the model has one sub-model per value of it", model_path, col);
	for (k = 0; k < PRICING_N_RULES; k++)
		if (c->rule[k].arg != NULL && isnan(c->rule[k].value) && strcmp(c->rule[k].arg, col) == 0)
			return diag_set(d, NULL, 0, NULL, NULL, 0,
			    "--same-price %s: %s reads the price rule from it", col, rule_def[k].option);
	for (k = 0; k < sizeof uses / sizeof uses[0]; k++)
		if (uses[k] != NULL && strcmp(uses[k], col) == 0)
			return diag_set(d, NULL, 0, NULL, NULL, 0,
			    "--same-price %s: another option reads it, so prices would depend on it", col);
	return 0;
}

struct pricing *
pricing_new(const struct pricing_config *c, const struct model *m, const char *model_path,
    const struct csvio_reader *in, const struct offers *offers, struct diag *d)
{
	struct pricing *p;
	size_t k;

	if ((p = calloc(1, sizeof *p)) == NULL) {
		diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
		return NULL;
	}
	p->c = c;
	p->offers = offers;
	p->in = in;
	p->promo_var = p->quantity_idx = p->grid_idx = p->by_idx = p->explore_idx = -1;
	p->spread_by_idx = p->spread_ref_idx = p->same_price_idx = -1;
	p->price_col = c->price_col != NULL ? c->price_col : model_price_col(m);
	if (p->price_col == NULL) {
		diag_set(d, NULL, 0, NULL, NULL, 0,
		    "%s: the model has no price column: nothing to optimise", model_path);
		goto fail;
	}
	if ((p->eval = model_bind(m, csvio_header(in), csvio_name(in), p->price_col, d)) == NULL)
		goto fail;
	for (k = 0; k < PRICING_N_BASE_COLS; k++)
		if (csvio_col(in, pricing_base_cols[k]) != -1) {
			diag_set(d, NULL, 0, NULL, NULL, 0, "%s: the input already has a column \"%s\"",
			    csvio_name(in), pricing_base_cols[k]);
			goto fail;
		}
	for (k = 0; k < PRICING_N_RULES; k++) {
		const struct pricing_value *v = &c->rule[k];
		p->rule_col[k] = -1;
		if (v->arg != NULL && isnan(v->value)
		    && (p->rule_col[k] = csvio_require_col(in, v->arg, d)) < 0)
			goto fail;
	}
	if (c->quantity_col != NULL
	    && (p->quantity_idx = csvio_require_col(in, c->quantity_col, d)) < 0)
		goto fail;
	if (c->grid_col != NULL) {
		if ((p->grid_idx = csvio_require_col(in, c->grid_col, d)) < 0)
			goto fail;
		if ((p->row_grid = malloc(OPTIM_GRID_MAX * sizeof *p->row_grid)) == NULL) {
			diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
			goto fail;
		}
	}
	if (c->by_col != NULL && (p->by_idx = csvio_require_col(in, c->by_col, d)) < 0)
		goto fail;
	if (c->explore_key != NULL
	    && (p->explore_idx = csvio_require_col(in, c->explore_key, d)) < 0)
		goto fail;
	if (c->spread_by != NULL) {
		if ((p->spread_by_idx = csvio_require_col(in, c->spread_by, d)) < 0
		    || (c->spread_ref != NULL
		    && (p->spread_ref_idx = csvio_require_col(in, c->spread_ref, d)) < 0))
			goto fail;
		if ((p->spread_groups = strtab_new()) == NULL) {
			diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
			goto fail;
		}
	}
	if (c->same_price != NULL && check_same_price(p, c, m, model_path, in, d) < 0)
		goto fail;
	if (c->explore && offers != NULL && offers->n > PRICING_EXPLORE_OFFERS_MAX) {
		diag_set(d, NULL, 0, NULL, NULL, 0, "--explore: more than %d offers to choose among",
		    PRICING_EXPLORE_OFFERS_MAX);
		goto fail;
	}
	if (c->explore)
		for (k = 0; k < 2; k++) {
			static const char *const cols[] = { PRICING_COL_POLICY, PRICING_COL_PROPENSITY };
			if (csvio_col(in, cols[k]) != -1) {
				diag_set(d, NULL, 0, NULL, NULL, 0,
				    "%s: the input already has a column \"%s\"", csvio_name(in), cols[k]);
				goto fail;
			}
		}
	if (c->promo_col != NULL && (p->promo_var = model_eval_var(p->eval, c->promo_col)) < 0) {
		diag_set(d, NULL, 0, NULL, NULL, 0,
		    "%s: --promo-col: \"%s\" is not a numeric column of the model", model_path,
		    c->promo_col);
		goto fail;
	}
	if ((p->optim = optim_new()) == NULL) {
		diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
		goto fail;
	}
	return p;
fail:
	pricing_free(p);
	return NULL;
}

void
pricing_free(struct pricing *p)
{
	if (p == NULL)
		return;
	optim_free(p->optim);
	model_eval_free(p->eval);
	strtab_free(p->spread_groups);
	free(p->spread_ref);
	free(p->row_grid);
	free(p);
}

/* ---- one row ---- */

/*
 * This row's value of rule r: NaN when the rule is not given or its column
 * is empty (the rule does not apply to the row), unless required.  Returns
 * -1 with d filled for a value that is not a number or out of range.
 */
static int
rule_get(const struct pricing *p, enum pricing_rule r, const struct csvio_row *row, int required,
    double *out, struct diag *d)
{
	const struct pricing_value *v = &p->c->rule[r];
	enum num_status st;
	long col = p->rule_col[r];
	const char *why;
	double x;
	int rc;

	*out = v->value;
	if (col < 0)
		return 0;
	if (row->len[col] == 0) {
		if (required)
			return diag_set(d, NULL, 0, v->arg, NULL, 0, "missing value");
		return 0;
	}
	rc = rule_number(r, row->f[col], row->len[col], &x, &st, &why);
	if (rc == -1)
		return diag_set(d, NULL, 0, v->arg, row->f[col], row->len[col], "%s",
		    field_num_what(st, row->f[col], row->len[col]));
	if (rc == -2)
		return diag_set(d, NULL, 0, v->arg, row->f[col], row->len[col], "%s", why);
	*out = x;
	return 0;
}

/* The demand callback: the model's mean times the row's quantity. */
static double
row_demand(void *ctx, double price, double *dq)
{
	struct pricing *p = ctx;
	double dm, m = model_eval_mean(p->eval, price, &dm);

	*dq = p->quantity * dm;
	return p->quantity * m;
}

static int
bad_price(struct diag *d, const char *column, double price, const char *what)
{
	char buf[NUM_BUFSZ];
	size_t n = num_format(price, buf);

	return diag_set(d, NULL, 0, column, buf, n, "%s", what);
}

/* The row's units per expected purchase (1 without --quantity). */
static int
row_quantity(struct pricing *p, const struct csvio_row *row, struct diag *d)
{
	long c = p->quantity_idx;

	p->quantity = 1;
	if (c < 0)
		return 0;
	if (field_num(NULL, row, c, p->c->quantity_col, FIELD_REQUIRED, &p->quantity, d) < 0)
		return -1;
	if (!(p->quantity >= 0))
		return diag_set(d, NULL, 0, p->c->quantity_col, row->f[c], row->len[c],
		    "must not be negative");
	return 0;
}

/*
 * --max-spread: the band around the row's group's reference price (the
 * --spread-ref value, or today's price, of the group's first row; a row
 * of the group with another is rejected, so every row of a group shares
 * one band).
 */
static int
row_spread(struct pricing *p, const struct csvio_row *row, double today, struct optim_rules *ru,
    struct diag *d)
{
	long by = p->spread_by_idx, c = p->spread_ref_idx, g;
	size_t ng = strtab_n(p->spread_groups);
	double frac, ref = today;

	if (rule_get(p, PRICING_MAX_SPREAD, row, 0, &frac, d) < 0)
		return -1;
	if (isnan(frac))
		return 0;
	if (c >= 0) {
		if (field_num(NULL, row, c, p->c->spread_ref, FIELD_REQUIRED, &ref, d) < 0)
			return -1;
		if (!(ref > 0))
			return diag_set(d, NULL, 0, p->c->spread_ref, row->f[c], row->len[c],
			    "a reference price must be positive");
	}
	if ((g = strtab_add(p->spread_groups, row->f[by], row->len[by])) < 0)
		return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
	if ((size_t)g == ng) {
		if ((size_t)g == p->spread_cap) {
			size_t cap = p->spread_cap ? 2 * p->spread_cap : 64;
			double *v = realloc(p->spread_ref, cap * sizeof *v);
			if (v == NULL)
				return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
			p->spread_ref = v;
			p->spread_cap = cap;
		}
		p->spread_ref[g] = ref;
	}
	if (p->spread_ref[g] != ref)
		return bad_price(d, p->c->spread_ref != NULL ? p->c->spread_ref : p->price_col, ref,
		    "reference price differs from the group's first row");
	ru->spread_lo = ref * (1 - frac);
	ru->spread_hi = ref * (1 + frac);
	return 0;
}

/* A row's rules as bounds (see row_bounds). */
struct row_limits {
	struct optim_bounds all;        /* every rule, on one price (no offer: shelf = paid) */
	struct optim_bounds shelf;      /* the price bounds, changes and search range only */
	double floor;                   /* the cost, margin and markup floor on the price paid */
	enum optim_rule floor_rule;
};

/*
 * The row's rules, as bounds around today's price, and its unit cost (NaN:
 * none given for revenue).  --max-up and --max-down tighten --max-change
 * where they are smaller.
 */
static int
row_bounds(struct pricing *p, const struct csvio_row *row, double today, double *cost,
    struct row_limits *lim, struct diag *d)
{
	struct optim_rules ru;
	double v;

	optim_rules_init(&ru);
	ru.search_range = p->c->search_range;
	if (rule_get(p, PRICING_COST, row, 1, cost, d) < 0
	    || rule_get(p, PRICING_MIN_PRICE, row, 0, &ru.min_price, d) < 0
	    || rule_get(p, PRICING_MAX_PRICE, row, 0, &ru.max_price, d) < 0
	    || rule_get(p, PRICING_MIN_MARGIN, row, 0, &ru.min_margin, d) < 0
	    || rule_get(p, PRICING_MIN_MARKUP, row, 0, &ru.min_markup, d) < 0)
		return -1;
	if (p->c->allow_loss)
		ru.allow_loss = 1;
	if (p->c->rule[PRICING_MAX_CHANGE].arg != NULL) {
		if (rule_get(p, PRICING_MAX_CHANGE, row, 0, &ru.max_up, d) < 0)
			return -1;
		ru.max_down = ru.max_up;
		ru.up_rule = ru.down_rule = OPTIM_RULE_MAX_CHANGE;
	}
	if (rule_get(p, PRICING_MAX_UP, row, 0, &v, d) < 0)
		return -1;
	if (!isnan(v) && (isnan(ru.max_up) || v < ru.max_up)) {
		ru.max_up = v;
		ru.up_rule = OPTIM_RULE_MAX_UP;
	}
	if (rule_get(p, PRICING_MAX_DOWN, row, 0, &v, d) < 0)
		return -1;
	if (!isnan(v) && (isnan(ru.max_down) || v < ru.max_down)) {
		ru.max_down = v;
		ru.down_rule = OPTIM_RULE_MAX_DOWN;
	}
	if (p->spread_groups != NULL && row_spread(p, row, today, &ru, d) < 0)
		return -1;
	if (optim_bounds(&ru, today, *cost, &lim->all, d) < 0)
		return -1;
	/* the same rules without the cost: a wider interval, so it cannot fail */
	(void)optim_bounds(&ru, today, NAN, &lim->shelf, d);
	optim_cost_floor(&ru, *cost, &lim->floor, &lim->floor_rule);
	return 0;
}

/*
 * The list prices allowed with an offer whose price paid is a p - b: the
 * cost floors hold for the price paid; the other rules for the shelf
 * price, the price paid or both (PRICING_BOUNDS_*).  Returns 0 when no
 * list price is allowed.
 */
static int
offer_bounds(const struct pricing *p, const struct row_limits *lim, const struct offer *of,
    struct optim_problem *pb)
{
	double a = of->paid_a, b = of->paid_b, lo, hi;

	switch (p->c->bounds_on) {
	case PRICING_BOUNDS_PAID:
		pb->lo = (lim->all.lo + b) / a;
		pb->hi = (lim->all.hi + b) / a;
		pb->lo_rule = lim->all.lo_rule;
		pb->hi_rule = lim->all.hi_rule;
		break;
	case PRICING_BOUNDS_SHELF:
		lo = (lim->floor + b) / a;
		pb->lo = lim->shelf.lo;
		pb->lo_rule = lim->shelf.lo_rule;
		if (lo > pb->lo) {
			pb->lo = lo;
			pb->lo_rule = lim->floor_rule;
		}
		pb->hi = lim->shelf.hi;
		pb->hi_rule = lim->shelf.hi_rule;
		break;
	case PRICING_BOUNDS_BOTH:
		lo = (lim->all.lo + b) / a;
		hi = (lim->all.hi + b) / a;
		pb->lo = lim->shelf.lo;
		pb->lo_rule = lim->shelf.lo_rule;
		if (lo > pb->lo) {
			pb->lo = lo;
			pb->lo_rule = lim->all.lo_rule;
		}
		pb->hi = lim->shelf.hi;
		pb->hi_rule = lim->shelf.hi_rule;
		if (hi < pb->hi) {
			pb->hi = hi;
			pb->hi_rule = lim->all.hi_rule;
		}
		break;
	}
	if (!(pb->lo <= pb->hi))
		return 0;
	return pb->ladder == NULL || optim_ladder_count(pb->ladder, pb->lo, pb->hi) > 0;
}

/* The row's price ladder: the constant one, this row's --grid-col list, or NULL. */
static int
row_ladder(struct pricing *p, const struct csvio_row *row, const struct optim_ladder **ladder,
    struct diag *d)
{
	long c = p->grid_idx;

	*ladder = NULL;
	if (p->c->ladder_kind == OPTIM_LADDER_NONE)
		return 0;
	if (c < 0) {
		*ladder = &p->c->ladder;
		return 0;
	}
	if (optim_ladder_parse(&p->row_ladder, OPTIM_LADDER_GRID, row->f[c], row->len[c],
	    p->row_grid, OPTIM_GRID_MAX, d) < 0) {
		snprintf(d->column, sizeof d->column, "%s", p->c->grid_col);
		return -1;
	}
	*ladder = &p->row_ladder;
	return 0;
}

/* Demand, revenue and profit at today's price without an offer. */
static int
baseline(struct pricing *p, double today, double cost, struct pricing_decision *dc,
    struct diag *d)
{
	double dq, q;

	if (p->promo_var >= 0)
		model_eval_set(p->eval, p->promo_var, 0);
	q = row_demand(p, today, &dq);
	if (isnan(q))
		return bad_price(d, NULL, today, "model cannot be evaluated at price");
	dc->base_demand = q;
	dc->base_revenue = today * q;
	dc->base_profit = isnan(cost) ? NAN : (today - cost) * q;
	return 0;
}

/* Every kink of the row's price terms inside the search's bounds is a candidate price. */
static void
set_kinks(struct pricing *p, struct optim_problem *pb)
{
	size_t n = model_eval_price_kinks(p->eval, pb->lo, pb->hi, p->kinks, OPTIM_MAX_KINKS);

	pb->kinks = p->kinks;
	pb->nkinks = n < OPTIM_MAX_KINKS ? n : OPTIM_MAX_KINKS;
}

/*
 * The search without an offer, then one per offer on the list price, over
 * the list prices its rules allow (an offer they allow none of is not
 * made); the highest objective wins, ties going to no offer or the earlier
 * offer.
 */
static int
search_offers(struct pricing *p, struct optim_problem *pb, const struct row_limits *lim,
    double objective_cost, struct optim_result *best, double *best_paid, double *best_redeem,
    long *best_offer, struct diag *d)
{
	struct optim_result r;
	size_t k;

	*best_offer = -1;
	*best_redeem = 0;
	set_kinks(p, pb);
	if (optim_solve(p->optim, pb, best, d) < 0)
		return -1;
	*best_paid = best->price;
	if (p->offers == NULL || best->status == OPTIM_INCREASING || best->status == OPTIM_NO_DEMAND)
		return 0;
	for (k = 0; k < p->offers->n; k++) {
		const struct offer *of = &p->offers->v[k];
		if (p->promo_var >= 0)
			model_eval_set(p->eval, p->promo_var, of->promo_value);
		if (!offer_bounds(p, lim, of, pb))
			continue;
		pb->paid_a = of->paid_a;
		pb->paid_b = of->paid_b;
		pb->unit_cost = objective_cost + (p->c->revenue ? 0 : of->cost);
		set_kinks(p, pb);
		if (optim_solve(p->optim, pb, &r, d) < 0)
			return -1;
		if (r.value > best->value) {
			*best = r;
			*best_offer = (long)k;
			*best_paid = of->paid_a * r.price - of->paid_b;
			*best_redeem = of->cost;
		}
	}
	return 0;
}

/* Does today's price satisfy every rule (the bounds, and the ladder if any)? */
static int
today_allowed(const struct row_limits *lim, const struct optim_ladder *ladder, double today)
{
	if (!(today >= lim->all.lo && today <= lim->all.hi))
		return 0;
	return ladder == NULL || optim_ladder_count(ladder, today, today) > 0;
}

/*
 * Today's price (no offer), allowed by every rule, against the best
 * change: it is kept when it earns as much (today_value >= best_value, in
 * the objective searched), or when the change gains less than --min-lift
 * (then binding min_lift, status kept).
 */
static void
consider_today(const struct pricing *p, double today, double today_value, double best_value,
    struct pricing_decision *dc)
{
	const struct pricing_config *c = p->c;
	double base = c->revenue ? dc->base_revenue : dc->base_profit, need;
	int kept_by_rule = 0;

	if (best_value > today_value) {
		if (isnan(c->min_lift))
			return;
		need = c->min_lift_relative ? c->min_lift * fabs(base) : c->min_lift;
		if (!(dc->lift < need))
			return;
		kept_by_rule = 1;
	}
	dc->opt_price = dc->paid = today;
	dc->offer = -1;
	dc->demand = dc->base_demand;
	dc->revenue = dc->base_revenue;
	dc->profit = dc->base_profit;
	dc->lift = 0;
	if (kept_by_rule) {
		dc->binding = OPTIM_RULE_MIN_LIFT;
		dc->status = OPTIM_KEPT;
	}
}

/* ---- exploration ---- */

/* splitmix64 (Steele, Lea and Flood 2014): a bijective mix of 64 bits. */
static uint64_t
mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15u;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
	return x ^ (x >> 31);
}

/*
 * Two uniforms in [0, 1) for this row, from the seed and the row's key
 * (the --explore-key field, or every field): a counter-based draw, so a
 * row gets the same draw however the input is split or ordered.
 */
static void
row_uniforms(const struct pricing *p, const struct csvio_row *row, double u[2])
{
	uint64_t h = mix64(p->c->seed), x;
	size_t i;

	if (p->explore_idx >= 0) {
		h = mix64(h ^ strtab_hash(row->f[p->explore_idx], row->len[p->explore_idx]));
	} else {
		for (i = 0; i < row->n; i++)
			if ((long)i != p->same_price_idx)
				h = mix64(h ^ strtab_hash(row->f[i], row->len[i]));
	}
	x = mix64(h);
	u[0] = (double)(x >> 11) * 0x1p-53;
	x = mix64(x);
	u[1] = (double)(x >> 11) * 0x1p-53;
}

/*
 * One option of the exploration: no offer (offer -1) or an offer, with
 * the list prices its rules allow: the ladder's points there, or
 * PRICING_EXPLORE_GRID prices spaced evenly in log(price) from lo to hi.
 */
struct explore_option {
	long offer;
	double lo, hi;
	long long n;
};

static long long
option_points(const struct optim_ladder *ladder, double lo, double hi)
{
	if (ladder != NULL)
		return optim_ladder_count(ladder, lo, hi);
	return hi > lo ? PRICING_EXPLORE_GRID : 1;
}

static double
option_point(const struct optim_ladder *ladder, const struct explore_option *o, long long k)
{
	if (ladder != NULL)
		return optim_ladder_nth(ladder, o->lo, o->hi, k);
	if (o->n == 1 || k == 0)
		return o->lo;
	if (k == o->n - 1)
		return o->hi;
	return o->lo * exp(log(o->hi / o->lo) * (double)k / (double)(o->n - 1));
}

/* Is price p, with offer, one of option o's points? */
static int
option_has(const struct optim_ladder *ladder, const struct explore_option *o, double p)
{
	long long k;

	if (!(p >= o->lo && p <= o->hi))
		return 0;
	if (ladder != NULL)
		return optim_ladder_count(ladder, p, p) > 0;
	for (k = 0; k < o->n; k++)
		if (option_point(ladder, o, k) == p)
			return 1;
	return 0;
}

/*
 * Epsilon-greedy: with probability eps, the row gets a price (and offer)
 * drawn uniformly from every allowed (price, offer) pair; else the
 * decision dc already holds.  Fills dc->explored and dc->propensity, the
 * probability of the (price, offer) written under this policy:
 * (1 - eps) [it is the best] + eps / N [it is one of the N pairs].
 */
static int
explore(struct pricing *p, const struct csvio_row *row, const struct row_limits *lim,
    const struct optim_ladder *ladder, double cost, struct pricing_decision *dc, struct diag *d)
{
	double eps = p->c->explore_eps, u[2], price, q, dq, a = 1, b = 0, redeem = 0;
	struct explore_option opt[1 + PRICING_EXPLORE_OFFERS_MAX];
	struct optim_problem pb;
	size_t n_opt = 0, i, best_opt = (size_t)-1;
	long long total = 0, k;

	memset(&pb, 0, sizeof pb);
	pb.ladder = ladder;
	opt[n_opt].offer = -1;
	opt[n_opt].lo = lim->all.lo;
	opt[n_opt].hi = lim->all.hi;
	if ((opt[n_opt].n = option_points(ladder, lim->all.lo, lim->all.hi)) > 0)
		n_opt++;
	for (i = 0; p->offers != NULL && i < p->offers->n; i++) {
		if (!offer_bounds(p, lim, &p->offers->v[i], &pb))
			continue;
		opt[n_opt].offer = (long)i;
		opt[n_opt].lo = pb.lo;
		opt[n_opt].hi = pb.hi;
		opt[n_opt].n = option_points(ladder, pb.lo, pb.hi);
		n_opt++;
	}
	for (i = 0; i < n_opt; i++) {
		total += opt[i].n;
		if (opt[i].offer == dc->offer && option_has(ladder, &opt[i], dc->opt_price))
			best_opt = i;
	}
	row_uniforms(p, row, u);
	dc->explored = 0;
	if (total == 0 || !(u[0] < eps)) {
		dc->propensity = (1 - eps) + (best_opt != (size_t)-1 ? eps / (double)total : 0);
		return 0;
	}
	/* explore: the k-th of the total pairs */
	k = (long long)(u[1] * (double)total);
	if (k >= total)
		k = total - 1;
	for (i = 0; k >= opt[i].n; i++)
		k -= opt[i].n;
	price = option_point(ladder, &opt[i], k);
	dc->propensity = eps / (double)total
	    + (opt[i].offer == dc->offer && price == dc->opt_price ? 1 - eps : 0);
	if (opt[i].offer >= 0) {
		const struct offer *of = &p->offers->v[opt[i].offer];
		a = of->paid_a;
		b = of->paid_b;
		redeem = of->cost;
	}
	if (p->promo_var >= 0)
		model_eval_set(p->eval, p->promo_var,
		    opt[i].offer >= 0 ? p->offers->v[opt[i].offer].promo_value : 0);
	q = row_demand(p, price, &dq);
	if (isnan(q))
		return bad_price(d, NULL, price, "model cannot be evaluated at price");
	dc->explored = 1;
	dc->offer = opt[i].offer;
	dc->opt_price = price;
	dc->paid = a * price - b;
	dc->demand = q;
	dc->revenue = dc->paid * q;
	dc->profit = isnan(cost) ? NAN : (dc->paid - cost - redeem) * q;
	dc->lift = p->c->revenue ? dc->revenue - dc->base_revenue : dc->profit - dc->base_profit;
	dc->binding = OPTIM_RULE_NONE;
	dc->status = OPTIM_EXPLORED;
	return 0;
}

int
pricing_decide(struct pricing *p, const struct csvio_row *row, double lambda,
    struct pricing_decision *dc, struct diag *d)
{
	struct row_limits lim;
	struct optim_problem pb;
	struct optim_result best;
	const struct optim_ladder *ladder;
	double today, cost, objective_cost, paid, redeem;

	if (csvio_check_width(p->in, row, d) < 0)
		return -1;
	if (model_eval_row(p->eval, row, d) < 0)
		return -1;
	today = model_eval_row_price(p->eval);
	if (isnan(today))
		return diag_set(d, NULL, 0, p->price_col, NULL, 0, "missing value");
	if (!(today > 0))
		return bad_price(d, p->price_col, today, "today's price must be positive");
	if (row_quantity(p, row, d) < 0 || row_bounds(p, row, today, &cost, &lim, d) < 0
	    || row_ladder(p, row, &ladder, d) < 0 || baseline(p, today, cost, dc, d) < 0)
		return -1;

	objective_cost = (p->c->revenue || isnan(cost) ? 0 : cost) + lambda;
	memset(&pb, 0, sizeof pb);
	pb.demand = row_demand;
	pb.ctx = p;
	pb.paid_a = 1;
	pb.paid_b = 0;
	pb.unit_cost = objective_cost;
	pb.lo = lim.all.lo;
	pb.hi = lim.all.hi;
	pb.lo_rule = lim.all.lo_rule;
	pb.hi_rule = lim.all.hi_rule;
	pb.ladder = ladder;
	pb.today = today;
	pb.trust_model = p->c->trust_model;
	if (search_offers(p, &pb, &lim, objective_cost, &best, &paid, &redeem, &dc->offer, d) < 0)
		return -1;
	dc->opt_price = best.price;
	dc->paid = paid;
	dc->demand = best.demand;
	dc->revenue = paid * best.demand;
	dc->profit = isnan(cost) ? NAN : (paid - cost - redeem) * best.demand;
	dc->lift = p->c->revenue ? dc->revenue - dc->base_revenue : dc->profit - dc->base_profit;
	dc->binding = best.binding;
	dc->status = best.status;
	if (today_allowed(&lim, ladder, today)
	    && (dc->offer >= 0 || dc->opt_price != today))
		consider_today(p, today, (today - objective_cost) * dc->base_demand, best.value, dc);
	if (lambda > 0 && dc->binding == OPTIM_RULE_NONE && dc->status == OPTIM_OK)
		dc->binding = OPTIM_RULE_CAPACITY;
	/* capacity may need a price that earns less: that is its shadow price's doing */
	if (dc->lift < 0 && !(lambda > 0))
		dc->status = OPTIM_WORSE_THAN_TODAY;
	dc->explored = 0;
	dc->propensity = 1;
	if (p->c->explore)
		return explore(p, row, &lim, ladder, cost, dc, d);
	return 0;
}

/* ---- output ---- */

static void
put_num_or_empty(struct csvio_writer *w, double x)
{
	if (isnan(x))
		csvio_put(w, "", 0);
	else
		csvio_put_num(w, x);
}

void
pricing_put_header(const struct pricing *p, struct csvio_writer *w, const struct csvio_row *header)
{
	size_t i;

	csvio_put_row(w, header);
	for (i = 0; i < PRICING_N_BASE_COLS; i++)
		csvio_put_str(w, pricing_base_cols[i]);
	if (p->offers != NULL) {
		csvio_put_str(w, PRICING_COL_OFFER_ID);
		csvio_put_str(w, PRICING_COL_PAID_PRICE);
	}
	if (p->c->rule[PRICING_CAPACITY].arg != NULL)
		csvio_put_str(w, PRICING_COL_SHADOW_PRICE);
	if (p->c->explore) {
		csvio_put_str(w, PRICING_COL_POLICY);
		csvio_put_str(w, PRICING_COL_PROPENSITY);
	}
}

void
pricing_put_row(const struct pricing *p, struct csvio_writer *w, const struct csvio_row *row,
    const struct pricing_decision *dc, double lambda)
{
	csvio_put_row(w, row);
	csvio_put_num(w, dc->opt_price);
	csvio_put_num(w, dc->demand);
	csvio_put_num(w, dc->revenue);
	put_num_or_empty(w, dc->profit);
	csvio_put_num(w, dc->base_demand);
	csvio_put_num(w, dc->base_revenue);
	put_num_or_empty(w, dc->base_profit);
	put_num_or_empty(w, dc->lift);
	csvio_put_str(w, optim_rule_name(dc->binding));
	csvio_put_str(w, optim_status_name(dc->status));
	if (p->offers != NULL) {
		csvio_put_str(w, dc->offer >= 0 ? p->offers->v[dc->offer].id : "");
		csvio_put_num(w, dc->paid);
	}
	if (p->c->rule[PRICING_CAPACITY].arg != NULL)
		put_num_or_empty(w, lambda);
	if (p->c->explore) {
		csvio_put_str(w, dc->explored ? "explore" : "exploit");
		csvio_put_num(w, dc->propensity);
	}
	csvio_end(w);
}

/* ---- capacity: rows held in memory, one shadow price per group ---- */

struct held_row {
	struct csvio_row row;   /* fields point into one block */
	long group;
};

struct pricing_capacity {
	struct held_row *v;
	size_t n, cap;
	struct strtab *groups;
	double *capacity;        /* per group */
	double *lambda;          /* per group */
	int *over;               /* per group: capacity cannot be met */
	size_t ngroups_cap;
};

struct pricing_capacity *
pricing_capacity_new(void)
{
	struct pricing_capacity *h = calloc(1, sizeof *h);

	if (h == NULL)
		return NULL;
	if ((h->groups = strtab_new()) == NULL) {
		free(h);
		return NULL;
	}
	return h;
}

void
pricing_capacity_free(struct pricing_capacity *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->n; i++)
		free(h->v[i].row.f);
	free(h->v);
	free(h->capacity);
	free(h->lambda);
	free(h->over);
	strtab_free(h->groups);
	free(h);
}

size_t
pricing_capacity_n(const struct pricing_capacity *h)
{
	return h->n;
}

/* A copy of row, in one block, held as row h->n of group. */
static int
hold_row(struct pricing_capacity *h, const struct csvio_row *row, long group)
{
	struct held_row *hr;
	size_t i, bytes = 0;
	char *s;

	if (h->n == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 256;
		struct held_row *v = realloc(h->v, cap * sizeof *v);
		if (v == NULL)
			return -1;
		h->v = v;
		h->cap = cap;
	}
	for (i = 0; i < row->n; i++)
		bytes += row->len[i] + 1;
	s = malloc(bytes + row->n * (sizeof(char *) + sizeof(size_t)) + 16);
	if (s == NULL)
		return -1;
	hr = &h->v[h->n++];
	hr->group = group;
	hr->row.n = row->n;
	hr->row.line = row->line;
	hr->row.plain = NULL;   /* no reader flags: the writer looks at every byte */
	hr->row.f = (char **)(void *)s;
	hr->row.len = (size_t *)(void *)(s + row->n * sizeof(char *));
	s += row->n * (sizeof(char *) + sizeof(size_t));
	for (i = 0; i < row->n; i++) {
		memcpy(s, row->f[i], row->len[i]);
		s[row->len[i]] = '\0';
		hr->row.f[i] = s;
		hr->row.len[i] = row->len[i];
		s += row->len[i] + 1;
	}
	return 0;
}

/* Room for group g's capacity, shadow price and flag. */
static int
grow_groups(struct pricing_capacity *h, size_t g)
{
	size_t cap;
	double *c, *l;
	int *o;

	if (g < h->ngroups_cap)
		return 0;
	cap = h->ngroups_cap ? 2 * h->ngroups_cap : 64;
	if ((c = realloc(h->capacity, cap * sizeof *c)) != NULL)
		h->capacity = c;
	if ((l = realloc(h->lambda, cap * sizeof *l)) != NULL)
		h->lambda = l;
	if ((o = realloc(h->over, cap * sizeof *o)) != NULL)
		h->over = o;
	if (c == NULL || l == NULL || o == NULL)
		return -1;
	h->ngroups_cap = cap;
	return 0;
}

int
pricing_capacity_add(struct pricing_capacity *h, struct pricing *p, const struct csvio_row *row,
    struct diag *d)
{
	struct pricing_decision dc;
	long by = p->by_idx, g;
	size_t ng = strtab_n(h->groups);
	double cap;

	/* check the row now (at lambda 0), so that only good rows are held */
	if (pricing_decide(p, row, 0, &dc, d) < 0
	    || rule_get(p, PRICING_CAPACITY, row, 1, &cap, d) < 0)
		return -1;
	if ((g = strtab_add(h->groups, row->f[by], row->len[by])) < 0 || grow_groups(h, (size_t)g) < 0)
		return -2;
	if ((size_t)g == ng)     /* a new group: its first row sets the capacity */
		h->capacity[g] = cap;
	if (h->capacity[g] != cap)
		return bad_price(d, p->c->rule[PRICING_CAPACITY].arg, h->capacity[g],
		    "capacity differs from the group's first row");
	return hold_row(h, row, g) < 0 ? -2 : 0;
}

struct group_ctx {
	struct pricing *p;
	struct pricing_capacity *h;
	const size_t *rows;     /* the group's held rows, in input order */
	size_t nrows;
	struct diag *d;
};

/* Total expected demand of the group's rows at shadow price lambda (NaN: d filled). */
static double
group_total(void *ctx, double lambda)
{
	struct group_ctx *g = ctx;
	struct pricing_decision dc;
	double t = 0;
	size_t i;

	for (i = 0; i < g->nrows; i++) {
		if (pricing_decide(g->p, &g->h->v[g->rows[i]].row, lambda, &dc, g->d) < 0)
			return NAN;
		t += dc.demand;
	}
	return t;
}

/*
 * The held rows listed by group (a counting sort: group g's rows, in input
 * order, are order[start[g] .. start[g + 1])), so that every group's
 * search touches its own rows only: linear in the rows, whatever the
 * number of groups.
 */
static int
rows_by_group(const struct pricing_capacity *h, size_t ng, size_t **order, size_t **start)
{
	size_t i, *o = malloc((h->n ? h->n : 1) * sizeof *o), *st = calloc(ng + 1, sizeof *st);

	if (o == NULL || st == NULL) {
		free(o);
		free(st);
		return -1;
	}
	for (i = 0; i < h->n; i++)
		st[h->v[i].group + 1]++;
	for (i = 0; i < ng; i++)
		st[i + 1] += st[i];
	for (i = 0; i < h->n; i++)
		o[st[h->v[i].group]++] = i;
	/* each start moved to the next group's: move them back */
	for (i = ng; i > 0; i--)
		st[i] = st[i - 1];
	st[0] = 0;
	*order = o;
	*start = st;
	return 0;
}

int
pricing_capacity_solve(struct pricing_capacity *h, struct pricing *p, struct diag *d)
{
	size_t i, k, ng = strtab_n(h->groups), *order, *start;

	if (rows_by_group(h, ng, &order, &start) < 0)
		return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
	for (i = 0; i < ng; i++) {
		struct group_ctx gc = { p, h, order + start[i], start[i + 1] - start[i], d };
		double price_sum = 0;
		int rc;

		for (k = 0; k < gc.nrows; k++) {
			model_eval_row(p->eval, &h->v[gc.rows[k]].row, d);
			price_sum += model_eval_row_price(p->eval);
		}
		rc = optim_shadow_price(group_total, &gc, h->capacity[i],
		    gc.nrows ? price_sum / (double)gc.nrows : 1, &h->lambda[i]);
		if (rc < 0) {
			free(order);
			free(start);
			return diag_set(d, NULL, 0, NULL, NULL, 0, "capacity: a row could not be priced");
		}
		h->over[i] = rc == 1;
	}
	free(order);
	free(start);
	return 0;
}

int
pricing_capacity_decide(struct pricing_capacity *h, struct pricing *p, size_t i,
    const struct csvio_row **row, struct pricing_decision *dc, double *lambda, struct diag *d)
{
	long g = h->v[i].group;

	*row = &h->v[i].row;
	if (pricing_decide(p, *row, h->lambda[g], dc, d) < 0)
		return -1;
	if (h->over[g])
		dc->status = OPTIM_OVER_CAPACITY;
	*lambda = h->over[g] ? NAN : h->lambda[g];
	return 0;
}
