/*
 * report-build.c - report_build of report.h: the figures of a struct report
 * as a document of headings, tables and charts (report-doc.h), section by
 * section: summary, pricing, model, price response, model quality.
 */
#include "report.h"
#include "metrics.h"
#include "stats.h"
#include "xalloc.h"
#include "report-impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double
rel(double now, double before)
{
	return before != 0 ? (now - before) / fabs(before) : NAN;
}

/* The number of rows as a share of the total rows. */
static double
share(unsigned long long n, unsigned long long total)
{
	return total ? (double)n / (double)total : NAN;
}

#define TRY(x) do { if ((x) < 0) goto fail; } while (0)
#define TRYP(x) do { if ((x) == NULL) goto fail; } while (0)

static int
build_counts(struct report_doc *doc, const struct keymap *m, const char *name,
    const char *title, const char *what, unsigned long long total, int with_figures)
{
	const char *keys[] = { what, "rows", "share", "exp_demand", "exp_profit", "lift" };
	const char *heads[] = { what, "rows", "share", "demand", "profit", "lift" };
	struct report_table *t;
	struct entry **v = report_keymap_sorted(m);
	size_t i;

	if (v == NULL)
		return -1;
	t = report_doc_table(doc, name, title, with_figures ? 6 : 3, keys, heads);
	if (t == NULL)
		goto fail;
	for (i = 0; i < m->n; i++) {
		const struct sums *s = &v[i]->s;
		TRY(report_table_row(t));
		TRY(report_table_text(t, 0, v[i]->key));
		report_table_num(t, 1, (double)s->n, REPORT_INT);
		report_table_num(t, 2, share(s->n, total), REPORT_PCT);
		if (with_figures) {
			report_table_num(t, 3, report_sum_of(s, S_ED), REPORT_QTY);
			report_table_num(t, 4, report_sum_of(s, S_EP), REPORT_MONEY);
			report_table_num(t, 5, report_sum_of(s, S_EP) - report_sum_of(s, S_BP), REPORT_MONEY);
		}
	}
	free(v);
	return 0;
fail:
	free(v);
	return -1;
}

/* The columns of a list of rows (build_keep). */
enum { KEEP_RANK = 1, KEEP_LIFT = 2, KEEP_BINDING = 4, KEEP_STATUS = 8 };

/*
 * A list of rows: rank (KEEP_RANK), line, id, group, today's, the chosen
 * and the paid price, the change, and as cols asks the lift, the binding
 * rule and the status (those the input has).
 */
static int
build_keep(const struct report *r, struct report_doc *doc, const char *name,
    const char *title, const struct keep *v, size_t n, unsigned cols)
{
	const char *keys[12], *heads[12];
	struct report_table *t;
	size_t nc = 0, i, c;
	int binding = (cols & KEEP_BINDING) && r->c.binding >= 0;
	int status = (cols & KEEP_STATUS) && r->c.status >= 0;

	if (cols & KEEP_RANK)
		keys[nc] = "rank", heads[nc++] = "#";
	keys[nc] = "line", heads[nc++] = "line";
	if (r->c.id >= 0)
		keys[nc] = "id", heads[nc++] = r->o.id_name;
	if (r->c.by >= 0)
		keys[nc] = "group", heads[nc++] = r->o.by_name;
	keys[nc] = "price", heads[nc++] = "today";
	keys[nc] = "opt_price", heads[nc++] = "chosen";
	if (r->c.paid >= 0)
		keys[nc] = "paid_price", heads[nc++] = "paid";
	keys[nc] = "change", heads[nc++] = "change";
	if (cols & KEEP_LIFT)
		keys[nc] = "lift", heads[nc++] = "lift";
	if (binding)
		keys[nc] = "binding", heads[nc++] = "binding";
	if (status)
		keys[nc] = "status", heads[nc++] = "status";
	t = report_doc_table(doc, name, title, nc, keys, heads);
	if (t == NULL)
		return -1;
	t->sortable = 1;
	for (i = 0; i < n; i++) {
		c = 0;
		if (report_table_row(t) < 0)
			return -1;
		if (cols & KEEP_RANK)
			report_table_num(t, c++, (double)(i + 1), REPORT_INT);
		report_table_num(t, c++, (double)v[i].line, REPORT_INT);
		if (r->c.id >= 0 && report_table_text(t, c++, v[i].id) < 0)
			return -1;
		if (r->c.by >= 0 && report_table_text(t, c++, v[i].group) < 0)
			return -1;
		report_table_num(t, c++, v[i].price, REPORT_PRICE);
		report_table_num(t, c++, v[i].opt, REPORT_PRICE);
		if (r->c.paid >= 0)
			report_table_num(t, c++, v[i].paid, REPORT_PRICE);
		report_table_num(t, c++, v[i].change, REPORT_PCT);
		if (cols & KEEP_LIFT)
			report_table_num(t, c++, v[i].lift, REPORT_MONEY);
		if (binding && report_table_text(t, c++, v[i].binding) < 0)
			return -1;
		if (status && report_table_text(t, c++, v[i].status) < 0)
			return -1;
	}
	return 0;
}

/* The mean of figure k over the rows of s; NaN for none. */
static double
mean_of(const struct sums *s, int k)
{
	return s->n ? report_sum_of(s, k) / (double)s->n : NAN;
}

/* "before -> after" with the decimals both need, for a sentence. */
static void
show_pair(const struct report_doc *doc, double a, double b, enum report_kind kind, char *out,
    size_t size)
{
	double v[2] = { a, b };
	int dec = report_fit_decimals(kind, v, 2);
	char x[96], y[96];

	snprintf(out, size, "%s -> %s", report_show(doc, a, kind, dec, x, sizeof x),
	    report_show(doc, b, kind, dec, y, sizeof y));
}

/* A relative change for a sentence: "+7.67%", or "from zero". */
static void
show_rel(double now, double before, char *out, size_t size)
{
	double x = rel(now, before);

	if (isnan(x))
		snprintf(out, size, "from zero");
	else
		snprintf(out, size, "%+.2f%%", fabs(x) < 5e-5 ? 0 : x * 100);
}

