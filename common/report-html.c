/*
 * report-html.c - the HTML writer of report-doc.h: one self-contained page
 * (inline CSS and SVG, a few lines of inline script that sort tables, no
 * network), written so that it is also
 * well-formed XML (every element closed, attributes quoted, text escaped),
 * which lets `xmllint --noout` check it.
 */
#include "report-doc.h"
#include "num.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>


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

/* A number as an attribute value that reads back exactly (for sorting). */
static void
attr_num(FILE *fp, double x)
{
	char buf[NUM_BUFSZ];

	if (isfinite(x)) {
		num_format(x, buf);
		fprintf(fp, " data-v=\"%s\"", buf);
	}
}

static void
html_table(const struct report_doc *doc, const struct report_table *t, FILE *fp)
{
	size_t first = t->kv ? 1 : 0, r, c;
	char buf[96];
	int dec[64];

	if (t->ncols > 64)
		return;
	report_table_decimals(t, dec);
	if (t->collapsed) {
		fputs("<details><summary>", fp);
		esc(fp, t->title);
		fputs("</summary>\n", fp);
	} else {
		fputs("<h3>", fp);
		esc(fp, t->title);
		fputs("</h3>\n", fp);
	}
	if (t->nrows == 0) {
		fputs("<p>(none)</p>\n", fp);
		if (t->collapsed)
			fputs("</details>\n", fp);
		return;
	}
	fprintf(fp, "<div class=\"scroll\"><table class=\"%s%s\">\n", t->kv ? "kv" : "grid",
	    t->sortable ? " sortable" : "");
	if (!t->kv) {
		fputs("<thead><tr>", fp);
		for (c = first; c < t->ncols; c++) {
			fputs(t->cells[c].kind != REPORT_TEXT ? "<th class=\"n\">" : "<th>", fp);
			esc(fp, t->heads[c]);
			fputs("</th>", fp);
		}
		fputs("</tr></thead>\n", fp);
	}
	fputs("<tbody>\n", fp);
	for (r = 0; r < t->nrows; r++) {
		fputs("<tr>", fp);
		for (c = first; c < t->ncols; c++) {
			const struct report_cell *cell = &t->cells[r * t->ncols + c];
			if (cell->kind == REPORT_TEXT) {
				fputs(t->kv && c == 1 ? "<th>" : "<td>", fp);
				esc(fp, cell->s != NULL ? cell->s : "");
				fputs(t->kv && c == 1 ? "</th>" : "</td>", fp);
			} else {
				fputs("<td class=\"n\"", fp);
				if (t->sortable)
					attr_num(fp, cell->x);
				fputs(">", fp);
				esc(fp, report_cell_text(doc, cell, dec[c], buf));
				fputs("</td>", fp);
			}
		}
		fputs("</tr>\n", fp);
	}
	fputs("</tbody></table></div>\n", fp);
	if (t->collapsed)
		fputs("</details>\n", fp);
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

/* One chart's canvas: its size and the plot area's margins. */
struct svg {
	int w, h, pl, pr, pt, pb;
};

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

/* Range of the finite values of v[0..n), widened when empty or flat, rounded to ticks. */
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
		a->lo -= a->lo != 0 ? fabs(a->lo) * 0.1 : 0.5;
		a->hi += a->hi != 0 ? fabs(a->hi) * 0.1 : 0.5;
	}
	step = nice_step(a->lo, a->hi, 5);
	a->lo = floor(a->lo / step) * step;
	a->hi = ceil(a->hi / step) * step;
}

/*
 * A tick label: as many decimals as the step needs, and from ten thousand
 * on in thousands (k) or millions (M), so that it fits the margin.
 */
static void
tick_label(FILE *fp, double v, double step)
{
	double a = fabs(v) > fabs(step) ? fabs(v) : fabs(step);
	const char *unit = "";
	int dec;

	if (fabs(v) < step * 1e-9)
		v = 0;
	if (a >= 1e7) {
		v /= 1e6, step /= 1e6, unit = "M";
	} else if (a >= 1e4) {
		v /= 1e3, step /= 1e3, unit = "k";
	}
	dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
	if (dec > 6)
		dec = 6;
	fprintf(fp, "%.*f%s", dec, v, unit);
}

/* Width in pixels of s at the charts' 11px sans-serif, a little generous. */
static double
text_px(const char *s)
{
	double n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return 6.8 * n;
}

