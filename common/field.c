/* field.c - see field.h. */
#include "field.h"

int
field_decimal_comma(const char *s, size_t len)
{
	size_t i, commas = 0, digits_after = 0, digits_before = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == ',')
			commas++;
		else if (s[i] >= '0' && s[i] <= '9')
			*(commas ? &digits_after : &digits_before) += 1;
		else if (!(s[i] == '.' || ((s[i] == '-' || s[i] == '+') && i == 0)))
			return 0;
	}
	return commas == 1 && digits_before > 0 && digits_after > 0;
}

const char *
field_num_what(enum num_status st, const char *s, size_t len)
{
	if (st == NUM_BAD && field_decimal_comma(s, len))
		return FIELD_DECIMAL_COMMA_WHAT;
	return num_strerror(st);
}

int
field_num(const char *file, const struct csvio_row *row, long col, const char *name,
    int flags, double *x, struct diag *d)
{
	const char *s = row->f[col];
	size_t len = row->len[col];
	long line = file != NULL ? row->line : 0;
	enum num_status st = num_parse(s, len, x, 0);

	if (st == NUM_OK)
		return 1;
	if (st == NUM_EMPTY)
		return (flags & FIELD_REQUIRED) ? diag_set(d, file, line, name, NULL, 0, "missing value")
		    : 0;
	return diag_set(d, file, line, name, s, len, "%s", field_num_what(st, s, len));
}
