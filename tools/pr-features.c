/*
 * pr-features - the price-independent features a pricing model needs
 * (numeric scalings, encodings, dates, customer and item history,
 * collaborative filtering), fitted once on a history with --fit, saved as
 * a JSON state, and replayed exactly on other data with --apply; or, with
 * --recommend, the top items each customer has not bought yet.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "acct.h"
#include "atomic.h"
#include "cf.h"
#include "cli.h"
#include "csvio.h"
#include "date.h"
#include "diag.h"
#include "features.h"
#include "history.h"
#include "jsonfile.h"
#include "num.h"
#include "opts.h"
#include "source.h"

static const char help[] =
"Usage: pr-features --fit STATE [OPTION]... [FILE]\n"
"  or:  pr-features --map [OPTION]... [FILE] > PART\n"
"  or:  pr-features --reduce --fit STATE PART...\n"
"  or:  pr-features --apply STATE [OPTION]... [FILE]\n"
"  or:  pr-features --recommend K --user COL --item COL [OPTION]... [FILE]\n"
"  or:  pr-features --evaluate K --user COL --item COL [OPTION]... [FILE]\n"
"Add price-independent features to a CSV file: FILE, or standard input when\n"
"FILE is - or absent.  --fit learns the transformations from the input, saves\n"
"them in STATE and transforms the input; --apply replays STATE.\n"
"\n"
"Modes:\n"
"      --apply=STATE      transform with the fitted STATE (no transformation options)\n"
"      --evaluate=K       hold out each customer's last items; precision, recall,\n"
"                         NDCG and hit rate at K, and coverage, for cf and popularity\n"
"      --fit=STATE        fit the transformations, write STATE, transform the input\n"
"      --line-buffered    with --apply: answer row by row, flushing each row before\n"
"                         reading the next; add _reason; reload STATE on SIGHUP\n"
"      --map              fit one shard (of the input, --history and --cf): write\n"
"                         its statistics (a JSON part) on stdout, not a state\n"
"      --recommend=K      write the top K items each customer has not bought\n"
"      --reduce           with --fit: merge the PARTs, in the order given, into\n"
"                         STATE, the state --fit writes on the shards joined\n"
"\n"
"Transformations (with --fit; each adds columns, in the order given):\n"
"      --agg=LIST         history aggregates: count,sum:COL,mean:COL,min:COL,\n"
"                         max:COL,last:COL,recency (default count); COL may be\n"
"                         A*B or A/B, and any may end in ?FLAG or ?COL=VALUE\n"
"      --asof=DATE        \"today\" for recency and --window (default: the\n"
"                         latest date in the history; with --asof-col, the\n"
"                         day after it)\n"
"      --asof-col=COL     point in time: each row's history features use only\n"
"                         the history dated before the row's date in COL\n"
"      --bins=COL=K       COL_bin: quantile bin 1..K (R type 7 cut points)\n"
"      --cf=FILE          cf_score from the purchases in FILE (with --user, --item)\n"
"      --cf-k=K           neighbours kept per item (or customer) for cf (default 20)\n"
"      --cf-mode=MODE     cf similarity between items (default) or users\n"
"      --clip-z=COLS=K    COL_clip: COL clipped to mean -+ K sd\n"
"      --cold-start=WHAT  what a key without history gets for means, min, max,\n"
"                         last and recency: empty (default), population, or\n"
"                         NAME=VALUE,... (VALUE a number, a text or population)\n"
"      --date=COLS        COL_dow, COL_month, COL_doy, COL_isoweek, COL_weekend\n"
"      --history=FILE     per-key aggregates from FILE (with --key, --agg)\n"
"      --history-date=COL the history's date column (default date)\n"
"      --holidays=FILE    COL_days_to_holiday for each --date column\n"
"      --item=COL         the item column (--cf, --recommend, --evaluate)\n"
"      --key=COL          the key column joining --history and --lookup to the input\n"
"      --log1p=COLS       COL_log1p: log(1 + COL)\n"
"      --lookup=FILE      every column of FILE, joined by --key (a customer's\n"
"                         attributes, say)\n"
"      --lookup-missing=WHAT  a key not in the lookup FILE: empty fields\n"
"                         (default) or reject the row\n"
"      --min-count=N      onehot: levels seen fewer than N times go to COL_other\n"
"      --minmax=COLS      COL_minmax: (COL - min) / (max - min)\n"
"      --missing-as=WHAT  a missing number gives: empty (default) or mean\n"
"      --onehot=COLS      COL_LEVEL: 0/1 for each level seen\n"
"      --order-by=COL     dates ordering each customer's rows (--evaluate;\n"
"                         default: input order)\n"
"      --rating=COL       cf from the ratings in COL instead of purchases\n"
"      --ref-price=ITEM=PRICE  ref_price: the item's past price (from --history)\n"
"      --ref-stat=STAT    median (default) or mean, for --ref-price\n"
"      --smoothing=M      target-mean smoothing weight (default 10)\n"
"      --target-mean=COL=TARGET  COL_te: smoothed mean of TARGET by level of COL\n"
"      --test-last=N      --evaluate holds out each customer's last N items (default 1)\n"
"      --user=COL         the customer column (--cf, --recommend, --evaluate)\n"
"      --window=DAYS      --ref-price uses the DAYS days up to --asof (default all)\n"
"      --zscore=COLS      COL_z: (COL - mean) / sd\n"
"\n"
"Common options:\n"
"  -d, --delimiter=CHAR   input field delimiter (default ,)\n"
"  -h, --help             print this help and exit\n"
"      --keep-na          read NA as text, not as a missing value\n"
"      --names=LIST       the columns' names, for a file without a header row\n"
"      --no-header        the first line is data; columns V1..Vn unless --names\n"
"      --part=N:ROWS      with --apply: this run is part N of an input split into\n"
"                         parts of ROWS lines (parallel --pipe -N ROWS --header :\n"
"                         ... --part {#}:ROWS): no header after part 1, line\n"
"                         numbers of the whole input\n"
"      --part=N/M         with --apply: this run reads the N-th of M parts of FILE,\n"
"                         a regular file, itself (parallel -k ... --part {}/M FILE\n"
"                         ::: $(seq M)): no header after part 1, line numbers of\n"
"                         the whole input\n"
"  -q, --quiet            say nothing on stderr unless the run fails\n"
"      --rejects=FILE     write rejected rows to FILE with _line and _reason\n"
"      --allow-empty      a run that reads data rows and writes none succeeds\n"
"      --strict           fail on the first rejected row\n"
"  -t, --tab              input fields are separated by tabs\n"
"  -v, --verbose          always print the row counts on stderr\n"
"      --version          print the version and exit\n";

enum {
	OPT_AGG = CLI_OPT_FIRST_TOOL, OPT_APPLY, OPT_ASOF, OPT_ASOF_COL, OPT_BINS, OPT_CF, OPT_CF_K, OPT_CF_MODE,
	OPT_CLIP_Z, OPT_COLD_START, OPT_EVALUATE, OPT_ORDER_BY, OPT_RATING, OPT_TEST_LAST,
	OPT_DATE, OPT_FIT, OPT_HISTORY, OPT_HISTORY_DATE, OPT_HOLIDAYS, OPT_ITEM, OPT_KEY,
	OPT_LOG1P, OPT_LOOKUP, OPT_LOOKUP_MISSING, OPT_MIN_COUNT, OPT_MINMAX, OPT_MISSING_AS, OPT_ONEHOT, OPT_RECOMMEND,
	OPT_REF_PRICE, OPT_REF_STAT, OPT_SMOOTHING, OPT_TARGET_MEAN, OPT_USER, OPT_WINDOW,
	OPT_ZSCORE, OPT_MAP, OPT_REDUCE
};

static const struct option longopts[] = {
	CLI_COMMON_LONG,
	CLI_PART_LONG,
	{ "agg",          required_argument, NULL, OPT_AGG },
	{ "apply",        required_argument, NULL, OPT_APPLY },
	{ "asof",         required_argument, NULL, OPT_ASOF },
	{ "asof-col",     required_argument, NULL, OPT_ASOF_COL },
	{ "bins",         required_argument, NULL, OPT_BINS },
	{ "cf",           required_argument, NULL, OPT_CF },
	{ "cf-k",         required_argument, NULL, OPT_CF_K },
	{ "cf-mode",      required_argument, NULL, OPT_CF_MODE },
	{ "clip-z",       required_argument, NULL, OPT_CLIP_Z },
	{ "cold-start",   required_argument, NULL, OPT_COLD_START },
	{ "date",         required_argument, NULL, OPT_DATE },
	{ "evaluate",     required_argument, NULL, OPT_EVALUATE },
	{ "fit",          required_argument, NULL, OPT_FIT },
	{ "history",      required_argument, NULL, OPT_HISTORY },
	{ "history-date", required_argument, NULL, OPT_HISTORY_DATE },
	{ "holidays",     required_argument, NULL, OPT_HOLIDAYS },
	{ "item",         required_argument, NULL, OPT_ITEM },
	{ "key",          required_argument, NULL, OPT_KEY },
	{ "line-buffered", no_argument,      NULL, CLI_OPT_LINE_BUFFERED },
	{ "log1p",        required_argument, NULL, OPT_LOG1P },
	{ "lookup",       required_argument, NULL, OPT_LOOKUP },
	{ "lookup-missing", required_argument, NULL, OPT_LOOKUP_MISSING },
	{ "map",          no_argument,       NULL, OPT_MAP },
	{ "min-count",    required_argument, NULL, OPT_MIN_COUNT },
	{ "minmax",       required_argument, NULL, OPT_MINMAX },
	{ "missing-as",   required_argument, NULL, OPT_MISSING_AS },
	{ "onehot",       required_argument, NULL, OPT_ONEHOT },
	{ "order-by",     required_argument, NULL, OPT_ORDER_BY },
	{ "rating",       required_argument, NULL, OPT_RATING },
	{ "recommend",    required_argument, NULL, OPT_RECOMMEND },
	{ "reduce",       no_argument,       NULL, OPT_REDUCE },
	{ "ref-price",    required_argument, NULL, OPT_REF_PRICE },
	{ "ref-stat",     required_argument, NULL, OPT_REF_STAT },
	{ "smoothing",    required_argument, NULL, OPT_SMOOTHING },
	{ "target-mean",  required_argument, NULL, OPT_TARGET_MEAN },
	{ "test-last",    required_argument, NULL, OPT_TEST_LAST },
	{ "user",         required_argument, NULL, OPT_USER },
	{ "window",       required_argument, NULL, OPT_WINDOW },
	{ "zscore",       required_argument, NULL, OPT_ZSCORE },
	{ NULL, 0, NULL, 0 }
};

#define MAX_SPECS 4096
#define MAX_NOTES 1024

/* What the command line asked for. */
struct args {
	struct cli_common common;
	const char *fit, *apply, *input;
	long recommend, evaluate, test_last;
	const char *order_by;
	int cf_opt_given;           /* --cf-mode, --rating or --cf-k was given */
	int line_buffered;
	int map, reduce;
	const char *fit_opt;        /* the last option only fitting reads (--agg, --smoothing...) */
	char **parts;               /* --reduce: the parts, in order */
	size_t nparts;
	struct feat_spec spec[MAX_SPECS];
	size_t nspec;
	struct feat_config cfg;
	const char *key, *user, *item, *first_transform;
	struct opts_list strings;   /* owns every name split out of an option */
	const char *seen[MAX_NOTES];  /* notes already printed */
	size_t nseen;
};