/*
 * The largest gap between the values of the --audit column in the mean
 * paid price index: the lowest and highest groups (NULL when there are
 * fewer than two).
 */
static void
audit_gap(const struct report *r, const struct entry **lo, const struct entry **hi)
{
	size_t i;

	*lo = *hi = NULL;
	for (i = 0; i < r->audits.n; i++) {
		const struct entry *e = &r->audits.v[i];
		double x = mean_of(&e->s, S_IDX);
		if (*lo == NULL || x < mean_of(&(*lo)->s, S_IDX) ||
		    (x == mean_of(&(*lo)->s, S_IDX) && report_key_cmp(e->key, (*lo)->key) < 0))
			*lo = e;
		if (*hi == NULL || x > mean_of(&(*hi)->s, S_IDX) ||
		    (x == mean_of(&(*hi)->s, S_IDX) && report_key_cmp(e->key, (*hi)->key) < 0))
			*hi = e;
	}
	if (r->audits.n < 2)
		*lo = *hi = NULL;
}

/*
 * The headline: a few sentences at the top for people (notes), and the
 * same figures as the "headline" table for machines.
 */
static int
build_headline(const struct report *r, struct report_doc *doc)
{
	const struct sums *s = &r->total;
	double bp = report_sum_of(s, S_BP), ep = report_sum_of(s, S_EP), lift = ep - bp;
	double loss = report_sum_of(s, S_LOSS), mean_up = s->n_up ? report_sum_of(s, S_UP) / (double)s->n_up : NAN;
	double mean_down = s->n_down ? report_sum_of(s, S_DOWN) / (double)s->n_down : NAN;
	const struct entry *lo, *hi;
	struct report_table *t;
	char line[1024], a[256], b[96], c[96];
	size_t i, o;

	show_pair(doc, bp, ep, REPORT_MONEY, a, sizeof a);
	show_rel(ep, bp, b, sizeof b);
	{
		double v[1] = { lift };
		report_show(doc, lift, REPORT_MONEY, report_fit_decimals(REPORT_MONEY, v, 1), c,
		    sizeof c);
	}
	snprintf(line, sizeof line, "Expected profit %s %s at the chosen prices: %s%s (%s).",
	    lift < 0 ? "falls" : "rises", a, lift > 0 ? "+" : "", c, b);
	if (lift == 0)
		snprintf(line, sizeof line, "Expected profit stays at %s at the chosen prices.",
		    report_show(doc, ep, REPORT_MONEY, -1, c, sizeof c));
	TRY(report_doc_note(doc, lift < 0, line));
	show_pair(doc, report_sum_of(s, S_BR), report_sum_of(s, S_ER), REPORT_MONEY, a, sizeof a);
	show_rel(report_sum_of(s, S_ER), report_sum_of(s, S_BR), b, sizeof b);
	o = (size_t)snprintf(line, sizeof line, "Revenue %s (%s); demand ", a, b);
	show_pair(doc, report_sum_of(s, S_BD), report_sum_of(s, S_ED), REPORT_QTY, a, sizeof a);
	show_rel(report_sum_of(s, S_ED), report_sum_of(s, S_BD), b, sizeof b);
	snprintf(line + o, sizeof line - o, "%s (%s).", a, b);
	TRY(report_doc_note(doc, 0, line));

	o = (size_t)snprintf(line, sizeof line, "Prices: %llu of %llu rise", r->n_up, s->n);
	if (r->n_up > 0)
		o += (size_t)snprintf(line + o, sizeof line - o, " (by %.2f%% on average, at most %.2f%%)",
		    mean_up * 100, r->max_change * 100);
	o += (size_t)snprintf(line + o, sizeof line - o, ", %llu fall", r->n_down);
	if (r->n_down > 0)
		o += (size_t)snprintf(line + o, sizeof line - o, " (by %.2f%% on average, at most %.2f%%)",
		    -mean_down * 100, -r->min_change * 100);
	snprintf(line + o, sizeof line - o, ", %llu stay.", r->n_same);
	TRY(report_doc_note(doc, 0, line));
	if (r->c.paid >= 0) {
		snprintf(line, sizeof line, "With offers, customers pay %.2f%% of today's price on "
		    "average (%s).", mean_of(s, S_IDX) * 100,
		    (show_pair(doc, mean_of(s, S_PRICE), mean_of(s, S_PAID), REPORT_PRICE, a, sizeof a),
		    a));
		TRY(report_doc_note(doc, 0, line));
	}
	if (s->n_losing > 0) {
		double v[1];
		v[0] = loss;
		snprintf(line, sizeof line, "%llu %s at the chosen price than at today's (%s in all).",
		    s->n_losing, s->n_losing == 1 ? "row earns less" : "rows earn less",
		    report_show(doc, loss, REPORT_MONEY, report_fit_decimals(REPORT_MONEY, v, 1), c,
		    sizeof c));
		TRY(report_doc_note(doc, 1, line));
	}
	if (s->n_bound > 0) {
		struct entry **v = report_keymap_sorted(&r->bindings);
		int first = 1;
		if (v == NULL)
			return -1;
		o = (size_t)snprintf(line, sizeof line, "%llu %s at a bound (", s->n_bound,
		    s->n_bound == 1 ? "row is" : "rows are");
		for (i = 0; i < r->bindings.n && o < sizeof line - 64; i++) {
			if (v[i]->s.n_bound == 0)
				continue;
			o += (size_t)snprintf(line + o, sizeof line - o, "%s%.40s %llu", first ? "" : ", ",
			    v[i]->key, v[i]->s.n);
			first = 0;
		}
		free(v);
		snprintf(line + o, sizeof line - o, ").");
		TRY(report_doc_note(doc, 1, line));
	}
	if (r->n_rejected > 0) {
		snprintf(line, sizeof line, "%llu %s rejected (the reasons are on standard error; "
		    "--rejects keeps them).", r->n_rejected, r->n_rejected == 1 ? "row was" : "rows were");
		TRY(report_doc_note(doc, 1, line));
	}
	audit_gap(r, &lo, &hi);
	if (lo != NULL) {
		snprintf(line, sizeof line, "Largest gap by %.64s: customers with %.64s pay %.2f%% of "
		    "today's price on average, with %.64s %.2f%% (%.2f points apart).",
		    r->o.audit_name, hi->key, mean_of(&hi->s, S_IDX) * 100, lo->key,
		    mean_of(&lo->s, S_IDX) * 100,
		    (mean_of(&hi->s, S_IDX) - mean_of(&lo->s, S_IDX)) * 100);
		TRY(report_doc_note(doc, 1, line));
	}

	TRYP(t = report_doc_kv(doc, "headline", "Headline"));
	t->detail = 1;
	TRY(report_table_kv(t, "rows", (double)s->n, REPORT_INT));
	TRY(report_table_kv(t, "rows_up", (double)r->n_up, REPORT_INT));
	TRY(report_table_kv(t, "rows_down", (double)r->n_down, REPORT_INT));
	TRY(report_table_kv(t, "rows_unchanged", (double)r->n_same, REPORT_INT));
	TRY(report_table_kv(t, "mean_rise", mean_up, REPORT_PCT));
	TRY(report_table_kv(t, "mean_cut", mean_down, REPORT_PCT));
	TRY(report_table_kv(t, "rows_losing", (double)s->n_losing, REPORT_INT));
	TRY(report_table_kv(t, "loss", loss, REPORT_MONEY));
	TRY(report_table_kv(t, "rows_at_bound", (double)s->n_bound, REPORT_INT));
	TRY(report_table_kv(t, "rows_rejected", (double)r->n_rejected, REPORT_INT));
	if (r->c.paid >= 0)
		TRY(report_table_kv(t, "paid_index", mean_of(s, S_IDX), REPORT_FIX4));
	if (r->c.audit >= 0) {
		TRY(report_table_kv_text(t, "audit_high", hi != NULL ? hi->key : ""));
		TRY(report_table_kv_text(t, "audit_low", lo != NULL ? lo->key : ""));
		TRY(report_table_kv(t, "audit_gap", lo != NULL ? mean_of(&hi->s, S_IDX) -
		    mean_of(&lo->s, S_IDX) : NAN, REPORT_FIX4));
	}
	return 0;
fail:
	return -1;
}
static int
cmp_lift(const void *a, const void *b)
{
	const struct entry *const *x = a, *const *y = b;
	double lx = report_sum_of(&(*x)->s, S_EP) - report_sum_of(&(*x)->s, S_BP);
	double ly = report_sum_of(&(*y)->s, S_EP) - report_sum_of(&(*y)->s, S_BP);

	if (lx != ly)
		return lx > ly ? -1 : 1;
	return report_key_cmp((*x)->key, (*y)->key);
}

