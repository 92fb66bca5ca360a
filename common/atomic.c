/* atomic.c - see atomic.h. */
#define _XOPEN_SOURCE 700   /* realpath */
#include "atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef NAME_MAX
#define NAME_MAX 255
#endif

struct atomic_file {
	FILE *fp;
	char *path;   /* as given */
	char *real;   /* what is renamed over: path, or where its link points */
	char *tmp;    /* NULL when written through */
	int closed;
};

/*
 * The descriptor a name stands for ("-", /dev/stdout, /dev/fd/3,
 * /proc/self/fd/3), or -1 when it is an ordinary name.
 */
static int
fd_name(const char *path)
{
	const char *num = NULL;
	char *end;
	long fd;

	if (strcmp(path, "-") == 0 || strcmp(path, "/dev/stdout") == 0)
		return 1;
	if (strcmp(path, "/dev/stderr") == 0)
		return 2;
	if (strncmp(path, "/dev/fd/", 8) == 0)
		num = path + 8;
	else if (strncmp(path, "/proc/self/fd/", 14) == 0)
		num = path + 14;
	if (num == NULL || *num < '0' || *num > '9')
		return -1;
	errno = 0;
	fd = strtol(num, &end, 10);
	if (errno != 0 || *end != '\0' || fd > INT_MAX)
		return -1;
	return (int)fd;
}

static void
release(struct atomic_file *af)
{
	if (af->real != af->path)
		free(af->real);
	free(af->tmp);
	free(af->path);
	free(af);
}

/* Open the descriptor fd for writing through. */
static struct atomic_file *
through(struct atomic_file *af, int fd, struct diag *d)
{
	af->fp = fdopen(fd, "w");
	if (af->fp == NULL) {
		diag_errno(d, af->path, errno, "cannot write");
		close(fd);
		release(af);
		return NULL;
	}
	return af;
}

/* The temporary's name: "DIR/.NAME.XXXXXX", NAME cut so it fits NAME_MAX. */
static char *
temp_name(const char *real)
{
	const char *slash = strrchr(real, '/');
	size_t dirlen = slash ? (size_t)(slash - real + 1) : 0;
	size_t base = strlen(real) - dirlen;
	char *tmp;

	if (base > NAME_MAX - 8)
		base = NAME_MAX - 8;
	if ((tmp = malloc(dirlen + base + 9)) == NULL)
		return NULL;
	memcpy(tmp, real, dirlen);
	tmp[dirlen] = '.';
	memcpy(tmp + dirlen + 1, real + dirlen, base);
	memcpy(tmp + dirlen + 1 + base, ".XXXXXX", 8);
	return tmp;
}

struct atomic_file *
atomic_open(const char *path, struct diag *d)
{
	struct atomic_file *af = calloc(1, sizeof *af);
	struct stat st, lst;
	int fd, exists;

	if (af == NULL || (af->path = strdup(path)) == NULL) {
		free(af);
		return diag_set(d, path, 0, NULL, NULL, 0, "out of memory"), NULL;
	}
	af->real = af->path;
	if ((fd = fd_name(path)) >= 0) {
		int dupfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		if (dupfd < 0) {
			diag_errno(d, path, errno, "cannot write");
			release(af);
			return NULL;
		}
		return through(af, dupfd, d);
	}
	exists = stat(path, &st) == 0;
	if (exists && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode)) {
			diag_set(d, path, 0, NULL, NULL, 0, "cannot write: is a directory");
			release(af);
			return NULL;
		}
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0) {
			diag_errno(d, path, errno, "cannot write");
			release(af);
			return NULL;
		}
		return through(af, fd, d);
	}
	if (exists && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
		if ((af->real = realpath(path, NULL)) == NULL) {
			af->real = af->path;
			diag_errno(d, path, errno, "cannot resolve");
			release(af);
			return NULL;
		}
	}
	if ((af->tmp = temp_name(af->real)) == NULL) {
		release(af);
		return diag_set(d, path, 0, NULL, NULL, 0, "out of memory"), NULL;
	}
	fd = mkstemp(af->tmp);
	if (fd < 0) {
		diag_errno(d, path, errno, "cannot create");
		free(af->tmp);
		af->tmp = NULL;
		release(af);
		return NULL;
	}
	if (exists) {
		/* The replacement is the same file to its users: owner, group, mode. */
		if (fchown(fd, st.st_uid, st.st_gid) != 0)
			(void)!fchown(fd, (uid_t)-1, st.st_gid);
		(void)fchmod(fd, st.st_mode & 07777);
	} else {
		mode_t mask = umask(0);
		umask(mask);
		(void)fchmod(fd, 0666 & ~mask);
	}
	af->fp = fdopen(fd, "w");
	if (af->fp == NULL) {
		diag_errno(d, path, errno, "cannot create");
		close(fd);
		unlink(af->tmp);
		release(af);
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
atomic_temp(const struct atomic_file *af)
{
	return af->tmp;
}

int
atomic_close(struct atomic_file *af, struct diag *d)
{
	int err = 0;

	if (af->closed)
		return 0;
	af->closed = 1;
	errno = 0;
	if (fflush(af->fp) != 0 || ferror(af->fp))
		err = errno ? errno : EIO;
	/* fsync: the rename must not reach the disk before the data (a device or pipe cannot) */
	if (err == 0 && af->tmp != NULL && fsync(fileno(af->fp)) != 0)
		err = errno;
	if (fclose(af->fp) != 0 && err == 0)
		err = errno ? errno : EIO;
	af->fp = NULL;
	if (err != 0) {
		diag_errno(d, af->path, err, "write error");
		errno = err;
		return -1;
	}
	return 0;
}

int
atomic_rename(struct atomic_file *af, struct diag *d)
{
	int rc = atomic_close(af, d);

	if (rc == 0 && af->tmp != NULL && rename(af->tmp, af->real) != 0)
		rc = diag_errno(d, af->path, errno, "cannot replace");
	if (rc != 0 && af->tmp != NULL)
		unlink(af->tmp);
	release(af);
	return rc;
}

int
atomic_commit(struct atomic_file *af, struct diag *d)
{
	return atomic_rename(af, d);
}

void
atomic_abort(struct atomic_file *af)
{
	if (af == NULL)
		return;
	if (!af->closed)
		fclose(af->fp);
	if (af->tmp != NULL)
		unlink(af->tmp);
	release(af);
}

int
atomic_target_id(const char *path, unsigned long long *dev, unsigned long long *ino)
{
	struct stat st;
	int fd = fd_name(path);

	if (fd >= 0 ? fstat(fd, &st) != 0 : stat(path, &st) != 0)
		return 0;
	if (!S_ISREG(st.st_mode))
		return 0;
	*dev = (unsigned long long)st.st_dev;
	*ino = (unsigned long long)st.st_ino;
	return 1;
}
