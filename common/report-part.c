/*
 * report-part.c - a report's partial figures as a file (pr-report --map),
 * and the merge of such parts (--reduce): see report.h.
 *
 * Every figure a part holds merges exactly: counts add, exact sums
 * (xsum.h) add their partials, extremes take the extreme, the lists of
 * rows keep their order (a row of an earlier part comes first among
 * ties), the scores under --label are kept whole.  So the merge of the
 * parts of an input, in its order, is the report of the whole input.
 */
#include "report.h"
#include "report-impl.h"
#include "xsum.h"
#include "jsonfile.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/* ---- writing ---- */

/* A string from the input: JSON text when it is UTF-8, else {"hex": "..."}. */
static json_t *
jstr(const char *s)
{
	size_t n = strlen(s), i, len;
	char *hex;
	json_t *o;

	for (i = 0; i < n; i += len)
		if (report_utf8_next(s + i, n - i, &len) < 0)
			break;
	if (i >= n)
		return json_stringn(s, n);
	hex = malloc(2 * n + 1);
	if (hex == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", (unsigned char)s[i]);
	o = json_pack("{s:s}", "hex", hex);
	free(hex);
	return o;
}

/* A double: a JSON number (17 digits read back exactly), null for NaN, "inf" / "-inf". */
static json_t *
jnum(double x)
{
	if (isnan(x))
		return json_null();
	if (isinf(x))
		return json_string(x > 0 ? "inf" : "-inf");
	return json_real(x);
}

static json_t *
jxsum(const struct xsum *s)
{
	return xsum_to_json(s);
}

static json_t *
jsums(const struct sums *s)
{
	json_t *a = json_pack("[IIIIIIo]", (json_int_t)s->n, (json_int_t)s->n_flagged,
	    (json_int_t)s->n_up, (json_int_t)s->n_down, (json_int_t)s->n_losing,
	    (json_int_t)s->n_bound, jnum(s->shadow));
	int k;

	for (k = 0; a != NULL && k < NSUM; k++)
		json_array_append_new(a, jxsum(&s->x[k]));
	return a;
}

static json_t *
jkeymap(const struct keymap *m)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < m->n; i++)
		json_array_append_new(a, json_pack("[oo]", jstr(m->v[i].key), jsums(&m->v[i].s)));
	return a;
}

static json_t *
jkeep(const struct keep *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, json_pack("[oooooIoooo]", jnum(v[i].change),
		    jnum(v[i].price), jnum(v[i].opt), jnum(v[i].paid), jnum(v[i].lift),
		    (json_int_t)v[i].line, jstr(v[i].id), jstr(v[i].group), jstr(v[i].binding),
		    jstr(v[i].status)));
	return a;
}

static json_t *
jdoubles(const double *x, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, jnum(x[i]));
	return a;
}

static json_t *
jcurves(const struct report *r)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < r->ncurves; i++) {
		const struct report_curve *c = &r->curves[i];
		long g = r->curve_group[i];
		json_array_append_new(a, json_pack("{s:o,s:o,s:o,s:I,s:b,s:o,s:o,s:o,s:o,s:o,s:o,s:o,"
		    "s:o,s:o}",
		    "label", jstr(c->label), "group", jstr(c->group),
		    "group_key", g >= 0 ? jstr(r->groups.v[g].key) : json_null(),
		    "line", (json_int_t)c->line, "line_label", c->line_label,
		    "price", jdoubles(c->price, c->n), "demand", jdoubles(c->demand, c->n),
		    "profit", jdoubles(c->profit, c->n), "today", jnum(c->today),
		    "chosen", jnum(c->chosen), "today_demand", jnum(c->today_demand),
		    "today_profit", jnum(c->today_profit), "chosen_demand", jnum(c->chosen_demand),
		    "chosen_profit", jnum(c->chosen_profit)));
	}
	return a;
}

static json_t *
jopt_str(const char *s)
{
	return s != NULL ? jstr(s) : json_null();
}

