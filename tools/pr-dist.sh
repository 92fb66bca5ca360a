#!/bin/sh
# pr-dist - run the pr programs on many hosts through GNU parallel over ssh.
#
# pr-dist [OPTION]... FILE -- PROGRAM [ARGUMENT]...
#   runs the row-by-row PROGRAM (pr-clean, pr-features --apply, pr-score,
#   pr-optimize) on parts of FILE, on the hosts: parts of about --rows rows
#   that each job reads from FILE itself (--part N/M) when FILE is a regular
#   file on this machine only or with --shared, else parts of --rows rows
#   through GNU parallel (parallel --pipe -N ROWS, --part {#}:ROWS), so that
#   the parts' outputs and rejects joined in order (-k) are the bytes of one
#   run; the parts' row counts are added up into the one summary a single
#   run prints.
# pr-dist --train -o MODEL [OPTION]... SHARD... -- [TRAINING OPTION]...
#   runs pr-train --map on every shard (one job per shard, on the hosts) and
#   pr-train --reduce here, on the parts in shard order, round after round
#   (--from STATE), until the reduce says "model".
#
# One commit point, as in every program: the output, the rejects and the
# model are written to temporaries beside their targets and renamed into
# place only when every part succeeded; standard output is written only
# then.  A part that fails (a bad row under --strict, a host that died)
# fails the run with one line on standard error, unless --retries ran it
# again on another host.
# Exit status: 0 success, 1 the run failed, 2 the command line is wrong.
set -u
me=pr-dist
version=@VERSION@

usage() {
	cat <<'EOF'
Usage: pr-dist [OPTION]... FILE -- PROGRAM [ARGUMENT]...
  or:  pr-dist --train -o MODEL [OPTION]... SHARD... -- [TRAINING OPTION]...
Run the pr programs on many hosts through GNU parallel over ssh.  The
first form runs PROGRAM, one that works row by row (pr-clean, pr-features
applying a state, pr-score, pr-optimize), on parts of FILE (- for standard
input) on the hosts: the output, the rejects and the summary of row counts
are those of one run.  The second trains: pr-train's map rounds on the
SHARDs on the hosts (one job a shard), its reduce here, until the model.
Files named in the arguments must be at the same path on every host.

  -S, --sshlogin=LOGINS    the hosts, as for GNU parallel: names separated
                           by commas, ':' for this machine, N/HOST for at
                           most N jobs at once on HOST (repeatable;
                           default ':')
      --sshloginfile=FILE  the hosts, one a line
      --ssh=COMMAND        the command that reaches a host (default ssh)
  -j, --jobs=N             jobs at once on each host (default: one for each
                           of its cores)
  -N, --rows=N             rows in a part (default 100000)
      --shared             FILE is at the same path on every host (a shared
                           file system): each part reads its own bytes of it,
                           and only the outputs pass through ssh
  -o, --output=FILE        write the output (with --train: the model) to
                           FILE when every part succeeded (default, without
                           --train: standard output, written then)
      --rejects=FILE       write the rejected rows of every part to FILE, as
                           one run writes them (FILE's folder must be shared
                           with the hosts)
      --retries=N          run a part that failed again, on another host, up
                           to N times
      --env=NAME           give the jobs this machine's value of the
                           environment variable NAME (repeatable)
      --train              train (the second form)
      --max-rounds=N       with --train, fail after N rounds without a model
                           (default 100)
  -v, --verbose            say which host ran each part
  -h, --help               print this help and exit
      --version            print the version and exit

Exit status: 0 success, 1 the run failed, 2 the command line is wrong.
EOF
}

die() { # status message
	st=$1
	shift
	printf '%s: %s\n' "$me" "$*" >&2
	exit "$st"
}
usage_error() {
	printf '%s: %s\n' "$me" "$*" >&2
	printf "Try 'pr-dist --help' for more information.\n" >&2
	exit 2
}
# a whole number >= $2, or a usage error naming the option
whole() { # option value min
	case $2 in
	'' | *[!0-9]*) usage_error "$1: not a whole number: \"$2\"" ;;
	esac
	[ "$2" -ge "$3" ] 2>/dev/null || usage_error "$1: must be at least $3: \"$2\""
}
# a shell word that reads back as $1 (for the commands given to parallel)
shquote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

