#!/bin/sh
# tests/bench/bench-optimize.sh - pr-optimize on N rows (default 1,000,000)
# with a 20-term logistic model, continuous and with --ending .99, against
# pr-score on the same rows: wall time, ratio to pr-score, peak memory.
# The aim: at most 10x pr-score's time.  Usage: [N=rows] sh tests/bench/bench-optimize.sh
BUILD=${BUILD:-build}
N=${N:-1000000}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/$BUILD/bin"
gen="$top/$BUILD/tests/gen-market"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
"$gen" history 20000 5 >"$T/h.csv"
"$bin/pr-train" -q --family logistic -o "$T/m.json" \
	-f 'buy ~ item_id + poly(loyalty, 2) + sens + I(price/list_price) * segment + I(price/list_price):sens + segment:loyalty + I(price/list_price):loyalty' \
	"$T/h.csv" >"$T/coef.csv" || exit 1
echo "model: $(($(wc -l <"$T/coef.csv") - 1)) terms; $N candidate rows"
"$gen" candidates "$N" 5 >"$T/c.csv"
run() { # label command...
	label=$1
	shift
	/usr/bin/time -f "%e %M" -o "$T/time" "$@" "$T/c.csv" >/dev/null || { echo "$label: failed"; return 1; }
	read -r secs kb <"$T/time"
	echo "$label $secs $kb"
}
{
	if [ -x "$bin/pr-score" ]; then
		run pr-score "$bin/pr-score" -m "$T/m.json"
	else
		echo "pr-score - -"
	fi
	run pr-optimize "$bin/pr-optimize" -m "$T/m.json" --cost cost --min-price min_p --max-price max_p
	run pr-optimize-ending "$bin/pr-optimize" -m "$T/m.json" --cost cost --min-price min_p --max-price max_p --ending .99
	run pr-optimize-wide "$bin/pr-optimize" -m "$T/m.json" --cost cost --ending .99
} | awk '$1 == "pr-score" { base = $2 }
	{ printf "%-20s %8s s  %10s KiB peak", $1, $2, $3; if (base > 0 && $2 != "-") printf "  %5.2fx pr-score", $2 / base; printf "\n" }'
