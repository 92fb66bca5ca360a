#!/bin/sh
# tests/fuzz/run.sh - build the libFuzzer targets with clang and run each in
# turn (one at a time, in one process: the machine is shared).
# Usage: sh tests/fuzz/run.sh [SECONDS [TARGET...]]   (default 60 s, all)
# Needs clang (apt-get install clang); not part of make check.  Builds in
# build-fuzz/ (BUILD=... to change); new crashes land in build-fuzz/crashes/.
set -eu
secs=${1:-60}
[ $# -gt 0 ] && shift
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-build-fuzz}
cd "$top"
targets=${*:-csvio num date formula model offers cleannum features cf featparts reportparts trainparts}
CC=${CC:-clang}
flags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -std=c11 -D_GNU_SOURCE -iquote common"
pkg=$(pkg-config --cflags --libs gsl jansson libsodium)
mkdir -p "$build/obj" "$build/crashes"
# common/ once, as objects without the fuzzer's main
objs=""
for c in common/*.c; do
	o="$build/obj/$(basename "$c" .c).o"
	if [ ! -f "$o" ] || [ "$c" -nt "$o" ]; then
		$CC -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
			-std=c11 -D_POSIX_C_SOURCE=200809L -iquote common $(pkg-config --cflags gsl jansson libsodium) -c "$c" -o "$o"
	fi
	objs="$objs $o"
done
for t in $targets; do
	$CC $flags tests/fuzz/fuzz_$t.c $objs -lcsv $pkg -lm -o "$build/fuzz_$t"
done
status=0
for t in $targets; do
	corpus="$build/corpus/$t"
	mkdir -p "$corpus"
	seeds="tests/fuzz/corpus/$t"
	[ -d "$seeds" ] || seeds=""
	maxlen=4096
	case $t in
	reportparts) maxlen=16384 ;;   # a part with curves is 5 KB
	trainparts) maxlen=32768 ;;    # a logistic state and its three parts are 14 KB
	esac
	echo "== fuzz_$t for ${secs}s"
	ASAN_OPTIONS=detect_leaks=1 "$build/fuzz_$t" -max_total_time="$secs" \
		-max_len=$maxlen -print_final_stats=1 -artifact_prefix="$build/crashes/$t-" \
		"$corpus" $seeds 2>&1 | grep -E '^(#[0-9]+ +DONE|==|SUMMARY|stat::number_of_executed_units|.*ERROR|.*abort|artifact)' || true
	ls "$build/crashes/$t-"* >/dev/null 2>&1 && { echo "fuzz_$t: crashes in $build/crashes/"; status=1; }
done
exit $status
