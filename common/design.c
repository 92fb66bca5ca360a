/* design.c - see design.h. */
#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "design.h"
#include "par.h"
#include "xalloc.h"

_Static_assert(FIT_BLOCK_ROWS == STORE_CHUNK_ROWS, "a fit block is a design chunk");

int
design_set_levels(struct formula *f, struct store *s, size_t col, struct diag *d)
{
	size_t nl, k;
	char **names;
	int rc;

	store_sort_levels(s, col);
	nl = strtab_n(s->lv[col]);
	names = xrealloc(NULL, nl * sizeof *names);
	for (k = 0; k < nl; k++)
		names[k] = (char *)strtab_str(s->lv[col], k, NULL);
	rc = formula_set_levels(f, col, names, nl, d);
	free(names);
	if (rc == 0) {
		/* the formula's order: numbers numerically (R's factor()), text by bytes */
		size_t *rank = xrealloc(NULL, (nl ? nl : 1) * sizeof *rank);
		for (k = 0; k < nl; k++) {
			size_t len;
			const char *str = strtab_str(s->lv[col], k, &len);
			rank[k] = (size_t)formula_level_index(f, col, str, len);
		}
		store_rank_levels(s, col, rank);
		free(rank);
	}
	if (rc == 0 && store_error(s) != 0)
		return diag_errno(d, spill_dir(), store_error(s), "temporary file: read or write error");
	return rc;
}

/* SplitMix64's finaliser: every bit of z moves about half of the result's. */
static uint64_t
mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
mix_double(uint64_t h, double x)
{
	uint64_t w;

	if (x == 0)
		x = 0;   /* -0 is 0 */
	memcpy(&w, &x, sizeof w);
	return mix64(h ^ w);
}

double
design_row_unit(const struct formula *f, const double *v, size_t nc, int weighted,
    unsigned long seed)
{
	uint64_t h = mix64((uint64_t)seed + 0x9e3779b97f4a7c15ULL);

	for (size_t i = 0; i < nc; i++) {
		if (!formula_col_categorical(f, i)) {
			h = mix_double(h, v[i]);
			continue;
		}
		/* the level's text, its length first, in words of 8 bytes (little-endian) */
		const unsigned char *t = (const unsigned char *)formula_level(f, i, (size_t)v[i]);
		size_t len = strlen((const char *)t);
		h = mix64(h ^ (uint64_t)len ^ 0x5bd1e9955bd1e995ULL);
		for (size_t k = 0; k < len; k += 8) {
			uint64_t w = 0;
			for (size_t b = 0; b < 8 && k + b < len; b++)
				w |= (uint64_t)t[k + b] << (8 * b);
			h = mix64(h ^ w);
		}
	}
	if (weighted)
		h = mix_double(h, v[nc]);
	return (double)(h >> 11) * 0x1.0p-53;
}

long
design_split_fold(const struct design_split *sp, double u)
{
	if (sp->holdout > 0)
		return u < sp->holdout ? 0 : -1;
	long k = (long)(u * (double)sp->folds);
	return k < sp->folds ? k : sp->folds - 1;   /* (u < 1: never, but for rounding) */
}

long
design_row_fold(const struct design_split *sp, const struct formula *f, const double *v,
    size_t nc, int weighted)
{
	return design_split_fold(sp, design_row_unit(f, v, nc, weighted, sp->seed));
}

/* Rows of chunk c. */
static size_t
ds_rows(const struct design *ds, size_t c)
{
	size_t r0 = c * STORE_CHUNK_ROWS;
	return ds->n - r0 < STORE_CHUNK_ROWS ? ds->n - r0 : STORE_CHUNK_ROWS;
}

static off_t
ds_off(const struct design *ds, size_t c)
{
	return (off_t)(c * STORE_CHUNK_ROWS * ds->cw * sizeof(double));
}

/* What building one chunk of a design needs (design_build). */
struct build {
	struct store *s;
	const struct formula *f;
	const size_t *rows;
	size_t first, c0;
	int consume, spill, direct;   /* direct: whole store chunks, in order */
	const struct design_split *split;
	struct design *ds;
	/* per thread */
	double **work, **val, **sbuf, **xc;
	struct diag *d;               /* per chunk when threads build, else one */
	unsigned threads;
};

