#!/bin/sh
# tests/run.sh - run every unit test and every end-to-end case; the last line
# is "N passed, N failed".
#
# End-to-end cases are data (as datamash's and jq's tests are): a folder
# testdata/cases/NAME/ with
#   cmd      a shell command, run in testdata/ with the programs on PATH and
#            $T a fresh scratch folder for files the command writes
#   stdout   expected standard output (absent: must be empty)
#   stderr   expected standard error (absent: must be empty)
#   status   expected exit status (absent: 0)
# Each case runs under LC_ALL=C, and again under a decimal-comma locale when
# one is installed: the output must not change.
# Usage: tests/run.sh [PATTERN]   (only cases whose name contains PATTERN)
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/$BUILD/bin"
pattern=${1:-}
passed=0
failed=0
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT INT TERM

# Unit tests: each prints its failures and "N passed, N failed".
if [ -z "$pattern" ]; then
	for t in "$top/$BUILD"/tests/test_*; do
		[ -x "$t" ] || continue
		out=$(cd "$top/testdata" && "$t" 2>&1)
		rc=$?
		last=$(printf '%s\n' "$out" | tail -n 1)
		p=$(printf '%s\n' "$last" | sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1/p')
		f=$(printf '%s\n' "$last" | sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\2/p')
		if [ -z "$p" ]; then
			echo "FAIL unit $(basename "$t"): no summary line (exit $rc)"
			printf '%s\n' "$out" | tail -n 20
			failed=$((failed + 1))
			continue
		fi
		if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then
			printf '%s\n' "$out" | grep -v '^[0-9]* passed, [0-9]* failed$'
			echo "FAIL unit $(basename "$t"): $f failed"
		fi
		passed=$((passed + p))
		failed=$((failed + f))
		[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && failed=$((failed + 1))
	done
fi

# A decimal-comma locale, if the machine has one.
comma_locale=""
for l in de_DE.UTF-8 de_DE.utf8 fr_FR.UTF-8 fr_FR.utf8 nl_NL.UTF-8; do
	if locale -a 2>/dev/null | grep -qix "$(echo "$l" | sed 's/UTF-8/utf8/')"; then
		comma_locale=$l
		break
	fi
done

run_case() { # dir locale
	dir=$1
	loc=$2
	name=$(basename "$dir")
	T="$scratch/$name.$loc"
	rm -rf "$T"
	mkdir -p "$T"
	(cd "$top/testdata" && T="$T" PATH="$bin:$PATH" LC_ALL=$loc TZ=UTC \
		sh "$dir/cmd" >"$T/.stdout" 2>"$T/.stderr" </dev/null)
	rc=$?
	want_rc=0
	[ -f "$dir/status" ] && want_rc=$(cat "$dir/status")
	ok=1
	[ -f "$dir/stdout" ] && want_out="$dir/stdout" || want_out=/dev/null
	[ -f "$dir/stderr" ] && want_err="$dir/stderr" || want_err=/dev/null
	if [ "$rc" != "$want_rc" ]; then ok=0; fi
	cmp -s "$want_out" "$T/.stdout" || ok=0
	cmp -s "$want_err" "$T/.stderr" || ok=0
	if [ $ok -eq 1 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL $name (LC_ALL=$loc): $(cat "$dir/cmd")"
		[ "$rc" != "$want_rc" ] && echo "  exit status $rc, want $want_rc"
		diff -u "$want_out" "$T/.stdout" | head -n 30 | sed 's/^/  stdout /'
		diff -u "$want_err" "$T/.stderr" | head -n 30 | sed 's/^/  stderr /'
	fi
}

for dir in "$top"/testdata/cases/*/; do
	dir=${dir%/}
	[ -f "$dir/cmd" ] || continue
	case $(basename "$dir") in *"$pattern"*) ;; *) continue ;; esac
	run_case "$dir" C
	[ -n "$comma_locale" ] && run_case "$dir" "$comma_locale"
done

# Script checks (man pages, --help, examples): tests/check-*.sh print
# "N passed, N failed" last, like the unit tests.
if [ -z "$pattern" ]; then
	for s in "$top"/tests/check-*.sh; do
		[ -f "$s" ] || continue
		# its own target (make check-dist): root, sshd, a minute
		[ "$(basename "$s")" = check-dist.sh ] && continue
		out=$(BUILD=$BUILD sh "$s" 2>&1)
		last=$(printf '%s\n' "$out" | tail -n 1)
		p=$(printf '%s\n' "$last" | sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1/p')
		f=$(printf '%s\n' "$last" | sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\2/p')
		if [ -z "$p" ]; then
			echo "FAIL $(basename "$s"): no summary line"; failed=$((failed + 1)); continue
		fi
		[ "$f" -ne 0 ] && printf '%s\n' "$out" | grep -v '^[0-9]* passed, [0-9]* failed$'
		passed=$((passed + p))
		failed=$((failed + f))
	done
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
