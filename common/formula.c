/* formula.c - see formula.h. */
#include "formula.h"
#include "num.h"
#include "stats.h"
#include "xalloc.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VARS 64
#define LN10 2.302585092994045684017991454684364208
#define LN2 0.693147180559945309417232121458176568
#define MAX_POLY 20

/*
 * Nesting limit (pr-train(1), FORMULA): each parenthesis, function call,
 * unary minus and power opens a level of the parser's recursion, and each
 * operator of an arithmetic expression is a level of the tree that
 * deparse, mark_numeric and eval_node walk recursively.  Bounding both
 * keeps the stack small (a few hundred frames) whatever the formula text;
 * without it, 60,000 nested parentheses overflowed the stack.
 */
#define MAX_DEPTH 256

/*
 * Terms of a formula at most: a*b*c*... with k variables has 2^k - 1
 * terms, and 18 of them (262,143 terms, deduplicated pairwise) ran for
 * minutes.  R's design would have as many columns at least.
 */
#define MAX_TERMS 10000

enum node_kind {
	N_NUM, N_COL, N_NEG, N_ADD, N_SUB, N_MUL, N_DIV, N_POW,
	N_LOG, N_EXP, N_SQRT, N_PAREN,
	N_LOG1P, N_LOG10, N_LOG2, N_ABS,      /* one argument */
	N_LOGB,                               /* log(a, b): a's logarithm to base b */
	N_PMAX, N_PMIN,                       /* element-wise, two arguments */
	N_IFELSE,                             /* ifelse(a, b, c) */
	N_LT, N_LE, N_GT, N_GE, N_EQ, N_NE,   /* comparisons: 0 or 1 */
	N_AND, N_OR, N_NOT,                   /* logical operators: 0 or 1 */
	N_ID                                  /* I(a) inside an expression: a */
};

struct node {
	enum node_kind kind;
	double num;          /* N_NUM */
	size_t col;          /* N_COL */
	int a, b, c;         /* children (node indices), -1 when absent */
	int named;           /* N_LOGB: written log(a, base = b); N_NUM: TRUE or FALSE */
	int depth;           /* 0 for a leaf, else 1 + the deeper child's depth */
};

enum var_kind {
	V_BARE,              /* a bare column: numeric or categorical, decided by the data */
	V_EXPR,              /* a numeric expression (log(), I(), ...) */
	V_POLY,              /* poly(e, k) */
	V_CAT,               /* C(col, ref = "lvl"), factor(col), as.factor(col) */
	V_LOGIC,             /* I(a > b): a comparison, coded as R codes a logical */
	V_NS,                /* ns(e, ...): R's natural cubic spline basis */
	V_BS                 /* bs(e, ...): R's B-spline basis */
};

struct var {
	enum var_kind kind;
	int root;            /* V_EXPR, V_POLY, V_LOGIC, V_NS, V_BS: expression node */
	size_t col;          /* V_BARE, V_CAT */
	int degree;          /* V_POLY, V_BS (V_NS: 3) */
	int raw;             /* V_POLY: poly(e, k, raw = TRUE) */
	int ncol;            /* basis variables: their design columns */
	int intercept;       /* V_NS, V_BS: intercept = TRUE */
	int df;              /* V_NS, V_BS: df as written, 0 when absent */
	/*
	 * Data-dependent parameters: given in the formula, or learned from the
	 * training rows (formula_learn) and stored in the model (predvars).
	 */
	int learned;
	int given;           /* learned from the formula text alone (no data needed) */
	int knots_given, bk_given;
	double *knots;       /* interior knots, ascending */
	size_t nknots;
	double bk[2];        /* Boundary.knots */
	double *alpha, *norm2;   /* orthogonal poly: degree and degree + 2 numbers */
	/* derived from those by basis_prepare */
	double *t;           /* the full knot sequence (R's Aknots) */
	size_t nt, nb;       /* its length; B-splines on it, nt - order */
	double *side;        /* ns: B, B' at each boundary knot; bs: Taylor rows at the pivots */
	double pivot[2];
	double *hh;          /* ns: LINPACK QR of the constraints, nb' x 2, column-major */
	double qraux[2];
	size_t woff;         /* basis variables: work offset of ncol values, then ncol derivatives */
	char *ref;           /* V_CAT: reference level, or NULL */
	char *label;         /* term label part, as R deparses it */
	char *prefix;        /* coefficient name prefix */
	long ref_index;      /* categorical: reference level (sorted index), set by build */
	int is_cat;          /* categorical (var_categorical), cached by build */
};

struct fcol {
	char *name;
	int numeric, forced, categorical;
	char **levels;       /* sorted (formula_set_levels), owned */
	size_t *by_bytes;    /* level indices in byte order, for formula_level_index */
	size_t nlevels;
};

/* One design column: a product of nf components (var, comp). */
struct dcol {
	size_t first, nf;    /* into f->cvar / f->ccomp */
	size_t term;         /* (size_t)-1: intercept */
	char *name;
};

struct formula {
	char *text;
	struct node *nodes;
	size_t nnodes, capnodes;
	struct fcol *cols;
	size_t ncols;
	struct var vars[MAX_VARS];
	size_t nvars;
	uint64_t *terms;     /* variable sets, R's order */
	size_t nterms;
	char **term_labels;
	int intercept;
	size_t resp_col;
	int resp_log;
	int built;
	struct dcol *dc;
	size_t ndc, capdc;
	size_t *cvar;
	long *ccomp;
	size_t ncomp, capcomp;
	size_t work_size;    /* formula_work_size, set by formula_parse */
	size_t scratch;      /* work offset of the basis scratch (4 (nb + 1) doubles) */
	size_t kink_val;     /* work offset of formula_price_kinks' copy of the values */
	long *direct;        /* by build, when every design column is the intercept (-1) or one
	                      * numeric column as it is (its index): formula_eval's copy */
};

/* ---- small helpers ---- */

/* A growable string. */
struct sbuf {
	char *s;
	size_t n, cap;
};