/* s cut to at most max characters, "..." ending a cut one, into buf (size >= 4 * max + 4). */
static const char *
fit_text(const char *s, size_t max, char *buf, size_t size)
{
	size_t i = 0, chars = 0, keep = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80) {
			if (chars == max - 3)
				keep = i;
			chars++;
		}
	}
	if (chars <= max || max < 4)
		return s;
	if (keep + 4 > size)
		keep = size - 4;
	memcpy(buf, s, keep);
	memcpy(buf + keep, "...", 4);
	return buf;
}

static void
title_text(FILE *fp, const struct svg *g, const char *title)
{
	char buf[512];
	size_t max = (size_t)((g->w - g->pl) / 7.5);

	fprintf(fp, "<text x=\"%d\" y=\"18\" class=\"title\">", g->pl);
	esc(fp, fit_text(title, max < 120 ? max : 120, buf, sizeof buf));
	fputs("</text>\n", fp);
}

static void
axes(FILE *fp, const struct svg *g, const struct report_chart *ch, const struct axis *ax,
    const struct axis *ay, int x_ticks, int y_ticks)
{
	double step, v;

	fprintf(fp, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"frame\"/>\n",
	    g->pl, g->pt, g->w - g->pl - g->pr, g->h - g->pt - g->pb);
	if (y_ticks) {
		step = nice_step(ay->lo, ay->hi, 5);
		if (ch->kind == REPORT_CHART_BARS && step < 1)
			step = 1;   /* counts of rows: whole ticks */
		for (v = ay->lo; v <= ay->hi + step * 1e-9; v += step) {
			double py = ax_map(ay, v);
			fprintf(fp, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>",
			    g->pl, py, g->w - g->pr, py);
			fprintf(fp, "<text x=\"%d\" y=\"%.1f\" class=\"yt\">", g->pl - 4, py + 4);
			tick_label(fp, v, step);
			fputs("</text>\n", fp);
		}
	}
	if (x_ticks) {
		step = nice_step(ax->lo, ax->hi, (g->w - g->pl - g->pr) / 80);
		for (v = ceil(ax->lo / step - 1e-9) * step; v <= ax->hi + step * 1e-9; v += step) {
			double px = ax_map(ax, v);
			fprintf(fp, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"grid\"/>",
			    px, g->pt, px, g->h - g->pb);
			/* 18 below the axis: clear of the lowest y tick's label at the corner. */
			fprintf(fp, "<text x=\"%.1f\" y=\"%d\" class=\"xt\">", px, g->h - g->pb + 18);
			tick_label(fp, v, step);
			fputs("</text>\n", fp);
		}
	}
	fprintf(fp, "<text x=\"%d\" y=\"%d\" class=\"xl\">", (g->w + g->pl - g->pr) / 2, g->h - 6);
	esc(fp, ch->xlabel);
	fputs("</text>\n", fp);
	if (ch->ylabel[0] != '\0') {
		fprintf(fp, "<text x=\"14\" y=\"%d\" class=\"yl\" transform=\"rotate(-90 14 %d)\">",
		    (g->h + g->pt - g->pb) / 2, (g->h + g->pt - g->pb) / 2);
		esc(fp, ch->ylabel);
		fputs("</text>\n", fp);
	}
	title_text(fp, g, ch->title);
}

/*
 * The histogram: the bins from the first to the last that holds a row,
 * each labelled below its bar (turned upright when the label is wider
 * than the bar) and with its count above it when that fits.
 */
