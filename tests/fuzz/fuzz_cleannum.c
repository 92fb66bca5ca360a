/*
 * fuzz_cleannum.c - pr-clean's lenient number reader (clean_num,
 * clean_num_text, clean_int) on any text, byte 0 choosing the flags
 * (decimal comma, percent).
 *
 * No crash; clean_num and clean_num_text agree on what is a number; the
 * normal form clean_num_text writes is what num_format writes for
 * clean_num's value, and num_parse reads it back to the same double bit
 * for bit; a whole number clean_int accepts is a number clean_num accepts
 * with the same value when it is exact in a double (and the text within
 * clean_num's 400 bytes).
 */
#include "fuzz_common.h"

#include <math.h>

#include "clean.h"
#include "num.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data + 1;
	size_t len = size > 0 ? size - 1 : 0;
	int flags = size > 0 ? data[0] & (CLEAN_DECIMAL_COMMA | CLEAN_PERCENT) : 0;
	char text[NUM_BUFSZ], fmt[NUM_BUFSZ], *ibuf;
	double v = 0, back = 0;
	long tl, il;
	int r;

	if (size == 0)
		return 0;
	r = clean_num(s, len, flags, &v);
	tl = clean_num_text(s, len, flags, text);
	if (r == 0) {
		if (!isfinite(v) || tl < 0) {
			fprintf(stderr, "clean_num accepts (%.17g), clean_num_text says %ld\n", v, tl);
			abort();
		}
		num_format(v, fmt);
		if ((size_t)tl != strlen(text) || strcmp(text, fmt) != 0) {
			fprintf(stderr, "clean_num_text \"%s\", num_format \"%s\"\n", text, fmt);
			abort();
		}
		if (num_parse(text, (size_t)tl, &back, 0) != NUM_OK || memcmp(&v, &back, sizeof v) != 0)
			abort();
	} else if (tl >= 0) {
		fprintf(stderr, "clean_num refuses, clean_num_text gives \"%s\"\n", text);
		abort();
	}
	ibuf = malloc(len + 2);
	if (ibuf == NULL)
		abort();
	il = clean_int(s, len, flags & CLEAN_DECIMAL_COMMA, ibuf);
	if (il >= 0) {
		double iv = 0;
		if ((size_t)il != strlen(ibuf))
			abort();
		/* the value of a whole number of up to 15 digits is exact; clean_num
		 * reads fields of up to 400 bytes (a longer one is not a number) */
		if (il <= 15 && len <= 400 && (clean_num(s, len, flags & CLEAN_DECIMAL_COMMA, &iv) != 0 ||
		    num_parse(ibuf, (size_t)il, &back, 0) != NUM_OK || iv != back)) {
			fprintf(stderr, "clean_int \"%s\", clean_num %.17g\n", ibuf, iv);
			abort();
		}
	}
	free(ibuf);
	return 0;
}
