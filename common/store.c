/* store.c - see store.h. */
#ifdef __linux__
#define _DEFAULT_SOURCE 1       /* madvise(MADV_HUGEPAGE), see chunk_alloc */
#endif
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/mman.h>
#endif

#include "field.h"
#include "num.h"
#include "store.h"
#include "xalloc.h"

/*
 * A store chunk.  On Linux it is asked for in transparent huge pages
 * (2 MiB): filling hundreds of megabytes page by page otherwise spends
 * about a tenth of the run in page faults.  Only a hint: the memory is
 * the same either way, and it may be passed to realloc and free.
 */
static double *
chunk_alloc(size_t n)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
	const size_t huge = (size_t)2 << 20;
	void *p;
	if (n * sizeof(double) >= huge && posix_memalign(&p, huge, n * sizeof(double)) == 0) {
		(void)madvise(p, n * sizeof(double) / huge * huge, MADV_HUGEPAGE);
		return p;
	}
#endif
	return xrealloc(NULL, n * sizeof(double));
}

/* Bytes of one chunk. */
static size_t
chunk_bytes(const struct store *s)
{
	return STORE_CHUNK_ROWS * s->rowlen * sizeof(double);
}

/* Rows of chunk c. */
static size_t
chunk_rows(const struct store *s, size_t c)
{
	size_t r0 = c << STORE_CHUNK_SHIFT;
	return s->n - r0 < STORE_CHUNK_ROWS ? s->n - r0 : STORE_CHUNK_ROWS;
}

const char *
spill_dir(void)
{
	const char *dir = getenv("TMPDIR");
	return dir == NULL || *dir == 0 ? "/tmp" : dir;
}

int
spill_file(void)
{
	const char *dir = spill_dir();
	char path[4096];
	int fd;

	if ((size_t)snprintf(path, sizeof path, "%s/pr-train.XXXXXX", dir) >= sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkstemp(path)) < 0)
		return -1;
	(void)unlink(path);     /* gone when the run ends, however it ends */
	return fd;
}

