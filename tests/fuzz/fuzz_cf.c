/*
 * fuzz_cf.c - the collaborative-filtering state (cf_from_json, as
 * pr-features --apply reads the "cf" part of a state) on any JSON: NULL
 * with a message, or a model that scores any pair with a finite number and
 * writes back (cf_to_json) a document that reads again to the same
 * document.  No crash, no leak.
 */
#include "fuzz_common.h"

#include <jansson.h>
#include <math.h>

#include "cf.h"
#include "diag.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t err;
	json_t *doc = json_loadb((const char *)data, size, 0, &err), *out, *out2;
	struct diag d;
	struct cf *c, *c2;
	int known;
	double s;

	if (doc == NULL)
		return 0;
	diag_clear(&d);
	c = cf_from_json(doc, &d);
	json_decref(doc);
	if (c == NULL) {
		if (d.what[0] == '\0')
			abort();
		return 0;
	}
	s = cf_score(c, "u1", 2, "i1", 2, &known);
	if (!isfinite(s))
		abort();
	out = cf_to_json(c);
	if (out == NULL)
		abort();
	c2 = cf_from_json(out, &d);
	if (c2 == NULL) {
		fprintf(stderr, "cf_to_json wrote what cf_from_json refuses: %s\n", d.what);
		abort();
	}
	out2 = cf_to_json(c2);
	if (out2 == NULL || !json_equal(out, out2)) {
		fprintf(stderr, "cf state does not round-trip\n");
		abort();
	}
	json_decref(out);
	json_decref(out2);
	cf_free(c);
	cf_free(c2);
	return 0;
}
