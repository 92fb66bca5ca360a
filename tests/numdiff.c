/*
 * numdiff - compare two CSV files cell by cell: numbers as numbers, within
 * a relative tolerance; everything else as text, exactly.  For the
 * accuracy cases (pr-train against R's lm/glm, pr-score against R's
 * predict), whose last digits depend on the order of floating-point
 * operations.
 *
 * Usage: numdiff [-t REL] [-a ABS] [-c COLUMN=REL]... WANT.csv GOT.csv
 *   two numbers agree when |got - want| <= REL * |want| or <= ABS
 *   (default REL 1e-9, ABS 0); -c sets REL for one column (by header name).
 * Prints nothing and exits 0 when the files agree; else prints each
 * differing cell (at most 20) and exits 1.  Exit 2 on a usage or read error.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvio.h"
#include "diag.h"
#include "num.h"

#define MAX_COLTOL 32

static void
fail_diag(const struct diag *d)
{
	char buf[2048];

	diag_format(d, buf, sizeof buf);
	fprintf(stderr, "numdiff: %s\n", buf);
	exit(2);
}

int
main(int argc, char **argv)
{
	double rel = 1e-9, abs_tol = 0, coltol[MAX_COLTOL];
	const char *colname[MAX_COLTOL];
	size_t ncoltol = 0, i, k;
	struct csvio_reader *a, *b;
	struct csvio_row ra, rb;
	struct diag d;
	int opt, ga, gb, ndiff = 0;
	long rowno = 0;

	while ((opt = getopt(argc, argv, "t:a:c:")) != -1) {
		switch (opt) {
		case 't':
			rel = strtod(optarg, NULL);
			break;
		case 'a':
			abs_tol = strtod(optarg, NULL);
			break;
		case 'c': {
			char *eq = strchr(optarg, '=');
			if (eq == NULL || ncoltol == MAX_COLTOL) {
				fprintf(stderr, "numdiff: -c COLUMN=REL\n");
				return 2;
			}
			*eq = '\0';
			colname[ncoltol] = optarg;
			coltol[ncoltol++] = strtod(eq + 1, NULL);
			break;
		}
		default:
			fprintf(stderr, "usage: numdiff [-t REL] [-a ABS] [-c COLUMN=REL]... WANT GOT\n");
			return 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: numdiff [-t REL] [-a ABS] [-c COLUMN=REL]... WANT GOT\n");
		return 2;
	}
	if ((a = csvio_open(argv[optind], ',', &d)) == NULL)
		fail_diag(&d);
	if ((b = csvio_open(argv[optind + 1], ',', &d)) == NULL)
		fail_diag(&d);
	{
		const struct csvio_row *ha = csvio_header(a), *hb = csvio_header(b);
		if (ha->n != hb->n) {
			printf("header: %zu columns, want %zu\n", hb->n, ha->n);
			return 1;
		}
		for (i = 0; i < ha->n; i++)
			if (strcmp(ha->f[i], hb->f[i]) != 0) {
				printf("header column %zu: \"%s\", want \"%s\"\n", i + 1, hb->f[i], ha->f[i]);
				return 1;
			}
	}
	for (;;) {
		ga = csvio_next(a, &ra, &d);
		if (ga < 0)
			fail_diag(&d);
		gb = csvio_next(b, &rb, &d);
		if (gb < 0)
			fail_diag(&d);
		rowno++;
		if (ga == 0 || gb == 0) {
			if (ga != gb) {
				printf("row %ld: %s has more rows\n", rowno, ga ? "WANT" : "GOT");
				return 1;
			}
			break;
		}
		if (ra.n != rb.n) {
			printf("row %ld: %zu fields, want %zu\n", rowno, rb.n, ra.n);
			return 1;
		}
		for (i = 0; i < ra.n; i++) {
			double x, y, tol = rel;
			const char *col = csvio_header(a)->f[i];
			int nx = num_parse(ra.f[i], ra.len[i], &x, NUM_ALLOW_INFNAN) == NUM_OK;
			int ny = num_parse(rb.f[i], rb.len[i], &y, NUM_ALLOW_INFNAN) == NUM_OK;
			int same;
			for (k = 0; k < ncoltol; k++)
				if (strcmp(colname[k], col) == 0)
					tol = coltol[k];
			if (nx && ny)
				same = x == y || fabs(y - x) <= tol * fabs(x) || fabs(y - x) <= abs_tol ||
				    (isnan(x) && isnan(y));
			else
				same = ra.len[i] == rb.len[i] && memcmp(ra.f[i], rb.f[i], ra.len[i]) == 0;
			if (!same) {
				if (ndiff < 20) {
					printf("row %ld column \"%s\": got \"%s\", want \"%s\"", rowno, col,
					    rb.f[i], ra.f[i]);
					if (nx && ny && x != 0)
						printf(" (rel err %.3g > %.3g)", fabs(y - x) / fabs(x), tol);
					printf("\n");
				}
				ndiff++;
			}
		}
	}
	csvio_close(a);
	csvio_close(b);
	if (ndiff > 20)
		printf("... %d differing cells\n", ndiff);
	return ndiff ? 1 : 0;
}