/* len bytes at off, written (out) or read, retrying short transfers: 0 or an errno. */
static int
spill_io(int fd, void *buf, size_t len, off_t off, int out)
{
	char *p = buf;
	while (len > 0) {
		ssize_t k = out ? pwrite(fd, p, len, off) : pread(fd, p, len, off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? errno : out ? ENOSPC : EIO;
		p += k;
		len -= (size_t)k;
		off += k;
	}
	return 0;
}

int
spill_write(int fd, const void *buf, size_t len, off_t off)
{
	return spill_io(fd, (void *)buf, len, off, 1);
}

int
spill_read(int fd, void *buf, size_t len, off_t off)
{
	return spill_io(fd, buf, len, off, 0);
}

/* Write chunk c (full, in memory) to the file and free it.  0 or an errno. */
static int
chunk_out(struct store *s, size_t c)
{
	int err;

	if (s->fd < 0 && (s->fd = spill_file()) < 0)
		return errno;
	if ((err = spill_write(s->fd, s->chunk[c], chunk_rows(s, c) * s->rowlen * sizeof(double),
	    (off_t)(c * chunk_bytes(s)))) != 0)
		return err;
	free(s->chunk[c]);
	s->chunk[c] = NULL;
	s->on_disk[c] = 1;
	return 0;
}

/* Room for row s->n.  0, or an errno (the file could not be written). */
static int
grow(struct store *s)
{
	size_t c = s->n >> STORE_CHUNK_SHIFT;

	if (c >= s->nchunk) {
		if (s->spill && c * chunk_bytes(s) > s->buffer) {
			/* the full chunks go to the file */
			for (size_t k = 0; k < c; k++)
				if (s->chunk[k] != NULL && !s->on_disk[k]) {
					int err = chunk_out(s, k);
					if (err != 0)
						return s->err = err;
				}
		}
		s->chunk = xrealloc(s->chunk, (c + 1) * sizeof *s->chunk);
		s->on_disk = xrealloc(s->on_disk, c + 1);
		s->chunk[c] = chunk_alloc(STORE_CHUNK_ROWS * s->rowlen);
		s->on_disk[c] = 0;
		s->nchunk = c + 1;
	}
	return 0;
}

void
store_allow_spill(struct store *s)
{
	s->spill = 1;
}

void
store_set_buffer(struct store *s, size_t bytes)
{
	s->buffer = bytes;
}

int
store_error(const struct store *s)
{
	return s->err;
}

const double *
store_chunk(const struct store *s, size_t c, double *buf, struct diag *d)
{
	int err;

	if (!s->on_disk[c])
		return s->chunk[c];
	if ((err = spill_read(s->fd, buf, chunk_rows(s, c) * s->rowlen * sizeof(double),
	    (off_t)(c * chunk_bytes(s)))) != 0) {
		diag_errno(d, spill_dir(), err, "temporary file: read error");
		return NULL;
	}
	return buf;
}

void
store_chunk_drop(struct store *s, size_t c)
{
	free(s->chunk[c]);
	s->chunk[c] = NULL;
}

const double *
store_row_read(struct store *s, size_t r)
{
	size_t c = r >> STORE_CHUNK_SHIFT;

	if (!s->on_disk[c])
		return store_row(s, r);
	if (s->cache == NULL) {
		s->cache = xrealloc(NULL, chunk_bytes(s));
		s->cache_c = (size_t)-1;
	}
	if (s->cache_c != c) {
		int err = spill_read(s->fd, s->cache, chunk_rows(s, c) * s->rowlen * sizeof(double),
		    (off_t)(c * chunk_bytes(s)));
		if (err != 0) {
			s->err = err;
			for (size_t i = 0; i < STORE_CHUNK_ROWS * s->rowlen; i++)
				s->cache[i] = NAN;
		}
		s->cache_c = c;
	}
	return s->cache + (r & (STORE_CHUNK_ROWS - 1)) * s->rowlen;
}

/*
 * Apply fn to every stored row (values to change in place), chunk by
 * chunk: a chunk in the file is read, changed and written back.  0, or an
 * errno (also kept in s->err).
 */
static int
each_row(struct store *s, void (*fn)(double *v, const void *arg), const void *arg)
{
	double *buf = NULL;
	int err = 0;

	s->cache_c = (size_t)-1;
	for (size_t c = 0; c < s->nchunk && err == 0; c++) {
		size_t m = c == s->nchunk - 1 ? s->n - (c << STORE_CHUNK_SHIFT) : STORE_CHUNK_ROWS;
		double *v = s->chunk[c];
		if (s->on_disk[c]) {
			if (buf == NULL)
				buf = xrealloc(NULL, chunk_bytes(s));
			if ((err = spill_read(s->fd, buf, m * s->rowlen * sizeof(double),
			    (off_t)(c * chunk_bytes(s)))) != 0)
				break;
			v = buf;
		} else if (v == NULL) {
			continue;
		}
		for (size_t i = 0; i < m; i++)
			fn(v + i * s->rowlen, arg);
		if (s->on_disk[c])
			err = spill_write(s->fd, buf, m * s->rowlen * sizeof(double),
			    (off_t)(c * chunk_bytes(s)));
	}
	free(buf);
	if (err != 0)
		s->err = err;
	return err;
}

/* Row s->n is on input line line. */
static void
note_line(struct store *s, long line)
{
	if (s->n > 0 && line == s->last_line + 1) {
		s->last_line = line;
		return;
	}
	if (s->njump == s->capjump) {
		s->capjump = s->capjump ? 2 * s->capjump : 16;
		s->jump_row = xrealloc(s->jump_row, s->capjump * sizeof *s->jump_row);
		s->jump_line = xrealloc(s->jump_line, s->capjump * sizeof *s->jump_line);
	}
	s->jump_row[s->njump] = s->n;
	s->jump_line[s->njump] = line;
	s->njump++;
	s->last_line = line;
}

long
store_line(const struct store *s, size_t r)
{
	size_t lo = 0, hi = s->njump;   /* the last jump at or before r is in [lo, hi) */

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->jump_row[mid] <= r)
			lo = mid;
		else
			hi = mid;
	}
	return s->jump_line[lo] + (long)(r - s->jump_row[lo]);
}

int
store_spec_columns(struct store_spec *spec, const struct csvio_reader *in, long *field,
    const char *weight, const char *group, struct diag *d)
{
	size_t i;

	for (i = 0; i < formula_ncols(spec->f); i++)
		if ((field[i] = csvio_require_col(in, formula_col(spec->f, i), d)) < 0)
			return -1;
	spec->field = field;
	spec->weight_field = spec->group_field = -1;
	spec->weight_name = weight;
	spec->group_name = group;
	if (weight != NULL && (spec->weight_field = csvio_require_col(in, weight, d)) < 0)
		return -1;
	if (group != NULL && (spec->group_field = csvio_require_col(in, group, d)) < 0)
		return -1;
	return 0;
}

