/*
 * cf.h - item-to-item collaborative filtering on a purchase history.
 *
 * The history is a binary customer x item matrix: a customer bought an
 * item or did not (buying it again adds nothing).  The similarity of two
 * items is the cosine of their customer columns,
 *
 *     sim(i, j) = |U(i) & U(j)| / sqrt(|U(i)| |U(j)|),
 *
 * and each item keeps its k most similar other items with sim > 0 (ties
 * broken by item name, byte order).  The affinity of customer u to item i
 * is the share of i's neighbourhood that u has bought:
 *
 *     score(u, i) = sum of sim(i, j) over neighbours j of i that u bought
 *                   / sum of sim(i, j) over all neighbours j of i,
 *
 * so it runs from 0 (nothing near i bought) to 1 (every neighbour bought);
 * an item without neighbours, or a customer or item not in the history,
 * scores 0.  Sums run over the neighbours in their stored order, so a
 * score is the same double wherever it is computed.
 *
 * Memory grows with customers x items bought plus items x k.
 */
#ifndef PR_CF_H
#define PR_CF_H

#include <jansson.h>

#include "csvio.h"
#include "diag.h"

struct cf;   /* opaque */

/*
 * Build from the rows of r (columns user and item; rows with either empty
 * are skipped).  k >= 1.  Returns NULL with d filled (missing column, read
 * error, out of memory).  Free with cf_free.
 */
struct cf *cf_build(struct csvio_reader *r, const char *user, const char *item, long k,
    struct diag *d);

void cf_free(struct cf *c);

/*
 * The model as a JSON object {"k": k, "items": {ITEM: [[NEIGHBOUR, sim],
 * ...]}, "users": {USER: [ITEM, ...]}} (names in byte order); a new
 * reference, or NULL when out of memory.
 */
json_t *cf_to_json(const struct cf *c);

/* Read what cf_to_json wrote.  Returns NULL with d filled (what only). */
struct cf *cf_from_json(const json_t *j, struct diag *d);

/*
 * score(u, i) for the byte strings u and i.  *known is set to 0 when the
 * customer or the item is not in the history (the score is then 0), else 1.
 * Does not allocate.
 */
double cf_score(const struct cf *c, const char *u, size_t ulen, const char *i, size_t ilen,
    int *known);

/*
 * Write, for each customer in byte order, the K items with the highest
 * score > 0 among those the customer has not bought (ties: item name in
 * byte order), as rows user,item,rank,score (rank 1..K).  Writes no
 * header.  Returns 0, or -1 with d filled when out of memory.
 */
int cf_recommend(const struct cf *c, long K, struct csvio_writer *w, struct diag *d);

#endif
