/*
 * formula.h - R-style model formulas: parse, expand into terms and design
 * columns named as R names them, and evaluate a row's design columns with
 * their exact derivative with respect to one input column (the price).
 *
 *   y ~ a + b + seg          main effects (an intercept unless -1 or +0)
 *   a:b   a*b (= a + b + a:b)   interactions, numeric and categorical alike
 *   log(e) exp(e) sqrt(e) abs(e) log1p(e) log10(e) log2(e) log(e, base)
 *   pmax(a, b) pmin(a, b) ifelse(c, a, b)   functions of expressions, as R's
 *   I(e)                     arithmetic with + - * / ^ on columns and constants,
 *                            comparisons < <= > >= == != and ! & | (0 or 1);
 *                            an I() that is a comparison is a logical, coded
 *                            as R codes one (levels FALSE, TRUE)
 *   poly(e, k)               R's orthogonal polynomial of degree k;
 *   poly(e, k, raw = TRUE)   the raw one: k columns e^1 .. e^k
 *   ns(e, df =, knots =, intercept =, Boundary.knots =)   R's natural spline
 *   bs(e, df =, knots =, degree =, intercept =, Boundary.knots =)   R's B-spline
 *   C(col, ref = "lvl")      categorical, treatment-coded against "lvl"
 *   factor(col) as.factor(col)   categorical, named "factor(col)lvl"
 *   `odd name`               a column name that is not an R name
 *
 * Derivatives are exact; at a kink (pmax/pmin at a tie, abs at 0, the
 * switch of a comparison or ifelse) they are the right-hand ones.
 *
 * Terms are ordered as R orders them (by order of interaction, then as
 * written), and each categorical variable of a term is coded by treatment
 * contrasts or by full indicators with R's rule (model.matrix): contrasts
 * when the term without that variable is contained in an earlier term (or
 * is empty); without an intercept, the first categorical variable of the
 * first term holding one gets full indicators.
 *
 * Lifecycle: formula_parse; then, for every column that turns out to be
 * categorical, formula_set_levels; formula_learn (training) or
 * formula_set_predvars (a model); then formula_build; then the design
 * queries and formula_eval.
 */
#ifndef PR_FORMULA_H
#define PR_FORMULA_H

#include <stddef.h>

#include "diag.h"

struct formula;

/*
 * Parse text.  Returns the formula, or NULL with d filled: a syntax error
 * reads 'formula: unexpected ")" at column 20' with the formula as value
 * (columns count bytes from 1).  The caller frees with formula_free.
 */
struct formula *formula_parse(const char *text, struct diag *d);
void formula_free(struct formula *f);                      /* NULL-safe */

const char *formula_text(const struct formula *f);          /* as given */

/* Input columns the formula uses (response first), each named once. */
size_t formula_ncols(const struct formula *f);
const char *formula_col(const struct formula *f, size_t i);
long formula_col_index(const struct formula *f, const char *name);   /* -1 if absent */

/*
 * 1 when column i must be numeric: the response, and any column used inside
 * log/exp/sqrt/I/poly.  A column used only bare may be categorical; one
 * named in C() must be (formula_col_forced).
 */
int formula_col_numeric(const struct formula *f, size_t i);
int formula_col_forced(const struct formula *f, size_t i);

/* The response is column formula_response_col(f), or its log when formula_response_log(f). */
size_t formula_response_col(const struct formula *f);
int formula_response_log(const struct formula *f);

/*
 * Make column i categorical with the n levels given (copied; sorted here:
 * numerically when every level reads as a number, as R's factor() of
 * numbers, else in byte order; duplicates are an error).  Returns 0, or -1 with d filled
 * (column must be numeric, a C(..., ref=) level absent from levels, fewer
 * than two levels).
 */
int formula_set_levels(struct formula *f, size_t i, char *const *levels, size_t n,
    struct diag *d);

/* Column i is categorical (after formula_set_levels). */
int formula_col_categorical(const struct formula *f, size_t i);
size_t formula_nlevels(const struct formula *f, size_t i);
const char *formula_level(const struct formula *f, size_t i, size_t k);   /* sorted */
/* Index of level text[0..len) of column i in sorted order, or -1. */
long formula_level_index(const struct formula *f, size_t i, const char *text, size_t len);

/*
 * Design columns at most (pr-train(1), Formulas): their p x p covariance is
 * 800 MB at this size.  formula_build counts before it builds anything.
 */
#define FORMULA_MAX_COEF 10000

/*
 * Expand the terms into design columns.  Returns 0, or -1 with d filled
 * (more than FORMULA_MAX_COEF columns, a term with no columns, parameters
 * not learned).  Call once, after every formula_set_levels.
 */
int formula_build(struct formula *f, struct diag *d);

/*
 * Data-dependent parameters.  An orthogonal poly(e, k) and ns() and bs()
 * without Boundary.knots and knots take them from the training data, as R
 * does: poly's alpha and norm2 (R's coefs), the knots at quantiles of e
 * (R's type 7) and the range of e as Boundary.knots.  formula_learn
 * computes them from the n rows row(ctx, r) returns (values as for
 * formula_eval; every expression finite, as formula_check_row checks);
 * call it before formula_build, which fails while any is missing.
 * Returns 0, or -1 with d filled (the term named as value: the degree of
 * a poly is not less than its distinct values, a spline of one value, a
 * knot outside the data).
 */