static const char *
keep(struct args *a, const char *s, size_t len)
{
	char *c = strndup(s, len);

	if (c == NULL || opts_list_push(&a->strings, c) < 0)
		cli_fail(EXIT_FAIL, "out of memory");
	free(c);
	return a->strings.v[a->strings.n - 1];
}

static struct feat_spec *
new_spec(struct args *a, const char *option, enum feat_kind kind)
{
	struct feat_spec *s;

	if (a->nspec == MAX_SPECS)
		cli_usage("%s: too many transformations (at most %d)", option, MAX_SPECS);
	if (a->first_transform == NULL)
		a->first_transform = option;
	s = &a->spec[a->nspec++];
	memset(s, 0, sizeof *s);
	s->kind = kind;
	return s;
}

/* COLS (comma-separated), one spec each; k applies to all. */
static void
add_cols(struct args *a, const char *option, enum feat_kind kind, const char *cols, double k)
{
	struct opts_list l = { NULL, 0 };
	struct diag d;
	size_t i;

	if (opts_list_add(&l, cols, &d) < 0)
		cli_usage_diag(option, &d);
	for (i = 0; i < l.n; i++) {
		struct feat_spec *s = new_spec(a, option, kind);
		s->col = keep(a, l.v[i], strlen(l.v[i]));
		s->k = k;
	}
	opts_list_free(&l);
}

