/*
 * test_features.c - the fitted transformations of pr-features against
 * hand-computed values, and item-to-item collaborative filtering against a
 * brute-force computation straight from the definitions in cf.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cf.h"
#include "check.h"
#include "csvio.h"
#include "date.h"
#include "features.h"
#include "num.h"
#include "stats.h"
#include "strtab.h"
#include "text_reader.h"

static void
test_quantile_bins(void)
{
	/* R: quantile(c(1, 3, 7, 15), c(1/3, 0.5, 0.9), type = 7) = 3, 5, 12.6 by hand:
	 * h = 3p; x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]) (0-based). */
	double x[] = { 1, 3, 7, 15 }, cut[] = { 20, 30, 30, 40 };

	CHECK_REL(stats_quantile7(x, 4, 1.0 / 3), 3, 1e-15, "quantile7 p=1/3");
	CHECK_REL(stats_quantile7(x, 4, 0.5), 5, 1e-15, "quantile7 median");
	CHECK_REL(stats_quantile7(x, 4, 0.9), 12.6, 1e-14, "quantile7 p=0.9");
	CHECK_REL(stats_quantile7(x, 4, 0), 1, 0, "quantile7 p=0");
	CHECK_REL(stats_quantile7(x, 4, 1), 15, 0, "quantile7 p=1");
	CHECK_REL(stats_quantile7(x, 1, 0.7), 1, 0, "quantile7 one value");
	/* Bins closed on the right: a value equal to a cut point is in the lower bin. */
	CHECK(feat_bin_of(cut, 4, 5) == 1, "bin below all cuts");
	CHECK(feat_bin_of(cut, 4, 20) == 1, "bin at first cut");
	CHECK(feat_bin_of(cut, 4, 20.5) == 2, "bin above first cut");
	CHECK(feat_bin_of(cut, 4, 30) == 2, "bin at a repeated cut");
	CHECK(feat_bin_of(cut, 4, 31) == 4, "bin skips the empty bin of a repeated cut");
	CHECK(feat_bin_of(cut, 4, 41) == 5, "bin above all cuts");
}

/* Fit cfg on text, then apply to the same text; the output in out. */
static int
fit_apply(const struct feat_config *cfg, const char *text, char *out, size_t size,
    json_t **state)
{
	struct diag d;
	struct feat_fit *f = feat_fit_new(cfg, &d);
	struct feat_state *st;
	struct csvio_reader *r;
	struct csvio_writer *w;
	struct csvio_row row;
	FILE *keep, *o = tmpfile();
	json_t *doc;
	size_t n;

	if (f == NULL)
		return -1;
	r = reader_on(text, &keep);
	if (feat_fit_bind(f, r, &d) < 0)
		return -1;
	while (csvio_next(r, &row, &d) > 0)
		feat_fit_row(f, &row, &d);
	csvio_close(r);
	fclose(keep);
	doc = feat_fit_state(f, &d);
	if (doc == NULL) {
		printf("state: %s\n", d.what);
		feat_fit_free(f);
		return -1;
	}
	st = feat_load_json(doc, "state", &d);
	if (st == NULL || feat_state_take_rows(st, f, &d) < 0) {
		printf("load: %s\n", d.what);
		feat_fit_free(f);
		return -1;
	}
	feat_fit_free(f);
	r = reader_on(text, &keep);
	w = csvio_writer_new(o, ',');
	if (feat_bind(st, r, &d) < 0)
		return -1;
	feat_put_header(st, w, csvio_header(r));
	csvio_end(w);
	while (csvio_next(r, &row, &d) > 0)
		if (feat_apply_row(st, &row, w, &d) < 0)
			printf("rejected line %ld: %s\n", row.line, d.what);
	csvio_writer_free(w);
	csvio_close(r);
	fclose(keep);
	feat_free(st);
	rewind(o);
	n = fread(out, 1, size - 1, o);
	out[n] = '\0';
	fclose(o);
	*state = doc;
	return 0;
}

