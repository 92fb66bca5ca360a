/*
 * test_formula.c - the formula language: R's term order, coding and names
 * (expected names are R 4's model.matrix colnames for the same formulas),
 * error positions, and exact derivatives against closed forms.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "formula.h"

/* Parse, give s three levels x,y,z and t two p,q, build; join the names with spaces. */
static const char *
names(const char *text, char *buf, size_t size)
{
	static char *const lv_s[] = { "z", "x", "y" }, *const lv_t[] = { "q", "p" };
	struct diag d;
	struct formula *f = formula_parse(text, &d);
	size_t i, n = 0;
	long c;

	buf[0] = '\0';
	if (f == NULL) {
		diag_format(&d, buf, size);
		return buf;
	}
	if ((c = formula_col_index(f, "s")) >= 0 && formula_set_levels(f, (size_t)c, lv_s, 3, &d) < 0)
		goto err;
	if ((c = formula_col_index(f, "t")) >= 0 && formula_set_levels(f, (size_t)c, lv_t, 2, &d) < 0)
		goto err;
	if (formula_build(f, &d) < 0)
		goto err;
	for (i = 0; i < formula_ncoef(f); i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? " " : "", formula_coef_name(f, i));
	formula_free(f);
	return buf;
err:
	diag_format(&d, buf, size);
	formula_free(f);
	return buf;
}

static void
test_names(void)
{
	char b[2048];

	/* R: colnames(model.matrix(fo, d)) */
	CHECK_STR(names("y ~ b:a + a", b, sizeof b), "(Intercept) a b:a", "variables in order of appearance");
	CHECK_STR(names("y ~ a:s + b", b, sizeof b), "(Intercept) b a:sx a:sy a:sz", "numeric:factor, no main effect");
	CHECK_STR(names("y ~ s:t", b, sizeof b), "(Intercept) sx:tp sy:tp sz:tp sx:tq sy:tq sz:tq",
	    "factor:factor alone, full coding");
	CHECK_STR(names("y ~ s*t - 1", b, sizeof b), "sx sy sz tq sy:tq sz:tq", "no intercept: first factor full");
	CHECK_STR(names("y ~ 0 + a + s", b, sizeof b), "a sx sy sz", "+0");
	CHECK_STR(names("y ~ a*s*b", b, sizeof b),
	    "(Intercept) a sy sz b a:sy a:sz a:b sy:b sz:b a:sy:b a:sz:b", "three-way crossing, R's order");
	CHECK_STR(names("y ~ a + s + a:s:t", b, sizeof b),
	    "(Intercept) a sy sz a:sx:tp a:sy:tp a:sz:tp a:sx:tq a:sy:tq a:sz:tq", "margin rule");
	CHECK_STR(names("y ~ (a+b)*(s+t)", b, sizeof b),
	    "(Intercept) a b sy sz tq a:sy a:sz a:tq b:sy b:sz b:tq", "parenthesised crossing");
	CHECK_STR(names("y ~ `weird name` + I(a/b + 2*a^2) + log(exp(a)) + I(-a) + I(a-(b+1))", b, sizeof b),
	    "(Intercept) `weird name` I(a/b + 2 * a^2) log(exp(a)) I(-a) I(a - (b + 1))", "deparse");
	CHECK_STR(names("y ~ I(1e-3*a) + I(100000*a) + I(0.1*a) + I(1e15*a) + I(1000*a)", b, sizeof b),
	    "(Intercept) I(0.001 * a) I(1e+05 * a) I(0.1 * a) I(1e+15 * a) I(1000 * a)", "R's numbers");
	CHECK_STR(names("y ~ poly(a, 2, raw = TRUE):s", b, sizeof b),
	    "(Intercept) poly(a, 2, raw = TRUE)1:sx poly(a, 2, raw = TRUE)2:sx poly(a, 2, raw = TRUE)1:sy "
	    "poly(a, 2, raw = TRUE)2:sy poly(a, 2, raw = TRUE)1:sz poly(a, 2, raw = TRUE)2:sz",
	    "poly:factor");
	/* R with relevel(s, ref = "y") */
	CHECK_STR(names("y ~ C(s, ref=\"y\"):a + C(s, ref=\"y\")", b, sizeof b),
	    "(Intercept) sx sz sy:a sx:a sz:a", "C(ref) contrasts and full coding");
	CHECK_STR(names("y ~ a + b - b", b, sizeof b), "(Intercept) a", "removing a term");
	CHECK_STR(names("y ~ a + a:a + a", b, sizeof b), "(Intercept) a", "duplicates");
}

static void
test_errors(void)
{
	char b[2048];

	CHECK_STR(names("bought ~ log(price))", b, sizeof b),
	    "formula: unexpected \")\" at column 20: \"bought ~ log(price))\"", "extra paren");
	CHECK_STR(names("y ~ foo(a)", b, sizeof b),
	    "formula: unknown function \"foo\" at column 5: \"y ~ foo(a)\"", "unknown function");
	CHECK_STR(names("y ~ I(exp2(a))", b, sizeof b),
	    "formula: unknown function \"exp2\" at column 7: \"y ~ I(exp2(a))\"", "unknown function in I()");
	CHECK_STR(names("y ~ a +", b, sizeof b), "formula: unexpected end at column 8: \"y ~ a +\"", "end");
	CHECK_STR(names("y ~ `a", b, sizeof b), "formula: unterminated `name` at column 5: \"y ~ `a\"", "backquote");
	CHECK_STR(names("~ a", b, sizeof b), "formula: missing response before \"~\" at column 1: \"~ a\"", "response");
	CHECK_STR(names("y a", b, sizeof b), "formula: unexpected \"a\" at column 3: \"y a\"", "no tilde");
	CHECK_STR(names("y ~ C(s, ref=\"w\")", b, sizeof b), "column \"s\": formula: C(): no such level: \"w\"",
	    "absent reference level");
	CHECK_STR(names("y ~ a + 2", b, sizeof b), "formula: unexpected \"2\" at column 9: \"y ~ a + 2\"", "number term");
}

