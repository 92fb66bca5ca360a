#!/bin/sh
# tests/bench/bench-features.sh - the speed of --apply: applying a
# state with 5 z-scores, 2 one-hots and a date to an N-row file (default
# 1,000,000) at 40% or more of pr-clean's pass-through speed.  The file is
# generated here (awk, fixed seed); the state is fitted on its first 10,000
# rows.  Prints seconds, MB/s and the ratio; also the peak memory of
# --apply (flat: it streams).  A benchmark, not a test: exits 0 unless the
# programs are missing.
# Usage: BUILD=build N=100000 sh tests/bench/bench-features.sh
set -u
BUILD=${BUILD:-build}
N=${N:-1000000}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/$BUILD/bin"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
for p in pr-clean pr-features; do
	[ -x "$bin/$p" ] || { echo "bench-features: $bin/$p not built"; exit 1; }
done

echo "bench-features: generating $N rows in $tmp"
awk -v n="$N" 'BEGIN {
	srand(20240301)
	print "id,customer,segment,channel,date,price,qty,cost,discount,weight,note"
	split("retail pro vip wholesale staff", seg, " ")
	split("web shop phone app", ch, " ")
	for (i = 1; i <= n; i++) {
		m = 1 + int(rand() * 12); d = 1 + int(rand() * 28)
		printf "%d,c%d,%s,%s,2024-%02d-%02d,%.2f,%d,%.2f,%.3f,%.1f,item %d\n", i,
		    int(rand() * 50000), seg[1 + int(rand() * 5)], ch[1 + int(rand() * 4)], m, d,
		    5 + rand() * 95, 1 + int(rand() * 9), 2 + rand() * 40, rand() * 0.3,
		    0.1 + rand() * 20, i % 1000
	}
}' >"$tmp/big.csv"
echo "bench-features: $(($(wc -c <"$tmp/big.csv") / 1048576)) MB"
head -n 10001 "$tmp/big.csv" >"$tmp/fit.csv"
"$bin/pr-features" --fit "$tmp/state.json" --zscore price,qty,cost,discount,weight \
	--onehot segment,channel --date date -q "$tmp/fit.csv" >/dev/null || exit 1

# best of 3 wall-clock seconds of a command, output to /dev/null
best() {
	b=""
	for k in 1 2 3; do
		s=$(date +%s.%N)
		"$@" >/dev/null 2>"$tmp/err" || { echo "bench-features: failed: $*"; cat "$tmp/err"; exit 1; }
		e=$(date +%s.%N)
		b=$(echo "$s $e $b" | awk '{ t = $2 - $1; if ($3 == "" || t < $3) print t; else print $3 }')
	done
	echo "$b"
}
mb=$(awk -v b="$(wc -c <"$tmp/big.csv")" 'BEGIN { print b / 1048576 }')
clean=$(best "$bin/pr-clean" "$tmp/big.csv")
apply=$(best "$bin/pr-features" --apply "$tmp/state.json" -q "$tmp/big.csv")
kb=$( (/usr/bin/time -v "$bin/pr-features" --apply "$tmp/state.json" -q "$tmp/big.csv" >/dev/null) 2>&1 |
	sed -n 's/.*Maximum resident set size (kbytes): //p')
awk -v c="$clean" -v a="$apply" -v mb="$mb" -v n="$N" -v kb="${kb:-?}" 'BEGIN {
	printf "pr-clean (pass-through)      %7.2f s  %6.1f MB/s\n", c, mb / c
	printf "pr-features --apply          %7.2f s  %6.1f MB/s  (%d rows, peak %s kB)\n", a, mb / a, n, kb
	printf "speed ratio apply/clean      %7.0f%%  (target >= 40%%)\n", 100 * c / a
}'
