#!/bin/sh
# tests/bench/bench-train.sh - the training benchmark: a known
# logistic model, N rows (default 1,000,000) x 20 numeric predictors (about
# 150 MB of CSV, and the same data in libsvm format), fitted by
#   pr-train --family logistic           (when built)
#   bench-fit logistic                   (csvio + fit_model: the fitting component)
#   scikit-learn LogisticRegression      (unpenalised, lbfgs; CSV read by pandas)
#   liblinear-train -s 0                 (-c 1e6: practically unpenalised, bias -B 1)
#   R glm(binomial)                      (CSV read by data.table::fread, else read.csv)
# Prints wall seconds and peak resident memory of each (/usr/bin/time -v),
# the ratios against the other programs, and the digits to which each
# program's coefficients agree with R's.  A benchmark, not a test: it
# always exits 0 unless the data cannot be generated.
# Usage: BUILD=build N=100000 sh tests/bench/bench-train.sh
set -u
BUILD=${BUILD:-build}
N=${N:-1000000}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/$BUILD/bin"
tbin="$top/$BUILD/tests"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

echo "bench-train: generating $N rows x 20 predictors in $tmp"
"$tbin/gen-logit" "$N" 20240301 "$tmp/d.csv" "$tmp/d.svm" || exit 1
echo "bench-train: CSV $(($(wc -c <"$tmp/d.csv") / 1048576)) MB, libsvm $(($(wc -c <"$tmp/d.svm") / 1048576)) MB"
formula="y ~ x1"
j=2
while [ $j -le 20 ]; do formula="$formula + x$j"; j=$((j + 1)); done

: >"$tmp/results"
# run NAME COMMAND...: time it; its stdout goes to $tmp/NAME.out
run() {
	name=$1
	shift
	/usr/bin/time -v -o "$tmp/$name.time" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
	secs=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tmp/$name.time" |
		awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
	kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/$name.time")
	cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$tmp/$name.time")
	printf '%-11s %8.2f s %8.2f s CPU %8d MB   exit %d\n' "$name" "$secs" "$cpu" "$((kb / 1024))" "$rc"
	[ "$rc" -ne 0 ] && sed 's/^/    /' "$tmp/$name.err" | head -n 5
	[ "$rc" -eq 0 ] && echo "$name $secs $kb $cpu" >>"$tmp/results"
}

cat >"$tmp/sk.py" <<'PY'
import sys
import pandas as pd
from sklearn.linear_model import LogisticRegression
d = pd.read_csv(sys.argv[1])
y = d.pop("y").to_numpy()
try:
    m = LogisticRegression(penalty=None, solver="lbfgs", max_iter=10000, tol=1e-10)
    m.fit(d.to_numpy(), y)
except (ValueError, TypeError):
    m = LogisticRegression(penalty="none", solver="lbfgs", max_iter=10000, tol=1e-10)
    m.fit(d.to_numpy(), y)
for v in [m.intercept_[0]] + list(m.coef_[0]):
    print(repr(float(v)))
PY
cat >"$tmp/r.R" <<'RS'
args <- commandArgs(TRUE)
d <- if (suppressMessages(requireNamespace("data.table", quietly = TRUE)))
	data.table::fread(args[1]) else read.csv(args[1])
ctl <- if (length(args) > 1) glm.control(epsilon = 1e-14, maxit = 100) else glm.control()
m <- glm(y ~ ., family = binomial, data = d, control = ctl)
writeLines(sprintf("%.17g", coef(m)))
RS

echo "bench-train: wall seconds, CPU seconds (user + system), peak RSS"
if [ -x "$bin/pr-train" ]; then
	run pr-train "$bin/pr-train" --family logistic -f "$formula" "$tmp/d.csv"
	run pr-train-j2 "$bin/pr-train" -j 2 --family logistic -f "$formula" "$tmp/d.csv"
	cmp -s "$tmp/pr-train.out" "$tmp/pr-train-j2.out" || echo "bench-train: -j 2 gives another table"
fi
run bench-fit "$tbin/bench-fit" logistic "$tmp/d.csv"
[ -f "$tmp/bench-fit.err" ] && sed 's/^/    /' "$tmp/bench-fit.err"
run sklearn /usr/bin/python3 "$tmp/sk.py" "$tmp/d.csv"
run liblinear liblinear-train -s 0 -c 1000000 -e 0.000001 -B 1 -q "$tmp/d.svm" "$tmp/ll.model"
run R Rscript "$tmp/r.R" "$tmp/d.csv"
# The reference for agreement: R's glm converged to the last digit (untimed;
# the timed run above keeps glm's default epsilon 1e-8).
Rscript "$tmp/r.R" "$tmp/d.csv" converged >"$tmp/Rref.coef" 2>/dev/null

