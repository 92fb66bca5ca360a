/*
 * cli.h - what every program's main shares: the program name, messages in
 * the one shape, exit status, and the options every program has.
 *
 * This is the only place that prints or exits; common/ returns diagnostics
 * and main hands them here.  It lives in tools/, not common/, for that
 * reason.
 */
#ifndef PR_CLI_H
#define PR_CLI_H

#include <getopt.h>
#include <stdio.h>
#include <stdnoreturn.h>

#include "acct.h"
#include "csvio.h"
#include "diag.h"

#define PR_VERSION "0.1.0"

/* Exit status (pr-toolkit(7), EXIT STATUS). */
#define EXIT_OK     0
#define EXIT_FAIL   1
#define EXIT_USAGE  2
#define EXIT_CHECK  3

/* Long-only options shared by the programs (values above any char). */
enum {
	CLI_OPT_VERSION = 1000,
	CLI_OPT_REJECTS,
	CLI_OPT_STRICT,
	CLI_OPT_LINE_BUFFERED,      /* in the tables of the programs that serve */
	CLI_OPT_ALLOW_EMPTY,
	CLI_OPT_PART,               /* in the tables of the row-parallel programs */
	CLI_OPT_KEEP_NA,
	CLI_OPT_NAMES,
	CLI_OPT_NO_HEADER,
	CLI_OPT_FIRST_TOOL = 1100   /* a program's own long-only options start here */
};

/* Options every program has; put CLI_COMMON_LONG in the option table. */
#define CLI_COMMON_SHORT "d:hqtv"
#define CLI_COMMON_LONG \
	{ "allow-empty", no_argument,     NULL, CLI_OPT_ALLOW_EMPTY }, \
	{ "delimiter", required_argument, NULL, 'd' }, \
	{ "help",      no_argument,       NULL, 'h' }, \
	{ "keep-na",   no_argument,       NULL, CLI_OPT_KEEP_NA }, \
	{ "names",     required_argument, NULL, CLI_OPT_NAMES }, \
	{ "no-header", no_argument,       NULL, CLI_OPT_NO_HEADER }, \
	{ "quiet",     no_argument,       NULL, 'q' }, \
	{ "rejects",   required_argument, NULL, CLI_OPT_REJECTS }, \
	{ "strict",    no_argument,       NULL, CLI_OPT_STRICT }, \
	{ "tab",       no_argument,       NULL, 't' }, \
	{ "verbose",   no_argument,       NULL, 'v' }, \
	{ "version",   no_argument,       NULL, CLI_OPT_VERSION }

/*
 * --part, for the programs that work row by row (pr-clean, pr-features
 * --apply, pr-score, pr-optimize), in two forms:
 *  - N:ROWS: this run reads part N of an input split into parts of ROWS
 *    lines after the header, as `parallel --pipe -N ROWS --header :`
 *    splits it; the lines of rows and messages count from line
 *    2 + (N - 1) * ROWS.  ROWS 0: parts of unknown length (parallel
 *    --pipepart), lines counted within the part.
 *  - N/M: this run reads the N-th of M parts of a regular file itself (the
 *    file named, or a standard input that is one; a pipe is a usage
 *    error): the data rows that start in the bytes from data + (N - 1) *
 *    size / M to data + N * size / M (data: where the rows start; size:
 *    the bytes after it), each cut moved forward to the next record
 *    boundary, with lines counted as in the whole file.  No bytes go
 *    through a pipe: `parallel -k pr-score --part {}/M FILE ::: 1 ... M`.
 * Either way, parts after the first write no header (on stdout and in
 * --rejects), so that the parts' outputs joined in order are the bytes of
 * one run.
 */
#define CLI_PART_LONG { "part", required_argument, NULL, CLI_OPT_PART }

struct cli_common {
	unsigned char delim;      /* input delimiter, ',' by default */
	int quiet, verbose, strict;
	int allow_empty;          /* --allow-empty: data rows in and none out is not a failure */
	int keep_na;              /* --keep-na: NA in the input is text */
	int no_header;            /* --no-header or --names */
	const char *rejects;      /* --rejects FILE, or NULL */
	long part, part_rows;     /* --part N:ROWS, or N of N/M; 0 when not a part */
	long part_of;             /* M of --part N/M; 0 for N:ROWS or no part */
};

/*
 * Set the program name used in messages; call first in main.  Also sets
 * argv[0] to the base name, for getopt's messages, and makes SIGINT, SIGTERM,
 * SIGHUP (unless ignored when the program started) and SIGPIPE (always: a
 * closed output pipe ends the program quietly, whatever the parent set)
 * remove the run's temporaries before the program dies of the signal.
 */
