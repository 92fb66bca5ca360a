/*
 * cf.h - collaborative filtering on a purchase or rating history, item-based
 * or user-based.
 *
 * The history is a customer x item matrix.  From purchases it is binary (a
 * customer bought an item or did not; buying again adds nothing).  From
 * ratings (a numeric column) a cell is the customer's rating of the item
 * (rated twice: the later row in the input counts), centred before any
 * similarity: on the item's mean rating (item-based) or on the customer's
 * mean rating (user-based).  Write v(u, i) for a cell: 1 for a purchase,
 * r(u, i) - mean(i) or r(u, i) - mean(u) for a rating.
 *
 * Similarity is the cosine of two rows (user-based: customers) or two columns
 * (item-based: items) of v, zeros where nothing was bought or rated:
 *
 *     sim(a, b) = sum v(a, x) v(b, x) / sqrt(sum v(a, x)^2  sum v(b, x)^2)
 *
 * (for purchases, |U(i) & U(j)| / sqrt(|U(i)| |U(j)|)).  Each item (or
 * customer) keeps its k most similar others with sim > 0, by sim and then
 * by name in byte order: its neighbours N.  Scores:
 *
 *   item-based, purchases:  score(u, i) = sum of sim(i, j) over j in N(i)
 *                           that u bought / sum of sim(i, j) over all of N(i)
 *   user-based, purchases:  score(u, i) = sum of sim(u, w) over w in N(u)
 *                           who bought i / sum of sim(u, w) over all of N(u)
 *   item-based, ratings:    score(u, i) = mean(i) + sum sim(i, j) v(u, j) /
 *                           sum sim(i, j), both over j in N(i) that u rated
 *   user-based, ratings:    score(u, i) = mean(u) + sum sim(u, w) v(w, i) /
 *                           sum sim(u, w), both over w in N(u) who rated i
 *
 * A purchase score runs from 0 to 1; a rating score is a predicted rating
 * on the ratings' own scale (the mean when no neighbour rated it).  Since
 * every kept sim is positive, "sum of sim" is the sum of |sim|.  Sums run
 * over neighbours in their stored order, so a score is the same double
 * wherever it is computed.
 *
 * Memory: while building, 40 bytes per input row and about 60 per distinct
 * (customer, item) cell (the lists, their transpose and the centred cells),
 * plus 16 bytes per kept neighbour (k per item or customer) and the names;
 * no customer x customer or item x item matrix is ever formed.
 */
#ifndef PR_CF_H
#define PR_CF_H

#include <jansson.h>

#include "csvio.h"
#include "diag.h"

struct cf;   /* opaque */

enum cf_mode { CF_ITEM = 0, CF_USER = 1 };

struct cf_opts {
	enum cf_mode mode;
	long k;                /* neighbours kept, >= 1 */
	const char *rating;    /* the rating column, or NULL: purchases */
};

/*
 * Build from the rows of r (columns user and item, and o->rating when set).
 * Rows with a missing customer, item or rating (empty, or NA when r reads
 * NA as missing) are skipped.  A rating that
 * is not a finite number fails.  Returns NULL with d filled (missing
 * column, bad rating, read error, out of memory).  Free with cf_free.
 */
struct cf *cf_build(struct csvio_reader *r, const char *user, const char *item,
    const struct cf_opts *o, struct diag *d);

void cf_free(struct cf *c);

/* 1 when built from ratings, 0 from purchases. */
int cf_rated(const struct cf *c);

/*
 * The model as a JSON object: {"mode": "item"|"user", "rating": BOOL, "k": k,
 * "items": {ITEM: [[NEIGHBOUR, sim], ...]}, "neighbours": {USER: [[USER,
 * sim], ...]} (user-based only; item-based items have empty lists there),
 * "users": {USER: [ITEM, ...] or [[ITEM, rating], ...]}} (names in byte
 * order); a new reference, or NULL when out of memory.
 */
json_t *cf_to_json(const struct cf *c);

