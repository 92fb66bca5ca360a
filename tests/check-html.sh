#!/bin/sh
# tests/check-html.sh - pr-report's HTML is well-formed (XML-compatible)
# and self-contained: checked with tests/xmlcheck.c (no extra package), and
# with xmllint too when it is installed (Debian libxml2-utils).  The checker
# itself must reject broken pages.  Last line: "N passed, N failed".
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/$BUILD/bin"
check="$top/$BUILD/tests/xmlcheck"
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL check-html: $*"; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT INT TERM

if [ ! -x "$bin/pr-report" ] || [ ! -x "$check" ]; then
	echo "check-html: pr-report or xmlcheck not built"
	echo "0 passed, 1 failed"
	exit 0
fi

# name | arguments (run in testdata/) | number of charts expected
cat >"$scratch/pages" <<'PAGES'
pricing|--by region --id id report-opt.csv|2
curves|-m report-model.json --curves 2 --by region report-opt.csv|7
scored|--label bought report-scored.csv|1
both|--label bought --pred p_buy report-both.csv|2
odd|--by id report-odd.csv|2
bytes|--by region --id region --top 2 report-bytes.csv|2
audit|--by region --audit region --currency EUR --title Weekly report-opt.csv|2
ope|--ope new_price --outcome bought --cost cost report-ope.csv|0
ab|--ab arm --outcome bought --cost cost report-ab.csv|0
PAGES
while IFS='|' read -r name args charts; do
	page="$scratch/$name.html"
	# shellcheck disable=SC2086
	if ! (cd "$top/testdata" && "$bin/pr-report" -f html -q $args >"$page"); then
		bad "$name: pr-report -f html $args failed"
		continue
	fi
	if out=$("$check" "$page"); then ok; else bad "$name: $out"; fi
	if command -v xmllint >/dev/null 2>&1; then
		if out=$(xmllint --noout "$page" 2>&1); then ok; else bad "$name: xmllint: $out"; fi
	fi
	n=$(grep -c '<svg ' "$page")
	if [ "$n" -eq "$charts" ]; then ok; else bad "$name: $n charts, want $charts"; fi
	# Self-contained: no external reference; a script only inline (no attributes).
	if grep -Eiq '<script [^>]|src=|href=|url\(|@import' "$page"; then
		bad "$name: the page refers outside itself"
	else
		ok
	fi
done <"$scratch/pages"

# The checker must catch what it is for.
i=0
for broken in '<a><b></a></b>' '<a x=1/>' '<a>1 < 2</a>' '<a>&nbsp;</a>' '<a></a><b></b>' \
    '<a x="1" x="2"/>' '<a>' '<a>AT&T</a>'; do
	i=$((i + 1))
	printf '%s\n' "$broken" >"$scratch/broken$i.xml"
	if "$check" "$scratch/broken$i.xml" >/dev/null; then bad "xmlcheck accepts $broken"; else ok; fi
done
# Bytes that are not UTF-8, and characters XML does not allow.
for broken in '<a>caf\351</a>' '<a>\033[31m</a>' '<a>\300\257</a>' '<a>\355\240\200</a>' \
    '<a>\357\277\276</a>' '<a x="\001"/>'; do
	i=$((i + 1))
	printf "$broken\n" >"$scratch/broken$i.xml"
	if "$check" "$scratch/broken$i.xml" >/dev/null; then bad "xmlcheck accepts $broken"; else ok; fi
done
printf '%s\n' '<!DOCTYPE html>' '<a x="&amp;&#38;&#x26;"><b/><!-- c -->cafÃ© â¬ ð</a>' >"$scratch/good.xml"
if "$check" "$scratch/good.xml" >/dev/null; then ok; else bad "xmlcheck rejects a good file"; fi
echo "$passed passed, $failed failed"
