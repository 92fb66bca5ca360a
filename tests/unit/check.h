/*
 * check.h - named checks with tolerances for the unit tests of common/, in
 * the manner of GSL's gsl_test_rel.  Each test program ends with the line
 * "N passed, N failed" (tests/run.sh adds them up) and exits non-zero when
 * a check failed.  A header of static functions: each test is one program.
 */
#ifndef PR_CHECK_H
#define PR_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

struct check_tally {
	int passed, failed;
};

static struct check_tally check_tally_;

static void
check_(int ok, const char *file, int line, const char *name)
{
	if (ok) {
		check_tally_.passed++;
	} else {
		check_tally_.failed++;
		printf("FAIL %s:%d: %s\n", file, line, name);
	}
}

#define CHECK(cond, name) check_((cond) != 0, __FILE__, __LINE__, (name))

/* Strings equal. */
#define CHECK_STR(got, want, name) do { \
	const char *g_ = (got), *w_ = (want); \
	int ok_ = g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0; \
	check_(ok_, __FILE__, __LINE__, (name)); \
	if (!ok_) printf("     got \"%s\", want \"%s\"\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
} while (0)

/* Numbers equal to a relative tolerance (absolute when want is 0). */
#define CHECK_REL(got, want, tol, name) do { \
	double g_ = (got), w_ = (want), t_ = (tol); \
	double e_ = w_ == 0 ? fabs(g_) : fabs((g_ - w_) / w_); \
	int ok_ = (isnan(g_) && isnan(w_)) || (g_ == w_) || e_ <= t_; \
	check_(ok_, __FILE__, __LINE__, (name)); \
	if (!ok_) printf("     got %.17g, want %.17g (rel err %.3g > %.3g)\n", g_, w_, e_, t_); \
} while (0)

#define CHECK_ABS(got, want, tol, name) do { \
	double g_ = (got), w_ = (want), t_ = (tol); \
	int ok_ = fabs(g_ - w_) <= t_; \
	check_(ok_, __FILE__, __LINE__, (name)); \
	if (!ok_) printf("     got %.17g, want %.17g (abs err %.3g > %.3g)\n", g_, w_, fabs(g_ - w_), t_); \
} while (0)

static int
check_done(void)
{
	printf("%d passed, %d failed\n", check_tally_.passed, check_tally_.failed);
	return check_tally_.failed ? 1 : 0;
}

#endif
