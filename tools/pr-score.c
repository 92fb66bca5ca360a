/*
 * pr-score - append a model's predictions to every row of a CSV stream:
 * p_buy (logistic) or pred (linear, Poisson), optionally with its standard
 * error, a confidence band and the own-price elasticity.  Streams with
 * flat memory; each row uses the sub-model of its group when the model
 * was trained with --by.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "acct.h"
#include "cli.h"
#include "csvio.h"
#include "diag.h"
#include "model.h"
#include "num.h"

static const char help[] =
"Usage: pr-score -m MODEL [OPTION]... [FILE]\n"
"Append the predictions of MODEL (a pr-train -o file) to every row of FILE,\n"
"or of standard input when FILE is - or absent.\n"
"\n"
"      --as=NAME          name of the prediction column (default p_buy or pred)\n"
"  -d, --delimiter=CHAR   input field delimiter (default ,)\n"
"      --elasticity       add elasticity: d log E[y] / d log price at the row's price\n"
"  -h, --help             print this help and exit\n"
"      --interval=LEVEL   add NAME_lower and NAME_upper: a LEVEL confidence band\n"
"      --keep-na          read NA as text, not as a missing value\n"
"      --line-buffered    answer row by row: write and flush each row's answer\n"
"                         before reading the next; add _reason; reload MODEL on SIGHUP\n"
"  -m, --model=FILE       the model to score with (required)\n"
"      --names=LIST       the columns' names, for a file without a header row\n"
"      --no-header        the first line is data; columns V1..Vn unless --names\n"
"      --price=COL        read the price from COL instead of the model's price column\n"
"      --part=N:ROWS      this run is part N of an input split into parts of ROWS\n"
"                         lines (parallel --pipe -N ROWS --header : ... --part {#}:ROWS):\n"
"                         no header after part 1, line numbers of the whole input\n"
"      --part=N/M         this run reads the N-th of M parts of FILE, a regular\n"
"                         file, itself (parallel -k ... --part {}/M FILE ::: $(seq M)):\n"
"                         no header after part 1, line numbers of the whole input\n"
"  -q, --quiet            say nothing on stderr unless the run fails\n"
"      --rejects=FILE     write rejected rows to FILE with _line and _reason\n"
"      --replace          write over input columns of the names this adds\n"
"                         (without it such an input is refused)\n"
"      --se               add NAME_se: the standard error of the prediction\n"
"      --allow-empty      a run that reads data rows and writes none succeeds\n"
"      --strict           fail on the first rejected row\n"
"  -t, --tab              input fields are separated by tabs\n"
"  -v, --verbose          always print the row counts on stderr\n"
"      --version          print the version and exit\n";

enum {
	OPT_AS = CLI_OPT_FIRST_TOOL, OPT_ELASTICITY, OPT_INTERVAL, OPT_PRICE, OPT_SE, OPT_REPLACE
};

/* The columns pr-score adds, in order: the prediction, _se, _lower, _upper, elasticity. */
enum { COL_MEAN, COL_SE, COL_LOWER, COL_UPPER, COL_ELASTICITY, N_COLS };

/*
 * Name the columns the run adds (want[k] says which) and find each in the
 * input: at[k] is its input index (written over, with --replace) or -1
 * (appended).  An input that has one fails without --replace; two added
 * columns of one name are a usage error.  Returns how many are written over.
 */
static size_t
place_columns(struct csvio_reader *in, const char *name, const int want[N_COLS], int replace,
    char names[N_COLS][DIAG_COL_MAX + 8], long at[N_COLS])
{
	size_t k, j, n_over = 0;

	snprintf(names[COL_MEAN], sizeof names[0], "%s", name);
	snprintf(names[COL_SE], sizeof names[0], "%s_se", name);
	snprintf(names[COL_LOWER], sizeof names[0], "%s_lower", name);
	snprintf(names[COL_UPPER], sizeof names[0], "%s_upper", name);
	snprintf(names[COL_ELASTICITY], sizeof names[0], "elasticity");
	for (k = 0; k < N_COLS; k++) {
		at[k] = -1;
		if (!want[k])
			continue;
		for (j = 0; j < k; j++)
			if (want[j] && strcmp(names[j], names[k]) == 0)
				cli_usage("--as %s: two added columns would be named \"%s\"", name, names[k]);
		if ((at[k] = csvio_col(in, names[k])) == -1)
			continue;
		if (at[k] < 0 || !replace)
			cli_fail(EXIT_FAIL, "%s: the input already has a column \"%s\" (--replace writes "
			    "over it)", csvio_name(in), names[k]);
		n_over++;
	}
	return n_over;
}

/*
 * What a run holds, so that every way out frees it: LeakSanitizer
 * reported the reader (70 kB) on a malformed-CSV exit, where the compiler
 * had already dropped main's last copy of the pointer.  The writer is kept
 * (in this struct, on main's stack), not freed: freeing it would flush
 * rows to stdout that a failed run does not write today.
 */