static void
test_derivative(void)
{
	/* columns: y price list x */
	struct diag d;
	struct formula *f = formula_parse(
	    "y ~ log(price) + I(price^2/list) + sqrt(price):x + exp(-price/10) + poly(price, 3, raw = T) + I(list^price)", &d);
	double val[4], x[16], dx[16], work[64], p = 3.5, list = 7.25, xv = 1.5, h = 1e-6;
	double xp[16], xm[16];
	size_t j;

	CHECK(f != NULL, "parse");
	if (f == NULL)
		return;
	CHECK(formula_build(f, &d) == 0, "build");
	CHECK(formula_ncoef(f) == 9, "9 columns");
	CHECK(formula_work_size(f) <= 64, "work size");
	val[formula_col_index(f, "y")] = 0;
	val[formula_col_index(f, "price")] = p;
	val[formula_col_index(f, "list")] = list;
	val[formula_col_index(f, "x")] = xv;
	formula_eval(f, val, formula_col_index(f, "price"), x, dx, work);
	/* closed forms */
	CHECK_REL(x[1], log(p), 1e-15, "log");
	CHECK_REL(dx[1], 1 / p, 1e-15, "d log");
	CHECK_REL(x[2], p * p / list, 1e-15, "I(p^2/list)");
	CHECK_REL(dx[2], 2 * p / list, 1e-15, "d I(p^2/list)");
	CHECK_REL(x[3], exp(-p / 10), 1e-15, "exp");
	CHECK_REL(dx[3], -exp(-p / 10) / 10, 1e-15, "d exp");
	CHECK_REL(x[4], p, 1e-15, "poly 1");
	CHECK_REL(dx[4], 1, 1e-15, "d poly 1");
	CHECK_REL(x[5], p * p, 1e-15, "poly 2");
	CHECK_REL(dx[5], 2 * p, 1e-15, "d poly 2");
	CHECK_REL(x[6], p * p * p, 1e-15, "poly 3");
	CHECK_REL(dx[6], 3 * p * p, 1e-15, "d poly 3");
	CHECK_REL(x[7], pow(list, p), 1e-15, "list^price");
	CHECK_REL(dx[7], pow(list, p) * log(list), 1e-14, "d list^price");
	CHECK_REL(x[8], sqrt(p) * xv, 1e-15, "sqrt(p):x");
	CHECK_REL(dx[8], xv / (2 * sqrt(p)), 1e-15, "d sqrt(p):x");
	CHECK(x[0] == 1 && dx[0] == 0, "intercept");
	/* and every column against a central difference */
	val[formula_col_index(f, "price")] = p + h;
	formula_eval(f, val, -1, xp, NULL, work);
	val[formula_col_index(f, "price")] = p - h;
	formula_eval(f, val, -1, xm, NULL, work);
	for (j = 0; j < formula_ncoef(f); j++)
		CHECK_ABS(dx[j], (xp[j] - xm[j]) / (2 * h), 1e-6 * (1 + fabs(dx[j])), "central difference");
	formula_free(f);
}

/*
 * formula_eval_subset: after a full evaluation of a row, a new price
 * evaluates only what depends on it, and leaves x and dx bit for bit as a
 * full evaluation at that price does.  Columns without the price are not
 * in the subset (seg, x, seg:x, the intercept).
 */
static void
test_subset(void)
{
	struct diag d;
	struct formula *f = formula_parse(
	    "y ~ log(price) * seg + x + seg:x + poly(price, 2, raw = TRUE) + I(price/list):x + sqrt(list)", &d);
	double val[5], x1[32], dx1[32], x2[32], dx2[32], w1[64], w2[64];
	struct formula_subset *s;
	long pc;
	size_t j, k;
	int same = 1, other_kept = 1;

	CHECK(f != NULL && formula_build(f, &d) == 0, "subset: build");
	if (f == NULL)
		return;
	CHECK(formula_ncoef(f) <= 32 && formula_work_size(f) <= 64, "subset: sizes");
	pc = formula_col_index(f, "price");
	s = formula_subset_new(f, (size_t)pc);
	CHECK(s != NULL, "subset: made");
	val[formula_col_index(f, "y")] = 0;
	val[formula_col_index(f, "list")] = 19.5;
	val[formula_col_index(f, "x")] = -0.75;
	val[formula_col_index(f, "seg")] = 1;   /* the second level */
	val[pc] = 12;
	formula_eval(f, val, pc, x1, dx1, w1);
	for (k = 0; k < 6; k++) {
		double xs[32];
		val[pc] = 3.25 + 7.5 * (double)k;
		memcpy(xs, x1, sizeof xs);
		formula_eval_subset(f, s, val, pc, x1, dx1, w1);
		formula_eval(f, val, pc, x2, dx2, w2);
		for (j = 0; j < formula_ncoef(f); j++) {
			if (memcmp(&x1[j], &x2[j], sizeof x1[j]) != 0 || memcmp(&dx1[j], &dx2[j], sizeof dx1[j]) != 0)
				same = 0;
			if (!formula_coef_uses(f, j, (size_t)pc) && memcmp(&xs[j], &x1[j], sizeof xs[j]) != 0)
				other_kept = 0;
		}
	}
	CHECK(same, "subset at new prices = a full evaluation, bit for bit (x and dx)");
	CHECK(other_kept, "subset leaves the columns without the price alone");
	formula_subset_free(s);
	formula_free(f);
}

