/*
 * test_csvio.c - the CSV reader and writer.
 *
 * Every case is read with every block size from one byte up (as libcsv's
 * own tests do), so that record and field boundaries, CRLF pairs, quotes
 * and the BOM fall across reads at every offset.  Every fixture CSV in
 * testdata/ is also read at small block sizes and must give the same rows
 * as one big read.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "csvio.h"
#include "text_reader.h"

/* Text rendered so far: "line|f1|f2\n..." with the header ("H") first. */
struct rendered {
	char *out;
	size_t len, cap;
	int plain;          /* mark the fields whose plain flag is 0 with a "~" */
};

static void
add(struct rendered *t, const char *s, size_t n)
{
	while (t->len + n + 2 > t->cap)
		t->out = realloc(t->out, t->cap *= 2);
	memcpy(t->out + t->len, s, n);
	t->len += n;
	t->out[t->len] = '\0';
}

/* One row: its line (or "H" when line < 0) and its fields. */
static void
add_row(struct rendered *t, const struct csvio_row *row, long line)
{
	char num[32];
	size_t i;
	int n = line < 0 ? snprintf(num, sizeof num, "H") : snprintf(num, sizeof num, "%ld", line);

	add(t, num, (size_t)n);
	for (i = 0; i < row->n; i++) {
		add(t, "|", 1);
		if (t->plain && line >= 0 && row->plain != NULL && !row->plain[i])
			add(t, "~", 1);
		add(t, row->f[i], row->len[i]);
	}
	add(t, "\n", 1);
}

/* Render rows as "line|f1|f2\n..." with the header first, for comparison. */
static char *
render_opts(const char *input, size_t inlen, size_t block, const struct csvio_opts *o, char *err,
    size_t errsz, int plain)
{
	int fd = text_fd(input, inlen);
	struct diag d;
	struct csvio_reader *r;
	struct csvio_row row;
	struct rendered t = { malloc(4096), 0, 4096, plain };
	int got;

	err[0] = '\0';
	r = csvio_open_fd_opts(fd, "t.csv", o, block, &d);
	t.out[0] = '\0';
	if (r == NULL) {
		diag_format(&d, err, errsz);
		close(fd);
		return t.out;
	}
	add_row(&t, csvio_header(r), -1);
	while ((got = csvio_next(r, &row, &d)) > 0)
		add_row(&t, &row, row.line);
	if (got < 0)
		diag_format(&d, err, errsz);
	csvio_close(r);
	close(fd);
	return t.out;
}

static char *
render(const char *input, size_t inlen, size_t block, unsigned char delim, char *err, size_t errsz)
{
	struct csvio_opts o;

	csvio_opts_init(&o, delim);
	return render_opts(input, inlen, block, &o, err, errsz, 0);
}

struct rcase {
	const char *name, *input, *want, *err;
};

static const struct rcase cases[] = {
	{ "plain LF", "a,b\n1,2\n3,4\n", "H|a|b\n2|1|2\n3|3|4\n", "" },
	{ "CRLF", "a,b\r\n1,2\r\n3,4\r\n", "H|a|b\n2|1|2\n3|3|4\n", "" },
	{ "CR only", "a,b\r1,2\r3,4", "H|a|b\n2|1|2\n3|3|4\n", "" },
	{ "no final newline", "a,b\n1,2", "H|a|b\n2|1|2\n", "" },
	{ "empty input", "", "", "t.csv: the input is empty (not even a header row)" },
	{ "blank lines only", "\n\r\n\n", "", "t.csv: the input is empty (not even a header row)" },
	{ "header only", "a,b\n", "H|a|b\n", "" },
	{ "header only, no newline", "a,b", "H|a|b\n", "" },
	{ "BOM", "\xef\xbb\xbf" "a,b\n1,2\n", "H|a|b\n2|1|2\n", "" },
	{ "not quite a BOM", "\xef\xbb" "a,b\n1,2\n", "H|\xef\xbb" "a|b\n2|1|2\n", "" },
	{ "quoted delimiter, quote, newline", "a,b\n\"x,y\",\"say \"\"hi\"\"\"\n\"l1\nl2\",z\n5,6\n",
	  "H|a|b\n2|x,y|say \"hi\"\n3|l1\nl2|z\n5|5|6\n", "" },
	{ "CRLF inside quotes kept", "a,b\r\n\"1\r\n2\",3\r\n4,5\r\n", "H|a|b\n2|1\r\n2|3\n4|4|5\n", "" },
	{ "blank lines skipped, counted", "a,b\n\n1,2\n\r\n\n3,4\n", "H|a|b\n3|1|2\n6|3|4\n", "" },
	{ "empty fields", "a,b,c\n,,\n1,,3\n\"\",x,\n", "H|a|b|c\n2|||\n3|1||3\n4||x|\n", "" },
	{ "spaces kept", "a,b\n 1 , 2 \n", "H|a|b\n2| 1 | 2 \n", "" },
	{ "ragged rows handed out as they are", "a,b\n1\n1,2,3\n", "H|a|b\n2|1\n3|1|2|3\n", "" },
	{ "one column: empty line is a value", "a\n1\n\n2\n", "H|a\n2|1\n3|\n4|2\n", "" },
	{ "quote in unquoted field", "a,b\n1,2\n3,x\"y\n", "H|a|b\n2|1|2\n", "t.csv:3: malformed CSV: quote inside an unquoted field" },
	{ "text after closing quote", "a,b\n\"1\"x,2\n", "H|a|b\n", "t.csv:2: malformed CSV: text after the closing quote of a field" },
	{ "unclosed quote", "a,b\n1,2\n3,\"abc\n\n", "H|a|b\n2|1|2\n", "t.csv:3: malformed CSV: quoted field not closed at end of input" },
	{ "utf-8 text", "name,v\nZ\xc3\xbcrich,1\n", "H|name|v\n2|Z\xc3\xbcrich|1\n", "" },
};