int formula_learn(struct formula *f, const double *(*row)(const void *ctx, size_t r),
    const void *ctx, size_t n, struct diag *d);

/*
 * The parameters as R's predvars spell them, one call per variable that
 * needs them, for a model file: "ns(x, knots = c(12, 15), Boundary.knots
 * = c(4, 25))", "poly(x, 2, coefs = list(alpha = c(...), norm2 = c(...)))",
 * numbers in their shortest exact form.  formula_predvar returns call k
 * (0 <= k < formula_npredvars) malloc'd, the caller frees it; NULL before
 * they were learned.  formula_set_predvars takes n calls back (a loaded
 * model): 0, or -1 with d filled when n or a call does not fit.
 */
size_t formula_npredvars(const struct formula *f);
char *formula_predvar(const struct formula *f, size_t k);
/* The label of variable k of those ("ns(x, df = 3)"), borrowed. */
const char *formula_predvar_label(const struct formula *f, size_t k);
int formula_set_predvars(struct formula *f, char *const *calls, size_t n, struct diag *d);

/*
 * The work of a fit is about rows x columns^2 (a QR factorisation):
 * formula_check_work refuses more than FORMULA_MAX_WORK (a minute or two;
 * 1,000,000 rows x 141 columns, 100,000 x 447), so that a 12-way crossing
 * (4,096 columns) fails at once instead of after minutes, unless the
 * design has at most FORMULA_FREE_COLUMNS columns: then a row costs little
 * and the time is linear in the rows, which may be as many as the data
 * has (the memory is bounded).  Returns 0, or -1 with d filled.  Call
 * after formula_build.
 */
#define FORMULA_MAX_WORK 2e10
#define FORMULA_FREE_COLUMNS 64
int formula_check_work(const struct formula *f, size_t nrows, struct diag *d);

/* Design columns (coefficients) in R's order, with R's names ("(Intercept)", "segvip", "price:segvip"). */
size_t formula_ncoef(const struct formula *f);
const char *formula_coef_name(const struct formula *f, size_t j);
/* Index of the intercept column, or -1. */
long formula_intercept_index(const struct formula *f);
/* Term labels in R's order (term.labels). */
size_t formula_nterms(const struct formula *f);
const char *formula_term_label(const struct formula *f, size_t t);
/* 1 when design column j depends on column i. */
int formula_coef_uses(const struct formula *f, size_t j, size_t i);

/* Doubles of scratch formula_eval needs. */
size_t formula_work_size(const struct formula *f);

/*
 * Evaluate one row.  val[i] is column i's value: the number, or for a
 * categorical column its level index (as a double).  Fills x[ncoef] and,
 * when dx is not NULL, dx[ncoef] = d x / d val[dcol] (exact: forward-mode
 * differentiation of every expression).  work has formula_work_size
 * doubles.  Non-finite results (log of a negative number...) are left in
 * x as NaN or infinities for the caller to test.  Does not allocate.
 */
void formula_eval(const struct formula *f, const double *val, long dcol, double *x,
    double *dx, double *work);

/*
 * The variables and design columns that depend on column col (the price):
 * the only ones that change when just that column's value does.  NULL
 * when out of memory.  Free with formula_subset_free.
 */
struct formula_subset;
struct formula_subset *formula_subset_new(const struct formula *f, size_t col);
void formula_subset_free(struct formula_subset *s);

/*
 * formula_eval for those columns only: x, dx and work keep what the last
 * formula_eval of the same row (with dx) left for the others, which is
 * what they would be again.  The same arithmetic, so the same bits.
 */
void formula_eval_subset(const struct formula *f, const struct formula_subset *s,
    const double *val, long dcol, double *x, double *dx, double *work);

/*
 * Check one row before the levels are known: evaluates the response and
 * every numeric expression (log(), I(), poly() arguments), which use only
 * numeric columns; val needs only those.  Returns 0, or -1 with *label set
 * to the first label (a term, or "log(y)" for the response) whose value is
 * not finite.  work has formula_work_size doubles.  Does not allocate.
 */
int formula_check_row(const struct formula *f, const double *val, double *work,
    const char **label);

/*
 * The prices in [lo, hi] where a term of the price (column col) has a kink
 * for this row (val as for formula_eval, val[col] ignored): where the two
 * sides of a pmax() or pmin() meet, abs() of the price meets 0, a
 * comparison or an ifelse() switches, and where the argument of an ns() or
 * bs() of the price crosses a knot (interior or boundary).  They are the
 * roots of those switching functions, found by a scan of 16 cells of
 * [lo, hi] and bisection to neighbouring doubles (exact where the function
 * is exactly 0 at a double: pmax(log(price/ref), 0) at price = ref), so
 * two roots in one cell of a function that turns back may be missed.
 * Writes the first max of them to out in ascending order, without
 * repeats, and returns how many there are (more than max: out is
 * truncated).  Uses work (formula_work_size doubles) past what formula_eval
 * keeps there, so it may be called between formula_eval and
 * formula_eval_subset.  Does not allocate.
 */
size_t formula_price_kinks(const struct formula *f, const double *val, size_t col, double lo,
    double hi, double *out, size_t max, double *work);

/* The response of a row (log applied when the response is log(col)). */
double formula_eval_response(const struct formula *f, const double *val);

#endif