static void
test_response_and_kinds(void)
{
	struct diag d;
	struct formula *f = formula_parse("log(qty) ~ price + seg + C(grp) + I(a*2)", &d);
	double val[5] = { 0 }, work[32];
	const char *label;

	CHECK(f != NULL, "parse");
	if (f == NULL)
		return;
	CHECK(formula_response_log(f), "log response");
	CHECK_STR(formula_col(f, formula_response_col(f)), "qty", "response column");
	CHECK(formula_col_numeric(f, (size_t)formula_col_index(f, "qty")), "response numeric");
	CHECK(formula_col_numeric(f, (size_t)formula_col_index(f, "a")), "I() column numeric");
	CHECK(!formula_col_numeric(f, (size_t)formula_col_index(f, "seg")), "bare column may be text");
	CHECK(formula_col_forced(f, (size_t)formula_col_index(f, "grp")), "C() forces categorical");
	val[formula_col_index(f, "qty")] = 0;
	CHECK(formula_check_row(f, val, work, &label) == -1, "log(0) response");
	CHECK_STR(label, "qty", "response label");
	val[formula_col_index(f, "qty")] = 2;
	CHECK(formula_check_row(f, val, work, &label) == 0, "finite row");
	formula_free(f);
	f = formula_parse("y ~ log(price)", &d);
	val[0] = 1;
	val[1] = -1;
	CHECK(formula_check_row(f, val, work, &label) == -1, "log(-1)");
	CHECK_STR(label, "log(price)", "term label");
	formula_free(f);
}

/* pre + n copies of rep + mid + n copies of post, malloc'd with room for 2 more bytes */
static char *
nest(const char *pre, const char *rep, size_t n, const char *mid, const char *post)
{
	size_t lr = strlen(rep), lp = strlen(post), len = strlen(pre) + n * (lr + lp) + strlen(mid) + 1;
	char *s = malloc(len + 2), *q = s;
	size_t i;

	if (s == NULL)
		return NULL;
	q += sprintf(q, "%s", pre);
	for (i = 0; i < n; i++)
		q += sprintf(q, "%s", rep);
	q += sprintf(q, "%s", mid);
	for (i = 0; i < n; i++)
		q += sprintf(q, "%s", post);
	return s;
}

/* The first len bytes of the message for text (the formula quoted after them is cut). */
static int
error_is(const char *text, const char *want)
{
	char b[2048];

	names(text, b, sizeof b);
	if (strncmp(b, want, strlen(want)) != 0) {
		fprintf(stderr, "got: %.200s\nwant: %s\n", b, want);
		return 0;
	}
	return 1;
}

/*
 * Nesting is bounded at 256 levels (each parenthesis, function call, unary
 * minus and power; each operator of an arithmetic expression): the
 * parser's recursion and the expression tree that eval walks.  Columns are
 * counted by hand from the text's shape.
 */