static void
test_cases(void)
{
	size_t i, block;
	char err[1024], name[256];

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len = strlen(cases[i].input);
		int all_ok = 1;
		for (block = 1; block <= len + 1; block++) {
			char *got = render(cases[i].input, len, block, ',', err, sizeof err);
			if (strcmp(got, cases[i].want) != 0 || strcmp(err, cases[i].err) != 0) {
				snprintf(name, sizeof name, "%s (block %zu)", cases[i].name, block);
				CHECK_STR(got, cases[i].want, name);
				CHECK_STR(err, cases[i].err, name);
				all_ok = 0;
				free(got);
				break;
			}
			free(got);
		}
		if (all_ok)
			CHECK(1, cases[i].name);
	}
}

/*
 * The rows of input read as parts: the data cursor advanced to each of
 * cut[0..ncut) (offsets from the data start, in order) gives boundaries, and
 * a range reader reads each part; rendered as render() renders one reader
 * (the first error ends it).  *seekable: the file had a data cursor.
 */
static char *
render_parts(const char *input, size_t inlen, const struct csvio_opts *o, size_t block,
    const long long *cut, size_t ncut, char *err, size_t errsz, int *seekable)
{
	int fd = text_fd(input, inlen);
	struct diag d;
	struct csvio_reader *r;
	struct csvio_cursor c, next;
	struct rendered t = { malloc(4096), 0, 4096, 1 };
	long long size;
	size_t k;

	err[0] = '\0';
	t.out[0] = '\0';
	*seekable = 0;
	r = csvio_open_fd_opts(fd, "t.csv", o, block, &d);
	if (r == NULL) {
		diag_format(&d, err, errsz);
		close(fd);
		return t.out;
	}
	add_row(&t, csvio_header(r), -1);
	if (!(*seekable = csvio_data_cursor(r, &c, &size)))
		goto done;
	for (k = 0; k <= ncut; k++) {
		struct csvio_reader *pr;
		struct csvio_row row;
		int got;
		next = c;
		if (csvio_cursor_advance(r, &next, k < ncut ? c.off + cut[k] : size, &d) < 0) {
			diag_format(&d, err, errsz);
			break;
		}
		if (k == ncut && next.off != size)
			abort();
		if ((pr = csvio_open_range(r, &c, next.off, &d)) == NULL)
			abort();
		while ((got = csvio_next(pr, &row, &d)) > 0)
			add_row(&t, &row, row.line);
		csvio_close(pr);
		if (got < 0) {
			diag_format(&d, err, errsz);
			break;
		}
		c = next;
	}
done:
	csvio_close(r);
	close(fd);
	return t.out;
}

/* Inputs with boundaries in every kind of place, beside the cases above. */
static const char *const range_inputs[] = {
	"a,b\n\"x\ny\",1\n\"\"\"\n\",2\n3,\"\r\n\"\n4,5",
	"a,b\r\n1,2\r\n\r\n\"q\r\nq\",3\r\n",
	"a\n\n\n1\n\n",
	"\"h\n1\",\"h\"\"2\"\n1,2\n3,4\n",
	"a,b\r1,2\r3,\"4\r\n5\"\r6,7\n8,9\r\n",
	"\n\r\n\xef\xbb\xbf" "a,b\n1,2\n",
	"\xef\xbb\xbf" "\r\n\r\na,b\r\n\r\n1,2\r\n3,4",
	"a;b\n1;\"x;\ny\"\n2;3\n",
	"a,b\n1,2\n3,\"unclosed\n4,5\n",
};

/*
 * Reading a regular file as parts gives the rows, lines and first error of
 * one reader, wherever the parts are cut (every one and two cut offsets),
 * with and without a header, for every delimiter case.
 */