struct store *
store_new(const struct store_spec *spec)
{
	const struct formula *f = spec->f;
	struct store *s = xcalloc(1, sizeof *s);
	size_t nc = formula_ncols(f), i;

	s->spec = *spec;
	s->nc = nc;
	s->fd = -1;
	s->buffer = STORE_SPILL_BYTES;
	s->weighted = spec->weight_field >= 0;
	s->rowlen = nc + (s->weighted ? 1 : 0) + (spec->group_field >= 0 ? 1 : 0);
	s->field = xrealloc(NULL, nc * sizeof *s->field);
	memcpy(s->field, spec->field, nc * sizeof *s->field);
	s->spec.field = s->field;
	s->lv = xcalloc(nc, sizeof *s->lv);
	s->text_line = xcalloc(nc, sizeof *s->text_line);
	s->text_value = xcalloc(nc, sizeof *s->text_value);
	s->has_num = xcalloc(nc, 1);
	for (i = 0; i < nc; i++)
		if (formula_col_forced(f, i) && (s->lv[i] = strtab_new()) == NULL)
			xalloc_die();
	if (spec->group_field >= 0 && (s->groups = strtab_new()) == NULL)
		xalloc_die();
	return s;
}

void
store_free(struct store *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nc; i++)
		strtab_free(s->lv[i]);
	for (i = 0; i < s->nchunk; i++)
		free(s->chunk[i]);
	free(s->chunk);
	free(s->on_disk);
	free(s->cache);
	if (s->fd >= 0)
		close(s->fd);
	free(s->jump_row);
	free(s->jump_line);
	free(s->lv);
	free(s->group_first);
	free(s->text_line);
	free(s->text_value);
	free(s->has_num);
	strtab_free(s->groups);
	free(s->field);
	store_block_free(s->one);
	free(s);
}

struct to_level {
	struct strtab *lv;
	size_t col;
};

static void
row_to_level(double *v, const void *arg)
{
	const struct to_level *a = arg;
	char buf[NUM_BUFSZ];
	long id = strtab_add(a->lv, buf, num_format(v[a->col], buf));

	if (id < 0)
		xalloc_die();
	v[a->col] = (double)id;
}

/*
 * Column i turns categorical at row (the first text in it): the values so
 * far become levels.  0, or an errno (the file could not be rewritten).
 */
static int
make_categorical(struct store *s, size_t i, long line, const char *t, size_t len)
{
	struct to_level a;

	if ((s->lv[i] = strtab_new()) == NULL)
		xalloc_die();
	s->text_line[i] = line;
	snprintf(s->text_value[i], sizeof s->text_value[i], "%.*s", (int)(len < 60 ? len : 60), t);
	a.lv = s->lv[i];
	a.col = i;
	return each_row(s, row_to_level, &a);
}

/*
 * A block's values are the store's rows (rowlen doubles), with a text kept
 * as a NaN whose payload is its index in the block's table of that column:
 * a number read from the input is never NaN (num_parse refuses "nan").
 */
static double
box(size_t id)
{
	uint64_t u = UINT64_C(0x7ff8000000000000) | (uint64_t)id;
	double x;
	memcpy(&x, &u, sizeof x);
	return x;
}

static size_t
unbox(double x)
{
	uint64_t u;
	memcpy(&u, &x, sizeof u);
	return (size_t)(u & UINT64_C(0x0007ffffffffffff));
}

/* A refused row: its fields (in the block's arena) and why. */
struct refused {
	size_t at;            /* rows kept before it */
	size_t nf, first;     /* fields: rlen/roff[first..first + nf) */
	long line;
	struct diag d;
};

