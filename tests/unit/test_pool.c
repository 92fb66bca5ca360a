/*
 * test_pool.c - pool_dl_tau2 and pool_shrink against the DerSimonian-Laird
 * estimator and the empirical-Bayes posterior computed by hand in R from
 * their definitions (testdata/pool-dl.R -> pool-dl.txt): a heterogeneous
 * set (tau2 > 0), a homogeneous one (Q < K - 1: tau2 truncated at 0) and
 * one with an aliased estimate and an infinite variance, which take no
 * part; and the edge cases of pool.h's contract.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pool.h"

#define NREF 256

static char ref_name[NREF][64];
static double ref_value[NREF];
static size_t nref;

static void
refs_load(const char *path)
{
	FILE *fp = fopen(path, "r");
	char v[64];
	if (!fp) {
		printf("cannot open %s\n", path);
		exit(1);
	}
	while (nref < NREF && fscanf(fp, "%63s %63s", ref_name[nref], v) == 2)
		ref_value[nref++] = strtod(v, NULL);    /* R writes Inf and NaN as strtod reads them */
	fclose(fp);
}

/* The value of "set.what.i" (i from 1). */
static double
refv(const char *set, const char *what, size_t i)
{
	char name[64];
	snprintf(name, sizeof name, "%s.%s.%zu", set, what, i);
	for (size_t r = 0; r < nref; r++)
		if (strcmp(ref_name[r], name) == 0)
			return ref_value[r];
	printf("no reference %s\n", name);
	exit(1);
}

static void
check_set(const char *set)
{
	size_t k = (size_t)refv(set, "k", 1), i;
	double est[16], var[16], tau2, q, mw;
	char name[96];
	for (i = 0; i < k; i++) {
		est[i] = refv(set, "est", i + 1);
		var[i] = refv(set, "var", i + 1);
	}
	size_t used = pool_dl_tau2(est, var, k, &tau2, &q, &mw);
	snprintf(name, sizeof name, "%s: groups used", set);
	CHECK(used == (size_t)refv(set, "used", 1), name);
	snprintf(name, sizeof name, "%s: tau2", set);
	CHECK_REL(tau2, refv(set, "tau2", 1), 1e-13, name);
	snprintf(name, sizeof name, "%s: Q", set);
	CHECK_REL(q, refv(set, "q", 1), 1e-13, name);
	snprintf(name, sizeof name, "%s: fixed-effect mean", set);
	CHECK_REL(mw, refv(set, "meanw", 1), 1e-13, name);
	double center = refv(set, "center", 1), cvar = refv(set, "centervar", 1);
	for (i = 0; i < k; i++) {
		double pv, s = pool_shrink(est[i], var[i], center, cvar, tau2, &pv);
		snprintf(name, sizeof name, "%s: shrunk estimate %zu", set, i + 1);
		CHECK_REL(s, refv(set, "shrunk", i + 1), 1e-13, name);
		snprintf(name, sizeof name, "%s: posterior variance %zu", set, i + 1);
		CHECK_REL(pv, refv(set, "postvar", i + 1), 1e-13, name);
	}
}

/* pool_shrink_joint against the matrix formulas by hand (pool-dl.R). */
static void
check_joint(const char *set)
{
	size_t p = (size_t)refv(set, "p", 1), i;
	double est[4], cov[16], m[4], mc[16], t2[4], post[4], pc[16];
	char name[96];
	for (i = 0; i < p; i++) {
		est[i] = refv(set, "est", i + 1);
		m[i] = refv(set, "center", i + 1);
		t2[i] = refv(set, "tau2", i + 1);
	}
	for (i = 0; i < p * p; i++) {
		cov[i] = refv(set, "cov", i + 1);
		mc[i] = refv(set, "centercov", i + 1);
	}
	snprintf(name, sizeof name, "%s: joint shrinkage ok", set);
	CHECK(pool_shrink_joint(p, est, cov, m, mc, t2, post, pc) == 0, name);
	for (i = 0; i < p; i++) {
		snprintf(name, sizeof name, "%s: joint estimate %zu", set, i + 1);
		CHECK_REL(post[i], refv(set, "post", i + 1), 1e-13, name);
	}
	for (i = 0; i < p * p; i++) {
		snprintf(name, sizeof name, "%s: joint covariance %zu", set, i + 1);
		CHECK_ABS(pc[i], refv(set, "postcov", i + 1), 1e-15, name);
	}
}

static void
test_edges(void)
{
	double est[] = { 1, 2 }, var[] = { 0.1, NAN }, tau2, q, mw, pv;
	CHECK(pool_dl_tau2(est, var, 2, &tau2, &q, &mw) == 1 && isnan(tau2) && q == 0 && mw == 1,
	    "one usable group: tau2 NaN");
	CHECK(pool_dl_tau2(est, var, 0, &tau2, NULL, &mw) == 0 && isnan(tau2) && isnan(mw),
	    "no groups");
	CHECK(pool_shrink(3, 0.5, 1, 0.1, NAN, &pv) == 3 && pv == 0.5, "tau2 NaN: no pooling");
	CHECK(pool_shrink(3, 0.5, 1, 0.1, 0, &pv) == 1 && pv == 0.1, "tau2 0: the centre, its variance");
	CHECK(pool_shrink(3, 0, 1, 0.1, 0.2, &pv) == 3 && pv == 0, "an exact estimate is kept");
	CHECK(pool_shrink(NAN, NAN, 1, 0.1, 0.2, &pv) == 1 && fabs(pv - 0.3) < 1e-15,
	    "no estimate: the prior, plus the centre's variance");
	/* equal variances: B = tau2 / (tau2 + v) = 1/2 exactly */
	CHECK_REL(pool_shrink(3, 1, 1, 0.4, 1, &pv), 2, 1e-15, "half way");
	CHECK_REL(pv, 0.5 + 0.25 * 0.4, 1e-15, "half the variance plus a quarter of the centre's");
}

int
main(void)
{
	refs_load("pool-dl.txt");
	check_set("het");
	check_set("hom");
	check_set("gaps");
	check_joint("j2");
	check_joint("j3");
	test_edges();
	/* p = 1: the joint form is pool_shrink */
	{
		double b = 3, v = 1, m = 1, vm = 0.4, t2 = 1, post, pc, pv;
		double s1 = pool_shrink(b, v, m, vm, t2, &pv);
		CHECK(pool_shrink_joint(1, &b, &v, &m, &vm, &t2, &post, &pc) == 0, "joint p = 1 ok");
		CHECK_REL(post, s1, 1e-15, "joint p = 1: the same estimate");
		CHECK_REL(pc, pv, 1e-15, "joint p = 1: the same variance");
		/* an aliased coefficient: the centre, variance tau2 + Vm */
		double b2[2] = { NAN, 2 }, v2[4] = { NAN, NAN, NAN, 0.5 }, m2[2] = { 1, 1 },
		    vm2[4] = { 0.1, 0, 0, 0.1 }, t22[2] = { 0.3, 0.5 }, po[2], pc2[4];
		CHECK(pool_shrink_joint(2, b2, v2, m2, vm2, t22, po, pc2) == 0 && po[0] == 1 &&
		    fabs(pc2[0] - 0.4) < 1e-15 && fabs(po[1] - 1.5) < 1e-15,
		    "joint: aliased coefficient gets the centre");
		/* tau2 NaN: not shrunk */
		t22[1] = NAN;
		CHECK(pool_shrink_joint(2, b2, v2, m2, vm2, t22, po, pc2) == 0 && po[1] == 2 &&
		    pc2[3] == 0.5, "joint: tau2 NaN leaves the estimate");
	}
	return check_done();
}