static int
cmp_abs_lift(const void *a, const void *b)
{
	const struct entry *const *x = a, *const *y = b;
	double lx = fabs(report_sum_of(&(*x)->s, S_EP) - report_sum_of(&(*x)->s, S_BP));
	double ly = fabs(report_sum_of(&(*y)->s, S_EP) - report_sum_of(&(*y)->s, S_BP));

	if (lx != ly)
		return lx > ly ? -1 : 1;
	return report_key_cmp((*x)->key, (*y)->key);
}

/* Groups in the lift chart at most. */
#define LIFT_BARS 25

/*
 * By group: for people, today's, the chosen (and the paid) mean price, the
 * mean change, demand, profit and lift, sortable; for machines the same
 * with revenue and the counts.  Then the lift chart, groups by lift.
 */
static int
build_groups(const struct report *r, struct report_doc *doc)
{
	static const char *const mk[] = { "group", "rows", "rows_flagged", "rows_up", "rows_down",
	    "rows_losing", "rows_at_bound", "price_mean", "opt_price_mean", "paid_price_mean",
	    "change_mean", "base_demand", "exp_demand", "base_revenue", "exp_revenue",
	    "base_profit", "exp_profit", "lift", "lift_rel", "shadow_price" };
	const char *keys[16], *heads[16];
	struct entry **gv;
	struct report_table *t, *tm;
	char title[REPORT_ID_MAX + 128];
	size_t i, n, nc = 0, nm = r->c.shadow >= 0 ? 20 : 19;
	int k;

	keys[nc] = "group", heads[nc++] = r->o.by_name;
	keys[nc] = "rows", heads[nc++] = "rows";
	keys[nc] = "price_mean", heads[nc++] = "today";
	keys[nc] = "opt_price_mean", heads[nc++] = "chosen";
	if (r->c.paid >= 0)
		keys[nc] = "paid_price_mean", heads[nc++] = "paid";
	keys[nc] = "change_mean", heads[nc++] = "change";
	keys[nc] = "base_demand", heads[nc++] = "demand today";
	keys[nc] = "exp_demand", heads[nc++] = "demand chosen";
	keys[nc] = "base_profit", heads[nc++] = "profit today";
	keys[nc] = "exp_profit", heads[nc++] = "profit chosen";
	keys[nc] = "lift", heads[nc++] = "lift";
	keys[nc] = "lift_rel", heads[nc++] = "lift %";
	if (r->c.status >= 0)
		keys[nc] = "rows_flagged", heads[nc++] = "flagged";
	if (r->c.shadow >= 0)
		keys[nc] = "shadow_price", heads[nc++] = "shadow price";
	snprintf(title, sizeof title, "By %.64s (prices and change: means over the rows)",
	    r->o.by_name);
	if ((gv = report_keymap_sorted(&r->groups)) == NULL)
		return -1;
	/* The machines' table first: report_doc_find finds it. */
	TRYP(tm = report_doc_table(doc, "by_group", title, nm, mk, mk));
	tm->detail = 1;
	TRYP(t = report_doc_table(doc, "by_group", title, nc, keys, heads));
	t->detail = 2;
	t->sortable = 1;
	for (i = 0; i < r->groups.n; i++) {
		const struct sums *g = &gv[i]->s;
		double lift = report_sum_of(g, S_EP) - report_sum_of(g, S_BP);
		size_t c = 0;
		TRY(report_table_row(t));
		TRY(report_table_text(t, c++, gv[i]->key));
		report_table_num(t, c++, (double)g->n, REPORT_INT);
		report_table_num(t, c++, mean_of(g, S_PRICE), REPORT_PRICE);
		report_table_num(t, c++, mean_of(g, S_OPT), REPORT_PRICE);
		if (r->c.paid >= 0)
			report_table_num(t, c++, mean_of(g, S_PAID), REPORT_PRICE);
		report_table_num(t, c++, mean_of(g, S_CHG), REPORT_PCT);
		report_table_num(t, c++, report_sum_of(g, S_BD), REPORT_QTY);
		report_table_num(t, c++, report_sum_of(g, S_ED), REPORT_QTY);
		report_table_num(t, c++, report_sum_of(g, S_BP), REPORT_MONEY);
		report_table_num(t, c++, report_sum_of(g, S_EP), REPORT_MONEY);
		report_table_num(t, c++, lift, REPORT_MONEY);
		report_table_num(t, c++, rel(report_sum_of(g, S_EP), report_sum_of(g, S_BP)), REPORT_PCT);
		if (r->c.status >= 0)
			report_table_num(t, c++, (double)g->n_flagged, REPORT_INT);
		if (r->c.shadow >= 0)
			report_table_num(t, c++, g->shadow, REPORT_FIX4);

		TRY(report_table_row(tm));
		TRY(report_table_text(tm, 0, gv[i]->key));
		report_table_num(tm, 1, (double)g->n, REPORT_INT);
		report_table_num(tm, 2, (double)g->n_flagged, REPORT_INT);
		report_table_num(tm, 3, (double)g->n_up, REPORT_INT);
		report_table_num(tm, 4, (double)g->n_down, REPORT_INT);
		report_table_num(tm, 5, (double)g->n_losing, REPORT_INT);
		report_table_num(tm, 6, (double)g->n_bound, REPORT_INT);
		report_table_num(tm, 7, mean_of(g, S_PRICE), REPORT_PRICE);
		report_table_num(tm, 8, mean_of(g, S_OPT), REPORT_PRICE);
		report_table_num(tm, 9, mean_of(g, S_PAID), REPORT_PRICE);
		report_table_num(tm, 10, mean_of(g, S_CHG), REPORT_PCT);
		for (k = 0; k < 3; k++) {
			report_table_num(tm, 11 + 2 * (size_t)k, report_sum_of(g, S_BD + k), REPORT_MONEY);
			report_table_num(tm, 12 + 2 * (size_t)k, report_sum_of(g, S_ED + k), REPORT_MONEY);
		}
		report_table_num(tm, 17, lift, REPORT_MONEY);
		report_table_num(tm, 18, rel(report_sum_of(g, S_EP), report_sum_of(g, S_BP)), REPORT_PCT);
		if (r->c.shadow >= 0)
			report_table_num(tm, 19, g->shadow, REPORT_FIX4);
	}

	/* The lift chart: every group, or the LIFT_BARS that moved most; by lift. */
	n = r->groups.n;
	if (n > LIFT_BARS) {
		qsort(gv, n, sizeof *gv, cmp_abs_lift);
		n = LIFT_BARS;
	}
	qsort(gv, n, sizeof *gv, cmp_lift);
	{
		double *y = malloc((n ? n : 1) * sizeof *y);
		const char **lab = malloc((n ? n : 1) * sizeof *lab);
		int bad = y == NULL || lab == NULL;
		for (i = 0; !bad && i < n; i++) {
			y[i] = report_sum_of(&gv[i]->s, S_EP) - report_sum_of(&gv[i]->s, S_BP);
			lab[i] = gv[i]->key;
		}
		if (n < r->groups.n)
			snprintf(title, sizeof title, "Lift by %.64s: the %zu of %zu that gain or lose most",
			    r->o.by_name, n, r->groups.n);
		else
			snprintf(title, sizeof title, "Lift by %.64s", r->o.by_name);
		if (!bad && n > 0 && report_doc_chart(doc, REPORT_CHART_HBARS, title,
		    "expected profit at the chosen less at today's prices", "", n, NULL, y,
		    lab) == NULL)
			bad = 1;
		free(y);
		free(lab);
		if (bad)
			goto fail;
	}
	free(gv);
	return 0;
fail:
	free(gv);
	return -1;
}

