/*
 * pr-optimize - for every candidate row (a customer x item to price),
 * choose the allowed price, or offer, with the highest expected profit
 * under a fitted model, and say why: the expected demand, revenue and
 * profit there and at today's price, which rule decided, and a status.
 * Streams, except under --capacity, which holds the rows until the end.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "acct.h"
#include "cli.h"
#include "csvio.h"
#include "diag.h"
#include "model.h"
#include "offers.h"
#include "pricing.h"

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
"                           (0.2) or a percent (20%)\n"
"      --max-up=NUM|COL     largest rise from today's price, as a fraction\n"
"                           (0.2) or a percent (20%)\n"
"      --max-down=NUM|COL   largest cut from today's price, as a fraction\n"
"                           (0.2) or a percent (20%)\n"
"      --min-margin=NUM|COL lowest margin on price: p >= cost / (1 - NUM)\n"
"      --min-markup=NUM|COL lowest markup on cost: p >= cost * (1 + NUM)\n"
"      --allow-loss         allow prices below cost\n"
"      --max-spread=NUM|COL within each --spread-by group, prices at most this\n"
"                           fraction (0.1 or 10%) above or below its reference\n"
"      --spread-by=COL      the groups of --max-spread (an item, a store)\n"
"      --spread-ref=COL     the groups' reference price (default: today's price)\n"
"      --same-price=COL     refuse a model or rule that makes prices depend on COL\n"
"      --min-lift=NUM[%]    keep today's price unless a change gains at least NUM\n"
"                           (of profit, or revenue, per row) or NUM% of today's\n"
"      --search-range=NUM   search within today's price / NUM and * NUM (default 3)\n"
"      --ending=DIGITS      prices end in DIGITS (x: any digit; a comma between\n"
"                           several), as .99, .49,.99, 9.99 or x.x9\n"
"      --step=NUM           prices are whole multiples of NUM\n"
"      --grid=LIST          prices from LIST, as \"9.99,12.99,14.99\"\n"
"      --grid-col=COL       prices from the list in column COL\n"
"      --trust-model        optimise rows whose demand rises with price\n"
"      --offers=FILE        choose among the offers of FILE (or none) per row\n"
"      --promo-col=COL      the model's promotion column that offers set\n"
"      --bounds-on=WHAT     with --offers, the price bounds and largest changes\n"
"                           hold for both (default) the shelf price and the\n"
"                           price paid, or only the paid or the shelf price\n"
"      --explore=EPS        price a share EPS of the rows at random among the\n"
"                           allowed prices and offers; add policy, propensity\n"
"      --seed=N             the seed of --explore's draws (required with it)\n"
"      --explore-key=COL    key each row's draw on COL (default: every field)\n"
"      --capacity=NUM|COL   most total expected demand of each --by group\n"
"      --by=COL             groups for --capacity\n"
"  -d, --delimiter=CHAR     input field delimiter (default ,)\n"
"  -h, --help               print this help and exit\n"
"      --keep-na            read NA as text, not as a missing value\n"
"      --names=LIST         the columns' names, for a file without a header row\n"
"      --no-header          the first line is data; columns V1..Vn unless --names\n"
"      --part=N:ROWS      this run is part N of an input split into parts of ROWS\n"
"                         lines (parallel --pipe -N ROWS --header : ... --part {#}:ROWS):\n"
"                         no header after part 1, line numbers of the whole input\n"
"      --part=N/M         this run reads the N-th of M parts of FILE, a regular\n"
"                         file, itself (parallel -k ... --part {}/M FILE ::: $(seq M)):\n"
"                         no header after part 1, line numbers of the whole input\n"
"  -q, --quiet              say nothing on stderr unless the run fails\n"
"      --line-buffered      answer row by row: write and flush each row's answer\n"
"                           before reading the next; add _reason; reload MODEL\n"
"                           and the offers on SIGHUP\n"
"      --rejects=FILE       write rejected rows to FILE with _line and _reason\n"
"      --allow-empty        a run that reads data rows and writes none succeeds\n"
"      --strict             fail on the first rejected row\n"
"  -t, --tab                input fields are separated by tabs\n"
"  -v, --verbose            always print the row counts on stderr\n"
"      --version            print the version and exit\n";

enum {
	OPT_PRICE = CLI_OPT_FIRST_TOOL, OPT_COST, OPT_OBJECTIVE, OPT_QUANTITY, OPT_MIN_PRICE,
	OPT_MAX_PRICE, OPT_MAX_CHANGE, OPT_MAX_UP, OPT_MAX_DOWN, OPT_MIN_MARGIN, OPT_MIN_MARKUP,
	OPT_ALLOW_LOSS, OPT_SEARCH_RANGE, OPT_ENDING, OPT_STEP, OPT_GRID, OPT_GRID_COL,
	OPT_TRUST_MODEL, OPT_OFFERS, OPT_PROMO_COL, OPT_CAPACITY, OPT_BY,
	OPT_BOUNDS_ON, OPT_MIN_LIFT, OPT_EXPLORE, OPT_SEED, OPT_EXPLORE_KEY,
	OPT_MAX_SPREAD, OPT_SPREAD_BY, OPT_SPREAD_REF, OPT_SAME_PRICE
};

/* What a run holds; freed by run_free, also when a failure exits (cli_at_fail). */
struct run {
	struct cli_common common;
	struct pricing_config cfg;
	const char *model_path, *offers_path;
	struct model *model;
	struct offers offers;
	struct csvio_reader *in;
	struct csvio_writer *out;
	struct pricing *pricing;
	struct pricing_capacity *held;
	struct acct acct;
	int acct_open;
	int line_buffered;
	struct cli_serve serve;
};

