#!/bin/sh
# tests/fuzz/seed-reportparts.sh - the seeds of fuzz_reportparts, made by
# the real program: each is the parts pr-report --map wrote for two shards
# of a small input (with the same options), joined by a NUL byte, as the
# target reads them.  Usage: sh tests/fuzz/seed-reportparts.sh [BUILD]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/${1:-build}/bin"
out="$top/tests/fuzz/corpus/reportparts"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$out"
cd "$top/testdata"
seed() { # NAME FILE ROWS OPTION...: shards of ROWS data rows
	name=$1 file=$2 rows=$3
	shift 3
	awk -v n="$rows" 'NR == 1 || NR - 1 <= n' "$file" | "$bin/pr-report" -q --map "$@" > "$tmp/p1"
	awk -v n="$rows" 'NR == 1 || (NR - 1 > n && NR - 1 <= 2 * n)' "$file" |
		"$bin/pr-report" -q --map "$@" > "$tmp/p2"
	{ cat "$tmp/p1"; printf '\0'; cat "$tmp/p2"; } > "$out/$name"
}
seed by-group report-opt.csv 1 --by region --top 2
seed plain report-opt.csv 1
seed shadow report-cap.csv 1 --by region --top 2
seed audit report-ounce.csv 1 --audit segment --bin-width 0.1 --bin-range 0.3
seed scores report-scored.csv 3 --label bought --pred p_buy
seed both report-both.csv 1 --by region --label bought
seed rejected report-bad.csv 1 --by region
seed curves report-opt.csv 1 -m report-model.json --curves 2 --by region
seed curves-line report-opt.csv 1 -m report-model.json --curves 3
