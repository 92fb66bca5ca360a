#!/bin/sh
# tests/check-bad-output.sh - every program fails cleanly on a full disk
# (exit 1, one line naming stdout) and ends quietly on a closed pipe.
# Last line: "N passed, N failed".
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/$BUILD/bin"
passed=0
failed=0
big=$(mktemp)
trap 'rm -f "$big"' EXIT INT TERM
# a file larger than any output buffer
awk 'BEGIN { print "id,price"; for (i = 1; i <= 50000; i++) printf "%d,%d.5\n", i, i % 97 }' >"$big"
prog="$bin/pr-clean"
if [ -x "$prog" ]; then
	err=$("$prog" "$big" 2>&1 >/dev/full)
	rc=$?
	if [ $rc -eq 1 ] && [ "$err" = "pr-clean: stdout: write error: No space left on device" ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1)); echo "FAIL pr-clean >/dev/full: exit $rc, stderr: $err"
	fi
	err=$("$prog" "$big" 2>&1 | head -n 1)
	if [ "$err" = "id,price" ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1)); echo "FAIL pr-clean | head: got: $err"
	fi
fi
echo "$passed passed, $failed failed"
