#!/bin/sh
# tests/bench/bench-optimize-scale.sh - how pr-optimize's work grows with the
# number of --capacity groups and with the size of an --offers file, next to
# Miller sorting the same file (an n log n peer) in the same run.  A ratio to
# Miller that stays flat as n grows tenfold is n log n or better; a ratio
# that grows tenfold with n is quadratic.
# Usage: [SIZES="10000 100000 1000000"] sh tests/bench/bench-optimize-scale.sh
BUILD=${BUILD:-build}
SIZES=${SIZES:-"10000 100000 1000000"}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/$BUILD/bin"
model="$top/testdata/optimize-logit.json"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
command -v mlr >/dev/null 2>&1 || { echo "mlr (Miller) is needed as the peer"; exit 1; }

secs() { # command... -> wall seconds on stdout
	/usr/bin/time -f "%e" -o "$T/time" "$@" >/dev/null 2>"$T/err" || { cat "$T/err" >&2; echo "-"; return; }
	cat "$T/time"
}

printf '%-10s %9s %12s %9s %8s\n' what n pr-optimize mlr-sort ratio
for n in $SIZES; do
	# n groups of one row each; one group in ten has a capacity that binds
	awk -v n="$n" 'BEGIN {
		print "id,G,segment,loyalty,discount,price,cost,cap"
		for (i = 0; i < n; i++)
			printf "r%d,g%d,%s,%d,0,10,4,%s\n", i, i, substr("abc", i % 3 + 1, 1), i % 7,
			    i % 10 == 0 ? "0.05" : "100"
	}' >"$T/rows.csv"
	a=$(secs "$bin/pr-optimize" -m "$model" --cost cost --capacity cap --by G "$T/rows.csv")
	b=$(secs mlr --icsv --ocsv sort -f G "$T/rows.csv")
	awk -v w=capacity -v n="$n" -v a="$a" -v b="$b" \
	    'BEGIN { printf "%-10s %9d %11ss %8ss %7.2fx\n", w, n, a, b, (b > 0 ? a / b : 0) }'

	# an offers file of n offers, read for one candidate row
	awk -v n="$n" 'BEGIN {
		print "offer_id,kind,value,cost,discount"
		for (i = 0; i < n; i++)
			printf "o%d,%s,%d,0.1,0.%d\n", i, i % 2 ? "percent" : "amount", i % 50, i % 10
	}' >"$T/offers.csv"
	printf 'id,segment,loyalty,discount,price,cost\nr1,a,1,0,10,4\n' >"$T/one.csv"
	a=$(secs "$bin/pr-optimize" -m "$model" --cost cost --offers "$T/offers.csv" --promo-col discount "$T/one.csv")
	b=$(secs mlr --icsv --ocsv sort -f offer_id "$T/offers.csv")
	awk -v w=offers -v n="$n" -v a="$a" -v b="$b" \
	    'BEGIN { printf "%-10s %9d %11ss %8ss %7.2fx\n", w, n, a, b, (b > 0 ? a / b : 0) }'
done