static double
json_num_at(const json_t *doc, size_t tr, const char *key)
{
	return json_number_value(json_object_get(json_array_get(json_object_get(doc, "transforms"),
	    tr), key));
}

static void
test_numeric(void)
{
	/* A large offset: a naive sum of squares loses the spread, Welford keeps it.
	 * Values 1e9 + {1, 2, 3, 4}: mean 1e9 + 2.5, sd = sqrt(5/3) exactly. */
	static const char text[] = "x\n1000000001\n1000000002\n1000000003\n1000000004\n\n";
	struct feat_spec spec[] = {
		{ FEAT_ZSCORE, "x", NULL, 0 },
		{ FEAT_CLIPZ, "x", NULL, 1 },
		{ FEAT_MINMAX, "x", NULL, 0 },
	};
	struct feat_config cfg;
	char out[4096];
	json_t *doc = NULL;
	double sd = sqrt(5.0 / 3.0);

	memset(&cfg, 0, sizeof cfg);
	cfg.spec = spec;
	cfg.nspec = 3;
	cfg.delim = ',';
	if (fit_apply(&cfg, text, out, sizeof out, &doc) < 0) {
		CHECK(0, "fit and apply");
		return;
	}
	CHECK_REL(json_num_at(doc, 0, "mean"), 1000000002.5, 1e-15, "mean with a large offset");
	CHECK_REL(json_num_at(doc, 0, "sd"), sd, 1e-9, "sd (n - 1) with a large offset");
	CHECK_REL(json_num_at(doc, 1, "low"), 1000000002.5 - sd, 1e-15, "clip-z low = mean - sd");
	CHECK_REL(json_num_at(doc, 1, "high"), 1000000002.5 + sd, 1e-15, "clip-z high = mean + sd");
	CHECK_REL(json_num_at(doc, 2, "min"), 1000000001, 0, "minmax min");
	CHECK_REL(json_num_at(doc, 2, "max"), 1000000004, 0, "minmax max");
	/* Row 1: z = -1.5 / sd; clipped to mean - sd; minmax 0. */
	{
		char *line = strchr(out, '\n') + 1, *comma = strchr(line, ',');
		double z, c, m;
		CHECK(sscanf(comma + 1, "%lf,%lf,%lf", &z, &c, &m) == 3, "row 1 parses");
		CHECK_REL(z, -1.5 / sd, 1e-9, "z of row 1");
		CHECK_REL(c, 1000000002.5 - sd, 1e-15, "clip of row 1");
		CHECK_REL(m, 0, 0, "minmax of row 1");
	}
	json_decref(doc);
}

static void
test_target_mean(void)
{
	/* prior = 3/6 = 0.5; m = 2; level a: n 3, sum 3 -> (3 + 1)/5 = 0.8;
	 * level b: n 2, sum 0 -> 1/4 = 0.25; level c: n 1, sum 0 -> 1/3. */
	static const char text[] = "g,y\na,1\na,1\nb,0\na,1\nb,0\nc,0\n";
	struct feat_spec spec[] = { { FEAT_TARGET, "g", "y", 0 } };
	struct feat_config cfg;
	char out[4096];
	json_t *doc = NULL, *v;

	memset(&cfg, 0, sizeof cfg);
	cfg.spec = spec;
	cfg.nspec = 1;
	cfg.smoothing = 2;
	cfg.delim = ',';
	if (fit_apply(&cfg, text, out, sizeof out, &doc) < 0) {
		CHECK(0, "fit and apply");
		return;
	}
	v = json_object_get(json_array_get(json_object_get(doc, "transforms"), 0), "value");
	CHECK_REL(json_num_at(doc, 0, "prior"), 0.5, 1e-15, "target prior");
	CHECK_REL(json_number_value(json_array_get(v, 0)), 0.8, 1e-15, "target mean of a");
	CHECK_REL(json_number_value(json_array_get(v, 1)), 0.25, 1e-15, "target mean of b");
	CHECK_REL(json_number_value(json_array_get(v, 2)), 1.0 / 3, 1e-15, "target mean of c");
	CHECK_STR(out, "g,y,g_te\na,1,0.8\na,1,0.8\nb,0,0.25\na,1,0.8\nb,0,0.25\n"
	    "c,0,0.3333333333333333\n", "target output");
	json_decref(doc);
}

