#!/bin/sh
# tests/bench/bench-formula.sh - the cost of the formula language's bending
# terms at size: N rows (default 200,000).
#  1. pr-optimize on a model with a reference-price kink
#     (testdata/optimize-kink-model.json: every row's kink is found and
#     tried), against pr-score on the same rows and model in the same run.
#  2. pr-score of a model with ns(), bs() and poly() terms (trained on
#     MASS::Boston, testdata/formula-boston.csv), against R's predict() of
#     the same fit on the same rows, in the same run.
# A benchmark, not a test: exits 0 unless the programs are missing.
# Usage: BUILD=build N=200000 sh tests/bench/bench-formula.sh
set -u
BUILD=${BUILD:-build}
N=${N:-200000}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/$BUILD/bin"
td="$top/testdata"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
[ -x "$bin/pr-optimize" ] || { echo "bench-formula: build first (make)"; exit 1; }

# run LABEL CMD...: wall seconds of one run
run() {
	label=$1
	shift
	/usr/bin/time -f "%e" -o "$tmp/time" "$@" >"$tmp/out" 2>"$tmp/err" ||
		{ echo "bench-formula: $label failed: $(tail -n 1 "$tmp/err")"; return 1; }
	read -r secs <"$tmp/time"
	printf '  %-34s %8.2f s\n' "$label" "$secs"
	eval "t_$2=$secs" 2>/dev/null || true
}

awk -v n="$N" 'BEGIN { print "id,price,ref,cost"; for (i = 0; i < n; i++)
	printf "r%d,%.2f,%d,%.2f\n", i, 5 + (i * 37 % 1000) / 40, 8 + i % 13, 2 + (i * 7 % 100) / 50 }' >"$tmp/c.csv"
echo "bench-formula: $N rows"
run "pr-score (kink model)" "$bin/pr-score" -m "$td/optimize-kink-model.json" "$tmp/c.csv"
s1=$(cat "$tmp/time")
run "pr-optimize (kink model)" "$bin/pr-optimize" -m "$td/optimize-kink-model.json" --cost cost "$tmp/c.csv"
o1=$(cat "$tmp/time")
awk -v a="$o1" -v b="$s1" 'BEGIN { if (b > 0) printf "  pr-optimize / pr-score: %.1fx\n", a / b }'

"$bin/pr-train" -q -o "$tmp/m.json" \
	-f 'medv ~ ns(lstat, df = 4) + bs(rm, df = 5) + poly(dis, 3) + pmax(crim, 1)' "$td/formula-boston.csv" >/dev/null
awk -v n="$N" 'BEGIN { print "lstat,rm,dis,crim"; for (i = 0; i < n; i++)
	printf "%.2f,%.3f,%.4f,%.4f\n", 2 + (i * 13 % 3500) / 100, 3.6 + (i * 17 % 520) / 100, 1.2 + (i * 11 % 1100) / 100, (i % 500) / 10 }' >"$tmp/b.csv"
run "pr-score (ns + bs + poly)" "$bin/pr-score" -m "$tmp/m.json" "$tmp/b.csv"
s2=$(cat "$tmp/time")
if command -v Rscript >/dev/null 2>&1; then
	cat >"$tmp/p.R" <<RS
suppressWarnings({
library(splines)
b <- read.csv("$td/formula-boston.csv")
fit <- lm(medv ~ ns(lstat, df = 4) + bs(rm, df = 5) + poly(dis, 3) + pmax(crim, 1), b)
t0 <- proc.time()
d <- read.csv("$tmp/b.csv")
d\$pred <- predict(fit, d)
write.csv(d, "$tmp/r.csv", row.names = FALSE)
})
RS
	run "R read.csv + predict + write.csv" Rscript "$tmp/p.R"
	r2=$(cat "$tmp/time")
	awk -v a="$s2" -v b="$r2" 'BEGIN { if (b > 0) printf "  pr-score / R: %.2fx\n", a / b }'
fi
exit 0
