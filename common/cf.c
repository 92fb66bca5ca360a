/* cf.c - see cf.h. */
#include "cf.h"
#include "date.h"
#include "field.h"
#include "strtab.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * Items and customers are numbered in byte order of their names, so a tie
 * broken by index is a tie broken by name.  Lists are in CSR form: the
 * items of customer u are uitem[uoff[u] .. uoff[u + 1]) (ascending), with
 * their ratings in urate and centred cells v(u, i) in cell; the neighbours
 * of entity e (an item, or a customer when user-based) are nid/nsim[noff[e]
 * .. noff[e + 1]) (by sim descending, then index).
 */
struct cf {
	enum cf_mode mode;
	int rated;
	long k;
	struct strtab *items, *users;
	size_t *uoff, *uitem;
	double *urate, *cell;
	double *umean, *imean, gmean;
	size_t *noff, *nid;
	double *nsim, *norm;
};

/* One input row: indices into the first-seen tables, its rating, order. */
struct ev {
	size_t u, i;
	double r;
	long day;
	size_t seq;
};

struct nb {
	size_t j;
	double sim;
};

static int
oom(struct diag *d)
{
	return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
}

void
cf_free(struct cf *c)
{
	if (c == NULL)
		return;
	strtab_free(c->items);
	strtab_free(c->users);
	free(c->uoff);
	free(c->uitem);
	free(c->urate);
	free(c->cell);
	free(c->umean);
	free(c->imean);
	free(c->noff);
	free(c->nid);
	free(c->nsim);
	free(c->norm);
	free(c);
}

int
cf_rated(const struct cf *c)
{
	return c->rated;
}

static int
cmp_ev(const void *x, const void *y)
{
	const struct ev *p = x, *q = y;

	if (p->u != q->u)
		return p->u < q->u ? -1 : 1;
	if (p->i != q->i)
		return p->i < q->i ? -1 : 1;
	return (p->seq > q->seq) - (p->seq < q->seq);
}

static int
cmp_nb(const void *x, const void *y)
{
	const struct nb *p = x, *q = y;

	if (p->sim != q->sim)
		return p->sim > q->sim ? -1 : 1;
	return (p->j > q->j) - (p->j < q->j);
}

static int
cmp_size(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;

	return (a > b) - (a < b);
}

/* Heap order with the worst (last by cmp_nb) at the root. */
static void
sift_down(struct nb *h, size_t n, size_t at)
{
	for (;;) {
		size_t l = 2 * at + 1, r = l + 1, w = at;
		struct nb t;
		if (l < n && cmp_nb(&h[l], &h[w]) > 0)
			w = l;
		if (r < n && cmp_nb(&h[r], &h[w]) > 0)
			w = r;
		if (w == at)
			return;
		t = h[at];
		h[at] = h[w];
		h[w] = t;
		at = w;
	}
}

/*
 * Move the first k of a[0..n) in cmp_nb order (best sim, then index) to
 * a[0..k), sorted; returns min(n, k).  O(n log k): an item can have tens of
 * thousands of candidates and keeps twenty.
 */
static size_t
select_top(struct nb *a, size_t n, size_t k)
{
	size_t i;

	if (n > k) {
		for (i = k / 2; i-- > 0;)
			sift_down(a, k, i);
		for (i = k; i < n; i++)
			if (k > 0 && cmp_nb(&a[i], &a[0]) < 0) {
				a[0] = a[i];
				sift_down(a, k, 0);
			}
		n = k;
	}
	qsort(a, n, sizeof *a, cmp_nb);
	return n;
}

/* A copy of t in byte order; rank[old index] = new index. */
static struct strtab *
sorted_copy(const struct strtab *t, size_t *rank)
{
	size_t n = strtab_n(t), i, len, *order = malloc((n ? n : 1) * sizeof *order);
	struct strtab *s = strtab_new();
	const char *str;

	if (order == NULL || s == NULL) {
		free(order);
		strtab_free(s);
		return NULL;
	}
	strtab_sorted(t, order);
	for (i = 0; i < n; i++) {
		str = strtab_str(t, order[i], &len);
		if (strtab_add(s, str, len) < 0) {
			free(order);
			strtab_free(s);
			return NULL;
		}
		rank[order[i]] = i;
	}
	free(order);
	return s;
}

/*
 * Means and centred cells from the customer lists.  Every sum runs over
 * customers, then items, ascending, so a model read back from JSON gets
 * the same bits as the one that was built.
 */
static int
centre(struct cf *c, struct diag *d)
{
	size_t nu = strtab_n(c->users), ni = strtab_n(c->items), n = c->uoff[nu], u, p;
	double *isum = calloc(ni + 1, sizeof *isum), *icnt = calloc(ni + 1, sizeof *icnt), total = 0;
	int rc = -1;

	c->umean = calloc(nu + 1, sizeof *c->umean);
	c->imean = calloc(ni + 1, sizeof *c->imean);
	c->cell = malloc((n + 1) * sizeof *c->cell);
	if (isum == NULL || icnt == NULL || c->umean == NULL || c->imean == NULL || c->cell == NULL) {
		oom(d);
		goto out;
	}
	for (u = 0; u < nu; u++) {
		double s = 0;
		for (p = c->uoff[u]; p < c->uoff[u + 1]; p++) {
			double r = c->rated ? c->urate[p] : 1;
			s += r;
			isum[c->uitem[p]] += r;
			icnt[c->uitem[p]] += 1;
			total += r;
		}
		if (c->uoff[u + 1] > c->uoff[u])
			c->umean[u] = s / (double)(c->uoff[u + 1] - c->uoff[u]);
	}
	for (p = 0; p < ni; p++)
		if (icnt[p] > 0)
			c->imean[p] = isum[p] / icnt[p];
	c->gmean = n > 0 ? total / (double)n : 0;
	for (u = 0; u < nu; u++)
		for (p = c->uoff[u]; p < c->uoff[u + 1]; p++)
			c->cell[p] = !c->rated ? 1 :
			    c->urate[p] - (c->mode == CF_USER ? c->umean[u] : c->imean[c->uitem[p]]);
	rc = 0;
out:
	free(isum);
	free(icnt);
	return rc;
}

/*
 * Neighbours of every entity.  The entities' lists (eoff/edim/eval) and
 * the transposed lists (doff/dent/dval) hold the same cells: item-based,
 * entities are items and their lists run over customers; user-based, the
 * reverse.  co[f] accumulates v(e, x) v(f, x) over e's x in order, then
 * over x's other entities f in order.
 */