static void
test_strtab(void)
{
	struct strtab *t = strtab_new();
	size_t order[4];

	CHECK(strtab_add(t, "b", 1) == 0, "strtab first");
	CHECK(strtab_add(t, "a", 1) == 1, "strtab second");
	CHECK(strtab_add(t, "ab", 2) == 2, "strtab third");
	CHECK(strtab_add(t, "a\0b", 3) == 3, "strtab with NUL");
	CHECK(strtab_add(t, "b", 1) == 0, "strtab repeat");
	CHECK(strtab_find(t, "ab", 2) == 2, "strtab find");
	CHECK(strtab_find(t, "c", 1) == -1, "strtab missing");
	strtab_sorted(t, order);
	CHECK(order[0] == 1 && order[1] == 3 && order[2] == 2 && order[3] == 0, "strtab byte order");
	strtab_free(t);
}

/*
 * strtab_hash: one byte changed anywhere in a text of any length up to 40
 * (each tail length, each overlapping piece) changes the hash; a text and
 * itself with a NUL appended differ; and the low 16 bits of 65,536
 * sequential ids fill as many buckets as a random function would
 * (65536 (1 - 1/e) = 41,427 expected; the tables place entries by them).
 */
static void
test_strtab_hash(void)
{
	static unsigned char seen[65536];
	char a[48], b[48], id[16];
	size_t len, p, full = 0;
	int bad = 0, i;

	for (len = 0; len <= 40; len++) {
		for (p = 0; p < len; p++)
			a[p] = (char)('a' + (p * 7) % 26);
		memcpy(b, a, len);
		b[len] = '\0';
		if (strtab_hash(a, len) == strtab_hash(b, len + 1))
			bad++;
		for (p = 0; p < len; p++) {
			b[p] ^= 1;
			if (strtab_hash(a, len) == strtab_hash(b, len))
				bad++;
			b[p] ^= 1;
		}
	}
	CHECK(bad == 0, "strtab_hash: every one-byte change and every length changes the hash");
	for (i = 0; i < 65536; i++) {
		int n = snprintf(id, sizeof id, "C%07d", i);
		unsigned h = (unsigned)(strtab_hash(id, (size_t)n) & 0xffff);
		full += !seen[h];
		seen[h] = 1;
	}
	CHECK(full > 40800 && full < 42000, "strtab_hash: low bits of sequential ids spread at random");
}

/* ---- collaborative filtering: brute force from the definitions ---- */

#define NU 40
#define NI 12
#define K  4

static int bought_bf[NU][NI];

static double
sim_bf(int i, int j)
{
	int u, both = 0, ni = 0, nj = 0;

	for (u = 0; u < NU; u++) {
		both += bought_bf[u][i] && bought_bf[u][j];
		ni += bought_bf[u][i];
		nj += bought_bf[u][j];
	}
	return ni && nj ? both / sqrt((double)ni * nj) : 0;
}

/* The K nearest neighbours of i: sim descending, then name (index) ascending. */
static int
neighbours_bf(int i, int *nb)
{
	int j, n = 0, a, b;

	for (j = 0; j < NI; j++)
		if (j != i && sim_bf(i, j) > 0)
			nb[n++] = j;
	for (a = 1; a < n; a++)         /* insertion sort, stable on index */
		for (b = a; b > 0 && sim_bf(i, nb[b]) > sim_bf(i, nb[b - 1]); b--) {
			int t = nb[b];
			nb[b] = nb[b - 1];
			nb[b - 1] = t;
		}
	return n < K ? n : K;
}

