/*
 * pr-train - fit a formula model (linear, logistic or Poisson regression)
 * to a CSV file, as R's lm and glm do: write the coefficient table on
 * stdout and, with -o, the model as JSON for pr-score and pr-optimize.
 * The rows are held once, in a store (store.h); train.h fits, validates
 * and fits by group.
 */
#define _GNU_SOURCE   /* sched_getaffinity, CPU_COUNT */
#include <errno.h>
#include <sched.h>
#include <math.h>
#include <stdnoreturn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "acct.h"
#include "atomic.h"
#include "cli.h"
#include "csvio.h"
#include "diag.h"
#include "formula.h"
#include "jsonfile.h"
#include "model.h"
#include "store.h"
#include "train.h"
#include "xalloc.h"

static const char help[] =
"Usage: pr-train -f FORMULA [OPTION]... [FILE]\n"
"  or:  pr-train --map -f FORMULA [OPTION]... [FILE] > PART\n"
"  or:  pr-train --map --from STATE [OPTION]... [FILE] > PART\n"
"  or:  pr-train --reduce [--from STATE] -o OUT PART...\n"
"Fit a formula model to FILE (or standard input when FILE is - or absent);\n"
"write the coefficient table as CSV on stdout and the model with -o.\n"
"\n"
"  -S, --buffer-size=SIZE keep at most SIZE of rows in memory, the rest in a\n"
"                         temporary file in $TMPDIR (default 192M; suffix b, K\n"
"                         (the default unit), M, G or T)\n"
"      --by=COL           one model per value of COL, plus a pooled model\n"
"  -d, --delimiter=CHAR   input field delimiter (default ,)\n"
"      --family=FAMILY    linear (default), logistic or poisson (R's gaussian,\n"
"                         binomial, poisson too)\n"
"      --fitted=FILE      write each used row's line and fitted value (and fold) to FILE\n"
"      --folds=K          K-fold cross-validation metrics\n"
"      --from=STATE       --map, --reduce: the state of the round (from --reduce)\n"
"  -f, --formula=FORMULA  the model, e.g. 'bought ~ log(price) * segment'\n"
"  -h, --help             print this help and exit\n"
"      --holdout=FRAC     fit on the other rows, validate on a random FRAC\n"
"  -j, --jobs=N           read and fit with N threads (default 1; 0: one per\n"
"                         core it may run on); the model is the same, byte for byte, for every N\n"
"      --keep-na          read NA as text, not as a missing value\n"
"      --l2=LAMBDA        ridge penalty (the intercept is not penalised)\n"
"      --map              read one shard and write its statistics for the round\n"
"                         (a part, JSON) on stdout, for --reduce\n"
"      --max-iter=N       at most N IRLS iterations (default 25, R's glm.control maxit)\n"
"      --names=LIST       the columns' names, for a file without a header row\n"
"      --no-header        the first line is data; columns V1..Vn unless --names\n"
"  -o, --output=FILE      write the model as JSON to FILE (atomically)\n"
"      --price=COL        the price column (default price, if the formula uses it)\n"
"  -q, --quiet            say nothing on stderr unless the run fails\n"
"      --reduce           merge the parts PART... (the operands) in order into -o OUT\n"
"                         and print state (run another round) or model\n"
"      --rejects=FILE     write dropped rows to FILE with _line and _reason\n"
"      --response-log     the response column holds the natural log of the demand\n"
"                         (log(units)): predictions, profits and elasticities\n"
"                         are of exp of it (linear family only)\n"
"      --retransform=HOW  the mean of a model of a log: normal exp(sigma^2/2)\n"
"                         (default), smearing (Duan) or naive (exp of the fit)\n"
"      --seed=N           seed of the holdout and fold split (default 1)\n"
"      --allow-empty      as in every program; a fit with no rows still fails\n"
"      --shrink           with --by: shrink each group's coefficients toward the\n"
"                         pooled fit (empirical Bayes, DerSimonian-Laird)\n"
"      --strict           fail on the first row with a missing or bad value\n"
"  -t, --tab              input fields are separated by tabs\n"
"      --tol=EPS          IRLS stops when the deviance changes by less than EPS\n"
"                         relative (default 1e-8, R's glm.control epsilon)\n"
"  -v, --verbose          print the fit summary and row counts on stderr\n"
"      --version          print the version and exit\n"
"      --weight=COL       prior weights from column COL\n";

