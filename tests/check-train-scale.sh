#!/bin/sh
# tests/check-train-scale.sh - pr-train past one block of rows: the model is
# the same, byte for byte, for --jobs 1, 2 and 3 (blocks merged in block
# order whatever the scheduling); a store and design that spill to the
# temporary file give the same model (and --fitted values) as ones held in
# memory; validation takes no memory per row; reading a file on threads gives the model, messages and rejects of
# reading it on one, bad CSV included; a temporary directory that cannot be
# written fails the run with its name.
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

# 140,000 rows (three blocks) of 20 predictors: 23 MB of values, more than
# the 1 MiB buffer some runs below keep in memory
"$top/$BUILD/tests/gen-logit" 140000 7 d.csv /dev/null || exit 1
f="y ~ x1"
j=2
while [ $j -le 20 ]; do f="$f + x$j"; j=$((j + 1)); done
mkdir spill
TMPDIR="$tmp/spill"
export TMPDIR
# same NAME as REF: the model and the coefficient table, byte for byte
same() {
	if cmp -s "$2.json" "$3.json" && cmp -s "$2.csv" "$3.csv"; then ok; else bad "$1: differs"; fi
}
train() { # NAME OPTION...
	name=$1
	shift
	pr-train -q -o "$name.json" "$@" d.csv >"$name.csv" 2>"$name.err" ||
		bad "$name: exit $?: $(cat "$name.err")"
}
train l1 --family logistic -j 1 -f "$f"
train l2 --family logistic -j 2 -f "$f"
train l3 --family logistic -j 3 -f "$f"
train l2s --family logistic -j 2 -S 1M -f "$f"
train lfit --family logistic -S 1M --fitted fitted.csv -f "$f"
train lfitm --family logistic --fitted fitted-mem.csv -f "$f"
same "logistic -j 2" l2 l1
same "logistic -j 3" l3 l1
same "logistic -j 2, spilled store and design" l2s l1
same "logistic --fitted, spilled store and design" lfit l1
# the fitted values read back from the temporary file, in order
if cmp -s fitted.csv fitted-mem.csv && [ "$(wc -l <fitted.csv)" -eq 140001 ]; then ok; else
	bad "--fitted from a spilled store differs from the one held in memory"; fi
train g1 -j 1 -f "$f"
train g3 -j 3 -S 1M -f "$f"
same "linear -j 3, spilled" g3 g1
# the validation folds over the blocks, on threads
train f1 --family logistic --folds 3 -j 1 -f "$f"
train f2 --family logistic --folds 3 -j 2 -S 1M -f "$f"
same "--folds 3 -j 2, spilled" f2 f1
if grep -q '"folds": 3' f1.json; then ok; else bad "--folds 3: no folds in the model"; fi
# --by past the buffer: each group's rows written together and read back on
# their own give the model of the groups held in memory (seven groups of
# unequal size, interleaved through all three blocks; one of them of 4 rows
# in all three blocks)
awk -F, 'NR == 1 { print $0 ",g,w"; next }
	{ g = NR % 46000 == 5 ? "tiny" : "g" (NR * NR) % 10; print $0 "," g "," NR % 3 + 0.5 }' d.csv >dg.csv
grouped() { # NAME OPTION...
	name=$1
	shift
	pr-train -q -o "$name.json" --by g "$@" dg.csv >"$name.csv" 2>"$name.err" ||
		bad "$name: exit $?: $(cat "$name.err")"
}
grouped b1 --family logistic -f "$f"
grouped b1s --family logistic -S 1M -f "$f"
same "--by, spilled" b1s b1
grouped b2 --folds 3 --shrink --fitted bfit.csv -f "$f"
grouped b2s --folds 3 --shrink --fitted bfit-s.csv -S 1M -j 2 -f "$f"
same "--by --folds --shrink, spilled, -j 2" b2s b2
if cmp -s bfit.csv bfit-s.csv; then ok; else bad "--by --fitted: spilled differs"; fi
grouped b3 --holdout 0.3 --weight w --retransform smearing -f "log(w) ~ x2 + x3"
grouped b3s --holdout 0.3 --weight w --retransform smearing -S 1M -f "log(w) ~ x2 + x3"
same "--by --holdout --weight, smearing, spilled" b3s b3
if [ "$(grep -c '^g[0-9],' b1.csv)" -eq 126 ] && [ "$(grep -c '^tiny,' b3.csv)" -eq 3 ]; then ok; else
	bad "--by: not every group in the model"; fi
# Reading on threads: a file of every kind of row (a segment column, a
# column that turns categorical half-way, refused rows of each kind, quoted
# newlines, CRLF, blank lines), read on 1 and 3 threads, from the file, a
# redirected standard input and a pipe: the same model, table, messages
# and rejects, in the same order.
awk -F, 'BEGIN { OFS = "," }
	NR == 1 { print $0, "seg", "note", "z"; next }
	{ seg = NR % 7 == 0 ? "vip" : NR % 3 == 0 ? "new" : "old"
	  z = NR < 90000 ? NR % 11 : (NR % 5 == 0 ? "z" NR % 4 : NR % 11)
	  note = NR % 13 == 0 ? "\"two\nlines, \"\"quoted\"\"\"" : "n"
	  if (NR % 1009 == 0) $3 = ""
	  if (NR % 2003 == 0) $1 = "1,5"
	  if (NR % 3001 == 0) $1 = "abc"
	  line = $0 OFS seg OFS note OFS z
	  if (NR % 4001 == 0) line = line ",extra"
	  if (NR % 17 == 0) line = line "\r"
	  print line
	  if (NR % 5003 == 0) print "" }' d.csv >mixed.csv
