/*
 * test_report.c - the figures of common/report.c against hand-computed
 * values and against R (testdata/report-metrics.R wrote
 * testdata/report-metrics-ref.csv from testdata/report-scored.csv).
 */
#include "check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "num.h"
#include "report.h"

/* The number in column key of the row of t whose column 0 (a number) is row_key. */
static double
cell_by_num(const struct report_table *t, double row_key, const char *key)
{
	size_t r, c;

	if (t == NULL)
		return NAN;
	for (c = 0; c < t->ncols; c++)
		if (strcmp(t->keys[c], key) == 0)
			break;
	for (r = 0; c < t->ncols && r < t->nrows; r++)
		if (t->cells[r * t->ncols].x == row_key)
			return t->cells[r * t->ncols + c].x;
	return NAN;
}

/* The number in column key of the row of t whose column 0 (text) is row_key. */
static double
cell_by_text(const struct report_table *t, const char *row_key, const char *key)
{
	size_t r, c;

	if (t == NULL)
		return NAN;
	for (c = 0; c < t->ncols; c++)
		if (strcmp(t->keys[c], key) == 0)
			break;
	for (r = 0; c < t->ncols && r < t->nrows; r++)
		if (t->cells[r * t->ncols].s != NULL && strcmp(t->cells[r * t->ncols].s, row_key) == 0)
			return t->cells[r * t->ncols + c].x;
	return NAN;
}

static double
kv(const struct report_table *t, const char *key)
{
	size_t r;

	for (r = 0; t != NULL && r < t->nrows; r++)
		if (strcmp(t->cells[r * 3].s, key) == 0)
			return t->cells[r * 3 + 2].x;
	return NAN;
}

/* RFC 3629 and the Unicode Standard's table 3-7 of well-formed byte sequences. */
static void
test_utf8(void)
{
	static const struct { const char *s; long cp; size_t len; } v[] = {
		{ "A", 'A', 1 }, { "\xC2\x80", 0x80, 2 }, { "\xDF\xBF", 0x7FF, 2 },
		{ "\xE0\xA0\x80", 0x800, 3 }, { "\xED\x9F\xBF", 0xD7FF, 3 },
		{ "\xEF\xBF\xBF", 0xFFFF, 3 }, { "\xF0\x90\x80\x80", 0x10000, 4 },
		{ "\xF4\x8F\xBF\xBF", 0x10FFFF, 4 },
		{ "\xC0\xAF", -1, 1 },            /* overlong '/' */
		{ "\xC1\xBF", -1, 1 },            /* overlong */
		{ "\xE0\x9F\xBF", -1, 1 },        /* overlong U+07FF */
		{ "\xED\xA0\x80", -1, 1 },        /* a surrogate */
		{ "\xF4\x90\x80\x80", -1, 1 },    /* above U+10FFFF */
		{ "\xF5\x80\x80\x80", -1, 1 },
		{ "\x80", -1, 1 },                /* a lone continuation byte */
		{ "\xE2\x82", -1, 1 },            /* cut short */
		{ "\xE2\x28\xA1", -1, 1 },        /* not a continuation byte */
	};
	size_t i, len;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		long cp = report_utf8_next(v[i].s, strlen(v[i].s), &len);
		CHECK(cp == v[i].cp && len == v[i].len, v[i].s);
	}
	CHECK(report_cp_unsafe(0x1B) && report_cp_unsafe(0x7F) && report_cp_unsafe(0x9B) &&
	    report_cp_unsafe(0x202E) && report_cp_unsafe(0x2066) && !report_cp_unsafe(' ') &&
	    !report_cp_unsafe(0xE9) && !report_cp_unsafe(0x20AC), "unsafe code points");
}

