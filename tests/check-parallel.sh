#!/bin/sh
# tests/check-parallel.sh - the programs that treat each row on its own
# (pr-clean without dedupe or fill statistics, pr-features --apply,
# pr-score, pr-optimize without --capacity) under GNU parallel, for real:
# --pipe --header : -k -N R with --part {#}:R gives the same bytes as one
# run on stdout and in --rejects (whose _line numbers are the whole
# input's), and row counts that add up; --pipepart with --part {#}:0 gives
# the same bytes on stdout.  Skipped (0 passed) without GNU parallel.
# Last line: "N passed, N failed".
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/$BUILD/bin"
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }
if ! parallel --version 2>/dev/null | grep -q 'GNU parallel'; then
	echo "check-parallel: GNU parallel not installed (Debian package parallel)"
	echo "0 passed, 0 failed"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
PATH="$bin:$PATH"
export PATH
cd "$tmp" || exit 1
# 5,000 candidates, every 37th with a price that is not a number, one with a
# quoted field holding the delimiter
awk 'BEGIN { srand(3); print "id,segment,price,cost,note"
	for (i = 1; i <= 5000; i++)
		printf "%d,%s,%s,4,%s\n", i, (i % 3 ? "a" : "b"), (i % 37 ? sprintf("%.2f", 5 + rand() * 20) : "bad"), (i == 99 ? "\"x, y\"" : "") }' >in.csv
cp "$top/testdata/price-linear-model.json" model.json
pr-features -q --fit state.json --zscore price --onehot segment in.csv >/dev/null
R=700
# the sum of "N rows in, N out, N rejected" over the summaries in a file
counts() { sed -n 's/.* \([0-9]*\) rows in, \([0-9]*\) out, \([0-9]*\) rejected.*/\1 \2 \3/p' "$1" |
	awk '{ a += $1; b += $2; c += $3 } END { printf "%d %d %d\n", a, b, c }'; }
check() { # name program and options
	name=$1
	shift
	"$@" -v --rejects one.rej in.csv >one.csv 2>one.err
	rm -f part.*.rej
	parallel --pipe --header : -k -N $R "$@" -v --part {#}:$R --rejects 'part.{#}.rej' \
		<in.csv >par.csv 2>par.err
	cmp -s one.csv par.csv && ok || bad "$name: parallel --pipe output differs from one run"
	cat $(ls part.*.rej | sort -t. -k2 -n) >par.rej
	cmp -s one.rej par.rej && ok || bad "$name: parallel --pipe rejects differ from one run's: $(diff one.rej par.rej | head -n 3)"
	[ "$(counts one.err)" = "$(counts par.err)" ] && [ "$(counts one.err)" != "0 0 0" ] && ok ||
		bad "$name: row counts: one run $(counts one.err), the parts add up to $(counts par.err)"
	parallel --pipepart -a in.csv --header : -k --block 20k "$@" -q --part {#}:0 >pp.csv 2>pp.err
	cmp -s one.csv pp.csv && ok || bad "$name: parallel --pipepart output differs from one run"
}
check pr-clean pr-clean --num price,cost --text segment
check pr-features pr-features --apply state.json
check pr-score pr-score -m model.json --se
check pr-optimize pr-optimize -m model.json --cost cost --max-change 0.2
echo "$passed passed, $failed failed"