struct store_block {
	/* what the checks need, fixed when the block was made */
	struct store_spec spec;
	long *field;
	size_t nc, rowlen;
	int weighted;
	char *cat;              /* nc: the column was categorical before the first row */
	double *val, *work;
	/* rows kept */
	size_t n, cap;
	double *v;              /* n rows of rowlen values */
	long *line;
	struct strtab **txt;    /* nc tables of texts, NULL until a column holds one */
	struct strtab *grp;
	size_t ntext;           /* values that are texts */
	/* rows refused */
	struct refused *rej;
	size_t nrej, caprej;
	char *rdata;
	size_t rdlen, rdcap;
	size_t *roff, *rlen;
	size_t nrf, caprf;
	unsigned long long n_decimal_comma;
	char decimal_comma[DIAG_VALUE_MAX];
};

struct store_block *
store_block_new(const struct store *s)
{
	struct store_block *b = xcalloc(1, sizeof *b);
	size_t i;

	b->spec = s->spec;
	b->nc = s->nc;
	b->rowlen = s->rowlen;
	b->weighted = s->weighted;
	b->field = xrealloc(NULL, s->nc * sizeof *b->field);
	memcpy(b->field, s->field, s->nc * sizeof *b->field);
	b->spec.field = b->field;
	b->cat = xcalloc(s->nc ? s->nc : 1, 1);
	for (i = 0; i < s->nc; i++)
		b->cat[i] = s->lv[i] != NULL;
	b->val = xrealloc(NULL, (s->nc ? s->nc : 1) * sizeof *b->val);
	b->work = xrealloc(NULL, (formula_work_size(s->spec.f) + 1) * sizeof *b->work);
	b->txt = xcalloc(s->nc ? s->nc : 1, sizeof *b->txt);
	return b;
}

/* Forget the rows (kept and refused); the tables go too. */
static void
block_clear(struct store_block *b)
{
	for (size_t i = 0; i < b->nc; i++) {
		strtab_free(b->txt[i]);
		b->txt[i] = NULL;
	}
	strtab_free(b->grp);
	b->grp = NULL;
	b->n = b->nrej = b->rdlen = b->nrf = b->ntext = 0;
	b->n_decimal_comma = 0;
}

void
store_block_free(struct store_block *b)
{
	if (b == NULL)
		return;
	block_clear(b);
	free(b->field);
	free(b->cat);
	free(b->val);
	free(b->work);
	free(b->v);
	free(b->line);
	free(b->txt);
	free(b->rej);
	free(b->rdata);
	free(b->roff);
	free(b->rlen);
	free(b);
}

size_t
store_block_rows(const struct store_block *b)
{
	return b->n + b->nrej;
}

/* Text s[0..len) in *t (made when NULL): its index. */
static size_t
block_text(struct strtab **t, const char *s, size_t len)
{
	long id;

	if (*t == NULL && (*t = strtab_new()) == NULL)
		xalloc_die();
	if ((id = strtab_add(*t, s, len)) < 0)
		xalloc_die();
	return (size_t)id;
}

/* Keep row as refused, d saying why: returns -1. */
static int
block_refuse(struct store_block *b, const struct csvio_row *row, const struct diag *d)
{
	struct refused *r;
	size_t i, need = 0;

	for (i = 0; i < row->n; i++)
		need += row->len[i] + 1;
	if (b->nrej == b->caprej) {
		b->caprej = b->caprej ? 2 * b->caprej : 16;
		b->rej = xrealloc(b->rej, b->caprej * sizeof *b->rej);
	}
	while (b->rdlen + need > b->rdcap) {
		b->rdcap = b->rdcap ? 2 * b->rdcap : 4096;
		b->rdata = xrealloc(b->rdata, b->rdcap);
	}
	while (b->nrf + row->n > b->caprf) {
		b->caprf = b->caprf ? 2 * b->caprf : 64;
		b->roff = xrealloc(b->roff, b->caprf * sizeof *b->roff);
		b->rlen = xrealloc(b->rlen, b->caprf * sizeof *b->rlen);
	}
	r = &b->rej[b->nrej++];
	r->at = b->n;
	r->nf = row->n;
	r->first = b->nrf;
	r->line = row->line;
	r->d = *d;
	for (i = 0; i < row->n; i++) {
		memcpy(b->rdata + b->rdlen, row->f[i], row->len[i]);
		b->rdata[b->rdlen + row->len[i]] = '\0';
		b->roff[b->nrf] = b->rdlen;
		b->rlen[b->nrf] = row->len[i];
		b->nrf++;
		b->rdlen += row->len[i] + 1;
	}
	return -1;
}