/*
 * Read what cf_to_json wrote (an object without "mode" and "rating" is an
 * item-based purchase model).  Returns NULL with d filled (what only).
 */
struct cf *cf_from_json(const json_t *j, struct diag *d);

/*
 * score(u, i) for the byte strings u and i.  *known is set to 0 when the
 * customer or the item is not in the history, else 1; the score is then 0
 * for purchases and the mean of all ratings for ratings.  Does not allocate.
 */
double cf_score(const struct cf *c, const char *u, size_t ulen, const char *i, size_t ilen,
    int *known);

/*
 * Write, for each customer in byte order, the K best-scoring items the
 * customer has not bought or rated, among those some neighbour supports
 * (purchases: score > 0), ties by item name in byte order, as rows
 * user,item,rank,score (rank 1..K).  Writes no header.  Returns 0, or -1
 * with d filled when out of memory.
 */
int cf_recommend(const struct cf *c, long K, struct csvio_writer *w, struct diag *d);

/*
 * The same model in steps, for purchases read in parts (shards of the
 * rows, in any split) on several machines.  The cells (customer, item and
 * the rating) are what every similarity is computed from; a part holds
 * its rows' cells, one per pair with the pair's last rating, and parts
 * merged in the order of the shards hold the cells of the whole, a later
 * part's rating replacing an earlier one as a later row's does.
 * cf_cells_build then gives the model cf_build gives on the whole, bit for
 * bit (the similarities are computed there, from all the cells).
 *
 * cf_cells_new(rated) returns NULL with d filled when out of memory;
 * cf_cells_read (rows of r, as cf_build reads them) and cf_cells_merge (a
 * part, as cf_cells_part wrote it: {"rating": BOOL, "users": {USER:
 * [ITEM, ...] or [[ITEM, rating], ...]}}, names in byte order; name is the
 * part, for messages) return 0 or -1 with d filled; cf_cells_part returns a
 * new reference, or NULL when out of memory; cf_cells_build returns a
 * model (o->rating set when rated) or NULL with d filled.
 */
struct cf_cells;
struct cf_cells *cf_cells_new(int rated, struct diag *d);
int cf_cells_read(struct cf_cells *c, struct csvio_reader *r, const char *user, const char *item,
    const char *rating, struct diag *d);
json_t *cf_cells_part(const struct cf_cells *c);
int cf_cells_merge(struct cf_cells *c, const json_t *part, const char *name, struct diag *d);
struct cf *cf_cells_build(const struct cf_cells *c, const struct cf_opts *o, struct diag *d);
void cf_cells_free(struct cf_cells *c);

/* A held-out split: the last test_last items of each customer are tested. */
struct cf_eval_opts {
	const char *time_col;  /* dates ordering a customer's rows; NULL: input order */
	long test_last;        /* >= 1 */
	long K;                /* list length, >= 1 */
};

/* Ranking measures at K, averaged over the customers evaluated. */
struct cf_metrics {
	size_t users;          /* customers evaluated */
	double precision;      /* hits / K */
	double recall;         /* hits / held-out items */
	double ndcg;           /* sum 1/log2(rank + 1) over hits / the best possible */
	double hit_rate;       /* share of customers with a hit */
	double coverage;       /* distinct items recommended / items in the training part */
};

/*
 * Evaluate on the rows of r: each customer's items are ordered by their
 * first row (by e->time_col's date, then input order); a customer with more
 * than e->test_last distinct items has the last e->test_last held out (all
 * their rows), the rest of everyone's rows train a model with options o.
 * Each customer with held-out items gets K recommendations from the model
 * (*cf_out) and from item popularity in the training part (*pop_out: items
 * by distinct customers, then name), never an item the customer has in the
 * training part.  Returns 0, or -1 with d filled (missing column, bad date
 * or rating, no customer to evaluate, out of memory).
 */
int cf_evaluate(struct csvio_reader *r, const char *user, const char *item,
    const struct cf_opts *o, const struct cf_eval_opts *e, struct cf_metrics *cf_out,
    struct cf_metrics *pop_out, struct diag *d);

#endif