/* "NAMES=VALUE": the part after the last '=' in *value, the names returned. */
static const char *
split_last_eq(struct args *a, const char *option, const char *arg, const char **value)
{
	const char *eq = strrchr(arg, '=');

	if (eq == NULL || eq == arg || eq[1] == '\0')
		cli_usage("%s: expected NAME=VALUE, not \"%s\"", option, arg);
	*value = eq + 1;
	return keep(a, arg, (size_t)(eq - arg));
}

/*
 * --reduce --fit STATE PART...: the parts hold every option, so nothing
 * else may be given.
 */
static void
reduce_args(struct args *a, int argc, char **argv, int lookup_missing)
{
	const char *bad = a->first_transform ? a->first_transform : a->fit_opt;
	size_t i;

	if (bad == NULL)
		bad = a->map ? "--map" : a->apply ? "--apply" : a->recommend > 0 ? "--recommend" :
		    a->evaluate > 0 ? "--evaluate" : a->key ? "--key" : a->user ? "--user" :
		    a->item ? "--item" : a->cf_opt_given ? "--cf-mode, --cf-k or --rating" :
		    a->cfg.asof ? "--asof" : a->cfg.asof_col ? "--asof-col" :
		    a->cfg.cold ? "--cold-start" : a->cfg.holidays ? "--holidays" :
		    a->cfg.min_count ? "--min-count" : a->cfg.window ? "--window" :
		    lookup_missing ? "--lookup-missing" : a->line_buffered ? "--line-buffered" :
		    a->common.part > 0 ? "--part" : a->common.rejects ? "--rejects" :
		    a->common.strict ? "--strict" : NULL;
	if (bad != NULL)
		cli_usage("%s cannot be given with --reduce (the parts hold the transformations)", bad);
	if (a->fit == NULL)
		cli_usage("--reduce needs --fit STATE");
	if (optind == argc)
		cli_usage("--reduce needs at least one PART");
	a->parts = argv + optind;
	a->nparts = (size_t)(argc - optind);
	{
		struct cli_path outs[] = { { "--fit", a->fit } };
		struct cli_path ins[1];
		for (i = 0; i < a->nparts; i++) {
			ins[0].option = "the part";
			ins[0].path = a->parts[i];
			cli_check_paths(outs, 1, ins, 1);
		}
	}
}

