/*
 * test_harden.c - checks for the fixes made when hardening common/ against
 * hostile input (the fuzz corpus replay is test_fuzz_regress.c).
 */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "check.h"
#include "csvio.h"
#include "diag.h"
#include "fit.h"

/* y on (1, x): n rows of the given x and y. */
static enum fit_status
fit_xy(enum fit_family fam, const double *x, const double *y, size_t n, struct diag *d)
{
	gsl_matrix *X = gsl_matrix_alloc(n, 2);
	gsl_vector *Y = gsl_vector_alloc(n);
	struct fit_opts o;
	struct fit_result res;
	enum fit_status st;

	for (size_t i = 0; i < n; i++) {
		gsl_matrix_set(X, i, 0, 1);
		gsl_matrix_set(X, i, 1, x[i]);
		gsl_vector_set(Y, i, y[i]);
	}
	memset(&o, 0, sizeof o);
	o.family = fam;
	o.intercept = 0;
	diag_clear(d);
	st = fit_model(X, Y, NULL, &o, &res, d);
	fit_result_free(&res);
	gsl_matrix_free(X);
	gsl_vector_free(Y);
	return st;
}

/*
 * A field of size bytes read back whole at block size block.  (libcsv grew
 * its buffer 128 bytes at a time, so a 10 MB field took over a minute
 * under ASan, whose realloc always copies; csvio now grows it
 * geometrically: make check-asan runs harden-clean-big-field.)
 */
static int
big_field_ok(size_t size, size_t block)
{
	char path[] = "/tmp/test_harden.XXXXXX";
	int fd = mkstemp(path), ok = 0;
	char *buf = malloc(size + 16);
	struct diag d;
	struct csvio_reader *r;
	struct csvio_row row;

	memcpy(buf, "a,b\n", 4);
	for (size_t i = 0; i < size; i++)
		buf[4 + i] = (char)('a' + i % 26);
	memcpy(buf + 4 + size, ",1\n", 3);
	if (fd < 0 || write(fd, buf, size + 7) != (ssize_t)(size + 7))
		abort();
	lseek(fd, 0, SEEK_SET);
	unlink(path);
	r = csvio_open_fd_block(fd, "big.csv", ',', block, &d);
	if (r != NULL && csvio_next(r, &row, &d) == 1 && row.n == 2 && row.len[0] == size &&
	    memcmp(row.f[0], buf + 4, size) == 0 && strcmp(row.f[1], "1") == 0 &&
	    csvio_next(r, &row, &d) == 0)
		ok = 1;
	csvio_close(r);
	close(fd);
	free(buf);
	return ok;
}

int
main(void)
{
	struct diag d;
	static const char *const msg =
	    "numbers too large to fit: their sums of squares overflow (rescale the data)";

	/* A finite response of 1e308 used to make every column "aliased", with no error. */
	{
		double x[] = { 1, 2, 3, 4 }, y[] = { 1, 1e308, 3, 2 };
		CHECK(fit_xy(FIT_LINEAR, x, y, 4, &d) == FIT_NUMERICAL, "linear: y = 1e308 fails");
		CHECK_STR(d.what, msg, "linear: y = 1e308 says why");
	}
	/* Residuals of 1e300 used to give infinite standard errors, status ok. */
	{
		double x[] = { 1, 2, 3 }, y[] = { 1e300, 2e300, 1 };
		CHECK(fit_xy(FIT_LINEAR, x, y, 3, &d) == FIT_NUMERICAL, "linear: rss overflow fails");
		CHECK_STR(d.what, msg, "linear: rss overflow says why");
	}
	/* A predictor of 1e300 in a logistic fit. */
	{
		double x[] = { 1e300, 2e300, 3, 4 }, y[] = { 1, 0, 1, 0 };
		CHECK(fit_xy(FIT_LOGISTIC, x, y, 4, &d) == FIT_NUMERICAL, "logistic: x = 1e300 fails");
		CHECK_STR(d.what, msg, "logistic: x = 1e300 says why");
	}
	/* Large but safe numbers still fit, exactly: y = 1e150 x. */
	{
		double x[] = { 1, 2, 3, 4 }, y[] = { 1e150, 2e150, 3e150, 4e150 };
		gsl_matrix *X = gsl_matrix_alloc(4, 2);
		gsl_vector *Y = gsl_vector_alloc(4);
		struct fit_opts o;
		struct fit_result res;
		for (size_t i = 0; i < 4; i++) {
			gsl_matrix_set(X, i, 0, 1);
			gsl_matrix_set(X, i, 1, x[i]);
			gsl_vector_set(Y, i, y[i]);
		}
		memset(&o, 0, sizeof o);
		o.intercept = 0;
		CHECK(fit_model(X, Y, NULL, &o, &res, &d) == FIT_OK, "y = 1e150 x fits");
		CHECK_REL(gsl_vector_get(res.beta, 1), 1e150, 1e-12, "slope 1e150");
		CHECK_ABS(gsl_vector_get(res.beta, 0) / 1e150, 0, 1e-12, "intercept 0");
		fit_result_free(&res);
		gsl_matrix_free(X);
		gsl_vector_free(Y);
	}
	/* A NUL inside a value used to end it: "2\0" was shown as "2". */
	{
		char buf[256];
		diag_set(&d, "f.csv", 3, "price", "2\0x", 3, "not a number");
		diag_format(&d, buf, sizeof buf);
		CHECK_STR(buf, "f.csv:3: column \"price\": not a number: \"2\\x00x\"", "NUL in a value is \\x00");
		diag_set(&d, NULL, 0, NULL, "\0", 1, "bad");
		diag_format(&d, buf, sizeof buf);
		CHECK_STR(buf, "bad: \"\\x00\"", "a lone NUL value");
		diag_set(&d, NULL, 0, NULL, "", 0, "empty");
		diag_format(&d, buf, sizeof buf);
		CHECK_STR(buf, "empty: \"\"", "an empty value");
	}
	CHECK(big_field_ok(4 << 20, 0), "a 4 MB field, default block");
	CHECK(big_field_ok(300000, 7), "a 300 kB field, 7-byte blocks");
	CHECK(big_field_ok(70000, 1), "a 70 kB field, 1-byte blocks");
	return check_done();
}