static void
run_free(void *arg)
{
	struct run *r = arg;
	struct diag scratch;

	if (r->acct_open)
		acct_finish(&r->acct, 0, &scratch);
	r->acct_open = 0;
	pricing_capacity_free(r->held);
	pricing_free(r->pricing);
	csvio_close(r->in);
	offers_free(&r->offers);
	model_free(r->model);
	pricing_config_fini(&r->cfg);
	r->held = NULL;
	r->pricing = NULL;
	r->in = NULL;
	r->model = NULL;
}

/*
 * SIGHUP under --line-buffered: load the model and the offers again and
 * put them in use only when both load and bind to the input; otherwise
 * keep the ones in use.
 */
static void
reload(struct run *r)
{
	struct model *m;
	struct offers of;
	struct pricing *p = NULL;
	struct csvio_opts csv;
	struct diag d;

	memset(&of, 0, sizeof of);
	if ((m = model_load(r->model_path, &d)) == NULL
	    || (r->offers_path != NULL && offers_load(&of, r->offers_path,
	    cli_file_opts(&r->common, ',', &csv), r->cfg.promo_col, &d) < 0)
	    || (p = pricing_new(&r->cfg, m, r->model_path, r->in,
	    r->offers_path != NULL ? &of : NULL, &d)) == NULL) {
		cli_serve_reload_failed(&d);
		offers_free(&of);
		model_free(m);
		return;
	}
	pricing_free(r->pricing);
	offers_free(&r->offers);
	model_free(r->model);
	r->model = m;
	r->offers = of;
	/* the new pricing points at the offers it was bound to: now r->offers */
	pricing_free(p);
	if ((r->pricing = pricing_new(&r->cfg, r->model, r->model_path, r->in,
	    r->offers_path != NULL ? &r->offers : NULL, &d)) == NULL)
		cli_fail_diag(EXIT_FAIL, &d);   /* it bound a moment ago: out of memory */
}

/* Every row decided and written as it comes. */
static void
run_stream(struct run *r)
{
	struct csvio_row row;
	struct pricing_decision dc;
	struct diag d;
	int got;

	while ((got = csvio_next(r->in, &row, &d)) > 0) {
		if (cli_serve_reload_due(&r->serve))
			reload(r);
		r->acct.n_in++;
		if (pricing_decide(r->pricing, &row, 0, &dc, &d) < 0) {
			cli_reject(&r->common, &r->acct, csvio_name(r->in), &row, &d);
			cli_serve_reject(&r->serve, r->out, &row, &d);
			continue;
		}
		pricing_put_row(r->pricing, r->out, &row, &dc, NAN);
		r->acct.n_out++;
	}
	if (got < 0)
		cli_fail_diag(EXIT_FAIL, &d);
}

