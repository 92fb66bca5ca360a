/* test_suggest.c - suggest_distance and suggest_word. */
#include <string.h>

#include "check.h"
#include "suggest.h"

int
main(void)
{
	static const char *const cols[] = { "id", "price", "list_price", "segment", "qty" };
	static const char *const fam[] = { "linear", "logistic", "poisson", "gaussian", "binomial" };
	const char *w;

	CHECK(suggest_distance("", "") == 0, "empty");
	CHECK(suggest_distance("abc", "") == 3, "to empty");
	CHECK(suggest_distance("kitten", "sitting") == 3, "kitten/sitting (Levenshtein's example)");
	CHECK(suggest_distance("prcie", "price") == 1, "a swap counts one");
	CHECK(suggest_distance("ca", "abc") == 3, "optimal string alignment: ca/abc is 3, not 2");
	CHECK(suggest_distance("PRICE", "price") == 0, "case is ignored");
	w = suggest_word("prce", cols, 5);
	CHECK(w != NULL && strcmp(w, "price") == 0, "prce -> price");
	w = suggest_word("Price", cols, 5);
	CHECK(w != NULL && strcmp(w, "price") == 0, "Price -> price");
	w = suggest_word("lst_price", cols, 5);
	CHECK(w != NULL && strcmp(w, "list_price") == 0, "lst_price -> list_price");
	CHECK(suggest_word("price", cols, 5) == NULL, "a known word gets none");
	CHECK(suggest_word("revenue", cols, 5) == NULL, "nothing near");
	CHECK(suggest_word("x", cols, 5) == NULL, "one letter: no guess");
	w = suggest_word("qt", cols, 5);
	CHECK(w != NULL && strcmp(w, "qty") == 0, "qt -> qty");
	w = suggest_word("binomal", fam, 5);
	CHECK(w != NULL && strcmp(w, "binomial") == 0, "binomal -> binomial");
	w = suggest_word("logit", fam, 5);
	CHECK(w == NULL, "logit is 3 edits from logistic: too far for 5 letters");
	CHECK(suggest_word("prce", cols, 0) == NULL, "no words");
	{
		char longer[300];
		memset(longer, 'a', sizeof longer - 1);
		longer[sizeof longer - 1] = '\0';
		CHECK(suggest_distance(longer, "a") == sizeof longer - 1, "too long: its length");
	}
	return check_done();
}
