/*
 * pr-optimize - for every candidate row (a customer x item to price),
 * choose the allowed price, or offer, with the highest expected profit
 * under a fitted model, and say why: the expected demand, revenue and
 * profit there and at today's price, which rule decided, and a status.
 * Streams, except under --capacity, which holds the rows until the end.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "acct.h"
#include "cli.h"
#include "csvio.h"
#include "diag.h"
#include "model.h"
#include "num.h"
#include "offers.h"
#include "optim.h"
#include "strtab.h"

static const char help[] =
"Usage: pr-optimize -m MODEL [OPTION]... [FILE]\n"
"Choose the price (or offer) with the highest expected profit for every row of\n"
"FILE, or standard input when FILE is - or absent, within the business's rules.\n"
"Options that take NUM|COL accept a number for every row or a column name.\n"
"\n"
"  -m, --model=FILE         the model written by pr-train -o (required)\n"
"      --price=COL          column of today's price (default: the model's)\n"
"      --cost=NUM|COL       unit cost (required with --objective profit)\n"
"      --objective=WHAT     profit (default) or revenue\n"
"      --quantity=COL       units per expected purchase (multiplies the demand)\n"
"      --min-price=NUM|COL  lowest allowed price\n"
"      --max-price=NUM|COL  highest allowed price\n"
"      --max-change=NUM|COL largest change from today's price, as a fraction\n"
"      --max-up=NUM|COL     largest rise from today's price, as a fraction\n"
"      --max-down=NUM|COL   largest cut from today's price, as a fraction\n"
"      --min-margin=NUM|COL lowest margin on price: p >= cost / (1 - NUM)\n"
"      --min-markup=NUM|COL lowest markup on cost: p >= cost * (1 + NUM)\n"
"      --allow-loss         allow prices below cost\n"
"      --search-range=NUM   search within today's price / NUM and * NUM (default 3)\n"
"      --ending=DIGITS      prices end in DIGITS, as .99: k + .99\n"
"      --step=NUM           prices are whole multiples of NUM\n"
"      --grid=LIST          prices from LIST, as \"9.99,12.99,14.99\"\n"
"      --grid-col=COL       prices from the list in column COL\n"
"      --trust-model        optimise rows whose demand rises with price\n"
"      --offers=FILE        choose among the offers of FILE (or none) per row\n"
"      --promo-col=COL      the model's promotion column that offers set\n"
"      --capacity=NUM|COL   most total expected demand of each --by group\n"
"      --by=COL             groups for --capacity\n"
"  -d, --delimiter=CHAR     input field delimiter (default ,)\n"
"  -h, --help               print this help and exit\n"
"  -q, --quiet              say nothing on stderr unless the run fails\n"
"      --rejects=FILE       write rejected rows to FILE with _line and _reason\n"
"      --strict             fail on the first rejected row\n"
"  -t, --tab                input fields are separated by tabs\n"
"  -v, --verbose            always print the row counts on stderr\n"
"      --version            print the version and exit\n";

enum {
	OPT_PRICE = CLI_OPT_FIRST_TOOL, OPT_COST, OPT_OBJECTIVE, OPT_QUANTITY, OPT_MIN_PRICE,
	OPT_MAX_PRICE, OPT_MAX_CHANGE, OPT_MAX_UP, OPT_MAX_DOWN, OPT_MIN_MARGIN, OPT_MIN_MARKUP,
	OPT_ALLOW_LOSS, OPT_SEARCH_RANGE, OPT_ENDING, OPT_STEP, OPT_GRID, OPT_GRID_COL,
	OPT_TRUST_MODEL, OPT_OFFERS, OPT_PROMO_COL, OPT_CAPACITY, OPT_BY
};

/* A NUM|COL option: a constant, or a column read row by row. */
struct numcol {
	const char *option;     /* "--max-price", for messages */
	const char *arg;        /* NULL: not given */
	double value;           /* the constant, NaN when a column */
	long col;               /* column index, or -1 */
	double min;             /* lowest allowed value (NaN: any) */
	int below_one;          /* must be below 1 */
};