static void
chart_bars(FILE *fp, const struct report_chart *ch)
{
	struct svg g = { 520, 360, 56, 12, 28, 110 };
	struct axis ax = { 0, 1, 0, 0 }, ay = { 0, 1, 0, 0 };
	size_t first = 0, last = ch->n, i, n;
	double bw, font, longest = 0;
	int upright;

	while (first < ch->n && !(ch->y[first] > 0))
		first++;
	while (last > first && !(ch->y[last - 1] > 0))
		last--;
	if (first == last) {
		first = 0;
		last = ch->n;
	}
	n = last - first;
	for (i = first; i < last && ch->labels != NULL; i++)
		if (text_px(ch->labels[i]) > longest)
			longest = text_px(ch->labels[i]);
	bw = n ? (double)(g.w - g.pl - g.pr) / (double)n : 0;
	upright = longest + 6 > bw;
	/* Upright labels need the bar's width for the font's height. */
	font = upright ? (bw - 2 < 11 ? bw - 2 : 11) : 11;
	if (font < 5)
		font = 5;
	g.pb = upright ? (int)(longest * font / 11) + 40 : 44;
	ay.p0 = g.h - g.pb;
	ay.p1 = g.pt + 14;   /* room for the counts above the highest bar */
	ax.p0 = g.pl;
	ax.p1 = g.w - g.pr;
	ax_range(&ay, ch->y + first, n, 1);
	axes(fp, &g, ch, &ax, &ay, 0, 1);
	for (i = first; i < last; i++) {
		double x = g.pl + bw * (double)(i - first), cx = x + bw / 2;
		double y = ax_map(&ay, ch->y[i]), y0 = ax_map(&ay, 0);
		char count[32];
		if (isfinite(ch->y[i]) && ch->y[i] > 0) {
			fprintf(fp, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			    "class=\"bar\"><title>", x + 1, y, bw > 2 ? bw - 2 : bw, y0 - y);
			esc(fp, ch->labels != NULL ? ch->labels[i] : "");
			fprintf(fp, ": %.0f</title></rect>\n", ch->y[i]);
			snprintf(count, sizeof count, "%.0f", ch->y[i]);
			if (text_px(count) * 10 / 11 <= bw)
				fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" class=\"count\">%s</text>\n", cx,
				    y - 3, count);
		}
		if (ch->labels == NULL)
			continue;
		if (upright)
			fprintf(fp, "<text x=\"%.1f\" y=\"%d\" class=\"bl\" style=\"font-size:%.1fpx\" "
			    "transform=\"rotate(-90 %.1f %d)\">", cx + font / 3, g.h - g.pb + 6, font,
			    cx + font / 3, g.h - g.pb + 6);
		else
			fprintf(fp, "<text x=\"%.1f\" y=\"%d\" class=\"xt\">", cx, g.h - g.pb + 16);
		esc(fp, ch->labels[i]);
		fputs("</text>\n", fp);
	}
}

/*
 * Horizontal bars, one a label (lift by group): labels left of the plot,
 * the value at the end of each bar, the zero line marked.  The range is
 * widened on each side that has bars so that the values fit inside.
 */
