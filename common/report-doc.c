/* report-doc.c - see report-doc.h.  The HTML writer is in report-html.c. */
#include "report-doc.h"
#include "csvio.h"
#include "num.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static char *
dup_str(const char *s)
{
	size_t n = strlen(s);
	char *p = malloc(n + 1);

	if (p != NULL)
		memcpy(p, s, n + 1);
	return p;
}

struct report_doc *
report_doc_new(const char *title, const char *input, const char *currency)
{
	struct report_doc *doc = calloc(1, sizeof *doc);

	if (doc == NULL)
		return NULL;
	doc->title = dup_str(title);
	doc->input = dup_str(input);
	doc->currency = dup_str(currency != NULL ? currency : "");
	if (doc->title == NULL || doc->input == NULL || doc->currency == NULL) {
		report_doc_free(doc);
		return NULL;
	}
	return doc;
}

static void
table_free(struct report_table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->ncols; i++) {
		if (t->keys != NULL)
			free(t->keys[i]);
		if (t->heads != NULL)
			free(t->heads[i]);
	}
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i].s);
	free(t->cells);
	free(t->keys);
	free(t->heads);
	free(t->name);
	free(t->title);
	free(t);
}

static void
chart_free(struct report_chart *c)
{
	size_t i;

	if (c == NULL)
		return;
	if (c->labels != NULL)
		for (i = 0; i < c->n; i++)
			free(c->labels[i]);
	free(c->labels);
	free(c->x);
	free(c->y);
	free(c->lo);
	free(c->hi);
	free(c->y2);
	free(c->lo2);
	free(c->hi2);
	free(c->title);
	free(c->xlabel);
	free(c->ylabel);
	free(c);
}

void
report_doc_free(struct report_doc *doc)
{
	size_t i;

	if (doc == NULL)
		return;
	for (i = 0; i < doc->n; i++) {
		free(doc->items[i].text);
		table_free(doc->items[i].table);
		chart_free(doc->items[i].chart);
	}
	free(doc->items);
	free(doc->title);
	free(doc->input);
	free(doc->currency);
	free(doc);
}

static struct report_item *
doc_push(struct report_doc *doc, enum report_item_kind kind)
{
	struct report_item *it;

	if (doc->n == doc->cap) {
		size_t cap = doc->cap ? doc->cap * 2 : 16;
		struct report_item *v = realloc(doc->items, cap * sizeof *v);
		if (v == NULL)
			return NULL;
		doc->items = v;
		doc->cap = cap;
	}
	it = &doc->items[doc->n++];
	memset(it, 0, sizeof *it);
	it->kind = kind;
	return it;
}

static int
doc_text(struct report_doc *doc, enum report_item_kind kind, const char *text)
{
	char *s = dup_str(text);
	struct report_item *it;

	if (s == NULL)
		return -1;
	it = doc_push(doc, kind);
	if (it == NULL) {
		free(s);
		return -1;
	}
	it->text = s;
	return 0;
}

int
report_doc_heading(struct report_doc *doc, const char *text)
{
	return doc_text(doc, REPORT_ITEM_HEADING, text);
}

int
report_doc_para(struct report_doc *doc, const char *text)
{
	return doc_text(doc, REPORT_ITEM_PARA, text);
}

int
report_doc_note(struct report_doc *doc, int warn, const char *text)
{
	if (doc_text(doc, REPORT_ITEM_NOTE, text) < 0)
		return -1;
	doc->items[doc->n - 1].warn = warn;
	return 0;
}

struct report_table *
report_doc_table(struct report_doc *doc, const char *name, const char *title, size_t ncols,
    const char *const *keys, const char *const *heads)
{
	struct report_table *t = calloc(1, sizeof *t);
	struct report_item *it;
	size_t i;

	if (t == NULL)
		return NULL;
	t->ncols = ncols;
	t->name = dup_str(name);
	t->title = dup_str(title);
	t->keys = calloc(ncols, sizeof *t->keys);
	t->heads = calloc(ncols, sizeof *t->heads);
	if (t->name == NULL || t->title == NULL || t->keys == NULL || t->heads == NULL)
		goto fail;
	for (i = 0; i < ncols; i++) {
		t->keys[i] = dup_str(keys[i]);
		t->heads[i] = dup_str(heads[i]);
		if (t->keys[i] == NULL || t->heads[i] == NULL)
			goto fail;
	}
	it = doc_push(doc, REPORT_ITEM_TABLE);
	if (it == NULL)
		goto fail;
	it->table = t;
	return t;
fail:
	table_free(t);
	return NULL;
}