/* --capacity: every row held, each group's shadow price found, then the rows written. */
static void
run_capacity(struct run *r)
{
	const struct csvio_row *held;
	struct csvio_row row;
	struct pricing_decision dc;
	struct diag d;
	double lambda;
	size_t i;
	int got, rc;

	if ((r->held = pricing_capacity_new()) == NULL)
		cli_fail(EXIT_FAIL, "out of memory");
	while ((got = csvio_next(r->in, &row, &d)) > 0) {
		r->acct.n_in++;
		if ((rc = pricing_capacity_add(r->held, r->pricing, &row, &d)) == -2)
			cli_fail(EXIT_FAIL, "out of memory");
		if (rc < 0)
			cli_reject(&r->common, &r->acct, csvio_name(r->in), &row, &d);
	}
	if (got < 0)
		cli_fail_diag(EXIT_FAIL, &d);
	if (pricing_capacity_solve(r->held, r->pricing, &d) < 0)
		cli_fail_diag(EXIT_FAIL, &d);
	for (i = 0; i < pricing_capacity_n(r->held); i++) {
		if (pricing_capacity_decide(r->held, r->pricing, i, &held, &dc, &lambda, &d) < 0)
			cli_fail_diag(EXIT_FAIL, &d);
		pricing_put_row(r->pricing, r->out, held, &dc, lambda);
		r->acct.n_out++;
	}
}

static void
rule_arg(struct run *r, enum pricing_rule rule, const char *arg)
{
	struct diag d;

	if (pricing_value_parse(&r->cfg, rule, arg, &d) < 0)
		cli_usage_diag(NULL, &d);
}

static void
set_ladder(struct run *r, enum optim_ladder_kind kind, const char *arg)
{
	if (r->cfg.ladder_kind != OPTIM_LADDER_NONE)
		cli_usage("--ending, --step, --grid and --grid-col exclude each other");
	r->cfg.ladder_kind = kind;
	r->cfg.ladder_arg = arg;
}

static const struct option longopts[] = {
	CLI_COMMON_LONG,
	CLI_PART_LONG,
	{ "allow-loss",   no_argument,       NULL, OPT_ALLOW_LOSS },
	{ "bounds-on",    required_argument, NULL, OPT_BOUNDS_ON },
	{ "by",           required_argument, NULL, OPT_BY },
	{ "capacity",     required_argument, NULL, OPT_CAPACITY },
	{ "cost",         required_argument, NULL, OPT_COST },
	{ "ending",       required_argument, NULL, OPT_ENDING },
	{ "explore",      required_argument, NULL, OPT_EXPLORE },
	{ "explore-key",  required_argument, NULL, OPT_EXPLORE_KEY },
	{ "grid",         required_argument, NULL, OPT_GRID },
	{ "grid-col",     required_argument, NULL, OPT_GRID_COL },
	{ "line-buffered", no_argument,      NULL, CLI_OPT_LINE_BUFFERED },
	{ "max-change",   required_argument, NULL, OPT_MAX_CHANGE },
	{ "max-down",     required_argument, NULL, OPT_MAX_DOWN },
	{ "max-price",    required_argument, NULL, OPT_MAX_PRICE },
	{ "max-spread",   required_argument, NULL, OPT_MAX_SPREAD },
	{ "max-up",       required_argument, NULL, OPT_MAX_UP },
	{ "min-lift",     required_argument, NULL, OPT_MIN_LIFT },
	{ "min-margin",   required_argument, NULL, OPT_MIN_MARGIN },
	{ "min-markup",   required_argument, NULL, OPT_MIN_MARKUP },
	{ "min-price",    required_argument, NULL, OPT_MIN_PRICE },
	{ "model",        required_argument, NULL, 'm' },
	{ "objective",    required_argument, NULL, OPT_OBJECTIVE },
	{ "offers",       required_argument, NULL, OPT_OFFERS },
	{ "price",        required_argument, NULL, OPT_PRICE },
	{ "promo-col",    required_argument, NULL, OPT_PROMO_COL },
	{ "quantity",     required_argument, NULL, OPT_QUANTITY },
	{ "same-price",   required_argument, NULL, OPT_SAME_PRICE },
	{ "search-range", required_argument, NULL, OPT_SEARCH_RANGE },
	{ "seed",         required_argument, NULL, OPT_SEED },
	{ "spread-by",    required_argument, NULL, OPT_SPREAD_BY },
	{ "spread-ref",   required_argument, NULL, OPT_SPREAD_REF },
	{ "step",         required_argument, NULL, OPT_STEP },
	{ "trust-model",  no_argument,       NULL, OPT_TRUST_MODEL },
	{ NULL, 0, NULL, 0 }
};