json_t *
report_part_options(const struct report *r, const char *model_digest, int keep_na)
{
	return json_pack("{s:o,s:o,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:b,s:b,s:b,s:b,s:b,"
	    "s:b,s:o,s:I}",
	    "bin_width", jnum(r->o.bin_width), "bin_range", jnum(r->o.bin_range),
	    "top", (json_int_t)r->o.top, "curves", (json_int_t)r->o.curves,
	    "by", jopt_str(r->o.by_name), "id", jopt_str(r->o.id_name),
	    "price", jopt_str(r->o.price_name), "label", jopt_str(r->o.label_name),
	    "pred", jopt_str(r->c.label >= 0 ? r->o.pred_name : NULL),
	    "audit", jopt_str(r->o.audit_name),
	    "pricing", r->pricing, "paid_price", r->c.paid >= 0, "binding", r->c.binding >= 0,
	    "status", r->c.status >= 0, "offer_id", r->c.offer >= 0,
	    "shadow_price", r->c.shadow >= 0, "keep_na", keep_na,
	    "model", jopt_str(model_digest), "elasticity", (json_int_t)r->el_p);
}

int
report_part_write(const struct report *r, const struct report_part_meta *meta, FILE *fp,
    struct diag *d)
{
	json_t *doc, *st, *labels;
	char *y = NULL;
	size_t i;
	int rc;

	if (r->logged)
		return diag_set(d, NULL, 0, NULL, NULL, 0, "--ope and --ab make no parts");
	y = malloc(r->ns + 1);
	if (y == NULL)
		return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
	for (i = 0; i < r->ns; i++)
		y[i] = r->y[i] ? '1' : '0';
	y[r->ns] = '\0';
	labels = json_string(y);
	free(y);
	st = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,"
	    "s:o,s:o}",
	    "total", jsums(&r->total), "groups", jkeymap(&r->groups),
	    "bindings", jkeymap(&r->bindings), "statuses", jkeymap(&r->statuses),
	    "offers", jkeymap(&r->offers), "audits", jkeymap(&r->audits),
	    "hist", json_array(), "n_up", (json_int_t)r->n_up, "n_down", (json_int_t)r->n_down,
	    "n_same", (json_int_t)r->n_same, "n_change", (json_int_t)r->n_change,
	    "sum_change", jxsum(&r->sum_change), "min_change", jnum(r->min_change),
	    "max_change", jnum(r->max_change), "rows", jkeep(r->rows, r->n_rows),
	    "increases", jkeep(r->inc, r->n_inc), "decreases", jkeep(r->dec, r->n_dec),
	    "flagged", jkeep(r->flag, r->n_flag), "scores", jdoubles(r->p, r->ns),
	    "labels", labels);
	if (st != NULL) {
		json_t *h = json_object_get(st, "hist");
		for (i = 0; i < r->nbins + 2; i++)
			json_array_append_new(h, json_integer((json_int_t)r->hist[i]));
		json_object_set_new(st, "curves", jcurves(r));
		if (r->el_p > 0)
			json_object_set_new(st, "elasticity", report_elast_to_json(r));
	}
	doc = json_pack("{s:s,s:i,s:o,s:o,s:I,s:I,s:I,s:o}", "format", REPORT_PART_FORMAT,
	    "version", REPORT_PART_VERSION, "input", jstr(meta->input_name),
	    "options", report_part_options(r, meta->model_digest, meta->keep_na),
	    "next_line", (json_int_t)meta->next_line, "first_line", (json_int_t)meta->first_line,
	    "rejected", (json_int_t)r->n_rejected, "state", st);
	if (doc == NULL)
		return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
	rc = json_dumpf(doc, fp, JSON_COMPACT | JSON_REAL_PRECISION(17));
	json_decref(doc);
	if (rc < 0 || fputc('\n', fp) == EOF)
		return diag_set(d, NULL, 0, NULL, NULL, 0, "write error");
	return 0;
}

/* ---- reading ---- */

/* The reader of one part: its name for messages, and the first thing found wrong. */
struct rd {
	const char *name;
	const char *bad;    /* the key that was wrong, or NULL */
	int oom;
	unsigned long long next_line;   /* the part's "next_line": no row's line is past it */
};

static void
rd_bad(struct rd *rd, const char *key)
{
	if (rd->bad == NULL)
		rd->bad = key;
}

