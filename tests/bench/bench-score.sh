#!/bin/sh
# tests/bench/bench-score.sh - pr-score against pr-clean's pass-through on
# N rows (default 1,000,000) x 20 numeric predictors: wall seconds, rows per
# second, peak memory.  The issue's target: pr-score at 50% or more of
# pr-clean's speed.  The model (a logistic fit on the first 100,000 rows,
# with x1 as the price so that --elasticity has work to do) is trained
# first.  A benchmark, not a test.  Usage: BUILD=build N=1000000 sh tests/bench/bench-score.sh
set -u
BUILD=${BUILD:-build}
N=${N:-1000000}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/$BUILD/bin"
tbin="$top/$BUILD/tests"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

"$tbin/gen-logit" "$N" 20240302 "$tmp/d.csv" "$tmp/d.svm" || exit 1
rm -f "$tmp/d.svm"
formula="y ~ x1"
j=2
while [ $j -le 20 ]; do formula="$formula + x$j"; j=$((j + 1)); done
head -n 100001 "$tmp/d.csv" >"$tmp/train.csv"
"$bin/pr-train" -q --family logistic --price x1 -f "$formula" -o "$tmp/m.json" "$tmp/train.csv" >/dev/null || exit 1
echo "bench-score: $N rows, $(($(wc -c <"$tmp/d.csv") / 1048576)) MB; model of 21 coefficients"
run() { # label command...
	label=$1
	shift
	/usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >/dev/null || { echo "$label: failed"; return 1; }
	read -r secs kb <"$tmp/time"
	printf '%-28s %6.2f s %8.0f rows/s %6d MB\n' "$label" "$secs" "$(echo "$N / $secs" | bc -l)" $((kb / 1024))
	echo "$secs" >"$tmp/$label.secs"
}
run pr-clean "$bin/pr-clean" "$tmp/d.csv"
run pr-score "$bin/pr-score" -m "$tmp/m.json" "$tmp/d.csv"
run pr-score--elasticity "$bin/pr-score" -m "$tmp/m.json" --elasticity "$tmp/d.csv"
run pr-score--se--interval "$bin/pr-score" -m "$tmp/m.json" --se --interval 0.95 "$tmp/d.csv"
if [ -f "$tmp/pr-clean.secs" ] && [ -f "$tmp/pr-score.secs" ]; then
	echo "pr-score speed / pr-clean speed: $(echo "$(cat "$tmp/pr-clean.secs") / $(cat "$tmp/pr-score.secs")" | bc -l | cut -c1-5) (target >= 0.5)"
fi
exit 0