static void
test_ranges(void)
{
	size_t i, n = sizeof cases / sizeof cases[0] + sizeof range_inputs / sizeof range_inputs[0];
	char err[1024], perr[1024], name[256];
	int nh;

	for (i = 0; i < n; i++) {
		const char *in = i < sizeof cases / sizeof cases[0] ? cases[i].input :
		    range_inputs[i - sizeof cases / sizeof cases[0]];
		size_t len = strlen(in);
		unsigned char delim = strchr(in, ';') ? ';' : ',';
		for (nh = 0; nh <= 1; nh++) {
			struct csvio_opts o;
			long long cut[2], a, b;
			int ok = 1, seekable;
			char *want, *got;
			csvio_opts_init(&o, delim);
			o.no_header = nh;
			want = render_opts(in, len, 0, &o, err, sizeof err, 1);
			for (a = 0; a <= (long long)len && ok; a++) {
				for (b = a; b <= (long long)len && ok; b++) {
					cut[0] = a;
					cut[1] = b;
					got = render_parts(in, len, &o, (size_t)(a % 3 == 0 ? 0 : a % 3 == 1 ? 1 : 5),
					    cut, a == b ? 1 : 2, perr, sizeof perr, &seekable);
					if (seekable && (strcmp(got, want) != 0 || strcmp(perr, err) != 0)) {
						snprintf(name, sizeof name, "parts of input %zu%s cut at %lld, %lld", i,
						    nh ? " (no header)" : "", a, b);
						CHECK_STR(got, want, name);
						CHECK_STR(perr, err, name);
						ok = 0;
					}
					if (!seekable && err[0] == '\0') {
						snprintf(name, sizeof name, "input %zu%s: a regular file has a data cursor", i,
						    nh ? " (no header)" : "");
						CHECK(0, name);
						ok = 0;
					}
					free(got);
				}
			}
			if (ok) {
				snprintf(name, sizeof name, "parts of input %zu%s: one reader's rows", i,
				    nh ? " (no header)" : "");
				CHECK(1, name);
			}
			free(want);
		}
	}
}

/*
 * A file of some 200 KB (boundaries fall across the cursor's reads and the
 * readers' blocks): rows with quoted newlines, doubled quotes, CRLF, bare
 * CR and blank lines (or, without quotes, the same rows unquoted, which the
 * range readers split without libcsv), cut at pseudo-random places and read
 * with blocks of 64 KiB and of 7 bytes, as one reader reads it.
 */
static void
ranges_big(int quotes, unsigned char delim, size_t block, const char *what)
{
	size_t cap = 1 << 19, len = 0, k;
	char *in = malloc(cap), err[1024], perr[1024];
	unsigned long x = 12345;
	struct csvio_opts o;
	int ok = 1, seekable;
	char *want;
	char dl = (char)delim;

	len += (size_t)sprintf(in, "id%ctext%cv\r\n", dl, dl);
	for (k = 0; k < 6000; k++) {
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		switch ((x >> 33) % 6) {
		case 0: len += (size_t)sprintf(in + len, "%zu%cplain%c%lu\n", k, dl, dl, x >> 40); break;
		case 1: len += (size_t)sprintf(in + len, quotes ? "%zu%c\"two\nlines\"%c1\r\n" :
		    "%zu%ctwo, lines%c1\r\n", k, dl, dl); break;
		case 2: len += (size_t)sprintf(in + len, quotes ? "%zu%c\"a \"\"q\"\" b\"%c2\r" :
		    "%zu%ca q b%c2\r", k, dl, dl); break;
		case 3: len += (size_t)sprintf(in + len, quotes ? "\n%zu%c\"\r\n\"%c3\n" :
		    "\n%zu%c%c3\n", k, dl, dl); break;
		case 4: len += (size_t)sprintf(in + len, quotes ? "%zu%c\"\"%c\"\"\"\"\n" :
		    "%zu%c%c\n", k, dl, dl); break;
		default: len += (size_t)sprintf(in + len, "%zu%cx%c%lu\r\n\r\n", k, dl, dl, x >> 50); break;
		}
	}
	if (!quotes && delim == ',')
		for (k = 0; k < len; k++)
			if (in[k] == ',' && k > 0 && in[k - 1] == 'o' && in[k + 1] == ' ')
				in[k] = ';';   /* "two, lines": no comma inside a comma file's field */
	csvio_opts_init(&o, delim);
	want = render_opts(in, len, block, &o, err, sizeof err, 1);
	for (k = 0; k < 40 && ok; k++) {
		long long cut[2];
		char *got;
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		cut[0] = (long long)((x >> 20) % len);
		cut[1] = cut[0] + (long long)((x >> 5) % 70000);
		got = render_parts(in, len, &o, block, cut, 2, perr, sizeof perr, &seekable);
		if (!seekable || strcmp(got, want) != 0 || strcmp(perr, err) != 0)
			ok = 0;
		free(got);
	}
	CHECK(ok && err[0] == '\0', what);
	free(want);
	free(in);
}

static void
test_ranges_big(void)
{
	ranges_big(1, ',', 0, "a 200 KB file with quotes cut anywhere: one reader's rows and lines");
	ranges_big(0, ',', 0, "a 200 KB file without quotes cut anywhere: one reader's rows and lines");
	ranges_big(0, '\t', 0, "a 200 KB tab file without quotes: one reader's rows, plain flags");
	ranges_big(0, ',', 7, "without quotes, read 7 bytes at a time: one reader's rows and lines");
	ranges_big(1, ';', 7, "with quotes, read 7 bytes at a time: one reader's rows and lines");
}

