#!/bin/sh
# tests/shard-fit.sh - fit on shards and merge: the state must be the bytes
# of one --fit on the whole input, and replay to the same output.
#
# Usage (in testdata/, with the programs on PATH, $T a scratch folder):
#   sh ../tests/shard-fit.sh INPUT [--history FILE] [--cf FILE] -- FIT-OPTION...
# The merged state is applied to the input and compared with the whole
# state applied to it.  The input and each side file are split by rows (each shard keeps the
# header) three ways: 1 shard; 2 shards (the first third, the rest); 3
# shards (the first two rows, an empty shard, the rest), so that a shard
# lacks most levels and keys.  Shard i of each file goes to map i.  For
# each split prints "N shards: same state, same output", or the difference
# and exits 1.
set -u
input=$1
shift
hist= cf=
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	case $1 in
	--history) hist=$2; shift 2 ;;
	--cf) cf=$2; shift 2 ;;
	*) echo "shard-fit.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
shift
d=$T/shards
mkdir -p "$d"

side() { # option file shard-suffix
	[ -n "$2" ] && printf '%s %s%s' "$1" "$2" "$3"
}

# split FILE N OUT: OUT.1 .. OUT.N, as described above
split() {
	rows=$(($(wc -l < "$1") - 1))
	case $2 in
	1) cuts="0 $rows" ;;
	2) cuts="0 $((rows / 3)) $rows" ;;
	3) cuts="0 2 2 $rows" ;;
	esac
	set -- "$1" "$2" "$3" $cuts
	f=$1 out=$3
	shift 3
	i=1
	lo=$1
	shift
	for hi in "$@"; do
		awk -v lo="$lo" -v hi="$hi" 'NR == 1 || (NR - 1 > lo && NR - 1 <= hi)' "$f" > "$out.$i"
		lo=$hi
		i=$((i + 1))
	done
}

# shellcheck disable=SC2046
pr-features -q --fit "$d/whole.json" $(side --history "$hist" "") $(side --cf "$cf" "") "$@" \
    "$input" > /dev/null || exit 1
# What the whole state gives (--fit's own output too, but under --asof-col,
# where --fit writes each row's point-in-time features).
pr-features -q --apply "$d/whole.json" "$input" > "$d/whole.csv" || exit 1
rc=0
for n in 1 2 3; do
	rm -f "$d"/in.* "$d"/hist.* "$d"/cf.* "$d"/part.*
	split "$input" $n "$d/in"
	[ -n "$hist" ] && split "$hist" $n "$d/hist"
	[ -n "$cf" ] && split "$cf" $n "$d/cf"
	parts=
	i=1
	while [ $i -le $n ]; do
		h= c=
		[ -n "$hist" ] && h="--history $d/hist.$i"
		[ -n "$cf" ] && c="--cf $d/cf.$i"
		# shellcheck disable=SC2086
		pr-features --map $h $c "$@" "$d/in.$i" > "$d/part.$i" || exit 1
		parts="$parts $d/part.$i"
		i=$((i + 1))
	done
	# shellcheck disable=SC2086
	pr-features --reduce --fit "$d/merged.json" $parts || exit 1
	pr-features -q --apply "$d/merged.json" "$input" > "$d/merged.csv" || exit 1
	if ! cmp -s "$d/whole.json" "$d/merged.json"; then
		echo "$n shards: the state differs"
		diff "$d/whole.json" "$d/merged.json" | head -20
		rc=1
	elif ! cmp -s "$d/whole.csv" "$d/merged.csv"; then
		echo "$n shards: the output differs"
		diff "$d/whole.csv" "$d/merged.csv" | head -20
		rc=1
	else
		echo "$n shards: same state, same output"
	fi
done
exit $rc