static void
chart_hbars(FILE *fp, const struct report_doc *doc, const struct report_chart *ch)
{
	struct svg g = { 520, 0, 150, 12, 28, 40 };
	struct axis ax = { 0, 0, 0, 0 }, ay = { 0, 1, 0, 0 };
	double lo = 0, hi = 0, span, row = 20, need = 0, plot, m;
	size_t i;
	int dec, sides;
	char buf[512], num[96];

	g.h = g.pt + g.pb + (int)(row * (double)ch->n) + 4;
	for (i = 0; i < ch->n; i++) {
		if (ch->y[i] < lo)
			lo = ch->y[i];
		if (ch->y[i] > hi)
			hi = ch->y[i];
	}
	dec = report_fit_decimals(REPORT_MONEY, ch->y, ch->n);
	/*
	 * Room for the values beyond the bars' ends: with m data units added on
	 * each side that has bars, a value L pixels wide fits when
	 * m * P / (span + sides * m) >= L, P the plot's width.
	 */
	for (i = 0; i < ch->n; i++) {
		double w = text_px(report_show(doc, ch->y[i], REPORT_MONEY, dec, num, sizeof num)) *
		    10 / 11 + 6;
		if (w > need)
			need = w;
	}
	span = hi - lo > 0 ? hi - lo : 1;
	sides = (lo < 0) + (hi > 0);
	plot = g.w - g.pl - g.pr;
	m = sides && plot > sides * need ? need * span / (plot - sides * need) : span;
	ax.lo = lo < 0 ? lo - m : 0;
	ax.hi = hi > 0 ? hi + m : 0;
	if (ax.hi == ax.lo)
		ax.hi = 1;
	ax.p0 = g.pl;
	ax.p1 = g.w - g.pr;
	axes(fp, &g, ch, &ax, &ay, 1, 0);
	fprintf(fp, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"zero\"/>\n",
	    ax_map(&ax, 0), g.pt, ax_map(&ax, 0), g.h - g.pb);
	for (i = 0; i < ch->n; i++) {
		double y = g.pt + 2 + row * (double)i, x0 = ax_map(&ax, 0), x1 = ax_map(&ax, ch->y[i]);
		int neg = ch->y[i] < 0;
		fprintf(fp, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"%s\">"
		    "<title>", neg ? x1 : x0, y + 3, fabs(x1 - x0), row - 6, neg ? "neg" : "bar");
		esc(fp, ch->labels[i]);
		report_show(doc, ch->y[i], REPORT_MONEY, dec, num, sizeof num);
		fprintf(fp, ": %s</title></rect>\n", num);
		fprintf(fp, "<text x=\"%d\" y=\"%.1f\" class=\"yt\">", g.pl - 4, y + row / 2 + 4);
		esc(fp, fit_text(ch->labels[i], 20, buf, sizeof buf));
		fputs("</text>\n", fp);
		fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" class=\"%s\">%s</text>\n",
		    neg ? x1 - 3 : x1 + 3, y + row / 2 + 4, neg ? "vl end" : "vl", num);
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

/* The value of the curve at x, by linear interpolation between its points. */
static double
curve_at(const struct report_chart *ch, double x)
{
	size_t i;

	for (i = 1; i < ch->n; i++)
		if (x <= ch->x[i] || i + 1 == ch->n) {
			double t = ch->x[i] > ch->x[i - 1] ? (x - ch->x[i - 1]) / (ch->x[i] - ch->x[i - 1]) : 0;
			return ch->y[i - 1] + t * (ch->y[i] - ch->y[i - 1]);
		}
	return ch->n ? ch->y[0] : NAN;
}

/*
 * Demand or profit against price, with today's and the chosen price as
 * vertical lines and the best price on the grid as a point.  Their labels
 * sit in rows at the top of the plot: each right of its line, or left of
 * it where it would pass the plot's right edge, and a label that would
 * overlap one already placed moves down a row, so none collide or clip.
 */
static void
chart_lines(FILE *fp, const struct report_chart *ch)
{
	struct svg g = { 520, 300, 64, 16, 28, 44 };
	struct axis ax = { 0, 1, 0, 0 }, ay = { 0, 1, 0, 0 };
	static const char *const cls[3] = { "today", "chosen", "best" };
	static const char *const name[3] = { "today", "chosen", "best" };
	double placed[3][3];   /* x0, x1, row */
	size_t k, np = 0, j;

	ax.p0 = g.pl;
	ax.p1 = g.w - g.pr;
	ay.p0 = g.h - g.pb;
	ay.p1 = g.pt + 3 * 14;  /* three rows of labels above the highest point */
	ax.lo = ch->n ? ch->x[0] : 0;
	ax.hi = ch->n ? ch->x[ch->n - 1] : 1;
	if (!(ax.hi > ax.lo)) {
		ax.lo -= 0.5;
		ax.hi += 0.5;
	}
	ax_range(&ay, ch->y, ch->n, 0);
	axes(fp, &g, ch, &ax, &ay, 1, 1);
	polyline(fp, ch->x, ch->y, ch->n, &ax, &ay, "curve");
	for (k = 0; k < 3; k++) {
		double px, w, x0, x1;
		int row = 0, anchor_end;
		if (!isfinite(ch->mark[k]))
			continue;
		px = ax_map(&ax, ch->mark[k]);
		if (k < 2)
			fprintf(fp, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"%s\"/>",
			    px, g.pt, px, g.h - g.pb, cls[k]);
		else
			fprintf(fp, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"bestline\"/>"
			    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" class=\"best\"/>", px, g.pt, px,
			    g.h - g.pb, px, ax_map(&ay, curve_at(ch, ch->mark[k])));
		w = text_px(name[k]);
		anchor_end = px + 3 + w > g.w - g.pr - 2;
		x0 = anchor_end ? px - 3 - w : px + 3;
		x1 = x0 + w;
		if (x0 < g.pl + 2) {
			x0 = g.pl + 2;
			x1 = x0 + w;
			anchor_end = 0;
		}
		for (;;) {
			for (j = 0; j < np; j++)
				if (placed[j][2] == row && x0 < placed[j][1] + 4 && placed[j][0] < x1 + 4)
					break;
			if (j == np)
				break;
			row++;
		}
		placed[np][0] = x0;
		placed[np][1] = x1;
		placed[np][2] = row;
		np++;
		fprintf(fp, "<text x=\"%.1f\" y=\"%d\" class=\"mark\">%s</text>\n", x0,
		    g.pt + 12 + 14 * row, name[k]);
	}
}

static void
chart_calib(FILE *fp, const struct report_chart *ch)
{
	struct svg g = { 520, 300, 64, 16, 28, 44 };
	struct axis ax = { 0, 1, 64, 504 }, ay = { 0, 1, 256, 28 };
	static const double diag[2] = { 0, 1 };
	size_t i;

	axes(fp, &g, ch, &ax, &ay, 1, 1);
	polyline(fp, diag, diag, 2, &ax, &ay, "diag");
	polyline(fp, ch->x, ch->y, ch->n, &ax, &ay, "curve");
	for (i = 0; i < ch->n; i++)
		if (isfinite(ch->x[i]) && isfinite(ch->y[i]))
			fprintf(fp, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" class=\"dot\"/>\n",
			    ax_map(&ax, ch->x[i]), ax_map(&ay, ch->y[i]));
}

/*
 * The layout of an INTERVALS chart: labels in a column left of the plot
 * when the longest fits in 150 pixels (*pl the plot's left edge, *row each
 * label's height), else each label on a line of its own above its points,
 * over the plot's whole width, so that long names that share a beginning
 * are not cut to the same text.  Returns whether labels go above.
 */
static int
intervals_layout(const struct report_chart *ch, int *pl, double *row)
{
	double lab = 0;
	size_t i;

	for (i = 0; i < ch->n; i++)
		if (text_px(ch->labels[i]) > lab)
			lab = text_px(ch->labels[i]);
	if (lab <= 150) {
		*pl = (int)(lab < 40 ? 40 : lab) + 10;
		*row = 24;
		return 0;
	}
	*pl = 12;
	*row = 38;
	return 1;
}

/*
 * Point and interval per label (elasticity by group): the chosen figure
 * (y, lo, hi) above today's (y2, lo2, hi2) in each row, a dashed line at
 * -1 (where demand turns elastic) and the zero line.  The range takes in
 * every finite point and end, 0 and -1, so nothing is clipped; a label
 * too long for its room is cut (the whole of it in the points' tooltips),
 * and nothing is written beside the points, so nothing overlaps.
 */
static void
chart_intervals(FILE *fp, const struct report_chart *ch)
{
	struct svg g = { 520, 0, 0, 12, 44, 40 };
	struct axis ax = { 0, 0, 0, 0 }, ay = { 0, 1, 0, 0 };
	double row, *all;
	size_t i, n = ch->n, max;
	int k, above = intervals_layout(ch, &g.pl, &row);
	char buf[512];

	max = above ? (size_t)((g.w - g.pl - g.pr) / 6.8) : (size_t)((g.pl - 10) / 6.8);
	g.h = g.pt + g.pb + (int)(row * (double)n) + 4;
	all = malloc((6 * n + 2) * sizeof *all);
	if (all == NULL)
		return;
	for (i = 0; i < n; i++) {
		all[6 * i] = ch->y[i];
		all[6 * i + 1] = ch->lo[i];
		all[6 * i + 2] = ch->hi[i];
		all[6 * i + 3] = ch->y2[i];
		all[6 * i + 4] = ch->lo2[i];
		all[6 * i + 5] = ch->hi2[i];
	}
	all[6 * n] = 0;
	all[6 * n + 1] = -1;
	ax_range(&ax, all, 6 * n + 2, 0);
	free(all);
	ax.p0 = g.pl;
	ax.p1 = g.w - g.pr;
	axes(fp, &g, ch, &ax, &ay, 1, 0);
	fprintf(fp, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"zero\"/>\n",
	    ax_map(&ax, 0), g.pt, ax_map(&ax, 0), g.h - g.pb);
	fprintf(fp, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"unit\"/>\n",
	    ax_map(&ax, -1), g.pt, ax_map(&ax, -1), g.h - g.pb);
	/* the legend, under the title */
	fprintf(fp, "<circle cx=\"%d\" cy=\"30\" r=\"3.5\" class=\"pt\"/>"
	    "<text x=\"%d\" y=\"34\">chosen prices</text>"
	    "<circle cx=\"%d\" cy=\"30\" r=\"3.5\" class=\"pt2\"/>"
	    "<text x=\"%d\" y=\"34\">today's prices</text>\n",
	    g.pl + 4, g.pl + 12, g.pl + 112, g.pl + 120);
	for (i = 0; i < n; i++) {
		double y0 = g.pt + 2 + row * (double)i, off = above ? 14 : 0;
		if (above)
			fprintf(fp, "<text x=\"%d\" y=\"%.1f\" class=\"lab\">", g.pl + 3, y0 + 11);
		else
			fprintf(fp, "<text x=\"%d\" y=\"%.1f\" class=\"yt\">", g.pl - 6,
			    y0 + row / 2 + 4);
		esc(fp, fit_text(ch->labels[i], max, buf, sizeof buf));
		fputs("</text>\n", fp);
		for (k = 0; k < 2; k++) {
			double v = k == 0 ? ch->y[i] : ch->y2[i];
			double lo = k == 0 ? ch->lo[i] : ch->lo2[i], hi = k == 0 ? ch->hi[i] : ch->hi2[i];
			double py = y0 + off + (k == 0 ? 8 : 16);
			const char *ci = k == 0 ? "ci" : "ci2";
			if (isfinite(lo) && isfinite(hi)) {
				fprintf(fp, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"%s\"/>"
				    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"%s\"/>"
				    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"%s\"/>\n",
				    ax_map(&ax, lo), py, ax_map(&ax, hi), py, ci,
				    ax_map(&ax, lo), py - 3, ax_map(&ax, lo), py + 3, ci,
				    ax_map(&ax, hi), py - 3, ax_map(&ax, hi), py + 3, ci);
			}
			if (!isfinite(v))
				continue;
			fprintf(fp, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" class=\"%s\"><title>",
			    ax_map(&ax, v), py, k == 0 ? "pt" : "pt2");
			esc(fp, ch->labels[i]);
			fprintf(fp, ", %s: %.2f", k == 0 ? "chosen prices" : "today's prices", v);
			if (isfinite(lo) && isfinite(hi))
				fprintf(fp, " (95%%: %.2f to %.2f)", lo, hi);
			fputs("</title></circle>\n", fp);
		}
	}
}

/* One chart in an <svg> 520 pixels wide; the height depends on the kind (and the bars). */
static void
html_chart(const struct report_doc *doc, const struct report_chart *ch, FILE *fp)
{
	int w = 520, h = 300;

	switch (ch->kind) {
	case REPORT_CHART_BARS: h = 360; break;
	case REPORT_CHART_HBARS: h = 28 + 40 + 20 * (int)ch->n + 4; break;
	case REPORT_CHART_INTERVALS: {
		int pl;
		double row;
		intervals_layout(ch, &pl, &row);
		h = 44 + 40 + (int)(row * (double)ch->n) + 4;
		break;
	}
	default: break;
	}
	fprintf(fp, "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" "
	    "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\"><title>",
	    w, h, w, h);
	esc(fp, ch->title);
	fputs("</title>\n", fp);
	switch (ch->kind) {
	case REPORT_CHART_BARS:
		chart_bars(fp, ch);
		break;
	case REPORT_CHART_HBARS:
		chart_hbars(fp, doc, ch);
		break;
	case REPORT_CHART_LINES:
		chart_lines(fp, ch);
		break;
	case REPORT_CHART_CALIB:
		chart_calib(fp, ch);
		break;
	case REPORT_CHART_INTERVALS:
		chart_intervals(fp, ch);
		break;
	}
	fputs("</svg></figure>\n", fp);
}

static const char style[] =
"body{font-family:sans-serif;overflow-wrap:break-word;margin:1.5em auto;max-width:80em;padding:0 .8em;color:#222}"
"h1{font-size:1.5em;overflow-wrap:anywhere}h2{font-size:1.25em;border-bottom:1px solid #ccc;margin-top:2em}"
"h3{font-size:1em;margin-bottom:.3em}"
"ul.headline{list-style:none;padding:.6em 1em;background:#f4f7fb;border-left:4px solid #4a7ab5;"
"line-height:1.5}"
"ul.headline li.warn{color:#8a2a1d}ul.headline li.warn::before{content:\"\\26A0  \"}"
".scroll{overflow-x:auto;max-width:100%}"
"table{border-collapse:collapse;margin:.3em 0 1em}"
"td,th{padding:.15em .6em;border-bottom:1px solid #eee;text-align:left}td{white-space:nowrap}"
"thead th{vertical-align:bottom}"
"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
"table.kv th{font-weight:normal;color:#555}"
"table.sortable thead th{cursor:pointer}"
"table.sortable thead th[aria-sort=ascending]::after{content:\" \\25B2\"}"
"table.sortable thead th[aria-sort=descending]::after{content:\" \\25BC\"}"
"details{margin:.5em 0}summary{font-weight:bold;cursor:pointer}"
"figure{display:inline-block;margin:.5em 1em 1.5em 0;max-width:100%;vertical-align:top}"
"svg.chart{font-size:11px;background:#fff;max-width:100%;height:auto}"
".frame{fill:none;stroke:#999}.grid{stroke:#eee}.zero{stroke:#555}"
".yt{text-anchor:end}.xt{text-anchor:middle}.xl{text-anchor:middle}.yl{text-anchor:middle}"
".bl{text-anchor:end}.count{text-anchor:middle;font-size:10px;fill:#333}"
".vl{font-size:10px;fill:#333}.vl.end{text-anchor:end}"
".title{font-weight:bold}.bar{fill:#4a7ab5}.neg{fill:#c0392b}"
".curve{fill:none;stroke:#4a7ab5;stroke-width:2}.diag{fill:none;stroke:#aaa;stroke-dasharray:4 3}"
".dot{fill:#4a7ab5}.today{stroke:#888;stroke-dasharray:5 3}.chosen{stroke:#c0392b;stroke-width:2}"
".best{fill:#e67e22;stroke:#fff}.bestline{stroke:#e67e22;stroke-dasharray:1 3}"
".mark{fill:#333;paint-order:stroke;stroke:#fff;stroke-width:3px}"
".pt{fill:#c0392b}.pt2{fill:#888}.ci{stroke:#c0392b;stroke-width:1.5}.ci2{stroke:#888}"
".unit{stroke:#555;stroke-dasharray:4 3}.lab{paint-order:stroke;stroke:#fff;stroke-width:3px}";

/*
 * Sorting by a click on a column's head: numbers by the exact value in
 * data-v, text in natural order (numeric groups as numbers).  The page
 * reads the same without it.  Written without '<', '>' and '&' so that the
 * page stays well-formed XML with no CDATA section.
 */
static const char script[] =
"document.querySelectorAll('table.sortable').forEach(function (t) {\n"
"  var heads = t.tHead.rows[0].cells;\n"
"  Array.prototype.forEach.call(heads, function (th, k) {\n"
"    th.addEventListener('click', function () {\n"
"      var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;\n"
"      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });\n"
"      th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');\n"
"      var body = t.tBodies[0], rows = Array.prototype.slice.call(body.rows);\n"
"      rows.sort(function (a, b) {\n"
"        var x = a.cells[k], y = b.cells[k], u = x.getAttribute('data-v'), v = y.getAttribute('data-v');\n"
"        var r = u !== null ? (v !== null ? parseFloat(u) - parseFloat(v) : -1) : v !== null ? 1 :\n"
"          x.textContent.localeCompare(y.textContent, 'en', { numeric: true });\n"
"        return dir * r;\n"
"      });\n"
"      rows.forEach(function (r) { body.appendChild(r); });\n"
"    });\n"
"  });\n"
"});\n";

int
report_write_html(const struct report_doc *doc, FILE *fp)
{
	size_t i;
	int sortable = 0;

	fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n"
	    "<head>\n<meta charset=\"utf-8\"/>\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>", fp);
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
		case REPORT_ITEM_NOTE:
			if (i == 0 || doc->items[i - 1].kind != REPORT_ITEM_NOTE)
				fputs("<ul class=\"headline\">\n", fp);
			fputs(it->warn ? "<li class=\"warn\">" : "<li>", fp);
			esc(fp, it->text);
			fputs("</li>\n", fp);
			if (i + 1 == doc->n || doc->items[i + 1].kind != REPORT_ITEM_NOTE)
				fputs("</ul>\n", fp);
			break;
		case REPORT_ITEM_TABLE:
			if (it->table->detail != 1)
				html_table(doc, it->table, fp);
			if (it->table->detail != 1 && it->table->sortable && it->table->nrows > 0)
				sortable = 1;
			break;
		case REPORT_ITEM_CHART:
			html_chart(doc, it->chart, fp);
			break;
		}
	}
	if (sortable)
		fprintf(fp, "<script>\n%s</script>\n", script);
	fputs("</body>\n</html>\n", fp);
	return 0;
}