logins=""
loginfile=""
ssh_cmd=""
jobs=""
rows=100000
output=""
rejects=""
retries=0
envs=""
train=0
max_rounds=100
verbose=0
shared=0
unit=part   # what a job is, in messages: a part of FILE, or a shard
saw_sep=0
positional=""   # FILE or the SHARDs, each a quoted shell word
npos=0
need_arg() { [ $# -ge 2 ] || usage_error "option '$1' requires an argument"; }
# GNU style: options and operands in any order before "--"; --name=value
# is --name value.
while [ $# -gt 0 ]; do
	eq=0
	case $1 in
	--*=*)
		opt=${1%%=*}
		val=${1#*=}
		shift
		set -- "$opt" "$val" "$@"
		eq=1
		;;
	esac
	case $1 in
	--train | --shared | --verbose | --help | --version)
		[ $eq -eq 0 ] || usage_error "option '$1' doesn't allow an argument" ;;
	esac
	case $1 in
	-S | --sshlogin) need_arg "$@"; logins="$logins${logins:+,}$2"; shift 2 ;;
	--sshloginfile) need_arg "$@"; loginfile=$2; shift 2 ;;
	--ssh) need_arg "$@"; ssh_cmd=$2; shift 2 ;;
	-j | --jobs) need_arg "$@"; whole "$1" "$2" 1; jobs=$2; shift 2 ;;
	-N | --rows) need_arg "$@"; whole "$1" "$2" 1; rows=$2; shift 2 ;;
	-o | --output) need_arg "$@"; output=$2; shift 2 ;;
	--rejects) need_arg "$@"; rejects=$2; shift 2 ;;
	--retries) need_arg "$@"; whole "$1" "$2" 0; retries=$2; shift 2 ;;
	--env)
		need_arg "$@"
		case $2 in
		'' | [0-9]* | *[!A-Za-z0-9_]*) usage_error "--env: not a variable name: \"$2\"" ;;
		esac
		envs="$envs $2"
		shift 2
		;;
	--train) train=1; shift ;;
	--shared) shared=1; shift ;;
	--max-rounds) need_arg "$@"; whole "$1" "$2" 1; max_rounds=$2; shift 2 ;;
	-v | --verbose) verbose=1; shift ;;
	-h | --help) usage; exit 0 ;;
	--version) echo "pr-dist (pr toolkit) $version"; exit 0 ;;
	--) shift; saw_sep=1; break ;;
	-) positional="$positional $(shquote -)"; npos=$((npos + 1)); shift ;;
	-*) usage_error "unrecognized option '$1'" ;;
	*) positional="$positional $(shquote "$1")"; npos=$((npos + 1)); shift ;;
	esac
done
[ $saw_sep -eq 1 ] || usage_error "missing '--' and the program to run"

if ! parallel --version 2>/dev/null | grep -q 'GNU parallel'; then
	die 1 "GNU parallel is not installed (Debian package parallel)"
fi

# The parallel options of both forms.  No --halt: every part runs, so that
# of the parts that failed the one whose message names the earliest line is
# known, and the message is one run's (and --halt soon with --pipe never
# ends in GNU parallel 20221122).
popts="--will-cite --wd ."
[ -n "$logins" ] && popts="$popts -S $(shquote "$logins")"
[ -n "$loginfile" ] && popts="$popts --slf $(shquote "$loginfile")"
[ -n "$ssh_cmd" ] && popts="$popts --ssh $(shquote "$ssh_cmd")"
[ -n "$jobs" ] && popts="$popts -j $jobs"
[ "$retries" -gt 0 ] && popts="$popts --retries $retries"
for e in $envs; do popts="$popts --env $e"; done