/* A string written by jstr into buf (size bytes, cut), or "" with rd marked. */
static void
rstr(struct rd *rd, const json_t *v, const char *key, char *buf, size_t size)
{
	const char *s = NULL;
	size_t n = 0, i;

	if (json_is_string(v)) {
		s = json_string_value(v);
		n = json_string_length(v);
		if (n >= size)
			n = size - 1;
		memcpy(buf, s, n);
		buf[n] = '\0';
		return;
	}
	v = json_object_get(v, "hex");
	if (json_is_string(v) && json_string_length(v) % 2 == 0) {
		s = json_string_value(v);
		n = json_string_length(v) / 2;
		if (n >= size)
			n = size - 1;
		for (i = 0; i < n; i++) {
			unsigned x;
			if (sscanf(s + 2 * i, "%2x", &x) != 1)
				break;
			buf[i] = (char)x;
		}
		buf[i] = '\0';
		if (i == n)
			return;
	}
	rd_bad(rd, key);
	buf[0] = '\0';
}

/* Like rstr, into a new string (NULL and rd marked when out of memory). */
static char *
rstr_dup(struct rd *rd, const json_t *v, const char *key)
{
	size_t size = json_is_string(v) ? json_string_length(v) + 1 :
	    json_string_length(json_object_get(v, "hex")) / 2 + 1;
	char *s = malloc(size);

	if (s == NULL) {
		rd->oom = 1;
		return NULL;
	}
	rstr(rd, v, key, s, size);
	return s;
}

static double
rnum(struct rd *rd, const json_t *v, const char *key)
{
	const char *s;

	if (json_is_number(v))
		return json_number_value(v);
	if (json_is_null(v))
		return NAN;
	if (json_is_string(v)) {
		s = json_string_value(v);
		if (strcmp(s, "inf") == 0)
			return INFINITY;
		if (strcmp(s, "-inf") == 0)
			return -INFINITY;
	}
	rd_bad(rd, key);
	return NAN;
}

static unsigned long long
rcount(struct rd *rd, const json_t *v, const char *key)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		rd_bad(rd, key);
		return 0;
	}
	return (unsigned long long)json_integer_value(v);
}

/* A row's line in the part, plus line_offset: not past the part's next_line. */
static long
rline(struct rd *rd, const json_t *v, long line_offset, const char *key)
{
	unsigned long long x = rcount(rd, v, key);

	if (x > rd->next_line || line_offset < 0 || x > (unsigned long long)(LONG_MAX - line_offset)) {
		rd_bad(rd, key);
		return 0;
	}
	return (long)x + line_offset;
}

static const json_t *
rarr(struct rd *rd, const json_t *o, const char *key)
{
	const json_t *a = json_object_get(o, key);

	if (!json_is_array(a)) {
		rd_bad(rd, key);
		return NULL;
	}
	return a;
}

/* Add the exact sum v (as jxsum wrote it) into s. */
static void
rxsum_merge(struct rd *rd, const json_t *v, struct xsum *s, const char *key)
{
	if (!json_is_array(v)) {
		rd_bad(rd, key);
		return;
	}
	/* xsum_add_json refuses what is not an array of finite numbers, and fails out of memory */
	if (xsum_add_json(s, v) < 0)
		rd_bad(rd, key);
}

/* Merge the sums v (as jsums wrote them) into s. */
static void
rsums_merge(struct rd *rd, const json_t *v, struct sums *s, const char *key)
{
	double shadow;
	int k;

	if (!json_is_array(v) || json_array_size(v) != 7 + NSUM) {
		rd_bad(rd, key);
		return;
	}
	s->n += rcount(rd, json_array_get(v, 0), key);
	s->n_flagged += rcount(rd, json_array_get(v, 1), key);
	s->n_up += rcount(rd, json_array_get(v, 2), key);
	s->n_down += rcount(rd, json_array_get(v, 3), key);
	s->n_losing += rcount(rd, json_array_get(v, 4), key);
	s->n_bound += rcount(rd, json_array_get(v, 5), key);
	shadow = rnum(rd, json_array_get(v, 6), key);
	if (!isnan(shadow) && (isnan(s->shadow) || shadow > s->shadow))
		s->shadow = shadow;
	for (k = 0; k < NSUM; k++)
		rxsum_merge(rd, json_array_get(v, 7 + (size_t)k), &s->x[k], key);
}