static void
sb_putn(struct sbuf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

static void
sb_put(struct sbuf *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

static char *
sb_take(struct sbuf *b)
{
	if (b->s == NULL)
		return xstrndup("", 0);
	return b->s;
}

static int
is_name_start(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '.';
}

static int
is_name_char(int c)
{
	return is_name_start(c) || (c >= '0' && c <= '9') || c == '_';
}

/* A column name as R deparses it: backquoted unless it is a syntactic name. */
static void
sb_put_name(struct sbuf *b, const char *name)
{
	size_t i, n = strlen(name);
	int ok = n > 0 && is_name_start((unsigned char)name[0]) &&
	    !(name[0] == '.' && n > 1 && name[1] >= '0' && name[1] <= '9');

	for (i = 0; ok && i < n; i++)
		ok = is_name_char((unsigned char)name[i]);
	if (ok) {
		sb_put(b, name);
		return;
	}
	sb_put(b, "`");
	for (i = 0; i < n; i++) {
		if (name[i] == '`' || name[i] == '\\')
			sb_put(b, "\\");
		sb_putn(b, name + i, 1);
	}
	sb_put(b, "`");
}

/*
 * A constant as R deparses it: the fewest significant digits (up to 15)
 * that give the value to 15 digits, in fixed notation unless scientific is
 * shorter (R's format() rule with scipen 0).  The "C" locale is in force in
 * every program (no setlocale(LC_NUMERIC)), so snprintf writes '.'.
 */
static void
sb_put_rnum(struct sbuf *b, double x)
{
	char ref[64], sci[96], fix[400], m[64];
	double want;
	int sig, e, dec;
	char *ep;

	snprintf(ref, sizeof ref, "%.14e", x);
	want = strtod(ref, NULL);
	for (sig = 1; sig < 15; sig++) {
		snprintf(m, sizeof m, "%.*e", sig - 1, x);
		if (strtod(m, NULL) == want)
			break;
	}
	snprintf(m, sizeof m, "%.*e", sig - 1, x);
	ep = strchr(m, 'e');
	e = atoi(ep + 1);
	*ep = '\0';
	snprintf(sci, sizeof sci, "%se%c%02d", m, e < 0 ? '-' : '+', e < 0 ? -e : e);
	dec = sig - 1 - e;
	if (dec < 0)
		dec = 0;
	snprintf(fix, sizeof fix, "%.*f", dec, x);
	sb_put(b, strlen(fix) <= strlen(sci) ? fix : sci);
}

static int
new_node(struct formula *f, enum node_kind k, int a, int bb)
{
	struct node *n;

	if (f->nnodes == f->capnodes) {
		f->capnodes = f->capnodes ? 2 * f->capnodes : 16;
		f->nodes = xrealloc(f->nodes, f->capnodes * sizeof *f->nodes);
	}
	n = &f->nodes[f->nnodes];
	memset(n, 0, sizeof *n);
	n->kind = k;
	n->a = a;
	n->b = bb;
	n->c = -1;
	n->depth = 0;
	if (a >= 0 && f->nodes[a].depth >= n->depth)
		n->depth = f->nodes[a].depth + 1;
	if (bb >= 0 && f->nodes[bb].depth >= n->depth)
		n->depth = f->nodes[bb].depth + 1;
	return (int)f->nnodes++;
}

static size_t
add_col(struct formula *f, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < f->ncols; i++)
		if (strlen(f->cols[i].name) == len && memcmp(f->cols[i].name, name, len) == 0)
			return i;
	f->cols = xrealloc(f->cols, (f->ncols + 1) * sizeof *f->cols);
	memset(&f->cols[f->ncols], 0, sizeof f->cols[0]);
	f->cols[f->ncols].name = xstrndup(name, len);
	return f->ncols++;
}

/* Function names of the one-argument node kinds, as written and deparsed. */
static const char *
fn_name(enum node_kind k)
{
	switch (k) {
	case N_LOG: case N_LOGB: return "log";
	case N_EXP: return "exp";
	case N_SQRT: return "sqrt";
	case N_LOG1P: return "log1p";
	case N_LOG10: return "log10";
	case N_LOG2: return "log2";
	case N_ABS: return "abs";
	case N_PMAX: return "pmax";
	case N_PMIN: return "pmin";
	case N_IFELSE: return "ifelse";
	case N_ID: return "I";
	default: return NULL;
	}
}

/* Nodes whose value is logical (0 or 1). */
static int
node_logical(enum node_kind k)
{
	return k == N_LT || k == N_LE || k == N_GT || k == N_GE || k == N_EQ || k == N_NE ||
	    k == N_AND || k == N_OR || k == N_NOT;
}

/* Infix operators as R deparses them (binary ones with their spaces). */
static const char *
op_text(enum node_kind k)
{
	switch (k) {
	case N_ADD: return " + ";
	case N_SUB: return " - ";
	case N_MUL: return " * ";
	case N_DIV: return "/";
	case N_POW: return "^";
	case N_LT: return " < ";
	case N_LE: return " <= ";
	case N_GT: return " > ";
	case N_GE: return " >= ";
	case N_EQ: return " == ";
	case N_NE: return " != ";
	case N_AND: return " & ";
	case N_OR: return " | ";
	default: return NULL;
	}
}

static void
deparse(const struct formula *f, int i, struct sbuf *b)
{
	const struct node *n = &f->nodes[i];

	switch (n->kind) {
	case N_NUM:
		if (n->named)
			sb_put(b, n->num != 0 ? "TRUE" : "FALSE");
		else
			sb_put_rnum(b, n->num);
		return;
	case N_COL:
		sb_put_name(b, f->cols[n->col].name);
		return;
	case N_NEG:
		sb_put(b, "-");
		deparse(f, n->a, b);
		return;
	case N_NOT:
		sb_put(b, "!");
		deparse(f, n->a, b);
		return;
	case N_PAREN:
		sb_put(b, "(");
		deparse(f, n->a, b);
		sb_put(b, ")");
		return;
	default:
		break;
	}
	if (fn_name(n->kind) != NULL) {
		sb_put(b, fn_name(n->kind));
		sb_put(b, "(");
		deparse(f, n->a, b);
		if (n->b >= 0) {
			sb_put(b, n->named ? ", base = " : ", ");
			deparse(f, n->b, b);
		}
		if (n->c >= 0) {
			sb_put(b, ", ");
			deparse(f, n->c, b);
		}
		sb_put(b, ")");
		return;
	}
	deparse(f, n->a, b);
	sb_put(b, op_text(n->kind));
	deparse(f, n->b, b);
}

/* Mark every column under node i as numeric. */
static void
mark_numeric(struct formula *f, int i)
{
	const struct node *n = &f->nodes[i];

	if (n->kind == N_COL)
		f->cols[n->col].numeric = 1;
	if (n->kind != N_NUM && n->kind != N_COL) {
		mark_numeric(f, n->a);
		if (n->b >= 0)
			mark_numeric(f, n->b);
		if (n->c >= 0)
			mark_numeric(f, n->c);
	}
}

/* ---- bases: orthogonal poly(), ns() and bs(), as R's stats and splines ---- */

#define MAX_ORDER 11         /* bs() degree 10 at most */
#define MAX_DF 1000          /* ns()/bs() df and knots at most */

static int
is_basis(const struct var *v)
{
	return (v->kind == V_POLY && !v->raw) || v->kind == V_NS || v->kind == V_BS;
}

static int
var_order(const struct var *v)
{
	return v->kind == V_NS ? 4 : v->degree + 1;
}

/*
 * The knot interval of x: i with t[i] <= x < t[i + 1], order - 1 <= i <
 * nt - order, the last non-empty one for x at (or beyond) the right
 * boundary knot, as R's splineDesign takes it there.
 */
static size_t
bsp_interval(const double *t, size_t nt, int ord, double x)
{
	size_t lo = (size_t)ord - 1, hi = nt - (size_t)ord, a, b;

	if (!(x < t[hi])) {
		a = hi - 1;
		while (a > lo && !(t[a] < t[hi]))
			a--;
		return a;
	}
	/* the largest i in [lo, hi) with t[i] <= x */
	a = lo;
	b = hi;
	while (b - a > 1) {
		size_t m = a + (b - a) / 2;
		if (t[m] <= x)
			a = m;
		else
			b = m;
	}
	return a;
}

/*
 * The m-th derivative at x of the ord B-splines that are non-zero on
 * interval i: out[jj] for B-spline i - ord + 1 + jj.  Values by de Boor's
 * BSPLVB (positive weights, no cancellation) for order ord - m, then the
 * derivative recurrence D B(j,k) = (k-1) [B(j,k-1)/(t[j+k-1]-t[j]) -
 * B(j+1,k-1)/(t[j+k]-t[j+1])] up to order ord (de Boor, A Practical Guide
 * to Splines, X.(12)).
 */
static void
bsp_local(const double *t, int ord, size_t i, double x, int m, double *out)
{
	double left[MAX_ORDER + 1], right[MAX_ORDER + 1], b[MAX_ORDER + 1], v[MAX_ORDER + 1];
	int K = ord - m, k, r, jj;

	b[0] = 1;
	for (k = 1; k < K; k++) {
		double saved = 0;
		right[k] = t[i + (size_t)k] - x;
		left[k] = x - t[i + 1 - (size_t)k];
		for (r = 0; r < k; r++) {
			double term = b[r] / (right[r + 1] + left[k - r]);
			b[r] = saved + right[r + 1] * term;
			saved = left[k - r] * term;
		}
		b[k] = saved;
	}
	for (jj = 0; jj <= ord; jj++)
		v[jj] = 0;
	for (r = 0; r < K; r++)
		v[ord - K + r] = b[r];
	for (k = K + 1; k <= ord; k++) {
		for (jj = ord - k; jj < ord; jj++) {
			size_t j = i + 1 + (size_t)jj - (size_t)ord;
			double d1 = t[j + (size_t)k - 1] - t[j], d2 = t[j + (size_t)k] - t[j + 1];
			double a = d1 > 0 ? v[jj] / d1 : 0, c = d2 > 0 && jj + 1 < ord ? v[jj + 1] / d2 : 0;
			v[jj] = (k - 1) * (a - c);
		}
	}
	for (jj = 0; jj < ord; jj++)
		out[jj] = v[jj];
}

/* The m-th derivative at x of all nt - ord B-splines on t (R's splineDesign(t, x, ord, m)). */
static void
bsp_all(const double *t, size_t nt, int ord, double x, int m, double *full)
{
	size_t nb = nt - (size_t)ord, i = bsp_interval(t, nt, ord, x), j;
	double loc[MAX_ORDER];
	int jj;

	for (j = 0; j < nb; j++)
		full[j] = 0;
	bsp_local(t, ord, i, x, m, loc);
	for (jj = 0; jj < ord; jj++)
		full[i + 1 + (size_t)jj - (size_t)ord] = loc[jj];
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * LINPACK's dqrdc2 (R's qr(), no pivoting: the two constraint columns are
 * never negligible) on the n x 2 column-major matrix a, in place, and its
 * qraux; then qty applies Q' to y[n] as dqrsl does.  ns() takes its basis
 * from this factorisation, so the same steps give R's columns.
 */
static void
qr2(double *a, size_t n, double *qraux)
{
	size_t l, j, r;

	for (l = 0; l < 2 && l + 1 < n; l++) {
		double *x = a + l * n, nrm = 0;
		for (r = l; r < n; r++)
			nrm += x[r] * x[r];
		nrm = sqrt(nrm);
		qraux[l] = 0;
		if (nrm == 0)
			continue;
		if (x[l] != 0)
			nrm = copysign(nrm, x[l]);
		for (r = l; r < n; r++)
			x[r] *= 1.0 / nrm;
		x[l] += 1;
		for (j = l + 1; j < 2; j++) {
			double *y = a + j * n, tt = 0;
			for (r = l; r < n; r++)
				tt -= x[r] * y[r];
			tt /= x[l];
			for (r = l; r < n; r++)
				y[r] += tt * x[r];
		}
		qraux[l] = x[l];
		x[l] = -nrm;
	}
}

static void
qty2(const double *a, size_t n, const double *qraux, double *y)
{
	size_t l, r;

	for (l = 0; l < 2 && l + 1 < n; l++) {
		const double *x = a + l * n;
		double tt = 0, diag = qraux[l];
		if (qraux[l] == 0)
			continue;
		tt -= diag * y[l];
		for (r = l + 1; r < n; r++)
			tt -= x[r] * y[r];
		tt /= diag;
		y[l] += tt * diag;
		for (r = l + 1; r < n; r++)
			y[r] += tt * x[r];
	}
}

/* Derive the knot sequence and the tables eval needs from knots and bk (after learning). */
static void
basis_prepare(struct var *v)
{
	int ord = var_order(v), m, s;
	size_t k, nb, nbp, j;
	double *tmp;

	if (v->kind == V_POLY)
		return;
	free(v->t);
	free(v->side);
	free(v->hh);
	v->nt = v->nknots + 2 * (size_t)ord;
	v->t = xrealloc(NULL, v->nt * sizeof *v->t);
	for (k = 0; k < (size_t)ord; k++) {
		v->t[k] = v->bk[0];
		v->t[v->nt - 1 - k] = v->bk[1];
	}
	for (k = 0; k < v->nknots; k++)
		v->t[(size_t)ord + k] = v->knots[k];
	qsort(v->t, v->nt, sizeof *v->t, cmp_double);   /* R sorts c(rep(bk, ord), knots) */
	nb = v->nb = v->nt - (size_t)ord;
	if (v->kind == V_NS) {
		/* B and B' at both boundary knots (the linear pieces outside) */
		v->side = xrealloc(NULL, 4 * nb * sizeof *v->side);
		for (s = 0; s < 2; s++)
			for (m = 0; m < 2; m++)
				bsp_all(v->t, v->nt, 4, v->bk[s], m, v->side + (size_t)(2 * s + m) * nb);
		/* the constraints: B'' at both boundary knots, first column dropped without an intercept */
		nbp = nb - (v->intercept ? 0 : 1);
		v->hh = xrealloc(NULL, 2 * nbp * sizeof *v->hh);
		tmp = xrealloc(NULL, nb * sizeof *tmp);
		for (s = 0; s < 2; s++) {
			bsp_all(v->t, v->nt, 4, v->bk[s], 2, tmp);
			for (j = 0; j < nbp; j++)
				v->hh[(size_t)s * nbp + j] = tmp[j + nb - nbp];
		}
		free(tmp);
		qr2(v->hh, nbp, v->qraux);
	} else {
		/* bs: Taylor rows D^m B(pivot) / m! at a pivot a quarter inside each boundary */
		double fact = 1;
		v->pivot[0] = 0.75 * v->bk[0] + 0.25 * v->t[ord];
		v->pivot[1] = 0.75 * v->bk[1] + 0.25 * v->t[v->nt - (size_t)ord - 1];
		v->side = xrealloc(NULL, 2 * (size_t)ord * nb * sizeof *v->side);
		for (m = 0; m < ord; m++) {
			if (m > 0)
				fact *= m;
			for (s = 0; s < 2; s++) {
				double *row = v->side + ((size_t)s * (size_t)ord + (size_t)m) * nb;
				bsp_all(v->t, v->nt, ord, v->pivot[s], m, row);
				for (j = 0; j < nb; j++)
					row[j] /= fact;
			}
		}
	}
}

/*
 * Basis variable v at x (derivative dx) into out[ncol] and dout[ncol];
 * scratch has 4 (nb + 1) doubles.
 */
static void
basis_eval(const struct var *v, double x, double dx, double *out, double *dout, double *scratch)
{
	size_t nb = v->nb, j, drop = v->intercept ? 0 : 1;
	double *b = scratch, *db = scratch + nb + 1;
	int k;

	if (v->kind == V_POLY) {
		/* predict.poly's three-term recurrence */
		double z0 = 1, dz0 = 0, z1 = x - v->alpha[0], dz1 = dx;
		out[0] = z1 / sqrt(v->norm2[2]);
		dout[0] = dz1 / sqrt(v->norm2[2]);
		for (k = 2; k <= v->degree; k++) {
			double r = v->norm2[k] / v->norm2[k - 1];
			double z2 = (x - v->alpha[k - 1]) * z1 - r * z0;
			double dz2 = dx * z1 + (x - v->alpha[k - 1]) * dz1 - r * dz0;
			z0 = z1;
			dz0 = dz1;
			z1 = z2;
			dz1 = dz2;
			out[k - 1] = z1 / sqrt(v->norm2[k + 1]);
			dout[k - 1] = dz1 / sqrt(v->norm2[k + 1]);
		}
		return;
	}
	if (isnan(x)) {
		for (j = 0; j < (size_t)v->ncol; j++)
			out[j] = dout[j] = NAN;
		return;
	}
	if (v->kind == V_NS) {
		if (x < v->bk[0] || x > v->bk[1]) {
			/* linear beyond the boundary knots: B(k) + (x - k) B'(k) */
			int s = x > v->bk[1];
			const double *b0 = v->side + (size_t)(2 * s) * nb, *b1 = b0 + nb;
			for (j = 0; j < nb; j++) {
				b[j] = b0[j] + (x - v->bk[s]) * b1[j];
				db[j] = b1[j] * dx;
			}
		} else {
			bsp_all(v->t, v->nt, 4, x, 0, b);
			bsp_all(v->t, v->nt, 4, x, 1, db);
			for (j = 0; j < nb; j++)
				db[j] *= dx;
		}
		qty2(v->hh, nb - drop, v->qraux, b + drop);
		qty2(v->hh, nb - drop, v->qraux, db + drop);
		for (j = 0; j < (size_t)v->ncol; j++) {
			out[j] = b[drop + 2 + j];
			dout[j] = db[drop + 2 + j];
		}
		return;
	}
	/* bs */
	if (x < v->bk[0] || x > v->bk[1]) {
		/* R: the Taylor polynomial at a pivot inside the boundary */
		int s = x > v->bk[1], ord = var_order(v), m;
		double h = x - v->pivot[s];
		for (j = 0; j < nb; j++) {
			b[j] = 0;
			db[j] = 0;
		}
		for (m = 0; m < ord; m++) {
			const double *row = v->side + ((size_t)s * (size_t)ord + (size_t)m) * nb;
			double hm = m == 0 ? 1 : m == 1 ? h : m == 2 ? h * h : pow(h, m);
			double dhm = m == 0 ? 0 : m == 1 ? 1 : m == 2 ? 2 * h : m * pow(h, m - 1);
			for (j = 0; j < nb; j++) {
				b[j] += hm * row[j];
				db[j] += dhm * row[j] * dx;
			}
		}
	} else {
		int ord = var_order(v);
		bsp_all(v->t, v->nt, ord, x, 0, b);
		bsp_all(v->t, v->nt, ord, x, 1, db);
		for (j = 0; j < nb; j++)
			db[j] *= dx;
	}
	for (j = 0; j < (size_t)v->ncol; j++) {
		out[j] = b[drop + j];
		dout[j] = db[drop + j];
	}
}

/* ---- the lexer ---- */

enum tok { T_EOF, T_NAME, T_NUM, T_STR, T_OP };

struct parser {
	struct formula *f;
	const char *s;
	size_t pos;          /* start of the current token */
	size_t end;          /* end of the current token */
	enum tok tok;
	char op;
	char *name;          /* T_NAME, T_STR: text (owned) */
	double num;
	int no_intercept;
	struct diag *d;
	int failed;
	int depth;           /* nesting levels open (MAX_DEPTH) */
};

static int
perr(struct parser *p, size_t at, const char *fmt, const char *arg)
{
	char what[256];

	if (p->failed)
		return -1;
	snprintf(what, sizeof what, fmt, arg);
	p->failed = 1;
	diag_set(p->d, NULL, 0, NULL, p->s, strlen(p->s), "formula: %s at column %zu", what, at + 1);
	return -1;
}

static int
unexpected(struct parser *p)
{
	char t[64];
	size_t n = p->end - p->pos;

	if (p->tok == T_EOF)
		return perr(p, p->pos, "unexpected end%s", "");
	if (n > 40)
		n = 40;
	memcpy(t, p->s + p->pos, n);
	t[n] = '\0';
	return perr(p, p->pos, "unexpected \"%s\"", t);
}

static int
next(struct parser *p)
{
	const char *s = p->s;
	size_t i = p->end;
	struct sbuf b = { 0 };

	free(p->name);
	p->name = NULL;
	while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
		i++;
	p->pos = i;
	if (s[i] == '\0') {
		p->tok = T_EOF;
		p->end = i;
		return 0;
	}
	if (is_name_start((unsigned char)s[i]) && !(s[i] == '.' && s[i + 1] >= '0' && s[i + 1] <= '9')) {
		while (is_name_char((unsigned char)s[i]))
			i++;
		p->tok = T_NAME;
		p->name = xstrndup(s + p->pos, i - p->pos);
		p->end = i;
		return 0;
	}
	if ((s[i] >= '0' && s[i] <= '9') || s[i] == '.') {
		while ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')
			i++;
		if (s[i] == 'e' || s[i] == 'E') {
			size_t j = i + 1;
			if (s[j] == '+' || s[j] == '-')
				j++;
			if (s[j] >= '0' && s[j] <= '9') {
				while (s[j] >= '0' && s[j] <= '9')
					j++;
				i = j;
			}
		}
		p->end = i;
		p->tok = T_NUM;
		if (num_parse(s + p->pos, i - p->pos, &p->num, 0) != NUM_OK)
			return unexpected(p);
		return 0;
	}
	if (s[i] == '`' || s[i] == '"' || s[i] == '\'') {
		char q = s[i];
		for (i++; s[i] != q; i++) {
			if (s[i] == '\0') {
				free(b.s);
				return perr(p, p->pos, "unterminated %s", q == '`' ? "`name`" : "string");
			}
			if (s[i] == '\\' && s[i + 1] != '\0')
				i++;
			sb_putn(&b, s + i, 1);
		}
		p->end = i + 1;
		p->tok = q == '`' ? T_NAME : T_STR;
		p->name = sb_take(&b);
		if (q == '`' && p->name[0] == '\0')
			return perr(p, p->pos, "empty %s", "`name`");
		return 0;
	}
	if (strchr("<>=!", s[i]) != NULL && s[i + 1] == '=') {
		/* two-character comparisons, one letter each for the parser */
		p->tok = T_OP;
		p->op = s[i] == '<' ? 'l' : s[i] == '>' ? 'g' : s[i] == '=' ? 'e' : 'n';
		p->end = i + 2;
		return 0;
	}
	if (strchr("~+-*/^:(),=<>!&|", s[i]) != NULL) {
		p->tok = T_OP;
		p->op = s[i];
		p->end = i + 1;
		return 0;
	}
	p->end = i + 1;
	while ((s[p->end] & 0xC0) == 0x80)   /* the whole UTF-8 character */
		p->end++;
	p->tok = T_OP;
	p->op = '?';
	return unexpected(p);
}

static int
is_op(const struct parser *p, char c)
{
	return p->tok == T_OP && p->op == c;
}

static int
expect(struct parser *p, char c)
{
	if (!is_op(p, c))
		return unexpected(p);
	return next(p);
}

#define STR_(x) #x
#define STR(x) STR_(x)

/* Open a nesting level at byte at (MAX_DEPTH); the caller leaves it with p->depth--. */
static int
enter(struct parser *p, size_t at)
{
	if (++p->depth > MAX_DEPTH)
		return perr(p, at, "nested too deeply (more than %s levels)", STR(MAX_DEPTH));
	return 0;
}

/* new_node for the parser: an expression tree deeper than MAX_DEPTH is an error at byte at. */
static int
mknode(struct parser *p, enum node_kind k, int a, int bb, size_t at)
{
	int i = new_node(p->f, k, a, bb);

	if (p->f->nodes[i].depth > MAX_DEPTH)
		return perr(p, at, "nested too deeply (more than %s levels)", STR(MAX_DEPTH));
	return i;
}

/* ---- arithmetic (inside functions and I()) ---- */

static int aexpr(struct parser *p);

/*
 * The functions of an arithmetic expression: their node kind and number of
 * arguments (log takes one or two), or N_NUM when name is none of them.
 */
static enum node_kind
fn_kind(const char *name, int *nargs)
{
	static const struct { const char *name; enum node_kind kind; int nargs; } fns[] = {
		{ "log", N_LOG, 1 }, { "exp", N_EXP, 1 }, { "sqrt", N_SQRT, 1 },
		{ "log1p", N_LOG1P, 1 }, { "log10", N_LOG10, 1 }, { "log2", N_LOG2, 1 },
		{ "abs", N_ABS, 1 }, { "pmax", N_PMAX, 2 }, { "pmin", N_PMIN, 2 },
		{ "ifelse", N_IFELSE, 3 }, { "I", N_ID, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof fns / sizeof fns[0]; i++)
		if (strcmp(name, fns[i].name) == 0) {
			*nargs = fns[i].nargs;
			return fns[i].kind;
		}
	return N_NUM;
}

static int
is_fn(const char *name)
{
	int n;

	return fn_kind(name, &n) != N_NUM;
}

/*
 * A call of an arithmetic function whose name (written at byte at) was
 * read; the current token is its "(".  Returns the node.
 */
static int
acall(struct parser *p, const char *name, size_t at)
{
	int nargs = 0, args[3] = { -1, -1, -1 }, k = 0, named = 0, i;
	enum node_kind kind = fn_kind(name, &nargs);

	if (enter(p, p->pos) < 0 || next(p) < 0)
		return -1;
	for (;;) {
		size_t aat = p->pos;
		if (k == 1 && kind == N_LOG && p->tok == T_NAME && strcmp(p->name, "base") == 0 &&
		    p->s[p->end] != '(') {
			/* log(x, base = b): the one named argument */
			if (next(p) < 0 || expect(p, '=') < 0)
				return -1;
			named = 1;
		} else if (p->tok == T_NAME && strchr(" =", p->s[p->end]) != NULL) {
			size_t e = p->end;
			while (p->s[e] == ' ')
				e++;
			if (p->s[e] == '=' && p->s[e + 1] != '=') {
				char what[96];
				snprintf(what, sizeof what, "%s(): unknown argument \"%.40s\"", name, p->name);
				return perr(p, aat, "%s", what);
			}
		}
		if ((args[k] = aexpr(p)) < 0)
			return -1;
		k++;
		if (is_op(p, ')'))
			break;
		if (!is_op(p, ','))
			return unexpected(p);
		if (k == (kind == N_LOG ? 2 : nargs))
			return perr(p, p->pos, "%s(): too many arguments", name);
		if (next(p) < 0)
			return -1;
	}
	if (k < nargs)
		return perr(p, p->pos, "%s(): too few arguments", name);
	if (next(p) < 0)
		return -1;
	p->depth--;
	if (kind == N_LOG && k == 2)
		kind = N_LOGB;
	i = mknode(p, kind, args[0], args[1], at);
	if (i >= 0 && args[2] >= 0) {
		struct node *n = &p->f->nodes[i];
		n->c = args[2];
		if (p->f->nodes[args[2]].depth >= n->depth)
			n->depth = p->f->nodes[args[2]].depth + 1;
		if (n->depth > MAX_DEPTH)
			return perr(p, at, "nested too deeply (more than %s levels)", STR(MAX_DEPTH));
	}
	if (i >= 0)
		p->f->nodes[i].named = named;
	return i;
}

static int
aprimary(struct parser *p)
{
	int a;

	if (p->tok == T_NUM) {
		a = new_node(p->f, N_NUM, -1, -1);
		p->f->nodes[a].num = p->num;
		return next(p) < 0 ? -1 : a;
	}
	if (is_op(p, '(')) {
		size_t at = p->pos;
		if (enter(p, at) < 0 || next(p) < 0 || (a = aexpr(p)) < 0 || expect(p, ')') < 0)
			return -1;
		p->depth--;
		return mknode(p, N_PAREN, a, -1, at);
	}
	if (p->tok == T_NAME) {
		size_t at = p->pos, len = p->end - p->pos;
		int quoted = p->s[at] == '`';
		char *name = p->name;
		p->name = NULL;
		if (next(p) < 0) {
			free(name);
			return -1;
		}
		if (!quoted && is_op(p, '(')) {
			if (!is_fn(name)) {
				free(name);
				p->failed = 1;
				diag_set(p->d, NULL, 0, NULL, p->s, strlen(p->s),
				    "formula: unknown function \"%.*s\" at column %zu", (int)len, p->s + at, at + 1);
				return -1;
			}
			a = acall(p, name, at);
			free(name);
			return a;
		}
		if (!quoted && (strcmp(name, "TRUE") == 0 || strcmp(name, "FALSE") == 0)) {
			/* R's logical constants, as numbers */
			a = new_node(p->f, N_NUM, -1, -1);
			p->f->nodes[a].num = name[0] == 'T';
			p->f->nodes[a].named = 1;
			free(name);
			return a;
		}
		a = new_node(p->f, N_COL, -1, -1);
		p->f->nodes[a].col = add_col(p->f, name, strlen(name));
		free(name);
		return a;
	}
	return unexpected(p);
}

static int aunary(struct parser *p);

static int
apow(struct parser *p)
{
	int a = aprimary(p), bb;
	size_t at;

	if (a < 0)
		return -1;
	if (!is_op(p, '^'))
		return a;
	at = p->pos;
	if (enter(p, at) < 0 || next(p) < 0 || (bb = aunary(p)) < 0)
		return -1;
	p->depth--;
	return mknode(p, N_POW, a, bb, at);
}

static int
aunary(struct parser *p)
{
	int a;

	if (is_op(p, '-')) {
		size_t at = p->pos;
		if (enter(p, at) < 0 || next(p) < 0 || (a = aunary(p)) < 0)
			return -1;
		p->depth--;
		return mknode(p, N_NEG, a, -1, at);
	}
	return apow(p);
}

/*
 * A left-associative run of binary operators over the level below: sub
 * parses an operand, ops the operator bytes, kinds the node of each.
 */
static int
left_assoc(struct parser *p, int (*sub)(struct parser *), const char *ops,
    const enum node_kind *kinds)
{
	int a = sub(p), bb;
	const char *op;

	while (a >= 0 && p->tok == T_OP && p->op != '\0' && (op = strchr(ops, p->op)) != NULL) {
		enum node_kind k = kinds[op - ops];
		size_t at = p->pos;
		if (next(p) < 0 || (bb = sub(p)) < 0)
			return -1;
		a = mknode(p, k, a, bb, at);
	}
	return a;
}

static int
aterm(struct parser *p)
{
	static const enum node_kind k[] = { N_MUL, N_DIV };

	return left_assoc(p, aunary, "*/", k);
}

static int
arith(struct parser *p)
{
	static const enum node_kind k[] = { N_ADD, N_SUB };

	return left_assoc(p, aterm, "+-", k);
}

/* a < b, a <= b, ...: R's precedence, below arithmetic; one comparison (R refuses a < b < c). */
static int
acompare(struct parser *p)
{
	int a = arith(p), bb;
	enum node_kind k;
	size_t at;

	if (a < 0 || p->tok != T_OP || strchr("<l>gen", p->op) == NULL)
		return a;
	k = p->op == '<' ? N_LT : p->op == 'l' ? N_LE : p->op == '>' ? N_GT :
	    p->op == 'g' ? N_GE : p->op == 'e' ? N_EQ : N_NE;
	at = p->pos;
	if (next(p) < 0 || (bb = arith(p)) < 0)
		return -1;
	a = mknode(p, k, a, bb, at);
	if (a >= 0 && p->tok == T_OP && strchr("<l>gen", p->op) != NULL)
		return unexpected(p);
	return a;
}

static int
anot(struct parser *p)
{
	int a;

	if (is_op(p, '!')) {
		size_t at = p->pos;
		if (enter(p, at) < 0 || next(p) < 0 || (a = anot(p)) < 0)
			return -1;
		p->depth--;
		return mknode(p, N_NOT, a, -1, at);
	}
	return acompare(p);
}

static int
aand(struct parser *p)
{
	static const enum node_kind k[] = { N_AND };

	return left_assoc(p, anot, "&", k);
}

/* An expression: arithmetic, comparisons and logical operators. */
static int
aexpr(struct parser *p)
{
	static const enum node_kind k[] = { N_OR };

	return left_assoc(p, aand, "|", k);
}

/* ---- term lists (sets of variables) ---- */

struct tlist {
	uint64_t *t;
	size_t n;
};

static void
tl_add(struct tlist *l, uint64_t t)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->t[i] == t)
			return;
	l->t = xrealloc(l->t, (l->n + 1) * sizeof *l->t);
	l->t[l->n++] = t;
}