static void
parse_args(struct args *a, int argc, char **argv)
{
	struct feat_spec *s;
	struct diag d;
	struct date dt;
	const char *names, *value, *hist_opt = NULL, *cf_opt = NULL, *ref_opt = NULL;
	const char *lookup_opt = NULL;
	int lookup_missing = 0;
	size_t hist_at = 0, cf_at = 0, i;
	int opt;
	double k;

	memset(a, 0, sizeof *a);
	cli_common_init(&a->common);
	a->cfg.smoothing = 10;
	a->cfg.agg = "count";
	a->cfg.history_date = "date";
	a->cfg.ref_median = 1;
	a->cfg.cf_k = 20;
	a->recommend = -1;
	a->evaluate = -1;
	a->test_last = 1;
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, longopts, NULL)) != -1) {
		if (cli_common_opt(&a->common, opt, optarg, help))
			continue;
		if (opt == OPT_AGG || opt == OPT_SMOOTHING || opt == OPT_MISSING_AS ||
		    opt == OPT_REF_STAT || opt == OPT_HISTORY_DATE)
			a->fit_opt = opt == OPT_AGG ? "--agg" : opt == OPT_SMOOTHING ? "--smoothing" :
			    opt == OPT_MISSING_AS ? "--missing-as" : opt == OPT_REF_STAT ? "--ref-stat" :
			    "--history-date";
		switch (opt) {
		case OPT_FIT: a->fit = optarg; break;
		case OPT_APPLY: a->apply = optarg; break;
		case CLI_OPT_LINE_BUFFERED: a->line_buffered = 1; break;
		case OPT_MAP: a->map = 1; break;
		case OPT_REDUCE: a->reduce = 1; break;
		case OPT_RECOMMEND:
			a->recommend = cli_long_arg("--recommend", optarg, 1, 1000000);
			break;
		case OPT_EVALUATE:
			a->evaluate = cli_long_arg("--evaluate", optarg, 1, 1000000);
			break;
		case OPT_TEST_LAST:
			a->test_last = cli_long_arg("--test-last", optarg, 1, 1000000);
			break;
		case OPT_ORDER_BY: a->order_by = optarg; break;
		case OPT_RATING: a->cfg.cf_rating = optarg; a->cf_opt_given = 1; break;
		case OPT_CF_MODE:
			a->cfg.cf_mode = cli_word_arg("--cf-mode", optarg,
			    (const char *const[]){ "item", "user", NULL }) == 1 ? CF_USER : CF_ITEM;
			a->cf_opt_given = 1;
			break;
		case OPT_ZSCORE: add_cols(a, "--zscore", FEAT_ZSCORE, optarg, 0); break;
		case OPT_MINMAX: add_cols(a, "--minmax", FEAT_MINMAX, optarg, 0); break;
		case OPT_LOG1P: add_cols(a, "--log1p", FEAT_LOG1P, optarg, 0); break;
		case OPT_ONEHOT: add_cols(a, "--onehot", FEAT_ONEHOT, optarg, 0); break;
		case OPT_DATE: add_cols(a, "--date", FEAT_DATE, optarg, 0); break;
		case OPT_BINS:
			names = split_last_eq(a, "--bins", optarg, &value);
			k = (double)cli_long_arg("--bins", value, 2, 1000);
			add_cols(a, "--bins", FEAT_BINS, names, k);
			break;
		case OPT_CLIP_Z:
			names = split_last_eq(a, "--clip-z", optarg, &value);
			k = cli_num_arg("--clip-z", value);
			if (!(k > 0))
				cli_usage("--clip-z: K must be above 0, not \"%s\"", value);
			add_cols(a, "--clip-z", FEAT_CLIPZ, names, k);
			break;
		case OPT_TARGET_MEAN:
			names = split_last_eq(a, "--target-mean", optarg, &value);
			s = new_spec(a, "--target-mean", FEAT_TARGET);
			s->col = names;
			s->arg = value;
			break;
		case OPT_MIN_COUNT:
			a->cfg.min_count = cli_long_arg("--min-count", optarg, 1, 1000000000);
			break;
		case OPT_SMOOTHING:
			a->cfg.smoothing = cli_num_arg("--smoothing", optarg);
			if (a->cfg.smoothing < 0)
				cli_usage("--smoothing: must be 0 or more, not \"%s\"", optarg);
			break;
		case OPT_MISSING_AS:
			a->cfg.missing_as_mean = cli_word_arg("--missing-as", optarg,
			    (const char *const[]){ "mean", "empty", NULL }) == 0;
			break;
		case OPT_ASOF:
			if (date_parse(optarg, strlen(optarg), DATE_ORDER_NONE, &dt) != DATE_OK)
				cli_usage("--asof: not a date: \"%s\"", optarg);
			a->cfg.asof = optarg;
			break;
		case OPT_ASOF_COL: a->cfg.asof_col = optarg; break;
		case OPT_COLD_START: a->cfg.cold = optarg; break;
		case OPT_HOLIDAYS: a->cfg.holidays = optarg; break;
		case OPT_HISTORY:
			if (hist_opt != NULL)
				cli_usage("--history given twice (one history file)");
			a->cfg.history = optarg;
			hist_opt = "--history";
			hist_at = a->nspec;
			new_spec(a, "--history", FEAT_HISTORY);
			break;
		case OPT_KEY: a->key = optarg; break;
		case OPT_LOOKUP:
			s = new_spec(a, "--lookup", FEAT_LOOKUP);
			s->arg = optarg;
			lookup_opt = "--lookup";
			break;
		case OPT_LOOKUP_MISSING:
			a->cfg.lookup_reject = cli_word_arg("--lookup-missing", optarg,
			    (const char *const[]){ "empty", "reject", NULL }) == 1;
			lookup_missing = 1;
			break;
		case OPT_AGG:
			if (hist_check_aggs(optarg, NULL, &d) < 0)
				cli_usage_diag("--agg", &d);
			a->cfg.agg = optarg;
			break;
		case OPT_HISTORY_DATE: a->cfg.history_date = optarg; break;
		case OPT_REF_PRICE:
			names = split_last_eq(a, "--ref-price", optarg, &value);
			ref_opt = "--ref-price";
			s = new_spec(a, "--ref-price", FEAT_REFPRICE);
			s->col = names;
			s->arg = value;
			break;
		case OPT_WINDOW:
			a->cfg.window = cli_long_arg("--window", optarg, 1, 1000000);
			break;
		case OPT_REF_STAT:
			a->cfg.ref_median = cli_word_arg("--ref-stat", optarg,
			    (const char *const[]){ "median", "mean", NULL }) == 0;
			break;
		case OPT_CF:
			if (cf_opt != NULL)
				cli_usage("--cf given twice (one purchase file)");
			a->cfg.cf = optarg;
			cf_opt = "--cf";
			cf_at = a->nspec;
			new_spec(a, "--cf", FEAT_CF);
			break;
		case OPT_CF_K:
			a->cfg.cf_k = cli_long_arg("--cf-k", optarg, 1, 1000000);
			a->cf_opt_given = 1;
			break;
		case OPT_USER: a->user = optarg; break;
		case OPT_ITEM: a->item = optarg; break;
		default:
			cli_usage_try();
		}
	}
	if (a->reduce) {
		reduce_args(a, argc, argv, lookup_missing);
		return;
	}
	if (argc - optind > 1)
		cli_usage("too many arguments: one input file at most");
	a->input = optind < argc ? argv[optind] : NULL;
	{
		const struct cli_path outs[] = { { "--fit", a->fit }, { "--rejects", a->common.rejects } };
		const struct cli_path ins[] = { { "the input", a->input }, { "--apply", a->apply },
		    { "--history", a->cfg.history }, { "--holidays", a->cfg.holidays } };
		cli_check_paths(outs, 2, ins, 4);
	}

	if ((a->fit != NULL) + a->map + (a->apply != NULL) + (a->recommend > 0) + (a->evaluate > 0) != 1)
		cli_usage("give exactly one of --fit, --map, --apply, --recommend and --evaluate");
	if (a->evaluate <= 0 && (a->order_by != NULL || a->test_last != 1))
		cli_usage("%s needs --evaluate", a->order_by ? "--order-by" : "--test-last");
	if (a->line_buffered && a->apply == NULL)
		cli_usage("--line-buffered needs --apply");
	if (a->common.part > 0 && a->apply == NULL)
		cli_usage("--part needs --apply (fitting needs the whole input)");
	cli_part_check(a->input);
	if (a->map && a->common.rejects != NULL)
		cli_usage("--rejects cannot be given with --map (--apply rejects the rows)");
	if (a->apply != NULL || a->recommend > 0 || a->evaluate > 0) {
		const char *mode = a->apply ? "--apply" : a->recommend > 0 ? "--recommend" : "--evaluate";
		const char *bad = a->first_transform;
		if (bad == NULL && a->apply != NULL && (a->user || a->item))
			bad = a->user ? "--user" : "--item";
		if (bad == NULL && a->apply != NULL && a->cf_opt_given)
			bad = a->cfg.cf_rating ? "--rating" : "--cf-mode or --cf-k";
		if (bad == NULL && (a->key || a->cfg.asof || a->cfg.asof_col || a->cfg.cold ||
		    a->cfg.holidays || a->cfg.min_count || a->cfg.window || lookup_missing))
			bad = a->key ? "--key" : a->cfg.asof ? "--asof" : a->cfg.asof_col ? "--asof-col" :
			    a->cfg.cold ? "--cold-start" : a->cfg.holidays ? "--holidays" :
			    a->cfg.min_count ? "--min-count" : a->cfg.window ? "--window" :
			    "--lookup-missing";
		if (bad != NULL)
			cli_usage("%s cannot be given with %s%s", bad, mode,
			    a->apply ? " (the state holds the transformations)" : "");
		if (a->apply == NULL && (a->user == NULL || a->item == NULL))
			cli_usage("%s needs --user and --item", mode);
		return;
	}
	if (a->nspec == 0)
		cli_usage("nothing to fit: give at least one transformation");
	if (a->key != NULL && hist_opt == NULL && lookup_opt == NULL)
		cli_usage("--key needs --history or --lookup");
	if (hist_opt != NULL && a->key == NULL)
		cli_usage("--history needs --key");
	if (lookup_opt != NULL && a->key == NULL)
		cli_usage("--lookup needs --key");
	if (lookup_missing && lookup_opt == NULL)
		cli_usage("--lookup-missing needs --lookup");
	if (ref_opt != NULL && a->cfg.history == NULL)
		cli_usage("--ref-price needs --history");
	if (a->cfg.window > 0 && ref_opt == NULL)
		cli_usage("--window needs --ref-price");
	if (a->cfg.asof_col != NULL && a->cfg.history == NULL)
		cli_usage("--asof-col needs --history");
	if (a->cfg.cold != NULL && hist_opt == NULL)
		cli_usage("--cold-start needs --history and --key");
	if (a->cfg.cold != NULL && hist_check_aggs(a->cfg.agg, a->cfg.cold, &d) < 0)
		cli_usage_diag("--cold-start", &d);
	if (cf_opt != NULL && (a->user == NULL || a->item == NULL))
		cli_usage("--cf needs --user and --item");
	if (cf_opt == NULL && (a->user != NULL || a->item != NULL))
		cli_usage("%s needs --cf", a->user ? "--user" : "--item");
	if (cf_opt == NULL && a->cf_opt_given)
		cli_usage("%s needs --cf", a->cfg.cf_rating ? "--rating" : "--cf-mode or --cf-k");
	if (a->cfg.holidays != NULL) {
		for (i = 0; i < a->nspec && a->spec[i].kind != FEAT_DATE; i++)
			;
		if (i == a->nspec)
			cli_usage("--holidays needs --date");
	}
	if (hist_opt != NULL)
		a->spec[hist_at].col = a->key;
	for (i = 0; i < a->nspec; i++)
		if (a->spec[i].kind == FEAT_LOOKUP)
			a->spec[i].col = a->key;
	if (cf_opt != NULL) {
		a->spec[cf_at].col = a->user;
		a->spec[cf_at].arg = a->item;
	}
	a->cfg.spec = a->spec;
	a->cfg.nspec = a->nspec;
	a->cfg.delim = a->common.delim;
	a->cfg.map = a->map;
	a->cfg.keep_na = a->common.keep_na;
}

