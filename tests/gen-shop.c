/*
 * gen-shop - draw the bundled sample shop from a known purchase model.
 *
 * Usage: gen-shop DIR [SEED]
 * Writes DIR/shop-history-raw.csv (a raw, dirty export of past offers),
 * DIR/shop-candidates.csv (customer x item rows to price tomorrow) and
 * DIR/shop-offers.csv (the coupons a shop can give).
 *
 * The true model: P(buy) = 1 / (1 + exp(-eta)) with
 *   eta = a_item + b_seg * log(price / list_price) + 0.35 * loyalty
 *         + 2.0 * discount
 * b_seg = -3.0 (new), -2.2 (regular), -1.5 (vip): price sensitivity that
 * differs by segment.  The dirt is what real exports have: prices with
 * currency signs and thousands separators, NA spellings, dates in several
 * spellings, yes/no booleans, duplicated lines, a short row, quoted fields
 * with commas.  GSL's mt19937 with a fixed seed: the same files everywhere.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#define NCUST 120
#define NITEM 12
#define NHIST 8000
#define NDAYS 90

static const char *seg_name[] = { "new", "regular", "vip" };
static const double seg_beta[] = { -3.0, -2.2, -1.5 };
static const char *item_name[NITEM] = {
	"Espresso cup", "Mug, large", "Tea pot", "Milk jug", "Coffee grinder", "Kettle",
	"French press", "Pour-over set", "Tea caddy", "Sugar bowl", "Tray, oak", "Scale"
};
static const double item_list[NITEM] = { 6.5, 12, 34, 18, 89, 45, 29, 39, 15, 11, 1299, 59 };

/* Civil date of day n after 2026-08-01, for the history dates. */
static void
date_of(int n, int *y, int *m, int *d)
{
	static const int mdays[] = { 31, 30, 31, 30, 31 };  /* Aug..Dec */
	int mi = 0;
	*y = 2026;
	n += 0;
	while (n >= mdays[mi]) {
		n -= mdays[mi];
		mi++;
	}
	*m = 8 + mi;
	*d = n + 1;
}

static const char *mon_abbr[] = { "", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
	"Aug", "Sep", "Oct", "Nov", "Dec" };

