/*
 * report-html.c - the HTML writer of report-doc.h: one self-contained page
 * (inline CSS and SVG; no script, no network), written so that it is also
 * well-formed XML (every element closed, attributes quoted, text escaped),
 * which lets `xmllint --noout` check it.
 */
#include "report-doc.h"

#include <math.h>
#include <string.h>

/* Plot area inside each SVG: margins leave room for the axis labels. */
#define SVG_W 520
#define SVG_H 300
#define PAD_L 64
#define PAD_R 16
#define PAD_T 28
#define PAD_B 44

/*
 * Text and attribute values: the markup characters as entities; a byte that
 * is not UTF-8 as U+FFFD (the page says charset utf-8, and XML has no way to
 * carry one); C0 controls but tab and line feed, DEL and C1 controls as a
 * space (XML 1.0 allows no C0 control, HTML none of them); U+FFFE and
 * U+FFFF, which are not XML characters, as U+FFFD.
 */
static void
esc(FILE *fp, const char *s)
{
	size_t n = strlen(s), i, len;

	for (i = 0; i < n; i += len) {
		long cp = report_utf8_next(s + i, n - i, &len);
		switch (cp) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\t': case '\n': putc((int)cp, fp); break;
		case -1: case 0xFFFE: case 0xFFFF: fputs("\xEF\xBF\xBD", fp); break;
		default:
			if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
				putc(' ', fp);
			else
				fwrite(s + i, 1, len, fp);
		}
	}
}

static void
html_table(const struct report_table *t, FILE *fp)
{
	size_t first = t->kv ? 1 : 0, r, c;
	char buf[64];

	fputs("<h3>", fp);
	esc(fp, t->title);
	fputs("</h3>\n", fp);
	if (t->nrows == 0) {
		fputs("<p>(none)</p>\n", fp);
		return;
	}
	fprintf(fp, "<table class=\"%s\">\n", t->kv ? "kv" : "grid");
	if (!t->kv) {
		fputs("<tr>", fp);
		for (c = first; c < t->ncols; c++) {
			fputs(t->cells[c].kind != REPORT_TEXT ? "<th class=\"n\">" : "<th>", fp);
			esc(fp, t->heads[c]);
			fputs("</th>", fp);
		}
		fputs("</tr>\n", fp);
	}
	for (r = 0; r < t->nrows; r++) {
		fputs("<tr>", fp);
		for (c = first; c < t->ncols; c++) {
			const struct report_cell *cell = &t->cells[r * t->ncols + c];
			if (cell->kind == REPORT_TEXT) {
				fputs(t->kv && c == 1 ? "<th>" : "<td>", fp);
				esc(fp, cell->s != NULL ? cell->s : "");
				fputs(t->kv && c == 1 ? "</th>" : "</td>", fp);
			} else {
				fputs("<td class=\"n\">", fp);
				esc(fp, report_human(cell->x, cell->kind, buf, sizeof buf));
				fputs("</td>", fp);
			}
		}
		fputs("</tr>\n", fp);
	}
	fputs("</table>\n", fp);
}

/* A "nice" step for about n ticks over [lo, hi]: 1, 2 or 5 times a power of ten. */
static double
nice_step(double lo, double hi, int n)
{
	double raw = (hi - lo) / n, mag, f;

	if (!(raw > 0))
		return 1;
	mag = pow(10, floor(log10(raw)));
	f = raw / mag;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

struct axis {
	double lo, hi;       /* data range shown */
	double p0, p1;       /* pixel positions of lo and hi */
};

static double
ax_map(const struct axis *a, double v)
{
	if (a->hi == a->lo)
		return (a->p0 + a->p1) / 2;
	return a->p0 + (v - a->lo) / (a->hi - a->lo) * (a->p1 - a->p0);
}

/* Range of the finite values of v[0..n), widened when empty or flat. */
static void
ax_range(struct axis *a, const double *v, size_t n, int from_zero)
{
	size_t i;
	double step;

	a->lo = from_zero ? 0 : INFINITY;
	a->hi = from_zero ? 0 : -INFINITY;
	for (i = 0; i < n; i++) {
		if (!isfinite(v[i]))
			continue;
		if (v[i] < a->lo)
			a->lo = v[i];
		if (v[i] > a->hi)
			a->hi = v[i];
	}
	if (!isfinite(a->lo) || !isfinite(a->hi)) {
		a->lo = 0;
		a->hi = 1;
	}
	if (a->hi == a->lo) {
		a->lo -= 0.5;
		a->hi += 0.5;
	}
	step = nice_step(a->lo, a->hi, 5);
	a->lo = floor(a->lo / step) * step;
	a->hi = ceil(a->hi / step) * step;
}

static void
tick_label(FILE *fp, double v, double step)
{
	int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);

	if (dec > 6)
		dec = 6;
	if (fabs(v) < step * 1e-9)
		v = 0;
	fprintf(fp, "%.*f", dec, v);
}