/* Options into r->cfg; anything wrong with them exits 2. */
static void
parse_args(struct run *r, int argc, char **argv)
{
	static const char *const objectives[] = { "profit", "revenue", NULL };
	static const char *const bounds_on[] = { "both", "paid", "shelf", NULL };
	struct pricing_config *c = &r->cfg;
	const char *option;
	struct diag d;
	int opt;

	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT "m:", longopts, NULL)) != -1) {
		if (cli_common_opt(&r->common, opt, optarg, help))
			continue;
		switch (opt) {
		case 'm': r->model_path = optarg; break;
		case OPT_PRICE: c->price_col = optarg; break;
		case OPT_COST: rule_arg(r, PRICING_COST, optarg); break;
		case OPT_OBJECTIVE: c->revenue = cli_word_arg("--objective", optarg, objectives); break;
		case OPT_QUANTITY: c->quantity_col = optarg; break;
		case OPT_MIN_PRICE: rule_arg(r, PRICING_MIN_PRICE, optarg); break;
		case OPT_MAX_PRICE: rule_arg(r, PRICING_MAX_PRICE, optarg); break;
		case OPT_MAX_CHANGE: rule_arg(r, PRICING_MAX_CHANGE, optarg); break;
		case OPT_MAX_UP: rule_arg(r, PRICING_MAX_UP, optarg); break;
		case OPT_MAX_DOWN: rule_arg(r, PRICING_MAX_DOWN, optarg); break;
		case OPT_MIN_MARGIN: rule_arg(r, PRICING_MIN_MARGIN, optarg); break;
		case OPT_MIN_LIFT:
			if (pricing_min_lift_parse(c, optarg, &d) < 0)
				cli_usage_diag(NULL, &d);
			break;
		case OPT_MIN_MARKUP: rule_arg(r, PRICING_MIN_MARKUP, optarg); break;
		case OPT_ALLOW_LOSS: c->allow_loss = 1; break;
		case OPT_SEARCH_RANGE:
			c->search_range = cli_num_arg("--search-range", optarg);
			if (!(c->search_range > 1))
				cli_usage("--search-range must be above 1, not \"%s\"", optarg);
			break;
		case OPT_ENDING: set_ladder(r, OPTIM_LADDER_ENDING, optarg); break;
		case OPT_STEP: set_ladder(r, OPTIM_LADDER_STEP, optarg); break;
		case OPT_GRID: set_ladder(r, OPTIM_LADDER_GRID, optarg); break;
		case OPT_GRID_COL:
			set_ladder(r, OPTIM_LADDER_GRID, NULL);
			c->grid_col = optarg;
			break;
		case OPT_TRUST_MODEL: c->trust_model = 1; break;
		case OPT_OFFERS: r->offers_path = optarg; break;
		case OPT_PROMO_COL: c->promo_col = optarg; break;
		case OPT_CAPACITY: rule_arg(r, PRICING_CAPACITY, optarg); break;
		case OPT_BY: c->by_col = optarg; break;
		case OPT_EXPLORE:
			if (pricing_explore_parse(c, optarg, &d) < 0)
				cli_usage_diag(NULL, &d);
			break;
		case OPT_SEED:
			c->seed = (unsigned long long)cli_long_arg("--seed", optarg, 0, LONG_MAX);
			c->seed_given = 1;
			break;
		case OPT_EXPLORE_KEY: c->explore_key = optarg; break;
		case CLI_OPT_LINE_BUFFERED: r->line_buffered = 1; break;
		case OPT_MAX_SPREAD: rule_arg(r, PRICING_MAX_SPREAD, optarg); break;
		case OPT_SPREAD_BY: c->spread_by = optarg; break;
		case OPT_SPREAD_REF: c->spread_ref = optarg; break;
		case OPT_SAME_PRICE: c->same_price = optarg; break;
		case OPT_BOUNDS_ON:
			c->bounds_on = (enum pricing_bounds_on)cli_word_arg("--bounds-on", optarg, bounds_on);
			c->bounds_on_given = 1;
			break;
		default: cli_usage_try();
		}
	}
	if (argc - optind > 1)
		cli_usage("too many arguments: one input file at most");
	if (r->model_path == NULL)
		cli_usage("--model is required");
	c->with_offers = r->offers_path != NULL;
	if (r->common.part > 0 && c->rule[PRICING_CAPACITY].arg != NULL)
		cli_usage("--part cannot be given with --capacity (it needs the whole input)");
	if (r->line_buffered && c->rule[PRICING_CAPACITY].arg != NULL)
		cli_usage("--line-buffered and --capacity exclude each other (--capacity holds every row)");
	if (pricing_config_check(c, &option, &d) < 0)
		cli_usage_diag(option, &d);
}