int
main(int argc, char **argv)
{
	gsl_rng *rng;
	char path[1024];
	FILE *hist, *cand, *off;
	int cust_seg[NCUST];
	double cust_loyal[NCUST], item_a[NITEM], item_cost[NITEM];
	int i, c, k;
	unsigned long seed = argc > 2 ? strtoul(argv[2], NULL, 10) : 20261124;

	if (argc < 2) {
		fprintf(stderr, "usage: gen-shop DIR [SEED]\n");
		return 2;
	}
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, seed);
	for (c = 0; c < NCUST; c++) {
		double u = gsl_rng_uniform(rng);
		cust_seg[c] = u < 0.35 ? 0 : u < 0.85 ? 1 : 2;
		cust_loyal[c] = floor(gsl_rng_uniform(rng) * 60) / 10;  /* years, 0..5.9 */
	}
	for (k = 0; k < NITEM; k++) {
		item_a[k] = -1.6 + gsl_ran_gaussian(rng, 0.3);
		item_cost[k] = round(item_list[k] * (0.45 + 0.2 * gsl_rng_uniform(rng)) * 100) / 100;
	}

	snprintf(path, sizeof path, "%s/shop-history-raw.csv", argv[1]);
	hist = fopen(path, "w");
	snprintf(path, sizeof path, "%s/shop-candidates.csv", argv[1]);
	cand = fopen(path, "w");
	snprintf(path, sizeof path, "%s/shop-offers.csv", argv[1]);
	off = fopen(path, "w");
	if (hist == NULL || cand == NULL || off == NULL) {
		perror(argv[1]);
		return 1;
	}

	fprintf(hist, "order_id,date,customer_id,segment,loyalty,item_id,item_name,list_price,cost,price,discount,bought\r\n");
	for (i = 0; i < NHIST; i++) {
		int cu = (int)gsl_rng_uniform_int(rng, NCUST), it = (int)gsl_rng_uniform_int(rng, NITEM);
		int day = (int)gsl_rng_uniform_int(rng, NDAYS), y, m, d, sp;
		double lp = item_list[it];
		double rel = exp(gsl_ran_flat(rng, log(0.8), log(1.25)));   /* shown price vs list */
		double disc = gsl_rng_uniform(rng) < 0.25 ? (gsl_rng_uniform(rng) < 0.5 ? 0.1 : 0.2) : 0;
		double price = round(lp * rel * 100) / 100;
		double eta = item_a[it] + seg_beta[cust_seg[cu]] * log(price / lp) +
		    0.35 * cust_loyal[cu] + 2.0 * disc;
		int bought = gsl_rng_uniform(rng) < 1 / (1 + exp(-eta));
		double u = gsl_rng_uniform(rng);
		char date[32], pricetxt[32], loyal[16], boughttxt[8], segtxt[16];

		date_of(day, &y, &m, &d);
		sp = (int)gsl_rng_uniform_int(rng, 10);
		if (sp < 6)
			snprintf(date, sizeof date, "%04d-%02d-%02d", y, m, d);
		else if (sp < 8)
			snprintf(date, sizeof date, "%04d/%02d/%02d", y, m, d);
		else if (sp < 9)
			snprintf(date, sizeof date, "%02d.%02d.%04d", d, m, y);
		else
			snprintf(date, sizeof date, "\"%s %d, %04d\"", mon_abbr[m], d, y);

		if (u < 0.03 && price >= 1000)
			snprintf(pricetxt, sizeof pricetxt, "\"$%d,%03d.%02d\"", (int)(price / 1000),
			    (int)fmod(price, 1000), (int)round(fmod(price * 100, 100)));
		else if (u < 0.06)
			snprintf(pricetxt, sizeof pricetxt, "$%.2f", price);
		else if (u < 0.07)
			snprintf(pricetxt, sizeof pricetxt, "N/A");
		else
			snprintf(pricetxt, sizeof pricetxt, "%.2f", price);

		u = gsl_rng_uniform(rng);
		if (u < 0.02)
			snprintf(loyal, sizeof loyal, "NA");
		else if (u < 0.03)
			snprintf(loyal, sizeof loyal, "null");
		else
			snprintf(loyal, sizeof loyal, "%.1f", cust_loyal[cu]);

		u = gsl_rng_uniform(rng);
		snprintf(boughttxt, sizeof boughttxt, "%s",
		    u < 0.8 ? (bought ? "1" : "0") : u < 0.9 ? (bought ? "yes" : "no") : (bought ? "TRUE" : "FALSE"));
		snprintf(segtxt, sizeof segtxt, gsl_rng_uniform(rng) < 0.03 ? " %s " : "%s", seg_name[cust_seg[cu]]);

		if (gsl_rng_uniform(rng) < 0.002) {   /* a line cut short by the export */
			fprintf(hist, "%d,%s,C%03d,%s\r\n", 100001 + i, date, cu + 1, segtxt);
			continue;
		}
		for (k = 0; k < (gsl_rng_uniform(rng) < 0.01 ? 2 : 1); k++)
			fprintf(hist, "%d,%s,C%03d,%s,%s,I%02d,%s%s%s,%.2f,%.2f,%s,%.2f,%s\r\n",
			    100001 + i, date, cu + 1, segtxt, loyal, it + 1,
			    strchr(item_name[it], ',') ? "\"" : "", item_name[it],
			    strchr(item_name[it], ',') ? "\"" : "",
			    lp, item_cost[it], pricetxt, disc, boughttxt);
	}

	/* Tomorrow: every customer of a sample, for four items each; today's price is the list price. */
	fprintf(cand, "customer_id,segment,loyalty,item_id,item_name,list_price,cost,price,discount\n");
	for (c = 0; c < 60; c++) {
		for (k = 0; k < 4; k++) {
			int it = (c * 5 + k * 3) % NITEM;
			fprintf(cand, "C%03d,%s,%.1f,I%02d,%s%s%s,%.2f,%.2f,%.2f,0\n", c + 1, seg_name[cust_seg[c]],
			    cust_loyal[c], it + 1, strchr(item_name[it], ',') ? "\"" : "", item_name[it],
			    strchr(item_name[it], ',') ? "\"" : "", item_list[it], item_cost[it], item_list[it]);
		}
	}
	fprintf(off, "offer_id,kind,value,cost,discount\n10PCT,percent,10,0.2,0.1\n5OFF,amount,5,0.2,0.1\nFREESHIP,amount,0,3.5,0.2\n");
	fclose(hist);
	fclose(cand);
	fclose(off);
	gsl_rng_free(rng);
	return 0;
}