static void
rkeymap_merge(struct rd *rd, const json_t *st, const char *key, struct keymap *m)
{
	const json_t *a = rarr(rd, st, key), *v;
	size_t i;
	char *k;
	struct entry *e;

	json_array_foreach(a, i, v) {
		if (!json_is_array(v) || json_array_size(v) != 2) {
			rd_bad(rd, key);
			return;
		}
		k = rstr_dup(rd, json_array_get(v, 0), key);
		if (k == NULL)
			return;
		e = report_keymap_get(m, k, strlen(k));
		free(k);
		if (e == NULL) {
			rd->oom = 1;
			return;
		}
		rsums_merge(rd, json_array_get(v, 1), &e->s, key);
	}
}

static void
rkeep(struct rd *rd, const json_t *v, struct keep *k, long line_offset, const char *key)
{
	memset(k, 0, sizeof *k);
	if (!json_is_array(v) || json_array_size(v) != 10) {
		rd_bad(rd, key);
		return;
	}
	k->change = rnum(rd, json_array_get(v, 0), key);
	k->price = rnum(rd, json_array_get(v, 1), key);
	k->opt = rnum(rd, json_array_get(v, 2), key);
	k->paid = rnum(rd, json_array_get(v, 3), key);
	k->lift = rnum(rd, json_array_get(v, 4), key);
	k->line = rline(rd, json_array_get(v, 5), line_offset, key);
	rstr(rd, json_array_get(v, 6), key, k->id, sizeof k->id);
	rstr(rd, json_array_get(v, 7), key, k->group, sizeof k->group);
	rstr(rd, json_array_get(v, 8), key, k->binding, sizeof k->binding);
	rstr(rd, json_array_get(v, 9), key, k->status, sizeof k->status);
}

static void
rdoubles(struct rd *rd, const json_t *a, double *x, size_t max, size_t *n, const char *key)
{
	size_t i;

	if (!json_is_array(a) || json_array_size(a) > max) {
		rd_bad(rd, key);
		*n = 0;
		return;
	}
	*n = json_array_size(a);
	for (i = 0; i < *n; i++)
		x[i] = rnum(rd, json_array_get(a, i), key);
}

static void
rcurves_merge(struct rd *rd, struct report *r, const json_t *st, long line_offset)
{
	const json_t *a = rarr(rd, st, "curves"), *v;
	size_t i, n1, n2, n3;
	struct report_curve c;

	json_array_foreach(a, i, v) {
		memset(&c, 0, sizeof c);
		rstr(rd, json_object_get(v, "label"), "curves", c.label, sizeof c.label);
		rstr(rd, json_object_get(v, "group"), "curves", c.group, sizeof c.group);
		c.line = rline(rd, json_object_get(v, "line"), line_offset, "curves");
		c.line_label = json_is_true(json_object_get(v, "line_label"));
		if (c.line_label)
			snprintf(c.label, sizeof c.label, "line %ld", c.line);
		rdoubles(rd, json_object_get(v, "price"), c.price, REPORT_CURVE_POINTS, &n1, "curves");
		rdoubles(rd, json_object_get(v, "demand"), c.demand, REPORT_CURVE_POINTS, &n2,
		    "curves");
		rdoubles(rd, json_object_get(v, "profit"), c.profit, REPORT_CURVE_POINTS, &n3,
		    "curves");
		if (n1 != n2 || n1 != n3)
			rd_bad(rd, "curves");
		c.n = n1;
		c.today = rnum(rd, json_object_get(v, "today"), "curves");
		c.chosen = rnum(rd, json_object_get(v, "chosen"), "curves");
		c.today_demand = rnum(rd, json_object_get(v, "today_demand"), "curves");
		c.today_profit = rnum(rd, json_object_get(v, "today_profit"), "curves");
		c.chosen_demand = rnum(rd, json_object_get(v, "chosen_demand"), "curves");
		c.chosen_profit = rnum(rd, json_object_get(v, "chosen_profit"), "curves");
		if (rd->bad != NULL)
			return;
		if (r->c.by >= 0) {
			/* the group's curve from the first part that has one, as report_need_curve keeps them */
			char *k = rstr_dup(rd, json_object_get(v, "group_key"), "curves");
			struct entry *e;
			if (k == NULL)
				return;
			e = report_keymap_get(&r->groups, k, strlen(k));
			free(k);
			if (e == NULL) {
				rd->oom = 1;
				return;
			}
			r->last_group = (long)(e - r->groups.v);
			if (!report_need_curve(r, NULL))
				continue;
		} else if (r->ncurves >= r->o.curves) {
			continue;
		}
		if (report_add_curve(r, &c) < 0) {
			rd->oom = 1;
			return;
		}
	}
}

