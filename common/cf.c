/* cf.c - see cf.h. */
#include "cf.h"
#include "strtab.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * Items and customers are numbered in byte order of their names, so a tie
 * broken by index is a tie broken by name.  Lists are in CSR form: the
 * items of customer u are uitem[uoff[u] .. uoff[u + 1]) (ascending), the
 * neighbours of item i are nitem/nsim[noff[i] .. noff[i + 1]) (by sim
 * descending, then name).
 */
struct cf {
	struct strtab *items, *users;
	size_t *uoff, *uitem;
	size_t *noff, *nitem;
	double *nsim, *norm;
	long k;
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
	free(c->noff);
	free(c->nitem);
	free(c->nsim);
	free(c->norm);
	free(c);
}

struct pair {
	size_t a, b;
};

static int
cmp_pair(const void *x, const void *y)
{
	const struct pair *p = x, *q = y;

	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return (p->b > q->b) - (p->b < q->b);
}

struct nb {
	size_t j;
	double sim;
};

static int
cmp_nb(const void *x, const void *y)
{
	const struct nb *p = x, *q = y;

	if (p->sim != q->sim)
		return p->sim > q->sim ? -1 : 1;
	return (p->j > q->j) - (p->j < q->j);
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

/* Neighbours of every item from the customer lists (c->uoff/uitem set). */
static int
build_neighbours(struct cf *c, struct diag *d)
{
	size_t ni = strtab_n(c->items), nu = strtab_n(c->users), npairs = c->uoff[nu];
	size_t *ioff = calloc(ni + 1, sizeof *ioff), *iuser = malloc((npairs + 1) * sizeof *iuser);
	size_t *fill = calloc(ni + 1, sizeof *fill), *touched = malloc((ni + 1) * sizeof *touched);
	double *co = calloc(ni + 1, sizeof *co);
	struct nb *cand = malloc((ni + 1) * sizeof *cand);
	size_t i, u, p, q, nt, nn, kk, total = 0, cap = 0;
	int rc = -1;

	c->noff = calloc(ni + 1, sizeof *c->noff);
	if (ioff == NULL || iuser == NULL || fill == NULL || touched == NULL || co == NULL ||
	    cand == NULL || c->noff == NULL) {
		oom(d);
		goto out;
	}
	/* Customers of each item (transpose of the customer lists). */
	for (p = 0; p < npairs; p++)
		ioff[c->uitem[p] + 1]++;
	for (i = 0; i < ni; i++)
		ioff[i + 1] += ioff[i];
	for (u = 0; u < nu; u++)
		for (p = c->uoff[u]; p < c->uoff[u + 1]; p++) {
			i = c->uitem[p];
			iuser[ioff[i] + fill[i]++] = u;
		}
	for (i = 0; i < ni; i++) {
		/* co[j] = customers who bought both i and j. */
		nt = 0;
		for (p = ioff[i]; p < ioff[i + 1]; p++) {
			u = iuser[p];
			for (q = c->uoff[u]; q < c->uoff[u + 1]; q++) {
				size_t j = c->uitem[q];
				if (j == i)
					continue;
				if (co[j] == 0)
					touched[nt++] = j;
				co[j] += 1;
			}
		}
		for (nn = 0; nn < nt; nn++) {
			size_t j = touched[nn];
			double ni_ = (double)(ioff[i + 1] - ioff[i]), nj = (double)(ioff[j + 1] - ioff[j]);
			cand[nn].j = j;
			cand[nn].sim = co[j] / sqrt(ni_ * nj);
			co[j] = 0;
		}
		qsort(cand, nt, sizeof *cand, cmp_nb);
		kk = nt < (size_t)c->k ? nt : (size_t)c->k;
		if (total + kk > cap) {
			size_t ncap = (total + kk) * 2 + 16;
			size_t *a = realloc(c->nitem, ncap * sizeof *a);
			double *b;
			if (a == NULL) {
				oom(d);
				goto out;
			}
			c->nitem = a;
			if ((b = realloc(c->nsim, ncap * sizeof *b)) == NULL) {
				oom(d);
				goto out;
			}
			c->nsim = b;
			cap = ncap;
		}
		for (nn = 0; nn < kk; nn++) {
			c->nitem[total + nn] = cand[nn].j;
			c->nsim[total + nn] = cand[nn].sim;
		}
		total += kk;
		c->noff[i + 1] = total;
	}
	rc = 0;
out:
	free(ioff);
	free(iuser);
	free(fill);
	free(touched);
	free(co);
	free(cand);
	return rc;
}

/* Sum of each item's neighbour similarities, in stored order. */
static int
build_norms(struct cf *c, struct diag *d)
{
	size_t ni = strtab_n(c->items), i, p;

	if ((c->norm = calloc(ni + 1, sizeof *c->norm)) == NULL)
		return oom(d);
	for (i = 0; i < ni; i++)
		for (p = c->noff[i]; p < c->noff[i + 1]; p++)
			c->norm[i] += c->nsim[p];
	return 0;
}

struct cf *
cf_build(struct csvio_reader *r, const char *user, const char *item, long k, struct diag *d)
{
	struct cf *c = calloc(1, sizeof *c);
	struct strtab *u0 = strtab_new(), *i0 = strtab_new();
	struct pair *pairs = NULL;
	size_t npairs = 0, cap = 0, *urank = NULL, *irank = NULL, p, n, nu;
	struct csvio_row row;
	long uidx, iidx, ui, ii;
	int got;

	if (c == NULL || u0 == NULL || i0 == NULL) {
		oom(d);
		goto fail;
	}
	c->k = k;
	if ((uidx = csvio_require_col(r, user, d)) < 0 || (iidx = csvio_require_col(r, item, d)) < 0)
		goto fail;
	while ((got = csvio_next(r, &row, d)) > 0) {
		if ((size_t)uidx >= row.n || (size_t)iidx >= row.n || row.len[uidx] == 0 ||
		    row.len[iidx] == 0)
			continue;
		ui = strtab_add(u0, row.f[uidx], row.len[uidx]);
		ii = strtab_add(i0, row.f[iidx], row.len[iidx]);
		if (ui < 0 || ii < 0) {
			oom(d);
			goto fail;
		}
		if (npairs == cap) {
			struct pair *q;
			cap = cap ? cap * 2 : 1024;
			if ((q = realloc(pairs, cap * sizeof *q)) == NULL) {
				oom(d);
				goto fail;
			}
			pairs = q;
		}
		pairs[npairs].a = (size_t)ui;
		pairs[npairs].b = (size_t)ii;
		npairs++;
	}
	if (got < 0)
		goto fail;
	urank = malloc((strtab_n(u0) + 1) * sizeof *urank);
	irank = malloc((strtab_n(i0) + 1) * sizeof *irank);
	if (urank == NULL || irank == NULL || (c->users = sorted_copy(u0, urank)) == NULL ||
	    (c->items = sorted_copy(i0, irank)) == NULL) {
		oom(d);
		goto fail;
	}
	for (p = 0; p < npairs; p++) {
		pairs[p].a = urank[pairs[p].a];
		pairs[p].b = irank[pairs[p].b];
	}
	qsort(pairs, npairs, sizeof *pairs, cmp_pair);
	nu = strtab_n(c->users);
	c->uoff = calloc(nu + 1, sizeof *c->uoff);
	c->uitem = malloc((npairs + 1) * sizeof *c->uitem);
	if (c->uoff == NULL || c->uitem == NULL) {
		oom(d);
		goto fail;
	}
	/* Binary matrix: a repeated purchase is one purchase. */
	for (p = n = 0; p < npairs; p++) {
		if (p > 0 && pairs[p].a == pairs[p - 1].a && pairs[p].b == pairs[p - 1].b)
			continue;
		c->uitem[n++] = pairs[p].b;
		c->uoff[pairs[p].a + 1] = n;
	}
	for (p = 1; p <= nu; p++)
		if (c->uoff[p] < c->uoff[p - 1])
			c->uoff[p] = c->uoff[p - 1];
	if (build_neighbours(c, d) < 0 || build_norms(c, d) < 0)
		goto fail;
	strtab_free(u0);
	strtab_free(i0);
	free(pairs);
	free(urank);
	free(irank);
	return c;
fail:
	strtab_free(u0);
	strtab_free(i0);
	free(pairs);
	free(urank);
	free(irank);
	cf_free(c);
	return NULL;
}

json_t *
cf_to_json(const struct cf *c)
{
	json_t *o = json_object(), *items = json_object(), *users = json_object(), *a, *pair;
	size_t ni = strtab_n(c->items), nu = strtab_n(c->users), i, p;

	if (o == NULL || items == NULL || users == NULL) {
		json_decref(o);
		json_decref(items);
		json_decref(users);
		return NULL;
	}
	json_object_set_new(o, "k", json_integer(c->k));
	json_object_set_new(o, "items", items);
	json_object_set_new(o, "users", users);
	for (i = 0; i < ni; i++) {
		if ((a = json_array()) == NULL)
			goto nomem;
		for (p = c->noff[i]; p < c->noff[i + 1]; p++) {
			pair = json_pack("[s,f]", strtab_str(c->items, c->nitem[p], NULL), c->nsim[p]);
			if (pair == NULL || json_array_append_new(a, pair) < 0) {
				json_decref(a);
				goto nomem;
			}
		}
		json_object_set_new(items, strtab_str(c->items, i, NULL), a);
	}
	for (i = 0; i < nu; i++) {
		if ((a = json_array()) == NULL)
			goto nomem;
		for (p = c->uoff[i]; p < c->uoff[i + 1]; p++)
			json_array_append_new(a, json_string(strtab_str(c->items, c->uitem[p], NULL)));
		json_object_set_new(users, strtab_str(c->users, i, NULL), a);
	}
	return o;
nomem:
	json_decref(o);
	return NULL;
}

static int
cmp_size(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;

	return (a > b) - (a < b);
}

struct cf *
cf_from_json(const json_t *j, struct diag *d)
{
	struct cf *c = calloc(1, sizeof *c);
	const json_t *items = json_object_get(j, "items"), *users = json_object_get(j, "users");
	const json_t *kv = json_object_get(j, "k"), *v, *e;
	const char *name;
	size_t ni, nu, total = 0, i, p;
	long id;

	if (c == NULL) {
		oom(d);
		return NULL;
	}
	if (!json_is_object(items) || !json_is_object(users) || !json_is_integer(kv)) {
		diag_set(d, NULL, 0, NULL, NULL, 0, "cf: bad \"k\", \"items\" or \"users\"");
		goto fail;
	}
	c->k = (long)json_integer_value(kv);
	if ((c->items = strtab_new()) == NULL || (c->users = strtab_new()) == NULL)
		goto nomem;
	json_object_foreach((json_t *)items, name, v) {
		if (strtab_add(c->items, name, strlen(name)) < 0)
			goto nomem;
		if (!json_is_array(v))
			goto bad;
		total += json_array_size(v);
	}
	ni = strtab_n(c->items);
	c->noff = calloc(ni + 1, sizeof *c->noff);
	c->nitem = malloc((total + 1) * sizeof *c->nitem);
	c->nsim = malloc((total + 1) * sizeof *c->nsim);
	if (c->noff == NULL || c->nitem == NULL || c->nsim == NULL)
		goto nomem;
	i = 0;
	total = 0;
	json_object_foreach((json_t *)items, name, v) {
		for (p = 0; p < json_array_size(v); p++) {
			e = json_array_get(v, p);
			if (!json_is_array(e) || json_array_size(e) != 2 ||
			    !json_is_string(json_array_get(e, 0)) ||
			    !json_is_number(json_array_get(e, 1)))
				goto bad;
			id = strtab_find(c->items, json_string_value(json_array_get(e, 0)),
			    json_string_length(json_array_get(e, 0)));
			if (id < 0)
				goto bad;
			c->nitem[total] = (size_t)id;
			c->nsim[total] = json_number_value(json_array_get(e, 1));
			total++;
		}
		c->noff[++i] = total;
	}
	total = 0;
	json_object_foreach((json_t *)users, name, v) {
		if (strtab_add(c->users, name, strlen(name)) < 0)
			goto nomem;
		if (!json_is_array(v))
			goto bad;
		total += json_array_size(v);
	}
	nu = strtab_n(c->users);
	c->uoff = calloc(nu + 1, sizeof *c->uoff);
	c->uitem = malloc((total + 1) * sizeof *c->uitem);
	if (c->uoff == NULL || c->uitem == NULL)
		goto nomem;
	i = 0;
	total = 0;
	json_object_foreach((json_t *)users, name, v) {
		size_t first = total;
		for (p = 0; p < json_array_size(v); p++) {
			e = json_array_get(v, p);
			if (!json_is_string(e) ||
			    (id = strtab_find(c->items, json_string_value(e), json_string_length(e))) < 0)
				goto bad;
			c->uitem[total++] = (size_t)id;
		}
		qsort(c->uitem + first, total - first, sizeof *c->uitem, cmp_size);
		c->uoff[++i] = total;
	}
	if (build_norms(c, d) < 0)
		goto fail;
	return c;
bad:
	diag_set(d, NULL, 0, NULL, NULL, 0, "cf: bad neighbour or purchase list");
	goto fail;
nomem:
	oom(d);
fail:
	cf_free(c);
	return NULL;
}

/* 1 if customer u bought item i (binary search in u's ascending list). */
static int
bought(const struct cf *c, size_t u, size_t i)
{
	size_t lo = c->uoff[u], hi = c->uoff[u + 1];

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->uitem[mid] == i)
			return 1;
		if (c->uitem[mid] < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static double
score_of(const struct cf *c, size_t u, size_t i)
{
	double s = 0;
	size_t p;

	if (c->norm[i] <= 0)
		return 0;
	for (p = c->noff[i]; p < c->noff[i + 1]; p++)
		if (bought(c, u, c->nitem[p]))
			s += c->nsim[p];
	return s / c->norm[i];
}

double
cf_score(const struct cf *c, const char *u, size_t ulen, const char *i, size_t ilen, int *known)
{
	long ui = strtab_find(c->users, u, ulen), ii = strtab_find(c->items, i, ilen);

	*known = ui >= 0 && ii >= 0;
	if (!*known)
		return 0;
	return score_of(c, (size_t)ui, (size_t)ii);
}

int
cf_recommend(const struct cf *c, long K, struct csvio_writer *w, struct diag *d)
{
	size_t ni = strtab_n(c->items), nu = strtab_n(c->users), u, i, n, r;
	struct nb *cand = malloc((ni + 1) * sizeof *cand);
	size_t len;
	const char *s;

	if (cand == NULL)
		return oom(d);
	for (u = 0; u < nu; u++) {
		n = 0;
		for (i = 0; i < ni; i++) {
			double sc;
			if (bought(c, u, i))
				continue;
			sc = score_of(c, u, i);
			if (sc > 0) {
				cand[n].j = i;
				cand[n].sim = sc;
				n++;
			}
		}
		qsort(cand, n, sizeof *cand, cmp_nb);
		for (r = 0; r < n && r < (size_t)K; r++) {
			s = strtab_str(c->users, u, &len);
			csvio_put(w, s, len);
			s = strtab_str(c->items, cand[r].j, &len);
			csvio_put(w, s, len);
			csvio_put_long(w, (long long)r + 1);
			csvio_put_num(w, cand[r].sim);
			csvio_end(w);
		}
	}
	free(cand);
	return 0;
}