static void
tl_cat(struct tlist *l, const struct tlist *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		tl_add(l, r->t[i]);
}

/* l:r - every union of a term of l with a term of r. */
static struct tlist
tl_colon(const struct tlist *l, const struct tlist *r)
{
	struct tlist o = { NULL, 0 };
	size_t i, j;

	for (i = 0; i < l->n; i++)
		for (j = 0; j < r->n; j++)
			tl_add(&o, l->t[i] | r->t[j]);
	return o;
}

static void
var_free(struct var *v)
{
	free(v->label);
	free(v->prefix);
	free(v->ref);
	free(v->knots);
	free(v->alpha);
	free(v->norm2);
	free(v->t);
	free(v->side);
	free(v->hh);
	memset(v, 0, sizeof *v);
}

static int
add_var(struct parser *p, struct var *v, size_t at)
{
	struct formula *f = p->f;
	size_t i;

	for (i = 0; i < f->nvars; i++)
		if (strcmp(f->vars[i].label, v->label) == 0) {
			var_free(v);
			return (int)i;
		}
	if (f->nvars == MAX_VARS) {
		var_free(v);
		return perr(p, at, "more than 64 variables%s", "");
	}
	f->vars[f->nvars] = *v;
	return (int)f->nvars++;
}

/*
 * An argument value of poly(), ns(), bs(): a number, TRUE/FALSE (T/F),
 * c(numbers), or list(name = c(numbers), ...) (poly's coefs).  Deparsed
 * into b as R deparses it.  Returns 0, or -1 with the error set.
 */
struct argval {
	int kind;            /* 'n' number, 'b' logical, 'v' c(...), 'l' list */
	double *v;           /* 'n', 'v' */
	size_t n;
	int truth;           /* 'b' */
	double *alpha, *norm2;   /* 'l': alpha = c(...), norm2 = c(...) */
	size_t nalpha, nnorm2;
};

static void
argval_free(struct argval *a)
{
	free(a->v);
	free(a->alpha);
	free(a->norm2);
	memset(a, 0, sizeof *a);
}

/* c(numbers) at the current token ("c"); the numbers into *v, *n. */
static int
parse_cvec(struct parser *p, struct sbuf *b, double **v, size_t *n)
{
	size_t cap = 0;

	if (next(p) < 0 || expect(p, '(') < 0)
		return -1;
	sb_put(b, "c(");
	*n = 0;
	while (!is_op(p, ')')) {
		int neg = 0;
		if (*n > 0) {
			if (expect(p, ',') < 0)
				return -1;
			sb_put(b, ", ");
		}
		if (is_op(p, '-')) {
			neg = 1;
			if (next(p) < 0)
				return -1;
		}
		if (p->tok != T_NUM)
			return unexpected(p);
		if (*n == MAX_DF + 2)
			return perr(p, p->pos, "more than %s numbers in c()", STR(MAX_DF));
		if (*n == cap) {
			cap = cap ? 2 * cap : 8;
			*v = xrealloc(*v, cap * sizeof **v);
		}
		(*v)[(*n)++] = neg ? -p->num : p->num;
		sb_put_rnum(b, neg ? -p->num : p->num);
		if (next(p) < 0)
			return -1;
	}
	sb_put(b, ")");
	return next(p);
}

