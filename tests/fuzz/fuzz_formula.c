/*
 * fuzz_formula.c - formula_parse on arbitrary text: never a crash or a
 * leak; an accepted formula answers its queries, and formula_build on it
 * (with every column numeric) either works or fills the diag.
 */
#include "fuzz_common.h"

#include "diag.h"
#include "formula.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct diag d;
	struct formula *f;
	size_t i;

	memcpy(text, data, size);
	text[size] = '\0';
	diag_clear(&d);
	f = formula_parse(text, &d);
	if (f == NULL) {
		if (d.what[0] == '\0')
			abort();   /* a failure always says why */
	} else {
		for (i = 0; i < formula_ncols(f); i++)
			if (formula_col(f, i) == NULL)
				abort();
		if (formula_build(f, &d) == 0) {
			for (i = 0; i < formula_ncoef(f); i++)
				if (formula_coef_name(f, i) == NULL)
					abort();
		}
		formula_free(f);
	}
	free(text);
	return 0;
}
