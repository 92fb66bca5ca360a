#!/bin/sh
# tests/bench/bench-shrink.sh - partial pooling on a market of many items
# with few sales rows each (tests/gen-items.c: a logistic demand whose
# price response differs by item).  Three models of the same history --
# one pooled model, one unshrunk model per item (--by item), and the per-item
# models shrunk toward the pooled one (--by item --shrink) -- each price
# every item with pr-optimize, and the true model scores the prices: the
# expected profit of each policy as a share of the true optimum's, and of
# today's (list) prices, for several seeds.
#   Usage: [ITEMS=400] [ROWS=40] [SEEDS="1 2 3 4 5"] sh tests/bench/bench-shrink.sh
BUILD=${BUILD:-build}
ITEMS=${ITEMS:-400}
ROWS=${ROWS:-40}
SEEDS=${SEEDS:-"1 2 3 4 5"}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/$BUILD/bin"
gen="$top/$BUILD/tests/gen-items"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
f='bought ~ I(price/list_price)'
echo "bench-shrink: $ITEMS items x $ROWS rows, logistic '$f'; expected profit as a share of the true optimum"
printf '%-6s %10s %10s %10s %10s %10s\n' seed optimum today pooled per-item shrunk
for seed in $SEEDS; do
	"$gen" history "$ITEMS" "$ROWS" "$seed" >"$T/h.csv"
	"$gen" candidates "$ITEMS" "$seed" >"$T/c.csv"
	best=$("$gen" best "$ITEMS" "$seed")
	today=$("$gen" value price "$ITEMS" "$seed" <"$T/c.csv")
	line="$seed"
	for m in pooled raw shrunk; do
		case $m in
		pooled) opts= ;;
		raw) opts="--by item" ;;
		shrunk) opts="--by item --shrink" ;;
		esac
		# shellcheck disable=SC2086
		"$bin/pr-train" -q --family logistic $opts -f "$f" -o "$T/$m.json" "$T/h.csv" >/dev/null ||
			{ echo "bench-shrink: pr-train $opts failed"; exit 1; }
		"$bin/pr-optimize" -q -m "$T/$m.json" --cost cost --min-price min_p --max-price max_p \
			"$T/c.csv" >"$T/o.csv" || { echo "bench-shrink: pr-optimize ($m) failed"; exit 1; }
		v=$("$gen" value opt_price "$ITEMS" "$seed" <"$T/o.csv")
		eval "v_$m=\$v"
	done
	awk -v s="$seed" -v b="$best" -v t="$today" -v p="$v_pooled" -v r="$v_raw" -v k="$v_shrunk" 'BEGIN {
		printf "%-6s %10.2f %9.2f%% %9.2f%% %9.2f%% %9.2f%%\n", s, b, 100 * t / b, 100 * p / b, 100 * r / b, 100 * k / b
	}'
done