/*
 * Generated files whose rows are known as they are written: fields plain,
 * empty, or quoted around a delimiter, a doubled quote, LF, CRLF or a bare
 * CR; lines ended by LF, CRLF or CR; blank lines between rows; quoted
 * fields in no row, in one row of hundreds (each then parsed from its row
 * to the end of its read) or in every other row; the header quoted or
 * not.  The want text is built beside the file, line numbers counted as
 * the lines are written, so it owes nothing to any parser.  Each file is
 * read with reads of 1, 2, 3, 7, 64, 4096 and 65,536 bytes.
 */
struct gen {
	char *in, *want;
	size_t len, wlen, cap, wcap;
	unsigned long x;
	long line;
};

static unsigned
gen_rand(struct gen *g, unsigned n)
{
	g->x = g->x * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)((g->x >> 33) % n);
}

static void
gen_put(char **b, size_t *len, size_t *cap, const char *s, size_t n)
{
	while (*len + n + 1 > *cap)
		*b = realloc(*b, *cap *= 2);
	memcpy(*b + *len, s, n);
	*len += n;
	(*b)[*len] = '\0';
}

/* One field: its text in the file, its value in want ("~" first when it is not plain). */
static void
gen_field(struct gen *g, unsigned char delim, int quoted)
{
	static const char *const plain[] = { "12.5", "x", "C0042", "-3", "a b", "" };
	static const char *const inner[] = { "d", "q", "lf", "crlf", "cr", "none" };
	char dl = (char)delim;
	const char *v;
	size_t k;

	if (!quoted) {
		v = plain[gen_rand(g, 6)];
		gen_put(&g->in, &g->len, &g->cap, v, strlen(v));
		gen_put(&g->want, &g->wlen, &g->wcap, v, strlen(v));
		return;
	}
	v = inner[gen_rand(g, 6)];
	char text[16], val[16];
	size_t tl = 0, vl = 0;
	text[tl++] = '"';
	text[tl++] = 'p';
	val[vl++] = 'p';
	if (strcmp(v, "d") == 0) {
		text[tl++] = dl;
		val[vl++] = dl;
	} else if (strcmp(v, "q") == 0) {
		text[tl++] = '"';
		text[tl++] = '"';
		val[vl++] = '"';
	} else if (strcmp(v, "lf") == 0 || strcmp(v, "cr") == 0) {
		text[tl++] = v[0] == 'l' ? '\n' : '\r';
		val[vl++] = v[0] == 'l' ? '\n' : '\r';
		g->line++;
	} else if (strcmp(v, "crlf") == 0) {
		memcpy(text + tl, "\r\n", 2);
		memcpy(val + vl, "\r\n", 2);
		tl += 2;
		vl += 2;
		g->line++;
	}
	text[tl++] = 's';
	val[vl++] = 's';
	text[tl++] = '"';
	int special = 0;
	for (k = 0; k < vl; k++)
		if (val[k] == ',' || val[k] == '"' || val[k] == '\r' || val[k] == '\n' || val[k] == dl)
			special = 1;
	gen_put(&g->in, &g->len, &g->cap, text, tl);
	if (special)
		gen_put(&g->want, &g->wlen, &g->wcap, "~", 1);
	gen_put(&g->want, &g->wlen, &g->wcap, val, vl);
}

static void
gen_end_line(struct gen *g)
{
	static const char *const ends[] = { "\n", "\r\n", "\r" };
	const char *e = ends[gen_rand(g, 3)];

	if (e[0] == '\n' && g->len > 0 && g->in[g->len - 1] == '\r')
		e = "\r";   /* a blank line after a bare CR: not LF, which would make a CRLF of the two */
	gen_put(&g->in, &g->len, &g->cap, e, strlen(e));
	g->line++;
}

/* rare: one row in rare has a quoted field (0: none); header_quoted: the header's names are quoted */
static void
gen_file(struct gen *g, unsigned char delim, unsigned rare, int header_quoted, size_t rows)
{
	char num[32], dl = (char)delim;
	size_t r, c;

	g->len = g->wlen = 0;
	g->line = 1;
	gen_put(&g->in, &g->len, &g->cap, header_quoted ? "\"id\"" : "id", header_quoted ? 4 : 2);
	gen_put(&g->in, &g->len, &g->cap, &dl, 1);
	gen_put(&g->in, &g->len, &g->cap, header_quoted ? "\"v\"" : "v", header_quoted ? 3 : 1);
	gen_put(&g->in, &g->len, &g->cap, &dl, 1);
	gen_put(&g->in, &g->len, &g->cap, "w", 1);
	gen_put(&g->want, &g->wlen, &g->wcap, "H|id|v|w\n", 9);
	gen_end_line(g);
	for (r = 0; r < rows; r++) {
		int quotes = rare > 0 && gen_rand(g, rare) == 0;
		if (gen_rand(g, 10) == 0)
			gen_end_line(g);   /* a blank line */
		int n = snprintf(num, sizeof num, "%ld|%zu", g->line, r);
		gen_put(&g->in, &g->len, &g->cap, num + (strchr(num, '|') - num) + 1,
		    strlen(strchr(num, '|') + 1));
		gen_put(&g->want, &g->wlen, &g->wcap, num, (size_t)n);
		for (c = 1; c < 3; c++) {
			gen_put(&g->in, &g->len, &g->cap, &dl, 1);
			gen_put(&g->want, &g->wlen, &g->wcap, "|", 1);
			gen_field(g, delim, quotes && gen_rand(g, 2) == 0);
		}
		gen_put(&g->want, &g->wlen, &g->wcap, "\n", 1);
		if (r + 1 < rows || gen_rand(g, 2) == 0)
			gen_end_line(g);
	}
}

