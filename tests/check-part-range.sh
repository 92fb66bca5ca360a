#!/bin/sh
# tests/check-part-range.sh - --part N/M, the N-th of M parts of a regular
# file read by the part itself: for pr-clean, pr-features --apply, pr-score
# and pr-optimize, on files with CRLF line ends, quoted fields holding the
# delimiter, quotes and line breaks, blank lines, a BOM, no final newline,
# no header (--no-header, --names), tabs (-t) and ';' (-d ';'), a header
# and no rows, and one row, the parts' outputs joined in order are one
# run's bytes on stdout and in --rejects (numbered as lines of the whole
# file), and their row counts add up to one run's, for M from 1 to more
# parts than rows; on two small files every byte is a cut (M = the bytes
# after the header), so every cut lands inside a quoted field, on a CR, on a
# blank line.  Under --strict the first failing part says what one run
# says.  A standard input that is the file gives the same bytes, and the
# recipe of pr-toolkit(7) runs under GNU parallel (when installed).
# Last line: "N passed, N failed".
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/$BUILD/bin"
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
PATH="$bin:$PATH"
export PATH
cd "$tmp" || exit 1

# gen LAST DELIM EOL [HEADER [FIRST]]: candidates FIRST (1) to LAST, with
# columns id,segment,price,cost,note (a header unless HEADER is 0); every
# 37th price is not a number, notes hold the delimiter, quotes and line
# breaks (inside quotes a line break is LF whatever EOL is), and some rows
# have blank lines before them.
gen() {
	awk -v n="$1" -v d="$2" -v eol="$3" -v header="${4:-1}" -v from="${5:-1}" 'BEGIN {
		q = "\""
		if (header) printf "id%ssegment%sprice%scost%snote%s", d, d, d, d, eol
		for (i = from; i <= n; i++) {
			note = ""
			if (i % 11 == 0) note = q "x" d " y" q
			if (i % 13 == 0) note = q "line one\nline two" q
			if (i % 17 == 0) note = q "say " q q "hi" q q q
			if (i % 19 == 0) note = q q
			if (i % 23 == 0) note = q "\n" q q d "\n\n" q
			if (i % 29 == 0) printf "%s", eol
			if (i % 31 == 0) printf "%s%s", eol, eol
			price = i % 37 ? sprintf("%.2f", 5 + (i * 7919 % 2000) / 100) : "bad"
			printf "%d%s%s%s%s%s4%s%s%s", i, d, (i % 3 ? "a" : "b"), d, price, d, d, note, eol
		}
	}'
}
gen 400 , '\n' >plain.csv
gen 400 , '\r\n' >crlf.csv
gen 400 , '\n' | head -c -1 >nofinal.csv
{ printf '\357\273\277'; cat plain.csv; } >bom.csv
{ head -n 1 plain.csv; printf '\n\n'; tail -n +2 plain.csv; printf '\n\n'; } >blank.csv
gen 400 , '\n' 0 >noheader.csv
gen 400 '\t' '\n' >tab.tsv
gen 400 ';' '\n' >semi.csv
gen 0 , '\n' >header-only.csv
gen 1 , '\n' >one-row.csv
gen 37 , '\n' 1 21 >small.csv
gen 37 , '\r\n' 1 21 | head -c -2 >small-crlf.csv
[ "$(tail -c 2 crlf.csv | od -An -c | tr -d ' ')" = '\r\n' ] || bad "the CRLF file's lines do not end in CR LF"

cp "$top/testdata/price-linear-model.json" model.json
pr-features -q --fit state.json --zscore price --onehot segment plain.csv >/dev/null 2>&1 ||
	bad "pr-features --fit on plain.csv failed"

# the sum of "N rows in, N out, N rejected" over the summaries in a file
counts() { sed -n 's/.* \([0-9]*\) rows in, \([0-9]*\) out, \([0-9]*\) rejected.*/\1 \2 \3/p' "$1" |
	awk '{ a += $1; b += $2; c += $3 } END { printf "%d %d %d\n", a, b, c }'; }

# parts M FILE PROGRAM...: each part N of M in turn (they are independent),
# outputs into par.out, par.rej, par.err; returns non-zero when a part failed
parts() {
	m=$1
	file=$2
	shift 2
	: >par.out
	: >par.rej
	: >par.err
	n=1
	while [ $n -le "$m" ]; do
		"$@" -v --allow-empty --rejects p.rej --part "$n/$m" "$file" >>par.out 2>>par.err ||
			{ echo "part $n/$m failed: $(tail -n 2 par.err)"; return 1; }
		cat p.rej >>par.rej
		n=$((n + 1))
	done
}

