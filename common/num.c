/* num.c - see num.h. */
#include "num.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * strtod accepts more than a CSV number should be: leading space, hex
 * floats, "inf"/"nan", and it needs a NUL.  So look at the characters first
 * and hand strtod only what is plainly decimal.
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/*
 * digits [. digits] in s[0..n), 4 <= n <= 8, eight bytes at once (read as
 * two overlapping 4-byte words, so nothing past s[n - 1]): *mant the
 * digits as an integer, *frac the digits after the dot.  Returns 0 when
 * the bytes are not of that shape (the same texts the loop of
 * short_decimal refuses).
 */
static int
eight_bytes(const char *s, size_t n, uint64_t *mant, size_t *frac)
{
	const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
	uint32_t a, b;
	memcpy(&a, s, 4);
	memcpy(&b, s + n - 4, 4);
	uint64_t x = (uint64_t)a | (uint64_t)b << (8 * (n - 4));   /* byte k is s[k] */
	uint64_t keep = n == 8 ? ~(uint64_t)0 : ((uint64_t)1 << (8 * n)) - 1;
	uint64_t t = (x ^ 0x30 * ones) & keep;                     /* digits become 0..9 */
	/* a byte's high bit: not a digit (t > 9), without carries between bytes */
	uint64_t other = (((t & 0x7f * ones) + 0x76 * ones) | t) & high & keep;
	size_t q, f = 0;
	if (other != 0) {
		q = (size_t)__builtin_ctzll(other) / 8;
		if ((other & (other - 1)) != 0 || s[q] != '.' || q == 0 || q == n - 1)
			return 0;
		/* close up the dot */
		uint64_t below = t & (((uint64_t)1 << (8 * q)) - 1);
		t = below | (t >> (8 * (q + 1))) << (8 * q);
		f = n - 1 - q;
		n--;
	}
	/* n digit values, the first in the lowest byte: pad to eight with leading zeros */
	t <<= 8 * (8 - n);
	t = t * 10 + (t >> 8);
	t = ((t & 0x000000ff000000ffu) * (100 + ((uint64_t)1000000 << 32)) +
	    ((t >> 16) & 0x000000ff000000ffu) * (1 + ((uint64_t)10000 << 32))) >> 32;
	*mant = t & 0xffffffffu;
	*frac = f;
	return 1;
}
#endif

/*
 * The commonest CSV number, [sign] digits [. digits] in at most 16 bytes
 * with at most 15 digits, in one pass (eight bytes at once where they
 * fit): the digits form an integer below 10^15 (exact in a double) and
 * one division by an exact power of ten rounds it correctly, the same
 * operations (so the same bits) as the general path below.  Returns 0
 * when the text is not of that shape.
 */
static int
short_decimal(const char *s, size_t len, double *out)
{
	static const double pow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	    1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };
	size_t start = s[0] == '-' || s[0] == '+', frac = 0, i, digits;
	uint64_t mant = 0;
	double v;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (len - start >= 4 && len - start <= 8) {
		if (!eight_bytes(s + start, len - start, &mant, &frac))
			return 0;
		goto value;
	}
#endif
	{
		size_t dot = len;
		for (i = start; i < len; i++) {
			unsigned d = (unsigned)(unsigned char)s[i] - '0';
			if (d <= 9)
				mant = mant * 10 + d;
			else if (s[i] == '.' && dot == len)
				dot = i;
			else
				return 0;
		}
		/* a digit before and after a dot; 1 to 15 digits */
		if (dot < len && (dot == start || dot == len - 1))
			return 0;
		digits = len - start - (dot < len);
		if (digits == 0 || digits > 15)
			return 0;
		frac = dot < len ? len - 1 - dot : 0;
	}
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
value:
#endif
	v = (double)mant;
	if (frac > 0)
		v = v / pow10[frac];
	*out = s[0] == '-' ? -v : v;
	return 1;
}