struct run {
	struct model *m;
	struct model_eval *e;
	struct csvio_reader *in;
	struct csvio_writer *out;
	struct acct acct;
	int acct_open;
};

/*
 * SIGHUP under --line-buffered: load the model again and put it in use
 * only when it loads, binds to the input's header and predicts what the
 * output header says; otherwise keep the one in use.
 */
static void
reload(struct run *r, const char *path, const char *price_col, int want_price,
    const char *as)
{
	struct diag d;
	struct model *m = model_load(path, &d);
	struct model_eval *e;

	if (m == NULL) {
		cli_serve_reload_failed(&d);
		return;
	}
	if (want_price && model_price_col(m) == NULL) {
		diag_set(&d, path, 0, NULL, NULL, 0, "the model has no price column");
		goto fail;
	}
	if (as == NULL && strcmp(model_pred_name(m), model_pred_name(r->m)) != 0) {
		diag_set(&d, path, 0, NULL, NULL, 0,
		    "the model predicts %s, the output has %s (use --as to name the column)",
		    model_pred_name(m), model_pred_name(r->m));
		goto fail;
	}
	if ((e = model_bind(m, csvio_header(r->in), csvio_name(r->in), price_col, &d)) == NULL)
		goto fail;
	model_eval_free(r->e);
	model_free(r->m);
	r->m = m;
	r->e = e;
	return;
fail:
	cli_serve_reload_failed(&d);
	model_free(m);
}