# Temporaries: $ctl is this run's own (messages, job log); the others lie
# beside their targets, so that a rename puts them in place.
ctl=""
out_tmp=""
rej_tmp=""
model_tmp=""
cleanup() {
	[ -n "$ctl" ] && rm -rf "$ctl"
	[ -n "$out_tmp" ] && rm -f "$out_tmp"
	[ -n "$rej_tmp" ] && rm -rf "$rej_tmp"
	[ -n "$model_tmp" ] && rm -rf "$model_tmp"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
ctl=$(mktemp -d "${TMPDIR:-/tmp}/pr-dist.XXXXXX") || die 1 "cannot make a temporary folder in ${TMPDIR:-/tmp}"

# a temporary beside $1: "mktemp" is given -d for a folder
beside() { # target [-d]
	dir=$(dirname "$1")
	base=$(basename "$1")
	mktemp ${2:-} "$dir/.$base.XXXXXX" 2>/dev/null || die 1 "$1: cannot write in $dir"
}
# Put $1 in place as $2: renamed over a regular file (keeping its mode),
# written through anything else (a device, a FIFO, /dev/stdout).
commit() { # tmp target
	if [ -e "$2" ] && [ ! -f "$2" ]; then
		cat "$1" >"$2" || die 1 "$2: cannot write"
		rm -f "$1"
		return
	fi
	if [ -f "$2" ]; then
		chmod "$(stat -c %a "$2")" "$1" 2>/dev/null
	else
		chmod "$(printf '%o' $((0666 & ~$(umask))))" "$1" 2>/dev/null
	fi
	mv -f "$1" "$2" || die 1 "$2: cannot write"
}
# The job log's line for each part, by part number: "seq host exitval
# signal"; a part run again (--retries) has a line for each run, the last
# one counts.
joblog_parts() {
	awk -F '\t' 'NR > 1 { last[$1] = $1 " " $2 " " $7 " " $8 } END { for (k in last) print last[k] }' \
		"$ctl/joblog" 2>/dev/null | sort -n -k1,1
}
# One line for the run's failure, and the exit status: the program's 2 (a
# wrong option) stays 2, all else is 1.  Of the program's messages, the one
# about the earliest line of the input is the message of one run.  The
# parts name the input $part_input (stdin, or FILE when they read it).
part_input=stdin
fail_run() { # program-name input-name parallel-status
	msg=$(grep "^$1: " "$ctl/err" | grep -v ' rows in, [0-9]* out, [0-9]* rejected' |
		awk -v p="$1: $part_input:" -v f="$1: $2:" 'index($0, p) == 1 { l = substr($0, length(p) + 1) + 0
			if (best == "" || l < bl) { best = $0; bl = l }; next }
		first == "" { first = $0 }
		END { m = best != "" ? best : first
			if (index(m, p) == 1) m = f substr(m, length(p) + 1)
			print m }')
	if [ -n "$msg" ]; then
		printf '%s\n' "$msg" >&2
		if awk -F '\t' 'NR > 1 && $7 == 2 { found = 1 } END { exit !found }' "$ctl/joblog" 2>/dev/null; then
			grep -m 1 "^Try '$1 --help'" "$ctl/err" >&2
			exit 2
		fi
		exit 1
	fi
	# no message from the program: the job log says what happened
	awk -F '\t' 'NR > 1 && ($7 != 0 || $8 != 0) { print $1, $2, $7, $8 }' "$ctl/joblog" 2>/dev/null |
		sort -n -k1,1 >"$ctl/failed"
	line=$(awk '$3 == 255 { print; exit }' "$ctl/failed")
	[ -n "$line" ] || line=$(head -n 1 "$ctl/failed")
	if [ -z "$line" ]; then
		# parallel itself refused (a host list it cannot read, say)
		line=$(grep -m 1 '^parallel: Error: ' "$ctl/err" | sed 's/^parallel: Error: //')
		die 1 "${line:-GNU parallel failed (exit $3)}"
	fi
	set -- "$1" $line
	host=$3
	[ "$host" = ":" ] && host="this machine"
	[ "$4" = 255 ] && die 1 "$unit $2 on $host: the host died or cannot be reached (ssh exit 255)"
	# a program that is not there exits 127, but the part that fed it may
	# be the one seen failing (141, a write to the closed pipe): on this
	# machine PATH tells
	if [ "$4" = 127 ] || { [ "$host" = "this machine" ] && ! command -v "$1" >/dev/null 2>&1; }; then
		die 1 "$unit $2 on $host: $1: command not found (not on the host's PATH; see --env)"
	fi
	[ "$5" != 0 ] && die 1 "$unit $2 on $host: $1 was killed by signal $5"
	die 1 "$unit $2 on $host: $1 failed (exit $4)"
}
verbose_parts() {
	[ $verbose -eq 1 ] || return 0
	joblog_parts | while read -r seq host st sig; do
		[ "$host" = ":" ] && host="this machine"
		printf '%s: part %s: %s\n' "$me" "$seq" "$host" >&2
	done
}

if [ $train -eq 0 ]; then
	[ $npos -eq 1 ] || usage_error "expected one FILE before '--' (more are shards, for --train)"
	eval "set -- $positional \"\$@\""
	file=$1
	shift
	[ $# -ge 1 ] || usage_error "missing the program after '--'"
	program=$1
	shift
	pname=${program##*/}
	case $pname in
	pr-clean | pr-features | pr-score | pr-optimize) ;;
	*) usage_error "$program: not a program that works row by row (pr-clean, pr-features --apply, pr-score, pr-optimize)" ;;
	esac
	# The program's own -q, -v and --allow-empty are the run's; each part
	# always runs with -v --allow-empty, so that its counts can be added up.
	quiet=0
	pverbose=0
	allow_empty=0
	args=""
	for a do
		case $a in
		-q | --quiet) quiet=1; pverbose=0 ;;
		-v | --verbose) pverbose=1; quiet=0 ;;
		--allow-empty) allow_empty=1 ;;
		--rejects | --rejects=*) usage_error "$pname --rejects: give it to pr-dist, before '--'" ;;
		--part | --part=*) usage_error "$pname --part: pr-dist gives each part its own" ;;
		*) args="$args $(shquote "$a")" ;;
		esac
	done
	if [ "$file" != - ]; then
		[ -e "$file" ] || die 1 "$file: cannot open: No such file or directory"
		[ -d "$file" ] && die 1 "$file: read error: Is a directory"
		[ -r "$file" ] || die 1 "$file: cannot open: Permission denied"
	fi
	input_name=$file
	[ "$file" = - ] && input_name=stdin
	# Each part reads its own bytes of FILE (--part N/M) when every host
	# sees FILE at its path: this machine alone, or --shared.
	ranges=0
	if [ "$file" != - ] && [ -f "$file" ] && { [ $shared -eq 1 ] || [ -z "$logins$loginfile" ]; }; then
		ranges=1
	elif [ $shared -eq 1 ]; then
		usage_error "--shared: $file is not a regular file"
	fi
	if [ -n "$output" ]; then
		[ "$file" != - ] && [ "$output" -ef "$file" ] &&
			usage_error "-o $output is also the input $file: it would be destroyed"
		out_tmp=$(beside "$output")
	else
		out_tmp="$ctl/out"
	fi
	rejopt=""
	if [ -n "$rejects" ]; then
		[ "$file" != - ] && [ "$rejects" -ef "$file" ] &&
			usage_error "--rejects $rejects is also the input $file: it would be destroyed"
		rej_tmp=$(beside "$rejects" -d)
		rej_tmp=$(cd "$rej_tmp" && pwd) || die 1 "$rejects: cannot write"
		rejopt="--rejects $(shquote "$rej_tmp/{#}.csv")"
	fi
	# Rejects and --strict's message name lines of FILE: parts that read
	# their bytes of FILE themselves (--part N/M, M parts of about ROWS rows'
	# bytes), or parts of exactly ROWS lines (--pipe -N, every byte through
	# parallel), each told its first line.  Otherwise parallel reads the
	# parts straight from the file (--pipepart), in blocks of about ROWS
	# rows' bytes, and the output is the same.  Not with --retries: GNU
	# parallel 20221122 gives a part run again under --pipepart another
	# block than its own.
	strict=0
	case " $args " in *" '--strict' "*) strict=1 ;; esac
	if [ -f "$file" ]; then
		head_bytes=$(head -n 1 "$file" | wc -c)
		sample=$(head -n 1001 "$file" | wc -c)
		per_row=$(( (sample - head_bytes) / 1000 ))
		[ $per_row -ge 1 ] || per_row=1
	fi
	# run_pipe: the parts through GNU parallel's --pipe -N, each told its
	# first line (--part N:ROWS), so that every line named is one run's.
	run_pipe() {
		# The header is read here and written by each part before its rows:
		# parallel's own --header sends it twice to a part run again.
		if [ "$file" = - ]; then
			exec 3<&0
		else
			exec 3<"$file"
		fi
		header=""
		if ! IFS= read -r header <&3 && [ -z "$header" ]; then
			# not even a header: what one run says, from one run here
			eval "$(shquote "$program") $args" </dev/null >"$out_tmp" 2>"$ctl/err"
		else
			job="(printf '%s\\n' $(shquote "$header"); exec cat) |
				$(shquote "$program") --part {#}:$rows -v --allow-empty $rejopt $args"
			eval "set -- parallel $popts --pipe -N $rows -k --joblog $(shquote "$ctl/joblog")"
			"$@" "$job" <&3 >"$out_tmp" 2>"$ctl/err"
		fi
	}
	if [ $ranges -eq 1 ]; then
		part_input=$file
		size=$(wc -c <"$file")
		block=$((rows * per_row))
		m=$(( (size - head_bytes + block - 1) / block ))
		[ $m -ge 1 ] || m=1
		eval "set -- parallel $popts -k -q --joblog $(shquote "$ctl/joblog") \
			$(shquote "$program") --part {}/$m -v --allow-empty $rejopt $args $(shquote "$file") \
			::: $(seq -s " " $m)"
		"$@" >"$out_tmp" 2>"$ctl/err"
		rc=$?
	elif [ -z "$rejects" ] && [ $strict -eq 0 ] && [ "$retries" -eq 0 ] && [ -f "$file" ]; then
		eval "set -- parallel $popts --pipepart -a $(shquote "$file") --block $((rows * per_row)) \
			--header : -k -q --joblog $(shquote "$ctl/joblog") \
			$(shquote "$program") --part {#}:0 -v --allow-empty $args"
		"$@" >"$out_tmp" 2>"$ctl/err"
		rc=$?
		# A part's message names a line within its part (--part N:0): a
		# run that fails so is made again the line-exact way, whose
		# message is one run's.
		if [ $rc -ne 0 ] && grep -q "^$pname: $part_input:[0-9]" "$ctl/err"; then
			run_pipe
			rc=$?
		fi
	else
		run_pipe
		rc=$?
	fi
	[ $rc -eq 0 ] || fail_run "$pname" "$input_name" $rc
	verbose_parts
	# The parts' messages: their summaries added up into one, in the order
	# of one run's (reasons by first appearance); any other line once.
	awk -v p="$pname" -v f="$input_name" -v pin="$part_input" -v quiet=$quiet -v verbose=$pverbose \
		-v allow=$allow_empty -v ctl="$ctl" '
	index($0, "parallel: ") == 1 { next }
	index($0, p ": " pin ": ") == 1 && $0 ~ /: [0-9]+ rows in, [0-9]+ out, [0-9]+ rejected/ {
		s = substr($0, length(p ": " pin ": ") + 1)
		split(s, w, " ")
		n_in += w[1]; n_out += w[4]; n_rej += w[6]
		i = index(s, " rejected (")
		if (i > 0) {
			r = substr(s, i + 11)
			sub(/\)$/, "", r)
			k = split(r, items, "; ")
			for (j = 1; j <= k; j++) {
				c = items[j]
				sp = index(c, " ")
				key = substr(c, sp + 1)
				if (key == "for other reasons") { other += substr(c, 1, sp - 1); continue }
				if (!(key in cnt)) order[++nk] = key
				cnt[key] += substr(c, 1, sp - 1)
			}
		}
		next
	}
	index($0, p ": ") == 1 {
		if (index($0, p ": " pin ":") == 1) $0 = p ": " f ":" substr($0, length(p ": " pin ":") + 1)
		if (!seen[$0]++) print > "/dev/stderr"
	}
	END {
		sum = n_in " rows in, " n_out " out, " n_rej " rejected"
		for (j = 1; j <= nk; j++)
			sum = sum (j == 1 ? " (" : "; ") cnt[order[j]] " " order[j]
		if (other > 0) sum = sum "; " other " for other reasons"
		if (nk > 0) sum = sum ")"
		if (n_in > 0 && n_out == 0 && !allow) {
			print p ": " f ": no row written: " sum > "/dev/stderr"
			exit 1
		}
		if ((n_rej > 0 && !quiet) || verbose)
			print p ": " f ": " sum > "/dev/stderr"
	}' "$ctl/err" || exit 1
	if [ -n "$rejects" ]; then
		# the parts' rejects in part order: one run's file
		joblog_parts | while read -r seq host st sig; do
			[ -f "$rej_tmp/$seq.csv" ] && cat "$rej_tmp/$seq.csv"
		done >"$rej_tmp/all" || die 1 "$rejects: cannot write"
	fi
	# standard output first, then the files: all written, or none
	if [ -z "$output" ]; then
		cat "$out_tmp" || exit 1
	fi
	[ -n "$rejects" ] && commit "$rej_tmp/all" "$rejects"
	if [ -n "$output" ]; then
		commit "$out_tmp" "$output"
		out_tmp=""
	fi
	exit 0
