/*
 * offers.h - the offers file of pr-optimize --offers: the coupons and
 * vouchers a shop may give, each with what the customer pays and what the
 * model sees.
 *
 * A CSV file with a header and these columns (any order, others ignored):
 *
 *     offer_id      the name written to the output's offer_id column
 *     kind          percent (value % off the list price) or amount (value off)
 *     value         percent: 0 <= value < 100; amount: value >= 0
 *     cost          cost to the shop per redemption (optional column: 0)
 *     COL           with pr-optimize --promo-col COL: the value the offer
 *                   gives to the model's promotion column COL (e.g.
 *                   discount = 0.1); a column named promo_value is read
 *                   when the file has no column COL
 */
#ifndef PR_OFFERS_H
#define PR_OFFERS_H

#include <stddef.h>

#include "csvio.h"
#include "diag.h"

enum offer_kind {
	OFFER_PERCENT,
	OFFER_AMOUNT
};

struct offer {
	char *id;               /* malloc'd, owned by the list */
	enum offer_kind kind;
	double value;
	double cost;            /* per redemption */
	double promo_value;
	double paid_a, paid_b;  /* price paid = paid_a * list price - paid_b */
};

struct offers {
	struct offer *v;
	size_t n;
};

/*
 * Read path into o (empty before), as csv says (its na_missing: NA is a
 * missing value).  promo_col: the model's promotion column, or NULL (then
 * no promotion value is read: 0).  A missing offer_id, kind, value or
 * promotion value fails the load with its line; a missing cost is 0.
 * Returns 0, or -1 with d filled (file, line, column, value: an
 * unreadable file, a missing column, a bad number or kind, a duplicate
 * offer_id, no offers at all).  Free with offers_free even after a
 * failure.
 */
int offers_load(struct offers *o, const char *path, const struct csvio_opts *csv,
    const char *promo_col, struct diag *d);

/* Free everything; o is empty after.  NULL-safe. */
void offers_free(struct offers *o);

#endif
