/* strtab.c - see strtab.h.  Open addressing with linear probing. */
#include "strtab.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct strtab {
	char **str;        /* by index */
	size_t *len;
	size_t n, cap;
	long *slot;        /* hash slots: index or -1; nslots is a power of two */
	size_t nslots;
};

/* Bytes s[0..8) as a little-endian word, on any machine. */
static uint64_t
load64(const char *s)
{
	uint64_t w;

	memcpy(&w, s, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w;
}

static uint32_t
load32(const char *s)
{
	uint32_t w;

	memcpy(&w, s, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap32(w);
#endif
	return w;
}

#define MIX1 0xbf58476d1ce4e5b9ULL
#define MIX2 0x94d049bb133111ebULL

uint64_t
strtab_hash(const char *s, size_t len)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (len * MIX2), w;

	/*
	 * A word at a time (the keys are ids a few bytes long: FNV's one
	 * multiply per byte, in a chain, was most of a lookup).  The tail
	 * of 1 to 7 bytes is read as two overlapping pieces, or three bytes;
	 * with the length mixed in first, different texts give different words.
	 */
	for (; len >= 8; s += 8, len -= 8) {
		h = (h ^ load64(s)) * MIX1;
		h ^= h >> 31;
	}
	if (len >= 4)
		w = (uint64_t)load32(s) | (uint64_t)load32(s + len - 4) << 32;
	else if (len > 0)
		w = (uint64_t)(unsigned char)s[0] | (uint64_t)(unsigned char)s[len / 2] << 8 |
		    (uint64_t)(unsigned char)s[len - 1] << 16;
	else
		w = 0;
	h = (h ^ w) * MIX1;
	/* splitmix64's finaliser: every bit of the result depends on every bit of h. */
	h ^= h >> 30;
	h *= MIX1;
	h ^= h >> 27;
	h *= MIX2;
	h ^= h >> 31;
	return h;
}

struct strtab *
strtab_new(void)
{
	struct strtab *t = calloc(1, sizeof *t);
	size_t i;

	if (t == NULL)
		return NULL;
	t->nslots = 64;
	t->slot = malloc(t->nslots * sizeof *t->slot);
	if (t->slot == NULL) {
		free(t);
		return NULL;
	}
	for (i = 0; i < t->nslots; i++)
		t->slot[i] = -1;
	return t;
}

void
strtab_free(struct strtab *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++)
		free(t->str[i]);
	free(t->str);
	free(t->len);
	free(t->slot);
	free(t);
}

size_t
strtab_n(const struct strtab *t)
{
	return t->n;
}

long
strtab_find(const struct strtab *t, const char *s, size_t len)
{
	size_t mask = t->nslots - 1, i = (size_t)strtab_hash(s, len) & mask;

	while (t->slot[i] >= 0) {
		size_t k = (size_t)t->slot[i];
		if (t->len[k] == len && memcmp(t->str[k], s, len) == 0)
			return (long)k;
		i = (i + 1) & mask;
	}
	return -1;
}

/* Double the slots when the table is half full, so probes stay short. */
static int
grow_slots(struct strtab *t)
{
	size_t nslots = t->nslots * 2, i, k;
	long *slot = malloc(nslots * sizeof *slot);

	if (slot == NULL)
		return -1;
	for (i = 0; i < nslots; i++)
		slot[i] = -1;
	for (k = 0; k < t->n; k++) {
		i = (size_t)strtab_hash(t->str[k], t->len[k]) & (nslots - 1);
		while (slot[i] >= 0)
			i = (i + 1) & (nslots - 1);
		slot[i] = (long)k;
	}
	free(t->slot);
	t->slot = slot;
	t->nslots = nslots;
	return 0;
}

long
strtab_add(struct strtab *t, const char *s, size_t len)
{
	long k = strtab_find(t, s, len);
	size_t i;
	char *c;

	if (k >= 0)
		return k;
	if ((t->n + 1) * 2 > t->nslots && grow_slots(t) < 0)
		return -1;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **str = realloc(t->str, cap * sizeof *str);
		size_t *lens;
		if (str == NULL)
			return -1;
		t->str = str;
		lens = realloc(t->len, cap * sizeof *lens);
		if (lens == NULL)
			return -1;
		t->len = lens;
		t->cap = cap;
	}
	if ((c = malloc(len + 1)) == NULL)
		return -1;
	memcpy(c, s, len);
	c[len] = '\0';
	t->str[t->n] = c;
	t->len[t->n] = len;
	i = (size_t)strtab_hash(s, len) & (t->nslots - 1);
	while (t->slot[i] >= 0)
		i = (i + 1) & (t->nslots - 1);
	t->slot[i] = (long)t->n;
	return (long)t->n++;
}

const char *
strtab_str(const struct strtab *t, size_t i, size_t *len)
{
	if (len != NULL)
		*len = t->len[i];
	return t->str[i];
}

/*
 * Compare two byte strings as memcmp does, a shorter prefix first: the
 * order every sorted list of levels and keys uses (byte order, like
 * LC_ALL=C sort).
 */
static int
strtab_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* qsort has no context argument in C11: sort (index, string) pairs instead. */
struct sort_item {
	size_t idx;
	const char *s;
	size_t len;
};

static int
cmp_item(const void *pa, const void *pb)
{
	const struct sort_item *a = pa, *b = pb;

	return strtab_cmp(a->s, a->len, b->s, b->len);
}

void
strtab_sorted(const struct strtab *t, size_t *order)
{
	struct sort_item *it = malloc((t->n ? t->n : 1) * sizeof *it);
	size_t i;

	if (it == NULL) {
		/* Out of memory: fall back to insertion sort in place, slow but correct. */
		for (i = 0; i < t->n; i++)
			order[i] = i;
		for (i = 1; i < t->n; i++) {
			size_t j = i, v = order[i];
			while (j > 0 && strtab_cmp(t->str[order[j - 1]], t->len[order[j - 1]],
			    t->str[v], t->len[v]) > 0) {
				order[j] = order[j - 1];
				j--;
			}
			order[j] = v;
		}
		return;
	}
	for (i = 0; i < t->n; i++) {
		it[i].idx = i;
		it[i].s = t->str[i];
		it[i].len = t->len[i];
	}
	qsort(it, t->n, sizeof *it, cmp_item);
	for (i = 0; i < t->n; i++)
		order[i] = it[i].idx;
	free(it);
}