fi

# --train: map rounds on the hosts, the reduce here.
unit=shard
[ -n "$output" ] || usage_error "--train: -o MODEL is required"
[ -z "$rejects" ] || usage_error "--train: --rejects is for the first form (pr-train --rejects goes after '--')"
[ $npos -ge 1 ] || usage_error "--train: no SHARD before '--'"
for a do
	case $a in
	-o | --output | --output=*) usage_error "pr-train $a: give -o MODEL to pr-dist, before '--'" ;;
	--map | --reduce | --from | --from=*) usage_error "pr-train $a: pr-dist gives each round its own" ;;
	esac
done
targs=""
for a do targs="$targs $(shquote "$a")"; done
eval "set -- $positional"
shards=""
for sh_file do
	[ -e "$sh_file" ] || die 1 "$sh_file: cannot open: No such file or directory"
	[ -d "$sh_file" ] && die 1 "$sh_file: read error: Is a directory"
	[ "$sh_file" -ef "$output" ] && usage_error "-o $output is also the input $sh_file: it would be destroyed"
	shards="$shards $(shquote "$sh_file")"
done
command -v pr-train >/dev/null 2>&1 || die 1 "pr-train: command not found (the reduce runs here)"
# The rounds' files lie beside the model, where the hosts read the state.
model_tmp=$(beside "$output" -d)
model_tmp=$(cd "$model_tmp" && pwd) || die 1 "$output: cannot write"
# the first failing shard's message, or what the job log says
fail_round() { # round-folder parallel-status
	first=$(for e in $(ls "$1" | sed -n 's/^\([0-9]*\)\.part\.err$/\1/p' | sort -n); do
		grep -m 1 '^pr-train: ' "$1/$e.part.err" && break
	done)
	if [ -n "$first" ]; then
		printf '%s\n' "$first" >&2
		awk -F '\t' 'NR > 1 && $7 == 2 { f = 1 } END { exit !f }' "$ctl/joblog" 2>/dev/null && exit 2
		exit 1
	fi
	: >"$ctl/err"
	fail_run pr-train "" "$2"
}
state=""
round=1
while :; do
	[ $round -le "$max_rounds" ] || die 1 "no model after $max_rounds rounds of pr-train (--max-rounds)"
	dir="$model_tmp/round$round"
	mkdir "$dir" || die 1 "$output: cannot write in $(dirname "$output")"
	if [ -z "$state" ]; then
		margs="--map $targs"
	else
		margs="--map --from $(shquote "$state")"
	fi
	rm -f "$ctl/joblog"
	# one job a shard, in shard order; each shard's statistics into its file
	eval "set -- parallel $popts -k --joblog $(shquote "$ctl/joblog") --results $(shquote "$dir/{#}.part") \
		-q pr-train $margs {} ::: $shards"
	"$@" >/dev/null 2>"$ctl/err"
	rc=$?
	[ $rc -eq 0 ] || fail_round "$dir" $rc
	if [ $verbose -eq 1 ]; then
		joblog_parts | while read -r seq host st sig; do
			[ "$host" = ":" ] && host="this machine"
			printf '%s: round %s: shard %s: %s\n' "$me" "$round" "$seq" "$host" >&2
		done
	fi
	parts=""
	n=$(joblog_parts | wc -l)
	i=1
	while [ $i -le "$n" ]; do
		parts="$parts $(shquote "$dir/$i.part")"
		i=$((i + 1))
	done
	from=""
	[ -n "$state" ] && from="--from $(shquote "$state")"
	eval "set -- pr-train --reduce $from -o $(shquote "$model_tmp/next") $parts"
	word=$("$@") || exit $?
	case $word in
	state)
		mv -f "$model_tmp/next" "$model_tmp/state" || die 1 "$output: cannot write"
		state="$model_tmp/state"
		;;
	model)
		commit "$model_tmp/next" "$output"
		exit 0
		;;
	*) die 1 "pr-train --reduce answered \"$word\", not state or model" ;;
	esac
	rm -rf "$dir"
	round=$((round + 1))
done
