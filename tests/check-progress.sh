#!/bin/sh
# tests/check-progress.sh - progress on long work appears on a terminal and
# never elsewhere: pr-train on 40,000 rows, with stderr a pseudo-terminal
# (script(1)) and with stderr a file (a pipe, a cron mail), and with -q.
# Last line: "N passed, N failed".
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/$BUILD/bin"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
passed=0
failed=0
check() { # name 0|1
	if [ "$2" = 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL progress: $1"; fi
}
"$top/$BUILD/tests/gen-logit" 40000 3 "$T/d.csv" "$T/d.svm" >/dev/null 2>&1
train="$bin/pr-train --family logistic -f 'y ~ x1 + x2' -o $T/m.json $T/d.csv"
if command -v script >/dev/null 2>&1; then
	script -qec "$train >/dev/null" /dev/null >"$T/tty" 2>&1 </dev/null
	grep -q 'pr-train: 16384 rows read (2 MB)' "$T/tty"; check "a terminal shows the rows read" $((1 - $?))
	grep -q 'pr-train: fitting 40000 rows' "$T/tty"; check "a terminal shows the fit" $((1 - $?))
	tail -c 4 "$T/tty" | od -c | grep -q '033   \[   K'; check "the line is cleared at the end" $((1 - $?))
	script -qec "$train -q >/dev/null" /dev/null >"$T/tty-q" 2>&1 </dev/null
	[ ! -s "$T/tty-q" ]; check "-q: nothing on a terminal" $((1 - $?))
else
	echo "check-progress: script(1) not installed: the terminal checks are not run"
fi
sh -c "$train" >/dev/null 2>"$T/err"
[ ! -s "$T/err" ]; check "stderr a file: nothing" $((1 - $?))
sh -c "$train" 2>&1 >/dev/null | cat >"$T/pipe"
[ ! -s "$T/pipe" ]; check "stderr a pipe: nothing" $((1 - $?))
echo "$passed passed, $failed failed"
