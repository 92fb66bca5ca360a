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
	REPORT_PVAL         /* a p-value: %.4f, or <0.0001 below that */
};

struct report_cell {
	enum report_kind kind;
	double x;           /* the number (kind != REPORT_TEXT) */
	char *s;            /* the text (kind == REPORT_TEXT), owned */
};

struct report_table {
	char *name;         /* machine key, e.g. "by_group" */
	char *title;        /* for people, e.g. "By region" */
	int kv;             /* a key/value table: two columns, key and value */
	int detail;         /* 1: only for machines (JSON, CSV); 2: only for people */
	size_t ncols;
	char **keys;        /* column keys (machines) */
	char **heads;       /* column heads (people) */
	size_t nrows, cap;
	struct report_cell *cells;   /* nrows * ncols, row-major */
};

enum report_chart_kind {
	REPORT_CHART_BARS,      /* labels[] and y[]: a histogram */
	REPORT_CHART_LINES,     /* x[], y[] (and y2[] when set): curves, with marks */
	REPORT_CHART_CALIB      /* x[] predicted, y[] observed, with the diagonal */
};

struct report_chart {
	enum report_chart_kind kind;
	char *title, *xlabel, *ylabel;
	size_t n;
	double *x, *y;
	char **labels;          /* BARS: n labels */
	double mark[2];         /* LINES: x of today's and the chosen price (NaN: none) */
};

enum report_item_kind { REPORT_ITEM_HEADING, REPORT_ITEM_PARA, REPORT_ITEM_TABLE,
	REPORT_ITEM_CHART };

struct report_item {
	enum report_item_kind kind;
	char *text;                  /* HEADING, PARA */
	struct report_table *table;  /* TABLE */
	struct report_chart *chart;  /* CHART */
};

struct report_doc {
	char *title;
	char *input;                 /* input name, for the heading and JSON */
	size_t n, cap;
	struct report_item *items;
};

/* An empty document; NULL when out of memory.  Strings are copied. */
struct report_doc *report_doc_new(const char *title, const char *input);
void report_doc_free(struct report_doc *doc);    /* NULL-safe */

/* Append a heading or paragraph (copied).  0, or -1 out of memory. */
int report_doc_heading(struct report_doc *doc, const char *text);
int report_doc_para(struct report_doc *doc, const char *text);

/*
 * Append a table with ncols columns; keys and heads are arrays of ncols
 * strings (copied).  Returns the table (owned by doc) or NULL when out of
 * memory.  A kv table has the columns key and value: use report_table_kv.
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

/* The key/value table named name, or NULL. */
const struct report_table *report_doc_find(const struct report_doc *doc, const char *name);

/*
 * Render doc on fp.  Each returns 0; a write error shows in ferror(fp)
 * (the caller checks it when closing).  HTML is one self-contained XHTML-
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
 * never "-0.00".  Returns buf.
 */
char *report_human(double x, enum report_kind kind, char *buf, size_t size);

#endif
