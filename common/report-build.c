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
			report_table_num(t, 3, report_sum_of(s, S_ED), REPORT_FIX2);
			report_table_num(t, 4, report_sum_of(s, S_EP), REPORT_FIX2);
			report_table_num(t, 5, report_sum_of(s, S_EP) - report_sum_of(s, S_BP), REPORT_FIX2);
		}
	}
	free(v);
	return 0;
fail:
	free(v);
	return -1;
}

static int
build_keep(const struct report *r, struct report_doc *doc, const char *name,
    const char *title, const struct keep *v, size_t n, int flagged)
{
	const char *keys[8], *heads[8];
	struct report_table *t;
	size_t nc = 0, i, c;

	keys[nc] = "rank", heads[nc++] = "#";
	keys[nc] = "line", heads[nc++] = "line";
	if (r->c.id >= 0)
		keys[nc] = "id", heads[nc++] = r->o.id_name;
	if (r->c.by >= 0)
		keys[nc] = "group", heads[nc++] = r->o.by_name;
	keys[nc] = "price", heads[nc++] = "today";
	keys[nc] = "opt_price", heads[nc++] = "chosen";
	keys[nc] = "change", heads[nc++] = "change";
	if (flagged)
		keys[nc] = "status", heads[nc++] = "status";
	else
		keys[nc] = "binding", heads[nc++] = "binding";
	t = report_doc_table(doc, name, title, nc, keys, heads);
	if (t == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		c = 0;
		if (report_table_row(t) < 0)
			return -1;
		report_table_num(t, c++, (double)(i + 1), REPORT_INT);
		report_table_num(t, c++, (double)v[i].line, REPORT_INT);
		if (r->c.id >= 0 && report_table_text(t, c++, v[i].id) < 0)
			return -1;
		if (r->c.by >= 0 && report_table_text(t, c++, v[i].group) < 0)
			return -1;
		report_table_num(t, c++, v[i].price, REPORT_FIX2);
		report_table_num(t, c++, v[i].opt, REPORT_FIX2);
		report_table_num(t, c++, v[i].change, REPORT_PCT);
		if (report_table_text(t, c++, flagged ? v[i].status : v[i].binding) < 0)
			return -1;
	}
	return 0;
}

