/*
 * diag.h - what went wrong, and where.
 *
 * common/ never prints and never exits: a function that can fail takes a
 * struct diag * and fills it, and main decides what to print.  The printed
 * shape (GNU standards, err(3)) is
 *
 *     FILE:LINE: column "COL": WHAT: "VALUE"
 *
 * with each part present only when known; cli_diag() puts "prog: " first.
 */
#ifndef PR_DIAG_H
#define PR_DIAG_H

#include <stddef.h>

#define DIAG_FILE_MAX  512
#define DIAG_COL_MAX   256
#define DIAG_VALUE_MAX 128
#define DIAG_WHAT_MAX  512

struct diag {
	char file[DIAG_FILE_MAX];     /* "stdin", a path, or "" */
	long line;                    /* line where the record starts; 0 = none */
	char column[DIAG_COL_MAX];    /* column name; "" = none */
	char value[DIAG_VALUE_MAX];   /* offending value, shortened with "...";
	                               * may hold NUL bytes: value_len counts them */
	size_t value_len;
	int has_value;
	char what[DIAG_WHAT_MAX];     /* the reason, lowercase, no final period */
};

/* Empty every part of d. */
void diag_clear(struct diag *d);

/*
 * Fill d.  file and column may be NULL; value may be NULL (no value) and
 * need not be NUL-terminated: value_len bytes are taken, and a value longer
 * than DIAG_VALUE_MAX - 4 is cut, with "..." appended.  what is a printf
 * format.  Always returns -1, so a caller can write `return diag_set(...)`.
 */
int diag_set(struct diag *d, const char *file, long line, const char *column,
    const char *value, size_t value_len, const char *what, ...)
    __attribute__((format(printf, 7, 8)));

/* Like diag_set with only the reason, ending in ": strerror(errnum)". */
int diag_errno(struct diag *d, const char *file, int errnum, const char *what, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * Write d in the printed shape into buf (size bytes, always NUL-terminated
 * when size > 0).  Control characters and quotes in the value are escaped
 * (\n, \", \xHH) so a message is always one line.  Returns the length the
 * full text would have, as snprintf does.  A NUL byte inside the value is
 * written \x00, not taken as its end.
 */
size_t diag_format(const struct diag *d, char *buf, size_t size);

#endif