/* One pass over the input of --fit, from its start. */
static struct csvio_reader *
reopen(struct source *src, unsigned char delim)
{
	struct csvio_opts o = *cli_input_opts(NULL);
	struct csvio_reader *r;
	struct diag d;

	o.delim = delim;
	if ((r = source_reader_opts(src, &o, &d)) == NULL)
		cli_fail_diag(EXIT_FAIL, &d);
	return r;
}

/* Write the state document to --fit's temporary, renamed into place when every output is written. */
static void
write_state(struct args *a, json_t *doc)
{
	struct atomic_file *af = cli_output(a->fit);

	errno = 0;
	if (json_dumpf(doc, atomic_fp(af), JSON_INDENT(2) | JSON_REAL_PRECISION(17)) < 0 ||
	    fputc('\n', atomic_fp(af)) == EOF)
		cli_fail(EXIT_FAIL, "%s: write error: %s", a->fit, strerror(errno ? errno : EIO));
	cli_output_close(af);
}

/*
 * First pass of --fit: learn, then save the state.  Returns the state
 * document; *fitp keeps what was learnt (the rows' own history fields).
 */
static json_t *
fit_pass(struct args *a, struct source *src, struct feat_fit **fitp)
{
	unsigned long long n_rows = 0;
	const char *name = source_name(src);
	struct feat_fit *f;
	struct csvio_reader *r;
	struct csvio_row row;
	struct acct acct;
	struct diag d;
	json_t *doc;
	int got;

	if ((f = feat_fit_new(&a->cfg, &d)) == NULL)
		cli_fail_diag(EXIT_FAIL, &d);
	r = reopen(src, a->common.delim);
	if (csvio_ncols(r) == 0)
		cli_fail(EXIT_FAIL, "%s: the input is empty: nothing to fit", name);
	if (feat_fit_bind(f, r, &d) < 0)
		cli_fail_diag(EXIT_FAIL, &d);
	acct_init(&acct);
	while ((got = csvio_next(r, &row, &d)) > 0) {
		n_rows++;
		/* A bad row is skipped here and rejected by the second pass. */
		if (feat_fit_row(f, &row, &d) < 0 && a->common.strict)
			cli_reject(&a->common, &acct, name, &row, &d);
	}
	if (got < 0)
		cli_fail_diag(EXIT_FAIL, &d);
	if (n_rows == 0)
		cli_fail(EXIT_FAIL, "%s: no data rows: nothing to fit", name);
	csvio_close(r);
	if ((doc = feat_fit_state(f, &d)) == NULL) {
		if (d.file[0] == '\0')
			snprintf(d.file, sizeof d.file, "%s", name);
		cli_fail_diag(EXIT_FAIL, &d);
	}
	*fitp = f;
	write_state(a, doc);
	return doc;
}