struct job {
	struct cli_common common;
	const char *model_path, *price_col, *quantity_col, *grid_col, *offers_path, *promo_col;
	const char *by_col;
	int revenue, trust_model, allow_loss_flag;
	struct numcol cost, min_price, max_price, max_change, max_up, max_down, min_margin,
	    min_markup, capacity;
	double search_range;
	const char *ladder_arg;
	enum optim_ladder_kind ladder_kind;

	struct csvio_reader *in;
	struct csvio_writer *out;
	struct acct acct;
	struct model *model;
	struct model_eval *eval;
	struct optim *optim;
	struct optim_ladder ladder;
	double *grid_buf;
	struct offers offers;
	long promo_var, quantity_idx, grid_idx, by_idx;
	double quantity;        /* this row's */
};

/* What was decided for one row. */
struct decision {
	double opt_price, paid, demand, revenue, profit;
	double base_demand, base_revenue, base_profit, lift;
	enum optim_rule binding;
	enum optim_status status;
	long offer;             /* index into job->offers, -1: none */
};

static void
numcol_arg(struct numcol *nc, const char *option, const char *arg, double min, int below_one)
{
	nc->option = option;
	nc->arg = arg;
	nc->min = min;
	nc->below_one = below_one;
	nc->col = -1;
	nc->value = NAN;
	if (num_parse(arg, strlen(arg), &nc->value, 0) == NUM_OK) {
		if (!isnan(min) && !(nc->value >= min))
			cli_usage("%s must be at least %g, not \"%s\"", option, min, arg);
		if (below_one && !(nc->value < 1))
			cli_usage("%s must be below 1, not \"%s\"", option, arg);
	} else {
		nc->value = NAN;
	}
}

/* Resolve a column-valued option against the header, or fail (exit 1). */
static void
numcol_resolve(struct numcol *nc, struct csvio_reader *in)
{
	struct diag d;

	if (nc->arg == NULL || !isnan(nc->value))
		return;
	if ((nc->col = csvio_require_col(in, nc->arg, &d)) < 0)
		cli_fail_diag(EXIT_FAIL, &d);
}

/*
 * This row's value of nc: NaN when the option is not given or its column
 * is empty (the rule does not apply to the row), unless required.  Returns
 * -1 with d filled for a value that is not a number or out of range.
 */
static int
numcol_get(const struct numcol *nc, const struct csvio_row *row, int required, double *out,
    struct diag *d)
{
	enum num_status st;
	double v;

	*out = nc->value;
	if (nc->col < 0)
		return 0;
	st = num_parse(row->f[nc->col], row->len[nc->col], &v, 0);
	if (st == NUM_EMPTY) {
		if (required)
			return diag_set(d, NULL, 0, nc->arg, NULL, 0, "missing value");
		return 0;
	}
	if (st != NUM_OK)
		return diag_set(d, NULL, 0, nc->arg, row->f[nc->col], row->len[nc->col], "%s",
		    num_strerror(st));
	if ((!isnan(nc->min) && !(v >= nc->min)) || (nc->below_one && !(v < 1)))
		return diag_set(d, NULL, 0, nc->arg, row->f[nc->col], row->len[nc->col],
		    nc->below_one ? "must be below 1" : "must not be negative");
	*out = v;
	return 0;
}

/* The demand callback: the model's mean times the row's quantity. */
static double
model_demand(void *ctx, double p, double *dq)
{
	struct job *j = ctx;
	double dm, m = model_eval_mean(j->eval, p, &dm);

	*dq = j->quantity * dm;
	return j->quantity * m;
}

/*
 * Decide one row at shadow price lambda: fills dc.  Returns 0, or -1 with
 * d filled (the row is to be rejected).
 */
static int
decide(struct job *j, const struct csvio_row *row, double lambda, struct decision *dc,
    struct diag *d)
{
	struct optim_rules ru;
	struct optim_bounds b;
	struct optim_problem pb;
	struct optim_result r, best;
	const struct optim_ladder *ladder = NULL;
	double today, cost, q, objective_cost, best_paid, best_redeem = 0;
	size_t k;

