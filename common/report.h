/*
 * report.h - the figures of a pricing run: totals at today's and at the
 * chosen prices, the same by group, the distribution of price changes, rule
 * and offer counts, the rows that changed most, and the quality of a scored
 * model (AUC, log loss, Brier score, calibration and lift by decile).
 *
 * A struct report reads rows one at a time (report_add_row) and keeps only
 * what grows with the number of groups, rules, offers and statuses - except
 * the scores under --label (report_cols.label), which are kept whole because
 * an exact AUC and decile tables need every score.  report_build then turns
 * the figures into a struct report_doc (report-doc.h), which the writers
 * render as text, Markdown, HTML, JSON or CSV.
 */
#ifndef PR_REPORT_H
#define PR_REPORT_H

#include <stddef.h>

#include <jansson.h>

#include "csvio.h"
#include "diag.h"
#include "model.h"
#include "report-doc.h"

/* Longest row identifier kept in the lists of rows (longer ones are cut). */
#define REPORT_ID_MAX 64
/* Largest --top. */
#define REPORT_TOP_MAX 1000
/* Most histogram bins (2 * range / width). */
#define REPORT_BINS_MAX 1000
/* Points on each curve. */
#define REPORT_CURVE_POINTS 51
/* Runs of at most this many rows get a table of every row's prices. */
#define REPORT_ROWS_SMALL 50

/*
 * Column indices in the input, -1 when absent.  The pricing columns are
 * either all present (price .. base_profit, as pr-optimize writes them) or
 * all absent (scored data only).
 */
struct report_cols {
	long price, opt_price;
	long exp_demand, exp_revenue, exp_profit;
	long base_demand, base_revenue, base_profit;
	long binding, status, offer, shadow;     /* optional texts / number */
	long paid;                               /* paid_price (with offers), optional */
	long audit;                              /* --audit */
	long policy, propensity, outcome, cost;  /* --ope: logged data and the new price */
	long arm;                                /* --ab */
	long by, id;                             /* --by, --id */
	long label, pred;                        /* --label, --pred */
};

struct report_opts {
	double bin_width;       /* histogram bin width, a fraction (0.05 = 5%) */
	double bin_range;       /* bins cover [-bin_range, +bin_range] */
	size_t top;             /* rows in each list */
	const char *input_name; /* for the heading */
	const char *by_name;    /* the --by column's name, or NULL */
	const char *id_name;    /* the --id column's name, or NULL */
	const char *price_name; /* the price column's name */
	const char *label_name; /* --label and --pred column names, or NULL */
	const char *pred_name;
	size_t curves;          /* --curves N: rows (or groups) with a curve */
	const char *title;      /* --title, or NULL for "Pricing report: INPUT" */
	const char *currency;   /* --currency symbol for people, or NULL */
	const char *audit_name; /* the --audit column's name, or NULL */
	/* Logged data (--ope, --ab): column names for messages, and the test's settings. */
	const char *policy_name, *propensity_name, *outcome_name, *cost_name, *arm_name;
	const char *control;    /* --control: the control arm, or NULL for the first */
	double mde;             /* --mde: the relative difference to detect */
};

struct report;

/*
 * Check the histogram options: width > 0, range > 0, range/width a whole
 * number of bins (to 1e-9) and at most REPORT_BINS_MAX / 2 of them per side.
 * Returns 0, or -1 with d's what filled (for a usage message).
 */
int report_check_bins(double width, double range, struct diag *d);

/*
 * A report on input whose columns are cols (copied).  o is copied, its
 * strings are borrowed and must outlive the report.  Returns NULL only when
 * out of memory.
 */
struct report *report_new(const struct report_opts *o, const struct report_cols *cols);
void report_free(struct report *r);     /* NULL-safe */

/*
 * Take one row.  Returns 0 when the row was counted, or -1 with d filled
 * (column, reason, value; no file or line) when it must be rejected: a
 * missing or non-numeric figure, a negative price, a label that is not 0 or
 * 1, a prediction outside [0, 1].  A rejected row changes nothing.  Does
 * not allocate, except when the row brings a new group, rule, offer or
 * status, or (with a label) when the score array grows.
 */
int report_add_row(struct report *r, const struct csvio_row *row, struct diag *d);

/* Rows counted so far. */
unsigned long long report_rows(const struct report *r);

/*
 * Logged data (report_cols.policy or .arm set): each row is a logged
 * exposure with its price, outcome (units bought, or 0/1), cost and, for
 * off-policy evaluation, the propensity of the logged price and the new
 * policy's price.  The reward of a row is (price - cost) x outcome.
 *
 * report_set_model: the model that gives the doubly robust estimator its
 * reward model (demand at a price for the row); e is borrowed, NULL for none.
 */