int
store_block_parse(struct store_block *b, const struct csvio_reader *in,
    const struct csvio_row *row, struct diag *d)
{
	const struct store_spec *sp = &b->spec;
	const struct formula *f = sp->f;
	const long *idx = b->field;
	double *val = b->val, wv = 0, *dst;
	const char *label;
	size_t nc = b->nc, i;

	if (in != NULL && csvio_check_width(in, row, d) < 0)
		return block_refuse(b, row, d);
	/* first check every field, so that a refused row adds no level */
	for (i = 0; i < nc; i++) {
		const char *t = row->f[idx[i]];
		size_t len = row->len[idx[i]];
		enum num_status st;
		if (len == 0) {
			diag_set(d, NULL, 0, formula_col(f, i), NULL, 0, "missing value");
			return block_refuse(b, row, d);
		}
		st = num_parse(t, len, &val[i], 0);
		if (st != NUM_OK) {
			val[i] = NAN;
			if (!b->cat[i] && (formula_col_numeric(f, i) || (long)i == sp->price)) {
				if (field_decimal_comma(t, len) && b->n_decimal_comma++ == 0)
					snprintf(b->decimal_comma, sizeof b->decimal_comma, "%.*s",
					    (int)(len < 60 ? len : 60), t);
				diag_set(d, NULL, 0, formula_col(f, i), t, len, "%s", num_strerror(st));
				return block_refuse(b, row, d);
			}
		}
	}
	/* (only numeric columns reach the formula's terms: a text's NaN is never read) */
	if (formula_check_row(f, val, b->work, &label) < 0) {
		size_t rc = formula_response_col(f);
		if (formula_response_log(f) && isfinite(val[rc]) && !(val[rc] > 0))
			diag_set(d, NULL, 0, formula_col(f, rc), row->f[idx[rc]], row->len[idx[rc]],
			    "a response of log() must be > 0");
		else
			diag_set(d, NULL, 0, NULL, label, strlen(label), "formula term is not finite");
		return block_refuse(b, row, d);
	}
	if (b->weighted) {
		long wf = sp->weight_field;
		enum num_status st = num_parse(row->f[wf], row->len[wf], &wv, 0);
		if (st != NUM_OK || wv < 0) {
			diag_set(d, NULL, 0, sp->weight_name, st == NUM_EMPTY ? NULL : row->f[wf],
			    row->len[wf], "%s", st == NUM_EMPTY ? "missing value" :
			    st != NUM_OK ? num_strerror(st) : "negative weight");
			return block_refuse(b, row, d);
		}
	}
	if (sp->group_field >= 0 && row->len[sp->group_field] == 0) {
		diag_set(d, NULL, 0, sp->group_name, NULL, 0, "missing value");
		return block_refuse(b, row, d);
	}
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 1024;
		b->v = xrealloc(b->v, b->cap * b->rowlen * sizeof *b->v);
		b->line = xrealloc(b->line, b->cap * sizeof *b->line);
	}
	dst = b->v + b->n * b->rowlen;
	for (i = 0; i < nc; i++) {
		if (isnan(val[i])) {
			dst[i] = box(block_text(&b->txt[i], row->f[idx[i]], row->len[idx[i]]));
			b->ntext++;
		} else {
			dst[i] = val[i];
		}
	}
	if (b->weighted)
		dst[nc] = wv;
	if (sp->group_field >= 0)   /* the group's index in the block's table, for now */
		dst[nc + (size_t)b->weighted] = (double)block_text(&b->grp, row->f[sp->group_field],
		    row->len[sp->group_field]);
	b->line[b->n++] = row->line;
	return 0;
}

/* The global index of text k of a block's table t in tab, through map (-1: not yet). */
static long
map_text(struct strtab *tab, const struct strtab *t, size_t k, long *map)
{
	if (map[k] < 0) {
		size_t len;
		const char *str = strtab_str(t, k, &len);
		if ((map[k] = strtab_add(tab, str, len)) < 0)
			xalloc_die();
	}
	return map[k];
}

int
store_block_add(struct store *s, struct store_block *b,
    void (*reject)(void *arg, const struct csvio_row *row, struct diag *d), void *arg,
    struct diag *d)
{
	size_t nc = s->nc, rowlen = s->rowlen, r, i, ri = 0, k;
	long **map = xcalloc(nc + 1, sizeof *map);
	int plain = b->ntext == 0 && s->groups == NULL, rc = 0;

