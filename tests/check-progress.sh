#!/bin/sh
# tests/check-progress.sh - progress on long work appears on a terminal and
# never elsewhere: pr-train on 40,000 rows (alone, with 5 folds, by 2,000
# groups), with stderr a pseudo-terminal (script(1)) and with stderr a file
# (a pipe, a cron mail), and with -q.
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
awk -F, 'NR == 1 { print $0 ",g"; next } { print $0 ",g" (NR % 2000) }' "$T/d.csv" >"$T/g.csv"
train="$bin/pr-train --family logistic -f 'y ~ x1 + x2' -o $T/m.json $T/d.csv"
folds="$bin/pr-train --family logistic --folds 5 -f 'y ~ x1 + x2' -o $T/m.json $T/d.csv"
groups="$bin/pr-train --by g -f 'x3 ~ x1 + x2' -o $T/m.json $T/g.csv"
if command -v script >/dev/null 2>&1; then
	script -qec "$train >/dev/null" /dev/null >"$T/tty" 2>&1 </dev/null
	grep -Eq 'pr-train: [1-9][0-9]* rows read \([0-9]+ MB\)' "$T/tty"; check "a terminal shows the rows read" $((1 - $?))
	script -qec "cat $T/d.csv | $bin/pr-train --family logistic -f 'y ~ x1 + x2' -o $T/m.json >/dev/null" \
	    /dev/null >"$T/tty-p" 2>&1 </dev/null
	grep -q 'pr-train: 16384 rows read (2 MB)' "$T/tty-p"; check "a pipe: the rows read every 16384" $((1 - $?))
	grep -q 'pr-train: fitting 40000 rows' "$T/tty"; check "a terminal shows the fit" $((1 - $?))
	tail -c 4 "$T/tty" | od -c | grep -q '033   \[   K'; check "the line is cleared at the end" $((1 - $?))
	script -qec "$train -q >/dev/null" /dev/null >"$T/tty-q" 2>&1 </dev/null
	[ ! -s "$T/tty-q" ]; check "-q: nothing on a terminal" $((1 - $?))
	script -qec "$folds >/dev/null" /dev/null >"$T/tty-f" 2>&1 </dev/null
	for k in 1 2 3 4 5; do
		grep -q "pr-train: fitting 40000 rows: fold $k of 5" "$T/tty-f"; check "a terminal shows fold $k of 5" $((1 - $?))
	done
	grep -q 'fold 6' "$T/tty-f"; check "no fold past the last" $?
	script -qec "$folds -q >/dev/null" /dev/null >"$T/tty-fq" 2>&1 </dev/null
	[ ! -s "$T/tty-fq" ]; check "-q --folds: nothing on a terminal" $((1 - $?))
	script -qec "$groups >/dev/null" /dev/null >"$T/tty-g" 2>&1 </dev/null
	grep -q 'pr-train: fitting 40000 rows by g: group 1 of 2000' "$T/tty-g"; check "a terminal shows the first group" $((1 - $?))
	tail -c 4 "$T/tty-g" | od -c | grep -q '033   \[   K'; check "the group line is cleared at the end" $((1 - $?))
else
	echo "check-progress: script(1) not installed: the terminal checks are not run"
fi
sh -c "$train" >/dev/null 2>"$T/err"
[ ! -s "$T/err" ]; check "stderr a file: nothing" $((1 - $?))
sh -c "$train" 2>&1 >/dev/null | cat >"$T/pipe"
[ ! -s "$T/pipe" ]; check "stderr a pipe: nothing" $((1 - $?))
sh -c "$folds" >/dev/null 2>"$T/err-f"
grep -q 'fold' "$T/err-f"; check "--folds, stderr a file: no progress" $?
grep -q "$(printf '\r')" "$T/err-f"; check "--folds, stderr a file: no carriage return" $?
sh -c "$folds" 2>&1 >/dev/null | cat >"$T/pipe-f"
grep -q 'fold' "$T/pipe-f"; check "--folds, stderr a pipe: no progress" $?
sh -c "$groups" >/dev/null 2>"$T/err-g"
[ ! -s "$T/err-g" ]; check "--by, stderr a file: nothing" $((1 - $?))
sh -c "$groups" 2>&1 >/dev/null | cat >"$T/pipe-g"
[ ! -s "$T/pipe-g" ]; check "--by, stderr a pipe: nothing" $((1 - $?))
echo "$passed passed, $failed failed"
