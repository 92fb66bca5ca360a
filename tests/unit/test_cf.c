/*
 * test_cf - collaborative filtering (common/cf.c) against brute force from
 * the definitions in cf.h: dense matrices, every similarity computed, every
 * neighbour list sorted, every score and every ranking measure summed
 * directly.  Item- and user-based, purchases and ratings; the JSON round
 * trip; recommendations; the held-out evaluation.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cf.h"
#include "check.h"
#include "text_reader.h"
#include "csvio.h"

#define NU 30
#define NI 14
#define KN 4

/* The history the brute force sees: r[u][i] the rating (0: none). */
static double rate_bf[NU][NI];
static int has_bf[NU][NI];

struct bf {
	enum cf_mode mode;
	int rated;
	double v[NU][NI];      /* centred cells */
	double umean[NU], imean[NI];
	int nb[NU > NI ? NU : NI][KN];
	double nsim[NU > NI ? NU : NI][KN];
	int nnb[NU > NI ? NU : NI];
};

static double
cell(const struct bf *b, int e, int x)
{
	/* Entity e, dimension x: item-based entities are items. */
	return b->mode == CF_ITEM ? b->v[x][e] : b->v[e][x];
}

static void
bf_build(struct bf *b, enum cf_mode mode, int rated, int (*has)[NI], double (*rate)[NI])
{
	int u, i, e, f, x, ne = mode == CF_ITEM ? NI : NU, nx = mode == CF_ITEM ? NU : NI;
	static double sim[NU > NI ? NU : NI][NU > NI ? NU : NI];

	memset(b, 0, sizeof *b);
	b->mode = mode;
	b->rated = rated;
	for (u = 0; u < NU; u++) {
		double s = 0;
		int n = 0;
		for (i = 0; i < NI; i++)
			if (has[u][i]) {
				s += rated ? rate[u][i] : 1;
				n++;
			}
		b->umean[u] = n ? s / n : 0;
	}
	for (i = 0; i < NI; i++) {
		double s = 0, n = 0;
		for (u = 0; u < NU; u++)
			if (has[u][i]) {
				s += rated ? rate[u][i] : 1;
				n += 1;
			}
		b->imean[i] = n > 0 ? s / n : 0;
	}
	for (u = 0; u < NU; u++)
		for (i = 0; i < NI; i++)
			b->v[u][i] = !has[u][i] ? 0 : !rated ? 1 :
			    rate[u][i] - (mode == CF_USER ? b->umean[u] : b->imean[i]);
	for (e = 0; e < ne; e++)
		for (f = 0; f < ne; f++) {
			double dot = 0, ne2 = 0, nf2 = 0;
			for (x = 0; x < nx; x++) {
				dot += cell(b, e, x) * cell(b, f, x);
				ne2 += cell(b, e, x) * cell(b, e, x);
				nf2 += cell(b, f, x) * cell(b, f, x);
			}
			sim[e][f] = ne2 > 0 && nf2 > 0 ? dot / sqrt(ne2 * nf2) : 0;
		}
	for (e = 0; e < ne; e++) {
		int list[NU > NI ? NU : NI], n = 0, a, c;
		for (f = 0; f < ne; f++)
			if (f != e && sim[e][f] > 0)
				list[n++] = f;
		for (a = 1; a < n; a++)     /* insertion sort by sim, stable on index */
			for (c = a; c > 0 && sim[e][list[c]] > sim[e][list[c - 1]]; c--) {
				int t = list[c];
				list[c] = list[c - 1];
				list[c - 1] = t;
			}
		b->nnb[e] = n < KN ? n : KN;
		for (a = 0; a < b->nnb[e]; a++) {
			b->nb[e][a] = list[a];
			b->nsim[e][a] = sim[e][list[a]];
		}
	}
}