struct report_table *
report_doc_kv(struct report_doc *doc, const char *name, const char *title)
{
	static const char *const keys[] = { "key", "label", "value" };
	static const char *const heads[] = { "", "", "" };
	struct report_table *t = report_doc_table(doc, name, title, 3, keys, heads);

	if (t != NULL)
		t->kv = 1;
	return t;
}

int
report_table_row(struct report_table *t)
{
	size_t i;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 8;
		struct report_cell *v = realloc(t->cells, cap * t->ncols * sizeof *v);
		if (v == NULL)
			return -1;
		t->cells = v;
		t->cap = cap;
	}
	for (i = 0; i < t->ncols; i++) {
		struct report_cell *c = &t->cells[t->nrows * t->ncols + i];
		c->kind = REPORT_TEXT;
		c->x = NAN;
		c->s = NULL;
	}
	t->nrows++;
	return 0;
}

int
report_table_text(struct report_table *t, size_t col, const char *s)
{
	struct report_cell *c = &t->cells[(t->nrows - 1) * t->ncols + col];
	char *p = dup_str(s);

	if (p == NULL)
		return -1;
	free(c->s);
	c->s = p;
	c->kind = REPORT_TEXT;
	return 0;
}

void
report_table_num(struct report_table *t, size_t col, double x, enum report_kind kind)
{
	struct report_cell *c = &t->cells[(t->nrows - 1) * t->ncols + col];

	free(c->s);
	c->s = NULL;
	c->kind = kind;
	c->x = x;
}

static int
kv_start(struct report_table *t, const char *key)
{
	const char *sep = strchr(key, '|');
	char keybuf[256];
	size_t kl = sep ? (size_t)(sep - key) : strlen(key);

	if (kl >= sizeof keybuf)
		kl = sizeof keybuf - 1;
	memcpy(keybuf, key, kl);
	keybuf[kl] = '\0';
	if (report_table_row(t) < 0 || report_table_text(t, 0, keybuf) < 0 ||
	    report_table_text(t, 1, sep ? sep + 1 : key) < 0)
		return -1;
	return 0;
}

/* key is "key|label for people", or just "key" (shown as it is). */
int
report_table_kv(struct report_table *t, const char *key, double x, enum report_kind kind)
{
	if (kv_start(t, key) < 0)
		return -1;
	report_table_num(t, 2, x, kind);
	return 0;
}

int
report_table_kv_text(struct report_table *t, const char *key, const char *s)
{
	if (kv_start(t, key) < 0)
		return -1;
	return report_table_text(t, 2, s);
}

struct report_chart *
report_doc_chart(struct report_doc *doc, enum report_chart_kind kind, const char *title,
    const char *xlabel, const char *ylabel, size_t n, const double *x, const double *y,
    const char *const *labels)
{
	struct report_chart *c = calloc(1, sizeof *c);
	struct report_item *it;
	size_t i;

	if (c == NULL)
		return NULL;
	c->kind = kind;
	c->n = n;
	c->mark[0] = c->mark[1] = c->mark[2] = NAN;
	c->title = dup_str(title);
	c->xlabel = dup_str(xlabel);
	c->ylabel = dup_str(ylabel);
	c->x = calloc(n ? n : 1, sizeof *c->x);
	c->y = calloc(n ? n : 1, sizeof *c->y);
	if (c->title == NULL || c->xlabel == NULL || c->ylabel == NULL || c->x == NULL ||
	    c->y == NULL)
		goto fail;
	if (x != NULL)
		memcpy(c->x, x, n * sizeof *x);
	if (y != NULL)
		memcpy(c->y, y, n * sizeof *y);
	if (labels != NULL) {
		c->labels = calloc(n ? n : 1, sizeof *c->labels);
		if (c->labels == NULL)
			goto fail;
		for (i = 0; i < n; i++)
			if ((c->labels[i] = dup_str(labels[i])) == NULL)
				goto fail;
	}
	it = doc_push(doc, REPORT_ITEM_CHART);
	if (it == NULL)
		goto fail;
	it->chart = c;
	return c;
fail:
	chart_free(c);
	return NULL;
}