# Coefficients, intercept first, one per line, in $tmp/NAME.coef.
[ -f "$tmp/pr-train.out" ] && awk -F, 'NR > 1 && $1 != "" { print $2 }' "$tmp/pr-train.out" >"$tmp/pr-train.coef"
[ -f "$tmp/bench-fit.out" ] && awk -F, 'NR > 1 { print $2 }' "$tmp/bench-fit.out" >"$tmp/bench-fit.coef"
cp "$tmp/sklearn.out" "$tmp/sklearn.coef" 2>/dev/null
cp "$tmp/R.out" "$tmp/R.coef" 2>/dev/null
if [ -f "$tmp/ll.model" ]; then
	# w holds x1..x20 then the bias; its sign follows the first label listed.
	awk '/^label/ { first = $2 } /^w$/ { inw = 1; next } inw { w[n++] = $1 }
	     END { s = first == 1 ? 1 : -1; print s * w[n - 1]; for (i = 0; i < n - 1; i++) print s * w[i] }' \
		"$tmp/ll.model" >"$tmp/liblinear.coef"
fi

echo "bench-train: agreement with R's glm (epsilon 1e-14) coefficients (significant digits, worst coefficient)"
for name in pr-train bench-fit sklearn liblinear R; do
	[ -s "$tmp/$name.coef" ] && [ -s "$tmp/Rref.coef" ] || continue
	paste "$tmp/$name.coef" "$tmp/Rref.coef" | awk -v name="$name" '
		{ e = ($1 - $2) / ($2 == 0 ? 1 : $2); if (e < 0) e = -e; if (e > m) m = e }
		END { d = 17; if (m > 0) d = -log(m) / log(10); printf "%-10s %5.1f digits (max rel diff %.2g)\n", name, d, m }'
done

# pr-train follows glm.fit step by step: with the defaults it is R's default
# glm (the timed R run), with --tol 1e-14 --max-iter 100 the converged one.
if [ -x "$bin/pr-train" ] && [ -s "$tmp/R.coef" ]; then
	"$bin/pr-train" --tol 1e-14 --max-iter 100 --family logistic -f "$formula" "$tmp/d.csv" 2>/dev/null |
		awk -F, 'NR > 1 { print $2 }' >"$tmp/pr-tight.coef"
	echo "bench-train: pr-train against R at the same settings (significant digits, worst coefficient)"
	for pair in "pr-train R default" "pr-tight Rref --tol 1e-14"; do
		set -- $pair
		[ -s "$tmp/$1.coef" ] && [ -s "$tmp/$2.coef" ] || continue
		paste "$tmp/$1.coef" "$tmp/$2.coef" | awk -v name="$1 vs $2" '
			{ e = ($1 - $2) / ($2 == 0 ? 1 : $2); if (e < 0) e = -e; if (e > m) m = e }
			END { d = 17; if (m > 0) d = -log(m) / log(10); printf "%-22s %5.1f digits (max rel diff %.2g)\n", name, d, m }'
	done
fi

echo "bench-train: targets (pr-train at least 3x faster than scikit-learn, peak memory <= 1/3 of sklearn; -j 2 at least 1.7x over -j 1)"
awk '{ t[$1] = $2; m[$1] = $3; c[$1] = $4 }
	END {
		best = ""; for (k in t) if (k !~ /^pr-train/ && k != "bench-fit" && (best == "" || t[k] < t[best])) best = k
		for (k in t) if (k ~ /^pr-train/ || k == "bench-fit")
			printf "%-11s speed-up over %s %.2fx, over sklearn %.2fx, memory %.2f of sklearn\n", k, best, t[best] / t[k], ("sklearn" in t) ? t["sklearn"] / t[k] : 0, ("sklearn" in m) ? m[k] / m["sklearn"] : 0
		if ("pr-train" in t && "pr-train-j2" in t)
			printf "pr-train -j 2 over -j 1: %.2fx (CPU: %.2f s and %.2f s)\n", t["pr-train"] / t["pr-train-j2"], c["pr-train"], c["pr-train-j2"]
	}' "$tmp/results"
exit 0
