/*
 * text_reader.h - text as input, for the unit tests.  reader_on: a CSV
 * reader on a string; the text goes to a temporary file that *keep holds
 * open until the caller closes it (after csvio_close).  Returns NULL when
 * the reader cannot be opened.
 */
#ifndef PR_TEXT_READER_H
#define PR_TEXT_READER_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "csvio.h"

/* An unlinked temporary file holding text[0..len), positioned at its start. */
static inline int
text_fd(const char *text, size_t len)
{
	char path[] = "/tmp/pr-unit.XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		abort();
	lseek(fd, 0, SEEK_SET);
	unlink(path);
	return fd;
}

static inline struct csvio_reader *
reader_on(const char *text, FILE **keep)
{
	struct diag d;
	FILE *fp = tmpfile();

	fputs(text, fp);
	fflush(fp);
	rewind(fp);
	*keep = fp;
	return csvio_open_fd(fileno(fp), "test", ',', &d);
}

#endif