static int
neighbours(struct cf *c, size_t ne, const size_t *eoff, const size_t *edim, const double *eval,
    const size_t *doff, const size_t *dent, const double *dval, struct diag *d)
{
	double *co = calloc(ne + 1, sizeof *co), *n2 = calloc(ne + 1, sizeof *n2);
	size_t *touched = malloc((ne + 1) * sizeof *touched), *stamp = calloc(ne + 1, sizeof *stamp);
	struct nb *cand = malloc((ne + 1) * sizeof *cand);
	size_t e, p, q, nt, t, kk, total = 0, cap = 0;
	int rc = -1;

	c->noff = calloc(ne + 1, sizeof *c->noff);
	if (co == NULL || n2 == NULL || touched == NULL || stamp == NULL || cand == NULL ||
	    c->noff == NULL) {
		oom(d);
		goto out;
	}
	for (e = 0; e < ne; e++)
		for (p = eoff[e]; p < eoff[e + 1]; p++)
			n2[e] += eval[p] * eval[p];
	for (e = 0; e < ne; e++) {
		nt = 0;
		for (p = eoff[e]; p < eoff[e + 1]; p++) {
			size_t x = edim[p];
			for (q = doff[x]; q < doff[x + 1]; q++) {
				size_t f = dent[q];
				if (f == e)
					continue;
				if (stamp[f] != e + 1) {
					stamp[f] = e + 1;
					co[f] = 0;
					touched[nt++] = f;
				}
				co[f] += eval[p] * dval[q];
			}
		}
		for (t = kk = 0; t < nt; t++) {
			size_t f = touched[t];
			double sim = n2[e] > 0 && n2[f] > 0 ? co[f] / sqrt(n2[e] * n2[f]) : 0;
			if (sim > 0) {
				cand[kk].j = f;
				cand[kk].sim = sim;
				kk++;
			}
		}
		kk = select_top(cand, kk, (size_t)c->k);
		if (total + kk > cap) {
			size_t ncap = (total + kk) * 2 + 16, *a;
			double *b;
			if ((a = realloc(c->nid, ncap * sizeof *a)) == NULL) {
				oom(d);
				goto out;
			}
			c->nid = a;
			if ((b = realloc(c->nsim, ncap * sizeof *b)) == NULL) {
				oom(d);
				goto out;
			}
			c->nsim = b;
			cap = ncap;
		}
		for (t = 0; t < kk; t++) {
			c->nid[total + t] = cand[t].j;
			c->nsim[total + t] = cand[t].sim;
		}
		total += kk;
		c->noff[e + 1] = total;
	}
	rc = 0;
out:
	free(co);
	free(n2);
	free(touched);
	free(stamp);
	free(cand);
	return rc;
}

/* Sum of each entity's neighbour similarities, in stored order. */
static int
build_norms(struct cf *c, size_t ne, struct diag *d)
{
	size_t e, p;

	if ((c->norm = calloc(ne + 1, sizeof *c->norm)) == NULL)
		return oom(d);
	for (e = 0; e < ne; e++)
		for (p = c->noff[e]; p < c->noff[e + 1]; p++)
			c->norm[e] += c->nsim[p];
	return 0;
}

/* Similarities from the customer lists (uoff, uitem, cell set). */
static int
build_similarity(struct cf *c, struct diag *d)
{
	size_t nu = strtab_n(c->users), ni = strtab_n(c->items), n = c->uoff[nu], u, p, i;
	size_t *ioff = calloc(ni + 1, sizeof *ioff), *iuser = malloc((n + 1) * sizeof *iuser);
	size_t *fill = calloc(ni + 1, sizeof *fill);
	double *ival = malloc((n + 1) * sizeof *ival);
	int rc = -1;

	if (ioff == NULL || iuser == NULL || fill == NULL || ival == NULL) {
		oom(d);
		goto out;
	}
	for (p = 0; p < n; p++)
		ioff[c->uitem[p] + 1]++;
	for (i = 0; i < ni; i++)
		ioff[i + 1] += ioff[i];
	for (u = 0; u < nu; u++)
		for (p = c->uoff[u]; p < c->uoff[u + 1]; p++) {
			i = c->uitem[p];
			iuser[ioff[i] + fill[i]] = u;
			ival[ioff[i] + fill[i]] = c->cell[p];
			fill[i]++;
		}
	if (c->mode == CF_ITEM)
		rc = neighbours(c, ni, ioff, iuser, ival, c->uoff, c->uitem, c->cell, d);
	else
		rc = neighbours(c, nu, c->uoff, c->uitem, c->cell, ioff, iuser, ival, d);
	if (rc == 0)
		rc = build_norms(c, c->mode == CF_ITEM ? ni : nu, d);
out:
	free(ioff);
	free(iuser);
	free(fill);
	free(ival);
	return rc;
}

/*
 * A model from rows ev[0..n) whose u and i index the tables u0 and i0.
 * Fills urank and irank (first-seen index -> byte-order index) and rewrites
 * ev's indices to byte order.  Returns NULL with d filled.
 */
static struct cf *
from_events(const struct strtab *u0, const struct strtab *i0, struct ev *ev, size_t n,
    const struct cf_opts *o, size_t *urank, size_t *irank, struct diag *d)
{
	struct cf *c = calloc(1, sizeof *c);
	size_t p, m, nu;

	if (c == NULL) {
		oom(d);
		return NULL;
	}
	c->mode = o->mode;
	c->rated = o->rating != NULL;
	c->k = o->k;
	if ((c->users = sorted_copy(u0, urank)) == NULL ||
	    (c->items = sorted_copy(i0, irank)) == NULL) {
		oom(d);
		goto fail;
	}
	for (p = 0; p < n; p++) {
		ev[p].u = urank[ev[p].u];
		ev[p].i = irank[ev[p].i];
	}
	qsort(ev, n, sizeof *ev, cmp_ev);
	nu = strtab_n(c->users);
	c->uoff = calloc(nu + 1, sizeof *c->uoff);
	c->uitem = malloc((n + 1) * sizeof *c->uitem);
	c->urate = malloc((n + 1) * sizeof *c->urate);
	if (c->uoff == NULL || c->uitem == NULL || c->urate == NULL) {
		oom(d);
		goto fail;
	}
	/* One cell per pair: a repeated purchase adds nothing, a later rating replaces. */
	for (p = m = 0; p < n; p++) {
		if (p > 0 && ev[p].u == ev[p - 1].u && ev[p].i == ev[p - 1].i) {
			c->urate[m - 1] = ev[p].r;
			continue;
		}
		c->uitem[m] = ev[p].i;
		c->urate[m] = ev[p].r;
		m++;
		c->uoff[ev[p].u + 1] = m;
	}
	for (p = 1; p <= nu; p++)
		if (c->uoff[p] < c->uoff[p - 1])
			c->uoff[p] = c->uoff[p - 1];
	if (centre(c, d) < 0 || build_similarity(c, d) < 0)
		goto fail;
	return c;
fail:
	cf_free(c);
	return NULL;
}