	if (csvio_check_width(j->in, row, d) < 0)
		return -1;
	if (model_eval_row(j->eval, row, d) < 0)
		return -1;
	today = model_eval_row_price(j->eval);
	if (isnan(today))
		return diag_set(d, NULL, 0, j->price_col, NULL, 0, "missing value");
	if (!(today > 0)) {
		char buf[NUM_BUFSZ];
		size_t n = num_format(today, buf);
		return diag_set(d, NULL, 0, j->price_col, buf, n, "today's price must be positive");
	}
	j->quantity = 1;
	if (j->quantity_idx >= 0) {
		enum num_status st = num_parse(row->f[j->quantity_idx], row->len[j->quantity_idx],
		    &j->quantity, 0);
		if (st != NUM_OK)
			return diag_set(d, NULL, 0, j->quantity_col, st == NUM_EMPTY ? NULL
			    : row->f[j->quantity_idx], row->len[j->quantity_idx], "%s",
			    st == NUM_EMPTY ? "missing value" : num_strerror(st));
		if (!(j->quantity >= 0))
			return diag_set(d, NULL, 0, j->quantity_col, row->f[j->quantity_idx],
			    row->len[j->quantity_idx], "must not be negative");
	}
	optim_rules_init(&ru);
	ru.search_range = j->search_range;
	if (numcol_get(&j->cost, row, 1, &cost, d) < 0
	    || numcol_get(&j->min_price, row, 0, &ru.min_price, d) < 0
	    || numcol_get(&j->max_price, row, 0, &ru.max_price, d) < 0
	    || numcol_get(&j->min_margin, row, 0, &ru.min_margin, d) < 0
	    || numcol_get(&j->min_markup, row, 0, &ru.min_markup, d) < 0)
		return -1;
	if (j->allow_loss_flag)
		ru.allow_loss = 1;
	if (j->max_change.arg != NULL) {
		if (numcol_get(&j->max_change, row, 0, &ru.max_up, d) < 0)
			return -1;
		ru.max_down = ru.max_up;
		ru.up_rule = ru.down_rule = OPTIM_RULE_MAX_CHANGE;
	}
	if (j->max_up.arg != NULL) {
		double v;
		if (numcol_get(&j->max_up, row, 0, &v, d) < 0)
			return -1;
		if (!isnan(v) && (isnan(ru.max_up) || v < ru.max_up)) {
			ru.max_up = v;
			ru.up_rule = OPTIM_RULE_MAX_UP;
		}
	}
	if (j->max_down.arg != NULL) {
		double v;
		if (numcol_get(&j->max_down, row, 0, &v, d) < 0)
			return -1;
		if (!isnan(v) && (isnan(ru.max_down) || v < ru.max_down)) {
			ru.max_down = v;
			ru.down_rule = OPTIM_RULE_MAX_DOWN;
		}
	}
	if (optim_bounds(&ru, today, cost, &b, d) < 0)
		return -1;
	if (j->ladder_kind != OPTIM_LADDER_NONE) {
		if (j->grid_idx >= 0) {
			if (optim_ladder_parse(&j->ladder, OPTIM_LADDER_GRID, row->f[j->grid_idx],
			    row->len[j->grid_idx], j->grid_buf, OPTIM_GRID_MAX, d) < 0) {
				snprintf(d->column, sizeof d->column, "%s", j->grid_col);
				return -1;
			}
		}
		ladder = &j->ladder;
	}

	/* today's price, no offer */
	if (j->promo_var >= 0)
		model_eval_set(j->eval, j->promo_var, 0);
	q = model_demand(j, today, &dc->base_demand);
	if (isnan(q)) {
		char buf[NUM_BUFSZ];
		size_t n = num_format(today, buf);
		return diag_set(d, NULL, 0, NULL, buf, n, "model cannot be evaluated at price");
	}
	dc->base_demand = q;
	dc->base_revenue = today * q;
	dc->base_profit = isnan(cost) ? NAN : (today - cost) * q;