/* Build chunk c of the design (worker's scratch).  0, or -1 with the chunk's diag filled. */
static int
build_chunk(void *arg, size_t c, unsigned worker)
{
	struct build *b = arg;
	struct store *s = b->s;
	struct design *ds = b->ds;
	const struct formula *f = b->f;
	size_t p = ds->p, nc = s->nc, r0 = c * STORE_CHUNK_ROWS, i, m = ds_rows(ds, c);
	struct diag *d = b->threads > 1 ? &b->d[c] : b->d;
	double *work = b->work[worker], *val = b->val[worker], *xc;
	const double *sc = NULL;
	int err;

	if (b->direct) {
		if (b->sbuf[worker] == NULL && s->on_disk[b->c0 + c])
			b->sbuf[worker] = xrealloc(NULL, STORE_CHUNK_ROWS * s->rowlen * sizeof(double));
		if ((sc = store_chunk(s, b->c0 + c, b->sbuf[worker], d)) == NULL)
			return -1;
	}
	if (b->xc[worker] == NULL)
		b->xc[worker] = xrealloc(NULL, STORE_CHUNK_ROWS * ds->cw * sizeof(double));
	xc = b->xc[worker];
	double *y = xc + m * p, *w0 = y + m, *fo = w0 + (ds->weighted ? m : 0);
	for (i = 0; i < m; i++) {
		size_t row = b->rows ? b->rows[r0 + i] : b->first + r0 + i;
		const double *v = sc ? sc + i * s->rowlen : b->rows ? store_row(s, row) :
		    store_row_read(s, row);
		memcpy(val, v, nc * sizeof *val);
		formula_eval(f, val, -1, xc + i * p, NULL, work);
		y[i] = formula_eval_response(f, val);
		if (ds->weighted)
			w0[i] = v[nc];
		if (b->split)
			fo[i] = (double)design_row_fold(b->split, f, v, nc, ds->weighted);
	}
	if (sc == NULL && store_error(s) != 0)
		return diag_errno(d, spill_dir(), store_error(s), "temporary file: read error");
	if (b->consume)
		store_chunk_drop(s, b->c0 + c);
	if (b->spill) {
		if ((err = spill_write(ds->fd, xc, m * ds->cw * sizeof *xc, ds_off(ds, c))) != 0)
			return diag_errno(d, spill_dir(), err, "temporary file: write error");
	} else {
		ds->x[c] = xc;
		b->xc[worker] = NULL;
	}
	return 0;
}

int
design_build(struct store *s, const struct formula *f, const size_t *rows, size_t first,
    size_t nr, int consume, const struct design_split *split, unsigned jobs, struct design *ds,
    struct diag *d)
{
	size_t p = formula_ncoef(f), failed;
	struct build b;
	unsigned k;
	int rc = 0;

	assert(rows != NULL || first + nr <= s->n);
	memset(ds, 0, sizeof *ds);
	ds->fd = -1;
	ds->fold = DESIGN_NO_FOLD;
	ds->n = nr;
	ds->p = p;
	ds->jobs = jobs;
	ds->weighted = s->weighted;
	ds->folded = split != NULL;
	ds->cw = p + 1 + (size_t)ds->weighted + (size_t)ds->folded;
	ds->nch = (nr + STORE_CHUNK_ROWS - 1) / STORE_CHUNK_ROWS;
	ds->x = xcalloc(ds->nch ? ds->nch : 1, sizeof *ds->x);
	memset(&b, 0, sizeof b);
	b.s = s;
	b.f = f;
	b.rows = rows;
	b.first = first;
	b.c0 = first >> STORE_CHUNK_SHIFT;
	b.split = split;
	b.ds = ds;
	b.spill = nr * ds->cw * sizeof(double) > s->buffer;
	b.direct = rows == NULL && (first & (STORE_CHUNK_ROWS - 1)) == 0;
	b.consume = consume && b.direct;
	if (b.spill && (ds->fd = spill_file()) < 0)
		return diag_errno(d, spill_dir(), errno, "cannot create a temporary file");
	/* Threads build whole store chunks; rows read back one by one (store_row_read) stay here. */
	b.threads = b.direct && jobs > 1 ? jobs : 1;
	b.work = xcalloc(b.threads, sizeof *b.work);
	b.val = xcalloc(b.threads, sizeof *b.val);
	b.sbuf = xcalloc(b.threads, sizeof *b.sbuf);
	b.xc = xcalloc(b.threads, sizeof *b.xc);
	for (k = 0; k < b.threads; k++) {
		b.work[k] = xrealloc(NULL, (formula_work_size(f) + 1) * sizeof **b.work);
		b.val[k] = xrealloc(NULL, (s->nc ? s->nc : 1) * sizeof **b.val);
	}
	b.d = b.threads > 1 ? xcalloc(ds->nch, sizeof *b.d) : d;
	if ((failed = par_for(b.threads, ds->nch, build_chunk, &b)) != 0) {
		if (b.threads > 1)
			*d = b.d[failed - 1];
		rc = -1;
	}
	for (k = 0; k < b.threads; k++) {
		free(b.work[k]);
		free(b.val[k]);
		free(b.sbuf[k]);
		free(b.xc[k]);
	}
	free(b.work);
	free(b.val);
	free(b.sbuf);
	free(b.xc);
	if (b.threads > 1)
		free(b.d);
	return rc;
}