int
main(int argc, char **argv)
{
	static struct run run;
	struct run *r = &run;
	struct csvio_opts csv;
	struct diag d;

	cli_init(argv);
	gsl_set_error_handler_off();
	cli_common_init(&r->common);
	pricing_config_init(&r->cfg);
	parse_args(r, argc, argv);
	cli_at_fail(run_free, r);

	{
		const struct cli_path outs[] = { { "--rejects", r->common.rejects } };
		const struct cli_path ins[] = { { "the input", optind < argc ? argv[optind] : NULL },
		    { "-m", r->model_path }, { "--offers", r->offers_path } };
		cli_check_paths(outs, 1, ins, 3);
	}
	cli_part_check(optind < argc ? argv[optind] : NULL);
	/* files: the model, the offers, the input */
	if ((r->model = model_load(r->model_path, &d)) == NULL)
		cli_fail_diag(EXIT_FAIL, &d);
	if (r->offers_path != NULL && offers_load(&r->offers, r->offers_path,
	    cli_file_opts(&r->common, ',', &csv), r->cfg.promo_col, &d) < 0)
		cli_fail_diag(EXIT_FAIL, &d);
	r->in = cli_open_input(optind < argc ? argv[optind] : NULL, r->common.delim);
	if ((r->pricing = pricing_new(&r->cfg, r->model, r->model_path, r->in,
	    r->offers_path != NULL ? &r->offers : NULL, &d)) == NULL)
		cli_fail_diag(EXIT_FAIL, &d);

	r->out = cli_open_output();
	cli_serve_init(&r->serve, r->line_buffered, r->out);
	acct_init(&r->acct);
	cli_open_rejects(&r->common, &r->acct, csvio_header(r->in));
	r->acct_open = 1;
	if (csvio_ncols(r->in) > 0) {
		pricing_put_header(r->pricing, r->out, csvio_header(r->in));
		cli_serve_header(&r->serve, r->out, csvio_ncols(r->in));
	}
	if (r->cfg.rule[PRICING_CAPACITY].arg != NULL)
		run_capacity(r);
	else
		run_stream(r);
	/* cli_finish fails a run that priced no row (unless --allow-empty) and commits the rejects */
	r->acct_open = 0;
	cli_finish(&r->common, &r->acct, csvio_name(r->in), r->out);
	cli_at_fail(NULL, NULL);
	run_free(r);
	return EXIT_OK;
}