# check NAME FILE "M..." PROGRAM...: one run against the parts, for each M
check() {
	name=$1
	file=$2
	ms=$3
	shift 3
	"$@" -v --allow-empty --rejects one.rej "$file" >one.out 2>one.err ||
		{ bad "$name: one run failed: $(tail -n 2 one.err)"; return; }
	for m in $ms; do
		if ! why=$(parts "$m" "$file" "$@"); then
			bad "$name, $m parts: $why"
			continue
		fi
		cmp -s one.out par.out && ok ||
			bad "$name, $m parts: output differs from one run's: $(diff one.out par.out | head -n 4)"
		cmp -s one.rej par.rej && ok ||
			bad "$name, $m parts: rejects differ from one run's: $(diff one.rej par.rej | head -n 4)"
		[ "$(counts one.err)" = "$(counts par.err)" ] && ok ||
			bad "$name, $m parts: row counts: one run $(counts one.err), the parts add up to $(counts par.err)"
	done
}

ms="1 2 3 7"
clean="pr-clean --num price,cost --text segment"
score="pr-score -m model.json --se"
optimize="pr-optimize -m model.json --cost cost --max-change 0.2"
features="pr-features --apply state.json"
for f in plain.csv crlf.csv nofinal.csv bom.csv blank.csv header-only.csv one-row.csv; do
	check "pr-clean $f" $f "$ms" $clean
	check "pr-score $f" $f "$ms" $score
done
check "pr-optimize plain.csv" plain.csv "$ms" $optimize
check "pr-optimize crlf.csv" crlf.csv "2 5" $optimize
check "pr-features --apply plain.csv" plain.csv "$ms" $features
check "pr-features --apply blank.csv" blank.csv "2 5" $features
check "pr-clean --no-header" noheader.csv "$ms" pr-clean --no-header --num V3,V4
check "pr-score --names" noheader.csv "$ms" pr-score -m model.json --names id,segment,price,cost,note
check "pr-clean -t" tab.tsv "$ms" pr-clean -t --num price,cost
check "pr-optimize -t" tab.tsv "2 5" pr-optimize -t -m model.json --cost cost
check "pr-clean -d ';'" semi.csv "$ms" pr-clean -d ';' --num price,cost
check "pr-features -d ';'" semi.csv "2 5" pr-features -d ';' --apply state.json

# every byte after the header a cut (so also more parts than rows, most
# of them empty)
for f in small.csv small-crlf.csv; do
	head_bytes=$(head -n 1 $f | wc -c)
	check "pr-clean $f, a cut at every byte" $f "$(($(wc -c <$f) - head_bytes))" $clean
done

# --strict: the first part that fails says what one run says (the first
# bad price in the second half)
awk 'NR < 200 { gsub(/,bad,/, ",5,") } 1' plain.csv >late.csv
$clean --strict late.csv >/dev/null 2>one.err
one_rc=$?
n=1
first=""
while [ $n -le 5 ]; do
	if ! $clean --strict --part $n/5 late.csv >/dev/null 2>p.err; then
		first=$(cat p.err)
		break
	fi
	n=$((n + 1))
done
[ "$one_rc" = 1 ] && [ -n "$first" ] && [ "$first" = "$(cat one.err)" ] && ok ||
	bad "--strict: one run said \"$(cat one.err)\" (exit $one_rc), the first failing part \"$first\""
[ $n -gt 1 ] && ok || bad "--strict: the first bad row is in part 1 of 5; move it"

# a standard input that is the file
$score -v --rejects one.rej <plain.csv >one.out 2>one.err
: >par.out
: >par.rej
for n in 1 2 3; do
	$score -v --rejects p.rej --part $n/3 <plain.csv >>par.out 2>>par.err
	cat p.rej >>par.rej
done
cmp -s one.out par.out && cmp -s one.rej par.rej && ok ||
	bad "standard input from the file: the parts differ from one run: $(diff one.out par.out | head -n 3)"
grep -q '^pr-score: stdin: ' par.err && ok || bad "standard input from the file: its summary does not say stdin: $(head -n 2 par.err)"

# the recipe, under GNU parallel
if parallel --version 2>/dev/null | grep -q 'GNU parallel'; then
	$optimize -q --rejects one.rej crlf.csv >one.out 2>one.err
	parallel --will-cite -j 2 -k $optimize -q --part {}/3 --rejects 'rej{}.csv' crlf.csv ::: 1 2 3 >par.out 2>par.err
	cat rej1.csv rej2.csv rej3.csv >par.rej
	cmp -s one.out par.out && cmp -s one.rej par.rej && ok ||
		bad "parallel -j 2 -k ... --part {}/3: not one run's bytes: $(diff one.out par.out | head -n 3)"
fi
echo "$passed passed, $failed failed"
