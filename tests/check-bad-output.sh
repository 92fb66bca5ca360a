#!/bin/sh
# tests/check-bad-output.sh - every program fails cleanly on a full disk
# (exit 1, one line naming stdout) and ends quietly on a closed pipe, with
# an output larger than any buffer.  Last line: "N passed, N failed".
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/$BUILD/bin"
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
# 50,000 rows of candidates and a linear model of price: enough output to fill any buffer
awk 'BEGIN { print "id,segment,price,cost"; for (i = 1; i <= 50000; i++) printf "%d,%s,%d.5,%d\n", i, (i % 2 ? "a" : "b"), 10 + i % 17, 5 }' >"$tmp/big.csv"
cat >"$tmp/model.json" <<'JSON'
{"format":"pr-model","version":1,"formula":"q ~ price","family":"linear","response":"q",
 "response_log":false,"price_column":"price","weight_column":null,"l2":0,
 "columns":[{"name":"price","kind":"numeric"}],"terms":["price"],
 "coefficient_names":["(Intercept)","price"],
 "coefficients":[{"term":"(Intercept)","estimate":100,"std_error":1},{"term":"price","estimate":-2,"std_error":0.1}],
 "covariance":[[1,0],[0,0.01]],"dispersion":1,"df_residual":100,
 "training":{"n":102,"rank":2,"df_residual":100,"df_null":101}}
JSON
check() { # name command...
	name=$1
	shift
	err=$("$@" 2>&1 >/dev/full)
	rc=$?
	if [ $rc -eq 1 ] && [ "$err" = "$name: stdout: write error: No space left on device" ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1)); echo "FAIL $name >/dev/full: exit $rc, stderr: $err"
	fi
	out=$("$@" 2>&1 | head -n 1)
	case $out in
	"$name:"*) failed=$((failed + 1)); echo "FAIL $name | head: $out" ;;
	*) passed=$((passed + 1)) ;;
	esac
}
check pr-clean "$bin/pr-clean" "$tmp/big.csv"
check pr-features "$bin/pr-features" --fit "$tmp/state.json" --zscore price "$tmp/big.csv"
check pr-score "$bin/pr-score" -m "$tmp/model.json" "$tmp/big.csv"
check pr-optimize "$bin/pr-optimize" -m "$tmp/model.json" --cost cost "$tmp/big.csv"
check pr-train "$bin/pr-train" --family linear -f 'cost ~ price + segment' "$tmp/big.csv"
"$bin/pr-optimize" -m "$tmp/model.json" --cost cost "$tmp/big.csv" >"$tmp/prices.csv"
check pr-report "$bin/pr-report" --by id "$tmp/prices.csv"
echo "$passed passed, $failed failed"
