/*
 * fuzz_reportparts.c - pr-report --reduce on any parts: the bytes are up
 * to three files separated by NUL bytes, read (report_part_load), checked
 * against the first (report_part_check) and merged in turn with the lines
 * of the parts before them, as --reduce does; a merge that has rows is
 * built into a document and written in every format.  Every refusal
 * fills the diag.  No crash, no leak.
 */
#include "fuzz_common.h"

#include <jansson.h>

#include "diag.h"
#include "report.h"
#include "report-doc.h"

#define MAXPARTS 3

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *part[MAXPARTS];
	char path[MAXPARTS][32];
	struct report *r = NULL;
	struct report_doc *doc;
	struct diag d;
	size_t n = 0, i, start = 0, end;
	long offset = 0;
	int ok = 1;
	FILE *null;

	diag_clear(&d);
	while (n < MAXPARTS && start <= size) {
		const uint8_t *nul = memchr(data + start, 0, size - start);
		int fd;
		end = nul != NULL ? (size_t)(nul - data) : size;
		fd = fuzz_memfd(data + start, end - start);
		part[n] = report_part_load(fuzz_fd_path(fd, path[n]), &d);
		close(fd);
		if (part[n] == NULL) {
			if (d.what[0] == '\0')
				abort();
			break;
		}
		n++;
		start = end + 1;
		if (nul == NULL)
			break;
	}
	for (i = 1; i < n && ok; i++)
		if (report_part_check(part[0], "p1", part[i], "p2", &d) < 0) {
			if (d.what[0] == '\0')
				abort();
			ok = 0;
		}
	if (ok && n > 0 && (r = report_from_part(part[0], "in", NULL, NULL, &d)) == NULL) {
		if (d.what[0] == '\0')
			abort();
		ok = 0;
	}
	for (i = 0; i < n && ok; i++) {
		diag_clear(&d);
		if (report_merge_part(r, part[i], "p", offset, &d) < 0) {
			if (d.what[0] == '\0')
				abort();
			ok = 0;
		} else {
			offset += report_part_rows_lines(part[i]);
		}
	}
	if (ok && r != NULL && report_rows(r) > 0) {
		if ((doc = report_build(r, NULL)) == NULL)
			abort();
		if ((null = fopen("/dev/null", "w")) == NULL)
			abort();
		report_write_text(doc, null);
		report_write_md(doc, null);
		report_write_html(doc, null);
		report_write_json(doc, null);
		report_write_csv(doc, null);
		fclose(null);
		report_doc_free(doc);
	}
	report_free(r);
	for (i = 0; i < n; i++)
		json_decref(part[i]);
	return 0;
}