static void
test_generated(void)
{
	static const size_t blocks[] = { 1, 2, 3, 7, 64, 4096, 65536 };
	static const unsigned rares[] = { 0, 300, 2 };
	struct gen g = { malloc(1024), malloc(1024), 0, 0, 1024, 1024, 777, 1 };
	char err[1024], name[160];
	size_t b, k;
	int hq, ok;

	for (k = 0; k < 3; k++)
		for (hq = 0; hq < 2; hq++) {
			unsigned char delim = k == 1 ? ';' : ',';
			struct csvio_opts o;
			csvio_opts_init(&o, delim);
			gen_file(&g, delim, rares[k], hq, 3000);
			ok = 1;
			for (b = 0; b < sizeof blocks / sizeof blocks[0] && ok; b++) {
				if (blocks[b] < 64 && rares[k] == 2)
					continue;   /* a quote every other row: the small reads are the cases' */
				char *got = render_opts(g.in, g.len, blocks[b], &o, err, sizeof err, 1);
				if (strcmp(got, g.want) != 0 || err[0] != '\0') {
					ok = 0;
					fprintf(stderr, "block %zu: %s\n", blocks[b], err);
				}
				free(got);
			}
			snprintf(name, sizeof name, "generated rows (%s, quotes %s, header %s): as written, at every read size",
			    delim == ',' ? "comma" : "semicolon", rares[k] == 0 ? "none" : rares[k] == 2 ?
			    "every other row" : "one row in 300", hq ? "quoted" : "plain");
			CHECK(ok, name);
		}
	free(g.in);
	free(g.want);
}

/* A pipe has no data cursor. */
static void
test_range_pipe(void)
{
	int p[2];
	struct diag d;
	struct csvio_reader *r;
	struct csvio_cursor c;
	long long size;

	if (pipe(p) != 0 || write(p[1], "a,b\n1,2\n", 8) != 8)
		abort();
	close(p[1]);
	r = csvio_open_fd(p[0], "stdin", ',', &d);
	CHECK(r != NULL && csvio_data_cursor(r, &c, &size) == 0, "a pipe has no data cursor");
	csvio_close(r);
	close(p[0]);
}

/* UTF-16 is refused with the iconv command (inputs with NULs: lengths given). */
static void
test_utf16(void)
{
	char err[1024];
	char *got;

	got = render("\xff\xfe" "a\0,\0b\0\n\0", 10, 0, ',', err, sizeof err);
	CHECK_STR(err, "t.csv: the input is UTF-16 (Excel's \"Unicode text\"), not UTF-8: "
	    "convert it with iconv -f UTF-16 -t UTF-8 't.csv' > 't.csv.utf8.csv'", "UTF-16LE, BOM");
	free(got);
	got = render("\0a\0\t\0b\0\n", 8, 0, ',', err, sizeof err);
	CHECK_STR(err, "t.csv: the input is UTF-16 (Excel's \"Unicode text\"), not UTF-8: "
	    "convert it with iconv -f UTF-16BE -t UTF-8 't.csv' > 't.csv.utf8.csv', and read it "
	    "with -t (it is tab-separated)", "UTF-16BE, no BOM, tabs");
	free(got);
	got = render("abc,def\n1,\0\n", 13, 0, ',', err, sizeof err);
	CHECK(err[0] == '\0' && strcmp(got, "H|abc|def\n2|1|") == 0, "one NUL is not UTF-16");
	free(got);
}

static void
test_delims(void)
{
	char err[256];
	char *got = render("a\tb\n1,5\t2\n", 10, 0, '\t', err, sizeof err);
	CHECK_STR(got, "H|a|b\n2|1,5|2\n", "tab delimiter");
	free(got);
	got = render("a;b\n\"1;5\";2\n", 12, 3, ';', err, sizeof err);
	CHECK_STR(got, "H|a|b\n2|1;5|2\n", "semicolon delimiter, quoted");
	free(got);
	CHECK(csvio_parse_delim("\\t") == '\t', "delim \\t");
	CHECK(csvio_parse_delim("tab") == '\t', "delim tab");
	CHECK(csvio_parse_delim(";") == ';', "delim ;");
	CHECK(csvio_parse_delim("ab") == -1, "delim too long");
	CHECK(csvio_parse_delim("\"") == -1, "delim quote refused");
	CHECK(csvio_parse_delim("") == -1, "delim empty");
}

