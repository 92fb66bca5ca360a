/*
 * fuzz_num.c - num_parse against strtod, and num_format round trips.
 *
 * On any text: no crash; when num_parse says NUM_OK, strtod (in the C
 * locale) must consume the whole text and give the same double bit for
 * bit; NUM_RANGE only when strtod overflows.  Every accepted finite value
 * formats to a text that num_parse reads back exactly.
 */
#include "fuzz_common.h"

#include <errno.h>
#include <math.h>

#include "num.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *end, out[NUM_BUFSZ];
	double v = 12345.0, w, back;
	enum num_status st;
	size_t n;
	int flags = (size > 0 && (data[0] & 1)) ? NUM_ALLOW_INFNAN : 0;

	memcpy(buf, data, size);
	buf[size] = '\0';
	st = num_parse((const char *)data, size, &v, flags);
	if (st == NUM_EMPTY && size != 0)
		abort();
	if (st == NUM_OK || st == NUM_RANGE) {
		errno = 0;
		w = strtod(buf, &end);
		if (end != buf + size) {
			fprintf(stderr, "num_parse accepted \"%s\", strtod stops at %zu\n", buf, (size_t)(end - buf));
			abort();
		}
		if (st == NUM_RANGE && !(errno == ERANGE && isinf(w)))
			abort();
		if (st == NUM_OK && !(isnan(v) && isnan(w)) && memcmp(&v, &w, sizeof v) != 0) {
			fprintf(stderr, "num_parse \"%s\" = %.17g, strtod %.17g\n", buf, v, w);
			abort();
		}
		/* text strtod skips but a field must not have */
		if (size > 0 && (buf[0] == ' ' || buf[0] == '\t' || buf[0] == '\n'))
			abort();
	}
	if (st == NUM_OK && !isnan(v)) {
		n = num_format(v, out);
		if (n >= NUM_BUFSZ || strlen(out) != n)
			abort();
		if (num_parse(out, n, &back, NUM_ALLOW_INFNAN) != NUM_OK)
			abort();
		if (back != v && !(v == 0 && back == 0)) {
			fprintf(stderr, "num_format %.17g -> \"%s\" -> %.17g\n", v, out, back);
			abort();
		}
	}
	free(buf);
	return 0;
}