static int
build_pricing(const struct report *r, struct report_doc *doc)
{
	static const char *const tk[] = { "measure", "today", "chosen", "change", "change_rel" };
	static const char *const th[] = { "", "today", "chosen", "change", "change %" };
	static const char *const measure[3] = { "demand", "revenue", "profit" };
	const struct sums *s = &r->total;
	struct report_table *t;
	struct entry **gv = NULL;
	char title[REPORT_ID_MAX + 64];
	int k;
	size_t i;

	TRY(report_doc_heading(doc, "Pricing"));
	TRYP(t = report_doc_table(doc, "totals", "Totals at today's and at the chosen prices", 5,
	    tk, th));
	for (k = 0; k < 3; k++) {
		double before = report_sum_of(s, S_BD + k), now = report_sum_of(s, S_ED + k);
		TRY(report_table_row(t));
		TRY(report_table_text(t, 0, measure[k]));
		report_table_num(t, 1, before, REPORT_FIX2);
		report_table_num(t, 2, now, REPORT_FIX2);
		report_table_num(t, 3, now - before, REPORT_FIX2);
		report_table_num(t, 4, rel(now, before), REPORT_PCT);
	}

	TRYP(t = report_doc_kv(doc, "changes", "Price changes"));
	TRY(report_table_kv(t, "rows|rows", (double)s->n, REPORT_INT));
	TRY(report_table_kv(t, "rows_up|prices raised", (double)r->n_up, REPORT_INT));
	TRY(report_table_kv(t, "rows_down|prices lowered", (double)r->n_down, REPORT_INT));
	TRY(report_table_kv(t, "rows_unchanged|prices unchanged", (double)r->n_same, REPORT_INT));
	TRY(report_table_kv(t, "rows_flagged|rows flagged", (double)s->n_flagged, REPORT_INT));
	TRY(report_table_kv(t, "mean_change|mean change",
	    r->n_change ? (r->sum_change + r->sum_change_c) / (double)r->n_change : NAN,
	    REPORT_PCT));
	TRY(report_table_kv(t, "min_change|smallest change", r->n_change ? r->min_change : NAN,
	    REPORT_PCT));
	TRY(report_table_kv(t, "max_change|largest change", r->n_change ? r->max_change : NAN,
	    REPORT_PCT));

	if (r->c.by >= 0) {
		const char *keys[] = { "group", "rows", "rows_flagged", "base_demand", "exp_demand",
		    "base_revenue", "exp_revenue", "base_profit", "exp_profit", "lift", "lift_rel",
		    "shadow_price" };
		const char *heads[] = { r->o.by_name, "rows", "flagged", "demand today",
		    "demand chosen", "revenue today", "revenue chosen", "profit today",
		    "profit chosen", "lift", "lift %", "shadow price" };
		snprintf(title, sizeof title, "By %s", r->o.by_name);
		TRYP(gv = report_keymap_sorted(&r->groups));
		TRYP(t = report_doc_table(doc, "by_group", title, r->c.shadow >= 0 ? 12 : 11, keys,
		    heads));
		for (i = 0; i < r->groups.n; i++) {
			const struct sums *g = &gv[i]->s;
			TRY(report_table_row(t));
			TRY(report_table_text(t, 0, gv[i]->key));
			report_table_num(t, 1, (double)g->n, REPORT_INT);
			report_table_num(t, 2, (double)g->n_flagged, REPORT_INT);
			for (k = 0; k < 3; k++) {
				report_table_num(t, 3 + 2 * k, report_sum_of(g, S_BD + k), REPORT_FIX2);
				report_table_num(t, 4 + 2 * k, report_sum_of(g, S_ED + k), REPORT_FIX2);
			}
			report_table_num(t, 9, report_sum_of(g, S_EP) - report_sum_of(g, S_BP), REPORT_FIX2);
			report_table_num(t, 10, rel(report_sum_of(g, S_EP), report_sum_of(g, S_BP)), REPORT_PCT);
			if (r->c.shadow >= 0)
				report_table_num(t, 11, g->shadow, REPORT_FIX4);
		}
		free(gv);
		gv = NULL;
	}

	{
		static const char *const hk[] = { "bin", "lo", "hi", "rows", "share" };
		static const char *const hh[] = { "change", "from", "to", "rows", "share" };
		size_t nb = r->nbins + 2;
		double *y = calloc(nb, sizeof *y);
		char **labels = calloc(nb, sizeof *labels);
		int bad = y == NULL || labels == NULL;
		t = bad ? NULL : report_doc_table(doc, "change_hist",
		    "Distribution of price changes (chosen / today - 1)", 5, hk, hh);
		for (i = 0; t != NULL && i < nb; i++) {
			double lo = i == 0 ? -INFINITY : -r->o.bin_range + r->o.bin_width * (double)(i - 1);
			double hi = i == nb - 1 ? INFINITY : -r->o.bin_range + r->o.bin_width * (double)i;
			char lab[64];
			/* Edges are multiples of the width: print them clean (no 1e-17 residue). */
			lo = isfinite(lo) ? floor(lo * 1e9 + 0.5) / 1e9 + 0.0 : lo;
			hi = isfinite(hi) ? floor(hi * 1e9 + 0.5) / 1e9 + 0.0 : hi;
			if (i == 0)
				snprintf(lab, sizeof lab, "< %g%%", hi * 100);
			else if (i == nb - 1)
				snprintf(lab, sizeof lab, "> %g%%", lo * 100);
			else
				snprintf(lab, sizeof lab, "%g%% .. %g%%", lo * 100, hi * 100);
			if (report_table_row(t) < 0 || report_table_text(t, 0, lab) < 0 ||
			    (labels[i] = malloc(strlen(lab) + 1)) == NULL) {
				bad = 1;
				break;
			}
			memcpy(labels[i], lab, strlen(lab) + 1);
			report_table_num(t, 1, isfinite(lo) ? lo : NAN, REPORT_PCT);
			report_table_num(t, 2, isfinite(hi) ? hi : NAN, REPORT_PCT);
			report_table_num(t, 3, (double)r->hist[i], REPORT_INT);
			report_table_num(t, 4, share(r->hist[i], r->n_change), REPORT_PCT);
			y[i] = (double)r->hist[i];
		}
		if (!bad && t != NULL) {
			/*
			 * People get the bins from the first to the last that holds a
			 * row; machines (JSON, CSV) get every bin.
			 */
			struct report_table *tp = report_doc_table(doc, "change_hist",
			    t->title, 5, hk, hh);
			size_t first = 0, last = nb;
			while (first < nb && r->hist[first] == 0)
				first++;
			while (last > first && r->hist[last - 1] == 0)
				last--;
			t->detail = 1;
			if (tp == NULL)
				bad = 1;
			else
				tp->detail = 2;
			for (i = first; !bad && i < last; i++) {
				const struct report_cell *c = &t->cells[i * 5];
				if (report_table_row(tp) < 0 || report_table_text(tp, 0, c[0].s) < 0)
					bad = 1;
				else
					for (k = 1; k < 5; k++)
						report_table_num(tp, (size_t)k, c[k].x, c[k].kind);
			}
		}
		if (!bad && t != NULL && report_doc_chart(doc, REPORT_CHART_BARS,
		    "Price changes", "change (chosen / today - 1)", "rows", nb, NULL, y,
		    (const char *const *)labels) == NULL)
			bad = 1;
		for (i = 0; labels != NULL && i < nb; i++)
			free(labels[i]);
		free(labels);
		free(y);
		if (bad || t == NULL)
			goto fail;
	}

	if (r->c.binding >= 0)
		TRY(build_counts(doc, &r->bindings, "binding", "Binding rules", "binding", s->n, 0));
	if (r->c.offer >= 0)
		TRY(build_counts(doc, &r->offers, "offers", "Offer mix", "offer_id", s->n, 1));
	if (r->c.status >= 0)
		TRY(build_counts(doc, &r->statuses, "status", "Status", "status", s->n, 0));
	if (r->o.top == 0)
		return 0;
	snprintf(title, sizeof title, "Largest increases (top %zu)", r->o.top);
	TRY(build_keep(r, doc, "largest_increases", title, r->inc, r->n_inc, 0));
	snprintf(title, sizeof title, "Largest decreases (top %zu)", r->o.top);
	TRY(build_keep(r, doc, "largest_decreases", title, r->dec, r->n_dec, 0));
	if (r->c.status >= 0) {
		snprintf(title, sizeof title, "Flagged rows (first %zu)", r->o.top);
		TRY(build_keep(r, doc, "flagged", title, r->flag, r->n_flag, 1));
	}
	return 0;
fail:
	free(gv);
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
	char buf[REPORT_ID_MAX + 64];

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
		report_table_num(ts, 1, c->today, REPORT_FIX2);
		report_table_num(ts, 2, c->chosen, REPORT_FIX2);
		report_table_num(ts, 3, c->today_demand, REPORT_FIX4);
		report_table_num(ts, 4, c->chosen_demand, REPORT_FIX4);
		report_table_num(ts, 5, c->today_profit, REPORT_FIX2);
		report_table_num(ts, 6, c->chosen_profit, REPORT_FIX2);
		report_table_num(ts, 7, c->n ? c->price[best] : NAN, REPORT_FIX2);
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
		snprintf(buf, sizeof buf, "Demand: %s", c->label);
		TRYP(ch = report_doc_chart(doc, REPORT_CHART_LINES, buf, "price", "expected demand",
		    c->n, c->price, c->demand, NULL));
		ch->mark[0] = c->today;
		ch->mark[1] = c->chosen;
		snprintf(buf, sizeof buf, "Profit: %s", c->label);
		TRYP(ch = report_doc_chart(doc, REPORT_CHART_LINES, buf, "price", "expected profit",
		    c->n, c->price, c->profit, NULL));
		ch->mark[0] = c->today;
		ch->mark[1] = c->chosen;
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
report_build(const struct report *r, const json_t *model)
{
	struct report_doc *doc;
	struct report_table *t;
	struct quality q = { NAN, NAN, NAN, 0 };
	char title[DIAG_FILE_MAX + 32];

	snprintf(title, sizeof title, "Pricing report: %s", r->o.input_name);
	if (!r->pricing)
		snprintf(title, sizeof title, "Model report: %s", r->o.input_name);
	doc = report_doc_new(title, r->o.input_name);
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

	if (r->pricing)
		TRY(build_pricing(r, doc));
	if (model != NULL)
		TRY(report_build_model(doc, model));
	if (r->o.curves > 0)
		TRY(build_curves(r, doc));
	if (r->c.label >= 0)
		TRY(build_quality(r, doc, &q));
	return doc;
fail:
	report_doc_free(doc);
	return NULL;
}