	objective_cost = (j->revenue || isnan(cost) ? 0 : cost) + lambda;
	memset(&pb, 0, sizeof pb);
	pb.demand = model_demand;
	pb.ctx = j;
	pb.paid_a = 1;
	pb.paid_b = 0;
	pb.unit_cost = objective_cost;
	pb.lo = b.lo;
	pb.hi = b.hi;
	pb.lo_rule = b.lo_rule;
	pb.hi_rule = b.hi_rule;
	pb.ladder = ladder;
	pb.today = today;
	pb.trust_model = j->trust_model;
	if (optim_solve(j->optim, &pb, &best, d) < 0)
		return -1;
	dc->offer = -1;
	best_paid = best.price;
	if (best.status != OPTIM_INCREASING && best.status != OPTIM_NO_DEMAND) {
		for (k = 0; k < j->offers.n; k++) {
			const struct offer *of = &j->offers.v[k];
			if (j->promo_var >= 0)
				model_eval_set(j->eval, j->promo_var, of->promo_value);
			/* the rules bound the price paid: map them to list prices */
			pb.paid_a = of->paid_a;
			pb.paid_b = of->paid_b;
			pb.lo = (b.lo + of->paid_b) / of->paid_a;
			pb.hi = (b.hi + of->paid_b) / of->paid_a;
			pb.unit_cost = objective_cost + (j->revenue ? 0 : of->cost);
			if (optim_solve(j->optim, &pb, &r, d) < 0)
				return -1;
			if (r.value > best.value) {
				best = r;
				dc->offer = (long)k;
				best_paid = of->paid_a * r.price - of->paid_b;
				best_redeem = of->cost;
			}
		}
	}
	dc->opt_price = best.price;
	dc->paid = best_paid;
	dc->demand = best.demand;
	dc->revenue = best_paid * best.demand;
	dc->profit = isnan(cost) ? NAN : (best_paid - cost - best_redeem) * best.demand;
	dc->lift = j->revenue ? dc->revenue - dc->base_revenue : dc->profit - dc->base_profit;
	dc->binding = best.binding;
	dc->status = best.status;
	if (lambda > 0 && dc->binding == OPTIM_RULE_NONE && dc->status == OPTIM_OK)
		dc->binding = OPTIM_RULE_CAPACITY;
	return 0;
}

static void
put_num_or_empty(struct csvio_writer *w, double x)
{
	if (isnan(x))
		csvio_put(w, "", 0);
	else
		csvio_put_num(w, x);
}

static const char *const out_cols[] = {
	"opt_price", "exp_demand", "exp_revenue", "exp_profit", "base_demand", "base_revenue",
	"base_profit", "lift", "binding", "status"
};

static void
write_header(struct job *j)
{
	const struct csvio_row *h = csvio_header(j->in);
	size_t i;

	csvio_put_row(j->out, h);
	for (i = 0; i < sizeof out_cols / sizeof out_cols[0]; i++)
		csvio_put_str(j->out, out_cols[i]);
	if (j->offers_path != NULL) {
		csvio_put_str(j->out, "offer_id");
		csvio_put_str(j->out, "paid_price");
	}
	if (j->capacity.arg != NULL)
		csvio_put_str(j->out, "shadow_price");
	csvio_end(j->out);
}

static void
write_row(struct job *j, const struct csvio_row *row, const struct decision *dc, double lambda)
{
	csvio_put_row(j->out, row);
	csvio_put_num(j->out, dc->opt_price);
	csvio_put_num(j->out, dc->demand);
	csvio_put_num(j->out, dc->revenue);
	put_num_or_empty(j->out, dc->profit);
	csvio_put_num(j->out, dc->base_demand);
	csvio_put_num(j->out, dc->base_revenue);
	put_num_or_empty(j->out, dc->base_profit);
	put_num_or_empty(j->out, dc->lift);
	csvio_put_str(j->out, optim_rule_name(dc->binding));
	csvio_put_str(j->out, optim_status_name(dc->status));
	if (j->offers_path != NULL) {
		csvio_put_str(j->out, dc->offer >= 0 ? j->offers.v[dc->offer].id : "");
		csvio_put_num(j->out, dc->paid);
	}
	if (j->capacity.arg != NULL)
		put_num_or_empty(j->out, lambda);
	csvio_end(j->out);
}

/* ---- capacity: rows held in memory, one shadow price per group ---- */

struct held_row {
	struct csvio_row row;   /* fields point into one block */
	long group;
};

struct held {
	struct held_row *v;
	size_t n, cap;
	struct strtab *groups;
	double *capacity;        /* per group */
	double *lambda;          /* per group */
	int *over;               /* per group: capacity cannot be met */
	size_t ngroups, ngroups_cap;
};