/* One line per distinct note: transforms of one column count the same missing values. */
static void
print_notes(struct args *a, const struct feat_state *st, const char *input_name)
{
	char note[DIAG_WHAT_MAX + DIAG_COL_MAX];
	size_t iter = 0, i;

	if (a->common.quiet)
		return;
	while (feat_note(st, &iter, note, sizeof note)) {
		for (i = 0; i < a->nseen && strcmp(a->seen[i], note) != 0; i++)
			;
		if (i < a->nseen)
			continue;
		if (a->nseen < MAX_NOTES)
			a->seen[a->nseen++] = keep(a, note, strlen(note));
		cli_warn("%s: %s", input_name, note);
	}
}

/* The output header st writes for r's header, as text (malloc'd), or NULL. */
static char *
header_text(const struct feat_state *st, const struct csvio_reader *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	struct csvio_writer *w;

	if (fp == NULL)
		return NULL;
	if ((w = csvio_writer_new(fp, ',')) != NULL) {
		feat_put_header(st, w, csvio_header(r));
		csvio_end(w);
		csvio_writer_free(w);
	}
	fclose(fp);
	return text;
}

/*
 * SIGHUP under --line-buffered: load the state again and put it in use
 * only when it loads, binds to the input and adds the same columns (the
 * header is written); otherwise keep the one in use.  The notes of the
 * state that goes are printed first: its counts go with it.
 */
