/*
 * strtab.h - a table of distinct strings, each given a dense index in the
 * order it was first added (0, 1, 2, ...).  Category levels, customer and
 * item keys are kept here: a lookup hashes the bytes and never allocates,
 * so the per-row path can use it.
 *
 * Strings are byte strings with a length (they may hold NUL bytes); the
 * table keeps its own copies, each NUL-terminated.
 */
#ifndef PR_STRTAB_H
#define PR_STRTAB_H

#include <stddef.h>
#include <stdint.h>

struct strtab;   /* opaque */

/*
 * A 64-bit hash of s[0..len): the hash every table of strings in common/
 * uses.  Read a word at a time and fully mixed, so its low bits alone may
 * place an entry.  The same on every machine (bytes are read as
 * little-endian words), though no output depends on it: tables hand out
 * their entries in the order they were added.
 */
uint64_t strtab_hash(const char *s, size_t len);

/* A new empty table, or NULL when out of memory.  Free with strtab_free. */
struct strtab *strtab_new(void);

/* Free t and every string in it.  NULL is fine. */
void strtab_free(struct strtab *t);

/* Number of strings in t. */
size_t strtab_n(const struct strtab *t);

/* Index of s[0..len) in t, or -1 when it is not there.  Never allocates. */
long strtab_find(const struct strtab *t, const char *s, size_t len);

/*
 * Index of s[0..len), adding a copy when it is new (the new index is
 * strtab_n() before the call).  Returns -1 only when out of memory.
 */
long strtab_add(struct strtab *t, const char *s, size_t len);

/*
 * String number i (0 <= i < strtab_n), NUL-terminated; *len (when not
 * NULL) gets its length.  Valid until the next strtab_add or strtab_free.
 */
const char *strtab_str(const struct strtab *t, size_t i, size_t *len);

/*
 * Fill order[0..strtab_n) with the indexes of t's strings in byte order
 * (as memcmp compares, a shorter prefix first; like LC_ALL=C sort).  order is caller-allocated.
 */
void strtab_sorted(const struct strtab *t, size_t *order);

#endif
