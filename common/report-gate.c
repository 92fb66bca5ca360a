/* report-gate.c - the regression gate of report.h: compare with a saved summary. */
#include "report.h"
#include "jsonfile.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

json_t *
report_baseline_load(const char *path, struct diag *d)
{
	json_t *doc = jsonfile_load(path, 0, d);
	const json_t *v;

	if (doc == NULL)
		return NULL;
	v = json_object_get(doc, "format");
	if (!json_is_string(v) || strcmp(json_string_value(v), "pr-report") != 0) {
		json_decref(doc);
		return diag_set(d, path, 0, NULL, NULL, 0,
		    "not a pr-report summary (no \"format\": \"pr-report\")"), NULL;
	}
	v = json_object_get(doc, "version");
	if (!json_is_integer(v) || json_integer_value(v) != 1) {
		json_decref(doc);
		return diag_set(d, path, 0, NULL, NULL, 0,
		    "pr-report summary version is not 1"), NULL;
	}
	if (!json_is_object(json_object_get(doc, "summary"))) {
		json_decref(doc);
		return diag_set(d, path, 0, NULL, NULL, 0, "no \"summary\" object"), NULL;
	}
	return doc;
}

/* The value of key in doc's summary table; 0, or -1 when missing. */
static int
doc_metric(const struct report_doc *doc, const char *key, double *out)
{
	const struct report_table *t = report_doc_find(doc, "summary");
	size_t r;

	if (t == NULL)
		return -1;
	for (r = 0; r < t->nrows; r++) {
		if (strcmp(t->cells[r * 3].s, key) == 0) {
			*out = t->cells[r * 3 + 2].x;
			return 0;
		}
	}
	return -1;
}

int
report_gate(const json_t *baseline, const char *baseline_name,
    const struct report_doc *doc, const char *const *names, size_t n, double max_drop,
    struct report_gate_result *res, struct diag *d)
{
	const json_t *sum = json_object_get(baseline, "summary");
	int failed = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		struct report_gate_result *g = &res[i];
		const json_t *v = json_object_get(sum, names[i]);
		double tol;
		memset(g, 0, sizeof *g);
		g->name = names[i];
		if (!report_metric_known(names[i], &g->higher_is_better))
			return diag_set(d, NULL, 0, NULL, NULL, 0, "unknown metric \"%s\"", names[i]);
		if (v == NULL)
			return diag_set(d, baseline_name, 0, NULL, NULL, 0,
			    "no metric \"%s\" in the baseline", names[i]);
		if (!json_is_number(v))
			return diag_set(d, baseline_name, 0, NULL, NULL, 0,
			    "metric \"%s\" is not a number in the baseline", names[i]);
		g->before = json_number_value(v);
		if (doc_metric(doc, names[i], &g->now) < 0)
			return diag_set(d, NULL, 0, NULL, NULL, 0,
			    "this run has no metric \"%s\"", names[i]);
		if (!isfinite(g->now))
			return diag_set(d, NULL, 0, NULL, NULL, 0,
			    "metric \"%s\" is not defined in this run", names[i]);
		g->change_rel = g->before != 0 ? (g->now - g->before) / fabs(g->before) : NAN;
		tol = max_drop * fabs(g->before);
		g->failed = g->higher_is_better ? g->now < g->before - tol : g->now > g->before + tol;
		failed += g->failed;
	}
	return failed;
}
