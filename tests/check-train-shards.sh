#!/bin/sh
# tests/check-train-shards.sh - pr-train --map / --reduce: the fixture split
# into shards (one of them empty, one holding the only rows of a level),
# mapped and reduced round by round in a shell loop, gives the model of one
# run on the whole file (every number within 1e-12 relative, every other
# field equal), for the three families, with and without prior weights
# and categorical columns, and for a model of a log; every round's state
# is one --map --from and --reduce --from read, and the model is one
# pr-score reads, scoring as the one-run model does (to 1e-12); a part of the wrong round, of
# another formula or of another state is refused naming the part; options
# that disagree with the state are a usage error; with --by, each group's
# model is one run's too.
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
in="$top/testdata/train-shop.csv"
# shard 1: basic, 2: plus (and the header-only shard 0), 3: vip, the only vip rows
awk -F, 'NR == 1 { for (k = 0; k <= 3; k++) print > ("s" k ".csv"); next }
	{ print > ("s" ($2 == "basic" ? 1 : $2 == "plus" ? 2 : 3) ".csv") }' "$in"
shards="s1 s0 s2 s3"
# rounds FAMILY FORMULA [OPTION...]: map the shards ($shards, in order) and
# reduce their parts until the model; echo the rounds (on failure, the round
# and the command that refused); the last reduce's standard error in
# reduce.err (every reduce's in reduce.all), its state in prev.json
rounds() {
	fam=$1
	fml=$2
	shift 2
	parts=
	for s in $shards; do
		pr-train --map --family "$fam" -f "$fml" "$@" $s.csv >$s.part ||
			{ echo "round 0: --map $s.csv"; return 1; }
		parts="$parts $s.part"
	done
	# shellcheck disable=SC2086
	pr-train --reduce -o state.json $parts >word 2>reduce.err || { echo "round 0: --reduce"; return 1; }
	cp reduce.err reduce.all
	r=1
	while [ "$(cat word)" = state ]; do
		for s in $shards; do
			pr-train --map --from state.json $s.csv >$s.part ||
				{ echo "round $r: --map --from the state of --reduce ($s.csv)"; return 1; }
		done
		cp state.json prev.json
		# shellcheck disable=SC2086
		pr-train --reduce --from state.json -o next.json $parts >word 2>reduce.err ||
			{ echo "round $r: --reduce --from the state of --reduce: $(cat reduce.err)"; return 1; }
		cat reduce.err >>reduce.all
		mv next.json state.json
		r=$((r + 1))
		[ $r -gt 80 ] && return 1
	done
	mv state.json model.json
	echo $r
}
# agree A.json B.json: numbers within 1e-12 relative, the rest equal
agree() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
bad = []
def walk(x, y, path):
    if isinstance(x, dict) and isinstance(y, dict):
        if set(x) != set(y):
            bad.append(path + ": keys " + str(sorted(set(x) ^ set(y))))
        for k in set(x) & set(y):
            walk(x[k], y[k], path + "." + k)
    elif isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
        for i, (u, v) in enumerate(zip(x, y)):
            walk(u, v, "%s[%d]" % (path, i))
    elif isinstance(x, float) and isinstance(y, float):
        if abs(x - y) > 1e-12 * abs(y):
            bad.append("%s: %r %r" % (path, x, y))
    elif x != y:
        bad.append("%s: %r %r" % (path, x, y))
walk(a, b, "")
print("\n".join(bad[:5]))
sys.exit(1 if bad else 0)
PY
}
# scores A.csv B.csv: the same rows, every number within 1e-12 relative
scores() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import csv, sys
a, b = (list(csv.reader(open(f))) for f in sys.argv[1:3])
bad = [] if len(a) == len(b) and len(a) > 1 and a[0] == b[0] else ["the rows or header differ"]
for i, (x, y) in enumerate(zip(a[1:], b[1:])):
    for u, v in zip(x, y):
        try:
            if abs(float(u) - float(v)) > 1e-12 * abs(float(v)):
                bad.append("row %d: %s %s" % (i + 1, u, v))
        except ValueError:
            if u != v:
                bad.append("row %d: %s %s" % (i + 1, u, v))