/* Bin edges as people read them: "-5%" (no 1e-17 residue). */
static double
clean_edge(double x)
{
	return isfinite(x) ? floor(x * 1e9 + 0.5) / 1e9 + 0.0 : x;
}

/*
 * The histogram of changes: every bin for machines; for people the bins
 * from the first to the last that holds a row, the open bins' far edge
 * being the extreme change; and the chart, whose open bins say how far
 * they reach ("> 50% (to 96%)").
 */
static int
build_hist(const struct report *r, struct report_doc *doc)
{
	static const char *const hk[] = { "bin", "lo", "hi", "rows", "share" };
	static const char *const hh[] = { "change", "from", "to", "rows", "share" };
	size_t nb = r->nbins + 2, i, first = 0, last = nb;
	double *y = calloc(nb, sizeof *y);
	char **labels = calloc(nb, sizeof *labels);
	struct report_table *t = NULL, *tp = NULL;
	int bad = y == NULL || labels == NULL, k;

	if (!bad)
		t = report_doc_table(doc, "change_hist",
		    "Distribution of price changes (chosen / today - 1)", 5, hk, hh);
	if (t != NULL)
		tp = report_doc_table(doc, "change_hist", t->title, 5, hk, hh);
	if (t == NULL || tp == NULL)
		bad = 1;
	else {
		t->detail = 1;
		tp->detail = 2;
	}
	while (first < nb && r->hist[first] == 0)
		first++;
	while (last > first && r->hist[last - 1] == 0)
		last--;
	for (i = 0; !bad && i < nb; i++) {
		double lo = clean_edge(i == 0 ? -INFINITY :
		    -r->o.bin_range + r->o.bin_width * (double)(i - 1));
		double hi = clean_edge(i == nb - 1 ? INFINITY :
		    -r->o.bin_range + r->o.bin_width * (double)i);
		char lab[96], chart[96];
		if (i == 0) {
			snprintf(lab, sizeof lab, "< %g%%", hi * 100);
			if (r->hist[0] > 0)
				snprintf(chart, sizeof chart, "< %g%% (from %.0f%%)", hi * 100,
				    r->min_change * 100);
			else
				snprintf(chart, sizeof chart, "%s", lab);
		} else if (i == nb - 1) {
			snprintf(lab, sizeof lab, "> %g%%", lo * 100);
			if (r->hist[i] > 0)
				snprintf(chart, sizeof chart, "> %g%% (to %.0f%%)", lo * 100,
				    r->max_change * 100);
			else
				snprintf(chart, sizeof chart, "%s", lab);
		} else {
			snprintf(lab, sizeof lab, "%g%% .. %g%%", lo * 100, hi * 100);
			snprintf(chart, sizeof chart, "%g..%g%%", lo * 100, hi * 100);
		}
		if (report_table_row(t) < 0 || report_table_text(t, 0, lab) < 0 ||
		    (labels[i] = malloc(strlen(chart) + 1)) == NULL) {
			bad = 1;
			break;
		}
		memcpy(labels[i], chart, strlen(chart) + 1);
		report_table_num(t, 1, isfinite(lo) ? lo : NAN, REPORT_PCT);
		report_table_num(t, 2, isfinite(hi) ? hi : NAN, REPORT_PCT);
		report_table_num(t, 3, (double)r->hist[i], REPORT_INT);
		report_table_num(t, 4, share(r->hist[i], r->n_change), REPORT_PCT);
		y[i] = (double)r->hist[i];
		if (i < first || i >= last)
			continue;
		if (report_table_row(tp) < 0 || report_table_text(tp, 0, lab) < 0) {
			bad = 1;
			break;
		}
		report_table_num(tp, 1, i == 0 ? r->min_change : lo, REPORT_PCT);
		report_table_num(tp, 2, i == nb - 1 ? r->max_change : hi, REPORT_PCT);
		for (k = 3; k < 5; k++)
			report_table_num(tp, (size_t)k, t->cells[i * 5 + (size_t)k].x,
			    t->cells[i * 5 + (size_t)k].kind);
	}
	if (!bad && report_doc_chart(doc, REPORT_CHART_BARS, "Price changes",
	    "change (chosen / today - 1)", "rows", nb, NULL, y,
	    (const char *const *)labels) == NULL)
		bad = 1;
	for (i = 0; labels != NULL && i < nb; i++)
		free(labels[i]);
	free(labels);
	free(y);
	return bad ? -1 : 0;
}