static void
test_human(void)
{
	char buf[64];

	CHECK_STR(report_human(-0.001, REPORT_FIX2, buf, sizeof buf), "0.00", "no -0.00");
	CHECK_STR(report_human(-0.00001, REPORT_PCT, buf, sizeof buf), "0.00%", "no -0.00%");
	CHECK_STR(report_human(-0.006, REPORT_FIX2, buf, sizeof buf), "-0.01", "negative kept");
	CHECK_STR(report_human(NAN, REPORT_FIX4, buf, sizeof buf), "-", "NaN is -");
	CHECK_STR(report_human(0.12345, REPORT_PCT, buf, sizeof buf), "12.35%", "percent");
	CHECK_STR(report_human(1234567, REPORT_INT, buf, sizeof buf), "1234567", "count");
	CHECK_STR(report_human(2.0 / 3, REPORT_FIX4, buf, sizeof buf), "0.6667", "fix4");
	CHECK_STR(report_human(0.00009, REPORT_PVAL, buf, sizeof buf), "<0.0001", "tiny p-value");
	CHECK_STR(report_human(0.0212, REPORT_PVAL, buf, sizeof buf), "0.0212", "p-value");
}

static void
test_bins(void)
{
	struct diag d;

	CHECK(report_check_bins(0.05, 0.5, &d) == 0, "default bins");
	CHECK(report_check_bins(0.1, 0.3, &d) == 0, "0.3 / 0.1 is 3 despite rounding");
	CHECK(report_check_bins(0.03, 0.5, &d) < 0, "0.5 / 0.03 is not whole");
	CHECK(report_check_bins(0, 0.5, &d) < 0, "zero width");
	CHECK(report_check_bins(0.0001, 0.5, &d) < 0, "too many bins");
}

/* Read a CSV fixture into a report; returns the report or NULL. */
static struct report *
read_fixture(const char *path, struct report_opts *o, int pricing, int scored)
{
	struct diag d;
	struct csvio_reader *in = csvio_open(path, ',', &d);
	struct report_cols c;
	struct csvio_row row;
	struct report *r;

	if (in == NULL)
		return NULL;
	memset(&c, 0xff, sizeof c);   /* every column -1 */
	if (pricing) {
		c.price = csvio_col(in, "price");
		c.opt_price = csvio_col(in, "opt_price");
		c.exp_demand = csvio_col(in, "exp_demand");
		c.exp_revenue = csvio_col(in, "exp_revenue");
		c.exp_profit = csvio_col(in, "exp_profit");
		c.base_demand = csvio_col(in, "base_demand");
		c.base_revenue = csvio_col(in, "base_revenue");
		c.base_profit = csvio_col(in, "base_profit");
		c.binding = csvio_col(in, "binding");
		c.status = csvio_col(in, "status");
		c.offer = csvio_col(in, "offer_id");
		c.by = csvio_col(in, "region");
		c.id = csvio_col(in, "id");
	}
	if (scored) {
		c.label = csvio_col(in, "bought");
		c.pred = csvio_col(in, "p_buy");
	}
	o->input_name = path;
	r = report_new(o, &c);
	while (r != NULL && csvio_next(in, &row, &d) > 0)
		if (report_add_row(r, &row, &d) < 0)
			printf("     %s:%ld: %s\n", path, row.line, d.what);
	csvio_close(in);
	return r;
}