fm="$f + seg + z"
mtrain() { # NAME SOURCE OPTION...
	name=$1
	src=$2
	shift 2
	case $src in
	file) pr-train -o "$name.json" --rejects "$name.rej" "$@" -f "$fm" mixed.csv ;;
	stdin) pr-train -o "$name.json" --rejects "$name.rej" "$@" -f "$fm" <mixed.csv ;;
	pipe) cat mixed.csv | pr-train -o "$name.json" --rejects "$name.rej" "$@" -f "$fm" ;;
	esac >"$name.csv" 2>"$name.err"
	echo $? >"$name.rc"
}
msame() {
	if cmp -s "$2.json" "$3.json" && cmp -s "$2.csv" "$3.csv" && cmp -s "$2.err" "$3.err" &&
	    cmp -s "$2.rej" "$3.rej" && cmp -s "$2.rc" "$3.rc"; then ok; else bad "$1: differs"; fi
}
mtrain m1 file --family logistic -j 1
mtrain m3 file --family logistic -j 3
mtrain m1i stdin --family logistic -j 1
mtrain m3i stdin --family logistic -j 3
mtrain m2p pipe --family logistic -j 2
mtrain m2s file --family logistic -j 2 -S 1M
msame "threads read a file of every kind of row: -j 3" m3 m1
msame "threads read a redirected standard input: -j 3" m3i m1i
msame "a pipe (read by one thread), -j 2" m2p m1i
msame "threads read, spilled: -j 2 -S 1M" m2s m1
if [ "$(cat m1.rc)" = 0 ] && [ "$(wc -l <m1.rej)" -gt 100 ] && grep -q '"z"' m1.json &&
    grep -q 'too many fields' m1.rej && grep -q 'not a number' m1.rej; then
	ok
else
	bad "the mixed file: exit $(cat m1.rc), $(wc -l <m1.rej) rejects: $(head -c 300 m1.err)"
fi
# bad CSV late in the file: the rows before it, then the same one message
awk 'NR == 120000 { print "1,x\"y" } { print }' mixed.csv >bad.csv
for j in 1 3; do
	pr-train -q --family logistic -j $j -f "$fm" bad.csv >"bad$j.csv" 2>"bad$j.err"
	echo $? >"bad$j.rc"
done
if cmp -s bad1.err bad3.err && cmp -s bad1.rc bad3.rc && [ "$(cat bad1.rc)" = 1 ] &&
    grep -q 'malformed CSV: quote inside an unquoted field' bad1.err; then
	ok
else
	bad "bad CSV late in the file: -j 1: $(cat bad1.err) / -j 3: $(cat bad3.err)"
fi
# Validation keeps nothing per row: the fold is a column of the design (which
# spills with -S 1M) and the measures are sums and a fixed histogram, so the
# resident memory of --folds 5 and of --holdout at a million rows is that at
# a quarter million, within 4 MB (keeping a fold and a response and a
# prediction per row, 20 bytes, grew it by 11 MB).  Not under the
# sanitizers, whose shadow memory and quarantine grow with what is freed.
if [ -x /usr/bin/time ] && ! nm "$bin/pr-train" 2>/dev/null | grep -q __asan_init; then
	awk 'BEGIN { print "y,x,b"; for (i = 0; i < 1000000; i++)
		printf "%d,%d,%d\n", (i * 7919) % 1000, i % 977, ((i * 7919) % 1000 > 480 + i % 40) }' >big.csv
	head -n 250001 big.csv >small.csv
	for v in "--folds 5 -f y~x" "--holdout 0.3 --family logistic -f b~x"; do
		for n in small big; do
			# shellcheck disable=SC2086
			/usr/bin/time -f %M -o "$n.rss" pr-train -q -S 1M $v $n.csv >/dev/null 2>"$n.err" ||
				bad "$v $n.csv: $(cat "$n.err")"
		done
		grow=$(($(cat big.rss) - $(cat small.rss)))
		if [ "$grow" -lt 4096 ]; then ok; else
			bad "$v: resident memory grew by $grow KB from 250,000 rows to a million"; fi
	done
fi
if [ -z "$(ls spill)" ]; then ok; else bad "temporary files left in TMPDIR: $(ls spill)"; fi
TMPDIR="$tmp/none" pr-train -q -S 1M -f "$f" d.csv >/dev/null 2>e.txt
rc=$?
if [ $rc -eq 1 ] && [ "$(cat e.txt)" = "pr-train: $tmp/none: temporary file: write error: No such file or directory" ]; then
	ok
else
	bad "TMPDIR missing: exit $rc: $(cat e.txt)"
fi
echo "$passed passed, $failed failed"