/* score(u, i) by the definitions; *support as cf.c counts it. */
static double
bf_score(const struct bf *b, int (*has)[NI], int u, int i, int *support)
{
	int e = b->mode == CF_ITEM ? i : u, p;
	double num = 0, den = 0, all = 0;

	*support = 0;
	for (p = 0; p < b->nnb[e]; p++) {
		int w = b->nb[e][p];
		int counts = b->mode == CF_ITEM ? has[u][w] : has[w][i];
		all += fabs(b->nsim[e][p]);
		if (!counts)
			continue;
		*support = 1;
		num += b->nsim[e][p] * (b->rated ? (b->mode == CF_ITEM ? b->v[u][w] : b->v[w][i]) : 1);
		den += fabs(b->nsim[e][p]);
	}
	if (b->rated) {
		double base = b->mode == CF_ITEM ? b->imean[i] : b->umean[u];
		return den > 0 ? base + num / den : base;
	}
	return all > 0 ? num / all : 0;
}

static unsigned long long rng_state;

static unsigned
rnd(unsigned n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng_state >> 33) % n);
}

/* A random history as CSV: ratings with fractions (few exact ties), repeats. */
static char *
make_history(int rated)
{
	char *text = malloc(NU * NI * 64 + 64);
	size_t pos = (size_t)sprintf(text, rated ? "user,item,rating\n" : "user,item\n");
	int u, i;

	memset(has_bf, 0, sizeof has_bf);
	for (u = 0; u < NU; u++)
		for (i = 0; i < NI; i++) {
			if (rnd(100) >= (unsigned)(12 + 4 * (NI - i)))
				continue;
			has_bf[u][i] = 1;
			rate_bf[u][i] = 1 + rnd(5) + rnd(8) / 8.0;
			if (rnd(6) == 0) {   /* an earlier row for the same pair: replaced */
				pos += (size_t)sprintf(text + pos, rated ? "u%02d,i%02d,%d\n" : "u%02d,i%02d\n",
				    u, i, 3);
			}
			if (rated)
				pos += (size_t)sprintf(text + pos, "u%02d,i%02d,%.17g\n", u, i, rate_bf[u][i]);
			else
				pos += (size_t)sprintf(text + pos, "u%02d,i%02d\n", u, i);
		}
	/* Rows with an empty field are skipped. */
	pos += (size_t)sprintf(text + pos, rated ? ",i00,1\nu00,,2\nu01,i01,\n" : ",i00\nu00,\n");
	return text;
}

