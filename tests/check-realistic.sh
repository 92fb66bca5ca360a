#!/bin/sh
# tests/check-realistic.sh - profit on realistic demand: a market whose
# customers differ in hidden ways that show only in their history, who judge
# a price against the item's recent prices (losses weigh more than gains)
# and who answer a coupon beyond its price cut (tests/gen-realistic.c).  The
# pipe of tests/realistic-pipe.sh must earn at least 97% of the best policy
# achievable from what can be observed, with and without the coupon, and
# more than today's prices and than the pipe without point-in-time features
# and kinked price terms.  A smaller market than tests/bench/
# bench-realistic.sh, so that it runs in seconds.  Last line: "N passed, N failed".
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/$BUILD/bin"
gen="$top/$BUILD/tests/gen-realistic"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
. "$top/tests/realistic-pipe.sh"
passed=0
failed=0
check() { # name condition-result(0/1)
	if [ "$2" = 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL realistic: $1"; fi
}
share() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", a / b }'; }
at_least() { awk -v a="$1" -v b="$2" 'BEGIN { print (a >= b) ? 1 : 0 }'; }

seed=3
n=500
"$gen" history $seed $n >"$T/h.csv" && "$gen" candidates $seed $n >"$T/c.csv" &&
	"$gen" offers >"$T/o.csv" && "$gen" best $seed $n >"$T/best.csv" || {
	check "the market was drawn" 0
	echo "$passed passed, $failed failed"
	exit 1
}
best=$(awk -F, '$1 == "observable_best" { print $2 }' "$T/best.csv")
best_o=$(awk -F, '$1 == "observable_best_offers" { print $2 }' "$T/best.csv")
today=$(awk -F, '$1 == "today" { print $2 }' "$T/best.csv")
if realistic_basic "$T"; then
	basic=$("$gen" value $seed opt_price "" $n <"$T/p.csv")
	basic_o=$("$gen" value $seed opt_price offer_id $n <"$T/po.csv")
else
	basic=0 basic_o=0
fi
if realistic_full "$T"; then
	check "the pipe ran" 1
	got=$("$gen" value $seed opt_price "" $n <"$T/p.csv")
	got_o=$("$gen" value $seed opt_price offer_id $n <"$T/po.csv")
	echo "# realistic market, $n customers: share of the observable best $(share "$got" "$best")," \
		"with the coupon $(share "$got_o" "$best_o"); without the new features" \
		"$(share "$basic" "$best"), $(share "$basic_o" "$best_o"); today $(share "$today" "$best")"
	check ">= 97% of the observable best without offers" "$(at_least "$got" "$(awk -v b="$best" 'BEGIN { print 0.97 * b }')")"
	check ">= 97% of the observable best with the coupon" "$(at_least "$got_o" "$(awk -v b="$best_o" 'BEGIN { print 0.97 * b }')")"
	check "beats today's prices" "$(at_least "$got" "$today")"
	check "beats the pipe without the new features" "$(at_least "$got" "$basic")"
	check "beats it with the coupon too" "$(at_least "$got_o" "$basic_o")"
else
	check "the pipe ran" 0
fi
echo "$passed passed, $failed failed"
