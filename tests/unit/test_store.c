/*
 * test_store.c - filling a store on several threads gives the store of
 * adding the rows one at a time.
 *
 * An input with every kind of row (refused for each reason, a column that
 * turns categorical half-way, numbers in a categorical column, groups,
 * weights, quoted newlines, CRLF) is read row by row with store_add_row,
 * then with store_read on 1 to 3 threads and byte ranges from a few bytes
 * up; the stores (rows, values, lines, levels in order, groups, which
 * columns held numbers and where their first text was) and the refusals
 * (line and reason, in order) must be the same.
 */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "csvio.h"
#include "text_reader.h"
#include "formula.h"
#include "store.h"

/* Text rendered: the refusals as they came, then the store. */
struct out {
	char *s;
	size_t len, cap;
};

static void
put(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#include <stdarg.h>
static void
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->s + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if ((size_t)n < o->cap - o->len)
			break;
		o->s = realloc(o->s, o->cap *= 2);
	}
	o->len += (size_t)n;
}

static void
on_reject(void *arg, const struct csvio_row *row, struct diag *d)
{
	char msg[1024];

	diag_format(d, msg, sizeof msg);
	put(arg, "refused line %ld (%zu fields): %s\n", row->line, row->n, msg);
}

static void
put_store(struct out *o, struct store *s)
{
	size_t r, i, k;

	put(o, "rows %zu decimal commas %llu (%s)\n", s->n, s->n_decimal_comma,
	    s->n_decimal_comma ? s->decimal_comma : "");
	for (i = 0; i < s->nc; i++) {
		long line;
		const char *v;
		put(o, "column %zu has_num %d", i, s->has_num[i]);
		if (store_mixed_column(s, i, &line, &v))
			put(o, " mixed from line %ld (%s)", line, v);
		if (s->lv[i] != NULL) {
			put(o, " levels");
			for (k = 0; k < strtab_n(s->lv[i]); k++)
				put(o, " [%s]", strtab_str(s->lv[i], k, NULL));
		}
		put(o, "\n");
	}
	if (s->groups) {
		put(o, "groups");
		for (k = 0; k < strtab_n(s->groups); k++)
			put(o, " [%s]", strtab_str(s->groups, k, NULL));
		put(o, "\n");
	}
	for (r = 0; r < s->n; r++) {
		const double *v = store_row_read(s, r);
		put(o, "%ld:", store_line(s, r));
		for (i = 0; i < s->rowlen; i++)
			put(o, " %a", v[i]);
		put(o, "\n");
	}
}

/*
 * Read input into a store for formula (weight, group: column names or
 * NULL): row by row (jobs < 0) or with store_read.  The rendering.
 */
static char *
fill(const char *input, const char *formula, const char *weight, const char *group, int jobs,
    long long range, size_t buffer)
{
	struct out o = { malloc(4096), 0, 4096 };
	int fd = text_fd(input, strlen(input));
	struct diag d;
	struct csvio_reader *in = csvio_open_fd(fd, "t.csv", ',', &d);
	struct formula *f = formula_parse(formula, &d);
	struct store_spec spec;
	struct store *s;
	long *field;
	unsigned long long n_in = 0;
	int rc;

	o.s[0] = '\0';
	if (in == NULL || f == NULL)
		abort();
	field = malloc(formula_ncols(f) * sizeof *field);
	memset(&spec, 0, sizeof spec);
	spec.f = f;
	spec.price = -1;
	if (store_spec_columns(&spec, in, field, weight, group, &d) < 0)
		abort();
	s = store_new(&spec);
	if (buffer) {
		store_set_buffer(s, buffer);
		store_allow_spill(s);
	}
	if (jobs < 0) {
		struct csvio_row row;
		int got;
		rc = 0;
		while ((got = csvio_next(in, &row, &d)) > 0) {
			n_in++;
			if (csvio_check_width(in, &row, &d) < 0 || (rc = store_add_row(s, &row, &d)) == -1)
				on_reject(&o, &row, &d);
			if (rc == -2)
				break;
		}
		rc = got < 0 ? -1 : rc;
	} else {
		struct store_read_opts ro = { (unsigned)jobs, range, on_reject, NULL, &o };
		rc = store_read(s, in, &ro, &n_in, &d);
	}
	put(&o, "read %llu rc %d", n_in, rc);
	if (rc < 0) {
		char msg[1024];
		diag_format(&d, msg, sizeof msg);
		put(&o, " %s", msg);
	}
	put(&o, "\n");
	put_store(&o, s);
	store_free(s);
	free(field);
	formula_free(f);
	csvio_close(in);
	close(fd);
	return o.s;
}

