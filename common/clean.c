/*
 * clean.c - see clean.h.
 */
#ifdef __linux__
#define _DEFAULT_SOURCE 1   /* madvise(MADV_HUGEPAGE) for the key table, see slots_alloc */
#endif
#include "clean.h"
#include "strtab.h"
#include "field.h"
#include "num.h"
#include "opts.h"
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <sys/mman.h>
#endif

/* ------------------------------------------------------------------ values */

static int
is_space(char c)
{
	return c == ' ' || c == '\t';
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void
trim(const char **s, size_t *len)
{
	while (*len > 0 && is_space((*s)[0])) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && is_space((*s)[*len - 1]))
		(*len)--;
}

/* Length of a currency symbol at s[0..n) ($, €, £, ¥ in UTF-8), or 0. */
static size_t
currency_at(const char *s, size_t n)
{
	if (n >= 1 && s[0] == '$')
		return 1;
	if (n >= 3 && memcmp(s, "\xe2\x82\xac", 3) == 0)   /* € */
		return 3;
	if (n >= 2 && (memcmp(s, "\xc2\xa3", 2) == 0 || memcmp(s, "\xc2\xa5", 2) == 0))
		return 2;   /* £ ¥ */
	return 0;
}

/* Length of a currency symbol ending at s[n), or 0. */
static size_t
currency_before(const char *s, size_t n)
{
	if (n >= 1 && s[n - 1] == '$')
		return 1;
	if (n >= 3 && memcmp(s + n - 3, "\xe2\x82\xac", 3) == 0)
		return 3;
	if (n >= 2 && (memcmp(s + n - 2, "\xc2\xa3", 2) == 0 || memcmp(s + n - 2, "\xc2\xa5", 2) == 0))
		return 2;
	return 0;
}

/* The parts of a number's body, with the grouping removed from the integer digits. */
struct body {
	size_t nint;            /* integer digits copied to the caller's buffer */
	const char *frac;       /* fraction digits (in the input), or NULL */
	size_t nfrac;
	const char *exp;        /* exponent text after 'e' (in the input), or NULL */
	size_t nexp;
	int grouped;
};

/*
 * Scan s[0..n) as digits with optional thousands grouping, a decimal mark
 * and (if allow_exp and not grouped) an exponent; the integer digits go to
 * digits[].  Returns 0 when the whole text is such a body, else -1.
 */
static int
scan_body(const char *s, size_t n, int flags, int allow_exp, char *digits, struct body *b)
{
	char group = (flags & CLEAN_DECIMAL_COMMA) ? '.' : ',';
	char mark = (flags & CLEAN_DECIMAL_COMMA) ? ',' : '.';
	size_t i = 0, run;

	memset(b, 0, sizeof *b);
	while (i < n && is_digit(s[i]))
		digits[b->nint++] = s[i++];
	if (i < n && s[i] == group) {
		/* Grouped: the first group has 1..3 digits, every later one exactly 3. */
		if (b->nint < 1 || b->nint > 3)
			return -1;
		b->grouped = 1;
		while (i < n && s[i] == group) {
			i++;
			for (run = 0; i < n && is_digit(s[i]); run++)
				digits[b->nint++] = s[i++];
			if (run != 3)
				return -1;
		}
	}
	if (i < n && s[i] == mark) {
		i++;
		b->frac = s + i;
		while (i < n && is_digit(s[i]))
			i++;
		b->nfrac = (size_t)(s + i - b->frac);
	}
	if (b->nint == 0 && b->nfrac == 0)
		return -1;
	if (i < n && (s[i] == 'e' || s[i] == 'E') && allow_exp && !b->grouped) {
		i++;
		b->exp = s + i;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		run = i;
		while (i < n && is_digit(s[i]))
			i++;
		if (i == run)
			return -1;
		b->nexp = (size_t)(s + i - b->exp);
	}
	return i == n ? 0 : -1;
}

/* Longest number text clean_num reads: longer is not a number a person typed. */
#define CLEAN_NUM_MAX 400

/*
 * Read a number as clean_num does and, when text is not NULL, write its
 * normal form there (room for NUM_BUFSZ bytes).  need_x: set *out even
 * when the text alone would do.  Returns the text's length (0 when text is
 * NULL), or -1 when s is not a number, -2 when it is one too large for a double.
 *
 * Most numbers in an export are plain decimals of at most 15 significant
 * digits.  Such a decimal is the shortest text of its double (two different
 * decimals of 15 digits never read as the same double), and num_format
 * writes it in fixed notation when its first digit is between 10^-4 and
 * 10^14, as %g does: so its normal form is its own digits without leading
 * or trailing zeros, and the conversions to and from double can be skipped.
 */
static long
read_num(const char *s, size_t len, int flags, double *out, char *text, int need_x)
{
	char buf[CLEAN_NUM_MAX + 8];
	struct body b;
	size_t k, pos, lead, nf, z;
	int neg = 0, signed_ = 0, cur = 0, pct = 0;
	double x;

	/*
	 * The common case first: [-]digits[.digits] and nothing else.  Its
	 * parts are found in one scan, with nothing copied; anything else
	 * takes the general way below.
	 */
	if (text != NULL && len > 0 && len <= 64) {
		char mark = (flags & CLEAN_DECIMAL_COMMA) ? ',' : '.';
		size_t i = s[0] == '-', int_start = i, int_end, frac_start = 0;

		while (i < len && is_digit(s[i]))
			i++;
		int_end = i;
		if (i < len && s[i] == mark) {
			frac_start = ++i;
			while (i < len && is_digit(s[i]))
				i++;
		}
		if (i == len && mark == '.' && int_end > int_start && s[int_start] != '0') {
			/*
			 * No leading zero, a '.' mark: the normal form is the text
			 * itself without trailing fraction zeros (and a bare '.').
			 */
			size_t end = frac_start > 0 ? len : int_end;
			if (frac_start > 0) {
				while (end > frac_start && s[end - 1] == '0')
					end--;
				if (end == frac_start)
					end--;
			}
			if ((int_end - int_start) + (end > int_end ? end - int_end - 1 : 0) <= 15) {
				for (k = 0; k < end; k++)
					text[k] = s[k];
				text[end] = '\0';
				if (need_x && num_parse(text, end, out, 0) != NUM_OK)
					return -1;
				return (long)end;
			}
		}
		if (i == len && (int_end > int_start || (frac_start > 0 && len > frac_start))) {
			b.nint = int_end - int_start;
			memcpy(buf + 1, s + int_start, b.nint);
			b.frac = frac_start > 0 ? s + frac_start : NULL;
			b.nfrac = frac_start > 0 ? len - frac_start : 0;
			b.exp = NULL;
			neg = s[0] == '-';
			goto plain;
		}
	}
	trim(&s, &len);
	if (len == 0 || len > CLEAN_NUM_MAX)
		return -1;
	/* Front: [sign] [currency [spaces]] [sign] */
	if (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-';
		signed_ = 1;
		s++;
		len--;
	}
	if ((k = currency_at(s, len)) > 0) {
		cur = 1;
		s += k;
		len -= k;
		trim(&s, &len);
		if (!signed_ && len > 0 && (s[0] == '-' || s[0] == '+')) {
			neg = s[0] == '-';
			signed_ = 1;
			s++;
			len--;
		}
	}
	/* Back: ['%'] with spaces, then a currency symbol with spaces. */
	if (len > 0 && s[len - 1] == '%') {
		if (!(flags & CLEAN_PERCENT))
			return -1;
		pct = 1;
		len--;
		trim(&s, &len);
	}
	if (!cur && (k = currency_before(s, len)) > 0) {
		len -= k;
		trim(&s, &len);
	}
	if (len == 0 || scan_body(s, len, flags, 1, buf + 1, &b) < 0)
		return -1;
plain:
	if (text != NULL && !pct && b.exp == NULL) {
		for (lead = 0; lead < b.nint && buf[1 + lead] == '0'; lead++)
			;
		for (nf = b.nfrac; nf > 0 && b.frac[nf - 1] == '0'; nf--)
			;
		for (z = 0; z < nf && b.frac[z] == '0'; z++)
			;
		if (lead == b.nint && nf == 0) {
			text[0] = '0';
			text[1] = '\0';
			if (need_x)
				*out = 0;
			return 1;
		}
		if ((lead < b.nint && b.nint - lead + nf <= 15) ||
		    (lead == b.nint && z <= 3 && nf - z <= 15)) {
			pos = 0;
			if (neg)
				text[pos++] = '-';
			if (lead < b.nint) {
				memcpy(text + pos, buf + 1 + lead, b.nint - lead);
				pos += b.nint - lead;
			} else {
				text[pos++] = '0';
			}
			if (nf > 0) {
				text[pos++] = '.';
				memcpy(text + pos, b.frac, nf);
				pos += nf;
			}
			text[pos] = '\0';
			if (need_x && num_parse(text, pos, out, 0) != NUM_OK)
				return -1;
			return (long)pos;
		}
	}

	buf[0] = '-';
	pos = 1 + b.nint;
	if (b.nfrac > 0 || b.nint == 0) {
		buf[pos++] = '.';
		memcpy(buf + pos, b.frac, b.nfrac);
		pos += b.nfrac;
	}
	if (b.exp != NULL) {
		buf[pos++] = 'e';
		memcpy(buf + pos, b.exp, b.nexp);
		pos += b.nexp;
	}
	/* ".5" has no integer digit: strtod reads it all the same. */
	switch (num_parse(neg ? buf : buf + 1, neg ? pos : pos - 1, &x, 0)) {
	case NUM_OK:
		break;
	case NUM_RANGE:
		return -2;   /* 1e309: a number, but not a double */
	default:
		return -1;
	}
	if (pct)
		x /= 100;
	if (x == 0)
		x = 0;   /* no negative zero */
	*out = x;
	return text != NULL ? (long)num_format(x, text) : 0;
}