/* The lines cf_recommend writes, into buf. */
static size_t
recommend_text(const struct cf *c, long K, char *buf, size_t size)
{
	FILE *fp = tmpfile();
	struct csvio_writer *w = csvio_writer_new(fp, ',');
	struct diag d;
	size_t n;

	cf_recommend(c, K, w, &d);
	csvio_writer_free(w);
	rewind(fp);
	n = fread(buf, 1, size - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return n;
}

struct cand {
	int i;
	double s;
};

/* Brute-force recommendations, scores compared within tol, order by score then name. */
static int
recommend_matches(const struct bf *b, int (*has)[NI], const char *text, long K, double tol)
{
	const char *p = text;
	int u, ok = 1;

	for (u = 0; u < NU; u++) {
		struct cand c[NI];
		int n = 0, i, a, k;
		for (i = 0; i < NI; i++) {
			int sup;
			double s;
			if (has[u][i])
				continue;
			s = bf_score(b, has, u, i, &sup);
			if (sup && (b->rated || s > 0)) {
				c[n].i = i;
				c[n].s = s;
				n++;
			}
		}
		for (a = 1; a < n; a++)
			for (k = a; k > 0 && c[k].s > c[k - 1].s + tol * fmax(1, fabs(c[k].s)); k--) {
				struct cand t = c[k];
				c[k] = c[k - 1];
				c[k - 1] = t;
			}
		for (k = 0; k < n && k < K; k++) {
			int gu, gi, gr;
			double gs;
			char line[128];
			const char *nl = strchr(p, '\n');
			if (nl == NULL || (size_t)(nl - p) >= sizeof line)
				return 0;
			memcpy(line, p, (size_t)(nl - p));
			line[nl - p] = '\0';
			p = nl + 1;
			if (sscanf(line, "u%d,i%d,%d,%lf", &gu, &gi, &gr, &gs) != 4 || gu != u ||
			    gr != k + 1 || fabs(gs - c[k].s) > tol * fmax(1, fabs(gs)))
				ok = 0;
			/* The same item, unless two scores tie within tol. */
			if (gi != c[k].i) {
				int j, tied = 0;
				for (j = 0; j < n; j++)
					if (c[j].i == gi && fabs(c[j].s - c[k].s) <= tol * fmax(1, fabs(gs)))
						tied = 1;
				ok &= tied;
			}
		}
	}
	return ok && *p == '\0';
}

static void
test_mode(enum cf_mode mode, int rated, const char *label)
{
	char *text = make_history(rated), name_u[16], name_i[16], what[160];
	static char rec1[1 << 16], rec2[1 << 16];
	struct cf_opts o = { mode, KN, rated ? "rating" : NULL };
	struct csvio_reader *r;
	struct cf *c, *c2 = NULL;
	static struct bf b;
	struct diag d;
	FILE *keep;
	json_t *j;
	char *dump;
	double worst = 0;
	int u, i, known, same = 1;

	bf_build(&b, mode, rated, has_bf, rate_bf);
	r = reader_on(text, &keep);
	c = cf_build(r, "user", "item", &o, &d);
	csvio_close(r);
	fclose(keep);
	snprintf(what, sizeof what, "%s: cf_build", label);
	CHECK(c != NULL, what);
	if (c == NULL) {
		free(text);
		return;
	}
	CHECK(cf_rated(c) == rated, "cf_rated");
	j = cf_to_json(c);
	dump = json_dumps(j, JSON_REAL_PRECISION(17));
	json_decref(j);
	j = json_loads(dump, 0, NULL);
	if (j != NULL)
		c2 = cf_from_json(j, &d);
	json_decref(j);
	free(dump);
	snprintf(what, sizeof what, "%s: JSON round trip loads", label);
	CHECK(c2 != NULL, what);
	for (u = 0; u < NU; u++)
		for (i = 0; i < NI; i++) {
			int sup;
			double want = bf_score(&b, has_bf, u, i, &sup), got, got2;
			snprintf(name_u, sizeof name_u, "u%02d", u);
			snprintf(name_i, sizeof name_i, "i%02d", i);
			got = cf_score(c, name_u, 3, name_i, 3, &known);
			if (!known)
				continue;   /* a customer or item with no row */
			worst = fmax(worst, fabs(got - want) / fmax(1, fabs(want)));
			got2 = c2 ? cf_score(c2, name_u, 3, name_i, 3, &known) : -1;
			same &= got2 == got;
		}
	snprintf(what, sizeof what, "%s: cf_score equals the definition (worst %.3g)", label, worst);
	CHECK(worst <= 1e-13, what);
	snprintf(what, sizeof what, "%s: cf_score identical after the JSON round trip", label);
	CHECK(same, what);
	snprintf(what, sizeof what, "%s: an unknown customer scores %s", label,
	    rated ? "the mean rating" : "0");
	{
		double g = cf_score(c, "zz", 2, "i00", 3, &known), mean = 0, n = 0;
		for (u = 0; u < NU; u++)
			for (i = 0; i < NI; i++)
				if (has_bf[u][i]) {
					mean += rate_bf[u][i];
					n++;
				}
		CHECK(!known && (rated ? fabs(g - mean / n) < 1e-12 : g == 0), what);
	}
	recommend_text(c, 3, rec1, sizeof rec1);
	snprintf(what, sizeof what, "%s: cf_recommend equals the definition", label);
	CHECK(recommend_matches(&b, has_bf, rec1, 3, 1e-12), what);
	if (c2 != NULL) {
		recommend_text(c2, 3, rec2, sizeof rec2);
		snprintf(what, sizeof what, "%s: cf_recommend identical after the round trip", label);
		CHECK(strcmp(rec1, rec2) == 0, what);
	}
	cf_free(c);
	cf_free(c2);
	free(text);
}

/* ---- the held-out evaluation, by brute force ---- */

static void
test_evaluate(enum cf_mode mode, int with_dates)
{
	/* Rows: user, item, day; the first row of each pair decides the order. */
	static int row_u[NU * NI * 2], row_i[NU * NI * 2], row_day[NU * NI * 2];
	static int train_has[NU][NI];
	static double none[NU][NI];
	static struct bf b;
	char *text = malloc(NU * NI * 2 * 40 + 64), what[160];
	size_t pos = (size_t)sprintf(text, "user,item,day\n");
	int n = 0, u, i, p, T = 2, K = 3, users = 0, shown[NI] = { 0 }, catalogue = 0;
	double prec = 0, rec = 0, ndcg = 0, hit = 0, pprec = 0, prec_pop = 0;
	double pop_cnt[NI] = { 0 }, rec_pop = 0, ndcg_pop = 0, hit_pop = 0;
	int shown_pop[NI] = { 0 };
	struct cf_opts o = { mode, KN, NULL };
	struct cf_eval_opts eo = { with_dates ? "day" : NULL, T, K };
	struct cf_metrics m, mp;
	struct csvio_reader *r;
	struct diag d;
	FILE *keep;
	int rc;

	(void)pprec;
	for (u = 0; u < NU; u++)
		for (i = 0; i < NI; i++)
			if (rnd(100) < (unsigned)(10 + 4 * (NI - i))) {
				int reps = 1 + (rnd(4) == 0), k;
				for (k = 0; k < reps; k++) {
					row_u[n] = u;
					row_i[n] = i;
					row_day[n] = 1 + (int)rnd(9);   /* many ties on a day */
					n++;
				}
			}
	/* Shuffle the rows, so input order and date order differ. */
	for (p = n - 1; p > 0; p--) {
		int q = (int)rnd((unsigned)p + 1), t;
		t = row_u[p]; row_u[p] = row_u[q]; row_u[q] = t;
		t = row_i[p]; row_i[p] = row_i[q]; row_i[q] = t;
		t = row_day[p]; row_day[p] = row_day[q]; row_day[q] = t;
	}
	for (p = 0; p < n; p++)
		pos += (size_t)sprintf(text + pos, "u%02d,i%02d,2026-01-%02d\n", row_u[p], row_i[p],
		    row_day[p]);
	/* Held-out: each customer's items by first row (date, then input order). */
	memset(train_has, 0, sizeof train_has);
	{
		static int test_of[NU][NI];
		memset(test_of, 0, sizeof test_of);
		for (u = 0; u < NU; u++) {
			int first_day[NI], first_at[NI], order[NI], ni = 0, a, c;
			for (i = 0; i < NI; i++)
				first_at[i] = -1;
			for (p = 0; p < n; p++)
				if (row_u[p] == u) {
					int key = with_dates ? row_day[p] : 0;
					i = row_i[p];
					if (first_at[i] < 0 || key < first_day[i] ||
					    (key == first_day[i] && p < first_at[i])) {
						first_day[i] = key;
						first_at[i] = p;
					}
				}
			for (i = 0; i < NI; i++)
				if (first_at[i] >= 0)
					order[ni++] = i;
			for (a = 1; a < ni; a++)
				for (c = a; c > 0 && (first_day[order[c]] < first_day[order[c - 1]] ||
				    (first_day[order[c]] == first_day[order[c - 1]] &&
				    first_at[order[c]] < first_at[order[c - 1]])); c--) {
					int t = order[c];
					order[c] = order[c - 1];
					order[c - 1] = t;
				}
			for (a = 0; a < ni; a++) {
				if (ni > T && a >= ni - T)
					test_of[u][order[a]] = 1;
				else
					train_has[u][order[a]] = 1;
			}
		}
		bf_build(&b, mode, 0, train_has, none);
		for (i = 0; i < NI; i++)
			for (u = 0; u < NU; u++)
				pop_cnt[i] += train_has[u][i];
		for (i = 0; i < NI; i++)
			catalogue += pop_cnt[i] > 0;
		for (u = 0; u < NU; u++) {
			struct cand c[NI], pl[NI];
			int nc = 0, npl = 0, nt = 0, k, a2, hits = 0, hits_p = 0;
			double dcg = 0, idcg = 0, dcg_p = 0;
			for (i = 0; i < NI; i++)
				nt += test_of[u][i];
			if (nt == 0)
				continue;
			users++;
			for (i = 0; i < NI; i++) {
				int sup;
				double s;
				if (train_has[u][i])
					continue;
				s = bf_score(&b, train_has, u, i, &sup);
				if (sup && s > 0) {
					c[nc].i = i;
					c[nc].s = s;
					nc++;
				}
				if (pop_cnt[i] > 0) {
					pl[npl].i = i;
					pl[npl].s = pop_cnt[i];
					npl++;
				}
			}
			for (a2 = 1; a2 < nc; a2++)
				for (k = a2; k > 0 && c[k].s > c[k - 1].s; k--) {
					struct cand t = c[k];
					c[k] = c[k - 1];
					c[k - 1] = t;
				}
			for (a2 = 1; a2 < npl; a2++)
				for (k = a2; k > 0 && pl[k].s > pl[k - 1].s; k--) {
					struct cand t = pl[k];
					pl[k] = pl[k - 1];
					pl[k - 1] = t;
				}
			for (k = 0; k < K && k < nc; k++) {
				shown[c[k].i] = 1;
				if (test_of[u][c[k].i]) {
					hits++;
					dcg += 1 / log2(k + 2.0);
				}
			}
			for (k = 0; k < K && k < npl; k++) {
				shown_pop[pl[k].i] = 1;
				if (test_of[u][pl[k].i]) {
					hits_p++;
					dcg_p += 1 / log2(k + 2.0);
				}
			}
			for (k = 0; k < K && k < nt; k++)
				idcg += 1 / log2(k + 2.0);
			prec += (double)hits / K;
			rec += (double)hits / nt;
			ndcg += dcg / idcg;
			hit += hits > 0;
			prec_pop += (double)hits_p / K;
			rec_pop += (double)hits_p / nt;
			ndcg_pop += dcg_p / idcg;
			hit_pop += hits_p > 0;
		}
	}
	r = reader_on(text, &keep);
	rc = cf_evaluate(r, "user", "item", &o, &eo, &m, &mp, &d);
	csvio_close(r);
	fclose(keep);
	snprintf(what, sizeof what, "cf_evaluate (%s, %s)", mode == CF_ITEM ? "item" : "user",
	    with_dates ? "by date" : "input order");
	CHECK(rc == 0, what);
	{
		int ns = 0, nsp = 0;
		for (i = 0; i < NI; i++) {
			ns += shown[i];
			nsp += shown_pop[i];
		}
		CHECK(m.users == (size_t)users && mp.users == (size_t)users, "evaluated customers");
		CHECK_REL(m.precision, prec / users, 1e-12, "precision@K");
		CHECK_REL(m.recall, rec / users, 1e-12, "recall@K");
		CHECK_REL(m.ndcg, ndcg / users, 1e-12, "NDCG@K");
		CHECK_REL(m.hit_rate, hit / users, 1e-12, "hit rate");
		CHECK_REL(m.coverage, (double)ns / catalogue, 1e-12, "coverage");
		CHECK_REL(mp.precision, prec_pop / users, 1e-12, "popularity precision@K");
		CHECK_REL(mp.recall, rec_pop / users, 1e-12, "popularity recall@K");
		CHECK_REL(mp.ndcg, ndcg_pop / users, 1e-12, "popularity NDCG@K");
		CHECK_REL(mp.hit_rate, hit_pop / users, 1e-12, "popularity hit rate");
		CHECK_REL(mp.coverage, (double)nsp / catalogue, 1e-12, "popularity coverage");
	}
	free(text);
}

static void
test_bad_input(void)
{
	struct cf_opts o = { CF_ITEM, 3, "rating" };
	struct cf_eval_opts eo = { "day", 1, 2 };
	struct cf_metrics m, mp;
	struct csvio_reader *r;
	struct diag d;
	FILE *keep;
	json_t *j;

	r = reader_on("user,item,rating\na,x,5\nb,x,high\n", &keep);
	CHECK(cf_build(r, "user", "item", &o, &d) == NULL && d.line == 3 &&
	    strcmp(d.column, "rating") == 0 && strcmp(d.what, "not a number") == 0,
	    "a rating that is not a number names line, column and reason");
	csvio_close(r);
	fclose(keep);
	o.rating = NULL;
	r = reader_on("user,item,day\na,x,2026-01-01\na,y,someday\n", &keep);
	CHECK(cf_evaluate(r, "user", "item", &o, &eo, &m, &mp, &d) < 0 && d.line == 3 &&
	    strcmp(d.column, "day") == 0, "an unparseable date names line and column");
	csvio_close(r);
	fclose(keep);
	eo.time_col = NULL;
	r = reader_on("user,item\na,x\nb,y\n", &keep);
	CHECK(cf_evaluate(r, "user", "item", &o, &eo, &m, &mp, &d) < 0 &&
	    strcmp(d.what, "no customer has more than 1 item to hold out") == 0,
	    "nothing to hold out is an error");
	csvio_close(r);
	fclose(keep);
	j = json_loads("{\"mode\": \"both\", \"k\": 2, \"items\": {}, \"users\": {}}", 0, NULL);
	CHECK(cf_from_json(j, &d) == NULL && strstr(d.what, "mode") != NULL, "a bad mode");
	json_decref(j);
	j = json_loads("{\"mode\": \"user\", \"k\": 2, \"items\": {\"x\": []}, "
	    "\"users\": {\"a\": [\"x\"], \"b\": [\"x\"]}, "
	    "\"neighbours\": {\"b\": [], \"a\": []}}", 0, NULL);
	CHECK(cf_from_json(j, &d) == NULL && strstr(d.what, "order") != NULL,
	    "neighbour lists in another order than the customers");
	json_decref(j);
	j = json_loads("{\"rating\": true, \"k\": 2, \"items\": {\"x\": []}, "
	    "\"users\": {\"a\": [\"x\"]}}", 0, NULL);
	CHECK(cf_from_json(j, &d) == NULL && strstr(d.what, "rating") != NULL,
	    "a rating model with a purchase list");
	json_decref(j);
	j = json_loads("{\"k\": 0, \"items\": {}, \"users\": {}}", 0, NULL);
	CHECK(cf_from_json(j, &d) == NULL, "k of 0");
	json_decref(j);
}

int
main(void)
{
	rng_state = 2026;
	test_mode(CF_ITEM, 0, "item-based purchases");
	test_mode(CF_USER, 0, "user-based purchases");
	test_mode(CF_ITEM, 1, "item-based ratings");
	test_mode(CF_USER, 1, "user-based ratings");
	test_evaluate(CF_ITEM, 0);
	test_evaluate(CF_ITEM, 1);
	test_evaluate(CF_USER, 1);
	test_bad_input();
	return check_done();
}
