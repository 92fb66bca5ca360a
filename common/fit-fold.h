/*
 * fit-fold.h - fold_block_d, the double-precision fold of fit.c: m rows
 * of B folded into the triangle T by Householder reflections, in vectors
 * of two doubles (fold_block_v2, any x86-64) or, where the processor has
 * AVX2, of four (fold_block_v4; FOLD_AVX2 defined where it is compiled).
 * Both give exactly the bits of the scalar fold (see fit-fold-kernel.h),
 * so a fit does not depend on the processor.  Not a public header: it
 * defines static functions, and expects <math.h>, <stddef.h> and
 * <string.h>.
 */
#ifndef PR_FIT_FOLD_H
#define PR_FIT_FOLD_H

#define FF_W 2
#define FF_SFX v2
#define FF_ATTR
#include "fit-fold-kernel.h"
#undef FF_W
#undef FF_SFX
#undef FF_ATTR
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define FF_W 4
#define FF_SFX v4
#define FF_ATTR __attribute__((target("avx2")))
#include "fit-fold-kernel.h"
#undef FF_W
#undef FF_SFX
#undef FF_ATTR
#define FOLD_AVX2 1
#endif

static inline void
fold_block_d(double *restrict T, size_t p1, double *restrict B, size_t m, double *restrict wk)
{
#ifdef FOLD_AVX2
	if (__builtin_cpu_supports("avx2")) {
		fold_block_v4(T, p1, B, m, wk);
		return;
	}
#endif
	fold_block_v2(T, p1, B, m, wk);
}

#endif