int
clean_num(const char *s, size_t len, int flags, double *out)
{
	return read_num(s, len, flags, out, NULL, 1) < 0 ? -1 : 0;
}

long
clean_num_text(const char *s, size_t len, int flags, char *buf)
{
	double x;

	return read_num(s, len, flags, &x, buf, 0);
}

long
clean_int(const char *s, size_t len, int flags, char *buf)
{
	struct body b;
	size_t i, start, pos = 0;
	int neg = 0;

	trim(&s, &len);
	if (len > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		s++;
		len--;
	}
	if (len == 0 || scan_body(s, len, flags, 0, buf + 1, &b) < 0 || b.nint == 0)
		return -1;
	for (i = 0; i < b.nfrac; i++)
		if (b.frac[i] != '0')
			return -1;
	start = 1;
	while (start < b.nint && buf[start] == '0')   /* leading zeros, keeping one digit */
		start++;
	if (b.nint - (start - 1) == 1 && buf[start] == '0')
		neg = 0;
	if (neg)
		buf[pos++] = '-';
	memmove(buf + pos, buf + start, b.nint - (start - 1));
	pos += b.nint - (start - 1);
	buf[pos] = '\0';
	return (long)pos;
}

int
clean_bool(const char *s, size_t len)
{
	static const char *const yes[] = { "1", "true", "yes", "y", "t", "on" };
	static const char *const no[] = { "0", "false", "no", "n", "f", "off" };
	char w[8];
	size_t i;

	trim(&s, &len);
	if (len == 0 || len >= sizeof w)
		return -1;
	for (i = 0; i < len; i++)
		w[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
	w[len] = '\0';
	for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcmp(w, yes[i]) == 0)
			return 1;
		if (strcmp(w, no[i]) == 0)
			return 0;
	}
	return -1;
}

/* ------------------------------------------------------- a set of strings */

/*
 * Byte strings kept exactly (a hash alone could merge two keys), packed in
 * one arena, with an open-addressing table of 8-byte slots.  Each entry in
 * the arena is a varint length, the bytes, and (when counting, for the mode)
 * an 8-byte count.  A slot holds the entry's offset + 1 in its high 36 bits
 * (an arena of up to 64 GiB) and the low 28 bits of the key's hash.  Those
 * bits tell most probes that miss apart without touching the arena, and
 * they are the bits that place an entry in a table of up to 2^28 slots: so
 * a growing table is rebuilt from the old one in slot order, each entry
 * landing in the new table near where the last one did, instead of by
 * reading every key again from all over the arena.  A million distinct
 * 8-byte keys take about 25 MB: 16 MB of table at the maximum load of 1/2,
 * 9 MB of arena.  Entries sit in the arena in the order they were first
 * seen.
 */
struct sset {
	char *arena;
	size_t arena_len, arena_cap;
	uint64_t *slot;            /* 0: empty */
	size_t cap, n;             /* cap is a power of two */
	int counting;
};

#define SSET_TAG_BITS 28
#define SSET_TAG_MASK ((UINT64_C(1) << SSET_TAG_BITS) - 1)
#define SSET_ARENA_MAX ((UINT64_C(1) << (64 - SSET_TAG_BITS)) - 2)


/* The entry at off: its bytes and length. */
static const char *
sset_entry(const struct sset *t, size_t off, size_t *len)
{
	const unsigned char *p = (const unsigned char *)t->arena + off;
	size_t v = 0;
	int shift = 0;

	do {
		v |= (size_t)(*p & 0x7f) << shift;
		shift += 7;
	} while (*p++ & 0x80);
	*len = v;
	return (const char *)p;
}

/*
 * A zeroed table of n slots.  A big table is probed at random, one cache
 * and one TLB miss a probe: on Linux it is put in transparent huge pages
 * (2 MiB aligned, with the madvise hint): a million-key --dedupe-key run
 * went from 0.87 s to 0.68 s.
 */
static uint64_t *
slots_alloc(size_t n)
{
	size_t bytes = n * sizeof(uint64_t);
#ifdef __linux__
	const size_t huge = (size_t)2 << 20;
	if (bytes >= huge) {
		void *p = NULL;
		if (posix_memalign(&p, huge, bytes) != 0)
			return NULL;
		(void)madvise(p, bytes, MADV_HUGEPAGE);
		memset(p, 0, bytes);
		return p;
	}
#endif
	return calloc(n, sizeof(uint64_t));
}

static int
sset_init(struct sset *t, int counting)
{
	memset(t, 0, sizeof *t);
	t->cap = 1024;
	t->counting = counting;
	t->slot = slots_alloc(t->cap);
	return t->slot == NULL ? -1 : 0;
}

static void
sset_fini(struct sset *t)
{
	free(t->arena);
	free(t->slot);
	memset(t, 0, sizeof *t);
}

/*
 * Double the table.  While the table is small enough for the stored hash
 * bits to place an entry, the old slots are walked in order; past that
 * (2^28 slots), the keys are hashed again in arena order.
 */
static int
sset_grow(struct sset *t)
{
	size_t ncap = t->cap * 2, i, j, len, off = 0;
	uint64_t *ns = slots_alloc(ncap), h;
	const char *key;

	if (ns == NULL)
		return -1;
	if (ncap <= SSET_TAG_MASK + 1) {
		for (i = 0; i < t->cap; i++) {
			if (t->slot[i] == 0)
				continue;
			for (j = t->slot[i] & (ncap - 1); ns[j] != 0; j = (j + 1) & (ncap - 1))
				;
			ns[j] = t->slot[i];
		}
	} else {
		while (off < t->arena_len) {
			key = sset_entry(t, off, &len);
			h = strtab_hash(key, len);
			for (j = h & (ncap - 1); ns[j] != 0; j = (j + 1) & (ncap - 1))
				;
			ns[j] = ((uint64_t)(off + 1) << SSET_TAG_BITS) | (h & SSET_TAG_MASK);
			off = (size_t)(key - t->arena) + len +
			    (t->counting ? sizeof(unsigned long long) : 0);
		}
	}
	free(t->slot);
	t->slot = ns;
	t->cap = ncap;
	return 0;
}

/*
 * Add s (or count it once more).  Returns 1 if it was new, 0 if it was
 * there already, -1 when out of memory.
 */