print("\n".join(bad[:5]))
sys.exit(1 if bad else 0)
PY
}
for case in "logistic||bought ~ log(price) * segment + loyalty" \
    "logistic|qty|bought ~ log(price) + item" \
    "linear||revenue ~ log(price) + segment + loyalty" \
    "linear|qty|revenue ~ log(price) + C(item) + loyalty" \
    "linear||log(revenue) ~ log(price) + segment" \
    "poisson||qty ~ log(price) + segment" \
    "poisson|loyalty|qty ~ log(price) + item + loyalty"; do
	fam=${case%%|*}
	f=${case#*|}
	w=${f%%|*}
	f=${f#*|}
	set -- ${w:+--weight "$w"}
	what="$fam${w:+ weighted by $w}: $f"
	n=$(rounds "$fam" "$f" "$@") || { bad "$what: $n"; continue; }
	pr-train -q --family "$fam" -f "$f" "$@" -o one.json "$in" >/dev/null
	if out=$(agree model.json one.json); then ok; else bad "$what after $n rounds: $out"; fi
	if pr-score -m model.json --se "$in" >shards.csv && pr-score -m one.json --se "$in" >one.csv &&
	    out=$(scores shards.csv one.csv); then ok; else bad "$what: pr-score: $out"; fi
	[ "$n" -gt 2 ] && ok || bad "$what: $n rounds, more than two expected"
done
# --by: each group's fit on the shards that hold its rows (item: in every
# shard; segment: each in one), merged group by group; the model, pooled and
# groups, is one run's to 1e-12
for case in "logistic|item|bought ~ log(price) + loyalty" \
    "linear|segment|revenue ~ log(price) + loyalty" \
    "poisson|item|qty ~ log(price) + segment"; do
	fam=${case%%|*}
	f=${case#*|}
	by=${f%%|*}
	f=${f#*|}
	what="$fam --by $by: $f"
	n=$(rounds "$fam" "$f" --by "$by") || { bad "$what: $n"; continue; }
	pr-train -q --family "$fam" -f "$f" --by "$by" -o one.json "$in" >/dev/null
	if out=$(agree model.json one.json); then ok; else bad "$what after $n rounds: $out"; fi
	if pr-score -m model.json --se "$in" >shards.csv && pr-score -m one.json --se "$in" >one.csv &&
	    out=$(scores shards.csv one.csv); then ok; else bad "$what: pr-score: $out"; fi
done
# a group whose fit fails (it does not converge in --max-iter) is named by the
# last --reduce as one run names it, and left out of the model
cp s0.csv keep0.csv
cp s1.csv keep1.csv
cp s2.csv keep2.csv
cp s3.csv keep3.csv
awk -F, 'NR == 1 { print $0 ",grp"; next } { print $0 "," (NR <= 4 ? "tiny" : NR % 3 ? "x" : "y") }' "$in" >g.csv
awk -F, 'NR == 1 { for (k = 0; k <= 3; k++) print > ("s" k ".csv"); next }
	{ print > ("s" ($2 == "basic" ? 1 : $2 == "plus" ? 2 : 3) ".csv") }' g.csv
f="bought ~ log(price) + loyalty"
if n=$(rounds logistic "$f" --by grp --max-iter 8 2>/dev/null); then ok; else bad "--by grp --max-iter 8: $n"; fi
pr-train --family logistic --max-iter 8 --by grp -f "$f" -o one.json g.csv >/dev/null 2>one.err
pr-train --reduce --from prev.json -o last.json s1.part s0.part s2.part s3.part >/dev/null 2>last.err
if out=$(agree model.json one.json) && cmp -s last.json model.json; then ok; else
	bad "--by with a failed group: $out"; fi
if [ "$(sed 's/^pr-train: g.csv: /pr-train: /' one.err)" = "$(cat last.err)" ] &&
    grep -q '"tiny": scored with the pooled model' last.err && ! grep -q '"tiny"' model.json; then
	ok
else
	bad "--by with a failed group: the reduce said: $(cat last.err); one run: $(cat one.err)"
fi
pr-train --map --from prev.json --by item s1.csv >/dev/null 2>err.txt
if [ $? -eq 2 ] && [ "$(head -n 1 err.txt)" = "pr-train: --map: by \"item\" does not agree with the state prev.json (\"grp\")" ]; then
	ok
else
	bad "--map --by another column: $(cat err.txt)"
fi
for k in 0 1 2 3; do mv keep$k.csv s$k.csv; done
# the last state, a round-0 part, another formula, another state
rounds logistic "bought ~ log(price) + segment" >/dev/null
mv prev.json seg.json
pr-train --map --family logistic -f 'bought ~ log(price) + segment' s1.csv >r0.part
expect() { # WANT-STATUS WANT-STDERR COMMAND...
	want=$1
	msg=$2
	shift 2
	"$@" >/dev/null 2>err.txt
	rc=$?
	if [ $rc -eq "$want" ] && [ "$(cat err.txt)" = "$msg" ]; then ok; else
		bad "$*: exit $rc: $(cat err.txt) (expected $want: $msg)"; fi
}
jedit() { # IN OUT PYTHON-STATEMENT (on d, the document)
	/usr/bin/python3 -c "import json, sys
d = json.load(open(sys.argv[1]))
$3
json.dump(d, open(sys.argv[2], 'w'))" "$1" "$2"
}
round=$(sed -n 's/^ "round": \(.*\),$/\1/p' seg.json)
expect 1 "pr-train: r0.part: a part of round 0, not $round (the round of the state)" \
    pr-train --reduce --from seg.json -o x.json s1.part r0.part
pr-train --map --family logistic -f 'bought ~ log(price)' s2.csv >f2.part
expect 1 "pr-train: f2.part: formula or options differ from those of r0.part" \
    pr-train --reduce -o x.json r0.part f2.part
pr-train --map --from seg.json s1.csv >p1.part
rounds logistic "bought ~ log(price)" >/dev/null
pr-train --map --family logistic -f 'bought ~ log(price)' s1.csv >q0.part
pr-train --reduce -o other.json q0.part >/dev/null
expect 1 "pr-train: p1.part: a part of the formula \"bought ~ log(price) + segment\", not the state's \"bought ~ log(price)\"" \
    pr-train --reduce --from other.json -o x.json p1.part
pr-train --map --from other.json s1.csv >o1.part
# the first state of the same formula from two shards and from all four
pr-train --map --family logistic -f 'bought ~ log(price) + segment' s2.csv >r2.part
pr-train --reduce -o two.json r0.part r2.part >/dev/null
pr-train --map --family logistic -f 'bought ~ log(price) + segment' s3.csv >r3.part
pr-train --map --family logistic -f 'bought ~ log(price) + segment' s0.csv >rz.part
pr-train --reduce -o all.json r0.part rz.part r2.part r3.part >/dev/null
pr-train --map --from two.json s1.csv >a1.part
expect 1 "pr-train: a1.part: a part of another state ($(sed -n 's/.*"id": "\(.*\)".*/\1/p' two.json)), not all.json" \
    pr-train --reduce --from all.json -o x.json a1.part
expect 2 "pr-train: --map: family \"linear\" does not agree with the state seg.json (\"logistic\")
Try 'pr-train --help' for more information." pr-train --map --from seg.json --family linear s1.csv
# a shard where a column is text, another where it holds numbers only
printf 'bought,price,loyalty\n1,3,x\n0,4,y\n' >t1.csv
printf 'bought,price,loyalty\n1,3,2\n0,4,5\n' >t2.csv
pr-train --map --family logistic -f 'bought ~ price + loyalty' t1.csv >t1.part
pr-train --map --family logistic -f 'bought ~ price + loyalty' t2.csv >t2.part
expect 1 "pr-train: t1.part: column \"loyalty\": text in a column that holds only numbers in t2.part: give it one type in every shard (C(loyalty) in the formula makes it categorical): \"x\"" \
    pr-train --reduce -o x.json t1.part t2.part
# every shard empty
pr-train --map --family logistic -f 'bought ~ price' s0.csv >e.part
expect 1 "pr-train: e.part: no rows to fit: every shard is empty" pr-train --reduce -o x.json e.part
# a shard whose level the state lacks
printf 'item,segment,price,list_price,loyalty,bought,qty,revenue\nA,gold,18,20,3,1,1,18\n' >g.csv
expect 1 "pr-train: g.csv: column \"segment\": a level that is not in the state seg.json: \"gold\"" \
    pr-train --map --from seg.json g.csv
# a term that learns from all the rows
expect 1 "pr-train: --map: a term that learns from all the rows at once (knots, polynomial coefficients) cannot be fitted on shards: \"poly(price, 2)\"" \
    pr-train --map -f 'revenue ~ poly(price, 2)' s1.csv
# Validation on shards.  A row's fold is a hash of its own values, so each
# round's map passes every fit not done over its shard (the model's, with a
# holdout's rows weighted 0, and with --folds each fold's), and once the fits
# that predict are done a last round merges the shards' measures.  Over 1,
# 2 and 3 shards (cut by row: every segment in each) the model, with its
# training.validation, is one run's to 1e-12, and the last --reduce says the
# measures as one run says them.
awk 'NR == 1 { for (k = 0; k < 6; k++) print > ("w" k ".csv"); next }
	{ print > ("w" (NR % 2) ".csv"); print > ("w" (2 + NR % 3) ".csv") }' "$in"
cp "$in" w5.csv
for case in "logistic|--folds 5 --seed 8|bought ~ log(price) * segment + loyalty" \
    "logistic|--holdout 0.3 --seed 2|bought ~ log(price) + loyalty" \
    "linear|--holdout 0.25|revenue ~ log(price) + segment + loyalty" \
    "linear|--folds 4 --seed 3 --weight qty|revenue ~ log(price) + C(item)" \
    "poisson|--folds 3|qty ~ log(price) + segment" \
    "poisson|--holdout 0.4 --seed 9|qty ~ log(price) + loyalty"; do
	fam=${case%%|*}
	f=${case#*|}
	v=${f%%|*}
	f=${f#*|}
	# shellcheck disable=SC2086
	pr-train --family "$fam" -f "$f" $v -o one.json "$in" >/dev/null 2>one.err
	for shards in w5 "w0 w1" "w3 w2 w4"; do
		what="$fam $v over $shards: $f"
		# shellcheck disable=SC2086
		n=$(rounds "$fam" "$f" $v) || { bad "$what: $n"; continue; }
		if out=$(agree model.json one.json) && grep -q '"validation"' model.json; then ok; else
			bad "$what after $n rounds: $out"; fi
		if cmp -s reduce.err one.err && [ -s one.err ]; then ok; else
			bad "$what: the last --reduce said: $(cat reduce.err); one run: $(cat one.err)"; fi
	done
done
# --by with validation: each group's fits and measures beside the pooled
# ones, merged from the shards that hold the group; the model is one run's,
# and the reduces say, pooled and groups, what one run says, in its order
# (a group whose fold does not converge: its fold named, its rows scored
# with the pooled model)
awk -F, 'NR == 1 { print $0 ",grp"; next } { print $0 "," (NR <= 4 ? "tiny" : NR % 3 ? "x" : "y") }' \
    "$in" >wg.csv
awk -F, 'NR == 1 { for (k = 6; k < 9; k++) print > ("w" k ".csv"); next } { print > ("w" (6 + NR % 3) ".csv") }' \
    wg.csv
for case in "logistic|--by item --folds 3 --seed 8|bought ~ log(price) + loyalty" \
    "linear|--by segment --holdout 0.3|revenue ~ log(price) + loyalty" \
    "poisson|--by item --folds 4|qty ~ log(price) + segment" \
    "logistic|--by grp --folds 3 --max-iter 8|bought ~ log(price) + loyalty" \
    "logistic|--by grp --holdout 0.5 --max-iter 8|bought ~ log(price) + loyalty"; do
	fam=${case%%|*}
	f=${case#*|}
	v=${f%%|*}
	f=${f#*|}
	shards="w6 w7 w8"
	# shellcheck disable=SC2086
	pr-train --family "$fam" -f "$f" $v -o one.json wg.csv >/dev/null 2>one.err
	what="$fam $v: $f"
	# shellcheck disable=SC2086
	n=$(rounds "$fam" "$f" $v) || { bad "$what: $n"; continue; }
	if out=$(agree model.json one.json) && grep -q '"validation"' model.json; then ok; else
		bad "$what after $n rounds: $out"; fi
	if [ "$(sed 's/^pr-train: wg.csv: /pr-train: /' one.err)" = "$(cat reduce.all)" ]; then ok; else
		bad "$what: the reduces said: $(cat reduce.all); one run: $(cat one.err)"; fi
done
if grep -q '"tiny": fold 1: the fit did not converge' reduce.all 2>/dev/null ||
    grep -q '"tiny": fit without the holdout 1:' reduce.all; then ok; else
	bad "--by grp: no failed fold named: $(cat reduce.all)"; fi
# a group's entry of a part without its statistics, or its folds'
for s in w6 w7 w8; do
	pr-train --map --family logistic --by item --folds 3 -f 'bought ~ price' $s.csv >$s.part
done
pr-train --reduce -o gv.json w6.part w7.part w8.part >/dev/null
for s in w6 w7 w8; do pr-train --map --from gv.json $s.csv >$s.part; done
jedit w7.part w7bad.part 'del d["groups"][0]["stats"]'
expect 1 "pr-train: w7bad.part: statistics that do not fit the state gv.json" \
    pr-train --reduce --from gv.json -o x.json w6.part w7bad.part w8.part
jedit w7.part w7bad.part 'del d["groups"][0]["folds"]'
expect 1 "pr-train: w7bad.part: a part without the statistics of the state gv.json's folds" \
    pr-train --reduce --from gv.json -o x.json w6.part w7bad.part w8.part
# a pooled fold that fails fails the run, naming the fold one run names
shards="w0 w1"
if ! rounds logistic 'bought ~ log(price) + loyalty' --folds 3 --max-iter 2 >/dev/null &&
    [ "$(cat reduce.err)" = "pr-train: state.json: fold 1: the fit did not converge in 2 iterations (use --l2 to regularise)" ]
then ok; else bad "a pooled fold that fails: $(cat reduce.err)"; fi
if ! rounds logistic 'bought ~ log(price) + loyalty' --holdout 0.3 --max-iter 2 >/dev/null &&
    [ "$(cat reduce.err)" = "pr-train: state.json: fit without the holdout 1: the fit did not converge in 2 iterations (use --l2 to regularise)" ]
then ok; else bad "a holdout's fit that fails: $(cat reduce.err)"; fi
# the same rows in another order and on 3 threads: the same split, the same measures
{ head -n 1 "$in"; tail -n +2 "$in" | sort -r; } >rev.csv
pr-train -j 3 --family logistic --folds 5 --seed 8 -f 'bought ~ log(price) * segment + loyalty' \
    -o rev.json rev.csv >/dev/null 2>rev.err
pr-train --family logistic --folds 5 --seed 8 -f 'bought ~ log(price) * segment + loyalty' \
    -o one.json "$in" >/dev/null 2>one.err
if out=$(agree rev.json one.json) && cmp -s rev.err one.err; then ok; else
	bad "--folds on the rows in reverse: $out $(cat rev.err)"; fi
# options that disagree, --by with validation, and hostile states and parts
shards="w0 w1"
rounds linear 'revenue ~ log(price) + segment' --folds 3 >/dev/null
pr-train --map --family linear -f 'revenue ~ log(price) + segment' --folds 3 w0.csv >v0.part
pr-train --map --family linear -f 'revenue ~ log(price) + segment' --folds 3 w1.csv >v1.part
pr-train --reduce -o vs.json v0.part v1.part >/dev/null
expect 2 "pr-train: --map: folds 4 does not agree with the state vs.json (3)
Try 'pr-train --help' for more information." pr-train --map --from vs.json --folds 4 w0.csv
jedit vs.json bad1.json 'd["folds"] = d["folds"][:2]'
expect 1 "pr-train: bad1.json: the state's validation fits do not fit the formula" \
    pr-train --map --from bad1.json w0.csv
jedit vs.json bad2.json 'd["options"]["folds"] = 1001'
expect 1 "pr-train: bad2.json: the state's folds is not a whole number from 2 to 1000" \
    pr-train --map --from bad2.json w0.csv
jedit vs.json bad3.json 'd["options"]["holdout"] = 0.5'
expect 1 "pr-train: bad3.json: the state has both holdout and folds" \
    pr-train --map --from bad3.json w0.csv
jedit vs.json bad5.json 'del d["options"]["folds"]; d["options"]["holdout"] = 1; del d["folds"]'
expect 1 "pr-train: bad5.json: the state's holdout is not a fraction between 0 and 1" \
    pr-train --map --from bad5.json w0.csv
jedit vs.json bad4.json 'del d["options"]["seed"]'
expect 1 "pr-train: bad4.json: the state's seed is not a whole number from 0 to 4294967295 with holdout or folds (and absent without)" \
    pr-train --reduce --from bad4.json -o x.json v0.part
pr-train --map --from vs.json w0.csv >m0.part
pr-train --map --from vs.json w1.csv >m1.part
jedit m1.part m1bad.part 'd["folds"][1] = None'
expect 1 "pr-train: m1bad.part: statistics that do not fit the state vs.json" \
    pr-train --reduce --from vs.json -o x.json m0.part m1bad.part
jedit m1.part m1bad.part 'del d["folds"]'
expect 1 "pr-train: m1bad.part: a part without the statistics of the state vs.json's folds" \
    pr-train --reduce --from vs.json -o x.json m0.part m1bad.part
# the round of the measures: a part's measures that do not add up
rounds linear 'revenue ~ log(price) + segment' --holdout 0.3 >/dev/null
for s in w0 w1; do pr-train --map --from prev.json $s.csv >$s.part; done
if grep -q '"validation"' w1.part; then ok; else bad "the last round's part has no measures"; fi
jedit w1.part w1bad.part 'd["validation"]["n"] = -1'
expect 1 "pr-train: w1bad.part: validation measures that do not fit the state prev.json" \
    pr-train --reduce --from prev.json -o x.json w0.part w1bad.part
jedit w1.part w1bad.part 'd["validation"]["sse"] = ["x"]'
expect 1 "pr-train: w1bad.part: validation measures that do not fit the state prev.json" \
    pr-train --reduce --from prev.json -o x.json w0.part w1bad.part
echo "$passed passed, $failed failed"