enum num_status
num_parse(const char *s, size_t len, double *out, int flags)
{
	char small[128], *buf, *end;
	size_t i = 0;
	int digits = 0;
	double v;

	if (len == 0)
		return NUM_EMPTY;
	if (len <= 16 && short_decimal(s, len, out))
		return NUM_OK;
	if (s[i] == '+' || s[i] == '-')
		i++;
	if (i < len && (s[i] == 'i' || s[i] == 'I' || s[i] == 'n' || s[i] == 'N')) {
		const char *w = s + i;
		size_t wl = len - i;
		if (!(flags & NUM_ALLOW_INFNAN))
			return NUM_BAD;
		if ((wl == 3 && strncasecmp(w, "inf", 3) == 0) ||
		    (wl == 8 && strncasecmp(w, "infinity", 8) == 0)) {
			*out = s[0] == '-' ? -HUGE_VAL : HUGE_VAL;
			return NUM_OK;
		}
		if (wl == 3 && strncasecmp(w, "nan", 3) == 0) {
			*out = NAN;
			return NUM_OK;
		}
		return NUM_BAD;
	}
	/*
	 * digits [. digits] [e[+-]digits], at least one digit in the mantissa.
	 * On the way, gather the significand and the decimal exponent for
	 * Clinger's fast path: when the significand is below 2^53 and the
	 * power of ten is at most 22, both are exact doubles and one IEEE
	 * multiplication or division gives the correctly rounded result, as
	 * strtod would.  Everything else goes to strtod.
	 */
	{
		unsigned long long mant = 0;
		int ndig = 0, exp10 = 0, eval = 0, eneg = 0, exact = 1;
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
			digits++;
			if (mant == 0 && s[i] == '0')
				continue;
			if (ndig < 19) {
				mant = mant * 10 + (unsigned long long)(s[i] - '0');
				ndig++;
			} else {
				exact = 0;
			}
		}
		if (i < len && s[i] == '.') {
			for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
				digits++;
				if (mant == 0 && s[i] == '0') {
					exp10--;
					continue;
				}
				if (ndig < 19) {
					mant = mant * 10 + (unsigned long long)(s[i] - '0');
					ndig++;
					exp10--;
				} else {
					exact = 0;
				}
			}
		}
		if (digits == 0)
			return NUM_BAD;
		if (i < len && (s[i] == 'e' || s[i] == 'E')) {
			int edigits = 0;
			i++;
			if (i < len && (s[i] == '+' || s[i] == '-'))
				eneg = s[i++] == '-';
			for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
				edigits++;
				if (eval < 10000)
					eval = eval * 10 + (s[i] - '0');
			}
			if (edigits == 0)
				return NUM_BAD;
			exp10 += eneg ? -eval : eval;
		}
		if (i != len)
			return NUM_BAD;
		if (exact && mant <= (1ULL << 53) && exp10 >= -22 && exp10 <= 22) {
			static const double pow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
			    1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
			    1e19, 1e20, 1e21, 1e22 };
			double v = (double)mant;
			v = exp10 < 0 ? v / pow10[-exp10] : v * pow10[exp10];
			*out = s[0] == '-' ? -v : v;
			return NUM_OK;
		}
	}

	if (len < sizeof small) {
		memcpy(small, s, len);
		small[len] = '\0';
		buf = small;
	} else {
		buf = malloc(len + 1);
		if (buf == NULL)
			return NUM_RANGE;
		memcpy(buf, s, len);
		buf[len] = '\0';
	}
	errno = 0;
	v = strtod(buf, &end);
	if (buf != small)
		free(buf);
	if (errno == ERANGE && isinf(v))
		return NUM_RANGE;
	*out = v;
	return NUM_OK;
}

const char *
num_strerror(enum num_status st)
{
	switch (st) {
	case NUM_OK: return "ok";
	case NUM_EMPTY: return "missing value";
	case NUM_BAD: return "not a number";
	case NUM_RANGE: return "number out of range";
	}
	return "not a number";
}

/*
 * Write [-]m with a decimal point k digits from the right ("0.05" for
 * m = 5, k = 2), into buf; returns the length.
 */
static size_t
put_digits(char *buf, int neg, unsigned long long m, int k)
{
	char tmp[24];
	int n = 0, i, len = 0;

	do {
		tmp[n++] = (char)('0' + m % 10);
		m /= 10;
	} while (m > 0);
	while (n <= k)             /* leading zeros: 0.0m */
		tmp[n++] = '0';
	if (neg)
		buf[len++] = '-';
	for (i = n - 1; i >= 0; i--) {
		buf[len++] = tmp[i];
		if (i == k && k > 0)
			buf[len++] = '.';
	}
	buf[len] = '\0';
	return (size_t)len;
}

/*
 * P significant digits of ax (1e-4 <= ax < 1e15, not a whole number),
 * correctly rounded (half to even, as glibc's printf), in fixed notation
 * with trailing zeros dropped: the text "%.Pg" writes.  Exact, with
 * 128-bit integers: ax = f * 2^e with f < 2^53 and -66 <= e < 0, so
 * f * 10^k (k <= 22) is below 2^126 and the shift by -e is exact.
 * Writes the text only when it reads back to ax (strtod, correctly
 * rounded, gives ax): decided exactly, from the distance to ax in the
 * same units.  Returns its length, or 0 when it does not read back (or
 * the digits would need an exponent).
 */