static int
sset_add(struct sset *t, const char *s, size_t len)
{
	uint64_t h = strtab_hash(s, len), tag = h & SSET_TAG_MASK;
	size_t j, off, elen, need, v;
	const char *key;
	unsigned long long count;

	for (j = h & (t->cap - 1); t->slot[j] != 0; j = (j + 1) & (t->cap - 1)) {
		if ((t->slot[j] & SSET_TAG_MASK) != tag)
			continue;
		off = (size_t)(t->slot[j] >> SSET_TAG_BITS) - 1;
		key = sset_entry(t, off, &elen);
		if (elen == len && memcmp(key, s, len) == 0) {
			if (t->counting) {
				memcpy(&count, key + len, sizeof count);
				count++;
				memcpy((char *)key + len, &count, sizeof count);
			}
			return 0;
		}
	}
	need = t->arena_len + 10 + len + sizeof count;
	if (need > SSET_ARENA_MAX)
		return -1;
	if (need > t->arena_cap) {
		size_t ncap = t->arena_cap ? t->arena_cap : 65536;
		char *na;
		while (ncap < need)
			ncap *= 2;
		if ((na = realloc(t->arena, ncap)) == NULL)
			return -1;
		t->arena = na;
		t->arena_cap = ncap;
	}
	off = t->arena_len;
	for (v = len; v >= 0x80; v >>= 7)
		t->arena[t->arena_len++] = (char)((v & 0x7f) | 0x80);
	t->arena[t->arena_len++] = (char)v;
	memcpy(t->arena + t->arena_len, s, len);
	t->arena_len += len;
	if (t->counting) {
		count = 1;
		memcpy(t->arena + t->arena_len, &count, sizeof count);
		t->arena_len += sizeof count;
	}
	t->slot[j] = ((uint64_t)(off + 1) << SSET_TAG_BITS) | tag;
	if (++t->n * 2 > t->cap && sset_grow(t) < 0)
		return -1;
	return 1;
}

/*
 * The most counted entry (of a counting set with n > 0); ties go to the
 * one first seen.  Returns its bytes, valid as long as t.
 */
static const char *
sset_mode(const struct sset *t, size_t *len)
{
	size_t off = 0, elen, best_len = 0;
	const char *key, *best = NULL;
	unsigned long long count, best_count = 0;

	while (off < t->arena_len) {
		key = sset_entry(t, off, &elen);
		memcpy(&count, key + elen, sizeof count);
		if (count > best_count) {
			best_count = count;
			best = key;
			best_len = elen;
		}
		off = (size_t)(key - t->arena) + elen + sizeof count;
	}
	*len = best_len;
	return best;
}

/* ----------------------------------------------------------------- options */

struct centry {
	enum clean_opt which;
	char *name;
	enum clean_type type;          /* type options */
	double lo, hi;                 /* range, clip, winsorize */
	enum clean_fill fill;          /* fill */
	char *value;                   /* fill constant (normalised by check), rename target */
};

struct clean_opts {
	struct centry *e;
	size_t n;
	int decimal_comma, bad_to_missing, dedupe, pad, missing_given;
	enum date_order date_order;
	struct opts_list missing;
	int checked;
};

struct clean_opts *
clean_opts_new(void)
{
	return calloc(1, sizeof(struct clean_opts));
}

void
clean_opts_free(struct clean_opts *o)
{
	size_t i;

	if (o == NULL)
		return;
	for (i = 0; i < o->n; i++) {
		free(o->e[i].name);
		free(o->e[i].value);
	}
	free(o->e);
	opts_list_free(&o->missing);
	free(o);
}

static struct centry *
add_entry(struct clean_opts *o, enum clean_opt which, const char *name, size_t name_len,
    struct diag *d)
{
	struct centry *ne = realloc(o->e, (o->n + 1) * sizeof *ne), *e;

	if (ne == NULL) {
		diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
		return NULL;
	}
	o->e = ne;
	e = &o->e[o->n];
	memset(e, 0, sizeof *e);
	e->which = which;
	e->name = strndup(name, name_len);
	if (e->name == NULL) {
		diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
		return NULL;
	}
	o->n++;
	return e;
}

/* Add every name of a comma list as an entry. */
static int
add_list(struct clean_opts *o, enum clean_opt which, enum clean_type type, const char *arg,
    struct diag *d)
{
	struct opts_list l = { NULL, 0 };
	struct centry *e;
	size_t i;

	if (opts_list_add(&l, arg, d) < 0) {
		opts_list_free(&l);
		return -1;
	}
	for (i = 0; i < l.n; i++) {
		if ((e = add_entry(o, which, l.v[i], strlen(l.v[i]), d)) == NULL) {
			opts_list_free(&l);
			return -1;
		}
		e->type = type;
	}
	opts_list_free(&l);
	return 0;
}

/* "LO:HI" with either side empty (unbounded), not both. */
static int
parse_bounds(const char *s, double *lo, double *hi, struct diag *d)
{
	const char *colon = strrchr(s, ':');

	if (colon == NULL)
		return diag_set(d, NULL, 0, NULL, s, strlen(s), "expected COL=LO:HI");
	*lo = -HUGE_VAL;
	*hi = HUGE_VAL;
	if (colon == s && colon[1] == '\0')
		return diag_set(d, NULL, 0, NULL, s, strlen(s), "expected COL=LO:HI");
	if (colon > s && num_parse(s, (size_t)(colon - s), lo, 0) != NUM_OK)
		return diag_set(d, NULL, 0, NULL, s, (size_t)(colon - s), "LO is not a number");
	if (colon[1] != '\0' && num_parse(colon + 1, strlen(colon + 1), hi, 0) != NUM_OK)
		return diag_set(d, NULL, 0, NULL, colon + 1, strlen(colon + 1), "HI is not a number");
	if (*lo > *hi)
		return diag_set(d, NULL, 0, NULL, s, strlen(s), "LO is greater than HI");
	return 0;
}

static int
type_word(const char *w, size_t n, enum clean_opt *which, enum clean_type *type)
{
	static const struct {
		const char *word;
		enum clean_opt which;
		enum clean_type type;
	} words[] = {
		{ "text", CLEAN_OPT_TEXT, CLEAN_TRIM },
		{ "num", CLEAN_OPT_NUM, CLEAN_NUM },
		{ "int", CLEAN_OPT_INT, CLEAN_INT },
		{ "date", CLEAN_OPT_DATE, CLEAN_DATE },
		{ "bool", CLEAN_OPT_BOOL, CLEAN_BOOL },
		{ "percent", CLEAN_OPT_PERCENT, CLEAN_NUM },
	};
	size_t i;

	for (i = 0; i < sizeof words / sizeof words[0]; i++) {
		if (strlen(words[i].word) == n && memcmp(words[i].word, w, n) == 0) {
			*which = words[i].which;
			*type = words[i].type;
			return 0;
		}
	}
	return -1;
}

/* A spec file: "COL TYPE" lines; '#' comments and blank lines skipped. */
static int
read_spec(struct clean_opts *o, const char *path, struct diag *d)
{
	FILE *fp = fopen(path, "r");
	char line[4096];
	long lineno = 0;
	size_t n, end, start;
	enum clean_opt which;
	enum clean_type type;
	struct centry *e;

	if (fp == NULL)
		return diag_errno(d, path, errno, "cannot open");
	while (fgets(line, sizeof line, fp) != NULL) {
		lineno++;
		n = strlen(line);
		if (n == sizeof line - 1 && line[n - 1] != '\n') {
			fclose(fp);
			return diag_set(d, path, lineno, NULL, NULL, 0, "line too long");
		}
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || is_space(line[n - 1])))
			n--;
		start = 0;
		while (start < n && is_space(line[start]))
			start++;
		if (start == n || line[start] == '#')
			continue;
		end = n;
		while (end > start && !is_space(line[end - 1]))
			end--;
		if (end == start) {
			fclose(fp);
			return diag_set(d, path, lineno, NULL, line + start, n - start,
			    "expected COLUMN TYPE");
		}
		if (type_word(line + end, n - end, &which, &type) < 0) {
			fclose(fp);
			return diag_set(d, path, lineno, NULL, line + end, n - end,
			    "unknown type (text, num, int, date, bool, percent)");
		}
		n = end;
		while (n > start && is_space(line[n - 1]))
			n--;
		if ((e = add_entry(o, which, line + start, n - start, d)) == NULL) {
			fclose(fp);
			return -1;
		}
		e->type = type;
	}
	if (ferror(fp)) {
		int err = errno;
		fclose(fp);
		return diag_errno(d, path, err, "read error");
	}
	fclose(fp);
	return 0;
}