static void
test_pricing(void)
{
	struct report_opts o = { .bin_width = 0.05, .bin_range = 0.5, .top = 3, .by_name = "region",
	    .id_name = "id", .price_name = "price" };
	struct report *r = read_fixture("report-opt.csv", &o, 1, 0);
	struct report_doc *doc = r ? report_build(r, NULL) : NULL;
	const struct report_table *s, *t;

	CHECK(doc != NULL, "pricing report builds");
	if (doc == NULL) {
		report_free(r);
		return;
	}
	/* Sums by hand from the ten rows of report-opt.csv. */
	s = report_doc_find(doc, "summary");
	CHECK_REL(kv(s, "rows"), 10, 0, "rows");
	CHECK_REL(kv(s, "rows_flagged"), 2, 0, "flagged: wrong_sign and no_interior");
	CHECK_REL(kv(s, "base_demand"), 5.55, 1e-14, "base demand");
	CHECK_REL(kv(s, "exp_demand"), 5.5, 1e-14, "exp demand");
	CHECK_REL(kv(s, "base_revenue"), 67.5, 1e-14, "base revenue");
	CHECK_REL(kv(s, "exp_revenue"), 72.68, 1e-14, "exp revenue");
	CHECK_REL(kv(s, "base_profit"), 26.8, 1e-14, "base profit");
	CHECK_REL(kv(s, "exp_profit"), 26.68, 1e-14, "exp profit");
	CHECK_REL(kv(s, "lift"), -0.12, 1e-12, "lift");
	CHECK_REL(kv(s, "lift_rel"), -0.12 / 26.8, 1e-12, "relative lift");
	t = report_doc_find(doc, "changes");
	CHECK_REL(kv(t, "rows_up"), 5, 0, "raised");
	CHECK_REL(kv(t, "rows_down"), 3, 0, "lowered");
	CHECK_REL(kv(t, "rows_unchanged"), 2, 0, "unchanged");
	CHECK_REL(kv(t, "mean_change"), 0.05, 1e-14, "mean change");
	t = report_doc_find(doc, "change_hist");
	/* 7.2/8 is a hair above -10%: it still counts in [-10%, -5%), as 18/20 does. */
	CHECK_REL(cell_by_text(t, "-10% .. -5%", "rows"), 2, 0, "edge -10%");
	CHECK_REL(cell_by_text(t, "-20% .. -15%", "rows"), 1, 0, "edge -20%");
	CHECK_REL(cell_by_text(t, "0% .. 5%", "rows"), 2, 0, "unchanged in [0, 5%)");
	CHECK_REL(cell_by_text(t, "10% .. 15%", "rows"), 2, 0, "edge 10%");
	CHECK_REL(cell_by_text(t, "25% .. 30%", "rows"), 2, 0, "edge 25%");
	t = report_doc_find(doc, "by_group");
	CHECK_REL(cell_by_text(t, "east", "exp_revenue"), 23.3, 1e-14, "east revenue");
	CHECK_REL(cell_by_text(t, "north", "base_profit"), 9.1, 1e-14, "north profit");
	CHECK_REL(cell_by_text(t, "south", "rows_flagged"), 2, 0, "south flagged");
	CHECK(t != NULL && t->nrows == 3 && strcmp(t->cells[0].s, "east") == 0 &&
	    strcmp(t->cells[2 * t->ncols].s, "south") == 0, "groups sorted by name");
	t = report_doc_find(doc, "offers");
	CHECK_REL(cell_by_text(t, "(none)", "exp_profit"), 18.08, 1e-14, "no-offer profit");
	CHECK_REL(cell_by_text(t, "P10", "rows"), 2, 0, "P10 rows");
	t = report_doc_find(doc, "largest_increases");
	/* g (line 8) and j (line 11) both +25%: input order; then b +20%. */
	CHECK_REL(cell_by_num(t, 1, "line"), 8, 0, "first increase: line 8");
	CHECK_REL(cell_by_num(t, 2, "line"), 11, 0, "tie: the later row second");
	CHECK_REL(cell_by_num(t, 3, "line"), 3, 0, "third increase");
	CHECK(t != NULL && t->nrows == 3, "--top 3");
	t = report_doc_find(doc, "largest_decreases");
	CHECK_REL(cell_by_num(t, 1, "change"), -0.2, 1e-15, "largest decrease");
	/*
	 * The headline by hand: rises a +10%, b +20%, e +10%, g +25%, j +25%
	 * (mean 18%); cuts c -10%, f -10%, i -20% (mean -13.33%); losing rows
	 * f -0.12, g -0.10, i -0.60 (loss -0.82); at a bound b max_change, f
	 * min_margin, g max_price, i max_change (e's ladder is not a bound).
	 */
	t = report_doc_find(doc, "headline");
	CHECK_REL(kv(t, "mean_rise"), 0.18, 1e-14, "mean rise");
	CHECK_REL(kv(t, "mean_cut"), -0.4 / 3, 1e-14, "mean cut");
	CHECK_REL(kv(t, "rows_losing"), 3, 0, "losing rows");
	CHECK_REL(kv(t, "loss"), -0.82, 1e-12, "their loss");
	CHECK_REL(kv(t, "rows_at_bound"), 4, 0, "rows at a bound");
	t = report_doc_find(doc, "by_group");
	CHECK_REL(cell_by_text(t, "east", "price_mean"), 47.0 / 3, 1e-14, "east mean price");
	CHECK_REL(cell_by_text(t, "east", "opt_price_mean"), 44.5 / 3, 1e-14, "east mean chosen");
	CHECK_REL(cell_by_text(t, "north", "change_mean"), 0.1125, 1e-14, "north mean change");
	report_doc_free(doc);
	report_free(r);
}