enum {
	OPT_BY = CLI_OPT_FIRST_TOOL, OPT_FAMILY, OPT_FITTED, OPT_FOLDS, OPT_HOLDOUT, OPT_L2,
	OPT_PRICE, OPT_SEED, OPT_SHRINK, OPT_WEIGHT, OPT_TOL, OPT_MAX_ITER, OPT_MAP, OPT_REDUCE,
	OPT_FROM, OPT_RESPONSE_LOG,
	OPT_RETRANSFORM
};

/*
 * --buffer-size: a whole number with sort's suffixes (b bytes, K KiB,
 * the default, M MiB, G GiB, T TiB), at least 1 KiB.
 */
static size_t
size_arg(const char *arg)
{
	char *end;
	unsigned long long v, mul = 1024;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (end != arg && *end != 0 && end[1] == 0) {
		switch (*end) {
		case 'b': mul = 1; end++; break;
		case 'K': case 'k': mul = 1024; end++; break;
		case 'M': case 'm': mul = 1024ULL << 10; end++; break;
		case 'G': case 'g': mul = 1024ULL << 20; end++; break;
		case 'T': case 't': mul = 1024ULL << 30; end++; break;
		}
	}
	if (end == arg || *end != 0 || errno != 0 || arg[0] == '-' || v > SIZE_MAX / mul ||
	    v * mul < 1024)
		cli_usage("--buffer-size: expected a size of at least 1K such as 64M, not \"%s\"", arg);
	return (size_t)(v * mul);
}

/* The cores this process may run on (--jobs 0). */
static unsigned
cores(void)
{
	cpu_set_t set;
	long n;

	/* taskset, cgroups' cpusets and Slurm give a process fewer than the machine's */
	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
		n = CPU_COUNT(&set);
	else
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n > 256)
		n = 256;
	return n > 0 ? (unsigned)n : 1;
}

/*
 * What main holds, so that every way out frees it: under LeakSanitizer a
 * failing run must not leave the reader, the store or the formula behind.
 * The output writer is not freed on failure: that would flush rows that a
 * failed run does not write.
 */
struct run {
	struct formula *f;
	struct csvio_reader *in;
	struct acct *acct;       /* NULL until acct_init */
	struct store *s;
	long *field;
	json_t *doc;
};

static void
run_free(struct run *r)
{
	json_decref(r->doc);
	store_free(r->s);
	free(r->field);
	formula_free(r->f);
	csvio_close(r->in);
	memset(r, 0, sizeof *r);
}

/* What a failing run frees (cli_at_fail): the rejects temporary is removed. */
static void
run_cleanup(void *arg)
{
	struct run *r = arg;
	struct diag scratch;

	if (r->acct != NULL)
		acct_finish(r->acct, 0, &scratch);
	run_free(r);
}

/* store_read's callbacks: a refused row goes to the rejects; the progress line. */
struct reading {
	const struct cli_common *common;
	struct acct *acct;
	const char *input;
	struct cli_progress *progress;
};

static void
read_reject(void *arg, const struct csvio_row *row, struct diag *d)
{
	struct reading *r = arg;
	cli_reject(r->common, r->acct, r->input, row, d);
}

static void
read_progress(void *arg, unsigned long long rows, unsigned long long bytes)
{
	struct reading *r = arg;
	cli_progress(r->progress, "%llu rows read (%llu MB)", rows, bytes >> 20);
}

/* train.h's messages, as warnings. */
static void
note(void *arg, const char *msg)
{
	(void)arg;
	cli_warn("%s", msg);
}

/* What the progress line says while fitting (train.h's progress). */
struct fit_progress {
	struct cli_progress *line;
	unsigned long long rows;
	const char *by;
};

/*
 * Each fold at once (there are at most 1000, each a whole fit), the groups
 * (thousands, each quick) at most 4 times a second, the first at once.
 */