static size_t
fixed_digits(char *buf, int neg, double ax, int P)
{
	static const unsigned long long p10[] = { 1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL,
	    100000ULL, 1000000ULL, 10000000ULL, 100000000ULL, 1000000000ULL,
	    10000000000ULL, 100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	    100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	    100000000000000000ULL, 1000000000000000000ULL, 10000000000000000000ULL };
	int e2, k, shift, tries;
	unsigned long long f, q = 0;
	unsigned __int128 n = 0, pk = 0, d, qs;
	double fr = frexp(ax, &e2);

	f = (unsigned long long)ldexp(fr, 53);
	shift = 53 - e2;
	/*
	 * 10^(P-1) <= ax * 10^k < 10^P.  From the binary exponent, k is right
	 * or one too large (ax >= 2^(e2-1)); the truncated value, which must
	 * have exactly P digits, decides.  Only then round (a carry to 10^P
	 * is 10^(P-1) with one decimal fewer).
	 */
	k = P - 1 - (int)floor((e2 - 1) * 0.30102999566398120);
	for (tries = 0; tries < 3; tries++) {
		if (k < 0 || k > 22)
			return 0;
		pk = k <= 19 ? (unsigned __int128)p10[k] : (unsigned __int128)p10[19] * p10[k - 19];
		n = (unsigned __int128)f * pk;
		q = (unsigned long long)(n >> shift);
		if (q < p10[P - 1]) {
			k++;
			continue;
		}
		if (q >= p10[P]) {
			k--;
			continue;
		}
		{
			unsigned __int128 rem = n & ((((unsigned __int128)1) << shift) - 1);
			unsigned __int128 half = ((unsigned __int128)1) << (shift - 1);
			if (rem > half || (rem == half && (q & 1)))
				q++;
		}
		break;
	}
	if (tries == 3)
		return 0;
	/*
	 * Does q / 10^k read back to ax?  Scaled by 10^k * 2^shift, ax is n,
	 * the text is q * 2^shift, and half the gap to the next double above
	 * is pk / 2 (below too, but where f = 2^52 the gap below is half as
	 * wide).  A text exactly halfway reads back to ax when f is even.
	 */
	qs = (unsigned __int128)q << shift;
	if (qs >= n) {
		d = 2 * (qs - n);
	} else {
		d = (n - qs) * (f == (1ULL << 52) ? 4 : 2);
	}
	if (d > pk || (d == pk && (f & 1)))
		return 0;
	if (q == p10[P]) {
		q = p10[P - 1];
		k--;
	}
	if (k < 0)
		return 0;
	while (k > 0 && q % 10 == 0) {
		q /= 10;
		k--;
	}
	return put_digits(buf, neg, q, k);
}

size_t
num_format(double x, char *buf)
{
	int prec, first, n = 0;

	if (isnan(x)) {
		buf[0] = '\0';
		return 0;
	}
	if (isinf(x))
		return (size_t)snprintf(buf, NUM_BUFSZ, "%s", x < 0 ? "-inf" : "inf");
	if (x == 0) {
		buf[0] = '0';
		buf[1] = '\0';
		return 1;
	}
	/* Whole numbers below 2^53 print exactly as integers: the common case. */
	if (fabs(x) < 9007199254740992.0 && x == (double)(long long)x)
		return put_digits(buf, x < 0, (unsigned long long)fabs(x), 0);
	/*
	 * Fixed notation, found without printf.  First, for the common few
	 * decimals: the smallest k for which m = round(|x| * 10^k) is below
	 * 2^53 and m / 10^k == |x| gives the shortest decimal that reads
	 * back to x (strtod's correctly rounded m / 10^k is that same IEEE
	 * division).  Then exactly, in integers.  This is the text
	 * %.{15,16,17}g would write, as the unit test checks against brute
	 * force; where %g would use an exponent (below 1e-4), printf.
	 */
	first = fabs(x) < DBL_MIN ? 1 : 15;
	if (fabs(x) >= 1e-4 && fabs(x) < 1e15) {
		static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
		    1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19 };
		double ax = fabs(x), m;
		int k;
		for (k = 1; k <= 4; k++) {
			m = nearbyint(ax * p10[k]);
			if (m >= 1e15)
				break;
			if (m / p10[k] == ax)
				return put_digits(buf, x < 0, (unsigned long long)m, k);
		}
		/*
		 * Not a price or the like: 15 significant digits when they
		 * read back (at most one text of 15 digits does, so with its
		 * trailing zeros dropped it is the shortest), else 16, else 17
		 * (which always do).
		 */
		for (k = 15; k <= 17; k++)
			if ((n = (int)fixed_digits(buf, x < 0, ax, k)) > 0)
				return (size_t)n;
		first = 15;
	}
	/*
	 * 17 significant digits always round-trip (IEEE 754 binary64).  A
	 * normal double that some shorter text reads back to prints as that
	 * text at %.15g (%g drops the trailing zeros), so the search starts
	 * at 15; subnormals carry fewer digits and start at 1.
	 */
	for (prec = first; prec <= 17; prec++) {
		n = snprintf(buf, NUM_BUFSZ, "%.*g", prec, x);
		if (prec == 17 || strtod(buf, NULL) == x)
			break;
	}
	return (size_t)n;
}
