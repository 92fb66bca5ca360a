#!/bin/sh
# tests/bench/bench-parallel.sh - pr-score and pr-optimize on a large
# candidate file (N rows, default 1,000,000, of tests/gen-market's shop with
# a logistic model of about 20 terms) in one process, and under
#   parallel --pipepart -a FILE -j 2 --block -1 --header : -k PROGRAM --part {#}:0
# (one part per job slot, split by GNU parallel at line boundaries, read
# straight from the file), and under pr-dist -j 2 on this machine: in 8
# parts read from the file (--pipepart), and with --rejects in 8 parts of
# N/8 lines through parallel --pipe (every byte through GNU parallel, the
# mode that numbers rejects as lines of the whole file).  The outputs are compared with one run's bytes.  Each command
# runs R times (default 3), in turns, and the best wall time counts, so that
# a passing load on a shared machine touches all of them alike; the ratio
# is one process's wall time over the parallel one's, from the same run.
# On a machine that others load, wall ratios swing; the "cpu path" line
# is steadier: one process's CPU seconds over the --pipepart run's
# critical path (GNU parallel's own CPU seconds, taken as serial, plus the
# busiest part's), which is what the run would take on an idle machine
# with a core per part.
# The aim on 2 cores: 1.7 or more with --pipepart.  A benchmark, not a test.
# Usage: BUILD=build N=1000000 R=3 sh tests/bench/bench-parallel.sh
set -u
BUILD=${BUILD:-build}
N=${N:-1000000}
R=${R:-3}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/$BUILD/bin"
gen="$top/$BUILD/tests/gen-market"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
if ! parallel --version 2>/dev/null | grep -q 'GNU parallel'; then
	echo "bench-parallel: GNU parallel not installed (Debian package parallel)"
	exit 0
fi
PATH="$bin:$PATH"
export PATH
"$gen" history 20000 5 >"$T/h.csv" || exit 1
pr-train -q --family logistic -o "$T/m.json" \
	-f 'buy ~ item_id + poly(loyalty, 2) + sens + I(price/list_price) * segment + I(price/list_price):sens + segment:loyalty + I(price/list_price):loyalty' \
	"$T/h.csv" >/dev/null || exit 1
"$gen" candidates "$N" 5 >"$T/c.csv" || exit 1
echo "bench-parallel: $N candidates, $(($(wc -c <"$T/c.csv") / 1048576)) MB; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"

# time_run NAME COMMAND...: wall seconds into $T/NAME.times, output to $T/NAME.out
time_run() {
	name=$1
	shift
	/usr/bin/time -f "%e %U %S" -o "$T/time" "$@" >"$T/$name.out" 2>"$T/$name.err" ||
		{ echo "$name: failed: $(head -n 2 "$T/$name.err")"; return 1; }
	echo "$(cat "$T/time")" >>"$T/$name.times"
}
best() { sort -n -k1,1 "$T/$1.times" | head -n 1; }
for prog in score optimize; do
	case $prog in
	score) set -- pr-score -m "$T/m.json" ;;
	optimize) set -- pr-optimize -m "$T/m.json" --cost cost ;;
	esac
	rm -f "$T"/*.times "$T/path.cpu"
	i=0
	while [ $i -lt "$R" ]; do
		time_run one "$@" "$T/c.csv" || exit 1
		time_run pipepart parallel --will-cite --pipepart -a "$T/c.csv" -j 2 --block -1 --header : -k \
			"$@" --part '{#}:0' || exit 1
		# the same, each part's CPU seconds logged (see "cpu path" below)
		: >"$T/jobs.cpu"
		time_run pipepart-cpu parallel --will-cite --pipepart -a "$T/c.csv" -j 2 --block -1 --header : -k -q \
			/usr/bin/time -a -o "$T/jobs.cpu" -f "%U %S" "$@" --part '{#}:0' || exit 1
		# parallel's own CPU (all but the parts') and the busiest part's
		set -- $(tail -n 1 "$T/pipepart-cpu.times") $(awk '{ c = $1 + $2; s += c; if (c > m) m = c } END { print s, m }' "$T/jobs.cpu")
		echo "$(echo "$2 + $3 - $4 + $5" | bc -l)" >>"$T/path.cpu"
		case $prog in
		score) set -- pr-score -m "$T/m.json" ;;
		optimize) set -- pr-optimize -m "$T/m.json" --cost cost ;;
		esac
		time_run dist pr-dist -j 2 -N $((N / 8 + 1)) "$T/c.csv" -- "$@" || exit 1
		time_run dist-rejects pr-dist -j 2 -N $((N / 8 + 1)) --rejects "$T/rej.csv" "$T/c.csv" -- "$@" || exit 1
		i=$((i + 1))
	done
	cmp -s "$T/one.out" "$T/pipepart.out" || echo "pr-$prog: --pipepart output differs from one run's"
	cmp -s "$T/one.out" "$T/dist.out" || echo "pr-$prog: pr-dist output differs from one run's"
	cmp -s "$T/one.out" "$T/dist-rejects.out" || echo "pr-$prog: pr-dist --rejects output differs from one run's"
	set -- $(best one)
	one=$1
	one_cpu=$(sort -n "$T/one.times" | awk 'NR == 1 { print $2 + $3 }')
	printf '%-26s %7s s wall %7s s user %6s s sys\n' "pr-$prog, one process" "$1" "$2" "$3"
	for mode in pipepart dist dist-rejects; do
		set -- $(best $mode)
		printf '%-26s %7s s wall %7s s user %6s s sys   x%s\n' "  $mode -j 2" "$1" "$2" "$3" \
			"$(echo "$one / $1" | bc -l | cut -c1-4)"
	done
	path=$(sort -n "$T/path.cpu" | head -n 1)
	printf '%-26s %7.2f s cpu path  x%s\n' "  pipepart, cpu path" "$path" "$(echo "$one_cpu / $path" | bc -l | cut -c1-4)"
done
echo "(x: one process's wall time over the parallel run's, best of $R; the aim is x1.7 with --pipepart on 2 cores."
echo " cpu path: what the --pipepart run would take with a core for each part and nothing else running:"
echo " GNU parallel's own CPU seconds (start, splitting, copying the parts' output in order) plus the"
echo " busiest part's, against one process's CPU seconds; it holds on a loaded machine, the wall ratio does not)"
exit 0
