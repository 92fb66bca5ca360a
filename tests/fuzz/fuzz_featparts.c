/*
 * fuzz_featparts.c - pr-features --reduce on any parts: the bytes are up
 * to four JSON documents separated by NUL bytes, merged in turn as
 * --reduce merges its PARTs (feat_fit_from_part on the first, then
 * feat_fit_merge of each).  Every refusal fills the diag; a merge that
 * has rows gives a state, or NULL with a message, and a state it gives is
 * one --apply reads (feat_load_json accepts it).  No crash, no leak.
 */
#include "fuzz_common.h"

#include <jansson.h>

#include "diag.h"
#include "features.h"

#define MAXPARTS 4

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *part[MAXPARTS], *doc;
	json_error_t err;
	struct feat_fit *f = NULL;
	struct feat_state *st;
	struct diag d;
	size_t n = 0, i, start = 0, end;
	int ok = 1;

	while (n < MAXPARTS && start <= size) {
		const uint8_t *nul = memchr(data + start, 0, size - start);
		end = nul != NULL ? (size_t)(nul - data) : size;
		part[n] = json_loadb((const char *)data + start, end - start, JSON_REJECT_DUPLICATES, &err);
		if (part[n] == NULL)
			break;
		n++;
		start = end + 1;
		if (nul == NULL)
			break;
	}
	diag_clear(&d);
	for (i = 0; i < n && ok; i++) {
		if (f == NULL && (f = feat_fit_from_part(part[i], "p1", &d)) == NULL)
			ok = 0;
		else if (feat_fit_merge(f, part[i], i == 0 ? "p1" : "p2", "p1", &d) < 0)
			ok = 0;
		if (!ok && d.what[0] == '\0')
			abort();
	}
	if (ok && f != NULL && feat_fit_rows(f) > 0) {
		diag_clear(&d);
		doc = feat_fit_state(f, &d);
		if (doc == NULL) {
			if (d.what[0] == '\0')
				abort();
		} else {
			char *text = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(17));
			json_t *back;
			if (text == NULL) {
				fprintf(stderr, "the merged state does not write as JSON\n");
				abort();
			}
			/* As --apply reads it: from its text. */
			back = json_loads(text, 0, &err);
			if (back == NULL) {
				fprintf(stderr, "the merged state does not read back: %s\n", err.text);
				abort();
			}
			diag_clear(&d);
			if ((st = feat_load_json(back, "state", &d)) == NULL) {
				fprintf(stderr, "--apply refuses the merged state: %s\n", d.what);
				abort();
			}
			feat_free(st);
			json_decref(back);
			free(text);
			json_decref(doc);
		}
	}
	if (f != NULL)
		feat_fit_free(f);
	for (i = 0; i < n; i++)
		json_decref(part[i]);
	return 0;
}
