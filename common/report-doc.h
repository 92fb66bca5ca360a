/*
 * report-doc.h - a report as data (headings, tables, charts), and the
 * writers that render it as text, Markdown, HTML, JSON or CSV.
 *
 * Every figure is kept as a double; how it is shown is the cell's kind.
 * Text, Markdown and HTML show numbers for people (fixed decimals, with
 * snprintf in the "C" locale: the programs never set LC_NUMERIC); JSON and
 * CSV write the shortest text that reads back to the same double
 * (num_format), so machines lose nothing.  A NaN is "-" for people and null
 * (JSON) or an empty field (CSV) for machines.
 *
 * JSON shape: {"format": "pr-report", "version": 1, "input": NAME,
 * "summary": {KEY: NUMBER, ...}, TABLE: ...} where a key/value table is an
 * object and any other table an array of objects keyed by column.
 * CSV shape: the header section,item,key,value and one line per figure:
 * item is the row's first cell (empty in a key/value table), key the column.
 *
 * Strings come from the input and may hold any bytes.  Every format but CSV
 * claims a character set, so a byte that is not part of well-formed UTF-8
 * becomes U+FFFD in text, Markdown, HTML and JSON; text and Markdown show
 * the characters of report_cp_unsafe as \xHH (\uHHHH above U+00FF), so no
 * escape sequence reaches a terminal; HTML shows C0, DEL and C1 controls as
 * a space (XML allows none of C0 but tab and line feed); JSON writes them as
 * \u escapes.  CSV keeps every byte, so its items join back with the input.
 */
#ifndef PR_REPORT_DOC_H
#define PR_REPORT_DOC_H

#include <stdio.h>
#include <stddef.h>

/* How a number is shown to people. */
enum report_kind {
	REPORT_TEXT = 0,    /* a string cell */
	REPORT_INT,         /* a count: %.0f */
	REPORT_FIX2,        /* money, demand, prices: %.2f */
	REPORT_FIX4,        /* probabilities, metrics: %.4f */
	REPORT_PCT,         /* a fraction shown as a percentage: %.2f% */
	REPORT_PVAL,        /* a p-value: %.4f, or <0.0001 below that */
	/*
	 * For people: grouped by thousands, with decimals that fit the
	 * column (report_fit_decimals), MONEY and PRICE with the document's
	 * currency symbol.
	 */
	REPORT_MONEY,       /* revenue, profit, lift */
	REPORT_PRICE,       /* a price */
	REPORT_QTY          /* demand */
};

struct report_cell {
	enum report_kind kind;
	double x;           /* the number (kind != REPORT_TEXT) */
	char *s;            /* the text (kind == REPORT_TEXT), owned */
};

struct report_table {
	char *name;         /* machine key, e.g. "by_group" */
	char *title;        /* for people, e.g. "By region" */
	int kv;             /* a key/value table: three columns, key (machines), label
	                     * (people) and value; see report_table_kv */
	int detail;         /* 1: only for machines (JSON, CSV); 2: only for people */
	int collapsed;      /* HTML: folded away under its title (<details>) */
	int sortable;       /* HTML: a click on a head sorts the rows */
	size_t ncols;
	char **keys;        /* column keys (machines) */
	char **heads;       /* column heads (people) */
	size_t nrows, cap;
	struct report_cell *cells;   /* nrows * ncols, row-major */
};

enum report_chart_kind {
	REPORT_CHART_BARS,      /* labels[] and y[]: a histogram, every bar labelled */
	REPORT_CHART_HBARS,     /* labels[] and y[] (any sign): one horizontal bar a label */
	REPORT_CHART_LINES,     /* x[], y[] (and y2[] when set): curves, with marks */
	REPORT_CHART_CALIB,     /* x[] predicted, y[] observed, with the diagonal */
	REPORT_CHART_INTERVALS  /* labels[], y[] in lo[]..hi[] and y2[] in lo2[]..hi2[]: two
	                         * points with intervals a label (report_chart_intervals) */
};

struct report_chart {
	enum report_chart_kind kind;
	char *title, *xlabel, *ylabel;
	size_t n;
	double *x, *y;
	double *lo, *hi, *y2, *lo2, *hi2;   /* INTERVALS: n each (NaN: none) */
	char **labels;          /* BARS: n labels */
	double mark[3];         /* LINES: x of today's, the chosen and the best price (NaN: none) */
};

/*
 * NOTE: one line of the headline; consecutive notes make one list, and a
 * note with warn set is a warning (marked "!" in text and Markdown).
 */
enum report_item_kind { REPORT_ITEM_HEADING, REPORT_ITEM_PARA, REPORT_ITEM_TABLE,
	REPORT_ITEM_CHART, REPORT_ITEM_NOTE };

struct report_item {
	enum report_item_kind kind;
	char *text;                  /* HEADING, PARA, NOTE */
	int warn;                    /* NOTE: a warning */
	struct report_table *table;  /* TABLE */
	struct report_chart *chart;  /* CHART */
};

struct report_doc {
	char *title;
	char *input;                 /* input name, for the heading and JSON */
	char *currency;              /* symbol before money and prices for people ("" none) */
	size_t n, cap;
	struct report_item *items;
};

/*
 * An empty document; NULL when out of memory.  Strings are copied; currency
 * may be NULL (none).
 */
