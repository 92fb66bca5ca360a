#!/bin/sh
# tests/check-bad-output.sh - every program fails cleanly on a full disk
# (exit 1, one line naming stdout, no file replaced) and ends quietly on a
# closed pipe, with an output larger than any buffer, whether SIGPIPE is
# ignored or not; a run ended by SIGINT, SIGTERM, SIGHUP or a closed pipe
# leaves no temporary and the old files; --rejects /dev/null leaves
# /dev/null a device (checked for real when run as root, as in CI).
# Last line: "N passed, N failed".
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/$BUILD/bin"
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
# 50,000 rows of candidates (below) and a linear model of price: enough output to fill any buffer
cp "$top/testdata/price-linear-model.json" "$tmp/model.json"
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }
# the files in $tmp/out: a temporary left behind shows here
left() { ls -A "$tmp/out" | grep -v -x -e rej.csv -e keep.json | tr '\n' ' '; }
check() { # name input command... (run in $tmp/out; its --rejects is rej.csv)
	name=$1
	input=$2
	shift 2
	rm -rf "$tmp/out"; mkdir "$tmp/out"; echo old >"$tmp/out/rej.csv"
	err=$(cd "$tmp/out" && "$@" "$input" 2>&1 >/dev/full)
	rc=$?
	if [ $rc -eq 1 ] && [ "$err" = "$name: stdout: write error: No space left on device" ]; then
		ok
	else
		bad "$name >/dev/full: exit $rc, stderr: $err"
	fi
	[ "$(cat "$tmp/out/rej.csv")" = old ] && [ -z "$(left)" ] && ok ||
		bad "$name >/dev/full replaced rej.csv or left: $(left)"
	out=$(cd "$tmp/out" && "$@" "$input" 2>&1 | head -n 1)
	case $out in
	"$name:"*) bad "$name | head: $out" ;;
	*) ok ;;
	esac
	[ -z "$(left)" ] && ok || bad "$name | head left: $(left)"
	# SIGPIPE ignored (systemd, trap '' PIPE): the same quiet end
	out=$(cd "$tmp/out" && trap '' PIPE && "$@" "$input" 2>&1 | head -n 1)
	case $out in
	"$name:"*) bad "$name | head with SIGPIPE ignored: $out" ;;
	*) ok ;;
	esac
	[ -z "$(left)" ] && ok || bad "$name | head with SIGPIPE ignored left: $(left)"
	# killed mid-run: input from a FIFO that stays open, so the program waits
	for sig in INT TERM HUP; do
		[ "$signals" = yes ] || break
		echo old >"$tmp/out/rej.csv"
		rm -f "$tmp/in.fifo"; mkfifo "$tmp/in.fifo"
		# env --default-signal: a background job of a script would ignore SIGINT
		(cd "$tmp/out" && exec env --default-signal=INT,HUP "$@" "$tmp/in.fifo" >/dev/null 2>&1) &
		pid=$!
		exec 9>"$tmp/in.fifo"
		head -n 200 "$input" >&9
		# wait until the program has made its temporary (it reads, then opens --rejects)
		i=0
		while [ -z "$(left)" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
		[ -n "$(left)" ] || bad "$name: no temporary seen before SIG$sig"
		kill -$sig $pid
		i=0
		while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
		kill -0 $pid 2>/dev/null && { kill -KILL $pid; bad "$name: SIG$sig did not end it"; }
		wait $pid
		rc=$?
		exec 9>&-
		[ $rc -gt 128 ] && [ -z "$(left)" ] && [ "$(cat "$tmp/out/rej.csv")" = old ] && ok ||
			bad "$name killed by SIG$sig: exit $rc, left: $(left), rej.csv: $(head -c 40 "$tmp/out/rej.csv")"
	done
	# a device as --rejects is written through (as root, replacing it would break /dev/null)
	(cd "$tmp/out" && "$@" --rejects /dev/null "$input" >/dev/null 2>&1)
	[ -c /dev/null ] && ok || bad "$name --rejects /dev/null: /dev/null is no longer a device"
}
# every tenth row is rejected (a bad price), so each run has a rejects temporary
awk 'BEGIN { print "id,segment,price,cost"; for (i = 1; i <= 50000; i++) printf "%d,%s,%s,%d\n", i, (i % 2 ? "a" : "b"), (i % 10 ? (10 + i % 17) ".5" : "x"), 5 }' >"$tmp/big.csv"
"$bin/pr-optimize" -q -m "$tmp/model.json" --cost cost "$tmp/big.csv" >"$tmp/prices.csv"
awk -F, -v OFS=, 'NR > 1 && NR % 10 == 0 { $5 = "x" } 1' "$tmp/prices.csv" >"$tmp/prices-bad.csv"
b=$tmp/big.csv
signals=yes
check pr-clean "$b" "$bin/pr-clean" --num price --rejects rej.csv
# --fit reads all its input before it opens a file: no temporary to see while it waits
signals=no check pr-features "$b" "$bin/pr-features" --fit keep.json --zscore price --rejects rej.csv
"$bin/pr-features" -q --fit "$tmp/state.json" --zscore price "$b" >/dev/null
signals=yes
check pr-features "$b" "$bin/pr-features" --apply "$tmp/state.json" --rejects rej.csv
check pr-score "$b" "$bin/pr-score" -m "$tmp/model.json" --rejects rej.csv
check pr-optimize "$b" "$bin/pr-optimize" -m "$tmp/model.json" --cost cost --rejects rej.csv
check pr-train "$b" "$bin/pr-train" --family linear -f 'cost ~ price + segment' --rejects rej.csv
check pr-report "$tmp/prices-bad.csv" "$bin/pr-report" -q --by id --rejects rej.csv
echo "$passed passed, $failed failed"