/* Every row's prices for a small run; for a large one, where they are. */
static int
build_rows(const struct report *r, struct report_doc *doc)
{
	char para[DIAG_FILE_MAX + 256];

	if (r->total.n > REPORT_ROWS_SMALL) {
		snprintf(para, sizeof para, "The chosen price of each of the %llu rows is in the "
		    "input, %s, column opt_price%s; the lists below show the largest changes.",
		    r->total.n, r->o.input_name, r->c.paid >= 0 ? " (paid_price: the price paid)" : "");
		return report_doc_para(doc, para);
	}
	return build_keep(r, doc, "rows", "Prices by row", r->rows, r->n_rows,
	    KEEP_LIFT | KEEP_BINDING | KEEP_STATUS);
}

static int
build_pricing(const struct report *r, struct report_doc *doc)
{
	static const char *const tk[] = { "measure", "today", "chosen", "change", "change_rel" };
	static const char *const th[] = { "", "today", "chosen", "change", "change %" };
	static const char *const measure[3] = { "demand", "revenue", "profit" };
	const struct sums *s = &r->total;
	struct report_table *t;
	char title[REPORT_ID_MAX + 64];
	int k;

	TRY(report_doc_heading(doc, "Pricing"));
	TRYP(t = report_doc_table(doc, "totals", "Totals at today's and at the chosen prices", 5,
	    tk, th));
	for (k = 0; k < 3; k++) {
		double before = report_sum_of(s, S_BD + k), now = report_sum_of(s, S_ED + k);
		enum report_kind kind = k == 0 ? REPORT_QTY : REPORT_MONEY;
		TRY(report_table_row(t));
		TRY(report_table_text(t, 0, measure[k]));
		report_table_num(t, 1, before, kind);
		report_table_num(t, 2, now, kind);
		report_table_num(t, 3, now - before, kind);
		report_table_num(t, 4, rel(now, before), REPORT_PCT);
	}

	TRYP(t = report_doc_kv(doc, "changes", "Price changes"));
	TRY(report_table_kv(t, "rows|rows", (double)s->n, REPORT_INT));
	TRY(report_table_kv(t, "rows_up|prices raised", (double)r->n_up, REPORT_INT));
	TRY(report_table_kv(t, "rows_down|prices lowered", (double)r->n_down, REPORT_INT));
	TRY(report_table_kv(t, "rows_unchanged|prices unchanged", (double)r->n_same, REPORT_INT));
	TRY(report_table_kv(t, "rows_flagged|rows flagged", (double)s->n_flagged, REPORT_INT));
	TRY(report_table_kv(t, "mean_change|mean change",
	    r->n_change ? xsum_value(&r->sum_change) / (double)r->n_change : NAN,
	    REPORT_PCT));
	TRY(report_table_kv(t, "min_change|smallest change", r->n_change ? r->min_change : NAN,
	    REPORT_PCT));
	TRY(report_table_kv(t, "max_change|largest change", r->n_change ? r->max_change : NAN,
	    REPORT_PCT));

	if (r->c.by >= 0)
		TRY(build_groups(r, doc));
	TRY(build_hist(r, doc));
	TRY(build_rows(r, doc));

	if (r->c.binding >= 0)
		TRY(build_counts(doc, &r->bindings, "binding", "Binding rules", "binding", s->n, 0));
	if (r->c.offer >= 0)
		TRY(build_counts(doc, &r->offers, "offers", "Offer mix", "offer_id", s->n, 1));
	if (r->c.status >= 0)
		TRY(build_counts(doc, &r->statuses, "status", "Status", "status", s->n, 0));
	if (r->o.top == 0)
		return 0;
	snprintf(title, sizeof title, "Largest increases (top %zu)", r->o.top);
	TRY(build_keep(r, doc, "largest_increases", title, r->inc, r->n_inc,
	    KEEP_RANK | KEEP_BINDING));
	snprintf(title, sizeof title, "Largest decreases (top %zu)", r->o.top);
	TRY(build_keep(r, doc, "largest_decreases", title, r->dec, r->n_dec,
	    KEEP_RANK | KEEP_BINDING));
	if (r->c.status >= 0) {
		snprintf(title, sizeof title, "Flagged rows (first %zu)", r->o.top);
		TRY(build_keep(r, doc, "flagged", title, r->flag, r->n_flag,
		    KEEP_RANK | KEEP_STATUS));
	}
	return 0;
fail:
	return -1;
}