struct report_doc *report_doc_new(const char *title, const char *input, const char *currency);
void report_doc_free(struct report_doc *doc);    /* NULL-safe */

/* Append a heading or paragraph (copied).  0, or -1 out of memory. */
int report_doc_heading(struct report_doc *doc, const char *text);
int report_doc_para(struct report_doc *doc, const char *text);
int report_doc_note(struct report_doc *doc, int warn, const char *text);

/*
 * Append a table with ncols columns; keys and heads are arrays of ncols
 * strings (copied).  Returns the table (owned by doc) or NULL when out of
 * memory.  A kv table (report_doc_kv) has the columns key, label and value:
 * fill it with report_table_kv, whose key "key|label for people" gives both
 * (a key without '|' is its own label).
 */
struct report_table *report_doc_table(struct report_doc *doc, const char *name,
    const char *title, size_t ncols, const char *const *keys, const char *const *heads);
struct report_table *report_doc_kv(struct report_doc *doc, const char *name,
    const char *title);

/*
 * Start a new row of t (cells empty text); report_table_text and
 * report_table_num fill cell col of the last row.  Return 0, or -1 out of
 * memory.
 */
int report_table_row(struct report_table *t);
int report_table_text(struct report_table *t, size_t col, const char *s);
void report_table_num(struct report_table *t, size_t col, double x, enum report_kind kind);
/* A key/value row. */
int report_table_kv(struct report_table *t, const char *key, double x, enum report_kind kind);
int report_table_kv_text(struct report_table *t, const char *key, const char *s);

/* Append a chart; arrays of n values are copied.  NULL when out of memory. */
struct report_chart *report_doc_chart(struct report_doc *doc, enum report_chart_kind kind,
    const char *title, const char *xlabel, const char *ylabel, size_t n,
    const double *x, const double *y, const char *const *labels);

/* Give an INTERVALS chart its n-value arrays (copied).  0, or -1 out of memory. */
int report_chart_intervals(struct report_chart *c, const double *lo, const double *hi,
    const double *y2, const double *lo2, const double *hi2);

/* The key/value table named name, or NULL. */
const struct report_table *report_doc_find(const struct report_doc *doc, const char *name);

/*
 * Render doc on fp.  The text, Markdown, HTML and JSON writers return 0;
 * a write error shows in ferror(fp) (the caller checks it when closing).
 * report_write_csv returns 0, or -1 when out of memory or its CSV writer
 * failed to write.  HTML is one self-contained XHTML-
 * compatible page with inline SVG, no script and no external reference.
 */
int report_write_text(const struct report_doc *doc, FILE *fp);
int report_write_md(const struct report_doc *doc, FILE *fp);
int report_write_html(const struct report_doc *doc, FILE *fp);
int report_write_json(const struct report_doc *doc, FILE *fp);
int report_write_csv(const struct report_doc *doc, FILE *fp);

/*
 * One UTF-8 character at s[0..n) (n >= 1): returns its code point and sets
 * *len to its length in bytes, or returns -1 with *len = 1 when s[0] does
 * not start a well-formed sequence (RFC 3629: no overlong form, no
 * surrogate, nothing above U+10FFFF, no sequence cut short).
 */
long report_utf8_next(const char *s, size_t n, size_t *len);

/*
 * Whether code point cp must not reach a terminal raw: C0 controls, DEL,
 * C1 controls (U+0080..U+009F: 0x9B is CSI on some terminals), and the
 * bidirectional embeddings, overrides and isolates (U+202A..U+202E,
 * U+2066..U+2069), which reorder the text around them.
 */
int report_cp_unsafe(long cp);

/*
 * A number for people, as kind says, into buf (size >= 64): "-" for NaN,
 * never "-0.00".  MONEY, PRICE and QTY get two decimals here, no grouping
 * and no symbol (report_show does those).  Returns buf.
 */
char *report_human(double x, enum report_kind kind, char *buf, size_t size);

/*
 * Decimals for n numbers of one kind shown together (a column, or today's
 * and the chosen figure of a sentence): 2 for values from 1 up, more below,
 * at most 6.  PRICE looks at the smallest non-zero value and keeps three
 * significant digits (0.5 -> 3 decimals, 0.0412 -> 4), since prices are
 * read one against another (0.0412 -> 0.0899, not 0.04 -> 0.09); MONEY and
 * QTY look at the largest and keep two (0.12 -> 2, 0.05 -> 3), since
 * totals are read for their size.  Other kinds: 2.
 */
int report_fit_decimals(enum report_kind kind, const double *x, size_t n);

/*
 * x for people as doc shows it, into buf (size >= 96): INT, MONEY, PRICE
 * and QTY grouped by thousands with ","; MONEY, PRICE and QTY with dec
 * decimals; MONEY and PRICE after doc's currency symbol ("-$1,234.50").
 * Other kinds as report_human.  Returns buf.
 */
char *report_show(const struct report_doc *doc, double x, enum report_kind kind, int dec,
    char *buf, size_t size);

/* The decimals of each column of t (t->ncols entries into dec), by report_fit_decimals. */
void report_table_decimals(const struct report_table *t, int *dec);

/* A cell for people (report_show with dec), into buf (96 bytes), or the cell's own text. */
const char *report_cell_text(const struct report_doc *doc, const struct report_cell *c,
    int dec, char *buf);

#endif