static double
score_bf(int u, int i)
{
	int nb[NI], n = neighbours_bf(i, nb), p;
	double num = 0, den = 0;

	for (p = 0; p < n; p++) {
		den += sim_bf(i, nb[p]);
		if (bought_bf[u][nb[p]])
			num += sim_bf(i, nb[p]);
	}
	return den > 0 ? num / den : 0;
}

static void
test_cf(void)
{
	char *text = malloc(NU * NI * 16 + 64), name_u[16], name_i[16], line[128], want[128];
	unsigned long long seed = 12345;
	struct csvio_reader *r;
	struct csvio_writer *w;
	struct diag d;
	struct cf *c, *c2;
	FILE *keep, *o;
	json_t *j;
	int u, i, known, worst_ok = 1, round_ok = 1, rec_ok = 1;
	size_t pos;

	pos = (size_t)sprintf(text, "user,item\n");
	for (u = 0; u < NU; u++)
		for (i = 0; i < NI; i++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			/* Popular items bought more often; some purchases repeated. */
			if ((seed >> 33) % 100 < (unsigned)(10 + 5 * (NI - i))) {
				bought_bf[u][i] = 1;
				pos += (size_t)sprintf(text + pos, "u%02d,i%02d\n", u, i);
				if ((seed >> 20) % 7 == 0)
					pos += (size_t)sprintf(text + pos, "u%02d,i%02d\n", u, i);
			}
		}
	r = reader_on(text, &keep);
	c = cf_build(r, "user", "item", &(struct cf_opts){ CF_ITEM, K, NULL }, &d);
	csvio_close(r);
	fclose(keep);
	CHECK(c != NULL, "cf_build");
	if (c == NULL) {
		free(text);
		return;
	}
	j = cf_to_json(c);
	c2 = cf_from_json(j, &d);
	CHECK(c2 != NULL, "cf round trip through JSON");
	for (u = 0; u < NU; u++)
		for (i = 0; i < NI; i++) {
			double got, got2, bf = score_bf(u, i);
			sprintf(name_u, "u%02d", u);
			sprintf(name_i, "i%02d", i);
			got = cf_score(c, name_u, 3, name_i, 3, &known);
			if (fabs(got - bf) > 1e-13 || !known) {
				if (worst_ok)
					printf("     cf %s %s: got %.17g want %.17g\n", name_u, name_i, got, bf);
				worst_ok = 0;
			}
			got2 = c2 ? cf_score(c2, name_u, 3, name_i, 3, &known) : -1;
			if (got2 != got)
				round_ok = 0;
		}
	CHECK(worst_ok, "cf_score equals brute force for every customer and item");
	CHECK(round_ok, "cf_score identical after the JSON round trip");
	CHECK(cf_score(c, "zz", 2, "i00", 3, &known) == 0 && !known, "unknown customer scores 0");

	/* Recommendations: brute force the top 3 unbought items with score > 0. */
	o = tmpfile();
	w = csvio_writer_new(o, ',');
	CHECK(cf_recommend(c, 3, w, &d) == 0, "cf_recommend");
	csvio_writer_free(w);
	rewind(o);
	for (u = 0; u < NU; u++) {
		int taken[NI] = { 0 }, rank;
		for (rank = 1; rank <= 3; rank++) {
			int best = -1;
			double bs = 0;
			char num[NUM_BUFSZ];
			for (i = 0; i < NI; i++) {
				double s;
				if (bought_bf[u][i] || taken[i])
					continue;
				s = score_bf(u, i);
				if (s > 0 && (best < 0 || s > bs + 1e-12)) {
					best = i;
					bs = s;
				}
			}
			if (best < 0)
				break;
			taken[best] = 1;
			num_format(bs, num);
			sprintf(want, "u%02d,i%02d,%d,", u, best, rank);
			if (fgets(line, sizeof line, o) == NULL || strncmp(line, want, strlen(want)) != 0 ||
			    fabs(strtod(line + strlen(want), NULL) - bs) > 1e-13) {
				if (rec_ok)
					printf("     recommend: got %s     want %s%s\n", line, want, num);
				rec_ok = 0;
			}
		}
	}
	CHECK(rec_ok && fgets(line, sizeof line, o) == NULL, "cf_recommend equals brute force");
	fclose(o);
	json_decref(j);
	cf_free(c);
	cf_free(c2);
	free(text);
}

