/*
 * fuzz_date.c - date_parse on arbitrary text, in each order; an accepted
 * date is valid, formats to "YYYY-MM-DD", and that text parses to the same
 * date; the day number round-trips through date_from_days.
 */
#include "fuzz_common.h"

#include "date.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum date_order orders[] = { DATE_ORDER_NONE, DATE_ORDER_DMY, DATE_ORDER_MDY };
	char buf[DATE_BUFSZ + 8];
	struct date dt, back, fromdays;
	size_t k, n;

	for (k = 0; k < 3; k++) {
		memset(&dt, 0x5a, sizeof dt);
		if (date_parse((const char *)data, size, orders[k], &dt) != DATE_OK)
			continue;
		if (!date_valid(dt.year, dt.month, dt.day))
			abort();
		n = date_format(&dt, buf);
		if (n != 10 || strlen(buf) != 10)
			abort();
		if (date_parse(buf, n, DATE_ORDER_NONE, &back) != DATE_OK ||
		    back.year != dt.year || back.month != dt.month || back.day != dt.day)
			abort();
		if (date_from_days(date_to_days(&dt), &fromdays) != 0 ||
		    fromdays.year != dt.year || fromdays.month != dt.month || fromdays.day != dt.day)
			abort();
		if (date_weekday(&dt) < 1 || date_weekday(&dt) > 7)
			abort();
	}
	return 0;
}