static void
fit_progress(void *arg, enum train_stage stage, size_t i, size_t n)
{
	struct fit_progress *fp = arg;

	if (stage == TRAIN_FOLD || i == 0)
		fp->line->shown = 0;
	if (stage == TRAIN_FOLD)
		cli_progress(fp->line, "fitting %llu rows: fold %zu of %zu", fp->rows, i + 1, n);
	else
		cli_progress(fp->line, "fitting %llu rows by %s: group %zu of %zu", fp->rows, fp->by,
		    i + 1, n);
}

/*
 * --reduce: the parts (argv[0..n)) merged in order into output; one word
 * on stdout.  Exits.
 */
static noreturn void
reduce(const struct cli_common *common, const char *from, const char *output, char **argv,
    int n)
{
	struct diag d;
	json_t *state = NULL, *out = NULL, **parts = xcalloc((size_t)n + 1, sizeof *parts);
	struct cli_path *ins = xcalloc((size_t)n + 1, sizeof *ins);
	const struct cli_path outs[] = { { "-o", output } };
	struct csvio_writer *w;
	struct atomic_file *af;
	int is_model, k;

	for (k = 0; k < n; k++)
		ins[k] = (struct cli_path){ "the part", argv[k] };
	ins[n] = (struct cli_path){ "--from", from };
	cli_check_paths(outs, 1, ins, (size_t)n + 1);
	if (from != NULL && (state = jsonfile_load(from, 0, &d)) == NULL)
		cli_fail_diag(EXIT_FAIL, &d);
	for (k = 0; k < n; k++)
		if ((parts[k] = jsonfile_load(argv[k], 0, &d)) == NULL)
			cli_fail_diag(EXIT_FAIL, &d);
	if (train_reduce_notes(state, from, parts, (const char *const *)argv, (size_t)n, &out,
	    &is_model, common->quiet ? NULL : note, NULL, &d) < 0)
		cli_fail_diag(EXIT_FAIL, &d);
	af = cli_output(output);
	if (model_write(out, atomic_fp(af), output, &d) < 0)
		cli_fail_diag(EXIT_FAIL, &d);
	cli_output_close(af);
	w = cli_open_output();
	csvio_put_str(w, is_model ? "model" : "state");
	csvio_end(w);
	json_decref(out);
	json_decref(state);
	for (k = 0; k < n; k++)
		json_decref(parts[k]);
	free(parts);
	free(ins);
	(void)common;
	cli_close_output(w);
	exit(EXIT_OK);
}

