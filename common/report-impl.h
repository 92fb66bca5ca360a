/*
 * report-impl.h - the insides of struct report, shared by report.c (which
 * fills it row by row) and report-build.c (which turns it into a
 * document).  Not for other files: they use report.h.
 */
#ifndef PR_REPORT_IMPL_H
#define PR_REPORT_IMPL_H

#include "report.h"
#include "xsum.h"

/*
 * Figures summed over rows: today's (base) and the chosen (exp) ones; the
 * prices (today's, the chosen shelf price, the price paid: the chosen one
 * without offers); the relative change, and its rises and cuts apart; the
 * paid price index (paid / today's); the lift of the rows whose chosen price
 * earns less than today's (the loss).
 */
enum { S_BD, S_BR, S_BP, S_ED, S_ER, S_EP, S_PRICE, S_OPT, S_PAID, S_CHG, S_UP, S_DOWN,
	S_IDX, S_LOSS, NSUM };

struct sums {
	unsigned long long n, n_flagged;
	unsigned long long n_up, n_down;   /* prices raised, lowered */
	unsigned long long n_losing;       /* chosen price earns less than today's */
	unsigned long long n_bound;        /* a bound rule decided the price */
	struct xsum x[NSUM];        /* exact sums, so shards merge bit for bit (xsum.h) */
	double shadow;              /* largest shadow price seen (NaN: none) */
};

struct elast;   /* a group's sums for its price elasticity (report-elast.c) */

/* One group, rule, status or offer. */
struct entry {
	char *key;
	struct sums s;
	struct elast *el;           /* groups with a model: the elasticity's sums, or NULL */
	long curve;                 /* index into r->curves; -1 none yet; -2 evicted */
};

/* Open addressing on strtab_hash; slots hold entry index + 1. */
struct keymap {
	struct entry *v;
	size_t n, cap;
	size_t *slot;
	size_t nslot;
};

/* A row kept in a list (largest changes, flagged rows, the rows of a small run). */
struct keep {
	double change, price, opt, paid, lift;
	long line;
	char id[REPORT_ID_MAX];
	char group[REPORT_ID_MAX];
	char binding[32];
	char status[32];
};

/* A running mean and sum of squared deviations (Welford). */
struct welford {
	double n, mean, m2;
};

/* One arm of an A/B test. */
struct arm {
	char *name;
	unsigned long long n, conversions;
	struct welford revenue, profit;
};

/* Off-policy evaluation: sums over the logged rows. */
struct ope {
	unsigned long long n, matched;
	struct welford logged;      /* the logged reward */
	struct welford ipw;         /* w r */
	struct welford dr;          /* q(pi) + w (r - q(a)) */
	double sw, sw_c, sw2, sw2_c;          /* sums of w and w^2 */
	double swr, swr_c, sw2r, sw2r_c, sw2r2, sw2r2_c;  /* of w r, w^2 r, w^2 r^2 */
	double max_w;
	unsigned long long dr_rows;           /* rows the model could evaluate */
	struct keymap logged_prices, policy_prices;
};

struct report {
	struct report_opts o;
	struct report_cols c;
	int pricing;
	int logged;                      /* --ope or --ab: logged exposures */
	struct model_eval *eval;         /* the reward model of the doubly robust estimate */
	struct ope ope;
	struct arm *arms;
	size_t narms, cap_arms;

	struct sums total;
	struct keymap groups, bindings, statuses, offers, audits;
	unsigned long long n_rejected;   /* rows the caller rejected (report_set_rejected) */

	struct keep *rows;               /* every row while there are at most REPORT_ROWS_SMALL */
	size_t n_rows;

	size_t nbins;                    /* inner bins; hist has nbins + 2 */
	unsigned long long *hist;        /* [0] below, [1..nbins], [nbins+1] above */
	unsigned long long n_up, n_down, n_same, n_change;
	struct xsum sum_change;
	double min_change, max_change;

	struct keep *inc, *dec, *flag;
	size_t n_inc, n_dec, n_flag;

	double *p;
	unsigned char *y;
	size_t ns, cap_s;

	struct report_curve *curves;
	long *curve_group;               /* with --by: the group entry of each curve */
	size_t ncurves, cap_curves;
	long last_group;                 /* entry of the last row counted, with --by */
	size_t el_p;                     /* elasticities: the model's coefficients; 0 none */
	double *el_gm;                   /* their gradients of one row (4 el_p) */
	double last_price, last_opt, last_bd, last_bp;   /* figures of the last row counted */
};


/* The sum of figure k of s, rounded once from the exact sum. */
double report_sum_of(const struct sums *s, int k);

/*
 * The number in column col (named name, for the message) of row into *out:
 * 0, or -1 with d filled when it is missing or not a number.  A col below 0
 * leaves *out alone and returns 0.
 */
int report_get_num(const struct csvio_row *row, long col, const char *name, double *out,
    struct diag *d);

/*
 * Keep row k in the list v of *n (at most top) rows ordered by change,
 * descending when sign > 0, ascending when sign < 0; earlier rows first
 * among ties.
 */
void report_keep_row(struct keep *v, size_t *n, size_t top, const struct keep *k, int sign);

/* Add a curve for the row just counted (report_need_curve said so); 0, or -1 out of memory. */
int report_add_curve(struct report *r, const struct report_curve *c);

/* Room for n scores (p and y); 0, or -1 out of memory. */
int report_reserve_scores(struct report *r, size_t n);

/* The entry for key[0..len) in m, added when new; NULL when out of memory. */
struct entry *report_keymap_get(struct keymap *m, const char *key, size_t len);
void report_keymap_free(struct keymap *m);

/* Logged data (report-ope.c): take one row (0, or -1 with d filled); free the state. */
int report_logged_add(struct report *r, const struct csvio_row *row, struct diag *d);
void report_logged_free(struct report *r);

/* The sections of logged data: off-policy evaluation, then the A/B test; 0 or -1. */
int report_build_logged(const struct report *r, struct report_doc *doc);

/* Elasticities (report-elast.c): free a group's sums; the part's array and its merge. */
void report_elast_free(struct elast *el);
json_t *report_elast_to_json(const struct report *r);
/* 0, -1 when a is not a well-formed array, -2 out of memory. */
int report_elast_merge(struct report *r, const json_t *a);
/* The section: the table and the chart (model: for the covariance).  0, or -1 out of memory. */
int report_build_elasticity(const struct report *r, struct report_doc *doc,
    const struct model *model);

/*
 * The entries of m sorted by key (report_key_cmp), as a new array of m->n
 * pointers into m (the caller frees the array only); NULL if out of memory.
 */
struct entry **report_keymap_sorted(const struct keymap *m);

#endif