json_t *
report_part_load(const char *path, struct diag *d)
{
	json_t *doc = jsonfile_load(path, JSON_REJECT_DUPLICATES, d), *v;

	if (doc == NULL)
		return NULL;
	v = json_object_get(doc, "format");
	if (!json_is_string(v) || strcmp(json_string_value(v), REPORT_PART_FORMAT) != 0) {
		json_decref(doc);
		diag_set(d, path, 0, NULL, NULL, 0, "not a pr-report part (no \"format\": \"%s\")",
		    REPORT_PART_FORMAT);
		return NULL;
	}
	v = json_object_get(doc, "version");
	if (!json_is_integer(v) || json_integer_value(v) != REPORT_PART_VERSION) {
		char found[32] = "none";
		if (json_is_integer(v))
			snprintf(found, sizeof found, "%lld", (long long)json_integer_value(v));
		json_decref(doc);
		diag_set(d, path, 0, NULL, NULL, 0, "part version %s; this pr-report reads version %d",
		    found, REPORT_PART_VERSION);
		return NULL;
	}
	if (!json_is_object(json_object_get(doc, "options")) ||
	    !json_is_object(json_object_get(doc, "state"))) {
		json_decref(doc);
		diag_set(d, path, 0, NULL, NULL, 0, "not a pr-report part (no \"options\" or \"state\")");
		return NULL;
	}
	return doc;
}

/* A value for a message: the compact JSON text, cut. */
static void
show_json(const json_t *v, char *buf, size_t size)
{
	char *s = v != NULL ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY |
	    JSON_REAL_PRECISION(17)) : NULL;

	snprintf(buf, size, "%s", s != NULL ? s : "none");
	free(s);
}

int
report_part_check(const json_t *first, const char *first_name, const json_t *part,
    const char *name, struct diag *d)
{
	const json_t *a = json_object_get(first, "options"), *b = json_object_get(part, "options");
	const char *key;
	const json_t *v;
	char x[128], y[128];

	json_object_foreach((json_t *)a, key, v) {
		if (!json_equal(v, json_object_get(b, key))) {
			show_json(json_object_get(b, key), x, sizeof x);
			show_json(v, y, sizeof y);
			return diag_set(d, name, 0, NULL, NULL, 0, "made with other options or input columns than %s: "
			    "\"%s\" is %s here, %s there", first_name, key, x, y);
		}
	}
	json_object_foreach((json_t *)b, key, v) {
		if (json_object_get(a, key) == NULL) {
			show_json(v, x, sizeof x);
			return diag_set(d, name, 0, NULL, NULL, 0, "made with other options or input columns than %s: "
			    "\"%s\" is %s here, none there", first_name, key, x);
		}
	}
	return 0;
}

/* An option's string (borrowed from the part), NULL for null. */
static const char *
opt_str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

