/*
 * test_harden.c - checks for the fixes made when hardening common/ against
 * hostile input (the fuzz corpus replay is test_fuzz_regress.c).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "check.h"
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
	return check_done();
}
