/*
 * test_fold.c - the vector folds of common/fit-fold.h (two doubles a
 * vector, and four with AVX2 where the processor has it) against the
 * Householder fold written out one element at a time: the same bits for
 * any width, any number of rows, zero columns and repeated folds, so that
 * a fit is the same on every x86-64 processor.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#include "fit-fold.h"

/*
 * The reference: for each column j, the reflection of (T[j][j], B[.][j])
 * with beta = -sign(alpha) norm, v_i = B[i][j] / (alpha - beta), tau =
 * (beta - alpha) / beta, w = T[j][j+1..] + sum_i v_i B[i][j+1..] (rows in
 * order), T[j][k] -= tau w[k], B[i][k] -= v_i tau w[k].
 */
static void
fold_ref(double *T, size_t p1, double *B, size_t m)
{
	double w[64];
	for (size_t j = 0; j < p1; j++) {
		double ss = 0;
		for (size_t i = 0; i < m; i++)
			ss += B[i * p1 + j] * B[i * p1 + j];
		if (ss == 0)
			continue;
		double alpha = T[j * p1 + j];
		double norm = sqrt(alpha * alpha + ss);
		double beta = alpha > 0 ? -norm : norm;
		double tau = (beta - alpha) / beta;
		double scale = 1 / (alpha - beta);
		T[j * p1 + j] = beta;
		for (size_t i = 0; i < m; i++)
			B[i * p1 + j] = B[i * p1 + j] * scale;
		for (size_t k = j + 1; k < p1; k++) {
			double a = T[j * p1 + k];
			for (size_t i = 0; i < m; i++)
				a = a + B[i * p1 + j] * B[i * p1 + k];
			w[k] = a * tau;
			T[j * p1 + k] = T[j * p1 + k] - w[k];
		}
		for (size_t i = 0; i < m; i++)
			for (size_t k = j + 1; k < p1; k++)
				B[i * p1 + k] = B[i * p1 + k] + -B[i * p1 + j] * w[k];
	}
}

static uint64_t state = 88172645463325252u;

static double
draw(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return (double)(state >> 11) / 9007199254740992.0 * 4 - 2;
}

/* Fold `folds` random blocks of m x p1 (columns below 32 in zero_cols all zero) three ways; the same bits? */
static int
same_bits(size_t p1, size_t m, int folds, unsigned zero_cols)
{
	size_t tn = p1 * p1, bn = m * p1;
	double *T[3], *B[3], *wk = calloc(p1, sizeof *wk), *src = malloc(bn * sizeof *src);
	int ok = 1;
	for (int v = 0; v < 3; v++) {
		T[v] = calloc(tn, sizeof *T[v]);
		B[v] = malloc(bn * sizeof *B[v]);
	}
	for (int f = 0; f < folds; f++) {
		for (size_t i = 0; i < bn; i++)
			src[i] = i % p1 < 32 && (zero_cols >> (i % p1)) & 1 ? 0 : draw();
		for (int v = 0; v < 3; v++)
			memcpy(B[v], src, bn * sizeof *src);
		fold_ref(T[0], p1, B[0], m);
		fold_block_v2(T[1], p1, B[1], m, wk);
#ifdef FOLD_AVX2
		if (__builtin_cpu_supports("avx2"))
			fold_block_v4(T[2], p1, B[2], m, wk);
		else
#endif
			fold_block_v2(T[2], p1, B[2], m, wk);
	}
	for (int v = 1; v < 3; v++)
		ok = ok && memcmp(T[0], T[v], tn * sizeof *T[0]) == 0;
	for (int v = 0; v < 3; v++) {
		free(T[v]);
		free(B[v]);
	}
	free(wk);
	free(src);
	return ok;
}

int
main(void)
{
	static const size_t widths[] = { 1, 2, 3, 4, 5, 7, 8, 12, 13, 14, 21, 22, 25, 40, 64 };
	static const size_t rows[] = { 1, 2, 5, 128 };
	char name[96];

	for (size_t a = 0; a < sizeof widths / sizeof widths[0]; a++)
		for (size_t b = 0; b < sizeof rows / sizeof rows[0]; b++) {
			snprintf(name, sizeof name, "fold %zu columns, %zu rows, 3 blocks", widths[a], rows[b]);
			CHECK(same_bits(widths[a], rows[b], 3, 0), name);
		}
	CHECK(same_bits(22, 128, 2, 1u << 0), "first column zero");
	CHECK(same_bits(22, 128, 2, (1u << 5) | (1u << 6)), "two middle columns zero");
	CHECK(same_bits(22, 128, 2, 1u << 21), "last column zero");
	CHECK(same_bits(9, 3, 4, 0x1ffu), "every column zero");
	{
		/* the R factor of one row is that row, up to sign */
		double T[9] = { 0 }, B[3] = { 3, 0, 4 }, wk[3];
		fold_block_v2(T, 3, B, 1, wk);
		CHECK(fabs(T[0]) == 3 && T[1] == 0 && fabs(T[2]) == 4 && T[4] == 0 && T[8] == 0,
		    "one row folds into its own first row");
	}
	return check_done();
}