int
clean_opts_set(struct clean_opts *o, enum clean_opt which, const char *arg, struct diag *d)
{
	struct centry *e;
	struct opts_list pairs = { NULL, 0 };
	char *name = NULL, *value = NULL;
	size_t i;
	int rc = 0;

	diag_clear(d);
	switch (which) {
	case CLEAN_OPT_TEXT:
		return add_list(o, which, CLEAN_TRIM, arg, d);
	case CLEAN_OPT_NUM:
	case CLEAN_OPT_PERCENT:
		return add_list(o, which, CLEAN_NUM, arg, d);
	case CLEAN_OPT_INT:
		return add_list(o, which, CLEAN_INT, arg, d);
	case CLEAN_OPT_DATE:
		return add_list(o, which, CLEAN_DATE, arg, d);
	case CLEAN_OPT_BOOL:
		return add_list(o, which, CLEAN_BOOL, arg, d);
	case CLEAN_OPT_DROP_MISSING:
	case CLEAN_OPT_DEDUPE_KEY:
	case CLEAN_OPT_KEEP:
	case CLEAN_OPT_DROP:
		return add_list(o, which, CLEAN_TEXT, arg, d);
	case CLEAN_OPT_SPEC:
		return read_spec(o, arg, d);
	case CLEAN_OPT_DECIMAL_COMMA:
		o->decimal_comma = 1;
		return 0;
	case CLEAN_OPT_BAD_TO_MISSING:
		o->bad_to_missing = 1;
		return 0;
	case CLEAN_OPT_DEDUPE:
		o->dedupe = 1;
		return 0;
	case CLEAN_OPT_PAD:
		o->pad = 1;
		return 0;
	case CLEAN_OPT_DATE_ORDER:
		if (strcmp(arg, "dmy") == 0)
			o->date_order = DATE_ORDER_DMY;
		else if (strcmp(arg, "mdy") == 0)
			o->date_order = DATE_ORDER_MDY;
		else
			return diag_set(d, NULL, 0, NULL, arg, strlen(arg), "expected dmy or mdy");
		return 0;
	case CLEAN_OPT_MISSING:
		o->missing_given = 1;
		if (arg[0] == '\0')
			return 0;
		return opts_list_add(&o->missing, arg, d);
	case CLEAN_OPT_RENAME:
		/* A list of OLD=NEW pairs, each added as if given alone. */
		if (opts_list_add(&pairs, arg, d) < 0) {
			opts_list_free(&pairs);
			return -1;
		}
		for (i = 0; i < pairs.n; i++) {
			if (opts_pair(pairs.v[i], &name, &value, d) < 0 ||
			    (e = add_entry(o, which, name, strlen(name), d)) == NULL) {
				rc = -1;
				break;
			}
			e->value = value;
			value = NULL;
			free(name);
			name = NULL;
		}
		opts_list_free(&pairs);
		break;
	case CLEAN_OPT_FILL:
	case CLEAN_OPT_RANGE:
	case CLEAN_OPT_CLIP:
	case CLEAN_OPT_WINSORIZE:
		if (opts_pair(arg, &name, &value, d) < 0)
			return -1;
		if ((e = add_entry(o, which, name, strlen(name), d)) == NULL) {
			rc = -1;
			break;
		}
		if (which == CLEAN_OPT_FILL) {
			if (strcmp(value, "mean") == 0)
				e->fill = CLEAN_FILL_MEAN;
			else if (strcmp(value, "median") == 0)
				e->fill = CLEAN_FILL_MEDIAN;
			else if (strcmp(value, "mode") == 0)
				e->fill = CLEAN_FILL_MODE;
			else
				e->fill = CLEAN_FILL_VALUE;
			if (e->fill == CLEAN_FILL_VALUE) {
				e->value = value;
				value = NULL;
			}
		} else {
			rc = parse_bounds(value, &e->lo, &e->hi, d);
			if (rc == 0 && which == CLEAN_OPT_WINSORIZE &&
			    (e->lo < 0 || e->hi > 1 || isinf(e->lo) || isinf(e->hi)))
				rc = diag_set(d, NULL, 0, NULL, value, strlen(value),
				    "expected quantiles P:Q with 0 <= P <= Q <= 1");
		}
		break;
	}
	free(name);
	free(value);
	return rc;
}

/* The type a column was given (CLEAN_TEXT when none), and whether it is a percent column. */
static enum clean_type
type_of(const struct clean_opts *o, const char *name, int *percent)
{
	enum clean_type t = CLEAN_TEXT;
	size_t i;

	if (percent != NULL)
		*percent = 0;
	for (i = 0; i < o->n; i++) {
		const struct centry *e = &o->e[i];
		if (e->which > CLEAN_OPT_PERCENT || strcmp(e->name, name) != 0)
			continue;
		if (e->type != CLEAN_TEXT)
			t = e->type;
		if (e->which == CLEAN_OPT_PERCENT && percent != NULL)
			*percent = 1;
	}
	return t;
}

static const char *
opt_name(enum clean_opt which)
{
	switch (which) {
	case CLEAN_OPT_FILL: return "--fill";
	case CLEAN_OPT_RANGE: return "--range";
	case CLEAN_OPT_CLIP: return "--clip";
	case CLEAN_OPT_WINSORIZE: return "--winsorize";
	default: return "option";
	}
}

static const char *
type_name(enum clean_type t)
{
	switch (t) {
	case CLEAN_NUM: return "num";
	case CLEAN_INT: return "int";
	case CLEAN_DATE: return "date";
	case CLEAN_BOOL: return "bool";
	default: return "text";
	}
}

/*
 * Normalise a text to its column type into buf (room for len + NUM_BUFSZ).
 * Returns the length, or -1 when the text is not of the type (*why set).
 */
static long
normalise(enum clean_type type, int flags, enum date_order order, const char *s, size_t len,
    char *buf, double *x, int need_x, const char **why)
{
	struct date dt;
	enum date_status ds;
	long n;
	int b;

	switch (type) {
	case CLEAN_NUM:
		if ((n = read_num(s, len, flags, x, buf, need_x)) < 0) {
			*why = n == -2 ? num_strerror(NUM_RANGE) : (flags & CLEAN_DECIMAL_COMMA) ?
			    num_strerror(NUM_BAD) : field_num_what(NUM_BAD, s, len);
			return -1;
		}
		return n;
	case CLEAN_INT:
		b = (int)clean_int(s, len, flags & CLEAN_DECIMAL_COMMA, buf);
		if (b < 0) {
			*why = "not a whole number";
			return -1;
		}
		return b;
	case CLEAN_DATE:
		ds = date_parse(s, len, order, &dt);
		if (ds != DATE_OK) {
			*why = date_strerror(ds == DATE_EMPTY ? DATE_BAD : ds);
			return -1;
		}
		return (long)date_format(&dt, buf);
	case CLEAN_BOOL:
		b = clean_bool(s, len);
		if (b < 0) {
			*why = "not a yes/no value";
			return -1;
		}
		buf[0] = b ? '1' : '0';
		buf[1] = '\0';
		return 1;
	case CLEAN_TRIM:
		trim(&s, &len);
		break;
	case CLEAN_TEXT:
		break;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	return (long)len;
}

int
clean_opts_check(struct clean_opts *o, struct diag *d)
{
	size_t i, j;
	int has_keep = 0, has_drop = 0, percent;
	enum clean_type t;

	diag_clear(d);
	if (!o->missing_given && opts_list_add(&o->missing, CLEAN_MISSING_DEFAULT, d) < 0)
		return -1;
	for (i = 0; i < o->n; i++) {
		struct centry *e = &o->e[i];
		if (e->which <= CLEAN_OPT_PERCENT) {
			for (j = 0; j < i; j++) {
				struct centry *f = &o->e[j];
				if (f->which <= CLEAN_OPT_PERCENT && strcmp(f->name, e->name) == 0 &&
				    f->type != e->type)
					return diag_set(d, NULL, 0, e->name, NULL, 0,
					    "column given two types: %s and %s",
					    type_name(f->type), type_name(e->type));
			}
			continue;
		}
		has_keep |= e->which == CLEAN_OPT_KEEP;
		has_drop |= e->which == CLEAN_OPT_DROP;
		t = type_of(o, e->name, &percent);
		if ((e->which == CLEAN_OPT_RANGE || e->which == CLEAN_OPT_CLIP ||
		    e->which == CLEAN_OPT_WINSORIZE ||
		    (e->which == CLEAN_OPT_FILL &&
		    (e->fill == CLEAN_FILL_MEAN || e->fill == CLEAN_FILL_MEDIAN))) &&
		    t != CLEAN_NUM && t != CLEAN_INT)
			return diag_set(d, NULL, 0, e->name, NULL, 0,
			    "%s needs a numeric column (give it --num or --int)", opt_name(e->which));
		if (e->which == CLEAN_OPT_FILL && e->fill == CLEAN_FILL_VALUE) {
			size_t len = strlen(e->value);
			char *buf = malloc(len + NUM_BUFSZ + DATE_BUFSZ);
			const char *why = NULL;
			double x;
			long n;
			if (buf == NULL)
				return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
			n = normalise(t, (o->decimal_comma ? CLEAN_DECIMAL_COMMA : 0) |
			    (percent ? CLEAN_PERCENT : 0), o->date_order, e->value, len, buf, &x, 0, &why);
			if (n < 0 || (len > 0 && n == 0 && t != CLEAN_TEXT)) {
				diag_set(d, NULL, 0, e->name, e->value, len, "--fill: %s",
				    why ? why : "empty");
				free(buf);
				return -1;
			}
			free(e->value);
			e->value = buf;
		}
	}
	if (has_keep && has_drop)
		return diag_set(d, NULL, 0, NULL, NULL, 0, "--keep and --drop cannot be used together");
	o->checked = 1;
	return 0;
}

int
clean_opts_need_stats(const struct clean_opts *o)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		if (o->e[i].which == CLEAN_OPT_WINSORIZE)
			return 1;
		if (o->e[i].which == CLEAN_OPT_FILL && o->e[i].fill != CLEAN_FILL_VALUE)
			return 1;
	}
	return 0;
}