static void
reload(struct args *a, struct feat_state **stp, struct csvio_reader *r)
{
	struct diag d;
	struct feat_state *st = feat_load(a->apply, &d);
	char *now, *then;
	int same;

	if (st == NULL) {
		cli_serve_reload_failed(&d);
		return;
	}
	if (feat_bind(st, r, &d) < 0) {
		cli_serve_reload_failed(&d);
		feat_free(st);
		return;
	}
	now = header_text(*stp, r);
	then = header_text(st, r);
	same = now != NULL && then != NULL && strcmp(now, then) == 0;
	free(now);
	free(then);
	if (!same) {
		diag_set(&d, a->apply, 0, NULL, NULL, 0,
		    "the state adds other columns than the one in use");
		cli_serve_reload_failed(&d);
		feat_free(st);
		return;
	}
	print_notes(a, *stp, csvio_name(r));
	feat_free(*stp);
	*stp = st;
}

/* The streaming pass: every row through the state, or rejected. */
static void
apply_pass(struct args *a, struct feat_state **stp, struct csvio_reader *r)
{
	struct csvio_writer *out = cli_open_output();
	struct csvio_row row;
	struct cli_serve serve;
	struct acct acct;
	struct diag d;
	int got;

	acct_init(&acct);
	if (feat_bind(*stp, r, &d) < 0)
		cli_fail_diag(EXIT_FAIL, &d);
	cli_open_rejects(&a->common, &acct, csvio_header(r));
	cli_serve_init(&serve, a->line_buffered, out);
	if (csvio_ncols(r) > 0) {
		feat_put_header(*stp, out, csvio_header(r));
		cli_serve_header(&serve, out, csvio_ncols(r));
	}
	while ((got = csvio_next(r, &row, &d)) > 0) {
		if (cli_serve_reload_due(&serve))
			reload(a, stp, r);
		acct.n_in++;
		if (feat_apply_row(*stp, &row, out, &d) < 0) {
			cli_reject(&a->common, &acct, csvio_name(r), &row, &d);
			cli_serve_reject(&serve, out, &row, &d);
			continue;
		}
		acct.n_out++;
	}
	if (got < 0) {
		acct_finish(&acct, 0, &d);
		cli_fail_diag(EXIT_FAIL, &d);
	}
	print_notes(a, *stp, csvio_name(r));
	cli_finish(&a->common, &acct, csvio_name(r), out);
}

/* --recommend and --evaluate: the purchases or ratings in, a table out. */
static void
cf_main(struct args *a)
{
	struct cf_opts co = { a->cfg.cf_mode, a->cfg.cf_k, a->cfg.cf_rating };
	struct csvio_reader *r = cli_open_input(a->input, a->common.delim);
	struct csvio_writer *out;
	struct diag d;

	if (a->recommend > 0) {
		struct cf *c = cf_build(r, a->user, a->item, &co, &d);
		if (c == NULL)
			cli_fail_diag(EXIT_FAIL, &d);
		out = cli_open_output();
		csvio_put_str(out, a->user);
		csvio_put_str(out, a->item);
		csvio_put_str(out, "rank");
		csvio_put_str(out, "score");
		csvio_end(out);
		if (cf_recommend(c, a->recommend, out, &d) < 0)
			cli_fail_diag(EXIT_FAIL, &d);
		cf_free(c);
	} else {
		static const char *const cols[] = {
			"method", "k", "users", "precision", "recall", "ndcg", "hit_rate", "coverage"
		};
		struct cf_eval_opts eo = { a->order_by, a->test_last, a->evaluate };
		struct cf_metrics m[2];
		size_t i;
		if (cf_evaluate(r, a->user, a->item, &co, &eo, &m[0], &m[1], &d) < 0)
			cli_fail_diag(EXIT_FAIL, &d);
		out = cli_open_output();
		for (i = 0; i < sizeof cols / sizeof cols[0]; i++)
			csvio_put_str(out, cols[i]);
		csvio_end(out);
		for (i = 0; i < 2; i++) {
			csvio_put_str(out, i == 1 ? "popularity" :
			    co.mode == CF_USER ? "cf-user" : "cf-item");
			csvio_put_long(out, a->evaluate);
			csvio_put_long(out, (long long)m[i].users);
			csvio_put_num(out, m[i].precision);
			csvio_put_num(out, m[i].recall);
			csvio_put_num(out, m[i].ndcg);
			csvio_put_num(out, m[i].hit_rate);
			csvio_put_num(out, m[i].coverage);
			csvio_end(out);
		}
	}
	csvio_close(r);
	cli_close_output(out);
}

