/* jsonfile.c - see jsonfile.h. */
#include "jsonfile.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

json_t *
jsonfile_load(const char *path, size_t flags, struct diag *d)
{
	json_error_t err;
	json_t *doc;
	struct stat st;
	FILE *fp = fopen(path, "r");
	int e;

	if (fp == NULL)
		return diag_errno(d, path, errno, "cannot open"), NULL;
	/* fopen opens a directory; reading it fails with EISDIR, which
	 * jansson would report as "not JSON" at line 1 */
	if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(fp);
		return diag_errno(d, path, EISDIR, "cannot read"), NULL;
	}
	errno = 0;
	doc = json_loadf(fp, flags, &err);
	e = errno;
	if (doc == NULL && ferror(fp)) {
		fclose(fp);
		return diag_errno(d, path, e ? e : EIO, "cannot read"), NULL;
	}
	fclose(fp);
	if (doc == NULL)
		return diag_set(d, path, err.line > 0 ? err.line : 0, NULL, NULL, 0, "not JSON: %s",
		    err.text), NULL;
	return doc;
}
