/*
 * gen-orders - write a synthetic order history for the benchmarks: a header
 * and N rows (default 1,000,000) of 12 columns, about 65 bytes a row, with
 * quoted fields (commas, quotes) and empty values, from a fixed seed so the
 * file is the same on every machine.
 * Usage: gen-orders [ROWS [SEED]] > orders.csv
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* xorshift64*: small, fast, and the same everywhere. */
static uint64_t
next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

int
main(int argc, char **argv)
{
	static const char *const segs[] = { "new", "regular", "regular", "vip" };
	static const char *const chans[] = { "web", "app", "store" };
	static const char *const notes[] = { "\"gift, wrapped\"", "\"said \"\"hi\"\"\"", "rush" };
	static const int list_cents[] = { 650, 1200, 3400, 1990, 8900, 425, 2900, 3900 };
	long rows = argc > 1 ? atol(argv[1]) : 1000000, i;
	uint64_t s = argc > 2 ? strtoull(argv[2], NULL, 10) : 20261124;
	char buf[1 << 16];

	if (s == 0)
		s = 1;
	setvbuf(stdout, buf, _IOFBF, sizeof buf);
	fputs("order_id,customer_id,item_id,date,price,list_price,quantity,discount,"
	    "segment,bought,channel,note\n", stdout);
	for (i = 0; i < rows; i++) {
		uint64_t r = next(&s);
		int item = (int)(r % 8), lp = list_cents[item];
		int disc = (int)(r >> 8) % 4 == 0 ? 10 : 0;
		int price = lp * (100 - disc) / 100 + (int)((r >> 16) % 41) - 20;
		int month = 1 + (int)((r >> 24) % 12), day = 1 + (int)((r >> 28) % 28);
		int noprice = (r >> 34) % 50 == 0;
		int note = (int)((r >> 40) % 10);

		printf("%ld,C%06d,I%03d,2026-%02d-%02d,", 1000000 + i, (int)((r >> 44) % 20000),
		    item + 1, month, day);
		if (noprice)
			putchar(',');
		else
			printf("%d.%02d,", price / 100, price % 100);
		printf("%d.%02d,%d,%s,%s,%d,%s,%s\n", lp / 100, lp % 100, 1 + (int)((r >> 50) % 3),
		    disc ? "0.1" : "0", segs[(r >> 52) % 4], (int)((r >> 55) & 1),
		    chans[(r >> 56) % 3], note < 3 ? notes[note] : "");
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
