/*
 * acct.h - row accounting and rejects: nothing is lost silently.
 *
 * Every input row is either written or rejected with a reason.  The counts
 * are kept by reason (the reason without its value, so that a thousand bad
 * prices make one line), and rejected rows can be kept in a file
 * (--rejects FILE: main opens it, see atomic.h), with two leading columns:
 *
 *     _line,_reason,<the original header>
 *
 * The line and reason come first so that a row with too many or too few
 * fields keeps every field it had and still lines up where it matters.
 */
#ifndef PR_ACCT_H
#define PR_ACCT_H

#include <stdio.h>

#include "csvio.h"
#include "diag.h"

#define ACCT_MAX_REASONS 32

struct acct_reason {
	char key[DIAG_WHAT_MAX + DIAG_COL_MAX + 32];
	unsigned long long n;
};

struct acct {
	unsigned long long n_in, n_out, n_rejected;
	struct acct_reason reason[ACCT_MAX_REASONS];
	size_t n_reasons;
	unsigned long long n_other;        /* rejected for reasons past the table */
	const char *rej_path;              /* NULL unless --rejects */
	struct csvio_writer *rej;
	int rej_no_header;                 /* set before acct_open_rejects: a part after the first */
};

/* Zero the counts; no rejects file. */
void acct_init(struct acct *a);

/*
 * Keep rejected rows in fp (not closed by acct; path names it in messages),
 * with header (the input's) after _line and _reason (no header row when
 * a->rej_no_header is set).  Returns 0, or -1 with
 * d filled.
 */
int acct_open_rejects(struct acct *a, FILE *fp, const char *path,
    const struct csvio_row *header, struct diag *d);

/*
 * Count row as rejected for the reason in d (its column, what and value;
 * its file and line are ignored: the row's own line is used).  The summary
 * counts by column and what only.
 */
void acct_reject(struct acct *a, const struct csvio_row *row, const struct diag *d);

/*
 * Write the summary into buf: "N rows in, N out, N rejected (N reason; ...)".
 * Returns the length, as snprintf.
 */
size_t acct_summary(const struct acct *a, char *buf, size_t size);

/*
 * Flush the rejected rows into the stream and free the writer.  With
 * commit != 0, a write error is returned: -1 with d filled ("PATH: write
 * error: REASON"); with commit == 0 (a failing run) it is ignored.  Returns
 * 0 otherwise.  Safe without a rejects file, and twice.
 */
int acct_finish(struct acct *a, int commit, struct diag *d);

#endif
