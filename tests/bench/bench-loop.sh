#!/bin/sh
# tests/bench/bench-loop.sh - the learning loop over more rounds and larger
# days than tests/check-loop.sh: for each exploration rate, the fitted price
# coefficient (truth -3) with its standard error and the share of the true
# optimum's expected profit earned, round by round.  The peer is the true
# model itself (tests/gen-loop.c).  A benchmark, not a test: exits 0 unless
# the programs are missing.
# Usage: BUILD=build ROUNDS=15 N=2000 RATES="0 0.05 0.1 0.2" sh tests/bench/bench-loop.sh
set -u
BUILD=${BUILD:-build}
ROUNDS=${ROUNDS:-15}
N=${N:-2000}
RATES=${RATES:-0 0.05 0.1 0.2}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/$BUILD/bin"
gen="$top/$BUILD/tests/gen-loop"
[ -x "$gen" ] && [ -x "$bin/pr-optimize" ] || { echo "bench-loop: build first (make)"; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
. "$top/tests/loop.sh"
echo "bench-loop: $ROUNDS rounds of $N candidates, history of 2,000 rows at list +-1%; truth b = $("$gen" truth)"
for eps in $RATES; do
	mkdir -p "$T/$eps"
	echo "explore $eps:   round   b_hat      se   share  explored"
	loop_run "$T/$eps" "$eps" "$ROUNDS" "$N" 1 |
		awk '{ printf "               %5d %7.3f %7.3f %7.4f %9d\n", $1, $2, $3, $4, $5 }'
done
exit 0
