#!/bin/sh
# tests/bench/bench-realistic.sh - profit on realistic demand: the share of
# the best policy achievable from what can be observed that the pipe of
# tests/realistic-pipe.sh earns on the market of tests/gen-realistic.c
# (hidden customer types and sensitivities that show only in the history, a
# loss-averse reference-price effect, a coupon with an effect beyond its
# price cut, item attractiveness, a logging policy of a few posted prices
# with some random exploration), with and without the coupon, and with and
# without point-in-time features and kinked price terms; next to today's
# prices, the best single price per item and the policy that knows every
# hidden quantity.  The peer is the true model itself.  A benchmark, not a
# test: exits 0 unless the programs are missing.
# Usage: BUILD=build NCUST=2000 SEEDS="1 2 3" sh tests/bench/bench-realistic.sh
set -u
BUILD=${BUILD:-build}
NCUST=${NCUST:-2000}
SEEDS=${SEEDS:-1 2 3}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/$BUILD/bin"
gen="$top/$BUILD/tests/gen-realistic"
[ -x "$gen" ] && [ -x "$bin/pr-optimize" ] || { echo "bench-realistic: build first (make)"; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
. "$top/tests/realistic-pipe.sh"
share() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%6.2f%%", 100 * a / b }'; }

echo "bench-realistic: $NCUST customers, 3 candidates each; shares of the observable best"
printf '%-6s %-26s %9s %9s\n' seed policy "no offer" "coupon"
for seed in $SEEDS; do
	"$gen" history "$seed" "$NCUST" >"$T/h.csv"
	"$gen" candidates "$seed" "$NCUST" >"$T/c.csv"
	"$gen" offers >"$T/o.csv"
	"$gen" best "$seed" "$NCUST" >"$T/best.csv"
	v() { awk -F, -v k="$1" '$1 == k { print $2 }' "$T/best.csv"; }
	best=$(v observable_best) best_o=$(v observable_best_offers)
	for pipe in full basic; do
		if "realistic_$pipe" "$T"; then
			a=$("$gen" value "$seed" opt_price "" "$NCUST" <"$T/p.csv")
			b=$("$gen" value "$seed" opt_price offer_id "$NCUST" <"$T/po.csv")
			printf '%-6s %-26s %9s %9s\n' "$seed" "pipe ($pipe)" "$(share "$a" "$best")" \
				"$(share "$b" "$best_o")"
		else
			printf '%-6s %-26s %9s\n' "$seed" "pipe ($pipe)" failed
		fi
	done
	printf '%-6s %-26s %9s %9s\n' "$seed" "today's prices" "$(share "$(v today)" "$best")" \
		"$(share "$(v today)" "$best_o")"
	printf '%-6s %-26s %9s %9s\n' "$seed" "best single price per item" \
		"$(share "$(v single_price)" "$best")" "$(share "$(v single_price)" "$best_o")"
	printf '%-6s %-26s %9s %9s\n' "$seed" "knowing every hidden value" \
		"$(share "$(v oracle)" "$best")" "$(share "$(v oracle_offers)" "$best_o")"
done
exit 0