static void
test_depth(void)
{
	char *s, b[256];
	struct diag d;
	struct formula *f;
	double val[3], x[4], dx[4], work[16];

	/* 256 parentheses of terms: fine; 257: the 257th "(" is at column 4 + 257 */
	s = nest("y ~ ", "(", 256, "a", ")");
	CHECK_STR(names(s, b, sizeof b), "(Intercept) a", "256 nested parentheses of terms");
	free(s);
	s = nest("y ~ ", "(", 257, "a", ")");
	CHECK(error_is(s, "formula: nested too deeply (more than 256 levels) at column 261: \"y ~ ((("),
	    "257 nested parentheses of terms");
	free(s);
	s = nest("y ~ ", "(", 100000, "a", ")");
	CHECK(error_is(s, "formula: nested too deeply (more than 256 levels) at column 261: "),
	    "100,000 nested parentheses (overflowed the stack)");
	free(s);
	/* I( is a level; 255 minus signs fine; the 256th is at column 6 + 256 */
	s = nest("y ~ I(", "-", 255, "a)", "");
	f = formula_parse(s, &d);
	CHECK(f != NULL && formula_build(f, &d) == 0, "I( and 255 unary minus signs");
	if (f != NULL) {
		val[formula_col_index(f, "a")] = 2;
		formula_eval(f, val, formula_col_index(f, "a"), x, dx, work);
		CHECK(x[1] == -2 && dx[1] == -1, "255 minus signs: -a, derivative -1");
	}
	formula_free(f);
	free(s);
	s = nest("y ~ I(", "-", 100000, "a)", "");
	CHECK(error_is(s, "formula: nested too deeply (more than 256 levels) at column 262: "),
	    "I( and 100,000 unary minus signs");
	free(s);
	/* log( of parentheses: log( at column 7 is a level, the 256th "(" at 7 + 256 */
	s = nest("y ~ I(log(", "(", 254, "a", ")");
	strcat(s, "))");
	f = formula_parse(s, &d);
	CHECK(f != NULL, "I(log( and 254 parentheses");
	formula_free(f);
	free(s);
	s = nest("y ~ I(log(", "(", 255, "a", ")");
	strcat(s, "))");
	CHECK(error_is(s, "formula: nested too deeply (more than 256 levels) at column 265: "),
	    "I(log( and 255 parentheses");
	free(s);
	/* a long sum is a deep tree: the 257th "+" (column 9 + 4 * 256) */
	s = nest("y ~ I(a", " + a", 256, ")", "");
	f = formula_parse(s, &d);
	CHECK(f != NULL && formula_build(f, &d) == 0, "256 additions");
	if (f != NULL) {
		char *want = nest("I(a", " + a", 256, ")", "");
		CHECK_STR(formula_coef_name(f, 1), want, "256 additions: the name as R deparses it");
		val[formula_col_index(f, "a")] = 0.5;
		formula_eval(f, val, formula_col_index(f, "a"), x, dx, work);
		CHECK(x[1] == 128.5 && dx[1] == 257, "257 a's at 0.5: 128.5, derivative 257");
		free(want);
	}
	formula_free(f);

	free(s);
	s = nest("y ~ I(a", " + a", 100000, ")", "");
	CHECK(error_is(s, "formula: nested too deeply (more than 256 levels) at column 1033: "),
	    "100,000 additions (a tree as deep)");
	free(s);
	/* powers: I( and 255 "^" fine; and the price at the bottom of the
	 * deepest branch still counts as used (a stack of 254 dropped it) */
	s = nest("y ~ I(", "a^", 255, "price)", "");
	f = formula_parse(s, &d);
	CHECK(f != NULL && formula_build(f, &d) == 0, "I( and 255 powers");
	if (f != NULL)
		CHECK(formula_coef_uses(f, 1, (size_t)formula_col_index(f, "price")),
		    "the price at depth 255 is used");
	formula_free(f);
	free(s);
	/* terms: a*...*m (13 variables) has 8191; one more crossing would
	 * have 16383, refused at the 13th "*" (column 4 + 2 * 13) */
	CHECK(error_is("y ~ a*b*c*d*e*f*g*h*i*j*k*l*m*n",
	    "formula: more than 10000 terms at column 30: "), "14-way crossing");
	f = formula_parse("y ~ a*b*c*d*e*f*g*h*i*j*k*l*m", &d);
	CHECK(f != NULL && formula_nterms(f) == 8191, "13-way crossing: 8191 terms");
	formula_free(f);
	s = nest("y ~ I(", "a^", 256, "price)", "");
	CHECK(error_is(s, "formula: nested too deeply (more than 256 levels) at column 518: "),
	    "I( and 256 powers");
	free(s);
}

/* Evaluate text's design at the values given (columns in order of first appearance), d/d dcol. */
static struct formula *
eval_at(const char *text, const double *val, const char *dcol, double *x, double *dx)
{
	struct diag d;
	struct formula *f = formula_parse(text, &d);
	double work[256];

	if (f == NULL || formula_build(f, &d) < 0 || formula_work_size(f) > 256) {
		formula_free(f);
		return NULL;
	}
	formula_eval(f, val, dcol ? formula_col_index(f, dcol) : -1, x, dx, work);
	return f;
}

/*
 * R's functions in formulas: names as R's model.matrix gives them (R 4.2:
 * colnames(model.matrix(fo, d))), values by their definitions, and the
 * derivative: exact, and at a kink the right-hand one (the slope as the
 * price rises).
 */
