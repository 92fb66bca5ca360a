/*
 * test_split.c - pr-train's validation split (design_row_unit,
 * design_split_fold): the unit value of a row against an independent
 * implementation (testdata/fold-ref.py), and the split's figures against
 * their binomial distribution; and the streaming measures (metrics_acc)
 * against the array functions, merged in any split and order, and read
 * back from their JSON.
 */
#include <stdlib.h>

#include "check.h"
#include "design.h"
#include "formula.h"
#include "metrics.h"

static struct formula *
formula_of(const char *text)
{
	struct diag d;
	struct formula *f = formula_parse(text, &d);
	long g = f ? formula_col_index(f, "g") : -1;
	char *lv[] = { "", "a longer level text", "vip" };

	if (f == NULL || (g >= 0 && formula_set_levels(f, (size_t)g, lv, 3, &d) < 0) ||
	    formula_build(f, &d) < 0) {
		printf("formula \"%s\": %s\n", text, d.what);
		exit(1);
	}
	return f;
}

static void
test_unit(void)
{
	struct formula *f = formula_of("y ~ x + C(g)");
	/* levels in byte order: "" 0, "a longer level text" 1, "vip" 2 */
	double r1[] = { 1.5, 2, 2 }, r2[] = { 0, 3, 1 }, r2m[] = { -0.0, 3, 1 }, r3[] = { -2.25, 1e300, 0 };

	/* fold-ref.py's unit() of the same values and seeds */
	CHECK(design_row_unit(f, r1, 3, 0, 1) == 0.8214687228651834, "u of (1.5, 2, vip), seed 1");
	CHECK(design_row_unit(f, r2, 3, 0, 42) == 0.35345824991098684,
	    "u of (0, 3, a longer level text), seed 42");
	CHECK(design_row_unit(f, r2m, 3, 0, 42) == design_row_unit(f, r2, 3, 0, 42), "-0 is 0");
	CHECK(design_row_unit(f, r3, 3, 0, 4294967295UL) == 0.49606315781749755,
	    "u of (-2.25, 1e300, empty level), seed 2^32 - 1");
	CHECK(design_row_unit(f, r1, 3, 0, 2) != design_row_unit(f, r1, 3, 0, 1), "the seed counts");
	{
		double w1[] = { 1.5, 2, 2, 1 }, w2[] = { 1.5, 2, 2, 2 };
		CHECK(design_row_unit(f, w1, 3, 1, 1) != design_row_unit(f, w2, 3, 1, 1),
		    "the weight counts");
	}
	formula_free(f);
}

/*
 * n distinct rows: the holdout's size and each fold's within 5 standard
 * deviations of their binomial means (a false alarm about once in 3.5
 * million runs, and the values are fixed: it cannot flap), and u spread
 * over [0, 1) (each tenth within 5 sd).
 */
static void
test_split(void)
{
	struct formula *f = formula_of("y ~ x");
	const size_t n = 20000;
	const long K = 7;
	struct design_split ho = { 0.3, 0, 1 }, cv = { 0, K, 1 };
	size_t held = 0, fold[7] = { 0 }, tenth[10] = { 0 }, bad = 0;

	for (size_t i = 0; i < n; i++) {
		double v[2] = { (double)i, (double)(i % 17) * 0.25 };
		double u = design_row_unit(f, v, 2, 0, 1);
		long k = design_split_fold(&cv, u);
		held += design_split_fold(&ho, u) == 0;
		bad += design_row_fold(&cv, f, v, 2, 0) != k;
		if (k < 0 || k >= K || !(u >= 0 && u < 1))
			bad++;
		else
			fold[k]++;
		tenth[(size_t)(u * 10)]++;
	}
	CHECK(bad == 0, "every u in [0, 1), every fold in 0..K-1, as design_row_fold gives it");
	CHECK(fabs((double)held - 0.3 * n) <= 5 * sqrt(n * 0.3 * 0.7), "holdout near 0.3 n");
	for (long k = 0; k < K; k++)
		CHECK(fabs((double)fold[k] - (double)n / K) <= 5 * sqrt(n * (1.0 / K) * (1 - 1.0 / K)),
		    "each fold near n / K");
	for (size_t t = 0; t < 10; t++)
		CHECK(fabs((double)tenth[t] - n / 10.0) <= 5 * sqrt(n * 0.1 * 0.9), "u uniform by tenths");
	{
		struct design_split one = { 0.5, 0, 1 };
		CHECK(design_split_fold(&one, 0.5) == -1 && design_split_fold(&one, 0.4999) == 0,
		    "holdout: u < FRAC");
		CHECK(design_split_fold(&cv, 0) == 0 && design_split_fold(&cv, 1 - 0x1p-53) == K - 1,
		    "folds: floor(u K) from 0 to K - 1");
	}
	formula_free(f);
}

