/*
 * pr-report - turn pr-optimize's rows into the few facts a pricing manager
 * acts on (totals at today's and at the chosen prices, by group, the
 * distribution of price changes, binding rules, offers, the largest
 * changes, flagged rows), describe the model (-m) and its price response
 * (--curves), measure a scored model against known outcomes (--label), and
 * guard a CI run against a saved summary (--baseline: exit 3 when a metric
 * fell by more than --max-drop).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "acct.h"
#include "atomic.h"
#include "cli.h"
#include "csvio.h"
#include "diag.h"
#include "model.h"
#include "num.h"
#include "pricing.h"
#include "report.h"

static const char help[] =
"Usage: pr-report [OPTION]... [FILE]\n"
"  or:  pr-report --map [OPTION]... [FILE]\n"
"  or:  pr-report --reduce [OPTION]... PART...\n"
"Report on pr-optimize output (or scored data with --label): FILE, or standard\n"
"input when FILE is - or absent.  --map writes a part of the report for one\n"
"shard of the input; --reduce merges parts, in the order given, into the\n"
"report of the whole input.\n"
"\n"
"      --ab=COL           A/B test of the arms in COL on logged exposures:\n"
"                         conversion, revenue and profit per exposure, each arm\n"
"                         against the control (needs --outcome)\n"
"      --audit=COL        prices, rises and cuts, demand and profit by the values\n"
"                         of COL, with the largest gap between them flagged\n"
"      --baseline=FILE    compare with a saved --format json report; exit 3 when a\n"
"                         metric fell by more than --max-drop\n"
"      --bin-range=FRAC   histogram of changes from -FRAC to +FRAC (default 0.5)\n"
"      --bin-width=FRAC   width of a histogram bin (default 0.05)\n"
"  -b, --by=COL           totals by the groups of column COL (with -m, their\n"
"                         price elasticities too)\n"
"      --control=ARM      the control arm of --ab (default: the first in order)\n"
"      --cost=COL         unit cost of logged exposures (default 0: revenue)\n"
"      --currency=SYM     put SYM before money and prices in text, md and html\n"
"      --curves=N         demand and profit against price for the first N rows\n"
"                         (with --by: the first row of each of N groups); needs -m\n"
"  -d, --delimiter=CHAR   input field delimiter (default ,)\n"
"  -f, --format=FMT       text (default), md, html, json or csv\n"
"  -h, --help             print this help and exit\n"
"      --id=COL           name rows in the lists by column COL (default: line)\n"
"      --keep-na          read NA as text, not as a missing value\n"
"      --label=COL        the known outcome (0 or 1): report AUC, log loss, Brier\n"
"                         score, calibration and lift\n"
"      --map              write this input's part (JSON) instead of a report\n"
"  -m, --model=FILE       the model: formula, coefficients, fit statistics\n"
"      --max-drop=FRAC    relative fall allowed by the gate (default 0)\n"
"      --mde=FRAC         --ab: the relative difference to size the test for\n"
"                         (default 0.05)\n"
"      --metric=NAME      a metric the gate checks (repeatable; default exp_profit)\n"
"      --names=LIST       the columns' names, for a file without a header row\n"
"      --no-header        the first line is data; columns V1..Vn unless --names\n"
"      --ope=COL          off-policy evaluation: what the new policy's price in\n"
"                         COL would earn on logged exposures (IPW, self-normalised\n"
"                         IPW, doubly robust with -m; needs --outcome)\n"
"      --outcome=COL      units bought (or 0/1) of each logged exposure\n"
"  -o, --output=FILE      write the report to FILE, atomically (default stdout)\n"
"      --pred=COL         the predicted probability column (default p_buy)\n"
"      --price=COL        today's price column (default: the model's, else price)\n"
"      --propensity=COL   --ope: probability of the logged price (default\n"
"                         propensity)\n"
"  -q, --quiet            say nothing on stderr unless the run fails\n"
"      --reduce           merge the parts PART... (from --map) into one report\n"
"      --rejects=FILE     write rejected rows to FILE with _line and _reason\n"
"      --allow-empty      a run that reads data rows and writes none succeeds\n"
"      --strict           fail on the first rejected row\n"
"  -t, --tab              input fields are separated by tabs\n"
"      --title=TEXT       the report's title (default: Pricing report: FILE)\n"
"      --top=N            rows in each list of largest changes (default 5)\n"
"  -v, --verbose          print the row counts and every gate comparison\n"
"      --version          print the version and exit\n";

enum {
	OPT_AB = CLI_OPT_FIRST_TOOL,
	OPT_AUDIT,
	OPT_BASELINE,
	OPT_BIN_RANGE,
	OPT_BIN_WIDTH,
	OPT_CONTROL,
	OPT_COST,
	OPT_CURRENCY,
	OPT_CURVES,
	OPT_ID,
	OPT_LABEL,
	OPT_MAP,
	OPT_MAX_DROP,
	OPT_MDE,
	OPT_METRIC,
	OPT_OPE,
	OPT_OUTCOME,
	OPT_PRED,
	OPT_PRICE,
	OPT_PROPENSITY,
	OPT_REDUCE,
	OPT_TITLE,
	OPT_TOP
};

enum format { FMT_TEXT, FMT_MD, FMT_HTML, FMT_JSON, FMT_CSV };

#define MAX_METRICS 32

/* "--name" of option opt in longopts ("-x" for a short one without a long name). */
static const char *
opt_name(const struct option *longopts, int opt)
{
	static char buf[64];
	size_t i;

	for (i = 0; longopts[i].name != NULL; i++)
		if (longopts[i].val == opt) {
			snprintf(buf, sizeof buf, "--%s", longopts[i].name);
			return buf;
		}
	snprintf(buf, sizeof buf, "-%c", opt);
	return buf;
}