/*
 * The audit by the values of --audit COL: the mean paid price index (the
 * price paid over today's price, row by row, then averaged), the shares
 * of rises and cuts, expected demand and profit, and the largest gap in
 * the index between two values.
 */
static int
build_audit(const struct report *r, struct report_doc *doc)
{
	static const char *const ak[] = { "value", "rows", "paid_index", "share_up", "share_down",
	    "exp_demand", "exp_profit", "lift" };
	const char *ah[] = { r->o.audit_name, "rows", "paid / today", "rises", "cuts",
	    "demand", "profit", "lift" };
	struct entry **v = report_keymap_sorted(&r->audits);
	const struct entry *lo, *hi;
	struct report_table *t;
	char title[REPORT_ID_MAX + 64];
	size_t i;

	if (v == NULL)
		return -1;
	snprintf(title, sizeof title, "Audit by %.64s", r->o.audit_name);
	TRY(report_doc_heading(doc, title));
	snprintf(title, sizeof title, "Prices by %.64s (paid / today: the mean over the rows)",
	    r->o.audit_name);
	TRYP(t = report_doc_table(doc, "audit", title, 8, ak, ah));
	t->sortable = 1;
	for (i = 0; i < r->audits.n; i++) {
		const struct sums *g = &v[i]->s;
		TRY(report_table_row(t));
		TRY(report_table_text(t, 0, v[i]->key));
		report_table_num(t, 1, (double)g->n, REPORT_INT);
		report_table_num(t, 2, mean_of(g, S_IDX), REPORT_FIX4);
		report_table_num(t, 3, share(g->n_up, g->n), REPORT_PCT);
		report_table_num(t, 4, share(g->n_down, g->n), REPORT_PCT);
		report_table_num(t, 5, report_sum_of(g, S_ED), REPORT_QTY);
		report_table_num(t, 6, report_sum_of(g, S_EP), REPORT_MONEY);
		report_table_num(t, 7, report_sum_of(g, S_EP) - report_sum_of(g, S_BP), REPORT_MONEY);
	}
	audit_gap(r, &lo, &hi);
	TRYP(t = report_doc_kv(doc, "audit_gap", "Largest gap in the paid price index"));
	TRY(report_table_kv_text(t, "high|highest", hi != NULL ? hi->key : "-"));
	TRY(report_table_kv(t, "high_index|its index", hi != NULL ? mean_of(&hi->s, S_IDX) : NAN,
	    REPORT_FIX4));
	TRY(report_table_kv_text(t, "low|lowest", lo != NULL ? lo->key : "-"));
	TRY(report_table_kv(t, "low_index|its index", lo != NULL ? mean_of(&lo->s, S_IDX) : NAN,
	    REPORT_FIX4));
	TRY(report_table_kv(t, "gap|gap", lo != NULL ? mean_of(&hi->s, S_IDX) -
	    mean_of(&lo->s, S_IDX) : NAN, REPORT_FIX4));
	free(v);
	return 0;
fail:
	free(v);
	return -1;
}

