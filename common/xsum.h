/*
 * xsum.h - exact sums of doubles: Shewchuk's non-overlapping partials
 * ("Adaptive precision floating-point arithmetic", 1997), as Python's
 * math.fsum keeps them.
 *
 * A sum holds the exact total of what was added (barring overflow), so its
 * rounded value is the same double whatever order the values came in, and
 * two sums of two halves added together give the bits of one sum of the
 * whole.  That makes a sum computed on shards and merged the same as one
 * computed on one machine, and a window of prices that values enter and
 * leave the same whatever order they moved in.
 */
#ifndef PR_XSUM_H
#define PR_XSUM_H

#include <stddef.h>

#include <jansson.h>

/* Zero-initialise ({ NULL, 0, 0 }) for the sum 0; free with xsum_fini. */
struct xsum {
	double *p;                /* the partials, increasing in magnitude */
	size_t n, cap;
};

void xsum_fini(struct xsum *s);

/* Add x exactly.  Returns 0, or -1 when out of memory (s unchanged in value). */
int xsum_add(struct xsum *s, double x);

/* Add a * b exactly (the product split in two doubles by fma).  0 or -1 (memory). */
int xsum_add_prod(struct xsum *s, double a, double b);

/* Add the sum t to s exactly.  0 or -1 (memory). */
int xsum_add_sum(struct xsum *s, const struct xsum *t);

/* The exact sum rounded to nearest, ties to even (as math.fsum); 0 for no values. */
double xsum_value(const struct xsum *s);

/*
 * The mean of n values whose exact sum is s, and their sample variance
 * (n - 1 in the denominator) from ss, the exact sum of their squares:
 * n ss - s^2 is formed exactly and rounded once, so neither depends on the
 * order of the values, and the variance has no cancellation.  n >= 1;
 * *var is 0 for n = 1.  Returns 0, or -1 when out of memory.
 */
int xsum_mean_var(const struct xsum *s, const struct xsum *ss, double n, double *mean,
    double *var);

/*
 * A sum as JSON, for a part: the array of its partials (each a double
 * written with 17 digits reads back exactly), a new reference or NULL when
 * out of memory.  xsum_add_json adds such an array to s: 0, or -1 when j is
 * not an array of finite numbers or memory runs out.
 */
json_t *xsum_to_json(const struct xsum *s);
int xsum_add_json(struct xsum *s, const json_t *j);

#endif