/* Options that only say how the report is shown or checked: not for --map. */
static int
is_presenting(int opt)
{
	return opt == 'f' || opt == OPT_TITLE || opt == OPT_CURRENCY || opt == OPT_BASELINE ||
	    opt == OPT_METRIC || opt == OPT_MAX_DROP;
}

/* Options of --reduce: the rest shape the figures, and the parts carry them. */
static int
is_reduce_opt(int opt)
{
	return is_presenting(opt) || opt == 'o' || opt == 'm' || opt == 'q' || opt == 'v' ||
	    opt == OPT_MAP || opt == OPT_REDUCE;
}

/* What the report is shown as and checked against, common to a run and --reduce. */
struct output {
	int fmt;
	const char *path;            /* -o, or NULL */
	json_t *baseline;
	const char *baseline_path;
	const char **metrics;
	size_t n_metrics;
	double max_drop;
	int verbose;
};

/* Gate, write, and say what the gate found.  Returns the exit status. */
static int
finish(struct report_doc *doc, const struct output *o)
{
	struct report_gate_result results[MAX_METRICS];
	struct atomic_file *af;
	struct diag d;
	FILE *out;
	size_t i;
	int failed = 0;

	/* The gate decides before the report is written, so a broken comparison writes nothing. */
	if (o->baseline != NULL) {
		failed = report_gate(o->baseline, o->baseline_path, doc, o->metrics, o->n_metrics,
		    o->max_drop, results, &d);
		if (failed < 0)
			cli_fail_diag(EXIT_FAIL, &d);
	}
	if (o->path != NULL) {
		af = cli_output(o->path);
		out = atomic_fp(af);
	} else {
		out = stdout;
	}
	switch (o->fmt) {
	case FMT_TEXT: report_write_text(doc, out); break;
	case FMT_MD: report_write_md(doc, out); break;
	case FMT_HTML: report_write_html(doc, out); break;
	case FMT_JSON: report_write_json(doc, out); break;
	case FMT_CSV:
		if (report_write_csv(doc, out) < 0 && !ferror(out))
			cli_fail(EXIT_FAIL, "out of memory");
		break;
	}
	/* the commit point: stdout closed, then the files renamed into place */
	cli_close_output(NULL);

	for (i = 0; o->baseline != NULL && i < o->n_metrics; i++) {
		const struct report_gate_result *g = &results[i];
		char before[NUM_BUFSZ], now[NUM_BUFSZ], change[32], allowed[NUM_BUFSZ];
		num_format(g->before, before);
		num_format(g->now, now);
		num_format(o->max_drop, allowed);
		if (g->change_rel == g->change_rel)
			snprintf(change, sizeof change, "%+.2f%%", g->change_rel * 100);
		else
			snprintf(change, sizeof change, "from zero");
		if (g->failed)
			cli_warn("gate: %s %s from %s to %s (%s), more than --max-drop %s allows",
			    g->name, g->higher_is_better ? "fell" : "rose", before, now, change,
			    allowed);
		else if (o->verbose)
			cli_warn("gate: %s from %s to %s (%s): ok", g->name, before, now, change);
	}
	return failed > 0 ? EXIT_CHECK : EXIT_OK;
}

