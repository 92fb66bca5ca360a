#!/bin/sh
# tests/bench/bench-history.sh - pr-features history features fitted on the
# history itself, with one as-of date and point in time (--asof-col), on N
# and 10 N rows (default N = 100,000), against Miller's group-by of the
# same aggregates (which cannot do point in time).  Point in time is one
# sweep over the history sorted by date, O((n + m) log n): going from N to
# 10 N rows should cost about 10 times, not 100.  Prints seconds and ratios.
# A benchmark, not a test: exits 0 unless the programs are missing.
# Usage: BUILD=build N=100000 sh tests/bench/bench-history.sh
set -u
BUILD=${BUILD:-build}
N=${N:-100000}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/$BUILD/bin"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
[ -x "$bin/pr-features" ] || { echo "bench-history: $bin/pr-features not built"; exit 1; }

gen() { # rows file
	awk -v n="$1" 'BEGIN {
		srand(20240301)
		print "customer,item,date,price,amount,bought"
		for (i = 1; i <= n; i++) {
			day = int(rand() * 365)
			printf "c%d,i%d,%d-%02d-%02d,%.2f,%.2f,%d\n", int(rand() * n / 20),
			    int(rand() * 500), 2024 + int(day / 336), 1 + int(day % 336 / 28),
			    1 + day % 28, 5 + rand() * 95, rand() * 200, rand() < 0.4
		}
	}' >"$2"
}

best() { # best of 3 wall-clock seconds of a command, output to /dev/null
	b=""
	for k in 1 2 3; do
		s=$(date +%s.%N)
		"$@" >/dev/null 2>"$tmp/err" || { echo "bench-history: failed: $*"; cat "$tmp/err"; exit 1; }
		e=$(date +%s.%N)
		b=$(echo "$s $e $b" | awk '{ t = $2 - $1; if ($3 == "" || t < $3) print t; else print $3 }')
	done
	echo "$b"
}

for n in "$N" $((N * 10)); do
	f="$tmp/h$n.csv"
	gen "$n" "$f"
	set -- --history "$f" --key customer --agg count,sum:amount,mean:price,recency?bought \
		--ref-price item=price --window 30 -q "$f"
	one=$(best "$bin/pr-features" --fit "$tmp/s1.json" "$@")
	pit=$(best "$bin/pr-features" --fit "$tmp/s2.json" --asof-col date "$@")
	kb=$( (/usr/bin/time -v "$bin/pr-features" --fit "$tmp/s3.json" --asof-col date "$@" >/dev/null) 2>&1 |
		sed -n 's/.*Maximum resident set size (kbytes): //p')
	if command -v mlr >/dev/null 2>&1; then
		mlr=$(best mlr --icsv --ocsv stats1 -a count,sum,mean -f amount,price -g customer "$f")
	else
		mlr=""
	fi
	awk -v n="$n" -v o="$one" -v p="$pit" -v m="$mlr" -v kb="${kb:-?}" 'BEGIN {
		printf "%8d rows: one as-of date %6.2f s, --asof-col %6.2f s (%.2fx; peak %s kB)", n, o, p, p / o, kb
		if (m != "") printf ", mlr stats1 -g %6.2f s (--asof-col / mlr %.2f)", m, p / m
		printf "\n"
	}'
	echo "$n $pit" >>"$tmp/times"
done
awk 'NR == 1 { n1 = $1; t1 = $2 } NR == 2 { printf "10x the rows: --asof-col takes %.1fx the time (linear: 10x; quadratic: 100x)\n", $2 / t1 }' "$tmp/times"