void report_set_model(struct report *r, struct model_eval *e);

/* The arms seen (and the first one's name in *first, NULL for none); whether name is one. */
size_t report_arms(const struct report *r, const char **first);
int report_has_arm(const struct report *r, const char *name);

/* The logged exposures whose price is the new policy's (--ope). */
unsigned long long report_ope_matched(const struct report *r);

/* The rows the caller rejected, for the headline's warning (with parts: their sum). */
void report_set_rejected(struct report *r, unsigned long long n);
unsigned long long report_rejected(const struct report *r);

/*
 * Order of group keys: keys that read as numbers (num_parse) before the
 * others and among themselves by value (so 2 before 10); the others, and
 * numbers of equal value, bytewise.  strcmp's sign convention.
 */
int report_key_cmp(const char *a, const char *b);

/*
 * A curve for the report: demand and profit of one row at n prices x[]
 * (n <= REPORT_CURVE_POINTS), with today's and the chosen price and the
 * figures there.  label names the row (its group, or "line N").  All
 * copied.
 */
struct report_curve {
	char label[REPORT_ID_MAX + 32];
	char group[REPORT_ID_MAX];   /* the row's --by group, or "" */
	size_t n;
	double price[REPORT_CURVE_POINTS];
	double demand[REPORT_CURVE_POINTS];
	double profit[REPORT_CURVE_POINTS];
	double today, chosen;               /* prices */
	double today_demand, today_profit;  /* model figures there */
	double chosen_demand, chosen_profit;
	long line;                          /* the row's line */
	int line_label;                     /* label is "line N" (N moves when parts merge) */
};

/*
 * Whether the row just counted by report_add_row should get a curve: one
 * of the first o.curves rows; with --by, the first row of its group when
 * the group is among the o.curves first in name order seen so far (a
 * later group that sorts earlier replaces the last kept one).
 */
int report_need_curve(const struct report *r, const struct csvio_row *row);

/*
 * When the row just counted by report_add_row needs a curve
 * (report_need_curve), compute it with e (bound to the input) and add it.
 * The curve is the model's demand at 51 prices evenly spaced from
 * min(0.5 * today, chosen) to max(1.5 * today, chosen), scaled so that it
 * passes through the row's base_demand at today's price (a --quantity
 * column of pr-optimize is such a scale), and the profit (p - cost) times
 * that demand, with the unit cost recovered from the row as
 * today - base_profit / base_demand.  label names the curve.  Returns 0
 * (added, or not needed), 1 when the row gives no curve (the model cannot
 * evaluate it, or base_demand or the model's demand at today's price is
 * not positive: the next row is tried), -1 when out of memory.  A NULL
 * label names the curve "line N" by the row's line.
 */
int report_curve(struct report *r, struct model_eval *e, const struct csvio_row *row,
    const char *label);

/*
 * Price elasticities by group (--by with a model): report_want_elasticity
 * asks for them, ncoef being the model's coefficients (model_ncoef).  Then
 * report_elasticity adds the row just counted by report_add_row to its
 * group's: the model's demand and its slope at today's and at the chosen
 * price, scaled to the row's base_demand, with their gradients in the
 * coefficients (report-elast.c has the formulas).  The section shows, per
 * group, d log demand / d log price of the group's demand when all its
 * prices move together, with 95% intervals by the delta method from the
 * model's covariance.  Returns 0, 1 when the model cannot price the row
 * (counted as left out), -1 when out of memory.
 */
void report_want_elasticity(struct report *r, size_t ncoef);
int report_elasticity(struct report *r, struct model_eval *e, const struct csvio_row *row);

/*
 * Metric names the gate knows (the keys of the "summary" table).  Returns 1
 * and sets *higher_is_better when name is one, 0 otherwise.
 */
int report_metric_known(const char *name, int *higher_is_better);
/* The metric names report_metric_known knows, NULL-terminated. */
const char *const *report_metric_names(void);

/*
 * Build the document: every section the input allows, in a fixed order
 * (pricing, model, price response, model quality).  model is the loaded
 * model (model_load) or NULL.  The caller owns the result
 * (report_doc_free).  Returns NULL only when out of memory.
 */
struct report_doc *report_build(const struct report *r, const struct model *model);

/*
 * Append the model section to doc from a loaded model: the formula,
 * family, response, price and group columns, the ridge penalty, the
 * coefficients with standard errors, test statistics and p-values (per
 * group when the model has sub-models), and the fit statistics (every
 * number of the model's training summary).  Returns 0, or -1 when out of
 * memory.
 */
int report_build_model(struct report_doc *doc, const struct model *model);