/* --map: learn from one shard, write its part on stdout. */
static void
map_main(struct args *a)
{
	struct csvio_reader *r;
	struct csvio_row row;
	struct feat_fit *f;
	struct acct acct;
	struct diag d;
	json_t *part;
	int got;

	if ((f = feat_fit_new(&a->cfg, &d)) == NULL)
		cli_fail_diag(EXIT_FAIL, &d);
	r = cli_open_input(a->input, a->common.delim);
	/* A shard of a header and no rows learns nothing, and is a part all the same. */
	if (feat_fit_bind(f, r, &d) < 0)
		cli_fail_diag(EXIT_FAIL, &d);
	acct_init(&acct);
	while ((got = csvio_next(r, &row, &d)) > 0)
		/* A bad row is not learnt from, as by --fit; --apply rejects it. */
		if (feat_fit_row(f, &row, &d) < 0 && a->common.strict)
			cli_reject(&a->common, &acct, csvio_name(r), &row, &d);
	if (got < 0)
		cli_fail_diag(EXIT_FAIL, &d);
	if ((part = feat_fit_part(f, &d)) == NULL)
		cli_fail_diag(EXIT_FAIL, &d);
	errno = 0;
	if (json_dumpf(part, stdout, JSON_COMPACT | JSON_REAL_PRECISION(17)) < 0 ||
	    fputc('\n', stdout) == EOF)
		cli_fail(EXIT_FAIL, "stdout: write error: %s", strerror(errno ? errno : EIO));
	json_decref(part);
	csvio_close(r);
	feat_fit_free(f);
	cli_close_output(NULL);
}

/* --reduce --fit STATE PART...: merge the parts in order, write the state. */
static void
reduce_main(struct args *a)
{
	struct feat_fit *f = NULL;
	struct diag d;
	json_t *part, *doc;
	size_t i;

	for (i = 0; i < a->nparts; i++) {
		if ((part = jsonfile_load(a->parts[i], JSON_REJECT_DUPLICATES, &d)) == NULL)
			cli_fail_diag(EXIT_FAIL, &d);
		if (f == NULL && (f = feat_fit_from_part(part, a->parts[i], &d)) == NULL)
			cli_fail_diag(EXIT_FAIL, &d);
		if (feat_fit_merge(f, part, a->parts[i], a->parts[0], &d) < 0)
			cli_fail_diag(EXIT_FAIL, &d);
		json_decref(part);
	}
	if (feat_fit_rows(f) == 0)
		cli_fail(EXIT_FAIL, "%s%s: no data rows: nothing to fit", a->parts[0],
		    a->nparts > 1 ? " and the other parts" : "");
	if ((doc = feat_fit_state(f, &d)) == NULL) {
		if (d.file[0] == '\0')
			snprintf(d.file, sizeof d.file, "%s", a->parts[0]);
		cli_fail_diag(EXIT_FAIL, &d);
	}
	write_state(a, doc);
	json_decref(doc);
	feat_fit_free(f);
	cli_close_output(NULL);
}

int
main(int argc, char **argv)
{
	struct args *a = calloc(1, sizeof *a);
	struct feat_state *st;
	struct csvio_reader *r;
	struct diag d;
	struct source *src;
	struct feat_fit *f;
	char *text;
	json_t *doc, *back;

	cli_init(argv);
	if (a == NULL)
		cli_fail(EXIT_FAIL, "out of memory");
	parse_args(a, argc, argv);

	if (a->map || a->reduce) {
		if (a->map)
			map_main(a);
		else
			reduce_main(a);
		opts_list_free(&a->strings);
		free(a);
		return EXIT_OK;
	}
	if (a->recommend > 0 || a->evaluate > 0) {
		cf_main(a);
		opts_list_free(&a->strings);
		free(a);
		return EXIT_OK;
	}

	if (a->apply != NULL) {
		if ((st = feat_load(a->apply, &d)) == NULL)
			cli_fail_diag(EXIT_FAIL, &d);
		r = cli_open_input(a->input, a->common.delim);
		apply_pass(a, &st, r);
		csvio_close(r);
		feat_free(st);
		opts_list_free(&a->strings);
		free(a);
		return EXIT_OK;
	}

	/* Fitting reads its input twice: learn, then transform. */
	if ((src = source_open(a->input, &d)) == NULL)
		cli_fail_diag(EXIT_FAIL, &d);
	doc = fit_pass(a, src, &f);
	/*
	 * Transform with the state as saved (text and back), so the output
	 * is what --apply gives on the same input, to the last bit.
	 */
	text = json_dumps(doc, JSON_REAL_PRECISION(17));
	back = text ? json_loads(text, 0, NULL) : NULL;
	if (back == NULL)
		cli_fail(EXIT_FAIL, "out of memory");
	if ((st = feat_load_json(back, a->fit, &d)) == NULL ||
	    feat_state_take_rows(st, f, &d) < 0)
		cli_fail_diag(EXIT_FAIL, &d);
	feat_fit_free(f);
	free(text);
	json_decref(back);
	json_decref(doc);
	r = reopen(src, a->common.delim);
	apply_pass(a, &st, r);
	csvio_close(r);
	source_close(src);
	feat_free(st);
	opts_list_free(&a->strings);
	free(a);
	return EXIT_OK;
}
