#!/bin/sh
# tests/fuzz/seed-featparts.sh - the seeds of fuzz_featparts, made by the
# real program: each is two parts (pr-features --map on two shards of a
# small input, with the same options) joined by a NUL byte, as the target
# reads them.  Usage: sh tests/fuzz/seed-featparts.sh [BUILD]  (default build)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/${1:-build}/bin"
out="$top/tests/fuzz/corpus/featparts"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$out"
cd "$top/testdata"
# shards FILE ROWS: the first ROWS data rows and the next ROWS, each with the header
shards() {
	awk -v n="$2" 'NR == 1 || NR - 1 <= n' "$1" > "$tmp/s1.csv"
	awk -v n="$2" 'NR == 1 || (NR - 1 > n && NR - 1 <= 2 * n)' "$1" > "$tmp/s2.csv"
}
seed() { # NAME OPTION...  (input and side files: shards in $tmp)
	name=$1
	shift
	"$bin/pr-features" --map "$@" "$tmp/s1.csv" > "$tmp/p1"
	"$bin/pr-features" --map $(echo "$@" | sed "s|$tmp/h1|$tmp/h2|g") "$tmp/s2.csv" > "$tmp/p2"
	{ cat "$tmp/p1"; printf '\0'; cat "$tmp/p2"; } > "$out/$name"
}
shards shop-candidates.csv 4
seed numeric --zscore price,loyalty --minmax cost --log1p discount --bins price=3 --clip-z price=1.5 \
	--onehot segment --min-count 2 --target-mean segment=discount --missing-as mean
shards features-orders.csv 3
cp "$tmp/s1.csv" "$tmp/h1"
cp "$tmp/s2.csv" "$tmp/h2"
seed history --history "$tmp/h1" --key customer --agg "count,sum:qty,mean:price,last:item,recency" \
	--cold-start population --ref-price item=price --window 10
seed dates --date date --holidays features-holidays.txt --lookup features-households.csv --key customer --zscore price
seed asof-col --history "$tmp/h1" --key customer --agg count,sum:qty,recency,last:item --asof-col date \
	--ref-price item=price --window 3 --ref-stat mean
shards features-shard-purchases.csv 6
cp "$tmp/s1.csv" "$tmp/h1"
cp "$tmp/s2.csv" "$tmp/h2"
seed cf-item --cf "$tmp/h1" --cf-k 3 --user customer --item item
seed cf-user-ratings --cf "$tmp/h1" --cf-mode user --rating rating --cf-k 2 --user customer --item item
