#!/bin/sh
# tests/check-man.sh - the manual keeps its promises:
#  - every man page is clean under groff -ww -z, and renders (groff -Tutf8)
#    without a glyph that is a known escape slip: final sigma from \(ts where
#    a superscript two (\(S2) was meant ("R\(ts" shows as "Rς");
#  - each program's --help lists the same long options as its man page's
#    OPTIONS section;
#  - each program has a man page, and --help and --version exit 0;
#  - the EXAMPLES commands ("$ pr-..." lines inside .EX/.EE) run on testdata/
#    and exit 0 (their output is not compared: the e2e cases do that).
# Last line: "N passed, N failed".
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/$BUILD/bin"
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }

if ! command -v groff >/dev/null 2>&1; then
	echo "check-man: groff not installed (Debian package groff-base)"
fi
for page in "$top"/man/*.1 "$top"/man/*.7; do
	[ -f "$page" ] || continue
	if command -v groff >/dev/null 2>&1; then
		out=$(groff -man -ww -z "$page" 2>&1)
		if [ -z "$out" ]; then ok; else bad "groff -ww $(basename "$page"): $out"; fi
		slip=$(groff -man -Tutf8 "$page" 2>/dev/null | grep -n 'ς')
		if [ -z "$slip" ]; then ok; else bad "$(basename "$page") renders a final sigma (\\(ts for \\(S2?): $slip"; fi
	fi
done

# One date, version and manual name on every page's .TH line.
th=$(sed -n '1s/^\.TH [^ ]* [0-9] //p' "$top"/man/*.1 "$top"/man/*.7 | sort -u)
if [ "$(printf '%s\n' "$th" | wc -l)" -eq 1 ] && [ -n "$th" ]; then ok; else bad "man pages' .TH lines differ:"; printf '%s\n' "$th" | sed 's/^/  /'; fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT INT TERM
for prog in "$bin"/pr-*; do
	[ -x "$prog" ] || continue
	name=$(basename "$prog")
	page="$top/man/$name.1"
	if [ ! -f "$page" ]; then bad "$name has no man page"; continue; fi
	"$prog" --help >"$scratch/help" 2>&1 && ok || bad "$name --help exit status"
	"$prog" --version >/dev/null 2>&1 && ok || bad "$name --version exit status"
	grep -o -- '--[a-z][a-z0-9-]*' "$scratch/help" | sort -u >"$scratch/help.opts"
	sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$page" | sed 's/\\-/-/g' |
		grep -o -- '--[a-z][a-z0-9-]*' | sort -u >"$scratch/man.opts"
	if cmp -s "$scratch/help.opts" "$scratch/man.opts"; then
		ok
	else
		bad "$name: --help and man page OPTIONS list different long options:"
		diff "$scratch/help.opts" "$scratch/man.opts" | grep '^[<>]' | sed 's/^</  only in --help:/; s/^>/  only in man page:/'
	fi
	# EXAMPLES: "$ command" lines between .EX and .EE
	sed -n '/^\.SH EXAMPLES/,/^\.SH /p' "$page" | sed -n '/^\.EX/,/^\.EE/p' |
		sed -n 's/^\$ //p' | sed 's/\\-/-/g; s/\\e/\\/g; s/\\(dq/"/g' >"$scratch/examples"
	while IFS= read -r ex; do
		[ -n "$ex" ] || continue
		(cd "$top/testdata" && T="$scratch" PATH="$bin:$PATH" sh -c "$ex" >/dev/null 2>"$scratch/ex.err" </dev/null)
		rc=$?
		if [ $rc -eq 0 ]; then ok; else bad "$name example exits $rc: $ex"; sed 's/^/  /' "$scratch/ex.err" | head -5; fi
	done <"$scratch/examples"
done
echo "$passed passed, $failed failed"
