/* suggest.c - see suggest.h. */
#include "suggest.h"

#include <string.h>

static unsigned char
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

size_t
suggest_distance(const char *a, const char *b)
{
	/* Three rows of the dynamic programme: two back for a swap. */
	size_t row[3][SUGGEST_MAX_LEN + 1], la = strlen(a), lb = strlen(b), i, j;
	const unsigned char *s = (const unsigned char *)a, *t = (const unsigned char *)b;

	if (la > SUGGEST_MAX_LEN || lb > SUGGEST_MAX_LEN)
		return la > lb ? la : lb;
	for (j = 0; j <= lb; j++)
		row[0][j] = j;
	for (i = 1; i <= la; i++) {
		size_t *cur = row[i % 3], *prev = row[(i + 2) % 3], *prev2 = row[(i + 1) % 3];
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t cost = lower(s[i - 1]) != lower(t[j - 1]);
			size_t best = prev[j - 1] + cost;
			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && lower(s[i - 1]) == lower(t[j - 2]) &&
			    lower(s[i - 2]) == lower(t[j - 1]) && prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			cur[j] = best;
		}
	}
	return row[la % 3][lb];
}

const char *
suggest_word(const char *s, const char *const *words, size_t n)
{
	size_t len = strlen(s), limit = len <= 4 ? 1 : len <= 8 ? 2 : 3, best = (size_t)-1, i;
	const char *found = NULL;

	for (i = 0; i < n; i++)
		if (strcmp(words[i], s) == 0)
			return NULL;
	for (i = 0; i < n; i++) {
		size_t dist = suggest_distance(s, words[i]);
		/* never a word that shares nothing with s ("x" for "y") */
		if (dist <= limit && dist < best && dist < len && dist < strlen(words[i])) {
			best = dist;
			found = words[i];
		}
	}
	return found;
}