static void
test_r_functions(void)
{
	char b[2048];
	struct formula *f;
	double val[8], x[16], dx[16];

	CHECK_STR(names("y ~ pmax(log(a/b), 0) + pmin(a, b) + abs(a - b) + log1p(a) + log10(a) + "
	    "log(a, 2) + log(a, base = 3) + log2(b)", b, sizeof b),
	    "(Intercept) pmax(log(a/b), 0) pmin(a, b) abs(a - b) log1p(a) log10(a) log(a, 2) "
	    "log(a, base = 3) log2(b)", "R's names of the functions");
	CHECK_STR(names("y ~ I(a > b) + ifelse(a >= b, a, 0) + I(!(a > b) | a == 9) + I((a < b) * a)",
	    b, sizeof b), "(Intercept) I(a > b)TRUE ifelse(a >= b, a, 0) I(!(a > b) | a == 9)TRUE "
	    "I((a < b) * a)", "a logical I() is coded as R codes a logical; arithmetic on it is a number");
	CHECK_STR(names("y ~ I(a > b):a + I(a > b)", b, sizeof b),
	    "(Intercept) I(a > b)TRUE I(a > b)FALSE:a I(a > b)TRUE:a", "a logical in an interaction");
	CHECK_STR(names("y ~ I(a <= b) - 1", b, sizeof b), "I(a <= b)FALSE I(a <= b)TRUE",
	    "a logical without an intercept: both levels");
	CHECK_STR(names("y ~ I(a != b & a < 2) + I(TRUE - (a == b))", b, sizeof b),
	    "(Intercept) I(a != b & a < 2)TRUE I(TRUE - (a == b))", "!=, &, TRUE");
	CHECK_STR(names("y ~ pmax(a, foo = 2)", b, sizeof b),
	    "formula: pmax(): unknown argument \"foo\" at column 13: \"y ~ pmax(a, foo = 2)\"",
	    "unknown argument");
	CHECK_STR(names("y ~ pmax(a, 2, 3)", b, sizeof b),
	    "formula: pmax(): too many arguments at column 14: \"y ~ pmax(a, 2, 3)\"", "pmax of three");
	CHECK_STR(names("y ~ ifelse(a, b)", b, sizeof b),
	    "formula: ifelse(): too few arguments at column 16: \"y ~ ifelse(a, b)\"", "ifelse of two");
	CHECK_STR(names("y ~ I(a < b < 2)", b, sizeof b),
	    "formula: unexpected \"<\" at column 13: \"y ~ I(a < b < 2)\"", "R refuses a < b < c");
	CHECK_STR(names("y ~ log(a, b, 2)", b, sizeof b),
	    "formula: log(): too many arguments at column 13: \"y ~ log(a, b, 2)\"", "log of three");

	/* columns y a b: values by definition, derivatives by hand */
	val[0] = 0;
	val[1] = 3;
	val[2] = 5;
	f = eval_at("y ~ pmax(a, b) + pmin(a, b) + abs(a - b) + log1p(a) + log10(a) + log(a, 2) + "
	    "log(a, base = 3) + log2(a) + ifelse(a > b, a^2, 2 * a)", val, "a", x, dx);
	CHECK(f != NULL, "parse and build");
	if (f != NULL) {
		CHECK(x[1] == 5 && dx[1] == 0, "pmax(3, 5) = 5, flat in a");
		CHECK(x[2] == 3 && dx[2] == 1, "pmin(3, 5) = 3, slope 1");
		CHECK(x[3] == 2 && dx[3] == -1, "abs(3 - 5) = 2, slope -1");
		CHECK_REL(x[4], log1p(3.0), 1e-15, "log1p");
		CHECK_REL(dx[4], 1 / 4.0, 1e-15, "d log1p");
		CHECK_REL(x[5], log10(3.0), 1e-15, "log10");
		CHECK_REL(dx[5], 1 / (3 * log(10.0)), 1e-15, "d log10");
		CHECK_REL(x[6], log2(3.0), 1e-15, "log(a, 2) is log2, as R computes it");
		CHECK_REL(x[7], log(3.0) / log(3.0), 1e-15, "log(a, base = 3)");
		CHECK_REL(dx[7], 1 / (3 * log(3.0)), 1e-15, "d log(a, base = 3)");
		CHECK_REL(dx[8], 1 / (3 * log(2.0)), 1e-15, "d log2");
		CHECK(x[9] == 6 && dx[9] == 2, "ifelse: a <= b, 2a");
	}
	formula_free(f);
	/* at the kinks, a == b: the right-hand derivative */
	val[1] = 5;
	f = eval_at("y ~ pmax(a, b) + pmin(a, b) + abs(a - b) + ifelse(a > b, a^2, 2 * a) + "
	    "ifelse(a <= b, 2 * a, a^2) + pmax(log(a/b), 0) + I(a >= b) + ifelse(!(a > b), 1, a)",
	    val, "a", x, dx);
	CHECK(f != NULL, "parse and build at the kink");
	if (f != NULL) {
		CHECK(x[1] == 5 && dx[1] == 1, "pmax at the tie: rises with a");
		CHECK(x[2] == 5 && dx[2] == 0, "pmin at the tie: flat above");
		CHECK(x[3] == 0 && dx[3] == 1, "abs at 0: slope 1 above");
		CHECK(x[4] == 10 && dx[4] == 10, "ifelse(a > b) at a == b: the value of the FALSE branch, "
		    "the slope of the branch above (2a)");
		CHECK(x[5] == 10 && dx[5] == 10, "ifelse(a <= b) at a == b: the same from the other side");
		CHECK(x[6] == 0 && dx[6] == 1 / 5.0, "pmax(log(a/b), 0) at a == b: slope 1/a above");
		CHECK(x[7] == 1 && dx[7] == 0, "a logical: a step, slope 0");
		CHECK(x[8] == 1 && dx[8] == 1, "ifelse(!(a > b)) at the switch: the slope above");
	}
	formula_free(f);
	/* NaN in, NaN out (R's pmax(NaN, 1) is NaN) */
	val[1] = -1;
	f = eval_at("y ~ pmax(log(a), 0) + I(log(a) > 0)", val, NULL, x, dx);
	CHECK(f != NULL && isnan(x[1]) && isnan(x[2]), "pmax and comparisons of NaN are NaN");
	formula_free(f);
}

