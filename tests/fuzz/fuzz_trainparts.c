/*
 * fuzz_trainparts.c - pr-train's shard files on any bytes: up to five
 * JSON documents separated by NUL bytes.  When the first is a state
 * (format "pr-train-state") it is read as pr-train --map --from reads it
 * (train_state_options, the formula, the price column, the store's types,
 * train_map on an empty shard and on a one-row shard) and as the --from of
 * pr-train --reduce over the other documents, the parts; otherwise every
 * document is a part of round 0 (train_reduce without a state).  Every
 * refusal fills the diag.  What the reduce writes, written and read back
 * as pr-train writes it, is a state that --map --from reads (train_map on
 * an empty shard accepts it, and a reduce of that part refuses nothing
 * with an empty message) or a model that pr-score reads (model_from_json).
 * No crash, no leak.
 */
#include "fuzz_common.h"

#include <jansson.h>

#include "csvio.h"
#include "diag.h"
#include "formula.h"
#include "model.h"
#include "store.h"
#include "train.h"
#include "xalloc.h"

#define MAXDOCS 5

static void
need_diag(const struct diag *d, const char *where)
{
	if (d->what[0] == '\0') {
		fprintf(stderr, "%s: a refusal without a message\n", where);
		abort();
	}
}

/*
 * A shard of rows rows (0 or 1) as pr-train --map --from reads it with
 * state: every numeric column 1, every categorical one the state's first
 * level, the weight 1, the group (--by) the state's first.  0 with *part set, 1 when refused before the map (as pr-train
 * would refuse: the options, the formula, the price column), -1 when
 * train_map refused; d says why.
 */
static int
map_from(const json_t *state, size_t rows, json_t **part, struct diag *d)
{
	struct train_opts o;
	const char *ftext, *price;
	struct formula *f;
	struct store_spec spec;
	struct store *s;
	long *field;
	size_t nc, i;
	int rc = 1;

	*part = NULL;
	memset(&o, 0, sizeof o);
	diag_clear(d);
	if (train_state_options(state, "state", &o, &ftext, d) < 0)
		return 1;
	if ((f = formula_parse(ftext, d)) == NULL)
		return 1;
	price = o.price;
	memset(&spec, 0, sizeof spec);
	spec.f = f;
	if ((spec.price = train_price_col(f, &price, d)) < -1)
		goto out;
	nc = formula_ncols(f);
	field = xcalloc(nc + 1, sizeof *field);
	for (i = 0; i < nc; i++)
		field[i] = (long)i;
	spec.field = field;
	spec.weight_field = spec.group_field = -1;
	if (o.weight != NULL) {
		long w = formula_col_index(f, o.weight);
		spec.weight_field = w >= 0 ? w : (long)nc;
		spec.weight_name = o.weight;
	}
	if (o.by != NULL) {
		long g = formula_col_index(f, o.by);
		spec.group_field = g >= 0 ? g : (long)nc + 1;
		spec.group_name = o.by;
	}
	s = store_new(&spec);
	if (train_state_prepare(state, f, s, d) < 0) {
		free(field);
		store_free(s);
		goto out;
	}
	if (rows > 0) {
		const json_t *cols = json_object_get(state, "columns");
		char **text = xcalloc(nc + 3, sizeof *text);
		size_t *len = xcalloc(nc + 3, sizeof *len);
		struct csvio_row row = { .n = nc + 2, .f = text, .len = len, .line = 2, .plain = NULL };
		const char *g = json_string_value(json_object_get(json_array_get(
		    json_object_get(state, "groups"), 0), "name"));
		text[nc + 1] = (char *)(g != NULL ? g : "1");
		len[nc + 1] = strlen(text[nc + 1]);
		for (i = 0; i <= nc; i++) {
			const json_t *c = json_array_get(cols, i);
			const char *t = json_string_value(json_object_get(c, "type"));
			const char *lv = json_string_value(json_array_get(json_object_get(c, "levels"), 0));
			text[i] = (char *)(i < nc && t != NULL && strcmp(t, "categorical") == 0 &&
			    lv != NULL ? lv : "1");
			len[i] = strlen(text[i]);
		}
		int added = store_add_row(s, &row, d);
		free(text);
		free(len);
		if (added < 0) {
			free(field);
			store_free(s);
			goto out;
		}
	}
	diag_clear(d);
	rc = train_map(&o, f, s, ftext, state, "state", "shard", part, d) < 0 ? -1 : 0;
	free(field);
	store_free(s);
out:
	formula_free(f);
	return rc;
}

/* doc as pr-train -o writes it, read back as --from and pr-score read it. */
static json_t *
written(const json_t *doc)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *fp = open_memstream(&buf, &size);
	struct diag d;
	json_error_t err;
	json_t *back;

	diag_clear(&d);
	if (fp == NULL || model_write(doc, fp, "out", &d) < 0 || fclose(fp) != 0) {
		fprintf(stderr, "what the reduce gave does not write: %s\n", d.what);
		abort();
	}
	if ((back = json_loadb(buf, size, 0, &err)) == NULL) {
		fprintf(stderr, "what the reduce wrote does not read back: %s\n", err.text);
		abort();
	}
	free(buf);
	return back;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *doc[MAXDOCS], *state = NULL, *out = NULL, *part;
	const char *names[MAXDOCS] = { "p1", "p2", "p3", "p4", "p5" };
	json_error_t err;
	struct diag d;
	size_t n = 0, i, start = 0, end;
	int is_model;

	while (n < MAXDOCS && start <= size) {
		const uint8_t *nul = memchr(data + start, 0, size - start);
		end = nul != NULL ? (size_t)(nul - data) : size;
		doc[n] = json_loadb((const char *)data + start, end - start, JSON_REJECT_DUPLICATES, &err);
		if (doc[n] == NULL)
			break;
		n++;
		start = end + 1;
		if (nul == NULL)
			break;
	}
	if (n == 0)
		return 0;
	const char *fmt = json_string_value(json_object_get(doc[0], "format"));
	if (fmt != NULL && strcmp(fmt, "pr-train-state") == 0) {
		state = doc[0];
		for (size_t rows = 0; rows <= 1; rows++) {
			if (map_from(state, rows, &part, &d) != 0)
				need_diag(&d, "--map --from");
			json_decref(part);
		}
	}
	if (n > (state != NULL ? 1u : 0u)) {
		size_t k = state != NULL ? 1 : 0;
		diag_clear(&d);
		if (train_reduce(state, "state", doc + k, names, n - k, &out, &is_model, &d) < 0)
			need_diag(&d, "--reduce");
	}
	if (out != NULL) {
		json_t *back = written(out);
		if (is_model) {
			struct model *m;
			diag_clear(&d);
			if ((m = model_from_json(back, "model", &d)) == NULL) {
				fprintf(stderr, "pr-score refuses the model the reduce wrote: %s\n", d.what);
				abort();
			}
			model_free(m);
		} else {
			json_t *p2 = NULL;
			if (map_from(back, 0, &part, &d) != 0) {
				fprintf(stderr, "--map --from refuses the state the reduce wrote: %s\n",
				    d.what);
				abort();
			}
			diag_clear(&d);
			if (train_reduce(back, "state", &part, names, 1, &p2, &is_model, &d) < 0)
				need_diag(&d, "--reduce of the next round");
			json_decref(p2);
			json_decref(part);
			if (map_from(back, 1, &part, &d) != 0)
				need_diag(&d, "--map --from a one-row shard");
			json_decref(part);
		}
		json_decref(back);
		json_decref(out);
	}
	for (i = 0; i < n; i++)
		json_decref(doc[i]);
	return 0;
}
