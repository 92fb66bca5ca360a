/*
 * text_reader.h - a CSV reader on a string, for the unit tests: the text
 * goes to a temporary file that *keep holds open until the caller closes
 * it (after csvio_close).  Returns NULL when the reader cannot be opened.
 */
#ifndef PR_TEXT_READER_H
#define PR_TEXT_READER_H

#include <stdio.h>

#include "csvio.h"

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
