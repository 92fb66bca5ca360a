#!/bin/sh
# tests/bench/bench-ope.sh - the larger run of tests/check-ope.sh: 1,000
# logged histories of 4,000 exposures each.  Bounds three binomial standard
# deviations from the nominal rates: at least 929 of 1,000 95% intervals
# hold the truth, at most 71 of 1,000 A/B tests of equal arms find a
# difference at the 5% level.  Prints the counts; takes a minute or two.
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
SEEDS=1000 ROWS=4000 MIN_COVER=929 MAX_FP=71 BUILD=$BUILD sh "$top/tests/check-ope.sh"