/* ----------------------------------------------------------------- cleaner */

struct ccol {
	const char *name;            /* the input header's name */
	enum clean_type type;
	int flags;                   /* CLEAN_DECIMAL_COMMA, CLEAN_PERCENT */
	int range, clip, winsor;
	double range_lo, range_hi, clip_lo, clip_hi, wins_p, wins_q, wins_lo, wins_hi;
	int wins_ready;
	enum clean_fill fill;
	char *fill_text;             /* owned: the fill value, once known */
	size_t fill_len;
	int has_fill;
	int drop_missing;
	int need_x;                  /* the value as a double is used (range, clip, statistics) */
	/* first pass */
	int stats;
	double *vals;
	size_t nvals, vals_cap;
	struct sset modes;
	int modes_ready;
	/* per row */
	size_t slot;                 /* offset of the column's slot in scratch */
};

struct clean {
	const struct clean_opts *o;
	size_t ncols;
	struct ccol *col;
	int pad, bad_to_missing;
	enum date_order order;

	/* missing spellings: a quick filter by first byte and length */
	unsigned char miss_first[256];
	unsigned char miss_maybe[256];   /* miss_first, space and tab */
	size_t miss_max, *miss_len;

	/* the typed columns, the columns to fill, and to drop the row when missing */
	size_t *typed_idx, n_typed, *fill_idx, n_fill, *drop_idx, n_drop;
	int identity;                /* output columns = input columns */

	/* duplicates */
	int dedupe, dedupe_row;
	size_t *key_idx, nkey;
	struct sset seen;
	char *keybuf;
	size_t key_cap;

	/* output */
	size_t nout;
	size_t *out_idx;
	struct csvio_row header;
	char **hdr_f;
	size_t *hdr_len;
	char **out_f;
	size_t *out_len;

	/* per row: current value of each column */
	const char **cur_f;
	size_t *cur_len;
	unsigned char *cur_plain, *out_plain;   /* csvio_row.plain of the current and output rows */
	double *cur_x;
	char *scratch;
	size_t scratch_cap;

	unsigned long long n_bad_to_missing, n_filled;
	unsigned long long n_stats_rows;   /* rows that survived the first pass */
};

void
clean_free(struct clean *c)
{
	size_t i;

	if (c == NULL)
		return;
	if (c->col != NULL) {
		for (i = 0; i < c->ncols; i++) {
			free(c->col[i].fill_text);
			free(c->col[i].vals);
			if (c->col[i].modes_ready)
				sset_fini(&c->col[i].modes);
		}
	}
	free(c->col);
	free(c->key_idx);
	free(c->miss_len);
	free(c->fill_idx);
	free(c->typed_idx);
	free(c->drop_idx);
	if (c->dedupe)
		sset_fini(&c->seen);
	free(c->keybuf);
	free(c->out_idx);
	free(c->hdr_f);
	free(c->hdr_len);
	free(c->out_f);
	free(c->out_len);
	free((void *)c->cur_f);
	free(c->cur_len);
	free(c->cur_x);
	free(c->cur_plain);
	free(c->out_plain);
	free(c->scratch);
	free(c);
}

static struct clean *
oom(struct clean *c, struct diag *d)
{
	diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
	clean_free(c);
	return NULL;
}

/* The per-column arrays of c, for n input columns: 0, or -1 out of memory. */
static int
alloc_columns(struct clean *c, size_t n)
{
	c->col = calloc(n + 1, sizeof *c->col);
	c->cur_f = calloc(n + 1, sizeof *c->cur_f);
	c->cur_len = calloc(n + 1, sizeof *c->cur_len);
	c->cur_x = calloc(n + 1, sizeof *c->cur_x);
	c->cur_plain = calloc(n + 1, 1);
	c->out_plain = calloc(n + 1, 1);
	c->out_idx = calloc(n + 1, sizeof *c->out_idx);
	c->key_idx = calloc(n + 1, sizeof *c->key_idx);
	c->hdr_f = calloc(n + 1, sizeof *c->hdr_f);
	c->hdr_len = calloc(n + 1, sizeof *c->hdr_len);
	c->out_f = calloc(n + 1, sizeof *c->out_f);
	c->out_len = calloc(n + 1, sizeof *c->out_len);
	c->fill_idx = calloc(n + 1, sizeof *c->fill_idx);
	c->drop_idx = calloc(n + 1, sizeof *c->drop_idx);
	c->typed_idx = calloc(n + 1, sizeof *c->typed_idx);
	if (c->col == NULL || c->cur_f == NULL || c->cur_len == NULL || c->cur_x == NULL ||
	    c->cur_plain == NULL || c->out_plain == NULL ||
	    c->out_idx == NULL || c->key_idx == NULL || c->hdr_f == NULL || c->hdr_len == NULL ||
	    c->out_f == NULL || c->out_len == NULL || c->fill_idx == NULL || c->drop_idx == NULL ||
	    c->typed_idx == NULL)
		return -1;
	return 0;
}

/*
 * Set up the rule of option entry e on column k (cc): its type, fill,
 * range, clip, winsorizing, dropping, dedupe key, keep/drop (keep[k]: 0
 * dropped, 1 kept, 2 named by --keep; *any_keep once --keep was seen) or
 * new name.  Returns 0, or -1 out of memory.
 */
static int
setup_rule(struct clean *c, const struct centry *e, size_t k, unsigned char *keep, int *any_keep)
{
	struct ccol *cc = &c->col[k];
	size_t j;

	switch (e->which) {
	case CLEAN_OPT_TEXT:
	case CLEAN_OPT_NUM: case CLEAN_OPT_INT: case CLEAN_OPT_DATE: case CLEAN_OPT_BOOL:
	case CLEAN_OPT_PERCENT:
		if (e->type != CLEAN_TEXT)
			cc->type = e->type;
		if (e->which == CLEAN_OPT_PERCENT)
			cc->flags |= CLEAN_PERCENT;
		break;
	case CLEAN_OPT_FILL:
		cc->fill = e->fill;
		free(cc->fill_text);
		cc->fill_text = NULL;
		cc->has_fill = 0;
		if (e->fill == CLEAN_FILL_VALUE) {
			if ((cc->fill_text = strdup(e->value)) == NULL)
				return -1;
			cc->fill_len = strlen(cc->fill_text);
			cc->has_fill = 1;
		}
		break;
	case CLEAN_OPT_RANGE:
		cc->range = 1;
		cc->range_lo = e->lo;
		cc->range_hi = e->hi;
		break;
	case CLEAN_OPT_CLIP:
		cc->clip = 1;
		cc->clip_lo = e->lo;
		cc->clip_hi = e->hi;
		break;
	case CLEAN_OPT_WINSORIZE:
		cc->winsor = 1;
		cc->wins_p = e->lo;
		cc->wins_q = e->hi;
		break;
	case CLEAN_OPT_DROP_MISSING:
		cc->drop_missing = 1;
		break;
	case CLEAN_OPT_DEDUPE_KEY:
		for (j = 0; j < c->nkey && c->key_idx[j] != k; j++)
			;
		if (j == c->nkey)
			c->key_idx[c->nkey++] = k;
		break;
	case CLEAN_OPT_KEEP:
		if (!*any_keep)
			memset(keep, 0, c->ncols);
		*any_keep = 1;
		keep[k] = 2;
		break;
	case CLEAN_OPT_DROP:
		keep[k] = 0;
		break;
	case CLEAN_OPT_RENAME:
		c->hdr_f[k] = e->value;
		c->hdr_len[k] = strlen(e->value);
		break;
	default:
		break;
	}
	return 0;
}

