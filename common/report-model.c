/*
 * report-model.c - the model section of a report, read through model.h:
 * formula, family, response, price and group columns; the coefficients
 * with standard errors, test statistics and p-values; and the fit
 * statistics pr-train stored with the model.  With --by models, one
 * coefficient table holds the pooled model and every group's, in the
 * file's order.
 */
#include "report.h"
#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define TRY(x) do { if ((x) < 0) return -1; } while (0)

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
coef_rows(struct report_table *t, const char *group, const struct model *m, long g, int linear)
{
	double df = (double)model_df_residual(m, g);
	size_t j, c;

	for (j = 0; j < model_ncoef(m); j++) {
		double est, se, stat, p;
		model_coef(m, g, j, &est, &se);
		test_of(est, se, linear, df, &stat, &p);
		c = 0;
		TRY(report_table_row(t));
		if (group != NULL)
			TRY(report_table_text(t, c++, group));
		TRY(report_table_text(t, c++, model_coef_name(m, j)));
		report_table_num(t, c++, est, REPORT_FIX4);
		report_table_num(t, c++, se, REPORT_FIX4);
		report_table_num(t, c++, stat, REPORT_FIX2);
		report_table_num(t, c++, p, REPORT_PVAL);
	}
	return 0;
}

/* The fit statistics of sub-model g, as a key/value table. */
static int
fit_table(struct report_doc *doc, const char *name, const char *title, const struct model *m,
    long g)
{
	const struct model_stat *st;
	size_t n = model_training(m, g, &st), i;
	struct report_table *t;

	if (n == 0)
		return 0;
	t = report_doc_kv(doc, name, title);
	if (t == NULL)
		return -1;
	t->collapsed = 1;
	for (i = 0; i < n; i++)
		TRY(report_table_kv(t, st[i].name, st[i].value, st[i].integer ? REPORT_INT : REPORT_FIX4));
	return 0;
}

int
report_build_model(struct report_doc *doc, const struct model *m)
{
	static const char *const ck[] = { "group", "term", "estimate", "std_error", "statistic",
	    "p_value" };
	static const char *const ch[] = { "group", "term", "estimate", "std. error", "statistic",
	    "p-value" };
	const char *s;
	struct report_table *t;
	int linear = model_family(m) == FIT_LINEAR;
	int grouped = model_group_col(m) != NULL;
	size_t g;
	char title[256];

	TRY(report_doc_heading(doc, "Model"));
	t = report_doc_kv(doc, "model", "Definition");
	if (t == NULL)
		return -1;
	TRY(report_table_kv_text(t, "formula", model_formula(m)));
	TRY(report_table_kv_text(t, "family", model_family_name(model_family(m))));
	TRY(report_table_kv_text(t, "response", model_response(m)));
	if (model_log_response(m)) {
		/* the demand the report shows is on the original scale (model.h) */
		if (model_response_scale_log(m))
			TRY(report_table_kv_text(t, "response_scale|response scale",
			    "log (the demand is exp of it)"));
		TRY(report_table_kv_text(t, "retransform",
		    model_retransform_name(model_retransform(m))));
	}
	if ((s = model_price_col(m)) != NULL)
		TRY(report_table_kv_text(t, "price_column|price column", s));
	if (grouped)
		TRY(report_table_kv_text(t, "group_column|group column", model_group_col(m)));
	TRY(report_table_kv(t, "l2|L2 penalty", model_l2(m), REPORT_FIX4));

	snprintf(title, sizeof title, "Coefficients (%s)", linear ?
	    "t statistic on the residual degrees of freedom" : "z statistic");
	t = report_doc_table(doc, "coefficients", title, grouped ? 6 : 5,
	    grouped ? ck : ck + 1, grouped ? ch : ch + 1);
	if (t == NULL)
		return -1;
	t->collapsed = 1;
	if (!grouped) {
		TRY(coef_rows(t, NULL, m, MODEL_POOLED, linear));
		TRY(fit_table(doc, "fit", "Fit", m, MODEL_POOLED));
		return 0;
	}
	TRY(coef_rows(t, "(pooled)", m, MODEL_POOLED, linear));
	for (g = 0; g < model_ngroups(m); g++)
		TRY(coef_rows(t, model_group_name(m, g), m, (long)g, linear));
	TRY(fit_table(doc, "fit", "Fit (pooled)", m, MODEL_POOLED));
	return 0;
}
