/* cli.c - see cli.h. */
#include "cli.h"
#include "atomic.h"
#include "num.h"
#include "opts.h"
#include "suggest.h"
#include "xalloc.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Set once in main, read by the message functions: the program-wide switches. */
static const char *prog = "pr";
static char **args;           /* main's argv, for the option getopt refused */
static const struct cli_common *input_common;   /* the options of the input */
static struct opts_list input_names;  /* --names (a global: reachable until exit) */
static int progress_showing;  /* a progress line is on the terminal: clear it first */

static void
clear_progress(void)
{
	if (progress_showing)
		fputs("\r\033[K", stderr);
	progress_showing = 0;
}
static void (*fail_cleanup)(void *);
static void *fail_arg;

/*
 * The run's output files (cli_output) until the commit point.  temps[] is
 * what the signal handler removes: it changes only with the signals
 * blocked, so the handler sees every temporary that exists.
 */
#define MAX_OUTPUTS 16
static struct atomic_file *outputs[MAX_OUTPUTS];
static const char *volatile temps[MAX_OUTPUTS];
static size_t n_outputs;
static struct acct *rejects_acct;   /* its writer writes into one of outputs[] */
static const int fatal_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };

static void
on_signal(int sig)
{
	size_t i;

	for (i = 0; i < MAX_OUTPUTS; i++)
		if (temps[i] != NULL)
			unlink(temps[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
block_signals(sigset_t *old)
{
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
		sigaddset(&set, fatal_signals[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

static void
install_handlers(void)
{
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++) {
		int sig = fatal_signals[i];
		/* nohup and a shell's background jobs ignore these on purpose: keep that */
		if ((sig == SIGINT || sig == SIGHUP) &&
		    sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sig, &sa, NULL);
	}
}

/* Remove every temporary (a failing run); the rejects writer first, as it writes into one. */
static void
abort_outputs(void)
{
	sigset_t old;
	struct diag scratch;
	size_t i;

	if (rejects_acct != NULL) {
		acct_finish(rejects_acct, 0, &scratch);
		rejects_acct = NULL;
	}
	block_signals(&old);
	for (i = 0; i < n_outputs; i++) {
		atomic_abort(outputs[i]);
		outputs[i] = NULL;
		temps[i] = NULL;
	}
	n_outputs = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
}

void
cli_at_fail(void (*cleanup)(void *arg), void *arg)
{
	fail_cleanup = cleanup;
	fail_arg = arg;
}

/* Run main's cleanup once (a cleanup that fails cannot loop back here). */
static void
run_cleanup(void)
{
	void (*fn)(void *) = fail_cleanup;

	fail_cleanup = NULL;
	if (fn != NULL)
		fn(fail_arg);
	abort_outputs();
}

void
cli_init(char **argv)
{
	const char *slash = strrchr(argv[0], '/');
	prog = slash ? slash + 1 : argv[0];
	argv[0] = (char *)prog;
	args = argv;
	install_handlers();
}

/*
 * getopt_long refused argv[optind - 1]: when it is a long option that is
 * no option's name or the start of one, and one of the options the help
 * text lists is near it, say which ("did you mean '--family'?").
 */
static void
suggest_option(const char *help)
{
	const char *bad, *p, *words[256], *near;
	char names[8192], name[SUGGEST_MAX_LEN + 1];
	size_t n = 0, pos = 0, len, i;

	if (args == NULL || optind < 1 || (bad = args[optind - 1]) == NULL ||
	    strncmp(bad, "--", 2) != 0)
		return;
	len = strcspn(bad, "=");
	if (len > SUGGEST_MAX_LEN)
		return;
	memcpy(name, bad, len);
	name[len] = '\0';
	/* The long options are the words "--name" of the help text. */
	for (p = strstr(help, "--"); p != NULL && n < 256; p = strstr(p, "--")) {
		size_t l = 2;
		while (p[l] == '-' || (p[l] >= 'a' && p[l] <= 'z') || (p[l] >= '0' && p[l] <= '9'))
			l++;
		if (l > 2 && pos + l + 1 <= sizeof names) {
			memcpy(names + pos, p, l);
			names[pos + l] = '\0';
			words[n++] = names + pos;
			pos += l + 1;
		}
		p += l;
	}
	for (i = 0; i < n; i++)
		if (strncmp(words[i], name, len) == 0)
			return;   /* a known name, or an ambiguous start: getopt said it all */
	if ((near = suggest_word(name, words, n)) != NULL)
		fprintf(stderr, "%s: did you mean '%s'?\n", prog, near);
}

/* "; did you mean \"WORD\"?" into buf when a word of words is near arg, else "". */
static const char *
did_you_mean(const char *arg, const char *const words[], size_t n, char *buf, size_t size)
{
	const char *near = suggest_word(arg, words, n);

	buf[0] = '\0';
	if (near != NULL)
		snprintf(buf, size, "; did you mean \"%s\"?", near);
	return buf;
}

/* common/'s out-of-memory end (xalloc.h): main's cleanup first, as every failure. */
noreturn void
xalloc_die(void)
{
	cli_fail(EXIT_FAIL, "out of memory");
}

const char *
cli_prog(void)
{
	return prog;
}

void
cli_common_init(struct cli_common *c)
{
	memset(c, 0, sizeof *c);
	c->delim = ',';
	input_common = c;
}

/* The part options, once set in main: every input opened after them is that part. */
static long part_line_offset;
static int part_later;
static long part_n, part_m;   /* --part N/M; part_m 0 when not that form */
static struct csvio_reader *part_whole;   /* the whole file, under --part N/M */

/* A whole number from min to max at *s, up to the byte stop; -1 when it is not one. */
static long
part_number(const char *s, char stop, const char **rest, long min, long max)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != stop || v < min || v > max)
		return -1;
	*rest = end;
	return v;
}

/*
 * --part N:ROWS, N a whole number from 1, ROWS from 0 (unknown: lines
 * within the part); or --part N/M, the N-th of M parts of a regular file,
 * 1 <= N <= M (M at most INT_MAX, so the byte offsets cannot overflow).
 */
static void
parse_part(struct cli_common *c, const char *arg)
{
	const char *rest;
	long n, rows, m;

	if (strchr(arg, '/') != NULL) {
		n = part_number(arg, '/', &rest, 0, LONG_MAX);
		m = n < 0 ? -1 : part_number(rest + 1, '\0', &rest, 0, LONG_MAX);
		if (m < 0)
			cli_usage("--part: expected N/M (part N of M, from 1 to M), not \"%s\"", arg);
		if (m < 1 || m > INT_MAX)
			cli_usage("--part %s: M must be from 1 to %d", arg, INT_MAX);
		if (n < 1 || n > m)
			cli_usage("--part %s: N must be from 1 to %ld", arg, m);
		c->part = n;
		c->part_of = m;
		c->part_rows = 0;
		part_n = n;
		part_m = m;
		part_line_offset = 0;
		part_later = n > 1;
		return;
	}
	n = part_number(arg, ':', &rest, 1, LONG_MAX);
	rows = n < 0 ? -1 : part_number(rest + 1, '\0', &rest, 0, LONG_MAX);
	if (rows < 0 || (rows > 0 && (n - 1) > (LONG_MAX - 2) / rows))
		cli_usage("--part: expected N:ROWS (GNU parallel's {#} and its -N) or N/M (part N "
		    "of M of a file), not \"%s\"", arg);
	c->part = n;
	c->part_of = 0;
	c->part_rows = rows;
	part_n = part_m = 0;
	part_line_offset = (n - 1) * rows;
	part_later = n > 1;
}

int
cli_common_opt(struct cli_common *c, int opt, const char *arg, const char *help)
{
	int dl;

	switch (opt) {
	case 'd':
		dl = csvio_parse_delim(arg);
		if (dl < 0)
			cli_usage("--delimiter must be one character (or \\t), not \"%s\"", arg);
		c->delim = (unsigned char)dl;
		return 1;
	case 't':
		c->delim = '\t';
		return 1;
	case 'q':
		c->quiet = 1;
		c->verbose = 0;
		return 1;
	case 'v':
		c->verbose = 1;
		c->quiet = 0;
		return 1;
	case CLI_OPT_STRICT:
		c->strict = 1;
		return 1;
	case CLI_OPT_ALLOW_EMPTY:
		c->allow_empty = 1;
		return 1;
	case CLI_OPT_REJECTS:
		c->rejects = arg;
		return 1;
	case CLI_OPT_PART:
		parse_part(c, arg);
		return 1;
	case CLI_OPT_KEEP_NA:
		c->keep_na = 1;
		return 1;
	case CLI_OPT_NO_HEADER:
		c->no_header = 1;
		return 1;
	case CLI_OPT_NAMES: {
		struct diag d;
		if (opts_list_add(&input_names, arg, &d) < 0)
			cli_usage_diag("--names", &d);
		c->no_header = 1;
		return 1;
	}
	case 'h':
		fputs(help, stdout);
		if (fclose(stdout) != 0)
			exit(EXIT_FAIL);
		exit(EXIT_OK);
	case CLI_OPT_VERSION:
		printf("%s (pr toolkit) %s\n", prog, PR_VERSION);
		if (fclose(stdout) != 0)
			exit(EXIT_FAIL);
		exit(EXIT_OK);
	case '?':
		suggest_option(help);
		cli_usage_try();
	}
	return 0;
}

static void
vwarn_line(const char *fmt, va_list ap)
{
	clear_progress();
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_line(fmt, ap);
	va_end(ap);
}

/* "prog: LEAD<d's message>" on stderr. */
static void
warn_diag_led(const char *lead, const struct diag *d)
{
	char buf[DIAG_FILE_MAX + DIAG_COL_MAX + DIAG_VALUE_MAX * 4 + DIAG_WHAT_MAX + 64];

	diag_format(d, buf, sizeof buf);
	clear_progress();
	fprintf(stderr, "%s: %s%s\n", prog, lead, buf);
}

void
cli_warn_diag(const struct diag *d)
{
	warn_diag_led("", d);
}

void
cli_fail(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_line(fmt, ap);
	va_end(ap);
	run_cleanup();
	exit(status);
}

void
cli_fail_diag(int status, const struct diag *d)
{
	cli_warn_diag(d);
	run_cleanup();
	exit(status);
}

void
cli_usage_try(void)
{
	fprintf(stderr, "Try '%s --help' for more information.\n", prog);
	run_cleanup();
	exit(EXIT_USAGE);
}

void
cli_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_line(fmt, ap);
	va_end(ap);
	cli_usage_try();
}

void
cli_usage_diag(const char *option, const struct diag *d)
{
	char buf[DIAG_COL_MAX + DIAG_VALUE_MAX * 4 + DIAG_WHAT_MAX + 64];

	diag_format(d, buf, sizeof buf);
	if (option != NULL)
		fprintf(stderr, "%s: %s: %s\n", prog, option, buf);
	else
		fprintf(stderr, "%s: %s\n", prog, buf);
	cli_usage_try();
}

void
cli_reject(const struct cli_common *c, struct acct *a, const char *input_name,
    const struct csvio_row *row, struct diag *d)
{
	if (c->strict) {
		struct diag where = *d;
		snprintf(where.file, sizeof where.file, "%s", input_name);
		where.line = row->line;
		acct_finish(a, 0, d);
		cli_fail_diag(EXIT_FAIL, &where);
	}
	acct_reject(a, row, d);
}

/* Close the rejects and apply the rule "data rows in, none out is a failure". */
static void
check_rows(const struct cli_common *c, struct acct *a, const char *input_name)
{
	char buf[ACCT_MAX_REASONS * (DIAG_WHAT_MAX + 32) + 128];
	struct diag d;

	if (acct_finish(a, 1, &d) < 0)
		cli_fail_diag(EXIT_FAIL, &d);
	if (rejects_acct == a)
		rejects_acct = NULL;
	if (a->n_in > 0 && a->n_out == 0 && !c->allow_empty) {
		acct_summary(a, buf, sizeof buf);
		cli_fail(EXIT_FAIL, "%s: no row written: %s", input_name, buf);
	}
}

static void
print_rows(const struct cli_common *c, const struct acct *a, const char *input_name)
{
	char buf[ACCT_MAX_REASONS * (DIAG_WHAT_MAX + 32) + 128];

	if ((a->n_rejected > 0 && !c->quiet) || c->verbose) {
		acct_summary(a, buf, sizeof buf);
		fprintf(stderr, "%s: %s: %s\n", prog, input_name, buf);
	}
}

void
cli_finish_rows(const struct cli_common *c, struct acct *a, const char *input_name)
{
	check_rows(c, a, input_name);
	print_rows(c, a, input_name);
}

/* A closed pipe ends the program quietly: as SIGPIPE's default would have. */
static void
write_failed(const char *what, int err)
{
	if (err == EPIPE) {
		run_cleanup();
		signal(SIGPIPE, SIG_DFL);
		raise(SIGPIPE);
		_exit(EXIT_FAIL);
	}
	cli_fail(EXIT_FAIL, "%s: write error: %s", what, strerror(err));
}

void
cli_close_output(struct csvio_writer *w)
{
	struct diag d;
	sigset_t old;
	size_t i;
	int err = w != NULL ? csvio_writer_free(w) : 0;

	errno = 0;
	if (err == 0 && (fflush(stdout) != 0 || ferror(stdout)))
		err = errno ? errno : EIO;
	if (err != 0)
		write_failed("stdout", err);
	for (i = 0; i < n_outputs; i++)
		if (atomic_close(outputs[i], &d) < 0) {
			if (errno == EPIPE)
				write_failed(d.file, EPIPE);
			cli_fail_diag(EXIT_FAIL, &d);
		}
	errno = 0;
	if (fclose(stdout) != 0)
		write_failed("stdout", errno ? errno : EIO);
	/* Every byte is out: the commit point. */
	block_signals(&old);
	for (i = 0; i < n_outputs; i++) {
		struct atomic_file *af = outputs[i];
		outputs[i] = NULL;
		temps[i] = NULL;
		if (atomic_rename(af, &d) < 0) {
			cli_warn_diag(&d);
			err = 1;
		}
	}
	n_outputs = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (err != 0) {
		run_cleanup();
		exit(EXIT_FAIL);
	}
}

void
cli_finish(const struct cli_common *c, struct acct *a, const char *input_name,
    struct csvio_writer *w)
{
	int err;

	/* first: a run that fails writes nothing more to stdout */
	check_rows(c, a, input_name);
	if ((err = csvio_flush(w)) != 0)
		write_failed("stdout", err);
	cli_close_output(w);
	print_rows(c, a, input_name);
}

struct atomic_file *
cli_output(const char *path)
{
	struct atomic_file *af;
	struct diag d;
	sigset_t old;

	if (n_outputs == MAX_OUTPUTS)
		cli_fail(EXIT_FAIL, "%s: too many output files", path);
	block_signals(&old);
	af = atomic_open(path, &d);
	if (af != NULL) {
		outputs[n_outputs] = af;
		temps[n_outputs] = atomic_temp(af);
		n_outputs++;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (af == NULL)
		cli_fail_diag(EXIT_FAIL, &d);
	return af;
}

void
cli_output_close(struct atomic_file *af)
{
	struct diag d;

	if (atomic_close(af, &d) < 0) {
		if (errno == EPIPE)
			write_failed(d.file, EPIPE);
		cli_fail_diag(EXIT_FAIL, &d);
	}
}

void
cli_open_rejects(const struct cli_common *c, struct acct *a, const struct csvio_row *header)
{
	struct atomic_file *af;
	struct diag d;

	if (c->rejects == NULL)
		return;
	af = cli_output(c->rejects);
	a->rej_no_header = part_later;
	if (acct_open_rejects(a, atomic_fp(af), c->rejects, header, &d) < 0)
		cli_fail_diag(EXIT_FAIL, &d);
	rejects_acct = a;
}

struct file_id {
	int known;
	unsigned long long dev, ino;
};

static struct file_id
id_of(const char *path, int fd)
{
	struct file_id id = { 0, 0, 0 };
	struct stat st;

	if (path != NULL) {
		id.known = atomic_target_id(path, &id.dev, &id.ino);
	} else if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		id.known = 1;
		id.dev = (unsigned long long)st.st_dev;
		id.ino = (unsigned long long)st.st_ino;
	}
	return id;
}

static int
same_id(struct file_id a, struct file_id b)
{
	return a.known && b.known && a.dev == b.dev && a.ino == b.ino;
}

/* Written through to a descriptor ("-", /dev/stdout, /dev/fd/N): meant as it is. */
static int
is_fd_name(const char *path)
{
	return strcmp(path, "-") == 0 || strcmp(path, "/dev/stdout") == 0 ||
	    strcmp(path, "/dev/stderr") == 0 || strncmp(path, "/dev/fd/", 8) == 0 ||
	    strncmp(path, "/proc/self/fd/", 14) == 0;
}

void
cli_check_paths(const struct cli_path *out, size_t n_out, const struct cli_path *in, size_t n_in)
{
	struct file_id stdin_id = id_of(NULL, 0), stdout_id = id_of(NULL, 1);
	size_t i, j;

	for (i = 0; i < n_out; i++) {
		struct file_id oid;
		if (out[i].path == NULL || is_fd_name(out[i].path))
			continue;
		oid = id_of(out[i].path, -1);
		for (j = 0; j < n_in; j++) {
			int is_stdin = in[j].path == NULL || strcmp(in[j].path, "-") == 0;
			if (is_stdin ? same_id(oid, stdin_id) : same_id(oid, id_of(in[j].path, -1))) {
				if (is_stdin)
					cli_usage("%s %s is also standard input: it would be destroyed",
					    out[i].option, out[i].path);
				cli_usage("%s %s is also %s %s: it would be destroyed",
				    out[i].option, out[i].path, in[j].option, in[j].path);
			}
		}
		if (same_id(oid, stdout_id))
			cli_usage("%s %s is also standard output", out[i].option, out[i].path);
		for (j = 0; j < i; j++) {
			if (out[j].path == NULL || is_fd_name(out[j].path))
				continue;
			if (strcmp(out[i].path, out[j].path) == 0 || same_id(oid, id_of(out[j].path, -1)))
				cli_usage("%s %s is also %s %s", out[i].option, out[i].path,
				    out[j].option, out[j].path);
		}
	}
}

const struct csvio_opts *
cli_input_opts(const struct cli_common *c)
{
	static struct csvio_opts o;

	if (c == NULL && (c = input_common) == NULL) {
		csvio_opts_init(&o, ',');
		return &o;
	}
	csvio_opts_init(&o, c->delim);
	o.na_missing = !c->keep_na;
	o.no_header = c->no_header;
	o.names = (const char *const *)input_names.v;
	o.n_names = input_names.n;
	return &o;
}

const struct csvio_opts *
cli_file_opts(const struct cli_common *c, unsigned char delim, struct csvio_opts *o)
{
	csvio_opts_init(o, delim);
	o->na_missing = !c->keep_na;
	return o;
}

/* --part N/M reads its bytes of a file itself: a pipe or a terminal cannot be read so. */
static noreturn void
part_not_regular(const char *name)
{
	cli_usage("--part %ld/%ld: %s is not a regular file (a part is read by its byte range; "
	    "for a pipe, use --part N:ROWS under parallel --pipe)", part_n, part_m, name);
}

void
cli_part_check(const char *path)
{
	int is_stdin = path == NULL || strcmp(path, "-") == 0;
	struct stat st;

	if (part_m == 0 || (is_stdin ? fstat(0, &st) : stat(path, &st)) != 0)
		return;   /* not there: the open says so */
	if (!S_ISREG(st.st_mode))
		part_not_regular(is_stdin ? "standard input" : path);
}

/* The cut k of M between data and size: data + k * (size - data) / M, exactly. */
static long long
part_cut(long long data, long long size, long k, long m)
{
	long long len = size - data, q = len / m, r = len % m;

	/* k <= m <= INT_MAX and r < m: k * r fits in a long long */
	return data + k * q + (long long)k * r / m;
}

/* Move *c to the first record boundary at or after off (nowhere when it is past off). */
static void
part_advance(struct csvio_reader *whole, struct csvio_cursor *c, long long off)
{
	struct diag d;

	if (csvio_cursor_advance(whole, c, off, &d) < 0)
		cli_fail_diag(EXIT_FAIL, &d);
}

/* At exit: the whole file's reader, whose descriptor the part's reader read. */
static void
close_part_whole(void)
{
	csvio_close(part_whole);
	part_whole = NULL;
}

/*
 * The reader of part part_n of part_m of whole: the records that start in
 * [boundary at or after cut N - 1, boundary at or after cut N).  whole
 * stays open beside it (part_whole) until the program exits.
 */
static struct csvio_reader *
open_part(struct csvio_reader *whole)
{
	struct csvio_cursor from, to;
	struct csvio_reader *r;
	long long data, size;
	struct diag d;

	part_whole = whole;
	atexit(close_part_whole);
	if (!csvio_data_cursor(whole, &from, &size))
		part_not_regular(csvio_name(whole));
	data = from.off;
	part_advance(whole, &from, part_cut(data, size, part_n - 1, part_m));
	to = from;
	part_advance(whole, &to, part_cut(data, size, part_n, part_m));
	if ((r = csvio_open_range(whole, &from, to.off, &d)) == NULL)
		cli_fail_diag(EXIT_FAIL, &d);
	return r;
}

struct csvio_reader *
cli_open_input(const char *path, unsigned char delim)
{
	struct diag d;
	struct csvio_opts o;
	struct csvio_reader *r;

	if (input_common != NULL) {
		o = *cli_input_opts(input_common);
	} else {
		csvio_opts_init(&o, delim);
	}
	o.delim = delim;
	cli_part_check(path);
	r = csvio_open_opts(path, &o, &d);

	if (r == NULL)
		cli_fail_diag(EXIT_FAIL, &d);
	if (part_m > 0)
		return open_part(r);
	csvio_set_line_offset(r, part_line_offset);
	return r;
}

struct csvio_writer *
cli_open_output(void)
{
	struct csvio_writer *w = csvio_writer_new(stdout, ',');

	if (w == NULL)
		cli_fail(EXIT_FAIL, "out of memory");
	if (part_later)
		csvio_writer_skip_row(w);
	return w;
}

/* SIGHUP under --line-buffered: a reload is due before the next row. */
static volatile sig_atomic_t reload_signalled;

static void
on_hup(int sig)
{
	(void)sig;
	reload_signalled = 1;
}

void
cli_serve_init(struct cli_serve *s, int on, struct csvio_writer *w)
{
	struct sigaction sa;

	memset(s, 0, sizeof *s);
	s->on = on;
	if (!on)
		return;
	csvio_writer_answer(w);
	/* SA_RESTART: a read waiting for the next row goes on waiting. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_hup;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGHUP, &sa, NULL);
}

void
cli_serve_header(struct cli_serve *s, struct csvio_writer *w, size_t in_cols)
{
	s->in_cols = in_cols;
	s->out_cols = csvio_row_fields(w);
	if (s->on)
		csvio_tail(w, "_reason");
	csvio_end(w);
}

int
cli_serve_reload_due(struct cli_serve *s)
{
	if (!s->on || !reload_signalled)
		return 0;
	reload_signalled = 0;
	return 1;
}

void
cli_serve_reload_failed(const struct diag *d)
{
	warn_diag_led("reload failed, still using the files loaded before: ", d);
}

void
cli_serve_reject(const struct cli_serve *s, struct csvio_writer *w,
    const struct csvio_row *row, const struct diag *d)
{
	char reason[CSVIO_TAIL_MAX], what[DIAG_COL_MAX + DIAG_VALUE_MAX * 4 + DIAG_WHAT_MAX + 64];
	struct diag key;
	size_t i;

	if (!s->on)
		return;
	key = *d;
	key.file[0] = '\0';
	key.line = 0;
	diag_format(&key, what, sizeof what);
	snprintf(reason, sizeof reason, "line %ld: %s", row->line, what);
	for (i = 0; i < s->out_cols; i++) {
		if (i < s->in_cols && i < row->n)
			csvio_put(w, row->f[i], row->len[i]);
		else
			csvio_put(w, "", 0);
	}
	csvio_tail(w, reason);
	csvio_end(w);
}

void
cli_progress_init(struct cli_progress *p, const struct cli_common *c)
{
	memset(p, 0, sizeof *p);
	p->on = !c->quiet && isatty(2);
}

void
cli_progress(struct cli_progress *p, const char *fmt, ...)
{
	struct timespec ts;
	double now;
	va_list ap;

	if (!p->on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
	if (p->shown && now - p->last < 0.25)
		return;
	p->last = now;
	p->shown = 1;
	progress_showing = 1;
	fprintf(stderr, "\r\033[K%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
}

void
cli_progress_done(struct cli_progress *p)
{
	if (p->on && p->shown)
		clear_progress();
	p->shown = 0;
}

double
cli_num_arg(const char *option, const char *arg)
{
	double v;

	if (num_parse(arg, strlen(arg), &v, 0) != NUM_OK)
		cli_usage("%s: not a number: \"%s\"", option, arg);
	return v;
}

long
cli_long_arg(const char *option, const char *arg, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v < min || v > max)
		cli_usage("%s: expected a whole number from %ld to %ld, not \"%s\"", option, min, max, arg);
	return v;
}

const char *
cli_did_you_mean(const char *arg, const char *const words[], char *buf, size_t size)
{
	size_t n = 0;

	while (words[n] != NULL)
		n++;
	return did_you_mean(arg, words, n, buf, size);
}

int
cli_word_arg(const char *option, const char *arg, const char *const words[])
{
	char list[256], near[SUGGEST_MAX_LEN + 32];
	size_t pos = 0;
	int i, n;

	for (n = 0; words[n] != NULL; n++)
		if (strcmp(words[n], arg) == 0)
			return n;
	list[0] = '\0';
	for (i = 0; i < n && pos < sizeof list; i++)
		pos += (size_t)snprintf(list + pos, sizeof list - pos, "%s%s",
		    i == 0 ? "" : i == n - 1 ? " or " : ", ", words[i]);
	cli_usage("%s: expected %s, not \"%s\"%s", option, list, arg,
	    did_you_mean(arg, words, (size_t)n, near, sizeof near));
	return -1;
}
