#!/bin/sh
# tests/bench/bench-score.sh - pr-score against pr-clean's pass-through on
# N rows (default 1,000,000) x 20 numeric predictors: wall seconds, rows per
# second, peak memory.  The aim: pr-score at 50% or more of
# pr-clean's speed.  The model (a logistic fit on the first 100,000 rows,
# with x1 as the price so that --elasticity has work to do) is trained
# first.  Wall and CPU (user + sys) seconds are both shown: on a shared
# machine the CPU time is the steadier measure.  A benchmark, not a test.  Usage: BUILD=build N=1000000 sh tests/bench/bench-score.sh
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
	/usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$@" >/dev/null || { echo "$label: failed"; return 1; }
	read -r secs user sys kb <"$tmp/time"
	cpu=$(echo "$user + $sys" | bc -l)
	printf '%-26s %6.2f s wall %6.2f s cpu %8.0f rows/s %5d MB\n' "$label" "$secs" "$cpu" \
	    "$(echo "$N / $secs" | bc -l)" $((kb / 1024))
	echo "$secs" >"$tmp/$label.secs"
	echo "$cpu" >"$tmp/$label.cpu"
}
run pr-clean "$bin/pr-clean" "$tmp/d.csv"
run pr-score "$bin/pr-score" -m "$tmp/m.json" "$tmp/d.csv"
run pr-score--elasticity "$bin/pr-score" -m "$tmp/m.json" --elasticity "$tmp/d.csv"
run pr-score--se--interval "$bin/pr-score" -m "$tmp/m.json" --se --interval 0.95 "$tmp/d.csv"
if [ -f "$tmp/pr-clean.secs" ] && [ -f "$tmp/pr-score.secs" ]; then
	echo "pr-score speed / pr-clean speed: wall $(echo "$(cat "$tmp/pr-clean.secs") / $(cat "$tmp/pr-score.secs")" | bc -l | cut -c1-5), cpu $(echo "$(cat "$tmp/pr-clean.cpu") / $(cat "$tmp/pr-score.cpu")" | bc -l | cut -c1-5) (target >= 0.5; wall time depends on the machine's load)"
fi
exit 0