static void
test_columns(void)
{
	const char *text = "price,segment,price,id\n1,a,2,3\n";
	struct diag d;
	struct csvio_reader *r;
	char msg[1024];

	int fd = text_fd(text, strlen(text));

	r = csvio_open_fd(fd, "orders.csv", ',', &d);
	CHECK(r != NULL, "open");
	CHECK(csvio_ncols(r) == 4, "ncols");
	CHECK(csvio_col(r, "segment") == 1, "col found");
	CHECK(csvio_col(r, "nope") == -1, "col missing");
	CHECK(csvio_col(r, "price") == -2, "col ambiguous");
	CHECK(csvio_require_col(r, "id", &d) == 3, "require found");
	CHECK(csvio_require_col(r, "cost", &d) == -1, "require missing");
	diag_format(&d, msg, sizeof msg);
	CHECK_STR(msg, "orders.csv: column \"cost\": no such column (columns: price, segment, price, id)", "missing column message");
	CHECK(csvio_require_col(r, "price", &d) == -1, "require ambiguous");
	diag_format(&d, msg, sizeof msg);
	CHECK_STR(msg, "orders.csv: column \"price\": column name is ambiguous: the header has it more than once", "ambiguous message");
	csvio_close(r);
	close(fd);
}

/* Writer: quoting only where needed, LF ends, numbers shortest. */
/*
 * Answer mode: each row reaches the file as it ends, with its last field
 * (empty unless set); and a reader on a pipe hands out a row as soon as
 * its line is there, without waiting for a full block (alarm: a reader
 * that waits fails here instead of hanging).
 */
static void
test_answer(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct csvio_writer *w = csvio_writer_new(fp, ',');
	struct csvio_reader *r;
	struct csvio_row row;
	struct diag d;
	int p[2];

	csvio_writer_answer(w);
	csvio_put_str(w, "a");
	CHECK(csvio_row_fields(w) == 1, "row fields");
	csvio_tail(w, "_reason");
	csvio_end(w);
	CHECK(len == 10 && strcmp(buf, "a,_reason\n") == 0, "answer header flushed at its end");
	csvio_put_str(w, "1");
	csvio_end(w);
	CHECK(len == 13 && strcmp(buf + 10, "1,\n") == 0, "answer row flushed, empty last field");
	csvio_put_str(w, "");
	csvio_tail(w, "line 3: \"x\"");
	csvio_end(w);
	CHECK_STR(buf + 13, ",\"line 3: \"\"x\"\"\"\n", "answer with a reason, quoted");
	csvio_writer_free(w);
	fclose(fp);
	free(buf);

	CHECK(pipe(p) == 0, "pipe");
	CHECK(write(p[1], "h,k\n1,2\n", 8) == 8, "write header and a row");
	alarm(5);
	r = csvio_open_fd(p[0], "pipe", ',', &d);
	CHECK(r != NULL && csvio_ncols(r) == 2, "header from a pipe left open");
	CHECK(r != NULL && csvio_next(r, &row, &d) == 1 && strcmp(row.f[1], "2") == 0,
	    "row from a pipe left open");
	CHECK(write(p[1], "3,4\r\n", 5) == 5, "write a CRLF row");
	CHECK(r != NULL && csvio_next(r, &row, &d) == 1 && strcmp(row.f[0], "3") == 0,
	    "CRLF row from a pipe left open");
	close(p[1]);
	CHECK(r != NULL && csvio_next(r, &row, &d) == 0, "end when the pipe closes");
	alarm(0);
	csvio_close(r);
	close(p[0]);
}

static void
test_writer(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct csvio_writer *w = csvio_writer_new(fp, ',');

	csvio_put_str(w, "plain");
	csvio_put_str(w, "a,b");
	csvio_put_str(w, "say \"hi\"");
	csvio_put_str(w, "l1\nl2");
	csvio_put_str(w, "cr\r");
	csvio_put_str(w, " sp ");
	csvio_put_str(w, "");
	csvio_end(w);
	csvio_put_num(w, 0.1);
	csvio_put_num(w, 1234.5);
	csvio_put_num(w, -0.0);
	csvio_put_num(w, 1e300);
	csvio_put_long(w, -42);
	csvio_end(w);
	csvio_put_str(w, "");
	csvio_end(w);
	CHECK(csvio_writer_free(w) == 0, "writer free ok");
	fclose(fp);
	CHECK_STR(buf, "plain,\"a,b\",\"say \"\"hi\"\"\",\"l1\nl2\",\"cr\r\", sp ,\n"
	    "0.1,1234.5,0,1e+300,-42\n\"\"\n", "writer output");
	free(buf);

	/* put_joined: a block of fields at once, for any delimiter */
	{
		const unsigned char delims[2] = { ',', ';' };
		static const char *const want[2] = { "a,0,1,0\n\"\"\n0,\n", "a;0;1;0\n\"\"\n0;\n" };
		int k;
		for (k = 0; k < 2; k++) {
			buf = NULL;
			len = 0;
			fp = open_memstream(&buf, &len);
			w = csvio_writer_new(fp, delims[k]);
			csvio_put_str(w, "a");
			csvio_put_joined(w, "0,1,0", 5, 3);
			csvio_end(w);
			csvio_put_joined(w, "", 0, 1);      /* a lone empty field */
			csvio_end(w);
			csvio_put_joined(w, "0,", 2, 2);    /* ends with an empty field */
			csvio_end(w);
			csvio_writer_free(w);
			fclose(fp);
			CHECK_STR(buf, want[k], k == 0 ? "put_joined, comma writer" : "put_joined, semicolon writer");
			free(buf);
		}
	}

	/* a write error is remembered and returned */
	fp = fopen("/dev/full", "w");
	if (fp != NULL) {
		w = csvio_writer_new(fp, ',');
		for (int i = 0; i < 100000; i++) {
			csvio_put_str(w, "some text to fill the buffer");
			csvio_end(w);
		}
		CHECK(csvio_writer_free(w) != 0, "write error to /dev/full reported");
		fclose(fp);
	}
}