/* factor(): numeric levels in numeric order, as R's factor() of numbers; text in byte order. */
static void
test_factor(void)
{
	static char *const lv[] = { "10", "4", "6", "8.5" }, *const tv[] = { "b", "a10", "a4" };
	struct diag d;
	struct formula *f = formula_parse("y ~ factor(cyl) + as.factor(g) + C(cyl, ref = \"6\")", &d);
	char b[512];
	size_t i, n = 0;

	CHECK(f != NULL, "parse");
	if (f == NULL)
		return;
	CHECK(formula_col_forced(f, (size_t)formula_col_index(f, "cyl")), "factor() forces categorical");
	CHECK(formula_set_levels(f, (size_t)formula_col_index(f, "cyl"), lv, 4, &d) == 0, "levels");
	CHECK(formula_set_levels(f, (size_t)formula_col_index(f, "g"), tv, 3, &d) == 0, "text levels");
	CHECK(formula_build(f, &d) == 0, "build");
	for (i = 0; i < formula_ncoef(f); i++)
		n += (size_t)snprintf(b + n, sizeof b - n, "%s%s", i ? " " : "", formula_coef_name(f, i));
	CHECK_STR(b, "(Intercept) factor(cyl)6 factor(cyl)8.5 factor(cyl)10 as.factor(g)a4 as.factor(g)b "
	    "cyl4 cyl8.5 cyl10", "R: factor(c(10, 4, 6, 8.5)) has levels 4 6 8.5 10");
	CHECK(formula_level_index(f, (size_t)formula_col_index(f, "cyl"), "10", 2) == 3, "lookup 10");
	CHECK(formula_level_index(f, (size_t)formula_col_index(f, "cyl"), "4", 1) == 0, "lookup 4");
	CHECK(formula_level_index(f, (size_t)formula_col_index(f, "cyl"), "5", 1) == -1, "lookup unseen");
	CHECK(formula_level_index(f, (size_t)formula_col_index(f, "g"), "a4", 2) == 1, "text lookup");
	formula_free(f);
}

/* ---- bases against R (testdata/formula-basis-ref.R and its output) ---- */

static double train_x[128];
static size_t train_n;

static const double *
train_row(const void *ctx, size_t r)
{
	static double row[2];

	(void)ctx;
	row[0] = 0;
	row[1] = train_x[r];
	return row;
}

/* Numbers separated by spaces into out (at most max); their count. */
static size_t
read_nums(const char *s, double *out, size_t max)
{
	size_t n = 0;
	char *end;

	while (n < max) {
		double v = strtod(s, &end);
		if (end == s)
			break;
		out[n++] = v;
		s = end;
	}
	return n;
}

/* The numbers after "name = c(" in text, into out. */
static size_t
predvar_nums(const char *text, const char *name, double *out, size_t max)
{
	char key[64];
	const char *p;
	size_t n = 0;

	snprintf(key, sizeof key, "%s = c(", name);
	if ((p = strstr(text, key)) == NULL)
		return 0;
	p += strlen(key);
	while (n < max && *p != ')') {
		char *end;
		out[n++] = strtod(p, &end);
		if (end == p)
			break;
		p = end;
		while (*p == ',' || *p == ' ')
			p++;
	}
	return n;
}

/*
 * poly, ns and bs learned on R's training vector: the knots R chose (to
 * the bit: R's type 7 quantile), values at new points against predict()
 * (1e-12), derivatives against central differences of predict() (1e-7),
 * and the learned parameters read back (formula_set_predvars) giving the
 * same values bit for bit.
 */
