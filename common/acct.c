/* acct.c - see acct.h. */
#include "acct.h"

#include <stdio.h>
#include <string.h>

void
acct_init(struct acct *a)
{
	memset(a, 0, sizeof *a);
}

int
acct_open_rejects(struct acct *a, FILE *fp, const char *path,
    const struct csvio_row *header, struct diag *d)
{
	a->rej = csvio_writer_new(fp, ',');
	if (a->rej == NULL)
		return diag_set(d, path, 0, NULL, NULL, 0, "out of memory");
	a->rej_path = path;
	if (a->rej_no_header)
		csvio_writer_skip_row(a->rej);
	csvio_put_str(a->rej, "_line");
	csvio_put_str(a->rej, "_reason");
	csvio_put_row(a->rej, header);
	csvio_end(a->rej);
	return 0;
}

void
acct_reject(struct acct *a, const struct csvio_row *row, const struct diag *d)
{
	struct diag key = *d;
	char text[DIAG_WHAT_MAX + DIAG_COL_MAX + DIAG_VALUE_MAX + 64];
	size_t i;

	a->n_rejected++;
	key.file[0] = '\0';
	key.line = 0;
	if (a->rej != NULL) {
		csvio_put_long(a->rej, row->line);
		diag_format(&key, text, sizeof text);
		csvio_put_str(a->rej, text);
		csvio_put_row(a->rej, row);
		csvio_end(a->rej);
	}
	key.has_value = 0;
	diag_format(&key, text, sizeof text);
	for (i = 0; i < a->n_reasons; i++) {
		if (strcmp(a->reason[i].key, text) == 0) {
			a->reason[i].n++;
			return;
		}
	}
	if (a->n_reasons < ACCT_MAX_REASONS) {
		size_t kl = strlen(text);
		if (kl >= sizeof a->reason[0].key)
			kl = sizeof a->reason[0].key - 1;
		memcpy(a->reason[a->n_reasons].key, text, kl);
		a->reason[a->n_reasons].key[kl] = '\0';
		a->reason[a->n_reasons].n = 1;
		a->n_reasons++;
	} else {
		a->n_other++;
	}
}

size_t
acct_summary(const struct acct *a, char *buf, size_t size)
{
	size_t pos, i;
	int n;

	n = snprintf(buf, size, "%llu rows in, %llu out, %llu rejected",
	    a->n_in, a->n_out, a->n_rejected);
	pos = n > 0 ? (size_t)n : 0;
	for (i = 0; i < a->n_reasons; i++) {
		n = snprintf(pos < size ? buf + pos : NULL, pos < size ? size - pos : 0,
		    "%s%llu %s", i == 0 ? " (" : "; ", a->reason[i].n, a->reason[i].key);
		pos += n > 0 ? (size_t)n : 0;
	}
	if (a->n_other > 0) {
		n = snprintf(pos < size ? buf + pos : NULL, pos < size ? size - pos : 0,
		    "; %llu for other reasons", a->n_other);
		pos += n > 0 ? (size_t)n : 0;
	}
	if (a->n_reasons > 0) {
		n = snprintf(pos < size ? buf + pos : NULL, pos < size ? size - pos : 0, ")");
		pos += n > 0 ? (size_t)n : 0;
	}
	return pos;
}

int
acct_finish(struct acct *a, int commit, struct diag *d)
{
	int err;

	if (a->rej == NULL)
		return 0;
	err = csvio_writer_free(a->rej);
	a->rej = NULL;
	if (commit && err != 0)
		return diag_errno(d, a->rej_path, err, "write error");
	return 0;
}
