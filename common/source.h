/*
 * source.h - an input that can be read more than once.
 *
 * A program whose first pass learns from its input (pr-clean's column
 * statistics, pr-features --fit) and a library module that needs a side
 * file twice read through one of these: a regular file is rewound to where
 * it started; anything else (a pipe, a process substitution, a terminal) is
 * first copied to a temporary file that is already unlinked, so nothing is
 * left behind whatever ends the run.
 */
#ifndef PR_SOURCE_H
#define PR_SOURCE_H

#include "csvio.h"
#include "diag.h"

struct source;   /* opaque */

/*
 * Open path ("-" or NULL: standard input) for reading more than once.
 * Returns NULL with d filled: the path cannot be opened ("cannot open:
 * strerror"), the input cannot be read, or the temporary file cannot be
 * made or written.  Free with source_close.
 */
struct source *source_open(const char *path, struct diag *d);

/* Close the file (unless it is standard input) and free s.  NULL is fine. */
void source_close(struct source *s);

/* "stdin" or the path given: for messages.  Valid as long as s. */
const char *source_name(const struct source *s);

/*
 * A CSV reader on the whole input from its start (each call rewinds), its
 * header already read.  The reader does not own the file: read no more
 * from it after the next source_reader, and close it (csvio_close) before
 * source_close.  Returns NULL
 * with d filled (the input cannot be rewound, or bad CSV in the header).
 */
struct csvio_reader *source_reader(struct source *s, unsigned char delim, struct diag *d);
/* source_reader, reading as o says (csvio_opts). */
struct csvio_reader *source_reader_opts(struct source *s, const struct csvio_opts *o,
    struct diag *d);

#endif