static void
test_bases(void)
{
	FILE *fp = fopen("formula-basis-ref.txt", "r");
	char line[8192], cur[256] = "";
	struct formula *f = NULL, *g = NULL;
	struct diag d;
	double work[512], x[64], dx[64], gx[64], gdx[64];
	int nvalue = 0, nknots = 0, bad_value = 0, bad_deriv = 0, bad_knots = 0, bad_back = 0;

	CHECK(fp != NULL, "formula-basis-ref.txt");
	if (fp == NULL)
		return;
	while (fgets(line, sizeof line, fp) != NULL) {
		char *fld[6];
		size_t nf = 0, k;
		char *s = line;
		line[strcspn(line, "\n")] = '\0';
		while (nf < 6 && s != NULL) {
			fld[nf++] = s;
			if ((s = strchr(s, '|')) != NULL)
				*s++ = '\0';
		}
		while (nf < 6)
			fld[nf++] = "";
		if (strcmp(fld[0], "train") == 0) {
			train_n = read_nums(fld[1], train_x, 128);
			continue;
		}
		if (strcmp(fld[1], cur) != 0) {
			char text[300], *pv;
			formula_free(f);
			formula_free(g);
			g = NULL;
			snprintf(cur, sizeof cur, "%s", fld[1]);
			snprintf(text, sizeof text, "y ~ %s", cur);
			f = formula_parse(text, &d);
			if (f == NULL || formula_learn(f, train_row, NULL, train_n, &d) < 0 ||
			    formula_build(f, &d) < 0 || formula_work_size(f) > 512 || formula_ncoef(f) > 64) {
				char m[512];
				diag_format(&d, m, sizeof m);
				printf("     %s: %s\n", cur, m);
				CHECK(0, "parse, learn, build");
				formula_free(f);
				f = NULL;
				continue;
			}
			/* the parameters written and read back, as a model file does */
			pv = formula_npredvars(f) ? formula_predvar(f, 0) : NULL;
			if (strcmp(fld[0], "knots") == 0)
				nknots++;
			if (formula_npredvars(f) == 0)
				continue;   /* all given in the formula */
			g = formula_parse(text, &d);
			if (pv == NULL || g == NULL || formula_set_predvars(g, &pv, 1, &d) < 0 ||
			    formula_build(g, &d) < 0) {
				char m[512];
				diag_format(&d, m, sizeof m);
				printf("     %s: %s: %s\n", cur, pv ? pv : "(none)", m);
				CHECK(0, "predvars read back");
				formula_free(g);
				g = NULL;
			}
			if (strcmp(fld[0], "knots") == 0 && pv != NULL) {
				double want[64], got[64], wb[2], gb[2];
				size_t nw = read_nums(fld[2], want, 64), ng = predvar_nums(pv, "knots", got, 64);
				read_nums(fld[3], wb, 2);
				predvar_nums(pv, "Boundary.knots", gb, 2);
				if (nw != ng || wb[0] != gb[0] || wb[1] != gb[1])
					bad_knots++;
				for (k = 0; k < nw && k < ng; k++)
					if (want[k] != got[k])
						bad_knots++;
				if (bad_knots)
					printf("     %s: knots %s, R's %s | %s\n", cur, pv, fld[2], fld[3]);
			}
			free(pv);
		}
		if (f == NULL || strcmp(fld[0], "value") != 0)
			continue;
		{
			double at[1] = { 0 }, want[64], wantd[64], val[2];
			size_t p = formula_ncoef(f) - 1;
			read_nums(fld[2], at, 1);
			if (read_nums(fld[3], want, 64) != p || read_nums(fld[4], wantd, 64) != p) {
				CHECK(0, "columns as R's");
				continue;
			}
			val[0] = 0;
			val[1] = at[0];
			formula_eval(f, val, 1, x, dx, work);
			nvalue++;
			for (k = 0; k < p; k++) {
				if (!(fabs(x[k + 1] - want[k]) <= 1e-12 * (1 + fabs(want[k])))) {
					printf("     %s at %g: column %zu: %.17g, R %.17g\n", cur, at[0], k + 1, x[k + 1], want[k]);
					bad_value++;
				}
				if (!(fabs(dx[k + 1] - wantd[k]) <= 1e-7 * (1 + fabs(wantd[k])))) {
					printf("     %s at %g: d column %zu: %.17g, R %.17g\n", cur, at[0], k + 1, dx[k + 1], wantd[k]);
					bad_deriv++;
				}
			}
			if (g != NULL) {
				formula_eval(g, val, 1, gx, gdx, work);
				if (memcmp(gx, x, (p + 1) * sizeof *x) != 0 || memcmp(gdx, dx, (p + 1) * sizeof *dx) != 0)
					bad_back++;
			}
		}
	}
	fclose(fp);
	formula_free(f);
	formula_free(g);
	if (nvalue != 17 * 12 || nknots != 14)
		printf("     %d values, %d knots\n", nvalue, nknots);
	CHECK(nvalue == 17 * 12 && nknots == 14, "every reference line read");
	CHECK(bad_knots == 0, "knots: R's, to the bit");
	CHECK(bad_value == 0, "values: predict()'s to 1e-12");
	CHECK(bad_deriv == 0, "derivatives: R's differences to 1e-7");
	CHECK(bad_back == 0, "parameters read back: the same values, bit for bit");
}

/* formula_price_kinks: every switch point of the price's terms, exact where g is 0 at a double. */
static void
test_kinks(void)
{
	struct diag d;
	struct formula *f = formula_parse("y ~ pmax(log(price/ref), 0) + abs(price - 12) + I(price > 15) + "
	    "ifelse(price < 7, 1, price) + x + pmin(x, 3) + ns(price, knots = c(8, 14), "
	    "Boundary.knots = c(6, 18))", &d);
	double val[4], work[512], k[16], x[32], dx[32];
	long pc;
	size_t n;

	CHECK(f != NULL && formula_build(f, &d) == 0 && formula_work_size(f) <= 512, "parse and build");
	if (f == NULL)
		return;
	pc = formula_col_index(f, "price");
	val[formula_col_index(f, "y")] = 0;
	val[formula_col_index(f, "ref")] = 10;
	val[formula_col_index(f, "x")] = 1;
	val[pc] = 9;
	formula_eval(f, val, pc, x, dx, work);
	n = formula_price_kinks(f, val, (size_t)pc, 5, 20, k, 16, work);
	CHECK(n == 8, "8 kinks in [5, 20]");
	CHECK(n == 8 && k[0] == 6 && k[1] == 7 && k[2] == 8 && k[3] == 10 && k[4] == 12 && k[5] == 14 &&
	    k[6] == 15 && k[7] == 18, "6, 8, 14 and 18 (knots), 7 (ifelse), 10 (pmax at ref, exactly), "
	    "12 (abs), 15 (>)");
	n = formula_price_kinks(f, val, (size_t)pc, 10, 13, k, 16, work);
	CHECK(n == 2 && k[0] == 10 && k[1] == 12, "the ends count: [10, 13] has 10 and 12");
	n = formula_price_kinks(f, val, (size_t)pc, 5, 20, k, 2, work);
	CHECK(n == 8 && k[0] == 6 && k[1] == 7, "max 2: the first two, and the count");
	n = formula_price_kinks(f, val, (size_t)formula_col_index(f, "x"), 0, 5, k, 16, work);
	CHECK(n == 1 && k[0] == 3, "kinks in another column: pmin(x, 3)");
	{
		/* the state formula_eval left is kept: a subset evaluation is still exact */
		double x2[32], dx2[32], w2[512];
		struct formula_subset *s = formula_subset_new(f, (size_t)pc);
		val[pc] = 11;
		formula_eval_subset(f, s, val, pc, x, dx, work);
		formula_eval(f, val, pc, x2, dx2, w2);
		CHECK(memcmp(x, x2, formula_ncoef(f) * sizeof *x) == 0 &&
		    memcmp(dx, dx2, formula_ncoef(f) * sizeof *dx) == 0, "kinks leave the evaluation state alone");
		formula_subset_free(s);
	}
	formula_free(f);
	/* a kink of a transformed price: exp(log(8)) is not 8, the nearer double wins */
	f = formula_parse("y ~ pmax(log(price), log(8)) + I(price^2 > 50)", &d);
	CHECK(f != NULL && formula_build(f, &d) == 0, "parse and build");
	if (f != NULL) {
		pc = formula_col_index(f, "price");
		val[0] = 0;
		n = formula_price_kinks(f, val, (size_t)pc, 1, 100, k, 16, work);
		CHECK(n == 2 && fabs(k[0] - sqrt(50.0)) <= 1e-15 * 8 && fabs(k[1] - 8) <= 1e-15 * 8,
		    "sqrt(50) and 8 to the last bits");
		n = formula_price_kinks(f, val, (size_t)pc, 9, 100, k, 16, work);
		CHECK(n == 0, "none in [9, 100]");
	}
	formula_free(f);
}

