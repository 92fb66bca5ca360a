/*
 * fuzz_offers.c - offers_load on arbitrary bytes: 0 with every offer
 * inside its contract (percent 0 <= value < 100, amount >= 0, finite), or
 * -1 with a message.  No crash, no leak.
 */
#include "fuzz_common.h"

#include <math.h>

#include "diag.h"
#include "offers.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[32];
	struct diag d;
	struct offers o = { 0 };
	struct csvio_opts csv;
	size_t i;
	const char *promo = (size > 0 && (data[0] & 1)) ? "discount" : NULL;
	int fd = fuzz_memfd(data, size);

	diag_clear(&d);
	csvio_opts_init(&csv, ',');
	csv.na_missing = size > 0 && (data[0] & 2);
	if (offers_load(&o, fuzz_fd_path(fd, path), &csv, promo, &d) != 0) {
		if (d.what[0] == '\0')
			abort();
	} else {
		if (o.n == 0)
			abort();
		for (i = 0; i < o.n; i++) {
			const struct offer *f = &o.v[i];
			if (f->id == NULL || !isfinite(f->value) || !isfinite(f->cost) ||
			    !isfinite(f->promo_value))
				abort();
			if (f->kind == OFFER_PERCENT && !(f->value >= 0 && f->value < 100))
				abort();
			if (f->kind == OFFER_AMOUNT && !(f->value >= 0))
				abort();
		}
	}
	offers_free(&o);
	close(fd);
	return 0;
}
