/*
 * test_fuzz_regress.c - replay the inputs the fuzzers of tests/fuzz/ found
 * (and the seeds kept with them) without clang or libFuzzer, so a fixed bug
 * stays fixed in make check.
 *
 * ../tests/fuzz/corpus/csvio/FILE: byte 0 is the fuzzer's block choice
 * (ignored here), byte 1 picks the delimiter (, ; TAB |), the rest is the
 * file.  Each is read at block sizes 1, 2, 3, 7, 64 and the default: the
 * rows, their lines and the final status (and message) must agree, an
 * error must stick (the next call fails too), fields must be
 * NUL-terminated; when the read succeeds, writing the rows and reading
 * them back must give the same fields.
 *
 * ../tests/fuzz/corpus/num/FILE: the whole file is one field; when
 * num_parse accepts it, strtod must consume all of it and agree bit for
 * bit, and num_format must read back to the same value.
 *
 * ../tests/fuzz/corpus/date/FILE: when date_parse accepts the text (in any
 * order), the date is valid and date_format's text parses back to it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "csvio.h"
#include "date.h"
#include "num.h"

#define CORPUS "../tests/fuzz/corpus/"

struct rows {
	char *text;          /* every row rendered: "line:n:len:bytes..." */
	size_t len, cap;
	int status;          /* 0 end, -1 error in csvio_next, -2 open failed */
	char msg[1024];
};

static void
add(struct rows *o, const void *s, size_t n)
{
	while (o->len + n + 1 > o->cap) {
		o->cap = o->cap ? 2 * o->cap : 4096;
		o->text = realloc(o->text, o->cap);
		if (o->text == NULL)
			abort();
	}
	memcpy(o->text + o->len, s, n);
	o->len += n;
	o->text[o->len] = '\0';
}

static void
add_row(struct rows *o, const struct csvio_row *row, int lines, int *nul_ok)
{
	char num[64];
	size_t i;
	int n;

	n = snprintf(num, sizeof num, "%ld:%zu", lines ? row->line : 0L, row->n);
	add(o, num, (size_t)n);
	for (i = 0; i < row->n; i++) {
		if (row->f[i][row->len[i]] != '\0')
			*nul_ok = 0;
		n = snprintf(num, sizeof num, ":%zu:", row->len[i]);
		add(o, num, (size_t)n);
		add(o, row->f[i], row->len[i]);
	}
	add(o, "\n", 1);
}

