/*
 * atomic.h - write a file so that it appears whole or not at all.
 *
 * A regular file (or a name that does not exist yet) is written to a
 * temporary file beside it (same directory, so the same file system) and
 * renamed into place only after a clean flush, fsync and close, as OpenBSD
 * sort -o does.  A killed or failed run leaves the old file intact.  The
 * temporary gets the mode, owner and group of the file it replaces (a new
 * file gets 0666 less the umask); a symbolic link is followed, so the file
 * it points to is replaced and the link kept.
 *
 * Anything else is written through, never replaced: "-" and /dev/stdout,
 * /dev/stderr, /dev/fd/N, /proc/self/fd/N write to that descriptor, and an
 * existing target that is not a regular file (a device such as /dev/null, a
 * FIFO, a socket) is opened for writing as it is.  What is written through
 * cannot be taken back.
 *
 * The steps are separate so that a run can write several files and commit
 * them together: atomic_close every file (flush, fsync, close: every write
 * error shows here), then atomic_rename each.  atomic_commit is both.
 */
#ifndef PR_ATOMIC_H
#define PR_ATOMIC_H

#include <stdio.h>

#include "diag.h"

struct atomic_file;

/* Start writing path.  Returns NULL with d filled when it cannot be opened. */
struct atomic_file *atomic_open(const char *path, struct diag *d);

/* The stream to write to; owned by the atomic_file. */
FILE *atomic_fp(struct atomic_file *af);

/*
 * The temporary's path, valid until af is freed, or NULL when the target is
 * written through.  A signal handler may unlink it.
 */
const char *atomic_temp(const struct atomic_file *af);

/*
 * Flush, sync and close the stream (the rename is left to atomic_rename).
 * Returns 0, or -1 with d filled ("PATH: write error: REASON") and errno
 * set to the reason (EPIPE: a reader closed the pipe).  A second call does
 * nothing and returns 0.
 */
int atomic_close(struct atomic_file *af, struct diag *d);

/*
 * Rename the closed temporary into place (atomic_close first, if not done);
 * frees af in every case.  Returns 0, or -1 with d filled (and the temporary
 * removed).
 */
int atomic_rename(struct atomic_file *af, struct diag *d);

/* atomic_close then atomic_rename; frees af in every case. */
int atomic_commit(struct atomic_file *af, struct diag *d);

/* Close and remove the temporary; frees af.  NULL is fine. */
void atomic_abort(struct atomic_file *af);

/*
 * The identity of what writing path would change, for refusing an output
 * that is also an input: 1 with *dev and *ino set when path names an
 * existing regular file (through links and /dev/fd names), 0 when it does
 * not exist or is not a regular file.
 */
int atomic_target_id(const char *path, unsigned long long *dev, unsigned long long *ino);

#endif
