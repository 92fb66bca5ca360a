#!/bin/sh
# tests/bench/bench-report-merge.sh - pr-report on one pricing run of ROWS
# rows by group: in one pass, and as two shards' --map run side by side
# (GNU parallel) then --reduce, against Miller summing the same figures by
# group (mlr stats1, the peer) in one pass (both read standard input, so
# the reports have one title).  Prints the seconds and the
# ratios to Miller; checks that the merged report is the whole one.
BUILD=${BUILD:-build}
ROWS=${ROWS:-300000}
LC_ALL=C
export LC_ALL
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/$BUILD/bin"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT INT TERM
awk -v n="$ROWS" 'BEGIN {
	print "id,region,price,opt_price,exp_demand,exp_revenue,exp_profit,base_demand,base_revenue,base_profit,binding,status"
	for (i = 1; i <= n; i++) {
		p = 5 + (i * 37 % 23) / 3; o = p * (1 + ((i * 11 % 9) - 4) / 20)
		bd = 10 / (1 + i % 5); ed = bd * (1 - (o - p) / p)
		printf "r%d,g%d,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,none,ok\n", i, i % 50, p, o, ed,
		    o * ed, (o - 4) * ed, bd, p * bd, (p - 4) * bd
	}
}' >"$scratch/run.csv"
now() { date +%s.%N; }
t0=$(now)
"$bin/pr-report" -q --by region -f json <"$scratch/run.csv" >"$scratch/whole.json"
t1=$(now)
parallel --pipe --block 64M --header : -N $((ROWS / 2 + 1)) -k -j 2 \
	"$bin/pr-report -q --map --by region > $scratch/part.{#}" <"$scratch/run.csv"
"$bin/pr-report" --reduce -f json "$scratch/part.1" "$scratch/part.2" >"$scratch/merged.json"
t2=$(now)
mlr --icsv --ojson stats1 -a count,sum,min,max -f exp_demand,exp_revenue,exp_profit,base_profit \
	-g region "$scratch/run.csv" >/dev/null
t3=$(now)
cmp -s "$scratch/whole.json" "$scratch/merged.json" && same=yes || same=NO
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v n="$ROWS" -v same="$same" 'BEGIN {
	w = b - a; m = c - b; p = d - c
	printf "%d rows: pr-report %.2fs, 2 shards --map + --reduce %.2fs, mlr stats1 %.2fs\n", n, w, m, p
	printf "ratio to mlr: one pass %.2f, map+reduce %.2f; merged report equals the whole: %s\n",
	    w / p, m / p, same
}'