static void
axes(FILE *fp, const struct report_chart *ch, const struct axis *ax, const struct axis *ay,
    int x_ticks)
{
	double step, v;

	fprintf(fp, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"frame\"/>\n",
	    PAD_L, PAD_T, SVG_W - PAD_L - PAD_R, SVG_H - PAD_T - PAD_B);
	step = nice_step(ay->lo, ay->hi, 5);
	if (ch->kind == REPORT_CHART_BARS && step < 1)
		step = 1;   /* counts of rows: whole ticks */
	for (v = ay->lo; v <= ay->hi + step * 1e-9; v += step) {
		double py = ax_map(ay, v);
		fprintf(fp, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>",
		    PAD_L, py, SVG_W - PAD_R, py);
		fprintf(fp, "<text x=\"%d\" y=\"%.1f\" class=\"yt\">", PAD_L - 4, py + 4);
		tick_label(fp, v, step);
		fputs("</text>\n", fp);
	}
	if (x_ticks) {
		step = nice_step(ax->lo, ax->hi, 6);
		for (v = ceil(ax->lo / step) * step; v <= ax->hi + step * 1e-9; v += step) {
			double px = ax_map(ax, v);
			fprintf(fp, "<text x=\"%.1f\" y=\"%d\" class=\"xt\">", px, SVG_H - PAD_B + 16);
			tick_label(fp, v, step);
			fputs("</text>\n", fp);
		}
	}
	fprintf(fp, "<text x=\"%d\" y=\"%d\" class=\"xl\">", (SVG_W + PAD_L) / 2, SVG_H - 6);
	esc(fp, ch->xlabel);
	fputs("</text>\n", fp);
	fprintf(fp, "<text x=\"14\" y=\"%d\" class=\"yl\" transform=\"rotate(-90 14 %d)\">",
	    (SVG_H + PAD_T - PAD_B) / 2, (SVG_H + PAD_T - PAD_B) / 2);
	esc(fp, ch->ylabel);
	fputs("</text>\n", fp);
	fprintf(fp, "<text x=\"%d\" y=\"18\" class=\"title\">", PAD_L);
	esc(fp, ch->title);
	fputs("</text>\n", fp);
}

static void
chart_bars(FILE *fp, const struct report_chart *ch)
{
	struct axis ax = { 0, 1, PAD_L, SVG_W - PAD_R };
	struct axis ay = { 0, 1, SVG_H - PAD_B, PAD_T };
	double bw = ch->n ? (double)(SVG_W - PAD_L - PAD_R) / (double)ch->n : 0;
	size_t i, every;

	ax_range(&ay, ch->y, ch->n, 1);
	axes(fp, ch, &ax, &ay, 0);
	every = ch->n > 8 ? (ch->n + 7) / 8 : 1;
	for (i = 0; i < ch->n; i++) {
		double x = PAD_L + bw * (double)i;
		double y = ax_map(&ay, ch->y[i]), y0 = ax_map(&ay, 0);
		if (isfinite(ch->y[i]) && ch->y[i] > 0)
			fprintf(fp, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			    "class=\"bar\"><title>", x + 1, y, bw > 2 ? bw - 2 : bw, y0 - y);
		else
			continue;
		esc(fp, ch->labels != NULL ? ch->labels[i] : "");
		fprintf(fp, ": %.0f</title></rect>\n", ch->y[i]);
	}
	/*
	 * Ticks at bin edges, symmetric about the middle edge (0% for the
	 * histogram of changes), about eight of them: the text of a bin's label
	 * before " .. " is its lower edge.
	 */
	for (i = 1; i < ch->n && ch->labels != NULL; i++) {
		const char *lab = ch->labels[i], *dots = strstr(lab, " .. ");
		size_t mid = ch->n / 2;
		if ((i > mid ? i - mid : mid - i) % every != 0)
			continue;
		if (strncmp(lab, "> ", 2) == 0)
			lab += 2;
		fprintf(fp, "<text x=\"%.1f\" y=\"%d\" class=\"xt\">%.*s</text>\n",
		    PAD_L + bw * (double)i, SVG_H - PAD_B + 16,
		    dots ? (int)(dots - lab) : (int)strlen(lab), lab);
	}
}

static void
polyline(FILE *fp, const double *x, const double *y, size_t n, const struct axis *ax,
    const struct axis *ay, const char *cls)
{
	size_t i;
	int open = 0;

	for (i = 0; i < n; i++) {
		if (!isfinite(x[i]) || !isfinite(y[i])) {
			if (open)
				fputs("\"/>\n", fp);
			open = 0;
			continue;
		}
		if (!open)
			fprintf(fp, "<polyline class=\"%s\" points=\"", cls);
		fprintf(fp, "%s%.1f,%.1f", open ? " " : "", ax_map(ax, x[i]), ax_map(ay, y[i]));
		open = 1;
	}
	if (open)
		fputs("\"/>\n", fp);
}

