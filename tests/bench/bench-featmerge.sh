#!/bin/sh
# tests/bench/bench-featmerge.sh - pr-features fitted on shards: --fit on N
# rows (default 1,000,000) against --map on the whole and on 2 shards run
# side by side, each followed by --reduce, and against Miller computing the
# same means, variances, min and max (mlr stats1) as the peer.  The merged
# states are checked to be the bytes of the whole --fit.  Prints seconds
# and ratios.  A benchmark, not a test: exits 0 unless a program is missing
# or a merged state differs.
# Usage: BUILD=build N=1000000 sh tests/bench/bench-featmerge.sh
set -u
BUILD=${BUILD:-build}
N=${N:-1000000}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/$BUILD/bin"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
[ -x "$bin/pr-features" ] || { echo "bench-featmerge: $bin/pr-features not built"; exit 1; }
command -v mlr >/dev/null || { echo "bench-featmerge: mlr not installed"; exit 1; }

awk -v n="$N" 'BEGIN {
	srand(20261201)
	print "customer,segment,price,amount,bought"
	for (i = 1; i <= n; i++)
		printf "c%d,s%d,%.2f,%.2f,%d\n", int(rand() * n / 20), int(rand() * 12),
		    5 + rand() * 95, rand() * 200, rand() < 0.4
}' > "$tmp/in.csv"
half=$((N / 2 + 1))
head -n "$half" "$tmp/in.csv" > "$tmp/a.csv"
{ head -n 1 "$tmp/in.csv"; tail -n +"$((half + 1))" "$tmp/in.csv"; } > "$tmp/b.csv"
opts="--zscore price,amount --minmax price --clip-z amount=3 --onehot segment --target-mean segment=bought"

now() { date +%s.%N; }
secs() { echo "$1 $2" | awk '{ printf "%.2f", $2 - $1 }'; }

# shellcheck disable=SC2086
s=$(now); "$bin/pr-features" -q --fit "$tmp/whole.json" $opts "$tmp/in.csv" > /dev/null; e=$(now)
t_fit=$(secs "$s" "$e")
# shellcheck disable=SC2086
s=$(now); "$bin/pr-features" --map $opts "$tmp/in.csv" > "$tmp/w.part" &&
    "$bin/pr-features" --reduce --fit "$tmp/m1.json" "$tmp/w.part"; e=$(now)
t_map1=$(secs "$s" "$e")
# shellcheck disable=SC2086
s=$(now)
"$bin/pr-features" --map $opts "$tmp/a.csv" > "$tmp/a.part" &
"$bin/pr-features" --map $opts "$tmp/b.csv" > "$tmp/b.part"
wait
"$bin/pr-features" --reduce --fit "$tmp/m2.json" "$tmp/a.part" "$tmp/b.part"
e=$(now)
t_map2=$(secs "$s" "$e")
s=$(now); mlr --icsv --ojson stats1 -a count,mean,var,min,max -f price,amount "$tmp/in.csv" > /dev/null
mlr --icsv --ojson stats1 -a count,mean -f bought -g segment "$tmp/in.csv" > /dev/null; e=$(now)
t_mlr=$(secs "$s" "$e")
cmp -s "$tmp/whole.json" "$tmp/m1.json" && cmp -s "$tmp/whole.json" "$tmp/m2.json" ||
    { echo "bench-featmerge: a merged state differs from the whole fit"; exit 1; }
echo "rows $N: --fit (learn + transform) ${t_fit}s; --map + --reduce, 1 shard ${t_map1}s," \
    "2 shards side by side ${t_map2}s; mlr stats1 (the statistics only) ${t_mlr}s; states identical"
echo "$t_map1 $t_map2 $t_mlr $t_fit" | awk '{ printf "ratios: map 1 shard / mlr %.2f; map 2 shards / mlr %.2f; 2 shards / 1 shard %.2f; map 1 shard / --fit %.2f\n", $1 / $3, $2 / $3, $2 / $1, $1 / $4 }'