/*
 * The size of a fit: rows x columns^2 past 2e10 is refused, unless the
 * design has at most 64 columns (any number of rows is fitted then).
 */
static void
test_work(void)
{
	struct diag d;
	char text[1024], msg[512];
	size_t n = 0, j;
	struct formula *f;

	n += (size_t)snprintf(text, sizeof text, "y ~ x1");
	for (j = 2; j <= 20; j++)
		n += (size_t)snprintf(text + n, sizeof text - n, " + x%zu", j);
	f = formula_parse(text, &d);
	CHECK(f != NULL && formula_build(f, &d) == 0 && formula_ncoef(f) == 21, "21 columns: built");
	CHECK(formula_check_work(f, 50000000, &d) == 0, "50,000,000 rows x 21 columns: fitted");
	CHECK(formula_check_work(f, 4000000000UL, &d) == 0, "4e9 rows x 21 columns: fitted");
	formula_free(f);
	f = formula_parse("y ~ a*b*c*d*e*g", &d);   /* 64 columns */
	CHECK(f != NULL && formula_build(f, &d) == 0 && formula_ncoef(f) == 64, "64 columns: built");
	CHECK(formula_check_work(f, 100000000, &d) == 0, "1e8 rows x 64 columns: fitted");
	formula_free(f);
	f = formula_parse("y ~ a*b*c*d*e*g + h", &d);   /* 65 columns */
	CHECK(f != NULL && formula_build(f, &d) == 0 && formula_ncoef(f) == 65, "65 columns: built");
	CHECK(formula_check_work(f, 4000000, &d) == 0, "4,000,000 rows x 65 columns: fitted");
	CHECK(formula_check_work(f, 5000000, &d) < 0, "5,000,000 rows x 65 columns: refused");
	diag_format(&d, msg, sizeof msg);
	CHECK_STR(msg, "formula: 5000000 rows x 65 design columns is too much to fit (rows x columns^2 = "
	    "2.11e+10, at most 2e+10)", "the refusal");
	formula_free(f);
}

/*
 * A design of bare numeric columns (a copy of the row's values) and the
 * same design written with I() (the general evaluator) agree bit for bit,
 * signed zeros, NaN and infinities included; without an intercept too,
 * and a factor or an interaction leaves the copy for the general path.
 */
static void
test_bare_copy(void)
{
	static const double rows[][4] = { { 0, 1.5, -2.25, 3 }, { 1, -0.0, 0.0, 1e308 },
	    { 0, NAN, -INFINITY, 5e-324 }, { 1, 123456789.125, -1e-300, -7 } };
	static const char *pairs[][2] = {
		{ "y ~ a + b + c", "y ~ I(a) + I(b) + I(c)" },
		{ "y ~ c + a - 1", "y ~ I(c) + I(a) - 1" },
		{ "y ~ a + a:b + c", "y ~ I(a) + I(a):I(b) + I(c)" },
	};
	char name[96];
	for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++)
		for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
			static const char *nm[] = { "y", "a", "b", "c" };
			double x1[8], x2[8], val[4];
			/* both formulas name the columns in the same order */
			struct diag d;
			struct formula *f = formula_parse(pairs[k][0], &d);
			CHECK(f != NULL, "parse");
			if (f == NULL)
				return;
			for (size_t c = 0; c < 4; c++)
				if (formula_col_index(f, nm[c]) >= 0)
					val[formula_col_index(f, nm[c])] = rows[r][c];
			formula_free(f);
			struct formula *g1 = eval_at(pairs[k][0], val, NULL, x1, NULL);
			struct formula *g2 = eval_at(pairs[k][1], val, NULL, x2, NULL);
			snprintf(name, sizeof name, "%s: row %zu as %s", pairs[k][0], r, pairs[k][1]);
			CHECK(g1 != NULL && g2 != NULL && formula_ncoef(g1) == formula_ncoef(g2) &&
			    memcmp(x1, x2, formula_ncoef(g1) * sizeof x1[0]) == 0, name);
			formula_free(g1);
			formula_free(g2);
		}
}

int
main(void)
{
	test_bare_copy();
	test_work();
	test_names();
	test_errors();
	test_derivative();
	test_subset();
	test_response_and_kinds();
	test_depth();
	test_r_functions();
	test_factor();
	test_bases();
	test_kinks();
	return check_done();
}
