/*
 * bench-fit - the fitting component of the training benchmark: read a CSV
 * whose column "y" is the response and whose other columns are numeric
 * predictors (csvio + num_parse), add an intercept, and call fit_model.
 * Prints one line per coefficient, "term,estimate,std_error" (the shortest
 * round-trip text), and on stderr the seconds spent reading and fitting.
 *
 * usage: bench-fit [linear|logistic|poisson] FILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>

#include "csvio.h"
#include "fit.h"
#include "num.h"

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: bench-fit linear|logistic|poisson FILE\n");
		return 2;
	}
	gsl_set_error_handler_off();
	struct fit_opts o = { .family = FIT_LOGISTIC, .intercept = 0 };
	if (strcmp(argv[1], "linear") == 0)
		o.family = FIT_LINEAR;
	else if (strcmp(argv[1], "poisson") == 0)
		o.family = FIT_POISSON;
	struct diag d;
	double t0 = now();
	struct csvio_reader *r = csvio_open(argv[2], ',', &d);
	if (!r) {
		fprintf(stderr, "bench-fit: %s\n", d.what);
		return 1;
	}
	long ycol = csvio_col(r, "y");
	size_t nc = csvio_ncols(r);
	if (ycol < 0 || nc < 2) {
		fprintf(stderr, "bench-fit: no column y\n");
		return 1;
	}
	size_t p = nc;   /* intercept + (nc - 1) predictors */
	size_t cap = 1 << 16, n = 0;
	double *xd = malloc(cap * p * sizeof(double)), *yd = malloc(cap * sizeof(double));
	struct csvio_row row;
	int rc;
	while ((rc = csvio_next(r, &row, &d)) == 1) {
		if (n == cap) {
			cap *= 2;
			xd = realloc(xd, cap * p * sizeof(double));
			yd = realloc(yd, cap * sizeof(double));
		}
		double *xi = xd + n * p;
		size_t k = 1;
		xi[0] = 1;
		for (size_t j = 0; j < nc; j++) {
			double v;
			if (row.n != nc || num_parse(row.f[j], row.len[j], &v, 0) != NUM_OK) {
				fprintf(stderr, "bench-fit: line %ld: bad row\n", row.line);
				return 1;
			}
			if ((long)j == ycol)
				yd[n] = v;
			else
				xi[k++] = v;
		}
		n++;
	}
	if (rc < 0) {
		fprintf(stderr, "bench-fit: %s\n", d.what);
		return 1;
	}
	double t1 = now();
	gsl_matrix_view X = gsl_matrix_view_array(xd, n, p);
	gsl_vector_view y = gsl_vector_view_array(yd, n);
	struct fit_result res;
	enum fit_status st = fit_model(&X.matrix, &y.vector, NULL, &o, &res, &d);
	double t2 = now();
	if (st != FIT_OK) {
		fprintf(stderr, "bench-fit: %s\n", d.what);
		return 1;
	}
	const struct csvio_row *h = csvio_header(r);
	char b1[NUM_BUFSZ], b2[NUM_BUFSZ];
	printf("term,estimate,std_error\n");
	for (size_t j = 0, k = 0; j < p; j++) {
		const char *name = "(Intercept)";
		if (j > 0) {
			if ((long)k == ycol)
				k++;
			name = h->f[k++];
		}
		num_format(gsl_vector_get(res.beta, j), b1);
		num_format(gsl_vector_get(res.se, j), b2);
		printf("%s,%s,%s\n", name, b1, b2);
	}
	fprintf(stderr, "bench-fit: n %zu p %zu read %.3f s fit %.3f s iterations %d\n",
	    n, p, t1 - t0, t2 - t1, res.iterations);
	fit_result_free(&res);
	csvio_close(r);
	free(xd);
	free(yd);
	return 0;
}