/* The summaries a and b equal, bit for bit (NaN as NaN). */
static int
same(const struct metrics_summary *a, const struct metrics_summary *b)
{
	const double x[] = { a->rmse, a->mae, a->r2, a->log_loss, a->auc, a->auc_bound, a->brier,
	    a->accuracy, a->deviance };
	const double y[] = { b->rmse, b->mae, b->r2, b->log_loss, b->auc, b->auc_bound, b->brier,
	    b->accuracy, b->deviance };
	for (size_t i = 0; i < sizeof x / sizeof *x; i++)
		if (!(x[i] == y[i] || (isnan(x[i]) && isnan(y[i]))))
			return 0;
	return a->n == b->n;
}

static void
test_acc(void)
{
	enum { N = 500 };
	static double y[N], p[N], eta[N], yl[N], pl[N], yc[N], mu[N];
	struct metrics_acc one, a, b, c, r;
	struct metrics_summary s1, s2;
	unsigned long long x = 88172645463325252ULL;

	for (size_t i = 0; i < N; i++) {
		/* xorshift64: values with no pattern the sums could hide behind */
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		double u = (double)(x >> 11) * 0x1.0p-53;
		eta[i] = 6 * u - 3;
		p[i] = 1 / (1 + exp(-eta[i]));
		y[i] = (double)((x >> 3) % 3 == 0) || u > 0.8;
		yl[i] = 100 * u + (double)(x % 7);
		pl[i] = 100 * u + 3;
		yc[i] = (double)(x % 5);
		mu[i] = 0.5 + 4 * u;
	}
	for (int kind = 0; kind < 3; kind++) {
		const double *yy = kind == 0 ? yl : kind == 1 ? y : yc;
		const double *pp = kind == 0 ? pl : kind == 1 ? p : mu;
		metrics_acc_init(&one, (enum metrics_kind)kind);
		metrics_acc_init(&a, (enum metrics_kind)kind);
		metrics_acc_init(&b, (enum metrics_kind)kind);
		metrics_acc_init(&c, (enum metrics_kind)kind);
		metrics_acc_init(&r, (enum metrics_kind)kind);
		for (size_t i = 0; i < N; i++)
			metrics_acc_add(&one, yy[i], pp[i], eta[i]);
		/* three shards, their rows in reverse, merged c, a, b */
		for (size_t i = N; i-- > 0;)
			metrics_acc_add(i % 3 == 0 ? &a : i % 3 == 1 ? &b : &c, yy[i], pp[i], eta[i]);
		metrics_acc_merge(&c, &a);
		metrics_acc_merge(&c, &b);
		metrics_acc_summary(&one, &s1);
		metrics_acc_summary(&c, &s2);
		CHECK(same(&s1, &s2), "merged shards in another order: the same figures, bit for bit");
		{
			json_t *j = metrics_acc_json(&c);
			CHECK(metrics_acc_add_json(&r, j) == 0, "read back");
			metrics_acc_summary(&r, &s2);
			CHECK(same(&s1, &s2), "JSON round trip: the same figures, bit for bit");
			json_decref(j);
		}
		if (kind == 0) {
			CHECK_REL(s1.rmse, metrics_rmse(yl, pl, N), 1e-15, "rmse as the array's");
			CHECK_REL(s1.mae, metrics_mae(yl, pl, N), 1e-15, "mae as the array's");
			CHECK_REL(s1.r2, metrics_r2(yl, pl, N), 1e-14, "r2 as the array's");
		} else if (kind == 1) {
			CHECK_REL(s1.log_loss, metrics_log_loss(y, p, N), 1e-15, "log loss as the array's");
			CHECK_REL(s1.brier, metrics_brier(y, p, N), 1e-15, "brier as the array's");
			CHECK(s1.accuracy == metrics_accuracy(y, p, N), "accuracy as the array's");
			/* 500 etas over [-3, 3): pairs share a bin rarely; the bound holds */
			CHECK(fabs(s1.auc - metrics_auc(y, p, N)) <= s1.auc_bound + 1e-15,
			    "auc within its bound of the exact one");
			CHECK(s1.auc_bound < 1e-3, "auc bound small for spread predictions");
		} else {
			CHECK_REL(s1.deviance, metrics_poisson_deviance(yc, mu, N), 1e-14,
			    "poisson deviance as the array's");
		}
		metrics_acc_fini(&one);
		metrics_acc_fini(&a);
		metrics_acc_fini(&b);
		metrics_acc_fini(&c);
		metrics_acc_fini(&r);
	}
	{
		/* a positive and a negative in one bin: counted tied, bound one half */
		metrics_acc_init(&a, METRICS_BINARY);
		metrics_acc_add(&a, 1, 0.5, 0.0001);
		metrics_acc_add(&a, 0, 0.5, 0.0002);
		metrics_acc_add(&a, 0, 0.1, -2.2);
		metrics_acc_summary(&a, &s1);
		CHECK(s1.auc == 0.75 && s1.auc_bound == 0.25, "a tie within a bin: auc 3/4, bound 1/4");
		CHECK(metrics_auc_bin(-16) == 0 && metrics_auc_bin(-100) == 0 &&
		    metrics_auc_bin(NAN) == 0 && metrics_auc_bin(16) == METRICS_AUC_BINS - 1 &&
		    metrics_auc_bin(0) == METRICS_AUC_BINS / 2 &&
		    metrics_auc_bin(-0x1p-12) == METRICS_AUC_BINS / 2 - 1, "bins of eta");
		metrics_acc_fini(&a);
	}
	{
		/* hostile documents are refused */
		static const char *const bad[] = {
			"{\"n\":-1,\"right\":0,\"auc_bins\":[]}",
			"{\"n\":2,\"right\":3,\"auc_bins\":[[0,1,1]]}",
			"{\"n\":2,\"right\":0,\"auc_bins\":[[5,1,0],[5,1,0]]}",
			"{\"n\":2,\"right\":0,\"auc_bins\":[[65536,1,1]]}",
			"{\"n\":2,\"right\":0,\"auc_bins\":[[1,1,0]]}",
			"{\"n\":1,\"right\":0,\"auc_bins\":[[1,1,0]],\"sse\":[1]}",
			"{\"n\":1,\"right\":0,\"auc_bins\":[[1,1,0]],\"loss\":[\"x\"]}",
			"{\"n\":1.5,\"right\":0,\"auc_bins\":[[1,1,0]]}",
			"[]",
		};
		for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
			json_t *j = json_loads(bad[i], 0, NULL);
			metrics_acc_init(&a, METRICS_BINARY);
			CHECK(j != NULL && metrics_acc_add_json(&a, j) < 0, bad[i]);
			json_decref(j);
			metrics_acc_fini(&a);
		}
	}
}

int
main(void)
{
	test_unit();
	test_split();
	test_acc();
	return check_done();
}
