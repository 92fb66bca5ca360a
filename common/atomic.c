/* atomic.c - see atomic.h. */
#include "atomic.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct atomic_file {
	FILE *fp;
	char *path;
	char *tmp;
};

struct atomic_file *
atomic_open(const char *path, struct diag *d)
{
	struct atomic_file *af = calloc(1, sizeof *af);
	size_t n = strlen(path);
	mode_t mask;
	int fd;

	if (af == NULL || (af->path = strdup(path)) == NULL ||
	    (af->tmp = malloc(n + 16)) == NULL) {
		if (af != NULL)
			free(af->path);
		free(af);
		diag_set(d, path, 0, NULL, NULL, 0, "out of memory");
		return NULL;
	}
	/* Hidden name beside the target: "dir/.name.XXXXXX". */
	{
		const char *slash = strrchr(path, '/');
		size_t dirlen = slash ? (size_t)(slash - path + 1) : 0;
		memcpy(af->tmp, path, dirlen);
		snprintf(af->tmp + dirlen, n + 16 - dirlen, ".%s.XXXXXX", path + dirlen);
	}
	fd = mkstemp(af->tmp);
	if (fd < 0) {
		diag_errno(d, path, errno, "cannot create");
		free(af->tmp);
		free(af->path);
		free(af);
		return NULL;
	}
	/* mkstemp makes the file 0600; give it the mode a plain fopen would. */
	mask = umask(0);
	umask(mask);
	(void)fchmod(fd, 0666 & ~mask);
	af->fp = fdopen(fd, "w");
	if (af->fp == NULL) {
		diag_errno(d, path, errno, "cannot create");
		close(fd);
		unlink(af->tmp);
		free(af->tmp);
		free(af->path);
		free(af);
		return NULL;
	}
	return af;
}

FILE *
atomic_fp(struct atomic_file *af)
{
	return af->fp;
}

const char *
atomic_path(const struct atomic_file *af)
{
	return af->path;
}

static void
release(struct atomic_file *af)
{
	free(af->tmp);
	free(af->path);
	free(af);
}

int
atomic_commit(struct atomic_file *af, struct diag *d)
{
	int err = 0;

	if (fflush(af->fp) != 0 || ferror(af->fp))
		err = errno ? errno : EIO;
	if (err == 0 && fsync(fileno(af->fp)) != 0 && errno != EINVAL)
		err = errno;
	if (fclose(af->fp) != 0 && err == 0)
		err = errno ? errno : EIO;
	if (err == 0 && rename(af->tmp, af->path) != 0)
		err = errno;
	if (err != 0) {
		unlink(af->tmp);
		diag_errno(d, af->path, err, "write error");
		release(af);
		return -1;
	}
	release(af);
	return 0;
}

void
atomic_abort(struct atomic_file *af)
{
	if (af == NULL)
		return;
	fclose(af->fp);
	unlink(af->tmp);
	release(af);
}