static void
test_show(void)
{
	static const double ounce[] = { 0.0412, 0.0899, 0 }, big[] = { 1234567.891, 0.5 };
	static const double small[] = { 0.05, 0.012 }, tiny[] = { 0.12 };
	struct report_doc *doc = report_doc_new("t", "in", "$");
	char buf[96];

	CHECK(report_fit_decimals(REPORT_PRICE, ounce, 3) == 4, "per-ounce prices: 4 decimals");
	CHECK(report_fit_decimals(REPORT_PRICE, big, 2) == 3, "a price of 0.5: 3 decimals");
	CHECK(report_fit_decimals(REPORT_MONEY, big, 2) == 2, "money: the largest decides");
	CHECK(report_fit_decimals(REPORT_MONEY, small, 2) == 3, "money below 0.1: 3 decimals");
	CHECK(report_fit_decimals(REPORT_QTY, tiny, 1) == 2, "0.12: 2 decimals");
	CHECK(report_fit_decimals(REPORT_PCT, tiny, 1) == 2, "other kinds: 2");
	CHECK_STR(report_show(doc, 1234567.891, REPORT_MONEY, 2, buf, sizeof buf), "$1,234,567.89",
	    "money grouped, with the symbol");
	CHECK_STR(report_show(doc, -1234.5, REPORT_PRICE, 2, buf, sizeof buf), "-$1,234.50",
	    "the sign before the symbol");
	CHECK_STR(report_show(doc, -0.001, REPORT_MONEY, 2, buf, sizeof buf), "$0.00", "no -$0.00");
	CHECK_STR(report_show(doc, 999.999, REPORT_QTY, 2, buf, sizeof buf), "1,000.00",
	    "rounding carries into a new group; no symbol on demand");
	CHECK_STR(report_show(doc, 0.0412, REPORT_PRICE, 4, buf, sizeof buf), "$0.0412", "4 decimals");
	CHECK_STR(report_show(doc, 1234567, REPORT_INT, 2, buf, sizeof buf), "1,234,567", "counts");
	CHECK_STR(report_show(doc, 0.5, REPORT_PCT, 2, buf, sizeof buf), "50.00%", "percent as is");
	CHECK_STR(report_show(doc, NAN, REPORT_MONEY, 2, buf, sizeof buf), "-", "NaN");
	CHECK(report_key_cmp("2", "10") < 0 && report_key_cmp("10", "b") < 0 &&
	    report_key_cmp("a", "b") < 0 && report_key_cmp("1.0", "1") > 0 &&
	    report_key_cmp("-3", "2") < 0, "numeric keys by value, first");
	report_doc_free(doc);
}

