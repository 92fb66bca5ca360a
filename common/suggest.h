/*
 * suggest.h - "did you mean": the nearest of a few known words to one that
 * is not among them (a column name, an option, a family or metric name).
 */
#ifndef PR_SUGGEST_H
#define PR_SUGGEST_H

#include <stddef.h>

/*
 * The edit distance between a and b, ignoring ASCII case: insertions,
 * deletions, substitutions and swaps of two neighbours count one each
 * (optimal string alignment, as git's and cargo's suggestions use).
 * Words longer than SUGGEST_MAX_LEN bytes are as far as their lengths
 * allow (no suggestion is made for them).
 */
#define SUGGEST_MAX_LEN 128
size_t suggest_distance(const char *a, const char *b);

/*
 * The word of words[0..n) nearest to s, when it is near enough to be what
 * was meant: at most 1 edit for words of up to 4 letters, 2 up to 8, 3
 * beyond (or a difference of case only), and fewer edits than either word
 * has letters.  Ties go to the first word.  NULL
 * when no word is that near, or when s itself is among them.  The result
 * points into words.
 */
const char *suggest_word(const char *s, const char *const *words, size_t n);

#endif