static int
parse_argval(struct parser *p, struct sbuf *b, struct argval *a)
{
	memset(a, 0, sizeof *a);
	if (is_op(p, '-') || p->tok == T_NUM) {
		int neg = is_op(p, '-');
		if (neg && next(p) < 0)
			return -1;
		if (p->tok != T_NUM)
			return unexpected(p);
		a->kind = 'n';
		a->v = xrealloc(NULL, sizeof *a->v);
		a->v[0] = neg ? -p->num : p->num;
		a->n = 1;
		sb_put_rnum(b, a->v[0]);
		return next(p);
	}
	if (p->tok == T_NAME && p->s[p->pos] != '`') {
		if (strcmp(p->name, "TRUE") == 0 || strcmp(p->name, "FALSE") == 0 ||
		    strcmp(p->name, "T") == 0 || strcmp(p->name, "F") == 0) {
			a->kind = 'b';
			a->truth = p->name[0] == 'T';
			sb_put(b, p->name);
			return next(p);
		}
		if (strcmp(p->name, "c") == 0) {
			a->kind = 'v';
			return parse_cvec(p, b, &a->v, &a->n);
		}
		if (strcmp(p->name, "list") == 0) {
			a->kind = 'l';
			if (next(p) < 0 || expect(p, '(') < 0)
				return -1;
			sb_put(b, "list(");
			while (!is_op(p, ')')) {
				int is_alpha;
				if (a->alpha != NULL || a->norm2 != NULL) {
					if (expect(p, ',') < 0)
						return -1;
					sb_put(b, ", ");
				}
				if (p->tok != T_NAME || (strcmp(p->name, "alpha") != 0 &&
				    strcmp(p->name, "norm2") != 0))
					return unexpected(p);
				is_alpha = p->name[0] == 'a';
				if ((is_alpha ? a->alpha : a->norm2) != NULL)
					return perr(p, p->pos, "coefs: %s given twice", is_alpha ? "alpha" : "norm2");
				sb_put(b, is_alpha ? "alpha = " : "norm2 = ");
				if (next(p) < 0 || expect(p, '=') < 0)
					return -1;
				if (p->tok != T_NAME || strcmp(p->name, "c") != 0)
					return unexpected(p);
				if (parse_cvec(p, b, is_alpha ? &a->alpha : &a->norm2,
				    is_alpha ? &a->nalpha : &a->nnorm2) < 0)
					return -1;
				if ((is_alpha ? a->alpha : a->norm2) == NULL) {
					/* c() of nothing: an empty, non-NULL vector */
					if (is_alpha)
						a->alpha = xrealloc(NULL, sizeof *a->alpha);
					else
						a->norm2 = xrealloc(NULL, sizeof *a->norm2);
				}
			}
			sb_put(b, ")");
			return next(p);
		}
	}
	return unexpected(p);
}

/* A whole number from lo to hi in argument a, or an error at byte at naming fn and what. */
static int
arg_whole(struct parser *p, const struct argval *a, size_t at, const char *fn, const char *what,
    int lo, int hi, int *out)
{
	char msg[128];

	if (a->kind != 'n' || a->v[0] != floor(a->v[0]) || a->v[0] < lo || a->v[0] > hi) {
		snprintf(msg, sizeof msg, "%s(): %s must be a whole number from %d to %d", fn, what, lo, hi);
		return perr(p, at, "%s", msg);
	}
	*out = (int)a->v[0];
	return 0;
}

/*
 * poly(e, k [, raw =] [, coefs =]), ns(e [, df] [, knots] [, intercept]
 * [, Boundary.knots]), bs(e [, df] [, knots] [, degree] [, intercept]
 * [, Boundary.knots]): R's arguments, by position or name.  The current
 * token is the "(" after name (written at byte at); the label is deparsed
 * into b.  Fills v.
 */
static int
fbasis(struct parser *p, const char *name, size_t at, struct var *v, struct sbuf *b)
{
	static const char *const poly_args[] = { "degree", "raw", "coefs", NULL };
	static const char *const ns_args[] = { "df", "knots", "intercept", "Boundary.knots", NULL };
	static const char *const bs_args[] = { "df", "knots", "degree", "intercept", "Boundary.knots", NULL };
	const char *const *names = name[0] == 'p' ? poly_args : name[0] == 'n' ? ns_args : bs_args;
	int given[8] = { 0 }, npos = 0, a, k, lo;
	char msg[160];
	struct argval av;
	size_t i, nnames;

	for (nnames = 0; names[nnames] != NULL; nnames++)
		;
	v->kind = name[0] == 'p' ? V_POLY : name[0] == 'n' ? V_NS : V_BS;
	v->degree = name[0] == 'p' ? 1 : 3;
	if (enter(p, p->pos) < 0 || next(p) < 0 || (a = aexpr(p)) < 0)
		return -1;
	v->root = a;
	sb_put(b, name);
	sb_put(b, "(");
	deparse(p->f, a, b);
	while (is_op(p, ',')) {
		size_t aat;
		long which = -1;
		if (next(p) < 0)
			return -1;
		aat = p->pos;
		sb_put(b, ", ");
		if (p->tok == T_NAME && p->s[p->pos] != '`') {
			size_t e = p->end;
			while (p->s[e] == ' ')
				e++;
			if (p->s[e] == '=' && p->s[e + 1] != '=') {
				for (i = 0; i < nnames; i++)
					if (strcmp(p->name, names[i]) == 0)
						which = (long)i;
				if (which < 0) {
					snprintf(msg, sizeof msg, "%s(): unknown argument \"%.40s\"", name, p->name);
					return perr(p, aat, "%s", msg);
				}
				sb_put(b, p->name);
				sb_put(b, " = ");
				if (next(p) < 0 || expect(p, '=') < 0)
					return -1;
			}
		}
		if (which < 0) {
			/* by position: poly's one (the degree, in R's ...), then the others in order */
			if (v->kind == V_POLY ? npos > 0 : (size_t)npos >= nnames) {
				snprintf(msg, sizeof msg, "%s(): too many arguments", name);
				return perr(p, aat, "%s", msg);
			}
			which = npos++;
			while (which < (long)nnames && given[which])
				which++;
			if (which == (long)nnames) {
				snprintf(msg, sizeof msg, "%s(): too many arguments", name);
				return perr(p, aat, "%s", msg);
			}
		}
		if (given[which]) {
			snprintf(msg, sizeof msg, "%s(): argument \"%s\" given twice", name, names[which]);
			return perr(p, aat, "%s", msg);
		}
		given[which] = 1;
		if (parse_argval(p, b, &av) < 0) {
			argval_free(&av);
			return -1;
		}
		k = 0;
		if (strcmp(names[which], "degree") == 0) {
			k = v->kind == V_POLY ? arg_whole(p, &av, aat, name, "degree", 1, MAX_POLY, &v->degree) :
			    arg_whole(p, &av, aat, name, "degree", 1, MAX_ORDER - 1, &v->degree);
		} else if (strcmp(names[which], "df") == 0) {
			k = arg_whole(p, &av, aat, name, "df", 0, MAX_DF, &v->df);
			if (k == 0 && v->df == 0) {
				snprintf(msg, sizeof msg, "%s(): df must be a whole number from 1 to %d", name, MAX_DF);
				k = perr(p, aat, "%s", msg);
			}
		} else if (strcmp(names[which], "raw") == 0 || strcmp(names[which], "intercept") == 0) {
			if (av.kind != 'b') {
				snprintf(msg, sizeof msg, "%s(): %s must be TRUE or FALSE", name, names[which]);
				k = perr(p, aat, "%s", msg);
			} else if (names[which][0] == 'r') {
				v->raw = av.truth;
			} else {
				v->intercept = av.truth;
			}
		} else if (strcmp(names[which], "knots") == 0) {
			if (av.kind != 'v' && av.kind != 'n') {
				snprintf(msg, sizeof msg, "%s(): knots must be numbers: c(...)", name);
				k = perr(p, aat, "%s", msg);
			} else {
				v->knots = av.v;
				v->nknots = av.n;
				av.v = NULL;
				v->knots_given = 1;
				for (i = 0; i < v->nknots && k == 0; i++)
					if (!isfinite(v->knots[i]))
						k = perr(p, aat, "%s(): a knot is not a finite number", name);
				if (k == 0 && v->nknots > 0)
					qsort(v->knots, v->nknots, sizeof *v->knots, cmp_double);
			}
		} else if (strcmp(names[which], "Boundary.knots") == 0) {
			if (av.kind != 'v' || av.n != 2 || !isfinite(av.v[0]) || !isfinite(av.v[1]) ||
			    av.v[0] == av.v[1]) {
				snprintf(msg, sizeof msg, "%s(): Boundary.knots must be two different numbers: c(lo, hi)",
				    name);
				k = perr(p, aat, "%s", msg);
			} else {
				/* R sorts them */
				v->bk[0] = av.v[0] < av.v[1] ? av.v[0] : av.v[1];
				v->bk[1] = av.v[0] < av.v[1] ? av.v[1] : av.v[0];
				v->bk_given = 1;
			}
		} else {
			/* coefs */
			if (av.kind != 'l' || av.alpha == NULL || av.norm2 == NULL) {
				snprintf(msg, sizeof msg, "%s(): coefs must be list(alpha = c(...), norm2 = c(...))", name);
				k = perr(p, aat, "%s", msg);
			} else {
				v->alpha = av.alpha;
				v->norm2 = av.norm2;
				v->nknots = av.nalpha;       /* checked against the degree below */
				v->nt = av.nnorm2;
				av.alpha = av.norm2 = NULL;
			}
		}
		argval_free(&av);
		if (k < 0)
			return -1;
	}
	if (expect(p, ')') < 0)
		return -1;
	p->depth--;
	sb_put(b, ")");
	if (v->kind == V_POLY) {
		if (v->alpha != NULL) {
			size_t j;
			int ok = !v->raw && v->nknots == (size_t)v->degree && v->nt == (size_t)v->degree + 2;
			for (j = 0; ok && j < (size_t)v->degree + 2; j++)
				ok = isfinite(v->norm2[j]) && v->norm2[j] > 0 &&
				    (j >= (size_t)v->degree || isfinite(v->alpha[j]));
			v->nknots = v->nt = 0;
			if (!ok) {
				snprintf(msg, sizeof msg, "poly(): coefs must have %d alpha and %d positive norm2",
				    v->degree, v->degree + 2);
				return perr(p, at, "%s", msg);
			}
			v->learned = v->given = 1;
		}
		v->ncol = v->degree;
		if (v->raw)
			v->learned = v->given = 1;
		return 0;
	}
	/* columns: R's nIknots from df, or the knots given */
	lo = v->kind == V_NS ? 1 + v->intercept : v->degree + v->intercept;
	if (v->knots_given) {
		v->ncol = (int)v->nknots + lo;
	} else if (v->df > 0) {
		if (v->df < lo) {
			if (v->kind == V_NS)
				snprintf(msg, sizeof msg, "ns(): df = %d is too small: at least 2 with an intercept",
				    v->df);
			else
				snprintf(msg, sizeof msg, "bs(): df = %d is too small: at least %d for degree %d%s",
				    v->df, lo, v->degree, v->intercept ? " with an intercept" : "");
			return perr(p, at, "%s", msg);
		}
		v->ncol = v->df;
	} else {
		v->ncol = lo;
	}
	if (v->ncol > MAX_DF) {
		snprintf(msg, sizeof msg, "%s(): more than %d columns", name, MAX_DF);
		return perr(p, at, "%s", msg);
	}
	if (v->bk_given && v->knots_given)
		for (i = 0; i < v->nknots; i++)
			if (v->knots[i] < v->bk[0] || v->knots[i] > v->bk[1]) {
				struct sbuf kb = { 0 };
				sb_put_rnum(&kb, v->knots[i]);
				snprintf(msg, sizeof msg, "%s(): knot %s is outside Boundary.knots", name, kb.s);
				free(kb.s);
				return perr(p, at, "%s", msg);
			}
	if (v->bk_given && v->knots_given) {
		v->learned = v->given = 1;
		basis_prepare(v);
	}
	return 0;
}