/* The rows of r as events; time_col (may be NULL) gives ev.day. */
static int
read_events(struct csvio_reader *r, const char *user, const char *item, const char *rating,
    const char *time_col, struct strtab *u0, struct strtab *i0, struct ev **evp, size_t *np,
    struct diag *d)
{
	struct ev *ev = NULL;
	size_t n = 0, cap = 0;
	long uidx, iidx, ridx = -1, tidx = -1, ui, ii;
	struct csvio_row row;
	int got;

	if ((uidx = csvio_require_col(r, user, d)) < 0 || (iidx = csvio_require_col(r, item, d)) < 0 ||
	    (rating != NULL && (ridx = csvio_require_col(r, rating, d)) < 0) ||
	    (time_col != NULL && (tidx = csvio_require_col(r, time_col, d)) < 0))
		return -1;
	while ((got = csvio_next(r, &row, d)) > 0) {
		double rv = 1;
		long day = 0;
		if ((size_t)uidx >= row.n || (size_t)iidx >= row.n || row.len[uidx] == 0 ||
		    row.len[iidx] == 0)
			continue;
		if (ridx >= 0) {
			int k;
			if ((size_t)ridx >= row.n)
				continue;
			if ((k = field_num(csvio_name(r), &row, ridx, rating, 0, &rv, d)) < 0)
				goto fail;
			if (k == 0)
				continue;
		}
		if (tidx >= 0) {
			struct date dt;
			enum date_status st = DATE_EMPTY;
			if ((size_t)tidx < row.n)
				st = date_parse(row.f[tidx], row.len[tidx], DATE_ORDER_NONE, &dt);
			if (st != DATE_OK) {
				diag_set(d, csvio_name(r), row.line, time_col,
				    (size_t)tidx < row.n ? row.f[tidx] : "",
				    (size_t)tidx < row.n ? row.len[tidx] : 0, "%s",
				    st == DATE_EMPTY ? "missing date" : date_strerror(st));
				goto fail;
			}
			day = date_to_days(&dt);
		}
		ui = strtab_add(u0, row.f[uidx], row.len[uidx]);
		ii = strtab_add(i0, row.f[iidx], row.len[iidx]);
		if (ui < 0 || ii < 0) {
			oom(d);
			goto fail;
		}
		if (n == cap) {
			struct ev *q;
			cap = cap ? cap * 2 : 1024;
			if ((q = realloc(ev, cap * sizeof *q)) == NULL) {
				oom(d);
				goto fail;
			}
			ev = q;
		}
		ev[n].u = (size_t)ui;
		ev[n].i = (size_t)ii;
		ev[n].r = rv;
		ev[n].day = day;
		ev[n].seq = n;
		n++;
	}
	if (got < 0)
		goto fail;
	*evp = ev;
	*np = n;
	return 0;
fail:
	free(ev);
	return -1;
}

struct cf *
cf_build(struct csvio_reader *r, const char *user, const char *item, const struct cf_opts *o,
    struct diag *d)
{
	struct strtab *u0 = strtab_new(), *i0 = strtab_new();
	struct ev *ev = NULL;
	size_t n = 0, *urank = NULL, *irank = NULL;
	struct cf *c = NULL;

	if (u0 == NULL || i0 == NULL) {
		oom(d);
		goto out;
	}
	if (read_events(r, user, item, o->rating, NULL, u0, i0, &ev, &n, d) < 0)
		goto out;
	urank = malloc((strtab_n(u0) + 1) * sizeof *urank);
	irank = malloc((strtab_n(i0) + 1) * sizeof *irank);
	if (urank == NULL || irank == NULL) {
		oom(d);
		goto out;
	}
	c = from_events(u0, i0, ev, n, o, urank, irank, d);
out:
	strtab_free(u0);
	strtab_free(i0);
	free(ev);
	free(urank);
	free(irank);
	return c;
}

/*
 * Cells being learnt: the rows as events, with the tables of names they
 * index.  seq keeps growing across reads and merges, so a later row, or a
 * row of a later part, replaces an earlier rating.
 */
struct cf_cells {
	int rated;
	struct strtab *u0, *i0;
	struct ev *ev;
	size_t n, cap;
};

void
cf_cells_free(struct cf_cells *c)
{
	if (c == NULL)
		return;
	strtab_free(c->u0);
	strtab_free(c->i0);
	free(c->ev);
	free(c);
}

struct cf_cells *
cf_cells_new(int rated, struct diag *d)
{
	struct cf_cells *c = calloc(1, sizeof *c);

	if (c == NULL || (c->u0 = strtab_new()) == NULL || (c->i0 = strtab_new()) == NULL) {
		cf_cells_free(c);
		oom(d);
		return NULL;
	}
	c->rated = rated;
	return c;
}

static int
cells_add(struct cf_cells *c, const char *u, size_t ulen, const char *i, size_t ilen, double r)
{
	long ui = strtab_add(c->u0, u, ulen), ii = strtab_add(c->i0, i, ilen);

	if (ui < 0 || ii < 0)
		return -1;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 1024;
		struct ev *q = realloc(c->ev, cap * sizeof *q);
		if (q == NULL)
			return -1;
		c->ev = q;
		c->cap = cap;
	}
	c->ev[c->n].u = (size_t)ui;
	c->ev[c->n].i = (size_t)ii;
	c->ev[c->n].r = r;
	c->ev[c->n].day = 0;
	c->ev[c->n].seq = c->n;
	c->n++;
	return 0;
}

int
cf_cells_read(struct cf_cells *c, struct csvio_reader *r, const char *user, const char *item,
    const char *rating, struct diag *d)
{
	struct ev *ev = NULL, *q;
	size_t n = 0, p;

	if (read_events(r, user, item, rating, NULL, c->u0, c->i0, &ev, &n, d) < 0)
		return -1;
	if (c->n + n > c->cap) {
		size_t cap = c->n + n;
		if ((q = realloc(c->ev, (cap + 1) * sizeof *q)) == NULL) {
			free(ev);
			return oom(d);
		}
		c->ev = q;
		c->cap = cap;
	}
	for (p = 0; p < n; p++) {
		ev[p].seq = c->n;
		c->ev[c->n++] = ev[p];
	}
	free(ev);
	return 0;
}

