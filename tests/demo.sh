#!/bin/sh
# tests/demo.sh - the whole pricing job on the bundled sample shop
# (testdata/shop-*.csv, drawn by tests/gen-shop.c from a known purchase
# model: price sensitivity -3.0 new, -2.2 regular, -1.5 vip, on
# log(price/list_price)).  Run by `make demo`; writes its files to demo-out/.
set -eu
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
PATH="$top/$BUILD/bin:$PATH"
out="$top/demo-out"
mkdir -p "$out"
cd "$top/testdata"

echo "== 1. pr-clean: the raw export of past offers -> a file the pipe can trust"
pr-clean -v --text segment,item_name --num price,list_price,cost,discount,loyalty \
	--bool bought --date date --dedupe-key order_id --rejects "$out/rejects.csv" \
	shop-history-raw.csv >"$out/history.csv"

echo "== 2. pr-features: customer history and reference prices, fitted once"
pr-features --fit "$out/features.json" --history "$out/history.csv" --key customer_id \
	--agg count,mean:price,recency --ref-price item_id=price --window 60 --asof-col date \
	"$out/history.csv" >"$out/train.csv"
awk -F, 'NR == 1 || $12 == 1' "$out/history.csv" >"$out/purchases.csv"
pr-features --recommend 3 --user customer_id --item item_id "$out/purchases.csv" >"$out/recommend.csv"
echo "   $(($(wc -l <"$out/recommend.csv") - 1)) recommendations in $out/recommend.csv"

echo "== 3. pr-train: purchase probability, with a price elasticity per segment"
pr-train -v --family logistic \
	-f 'bought ~ log(price/list_price) * segment + loyalty + discount + log(hist_count + 1)' \
	--folds 5 --seed 1 -o "$out/model.json" "$out/train.csv" >"$out/coefficients.csv"
cat "$out/coefficients.csv"

echo "== 4. pr-features --apply and pr-score: tomorrow's candidates"
pr-features --apply "$out/features.json" shop-candidates.csv >"$out/candidates.csv"
pr-score -m "$out/model.json" --se --elasticity "$out/candidates.csv" >"$out/scored.csv"
echo "   scored with p_buy, p_buy_se and elasticity: $out/scored.csv"

echo "== 5. pr-optimize: the most profitable price or coupon for each customer x item"
pr-optimize -m "$out/model.json" --cost cost --max-change 0.3 --min-margin 0.2 --ending .99 \
	--offers shop-offers.csv --promo-col discount "$out/candidates.csv" >"$out/prices.csv"

echo "== 6. pr-report: the run as a pricing manager reads it"
pr-report --by segment --top 3 "$out/prices.csv"
pr-report -m "$out/model.json" --curves 3 --by segment -f html -o "$out/report.html" "$out/prices.csv"
pr-report -f json -o "$out/summary.json" "$out/prices.csv"
pr-report --baseline "$out/summary.json" --max-drop 0.01 "$out/prices.csv" >/dev/null &&
	echo "   CI gate against $out/summary.json: expected profit held"
echo
echo "Files: $out (report with charts: $out/report.html)"
