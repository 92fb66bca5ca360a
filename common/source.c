/* source.c - see source.h. */
#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct source {
	int fd;
	int own_fd;            /* 0 for standard input read in place */
	off_t start;           /* where the input starts in fd */
	char name[DIAG_FILE_MAX];
};

/*
 * Copy everything readable from in to a new unlinked temporary file.
 * Returns its descriptor, or -1 with d filled.
 */
static int
spool(int in, const char *name, struct diag *d)
{
	char buf[65536], *p;
	ssize_t got, put;
	FILE *tmp;
	int fd;

	if ((tmp = tmpfile()) == NULL) {
		diag_errno(d, NULL, errno, "cannot make a temporary file");
		return -1;
	}
	/* The descriptor outlives the FILE: the file stays until it is closed. */
	fd = dup(fileno(tmp));
	fclose(tmp);
	if (fd < 0) {
		diag_errno(d, NULL, errno, "cannot make a temporary file");
		return -1;
	}
	while ((got = read(in, buf, sizeof buf)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			diag_errno(d, name, errno, "read error");
			close(fd);
			return -1;
		}
		for (p = buf; got > 0; p += put, got -= put) {
			if ((put = write(fd, p, (size_t)got)) < 0 && errno == EINTR) {
				put = 0;
				continue;
			}
			if (put < 0) {
				diag_errno(d, NULL, errno, "temporary file: write error");
				close(fd);
				return -1;
			}
		}
	}
	return fd;
}

struct source *
source_open(const char *path, struct diag *d)
{
	struct source *s = calloc(1, sizeof *s);
	struct stat sb;
	int in;

	if (s == NULL) {
		diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
		return NULL;
	}
	if (path == NULL || strcmp(path, "-") == 0) {
		snprintf(s->name, sizeof s->name, "stdin");
		in = 0;
	} else {
		snprintf(s->name, sizeof s->name, "%s", path);
		if ((in = open(path, O_RDONLY)) < 0) {
			diag_errno(d, path, errno, "cannot open");
			free(s);
			return NULL;
		}
	}
	if (fstat(in, &sb) == 0 && S_ISREG(sb.st_mode) && (s->start = lseek(in, 0, SEEK_CUR)) >= 0) {
		s->fd = in;
		s->own_fd = in != 0;
		return s;
	}
	s->start = 0;
	s->fd = spool(in, s->name, d);
	if (in != 0)
		close(in);
	if (s->fd < 0) {
		free(s);
		return NULL;
	}
	s->own_fd = 1;
	return s;
}

void
source_close(struct source *s)
{
	if (s == NULL)
		return;
	if (s->own_fd)
		close(s->fd);
	free(s);
}

const char *
source_name(const struct source *s)
{
	return s->name;
}

struct csvio_reader *
source_reader(struct source *s, unsigned char delim, struct diag *d)
{
	struct csvio_opts o;

	csvio_opts_init(&o, delim);
	return source_reader_opts(s, &o, d);
}

struct csvio_reader *
source_reader_opts(struct source *s, const struct csvio_opts *o, struct diag *d)
{
	if (lseek(s->fd, s->start, SEEK_SET) < 0) {
		diag_errno(d, s->name, errno, "cannot rewind");
		return NULL;
	}
	return csvio_open_fd_opts(s->fd, s->name, o, 0, d);
}
