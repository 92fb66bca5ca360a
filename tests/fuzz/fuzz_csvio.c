/*
 * fuzz_csvio.c - the CSV reader and writer on arbitrary bytes.
 *
 * Input: byte 0 picks the block size (1..64, or the default), byte 1 the
 * delimiter (',' ';' '\t' '|'), the rest is the file.  Properties:
 *   1. reading never crashes, and gives the same rows, lines and final
 *      status whatever the block size (compared with the default block);
 *   2. when the read succeeds, writing the header and rows and reading the
 *      result back gives the same fields;
 *   3. every row written with csvio_put_row (which trusts the reader's
 *      plain flags) comes out as written field by field with csvio_put
 *      (which looks at every byte), both to a comma writer;
 *   4. the rows are libcsv's own, parsed from the whole input in one call
 *      (the reader splits quote-free records itself): the same fields, and
 *      an error exactly when libcsv finds one.
 */
#include "fuzz_common.h"

#include <csv.h>

#include "csvio.h"
#include "diag.h"

struct snap {
	size_t nrows, cap;
	char **rows;        /* each row flattened: n, then len+bytes per field */
	size_t *rowlen;
	long *lines;
	int status;         /* 0 end, -1 error */
	char what[DIAG_WHAT_MAX];
	long errline;
};

static void
snap_free(struct snap *s)
{
	size_t i;
	for (i = 0; i < s->nrows; i++)
		free(s->rows[i]);
	free(s->rows);
	free(s->rowlen);
	free(s->lines);
	memset(s, 0, sizeof *s);
}

static void
snap_add(struct snap *s, const struct csvio_row *row)
{
	size_t i, total = sizeof(size_t), pos = 0;
	char *b;

	for (i = 0; i < row->n; i++) {
		total += sizeof(size_t) + row->len[i];
		if (row->f[i][row->len[i]] != '\0')
			abort();   /* fields are NUL-terminated */
	}
	b = malloc(total);
	memcpy(b, &row->n, sizeof(size_t));
	pos = sizeof(size_t);
	for (i = 0; i < row->n; i++) {
		memcpy(b + pos, &row->len[i], sizeof(size_t));
		pos += sizeof(size_t);
		memcpy(b + pos, row->f[i], row->len[i]);
		pos += row->len[i];
	}
	if (s->nrows == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->rows = realloc(s->rows, s->cap * sizeof *s->rows);
		s->rowlen = realloc(s->rowlen, s->cap * sizeof *s->rowlen);
		s->lines = realloc(s->lines, s->cap * sizeof *s->lines);
	}
	s->rows[s->nrows] = b;
	s->rowlen[s->nrows] = total;
	s->lines[s->nrows] = row->line;
	s->nrows++;
}

/*
 * Read fd (header first) into s.  Returns 0 when the open succeeded.
 * With w, each data row is also written with csvio_put_row to w[0] and
 * field by field to w[1].
 */
static int
read_all(int fd, unsigned char delim, size_t block, struct snap *s, struct csvio_writer **w)
{
	struct diag d;
	struct csvio_reader *r;
	struct csvio_row row;
	size_t i;
	int got;

	memset(s, 0, sizeof *s);
	diag_clear(&d);
	r = csvio_open_fd_block(fd, "fuzz", delim, block, &d);
	if (r == NULL) {
		s->status = -2;
		snprintf(s->what, sizeof s->what, "%s", d.what);
		s->errline = d.line;
		return -1;
	}
	if (csvio_header(r)->n > 0)
		snap_add(s, csvio_header(r));
	while ((got = csvio_next(r, &row, &d)) == 1) {
		snap_add(s, &row);
		if (w != NULL) {
			csvio_put_row(w[0], &row);
			csvio_end(w[0]);
			for (i = 0; i < row.n; i++)
				csvio_put(w[1], row.f[i], row.len[i]);
			csvio_end(w[1]);
		}
	}
	s->status = got;
	if (got < 0) {
		snprintf(s->what, sizeof s->what, "%s", d.what);
		s->errline = d.line;
		/* after an error, the reader keeps saying so */
		if (csvio_next(r, &row, &d) != -1)
			abort();
	}
	csvio_close(r);
	return 0;
}

/* libcsv alone (property 4): its records as the reader hands them out. */
struct ref {
	struct snap *s;
	char *field;            /* the record being parsed: flattened fields */
	size_t len, cap, nf;
	int cr;                 /* the last record ended with a CR */
};

static void
ref_field(void *t, size_t len, void *data)
{
	struct ref *r = data;
	while (r->len + len + sizeof(size_t) > r->cap) {
		r->cap = r->cap ? 2 * r->cap : 256;
		r->field = realloc(r->field, r->cap);
	}
	memcpy(r->field + r->len, &len, sizeof len);
	r->len += sizeof len;
	if (len > 0)
		memcpy(r->field + r->len, t, len);
	r->len += len;
	r->nf++;
}

static void
ref_record(int c, void *data)
{
	struct ref *r = data;
	struct csvio_row row;
	char **f;
	size_t *len, i, pos = 0;

	if (r->nf == 0) {
		/* a blank line: skipped, but a one-column file's empty value (not a CRLF's LF) */
		int lf_of_crlf = c == '\n' && r->cr;
		size_t header_n = 0;
		r->cr = c == '\r';
		if (r->s->nrows > 0)
			memcpy(&header_n, r->s->rows[0], sizeof header_n);
		if (c == -1 || lf_of_crlf || header_n != 1)
			return;
		ref_field((void *)"", 0, r);
	}
	r->cr = c == '\r';
	f = malloc(r->nf * sizeof *f);
	len = malloc(r->nf * sizeof *len);
	for (i = 0; i < r->nf; i++) {
		memcpy(&len[i], r->field + pos, sizeof len[i]);
		pos += sizeof len[i];
		f[i] = malloc(len[i] + 1);
		memcpy(f[i], r->field + pos, len[i]);
		f[i][len[i]] = '\0';
		pos += len[i];
	}
	row.n = r->nf;
	row.f = f;
	row.len = len;
	row.line = 0;
	row.plain = NULL;
	snap_add(r->s, &row);
	for (i = 0; i < r->nf; i++)
		free(f[i]);
	free(f);
	free(len);
	r->len = r->nf = 0;
}