/* A variable of the formula: a column, a function of columns, poly(), C(). */
static int
fvar(struct parser *p, struct tlist *out)
{
	struct formula *f = p->f;
	struct var v;
	struct sbuf b = { 0 };
	size_t at = p->pos, len = p->end - p->pos;
	int quoted = p->s[at] == '`';
	char *name;
	int vi, a;

	memset(&v, 0, sizeof v);
	v.ref_index = -1;
	name = p->name;
	p->name = NULL;
	if (next(p) < 0) {
		free(name);
		return -1;
	}
	if (quoted || !is_op(p, '(')) {
		v.kind = V_BARE;
		v.col = add_col(f, name, strlen(name));
		sb_put_name(&b, name);
		v.label = sb_take(&b);
		v.prefix = xstrndup(v.label, strlen(v.label));
	} else if (is_fn(name) || strcmp(name, "I") == 0) {
		if (strcmp(name, "I") == 0) {
			if (enter(p, p->pos) < 0 || next(p) < 0 || (a = aexpr(p)) < 0 ||
			    expect(p, ')') < 0) {
				free(name);
				return -1;
			}
			p->depth--;
			sb_put(&b, "I(");
			deparse(f, a, &b);
			sb_put(&b, ")");
		} else {
			if ((a = acall(p, name, at)) < 0) {
				free(name);
				return -1;
			}
			deparse(f, a, &b);
		}
		v.kind = V_EXPR;
		v.root = a;
		if (strcmp(name, "I") == 0) {
			/* I(a > b) is logical: R codes it as a factor with levels FALSE, TRUE */
			int r = a;
			while (f->nodes[r].kind == N_PAREN || f->nodes[r].kind == N_ID)
				r = f->nodes[r].a;
			if (node_logical(f->nodes[r].kind))
				v.kind = V_LOGIC;
		}
		v.label = sb_take(&b);
		v.prefix = xstrndup(v.label, strlen(v.label));
		mark_numeric(f, v.root);
	} else if (strcmp(name, "poly") == 0 || strcmp(name, "ns") == 0 || strcmp(name, "bs") == 0) {
		if (fbasis(p, name, at, &v, &b) < 0) {
			free(name);
			free(b.s);
			var_free(&v);
			return -1;
		}
		v.label = sb_take(&b);
		v.prefix = xstrndup(v.label, strlen(v.label));
		mark_numeric(f, v.root);
	} else if (strcmp(name, "C") == 0 || strcmp(name, "factor") == 0 ||
	    strcmp(name, "as.factor") == 0) {
		struct sbuf pb = { 0 };
		int is_c = name[0] == 'C';
		if (next(p) < 0) {
			free(name);
			return -1;
		}
		if (p->tok != T_NAME) {
			free(name);
			return unexpected(p);
		}
		v.kind = V_CAT;
		v.col = add_col(f, p->name, strlen(p->name));
		f->cols[v.col].forced = 1;
		sb_put(&b, name);
		sb_put(&b, "(");
		sb_put_name(&b, p->name);
		if (is_c) {
			/* C(): named by the column, as relevel() names it */
			sb_put_name(&pb, p->name);
		} else {
			/* factor(x): named by the call, "factor(x)6" */
			sb_put(&pb, b.s);
			sb_put(&pb, ")");
		}
		v.prefix = sb_take(&pb);
		if (next(p) < 0) {
			free(name);
			free(b.s);
			free(v.prefix);
			return -1;
		}
		if (is_c && is_op(p, ',')) {
			if (next(p) < 0 || (p->tok == T_NAME && strcmp(p->name, "ref") == 0 &&
			    (next(p) < 0 || expect(p, '=') < 0)) || p->tok != T_STR) {
				if (!p->failed)
					unexpected(p);
				free(name);
				free(b.s);
				free(v.prefix);
				return -1;
			}
			v.ref = p->name;
			p->name = NULL;
			sb_put(&b, ", ref = \"");
			sb_put(&b, v.ref);
			sb_put(&b, "\"");
			if (next(p) < 0) {
				free(name);
				free(b.s);
				free(v.prefix);
				free(v.ref);
				return -1;
			}
		}
		sb_put(&b, ")");
		v.label = sb_take(&b);
		if (expect(p, ')') < 0) {
			free(name);
			free(v.label);
			free(v.prefix);
			free(v.ref);
			return -1;
		}
	} else {
		free(name);
		p->failed = 1;
		diag_set(p->d, NULL, 0, NULL, p->s, strlen(p->s),
		    "formula: unknown function \"%.*s\" at column %zu", (int)len, p->s + at, at + 1);
		return -1;
	}
	free(name);
	vi = add_var(p, &v, at);
	if (vi < 0)
		return -1;
	tl_add(out, (uint64_t)1 << vi);
	return 0;
}

static int fsum(struct parser *p, struct tlist *out);

static int
fatom(struct parser *p, struct tlist *out)
{
	if (is_op(p, '(')) {
		if (enter(p, p->pos) < 0 || next(p) < 0 || fsum(p, out) < 0)
			return -1;
		p->depth--;
		return expect(p, ')');
	}
	if (p->tok == T_NUM && (p->num == 0 || p->num == 1)) {
		if (p->num == 1)
			tl_add(out, 0);
		else
			p->no_intercept = 1;
		return next(p);
	}
	if (p->tok == T_NAME)
		return fvar(p, out);
	return unexpected(p);
}

static int
fcolon(struct parser *p, struct tlist *out)
{
	if (fatom(p, out) < 0)
		return -1;
	while (is_op(p, ':')) {
		struct tlist r = { NULL, 0 }, o;
		size_t at = p->pos;
		if (next(p) < 0 || fatom(p, &r) < 0) {
			free(r.t);
			return -1;
		}
		if (r.n > 0 && out->n > MAX_TERMS / r.n) {
			free(r.t);
			return perr(p, at, "more than %s terms", STR(MAX_TERMS));
		}
		o = tl_colon(out, &r);
		free(out->t);
		free(r.t);
		*out = o;
	}
	return 0;
}

static int
fprod(struct parser *p, struct tlist *out)
{
	if (fcolon(p, out) < 0)
		return -1;
	while (is_op(p, '*')) {
		struct tlist r = { NULL, 0 }, o;
		size_t at = p->pos;
		if (next(p) < 0 || fcolon(p, &r) < 0) {
			free(r.t);
			return -1;
		}
		/* a*b has |a| + |b| + |a||b| terms at most */
		if (out->n + 1 > (MAX_TERMS + 1) / (r.n + 1)) {
			free(r.t);
			return perr(p, at, "more than %s terms", STR(MAX_TERMS));
		}
		o = tl_colon(out, &r);
		tl_cat(out, &r);
		tl_cat(out, &o);
		free(o.t);
		free(r.t);
	}
	return 0;
}

static int
fsum(struct parser *p, struct tlist *out)
{
	int minus = 0;

	if (is_op(p, '-')) {
		minus = 1;
		if (next(p) < 0)
			return -1;
	}
	for (;;) {
		struct tlist r = { NULL, 0 };
		size_t at = p->pos;
		if (fprod(p, &r) < 0) {
			free(r.t);
			return -1;
		}
		if (minus) {
			size_t i, j, k;
			for (j = 0; j < r.n; j++) {
				if (r.t[j] == 0)
					p->no_intercept = 1;
				for (i = k = 0; i < out->n; i++)
					if (out->t[i] != r.t[j])
						out->t[k++] = out->t[i];
				out->n = k;
			}
		} else {
			tl_cat(out, &r);
		}
		free(r.t);
		if (out->n > MAX_TERMS)
			return perr(p, at, "more than %s terms", STR(MAX_TERMS));
		if (!is_op(p, '+') && !is_op(p, '-'))
			return 0;
		minus = p->op == '-';
		if (next(p) < 0)
			return -1;
	}
}

static int
popcount64(uint64_t x)
{
	int n = 0;

	for (; x; x &= x - 1)
		n++;
	return n;
}

static char *
term_label(const struct formula *f, uint64_t t)
{
	struct sbuf b = { 0 };
	size_t i;

	for (i = 0; i < f->nvars; i++)
		if (t & ((uint64_t)1 << i)) {
			if (b.n)
				sb_put(&b, ":");
			sb_put(&b, f->vars[i].label);
		}
	return sb_take(&b);
}

struct formula *
formula_parse(const char *text, struct diag *d)
{
	struct formula *f = xrealloc(NULL, sizeof *f);
	struct parser p;
	struct tlist terms = { NULL, 0 };
	size_t i, k;
	int r, ord, maxord;

	memset(f, 0, sizeof *f);
	memset(&p, 0, sizeof p);
	f->text = xstrndup(text, strlen(text));
	p.f = f;
	p.s = f->text;
	p.d = d;
	if (next(&p) < 0)
		goto fail;
	/* The response: a column, or log(column). */
	if (p.tok == T_NAME && p.s[p.pos] != '`' && strcmp(p.name, "log") == 0 &&
	    p.s[p.end] == '(') {
		if (next(&p) < 0 || next(&p) < 0)
			goto fail;
		if (p.tok != T_NAME) {
			unexpected(&p);
			goto fail;
		}
		f->resp_log = 1;
		f->resp_col = add_col(f, p.name, strlen(p.name));
		if (next(&p) < 0 || expect(&p, ')') < 0)
			goto fail;
	} else if (p.tok == T_NAME) {
		size_t at = p.pos;
		f->resp_col = add_col(f, p.name, strlen(p.name));
		if (next(&p) < 0)
			goto fail;
		if (!is_op(&p, '~')) {
			if (is_op(&p, '('))
				perr(&p, at, "the response must be a column or log(column)%s", "");
			else
				unexpected(&p);
			goto fail;
		}
	} else {
		if (is_op(&p, '~'))
			perr(&p, p.pos, "missing response before \"~\"%s", "");
		else
			unexpected(&p);
		goto fail;
	}
	f->cols[f->resp_col].numeric = 1;
	if (expect(&p, '~') < 0)
		goto fail;
	r = fsum(&p, &terms);
	if (r < 0)
		goto fail;
	if (p.tok != T_EOF) {
		unexpected(&p);
		goto fail;
	}
	f->intercept = !p.no_intercept;
	/* R's order: by order of interaction, stably; the empty term is the intercept. */
	f->terms = xrealloc(NULL, (terms.n + 1) * sizeof *f->terms);
	maxord = 0;
	for (i = 0; i < terms.n; i++)
		if (popcount64(terms.t[i]) > maxord)
			maxord = popcount64(terms.t[i]);
	for (ord = 1; ord <= maxord; ord++)
		for (i = 0; i < terms.n; i++)
			if (popcount64(terms.t[i]) == ord)
				f->terms[f->nterms++] = terms.t[i];
	free(terms.t);
	f->term_labels = xrealloc(NULL, (f->nterms + 1) * sizeof *f->term_labels);
	for (k = 0; k < f->nterms; k++)
		f->term_labels[k] = term_label(f, f->terms[k]);
	/* work: 2 per variable, then each basis's values and derivatives, the
	 * basis scratch (a spline has at most ncol + 3 B-splines), the kinks' values */
	{
		size_t off = 2 * f->nvars + 2, maxnb = 0;
		for (i = 0; i < f->nvars; i++) {
			struct var *v = &f->vars[i];
			if (!is_basis(v))
				continue;
			v->woff = off;
			off += 2 * (size_t)v->ncol;
			if ((size_t)v->ncol + 3 > maxnb)
				maxnb = (size_t)v->ncol + 3;
		}
		f->scratch = off;
		off += maxnb ? 2 * (maxnb + 1) : 0;
		f->kink_val = off;
		f->work_size = off + f->ncols;
	}
	free(p.name);
	return f;
fail:
	free(p.name);
	free(terms.t);
	formula_free(f);
	return NULL;
}

void
formula_free(struct formula *f)
{
	size_t i, k;

	if (f == NULL)
		return;
	free(f->text);
	free(f->nodes);
	free(f->direct);
	for (i = 0; i < f->ncols; i++) {
		free(f->cols[i].name);
		for (k = 0; k < f->cols[i].nlevels; k++)
			free(f->cols[i].levels[k]);
		free(f->cols[i].levels);
		free(f->cols[i].by_bytes);
	}
	free(f->cols);
	for (i = 0; i < f->nvars; i++)
		var_free(&f->vars[i]);
	for (i = 0; i < f->nterms; i++)
		free(f->term_labels[i]);
	free(f->term_labels);
	free(f->terms);
	for (i = 0; i < f->ndc; i++)
		free(f->dc[i].name);
	free(f->dc);
	free(f->cvar);
	free(f->ccomp);
	free(f);
}

const char *formula_text(const struct formula *f) { return f->text; }
size_t formula_ncols(const struct formula *f) { return f->ncols; }
const char *formula_col(const struct formula *f, size_t i) { return f->cols[i].name; }
int formula_col_numeric(const struct formula *f, size_t i) { return f->cols[i].numeric; }
int formula_col_forced(const struct formula *f, size_t i) { return f->cols[i].forced; }
size_t formula_response_col(const struct formula *f) { return f->resp_col; }
int formula_response_log(const struct formula *f) { return f->resp_log; }
int formula_col_categorical(const struct formula *f, size_t i) { return f->cols[i].categorical; }
size_t formula_nlevels(const struct formula *f, size_t i) { return f->cols[i].nlevels; }
const char *formula_level(const struct formula *f, size_t i, size_t k) { return f->cols[i].levels[k]; }
size_t formula_ncoef(const struct formula *f) { return f->ndc; }
const char *formula_coef_name(const struct formula *f, size_t j) { return f->dc[j].name; }
size_t formula_nterms(const struct formula *f) { return f->nterms; }
const char *formula_term_label(const struct formula *f, size_t t) { return f->term_labels[t]; }
long formula_intercept_index(const struct formula *f) { return f->intercept ? 0 : -1; }
size_t formula_work_size(const struct formula *f) { return f->work_size; }

long
formula_col_index(const struct formula *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->ncols; i++)
		if (strcmp(f->cols[i].name, name) == 0)
			return (long)i;
	return -1;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct lvl_ref {
	const char *s;
	size_t i;
};

static int
cmp_ref(const void *a, const void *b)
{
	return strcmp(((const struct lvl_ref *)a)->s, ((const struct lvl_ref *)b)->s);
}

/* Levels that all read as numbers: numeric order, equal values (1 and 1.0) by their text. */
static int
cmp_num(const void *a, const void *b)
{
	const char *s = *(char *const *)a, *t = *(char *const *)b;
	double x, y;

	num_parse(s, strlen(s), &x, 0);
	num_parse(t, strlen(t), &y, 0);
	return x < y ? -1 : x > y ? 1 : strcmp(s, t);
}

