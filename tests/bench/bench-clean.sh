#!/bin/sh
# tests/bench/bench-clean.sh - how fast pr-clean streams, against the ceiling
# libcsv allows.  Generates a 1,000,000-row, 12-column order file (~65 MB,
# quoted fields, empty values) in a temporary folder and times, in one run:
#   parse-only   tests/bench-parse.c: libcsv counting fields, same options
#   pass-through pr-clean FILE
#   typical      pr-clean --num price,list_price,discount --fill price=0
#                         --dedupe-key order_id FILE
#   streaming    the same without the dedupe key (memory must stay flat)
#   miller       mlr --csv cat FILE (when Miller is installed)
# Speed is reported as a share of parse-only (targets: pass-through >= 60%,
# typical >= 40%); peak memory (max RSS) from /usr/bin/time -v (target for
# the streaming cases: < 20 MB, whatever the length of the input).
# Usage: BUILD=build sh tests/bench/bench-clean.sh [ROWS]   (make bench)
# Times are the best of RUNS runs (default 3) of wall-clock time, by
# hyperfine when installed; run it on an idle machine.
set -eu
BUILD=${BUILD:-build}
ROWS=${1:-1000000}
RUNS=${RUNS:-3}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/$BUILD/bin"
tests="$top/$BUILD/tests"
for p in "$bin/pr-clean" "$tests/bench-parse" "$tests/gen-orders"; do
	[ -x "$p" ] || { echo "bench-clean: $p missing: run make BUILD=$BUILD first" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
f="$tmp/orders.csv"
"$tests/gen-orders" "$ROWS" >"$f"
size=$(wc -c <"$f")
echo "bench-clean: $ROWS rows, 12 columns, $((size / 1000000)) MB ($f)"

# name|command
cat >"$tmp/cases" <<EOF
parse-only|$tests/bench-parse $f
pass-through|$bin/pr-clean $f
typical|$bin/pr-clean --num price,list_price,discount --fill price=0 --dedupe-key order_id $f
streaming typical|$bin/pr-clean --num price,list_price,discount --fill price=0 $f
EOF
if command -v mlr >/dev/null 2>&1; then
	echo "miller (mlr --csv cat)|mlr --csv cat $f" >>"$tmp/cases"
fi

# Best wall time in seconds of RUNS runs.
best_time() {
	if command -v hyperfine >/dev/null 2>&1; then
		hyperfine -N --runs "$RUNS" --warmup 1 --export-json "$tmp/h.json" \
			--output=null "$1" >/dev/null 2>&1
		sed -n 's/.*"min": *\([0-9.e+-]*\).*/\1/p' "$tmp/h.json" | head -n 1
	else
		b=""
		i=0
		while [ $i -lt "$RUNS" ]; do
			/usr/bin/time -f %e -o "$tmp/t" sh -c "$1 >/dev/null"
			t=$(cat "$tmp/t")
			b=$(awk -v a="$b" -v t="$t" 'BEGIN { print (a == "" || t < a) ? t : a }')
			i=$((i + 1))
		done
		echo "$b"
	fi
}

# Peak resident memory in MB, and CPU seconds (user + system), of one run.
peak_cpu() {
	/usr/bin/time -v sh -c "exec $1 >/dev/null" 2>"$tmp/v" || true
	awk -F: '/Maximum resident set size/ { m = $2 / 1024 }
		/User time|System time/ { c += $2 }
		END { printf "%.1f %.2f", m, c }' "$tmp/v"
}

# CPU time matters on a shared machine, where wall time also counts waiting.
printf '%-24s %8s %8s %9s %9s %9s\n' case seconds "MB/s" "of parse" "cpu s" "peak MB"
base=""
cbase=""
while IFS='|' read -r name cmd; do
	t=$(best_time "$cmd")
	set -- $(peak_cpu "$cmd")
	m=$1
	c=$2
	[ -n "$base" ] || base=$t
	[ -n "$cbase" ] || cbase=$c
	awk -v n="$name" -v t="$t" -v b="$base" -v s="$size" -v m="$m" -v c="$c" 'BEGIN {
		printf "%-24s %8.3f %8.1f %8.0f%% %9.2f %9s\n", n, t, s / t / 1e6, 100 * b / t, c, m }'
done <"$tmp/cases"
echo "targets: pass-through >= 60%, typical >= 40% of parse-only; streaming cases < 20 MB"
