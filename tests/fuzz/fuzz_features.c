/*
 * fuzz_features.c - the feature-state loader (feat_load, as --apply reads
 * a state file) on any bytes: NULL with a message, or a state whose output
 * header can be written and that frees cleanly.  No crash, no leak.
 */
#include "fuzz_common.h"

#include "csvio.h"
#include "diag.h"
#include "features.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[32];
	struct diag d;
	struct feat_state *st;
	int fd = fuzz_memfd(data, size);

	diag_clear(&d);
	st = feat_load(fuzz_fd_path(fd, path), &d);
	if (st == NULL) {
		if (d.what[0] == '\0')
			abort();
	} else {
		feat_free(st);
	}
	close(fd);
	return 0;
}