/*
 * Resolve the column of every option entry against r's header and set up
 * its rule (in the order given: a later entry for a column wins), then
 * what each column needs from them; keep (ncols bytes) says which columns
 * are written.  Returns 0, or -1 with d filled (a column missing or
 * ambiguous, out of memory).
 */
static int
resolve_columns(struct clean *c, const struct csvio_reader *r, unsigned char *keep,
    struct diag *d)
{
	const struct clean_opts *o = c->o;
	const struct csvio_row *h = csvio_header(r);
	size_t i, n = c->ncols;
	int any_keep = 0;
	long k;

	for (i = 0; i < n; i++) {
		c->col[i].name = h->f[i];
		keep[i] = 1;
		c->hdr_f[i] = h->f[i];
		c->hdr_len[i] = h->len[i];
	}
	for (i = 0; i < o->n; i++) {
		if ((k = csvio_require_col(r, o->e[i].name, d)) < 0)
			return -1;
		if (setup_rule(c, &o->e[i], (size_t)k, keep, &any_keep) < 0)
			return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
	}
	for (i = 0; i < n; i++) {
		struct ccol *cc = &c->col[i];
		if (o->decimal_comma)
			cc->flags |= CLEAN_DECIMAL_COMMA;
		if (keep[i])
			c->out_idx[c->nout++] = i;
		cc->stats = cc->winsor || (cc->fill != CLEAN_FILL_NONE && cc->fill != CLEAN_FILL_VALUE);
		cc->need_x = cc->stats || cc->range || cc->clip;
		if (cc->fill == CLEAN_FILL_MODE && cc->type != CLEAN_NUM && cc->type != CLEAN_INT) {
			if (sset_init(&cc->modes, 1) < 0)
				return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
			cc->modes_ready = 1;
		}
		if (cc->type != CLEAN_TEXT)
			c->typed_idx[c->n_typed++] = i;
		if (cc->fill != CLEAN_FILL_NONE)
			c->fill_idx[c->n_fill++] = i;
		if (cc->drop_missing)
			c->drop_idx[c->n_drop++] = i;
	}
	c->identity = c->nout == n;
	return 0;
}

/*
 * The header handed out: the kept columns in input order, renamed.  A
 * rename must not make two output columns of one name.  Returns 0, or -1
 * with d filled.
 */
static int
build_header(struct clean *c, const struct csvio_reader *r, struct diag *d)
{
	const struct clean_opts *o = c->o;
	const struct csvio_row *h = csvio_header(r);
	char **f = malloc((c->nout + 1) * sizeof *f);
	size_t *l = malloc((c->nout + 1) * sizeof *l), i, j;
	int renamed = 0;

	if (f == NULL || l == NULL) {
		free(f);
		free(l);
		return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
	}
	for (i = 0; i < c->nout; i++) {
		f[i] = c->hdr_f[c->out_idx[i]];
		l[i] = c->hdr_len[c->out_idx[i]];
	}
	free(c->hdr_f);
	free(c->hdr_len);
	c->hdr_f = f;
	c->hdr_len = l;
	c->header.n = c->nout;
	c->header.f = f;
	c->header.len = l;
	c->header.line = h->line;
	/*
	 * Without --rename there is nothing to check (a header may repeat a
	 * name), and the pairwise check would cost seconds on a
	 * 100,000-column file.
	 */
	for (i = 0; i < o->n; i++)
		renamed |= o->e[i].which == CLEAN_OPT_RENAME;
	for (i = 0; renamed && i < c->nout; i++) {
		for (j = 0; j < i; j++) {
			size_t a = c->out_idx[i], b = c->out_idx[j];
			if (c->hdr_len[i] == c->hdr_len[j] &&
			    memcmp(c->hdr_f[i], c->hdr_f[j], c->hdr_len[i]) == 0 &&
			    (c->hdr_f[i] != h->f[a] || c->hdr_f[j] != h->f[b]))
				return diag_set(d, csvio_name(r), 0, c->hdr_f[i], NULL, 0,
				    "--rename: two output columns would have this name");
		}
	}
	return 0;
}

/*
 * Duplicates (the key columns, or the whole output row) and the missing
 * spellings (their lengths, first bytes and the longest).  Returns 0, or
 * -1 out of memory.
 */
static int
setup_row_checks(struct clean *c)
{
	const struct clean_opts *o = c->o;
	size_t i;

	if (o->dedupe || c->nkey > 0) {
		c->dedupe = 1;
		if (c->nkey == 0) {
			c->dedupe_row = 1;
			for (i = 0; i < c->nout; i++)
				c->key_idx[i] = c->out_idx[i];
			c->nkey = c->nout;
		}
		if (sset_init(&c->seen, 0) < 0)
			return -1;
	}
	c->miss_maybe[' '] = c->miss_maybe['\t'] = 1;
	if ((c->miss_len = calloc(o->missing.n + 1, sizeof *c->miss_len)) == NULL)
		return -1;
	for (i = 0; i < o->missing.n; i++) {
		size_t len = c->miss_len[i] = strlen(o->missing.v[i]);
		c->miss_first[(unsigned char)o->missing.v[i][0]] = 1;
		c->miss_maybe[(unsigned char)o->missing.v[i][0]] = 1;
		if (len > c->miss_max)
			c->miss_max = len;
	}
	return 0;
}

struct clean *
clean_new(const struct clean_opts *o, const struct csvio_reader *r, struct diag *d)
{
	size_t n = csvio_header(r)->n;
	struct clean *c = calloc(1, sizeof *c);
	unsigned char *keep;
	int rc;

	if (c == NULL)
		return oom(NULL, d);
	diag_clear(d);
	c->o = o;
	c->ncols = n;
	c->pad = o->pad;
	c->bad_to_missing = o->bad_to_missing;
	c->order = o->date_order;
	if (alloc_columns(c, n) < 0 || (keep = calloc(n + 1, 1)) == NULL)
		return oom(c, d);
	rc = resolve_columns(c, r, keep, d);
	free(keep);
	if (rc < 0 || build_header(c, r, d) < 0) {
		clean_free(c);
		return NULL;
	}
	if (setup_row_checks(c) < 0)
		return oom(c, d);
	return c;
}

const struct csvio_row *
clean_header(const struct clean *c)
{
	return &c->header;
}

unsigned long long
clean_n_bad_to_missing(const struct clean *c)
{
	return c->n_bad_to_missing;
}

unsigned long long
clean_n_filled(const struct clean *c)
{
	return c->n_filled;
}

/*
 * Is s[0..len) missing?  Most fields are not: a field whose first byte is
 * no space and starts no spelling is answered at once.
 */
static inline int
is_missing(const struct clean *c, const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return 1;
	/*
	 * One look for most fields: a first byte that is no space and starts
	 * no spelling stays first after trimming, so the text is no spelling.
	 */
	if (!c->miss_maybe[(unsigned char)s[0]])
		return 0;
	if (is_space(s[0]) || is_space(s[len - 1])) {
		trim(&s, &len);
		if (len == 0)
			return 1;
	}
	if (len > c->miss_max || !c->miss_first[(unsigned char)s[0]])
		return 0;
	for (i = 0; i < c->o->missing.n; i++)
		if (c->miss_len[i] == len && c->o->missing.v[i][0] == s[0] &&
		    memcmp(c->o->missing.v[i], s, len) == 0)
			return 1;
	return 0;
}