/* The cells in (customer, item) byte order, one per pair, the last rating kept. */
static struct ev *
cells_sorted(const struct cf_cells *c, size_t *urank, size_t *irank, size_t *np)
{
	struct ev *ev = malloc((c->n + 1) * sizeof *ev);
	struct strtab *s;
	size_t p, m;

	if (ev == NULL)
		return NULL;
	if ((s = sorted_copy(c->u0, urank)) == NULL) {
		free(ev);
		return NULL;
	}
	strtab_free(s);
	if ((s = sorted_copy(c->i0, irank)) == NULL) {
		free(ev);
		return NULL;
	}
	strtab_free(s);
	for (p = 0; p < c->n; p++) {
		ev[p] = c->ev[p];
		ev[p].u = urank[ev[p].u];
		ev[p].i = irank[ev[p].i];
	}
	qsort(ev, c->n, sizeof *ev, cmp_ev);
	for (p = m = 0; p < c->n; p++) {
		if (m > 0 && ev[p].u == ev[m - 1].u && ev[p].i == ev[m - 1].i)
			ev[m - 1] = ev[p];
		else
			ev[m++] = ev[p];
	}
	*np = m;
	return ev;
}

json_t *
cf_cells_part(const struct cf_cells *c)
{
	size_t nu = strtab_n(c->u0), ni = strtab_n(c->i0), n = 0, p;
	size_t *urank = malloc((nu + 1) * sizeof *urank), *irank = malloc((ni + 1) * sizeof *irank);
	size_t *uname = malloc((nu + 1) * sizeof *uname), *iname = malloc((ni + 1) * sizeof *iname);
	json_t *o = json_object(), *users = json_object(), *list = NULL, *e;
	struct ev *ev = NULL;

	if (urank == NULL || irank == NULL || uname == NULL || iname == NULL || o == NULL ||
	    users == NULL || (ev = cells_sorted(c, urank, irank, &n)) == NULL)
		goto nomem;
	json_object_set_new(o, "rating", json_boolean(c->rated));
	json_object_set_new(o, "users", users);
	users = NULL;
	for (p = 0; p < nu; p++)
		uname[urank[p]] = p;
	for (p = 0; p < ni; p++)
		iname[irank[p]] = p;
	for (p = 0; p < n; p++) {
		const char *item = strtab_str(c->i0, iname[ev[p].i], NULL);
		if (p == 0 || ev[p].u != ev[p - 1].u) {
			if ((list = json_array()) == NULL || json_object_set_new(json_object_get(o, "users"),
			    strtab_str(c->u0, uname[ev[p].u], NULL), list) < 0)
				goto nomem;
		}
		e = c->rated ? json_pack("[s,f]", item, ev[p].r) : json_string(item);
		if (e == NULL || json_array_append_new(list, e) < 0)
			goto nomem;
	}
	goto out;
nomem:
	json_decref(o);
	o = NULL;
out:
	json_decref(users);
	free(ev);
	free(urank);
	free(irank);
	free(uname);
	free(iname);
	return o;
}

int
cf_cells_merge(struct cf_cells *c, const json_t *part, const char *name, struct diag *d)
{
	const json_t *users = json_object_get(part, "users"), *rated = json_object_get(part, "rating");
	const char *u;
	json_t *list;
	size_t p;

	if (!json_is_object(users) || !json_is_boolean(rated) || json_is_true(rated) != c->rated)
		goto bad;
	json_object_foreach((json_t *)users, u, list) {
		if (!json_is_array(list))
			goto bad;
		for (p = 0; p < json_array_size(list); p++) {
			const json_t *e = json_array_get(list, p), *it = e;
			double r = 1;
			if (c->rated) {
				if (!json_is_array(e) || json_array_size(e) != 2 ||
				    !json_is_number(json_array_get(e, 1)) ||
				    !isfinite(r = json_number_value(json_array_get(e, 1))))
					goto bad;
				it = json_array_get(e, 0);
			}
			if (!json_is_string(it) || json_string_length(it) == 0 || u[0] == '\0')
				goto bad;
			if (cells_add(c, u, strlen(u), json_string_value(it), json_string_length(it), r) < 0)
				return oom(d);
		}
	}
	return 0;
bad:
	return diag_set(d, name, 0, NULL, NULL, 0, "bad part: cf purchases");
}

struct cf *
cf_cells_build(const struct cf_cells *c, const struct cf_opts *o, struct diag *d)
{
	size_t *urank = malloc((strtab_n(c->u0) + 1) * sizeof *urank);
	size_t *irank = malloc((strtab_n(c->i0) + 1) * sizeof *irank);
	struct ev *ev = malloc((c->n + 1) * sizeof *ev);
	struct cf *m = NULL;

	if (urank == NULL || irank == NULL || ev == NULL) {
		oom(d);
		goto out;
	}
	if (c->n > 0)
		memcpy(ev, c->ev, c->n * sizeof *ev);
	m = from_events(c->u0, c->i0, ev, c->n, o, urank, irank, d);
out:
	free(urank);
	free(irank);
	free(ev);
	return m;
}

