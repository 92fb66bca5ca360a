#!/bin/sh
# tests/check-ope.sh - pr-report --ope and --ab checked against a market
# whose truth is known (tests/gen-ope.c): over SEEDS logged histories the
# 95% intervals of IPW, self-normalised IPW and the doubly robust estimate
# must contain the new policy's true profit per exposure at about the
# nominal rate, and an A/B test of two arms with no difference must find
# one (p < 0.05) at about its level.  The bounds are binomial: with 100
# seeds, fewer than 89 intervals of 100 covering (or more than 11 false
# positives) happens by chance less than once in 200 runs.  A larger run is
# tests/bench/bench-ope.sh.  Last line: "N passed, N failed".
BUILD=${BUILD:-build}
# awk compares the numbers: with a point as the decimal mark whatever the locale
LC_ALL=C
export LC_ALL
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/$BUILD/bin"
gen="$top/$BUILD/tests/gen-ope"
SEEDS=${SEEDS:-100}
ROWS=${ROWS:-2000}
MIN_COVER=${MIN_COVER:-89}
MAX_FP=${MAX_FP:-11}
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL check-ope: $*"; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT INT TERM

if [ ! -x "$gen" ] || [ ! -x "$bin/pr-report" ]; then
	echo "check-ope: gen-ope or pr-report not built"
	echo "0 passed, 1 failed"
	exit 0
fi
truth=$("$gen" -t 0 0)
# The doubly robust estimate's reward model, trained once on another history.
"$gen" 1000001 20000 >"$scratch/train.csv"
"$bin/pr-train" -q --family logistic -f 'bought ~ price + segment' -o "$scratch/model.json" \
	"$scratch/train.csv" >/dev/null || { bad "pr-train failed"; echo "$passed passed, $failed failed"; exit 0; }

seed=1
while [ "$seed" -le "$SEEDS" ]; do
	"$gen" "$seed" "$ROWS" >"$scratch/log.csv"
	"$bin/pr-report" -q -f csv --ope new_price --outcome bought --cost cost \
		-m "$scratch/model.json" "$scratch/log.csv" | grep '^ope,'
	"$gen" -a "$seed" "$ROWS" >"$scratch/ab.csv"
	"$bin/pr-report" -q -f csv --ab arm --outcome bought --cost cost "$scratch/ab.csv" |
		grep '^ab_tests,'
	seed=$((seed + 1))
done >"$scratch/all.csv"

# Per estimator: how many intervals hold the truth.
for est in ipw snipw dr; do
	n=$(awk -F, -v e="$est" -v t="$truth" '$2 == e && $3 == "lower" { lo = $4 }
		$2 == e && $3 == "upper" { if (lo <= t && t <= $4) c++; n++ }
		END { printf "%d %d", c, n }' "$scratch/all.csv")
	cover=${n% *}
	runs=${n#* }
	echo "check-ope: $est: $cover of $runs 95% intervals hold the truth $truth"
	if [ "$runs" -eq "$SEEDS" ] && [ "$cover" -ge "$MIN_COVER" ]; then ok; else bad "$est covers $cover of $runs (want at least $MIN_COVER)"; fi
done
# Per A/B metric: how many tests reject a true null at 5%.
for metric in conversion revenue profit; do
	n=$(awk -F, -v m="$metric" '$3 == "metric" { cur = $4 }
		$3 == "p_value" && cur == m { if ($4 < 0.05) c++; n++ }
		END { printf "%d %d", c, n }' "$scratch/all.csv")
	fp=${n% *}
	runs=${n#* }
	echo "check-ope: A/B $metric: $fp of $runs tests find a difference that is not there (level 0.05)"
	if [ "$runs" -eq "$SEEDS" ] && [ "$fp" -le "$MAX_FP" ]; then ok; else bad "A/B $metric: $fp false positives of $runs (want at most $MAX_FP)"; fi
done
echo "$passed passed, $failed failed"