	for (i = 0; i < nc && plain; i++)
		plain = s->lv[i] == NULL;
	for (i = 0; i <= nc; i++) {
		const struct strtab *t = i < nc ? b->txt[i] : b->grp;
		size_t nt = t ? strtab_n(t) : 0;
		if (nt == 0)
			continue;
		map[i] = xrealloc(NULL, nt * sizeof **map);
		for (k = 0; k < nt; k++)
			map[i][k] = -1;
	}
	if (b->n_decimal_comma > 0 && s->n_decimal_comma == 0)
		memcpy(s->decimal_comma, b->decimal_comma, sizeof s->decimal_comma);
	s->n_decimal_comma += b->n_decimal_comma;
	for (r = 0; r <= b->n; r++) {
		const double *src;
		double *dst;
		for (; ri < b->nrej && b->rej[ri].at == r; ri++) {
			struct refused *x = &b->rej[ri];
			char *f[x->nf ? x->nf : 1];
			for (k = 0; k < x->nf; k++)
				f[k] = b->rdata + b->roff[x->first + k];
			struct csvio_row row = { x->nf, f, b->rlen + x->first, x->line, NULL };
			if (reject != NULL)
				reject(arg, &row, &x->d);
		}
		if (r == b->n)
			break;
		src = b->v + r * rowlen;   /* (b->v is NULL in a block of refused rows only) */
		if (grow(s) != 0) {
			diag_errno(d, spill_dir(), s->err, "temporary file: write error");
			rc = -2;
			break;
		}
		dst = store_row(s, s->n);
		if (plain) {
			memcpy(dst, src, rowlen * sizeof *dst);
		} else {
			for (i = 0; i < nc; i++) {
				double x = src[i];
				if (s->lv[i] == NULL) {
					if (!isnan(x)) {
						dst[i] = x;
						s->has_num[i] = 1;
						continue;
					}
					size_t len;
					const char *t = strtab_str(b->txt[i], unbox(x), &len);
					if (make_categorical(s, i, b->line[r], t, len) != 0) {
						diag_errno(d, spill_dir(), s->err, "temporary file: write error");
						rc = -2;
						goto out;
					}
				}
				if (isnan(x)) {
					dst[i] = (double)map_text(s->lv[i], b->txt[i], unbox(x), map[i]);
				} else {
					char buf[NUM_BUFSZ];
					long id = strtab_add(s->lv[i], buf, num_format(x, buf));
					if (id < 0)
						xalloc_die();
					dst[i] = (double)id;
					s->has_num[i] = 1;
				}
			}
			if (s->weighted)
				dst[nc] = src[nc];
		}
		if (s->groups)
			dst[nc + (size_t)s->weighted] = (double)map_text(s->groups, b->grp,
			    (size_t)src[nc + (size_t)s->weighted], map[nc]);
		note_line(s, b->line[r]);
		s->n++;
	}
	if (plain && b->n > 0)
		for (i = 0; i < nc; i++)
			s->has_num[i] = 1;
out:
	for (i = 0; i <= nc; i++)
		free(map[i]);
	free(map);
	block_clear(b);
	return rc;
}

/*
 * A block of one row, made at the first row (the columns are fixed by
 * then); a refused row is added too, for what refusing it counts.
 */
int
store_add_row(struct store *s, const struct csvio_row *row, struct diag *d)
{
	struct diag spare;
	int kept, rc;

	if (s->one == NULL)
		s->one = store_block_new(s);
	kept = store_block_parse(s->one, NULL, row, d);
	rc = store_block_add(s, s->one, NULL, NULL, kept < 0 ? &spare : d);
	if (rc < 0) {
		if (kept < 0)
			*d = spare;
		return rc;
	}
	return kept;
}

int
store_mixed_column(const struct store *s, size_t col, long *line, const char **value)
{
	if (s->lv[col] == NULL || s->text_line[col] <= 0 || !s->has_num[col])
		return 0;
	*line = s->text_line[col];
	*value = s->text_value[col];
	return 1;
}

struct to_rank {
	const size_t *rank;
	size_t col;
};

static void
row_to_rank(double *v, const void *arg)
{
	const struct to_rank *a = arg;
	v[a->col] = (double)a->rank[(size_t)v[a->col]];
}

