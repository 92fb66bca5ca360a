#!/bin/sh
# tests/check-train-scale.sh - pr-train past one block of rows: the model is
# the same, byte for byte, for --jobs 1, 2 and 3 (blocks merged in block
# order whatever the scheduling); a store and design that spill to the
# temporary file give the same model (and --fitted values) as ones held in
# memory; a temporary
# directory that cannot be written fails the run with its name.
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
if [ -z "$(ls spill)" ]; then ok; else bad "temporary files left in TMPDIR: $(ls spill)"; fi
TMPDIR="$tmp/none" pr-train -q -S 1M -f "$f" d.csv >/dev/null 2>e.txt
rc=$?
if [ $rc -eq 1 ] && [ "$(cat e.txt)" = "pr-train: $tmp/none: temporary file: write error: No such file or directory" ]; then
	ok
else
	bad "TMPDIR missing: exit $rc: $(cat e.txt)"
fi
echo "$passed passed, $failed failed"