static json_t *
neighbour_list(const struct cf *c, const struct strtab *names, size_t e)
{
	json_t *a = json_array(), *pair;
	size_t p;

	if (a == NULL)
		return NULL;
	for (p = c->noff[e]; p < c->noff[e + 1]; p++) {
		pair = json_pack("[s,f]", strtab_str(names, c->nid[p], NULL), c->nsim[p]);
		if (pair == NULL || json_array_append_new(a, pair) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *
cf_to_json(const struct cf *c)
{
	json_t *o = json_object(), *items = json_object(), *users = json_object();
	json_t *nbs = c->mode == CF_USER ? json_object() : NULL, *a, *e;
	size_t ni = strtab_n(c->items), nu = strtab_n(c->users), i, p;

	if (o == NULL || items == NULL || users == NULL || (c->mode == CF_USER && nbs == NULL)) {
		json_decref(o);
		json_decref(items);
		json_decref(users);
		json_decref(nbs);
		return NULL;
	}
	json_object_set_new(o, "mode", json_string(c->mode == CF_USER ? "user" : "item"));
	json_object_set_new(o, "rating", json_boolean(c->rated));
	json_object_set_new(o, "k", json_integer(c->k));
	json_object_set_new(o, "items", items);
	if (nbs != NULL)
		json_object_set_new(o, "neighbours", nbs);
	json_object_set_new(o, "users", users);
	for (i = 0; i < ni; i++) {
		a = c->mode == CF_ITEM ? neighbour_list(c, c->items, i) : json_array();
		if (a == NULL || json_object_set_new(items, strtab_str(c->items, i, NULL), a) < 0)
			goto nomem;
	}
	for (i = 0; i < nu; i++) {
		if (nbs != NULL && ((a = neighbour_list(c, c->users, i)) == NULL ||
		    json_object_set_new(nbs, strtab_str(c->users, i, NULL), a) < 0))
			goto nomem;
		if ((a = json_array()) == NULL)
			goto nomem;
		for (p = c->uoff[i]; p < c->uoff[i + 1]; p++) {
			const char *name = strtab_str(c->items, c->uitem[p], NULL);
			e = c->rated ? json_pack("[s,f]", name, c->urate[p]) : json_string(name);
			if (e == NULL || json_array_append_new(a, e) < 0) {
				json_decref(a);
				goto nomem;
			}
		}
		if (json_object_set_new(users, strtab_str(c->users, i, NULL), a) < 0)
			goto nomem;
	}
	return o;
nomem:
	json_decref(o);
	return NULL;
}

static int
bad_model(struct diag *d, const char *what)
{
	return diag_set(d, NULL, 0, NULL, NULL, 0, "cf: %s", what);
}

/* Names of obj's keys into t (in the object's order); -1 on a repeated name. */
static int
load_names(const json_t *obj, struct strtab *t, struct diag *d)
{
	const char *name;
	json_t *v;

	json_object_foreach((json_t *)obj, name, v) {
		long before = (long)strtab_n(t), id = strtab_add(t, name, strlen(name));
		(void)v;
		if (id < 0)
			return oom(d);
		if (id < before)
			return bad_model(d, "a name given twice");
	}
	return 0;
}

/*
 * Neighbour lists of obj, whose keys must be the entities of names in their
 * order (items or customers), each list naming entities of names.
 */
static int
load_neighbours(struct cf *c, const json_t *obj, const struct strtab *names, struct diag *d)
{
	size_t ne = json_object_size(obj), total = 0, i = 0, p;
	const char *name;
	json_t *v, *e;
	long id;

	json_object_foreach((json_t *)obj, name, v) {
		if (!json_is_array(v))
			return bad_model(d, "bad neighbour list");
		total += json_array_size(v);
	}
	c->noff = calloc(ne + 1, sizeof *c->noff);
	c->nid = malloc((total + 1) * sizeof *c->nid);
	c->nsim = malloc((total + 1) * sizeof *c->nsim);
	if (c->noff == NULL || c->nid == NULL || c->nsim == NULL)
		return oom(d);
	total = 0;
	json_object_foreach((json_t *)obj, name, v) {
		if (i >= strtab_n(names) || strcmp(strtab_str(names, i, NULL), name) != 0)
			return bad_model(d, "neighbour lists not in the order of their names");
		for (p = 0; p < json_array_size(v); p++) {
			e = json_array_get(v, p);
			if (!json_is_array(e) || json_array_size(e) != 2 ||
			    !json_is_string(json_array_get(e, 0)) ||
			    !json_is_number(json_array_get(e, 1)) ||
			    !isfinite(json_number_value(json_array_get(e, 1))) ||
			    (id = strtab_find(names, json_string_value(json_array_get(e, 0)),
			    json_string_length(json_array_get(e, 0)))) < 0)
				return bad_model(d, "bad neighbour list");
			c->nid[total] = (size_t)id;
			c->nsim[total] = json_number_value(json_array_get(e, 1));
			total++;
		}
		c->noff[++i] = total;
	}
	return build_norms(c, ne, d);
}

/* The customer lists of "users" (names already in c->users). */
static int
load_users(struct cf *c, const json_t *users, struct diag *d)
{
	size_t nu = strtab_n(c->users), total = 0, i = 0, p, q;
	const char *name;
	json_t *v, *e, *it;
	long id;

	json_object_foreach((json_t *)users, name, v) {
		if (!json_is_array(v))
			return bad_model(d, "bad neighbour or purchase list");
		total += json_array_size(v);
	}
	c->uoff = calloc(nu + 1, sizeof *c->uoff);
	c->uitem = malloc((total + 1) * sizeof *c->uitem);
	c->urate = malloc((total + 1) * sizeof *c->urate);
	if (c->uoff == NULL || c->uitem == NULL || c->urate == NULL)
		return oom(d);
	total = 0;
	json_object_foreach((json_t *)users, name, v) {
		size_t first = total;
		for (p = 0; p < json_array_size(v); p++) {
			double r = 1;
			e = json_array_get(v, p);
			it = e;
			if (c->rated) {
				if (!json_is_array(e) || json_array_size(e) != 2 ||
				    !json_is_number(json_array_get(e, 1)) ||
				    !isfinite(r = json_number_value(json_array_get(e, 1))))
					return bad_model(d, "bad rating list");
				it = json_array_get(e, 0);
			}
			if (!json_is_string(it) ||
			    (id = strtab_find(c->items, json_string_value(it), json_string_length(it))) < 0)
				return bad_model(d, "bad neighbour or purchase list");
			c->uitem[total] = (size_t)id;
			c->urate[total] = r;
			total++;
		}
		/* Ascending items, ratings alongside (insertion sort: lists are short and sorted). */
		for (p = first + 1; p < total; p++)
			for (q = p; q > first && c->uitem[q - 1] >= c->uitem[q]; q--) {
				size_t ti = c->uitem[q];
				double tr = c->urate[q];
				if (c->uitem[q - 1] == ti)
					return bad_model(d, "an item listed twice for one customer");
				c->uitem[q] = c->uitem[q - 1];
				c->urate[q] = c->urate[q - 1];
				c->uitem[q - 1] = ti;
				c->urate[q - 1] = tr;
			}
		c->uoff[++i] = total;
	}
	return 0;
}

struct cf *
cf_from_json(const json_t *j, struct diag *d)
{
	struct cf *c = calloc(1, sizeof *c);
	const json_t *items = json_object_get(j, "items"), *users = json_object_get(j, "users");
	const json_t *kv = json_object_get(j, "k"), *mode = json_object_get(j, "mode");
	const json_t *rated = json_object_get(j, "rating"), *nbs = json_object_get(j, "neighbours");

	if (c == NULL) {
		oom(d);
		return NULL;
	}
	if (!json_is_object(items) || !json_is_object(users) || !json_is_integer(kv) ||
	    json_integer_value(kv) < 1) {
		bad_model(d, "bad \"k\", \"items\" or \"users\"");
		goto fail;
	}
	c->k = (long)json_integer_value(kv);
	if (mode != NULL) {
		if (json_is_string(mode) && strcmp(json_string_value(mode), "item") == 0)
			c->mode = CF_ITEM;
		else if (json_is_string(mode) && strcmp(json_string_value(mode), "user") == 0)
			c->mode = CF_USER;
		else {
			bad_model(d, "\"mode\" is neither \"item\" nor \"user\"");
			goto fail;
		}
	}
	if (rated != NULL && !json_is_boolean(rated)) {
		bad_model(d, "\"rating\" is not true or false");
		goto fail;
	}
	c->rated = rated != NULL && json_is_true(rated);
	if (c->mode == CF_USER && (!json_is_object(nbs) ||
	    json_object_size(nbs) != json_object_size(users))) {
		bad_model(d, "a user-based model needs \"neighbours\" for every customer");
		goto fail;
	}
	if ((c->items = strtab_new()) == NULL || (c->users = strtab_new()) == NULL) {
		oom(d);
		goto fail;
	}
	if (load_names(items, c->items, d) < 0 || load_names(users, c->users, d) < 0 ||
	    load_users(c, users, d) < 0 || centre(c, d) < 0)
		goto fail;
	if (c->mode == CF_ITEM ? load_neighbours(c, items, c->items, d) :
	    load_neighbours(c, nbs, c->users, d))
		goto fail;
	return c;
fail:
	cf_free(c);
	return NULL;
}

/* Position of item i in customer u's list, or -1 (binary search). */
static long
find_item(const struct cf *c, size_t u, size_t i)
{
	size_t lo = c->uoff[u], hi = c->uoff[u + 1];

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->uitem[mid] == i)
			return (long)mid;
		if (c->uitem[mid] < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* score(u, i) as cf.h defines it; *support = 0 when no neighbour counts. */
static double
score_of(const struct cf *c, size_t u, size_t i, int *support)
{
	double num = 0, den = 0;
	size_t p, e = c->mode == CF_ITEM ? i : u;
	long at;

	*support = 0;
	for (p = c->noff[e]; p < c->noff[e + 1]; p++) {
		at = c->mode == CF_ITEM ? find_item(c, u, c->nid[p]) : find_item(c, c->nid[p], i);
		if (at < 0)
			continue;
		*support = 1;
		if (c->rated) {
			num += c->nsim[p] * c->cell[at];
			den += c->nsim[p];
		} else {
			num += c->nsim[p];
		}
	}
	if (c->rated) {
		double base = c->mode == CF_ITEM ? c->imean[i] : c->umean[u];
		return den > 0 ? base + num / den : base;
	}
	return c->norm[e] > 0 ? num / c->norm[e] : 0;
}

double
cf_score(const struct cf *c, const char *u, size_t ulen, const char *i, size_t ilen, int *known)
{
	long ui = strtab_find(c->users, u, ulen), ii = strtab_find(c->items, i, ilen);
	int support;

	*known = ui >= 0 && ii >= 0;
	if (!*known)
		return c->rated ? c->gmean : 0;
	return score_of(c, (size_t)ui, (size_t)ii, &support);
}

/*
 * Scratch for ranking one customer's candidates.  Item-based, rev lists
 * for each item j the items whose neighbour j is (rid, with the sim in
 * rsim), and acc/den gather every candidate's sums in one sweep over the
 * customer's items; stamp marks the items already seen for customer u + 1.
 */
struct ranker {
	size_t *roff, *rid, *stamp, *touched;
	double *rsim, *acc, *den;
	struct nb *cand;
};

static void
ranker_fini(struct ranker *k)
{
	free(k->roff);
	free(k->rid);
	free(k->rsim);
	free(k->stamp);
	free(k->touched);
	free(k->acc);
	free(k->den);
	free(k->cand);
}

static int
ranker_init(struct ranker *k, const struct cf *c, struct diag *d)
{
	size_t ni = strtab_n(c->items), i, p, *fill = NULL;

	memset(k, 0, sizeof *k);
	k->stamp = calloc(ni + 1, sizeof *k->stamp);
	k->touched = malloc((ni + 1) * sizeof *k->touched);
	k->acc = malloc((ni + 1) * sizeof *k->acc);
	k->den = malloc((ni + 1) * sizeof *k->den);
	k->cand = malloc((ni + 1) * sizeof *k->cand);
	if (k->stamp == NULL || k->touched == NULL || k->acc == NULL || k->den == NULL ||
	    k->cand == NULL)
		goto nomem;
	if (c->mode != CF_ITEM)
		return 0;
	k->roff = calloc(ni + 1, sizeof *k->roff);
	k->rid = malloc((c->noff[ni] + 1) * sizeof *k->rid);
	k->rsim = malloc((c->noff[ni] + 1) * sizeof *k->rsim);
	fill = calloc(ni + 1, sizeof *fill);
	if (k->roff == NULL || k->rid == NULL || k->rsim == NULL || fill == NULL)
		goto nomem;
	for (p = 0; p < c->noff[ni]; p++)
		k->roff[c->nid[p] + 1]++;
	for (i = 0; i < ni; i++)
		k->roff[i + 1] += k->roff[i];
	for (i = 0; i < ni; i++)
		for (p = c->noff[i]; p < c->noff[i + 1]; p++) {
			size_t at = k->roff[c->nid[p]] + fill[c->nid[p]]++;
			k->rid[at] = i;
			k->rsim[at] = c->nsim[p];
		}
	free(fill);
	return 0;
nomem:
	free(fill);
	ranker_fini(k);
	return oom(d);
}

/*
 * Candidate i of customer u with its exact score (score_of, the same double
 * cf_score gives) into k->cand[*n]; nothing when u has i or no neighbour
 * supports it.
 */
static void
consider(const struct cf *c, struct ranker *k, size_t u, size_t i, size_t *n)
{
	int support;
	double s;

	if (find_item(c, u, i) >= 0)
		return;
	s = score_of(c, u, i, &support);
	if (!support || (!c->rated && !(s > 0)))
		return;
	k->cand[*n].j = i;
	k->cand[*n].sim = s;
	(*n)++;
}

/*
 * Item-based: every candidate's score summed in one sweep over u's items
 * (in another order than score_of, so equal to it up to rounding), the
 * K best of those by that sum, widened by a margin far above any rounding
 * (1e-9 relative), then scored exactly.  Returns how many are in k->cand.
 */
static size_t
rank_by_items(const struct cf *c, struct ranker *k, size_t u, size_t K)
{
	size_t nt = 0, n = 0, p, q, t;
	double thr;

	for (p = c->uoff[u]; p < c->uoff[u + 1]; p++) {
		size_t j = c->uitem[p];
		double v = c->cell[p];
		for (q = k->roff[j]; q < k->roff[j + 1]; q++) {
			size_t i = k->rid[q];
			if (k->stamp[i] != u + 1) {
				k->stamp[i] = u + 1;
				k->acc[i] = k->den[i] = 0;
				k->touched[nt++] = i;
			}
			k->acc[i] += k->rsim[q] * v;
			k->den[i] += k->rsim[q];
		}
	}
	for (t = 0; t < nt; t++) {
		size_t i = k->touched[t];
		if (find_item(c, u, i) >= 0)
			continue;
		k->cand[n].j = i;
		k->cand[n].sim = c->rated ? (k->den[i] > 0 ? c->imean[i] + k->acc[i] / k->den[i] :
		    c->imean[i]) : (c->norm[i] > 0 ? k->acc[i] / c->norm[i] : 0);
		n++;
	}
	if (n > K) {
		/* The K-th best by the sums, then every candidate near or above it. */
		size_t keep = 0;
		struct nb *a = k->cand;
		select_top(a, n, K);
		thr = a[K - 1].sim;
		thr -= 1e-9 * fmax(1, fabs(thr));
		for (t = 0; t < nt; t++) {
			size_t i = k->touched[t];
			double s;
			if (find_item(c, u, i) >= 0)
				continue;
			s = c->rated ? (k->den[i] > 0 ? c->imean[i] + k->acc[i] / k->den[i] :
			    c->imean[i]) : (c->norm[i] > 0 ? k->acc[i] / c->norm[i] : 0);
			if (s >= thr)
				k->touched[keep++] = i;
		}
		nt = keep;
	} else {
		for (t = 0; t < n; t++)
			k->touched[t] = k->cand[t].j;
		nt = n;
	}
	for (t = n = 0; t < nt; t++)
		consider(c, k, u, k->touched[t], &n);
	return select_top(k->cand, n, K);
}

/*
 * The K best candidates of customer u, sorted, into k->cand; returns how
 * many.  Candidates are exactly the items with support: item-based, items
 * having a neighbour u has; user-based, items a neighbour of u has.
 */
static size_t
rank_user(const struct cf *c, struct ranker *k, size_t u, size_t K)
{
	size_t n = 0, p, q;

	if (c->mode == CF_ITEM)
		return rank_by_items(c, k, u, K);
	for (p = c->noff[u]; p < c->noff[u + 1]; p++) {
		size_t w = c->nid[p];
		for (q = c->uoff[w]; q < c->uoff[w + 1]; q++) {
			size_t i = c->uitem[q];
			if (k->stamp[i] == u + 1)
				continue;
			k->stamp[i] = u + 1;
			consider(c, k, u, i, &n);
		}
	}
	return select_top(k->cand, n, K);
}

int
cf_recommend(const struct cf *c, long K, struct csvio_writer *w, struct diag *d)
{
	size_t nu = strtab_n(c->users), u, n, r, len;
	struct ranker k;
	const char *s;

	if (ranker_init(&k, c, d) < 0)
		return -1;
	for (u = 0; u < nu; u++) {
		n = rank_user(c, &k, u, (size_t)K);
		for (r = 0; r < n; r++) {
			s = strtab_str(c->users, u, &len);
			csvio_put(w, s, len);
			s = strtab_str(c->items, k.cand[r].j, &len);
			csvio_put(w, s, len);
			csvio_put_long(w, (long long)r + 1);
			csvio_put_num(w, k.cand[r].sim);
			csvio_end(w);
		}
	}
	ranker_fini(&k);
	return 0;
}

/* An item's first row for a customer: sort key of the held-out split. */
struct first {
	size_t u, i;
	long day;
	size_t seq;
};

static int
cmp_first(const void *x, const void *y)
{
	const struct first *p = x, *q = y;

	if (p->u != q->u)
		return p->u < q->u ? -1 : 1;
	if (p->day != q->day)
		return p->day < q->day ? -1 : 1;
	return (p->seq > q->seq) - (p->seq < q->seq);
}

static int
cmp_pair(const void *x, const void *y)
{
	const struct first *p = x, *q = y;

	if (p->u != q->u)
		return p->u < q->u ? -1 : 1;
	return (p->i > q->i) - (p->i < q->i);
}

static int
cmp_ev_first(const void *x, const void *y)
{
	const struct ev *p = x, *q = y;

	if (p->u != q->u)
		return p->u < q->u ? -1 : 1;
	if (p->i != q->i)
		return p->i < q->i ? -1 : 1;
	if (p->day != q->day)
		return p->day < q->day ? -1 : 1;
	return (p->seq > q->seq) - (p->seq < q->seq);
}

/* Adds one customer's list rec[0..n) scored against test[0..nt) (ascending). */
static void
score_list(struct cf_metrics *m, const size_t *rec, size_t n, long K, const size_t *test,
    size_t nt, unsigned char *shown)
{
	double dcg = 0, idcg = 0;
	size_t r, hits = 0;

	for (r = 0; r < n; r++) {
		shown[rec[r]] = 1;
		if (bsearch(&rec[r], test, nt, sizeof *test, cmp_size) != NULL) {
			hits++;
			dcg += 1 / log2((double)r + 2);
		}
	}
	for (r = 0; r < nt && r < (size_t)K; r++)
		idcg += 1 / log2((double)r + 2);
	m->precision += (double)hits / (double)K;
	m->recall += (double)hits / (double)nt;
	m->ndcg += dcg / idcg;
	m->hit_rate += hits > 0;
	m->users++;
}

static void
finish_metrics(struct cf_metrics *m, const unsigned char *shown, size_t ni, size_t catalogue)
{
	size_t i, n = 0;

	for (i = 0; i < ni; i++)
		n += shown[i];
	if (m->users > 0) {
		m->precision /= (double)m->users;
		m->recall /= (double)m->users;
		m->ndcg /= (double)m->users;
		m->hit_rate /= (double)m->users;
	}
	m->coverage = catalogue > 0 ? (double)n / (double)catalogue : 0;
}

int
cf_evaluate(struct csvio_reader *r, const char *user, const char *item, const struct cf_opts *o,
    const struct cf_eval_opts *e, struct cf_metrics *cf_out, struct cf_metrics *pop_out,
    struct diag *d)
{
	struct strtab *u0 = strtab_new(), *i0 = strtab_new();
	struct ev *ev = NULL, *train = NULL;
	struct first *fr = NULL;
	size_t n = 0, nf = 0, ntrain = 0, ntest = 0, p, q, a, b, u, ni, nu, catalogue = 0;
	size_t *urank = NULL, *irank = NULL, *test = NULL, *toff = NULL, *pop = NULL, *rec = NULL;
	size_t npop = 0;
	double *cnt = NULL;
	unsigned char *shown_cf = NULL, *shown_pop = NULL;
	struct cf *c = NULL;
	struct ranker k = { 0 };
	int rc = -1;

	memset(cf_out, 0, sizeof *cf_out);
	memset(pop_out, 0, sizeof *pop_out);
	if (u0 == NULL || i0 == NULL)
		goto nomem;
	if (read_events(r, user, item, o->rating, e->time_col, u0, i0, &ev, &n, d) < 0)
		goto out;
	/* Each (customer, item)'s first row, then each customer's last items. */
	qsort(ev, n, sizeof *ev, cmp_ev_first);
	if ((fr = malloc((n + 1) * sizeof *fr)) == NULL)
		goto nomem;
	for (p = 0; p < n; p++)
		if (p == 0 || ev[p].u != ev[p - 1].u || ev[p].i != ev[p - 1].i) {
			fr[nf].u = ev[p].u;
			fr[nf].i = ev[p].i;
			fr[nf].day = ev[p].day;
			fr[nf].seq = ev[p].seq;
			nf++;
		}
	qsort(fr, nf, sizeof *fr, cmp_first);
	/* A customer's last test_last items are held out (marked by seq). */
	for (a = 0; a < nf; a = b) {
		for (b = a; b < nf && fr[b].u == fr[a].u; b++)
			;
		if (b - a > (size_t)e->test_last)
			for (p = b - (size_t)e->test_last; p < b; p++)
				fr[p].seq = (size_t)-1;   /* held out */
	}
	/* The held-out pairs, by (customer, item) to merge against ev's order. */
	for (p = 0, q = 0; p < nf; p++)
		if (fr[p].seq == (size_t)-1)
			fr[q++] = fr[p];
	ntest = q;
	if (ntest == 0) {
		diag_set(d, csvio_name(r), 0, NULL, NULL, 0,
		    "no customer has more than %ld item%s to hold out", e->test_last,
		    e->test_last == 1 ? "" : "s");
		goto out;
	}
	qsort(fr, ntest, sizeof *fr, cmp_pair);
	if ((train = malloc((n + 1) * sizeof *train)) == NULL)
		goto nomem;
	for (p = 0, q = 0; p < n; p++) {
		while (q < ntest && (fr[q].u < ev[p].u || (fr[q].u == ev[p].u && fr[q].i < ev[p].i)))
			q++;
		if (!(q < ntest && fr[q].u == ev[p].u && fr[q].i == ev[p].i))
			train[ntrain++] = ev[p];
	}
	urank = malloc((strtab_n(u0) + 1) * sizeof *urank);
	irank = malloc((strtab_n(i0) + 1) * sizeof *irank);
	if (urank == NULL || irank == NULL)
		goto nomem;
	if ((c = from_events(u0, i0, train, ntrain, o, urank, irank, d)) == NULL)
		goto out;
	nu = strtab_n(c->users);
	ni = strtab_n(c->items);
	/* Held-out items per customer, in byte-order indices, ascending. */
	toff = calloc(nu + 2, sizeof *toff);
	test = malloc((ntest + 1) * sizeof *test);
	if (toff == NULL || test == NULL)
		goto nomem;
	for (p = 0; p < ntest; p++)
		toff[urank[fr[p].u] + 1]++;
	for (u = 0; u < nu; u++)
		toff[u + 1] += toff[u];
	{
		size_t *fill = calloc(nu + 1, sizeof *fill);
		if (fill == NULL)
			goto nomem;
		for (p = 0; p < ntest; p++) {
			u = urank[fr[p].u];
			test[toff[u] + fill[u]++] = irank[fr[p].i];
		}
		free(fill);
	}
	for (u = 0; u < nu; u++)
		qsort(test + toff[u], toff[u + 1] - toff[u], sizeof *test, cmp_size);
	/* Popularity: distinct training customers per item, then name. */
	cnt = calloc(ni + 1, sizeof *cnt);
	pop = malloc((ni + 1) * sizeof *pop);
	rec = malloc(((size_t)e->K + 1) * sizeof *rec);
	shown_cf = calloc(ni + 1, 1);
	shown_pop = calloc(ni + 1, 1);
	if (cnt == NULL || pop == NULL || rec == NULL || shown_cf == NULL || shown_pop == NULL)
		goto nomem;
	for (p = 0; p < c->uoff[nu]; p++)
		cnt[c->uitem[p]] += 1;
	{
		struct nb *by = malloc((ni + 1) * sizeof *by);
		if (by == NULL)
			goto nomem;
		for (p = 0; p < ni; p++)
			if (cnt[p] > 0) {
				by[npop].j = p;
				by[npop].sim = cnt[p];
				npop++;
			}
		qsort(by, npop, sizeof *by, cmp_nb);
		for (p = 0; p < npop; p++)
			pop[p] = by[p].j;
		free(by);
	}
	catalogue = npop;
	if (ranker_init(&k, c, d) < 0)
		goto out;
	for (u = 0; u < nu; u++) {
		size_t nt = toff[u + 1] - toff[u], m;
		if (nt == 0)
			continue;
		m = rank_user(c, &k, u, (size_t)e->K);
		for (p = 0; p < m && p < (size_t)e->K; p++)
			rec[p] = k.cand[p].j;
		score_list(cf_out, rec, p, e->K, test + toff[u], nt, shown_cf);
		for (p = q = 0; p < npop && q < (size_t)e->K; p++)
			if (find_item(c, u, pop[p]) < 0)
				rec[q++] = pop[p];
		score_list(pop_out, rec, q, e->K, test + toff[u], nt, shown_pop);
	}
	finish_metrics(cf_out, shown_cf, ni, catalogue);
	finish_metrics(pop_out, shown_pop, ni, catalogue);
	rc = 0;
	goto out;
nomem:
	oom(d);
out:
	ranker_fini(&k);
	cf_free(c);
	strtab_free(u0);
	strtab_free(i0);
	free(ev);
	free(train);
	free(fr);
	free(urank);
	free(irank);
	free(test);
	free(toff);
	free(cnt);
	free(pop);
	free(rec);
	free(shown_cf);
	free(shown_pop);
	return rc;
}