/* Round half away from zero and write as a whole number ("%.0f" prints no decimal point). */
static size_t
format_int(double x, char *buf, size_t size)
{
	double r = round(x);
	int n;

	if (r == 0)
		r = 0;
	if (fabs(r) >= 1e18 || isnan(r))   /* no sensible whole-number text: the short form */
		return num_format(r, buf);
	n = snprintf(buf, size, "%.0f", r);
	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

/* The numeric value of a normalised int text (inexact past 2^53, infinite past DBL_MAX). */
static double
int_value(const char *s, size_t len)
{
	double x;

	if (num_parse(s, len, &x, 0) == NUM_OK)
		return x;
	return s[0] == '-' ? -HUGE_VAL : HUGE_VAL;
}

/* Set column i of the current row to the number x, written in its slot. */
static void
set_number(struct clean *c, size_t i, double x)
{
	char *slot = c->scratch + c->col[i].slot;

	c->cur_x[i] = x;
	c->cur_f[i] = slot;
	c->cur_plain[i] = 1;
	if (c->col[i].type == CLEAN_INT)
		c->cur_len[i] = format_int(x, slot, NUM_BUFSZ + 16);
	else
		c->cur_len[i] = num_format(x, slot);
}

static enum clean_result
bad(struct clean *c, size_t i, const struct csvio_row *in, struct diag *d, const char *fmt,
    const char *why)
{
	diag_set(d, NULL, 0, c->col[i].name, i < in->n ? in->f[i] : "", i < in->n ? in->len[i] : 0,
	    fmt, why);
	return CLEAN_ROW_BAD;
}

/*
 * Steps 3 and 4 for the typed column i of the current row, whose text
 * s[0..sl) is not missing.
 */
static enum clean_result
typed_value(struct clean *c, size_t i, const struct csvio_row *in, const char *s, size_t sl,
    struct diag *d)
{
	struct ccol *cc = &c->col[i];
	const char *why = NULL;
	long len;

	len = normalise(cc->type, cc->flags, c->order, s, sl, c->scratch + cc->slot,
	    &c->cur_x[i], cc->need_x, &why);
	if (len < 0) {
		if (c->bad_to_missing) {
			c->n_bad_to_missing++;
			c->cur_f[i] = "";
			c->cur_len[i] = 0;
			c->cur_plain[i] = 1;
			return CLEAN_ROW_OUT;
		}
		return bad(c, i, in, d, "%s", why);
	}
	/*
	 * A normal form never holds a comma, a quote or a line end; trimmed
	 * text holds what the input field held.
	 */
	c->cur_f[i] = c->scratch + cc->slot;
	c->cur_len[i] = (size_t)len;
	c->cur_plain[i] = cc->type != CLEAN_TRIM ? 1 : in->plain != NULL ? in->plain[i] : 0;
	if (!cc->need_x)
		return CLEAN_ROW_OUT;
	if (cc->type == CLEAN_INT)
		c->cur_x[i] = int_value(c->cur_f[i], c->cur_len[i]);
	else if (cc->type != CLEAN_NUM)
		return CLEAN_ROW_OUT;
	if (cc->range && (c->cur_x[i] < cc->range_lo || c->cur_x[i] > cc->range_hi)) {
		char bound[NUM_BUFSZ];
		int below = c->cur_x[i] < cc->range_lo;
		num_format(below ? cc->range_lo : cc->range_hi, bound);
		diag_set(d, NULL, 0, cc->name, s, sl, "%s %s", below ?
		    "out of range: below the minimum" : "out of range: above the maximum", bound);
		return CLEAN_ROW_BAD;
	}
	if (cc->clip) {
		if (c->cur_x[i] < cc->clip_lo)
			set_number(c, i, cc->clip_lo);
		else if (c->cur_x[i] > cc->clip_hi)
			set_number(c, i, cc->clip_hi);
	}
	if (cc->wins_ready) {
		if (c->cur_x[i] < cc->wins_lo)
			set_number(c, i, cc->wins_lo);
		else if (c->cur_x[i] > cc->wins_hi)
			set_number(c, i, cc->wins_hi);
	}
	return CLEAN_ROW_OUT;
}

/*
 * The steps before the fill: shape, missing, types, range, clip (and
 * winsorize once its limits are known).  Leaves the row in cur_*.
 */
static enum clean_result
first_steps(struct clean *c, const struct csvio_row *in, struct diag *d)
{
	size_t i, k, n = c->ncols, have = in->n < n ? in->n : n, need = 0;
	enum clean_result res;

	if (in->n != n) {
		int ok = 0;
		if (c->pad) {
			ok = 1;
			for (i = n; i < in->n; i++)
				if (in->len[i] != 0)
					ok = 0;
		}
		if (!ok) {
			diag_set(d, NULL, 0, NULL, NULL, 0, "%s fields (expected %zu)",
			    in->n > n ? "too many" : "too few", n);
			return CLEAN_ROW_BAD;
		}
	}
	/* Slots for the normal forms: each typed field's length plus room for a number. */
	for (k = 0; k < c->n_typed; k++) {
		i = c->typed_idx[k];
		c->col[i].slot = need;
		need += (i < have ? in->len[i] : 0) + NUM_BUFSZ + 16;
	}
	if (need > c->scratch_cap) {
		size_t cap = c->scratch_cap ? c->scratch_cap : 4096;
		char *ns;
		while (cap < need)
			cap *= 2;
		if ((ns = realloc(c->scratch, cap)) == NULL) {
			diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
			return CLEAN_ROW_ERROR;
		}
		c->scratch = ns;
		c->scratch_cap = cap;
	}
	/* Step 2 for every field: the hot loop of a pass-through. */
	{
		/* Locals: a store to cur_plain may alias anything, so *c and *in would be read again. */
		const char **cf = c->cur_f;
		size_t *cl = c->cur_len;
		unsigned char *cp = c->cur_plain;
		char *const *f = in->f;
		const size_t *l = in->len;
		const unsigned char *ip = in->plain;
		for (i = 0; i < have; i++) {
			if (is_missing(c, f[i], l[i])) {
				cf[i] = "";
				cl[i] = 0;
				cp[i] = 1;
			} else {
				cf[i] = f[i];
				cl[i] = l[i];
				cp[i] = ip != NULL ? ip[i] : 0;
			}
		}
	}
	for (; i < n; i++) {   /* --pad */
		c->cur_f[i] = "";
		c->cur_len[i] = 0;
		c->cur_plain[i] = 1;
	}
	for (k = 0; k < c->n_typed; k++) {
		i = c->typed_idx[k];
		c->cur_x[i] = NAN;
		if (c->cur_len[i] == 0)
			continue;
		res = typed_value(c, i, in, c->cur_f[i], c->cur_len[i], d);
		if (res != CLEAN_ROW_OUT)
			return res;
	}
	return CLEAN_ROW_OUT;
}

int
clean_stats_row(struct clean *c, const struct csvio_row *row, struct diag *d)
{
	size_t i;
	enum clean_result res = first_steps(c, row, d);

	if (res == CLEAN_ROW_ERROR)
		return -1;
	if (res != CLEAN_ROW_OUT)
		return 0;
	c->n_stats_rows++;
	for (i = 0; i < c->ncols; i++) {
		struct ccol *cc = &c->col[i];
		if (!cc->stats || c->cur_len[i] == 0)
			continue;
		if (cc->modes_ready) {
			if (sset_add(&cc->modes, c->cur_f[i], c->cur_len[i]) < 0)
				return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
		}
		if (cc->type == CLEAN_NUM || cc->type == CLEAN_INT) {
			if (cc->nvals == cc->vals_cap) {
				size_t cap = cc->vals_cap ? cc->vals_cap * 2 : 1024;
				double *nv = realloc(cc->vals, cap * sizeof *nv);
				if (nv == NULL)
					return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
				cc->vals = nv;
				cc->vals_cap = cap;
			}
			cc->vals[cc->nvals++] = c->cur_x[i];
		}
	}
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
clean_stats_finish(struct clean *c, struct diag *d)
{
	size_t i, j;
	static const char *const fill_names[] = { "", "", "mean", "median", "mode" };

	diag_clear(d);
	c->n_bad_to_missing = 0;   /* the second pass counts them again */
	for (i = 0; i < c->ncols; i++) {
		struct ccol *cc = &c->col[i];
		char buf[NUM_BUFSZ + 16];
		const char *text = NULL;
		size_t len = 0;
		double x = 0;

		/* No row to clean, nothing to fill: no statistic is needed. */
		if (!cc->stats || c->n_stats_rows == 0)
			continue;
		if (cc->nvals > 0)
			qsort(cc->vals, cc->nvals, sizeof *cc->vals, cmp_double);
		if (cc->winsor) {
			if (cc->nvals == 0)
				return diag_set(d, NULL, 0, cc->name, NULL, 0,
				    "--winsorize: no values to compute quantiles from");
			cc->wins_lo = stats_quantile7(cc->vals, cc->nvals, cc->wins_p);
			cc->wins_hi = stats_quantile7(cc->vals, cc->nvals, cc->wins_q);
			if (cc->type == CLEAN_INT) {
				/* Limits are written as whole numbers: clip at the rounded ones. */
				cc->wins_lo = round(cc->wins_lo);
				cc->wins_hi = round(cc->wins_hi);
			}
			cc->wins_ready = 1;
			for (j = 0; j < cc->nvals; j++) {
				if (cc->vals[j] < cc->wins_lo)
					cc->vals[j] = cc->wins_lo;
				else if (cc->vals[j] > cc->wins_hi)
					cc->vals[j] = cc->wins_hi;
			}
		}
		if (cc->fill == CLEAN_FILL_MEAN || cc->fill == CLEAN_FILL_MEDIAN ||
		    (cc->fill == CLEAN_FILL_MODE && (cc->type == CLEAN_NUM || cc->type == CLEAN_INT))) {
			if (cc->nvals == 0)
				return diag_set(d, NULL, 0, cc->name, NULL, 0,
				    "--fill: no values to compute the %s from", fill_names[cc->fill]);
			if (cc->fill == CLEAN_FILL_MEAN) {
				/*
				 * As R's mean(): a long double sum, then one correcting pass
				 * over the residuals, so the mean is the correctly rounded one
				 * in all but contrived cases (a plain sum of doubles is not).
				 */
				long double s = 0, m, t = 0;
				for (j = 0; j < cc->nvals; j++)
					s += cc->vals[j];
				m = s / (long double)cc->nvals;
				for (j = 0; j < cc->nvals; j++)
					t += cc->vals[j] - m;
				x = (double)(m + t / (long double)cc->nvals);
			} else if (cc->fill == CLEAN_FILL_MEDIAN) {
				x = stats_quantile7(cc->vals, cc->nvals, 0.5);
			} else {
				/* The most frequent value; ties go to the smallest. */
				size_t run, best_run = 0;
				for (j = 0; j < cc->nvals; j += run) {
					for (run = 1; j + run < cc->nvals && cc->vals[j + run] == cc->vals[j]; run++)
						;
					if (run > best_run) {
						best_run = run;
						x = cc->vals[j];
					}
				}
			}
			if (cc->type == CLEAN_INT)
				len = format_int(x, buf, sizeof buf);
			else
				len = num_format(x, buf);
			text = buf;
		} else if (cc->fill == CLEAN_FILL_MODE) {
			/* The most frequent text; ties go to the value seen first. */
			if (cc->modes.n == 0)
				return diag_set(d, NULL, 0, cc->name, NULL, 0,
				    "--fill: no values to compute the mode from");
			text = sset_mode(&cc->modes, &len);
		}
		if (text != NULL) {
			free(cc->fill_text);
			if ((cc->fill_text = malloc(len + 1)) == NULL)
				return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
			memcpy(cc->fill_text, text, len);
			cc->fill_text[len] = '\0';
			cc->fill_len = len;
			cc->has_fill = 1;
		}
		free(cc->vals);
		cc->vals = NULL;
		cc->nvals = cc->vals_cap = 0;
		if (cc->modes_ready) {
			sset_fini(&cc->modes);
			cc->modes_ready = 0;
		}
	}
	return 0;
}

/* Append a varint length and the bytes: keys of several fields cannot run into each other. */
static size_t
key_put(char *buf, const char *s, size_t len)
{
	size_t pos = 0, v = len;

	do {
		unsigned char b = v & 0x7f;
		v >>= 7;
		buf[pos++] = (char)(v ? b | 0x80 : b);
	} while (v);
	memcpy(buf + pos, s, len);
	return pos + len;
}

int
clean_prefetches(const struct clean *c)
{
	return c->dedupe && !c->dedupe_row;
}

/*
 * The key from the raw fields: the same as clean_row's when the key
 * columns need no normalising (the usual ids); when they do, the prefetch
 * fetches a slot that will not be used, which costs nothing but the fetch.
 */
void
clean_prefetch(const struct clean *c, const struct csvio_row *row)
{
	char key[256];
	size_t i, klen = 0, k;
	uint64_t h;

	if (!clean_prefetches(c))
		return;
	if (c->nkey == 1) {
		k = c->key_idx[0];
		if (k < row->n) {
			h = strtab_hash(row->f[k], row->len[k]);
			__builtin_prefetch(&c->seen.slot[h & (c->seen.cap - 1)]);
		}
		return;
	}
	for (i = 0; i < c->nkey; i++) {
		k = c->key_idx[i];
		if (k >= row->n || klen + row->len[k] + 10 > sizeof key)
			return;
		klen += key_put(key + klen, row->f[k], row->len[k]);
	}
	h = strtab_hash(key, klen);
	__builtin_prefetch(&c->seen.slot[h & (c->seen.cap - 1)]);
}

/* The key of the current row's key columns, length-prefixed, in keybuf; NULL when out of memory. */
static const char *
build_key(struct clean *c, size_t *klen)
{
	size_t i, need = 0;

	for (i = 0; i < c->nkey; i++)
		need += c->cur_len[c->key_idx[i]] + 10;
	if (need > c->key_cap) {
		size_t cap = c->key_cap ? c->key_cap : 1024;
		char *nk;
		while (cap < need)
			cap *= 2;
		if ((nk = realloc(c->keybuf, cap)) == NULL)
			return NULL;
		c->keybuf = nk;
		c->key_cap = cap;
	}
	*klen = 0;
	for (i = 0; i < c->nkey; i++)
		*klen += key_put(c->keybuf + *klen, c->cur_f[c->key_idx[i]], c->cur_len[c->key_idx[i]]);
	return c->keybuf;
}

enum clean_result
clean_row(struct clean *c, const struct csvio_row *in, struct csvio_row *out, struct diag *d)
{
	enum clean_result res = first_steps(c, in, d);
	size_t i, k, klen;

	if (res != CLEAN_ROW_OUT)
		return res;
	for (k = 0; k < c->n_fill; k++) {
		i = c->fill_idx[k];
		if (c->cur_len[i] == 0 && c->col[i].has_fill) {
			c->cur_f[i] = c->col[i].fill_text;
			c->cur_len[i] = c->col[i].fill_len;
			c->cur_plain[i] = 0;   /* a text fill may need quotes: let the writer look */
			c->n_filled++;
		}
	}
	for (k = 0; k < c->n_drop; k++) {
		i = c->drop_idx[k];
		if (c->cur_len[i] == 0) {
			diag_set(d, NULL, 0, c->col[i].name, NULL, 0, "missing value");
			return CLEAN_ROW_DROP;
		}
	}
	if (c->dedupe) {
		const char *key = c->keybuf;
		if (c->nkey == 1) {
			/* One column: its text is the key (no length prefixes needed). */
			key = c->cur_f[c->key_idx[0]];
			klen = c->cur_len[c->key_idx[0]];
		} else if ((key = build_key(c, &klen)) == NULL) {
			diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
			return CLEAN_ROW_ERROR;
		}
		switch (sset_add(&c->seen, key, klen)) {
		case -1:
			diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
			return CLEAN_ROW_ERROR;
		case 0:
			diag_set(d, NULL, 0, NULL, NULL, 0, "%s",
			    c->dedupe_row ? "duplicate row" : "duplicate key");
			return CLEAN_ROW_DROP;
		}
	}
	if (c->identity) {
		/* No column left out: hand out the current row as it is. */
		out->n = c->nout;
		out->f = (char **)c->cur_f;
		out->len = c->cur_len;
		out->line = in->line;
		out->plain = c->cur_plain;
		return CLEAN_ROW_OUT;
	}
	for (i = 0; i < c->nout; i++) {
		c->out_f[i] = (char *)c->cur_f[c->out_idx[i]];
		c->out_len[i] = c->cur_len[c->out_idx[i]];
		c->out_plain[i] = c->cur_plain[c->out_idx[i]];
	}
	out->n = c->nout;
	out->f = c->out_f;
	out->len = c->out_len;
	out->line = in->line;
	out->plain = c->out_plain;
	return CLEAN_ROW_OUT;
}
