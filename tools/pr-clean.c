/*
 * pr-clean - turn a raw CSV export into a file the rest of the pipe can
 * trust: check and normalise column types, make missing values empty, fill,
 * clip and drop, remove duplicates; every row is written or rejected with a
 * reason.  Streams, except that --fill mean|median|mode and --winsorize
 * read the input twice (standard input is held in a temporary file).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acct.h"
#include "clean.h"
#include "cli.h"
#include "csvio.h"
#include "diag.h"
#include "pseudo.h"
#include "source.h"

static const char help[] =
"Usage: pr-clean [OPTION]... [FILE]\n"
"Check and normalise a CSV file: FILE, or standard input when FILE is - or absent.\n"
"Per row: shape, missing spellings, types, range/clip/winsorize, fill,\n"
"drop-missing, dedupe, then keep/drop/rename.\n"
"\n"
"      --bad-to-missing   make a value that cannot be read missing instead of\n"
"                         rejecting its row\n"
"      --bool=COLS        yes/no columns: true/false, yes/no, y/n, t/f, on/off,\n"
"                         1/0 (any case) are written 1 or 0\n"
"      --clip=COL=LO:HI   clip a numeric column to [LO, HI] (either side may be empty)\n"
"  -d, --delimiter=CHAR   input field delimiter (default ,)\n"
"      --date=COLS        date columns, written YYYY-MM-DD\n"
"      --date-order=ORDER read N/N/YYYY dates as dmy or mdy (default: reject them)\n"
"      --decimal-comma    numbers are written 1.234,5 (',' is the decimal mark)\n"
"      --dedupe           drop a row equal to an earlier one (all output columns)\n"
"      --dedupe-key=COLS  drop a row whose COLS equal an earlier row's\n"
"      --drop=COLS        leave out these columns\n"
"      --drop-missing=COLS  drop a row where one of COLS is missing (after --fill)\n"
"      --fill=COL=VALUE   fill missing values of COL with VALUE, or with the\n"
"                         column's mean, median or mode (reads the input twice)\n"
"  -h, --help             print this help and exit\n"
"      --int=COLS         whole-number columns, every digit kept\n"
"      --keep=COLS        write only these columns (in input order)\n"
"      --keep-na          NA is a value, not a missing spelling\n"
"      --key-file=FILE    the secret key of --pseudonymize (mode 600 or stricter)\n"
"      --missing=LIST     the spellings of a missing value (default:\n"
"                         " CLEAN_MISSING_DEFAULT ")\n"
"      --names=LIST       the columns' names, for a file without a header row\n"
"      --no-header        the first line is data; columns V1..Vn unless --names\n"
"      --num=COLS         numeric columns: $1,234.50 is written 1234.5\n"
"      --pad              pad a short row with empty fields, and drop empty\n"
"                         fields past the header's width, instead of rejecting\n"
"      --percent=COLS     numeric columns where 12% is written 0.12\n"
"      --part=N:ROWS      this run is part N of an input split into parts of ROWS\n"
"                         lines (parallel --pipe -N ROWS --header : ... --part {#}:ROWS):\n"
"                         no header after part 1, line numbers of the whole input\n"
"      --part=N/M         this run reads the N-th of M parts of FILE, a regular\n"
"                         file, itself (parallel -k ... --part {}/M FILE ::: $(seq M)):\n"
"                         no header after part 1, line numbers of the whole input\n"
"      --pseudonym-format=FORMAT  hex (default, 64 characters) or base32 (52)\n"
"      --pseudonym-length=N  keep the first N characters (16 or more)\n"
"      --pseudonymize=COLS  replace each value of COLS (output names) by its\n"
"                         HMAC-SHA-256 under --key-file\n"
"  -q, --quiet            say nothing on stderr unless the run fails\n"
"      --range=COL=LO:HI  reject a row whose COL is outside [LO, HI]\n"
"      --rejects=FILE     write rejected rows to FILE with _line and _reason\n"
"      --rename=OLD=NEW   call column OLD NEW in the output\n"
"      --spec=FILE        column types from FILE: lines 'COLUMN TYPE', TYPE one\n"
"                         of text, num, int, date, bool, percent\n"
"      --allow-empty      a run that reads data rows and writes none succeeds\n"
"      --strict           fail on the first row rejected for bad data\n"
"  -t, --tab              input fields are separated by tabs\n"
"      --text=COLS        text columns: spaces and tabs at both ends removed\n"
"  -v, --verbose          always print the row counts on stderr\n"
"      --version          print the version and exit\n"
"      --winsorize=COL=P:Q  clip a numeric column at its P and Q quantiles\n"
"                         (R type 7; reads the input twice)\n";

enum {
	OPT_BAD_TO_MISSING = CLI_OPT_FIRST_TOOL, OPT_BOOL, OPT_CLIP, OPT_DATE, OPT_DATE_ORDER,
	OPT_DECIMAL_COMMA, OPT_DEDUPE, OPT_DEDUPE_KEY, OPT_DROP, OPT_DROP_MISSING, OPT_FILL,
	OPT_INT, OPT_KEEP, OPT_MISSING, OPT_NUM, OPT_PAD, OPT_PERCENT, OPT_RANGE, OPT_RENAME,
	OPT_SPEC, OPT_TEXT, OPT_WINSORIZE, OPT_KEY_FILE, OPT_PSEUDONYM_FORMAT,
	OPT_PSEUDONYM_LENGTH, OPT_PSEUDONYMIZE
};

/* getopt's value -> the cleaner's option, and the name for messages. */
static const struct {
	int opt;
	enum clean_opt which;
	const char *name;
} tool_opts[] = {
	{ OPT_BAD_TO_MISSING, CLEAN_OPT_BAD_TO_MISSING, "--bad-to-missing" },
	{ OPT_BOOL, CLEAN_OPT_BOOL, "--bool" },
	{ OPT_CLIP, CLEAN_OPT_CLIP, "--clip" },
	{ OPT_DATE, CLEAN_OPT_DATE, "--date" },
	{ OPT_DATE_ORDER, CLEAN_OPT_DATE_ORDER, "--date-order" },
	{ OPT_DECIMAL_COMMA, CLEAN_OPT_DECIMAL_COMMA, "--decimal-comma" },
	{ OPT_DEDUPE, CLEAN_OPT_DEDUPE, "--dedupe" },
	{ OPT_DEDUPE_KEY, CLEAN_OPT_DEDUPE_KEY, "--dedupe-key" },
	{ OPT_DROP, CLEAN_OPT_DROP, "--drop" },
	{ OPT_DROP_MISSING, CLEAN_OPT_DROP_MISSING, "--drop-missing" },
	{ OPT_FILL, CLEAN_OPT_FILL, "--fill" },
	{ OPT_INT, CLEAN_OPT_INT, "--int" },
	{ OPT_KEEP, CLEAN_OPT_KEEP, "--keep" },
	{ OPT_MISSING, CLEAN_OPT_MISSING, "--missing" },
	{ OPT_NUM, CLEAN_OPT_NUM, "--num" },
	{ OPT_PAD, CLEAN_OPT_PAD, "--pad" },
	{ OPT_PERCENT, CLEAN_OPT_PERCENT, "--percent" },
	{ OPT_RANGE, CLEAN_OPT_RANGE, "--range" },
	{ OPT_RENAME, CLEAN_OPT_RENAME, "--rename" },
	{ OPT_SPEC, CLEAN_OPT_SPEC, "--spec" },
	{ OPT_TEXT, CLEAN_OPT_TEXT, "--text" },
	{ OPT_WINSORIZE, CLEAN_OPT_WINSORIZE, "--winsorize" },
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONG,
		CLI_PART_LONG,
		{ "bad-to-missing", no_argument, NULL, OPT_BAD_TO_MISSING },
		{ "bool", required_argument, NULL, OPT_BOOL },
		{ "clip", required_argument, NULL, OPT_CLIP },
		{ "date", required_argument, NULL, OPT_DATE },
		{ "date-order", required_argument, NULL, OPT_DATE_ORDER },
		{ "decimal-comma", no_argument, NULL, OPT_DECIMAL_COMMA },
		{ "dedupe", no_argument, NULL, OPT_DEDUPE },
		{ "dedupe-key", required_argument, NULL, OPT_DEDUPE_KEY },
		{ "drop", required_argument, NULL, OPT_DROP },
		{ "drop-missing", required_argument, NULL, OPT_DROP_MISSING },
		{ "fill", required_argument, NULL, OPT_FILL },
		{ "int", required_argument, NULL, OPT_INT },
		{ "keep", required_argument, NULL, OPT_KEEP },
		{ "key-file", required_argument, NULL, OPT_KEY_FILE },
		{ "missing", required_argument, NULL, OPT_MISSING },
		{ "num", required_argument, NULL, OPT_NUM },
		{ "pad", no_argument, NULL, OPT_PAD },
		{ "percent", required_argument, NULL, OPT_PERCENT },
		{ "pseudonym-format", required_argument, NULL, OPT_PSEUDONYM_FORMAT },
		{ "pseudonym-length", required_argument, NULL, OPT_PSEUDONYM_LENGTH },
		{ "pseudonymize", required_argument, NULL, OPT_PSEUDONYMIZE },
		{ "range", required_argument, NULL, OPT_RANGE },
		{ "rename", required_argument, NULL, OPT_RENAME },
		{ "spec", required_argument, NULL, OPT_SPEC },
		{ "text", required_argument, NULL, OPT_TEXT },
		{ "winsorize", required_argument, NULL, OPT_WINSORIZE },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_common common;
	struct clean_opts *opts;
	struct clean *clean;
	struct csvio_reader *first = NULL, *in;
	struct source *src = NULL;
	struct csvio_writer *out;
	struct csvio_row row, cleaned, ahead, pseudonymous;
	struct pseudo_cols *pseudo = NULL;
	const char *pseudo_names = NULL, *key_file = NULL;
	enum pseudo_enc pseudo_enc = PSEUDO_HEX;
	long pseudo_length = 0;
	int prefetch;
	struct acct acct;
	struct diag d;
	const char *path;
	size_t i;
	int opt, got, dedupe = 0, missing_given = 0;

	cli_init(argv);
	cli_common_init(&common);
	if ((opts = clean_opts_new()) == NULL)
		cli_fail(EXIT_FAIL, "out of memory");
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, longopts, NULL)) != -1) {
		if (cli_common_opt(&common, opt, optarg, help))
			continue;
		switch (opt) {
		case OPT_KEY_FILE: key_file = optarg; continue;
		case OPT_PSEUDONYMIZE: pseudo_names = optarg; continue;
		case OPT_PSEUDONYM_FORMAT:
			pseudo_enc = cli_word_arg("--pseudonym-format", optarg,
			    (const char *const[]){ "hex", "base32", NULL }) ? PSEUDO_BASE32 : PSEUDO_HEX;
			continue;
		case OPT_PSEUDONYM_LENGTH:
			pseudo_length = cli_long_arg("--pseudonym-length", optarg, PSEUDO_MIN_LEN,
			    PSEUDO_HEX_LEN);
			continue;
		}
		if (opt == OPT_DEDUPE || opt == OPT_DEDUPE_KEY)
			dedupe = 1;
		missing_given |= opt == OPT_MISSING;
		for (i = 0; i < sizeof tool_opts / sizeof tool_opts[0] && tool_opts[i].opt != opt; i++)
			;
		if (i == sizeof tool_opts / sizeof tool_opts[0])
			cli_usage_try();
		if (clean_opts_set(opts, tool_opts[i].which, optarg, &d) < 0)
			cli_usage_diag(tool_opts[i].name, &d);
	}
	if (argc - optind > 1)
		cli_usage("too many arguments: one input file at most");
	/*
	 * NA is one of pr-clean's own missing spellings (--missing), so its
	 * reader hands NA out as it is; --keep-na takes it off the default
	 * list (which starts "NA,").
	 */
	if (common.keep_na && !missing_given &&
	    clean_opts_set(opts, CLEAN_OPT_MISSING, CLEAN_MISSING_DEFAULT + 3, &d) < 0)
		cli_usage_diag("--keep-na", &d);
	common.keep_na = 1;
	if (clean_opts_check(opts, &d) < 0)
		cli_usage_diag(NULL, &d);
	if (common.part > 0 && (dedupe || clean_opts_need_stats(opts)))
		cli_usage("--part cannot be given with %s (it needs the whole input)",
		    dedupe ? "--dedupe or --dedupe-key" : "--fill mean|median|mode or --winsorize");
	path = optind < argc ? argv[optind] : NULL;
	if ((pseudo_names != NULL) != (key_file != NULL))
		cli_usage(pseudo_names ? "--pseudonymize needs --key-file" :
		    "--key-file needs --pseudonymize");
	if (pseudo_names == NULL && (pseudo_enc != PSEUDO_HEX || pseudo_length != 0))
		cli_usage("%s needs --pseudonymize", pseudo_length ? "--pseudonym-length" :
		    "--pseudonym-format");
	if (pseudo_enc == PSEUDO_BASE32 && pseudo_length > PSEUDO_BASE32_LEN)
		cli_usage("--pseudonym-length: a base32 pseudonym has at most %d characters",
		    PSEUDO_BASE32_LEN);
	{
		const struct cli_path outs[] = { { "--rejects", common.rejects } };
		const struct cli_path ins[] = { { "the input", path }, { "--key-file", key_file } };
		cli_check_paths(outs, 1, ins, 2);
	}
	cli_part_check(path);

	/* Statistics of whole columns: a first pass over the same rows. */
	if (clean_opts_need_stats(opts)) {
		if ((src = source_open(path, &d)) == NULL ||
		    (first = source_reader_opts(src, cli_input_opts(&common), &d)) == NULL)
			cli_fail_diag(EXIT_FAIL, &d);
		if ((clean = clean_new(opts, first, &d)) == NULL)
			cli_fail_diag(EXIT_FAIL, &d);
		while ((got = csvio_next(first, &row, &d)) > 0)
			if (clean_stats_row(clean, &row, &d) < 0)
				cli_fail_diag(EXIT_FAIL, &d);
		if (got < 0)
			cli_fail_diag(EXIT_FAIL, &d);
		if (clean_stats_finish(clean, &d) < 0) {
			snprintf(d.file, sizeof d.file, "%s", csvio_name(first));
			cli_fail_diag(EXIT_FAIL, &d);
		}
		if ((in = source_reader_opts(src, cli_input_opts(&common), &d)) == NULL)
			cli_fail_diag(EXIT_FAIL, &d);
	} else {
		in = cli_open_input(path, common.delim);
		if ((clean = clean_new(opts, in, &d)) == NULL)
			cli_fail_diag(EXIT_FAIL, &d);
	}

	if (pseudo_names != NULL) {
		struct pseudo *p = pseudo_open(key_file, pseudo_enc, (size_t)pseudo_length, &d);
		if (p == NULL || (pseudo = pseudo_cols_new(p, clean_header(clean), pseudo_names,
		    &d)) == NULL)
			cli_fail_diag(EXIT_FAIL, &d);
	}
	out = cli_open_output();
	acct_init(&acct);
	cli_open_rejects(&common, &acct, csvio_header(in));
	if (clean_header(clean)->n > 0) {
		csvio_put_row(out, clean_header(clean));
		csvio_end(out);
	}
	prefetch = clean_prefetches(clean);
	while ((got = csvio_next(in, &row, &d)) > 0) {
		acct.n_in++;
		/* A million distinct keys: each probe would wait for memory. */
		if (prefetch && csvio_peek(in, 8, &ahead))
			clean_prefetch(clean, &ahead);
		switch (clean_row(clean, &row, &cleaned, &d)) {
		case CLEAN_ROW_OUT:
			if (pseudo != NULL) {
				pseudo_cols_row(pseudo, &cleaned, &pseudonymous);
				cleaned = pseudonymous;
			}
			csvio_put_row(out, &cleaned);
			csvio_end(out);
			acct.n_out++;
			break;
		case CLEAN_ROW_BAD:
			cli_reject(&common, &acct, csvio_name(in), &row, &d);
			break;
		case CLEAN_ROW_DROP:
			/* Removed on request: counted and kept with --rejects, never a failure. */
			acct_reject(&acct, &row, &d);
			break;
		case CLEAN_ROW_ERROR:
			acct_finish(&acct, 0, &d);
			cli_fail_diag(EXIT_FAIL, &d);
		}
	}
	if (got < 0) {
		acct_finish(&acct, 0, &d);
		cli_fail_diag(EXIT_FAIL, &d);
	}
	cli_finish(&common, &acct, csvio_name(in), out);
	if (common.verbose && (clean_n_bad_to_missing(clean) > 0 || clean_n_filled(clean) > 0))
		cli_warn("%s: %llu bad values made missing, %llu missing values filled",
		    csvio_name(in), clean_n_bad_to_missing(clean), clean_n_filled(clean));
	clean_free(clean);
	pseudo_cols_free(pseudo);
	csvio_close(in);
	csvio_close(first);
	source_close(src);
	clean_opts_free(opts);
	return EXIT_OK;
}