void cli_init(char **argv);
const char *cli_prog(void);

/* Defaults for the common options. */
void cli_common_init(struct cli_common *c);

/*
 * Handle opt if it is a common option: returns 1 if it was, 0 if not.
 * --help prints help (to stdout) and exits 0; --version exits 0; a bad
 * delimiter is a usage error; '?' (getopt refused an option and said so)
 * adds "did you mean '--OPTION'?" when one of the options help lists is
 * near the one given, and exits 2.
 */
int cli_common_opt(struct cli_common *c, int opt, const char *arg, const char *help);

/*
 * Register main's cleanup: cli_fail, cli_fail_diag, cli_reject under
 * --strict and the usage exits call cleanup(arg) once before they exit, so
 * a failing run frees what it holds and removes its temporaries (and
 * LeakSanitizer sees no leak).  NULL unregisters: do that before main
 * frees the same things on its way out.
 */
void cli_at_fail(void (*cleanup)(void *arg), void *arg);

/*
 * The files a run writes besides stdout (-o, --fit, --rejects...), with one
 * commit point: each goes to a temporary (atomic.h) that is renamed into
 * place only by cli_finish or cli_close_output, after every output, stdout
 * included, was written and closed without error.  Any failure, exit or
 * signal before that removes every temporary, so a failed run replaces
 * nothing.  A target that is not a regular file is written through.
 *
 * cli_output opens path or exits 1 with the message; the stream is
 * atomic_fp(af).  cli_output_close(af) flushes and closes it when its
 * writing is done (a write error is fatal: "prog: PATH: write error: ...").
 */
struct atomic_file;
struct atomic_file *cli_output(const char *path);
void cli_output_close(struct atomic_file *af);

/* --rejects: open the file (cli_output) and start a's rejects in it; nothing without --rejects. */
void cli_open_rejects(const struct cli_common *c, struct acct *a, const struct csvio_row *header);

/*
 * An output that is also an input destroys it: exit 2 (before anything is
 * read) when an output path names the same file as an input, standard input
 * or standard output, or another output, by device and inode (so links and
 * other spellings are caught).  path NULL entries are skipped; an input
 * path NULL or "-" is standard input.  option names the path in the
 * message ("--rejects h.csv is also the input h.csv").
 */
struct cli_path {
	const char *option;       /* "--rejects", "-o"; "the input" for a file argument */
	const char *path;
};
void cli_check_paths(const struct cli_path *outputs, size_t n_outputs,
    const struct cli_path *inputs, size_t n_inputs);

/* "prog: message" on stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn_diag(const struct diag *d);

/* "prog: message" on stderr, then exit(status). */
noreturn void cli_fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
noreturn void cli_fail_diag(int status, const struct diag *d);

/* "prog: message" and "Try 'prog --help' for more information." then exit 2. */
noreturn void cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void cli_usage_diag(const char *option, const struct diag *d);
/* For getopt's '?': getopt has already printed its line. */
noreturn void cli_usage_try(void);

/*
 * One rejected row: fail at once under --strict (exit 1 with d's message,
 * located at row's line in the input name), else count it in a.
 */
void cli_reject(const struct cli_common *c, struct acct *a, const char *input_name,
    const struct csvio_row *row, struct diag *d);

/*
 * End of input, for a program whose stdout is not a CSV writer (pr-report):
 * close the rejects (a write error is fatal), fail when data rows came in
 * and none was used (unless --allow-empty: exit 1, "prog: NAME: no row
 * written: N rows in, 0 out, N rejected (reasons)"), and print the rows
 * summary when any row was rejected (unless --quiet) or always with
 * --verbose.  Nothing is committed: cli_close_output(NULL) does that.
 */
void cli_finish_rows(const struct cli_common *c, struct acct *a, const char *input_name);

/*
 * The commit point: flush and free the output writer (w may be NULL), close
 * stdout, close every cli_output file, and only then rename them all into
 * place.  A write error is fatal (exit 1, "prog: stdout: write error: ...")
 * and replaces nothing.
 */
void cli_close_output(struct csvio_writer *w);

/*
 * The end of a streaming program: cli_finish_rows, then cli_close_output.
 * The summary is printed last, when every file it counts is in place.
 */
void cli_finish(const struct cli_common *c, struct acct *a, const char *input_name,
    struct csvio_writer *w);

/*
 * How the program's input is read, from the common options: delim, NA a
 * missing value unless --keep-na, no header with --no-header (columns
 * V1..Vn) or --names LIST.  c NULL: the options cli_common_init was
 * given.  Valid until the next call.
 */
const struct csvio_opts *cli_input_opts(const struct cli_common *c);