int
formula_set_levels(struct formula *f, size_t i, char *const *levels, size_t n, struct diag *d)
{
	struct fcol *c = &f->cols[i];
	size_t k;

	if (c->numeric)
		return diag_set(d, NULL, 0, c->name, NULL, 0,
		    "text in a column the formula uses as a number");
	for (k = 0; k < c->nlevels; k++)
		free(c->levels[k]);
	free(c->levels);
	c->levels = xrealloc(NULL, (n + 1) * sizeof *c->levels);
	for (k = 0; k < n; k++)
		c->levels[k] = xstrndup(levels[k], strlen(levels[k]));
	/* R's factor(): the levels of numbers in numeric order (4, 6, 10), of text in byte order */
	for (k = 0; k < n; k++) {
		double x;
		if (num_parse(c->levels[k], strlen(c->levels[k]), &x, 0) != NUM_OK)
			break;
	}
	qsort(c->levels, n, sizeof *c->levels, k == n ? cmp_num : cmp_str);
	{
		struct lvl_ref *r = xrealloc(NULL, (n + 1) * sizeof *r);
		free(c->by_bytes);
		c->by_bytes = xrealloc(NULL, (n + 1) * sizeof *c->by_bytes);
		for (k = 0; k < n; k++) {
			r[k].s = c->levels[k];
			r[k].i = k;
		}
		qsort(r, n, sizeof *r, cmp_ref);
		for (k = 0; k < n; k++)
			c->by_bytes[k] = r[k].i;
		free(r);
	}
	c->nlevels = n;
	c->categorical = 1;
	for (k = 1; k < n; k++)
		if (strcmp(c->levels[k - 1], c->levels[k]) == 0)
			return diag_set(d, NULL, 0, c->name, c->levels[k], strlen(c->levels[k]),
			    "level given twice");
	if (n == 0)
		return diag_set(d, NULL, 0, c->name, NULL, 0,
		    "a categorical column needs at least two levels, it has none");
	if (n < 2)
		return diag_set(d, NULL, 0, c->name, c->levels[0], strlen(c->levels[0]),
		    "a categorical column needs at least two levels, it has one");
	for (k = 0; k < f->nvars; k++)
		if (f->vars[k].kind == V_CAT && f->vars[k].col == i && f->vars[k].ref != NULL &&
		    formula_level_index(f, i, f->vars[k].ref, strlen(f->vars[k].ref)) < 0)
			return diag_set(d, NULL, 0, c->name, f->vars[k].ref, strlen(f->vars[k].ref),
			    "formula: C(): no such level");
	return 0;
}