int
design_groups_open(struct design_groups *dg, struct store *s, struct diag *d)
{
	size_t ng = strtab_n(s->groups), i, r, *cnt;

	memset(dg, 0, sizeof *dg);
	dg->ng = ng;
	dg->order = xrealloc(NULL, (ng + 1) * sizeof *dg->order);
	strtab_sorted(s->groups, dg->order);
	dg->s = s;
	if (store_in_file(s)) {
		/* the rows again, each group's together in the file, in the order read */
		size_t *rank = xrealloc(NULL, (ng + 1) * sizeof *rank);
		for (i = 0; i < ng; i++)
			rank[dg->order[i]] = i;
		dg->bygroup = store_by_group(s, rank, d);
		free(rank);
		if (dg->bygroup == NULL)
			return -1;
		dg->s = dg->bygroup;
		return 0;
	}
	/* in memory: each group's row numbers, in row order */
	cnt = xcalloc(ng + 1, sizeof *cnt);
	dg->start = xcalloc(ng + 1, sizeof *dg->start);
	dg->rows = xrealloc(NULL, (s->n + 1) * sizeof *dg->rows);
	for (i = 0; i < ng; i++)
		cnt[dg->order[i]] = i;   /* cnt: the rank of each group */
	for (r = 0; r < s->n; r++)
		dg->start[cnt[store_row_group(s, store_row(s, r))] + 1]++;
	for (i = 0; i < ng; i++)
		dg->start[i + 1] += dg->start[i];
	{
		size_t *at = xrealloc(NULL, (ng + 1) * sizeof *at);
		memcpy(at, dg->start, (ng + 1) * sizeof *at);
		for (r = 0; r < s->n; r++)
			dg->rows[at[cnt[store_row_group(s, store_row(s, r))]]++] = r;
		free(at);
	}
	free(cnt);
	return 0;
}

void
design_groups_range(const struct design_groups *dg, size_t i, const size_t **rows,
    size_t *first, size_t *nr)
{
	const size_t *b = dg->bygroup ? dg->bygroup->group_first : dg->start;

	*rows = dg->bygroup ? NULL : dg->rows + b[i];
	*first = dg->bygroup ? b[i] : 0;
	*nr = b[i + 1] - b[i];
}

void
design_groups_close(struct design_groups *dg)
{
	store_free(dg->bygroup);
	free(dg->order);
	free(dg->rows);
	free(dg->start);
	memset(dg, 0, sizeof *dg);
}

static void
free_bufs(struct design *ds)
{
	for (unsigned k = 0; k < ds->nbuf; k++) {
		free(ds->buf[k]);
		free(ds->wbuf[k]);
	}
	free(ds->buf);
	free(ds->wbuf);
	free(ds->xp);
	ds->buf = ds->wbuf = ds->xp = NULL;
	ds->nbuf = 0;
}

void
design_free(struct design *ds)
{
	size_t c;

	if (ds == NULL)
		return;
	for (c = 0; c < ds->nch; c++)
		free(ds->x[c]);
	free(ds->x);
	free_bufs(ds);
	if (ds->fd >= 0)
		close(ds->fd);
	memset(ds, 0, sizeof *ds);
	ds->fd = -1;
}

/* Chunk c (in memory, or read into buf): NULL with d filled on a read error. */
static const double *
chunk_get(const struct design *ds, size_t c, double *buf, struct diag *d)
{
	int err;

	if (ds->x[c] != NULL)
		return ds->x[c];
	if ((err = spill_read(ds->fd, buf, ds_rows(ds, c) * ds->cw * sizeof *buf,
	    ds_off(ds, c))) != 0) {
		diag_errno(d, spill_dir(), err, "temporary file: read error");
		return NULL;
	}
	return buf;
}

static int
ds_block(void *arg, size_t b, unsigned worker, struct fit_design *D, size_t *first,
    struct diag *d)
{
	struct design *ds = arg;
	size_t m = ds_rows(ds, b), p = ds->p;
	const double *xc = chunk_get(ds, b, ds->buf[worker], d);