/*
 * --reduce: load the parts, check that they were made alike (and with the
 * model given), merge them in order and finish the report.
 */
static int
reduce(char **parts, size_t n, const char *model_path, struct model *model, const char *title,
    const char *currency, const struct output *o)
{
	json_t **doc = calloc(n, sizeof *doc);
	const char *digest;
	char mine[64], input[DIAG_FILE_MAX];
	struct report *rep;
	struct report_doc *rd;
	struct diag d;
	size_t i, len = 0;
	long offset = 0;
	int same = 1, status;

	if (doc == NULL)
		cli_fail(EXIT_FAIL, "out of memory");
	for (i = 0; i < n; i++) {
		if ((doc[i] = report_part_load(parts[i], &d)) == NULL)
			cli_fail_diag(EXIT_FAIL, &d);
		if (i > 0 && report_part_check(doc[0], parts[0], doc[i], parts[i], &d) < 0)
			cli_fail_diag(EXIT_FAIL, &d);
	}
	digest = json_string_value(json_object_get(json_object_get(doc[0], "options"), "model"));
	if (digest != NULL && model == NULL)
		cli_fail(EXIT_FAIL, "%s: made with a model (-m): give --reduce the same one", parts[0]);
	if (model != NULL && digest == NULL)
		cli_fail(EXIT_FAIL, "%s: made without a model: give -m to --map too", parts[0]);
	if (model != NULL && report_file_digest(model_path, mine, sizeof mine, &d) < 0)
		cli_fail_diag(EXIT_FAIL, &d);
	if (model != NULL && strcmp(mine, digest) != 0)
		cli_fail(EXIT_FAIL, "%s: not the model %s was made with", model_path, parts[0]);
	/* the heading names the input: the parts' own when they all read one name */
	for (i = 1; i < n; i++)
		same &= json_equal(json_object_get(doc[i], "input"), json_object_get(doc[0], "input"));
	input[0] = '\0';
	for (i = 0; i < (same ? 1 : n) && len + 3 < sizeof input; i++) {
		const json_t *v = json_object_get(doc[i], "input");
		len += (size_t)snprintf(input + len, sizeof input - len, "%s%s", i ? ", " : "",
		    json_is_string(v) ? json_string_value(v) : parts[i]);
	}
	if ((rep = report_from_part(doc[0], input, title, currency, &d)) == NULL)
		cli_fail(EXIT_FAIL, "%s: %s", parts[0], d.what);
	for (i = 0; i < n; i++) {
		if (report_merge_part(rep, doc[i], parts[i], offset, &d) < 0)
			cli_fail_diag(EXIT_FAIL, &d);
		offset += report_part_rows_lines(doc[i]);
	}
	if (report_rows(rep) == 0 && report_rejected(rep) > 0)
		cli_fail(EXIT_FAIL, "no row written: the parts rejected every row (%llu)",
		    report_rejected(rep));
	if ((rd = report_build(rep, model)) == NULL)
		cli_fail(EXIT_FAIL, "out of memory");
	status = finish(rd, o);
	report_doc_free(rd);
	report_free(rep);
	for (i = 0; i < n; i++)
		json_decref(doc[i]);
	free(doc);
	return status;
}