void
store_rank_levels(struct store *s, size_t col, const size_t *rank)
{
	struct strtab *lv = s->lv[col], *sorted;
	size_t nl = strtab_n(lv), k, *order;

	order = xrealloc(NULL, (nl ? nl : 1) * sizeof *order);
	for (k = 0; k < nl; k++)
		order[rank[k]] = k;
	{
		struct to_rank a = { rank, col };
		(void)each_row(s, row_to_rank, &a);   /* an error stays in s->err */
	}
	/* a table in rank order, so that index = rank */
	if ((sorted = strtab_new()) == NULL)
		xalloc_die();
	for (k = 0; k < nl; k++) {
		size_t len;
		const char *str = strtab_str(lv, order[k], &len);
		if (strtab_add(sorted, str, len) < 0)
			xalloc_die();
	}
	strtab_free(lv);
	s->lv[col] = sorted;
	free(order);
}

void
store_sort_levels(struct store *s, size_t col)
{
	size_t nl = strtab_n(s->lv[col]), k, *order, *rank;

	order = xrealloc(NULL, (nl ? nl : 1) * sizeof *order);
	rank = xrealloc(NULL, (nl ? nl : 1) * sizeof *rank);
	strtab_sorted(s->lv[col], order);
	for (k = 0; k < nl; k++)
		rank[order[k]] = k;
	store_rank_levels(s, col, rank);
	free(order);
	free(rank);
}

void
store_force_categorical(struct store *s, size_t col)
{
	if (s->lv[col] == NULL && (s->lv[col] = strtab_new()) == NULL)
		xalloc_die();
}

int
store_remap_levels(struct store *s, size_t col, const size_t *index)
{
	struct to_rank a = { index, col };
	return each_row(s, row_to_rank, &a);
}

int
store_in_file(const struct store *s)
{
	return s->fd >= 0;
}

long
store_line_of(struct store *s, size_t r)
{
	if (s->parent == NULL)
		return store_line(s, r);
	return store_line(s->parent, (size_t)store_row_read(s, r)[s->rowlen - 1]);
}

/* A row of a chunk, with the rank of its group: the order store_by_group sorts by. */
struct group_key {
	size_t rank, i;
};

static int
group_key_cmp(const void *a, const void *b)
{
	const struct group_key *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* One sorted run of the merge: rows [next, end) of the runs file, a window of them in buf. */
struct group_run {
	size_t next, end;       /* rows of the run not yet taken */
	double *buf;            /* up to cap rows read ahead */
	size_t have, at, cap;
};

/* The rank of the group of run k's current row. */
static size_t
run_rank(const struct group_run *u, size_t w, const size_t *rank)
{
	return rank[(size_t)u->buf[u->at * w + w - 2]];
}

/* Whether run a's current row goes before run b's (ties: the earlier run, the earlier rows). */
static int
run_before(const struct group_run *runs, size_t a, size_t b, size_t w, const size_t *rank)
{
	size_t ra = run_rank(&runs[a], w, rank), rb = run_rank(&runs[b], w, rank);
	return ra != rb ? ra < rb : a < b;
}

static void
heap_down(size_t *heap, size_t nh, size_t i, const struct group_run *runs, size_t w,
    const size_t *rank)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < nh && run_before(runs, heap[l], heap[m], w, rank))
			m = l;
		if (l + 1 < nh && run_before(runs, heap[l + 1], heap[m], w, rank))
			m = l + 1;
		if (m == i)
			return;
		size_t t = heap[i];
		heap[i] = heap[m];
		heap[m] = t;
		i = m;
	}
}

/* Fill run u's window from the runs file: 0, or an errno. */
static int
run_fill(int fd, struct group_run *u, size_t w)
{
	size_t k = u->end - u->next < u->cap ? u->end - u->next : u->cap;
	int err = spill_read(fd, u->buf, k * w * sizeof(double), (off_t)(u->next * w * sizeof(double)));
	u->have = k;
	u->at = 0;
	u->next += k;
	return err;
}

