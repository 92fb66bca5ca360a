/*
 * report-model.c - the model section of a report, read from the model
 * file's JSON document (model.h, format "pr-model" version 1): formula,
 * family, response, price and group columns; the coefficients with standard
 * errors, test statistics and p-values; and the fit statistics pr-train
 * stored under "training".  With --by models, one coefficient table holds
 * the pooled model and every group's, in the document's order.
 */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "stats.h"

#define TRY(x) do { if ((x) < 0) return -1; } while (0)

static double
jnum(const json_t *v)
{
	return json_is_number(v) ? json_number_value(v) : NAN;
}

/*
 * The statistic estimate / std_error and its two-sided p-value: Student's t
 * on df_residual degrees of freedom for a linear model (as R's summary.lm),
 * the normal distribution otherwise (as summary.glm for binomial and
 * Poisson, whose dispersion is fixed at 1).
 */
static void
test_of(double est, double se, int linear, double df, double *stat, double *p)
{
	*stat = se > 0 ? est / se : NAN;
	if (isnan(*stat))
		*p = NAN;
	else if (linear && df > 0)
		*p = stats_p_t(*stat, df);
	else
		*p = stats_p_normal(*stat);
}

static int
coef_rows(struct report_table *t, const char *group, const json_t *sub, int linear)
{
	const json_t *co = json_object_get(sub, "coefficients");
	double df = jnum(json_object_get(sub, "df_residual"));
	size_t i, c;

	if (!json_is_array(co))
		return 0;
	for (i = 0; i < json_array_size(co); i++) {
		const json_t *e = json_array_get(co, i);
		const char *term = json_string_value(json_object_get(e, "term"));
		double est = jnum(json_object_get(e, "estimate"));
		double se = jnum(json_object_get(e, "std_error"));
		double stat, p;
		test_of(est, se, linear, df, &stat, &p);
		c = 0;
		TRY(report_table_row(t));
		if (group != NULL)
			TRY(report_table_text(t, c++, group));
		TRY(report_table_text(t, c++, term != NULL ? term : ""));
		report_table_num(t, c++, est, REPORT_FIX4);
		report_table_num(t, c++, se, REPORT_FIX4);
		report_table_num(t, c++, stat, REPORT_FIX2);
		report_table_num(t, c++, p, REPORT_PVAL);
	}
	return 0;
}

/* The scalar members of a "training" object, as a key/value table. */
static int
fit_table(struct report_doc *doc, const char *name, const char *title, const json_t *tr)
{
	struct report_table *t;
	const char *key;
	json_t *v;

	if (!json_is_object(tr) || json_object_size(tr) == 0)
		return 0;
	t = report_doc_kv(doc, name, title);
	if (t == NULL)
		return -1;
	t->collapsed = 1;
	json_object_foreach((json_t *)tr, key, v) {
		if (json_is_integer(v))
			TRY(report_table_kv(t, key, (double)json_integer_value(v), REPORT_INT));
		else if (json_is_real(v))
			TRY(report_table_kv(t, key, json_real_value(v), REPORT_FIX4));
		else if (json_is_string(v))
			TRY(report_table_kv_text(t, key, json_string_value(v)));
		else if (json_is_boolean(v))
			TRY(report_table_kv_text(t, key, json_is_true(v) ? "true" : "false"));
	}
	return 0;
}

int
report_build_model(struct report_doc *doc, const json_t *model)
{
	static const char *const ck[] = { "group", "term", "estimate", "std_error", "statistic",
	    "p_value" };
	static const char *const ch[] = { "group", "term", "estimate", "std. error", "statistic",
	    "p-value" };
	const char *family = json_string_value(json_object_get(model, "family"));
	const json_t *by = json_object_get(model, "by");
	const char *key, *s;
	struct report_table *t;
	int linear = family != NULL && strcmp(family, "linear") == 0;
	int grouped = json_is_object(by);
	json_t *g;
	char title[256];

	TRY(report_doc_heading(doc, "Model"));
	t = report_doc_kv(doc, "model", "Definition");
	if (t == NULL)
		return -1;
	if ((s = json_string_value(json_object_get(model, "formula"))) != NULL)
		TRY(report_table_kv_text(t, "formula", s));
	if (family != NULL)
		TRY(report_table_kv_text(t, "family", family));
	if ((s = json_string_value(json_object_get(model, "response"))) != NULL)
		TRY(report_table_kv_text(t, "response", s));
	if ((s = json_string_value(json_object_get(model, "price_column"))) != NULL)
		TRY(report_table_kv_text(t, "price_column|price column", s));
	if (grouped && (s = json_string_value(json_object_get(by, "column"))) != NULL)
		TRY(report_table_kv_text(t, "group_column|group column", s));
	if (json_is_number(json_object_get(model, "l2")))
		TRY(report_table_kv(t, "l2|L2 penalty", jnum(json_object_get(model, "l2")),
		    REPORT_FIX4));

	snprintf(title, sizeof title, "Coefficients (%s)", linear ?
	    "t statistic on the residual degrees of freedom" : "z statistic");
	t = report_doc_table(doc, "coefficients", title, grouped ? 6 : 5,
	    grouped ? ck : ck + 1, grouped ? ch : ch + 1);
	if (t == NULL)
		return -1;
	t->collapsed = 1;
	if (!grouped) {
		TRY(coef_rows(t, NULL, model, linear));
		TRY(fit_table(doc, "fit", "Fit", json_object_get(model, "training")));
		return 0;
	}
	TRY(coef_rows(t, "(pooled)", json_object_get(by, "pooled"), linear));
	json_object_foreach((json_t *)json_object_get(by, "groups"), key, g)
		TRY(coef_rows(t, key, g, linear));
	TRY(fit_table(doc, "fit", "Fit (pooled)",
	    json_object_get(json_object_get(by, "pooled"), "training")));
	return 0;
}
