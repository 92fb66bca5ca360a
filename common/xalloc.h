/*
 * xalloc.h - the one out-of-memory policy of common/.
 *
 * Sizes that input chooses (rows, levels, columns of a formula) are checked
 * against documented limits before anything is allocated, and refused with a
 * diagnostic; what is left is the machine running out of memory, which no
 * caller can repair.  These allocate or end the run: they never return NULL.
 * On failure they call xalloc_die(), which prints one line
 * ("PROG: out of memory") and exits with status 1.  A program may define its
 * own xalloc_die (tools/cli.c does, to remove its temporaries first); the
 * library's is a weak default.  Functions that return a diagnostic for out
 * of memory (the CSV reader, the rejects file) keep doing so: they do not
 * call these.
 */
#ifndef PR_XALLOC_H
#define PR_XALLOC_H

#include <stddef.h>
#include <stdnoreturn.h>

/* realloc(p, n), n == 0 taken as 1 so that the result is never NULL. */
void *xrealloc(void *p, size_t n);
/* calloc(n, size), zeroed; n == 0 taken as 1. */
void *xcalloc(size_t n, size_t size);
/* A copy of s (NUL-terminated) / of s[0..n) with a NUL after it. */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* End the run: "PROG: out of memory" on stderr, exit status 1.  Never returns. */
noreturn void xalloc_die(void);

#endif