long
formula_level_index(const struct formula *f, size_t i, const char *text, size_t len)
{
	const struct fcol *c = &f->cols[i];
	size_t lo = 0, hi = c->nlevels;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *l = c->levels[c->by_bytes[mid]];
		size_t ll = strlen(l);
		int r = memcmp(l, text, ll < len ? ll : len);
		if (r == 0)
			r = ll < len ? -1 : ll > len ? 1 : 0;
		if (r == 0)
			return (long)c->by_bytes[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int
var_categorical(const struct formula *f, size_t v)
{
	const struct var *x = &f->vars[v];

	return x->kind == V_LOGIC || ((x->kind == V_BARE || x->kind == V_CAT) &&
	    f->cols[x->col].categorical);
}

/* Levels of categorical variable v: a logical one has FALSE and TRUE, as in R. */
static size_t
var_nlevels(const struct formula *f, size_t v)
{
	return f->vars[v].kind == V_LOGIC ? 2 : f->cols[f->vars[v].col].nlevels;
}

static const char *
var_level(const struct formula *f, size_t v, size_t k)
{
	if (f->vars[v].kind == V_LOGIC)
		return k ? "TRUE" : "FALSE";
	return f->cols[f->vars[v].col].levels[k];
}

static void
add_comp(struct formula *f, size_t var, long comp)
{
	if (f->ncomp == f->capcomp) {
		f->capcomp = f->capcomp ? 2 * f->capcomp : 64;
		f->cvar = xrealloc(f->cvar, f->capcomp * sizeof *f->cvar);
		f->ccomp = xrealloc(f->ccomp, f->capcomp * sizeof *f->ccomp);
	}
	f->cvar[f->ncomp] = var;
	f->ccomp[f->ncomp] = comp;
	f->ncomp++;
}

static void
add_dcol(struct formula *f, size_t term, size_t first, size_t nf)
{
	struct sbuf b = { 0 };
	size_t k;

	/* geometric growth: one realloc per column copied the whole array
	 * each time under ASan (200,000 levels: over 30 s) */
	if (f->ndc == f->capdc) {
		f->capdc = f->capdc ? 2 * f->capdc : 16;
		f->dc = xrealloc(f->dc, f->capdc * sizeof *f->dc);
	}
	f->dc[f->ndc].first = first;
	f->dc[f->ndc].nf = nf;
	f->dc[f->ndc].term = term;
	if (nf == 0)
		sb_put(&b, "(Intercept)");
	for (k = first; k < first + nf; k++) {
		const struct var *v = &f->vars[f->cvar[k]];
		if (k > first)
			sb_put(&b, ":");
		sb_put(&b, v->prefix);
		if (v->ncol > 0) {
			char n[16];
			snprintf(n, sizeof n, "%ld", f->ccomp[k]);
			sb_put(&b, n);
		} else if (var_categorical(f, f->cvar[k])) {
			sb_put(&b, var_level(f, f->cvar[k], (size_t)f->ccomp[k]));
		}
	}
	f->dc[f->ndc].name = sb_take(&b);
	f->ndc++;
}

/*
 * Term t's variables (vars[nv], returned), the columns each contributes
 * (ncomp) and whether a categorical one is coded by all its levels (full):
 * R's TermCode, contrasts when the term without the variable is empty or
 * contained in an earlier term; without an intercept the first categorical
 * variable gets all its levels (*first_full_done tracks it).
 */
static size_t
term_shape(const struct formula *f, size_t t, int *first_full_done, size_t *vars, long *ncomp,
    int *full)
{
	uint64_t term = f->terms[t];
	size_t v, k, nv = 0;

	for (v = 0; v < f->nvars; v++) {
		if (!(term & ((uint64_t)1 << v)))
			continue;
		full[nv] = 0;
		if (var_categorical(f, v)) {
			uint64_t rest = term & ~((uint64_t)1 << v);
			int found = rest == 0;
			for (k = 0; k < t && !found; k++)
				if ((rest & ~f->terms[k]) == 0)
					found = 1;
			full[nv] = !found;
			if (!*first_full_done) {
				full[nv] = 1;
				*first_full_done = 1;
			}
			ncomp[nv] = (long)var_nlevels(f, v) - (full[nv] ? 0 : 1);
		} else {
			ncomp[nv] = f->vars[v].ncol > 0 ? f->vars[v].ncol : 1;
		}
		vars[nv++] = v;
	}
	return nv;
}

/*
 * f->direct when every design column is the intercept or a bare numeric
 * column, so that a row's design is a copy of its values (the product of
 * one factor, 1 * a, is a); else NULL.
 */
static void
set_direct(struct formula *f)
{
	free(f->direct);
	f->direct = xrealloc(NULL, (f->ndc ? f->ndc : 1) * sizeof *f->direct);
	for (size_t j = 0; j < f->ndc; j++) {
		const struct var *x = f->dc[j].nf == 1 ? &f->vars[f->cvar[f->dc[j].first]] : NULL;
		if (f->dc[j].nf == 0) {
			f->direct[j] = -1;
		} else if (x != NULL && x->kind == V_BARE && !x->is_cat) {
			f->direct[j] = (long)x->col;
		} else {
			free(f->direct);
			f->direct = NULL;
			return;
		}
	}
}

int
formula_build(struct formula *f, struct diag *d)
{
	size_t t, v, k;
	int first_full_done = f->intercept;

	for (v = 0; v < f->nvars; v++) {
		struct var *x = &f->vars[v];
		if (is_basis(x) && !x->learned)
			return diag_set(d, NULL, 0, NULL, x->label, strlen(x->label),
			    "formula: %s from the training data were not given",
			    x->kind == V_POLY ? "the polynomial's coefficients" : "the knots");
		if (x->kind == V_CAT && !f->cols[x->col].categorical)
			return diag_set(d, NULL, 0, f->cols[x->col].name, NULL, 0,
			    "formula: C() of a column with no levels");
		x->is_cat = var_categorical(f, v);
		if (x->is_cat)
			x->ref_index = x->ref ? formula_level_index(f, x->col, x->ref, strlen(x->ref)) : 0;
	}
	/*
	 * Count the columns first (pr-train(1), Formulas: at most
	 * FORMULA_MAX_COEF): three crossed factors of 1,000 levels ask for a
	 * billion columns, and a model file may say so in 24 KB.
	 */
	{
		int fd = f->intercept;
		double total = f->intercept;
		for (t = 0; t < f->nterms; t++) {
			size_t vars[MAX_VARS], nv;
			long ncomp[MAX_VARS];
			int full[MAX_VARS];
			double ncomb = 1;
			nv = term_shape(f, t, &fd, vars, ncomp, full);
			for (k = 0; k < nv; k++)
				ncomb *= (double)ncomp[k];
			total += ncomb;
		}
		if (total > FORMULA_MAX_COEF) {
			char n[32];
			snprintf(n, sizeof n, total < 1e15 ? "%.0f" : "%.3g", total);
			return diag_set(d, NULL, 0, NULL, NULL, 0,
			    "formula: the terms make %s design columns, more than %d", n, FORMULA_MAX_COEF);
		}
	}
	if (f->intercept) {
		add_dcol(f, (size_t)-1, f->ncomp, 0);
	}
	for (t = 0; t < f->nterms; t++) {
		size_t vars[MAX_VARS], nv, ncomb = 1, c;
		long ncomp[MAX_VARS];
		int full[MAX_VARS];

		nv = term_shape(f, t, &first_full_done, vars, ncomp, full);
		for (k = 0; k < nv; k++)
			ncomb *= (size_t)ncomp[k];
		if (ncomb == 0)
			return diag_set(d, NULL, 0, NULL, f->term_labels[t], strlen(f->term_labels[t]),
			    "formula: term has no columns");
		/* Combinations, the first variable varying fastest. */
		for (c = 0; c < ncomb; c++) {
			size_t rem = c, first = f->ncomp;
			for (k = 0; k < nv; k++) {
				long i = (long)(rem % (size_t)ncomp[k]);
				const struct var *x = &f->vars[vars[k]];
				rem /= (size_t)ncomp[k];
				if (var_categorical(f, vars[k])) {
					/* Levels in R's relevel() order: the reference
					 * first, then the others sorted.  Treatment
					 * contrasts drop the reference. */
					if (!full[k])
						i = i >= x->ref_index ? i + 1 : i;
					else
						i = i == 0 ? x->ref_index : i - 1 >= x->ref_index ? i : i - 1;
				} else if (x->ncol > 0) {
					i++;   /* basis columns are numbered from 1 */
				}
				add_comp(f, vars[k], i);
			}
			add_dcol(f, t, first, nv);
		}
	}
	set_direct(f);
	f->built = 1;
	return 0;
}

/* Does variable v mention column i? */
static int
var_uses(const struct formula *f, size_t v, size_t i)
{
	const struct var *x_ = &f->vars[v];
	/* depth-first: the tree is at most MAX_DEPTH deep (mknode) */
	int stack[3 * MAX_DEPTH + 3], sp = 0;

	if (x_->kind == V_BARE || x_->kind == V_CAT)
		return x_->col == i;
	stack[sp++] = x_->root;
	while (sp > 0) {
		const struct node *n = &f->nodes[stack[--sp]];
		if (n->kind == N_COL && n->col == i)
			return 1;
		if (n->a >= 0 && n->kind != N_NUM && n->kind != N_COL) {
			stack[sp++] = n->a;
			if (n->b >= 0)
				stack[sp++] = n->b;
			if (n->c >= 0)
				stack[sp++] = n->c;
		}
	}
	return 0;
}

int
formula_coef_uses(const struct formula *f, size_t j, size_t i)
{
	size_t k;

	for (k = f->dc[j].first; k < f->dc[j].first + f->dc[j].nf; k++)
		if (var_uses(f, f->cvar[k], i))
			return 1;
	return 0;
}

/*
 * Whether node i (a condition: nonzero is true) holds just above the
 * current value of column dcol: its value where it does not sit on a
 * switch point, else decided by the derivatives (a > b at a == b holds
 * just above when da > db).  The derivative of ifelse() at a switch is the
 * derivative of the branch that holds just above: the right-hand
 * derivative, as everywhere else at a kink.
 */
static int eval_right(const struct formula *f, int i, const double *val, long dcol);

static void eval_node(const struct formula *f, int i, const double *val, long dcol, double *v,
    double *dv);

static int
compare(enum node_kind k, double a, double b)
{
	switch (k) {
	case N_LT: return a < b;
	case N_LE: return a <= b;
	case N_GT: return a > b;
	case N_GE: return a >= b;
	case N_EQ: return a == b;
	default: return a != b;
	}
}

static int
eval_right(const struct formula *f, int i, const double *val, long dcol)
{
	const struct node *n = &f->nodes[i];
	double a, da, b, db;

	switch (n->kind) {
	case N_PAREN: case N_ID:
		return eval_right(f, n->a, val, dcol);
	case N_NOT:
		return !eval_right(f, n->a, val, dcol);
	case N_AND:
		return eval_right(f, n->a, val, dcol) && eval_right(f, n->b, val, dcol);
	case N_OR:
		return eval_right(f, n->a, val, dcol) || eval_right(f, n->b, val, dcol);
	case N_LT: case N_LE: case N_GT: case N_GE: case N_EQ: case N_NE:
		eval_node(f, n->a, val, dcol, &a, &da);
		eval_node(f, n->b, val, dcol, &b, &db);
		if (a != b || da == db)
			return compare(n->kind, a, b);
		/* on the switch point: just above, a - b has the sign of da - db */
		return compare(n->kind, da, db);
	default:
		eval_node(f, i, val, dcol, &a, &da);
		return a != 0 || da != 0;
	}
}

/*
 * Forward-mode evaluation: value and derivative w.r.t. column dcol.  At a
 * kink (pmax and pmin where both sides are equal, abs at 0) the
 * derivative is the right-hand one, the slope as the price rises;
 * comparisons are steps, with derivative 0.
 */
static void
eval_node(const struct formula *f, int i, const double *val, long dcol, double *v, double *dv)
{
	const struct node *n = &f->nodes[i];
	double a, da, b, db;

	switch (n->kind) {
	case N_NUM:
		*v = n->num;
		*dv = 0;
		return;
	case N_COL:
		*v = val[n->col];
		*dv = (long)n->col == dcol ? 1 : 0;
		return;
	case N_PAREN: case N_ID:
		eval_node(f, n->a, val, dcol, v, dv);
		return;
	case N_NEG:
		eval_node(f, n->a, val, dcol, &a, &da);
		*v = -a;
		*dv = -da;
		return;
	case N_LOG:
		eval_node(f, n->a, val, dcol, &a, &da);
		*v = log(a);
		*dv = da == 0 ? 0 : da / a;
		return;
	case N_EXP:
		eval_node(f, n->a, val, dcol, &a, &da);
		*v = exp(a);
		*dv = da == 0 ? 0 : *v * da;
		return;
	case N_SQRT:
		eval_node(f, n->a, val, dcol, &a, &da);
		*v = sqrt(a);
		*dv = da == 0 ? 0 : da / (2 * *v);
		return;
	case N_LOG1P:
		eval_node(f, n->a, val, dcol, &a, &da);
		*v = log1p(a);
		*dv = da == 0 ? 0 : da / (1 + a);
		return;
	case N_LOG10:
		eval_node(f, n->a, val, dcol, &a, &da);
		*v = log10(a);
		*dv = da == 0 ? 0 : da / (a * LN10);
		return;
	case N_LOG2:
		eval_node(f, n->a, val, dcol, &a, &da);
		*v = log2(a);
		*dv = da == 0 ? 0 : da / (a * LN2);
		return;
	case N_ABS:
		eval_node(f, n->a, val, dcol, &a, &da);
		*v = fabs(a);
		*dv = a > 0 ? da : a < 0 ? -da : fabs(da);
		return;
	case N_NOT:
		eval_node(f, n->a, val, dcol, &a, &da);
		*v = isnan(a) ? NAN : a == 0;
		*dv = 0;
		return;
	case N_IFELSE: {
		double c, dc;
		eval_node(f, n->a, val, dcol, &c, &dc);
		if (isnan(c)) {
			*v = *dv = NAN;
			return;
		}
		eval_node(f, c != 0 ? n->b : n->c, val, dcol, v, dv);
		if (dcol >= 0 && eval_right(f, n->a, val, dcol) != (c != 0))
			eval_node(f, c != 0 ? n->c : n->b, val, dcol, &a, dv);
		return;
	}
	default:
		break;
	}
	eval_node(f, n->a, val, dcol, &a, &da);
	eval_node(f, n->b, val, dcol, &b, &db);
	switch (n->kind) {
	case N_ADD:
		*v = a + b;
		*dv = da + db;
		break;
	case N_SUB:
		*v = a - b;
		*dv = da - db;
		break;
	case N_MUL:
		*v = a * b;
		*dv = da * b + a * db;
		break;
	case N_DIV:
		*v = a / b;
		*dv = db == 0 ? da / b : (da * b - a * db) / (b * b);
		break;
	case N_POW:
		/* R computes x^2 as x*x (R_POW); keep the same rounding. */
		*v = b == 2 ? a * a : pow(a, b);
		*dv = 0;
		if (da != 0)
			*dv += b == 2 ? 2 * a * da : b * pow(a, b - 1) * da;
		if (db != 0)
			*dv += *v * log(a) * db;
		break;
	case N_LOGB:
		/* R's log(x, base): log10 and log2 for those bases, else log(x)/log(base) */
		*v = b == 10 ? log10(a) : b == 2 ? log2(a) : log(a) / log(b);
		*dv = 0;
		if (da != 0)
			*dv += da / (a * log(b));
		if (db != 0)
			*dv -= *v * db / (b * log(b));
		break;
	case N_PMAX:
		/* R's pmax: NaN when either side is */
		*v = isnan(a) || isnan(b) ? NAN : a >= b ? a : b;
		*dv = a > b ? da : a < b ? db : da > db ? da : db;
		break;
	case N_PMIN:
		*v = isnan(a) || isnan(b) ? NAN : a <= b ? a : b;
		*dv = a < b ? da : a > b ? db : da < db ? da : db;
		break;
	case N_AND:
		*v = isnan(a) || isnan(b) ? NAN : a != 0 && b != 0;
		*dv = 0;
		break;
	case N_OR:
		*v = isnan(a) || isnan(b) ? NAN : a != 0 || b != 0;
		*dv = 0;
		break;
	case N_LT: case N_LE: case N_GT: case N_GE: case N_EQ: case N_NE:
		*v = isnan(a) || isnan(b) ? NAN : compare(n->kind, a, b);
		*dv = 0;
		break;
	default:
		*v = NAN;
		*dv = NAN;
	}
}

/* Variable v's value and derivative into work[2v], work[2v + 1]. */
static void
eval_var(const struct formula *f, size_t v, const double *val, long dcol, double *work)
{
	const struct var *x_ = &f->vars[v];

	if (x_->kind != V_BARE && x_->kind != V_CAT) {
		eval_node(f, x_->root, val, dcol, &work[2 * v], &work[2 * v + 1]);
		if (is_basis(x_))
			basis_eval(x_, work[2 * v], work[2 * v + 1], work + x_->woff,
			    work + x_->woff + x_->ncol, work + f->scratch);
	} else {
		work[2 * v] = val[x_->col];
		work[2 * v + 1] = !x_->is_cat && (long)x_->col == dcol ? 1 : 0;
	}
}

/* Design column j from the variables' values in work. */
static void
eval_coef(const struct formula *f, size_t j, const double *work, double *x, double *dx)
{
	double p = 1, dp = 0;
	size_t k;

	for (k = f->dc[j].first; k < f->dc[j].first + f->dc[j].nf; k++) {
		size_t vi = f->cvar[k];
		double a = work[2 * vi], da = work[2 * vi + 1];
		const struct var *x_ = &f->vars[vi];
		if (x_->is_cat) {
			/* a logical of NaN (a comparison of log(-1)) is NaN, for the caller to test */
			a = isnan(a) ? a : a == (double)f->ccomp[k] ? 1 : 0;
			da = 0;
		} else if (is_basis(x_)) {
			a = work[x_->woff + (size_t)f->ccomp[k] - 1];
			da = work[x_->woff + (size_t)x_->ncol + (size_t)f->ccomp[k] - 1];
		} else if (x_->kind == V_POLY && f->ccomp[k] > 1) {
			long e = f->ccomp[k];
			double pa = e == 2 ? a * a : pow(a, (double)e);
			da = da == 0 ? 0 : (double)e * (e == 2 ? a : pow(a, (double)(e - 1))) * da;
			a = pa;
		}
		dp = dp * a + p * da;
		p *= a;
	}
	x[j] = p;
	if (dx != NULL)
		dx[j] = dp;
}

void
formula_eval(const struct formula *f, const double *val, long dcol, double *x, double *dx,
    double *work)
{
	size_t v, j;

	if (dx == NULL && f->direct != NULL) {
		for (j = 0; j < f->ndc; j++)
			x[j] = f->direct[j] < 0 ? 1 : val[f->direct[j]];
		return;
	}
	for (v = 0; v < f->nvars; v++)
		eval_var(f, v, val, dcol, work);
	for (j = 0; j < f->ndc; j++)
		eval_coef(f, j, work, x, dx);
}

struct formula_subset {
	size_t *vars, nvars;   /* variables that mention the column */
	size_t *coefs, ncoef;  /* design columns with such a variable */
};

struct formula_subset *
formula_subset_new(const struct formula *f, size_t col)
{
	struct formula_subset *s = calloc(1, sizeof *s);
	unsigned char *uses;
	size_t v, j, k;

	if (s == NULL)
		return NULL;
	s->vars = calloc(f->nvars + 1, sizeof *s->vars);
	s->coefs = calloc(f->ndc + 1, sizeof *s->coefs);
	uses = calloc(f->nvars + 1, 1);
	if (s->vars == NULL || s->coefs == NULL || uses == NULL) {
		free(uses);
		formula_subset_free(s);
		return NULL;
	}
	for (v = 0; v < f->nvars; v++)
		if ((uses[v] = (unsigned char)var_uses(f, v, col)) != 0)
			s->vars[s->nvars++] = v;
	for (j = 0; j < f->ndc; j++) {
		for (k = f->dc[j].first; k < f->dc[j].first + f->dc[j].nf && !uses[f->cvar[k]]; k++)
			;
		if (k < f->dc[j].first + f->dc[j].nf)
			s->coefs[s->ncoef++] = j;
	}
	free(uses);
	return s;
}

void
formula_subset_free(struct formula_subset *s)
{
	if (s == NULL)
		return;
	free(s->vars);
	free(s->coefs);
	free(s);
}

void
formula_eval_subset(const struct formula *f, const struct formula_subset *s, const double *val,
    long dcol, double *x, double *dx, double *work)
{
	size_t k;

	for (k = 0; k < s->nvars; k++)
		eval_var(f, s->vars[k], val, dcol, work);
	for (k = 0; k < s->ncoef; k++)
		eval_coef(f, s->coefs[k], work, x, dx);
}

double
formula_eval_response(const struct formula *f, const double *val)
{
	double y = val[f->resp_col];

	return f->resp_log ? log(y) : y;
}

int
formula_check_row(const struct formula *f, const double *val, double *work, const char **label)
{
	size_t v;
	double y = val[f->resp_col];

	if (!isfinite(y) || (f->resp_log && !(y > 0))) {
		*label = f->cols[f->resp_col].name;
		return -1;
	}
	for (v = 0; v < f->nvars; v++) {
		const struct var *x = &f->vars[v];
		if (x->kind == V_BARE || x->kind == V_CAT)
			continue;
		eval_node(f, x->root, val, -1, &work[0], &work[1]);
		if (!isfinite(work[0]) || (x->kind == V_POLY && x->raw &&
		    !isfinite(pow(work[0], x->degree)))) {
			*label = x->label;
			return -1;
		}
	}
	return 0;
}

/* ---- data-dependent parameters: learned from the training rows, stored as predvars ---- */

/* The variables whose parameters come from the data (not given in the formula). */
static int
from_data(const struct var *v)
{
	return is_basis(v) && !v->given;
}

/* R's mean(): the sum in long double, then one correction pass. */
static double
r_mean(const double *x, size_t n)
{
	long double s = 0, t = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += x[i];
	s /= (long double)n;
	if (isfinite((double)s)) {
		for (i = 0; i < n; i++)
			t += x[i] - s;
		s += t / (long double)n;
	}
	return (double)s;
}

static int
learn_poly(struct var *v, const double *x, const double *sorted, size_t n, struct diag *d)
{
	size_t i, distinct = n > 0;
	int k, deg = v->degree;
	double xbar, *p0, *p1, *xc;

	for (i = 1; i < n; i++)
		distinct += sorted[i] != sorted[i - 1];
	if ((size_t)deg >= distinct)
		return diag_set(d, NULL, 0, NULL, v->label, strlen(v->label),
		    "formula: the degree must be less than the number of distinct values (%zu)", distinct);
	/*
	 * The orthogonal polynomials on the data by the three-term
	 * (Stieltjes) recurrence that predict.poly evaluates, on the centred
	 * values as poly() centres them; alpha and norm2 as poly() stores them.
	 */
	xbar = r_mean(x, n);
	v->alpha = xrealloc(NULL, (size_t)deg * sizeof *v->alpha);
	v->norm2 = xrealloc(NULL, ((size_t)deg + 2) * sizeof *v->norm2);
	xc = xrealloc(NULL, n * sizeof *xc);
	p0 = xrealloc(NULL, n * sizeof *p0);
	p1 = xrealloc(NULL, n * sizeof *p1);
	for (i = 0; i < n; i++) {
		xc[i] = x[i] - xbar;
		p0[i] = 0;
		p1[i] = 1;
	}
	v->norm2[0] = 1;
	for (k = 0; k <= deg; k++) {
		/* p1 holds P_k, p0 P_(k-1) */
		long double s2 = 0, sx = 0;
		for (i = 0; i < n; i++) {
			s2 += (long double)p1[i] * p1[i];
			sx += (long double)xc[i] * p1[i] * p1[i];
		}
		v->norm2[k + 1] = (double)s2;
		if (k == deg)
			break;
		v->alpha[k] = (double)(sx / s2);
		for (i = 0; i < n; i++) {
			double next_p = (xc[i] - v->alpha[k]) * p1[i] - (v->norm2[k + 1] / v->norm2[k]) * p0[i];
			p0[i] = p1[i];
			p1[i] = next_p;
		}
		v->alpha[k] += xbar;
	}
	free(xc);
	free(p0);
	free(p1);
	v->learned = 1;
	return 0;
}

static int
learn_spline(struct var *v, const double *sorted, size_t n, struct diag *d)
{
	char a[NUM_BUFSZ], b[NUM_BUFSZ], kt[NUM_BUFSZ];
	size_t i, lo = 0, hi = n, nik;

	if (!v->bk_given) {
		v->bk[0] = sorted[0];
		v->bk[1] = sorted[n - 1];
		if (v->bk[0] == v->bk[1]) {
			num_format(v->bk[0], a);
			return diag_set(d, NULL, 0, NULL, v->label, strlen(v->label),
			    "formula: a spline needs at least two distinct values, the data have one (%s)", a);
		}
	} else {
		/* R: the knots from the values inside Boundary.knots */
		while (lo < n && sorted[lo] < v->bk[0])
			lo++;
		while (hi > lo && sorted[hi - 1] > v->bk[1])
			hi--;
	}
	num_format(v->bk[0], a);
	num_format(v->bk[1], b);
	if (v->knots_given) {
		for (i = 0; i < v->nknots; i++)
			if (v->knots[i] < v->bk[0] || v->knots[i] > v->bk[1]) {
				num_format(v->knots[i], kt);
				return diag_set(d, NULL, 0, NULL, v->label, strlen(v->label),
				    "formula: knot %s is outside the data (%s to %s)", kt, a, b);
			}
	} else {
		nik = (size_t)v->ncol - (v->kind == V_NS ? 1 : (size_t)v->degree) - (size_t)v->intercept;
		if (nik > 0 && hi == lo)
			return diag_set(d, NULL, 0, NULL, v->label, strlen(v->label),
			    "formula: no value inside Boundary.knots (%s to %s) to place knots at", a, b);
		v->knots = xrealloc(NULL, (nik ? nik : 1) * sizeof *v->knots);
		v->nknots = nik;
		/* R: quantile(x, seq.int(0, 1, length.out = nik + 2)[-c(1, nik + 2)]), type 7 */
		for (i = 0; i < nik; i++)
			v->knots[i] = stats_quantile7(sorted + lo, hi - lo, (double)(i + 1) * (1.0 / (double)(nik + 1)));
	}
	v->learned = 1;
	basis_prepare(v);
	return 0;
}

int
formula_learn(struct formula *f, const double *(*row)(const void *ctx, size_t r), const void *ctx,
    size_t n, struct diag *d)
{
	size_t v, r;
	double *x = NULL, *sorted = NULL;
	int rc = 0;

	for (v = 0; v < f->nvars && rc == 0; v++) {
		struct var *x_ = &f->vars[v];
		if (!from_data(x_))
			continue;
		if (n == 0)
			return diag_set(d, NULL, 0, NULL, x_->label, strlen(x_->label),
			    "formula: no rows to learn from");
		if (x == NULL) {
			x = xrealloc(NULL, n * sizeof *x);
			sorted = xrealloc(NULL, n * sizeof *sorted);
		}
		for (r = 0; r < n; r++) {
			double dv;
			eval_node(f, x_->root, row(ctx, r), -1, &x[r], &dv);
			sorted[r] = x[r];
		}
		qsort(sorted, n, sizeof *sorted, cmp_double);
		if (!x_->knots_given) {
			free(x_->knots);
			x_->knots = NULL;
			x_->nknots = 0;
		}
		free(x_->alpha);
		free(x_->norm2);
		x_->alpha = x_->norm2 = NULL;
		rc = x_->kind == V_POLY ? learn_poly(x_, x, sorted, n, d) : learn_spline(x_, sorted, n, d);
	}
	free(x);
	free(sorted);
	return rc;
}

size_t
formula_npredvars(const struct formula *f)
{
	size_t v, n = 0;

	for (v = 0; v < f->nvars; v++)
		n += from_data(&f->vars[v]);
	return n;
}

static void
sb_put_vec(struct sbuf *b, const double *x, size_t n)
{
	char buf[NUM_BUFSZ];
	size_t i;

	sb_put(b, "c(");
	for (i = 0; i < n; i++) {
		if (i)
			sb_put(b, ", ");
		num_format(x[i], buf);
		sb_put(b, buf);
	}
	sb_put(b, ")");
}

/* The k-th data-dependent variable. */
static struct var *
predvar(const struct formula *f, size_t k)
{
	size_t v;

	for (v = 0; v < f->nvars; v++)
		if (from_data(&f->vars[v]) && k-- == 0)
			return (struct var *)&f->vars[v];
	return NULL;
}

const char *
formula_predvar_label(const struct formula *f, size_t k)
{
	const struct var *v = predvar(f, k);

	return v != NULL ? v->label : NULL;
}

char *
formula_predvar(const struct formula *f, size_t k)
{
	const struct var *v = predvar(f, k);
	struct sbuf b = { 0 };
	char n[32];

	if (v == NULL || !v->learned)
		return NULL;
	sb_put(&b, v->kind == V_POLY ? "poly(" : v->kind == V_NS ? "ns(" : "bs(");
	deparse(f, v->root, &b);
	if (v->kind == V_POLY) {
		snprintf(n, sizeof n, ", %d, coefs = list(alpha = ", v->degree);
		sb_put(&b, n);
		sb_put_vec(&b, v->alpha, (size_t)v->degree);
		sb_put(&b, ", norm2 = ");
		sb_put_vec(&b, v->norm2, (size_t)v->degree + 2);
		sb_put(&b, "))");
		return sb_take(&b);
	}
	if (v->kind == V_BS) {
		snprintf(n, sizeof n, ", degree = %d", v->degree);
		sb_put(&b, n);
	}
	sb_put(&b, ", knots = ");
	sb_put_vec(&b, v->knots, v->nknots);
	sb_put(&b, ", Boundary.knots = ");
	sb_put_vec(&b, v->bk, 2);
	if (v->intercept)
		sb_put(&b, ", intercept = TRUE");
	sb_put(&b, ")");
	return sb_take(&b);
}

int
formula_set_predvars(struct formula *f, char *const *calls, size_t n, struct diag *d)
{
	size_t k;

	if (n != formula_npredvars(f))
		return diag_set(d, NULL, 0, NULL, NULL, 0,
		    "formula: %zu stored parameter sets (predvars) for %zu variables that need them",
		    n, formula_npredvars(f));
	for (k = 0; k < n; k++) {
		struct var *v = predvar(f, k), *w;
		struct sbuf text = { 0 }, e1 = { 0 }, e2 = { 0 };
		struct formula *g;
		int ok;
		sb_put(&text, "y ~ ");
		sb_put(&text, calls[k]);
		g = formula_parse(text.s, d);
		free(text.s);
		if (g == NULL)
			return -1;
		w = g->nvars == 1 ? &g->vars[0] : NULL;
		ok = w != NULL && w->kind == v->kind && w->learned && w->ncol == v->ncol &&
		    w->degree == v->degree && w->intercept == v->intercept && !w->raw;
		if (ok) {
			deparse(f, v->root, &e1);
			deparse(g, w->root, &e2);
			ok = strcmp(e1.s, e2.s) == 0;
		}
		free(e1.s);
		free(e2.s);
		if (!ok) {
			formula_free(g);
			return diag_set(d, NULL, 0, NULL, calls[k], strlen(calls[k]),
			    "formula: stored parameters (predvars) that do not fit %s", v->label);
		}
		/* take the parameters */
		free(v->knots);
		free(v->alpha);
		free(v->norm2);
		v->knots = w->knots;
		v->nknots = w->nknots;
		v->alpha = w->alpha;
		v->norm2 = w->norm2;
		w->knots = w->alpha = w->norm2 = NULL;
		v->bk[0] = w->bk[0];
		v->bk[1] = w->bk[1];
		v->learned = 1;
		basis_prepare(v);
		formula_free(g);
	}
	return 0;
}

int
formula_check_work(const struct formula *f, size_t nrows, struct diag *d)
{
	double p = (double)f->ndc, work = (double)nrows * p * p;

	if (work <= FORMULA_MAX_WORK || f->ndc <= FORMULA_FREE_COLUMNS)
		return 0;
	return diag_set(d, NULL, 0, NULL, NULL, 0,
	    "formula: %zu rows x %zu design columns is too much to fit (rows x columns^2 = %.3g, "
	    "at most %.0e)", nrows, f->ndc, work, FORMULA_MAX_WORK);
}

/* ---- kinks: where a price term bends or jumps ---- */

/* Does the expression under node i mention column col? */
static int
node_uses(const struct formula *f, int i, size_t col)
{
	int stack[3 * MAX_DEPTH + 3], sp = 0;

	stack[sp++] = i;
	while (sp > 0) {
		const struct node *n = &f->nodes[stack[--sp]];
		if (n->kind == N_COL && n->col == col)
			return 1;
		if (n->kind == N_NUM || n->kind == N_COL)
			continue;
		if (n->a >= 0)
			stack[sp++] = n->a;
		if (n->b >= 0)
			stack[sp++] = n->b;
		if (n->c >= 0)
			stack[sp++] = n->c;
	}
	return 0;
}

#define KINK_GRID 16         /* cells of the scan for sign changes */

/* One switching function g(p): node a minus node b (b < 0: minus knot). */
struct kink_fn {
	int a, b;
	double knot;
};

static double
kink_g(const struct formula *f, const struct kink_fn *k, double *val, size_t col, double p)
{
	double a, da, b = k->knot, db;

	val[col] = p;
	eval_node(f, k->a, val, -1, &a, &da);
	if (k->b >= 0)
		eval_node(f, k->b, val, -1, &b, &db);
	return a - b;
}

/* Add p to out (sorted, distinct, at most max kept); the count found so far. */
static size_t
kink_add(double *out, size_t n, size_t max, double p)
{
	size_t i, j;

	for (i = 0; i < n && i < max; i++)
		if (out[i] == p)
			return n;
	for (i = 0; i < n && i < max && out[i] < p; i++)
		;
	if (i < max) {
		for (j = (n < max ? n : max - 1); j > i; j--)
			out[j] = out[j - 1];
		out[i] = p;
	}
	return n + 1;
}

/*
 * The roots of g in [lo, hi]: a scan of KINK_GRID cells, then bisection of
 * every cell whose ends differ in sign down to neighbouring doubles; the
 * root is where g is 0 if it is at either, else the end nearer 0.  A
 * price where g is exactly 0 (log(price/ref) at price = ref) is found
 * exactly.
 */
static size_t
kink_roots(const struct formula *f, const struct kink_fn *k, double *val, size_t col, double lo,
    double hi, double *out, size_t n, size_t max)
{
	double x0 = lo, g0 = kink_g(f, k, val, col, lo);
	int c;

	if (g0 == 0)
		n = kink_add(out, n, max, lo);
	for (c = 1; c <= KINK_GRID; c++) {
		double x1 = c == KINK_GRID ? hi : lo + (hi - lo) * c / KINK_GRID;
		double g1 = kink_g(f, k, val, col, x1);
		if (g1 == 0) {
			n = kink_add(out, n, max, x1);
		} else if (isfinite(g0) && isfinite(g1) && g0 != 0 && (g0 < 0) != (g1 < 0)) {
			double a = x0, b = x1, ga = g0, gb = g1;
			for (;;) {
				double m = a + (b - a) / 2, gm;
				if (!(m > a && m < b))
					break;
				gm = kink_g(f, k, val, col, m);
				if (gm == 0) {
					a = b = m;
					ga = gb = 0;
					break;
				}
				if ((gm < 0) == (ga < 0)) {
					a = m;
					ga = gm;
				} else {
					b = m;
					gb = gm;
				}
			}
			n = kink_add(out, n, max, fabs(gb) <= fabs(ga) ? b : a);
		}
		x0 = x1;
		g0 = g1;
	}
	return n;
}

/* Collect the switching functions under node i that depend on column col. */
static size_t
kink_collect(const struct formula *f, int i, size_t col, struct kink_fn *fn, size_t nfn, size_t max)
{
	const struct node *n = &f->nodes[i];
	int stack[3 * MAX_DEPTH + 3], sp = 0;

	stack[sp++] = i;
	while (sp > 0) {
		int j = stack[--sp];
		n = &f->nodes[j];
		if (n->kind == N_NUM || n->kind == N_COL)
			continue;
		if (nfn < max && node_uses(f, j, col)) {
			if (n->kind == N_PMAX || n->kind == N_PMIN || (n->kind >= N_LT && n->kind <= N_NE)) {
				fn[nfn].a = n->a;
				fn[nfn].b = n->b;
				fn[nfn++].knot = 0;
			} else if (n->kind == N_ABS) {
				fn[nfn].a = n->a;
				fn[nfn].b = -1;
				fn[nfn++].knot = 0;
			} else if (n->kind == N_IFELSE && !node_logical(f->nodes[n->a].kind)) {
				/* ifelse(x, ...) switches where x crosses 0 */
				fn[nfn].a = n->a;
				fn[nfn].b = -1;
				fn[nfn++].knot = 0;
			}
		}
		if (n->a >= 0)
			stack[sp++] = n->a;
		if (n->b >= 0)
			stack[sp++] = n->b;
		if (n->c >= 0)
			stack[sp++] = n->c;
	}
	return nfn;
}

#define MAX_KINK_FNS 256

size_t
formula_price_kinks(const struct formula *f, const double *val, size_t col, double lo, double hi,
    double *out, size_t max, double *work)
{
	struct kink_fn fn[MAX_KINK_FNS];
	size_t v, nfn = 0, n = 0, k;
	double *vals = work + f->kink_val;

	if (!(lo <= hi) || !isfinite(lo) || !isfinite(hi))
		return 0;
	for (v = 0; v < f->nvars; v++) {
		const struct var *x = &f->vars[v];
		if (x->kind == V_BARE || x->kind == V_CAT || !var_uses(f, v, col))
			continue;
		nfn = kink_collect(f, x->root, col, fn, nfn, MAX_KINK_FNS);
		if ((x->kind == V_NS || x->kind == V_BS) && x->t != NULL)
			/* the knots (interior and boundary) of a spline of the price */
			for (k = 0; k < x->nt && nfn < MAX_KINK_FNS; k++)
				if (k == 0 || x->t[k] != x->t[k - 1]) {
					fn[nfn].a = x->root;
					fn[nfn].b = -1;
					fn[nfn++].knot = x->t[k];
				}
	}
	memcpy(vals, val, f->ncols * sizeof *vals);
	for (k = 0; k < nfn; k++)
		n = kink_roots(f, &fn[k], vals, col, lo, hi, out, n, max);
	return n;
}