static void
test_scored(void)
{
	struct report_opts o = { .bin_width = 0.05, .bin_range = 0.5, .top = 5, .price_name = "price",
	    .label_name = "bought", .pred_name = "p_buy" };
	struct report *r = read_fixture("report-scored.csv", &o, 0, 1);
	struct report_doc *doc = r ? report_build(r, NULL) : NULL;
	const struct report_table *q, *cal, *lift;
	struct diag d;
	struct csvio_reader *ref = csvio_open("report-metrics-ref.csv", ',', &d);
	struct csvio_row row;
	double ref_break[11];
	int nref = 0, nbreak = 0;

	CHECK(doc != NULL && ref != NULL, "scored report builds; R reference opens");
	if (doc == NULL || ref == NULL) {
		csvio_close(ref);
		report_doc_free(doc);
		report_free(r);
		return;
	}
	q = report_doc_find(doc, "quality");
	cal = report_doc_find(doc, "calibration");
	lift = report_doc_find(doc, "lift");
	while (csvio_next(ref, &row, &d) > 0) {
		const char *name = row.f[0];
		double want, got = NAN;
		int k;
		char col[64];
		if (num_parse(row.f[1], row.len[1], &want, 0) != NUM_OK)
			continue;
		if (sscanf(name, "break.%d", &k) == 1 && k >= 0 && k <= 10) {
			ref_break[k] = want;   /* checked with the bins below */
			nbreak++;
			continue;
		}
		if (sscanf(name, "calibration.%d.%63s", &k, col) == 2)
			got = cell_by_num(cal, k, strcmp(col, "rows") == 0 ? "rows" : col);
		else if (sscanf(name, "lift.%d.%63s", &k, col) == 2)
			got = cell_by_num(lift, k, col);
		else
			got = kv(q, name);
		CHECK_REL(got, want, 1e-12, name);
		nref++;
	}
	CHECK(nref > 40, "the R reference has every figure");
	{
		/* Breaks against R's quantile(type = 7). */
		double *p = malloc(40 * sizeof *p), breaks[11];
		unsigned char *bin = malloc(40);
		size_t i, n = 0;
		struct csvio_reader *in = csvio_open("report-scored.csv", ',', &d);
		while (in != NULL && csvio_next(in, &row, &d) > 0 && n < 40)
			num_parse(row.f[2], row.len[2], &p[n++], 0);
		csvio_close(in);
		CHECK(n == 40 && report_deciles(p, n, bin, breaks) == 0, "deciles");
		CHECK(nbreak == 11, "the R reference has 11 breaks");
		for (i = 0; i <= 10 && nbreak == 11; i++)
			CHECK(breaks[i] == ref_break[i], "decile break is R's quantile(type = 7), to the bit");
		free(p);
		free(bin);
	}
	csvio_close(ref);
	report_doc_free(doc);
	report_free(r);
}

static void
test_gate(void)
{
	struct report_opts o = { .bin_width = 0.05, .bin_range = 0.5, .top = 3, .by_name = "region",
	    .id_name = "id", .price_name = "price" };
	struct report *r = read_fixture("report-opt.csv", &o, 1, 0);
	struct report_doc *doc = r ? report_build(r, NULL) : NULL;
	const char *names[] = { "exp_profit", "rows_flagged" };
	struct report_gate_result res[2];
	struct diag d;
	json_t *base;

	if (doc == NULL) {
		CHECK(0, "gate: report builds");
		report_free(r);
		return;
	}
	/* exp_profit was 27 (now 26.68: -1.19%), rows_flagged was 2 (now 2). */
	base = json_pack("{s:s,s:i,s:{s:f,s:i}}", "format", "pr-report", "version", 1,
	    "summary", "exp_profit", 27.0, "rows_flagged", 2);
	CHECK(report_gate(base, "b", doc, names, 2, 0.02, res, &d) == 0, "a 1.2% fall passes 2%");
	CHECK(report_gate(base, "b", doc, names, 2, 0.01, res, &d) == 1, "but fails 1%");
	CHECK(res[0].failed && !res[1].failed, "exp_profit failed, rows_flagged did not");
	CHECK_REL(res[0].change_rel, (26.68 - 27) / 27, 1e-12, "relative change");
	json_object_set_new(json_object_get(base, "summary"), "rows_flagged", json_integer(1));
	CHECK(report_gate(base, "b", doc, names + 1, 1, 0.5, res, &d) == 1,
	    "lower is better: 1 -> 2 flagged rows is a rise of 100%");
	CHECK(report_gate(base, "b", doc, names + 1, 1, 1.0, res, &d) == 0, "within 100%");
	{
		const char *auc[] = { "auc" };
		CHECK(report_gate(base, "b", doc, auc, 1, 0, res, &d) < 0 &&
		    strstr(d.what, "no metric \"auc\" in the baseline") != NULL, "missing metric");
	}
	json_decref(base);
	report_doc_free(doc);
	report_free(r);
}

int
main(void)
{
	test_utf8();
	test_human();
	test_show();
	test_bins();
	test_pricing();
	test_scored();
	test_gate();
	return check_done();
}