	if (xc == NULL)
		return -1;
	const double *y = xc + m * p, *w0 = y + m, *fo = w0 + (ds->weighted ? m : 0);
	ds->xp[worker] = (double *)xc;
	memset(D, 0, sizeof *D);
	D->n = m;
	D->p = p;
	D->chunk_rows = m > 0 ? m : 1;
	D->ld = p;
	D->x = &ds->xp[worker];
	D->y = y;
	D->y_stride = 1;
	D->w_stride = 1;
	if (ds->folded && ds->fold != DESIGN_NO_FOLD) {
		double *w = ds->wbuf[worker];
		for (size_t i = 0; i < m; i++)
			w[i] = (long)fo[i] == ds->fold ? 0 : ds->weighted ? w0[i] : 1;
		D->w = w;
	} else {
		D->w = ds->weighted ? w0 : NULL;
	}
	*first = 0;
	return 0;
}

/* Per-thread scratch for jobs threads. */
static void
ensure_bufs(struct design *ds, unsigned jobs)
{
	if (ds->nbuf >= jobs)
		return;
	free_bufs(ds);
	ds->buf = xcalloc(jobs, sizeof *ds->buf);
	ds->wbuf = xcalloc(jobs, sizeof *ds->wbuf);
	ds->xp = xcalloc(jobs, sizeof *ds->xp);
	ds->nbuf = jobs;
	for (unsigned k = 0; k < jobs; k++) {
		if (ds->fd >= 0)
			ds->buf[k] = xrealloc(NULL, STORE_CHUNK_ROWS * ds->cw * sizeof(double));
		if (ds->folded)
			ds->wbuf[k] = xrealloc(NULL, STORE_CHUNK_ROWS * sizeof(double));
	}
}

/* The blocked source of ds's rows. */
static struct fit_source
ds_source(struct design *ds)
{
	unsigned jobs = ds->jobs > 0 ? ds->jobs : 1;
	struct fit_source S;

	ensure_bufs(ds, jobs);
	memset(&S, 0, sizeof S);
	S.n = ds->n;
	S.p = ds->p;
	S.block_rows = STORE_CHUNK_ROWS;
	S.jobs = jobs;
	S.block = ds_block;
	S.arg = ds;
	return S;
}

enum fit_status
design_fit(struct design *ds, const struct fit_opts *fo, struct fit_result *r, struct diag *d)
{
	struct fit_source S = ds_source(ds);
	return fit_model_source(&S, fo, r, d);
}

int
design_pass(struct design *ds, const struct fit_run *r, int ridge, struct fit_stats *acc,
    struct diag *d)
{
	struct fit_source S = ds_source(ds);
	return fit_run_pass(r, &S, ridge, acc, d);
}

int
design_validate(struct design *ds, enum fit_family fam, const double *beta, size_t nb,
    struct metrics_acc *acc, struct diag *d)
{
	size_t p = ds->p;

	ensure_bufs(ds, 1);
	for (size_t c = 0; c < ds->nch; c++) {
		size_t m = ds_rows(ds, c);
		const double *xc = chunk_get(ds, c, ds->buf[0], d);
		if (xc == NULL)
			return -1;
		const double *y = xc + m * p, *fo = y + m + (ds->weighted ? m : 0);
		for (size_t i = 0; i < m; i++) {
			long k = (long)fo[i];
			if (k >= 0 && (size_t)k < nb) {
				double eta, mu = fit_predict(fam, xc + i * p, beta + (size_t)k * p, p, &eta);
				metrics_acc_add(acc, y[i], mu, eta);
			}
		}
	}
	return 0;
}

int
design_smearing(struct design *ds, long k, const struct fit_result *r, double *factor,
    struct diag *d)
{
	size_t p = ds->p;
	double *b = xrealloc(NULL, (p + 1) * sizeof *b), sw = 0, se = 0;

	ensure_bufs(ds, 1);
	fit_beta_or_zero(r, b);
	for (size_t c = 0; c < ds->nch; c++) {
		size_t m = ds_rows(ds, c);
		const double *xc = chunk_get(ds, c, ds->buf[0], d);
		if (xc == NULL) {
			free(b);
			return -1;
		}
		const double *y = xc + m * p, *w0 = y + m, *fo = w0 + (ds->weighted ? m : 0);
		for (size_t i = 0; i < m; i++) {
			double wi = k != DESIGN_NO_FOLD && ds->folded && (long)fo[i] == k ? 0 :
			    ds->weighted ? w0[i] : 1;
			if (wi > 0) {
				double eta;
				(void)fit_predict(FIT_LINEAR, xc + i * p, b, p, &eta);
				sw += wi;
				se += wi * exp(y[i] - eta);
			}
		}
	}
	*factor = se / sw;
	free(b);
	return 0;
}