static long
optional_col(const struct csvio_reader *in, const char *name)
{
	long c = csvio_col(in, name);

	return c >= 0 ? c : -1;
}

static long
require_col(const struct csvio_reader *in, const char *name)
{
	struct diag d;
	long c = csvio_require_col(in, name, &d);

	if (c < 0)
		cli_fail_diag(EXIT_FAIL, &d);
	return c;
}

/* What a failing run frees (cli_at_fail), so that no exit leaves the report behind. */
struct held {
	struct report *rep;
	struct model_eval *eval;
	struct model *model;
};

static void
held_free(void *arg)
{
	struct held *h = arg;
	report_free(h->rep);
	model_eval_free(h->eval);
	model_free(h->model);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ab",        required_argument, NULL, OPT_AB },
		{ "audit",     required_argument, NULL, OPT_AUDIT },
		{ "baseline",  required_argument, NULL, OPT_BASELINE },
		{ "bin-range", required_argument, NULL, OPT_BIN_RANGE },
		{ "bin-width", required_argument, NULL, OPT_BIN_WIDTH },
		{ "by",        required_argument, NULL, 'b' },
		{ "control",   required_argument, NULL, OPT_CONTROL },
		{ "cost",      required_argument, NULL, OPT_COST },
		{ "currency",  required_argument, NULL, OPT_CURRENCY },
		{ "curves",    required_argument, NULL, OPT_CURVES },
		{ "format",    required_argument, NULL, 'f' },
		{ "id",        required_argument, NULL, OPT_ID },
		{ "label",     required_argument, NULL, OPT_LABEL },
		{ "map",       no_argument,       NULL, OPT_MAP },
		{ "max-drop",  required_argument, NULL, OPT_MAX_DROP },
		{ "mde",       required_argument, NULL, OPT_MDE },
		{ "metric",    required_argument, NULL, OPT_METRIC },
		{ "model",     required_argument, NULL, 'm' },
		{ "ope",       required_argument, NULL, OPT_OPE },
		{ "outcome",   required_argument, NULL, OPT_OUTCOME },
		{ "output",    required_argument, NULL, 'o' },
		{ "pred",      required_argument, NULL, OPT_PRED },
		{ "price",     required_argument, NULL, OPT_PRICE },
		{ "propensity", required_argument, NULL, OPT_PROPENSITY },
		{ "reduce",    no_argument,       NULL, OPT_REDUCE },
		{ "title",     required_argument, NULL, OPT_TITLE },
		{ "top",       required_argument, NULL, OPT_TOP },
		CLI_COMMON_LONG,
		{ NULL, 0, NULL, 0 }
	};
	static const char *const formats[] = { "text", "md", "html", "json", "csv", NULL };
	const char *metrics[MAX_METRICS];
	size_t n_metrics = 0;
	struct output oo;
	const char *shaping = NULL, *presenting = NULL;
	char shaping_buf[64], presenting_buf[64];
	int map = 0, reduce_parts = 0, status;
	struct cli_common common;
	struct report_opts ro;
	struct report_cols rc;
	struct csvio_reader *in;
	struct csvio_row row;
	struct acct acct;
	struct diag d;
	struct model *model = NULL;
	struct model_eval *eval = NULL;
	struct report *rep;
	struct report_doc *doc;
	json_t *baseline = NULL;
	const char *baseline_path = NULL, *model_path = NULL, *output = NULL;
	const char *by = NULL, *id = NULL, *label = NULL, *pred = "p_buy", *price = NULL;
	const char *audit = NULL, *currency = NULL, *title = NULL;
	const char *ope = NULL, *ab = NULL, *outcome = NULL, *cost = NULL, *control = NULL;
	const char *propensity = "propensity";
	double mde = 0.05;
	int logged;
	double bin_width = 0.05, bin_range = 0.5, max_drop = 0;
	int have_max_drop = 0, fmt = FMT_TEXT, opt, got, hib, elast;
	long curves = 0, top = 5;

	cli_init(argv);
	cli_common_init(&common);
	gsl_set_error_handler_off();
	while ((opt = getopt_long(argc, argv, "b:f:m:o:" CLI_COMMON_SHORT, longopts, NULL)) != -1) {
		if (opt != '?' && opt != 'h' && opt != CLI_OPT_VERSION) {
			if (shaping == NULL && !is_reduce_opt(opt))
				shaping = strcpy(shaping_buf, opt_name(longopts, opt));
			if (presenting == NULL && is_presenting(opt))
				presenting = strcpy(presenting_buf, opt_name(longopts, opt));
		}
		if (cli_common_opt(&common, opt, optarg, help))
			continue;
		switch (opt) {
		case OPT_AB: ab = optarg; break;
		case OPT_AUDIT: audit = optarg; break;
		case OPT_CONTROL: control = optarg; break;
		case OPT_COST: cost = optarg; break;
		case OPT_MDE:
			mde = cli_num_arg("--mde", optarg);
			if (!(mde > 0))
				cli_usage("--mde: must be above 0, not \"%s\"", optarg);
			break;
		case OPT_OPE: ope = optarg; break;
		case OPT_OUTCOME: outcome = optarg; break;
		case OPT_PROPENSITY: propensity = optarg; break;
		case OPT_BASELINE: baseline_path = optarg; break;
		case OPT_BIN_RANGE: bin_range = cli_num_arg("--bin-range", optarg); break;
		case OPT_BIN_WIDTH: bin_width = cli_num_arg("--bin-width", optarg); break;
		case 'b': by = optarg; break;
		case OPT_CURRENCY: currency = optarg; break;
		case OPT_CURVES: curves = cli_long_arg("--curves", optarg, 1, REPORT_TOP_MAX); break;
		case 'f':
			fmt = cli_word_arg("--format", optarg, formats);
			break;
		case OPT_ID: id = optarg; break;
		case OPT_LABEL: label = optarg; break;
		case OPT_MAP: map = 1; break;
		case OPT_REDUCE: reduce_parts = 1; break;
		case OPT_MAX_DROP:
			max_drop = cli_num_arg("--max-drop", optarg);
			if (!(max_drop >= 0))
				cli_usage("--max-drop: must not be negative, not \"%s\"", optarg);
			have_max_drop = 1;
			break;
		case OPT_METRIC:
			if (!report_metric_known(optarg, &hib))
				(void)cli_word_arg("--metric", optarg, report_metric_names());
			if (n_metrics == MAX_METRICS)
				cli_usage("--metric: at most %d metrics", MAX_METRICS);
			metrics[n_metrics++] = optarg;
			break;
		case 'm': model_path = optarg; break;
		case 'o': output = optarg; break;
		case OPT_PRED: pred = optarg; break;
		case OPT_PRICE: price = optarg; break;
		case OPT_TITLE: title = optarg; break;
		case OPT_TOP: top = cli_long_arg("--top", optarg, 0, REPORT_TOP_MAX); break;
		default:
			cli_usage_try();
		}
	}
	if (map && reduce_parts)
		cli_usage("--map and --reduce: one or the other");
	if (reduce_parts && shaping != NULL)
		cli_usage("--reduce: %s is taken from the parts (give it to --map)", shaping);
	if (map && presenting != NULL)
		cli_usage("--map writes a part, not a report: %s goes with --reduce", presenting);
	if (map && (ope != NULL || ab != NULL))
		cli_usage("--map: --ope and --ab make no parts (their running means do not merge "
		    "exactly)");
	if (reduce_parts && optind == argc)
		cli_usage("--reduce needs one part or more");
	if (!reduce_parts && argc - optind > 1)
		cli_usage("too many arguments: one input file at most");
	if (report_check_bins(bin_width, bin_range, &d) < 0)
		cli_usage_diag("--bin-width/--bin-range", &d);
	if (curves > 0 && model_path == NULL)
		cli_usage("--curves needs a model (-m)");
	if ((have_max_drop || n_metrics > 0) && baseline_path == NULL)
		cli_usage("--max-drop and --metric need --baseline");
	logged = ope != NULL || ab != NULL;
	if (logged && outcome == NULL)
		cli_usage("--ope and --ab need --outcome COL");
	if (!logged && (outcome != NULL || cost != NULL || control != NULL))
		cli_usage("--outcome, --cost and --control go with --ope or --ab");
	if (logged && (curves > 0 || audit != NULL || label != NULL || by != NULL))
		cli_usage("--ope and --ab read logged exposures: not with --by, --curves, --audit "
		    "or --label");
	if (control != NULL && ab == NULL)
		cli_usage("--control needs --ab");
	if (n_metrics == 0)
		metrics[n_metrics++] = "exp_profit";
	memset(&oo, 0, sizeof oo);
	oo.fmt = fmt;
	oo.path = output;
	oo.baseline_path = baseline_path;
	oo.metrics = metrics;
	oo.n_metrics = n_metrics;
	oo.max_drop = max_drop;
	oo.verbose = common.verbose;

	if (reduce_parts) {
		size_t np = (size_t)(argc - optind), k, nin = np + 2;
		struct cli_path outs[1] = { { "-o", output } };
		struct cli_path *ins = calloc(nin, sizeof *ins);
		if (ins == NULL)
			cli_fail(EXIT_FAIL, "out of memory");
		for (k = 0; k < np; k++)
			ins[k].option = "a part", ins[k].path = argv[optind + (int)k];
		ins[np].option = "-m", ins[np].path = model_path;
		ins[np + 1].option = "--baseline", ins[np + 1].path = baseline_path;
		cli_check_paths(outs, 1, ins, nin);
		free(ins);
		if (baseline_path != NULL && (baseline = report_baseline_load(baseline_path, &d)) == NULL)
			cli_fail_diag(EXIT_FAIL, &d);
		if (model_path != NULL && (model = model_load(model_path, &d)) == NULL)
			cli_fail_diag(EXIT_FAIL, &d);
		oo.baseline = baseline;
		status = reduce(argv + optind, np, model_path, model, title, currency, &oo);
		model_free(model);
		json_decref(baseline);
		return status;
	}

	{
		const struct cli_path outs[] = { { "--rejects", common.rejects }, { "-o", output } };
		const struct cli_path ins[] = { { "the input", optind < argc ? argv[optind] : NULL },
		    { "-m", model_path }, { "--baseline", baseline_path } };
		cli_check_paths(outs, 2, ins, 3);
	}
	/* Files, in the order a broken run is best told: baseline, model, input. */
	if (baseline_path != NULL && (baseline = report_baseline_load(baseline_path, &d)) == NULL)
		cli_fail_diag(EXIT_FAIL, &d);
	if (model_path != NULL && (model = model_load(model_path, &d)) == NULL)
		cli_fail_diag(EXIT_FAIL, &d);
	if (price == NULL)
		price = model != NULL && model_price_col(model) != NULL ? model_price_col(model) :
		    "price";
	in = cli_open_input(optind < argc ? argv[optind] : NULL, common.delim);

	memset(&rc, 0, sizeof rc);
	rc.policy = rc.propensity = rc.outcome = rc.cost = rc.arm = -1;
	if (logged) {
		/* Logged exposures: their own columns, none of pr-optimize's. */
		rc.opt_price = rc.exp_demand = rc.exp_revenue = rc.exp_profit = -1;
		rc.base_demand = rc.base_revenue = rc.base_profit = -1;
		rc.binding = rc.status = rc.offer = rc.shadow = rc.paid = -1;
		rc.price = require_col(in, price);
		rc.outcome = require_col(in, outcome);
		rc.cost = cost != NULL ? require_col(in, cost) : -1;
		rc.policy = ope != NULL ? require_col(in, ope) : -1;
		rc.propensity = ope != NULL ? require_col(in, propensity) : -1;
		rc.arm = ab != NULL ? require_col(in, ab) : -1;
	} else if ((rc.opt_price = optional_col(in, PRICING_COL_OPT_PRICE)) < 0 && label == NULL) {
		rc.opt_price = require_col(in, PRICING_COL_OPT_PRICE);
	}
	if (logged) {
		;
	} else if (rc.opt_price >= 0 || curves > 0) {
		rc.opt_price = require_col(in, PRICING_COL_OPT_PRICE);
		rc.price = require_col(in, price);
		rc.exp_demand = require_col(in, PRICING_COL_EXP_DEMAND);
		rc.exp_revenue = require_col(in, PRICING_COL_EXP_REVENUE);
		rc.exp_profit = require_col(in, PRICING_COL_EXP_PROFIT);
		rc.base_demand = require_col(in, PRICING_COL_BASE_DEMAND);
		rc.base_revenue = require_col(in, PRICING_COL_BASE_REVENUE);
		rc.base_profit = require_col(in, PRICING_COL_BASE_PROFIT);
		rc.binding = optional_col(in, PRICING_COL_BINDING);
		rc.status = optional_col(in, PRICING_COL_STATUS);
		rc.offer = optional_col(in, PRICING_COL_OFFER_ID);
		rc.shadow = optional_col(in, PRICING_COL_SHADOW_PRICE);
		rc.paid = optional_col(in, PRICING_COL_PAID_PRICE);
	} else {
		rc.price = rc.exp_demand = rc.exp_revenue = rc.exp_profit = -1;
		rc.base_demand = rc.base_revenue = rc.base_profit = -1;
		rc.binding = rc.status = rc.offer = rc.shadow = rc.paid = -1;
	}
	if (audit != NULL && rc.opt_price < 0)
		cli_fail(EXIT_FAIL, "%s: --audit needs pr-optimize output (no column \"opt_price\")",
		    csvio_name(in));
	rc.audit = audit != NULL ? require_col(in, audit) : -1;
	rc.by = by != NULL ? require_col(in, by) : -1;
	rc.id = id != NULL ? require_col(in, id) : -1;
	rc.label = label != NULL ? require_col(in, label) : -1;
	rc.pred = label != NULL ? require_col(in, pred) : -1;
	if ((curves > 0 || (ope != NULL && model != NULL)) && (eval = model_bind(model,
	    csvio_header(in), csvio_name(in), price, &d)) == NULL)
		cli_fail_diag(EXIT_FAIL, &d);
	/* elasticities by group need the model's columns; without them the report has none */
	elast = by != NULL && model != NULL && rc.opt_price >= 0 && !logged;
	if (elast && eval == NULL && (eval = model_bind(model, csvio_header(in), csvio_name(in),
	    price, &d)) == NULL) {
		char msg[1024];
		diag_format(&d, msg, sizeof msg);
		if (!common.quiet)
			cli_warn("no elasticities by %s: %s", by, msg);
		elast = 0;
	}

	memset(&ro, 0, sizeof ro);
	ro.bin_width = bin_width;
	ro.bin_range = bin_range;
	ro.top = (size_t)top;
	ro.input_name = csvio_name(in);
	ro.by_name = by;
	ro.id_name = id;
	ro.price_name = price;
	ro.label_name = label;
	ro.pred_name = pred;
	ro.curves = (size_t)curves;
	ro.title = title;
	ro.currency = currency;
	ro.audit_name = audit;
	ro.policy_name = ope;
	ro.propensity_name = propensity;
	ro.outcome_name = outcome;
	ro.cost_name = cost;
	ro.arm_name = ab;
	ro.control = control;
	ro.mde = mde;
	rep = report_new(&ro, &rc);
	if (rep == NULL)
		cli_fail(EXIT_FAIL, "out of memory");
	struct held held = { rep, eval, model };
	cli_at_fail(held_free, &held);
	if (ope != NULL)
		report_set_model(rep, eval);
	if (elast)
		report_want_elasticity(rep, model_ncoef(model));

	/* a shard whose every row was rejected still makes a part: --reduce judges the whole */
	if (map)
		common.allow_empty = 1;
	acct_init(&acct);
	cli_open_rejects(&common, &acct, csvio_header(in));
	while ((got = csvio_next(in, &row, &d)) > 0) {
		acct.n_in++;
		if (csvio_check_width(in, &row, &d) < 0) {
			cli_reject(&common, &acct, csvio_name(in), &row, &d);
			continue;
		}
		if (report_add_row(rep, &row, &d) < 0) {
			cli_reject(&common, &acct, csvio_name(in), &row, &d);
			continue;
		}
		acct.n_out++;
		if (elast && report_elasticity(rep, eval, &row) < 0)
			cli_fail(EXIT_FAIL, "out of memory");
		if (curves > 0 && report_need_curve(rep, &row)) {
			char name[REPORT_ID_MAX + 32];
			if (by != NULL)
				snprintf(name, sizeof name, "%.*s", REPORT_ID_MAX - 1, row.f[rc.by]);
			else if (id != NULL)
				snprintf(name, sizeof name, "%.*s", REPORT_ID_MAX - 1, row.f[rc.id]);
			if (report_curve(rep, eval, &row, by != NULL || id != NULL ? name : NULL) < 0)
				cli_fail(EXIT_FAIL, "out of memory");
		}
	}
	if (got < 0) {
		acct_finish(&acct, 0, &d);
		cli_fail_diag(EXIT_FAIL, &d);
	}
	cli_finish_rows(&common, &acct, csvio_name(in));
	report_set_rejected(rep, acct.n_rejected);
	if (ab != NULL) {
		const char *first;
		size_t arms = report_arms(rep, &first);
		if (arms == 1)
			cli_fail(EXIT_FAIL, "%s: column \"%s\": one arm only (\"%s\"): a test needs two "
			    "or more", csvio_name(in), ab, first);
		if (control != NULL && arms > 0 && !report_has_arm(rep, control))
			cli_fail(EXIT_FAIL, "%s: --control: no arm \"%s\" in column \"%s\"",
			    csvio_name(in), control, ab);
	}
	if (ope != NULL && report_rows(rep) > 0 && report_ope_matched(rep) == 0)
		cli_fail(EXIT_FAIL, "%s: no logged exposure shows the price of column \"%s\": the logs "
		    "cannot evaluate that policy", csvio_name(in), ope);

	if (map) {
		struct report_part_meta meta;
		struct atomic_file *af = NULL;
		char digest[64];
		FILE *out = stdout;
		memset(&meta, 0, sizeof meta);
		meta.input_name = csvio_name(in);
		if (model != NULL && report_file_digest(model_path, digest, sizeof digest, &d) < 0)
			cli_fail_diag(EXIT_FAIL, &d);
		meta.model_digest = model != NULL ? digest : NULL;
		meta.keep_na = common.keep_na;
		meta.first_line = common.no_header ? 1 : 2;
		meta.next_line = csvio_line(in);
		if (output != NULL) {
			af = cli_output(output);
			out = atomic_fp(af);
		}
		if (report_part_write(rep, &meta, out, &d) < 0 && !ferror(out))
			cli_fail(EXIT_FAIL, "%s", d.what);
		cli_close_output(NULL);
		status = EXIT_OK;
		goto done;
	}
	doc = report_build(rep, model);
	if (doc == NULL)
		cli_fail(EXIT_FAIL, "out of memory");

	oo.baseline = baseline;
	status = finish(doc, &oo);
	report_doc_free(doc);
done:
	cli_at_fail(NULL, NULL);
	report_free(rep);
	model_eval_free(eval);
	model_free(model);
	json_decref(baseline);
	csvio_close(in);
	return status;
}
