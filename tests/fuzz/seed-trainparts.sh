#!/bin/sh
# tests/fuzz/seed-trainparts.sh - the seeds of fuzz_trainparts, made by the
# real program: pr-train --map on three shards of testdata/train-shop.csv
# (one of them empty) and pr-train --reduce, round after round.  Each seed
# is what one reduce reads, as the target reads it: the parts of round 0
# joined by NUL bytes, or the state of a later round (--from) and that
# round's parts.  Seeds of round 0, 1, 2 and the last round (the one that
# writes the model) for every case.
# Usage: sh tests/fuzz/seed-trainparts.sh [BUILD]  (default build)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/${1:-build}/bin"
out="$top/tests/fuzz/corpus/trainparts"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$out"
cd "$tmp"
# shard 1: the basic rows, 2: the header only, 3: the others
awk -F, 'NR == 1 { for (k = 1; k <= 3; k++) print > ("s" k ".csv"); next }
	{ print > ("s" ($2 == "basic" ? 1 : 3) ".csv") }' "$top/testdata/train-shop.csv"
join() { # FILE...: the files joined by NUL bytes
	first=1
	for f in "$@"; do
		[ $first -eq 1 ] || printf '\0'
		first=0
		cat "$f"
	done
}
seed() { # NAME pr-train-OPTION...
	name=$1
	shift
	for s in 1 2 3; do "$bin/pr-train" --map "$@" s$s.csv > p$s; done
	join p1 p2 p3 > "$out/$name-round0"
	"$bin/pr-train" --reduce -o state.json p1 p2 p3 > word
	r=1
	while [ "$(cat word)" = state ]; do
		for s in 1 2 3; do "$bin/pr-train" --map --from state.json s$s.csv > p$s; done
		join state.json p1 p2 p3 > seed
		case $r in 1 | 2) cp seed "$out/$name-round$r" ;; esac
		"$bin/pr-train" --reduce --from state.json -o next.json p1 p2 p3 > word
		mv next.json state.json
		r=$((r + 1))
	done
	[ $r -le 3 ] || cp seed "$out/$name-last"
}
seed logistic --family logistic -f 'bought ~ log(price) * segment + loyalty'
seed linear-weight --family linear --weight qty -f 'revenue ~ log(price) + segment + loyalty'
seed poisson-l2 --family poisson --l2 0.5 -f 'qty ~ log(price) + C(item) + loyalty'
seed log-response -f 'log(revenue) ~ log(price) + segment' --retransform naive
seed response-log --response-log --price price -f 'revenue ~ log(price/list_price) + item:segment'
seed by-segment --family logistic --by segment -f 'bought ~ log(price) + loyalty'
seed by-item-weight --family linear --by item --weight qty -f 'revenue ~ log(price) + segment'
