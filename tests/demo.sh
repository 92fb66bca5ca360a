#!/bin/sh
# tests/demo.sh - the whole pricing job on the bundled sample shop
# (testdata/shop-*.csv, drawn by tests/gen-shop.c from a known purchase
# model).  Run by `make demo`; writes its files to demo-out/.
set -eu
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
PATH="$top/$BUILD/bin:$PATH"
out="$top/demo-out"
mkdir -p "$out"
cd "$top/testdata"

echo "== 1. pr-clean: the raw export of past offers -> a file the pipe can trust"
pr-clean -v --rejects "$out/rejects.csv" shop-history-raw.csv >"$out/history.csv"
echo "   cleaned history: $out/history.csv; rejected rows: $out/rejects.csv"