static const char input[] =
    "y,x,seg,p,w,g\r\n"
    "1,0.5,a,2,1,g1\r\n"
    "0,1.25,b,3,2,g2\n"
    "1,,a,2,1,g1\n"                 /* missing x */
    "1,2,\"multi\nline\",4,1,g3\n"
    "0,3,a,1,5,2,g1\n"               /* too many fields */
    "1,4,c,\"1,5\",1,g2\n"           /* decimal comma in a numeric column */
    "0,5,b,abc,1,g1\n"               /* not a number */
    "1,6,a,0,1,g1\n"                 /* log(0) */
    "0,7,a,2,-1,g1\n"                /* negative weight */
    "1,8,a,2,1,\n"                   /* missing group */
    "1,9,07,2,1,g4\n"                /* a number in a categorical column */
    "0,ten,a,2,1,g1\n"               /* x turns categorical */
    "1,11.0,b,2,0.5,g2\n"            /* then its numbers are levels */
    "0,eleven,c,2,1,\"g\"\"q\"\n"
    "1,12,\"b\",2,1,\"g2\"\n"
    "\n"
    "0,13,a,\"2\",1,g5\n"
    "1,14,d,2.5,3,g1\r\n"
    "1,x\"y,a,2,1,g1\n"              /* malformed: the reading stops here */
    "0,15,a,2,1,g1\n";

static void
test_same_store(const char *in, const char *formula, const char *weight, const char *group,
    const char *what)
{
	char *want = fill(in, formula, weight, group, -1, 0, 0), name[256];
	static const long long ranges[] = { 1, 5, 17, 40, 100, 1000, 0 };
	int jobs, ok = 1;
	size_t k;

	for (jobs = 0; jobs <= 3 && ok; jobs++) {
		for (k = 0; k < sizeof ranges / sizeof ranges[0] && ok; k++) {
			char *got = fill(in, formula, weight, group, jobs, ranges[k], 0);
			if (strcmp(got, want) != 0) {
				snprintf(name, sizeof name, "%s: %d threads, ranges of %lld bytes", what, jobs,
				    ranges[k]);
				CHECK_STR(got, want, name);
				ok = 0;
			}
			free(got);
		}
	}
	snprintf(name, sizeof name, "%s: the store of one row at a time, for 0 to 3 threads", what);
	CHECK(ok, name);
	free(want);
}

/* The rows, so that the test can fail: the rendering says what it should. */
static void
test_rendering(void)
{
	char *s = fill(input, "y ~ x + seg + log(p)", "w", "g", -1, 0, 0);

	CHECK(strstr(s, "refused line 4 (6 fields): column \"x\": missing value") != NULL,
	    "a missing value is refused");
	CHECK(strstr(s, "refused line 10 (6 fields): formula term is not finite: \"log(p)\"")
	    != NULL, "log(0) is refused");
	CHECK(strstr(s, "refused line 7 (7 fields): t.csv:7: too many fields (expected 6)") != NULL,
	    "a row wider than the header is refused");
	CHECK(strstr(s, "rows 10 decimal commas 1 (1,5)") != NULL, "ten rows kept, one decimal comma");
	CHECK(strstr(s, "levels [0.5] [1.25] [2] [9] [ten] [11] [eleven] [12] [13] [14]") != NULL,
	    "x's levels: its numbers in their shortest form, texts as they are");
	CHECK(strstr(s, "levels [a] [b] [multi\nline] [7] [c] [d]") != NULL,
	    "seg's levels in the order first seen; 07 as 7");
	CHECK(strstr(s, "groups [g1] [g2] [g3] [g4] [g\"q] [g5]") != NULL, "the groups in order");
	CHECK(strstr(s, "mixed from line 14 (ten)") != NULL, "x held text first on line 14");
	CHECK(strstr(s, "read 17 rc -1 t.csv:21: malformed CSV: quote inside an unquoted field") != NULL,
	    "the reading stops at the malformed row");
	free(s);
}

int
main(void)
{
	size_t cut = strstr(input, "1,x\"y") - input;
	char *good = strndup(input, cut);

	test_rendering();
	test_same_store(input, "y ~ x + seg + log(p)", "w", "g", "every kind of row, weighted, by group");
	test_same_store(good, "y ~ x + seg + log(p)", "w", "g", "well-formed, weighted, by group");
	test_same_store(good, "y ~ x + seg + log(p)", NULL, NULL, "well-formed, unweighted");
	test_same_store(good, "y ~ factor(x) + p", NULL, NULL, "a forced factor");
	{
		/* many rows, spilled to the file past a small buffer */
		size_t cap = 1 << 22, len = 0, i;
		char *big = malloc(cap);
		len += (size_t)sprintf(big, "y,x,seg,p,w,g\n");
		for (i = 0; i < 150000; i++)
			len += (size_t)sprintf(big + len, "%zu,%zu.5,%s,%zu,1,g%zu\n", i % 2, i % 977,
			    i % 5 ? "a" : "b", 1 + i % 7, i % 3);
		char *want = fill(big, "y ~ x + seg + p", NULL, NULL, -1, 0, 1 << 20);
		char *got = fill(big, "y ~ x + seg + p", NULL, NULL, 2, 0, 1 << 20);
		CHECK(strcmp(got, want) == 0, "150,000 rows spilled: the store of one row at a time");
		free(want);
		free(got);
		free(big);
	}
	free(good);
	return check_done();
}
