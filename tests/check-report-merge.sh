#!/bin/sh
# tests/check-report-merge.sh - pr-report --map on the shards of an input
# and --reduce of the parts give the bytes of the report of the whole
# input, in every format: each fixture and set of options is split into 1,
# 2 and 3 shards (the middle one of three empty: a header only), each
# shard with the header, as `parallel --pipe --header :` splits it; the
# parts are merged in order.  The fixtures cover groups, rules, offers,
# paid prices, shadow prices, the audit, scores under --label, curves with
# a model, elasticities by group with their intervals, ties in the lists of largest changes, rejected rows, a run of
# more than 50 rows and one of fewer.  Last line: "N passed, N failed".
BUILD=${BUILD:-build}
LC_ALL=C
export LC_ALL
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/$BUILD/bin"
data="$top/testdata"
passed=0
failed=0
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT INT TERM

if [ ! -x "$bin/pr-report" ]; then
	echo "check-report-merge: pr-report not built"
	echo "0 passed, 1 failed"
	exit 0
fi

# A run of 137 rows in 7 groups: changes that tie, flagged rows, rules, offers
# and paid prices, with figures whose sums round (0.1-steps, thirds).
awk 'BEGIN {
	print "id,region,segment,price,opt_price,exp_demand,exp_revenue,exp_profit," \
	    "base_demand,base_revenue,base_profit,binding,status,offer_id,paid_price,shadow_price"
	split("north,south,east,west,10,2,centre", g, ",")
	split("young,old,mid", s, ",")
	split("none,max_change,ladder,min_margin", b, ",")
	for (i = 1; i <= 137; i++) {
		p = 5 + (i * 37 % 23) / 3
		o = p * (1 + ((i * 11 % 9) - 4) / 20)
		bd = 10 / (1 + i % 5) + 1 / 3
		ed = bd * (1 - (o - p) / p)
		paid = (i % 4 == 0) ? o * 0.9 : o
		printf "r%03d,%s,%s,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%s,%s,%s,%.17g,%s\n",
		    i, g[1 + i % 7], s[1 + i % 3], p, o, ed, paid * ed, (paid - 4) * ed,
		    bd, p * bd, (p - 4) * bd, b[1 + i % 4], (i % 13 == 0) ? "at_bound" : "ok",
		    (i % 4 == 0) ? "c10" : "", paid, (i % 6 == 0) ? (i % 17) / 7 : ""
	}
}' >"$scratch/run.csv"

# split FILE N: shards FILE.1 .. FILE.N of its data lines, each with the header
# (three shards: the first third, an empty one, the rest)
split_input() {
	f=$1
	n=$2
	rows=$(($(wc -l <"$f") - 1))
	head -n 1 "$f" >"$f.h"
	case $n in
	1) cp "$f" "$f.1" ;;
	2) h=$((rows / 2))
	   { cat "$f.h"; sed -n "2,$((h + 1))p" "$f"; } >"$f.1"
	   { cat "$f.h"; sed -n "$((h + 2)),\$p" "$f"; } >"$f.2" ;;
	3) h=$((rows / 3))
	   { cat "$f.h"; sed -n "2,$((h + 1))p" "$f"; } >"$f.1"
	   cp "$f.h" "$f.2"
	   { cat "$f.h"; sed -n "$((h + 2)),\$p" "$f"; } >"$f.3" ;;
	esac
}

# check NAME FILE [OPTION]...: the whole input's report against the merged parts'
check() {
	name=$1
	file=$2
	shift 2
	cp "$file" "$scratch/in.csv"
	for n in 1 2 3; do
		split_input "$scratch/in.csv" $n
		parts=""
		i=1
		ok=1
		while [ $i -le $n ]; do
			"$bin/pr-report" -q --map "$@" <"$scratch/in.csv.$i" >"$scratch/part.$i" ||
				{ echo "FAIL check-report-merge: $name: --map of shard $i of $n failed"; ok=0; }
			parts="$parts $scratch/part.$i"
			i=$((i + 1))
		done
		for fmt in text md html csv json; do
			"$bin/pr-report" -q -f $fmt "$@" <"$scratch/in.csv" >"$scratch/whole" 2>&1
			# shellcheck disable=SC2086
			"$bin/pr-report" --reduce -f $fmt $model_opt $parts >"$scratch/merged" 2>&1
			if cmp -s "$scratch/whole" "$scratch/merged" && [ $ok -eq 1 ]; then
				passed=$((passed + 1))
			else
				failed=$((failed + 1))
				echo "FAIL check-report-merge: $name, $n shards, -f $fmt: merged parts differ from the whole input"
				diff "$scratch/whole" "$scratch/merged" | head -n 10
			fi
		done
	done
}

model_opt=""
check "by group" "$data/report-opt.csv" --by region
check "no options" "$data/report-opt.csv"
check "run of 137 rows" "$scratch/run.csv" --by region --id id --top 7
check "137 rows, audit" "$scratch/run.csv" --audit segment --top 3 --bin-width 0.1 --bin-range 0.3
check "shadow prices" "$data/report-cap.csv" --by region --top 2
check "paid prices, audit" "$data/report-ounce.csv" --audit segment
check "scores" "$data/report-scored.csv" --label bought --pred p_buy
check "prices and scores" "$data/report-both.csv" --by region --label bought
check "rejected rows" "$data/report-bad.csv" --by region
check "numeric groups" "$scratch/run.csv" --by region --top 0
model_opt="-m $data/report-model.json"
check "curves by group" "$data/report-opt.csv" -m "$data/report-model.json" --curves 2 --by region
check "curves by line" "$data/report-opt.csv" -m "$data/report-model.json" --curves 3
check "curves, one group" "$data/report-opt.csv" -m "$data/report-model.json" --curves 1 --by region
"$bin/pr-train" -q --family logistic -f 'bought ~ price * segment' -o "$scratch/elast.json" \
	"$data/elast-train.csv" >/dev/null
model_opt="-m $scratch/elast.json"
check "elasticities by group" "$data/elast-opt.csv" -m "$scratch/elast.json" --by segment --top 2

echo "$passed passed, $failed failed"