struct report *
report_from_part(const json_t *part, const char *input_name, const char *title,
    const char *currency, struct diag *d)
{
	const json_t *o = json_object_get(part, "options");
	struct report_opts ro;
	struct report_cols rc;
	struct report *r;
	struct diag dd;

	memset(&ro, 0, sizeof ro);
	ro.bin_width = json_number_value(json_object_get(o, "bin_width"));
	ro.bin_range = json_number_value(json_object_get(o, "bin_range"));
	ro.top = (size_t)json_integer_value(json_object_get(o, "top"));
	ro.curves = (size_t)json_integer_value(json_object_get(o, "curves"));
	if (report_check_bins(ro.bin_width, ro.bin_range, &dd) < 0 || ro.top > REPORT_TOP_MAX ||
	    ro.curves > REPORT_TOP_MAX) {
		diag_set(d, NULL, 0, NULL, NULL, 0, "bad \"options\"");
		return NULL;
	}
	ro.input_name = input_name;
	ro.by_name = opt_str(o, "by");
	ro.id_name = opt_str(o, "id");
	ro.price_name = opt_str(o, "price");
	ro.label_name = opt_str(o, "label");
	ro.pred_name = opt_str(o, "pred");
	ro.audit_name = opt_str(o, "audit");
	ro.title = title;
	ro.currency = currency;
	ro.mde = 0.05;
	memset(&rc, 0xff, sizeof rc);   /* every column -1: absent */
	if (json_is_true(json_object_get(o, "pricing"))) {
		/* present: any index will do, the document only asks which columns there are */
		rc.price = rc.opt_price = rc.exp_demand = rc.exp_revenue = rc.exp_profit = 0;
		rc.base_demand = rc.base_revenue = rc.base_profit = 0;
	}
	if (json_is_true(json_object_get(o, "paid_price")))
		rc.paid = 0;
	if (json_is_true(json_object_get(o, "binding")))
		rc.binding = 0;
	if (json_is_true(json_object_get(o, "status")))
		rc.status = 0;
	if (json_is_true(json_object_get(o, "offer_id")))
		rc.offer = 0;
	if (json_is_true(json_object_get(o, "shadow_price")))
		rc.shadow = 0;
	if (ro.by_name != NULL)
		rc.by = 0;
	if (ro.id_name != NULL)
		rc.id = 0;
	if (ro.audit_name != NULL)
		rc.audit = 0;
	if (ro.label_name != NULL)
		rc.label = rc.pred = 0;
	r = report_new(&ro, &rc);
	if (r == NULL)
		diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
	else if (json_integer_value(json_object_get(o, "elasticity")) > 0)
		report_want_elasticity(r, (size_t)json_integer_value(json_object_get(o, "elasticity")));
	return r;
}

long
report_part_rows_lines(const json_t *part)
{
	json_int_t first = json_integer_value(json_object_get(part, "first_line"));
	json_int_t next = json_integer_value(json_object_get(part, "next_line"));

	/* report_merge_part refuses a part whose lines are not so */
	return first >= 0 && next >= first && next <= LONG_MAX ? (long)(next - first) : 0;
}

int
report_merge_part(struct report *r, const json_t *part, const char *name, long line_offset,
    struct diag *d)
{
	const json_t *st = json_object_get(part, "state"), *a, *v;
	struct rd rd = { name, NULL, 0, 0 };
	struct keep k;
	size_t i, n;
	const char *y;
	unsigned long long first;

