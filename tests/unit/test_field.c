/*
 * test_field.c - one field read as a number: the value, a missing value
 * (empty, required or not), and each message in its printed shape.
 */
#include <math.h>
#include <string.h>

#include "check.h"
#include "field.h"

/* A one-field row holding s, at line 7. */
static void
one(struct csvio_row *r, char **f, size_t *len, const char *s)
{
	f[0] = (char *)s;
	len[0] = strlen(s);
	r->n = 1;
	r->f = f;
	r->len = len;
	r->line = 7;
	r->plain = NULL;
}

/* The message field_num gives for s, as printed. */
static const char *
message(const char *file, const char *s, int flags)
{
	static char buf[512];
	struct csvio_row r;
	char *f[1];
	size_t len[1];
	struct diag d;
	double x;

	one(&r, f, len, s);
	diag_clear(&d);
	if (field_num(file, &r, 0, "price", flags, &x, &d) >= 0)
		return "(accepted)";
	diag_format(&d, buf, sizeof buf);
	return buf;
}

int
main(void)
{
	struct csvio_row r;
	char *f[1];
	size_t len[1];
	struct diag d;
	double x = -1;

	one(&r, f, len, "12.5");
	CHECK(field_num("in.csv", &r, 0, "price", 0, &x, &d) == 1 && x == 12.5, "a number");
	one(&r, f, len, "-1e-3");
	CHECK(field_num(NULL, &r, 0, "price", FIELD_REQUIRED, &x, &d) == 1 && x == -1e-3,
	    "a required number");
	x = 3;
	one(&r, f, len, "");
	CHECK(field_num("in.csv", &r, 0, "price", 0, &x, &d) == 0 && x == 3,
	    "empty: missing, the value untouched");
	CHECK_STR(message("in.csv", "", FIELD_REQUIRED), "in.csv:7: column \"price\": missing value",
	    "empty, required");
	CHECK_STR(message("in.csv", "12.5x", 0), "in.csv:7: column \"price\": not a number: \"12.5x\"",
	    "not a number");
	CHECK_STR(message(NULL, " 12", 0), "column \"price\": not a number: \" 12\"",
	    "no file: the caller adds where");
	CHECK_STR(message("in.csv", "1e999", 0),
	    "in.csv:7: column \"price\": number out of range: \"1e999\"", "out of range");
	CHECK_STR(message("in.csv", "inf", 0), "in.csv:7: column \"price\": not a number: \"inf\"",
	    "inf is not read");
	/* NA is text here: the reader (csvio_opts.na_missing) is what makes it missing */
	CHECK_STR(message("in.csv", "NA", 0), "in.csv:7: column \"price\": not a number: \"NA\"",
	    "NA as text");
	CHECK_STR(message("in.csv", "12,5", 0),
	    "in.csv:7: column \"price\": not a number with a decimal comma: convert it with "
	    "pr-clean --decimal-comma: \"12,5\"", "a decimal comma");
	CHECK_STR(message("in.csv", "-1.234,5", 0),
	    "in.csv:7: column \"price\": " FIELD_DECIMAL_COMMA_WHAT ": \"-1.234,5\"",
	    "a decimal comma with a thousands dot");
	CHECK_STR(message("in.csv", "1,2,3", 0), "in.csv:7: column \"price\": not a number: \"1,2,3\"",
	    "two commas: no hint");
	CHECK_STR(message("in.csv", ",5", 0), "in.csv:7: column \"price\": not a number: \",5\"",
	    "no digit before the comma: no hint");
	CHECK(field_decimal_comma("12,5", 4) == 1, "decimal comma: 12,5");
	CHECK(field_decimal_comma("12,", 3) == 0, "decimal comma: no digit after");
	CHECK(field_decimal_comma("1a,5", 4) == 0, "decimal comma: a letter");
	CHECK(field_decimal_comma("+1,5", 4) == 1, "decimal comma: a sign first");
	CHECK(field_decimal_comma("1-,5", 4) == 0, "decimal comma: a sign inside");
	return check_done();
}