/* What a failing run frees (cli_at_fail): the rejects temporary is removed. */
static void
run_cleanup(void *arg)
{
	struct run *r = arg;
	struct diag scratch;

	if (r->acct_open)
		acct_finish(&r->acct, 0, &scratch);
	model_eval_free(r->e);
	model_free(r->m);
	csvio_close(r->in);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONG,
		CLI_PART_LONG,
		{ "as",         required_argument, NULL, OPT_AS },
		{ "elasticity", no_argument,       NULL, OPT_ELASTICITY },
		{ "interval",   required_argument, NULL, OPT_INTERVAL },
		{ "line-buffered", no_argument,    NULL, CLI_OPT_LINE_BUFFERED },
		{ "model",      required_argument, NULL, 'm' },
		{ "price",      required_argument, NULL, OPT_PRICE },
		{ "replace",    no_argument,       NULL, OPT_REPLACE },
		{ "se",         no_argument,       NULL, OPT_SE },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_common common;
	const char *model_path = NULL, *as = NULL, *price_col = NULL;
	int want_se = 0, want_el = 0, line_buffered = 0, replace = 0, opt, got;
	int want[N_COLS];
	char names[N_COLS][DIAG_COL_MAX + 8];
	long at[N_COLS];
	size_t n_over, k;
	unsigned long long n_se_empty = 0, n_se_saturated = 0;
	double level = 0;
	struct run run;
	struct cli_serve serve;
	struct model *m;
	struct csvio_reader *in;
	struct csvio_writer *out;
	struct csvio_row row;
	struct diag d;
	size_t ncols;
	char name[DIAG_COL_MAX], input_name[DIAG_FILE_MAX];
	int has_price;

	cli_init(argv);
	cli_common_init(&common);
	gsl_set_error_handler_off();
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT "m:", longopts, NULL)) != -1) {
		if (cli_common_opt(&common, opt, optarg, help))
			continue;
		switch (opt) {
		case 'm': model_path = optarg; break;
		case OPT_AS:
			if (optarg[0] == '\0')
				cli_usage("--as: the column name must not be empty");
			as = optarg;
			break;
		case OPT_PRICE: price_col = optarg; break;
		case OPT_SE: want_se = 1; break;
		case OPT_REPLACE: replace = 1; break;
		case OPT_ELASTICITY: want_el = 1; break;
		case CLI_OPT_LINE_BUFFERED: line_buffered = 1; break;
		case OPT_INTERVAL:
			level = cli_num_arg("--interval", optarg);
			if (!(level > 0 && level < 1))
				cli_usage("--interval: expected a level between 0 and 1 (e.g. 0.95), not \"%s\"",
				    optarg);
			break;
		default:
			cli_usage_try();
		}
	}
	if (argc - optind > 1)
		cli_usage("too many arguments: one input file at most");
	if (model_path == NULL)
		cli_usage("a model is required (-m model.json)");

	{
		const struct cli_path outs[] = { { "--rejects", common.rejects } };
		const struct cli_path ins[] = { { "the input", optind < argc ? argv[optind] : NULL },
		    { "-m", model_path } };
		cli_check_paths(outs, 1, ins, 2);
	}
	cli_part_check(optind < argc ? argv[optind] : NULL);
	memset(&run, 0, sizeof run);
	cli_at_fail(run_cleanup, &run);
	m = run.m = model_load(model_path, &d);
	if (m == NULL)
		cli_fail_diag(EXIT_FAIL, &d);
	has_price = model_price_col(m) != NULL;
	if ((price_col != NULL || want_el) && !has_price) {
		diag_set(&d, model_path, 0, NULL, NULL, 0, "%s: the model has no price column",
		    price_col != NULL ? "--price" : "--elasticity");
		cli_fail_diag(EXIT_FAIL, &d);
	}
	snprintf(name, sizeof name, "%s", as ? as : model_pred_name(m));

	in = run.in = cli_open_input(optind < argc ? argv[optind] : NULL, common.delim);
	ncols = csvio_ncols(in);
	want[COL_MEAN] = 1;
	want[COL_SE] = want_se;
	want[COL_LOWER] = want[COL_UPPER] = level > 0;
	want[COL_ELASTICITY] = want_el;
	n_over = place_columns(in, name, want, replace, names, at);
	run.e = model_bind(m, csvio_header(in), csvio_name(in), price_col, &d);
	if (run.e == NULL)
		cli_fail_diag(EXIT_FAIL, &d);
	out = run.out = cli_open_output();
	cli_serve_init(&serve, line_buffered, out);
	acct_init(&run.acct);
	cli_open_rejects(&common, &run.acct, csvio_header(in));
	run.acct_open = 1;
	if (ncols > 0) {
		csvio_put_row(out, csvio_header(in));
		for (k = 0; k < N_COLS; k++)
			if (want[k] && at[k] < 0)
				csvio_put_str(out, names[k]);
		cli_serve_header(&serve, out, ncols);
	}
	while ((got = csvio_next(in, &row, &d)) > 0) {
		double p, mean, dmean, se, lo, hi;
		struct model_eval *e;
		if (cli_serve_reload_due(&serve))
			reload(&run, model_path, price_col, price_col != NULL || want_el, as);
		e = run.e;
		run.acct.n_in++;
		if (csvio_check_width(in, &row, &d) < 0 || model_eval_row(e, &row, &d) < 0)
			goto reject;
		p = model_eval_row_price(e);
		if (model_price_col(run.m) != NULL && isnan(p)) {
			diag_set(&d, NULL, 0, price_col ? price_col : model_price_col(run.m), NULL, 0,
			    "missing value");
			goto reject;
		}
		if (want_se || level > 0)
			mean = model_eval_interval(e, p, level > 0 ? level : 0.95, &se, &lo, &hi);
		else
			mean = model_eval_mean(e, p, want_el ? &dmean : NULL);
		if (want_el && (want_se || level > 0))
			(void)model_eval_mean(e, p, &dmean);
		if ((want_se || level > 0) && !isfinite(se)) {
			se = lo = hi = NAN;     /* written empty, and said below */
			if (model_df_residual(run.m, model_eval_sub(e)) == 0)
				n_se_saturated++;
			else
				n_se_empty++;
		}
		if (!isfinite(mean)) {
			diag_set(&d, NULL, 0, NULL, NULL, 0,
			    "the model cannot be evaluated here (a term is not finite)");
			goto reject;
		}
		{
			double v[N_COLS];
			v[COL_MEAN] = mean;
			v[COL_SE] = want_se ? se : NAN;
			v[COL_LOWER] = level > 0 ? lo : NAN;
			v[COL_UPPER] = level > 0 ? hi : NAN;
			v[COL_ELASTICITY] = want_el && mean != 0 ? p * dmean / mean : NAN;
			if (n_over == 0) {
				csvio_put_row(out, &row);
			} else {
				/* --replace: the new values where the input had columns of their names */
				size_t i;
				for (i = 0; i < row.n; i++) {
					for (k = 0; k < N_COLS && at[k] != (long)i; k++)
						;
					if (k < N_COLS)
						csvio_put_num(out, v[k]);
					else
						csvio_put(out, row.f[i], row.len[i]);
				}
			}
			for (k = 0; k < N_COLS; k++)
				if (want[k] && at[k] < 0)
					csvio_put_num(out, v[k]);
		}
		csvio_end(out);
		run.acct.n_out++;
		continue;
reject:
		cli_reject(&common, &run.acct, csvio_name(in), &row, &d);
		cli_serve_reject(&serve, out, &row, &d);
	}
	if (got < 0)
		cli_fail_diag(EXIT_FAIL, &d);
	if (n_se_saturated > 0 && !common.quiet)
		cli_warn("%s: %llu rows: standard error%s written empty: the model has no residual "
		    "degrees of freedom (sigma^2 cannot be estimated)", csvio_name(in), n_se_saturated,
		    level > 0 ? " and interval" : "");
	if (n_se_empty > 0 && !common.quiet)
		cli_warn("%s: %llu rows: standard error%s written empty: not finite (the model's "
		    "covariance overflows a double; rescale the terms)", csvio_name(in), n_se_empty,
		    level > 0 ? " and interval" : "");
	/* free all but the writer first: cli_finish may exit */
	cli_at_fail(NULL, NULL);
	snprintf(input_name, sizeof input_name, "%s", csvio_name(in));
	csvio_close(in);
	model_eval_free(run.e);
	model_free(run.m);
	cli_finish(&common, &run.acct, input_name, out);
	return EXIT_OK;
}
