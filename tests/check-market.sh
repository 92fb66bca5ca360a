#!/bin/sh
# tests/check-market.sh - proof that pr-optimize finds the profit: draw a
# market from a known logistic purchase model (tests/gen-market.c: price
# sensitivity by segment and by customer), train pr-train on its history,
# price new candidates with pr-optimize within their bounds, and value the
# chosen prices with the TRUE model.  They must reach 97% of the true
# optimum's expected profit (same bounds) and beat both today's prices and
# the best single price per item.  Last line: "N passed, N failed".
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/$BUILD/bin"
gen="$top/$BUILD/tests/gen-market"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
passed=0
failed=0
check() { # name condition-result(0/1)
	if [ "$2" = 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL market: $1"; fi
}

for seed in 7 11; do
	"$gen" history 20000 $seed >"$T/h.csv" &&
	"$bin/pr-train" -q -f 'buy ~ item_id + loyalty + I(price/list_price) * segment + I(price/list_price):sens' \
		--family logistic -o "$T/m.json" "$T/h.csv" >/dev/null &&
	"$gen" candidates 2000 $seed >"$T/c.csv" &&
	"$bin/pr-optimize" -m "$T/m.json" --cost cost --min-price min_p --max-price max_p \
		"$T/c.csv" >"$T/p.csv"
	if [ $? -ne 0 ]; then
		check "seed $seed: the pipe ran" 0
		continue
	fi
	got=$("$gen" value opt_price $seed <"$T/p.csv")
	best=$("$gen" value true_opt $seed <"$T/p.csv")
	today=$("$gen" value price $seed <"$T/p.csv")
	single=$("$gen" single $seed <"$T/c.csv")
	echo "# seed $seed: pr-optimize $got, true optimum $best, today $today, best single price per item $single"
	check "seed $seed: >= 97% of the true optimum" \
		"$(awk -v g="$got" -v b="$best" 'BEGIN { print (g >= 0.97 * b) ? 1 : 0 }')"
	check "seed $seed: beats today's prices" "$(awk -v g="$got" -v t="$today" 'BEGIN { print (g > t) ? 1 : 0 }')"
	check "seed $seed: beats the best single price per item" \
		"$(awk -v g="$got" -v s="$single" 'BEGIN { print (g > s) ? 1 : 0 }')"
	# the chosen prices respect the bounds
	check "seed $seed: within min_p and max_p" "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["opt_price"] < $c["min_p"] || $c["opt_price"] > $c["max_p"] { bad++ } END { print bad ? 0 : 1 }' "$T/p.csv")"
done
echo "$passed passed, $failed failed"