/*
 * Decile bin of every score: breaks q_k are the quantiles of p at k/10,
 * k = 0..10, by R's default definition (type 7: linear interpolation
 * between order statistics); bin k (0..9) holds q_k < p <= q_{k+1}, and the
 * first bin also holds p == q_0.  So tied scores always share a bin, and a
 * bin whose breaks coincide is empty.  bin[] has n entries (filled);
 * breaks[] has 11.  Returns 0, or -1 when out of memory or n == 0.
 */
int report_deciles(const double *p, size_t n, unsigned char *bin, double *breaks);

/*
 * The regression gate.  A baseline is a previous run's `--format json`
 * output; its "summary" object holds the metrics by name.
 *
 * report_baseline_load: read and check path (format "pr-report", version 1,
 * a "summary" object).  Returns a new reference (json_decref), or NULL with
 * d filled.
 */
json_t *report_baseline_load(const char *path, struct diag *d);

struct report_gate_result {
	const char *name;       /* borrowed from the names given */
	double before, now;     /* baseline's and this run's values */
	double change_rel;      /* (now - before) / |before|, NaN when before is 0 */
	int higher_is_better;
	int failed;             /* fell (or, for lower-is-better, rose) beyond the tolerance */
};

/*
 * Compare this run's summary (in doc) with the baseline's for each of the
 * n metric names: a higher-is-better metric fails when now < before -
 * max_drop * |before|, a lower-is-better one (log_loss, brier,
 * rows_flagged) when now > before + max_drop * |before|.  res has n
 * entries, filled.  Returns the number that failed, or -1 with d filled
 * when a metric is missing or not a number in either (baseline_name names
 * the baseline in messages).
 */
int report_gate(const json_t *baseline, const char *baseline_name,
    const struct report_doc *doc, const char *const *names, size_t n, double max_drop,
    struct report_gate_result *res, struct diag *d);

/*
 * Parts (pr-report --map / --reduce).  A part is a JSON document (format
 * REPORT_PART_FORMAT, version REPORT_PART_VERSION) holding a report's
 * figures before they become a document: the options that shape them,
 * exact sums (xsum.h), counts, extremes, the lists of rows and, under
 * --label, every score.  Reals have 17 significant digits, so they read
 * back to the same doubles.
 */
#define REPORT_PART_FORMAT "pr-report-part"
#define REPORT_PART_VERSION 1

struct report_part_meta {
	const char *input_name;     /* the input's name, for the merged heading */
	const char *model_digest;   /* report_model_digest of -m, or NULL */
	int keep_na;                /* --keep-na (it changes what a row holds) */
	long first_line;            /* line of the first data row (2, or 1 without a header) */
	long next_line;             /* csvio_line at the end of the input */
};

/*
 * Write r as a part to fp.  Returns 0, or -1 with d filled (no file name):
 * out of memory, a write error, or r reads logged data (--ope, --ab: their
 * running means do not merge exactly, so they make no parts).
 */
int report_part_write(const struct report *r, const struct report_part_meta *meta, FILE *fp,
    struct diag *d);

/* The options of r as a part records them (a new reference, NULL out of memory). */
json_t *report_part_options(const struct report *r, const char *model_digest, int keep_na);

/*
 * Read the part in path and check its format and version.  Returns a new
 * reference, or NULL with d filled ("not a pr-report part", "part version
 * N; this pr-report reads version 1", or jsonfile_load's messages).
 */
json_t *report_part_load(const char *path, struct diag *d);

/*
 * 0 when part was made with the options of first, else -1 with d naming
 * part (name) and the first option that differs, with both values.
 */
int report_part_check(const json_t *first, const char *first_name, const json_t *part,
    const char *name, struct diag *d);

/*
 * An empty report with the options of part (its strings borrowed: part
 * must outlive the report), input_name, title and currency as for
 * report_opts.  NULL with d filled.
 */
struct report *report_from_part(const json_t *part, const char *input_name, const char *title,
    const char *currency, struct diag *d);

/* The input's data lines the part read (for the lines of the next part). */
long report_part_rows_lines(const json_t *part);

/*
 * Merge part (named name) into r, made by report_from_part: its rows come
 * after those already merged, line_offset added to their lines (the data
 * lines of the parts before it, so lines are those of the whole input).
 * Returns 0, or -1 with d filled (out of memory, a part that is not well
 * formed: "not a valid pr-report part: bad \"KEY\"").
 */
int report_merge_part(struct report *r, const json_t *part, const char *name, long line_offset,
    struct diag *d);

/*
 * A digest of the file path (BLAKE2b, 128 bits) as hex into buf (at least
 * 33 bytes): parts made with different models are told apart by their
 * files' digests.  Returns 0, or -1 with d filled (cannot open or read).
 */
int report_file_digest(const char *path, char *buf, size_t size, struct diag *d);

#endif
