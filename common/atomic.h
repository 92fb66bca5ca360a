/*
 * atomic.h - write a file so that it appears whole or not at all.
 *
 * The text goes to a temporary file beside the target (same directory, so
 * the same file system) and is renamed into place only after a clean flush,
 * fsync and close, as OpenBSD sort -o does.  A killed or failed run leaves
 * the old file intact; atomic_abort removes the temporary.
 */
#ifndef PR_ATOMIC_H
#define PR_ATOMIC_H

#include <stdio.h>

#include "diag.h"

struct atomic_file;

/* Start writing path.  Returns NULL with d filled when the temporary cannot be made. */
struct atomic_file *atomic_open(const char *path, struct diag *d);

/* The stream to write to; owned by the atomic_file. */
FILE *atomic_fp(struct atomic_file *af);

/* The target path, as given. */
const char *atomic_path(const struct atomic_file *af);

/*
 * Flush, sync, close and rename into place; frees af in every case.
 * Returns 0, or -1 with d filled (and the temporary removed).
 */
int atomic_commit(struct atomic_file *af, struct diag *d);

/* Close and remove the temporary; frees af.  NULL is fine. */
void atomic_abort(struct atomic_file *af);

#endif
