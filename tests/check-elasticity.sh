#!/bin/sh
# tests/check-elasticity.sh - pr-report's price elasticities by group and
# their 95% intervals against R (testdata/elast-ref.R -> elast-ref.txt):
# a logistic model with a price x segment interaction, fitted by pr-train to
# elast-train.csv, and the prices pr-optimize chose for elast-cands.csv
# (elast-opt.csv).  R fits the same model with glm, takes the gradient of
# each segment's elasticity by central differences and the delta method
# with vcov(); pr-report's closed form must agree to 1e-6 (the differences'
# own error is about 1e-9).  Last line: "N passed, N failed".
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

if [ ! -x "$bin/pr-report" ] || [ ! -x "$bin/pr-train" ]; then
	echo "check-elasticity: pr-report or pr-train not built"
	echo "0 passed, 1 failed"
	exit 0
fi
"$bin/pr-train" -q --family logistic -f 'bought ~ price * segment' -o "$scratch/model.json" \
	"$data/elast-train.csv" >/dev/null
"$bin/pr-report" -f csv --by segment -m "$scratch/model.json" "$data/elast-opt.csv" \
	>"$scratch/report.csv"
# elasticity,GROUP,KEY,VALUE -> GROUP AT FIGURE VALUE
awk -F, '$1 == "elasticity" && $3 ~ /_(today|chosen)$/ {
	n = split($3, k, "_"); print $2, k[n], k[1], $4 }' "$scratch/report.csv" >"$scratch/got"
awk 'NR > 1 { print $1, $2, "elasticity", $3; print $1, $2, "se", $4;
	print $1, $2, "lower", $5; print $1, $2, "upper", $6 }' "$data/elast-ref.txt" >"$scratch/want"
n=0
while read -r g at what want; do
	got=$(awk -v g="$g" -v a="$at" -v w="$what" '$1 == g && $2 == a && $3 == w { print $4 }' \
		"$scratch/got")
	n=$((n + 1))
	if [ -n "$got" ] && awk -v x="$got" -v y="$want" 'BEGIN {
		d = x - y; if (d < 0) d = -d; m = y < 0 ? -y : y; exit !(d <= 1e-6 * m) }'; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL check-elasticity: $g, $at prices, $what: got ${got:-nothing}, R says $want"
	fi
done <"$scratch/want"
[ $n -eq 24 ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL check-elasticity: $n figures in elast-ref.txt, want 24"; }
echo "$passed passed, $failed failed"
