/*
 * fit-fold-kernel.h - the double-precision fold (fold m rows of B into the
 * triangle T), in short vectors of FF_W doubles, written once for two
 * widths: fit-fold.h includes it with FF_W 2 (any x86-64: SSE2) and with
 * FF_W 4 compiled for AVX2 (FF_ATTR).  Not a public header: it defines
 * one static function, fold_block_FF_SFX.
 *
 * Every element of the result goes through exactly the operations, in
 * exactly the order, of the scalar Householder fold (fit-qr.h's
 * fold_block): vectors only do the same operation on neighbouring columns
 * at once, and no sum is reassociated (each column's sum over rows runs
 * in row order, in its own lane).  So the two variants, and the scalar
 * fold, give the same bits, on any processor (no FMA: the target adds
 * AVX2 only, and -std=c11 keeps contraction off).
 *
 * Define before including: FF_W (2 or 4), FF_SFX (the suffix token),
 * FF_ATTR (attributes of the function, e.g. a target, or nothing).
 */
#define FF_CAT2(a, b) a##_##b
#define FF_CAT(a, b) FF_CAT2(a, b)
#define FF(name) FF_CAT(name, FF_SFX)

typedef double FF(vec) __attribute__((vector_size(FF_W * sizeof(double))));

/*
 * T (p1 x p1, upper triangular) becomes the R factor of [T; B]: one
 * Householder reflection per column j, acting on row j of T and the m
 * rows of B (row-major, p1 columns; destroyed).  wk: p1 doubles.
 *
 * For column j: ss = sum of B[i][j]^2 over the rows (gathered while the
 * previous reflection updated the rows), the reflection from T[j][j] and
 * ss, v_i = B[i][j] / (alpha - beta), then w = T[j][j+1..] + sum_i v_i
 * B[i][j+1..] (three vectors of columns at a time, rows in order), T's
 * row j -= tau w, and each row B[i][j+1..] -= v_i tau w.
 */
static FF_ATTR void
FF(fold_block)(double *restrict T, size_t p1, double *restrict B, size_t m,
    double *restrict wk)
{
	typedef FF(vec) vec;
	const size_t W = FF_W;
	double ss = 0;
	for (size_t i = 0; i < m; i++)
		ss += B[i * p1] * B[i * p1];
	for (size_t j = 0; j < p1; j++) {
		double *Tj = T + j * p1, next = 0;
		if (ss == 0) {
			for (size_t i = 0; j + 1 < p1 && i < m; i++)
				next += B[i * p1 + j + 1] * B[i * p1 + j + 1];
			ss = next;
			continue;
		}
		double alpha = Tj[j];
		double norm = sqrt(alpha * alpha + ss);
		double beta = alpha > 0 ? -norm : norm;
		double tau = (beta - alpha) / beta;
		double scale = 1 / (alpha - beta);
		Tj[j] = beta;
		for (size_t i = 0; i < m; i++)
			B[i * p1 + j] *= scale;
		size_t k = j + 1;
		for (; k + 3 * W <= p1; k += 3 * W) {
			vec a0, a1, a2;
			memcpy(&a0, Tj + k, sizeof a0);
			memcpy(&a1, Tj + k + W, sizeof a1);
			memcpy(&a2, Tj + k + 2 * W, sizeof a2);
			for (size_t i = 0; i < m; i++) {
				const double *Bi = B + i * p1;
				vec b0, b1, b2;
				memcpy(&b0, Bi + k, sizeof b0);
				memcpy(&b1, Bi + k + W, sizeof b1);
				memcpy(&b2, Bi + k + 2 * W, sizeof b2);
				a0 += Bi[j] * b0;
				a1 += Bi[j] * b1;
				a2 += Bi[j] * b2;
			}
			memcpy(wk + k, &a0, sizeof a0);
			memcpy(wk + k + W, &a1, sizeof a1);
			memcpy(wk + k + 2 * W, &a2, sizeof a2);
		}
		for (; k + W <= p1; k += W) {
			vec a0;
			memcpy(&a0, Tj + k, sizeof a0);
			for (size_t i = 0; i < m; i++) {
				const double *Bi = B + i * p1;
				vec b0;
				memcpy(&b0, Bi + k, sizeof b0);
				a0 += Bi[j] * b0;
			}
			memcpy(wk + k, &a0, sizeof a0);
		}
		for (; k < p1; k++) {
			double a = Tj[k];
			for (size_t i = 0; i < m; i++)
				a += B[i * p1 + j] * B[i * p1 + k];
			wk[k] = a;
		}
		for (k = j + 1; k < p1; k++) {
			wk[k] *= tau;
			Tj[k] -= wk[k];
		}
		for (size_t i = 0; i < m; i++) {
			double *Bi = B + i * p1;
			double c = -Bi[j];
			for (k = j + 1; k + W <= p1; k += W) {
				vec y, w;
				memcpy(&y, Bi + k, sizeof y);
				memcpy(&w, wk + k, sizeof w);
				y += c * w;
				memcpy(Bi + k, &y, sizeof y);
			}
			for (; k < p1; k++)
				Bi[k] += c * wk[k];
			if (j + 1 < p1)
				next += Bi[j + 1] * Bi[j + 1];
		}
		ss = next;
	}
}

#undef FF
#undef FF_CAT
#undef FF_CAT2