/* The options a model depends on that argv gave, as train_options_json names them. */
static void
give(json_t *given, const char *key, json_t *value)
{
	json_object_set_new(given, key, value);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONG,
		{ "buffer-size", required_argument, NULL, 'S' },
		{ "by",      required_argument, NULL, OPT_BY },
		{ "family",  required_argument, NULL, OPT_FAMILY },
		{ "fitted",  required_argument, NULL, OPT_FITTED },
		{ "folds",   required_argument, NULL, OPT_FOLDS },
		{ "formula", required_argument, NULL, 'f' },
		{ "from",    required_argument, NULL, OPT_FROM },
		{ "map",     no_argument,       NULL, OPT_MAP },
		{ "reduce",  no_argument,       NULL, OPT_REDUCE },
		{ "holdout", required_argument, NULL, OPT_HOLDOUT },
		{ "jobs",    required_argument, NULL, 'j' },
		{ "l2",      required_argument, NULL, OPT_L2 },
		{ "max-iter", required_argument, NULL, OPT_MAX_ITER },
		{ "output",  required_argument, NULL, 'o' },
		{ "price",   required_argument, NULL, OPT_PRICE },
		{ "response-log", no_argument,  NULL, OPT_RESPONSE_LOG },
		{ "retransform", required_argument, NULL, OPT_RETRANSFORM },
		{ "seed",    required_argument, NULL, OPT_SEED },
		{ "shrink",  no_argument,       NULL, OPT_SHRINK },
		{ "tol",     required_argument, NULL, OPT_TOL },
		{ "weight",  required_argument, NULL, OPT_WEIGHT },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_common common;
	struct train_opts o;
	const char *formula = NULL, *output = NULL, *fitted = NULL, *from = NULL;
	json_t *given = json_object(), *state = NULL;
	int map = 0, reduce_mode = 0;
	size_t buffer = STORE_SPILL_BYTES;
	struct csvio_writer *out;
	struct store_spec spec;
	struct acct acct;
	struct cli_progress progress;
	struct fit_progress fitp;
	struct diag d;
	struct run run;
	char input_name[DIAG_FILE_MAX];
	int opt, fam, retransform = -1;

	cli_init(argv);
	cli_common_init(&common);
	gsl_set_error_handler_off();
	memset(&o, 0, sizeof o);
	o.family = FIT_LINEAR;
	o.seed = 1;
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT "f:j:o:S:", longopts, NULL)) != -1) {
		if (cli_common_opt(&common, opt, optarg, help))
			continue;
		switch (opt) {
		case 'f': formula = optarg; give(given, "formula", json_string(optarg)); break;
		case OPT_MAP: map = 1; break;
		case OPT_REDUCE: reduce_mode = 1; break;
		case OPT_FROM: from = optarg; break;
		case 'o': output = optarg; break;
		case 'S': buffer = size_arg(optarg); break;
		case 'j':
			o.jobs = (unsigned)cli_long_arg("--jobs", optarg, 0, 256);
			if (o.jobs == 0)
				o.jobs = cores();
			break;
		case OPT_BY: o.by = optarg; give(given, "by", json_string(optarg)); break;
		case OPT_SHRINK: o.shrink = 1; break;
		case OPT_RESPONSE_LOG: o.response_log = 1; give(given, "response_log", json_true()); break;
		case OPT_RETRANSFORM:
			retransform = cli_word_arg("--retransform", optarg, (const char *const[]){
			    "normal", "smearing", "naive", NULL });
			give(given, "retransform", json_string(optarg));
			break;
		case OPT_FITTED: fitted = optarg; break;
		case OPT_PRICE: o.price = optarg; give(given, "price", json_string(optarg)); break;
		case OPT_WEIGHT: o.weight = optarg; give(given, "weight", json_string(optarg)); break;
		case OPT_FAMILY:
			/* R's names too; a wrong one exits 2 naming them all */
			(void)cli_word_arg("--family", optarg, (const char *const[]){
			    "linear", "logistic", "poisson", "gaussian", "binomial", NULL });
			fam = model_family_parse(optarg);
			o.family = (enum fit_family)fam;
			give(given, "family", json_string(model_family_name(o.family)));
			break;
		case OPT_FOLDS:
			o.folds = cli_long_arg("--folds", optarg, 2, 1000);
			give(given, "folds", json_integer(o.folds));
			break;
		case OPT_HOLDOUT:
			o.holdout = cli_num_arg("--holdout", optarg);
			if (!(o.holdout > 0 && o.holdout < 1))
				cli_usage("--holdout: expected a fraction between 0 and 1, not \"%s\"", optarg);
			give(given, "holdout", json_real(o.holdout));
			break;
		case OPT_L2:
			o.l2 = cli_num_arg("--l2", optarg);
			if (!(o.l2 >= 0) || !isfinite(o.l2))
				cli_usage("--l2: expected a number >= 0, not \"%s\"", optarg);
			give(given, "l2", json_real(o.l2));
			break;
		case OPT_TOL:
			o.tol = cli_num_arg("--tol", optarg);
			if (!(o.tol > 0) || !isfinite(o.tol))
				cli_usage("--tol: expected a number > 0, not \"%s\"", optarg);
			give(given, "tol", json_real(o.tol));
			break;
		case OPT_MAX_ITER:
			o.max_iter = cli_long_arg("--max-iter", optarg, 1, 100000);
			give(given, "max_iter", json_integer(o.max_iter));
			break;
		case OPT_SEED:
			o.seed = (unsigned long)cli_long_arg("--seed", optarg, 0, 4294967295L);
			give(given, "seed", json_integer((json_int_t)o.seed));
			break;
		default:
			cli_usage_try();
		}
	}
	if (map && reduce_mode)
		cli_usage("--map and --reduce exclude each other");
	if (from != NULL && !map && !reduce_mode)
		cli_usage("--from needs --map or --reduce");
	if ((map || reduce_mode) && (o.shrink || fitted != NULL ||
	    retransform == MODEL_RETRANSFORM_SMEARING))
		cli_usage("--map and --reduce fit the model only: no --shrink, --fitted or --retransform "
		    "smearing");
	if (reduce_mode) {
		if (json_object_size(given) > 0)
			cli_usage("--reduce: the parts and the state hold the formula and the options; "
			    "give only --from, -o and the parts");
		if (output == NULL)
			cli_usage("--reduce needs -o OUT (the state or the model)");
		if (optind >= argc)
			cli_usage("--reduce needs the parts to merge");
		json_decref(given);
		reduce(&common, from, output, argv + optind, argc - optind);
	}
	if (argc - optind > 1)
		cli_usage("too many arguments: one input file at most");
	if (map && output != NULL)
		cli_usage("--map writes its part on stdout, not with -o");
	if (map && from != NULL) {
		const char *key, *sf;
		json_t *v;
		if ((state = jsonfile_load(from, 0, &d)) == NULL ||
		    train_state_options(state, from, &o, &sf, &d) < 0)
			cli_fail_diag(EXIT_FAIL, &d);
		json_object_foreach(given, key, v) {
			const json_t *sv = json_object_get(json_object_get(state, "options"), key);
			if (!json_equal(v, (json_t *)sv)) {
				char *a = json_dumps(v, JSON_ENCODE_ANY), *b = json_dumps(sv, JSON_ENCODE_ANY);
				char msg[DIAG_WHAT_MAX + 2 * DIAG_VALUE_MAX];
				snprintf(msg, sizeof msg, "--map: %s %s does not agree with the state %s (%s)",
				    strcmp(key, "formula") == 0 ? "the formula" : key, a, from, b ? b : "null");
				free(a);
				free(b);
				json_decref(given);
				json_decref(state);
				cli_usage("%s", msg);
			}
		}
		formula = sf;
		if (o.retransform != MODEL_RETRANSFORM_NORMAL)
			retransform = (int)o.retransform;
	}
	if (formula == NULL)
		cli_usage("a formula is required (-f 'y ~ x')");
	if (o.holdout > 0 && o.folds > 0)
		cli_usage("--holdout and --folds exclude each other");
	{
		const struct cli_path outs[] = { { "-o", output }, { "--fitted", fitted },
		    { "--rejects", common.rejects } };
		const struct cli_path ins[] = { { "the input", optind < argc ? argv[optind] : NULL } };
		cli_check_paths(outs, 3, ins, 1);
	}
	if (o.shrink && o.by == NULL)
		cli_usage("--shrink needs --by (it shrinks the groups' models toward the pooled one)");
	memset(&run, 0, sizeof run);
	cli_at_fail(run_cleanup, &run);
	if ((run.f = formula_parse(formula, &d)) == NULL)
		cli_usage_diag(NULL, &d);
	memset(&spec, 0, sizeof spec);
	spec.f = run.f;
	if ((spec.price = train_price_col(run.f, &o.price, &d)) < -1)
		cli_usage_diag(NULL, &d);
	{
		const char *y = formula_col(run.f, formula_response_col(run.f));
		if (o.response_log && o.family != FIT_LINEAR)
			cli_usage("--response-log needs the linear family (a linear model of the log "
			    "of the demand), not --family %s", model_family_name(o.family));
		if (formula_response_log(run.f) && o.family != FIT_LINEAR)
			cli_usage("log(%s) ~ ... needs the linear family (a linear model of the log of "
			    "the demand), not --family %s", y, model_family_name(o.family));
		if (o.response_log && formula_response_log(run.f))
			cli_usage("--response-log: the formula takes the log of the response already "
			    "(log(%s)): use one of them", y);
	}
	if (retransform >= 0 && !o.response_log && !formula_response_log(run.f))
		cli_usage("--retransform needs a model of a log (--response-log, or log(y) ~ ...)");
	if (retransform == MODEL_RETRANSFORM_SMEARING && o.shrink)
		cli_usage("--retransform smearing and --shrink exclude each other (the residuals "
		    "of shrunk coefficients are not those of a fit)");
	o.retransform = retransform >= 0 ? (enum model_retransform)retransform :
	    MODEL_RETRANSFORM_NORMAL;

	run.in = csvio_open_opts(optind < argc ? argv[optind] : NULL, cli_input_opts(&common), &d);
	if (run.in == NULL)
		cli_fail_diag(EXIT_FAIL, &d);
	run.field = xrealloc(NULL, formula_ncols(run.f) * sizeof *run.field);
	if (store_spec_columns(&spec, run.in, run.field, o.weight, o.by, &d) < 0)
		cli_fail_diag(EXIT_FAIL, &d);
	acct_init(&acct);
	cli_open_rejects(&common, &acct, csvio_header(run.in));
	run.acct = &acct;
	run.s = store_new(&spec);
	store_set_buffer(run.s, buffer);
	if (state != NULL && train_state_prepare(state, run.f, run.s, &d) < 0) {
		snprintf(d.file, sizeof d.file, "%s", from);
		cli_fail_diag(EXIT_FAIL, &d);
	}
	/* --fitted reads the rows back in order, --by group by group (store_by_group) */
	store_allow_spill(run.s);

	cli_progress_init(&progress, &common);
	{
		struct reading rc = { &common, &acct, csvio_name(run.in), &progress };
		struct store_read_opts ro = { o.jobs, 0, read_reject, read_progress, &rc };
		if (store_read(run.s, run.in, &ro, &acct.n_in, &d) < 0)
			cli_fail_diag(EXIT_FAIL, &d);
		acct.n_out = run.s->n;
	}

	o.quiet = common.quiet;
	o.verbose = common.verbose;
	o.strict = common.strict;
	o.keep_store = fitted != NULL;
	o.dropped = acct.n_rejected;
	o.acct = &acct;
	o.note = note;
	if (map) {
		json_t *part;
		if (train_map(&o, run.f, run.s, formula, state, from, csvio_name(run.in), &part, &d) < 0)
			cli_fail_diag(EXIT_FAIL, &d);
		errno = 0;
		if (json_dumpf(part, stdout, JSON_INDENT(1)) != 0 || fputc('\n', stdout) == EOF)
			cli_fail(EXIT_FAIL, "stdout: write error: %s", strerror(errno ? errno : EIO));
		json_decref(part);
		json_decref(state);
		json_decref(given);
		cli_at_fail(NULL, NULL);
		snprintf(input_name, sizeof input_name, "%s", csvio_name(run.in));
		run_free(&run);
		cli_finish_rows(&common, &acct, input_name);
		cli_close_output(NULL);
		return EXIT_OK;
	}
	json_decref(given);
	out = cli_open_output();
	if (acct.n_in > 0x3fff) {
		progress.shown = 0;   /* this line at once */
		cli_progress(&progress, "fitting %llu rows%s%s%s", acct.n_out,
		    o.folds ? ", with cross-validation" : "", o.by ? " by " : "", o.by ? o.by : "");
		fitp.line = &progress;
		fitp.rows = acct.n_out;
		fitp.by = o.by;
		o.progress = fit_progress;
		o.progress_arg = &fitp;
	}
	if (train_run(&o, run.f, run.s, csvio_name(run.in), out, &run.doc, &d) < 0) {
		cli_progress_done(&progress);
		cli_fail_diag(EXIT_FAIL, &d);
	}
	cli_progress_done(&progress);
	/* renamed into place by cli_finish, when stdout is written too */
	if (output) {
		struct atomic_file *af = cli_output(output);
		if (model_write(run.doc, atomic_fp(af), output, &d) < 0)
			cli_fail_diag(EXIT_FAIL, &d);
		cli_output_close(af);
	}
	if (fitted) {
		struct atomic_file *af = cli_output(fitted);
		if (train_write_fitted(&o, run.s, run.f, run.doc, atomic_fp(af), fitted, &d) < 0)
			cli_fail_diag(EXIT_FAIL, &d);
		cli_output_close(af);
	}
	/* free all but the writer and the counts first: cli_finish may exit */
	cli_at_fail(NULL, NULL);
	snprintf(input_name, sizeof input_name, "%s", csvio_name(run.in));
	run_free(&run);
	cli_finish(&common, &acct, input_name, out);
	return EXIT_OK;
}