static int
build_curves(const struct report *r, struct report_doc *doc)
{
	static const char *const sk[] = { "curve", "price", "opt_price", "demand_today",
	    "demand_chosen", "profit_today", "profit_chosen", "best_grid_price" };
	static const char *const sh[] = { "row", "today", "chosen", "demand today",
	    "demand chosen", "profit today", "profit chosen", "best on grid" };
	static const char *const dk[] = { "point", "curve", "price", "demand", "profit" };
	struct report_table *ts, *td;
	const struct report_curve **v;
	struct entry **gv = NULL;
	size_t n = 0, i, j;
	char buf[2 * REPORT_ID_MAX + 160];

	v = malloc((r->ncurves ? r->ncurves : 1) * sizeof *v);
	if (v == NULL)
		return -1;
	if (r->c.by >= 0) {
		gv = report_keymap_sorted(&r->groups);
		if (gv == NULL)
			goto fail;
		for (i = 0; i < r->groups.n && n < r->o.curves; i++)
			if (gv[i]->curve >= 0)
				v[n++] = &r->curves[gv[i]->curve];
	} else {
		for (i = 0; i < r->ncurves; i++)
			v[n++] = &r->curves[i];
	}
	TRY(report_doc_heading(doc, "Price response"));
	TRY(report_doc_para(doc, r->c.by >= 0 ?
	    "Demand and profit from the model for the first row of each group, at 51 prices "
	    "from half to one and a half times today's price (widened to take in the chosen "
	    "price)." :
	    "Demand and profit from the model for the first rows, at 51 prices from half to "
	    "one and a half times today's price (widened to take in the chosen price)."));
	TRYP(ts = report_doc_table(doc, "curves", "Today's and the chosen price on each curve", 8,
	    sk, sh));
	for (i = 0; i < n; i++) {
		const struct report_curve *c = v[i];
		size_t best = 0;
		for (j = 1; j < c->n; j++)
			if (c->profit[j] > c->profit[best])
				best = j;
		TRY(report_table_row(ts));
		TRY(report_table_text(ts, 0, c->label));
		report_table_num(ts, 1, c->today, REPORT_PRICE);
		report_table_num(ts, 2, c->chosen, REPORT_PRICE);
		report_table_num(ts, 3, c->today_demand, REPORT_FIX4);
		report_table_num(ts, 4, c->chosen_demand, REPORT_FIX4);
		report_table_num(ts, 5, c->today_profit, REPORT_MONEY);
		report_table_num(ts, 6, c->chosen_profit, REPORT_MONEY);
		report_table_num(ts, 7, c->n ? c->price[best] : NAN, REPORT_PRICE);
	}
	TRYP(td = report_doc_table(doc, "curve_points", "Curve points", 5, dk, dk));
	td->detail = 1;
	for (i = 0; i < n; i++) {
		const struct report_curve *c = v[i];
		for (j = 0; j < c->n; j++) {
			snprintf(buf, sizeof buf, "%s:%zu", c->label, j + 1);
			TRY(report_table_row(td));
			TRY(report_table_text(td, 0, buf));
			TRY(report_table_text(td, 1, c->label));
			report_table_num(td, 2, c->price[j], REPORT_FIX2);
			report_table_num(td, 3, c->demand[j], REPORT_FIX4);
			report_table_num(td, 4, c->profit[j], REPORT_FIX2);
		}
	}
	for (i = 0; i < n; i++) {
		const struct report_curve *c = v[i];
		struct report_chart *ch;
		size_t best = 0;
		for (j = 1; j < c->n; j++)
			if (c->profit[j] > c->profit[best])
				best = j;
		if (r->c.by >= 0)
			snprintf(buf, sizeof buf, "Demand, %.64s %s", r->o.by_name, c->label);
		else
			snprintf(buf, sizeof buf, "Demand, %s", c->label);
		TRYP(ch = report_doc_chart(doc, REPORT_CHART_LINES, buf, "price", "expected demand",
		    c->n, c->price, c->demand, NULL));
		ch->mark[0] = c->today;
		ch->mark[1] = c->chosen;
		ch->mark[2] = c->n ? c->price[best] : NAN;
		memcpy(buf, "Profit", 6);
		TRYP(ch = report_doc_chart(doc, REPORT_CHART_LINES, buf, "price", "expected profit",
		    c->n, c->price, c->profit, NULL));
		ch->mark[0] = c->today;
		ch->mark[1] = c->chosen;
		ch->mark[2] = c->n ? c->price[best] : NAN;
	}
	free(gv);
	free(v);
	return 0;
fail:
	free(gv);
	free(v);
	return -1;
}

/* Scored-data figures, computed once for the summary and the section. */
struct quality {
	double auc, log_loss, brier, positives;
};

static int
quality_of(const struct report *r, struct quality *q)
{
	double *y = xrealloc(NULL, (r->ns ? r->ns : 1) * sizeof *y);
	size_t i;

	q->positives = 0;
	for (i = 0; i < r->ns; i++) {
		q->positives += r->y[i];
		y[i] = r->y[i];
	}
	q->auc = metrics_auc(y, r->p, r->ns);
	q->log_loss = metrics_log_loss(y, r->p, r->ns);
	q->brier = metrics_brier(y, r->p, r->ns);
	free(y);
	return 0;
}