/*
 * Two writers fed the same rows: one with csvio_put_row, which trusts the
 * plain flags and writes a row straight into its buffer, one field by
 * field with csvio_put, which looks at every byte.  They must agree: a
 * field flagged plain that needs quotes would not.
 */
struct twin {
	char *b[2];
	size_t l[2];
	FILE *f[2];
	struct csvio_writer *w[2];
};

static void
twin_open(struct twin *t)
{
	int k;

	for (k = 0; k < 2; k++) {
		t->b[k] = NULL;
		t->l[k] = 0;
		t->f[k] = open_memstream(&t->b[k], &t->l[k]);
		t->w[k] = csvio_writer_new(t->f[k], ',');
		/* Something first, so that put_row's first-field case is not the only one seen. */
		csvio_put_str(t->w[k], "x");
		csvio_end(t->w[k]);
	}
}

static void
twin_row(struct twin *t, const struct csvio_row *row)
{
	size_t i;

	csvio_put_row(t->w[0], row);
	csvio_end(t->w[0]);
	for (i = 0; i < row->n; i++)
		csvio_put(t->w[1], row->f[i], row->len[i]);
	csvio_end(t->w[1]);
}

/* Close both; 1 when they wrote the same bytes. */
static int
twin_close(struct twin *t)
{
	int k, same;

	for (k = 0; k < 2; k++) {
		csvio_writer_free(t->w[k]);
		fclose(t->f[k]);
	}
	same = t->l[0] == t->l[1] && memcmp(t->b[0], t->b[1], t->l[0]) == 0;
	if (!same)
		printf("     put_row: \"%s\"\n     put:     \"%s\"\n", t->b[0], t->b[1]);
	free(t->b[0]);
	free(t->b[1]);
	return same;
}

/* Every row read from input, written by both twins. */
static int
rows_written_alike(const char *input, size_t inlen, size_t block, unsigned char delim)
{
	int fd = text_fd(input, inlen);
	struct diag d;
	struct csvio_reader *r = csvio_open_fd_block(fd, "t.csv", delim, block, &d);
	struct csvio_row row;
	struct twin t;

	twin_open(&t);
	if (r != NULL) {
		while (csvio_next(r, &row, &d) > 0)
			twin_row(&t, &row);
		csvio_close(r);
	}
	close(fd);
	return twin_close(&t);
}

static void
test_plain_flags(void)
{
	static const struct {
		const char *input;
		unsigned char delim;
	} more[] = {
		{ "a;b\n1,5;x\n\"q;\"\"\";2\n\"3\n4\";\"5,6\"\n", ';' },
		{ "a\tb\n1,5\tx\n\"q\t\"\tr\"\"s\"\"\n", '\t' },
		{ "a,b\n\"x\",y\n\"1,2\"\n,\"\"\"\"\nz,\"w\nv\"\nu,t\n", ',' },
	};
	size_t i, block, len, nc = sizeof cases / sizeof cases[0];
	char name[128];
	int ok;

	for (i = 0; i < nc + sizeof more / sizeof more[0]; i++) {
		const char *in = i < nc ? cases[i].input : more[i - nc].input;
		unsigned char delim = i < nc ? ',' : more[i - nc].delim;
		len = strlen(in);
		ok = 1;
		for (block = 1; block <= len + 1 && ok; block++)
			ok = rows_written_alike(in, len, block, delim);
		snprintf(name, sizeof name, "plain flags agree with a look at every byte: case %zu (block %zu)",
		    i, block - 1);
		CHECK(ok, name);
	}
}

/*
 * Rows of every length around the writer's 64 KiB buffer: whatever the
 * offset where the buffer fills (inside a field, at a quote being
 * doubled), csvio_put_row writes what csvio_put writes.
 */
static void
test_put_row_boundaries(void)
{
	static char big[70000];
	size_t i, k;
	char *fp[4];
	size_t fl[4];
	unsigned char pl[4] = { 1, 0, 1, 0 };
	struct csvio_row row = { .n = 4, .f = fp, .len = fl, .plain = pl };
	struct twin t;

	for (i = 0; i < sizeof big; i++)
		big[i] = i % 7 == 3 ? '"' : (char)('a' + i % 26);
	fp[0] = big + 4;          /* plain: no quote in its first 2 bytes */
	fp[1] = big;              /* holds quotes */
	fp[2] = (char *)"";
	fp[3] = (char *)"a,b";
	twin_open(&t);
	for (k = 0; k < 400; k++) {
		fl[0] = 2;
		fl[1] = k * 37 % 300;
		fl[2] = 0;
		fl[3] = 3;
		if (k % 50 == 49)
			fl[1] = 65536 + k % 3;   /* longer than the buffer */
		twin_row(&t, &row);
	}
	CHECK(twin_close(&t), "put_row across buffer boundaries writes what put writes");
}

