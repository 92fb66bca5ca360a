/*
 * field.h - one field of a record read as a number: the one place where
 * "row, field, column name" becomes a value, a missing value, or a
 * message worded one way.
 *
 * A missing value is an empty field.  NA (what R's write.csv writes) is a
 * missing value too, because every reader the programs open, the main
 * input and the files beside it (--history, --offers, --cf, ...), hands an
 * NA field out empty unless --keep-na (csvio_opts.na_missing): the value
 * is decided once, where the record is read, for text and numbers alike.
 *
 * The message is the house's shape (diag.h):
 *
 *     FILE:LINE: column "COL": not a number: "VALUE"
 *
 * "number out of range" for one too large for a double, and "missing
 * value" (no value) where a value is required.  A value written with a
 * decimal comma ("12,5", "1.234,5") says how to convert it.
 */
#ifndef PR_FIELD_H
#define PR_FIELD_H

#include <stddef.h>

#include "csvio.h"
#include "diag.h"
#include "num.h"

/* Flags for field_num. */
#define FIELD_REQUIRED 1   /* a missing value is an error ("missing value") */

/* The reason field_num gives for a decimal-comma value. */
#define FIELD_DECIMAL_COMMA_WHAT \
	"not a number with a decimal comma: convert it with pr-clean --decimal-comma"

/*
 * Read field col of row (col < row->n) as a number (num_parse: the whole
 * field, no locale).  name is the column's name for the message; file,
 * when not NULL, names the file, with row->line (NULL: the caller adds
 * where, as the main input's drivers do).  Returns 1 with *x, 0 for a
 * missing value (*x untouched; -1 with FIELD_REQUIRED), or -1 with d
 * filled.
 */
int field_num(const char *file, const struct csvio_row *row, long col, const char *name,
    int flags, double *x, struct diag *d);

/*
 * The reason for a field s[0..len) that num_parse read as st (not NUM_OK):
 * num_strerror's, or FIELD_DECIMAL_COMMA_WHAT for a decimal comma.  For
 * a reader with its own syntax around the number (pr-clean's, a rule's
 * "N%"), so its messages are worded as field_num's.  A static string.
 */
const char *field_num_what(enum num_status st, const char *s, size_t len);

/*
 * 1 when s[0..len) reads as a number written with a decimal comma: digits,
 * one comma, digits (dots or a leading sign around them), else 0.
 */
int field_decimal_comma(const char *s, size_t len);

#endif