static int
build_quality(const struct report *r, struct report_doc *doc, const struct quality *q)
{
	static const char *const ck[] = { "decile", "rows", "p_min", "p_max", "mean_pred",
	    "observed", "positives" };
	static const char *const ch[] = { "decile", "rows", "lowest p", "highest p",
	    "mean predicted", "observed", "positives" };
	static const char *const lk[] = { "decile", "rows", "positives", "rate", "lift",
	    "cum_positives_share", "cum_lift" };
	static const char *const lh[] = { "decile (top first)", "rows", "positives", "rate",
	    "lift", "positives captured", "cumulative lift" };
	double n[10] = { 0 }, pos[10] = { 0 }, sp[10] = { 0 }, spc[10] = { 0 };
	double pmin[10], pmax[10], breaks[11], mx[10], my[10];
	unsigned char *bin = NULL;
	struct report_table *t;
	char buf[256];
	size_t i, nm = 0;
	int k;

	snprintf(buf, sizeof buf, "Model quality (%s against %s)", r->o.pred_name,
	    r->o.label_name);
	TRY(report_doc_heading(doc, buf));
	TRYP(t = report_doc_kv(doc, "quality", "Scores"));
	TRY(report_table_kv(t, "rows|rows", (double)r->ns, REPORT_INT));
	TRY(report_table_kv(t, "positives|positives", q->positives, REPORT_INT));
	TRY(report_table_kv(t, "base_rate|base rate", r->ns ? q->positives / (double)r->ns : NAN,
	    REPORT_FIX4));
	TRY(report_table_kv(t, "auc|AUC", q->auc, REPORT_FIX4));
	TRY(report_table_kv(t, "log_loss|log loss", q->log_loss, REPORT_FIX4));
	TRY(report_table_kv(t, "brier|Brier score", q->brier, REPORT_FIX4));
	if (r->ns == 0)
		return 0;
	bin = malloc(r->ns);
	if (bin == NULL || report_deciles(r->p, r->ns, bin, breaks) < 0)
		goto fail;
	for (k = 0; k < 10; k++) {
		pmin[k] = INFINITY;
		pmax[k] = -INFINITY;
	}
	for (i = 0; i < r->ns; i++) {
		k = bin[i];
		n[k]++;
		pos[k] += r->y[i];
		stats_sum_add(&sp[k], &spc[k], r->p[i]);
		if (r->p[i] < pmin[k])
			pmin[k] = r->p[i];
		if (r->p[i] > pmax[k])
			pmax[k] = r->p[i];
	}
	free(bin);
	bin = NULL;
	TRYP(t = report_doc_table(doc, "calibration",
	    "Calibration by decile of predicted probability", 7, ck, ch));
	for (k = 0; k < 10; k++) {
		if (n[k] == 0)
			continue;
		TRY(report_table_row(t));
		report_table_num(t, 0, k + 1, REPORT_INT);
		report_table_num(t, 1, n[k], REPORT_INT);
		report_table_num(t, 2, pmin[k], REPORT_FIX4);
		report_table_num(t, 3, pmax[k], REPORT_FIX4);
		report_table_num(t, 4, (sp[k] + spc[k]) / n[k], REPORT_FIX4);
		report_table_num(t, 5, pos[k] / n[k], REPORT_FIX4);
		report_table_num(t, 6, pos[k], REPORT_INT);
		mx[nm] = (sp[k] + spc[k]) / n[k];
		my[nm] = pos[k] / n[k];
		nm++;
	}
	TRYP(report_doc_chart(doc, REPORT_CHART_CALIB, "Calibration", "mean predicted probability",
	    "observed rate", nm, mx, my, NULL));
	TRYP(t = report_doc_table(doc, "lift", "Lift by decile, highest scores first", 7, lk, lh));
	{
		double base = q->positives / (double)r->ns, cn = 0, cp = 0;
		for (k = 9; k >= 0; k--) {
			if (n[k] == 0)
				continue;
			cn += n[k];
			cp += pos[k];
			TRY(report_table_row(t));
			report_table_num(t, 0, k + 1, REPORT_INT);
			report_table_num(t, 1, n[k], REPORT_INT);
			report_table_num(t, 2, pos[k], REPORT_INT);
			report_table_num(t, 3, pos[k] / n[k], REPORT_FIX4);
			report_table_num(t, 4, base > 0 ? pos[k] / n[k] / base : NAN, REPORT_FIX2);
			report_table_num(t, 5, q->positives > 0 ? cp / q->positives : NAN, REPORT_PCT);
			report_table_num(t, 6, base > 0 ? cp / cn / base : NAN, REPORT_FIX2);
		}
	}
	return 0;
fail:
	free(bin);
	return -1;
}

struct report_doc *
report_build(const struct report *r, const struct model *model)
{
	struct report_doc *doc;
	struct report_table *t;
	struct quality q = { NAN, NAN, NAN, 0 };
	char title[DIAG_FILE_MAX + 32];

	snprintf(title, sizeof title, "Pricing report: %s", r->o.input_name);
	if (!r->pricing)
		snprintf(title, sizeof title, "Model report: %s", r->o.input_name);
	if (r->logged)
		snprintf(title, sizeof title, "%s: %s", r->c.policy >= 0 ? "Policy evaluation" :
		    "A/B test", r->o.input_name);
	doc = report_doc_new(r->o.title != NULL ? r->o.title : title, r->o.input_name,
	    r->o.currency);
	if (doc == NULL)
		return NULL;
	if (r->c.label >= 0 && quality_of(r, &q) < 0)
		goto fail;

	/* The flat summary the gate reads; for machines only. */
	TRYP(t = report_doc_kv(doc, "summary", "Summary"));
	t->detail = 1;
	TRY(report_table_kv(t, "rows", (double)r->total.n, REPORT_INT));
	if (r->pricing) {
		const struct sums *s = &r->total;
		TRY(report_table_kv(t, "rows_flagged", (double)s->n_flagged, REPORT_INT));
		TRY(report_table_kv(t, "base_demand", report_sum_of(s, S_BD), REPORT_FIX2));
		TRY(report_table_kv(t, "base_revenue", report_sum_of(s, S_BR), REPORT_FIX2));
		TRY(report_table_kv(t, "base_profit", report_sum_of(s, S_BP), REPORT_FIX2));
		TRY(report_table_kv(t, "exp_demand", report_sum_of(s, S_ED), REPORT_FIX2));
		TRY(report_table_kv(t, "exp_revenue", report_sum_of(s, S_ER), REPORT_FIX2));
		TRY(report_table_kv(t, "exp_profit", report_sum_of(s, S_EP), REPORT_FIX2));
		TRY(report_table_kv(t, "lift", report_sum_of(s, S_EP) - report_sum_of(s, S_BP), REPORT_FIX2));
		TRY(report_table_kv(t, "lift_rel", rel(report_sum_of(s, S_EP), report_sum_of(s, S_BP)),
		    REPORT_PCT));
	}
	if (r->c.label >= 0) {
		TRY(report_table_kv(t, "scored_rows", (double)r->ns, REPORT_INT));
		TRY(report_table_kv(t, "positives", q.positives, REPORT_INT));
		TRY(report_table_kv(t, "auc", q.auc, REPORT_FIX4));
		TRY(report_table_kv(t, "log_loss", q.log_loss, REPORT_FIX4));
		TRY(report_table_kv(t, "brier", q.brier, REPORT_FIX4));
	}

	if (r->logged)
		TRY(report_build_logged(r, doc));
	/* The decisions first (headline, pricing, curves, audit), then the model behind them. */
	if (r->pricing)
		TRY(build_headline(r, doc));
	if (r->pricing)
		TRY(build_pricing(r, doc));
	if (r->pricing && r->c.by >= 0 && r->el_p > 0)
		TRY(report_build_elasticity(r, doc, model));
	if (r->o.curves > 0)
		TRY(build_curves(r, doc));
	if (r->c.audit >= 0)
		TRY(build_audit(r, doc));
	if (model != NULL)
		TRY(report_build_model(doc, model));
	if (r->c.label >= 0)
		TRY(build_quality(r, doc, &q));
	return doc;
fail:
	report_doc_free(doc);
	return NULL;
}
