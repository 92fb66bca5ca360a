/*
 * pr-clean - turn a raw CSV export into a file the rest of the pipe can
 * trust: check and normalise column types, make missing values empty, fill,
 * clip and drop, remove duplicates; every row is written or rejected with a
 * reason.  (Skeleton: pass-through with shape checks; see issue 2.)
 */
#include <stdlib.h>
#include <string.h>

#include "acct.h"
#include "cli.h"
#include "csvio.h"
#include "diag.h"

static const char help[] =
"Usage: pr-clean [OPTION]... [FILE]\n"
"Check and normalise a CSV file: FILE, or standard input when FILE is - or absent.\n"
"\n"
"  -d, --delimiter=CHAR   input field delimiter (default ,)\n"
"  -h, --help             print this help and exit\n"
"  -q, --quiet            say nothing on stderr unless the run fails\n"
"      --rejects=FILE     write rejected rows to FILE with _line and _reason\n"
"      --strict           fail on the first rejected row\n"
"  -t, --tab              input fields are separated by tabs\n"
"  -v, --verbose          always print the row counts on stderr\n"
"      --version          print the version and exit\n";

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONG,
		{ NULL, 0, NULL, 0 }
	};
	struct cli_common common;
	struct csvio_reader *in;
	struct csvio_writer *out;
	struct csvio_row row;
	struct acct acct;
	struct diag d;
	size_t ncols;
	int opt, got;

	cli_init(argv);
	cli_common_init(&common);
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, longopts, NULL)) != -1) {
		if (cli_common_opt(&common, opt, optarg, help))
			continue;
		cli_usage_try();
	}
	if (argc - optind > 1)
		cli_usage("too many arguments: one input file at most");

	in = cli_open_input(optind < argc ? argv[optind] : NULL, common.delim);
	out = cli_open_output();
	acct_init(&acct);
	ncols = csvio_ncols(in);
	if (common.rejects != NULL && acct_open_rejects(&acct, common.rejects, csvio_header(in), &d) < 0)
		cli_fail_diag(EXIT_FAIL, &d);
	if (ncols > 0) {
		csvio_put_row(out, csvio_header(in));
		csvio_end(out);
	}
	while ((got = csvio_next(in, &row, &d)) > 0) {
		acct.n_in++;
		if (row.n != ncols) {
			diag_set(&d, NULL, 0, NULL, NULL, 0, "%s fields (expected %zu)",
			    row.n > ncols ? "too many" : "too few", ncols);
			cli_reject(&common, &acct, csvio_name(in), &row, &d);
			continue;
		}
		csvio_put_row(out, &row);
		csvio_end(out);
		acct.n_out++;
	}
	if (got < 0) {
		acct_finish(&acct, 0, &d);
		cli_fail_diag(EXIT_FAIL, &d);
	}
	cli_finish_rows(&common, &acct, csvio_name(in));
	csvio_close(in);
	cli_close_output(out);
	return EXIT_OK;
}