/* Round trip: what the writer writes, the reader reads back unchanged. */
static void
test_roundtrip(void)
{
	static const char *fields[] = { "a", "", "x,y", "\"", "\n", "\r\n", " ", "\xef\xbb\xbf", "tab\there" };
	size_t nf = sizeof fields / sizeof fields[0], i;
	char *buf = NULL, err[256], *got, want[1024];
	size_t len = 0, wl = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct csvio_writer *w = csvio_writer_new(fp, ',');

	for (i = 0; i < nf; i++)
		csvio_put_str(w, i == 0 ? "h0" : "h");
	csvio_end(w);
	for (i = 0; i < nf; i++)
		csvio_put_str(w, fields[i]);
	csvio_end(w);
	csvio_writer_free(w);
	fclose(fp);
	got = render(buf, len, 7, ',', err, sizeof err);
	wl += (size_t)snprintf(want + wl, sizeof want - wl, "H|h0");
	for (i = 1; i < nf; i++)
		wl += (size_t)snprintf(want + wl, sizeof want - wl, "|h");
	wl += (size_t)snprintf(want + wl, sizeof want - wl, "\n2");
	for (i = 0; i < nf; i++)
		wl += (size_t)snprintf(want + wl, sizeof want - wl, "|%s", fields[i]);
	snprintf(want + wl, sizeof want - wl, "\n");
	CHECK_STR(got, want, "writer/reader round trip");
	free(got);
	free(buf);
}

/* Every fixture in testdata/: small blocks give the same rows as one read. */
static void
test_fixtures(void)
{
	DIR *dir = opendir(".");
	struct dirent *e;
	int nfiles = 0;

	if (dir == NULL)
		return;
	while ((e = readdir(dir)) != NULL) {
		size_t nl = strlen(e->d_name), len;
		char *text, *ref, err[1024], err2[1024], name[512];
		FILE *fp;
		long sz;
		size_t block;
		int ok = 1;

		if (nl < 5 || strcmp(e->d_name + nl - 4, ".csv") != 0)
			continue;
		fp = fopen(e->d_name, "rb");
		if (fp == NULL)
			continue;
		fseek(fp, 0, SEEK_END);
		sz = ftell(fp);
		rewind(fp);
		if (sz > 200000) {   /* big files: covered by the benchmarks */
			fclose(fp);
			continue;
		}
		text = malloc((size_t)sz + 1);
		len = fread(text, 1, (size_t)sz, fp);
		fclose(fp);
		ref = render(text, len, 0, ',', err, sizeof err);
		for (block = 1; block <= 67; block += (block < 17 ? 1 : 10)) {
			char *got = render(text, len, block, ',', err2, sizeof err2);
			if (strcmp(got, ref) != 0 || strcmp(err, err2) != 0)
				ok = 0;
			free(got);
		}
		snprintf(name, sizeof name, "fixture %s read the same in every block size", e->d_name);
		CHECK(ok, name);
		free(ref);
		free(text);
		nfiles++;
	}
	closedir(dir);
}

/* csvio_peek: the rows still to come in the parsed block, without consuming them. */
static void
test_peek(void)
{
	const char *text = "k,v\na,1\nb,2\nc,3\n";
	struct diag d;
	struct csvio_reader *r;
	struct csvio_row row, ahead;

	int fd = text_fd(text, strlen(text));

	r = csvio_open_fd(fd, "p.csv", ',', &d);
	/* the header was the last row handed out (by csvio_open) */
	CHECK(csvio_peek(r, 1, &ahead) == 1 && strcmp(ahead.f[0], "a") == 0,
	    "peek before the first data row sees it");
	CHECK(csvio_next(r, &row, &d) == 1 && strcmp(row.f[0], "a") == 0, "first row");
	CHECK(csvio_peek(r, 1, &ahead) == 1 && strcmp(ahead.f[0], "b") == 0 && ahead.line == 3,
	    "peek 1 is the next row");
	CHECK(csvio_peek(r, 2, &ahead) == 1 && strcmp(ahead.f[1], "3") == 0, "peek 2");
	CHECK(csvio_peek(r, 3, &ahead) == 0, "peek past the block: nothing");
	CHECK(csvio_peek(r, 0, &ahead) == 0, "peek 0: nothing");
	CHECK(strcmp(row.f[0], "a") == 0, "peeking leaves the current row");
	CHECK(csvio_next(r, &row, &d) == 1 && strcmp(row.f[0], "b") == 0, "peek consumed nothing");
	csvio_close(r);
	close(fd);
}

int
main(void)
{
	test_cases();
	test_peek();
	test_delims();
	test_columns();
	test_writer();
	test_answer();
	test_utf16();
	test_roundtrip();
	test_plain_flags();
	test_put_row_boundaries();
	test_fixtures();
	test_ranges();
	test_ranges_big();
	test_generated();
	test_range_pipe();
	return check_done();
}