/* A temporary file holding data, positioned at its start (already unlinked). */
static int
tmpfd(const void *data, size_t size)
{
	char path[] = "/tmp/test_fuzz_regress.XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0)
		abort();
	unlink(path);
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* Read data (header first) into o; also used for the round trip. */
static void
read_rows(const void *data, size_t size, unsigned char delim, size_t block, int lines,
    struct rows *o, int *sticky_ok, int *nul_ok)
{
	int fd = tmpfd(data, size), got;
	struct diag d;
	struct csvio_reader *r;
	struct csvio_row row;

	memset(o, 0, sizeof *o);
	add(o, "", 0);
	diag_clear(&d);
	r = csvio_open_fd_block(fd, "fuzz.csv", delim, block, &d);
	if (r == NULL) {
		o->status = -2;
		diag_format(&d, o->msg, sizeof o->msg);
		close(fd);
		return;
	}
	if (csvio_ncols(r) > 0)
		add_row(o, csvio_header(r), lines, nul_ok);
	while ((got = csvio_next(r, &row, &d)) == 1)
		add_row(o, &row, lines, nul_ok);
	o->status = got;
	if (got < 0) {
		diag_format(&d, o->msg, sizeof o->msg);
		if (d.what[0] == '\0' || strcmp(d.file, "fuzz.csv") != 0)
			*sticky_ok = 0;
		if (csvio_next(r, &row, &d) != -1)
			*sticky_ok = 0;
	}
	csvio_close(r);
	close(fd);
}

/* Write what data reads to (header and rows) with the writer, into *out. */
static int
rewrite(const void *data, size_t size, unsigned char delim, char **out, size_t *outlen)
{
	int fd = tmpfd(data, size), got;
	struct diag d;
	struct csvio_reader *r = csvio_open_fd_block(fd, "fuzz.csv", delim, 0, &d);
	struct csvio_row row;
	FILE *fp = open_memstream(out, outlen);
	struct csvio_writer *w = csvio_writer_new(fp, delim);
	int rc;

	if (r == NULL)
		abort();
	if (csvio_ncols(r) > 0) {
		csvio_put_row(w, csvio_header(r));
		csvio_end(w);
	}
	while ((got = csvio_next(r, &row, &d)) == 1) {
		csvio_put_row(w, &row);
		csvio_end(w);
	}
	rc = csvio_writer_free(w);
	fclose(fp);
	csvio_close(r);
	close(fd);
	return got == 0 && rc == 0 ? 0 : -1;
}

static void
check_csv(const char *name, const unsigned char *buf, size_t size)
{
	static const unsigned char delims[] = { ',', ';', '\t', '|' };
	static const size_t blocks[] = { 1, 2, 3, 7, 64 };
	unsigned char delim;
	struct rows base, other, back, base0;
	size_t k;
	int sticky_ok = 1, nul_ok = 1, same = 1;
	char label[512];

	if (size < 2) {
		CHECK(0, "a csvio corpus file has two leading bytes");
		return;
	}
	delim = delims[buf[1] % 4];
	buf += 2;
	size -= 2;
	read_rows(buf, size, delim, 0, 1, &base, &sticky_ok, &nul_ok);
	for (k = 0; k < sizeof blocks / sizeof blocks[0]; k++) {
		read_rows(buf, size, delim, blocks[k], 1, &other, &sticky_ok, &nul_ok);
		if (other.status != base.status || other.len != base.len ||
		    memcmp(other.text, base.text, base.len) != 0 || strcmp(other.msg, base.msg) != 0) {
			same = 0;
			printf("     %s: block %zu differs from the default block\n", name, blocks[k]);
		}
		free(other.text);
	}
	snprintf(label, sizeof label, "%s: same rows, lines and status at every block size", name);
	CHECK(same, label);
	snprintf(label, sizeof label, "%s: an error names the file and sticks", name);
	CHECK(sticky_ok, label);
	snprintf(label, sizeof label, "%s: fields are NUL-terminated", name);
	CHECK(nul_ok, label);
	if (base.status == 0) {
		char *out = NULL;
		size_t outlen = 0;
		snprintf(label, sizeof label, "%s: read, write, read gives the same fields", name);
		if (rewrite(buf, size, delim, &out, &outlen) != 0) {
			CHECK(0, label);
		} else {
			read_rows(buf, size, delim, 0, 0, &base0, &sticky_ok, &nul_ok);
			read_rows(out, outlen, delim, 0, 0, &back, &sticky_ok, &nul_ok);
			CHECK(back.status == 0 && back.len == base0.len &&
			    memcmp(back.text, base0.text, base0.len) == 0, label);
			free(back.text);
			free(base0.text);
		}
		free(out);
	}
	free(base.text);
}

static void
check_num(const char *name, const unsigned char *buf, size_t size)
{
	char *s = malloc(size + 1), *end, out[NUM_BUFSZ], label[512];
	double v = 0, w, back = 0;
	enum num_status st;
	int flags;

	memcpy(s, buf, size);
	s[size] = '\0';
	for (flags = 0; flags <= NUM_ALLOW_INFNAN; flags += NUM_ALLOW_INFNAN) {
		st = num_parse((const char *)buf, size, &v, flags);
		snprintf(label, sizeof label, "%s (flags %d): accepted only what strtod reads whole, same value",
		    name, flags);
		if (st == NUM_OK || st == NUM_RANGE) {
			errno = 0;
			w = strtod(s, &end);
			CHECK(end == s + size && size > 0 && s[0] != ' ' && s[0] != '\t' &&
			    (st == NUM_RANGE ? errno == ERANGE && isinf(w)
			    : (isnan(v) && isnan(w)) || memcmp(&v, &w, sizeof v) == 0), label);
		} else {
			CHECK(st == NUM_BAD || (st == NUM_EMPTY && size == 0), label);
		}
		if (st == NUM_OK && !isnan(v)) {
			size_t n = num_format(v, out);
			snprintf(label, sizeof label, "%s: num_format reads back", name);
			CHECK(n < NUM_BUFSZ && num_parse(out, n, &back, NUM_ALLOW_INFNAN) == NUM_OK &&
			    (back == v || (v == 0 && back == 0)), label);
		}
	}
	free(s);
}

static void
check_date(const char *name, const unsigned char *buf, size_t size)
{
	static const enum date_order orders[] = { DATE_ORDER_NONE, DATE_ORDER_DMY, DATE_ORDER_MDY };
	char out[DATE_BUFSZ], label[512];
	struct date dt, back;
	size_t k;

	for (k = 0; k < 3; k++) {
		if (date_parse((const char *)buf, size, orders[k], &dt) != DATE_OK)
			continue;
		snprintf(label, sizeof label, "%s (order %zu): parse, format, parse is stable", name, k);
		CHECK(date_valid(dt.year, dt.month, dt.day) && date_format(&dt, out) == 10 &&
		    date_parse(out, 10, DATE_ORDER_NONE, &back) == DATE_OK &&
		    back.year == dt.year && back.month == dt.month && back.day == dt.day, label);
	}
}

/* Run fn on every file of CORPUS dir; returns how many. */
static int
each_file(const char *dir, void (*fn)(const char *, const unsigned char *, size_t))
{
	char path[1024];
	DIR *dp;
	struct dirent *e;
	int count = 0;

	snprintf(path, sizeof path, CORPUS "%s", dir);
	if ((dp = opendir(path)) == NULL)
		return 0;
	while ((e = readdir(dp)) != NULL) {
		FILE *fp;
		unsigned char *buf;
		long size;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, CORPUS "%s/%s", dir, e->d_name);
		if ((fp = fopen(path, "rb")) == NULL)
			continue;
		fseek(fp, 0, SEEK_END);
		size = ftell(fp);
		rewind(fp);
		buf = malloc((size_t)size + 1);
		if (fread(buf, 1, (size_t)size, fp) != (size_t)size)
			abort();
		fclose(fp);
		fn(e->d_name, buf, (size_t)size);
		free(buf);
		count++;
	}
	closedir(dp);
	return count;
}

int
main(void)
{
	CHECK(each_file("csvio", check_csv) > 0, "the csvio corpus is there");
	CHECK(each_file("num", check_num) > 0, "the num corpus is there");
	CHECK(each_file("date", check_date) > 0, "the date corpus is there");

	/* The writer quotes a first field that starts with a BOM (found by fuzz_csvio). */
	{
		char *out = NULL;
		size_t outlen = 0;
		FILE *fp = open_memstream(&out, &outlen);
		struct csvio_writer *w = csvio_writer_new(fp, ',');
		csvio_put_str(w, "\xef\xbb\xbf" "a");
		csvio_put_str(w, "\xef\xbb\xbf" "b");
		csvio_end(w);
		csvio_put_str(w, "\xef\xbb\xbf" "c");
		csvio_end(w);
		csvio_writer_free(w);
		fclose(fp);
		CHECK_STR(out, "\"\xef\xbb\xbf" "a\",\xef\xbb\xbf" "b\n\xef\xbb\xbf" "c\n",
		    "only the very first field is quoted for its BOM");
		free(out);
	}
	return check_done();
}
