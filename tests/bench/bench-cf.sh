#!/bin/sh
# tests/bench/bench-cf.sh - collaborative filtering at size: N purchases
# (default 1,000,000) of 100,000 customers over 10,000 items
# (tests/gen-purchases), fitted and the top 10 written for every customer,
# item-based and user-based, with the time and peak memory of each, against
# the same computation in pandas + scipy.sparse (tests/bench/cf-peer.py) in
# the same run; then the held-out evaluation.  A benchmark, not a test:
# exits 0 unless the programs are missing.
# Usage: BUILD=build N=200000 sh tests/bench/bench-cf.sh
set -u
BUILD=${BUILD:-build}
N=${N:-1000000}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/$BUILD/bin"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
[ -x "$bin/pr-features" ] && [ -x "$top/$BUILD/tests/gen-purchases" ] ||
	{ echo "bench-cf: build first (make)"; exit 1; }
"$top/$BUILD/tests/gen-purchases" "$N" 100000 10000 >"$tmp/p.csv"
echo "bench-cf: $N purchases, $(($(wc -c <"$tmp/p.csv") / 1048576)) MB"

# run LABEL CMD...: wall seconds and peak resident memory of one run
run() {
	label=$1
	shift
	/usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >"$tmp/out" 2>"$tmp/err" ||
		{ echo "bench-cf: $label failed: $(tail -n 1 "$tmp/err")"; return 1; }
	read -r secs kb <"$tmp/time"
	printf '  %-28s %8.2f s %8d MB\n' "$label" "$secs" $((kb / 1024))
}
for mode in item user; do
	echo "bench-cf: --recommend 10 --cf-mode $mode --cf-k 20"
	run "pr-features $mode" "$bin/pr-features" --recommend 10 --cf-mode "$mode" --cf-k 20 \
		--user customer --item item "$tmp/p.csv"
	ours=$secs
	if /usr/bin/python3 -c 'import scipy, pandas' 2>/dev/null; then
		run "pandas+scipy $mode" /usr/bin/python3 "$top/tests/bench/cf-peer.py" "$mode" \
			"$tmp/p.csv" 20 10 && awk -v a="$ours" -v b="$secs" \
			'BEGIN { printf "  peer / pr-features: %.2fx the time\n", b / a }'
	else
		echo "  (no python3-scipy / python3-pandas: peer skipped)"
	fi
done
echo "bench-cf: --evaluate 10 --order-by date (item-based, then user-based)"
for mode in item user; do
	run "evaluate $mode" "$bin/pr-features" --evaluate 10 --cf-mode "$mode" --order-by date \
		--user customer --item item "$tmp/p.csv" && sed 's/^/    /' "$tmp/out"
done
exit 0