int
report_chart_intervals(struct report_chart *c, const double *lo, const double *hi,
    const double *y2, const double *lo2, const double *hi2)
{
	const double *src[5] = { lo, hi, y2, lo2, hi2 };
	double **dst[5] = { &c->lo, &c->hi, &c->y2, &c->lo2, &c->hi2 };
	int k;

	for (k = 0; k < 5; k++) {
		free(*dst[k]);
		if ((*dst[k] = malloc((c->n ? c->n : 1) * sizeof **dst[k])) == NULL)
			return -1;
		memcpy(*dst[k], src[k], c->n * sizeof **dst[k]);
	}
	return 0;
}

const struct report_table *
report_doc_find(const struct report_doc *doc, const char *name)
{
	size_t i;

	for (i = 0; i < doc->n; i++)
		if (doc->items[i].kind == REPORT_ITEM_TABLE &&
		    strcmp(doc->items[i].table->name, name) == 0)
			return doc->items[i].table;
	return NULL;
}

long
report_utf8_next(const char *s, size_t n, size_t *len)
{
	const unsigned char *u = (const unsigned char *)s;
	long cp, min;
	size_t k, i;

	*len = 1;
	if (u[0] < 0x80)
		return u[0];
	if (u[0] >= 0xC2 && u[0] <= 0xDF)
		k = 2, cp = u[0] & 0x1F, min = 0x80;
	else if (u[0] >= 0xE0 && u[0] <= 0xEF)
		k = 3, cp = u[0] & 0x0F, min = 0x800;
	else if (u[0] >= 0xF0 && u[0] <= 0xF4)
		k = 4, cp = u[0] & 0x07, min = 0x10000;
	else
		return -1;
	if (n < k)
		return -1;
	for (i = 1; i < k; i++) {
		if ((u[i] & 0xC0) != 0x80)
			return -1;
		cp = (cp << 6) | (u[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	*len = k;
	return cp;
}

int
report_cp_unsafe(long cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
	    (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * s as a terminal may show it (see report-doc.h): s itself when it needs
 * nothing, else a new string, also left in *tmp for the caller to free
 * (out of memory: "", and *tmp NULL).
 */
static const char *
term_text(const char *s, char **tmp)
{
	size_t n = strlen(s), i, len, o = 0;
	long cp;
	char *out;

	*tmp = NULL;
	for (i = 0; i < n; i += len) {
		cp = report_utf8_next(s + i, n - i, &len);
		if (cp < 0 || report_cp_unsafe(cp))
			break;
	}
	if (i == n)
		return s;
	/* At most 6 bytes of output per input byte ("\u202E" for 3 bytes, "\x1B" for 1). */
	out = malloc(6 * n + 1);
	if (out == NULL)
		return "";
	for (i = 0; i < n; i += len) {
		cp = report_utf8_next(s + i, n - i, &len);
		if (cp < 0) {
			out[o++] = (char)0xEF;
			out[o++] = (char)0xBF;
			out[o++] = (char)0xBD;
		} else if (report_cp_unsafe(cp)) {
			o += (size_t)snprintf(out + o, 8, cp <= 0xFF ? "\\x%02lX" : "\\u%04lX", cp);
		} else {
			memcpy(out + o, s + i, len);
			o += len;
		}
	}
	out[o] = '\0';
	*tmp = out;
	return out;
}

char *
report_human(double x, enum report_kind kind, char *buf, size_t size)
{
	const char *p;

	if (isnan(x)) {
		snprintf(buf, size, "-");
		return buf;
	}
	if (isinf(x)) {
		snprintf(buf, size, x > 0 ? "inf" : "-inf");
		return buf;
	}
	/*
	 * Fixed decimals of a huge value would not fit a table cell (nor the
	 * 64-byte buffer: 1e308 came out as 63 digits of something else):
	 * from 1e15 on, a person reads the exponent form.
	 */
	if (fabs(kind == REPORT_PCT ? x * 100 : x) >= 1e15) {
		snprintf(buf, size, kind == REPORT_PCT ? "%.6g%%" : "%.6g", kind == REPORT_PCT ? x * 100 : x);
		return buf;
	}
	switch (kind) {
	case REPORT_INT:
		snprintf(buf, size, "%.0f", x);
		break;
	case REPORT_FIX4:
		snprintf(buf, size, "%.4f", x);
		break;
	case REPORT_PCT:
		snprintf(buf, size, "%.2f%%", x * 100);
		break;
	case REPORT_PVAL:
		if (x < 0.0001)
			snprintf(buf, size, "<0.0001");
		else
			snprintf(buf, size, "%.4f", x);
		break;
	case REPORT_FIX2:
	case REPORT_TEXT:
	default:
		snprintf(buf, size, "%.2f", x);
		break;
	}
	/* A tiny negative rounds to "-0.00": show it as zero. */
	if (buf[0] == '-') {
		for (p = buf + 1; *p != '\0'; p++)
			if (*p >= '1' && *p <= '9')
				break;
		if (*p == '\0')
			memmove(buf, buf + 1, strlen(buf));
	}
	return buf;
}

static int
is_grouped(enum report_kind kind)
{
	return kind == REPORT_MONEY || kind == REPORT_PRICE || kind == REPORT_QTY;
}

int
report_fit_decimals(enum report_kind kind, const double *x, size_t n)
{
	double m = kind == REPORT_PRICE ? INFINITY : 0;
	size_t i;
	int dec;

	if (!is_grouped(kind))
		return 2;
	for (i = 0; i < n; i++) {
		double a = fabs(x[i]);
		if (!isfinite(a) || a == 0)
			continue;
		if (kind == REPORT_PRICE ? a < m : a > m)
			m = a;
	}
	if (!isfinite(m) || m == 0 || m >= 1)
		return 2;
	/*
	 * Prices three significant digits (0.5 has its first at 10^-1: 3
	 * decimals), totals two (0.12 keeps 2 decimals, 0.05 gets 3).
	 */
	dec = (kind == REPORT_PRICE ? 2 : 1) - (int)floor(log10(m));
	return dec > 6 ? 6 : dec < 2 ? 2 : dec;
}

char *
report_show(const struct report_doc *doc, double x, enum report_kind kind, int dec,
    char *buf, size_t size)
{
	char digits[80], grouped[112];
	const char *cur = doc != NULL && (kind == REPORT_MONEY || kind == REPORT_PRICE) ?
	    doc->currency : "";
	size_t n, i, o = 0, int_len;
	int neg, nonzero = 0;

	if (!(is_grouped(kind) || kind == REPORT_INT) || !isfinite(x) || fabs(x) >= 1e15)
		return report_human(x, kind, buf, size);
	if (kind == REPORT_INT || dec < 0)
		dec = kind == REPORT_INT ? 0 : 2;
	neg = x < 0;
	snprintf(digits, sizeof digits, "%.*f", dec, fabs(x));
	n = strlen(digits);
	for (i = 0; i < n; i++)
		if (digits[i] >= '1' && digits[i] <= '9')
			nonzero = 1;
	int_len = strcspn(digits, ".");
	for (i = 0; i < n; i++) {
		if (i > 0 && i < int_len && (int_len - i) % 3 == 0)
			grouped[o++] = ',';
		grouped[o++] = digits[i];
	}
	grouped[o] = '\0';
	/* A tiny negative that rounds to zero shows no sign ("0.00", not "-0.00"). */
	snprintf(buf, size, "%s%s%s", neg && nonzero ? "-" : "", cur, grouped);
	return buf;
}

void
report_table_decimals(const struct report_table *t, int *dec)
{
	size_t r, c, n;
	double *v = malloc((t->nrows ? t->nrows : 1) * sizeof *v);

	for (c = 0; c < t->ncols; c++) {
		enum report_kind kind = REPORT_TEXT;
		dec[c] = 2;
		if (v == NULL)
			continue;
		for (r = 0; r < t->nrows && kind == REPORT_TEXT; r++)
			if (is_grouped(t->cells[r * t->ncols + c].kind))
				kind = t->cells[r * t->ncols + c].kind;
		if (kind == REPORT_TEXT)
			continue;
		/* Money and demand in one column (totals) are read alike, for their size. */
		for (r = n = 0; r < t->nrows; r++) {
			enum report_kind k = t->cells[r * t->ncols + c].kind;
			if (k == kind || (kind != REPORT_PRICE && (k == REPORT_MONEY || k == REPORT_QTY)))
				v[n++] = t->cells[r * t->ncols + c].x;
		}
		dec[c] = report_fit_decimals(kind, v, n);
	}
	free(v);
}

const char *
report_cell_text(const struct report_doc *doc, const struct report_cell *c, int dec, char *buf)
{
	if (c->kind == REPORT_TEXT)
		return c->s != NULL ? c->s : "";
	return report_show(doc, c->x, c->kind, dec, buf, 96);
}


/*
 * Columns a terminal shows for s once made safe (term_text): one per
 * character, since continuation bytes take none.
 */
static size_t
text_width(const char *s)
{
	char *tmp;
	const char *t = term_text(s, &tmp);
	size_t w = 0;

	for (; *t != '\0'; t++)
		if (((unsigned char)*t & 0xC0) != 0x80)
			w++;
	free(tmp);
	return w;
}

/* fputs of s made safe for a terminal. */
static void
term_put(const char *s, FILE *fp)
{
	char *tmp;

	fputs(term_text(s, &tmp), fp);
	free(tmp);
}

static void
pad(FILE *fp, size_t n)
{
	while (n-- > 0)
		putc(' ', fp);
}

static void
underline(FILE *fp, const char *s, int ch)
{
	size_t n = text_width(s);

	term_put(s, fp);
	putc('\n', fp);
	while (n-- > 0)
		putc(ch, fp);
	putc('\n', fp);
}

/* Text table: columns two spaces apart, text left, numbers right. */
static void
text_table(const struct report_doc *doc, const struct report_table *t, FILE *fp)
{
	size_t first = t->kv ? 1 : 0, r, c, w[64];
	char buf[96];
	int has_head = 0, left_values = 0, dec[64];

	if (t->ncols > 64)
		return;
	report_table_decimals(t, dec);
	term_put(t->title, fp);
	putc('\n', fp);
	for (c = first; c < t->ncols; c++) {
		w[c] = t->kv ? 0 : text_width(t->heads[c]);
		if (!t->kv && t->heads[c][0] != '\0')
			has_head = 1;
		for (r = 0; r < t->nrows; r++) {
			size_t cw = text_width(report_cell_text(doc, &t->cells[r * t->ncols + c], dec[c], buf));
			if (cw > w[c])
				w[c] = cw;
		}
	}
	if (t->nrows == 0) {
		fputs("  (none)\n", fp);
		return;
	}
	/* A key/value list that mixes words and numbers reads best all left-aligned. */
	for (r = 0; t->kv && r < t->nrows; r++)
		if (t->cells[r * 3 + 2].kind == REPORT_TEXT)
			left_values = 1;
	if (has_head) {
		fputs("  ", fp);
		for (c = first; c < t->ncols; c++) {
			int right = t->nrows > 0 && t->cells[c].kind != REPORT_TEXT;
			size_t hw = text_width(t->heads[c]);
			if (c > first)
				fputs("  ", fp);
			if (right)
				pad(fp, w[c] - hw);
			term_put(t->heads[c], fp);
			if (!right && c + 1 < t->ncols)
				pad(fp, w[c] - hw);
		}
		putc('\n', fp);
	}
	for (r = 0; r < t->nrows; r++) {
		fputs("  ", fp);
		for (c = first; c < t->ncols; c++) {
			const struct report_cell *cell = &t->cells[r * t->ncols + c];
			const char *s = report_cell_text(doc, cell, dec[c], buf);
			size_t sw = text_width(s);
			int right = cell->kind != REPORT_TEXT && !left_values;
			if (c > first)
				fputs("  ", fp);
			if (right)
				pad(fp, w[c] - sw);
			term_put(s, fp);
			if (!right && c + 1 < t->ncols)
				pad(fp, w[c] - sw);
		}
		putc('\n', fp);
	}
}

int
report_write_text(const struct report_doc *doc, FILE *fp)
{
	size_t i;

	underline(fp, doc->title, '=');
	for (i = 0; i < doc->n; i++) {
		const struct report_item *it = &doc->items[i];
		switch (it->kind) {
		case REPORT_ITEM_HEADING:
			putc('\n', fp);
			underline(fp, it->text, '-');
			break;
		case REPORT_ITEM_PARA:
			putc('\n', fp);
			term_put(it->text, fp);
			putc('\n', fp);
			break;
		case REPORT_ITEM_NOTE:
			if (i == 0 || doc->items[i - 1].kind != REPORT_ITEM_NOTE)
				putc('\n', fp);
			fputs(it->warn ? "  ! " : "  - ", fp);
			term_put(it->text, fp);
			putc('\n', fp);
			break;
		case REPORT_ITEM_TABLE:
			if (it->table->detail == 1)
				break;
			putc('\n', fp);
			text_table(doc, it->table, fp);
			break;
		case REPORT_ITEM_CHART:
			break;
		}
	}
	return 0;
}

/*
 * Markdown text: characters that would end a cell or start markup (a tag,
 * an entity, emphasis, code, a link) get a backslash, which CommonMark
 * allows before any ASCII punctuation.  An underscore inside a word
 * (max_change) starts no emphasis in GitHub's Markdown, so it is left alone
 * there, for the raw text's sake.
 */
static void
md_cell(FILE *fp, const char *raw)
{
	char *tmp;
	const char *s = term_text(raw, &tmp), *p;

	for (p = s; *p != '\0'; p++) {
		int in_word = *p == '_' && p > s && isalnum((unsigned char)p[-1]) &&
		    isalnum((unsigned char)p[1]);
		if (*p == '\n' || *p == '\r')
			putc(' ', fp);
		else if (strchr("\\`*[]<>&|", *p) != NULL || (*p == '_' && !in_word))
			fprintf(fp, "\\%c", *p);
		else
			putc(*p, fp);
	}
	free(tmp);
}

static void
md_table(const struct report_doc *doc, const struct report_table *t, FILE *fp)
{
	size_t first = t->kv ? 1 : 0, r, c;
	char buf[96];
	int dec[64];

	if (t->ncols > 64)
		return;
	report_table_decimals(t, dec);
	fprintf(fp, "### %s\n\n", t->title);
	if (t->nrows == 0) {
		fputs("(none)\n", fp);
		return;
	}
	putc('|', fp);
	for (c = first; c < t->ncols; c++) {
		putc(' ', fp);
		md_cell(fp, t->kv ? (c == 1 ? "" : "") : t->heads[c]);
		fputs(" |", fp);
	}
	fputs("\n|", fp);
	for (c = first; c < t->ncols; c++)
		fputs(t->cells[c].kind != REPORT_TEXT ? " ---: |" : " --- |", fp);
	putc('\n', fp);
	for (r = 0; r < t->nrows; r++) {
		putc('|', fp);
		for (c = first; c < t->ncols; c++) {
			putc(' ', fp);
			md_cell(fp, report_cell_text(doc, &t->cells[r * t->ncols + c], dec[c], buf));
			fputs(" |", fp);
		}
		putc('\n', fp);
	}
}

int
report_write_md(const struct report_doc *doc, FILE *fp)
{
	size_t i;

	fputs("# ", fp);
	md_cell(fp, doc->title);
	putc('\n', fp);
	for (i = 0; i < doc->n; i++) {
		const struct report_item *it = &doc->items[i];
		switch (it->kind) {
		case REPORT_ITEM_HEADING:
			fputs("\n## ", fp);
			md_cell(fp, it->text);
			putc('\n', fp);
			break;
		case REPORT_ITEM_PARA:
			putc('\n', fp);
			md_cell(fp, it->text);
			putc('\n', fp);
			break;
		case REPORT_ITEM_NOTE:
			if (i == 0 || doc->items[i - 1].kind != REPORT_ITEM_NOTE)
				putc('\n', fp);
			fputs(it->warn ? "- **Warning:** " : "- ", fp);
			md_cell(fp, it->text);
			putc('\n', fp);
			break;
		case REPORT_ITEM_TABLE:
			if (it->table->detail == 1)
				break;
			putc('\n', fp);
			md_table(doc, it->table, fp);
			break;
		case REPORT_ITEM_CHART:
			break;
		}
	}
	return 0;
}

/*
 * A JSON string: what RFC 8259 requires escaped is, the other unsafe
 * characters (report_cp_unsafe) too, and a byte that is not UTF-8 becomes
 * U+FFFD, since JSON text is UTF-8 and readers (jansson) refuse anything else.
 */
static void
json_str(FILE *fp, const char *s)
{
	size_t n = strlen(s), i, len;

	putc('"', fp);
	for (i = 0; i < n; i += len) {
		long cp = report_utf8_next(s + i, n - i, &len);
		if (cp == '"' || cp == '\\')
			fprintf(fp, "\\%c", (int)cp);
		else if (cp == '\n')
			fputs("\\n", fp);
		else if (cp == '\t')
			fputs("\\t", fp);
		else if (cp < 0)
			fputs("\\ufffd", fp);
		else if (report_cp_unsafe(cp))
			fprintf(fp, "\\u%04lx", cp);
		else
			fwrite(s + i, 1, len, fp);
	}
	putc('"', fp);
}

static void
json_cell(FILE *fp, const struct report_cell *c)
{
	char buf[NUM_BUFSZ];

	if (c->kind == REPORT_TEXT) {
		json_str(fp, c->s != NULL ? c->s : "");
	} else if (!isfinite(c->x)) {
		fputs("null", fp);
	} else {
		num_format(c->x, buf);
		fputs(buf, fp);
	}
}

static void
json_table(const struct report_table *t, FILE *fp)
{
	size_t r, c;

	if (t->kv) {
		fputs("{", fp);
		for (r = 0; r < t->nrows; r++) {
			fputs(r ? ",\n    " : "\n    ", fp);
			json_str(fp, t->cells[r * 3].s);
			fputs(": ", fp);
			json_cell(fp, &t->cells[r * 3 + 2]);
		}
		fputs(t->nrows ? "\n  }" : "}", fp);
		return;
	}
	fputs("[", fp);
	for (r = 0; r < t->nrows; r++) {
		fputs(r ? ",\n    {" : "\n    {", fp);
		for (c = 0; c < t->ncols; c++) {
			if (c)
				fputs(", ", fp);
			json_str(fp, t->keys[c]);
			fputs(": ", fp);
			json_cell(fp, &t->cells[r * t->ncols + c]);
		}
		fputs("}", fp);
	}
	fputs(t->nrows ? "\n  ]" : "]", fp);
}

int
report_write_json(const struct report_doc *doc, FILE *fp)
{
	size_t i;

	fputs("{\n  \"format\": \"pr-report\",\n  \"version\": 1,\n  \"input\": ", fp);
	json_str(fp, doc->input);
	for (i = 0; i < doc->n; i++) {
		const struct report_item *it = &doc->items[i];
		if (it->kind != REPORT_ITEM_TABLE || it->table->detail == 2)
			continue;
		fputs(",\n  ", fp);
		json_str(fp, it->table->name);
		fputs(": ", fp);
		json_table(it->table, fp);
	}
	fputs("\n}\n", fp);
	return 0;
}

static void
csv_cell(struct csvio_writer *w, const struct report_cell *c)
{
	if (c->kind == REPORT_TEXT)
		csvio_put_str(w, c->s != NULL ? c->s : "");
	else if (!isfinite(c->x))
		csvio_put_str(w, "");
	else
		csvio_put_num(w, c->x);
}

int
report_write_csv(const struct report_doc *doc, FILE *fp)
{
	struct csvio_writer *w = csvio_writer_new(fp, ',');
	size_t i, r, c;

	if (w == NULL)
		return -1;
	csvio_put_str(w, "section");
	csvio_put_str(w, "item");
	csvio_put_str(w, "key");
	csvio_put_str(w, "value");
	csvio_end(w);
	for (i = 0; i < doc->n; i++) {
		const struct report_table *t = doc->items[i].table;
		if (doc->items[i].kind != REPORT_ITEM_TABLE || t->detail == 2)
			continue;
		for (r = 0; r < t->nrows; r++) {
			const struct report_cell *row = &t->cells[r * t->ncols];
			if (t->kv) {
				csvio_put_str(w, t->name);
				csvio_put_str(w, "");
				csv_cell(w, &row[0]);
				csv_cell(w, &row[2]);
				csvio_end(w);
				continue;
			}
			for (c = 1; c < t->ncols; c++) {
				csvio_put_str(w, t->name);
				csv_cell(w, &row[0]);
				csvio_put_str(w, t->keys[c]);
				csv_cell(w, &row[c]);
				csvio_end(w);
			}
		}
	}
	return csvio_writer_free(w) == 0 ? 0 : -1;
}
