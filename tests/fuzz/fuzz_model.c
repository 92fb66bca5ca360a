/*
 * fuzz_model.c - model_load on arbitrary bytes (JSON or not): NULL with a
 * message, or a model that can be bound and freed.  No crash, no leak.
 */
#include "fuzz_common.h"

#include "diag.h"
#include "model.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[32];
	struct diag d;
	struct model *m;
	int fd = fuzz_memfd(data, size);

	diag_clear(&d);
	m = model_load(fuzz_fd_path(fd, path), &d);
	if (m == NULL) {
		if (d.what[0] == '\0')
			abort();
	} else {
		(void)model_family(m);
		if (model_formula(m) == NULL)
			abort();
		(void)model_price_col(m);
		(void)model_group_col(m);
		model_free(m);
	}
	close(fd);
	return 0;
}