static void
hold_row(struct held *h, const struct csvio_row *row, long group)
{
	struct held_row *hr;
	size_t i, bytes = 0;
	char *p;

	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 256;
		if ((h->v = realloc(h->v, h->cap * sizeof *h->v)) == NULL)
			cli_fail(EXIT_FAIL, "out of memory");
	}
	for (i = 0; i < row->n; i++)
		bytes += row->len[i] + 1;
	hr = &h->v[h->n++];
	hr->group = group;
	hr->row.n = row->n;
	hr->row.line = row->line;
	hr->row.plain = NULL;   /* no reader flags: the writer looks at every byte */
	p = malloc(bytes + row->n * (sizeof(char *) + sizeof(size_t)) + 16);
	if (p == NULL)
		cli_fail(EXIT_FAIL, "out of memory");
	hr->row.f = (char **)(void *)p;
	hr->row.len = (size_t *)(void *)(p + row->n * sizeof(char *));
	p += row->n * (sizeof(char *) + sizeof(size_t));
	for (i = 0; i < row->n; i++) {
		memcpy(p, row->f[i], row->len[i]);
		p[row->len[i]] = '\0';
		hr->row.f[i] = p;
		hr->row.len[i] = row->len[i];
		p += row->len[i] + 1;
	}
}

struct group_ctx {
	struct job *j;
	struct held *h;
	long group;
	double price_sum;
	size_t nrows;
};

/* Total expected demand of the group's rows at shadow price lambda. */
static double
group_total(void *ctx, double lambda)
{
	struct group_ctx *g = ctx;
	struct decision dc;
	struct diag d;
	double t = 0;
	size_t i;

	for (i = 0; i < g->h->n; i++) {
		if (g->h->v[i].group != g->group)
			continue;
		if (decide(g->j, &g->h->v[i].row, lambda, &dc, &d) < 0)
			return NAN;
		t += dc.demand;
	}
	return t;
}

static void
run_capacity(struct job *j)
{
	struct held h;
	struct csvio_row row;
	struct decision dc;
	struct diag d;
	long by = j->by_idx;
	size_t i, ng;
	int got;

	memset(&h, 0, sizeof h);
	if ((h.groups = strtab_new()) == NULL)
		cli_fail(EXIT_FAIL, "out of memory");
	while ((got = csvio_next(j->in, &row, &d)) > 0) {
		long g;
		double cap;

		j->acct.n_in++;
		/* check the row now (at lambda 0), so that only good rows are held */
		if (decide(j, &row, 0, &dc, &d) < 0 || numcol_get(&j->capacity, &row, 1, &cap, &d) < 0) {
			cli_reject(&j->common, &j->acct, csvio_name(j->in), &row, &d);
			continue;
		}
		if ((g = strtab_add(h.groups, row.f[by], row.len[by])) < 0)
			cli_fail(EXIT_FAIL, "out of memory");
		if ((size_t)g >= h.ngroups_cap) {
			h.ngroups_cap = h.ngroups_cap ? 2 * h.ngroups_cap : 64;
			h.capacity = realloc(h.capacity, h.ngroups_cap * sizeof *h.capacity);
			h.lambda = realloc(h.lambda, h.ngroups_cap * sizeof *h.lambda);
			h.over = realloc(h.over, h.ngroups_cap * sizeof *h.over);
			if (h.capacity == NULL || h.lambda == NULL || h.over == NULL)
				cli_fail(EXIT_FAIL, "out of memory");
		}
		if ((size_t)g == h.ngroups) {     /* a new group: its first row sets the capacity */
			h.capacity[g] = cap;
			h.ngroups++;
		}
		if (h.capacity[g] != cap) {
			char buf[NUM_BUFSZ];
			size_t n = num_format(h.capacity[g], buf);
			diag_set(&d, NULL, 0, j->capacity.arg, buf, n,
			    "capacity differs from the group's first row");
			cli_reject(&j->common, &j->acct, csvio_name(j->in), &row, &d);
			continue;
		}
		hold_row(&h, &row, g);
	}
	if (got < 0) {
		acct_finish(&j->acct, 0, &d);
		cli_fail_diag(EXIT_FAIL, &d);
	}
	ng = strtab_n(h.groups);
	for (i = 0; i < ng; i++) {
		struct group_ctx gc = { j, &h, (long)i, 0, 0 };
		size_t k;
		int rc;

		for (k = 0; k < h.n; k++)
			if (h.v[k].group == (long)i) {
				gc.nrows++;
				model_eval_row(j->eval, &h.v[k].row, &d);
				gc.price_sum += model_eval_row_price(j->eval);
			}
		rc = optim_shadow_price(group_total, &gc, h.capacity[i],
		    gc.nrows ? gc.price_sum / (double)gc.nrows : 1, &h.lambda[i]);
		if (rc < 0)
			cli_fail(EXIT_FAIL, "capacity: a row could not be priced");
		h.over[i] = rc == 1;
	}
	for (i = 0; i < h.n; i++) {
		long g = h.v[i].group;
		if (decide(j, &h.v[i].row, h.lambda[g], &dc, &d) < 0)
			cli_fail_diag(EXIT_FAIL, &d);
		if (h.over[g])
			dc.status = OPTIM_OVER_CAPACITY;
		write_row(j, &h.v[i].row, &dc, h.over[g] ? NAN : h.lambda[g]);
		j->acct.n_out++;
		free(h.v[i].row.f);
	}
	free(h.v);
	free(h.capacity);
	free(h.lambda);
	free(h.over);
	strtab_free(h.groups);
}