static int
keep_spaces(unsigned char c)
{
	(void)c;
	return 0;
}

/* The records of data[0..size) by libcsv in one call (a BOM dropped); status -1 on an error. */
static void
ref_all(const uint8_t *data, size_t size, unsigned char delim, struct snap *s)
{
	struct csv_parser p;
	struct ref r = { s, NULL, 0, 0, 0, 0 };

	memset(s, 0, sizeof *s);
	if (size >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		data += 3;
		size -= 3;
	}
	csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL);
	csv_set_delim(&p, delim);
	csv_set_space_func(&p, keep_spaces);
	if (csv_parse(&p, data, size, ref_field, ref_record, &r) != size ||
	    csv_fini(&p, ref_field, ref_record, &r) != 0)
		s->status = -1;
	csv_free(&p);
	free(r.field);
}

static int
snap_same(const struct snap *a, const struct snap *b, int lines)
{
	size_t i;

	if (a->nrows != b->nrows || a->status != b->status)
		return 0;
	if (lines && (strcmp(a->what, b->what) != 0 || a->errline != b->errline))
		return 0;
	for (i = 0; i < a->nrows; i++) {
		if (a->rowlen[i] != b->rowlen[i] || memcmp(a->rows[i], b->rows[i], a->rowlen[i]) != 0)
			return 0;
		if (lines && a->lines[i] != b->lines[i])
			return 0;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char delims[] = { ',', ';', '\t', '|' };
	struct snap a, b, c;
	size_t block;
	unsigned char delim;
	int fd;

	if (size < 2)
		return 0;
	block = data[0] == 0xff ? 0 : (size_t)(data[0] % 64) + 1;
	delim = delims[data[1] % 4];
	data += 2;
	size -= 2;

	fd = fuzz_memfd(data, size);
	{
		char *buf[2] = { NULL, NULL };
		size_t len[2] = { 0, 0 };
		FILE *fp[2];
		struct csvio_writer *w[2];
		int k;
		for (k = 0; k < 2; k++) {
			fp[k] = open_memstream(&buf[k], &len[k]);
			w[k] = csvio_writer_new(fp[k], ',');
		}
		read_all(fd, delim, block, &a, w);
		for (k = 0; k < 2; k++) {
			csvio_writer_free(w[k]);
			fclose(fp[k]);
		}
		if (len[0] != len[1] || memcmp(buf[0], buf[1], len[0]) != 0) {
			fprintf(stderr, "put_row wrote \"%s\", put \"%s\"\n", buf[0], buf[1]);
			abort();
		}
		free(buf[0]);
		free(buf[1]);
	}
	lseek(fd, 0, SEEK_SET);
	read_all(fd, delim, 0, &b, NULL);
	close(fd);
	if (a.status == 0 || a.status == -1) {
		struct snap ref;
		ref_all(data, size, delim, &ref);
		if ((a.status == -1) != (ref.status == -1) || (a.status == 0 && !snap_same(&a, &ref, 0))) {
			fprintf(stderr, "block %zu: %zu rows status %d \"%s\"; libcsv: %zu rows status %d\n",
			    block, a.nrows, a.status, a.what, ref.nrows, ref.status);
			abort();
		}
		snap_free(&ref);
	}
	if (!snap_same(&a, &b, 1)) {
		fprintf(stderr, "block %zu: %zu rows status %d \"%s\" line %ld; default: %zu rows status %d \"%s\" line %ld\n",
		    block, a.nrows, a.status, a.what, a.errline, b.nrows, b.status, b.what, b.errline);
		abort();
	}
	/*
	 * Write it out, read it back.  Not with NUL bytes: a first line with a
	 * NUL beside every character reads as UTF-16 and is refused, by design.
	 */
	if (a.status == 0 && a.nrows > 0 && memchr(data, 0, size) == NULL) {
		char *out = NULL;
		size_t outlen = 0, i, j;
		FILE *fp = open_memstream(&out, &outlen);
		struct csvio_writer *w = csvio_writer_new(fp, delim);
		for (i = 0; i < a.nrows; i++) {
			size_t n, pos = sizeof(size_t);
			memcpy(&n, a.rows[i], sizeof n);
			for (j = 0; j < n; j++) {
				size_t len;
				memcpy(&len, a.rows[i] + pos, sizeof len);
				pos += sizeof len;
				csvio_put(w, a.rows[i] + pos, len);
				pos += len;
			}
			csvio_end(w);
		}
		if (csvio_writer_free(w) != 0)
			abort();
		fclose(fp);
		fd = fuzz_memfd((const uint8_t *)out, outlen);
		read_all(fd, delim, 0, &c, NULL);
		close(fd);
		if (!snap_same(&a, &c, 0)) {
			fprintf(stderr, "round trip: %zu rows status %d; back: %zu rows status %d \"%s\"\n",
			    a.nrows, a.status, c.nrows, c.status, c.what);
			abort();
		}
		snap_free(&c);
		free(out);
	}
	snap_free(&a);
	snap_free(&b);
	return 0;
}