struct store *
store_by_group(struct store *s, const size_t *rank, struct diag *d)
{
	size_t ng = strtab_n(s->groups), w = s->rowlen + 1, nch = s->nchunk, c, i, k;
	size_t crow = STORE_CHUNK_ROWS * w;
	struct store *g = xcalloc(1, sizeof *g);
	struct group_key *key = xrealloc(NULL, STORE_CHUNK_ROWS * sizeof *key);
	double *in = NULL, *out = xrealloc(NULL, crow * sizeof *out);
	struct group_run *runs = xcalloc(nch + 1, sizeof *runs);
	size_t *heap = xcalloc(nch + 1, sizeof *heap), nh = 0, o = 0, oc = 0;
	int fd, err = 0;

	g->nc = s->nc;
	g->n = s->n;
	g->rowlen = w;
	g->weighted = s->weighted;
	g->buffer = s->buffer;
	g->fd = -1;
	g->nchunk = nch;
	g->chunk = xcalloc(nch + 1, sizeof *g->chunk);
	g->on_disk = xrealloc(NULL, nch + 1);
	memset(g->on_disk, 1, nch + 1);
	g->lv = xcalloc(s->nc + 1, sizeof *g->lv);
	g->parent = s;
	g->group_first = xcalloc(ng + 1, sizeof *g->group_first);
	if ((fd = spill_file()) < 0 || (g->fd = spill_file()) < 0) {
		err = errno;
		goto done;
	}
	/* each chunk sorted by group into the runs file, at the place of its rows */
	for (c = 0; c < nch; c++) {
		size_t m = chunk_rows(s, c), r0 = c << STORE_CHUNK_SHIFT;
		const double *v;
		if (in == NULL && s->on_disk[c])
			in = xrealloc(NULL, chunk_bytes(s));
		if ((v = store_chunk(s, c, in, d)) == NULL) {
			err = -1;
			goto done;
		}
		for (i = 0; i < m; i++) {
			key[i].rank = rank[store_row_group(s, v + i * s->rowlen)];
			key[i].i = i;
			g->group_first[key[i].rank + 1]++;
		}
		qsort(key, m, sizeof *key, group_key_cmp);
		for (i = 0; i < m; i++) {
			memcpy(out + i * w, v + key[i].i * s->rowlen, s->rowlen * sizeof *out);
			out[i * w + w - 1] = (double)(r0 + key[i].i);
		}
		if ((err = spill_write(fd, out, m * w * sizeof *out, (off_t)(r0 * w * sizeof *out))) != 0)
			goto done;
		runs[c].next = r0;
		runs[c].end = r0 + m;
	}
	for (k = 0; k < ng; k++)
		g->group_first[k + 1] += g->group_first[k];
	/* the runs merged: half the buffer read ahead, shared by the runs */
	size_t cap = s->buffer / 2 / (nch ? nch : 1) / (w * sizeof(double));
	cap = cap < 1 ? 1 : cap > STORE_CHUNK_ROWS ? STORE_CHUNK_ROWS : cap;
	for (c = 0; c < nch; c++) {
		runs[c].cap = cap;
		runs[c].buf = xrealloc(NULL, cap * w * sizeof(double));
		if ((err = run_fill(fd, &runs[c], w)) != 0)
			goto done;
		if (runs[c].have > 0)
			heap[nh++] = c;
	}
	for (i = nh; i-- > 0;)
		heap_down(heap, nh, i, runs, w, rank);
	while (nh > 0) {
		struct group_run *u = &runs[heap[0]];
		memcpy(out + o * w, u->buf + u->at * w, w * sizeof *out);
		if (++o == STORE_CHUNK_ROWS) {
			if ((err = spill_write(g->fd, out, crow * sizeof *out,
			    (off_t)(oc * crow * sizeof *out))) != 0)
				goto done;
			oc++;
			o = 0;
		}
		if (++u->at == u->have) {
			if (u->next < u->end) {
				if ((err = run_fill(fd, u, w)) != 0)
					goto done;
			} else {
				heap[0] = heap[--nh];
			}
		}
		heap_down(heap, nh, 0, runs, w, rank);
	}
	if (o > 0)
		err = spill_write(g->fd, out, o * w * sizeof *out, (off_t)(oc * crow * sizeof *out));
done:
	if (err > 0)
		diag_errno(d, spill_dir(), err, "temporary file: read or write error");
	if (fd >= 0)
		close(fd);
	for (c = 0; c < nch; c++)
		free(runs[c].buf);
	free(runs);
	free(heap);
	free(key);
	free(in);
	free(out);
	if (err != 0) {
		store_free(g);
		return NULL;
	}
	return g;
}