/*
 * How a file read beside the input (--history, --offers, --cf, ...) is
 * read: with delim and a header row, and NA a missing value unless
 * --keep-na, as in the input.  Filled into *o, which is returned.
 */
const struct csvio_opts *cli_file_opts(const struct cli_common *c, unsigned char delim,
    struct csvio_opts *o);

/*
 * Under --part N/M, exit 2 unless the input (path; NULL or "-": standard
 * input) is a regular file (a path that is not there is left to the open).
 * Call it before anything is read; cli_open_input calls it too.
 */
void cli_part_check(const char *path);
/*
 * Open the input (file argument or stdin) as cli_input_opts says, with
 * delim, or exit 1 with the message.  Under --part N:ROWS its lines count
 * as the whole input's; under --part N/M the reader returned reads that
 * part of the file only (an input that is not a regular file: exit 2).
 */
struct csvio_reader *cli_open_input(const char *path, unsigned char delim);

/* The output writer on stdout, comma-separated; exits 1 when out of memory. */
struct csvio_writer *cli_open_output(void);

/*
 * --line-buffered: the program answers row by row as a co-process of a
 * server, which writes one request row and reads one answer row on a pipe.
 *
 * The contract, for a streaming program (pr-score, pr-features --apply,
 * pr-optimize):
 *  - cli_serve_init(&s, on, w) once the output writer w exists, before
 *    the header is written.  When on, w is put in answer mode (every row
 *    gets a last field, _reason; each row is flushed as it ends) and
 *    SIGHUP asks for a reload instead of ending the program.
 *  - The header: put the output header's fields, then cli_serve_header(&s,
 *    w, ncols) instead of csvio_end (ncols: the input's columns).
 *  - Each row, right after csvio_next returned it and before it is looked
 *    at: if cli_serve_reload_due(&s), re-read the model and state files;
 *    a file that fails to load (or no longer fits the input or the output
 *    header) leaves the old one in use: say so with cli_serve_reload_failed.
 *    So every row read after a SIGHUP is answered with the files as they
 *    were then, and no row sees half a reload.
 *  - An answered row ends with csvio_end as usual (_reason is empty).
 *  - A rejected row: cli_reject as usual, then cli_serve_reject(&s, w, row,
 *    d), which answers it (nothing when off): the row's input fields (cut
 *    or padded with empty fields to the header's width), an empty field for
 *    each computed column, and the reason (d without the file, with the
 *    row's line: "line 3: column \"price\": not a number: \"x\"").
 * Without --line-buffered these do what the program did before: the
 * header's csvio_end, no reload, no answer for a rejected row.
 */
struct cli_serve {
	int on;
	size_t in_cols, out_cols;   /* the input's columns; the output's, without _reason */
};

void cli_serve_init(struct cli_serve *s, int on, struct csvio_writer *w);
void cli_serve_header(struct cli_serve *s, struct csvio_writer *w, size_t in_cols);
/* 1 once after each SIGHUP (only when on), else 0. */
int cli_serve_reload_due(struct cli_serve *s);
/* "prog: FILE...: cannot reload (still using the one loaded before): ..." from d. */
void cli_serve_reload_failed(const struct diag *d);
void cli_serve_reject(const struct cli_serve *s, struct csvio_writer *w,
    const struct csvio_row *row, const struct diag *d);

/*
 * Progress on long work: one line on stderr, rewritten in place ("\r"),
 * only when stderr is a terminal and not --quiet: never in a pipe, a file
 * or a cron mail.  cli_progress writes the line at its first call and then
 * at most 4 times a second (it reads the clock: call it every few thousand
 * rows); cli_progress_done clears the line, as every message does first.
 */
struct cli_progress {
	int on, shown;
	double last;              /* seconds, CLOCK_MONOTONIC */
};
void cli_progress_init(struct cli_progress *p, const struct cli_common *c);
void cli_progress(struct cli_progress *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void cli_progress_done(struct cli_progress *p);

/*
 * An option's number: cli_num_arg any number num_parse reads (the caller
 * checks its range and says what it expected), cli_long_arg a whole number
 * from min to max; otherwise exit 2 naming the option.
 */
double cli_num_arg(const char *option, const char *arg);
long cli_long_arg(const char *option, const char *arg, long min, long max);
/*
 * The index of arg in words (NULL-terminated), or exit 2 naming the option
 * and the words ("--format: expected text, md or csv, not \"x\"", and
 * "; did you mean \"csv\"?" when one is near).
 */
/* "; did you mean \"WORD\"?" in buf when a word of words (NULL-terminated) is near arg, else "". */
const char *cli_did_you_mean(const char *arg, const char *const words[], char *buf, size_t size);
int cli_word_arg(const char *option, const char *arg, const char *const words[]);

#endif