	/* the lines: first <= next, no more than 2^53 (no file has so many), and
	 * the lines of the whole input fit a long */
	first = rcount(&rd, json_object_get(part, "first_line"), "first_line");
	rd.next_line = rcount(&rd, json_object_get(part, "next_line"), "next_line");
	if (line_offset < 0 || first > rd.next_line || rd.next_line > (1ULL << 53) ||
	    rd.next_line > (unsigned long long)(LONG_MAX - line_offset))
		rd_bad(&rd, "next_line");
	r->n_rejected += rcount(&rd, json_object_get(part, "rejected"), "rejected");
	rsums_merge(&rd, json_object_get(st, "total"), &r->total, "total");
	rkeymap_merge(&rd, st, "groups", &r->groups);
	rkeymap_merge(&rd, st, "bindings", &r->bindings);
	rkeymap_merge(&rd, st, "statuses", &r->statuses);
	rkeymap_merge(&rd, st, "offers", &r->offers);
	rkeymap_merge(&rd, st, "audits", &r->audits);
	a = rarr(&rd, st, "hist");
	if (a != NULL && json_array_size(a) != r->nbins + 2)
		rd_bad(&rd, "hist");
	for (i = 0; rd.bad == NULL && i < r->nbins + 2; i++)
		r->hist[i] += rcount(&rd, json_array_get(a, i), "hist");
	r->n_up += rcount(&rd, json_object_get(st, "n_up"), "n_up");
	r->n_down += rcount(&rd, json_object_get(st, "n_down"), "n_down");
	r->n_same += rcount(&rd, json_object_get(st, "n_same"), "n_same");
	r->n_change += rcount(&rd, json_object_get(st, "n_change"), "n_change");
	rxsum_merge(&rd, json_object_get(st, "sum_change"), &r->sum_change, "sum_change");
	{
		double lo = rnum(&rd, json_object_get(st, "min_change"), "min_change");
		double hi = rnum(&rd, json_object_get(st, "max_change"), "max_change");
		if (lo < r->min_change)
			r->min_change = lo;
		if (hi > r->max_change)
			r->max_change = hi;
	}
	/* the rows of a small run, and the lists: in order, earlier parts first among ties */
	json_array_foreach(rarr(&rd, st, "rows"), i, v) {
		rkeep(&rd, v, &k, line_offset, "rows");
		if (r->n_rows < REPORT_ROWS_SMALL)
			r->rows[r->n_rows++] = k;
	}
	json_array_foreach(rarr(&rd, st, "increases"), i, v) {
		rkeep(&rd, v, &k, line_offset, "increases");
		if (r->o.top > 0)
			report_keep_row(r->inc, &r->n_inc, r->o.top, &k, 1);
	}
	json_array_foreach(rarr(&rd, st, "decreases"), i, v) {
		rkeep(&rd, v, &k, line_offset, "decreases");
		if (r->o.top > 0)
			report_keep_row(r->dec, &r->n_dec, r->o.top, &k, -1);
	}
	json_array_foreach(rarr(&rd, st, "flagged"), i, v) {
		rkeep(&rd, v, &k, line_offset, "flagged");
		if (r->n_flag < r->o.top)
			r->flag[r->n_flag++] = k;
	}
	/* the scores, whole */
	a = rarr(&rd, st, "scores");
	v = json_object_get(st, "labels");
	n = json_array_size(a);
	y = json_string_value(v);
	if (y == NULL || strlen(y) != n)
		rd_bad(&rd, "labels");
	if (rd.bad == NULL && n > 0) {
		if (report_reserve_scores(r, r->ns + n) < 0)
			return diag_set(d, name, 0, NULL, NULL, 0, "out of memory");
		for (i = 0; i < n; i++) {
			double p = rnum(&rd, json_array_get(a, i), "scores");
			if (!(p >= 0 && p <= 1) || (y[i] != '0' && y[i] != '1'))
				rd_bad(&rd, "scores");
			r->p[r->ns] = p;
			r->y[r->ns] = (unsigned char)(y[i] == '1');
			r->ns++;
		}
	}
	if (rd.bad == NULL && !rd.oom)
		rcurves_merge(&rd, r, st, line_offset);
	if (rd.bad == NULL && !rd.oom && r->el_p > 0) {
		int rc = report_elast_merge(r, json_object_get(st, "elasticity"));
		if (rc == -2)
			rd.oom = 1;
		else if (rc < 0)
			rd_bad(&rd, "elasticity");
	}
	if (rd.oom)
		return diag_set(d, name, 0, NULL, NULL, 0, "out of memory");
	if (rd.bad != NULL)
		return diag_set(d, name, 0, NULL, NULL, 0, "not a valid pr-report part: bad \"%s\"",
		    rd.bad);
	return 0;
}

int
report_file_digest(const char *path, char *buf, size_t size, struct diag *d)
{
	crypto_generichash_state st;
	unsigned char h[16], block[65536];
	size_t i, n;
	FILE *fp;

	if (size < 2 * sizeof h + 1 || sodium_init() < 0)
		return diag_set(d, path, 0, NULL, NULL, 0, "cannot compute a digest");
	if ((fp = fopen(path, "rb")) == NULL)
		return diag_errno(d, path, errno, "cannot open");
	crypto_generichash_init(&st, NULL, 0, sizeof h);
	while ((n = fread(block, 1, sizeof block, fp)) > 0)
		crypto_generichash_update(&st, block, n);
	if (ferror(fp)) {
		int e = errno;
		fclose(fp);
		return diag_errno(d, path, e, "cannot read");
	}
	fclose(fp);
	crypto_generichash_final(&st, h, sizeof h);
	for (i = 0; i < sizeof h; i++)
		snprintf(buf + 2 * i, 3, "%02x", h[i]);
	return 0;
}
