/*
 * num.h - numbers in and out of text, without the locale.
 *
 * Programs never call setlocale(LC_NUMERIC), so strtod and printf work in
 * the "C" locale: the decimal point is '.', whatever LANG says.
 */
#ifndef PR_NUM_H
#define PR_NUM_H

#include <stddef.h>

/* Longest text num_format writes, with its NUL ("-1.2345678901234567e-308"). */
#define NUM_BUFSZ 32

enum num_status {
	NUM_OK = 0,
	NUM_EMPTY,      /* zero-length field: a missing value, not an error */
	NUM_BAD,        /* not a number: trailing text, spaces, hex, inf/nan text */
	NUM_RANGE       /* too large in magnitude for a double */
};

/* Flags for num_parse. */
#define NUM_ALLOW_INFNAN 1   /* accept "inf", "-inf", "infinity", "nan" */

/*
 * Parse s[0..len) as a decimal number.  The whole field must be the number:
 * no leading or trailing space, no hexadecimal, no "inf"/"nan" unless
 * NUM_ALLOW_INFNAN.  s need not be NUL-terminated.  On NUM_OK, *out is the
 * value; otherwise *out is untouched.  Subnormal results are accepted;
 * overflow is NUM_RANGE.
 */
enum num_status num_parse(const char *s, size_t len, double *out, int flags);

/* Text for a status other than NUM_OK ("not a number", ...). */
const char *num_strerror(enum num_status st);

/*
 * Write the shortest text that reads back (with strtod) to exactly x, into
 * buf (at least NUM_BUFSZ bytes).  Negative zero is written "0"; NaN is
 * written as the empty string (a missing value); infinities as "inf" and
 * "-inf".  Returns the length written.
 */
size_t num_format(double x, char *buf);

#endif