static void
run_stream(struct job *j)
{
	struct csvio_row row;
	struct decision dc;
	struct diag d;
	int got;

	while ((got = csvio_next(j->in, &row, &d)) > 0) {
		j->acct.n_in++;
		if (decide(j, &row, 0, &dc, &d) < 0) {
			cli_reject(&j->common, &j->acct, csvio_name(j->in), &row, &d);
			continue;
		}
		write_row(j, &row, &dc, NAN);
		j->acct.n_out++;
	}
	if (got < 0) {
		acct_finish(&j->acct, 0, &d);
		cli_fail_diag(EXIT_FAIL, &d);
	}
}

static void
set_ladder(struct job *j, enum optim_ladder_kind kind, const char *arg)
{
	if (j->ladder_kind != OPTIM_LADDER_NONE)
		cli_usage("--ending, --step, --grid and --grid-col exclude each other");
	j->ladder_kind = kind;
	j->ladder_arg = arg;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONG,
		{ "allow-loss",   no_argument,       NULL, OPT_ALLOW_LOSS },
		{ "by",           required_argument, NULL, OPT_BY },
		{ "capacity",     required_argument, NULL, OPT_CAPACITY },
		{ "cost",         required_argument, NULL, OPT_COST },
		{ "ending",       required_argument, NULL, OPT_ENDING },
		{ "grid",         required_argument, NULL, OPT_GRID },
		{ "grid-col",     required_argument, NULL, OPT_GRID_COL },
		{ "max-change",   required_argument, NULL, OPT_MAX_CHANGE },
		{ "max-down",     required_argument, NULL, OPT_MAX_DOWN },
		{ "max-price",    required_argument, NULL, OPT_MAX_PRICE },
		{ "max-up",       required_argument, NULL, OPT_MAX_UP },
		{ "min-margin",   required_argument, NULL, OPT_MIN_MARGIN },
		{ "min-markup",   required_argument, NULL, OPT_MIN_MARKUP },
		{ "min-price",    required_argument, NULL, OPT_MIN_PRICE },
		{ "model",        required_argument, NULL, 'm' },
		{ "objective",    required_argument, NULL, OPT_OBJECTIVE },
		{ "offers",       required_argument, NULL, OPT_OFFERS },
		{ "price",        required_argument, NULL, OPT_PRICE },
		{ "promo-col",    required_argument, NULL, OPT_PROMO_COL },
		{ "quantity",     required_argument, NULL, OPT_QUANTITY },
		{ "search-range", required_argument, NULL, OPT_SEARCH_RANGE },
		{ "step",         required_argument, NULL, OPT_STEP },
		{ "trust-model",  no_argument,       NULL, OPT_TRUST_MODEL },
		{ NULL, 0, NULL, 0 }
	};
	static struct job job;
	struct job *j = &job;
	struct diag d;
	int opt;

	cli_init(argv);
	gsl_set_error_handler_off();
	cli_common_init(&j->common);
	j->search_range = 3;
	j->ladder_kind = OPTIM_LADDER_NONE;
	j->promo_var = j->quantity_idx = j->grid_idx = j->by_idx = -1;
	{
		struct numcol *all[] = { &j->cost, &j->min_price, &j->max_price, &j->max_change,
		    &j->max_up, &j->max_down, &j->min_margin, &j->min_markup, &j->capacity };
		size_t k;
		for (k = 0; k < sizeof all / sizeof all[0]; k++) {
			all[k]->col = -1;
			all[k]->value = NAN;
		}
	}
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT "m:", longopts, NULL)) != -1) {
		if (cli_common_opt(&j->common, opt, optarg, help))
			continue;
		switch (opt) {
		case 'm': j->model_path = optarg; break;
		case OPT_PRICE: j->price_col = optarg; break;
		case OPT_COST: numcol_arg(&j->cost, "--cost", optarg, 0, 0); break;
		case OPT_OBJECTIVE:
			if (strcmp(optarg, "profit") == 0)
				j->revenue = 0;
			else if (strcmp(optarg, "revenue") == 0)
				j->revenue = 1;
			else
				cli_usage("--objective must be profit or revenue, not \"%s\"", optarg);
			break;
		case OPT_QUANTITY: j->quantity_col = optarg; break;
		case OPT_MIN_PRICE: numcol_arg(&j->min_price, "--min-price", optarg, 0, 0); break;
		case OPT_MAX_PRICE: numcol_arg(&j->max_price, "--max-price", optarg, 0, 0); break;
		case OPT_MAX_CHANGE: numcol_arg(&j->max_change, "--max-change", optarg, 0, 0); break;
		case OPT_MAX_UP: numcol_arg(&j->max_up, "--max-up", optarg, 0, 0); break;
		case OPT_MAX_DOWN: numcol_arg(&j->max_down, "--max-down", optarg, 0, 0); break;
		case OPT_MIN_MARGIN: numcol_arg(&j->min_margin, "--min-margin", optarg, NAN, 1); break;
		case OPT_MIN_MARKUP: numcol_arg(&j->min_markup, "--min-markup", optarg, NAN, 0); break;
		case OPT_ALLOW_LOSS: j->allow_loss_flag = 1; break;
		case OPT_SEARCH_RANGE:
			j->search_range = cli_num_arg("--search-range", optarg);
			if (!(j->search_range > 1))
				cli_usage("--search-range must be above 1, not \"%s\"", optarg);
			break;
		case OPT_ENDING: set_ladder(j, OPTIM_LADDER_ENDING, optarg); break;
		case OPT_STEP: set_ladder(j, OPTIM_LADDER_STEP, optarg); break;
		case OPT_GRID: set_ladder(j, OPTIM_LADDER_GRID, optarg); break;
		case OPT_GRID_COL:
			set_ladder(j, OPTIM_LADDER_GRID, NULL);
			j->grid_col = optarg;
			break;
		case OPT_TRUST_MODEL: j->trust_model = 1; break;
		case OPT_OFFERS: j->offers_path = optarg; break;
		case OPT_PROMO_COL: j->promo_col = optarg; break;
		case OPT_CAPACITY: numcol_arg(&j->capacity, "--capacity", optarg, 0, 0); break;
		case OPT_BY: j->by_col = optarg; break;
		default: cli_usage_try();
		}
	}
	if (argc - optind > 1)
		cli_usage("too many arguments: one input file at most");
	if (j->model_path == NULL)
		cli_usage("--model is required");
	if (j->cost.arg == NULL && !j->revenue)
		cli_usage("--cost is required with --objective profit");
	if ((j->capacity.arg != NULL) != (j->by_col != NULL))
		cli_usage("--capacity and --by go together");
	if (j->promo_col != NULL && j->offers_path == NULL)
		cli_usage("--promo-col needs --offers");
	if (j->ladder_kind != OPTIM_LADDER_NONE && j->grid_col == NULL) {
		if (j->ladder_kind == OPTIM_LADDER_GRID) {
			if ((j->grid_buf = malloc(OPTIM_GRID_MAX * sizeof *j->grid_buf)) == NULL)
				cli_fail(EXIT_FAIL, "out of memory");
		}
		if (optim_ladder_parse(&j->ladder, j->ladder_kind, j->ladder_arg, strlen(j->ladder_arg),
		    j->grid_buf, OPTIM_GRID_MAX, &d) < 0)
			cli_usage_diag(j->ladder_kind == OPTIM_LADDER_ENDING ? "--ending"
			    : j->ladder_kind == OPTIM_LADDER_STEP ? "--step" : "--grid", &d);
	}

	/* files: the model, the offers, the input */
	if ((j->model = model_load(j->model_path, &d)) == NULL)
		cli_fail_diag(EXIT_FAIL, &d);
	if (j->offers_path != NULL && offers_load(&j->offers, j->offers_path, ',', j->promo_col, &d) < 0)
		cli_fail_diag(EXIT_FAIL, &d);
	j->in = cli_open_input(optind < argc ? argv[optind] : NULL, j->common.delim);
	if (j->price_col == NULL)
		j->price_col = model_price_col(j->model);
	if (j->price_col == NULL)
		cli_fail(EXIT_FAIL, "%s: the model has no price column: nothing to optimise",
		    j->model_path);
	if ((j->eval = model_bind(j->model, csvio_header(j->in), csvio_name(j->in), j->price_col,
	    &d)) == NULL)
		cli_fail_diag(EXIT_FAIL, &d);
	{
		size_t k;
		for (k = 0; k < sizeof out_cols / sizeof out_cols[0]; k++)
			if (csvio_col(j->in, out_cols[k]) != -1)
				cli_fail(EXIT_FAIL, "%s: the input already has a column \"%s\"",
				    csvio_name(j->in), out_cols[k]);
	}
	numcol_resolve(&j->cost, j->in);
	numcol_resolve(&j->min_price, j->in);
	numcol_resolve(&j->max_price, j->in);
	numcol_resolve(&j->max_change, j->in);
	numcol_resolve(&j->max_up, j->in);
	numcol_resolve(&j->max_down, j->in);
	numcol_resolve(&j->min_margin, j->in);
	numcol_resolve(&j->min_markup, j->in);
	numcol_resolve(&j->capacity, j->in);
	if (j->quantity_col != NULL && (j->quantity_idx = csvio_require_col(j->in, j->quantity_col, &d)) < 0)
		cli_fail_diag(EXIT_FAIL, &d);
	if (j->grid_col != NULL) {
		if ((j->grid_idx = csvio_require_col(j->in, j->grid_col, &d)) < 0)
			cli_fail_diag(EXIT_FAIL, &d);
		if ((j->grid_buf = malloc(OPTIM_GRID_MAX * sizeof *j->grid_buf)) == NULL)
			cli_fail(EXIT_FAIL, "out of memory");
	}
	if (j->by_col != NULL && (j->by_idx = csvio_require_col(j->in, j->by_col, &d)) < 0)
		cli_fail_diag(EXIT_FAIL, &d);
	if (j->promo_col != NULL && (j->promo_var = model_eval_var(j->eval, j->promo_col)) < 0)
		cli_fail(EXIT_FAIL, "%s: --promo-col: \"%s\" is not a numeric column of the model",
		    j->model_path, j->promo_col);
	if ((j->optim = optim_new()) == NULL)
		cli_fail(EXIT_FAIL, "out of memory");

	j->out = cli_open_output();
	acct_init(&j->acct);
	if (j->common.rejects != NULL && acct_open_rejects(&j->acct, j->common.rejects,
	    csvio_header(j->in), &d) < 0)
		cli_fail_diag(EXIT_FAIL, &d);
	if (csvio_ncols(j->in) > 0)
		write_header(j);
	if (j->capacity.arg != NULL)
		run_capacity(j);
	else
		run_stream(j);
	cli_finish(&j->common, &j->acct, csvio_name(j->in), j->out);
	csvio_close(j->in);
	optim_free(j->optim);
	model_eval_free(j->eval);
	model_free(j->model);
	offers_free(&j->offers);
	free(j->grid_buf);
	return EXIT_OK;
}
