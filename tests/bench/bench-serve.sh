#!/bin/sh
# tests/bench/bench-serve.sh - the programs as co-processes (--line-buffered):
# a driver (tests/serve-drive.c) writes one request row on a pipe, waits for
# the answer row, and writes the next, as a server does; it reports the
# round-trip time per row (p50, p99, p99.9, max, in microseconds) and the
# rows per second one at a time.  The peers, run the same way in the same
# script: cat (the pipe's own round trip: nothing is computed) and
# `sed -u` (a line-buffered filter).  The model and state are the bundled
# shop's (make demo's learn steps); requests are its 240 candidates, cycled.
# Targets on a 2-core machine: pr-score p99 under 100 us, pr-optimize with
# a price ladder (--ending .99) and offers p99 under 1 ms.  A benchmark, not
# a test.  Usage: BUILD=build N=20000 sh tests/bench/bench-serve.sh
set -u
BUILD=${BUILD:-build}
N=${N:-20000}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/$BUILD/bin"
drive="$top/$BUILD/tests/serve-drive"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$top/testdata" || exit 1

"$bin/pr-clean" -q --text segment,item_name --num price,list_price,cost,discount,loyalty \
	--bool bought --date date --dedupe-key order_id shop-history-raw.csv >"$tmp/history.csv" || exit 1
"$bin/pr-features" -q --fit "$tmp/features.json" --history "$tmp/history.csv" --key customer_id \
	--agg count,mean:price,recency --ref-price item_id=price --window 60 \
	"$tmp/history.csv" >"$tmp/train.csv" || exit 1
"$bin/pr-train" -q --family logistic \
	-f 'bought ~ log(price/list_price) * segment + loyalty + discount + log(hist_count)' \
	-o "$tmp/model.json" "$tmp/train.csv" >/dev/null || exit 1
"$bin/pr-features" -q --apply "$tmp/features.json" shop-candidates.csv >"$tmp/candidates.csv" || exit 1

echo "bench-serve: $N rows one at a time through a pipe (after 1000 to warm up)"
printf '%-34s %8s %8s %8s %8s %10s\n' program p50_us p99_us p99.9_us max_us rows/s
run() { # label program args...
	label=$1
	req=$2
	shift 2
	out=$("$drive" -n "$N" -w 1000 "$req" "$@") || { echo "$label: failed"; return 1; }
	set -- $out
	printf '%-34s %8s %8s %8s %8s %10s\n' "$label" "$4" "$6" "$8" "${10}" "${12}"
}
run "cat (the pipe alone)" "$tmp/candidates.csv" cat
run "sed -u (line-buffered filter)" "$tmp/candidates.csv" sed -u s/x/x/
run "pr-score" "$tmp/candidates.csv" "$bin/pr-score" -q --line-buffered -m "$tmp/model.json"
run "pr-score --se --elasticity" "$tmp/candidates.csv" \
	"$bin/pr-score" -q --line-buffered -m "$tmp/model.json" --se --elasticity
if "$bin/pr-features" --help | grep -q -- --line-buffered; then
	run "pr-features --apply" shop-candidates.csv \
		"$bin/pr-features" -q --line-buffered --apply "$tmp/features.json"
else
	echo "pr-features --apply: no --line-buffered"
fi
if "$bin/pr-optimize" --help | grep -q -- --line-buffered; then
	run "pr-optimize" "$tmp/candidates.csv" \
		"$bin/pr-optimize" -q --line-buffered -m "$tmp/model.json" --cost cost
	run "pr-optimize --ending .99 --offers" "$tmp/candidates.csv" \
		"$bin/pr-optimize" -q --line-buffered -m "$tmp/model.json" --cost cost \
		--max-change 0.3 --min-margin 0.2 --ending .99 --offers shop-offers.csv --promo-col discount
else
	echo "pr-optimize: no --line-buffered"
fi
