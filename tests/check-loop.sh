#!/bin/sh
# tests/check-loop.sh - the learning loop closes: on a market whose history
# starts with prices that barely vary (tests/gen-loop.c), eight nightly
# rounds of retraining with point-in-time features and pricing with
# pr-optimize --explore 0.2 bring the fitted price coefficient to the truth
# (within 3 standard errors and 0.5) and earn more than the same rounds
# without exploration, whose fit stays weakly identified (a standard error
# above 5: the shop keeps today's prices, which teach it nothing).
# Last line: "N passed, N failed".
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/$BUILD/bin"
gen="$top/$BUILD/tests/gen-loop"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
. "$top/tests/loop.sh"
passed=0
failed=0
check() { # name condition-result(0/1)
	if [ "$2" = 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL loop: $1"; fi
}
mkdir -p "$T/explore" "$T/greedy"
if loop_run "$T/explore" 0.2 8 500 1 >"$T/explore.txt" &&
    loop_run "$T/greedy" 0 8 500 1 >"$T/greedy.txt"; then
	check "the loop ran" 1
else
	check "the loop ran" 0
	echo "$passed passed, $failed failed"
	exit 1
fi
truth=$("$gen" truth)
set -- $(tail -n 1 "$T/explore.txt")
b=$2 se=$3 share=$4 explored=$5
set -- $(tail -n 1 "$T/greedy.txt")
gb=$2 gse=$3 gshare=$4
echo "# after 8 rounds: with exploration b = $b (se $se), share $share; without b = $gb (se $gse), share $gshare; truth $truth"
check "with exploration the price coefficient reaches the truth" \
	"$(awk -v b="$b" -v s="$se" -v t="$truth" 'BEGIN { d = b - t; if (d < 0) d = -d; print (d < 3 * s && d < 0.5) ? 1 : 0 }')"
check "with exploration the standard error falls below 0.5" "$(awk -v s="$se" 'BEGIN { print (s < 0.5) ? 1 : 0 }')"
check "without it the fit stays weakly identified" "$(awk -v s="$gse" 'BEGIN { print (s > 5) ? 1 : 0 }')"
check "exploration earns more by the last round" "$(awk -v a="$share" -v b="$gshare" 'BEGIN { print (a > b) ? 1 : 0 }')"
check "about a fifth of the rows explored" "$(awk -v x="$explored" 'BEGIN { print (x > 60 && x < 140) ? 1 : 0 }')"
check "the history logs each price's propensity" \
	"$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $c["propensity"] < 1 { n++ } END { print (n > 0) ? 1 : 0 }' "$T/explore/h.csv")"
echo "$passed passed, $failed failed"