static void
chart_lines(FILE *fp, const struct report_chart *ch)
{
	struct axis ax = { 0, 1, PAD_L, SVG_W - PAD_R };
	struct axis ay = { 0, 1, SVG_H - PAD_B, PAD_T };
	static const char *const cls[2] = { "today", "chosen" };
	static const char *const name[2] = { "today", "chosen" };
	size_t k;

	ax_range(&ax, ch->x, ch->n, 0);
	ax.lo = ch->n ? ch->x[0] : 0;
	ax.hi = ch->n ? ch->x[ch->n - 1] : 1;
	if (!(ax.hi > ax.lo)) {
		ax.lo -= 0.5;
		ax.hi += 0.5;
	}
	ax_range(&ay, ch->y, ch->n, 0);
	axes(fp, ch, &ax, &ay, 1);
	polyline(fp, ch->x, ch->y, ch->n, &ax, &ay, "curve");
	for (k = 0; k < 2; k++) {
		double px;
		if (!isfinite(ch->mark[k]))
			continue;
		px = ax_map(&ax, ch->mark[k]);
		fprintf(fp, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"%s\"/>",
		    px, PAD_T, px, SVG_H - PAD_B, cls[k]);
		fprintf(fp, "<text x=\"%.1f\" y=\"%d\" class=\"mark\">%s</text>\n", px + 3,
		    PAD_T + 12 + 12 * (int)k, name[k]);
	}
}

static void
chart_calib(FILE *fp, const struct report_chart *ch)
{
	struct axis ax = { 0, 1, PAD_L, SVG_W - PAD_R };
	struct axis ay = { 0, 1, SVG_H - PAD_B, PAD_T };
	static const double diag[2] = { 0, 1 };
	size_t i;

	axes(fp, ch, &ax, &ay, 1);
	polyline(fp, diag, diag, 2, &ax, &ay, "diag");
	polyline(fp, ch->x, ch->y, ch->n, &ax, &ay, "curve");
	for (i = 0; i < ch->n; i++)
		if (isfinite(ch->x[i]) && isfinite(ch->y[i]))
			fprintf(fp, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" class=\"dot\"/>\n",
			    ax_map(&ax, ch->x[i]), ax_map(&ay, ch->y[i]));
}

static void
html_chart(const struct report_chart *ch, FILE *fp)
{
	fprintf(fp, "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" "
	    "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\"><title>",
	    SVG_W, SVG_H, SVG_W, SVG_H);
	esc(fp, ch->title);
	fputs("</title>\n", fp);
	switch (ch->kind) {
	case REPORT_CHART_BARS:
		chart_bars(fp, ch);
		break;
	case REPORT_CHART_LINES:
		chart_lines(fp, ch);
		break;
	case REPORT_CHART_CALIB:
		chart_calib(fp, ch);
		break;
	}
	fputs("</svg></figure>\n", fp);
}

static const char style[] =
"body{font-family:sans-serif;margin:2em auto;max-width:60em;color:#222}"
"h1{font-size:1.5em}h2{font-size:1.25em;border-bottom:1px solid #ccc;margin-top:2em}"
"h3{font-size:1em;margin-bottom:.3em}"
"table{border-collapse:collapse;margin:.3em 0 1em}"
"td,th{padding:.15em .8em;border-bottom:1px solid #eee;text-align:left}"
"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
"table.kv th{font-weight:normal;color:#555}"
"figure{display:inline-block;margin:.5em 1em 1.5em 0}"
"svg.chart{font-size:11px;background:#fff}"
".frame{fill:none;stroke:#999}.grid{stroke:#eee}"
".yt{text-anchor:end}.xt{text-anchor:middle}.xl{text-anchor:middle}.yl{text-anchor:middle}"
".title{font-weight:bold}.bar{fill:#4a7ab5}"
".curve{fill:none;stroke:#4a7ab5;stroke-width:2}.diag{fill:none;stroke:#aaa;stroke-dasharray:4 3}"
".dot{fill:#4a7ab5}.today{stroke:#888;stroke-dasharray:5 3}.chosen{stroke:#c0392b;stroke-width:2}"
".mark{fill:#555}";

int
report_write_html(const struct report_doc *doc, FILE *fp)
{
	size_t i;

	fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n"
	    "<head>\n<meta charset=\"utf-8\"/>\n<title>", fp);
	esc(fp, doc->title);
	fprintf(fp, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", style);
	esc(fp, doc->title);
	fputs("</h1>\n", fp);
	for (i = 0; i < doc->n; i++) {
		const struct report_item *it = &doc->items[i];
		switch (it->kind) {
		case REPORT_ITEM_HEADING:
			fputs("<h2>", fp);
			esc(fp, it->text);
			fputs("</h2>\n", fp);
			break;
		case REPORT_ITEM_PARA:
			fputs("<p>", fp);
			esc(fp, it->text);
			fputs("</p>\n", fp);
			break;
		case REPORT_ITEM_TABLE:
			if (it->table->detail != 1)
				html_table(it->table, fp);
			break;
		case REPORT_ITEM_CHART:
			html_chart(it->chart, fp);
			break;
		}
	}
	fputs("</body>\n</html>\n", fp);
	return 0;
}