/* ---- point in time, against a brute force straight from the definitions ---- */

#define PIT_NH 400           /* history rows */
#define PIT_NQ 250           /* fitted rows */
#define PIT_DAYS 40          /* on few days: many rows share one */

struct pit_hist {
	int key, item, day;      /* day: 0..PIT_DAYS-1 from 2024-01-01 */
	double price, amount;    /* amount NAN: missing */
	int flag;                /* 0/1: for count?flag and recency?flag */
	int line;
};

/* A small reproducible generator (numerical recipes' LCG). */
static unsigned
pit_rand(unsigned *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

static void
pit_day_text(int day, char *buf)
{
	struct date dt;

	date_from_days(date_to_days(&(struct date){ 2024, 1, 1 }) + day, &dt);
	date_format(&dt, buf);
}

/* The expected fields of a row of key k, item it, day t: as pr-features writes them. */
static void
pit_expect(const struct pit_hist *h, size_t nh, int k, int it, int t, long window, int median,
    char *out, size_t size)
{
	double sum, mn = 0, mx = 0, v[PIT_NH], tmp;
	__float128 exact = 0, hsum = 0;   /* exact: 2-decimal values, 113 bits */
	size_t n = 0, cnt = 0, nv = 0, i, j, last = 0;
	int have_last = 0;
	char a[NUM_BUFSZ], b[NUM_BUFSZ], c[NUM_BUFSZ], e[NUM_BUFSZ], f[NUM_BUFSZ], g[NUM_BUFSZ];
	char day[DATE_BUFSZ], flagged[64];
	int nflag = 0, flag_day = -1, pool_flag_day = -1;

	/* h is in (day, line) order: the last row the latest; sums are exactly rounded. */
	/*
	 * count?flag and recency?flag, with --cold-start hist_recency_if_flag=population:
	 * a key with no flagged row before t gets the days since the latest flagged row of all.
	 */
	for (i = 0; i < nh; i++)
		if (h[i].day < t && h[i].flag) {
			pool_flag_day = h[i].day;
			if (h[i].key == k) {
				nflag++;
				flag_day = h[i].day;
			}
		}
	if (flag_day >= 0)
		snprintf(flagged, sizeof flagged, "%d,%d", nflag, t - flag_day);
	else if (pool_flag_day >= 0)
		snprintf(flagged, sizeof flagged, "%d,%d", nflag, t - pool_flag_day);
	else
		snprintf(flagged, sizeof flagged, "%d,", nflag);
	for (i = 0; i < nh; i++) {
		if (h[i].key != k || h[i].day >= t)
			continue;
		cnt++;
		last = i;
		have_last = 1;
		if (isnan(h[i].amount))
			continue;
		if (n == 0 || h[i].amount < mn)
			mn = h[i].amount;
		if (n == 0 || h[i].amount > mx)
			mx = h[i].amount;
		hsum += h[i].amount;
		n++;
	}
	sum = (double)hsum;
	for (i = 0; i < nh; i++)
		if (h[i].item == it && h[i].day < t && (window == 0 || h[i].day >= t - window)) {
			v[nv++] = h[i].price;
			exact += h[i].price;
		}
	for (i = 1; i < nv; i++)           /* insertion sort */
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			tmp = v[j];
			v[j] = v[j - 1];
			v[j - 1] = tmp;
		}
	g[0] = '\0';
	if (nv > 0)
		num_format(median ? (nv % 2 ? v[nv / 2] : (v[nv / 2 - 1] + v[nv / 2]) / 2) :
		    (double)exact / (double)nv, g);
	if (cnt == 0) {
		snprintf(out, size, "0,0,,,,,,,%s,%s", flagged, g);
		return;
	}
	num_format((double)cnt, a);
	num_format(sum, b);
	c[0] = e[0] = f[0] = '\0';
	if (n > 0) {
		num_format(sum / (double)n, c);
		num_format(mn, e);
		num_format(mx, f);
	}
	pit_day_text(h[last].day, day);
	snprintf(out, size, "%s,%s,%s,%s,%s,%c,%s,%d,%s,%s", a, b, c, e, f, 'A' + h[last].item,
	    day, t - h[last].day, flagged, g);
	(void)have_last;
}

