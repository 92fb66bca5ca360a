/*
 * par.h - a loop over independent items on several threads.
 *
 * par_for calls fn(arg, i, worker) once for every i in [0, n), on up to
 * jobs threads (0 or 1: on this one, in order); worker (0..jobs-1) names
 * the thread, for per-thread scratch.  The items are taken in order; once
 * one returns non-zero no item after it is started.  Returns 0, or the
 * smallest i + 1 whose fn failed (so that the caller reports the failure
 * one thread would have met first).
 */
#ifndef PR_PAR_H
#define PR_PAR_H

#include <stddef.h>

size_t par_for(unsigned jobs, size_t n, int (*fn)(void *arg, size_t i, unsigned worker),
    void *arg);

#endif
