#!/bin/sh
# tests/check-serve.sh - the co-process integration (--line-buffered) as a
# web service uses it: tests/serve-client.py serves HTTP on 127.0.0.1 with
# one pr-score open on a pipe.  Last line: "N passed, N failed".
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
timeout 60 /usr/bin/python3 "$top/tests/serve-client.py" "$top/$BUILD/bin" "$top/testdata" "$T" ||
	echo "0 passed, 1 failed"
