#!/bin/sh
# tests/check-shrink.sh - proof that partial pooling pays on a market of
# many items with few rows each: on 400 items x 40 sales rows
# (tests/gen-items.c, seeds 1-3), the prices chosen with the per-item models
# shrunk toward the pooled one (pr-train --by item --shrink) earn more true
# expected profit than those of the pooled model and of the unshrunk
# per-item models (tests/bench/bench-shrink.sh does the pricing and the
# valuing).  Last line: "N passed, N failed".
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(BUILD=$BUILD ITEMS=400 ROWS=40 SEEDS="1 2 3" sh "$top/tests/bench/bench-shrink.sh") || {
	echo "FAIL shrink: the benchmark did not run"
	echo "0 passed, 1 failed"
	exit 1
}
printf '%s\n' "$out" | awk 'NR > 2 {
	sub(/%/, "", $4); sub(/%/, "", $5); sub(/%/, "", $6)
	if ($6 + 0 > $4 + 0) passed++; else { failed++; print "FAIL shrink: seed " $1 ": shrunk " $6 "% <= pooled " $4 "%" }
	if ($6 + 0 > $5 + 0) passed++; else { failed++; print "FAIL shrink: seed " $1 ": shrunk " $6 "% <= per-item " $5 "%" }
}
END { printf "%d passed, %d failed\n", passed, failed; exit failed > 0 }'