static int
cmp_pit_hist(const void *x, const void *y)
{
	const struct pit_hist *a = x, *b = y;

	if (a->day != b->day)
		return a->day - b->day;
	return a->line - b->line;
}

/* The appended fields of each line of out (after the first ncols fields), one by one. */
static const char *
pit_tail(const char *line, int ncols)
{
	while (ncols-- > 0 && (line = strchr(line, ',')) != NULL)
		line++;
	return line;
}

static void
test_point_in_time(void)
{
	static struct pit_hist h[PIT_NH];
	static int qk[PIT_NQ], qi[PIT_NQ], qd[PIT_NQ];
	static char hist_text[PIT_NH * 64], text[PIT_NQ * 48 + 64], out[PIT_NQ * 160 + 4096];
	char path[] = "/tmp/test_pit.XXXXXX", want[512], day[DATE_BUFSZ];
	struct feat_spec spec[] = {
		{ FEAT_HISTORY, "customer", NULL, 0 },
		{ FEAT_REFPRICE, "item", "price", 0 },
	};
	struct feat_config cfg;
	unsigned seed = 12345;
	size_t i, n = 0, bad = 0, badstate = 0;
	int fd, variant;
	char *line, *next;
	json_t *doc = NULL;

	n = (size_t)snprintf(hist_text, sizeof hist_text, "customer,item,date,price,flag,amount\n");
	for (i = 0; i < PIT_NH; i++) {
		h[i].key = (int)(pit_rand(&seed) % 12);
		h[i].item = (int)(pit_rand(&seed) % 5);
		h[i].day = (int)(pit_rand(&seed) % PIT_DAYS);
		h[i].price = (double)(100 + pit_rand(&seed) % 9900) / 100;
		h[i].amount = pit_rand(&seed) % 5 == 0 ? NAN : (double)(pit_rand(&seed) % 10000) / 100;
		h[i].flag = pit_rand(&seed) % 4 == 0;
		h[i].line = (int)i;
		pit_day_text(h[i].day, day);
		n += (size_t)snprintf(hist_text + n, sizeof hist_text - n, "c%d,%c,%s,%.2f,%d,", h[i].key,
		    'A' + h[i].item, day, h[i].price, h[i].flag);
		if (!isnan(h[i].amount))
			n += (size_t)snprintf(hist_text + n, sizeof hist_text - n, "%.2f", h[i].amount);
		hist_text[n++] = '\n';
	}
	hist_text[n] = '\0';
	/* The generator printed 2 decimals: the brute force must use the values read back. */
	for (i = 0; i < PIT_NH; i++) {
		char buf[32];
		snprintf(buf, sizeof buf, "%.2f", h[i].price);
		h[i].price = strtod(buf, NULL);
		if (!isnan(h[i].amount)) {
			snprintf(buf, sizeof buf, "%.2f", h[i].amount);
			h[i].amount = strtod(buf, NULL);
		}
	}
	qsort(h, PIT_NH, sizeof *h, cmp_pit_hist);
	fd = mkstemp(path);
	if (write(fd, hist_text, n) != (ssize_t)n)
		perror("write");
	close(fd);
	n = (size_t)snprintf(text, sizeof text, "customer,item,date\n");
	for (i = 0; i < PIT_NQ; i++) {
		qk[i] = (int)(pit_rand(&seed) % 14);          /* c12, c13: never in the history */
		qi[i] = (int)(pit_rand(&seed) % 6);           /* F: never in the history */
		qd[i] = (int)(pit_rand(&seed) % (PIT_DAYS + 5));
		pit_day_text(qd[i], day);
		n += (size_t)snprintf(text + n, sizeof text - n, "c%d,%c,%s\n", qk[i], 'A' + qi[i], day);
	}
	for (variant = 0; variant < 4; variant++) {
		long window = variant % 2 ? 7 : 0;
		int median = variant < 2;
		struct feat_state *st;
		struct csvio_reader *r;
		struct csvio_writer *w;
		struct csvio_row row;
		struct diag d;
		FILE *keep, *o;
		size_t q = 0, got;

		memset(&cfg, 0, sizeof cfg);
		cfg.spec = spec;
		cfg.nspec = 2;
		cfg.delim = ',';
		cfg.history = path;
		cfg.agg = "count,sum:amount,mean:amount,min:amount,max:amount,last:item,last:date,recency,"
		    "count?flag,recency?flag";
		cfg.cold = "hist_recency_if_flag=population";
		cfg.history_date = "date";
		cfg.asof_col = "date";
		cfg.window = window;
		cfg.ref_median = median;
		if (fit_apply(&cfg, text, out, sizeof out, &doc) < 0) {
			CHECK(0, "point in time: fit and apply");
			break;
		}
		bad = 0;
		line = strchr(out, '\n') + 1;
		for (q = 0; q < PIT_NQ && *line != '\0'; q++, line = next) {
			next = strchr(line, '\n');
			*next++ = '\0';
			pit_expect(h, PIT_NH, qk[q], qi[q], qd[q], window, median, want, sizeof want);
			if (strcmp(pit_tail(line, 3), want) != 0 && bad++ < 3)
				printf("     row %zu: got \"%s\", want \"%s\"\n", q + 1, pit_tail(line, 3), want);
		}
		CHECK(q == PIT_NQ, "point in time: every row written");
		CHECK(bad == 0, median ? "point in time equals the brute force (median)" :
		    "point in time equals the brute force (mean, exactly rounded)");
		/* The state: what a row dated the day after the last history date sees. */
		CHECK_STR(json_string_value(json_object_get(doc, "asof")), "2024-02-10",
		    "state asof: the day after the last history date");
		st = feat_load_json(doc, "state", &d);
		r = reader_on(text, &keep);
		o = tmpfile();
		w = csvio_writer_new(o, ',');
		if (st == NULL || feat_bind(st, r, &d) < 0) {
			CHECK(0, "point in time: the state loads");
			break;
		}
		badstate = 0;
		for (q = 0; csvio_next(r, &row, &d) > 0; q++) {
			char *t;
			feat_apply_row(st, &row, w, &d);
			csvio_flush(w);
			fflush(o);
			rewind(o);
			got = fread(out, 1, sizeof out - 1, o);
			out[got] = '\0';
			rewind(o);
			if (ftruncate(fileno(o), 0) < 0)
				perror("ftruncate");
			if ((t = strchr(out, '\n')) != NULL)
				*t = '\0';
			pit_expect(h, PIT_NH, qk[q], qi[q], PIT_DAYS, window, median, want, sizeof want);
			if (strcmp(pit_tail(out, 3), want) != 0 && badstate++ < 3)
				printf("     state row %zu: got \"%s\", want \"%s\"\n", q + 1, pit_tail(out, 3),
				    want);
		}
		CHECK(badstate == 0, "the state gives the features of a row dated the day after the history");
		csvio_writer_free(w);
		fclose(o);
		csvio_close(r);
		fclose(keep);
		feat_free(st);
		json_decref(doc);
		doc = NULL;
	}
	unlink(path);
}

int
main(void)
{
	test_quantile_bins();
	test_numeric();
	test_target_mean();
	test_strtab();
	test_strtab_hash();
	test_cf();
	test_point_in_time();
	return check_done();
}
