#!/bin/sh
# tests/check-dist.sh - pr-dist on three hosts, for real: each host a
# network namespace of this machine (ip netns) with its loopback up and its
# own sshd listening on that namespace's 127.0.0.1 only, with a host key, a
# client key and configuration made here in a temporary folder (the
# machine's /etc/ssh and ~/.ssh are not touched).  ssh reaches a host
# through a ProxyCommand that enters its namespace (ip netns exec NS nc
# 127.0.0.1 22): no packet leaves a loopback interface.  The namespaces
# share this machine's file system, as hosts with a shared file system do.
#
# Checked: a candidate file priced on the three hosts (pr-score,
# pr-optimize) gives one run's bytes on standard output, in -o and in
# --rejects, and one run's summary, in parts of -N rows through parallel
# --pipe, in parts read from the file (--pipepart), and in parts that each
# host reads from the shared file itself (--shared); --strict fails with
# one run's message, also with --shared;
# a host killed in the middle of a part (its sshd and everything in its
# namespace, and the namespace deleted) fails the run with one line and
# leaves no output, and with --retries the part runs again on another host
# and the output and rejects are one run's (also with --shared); --train on three shards gives
# the model of pr-train's own --map/--reduce loop, byte for byte, also when
# a host dies in a map round (--retries).
#
# Needs root (network namespaces, an sshd per host) and iproute2,
# openssh-server, openssh-client, netcat-openbsd and GNU parallel.  Not root:
# skipped with a message (0 passed), except under CI, where it fails.
# Everything it starts is stopped and removed on exit; the whole run is
# bounded (timeout).  The one lasting trace is /run/sshd, the empty folder
# sshd needs for privilege separation, made if missing (it is the folder the
# openssh-server package's own service makes at boot).
# Last line: "N passed, N failed".
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/$BUILD/bin"
limit=${CHECK_DIST_TIMEOUT:-420}

# The whole run bounded: this script again under timeout(1).  The outer one
# names the namespaces and the temporary folder, and removes them whatever
# became of the inner one.
if [ -z "${CHECK_DIST_INNER:-}" ]; then
	CHECK_DIST_NS="prdist$$"
	CHECK_DIST_TMP=$(mktemp -d) || exit 1
	export CHECK_DIST_NS CHECK_DIST_TMP
	CHECK_DIST_INNER=1 timeout -k 10 "$limit" sh "$0" "$@"
	rc=$?
	for h in h1 h2 h3; do
		ip netns pids "$CHECK_DIST_NS$h" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$CHECK_DIST_NS$h" 2>/dev/null
	done
	rm -rf "$CHECK_DIST_TMP"
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		echo "FAIL check-dist: not finished after $limit seconds"
		echo "0 passed, 1 failed"
	fi
	exit $rc
fi

passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }
give_up() { # the machine cannot run the test
	echo "check-dist: $*"
	if [ -n "${CI:-}" ]; then
		echo "0 passed, 1 failed"
		exit 1
	fi
	echo "check-dist: skipped"
	echo "0 passed, 0 failed"
	exit 0
}
[ "$(id -u)" = 0 ] || give_up "needs root (network namespaces and an sshd for each host)"
for need in ip:iproute2 /usr/sbin/sshd:openssh-server ssh:openssh-client ssh-keygen:openssh-client \
	nc:netcat-openbsd parallel:parallel timeout:coreutils; do
	command -v "${need%%:*}" >/dev/null 2>&1 || give_up "${need%%:*} not installed (Debian package ${need#*:})"
done
parallel --version 2>/dev/null | grep -q 'GNU parallel' || give_up "parallel is not GNU parallel (Debian package parallel)"

tmp=$CHECK_DIST_TMP
ns_prefix=$CHECK_DIST_NS
hosts="h1 h2 h3"
cleanup() {
	for h in $hosts; do
		ns="$ns_prefix$h"
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# sshd refuses to start without its privilege separation folder
[ -d /run/sshd ] || { mkdir -p /run/sshd && chmod 755 /run/sshd; }
ssh-keygen -q -t ed25519 -N '' -C check-dist -f "$tmp/client" || give_up "ssh-keygen failed"
cp "$tmp/client.pub" "$tmp/authorized_keys"
: >"$tmp/known_hosts"
: >"$tmp/ssh_config"
for h in $hosts; do
	ssh-keygen -q -t ed25519 -N '' -C "$h" -f "$tmp/$h.key"
	echo "$h $(cut -d' ' -f1,2 "$tmp/$h.key.pub")" >>"$tmp/known_hosts"
	cat >"$tmp/$h.sshd_config" <<EOF
ListenAddress 127.0.0.1:22
HostKey $tmp/$h.key
AuthorizedKeysFile $tmp/authorized_keys
PidFile none
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowUsers root
MaxStartups 100
LogLevel ERROR
EOF
	cat >>"$tmp/ssh_config" <<EOF
Host $h
	ProxyCommand ip netns exec $ns_prefix$h nc 127.0.0.1 22
EOF
done
cat >>"$tmp/ssh_config" <<EOF
Host *
	User root
	IdentityFile $tmp/client
	IdentitiesOnly yes
	UserKnownHostsFile $tmp/known_hosts
	GlobalKnownHostsFile /dev/null
	StrictHostKeyChecking yes
	BatchMode yes
	ConnectTimeout 10
	ServerAliveInterval 2
	ServerAliveCountMax 3
	LogLevel ERROR
EOF
ssh="ssh -F $tmp/ssh_config"

# start_host NAME: its namespace, its loopback, its sshd; wait until it answers
start_host() {
	ns="$ns_prefix$1"
	ip netns add "$ns" || return 1
	ip netns exec "$ns" ip link set lo up || return 1
	ip netns exec "$ns" /usr/sbin/sshd -f "$tmp/$1.sshd_config" -E "$tmp/$1.sshd.log" || return 1
	i=0
	until timeout 10 $ssh "$1" true 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 50 ] || return 1
		sleep 0.2
	done
}
# kill_host NAME: everything running in its namespace, and the namespace
kill_host() {
	ns="$ns_prefix$1"
	ip netns pids "$ns" | xargs -r kill -9 2>/dev/null
	ip netns del "$ns"
}
for h in $hosts; do
	start_host "$h" || { cat "$tmp/$h.sshd.log" 2>/dev/null; give_up "could not start host $h (namespace $ns_prefix$h and its sshd)"; }
done

# Each host is its own network: its only address is its loopback's, and
# it is not this machine's network.
for h in $hosts; do
	addrs=$(timeout 20 $ssh "$h" ip -o addr show 2>/dev/null | awk '{ print $2, $4 }' | sort | tr '\n' ' ')
	[ "$addrs" = "lo 127.0.0.1/8 lo ::1/128 " ] && ok || bad "host $h: addresses \"$addrs\""
	here=$(readlink /proc/self/ns/net)
	there=$(timeout 20 $ssh "$h" readlink /proc/self/ns/net 2>/dev/null)
	[ -n "$there" ] && [ "$there" != "$here" ] && ok || bad "host $h: not in a namespace of its own ($there)"
done

PATH="$bin:$PATH"
export PATH
cd "$tmp" || exit 1
dist() { timeout 60 pr-dist --ssh "$ssh" --env PATH "$@"; }

# 5,000 candidates, every 37th with a price that is not a number, one with a
# quoted field holding the delimiter
awk 'BEGIN { srand(5); print "id,segment,price,cost,note"
	for (i = 1; i <= 5000; i++)
		printf "%d,%s,%s,4,%s\n", i, (i % 3 ? "a" : "b"), (i % 37 ? sprintf("%.2f", 5 + rand() * 20) : "bad"), (i == 99 ? "\"x, y\"" : "") }' >in.csv
cp "$top/testdata/price-linear-model.json" model.json

# price NAME PROGRAM ARGS: on the hosts, as one run does
price() {
	name=$1
	shift
	"$@" --rejects one.rej in.csv >one.csv 2>one.err
	rm -f par.csv par.rej
	dist -S 1/h1,1/h2,1/h3 -N 600 -v -o par.csv --rejects par.rej in.csv -- "$@" 2>par.err
	st=$?
	[ $st -eq 0 ] && ok || bad "$name: pr-dist exit $st: $(grep -v ': part ' par.err | head -n 3)"
	cmp -s one.csv par.csv && ok || bad "$name: output on the hosts differs from one run's"
	cmp -s one.rej par.rej && ok || bad "$name: rejects on the hosts differ from one run's: $(diff one.rej par.rej | head -n 3)"
	grep -v '^pr-dist: part ' par.err >par.sum
	cmp -s one.err par.sum && ok || bad "$name: summary differs from one run's: $(cat par.sum)"
	# every host ran parts: 9 parts, one job at a time on each host
	used=$(sed -n 's/^pr-dist: part [0-9]*: //p' par.err | sort -u | tr '\n' ' ')
	[ "$used" = "h1 h2 h3 " ] && ok || bad "$name: parts ran on \"$used\", not on h1 h2 h3"
	[ "$(grep -c '^pr-dist: part ' par.err)" = 9 ] && ok || bad "$name: $(grep -c '^pr-dist: part ' par.err) parts, not 9"
	# standard output, from standard input
	dist -S h1,h2,h3 -N 1000 - <in.csv -- "$@" >par2.csv 2>/dev/null
	cmp -s one.csv par2.csv && ok || bad "$name: standard output on the hosts differs from one run's"
	# without --rejects the parts are read straight from the file (--pipepart)
	dist -S h1,h2,h3 -N 700 -v in.csv -- "$@" >par3.csv 2>par3.err
	cmp -s one.csv par3.csv && ok || bad "$name: output of parts read from the file differs from one run's"
	grep -v '^pr-dist: part ' par3.err >par3.sum
	cmp -s one.err par3.sum && ok || bad "$name: summary of parts read from the file differs from one run's: $(cat par3.sum)"
	[ "$(grep -c '^pr-dist: part ' par3.err)" -gt 3 ] && ok || bad "$name: parts read from the file: only $(grep -c '^pr-dist: part ' par3.err)"
	# --shared: each host reads its parts' bytes of in.csv itself
	rm -f par4.csv par4.rej
	dist -S 1/h1,1/h2,1/h3 -N 600 -v --shared -o par4.csv --rejects par4.rej in.csv -- "$@" 2>par4.err
	st=$?
	[ $st -eq 0 ] && ok || bad "$name --shared: pr-dist exit $st: $(grep -v ': part ' par4.err | head -n 3)"
	cmp -s one.csv par4.csv && ok || bad "$name --shared: output differs from one run's"
	cmp -s one.rej par4.rej && ok || bad "$name --shared: rejects differ from one run's: $(diff one.rej par4.rej | head -n 3)"
	grep -v '^pr-dist: part ' par4.err >par4.sum
	cmp -s one.err par4.sum && ok || bad "$name --shared: summary differs from one run's: $(cat par4.sum)"
	used=$(sed -n 's/^pr-dist: part [0-9]*: //p' par4.err | sort -u | tr '\n' ' ')
	[ "$used" = "h1 h2 h3 " ] && ok || bad "$name --shared: parts ran on \"$used\", not on h1 h2 h3"
	[ "$(grep -c '^pr-dist: part ' par4.err)" -gt 3 ] && ok || bad "$name --shared: only $(grep -c '^pr-dist: part ' par4.err) parts"
}
price pr-score pr-score -m model.json --se
price pr-optimize pr-optimize -m model.json --cost cost --max-change 0.2

# --strict: the first rejected row fails the run, with one run's message
pr-score -m model.json --strict in.csv >/dev/null 2>one.err
dist -S h1,h2,h3 -N 500 -o strict.csv in.csv -- pr-score -m model.json --strict 2>par.err
st=$?
[ $st -eq 1 ] && ok || bad "--strict: exit $st, not 1"
cmp -s one.err par.err && ok || bad "--strict: \"$(cat par.err)\", not one run's \"$(cat one.err)\""
[ ! -e strict.csv ] && ok || bad "--strict: a failed run left strict.csv"
dist -S h1,h2,h3 -N 500 --shared -o strict.csv in.csv -- pr-score -m model.json --strict 2>par.err
st=$?
[ $st -eq 1 ] && ok || bad "--strict --shared: exit $st, not 1"
cmp -s one.err par.err && ok || bad "--strict --shared: \"$(cat par.err)\", not one run's \"$(cat one.err)\""
[ ! -e strict.csv ] && ok || bad "--strict --shared: a failed run left strict.csv"

# Malformed CSV far into the file, read by the parts from the file
# (--pipepart): the message names one run's line, not the part's
awk 'NR == 3210 { print "3209,a,\"7\"x,4,"; next } { print }' in.csv >bad.csv
pr-score -m model.json bad.csv >/dev/null 2>one.err
dist -S h1,h2,h3 -N 700 -o bad.out bad.csv -- pr-score -m model.json 2>par.err
st=$?
[ $st -eq 1 ] && ok || bad "malformed CSV read from the file: exit $st, not 1"
grep -q '^pr-score: bad.csv:3210: malformed CSV' one.err && cmp -s one.err par.err && ok ||
	bad "malformed CSV read from the file: \"$(cat par.err)\", not one run's \"$(cat one.err)\""
[ ! -e bad.out ] && ok || bad "malformed CSV read from the file: a failed run left its output"

# A model that is not there: one line, the program's, and no output
dist -S h1,h2,h3 -o none.csv in.csv -- pr-score -m nosuch.json 2>par.err
st=$?
[ $st -eq 1 ] && [ "$(wc -l <par.err)" -eq 1 ] && grep -q '^pr-score: nosuch.json' par.err && ok ||
	bad "missing model: exit $st, \"$(cat par.err)\""

# Host death in the middle of a part.  The pr-score that the hosts run
# holds its part on h2 until the test has killed h2 (so the kill lands
# inside a part, every time), then runs the real one.
mkdir slow
cat >slow/pr-score <<EOF
#!/bin/sh
if [ "\$(ip netns identify \$\$)" = "${ns_prefix}h2" ]; then
	: >"$tmp/h2.busy"
	sleep 60
fi
exec "$bin/pr-score" "\$@"
EOF
chmod +x slow/pr-score
pr-score -m model.json --rejects one.rej in.csv >one.csv 2>/dev/null
# wait_kill: kill h2 as soon as a part is running there
wait_kill() {
	i=0
	while [ ! -e "$tmp/h2.busy" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	kill_host h2
}
rm -f h2.busy dead.csv
wait_kill &
killer=$!
PATH="$tmp/slow:$PATH" dist -S 1/h1,1/h2,1/h3 -N 400 -o dead.csv in.csv -- pr-score -m model.json 2>par.err
st=$?
wait $killer
[ $st -eq 1 ] && ok || bad "host death: exit $st, not 1"
[ "$(wc -l <par.err)" -eq 1 ] && grep -q '^pr-dist: part [0-9]* on h2: the host died or cannot be reached (ssh exit 255)$' par.err && ok ||
	bad "host death: message \"$(cat par.err)\""
[ ! -e dead.csv ] && [ -z "$(ls -A . | grep '^\.dead')" ] && ok || bad "host death: output or temporaries left: $(ls -A)"

# ... and with --retries the part runs again on another host: one run's bytes
start_host h2 || bad "could not start h2 again"
rm -f h2.busy retry.csv
wait_kill &
killer=$!
PATH="$tmp/slow:$PATH" dist -S 1/h1,1/h2,1/h3 -N 400 --retries 2 -o retry.csv --rejects retry.rej \
	in.csv -- pr-score -m model.json 2>par.err
st=$?
wait $killer
[ $st -eq 0 ] && ok || bad "host death with --retries: exit $st: $(head -n 3 par.err)"
cmp -s one.csv retry.csv && ok || bad "host death with --retries: output differs from one run's"
cmp -s one.rej retry.rej && ok || bad "host death with --retries: rejects differ from one run's: $(diff one.rej retry.rej | head -n 4; cat par.err | head -n 5)"
[ -e h2.busy ] && ok || bad "host death with --retries: no part ran on h2 (the test did not kill it inside a part)"
# ... and so with --shared
start_host h2 || bad "could not start h2 again"
rm -f h2.busy retry.csv retry.rej
wait_kill &
killer=$!
PATH="$tmp/slow:$PATH" dist -S 1/h1,1/h2,1/h3 -N 400 --shared --retries 2 -o retry.csv --rejects retry.rej \
	in.csv -- pr-score -m model.json 2>par.err
st=$?
wait $killer
[ $st -eq 0 ] && ok || bad "host death with --shared --retries: exit $st: $(head -n 3 par.err)"
cmp -s one.csv retry.csv && ok || bad "host death with --shared --retries: output differs from one run's"
cmp -s one.rej retry.rej && ok || bad "host death with --shared --retries: rejects differ from one run's: $(diff one.rej retry.rej | head -n 4)"
[ -e h2.busy ] && ok || bad "host death with --shared --retries: no part ran on h2"

# Training on the hosts: pr-train --map on each shard (a file each), the
# reduce here, round after round.  The model is the one pr-train(1)'s own
# loop of --map and --reduce gives here, byte for byte, and one run's on
# all the rows to 1e-12 relative (pr-train(1), SHARDS), with --folds too
# (the options after '--' reach every map of the first round; linear last:
# its model is the one a host's death must not change, below).
start_host h2 || bad "could not start h2 again"
"$top/$BUILD/tests/gen-logit" 3000 20261201 all.csv all.svm >/dev/null 2>&1 || bad "gen-logit failed"
head -n 1 all.csv >hdr.csv
for k in 1 2 3; do
	{ cat hdr.csv; tail -n +2 all.csv | awk -v k=$k 'NR > (k - 1) * 1000 && NR <= k * 1000'; } >shard$k.csv
done
f='y ~ x1 + x2 + x3'
for run in "logistic --folds 3 --seed 4" logistic linear; do
	family=${run%% *}
	vopts=${run#"$family"}
	# shellcheck disable=SC2086
	pr-train -q --family $family $vopts -o one.json -f "$f" all.csv >/dev/null 2>one.err || bad "$run: pr-train on all rows failed: $(cat one.err)"
	# pr-train(1)'s loop, here
	# shellcheck disable=SC2086
	for s in 1 2 3; do pr-train --map --family $family $vopts -f "$f" shard$s.csv >p$s.json; done
	word=$(pr-train --reduce -o state.json p1.json p2.json p3.json 2>loop.err)
	while [ "$word" = state ]; do
		for s in 1 2 3; do pr-train --map --from state.json shard$s.csv >p$s.json; done
		word=$(pr-train --reduce --from state.json -o next.json p1.json p2.json p3.json 2>loop.err)
		mv next.json state.json
	done
	mv state.json loop.json
	rm -f dist.json
	# shellcheck disable=SC2086
	dist --train -S h1,h2,h3 -v -o dist.json shard1.csv shard2.csv shard3.csv -- --family $family $vopts -f "$f" 2>par.err
	st=$?
	[ $st -eq 0 ] && ok || bad "--train $family: exit $st: $(grep -v ': round ' par.err | head -n 3)"
	cmp -s loop.json dist.json && ok || bad "--train $family: the model differs from pr-train's loop's: $(diff loop.json dist.json | head -n 4)"
	python3 - one.json dist.json <<'PY' && ok || bad "--train $family: the model is not one run's to 1e-12"
import json, sys
def nums(x):
    if isinstance(x, bool) or x is None: return []
    if isinstance(x, (int, float)): return [x]
    if isinstance(x, dict): return [n for k in sorted(x) for n in nums(x[k])]
    if isinstance(x, list): return [n for v in x for n in nums(v)]
    return []
a, b = (nums(json.load(open(p))) for p in sys.argv[1:3])
sys.exit(not (len(a) == len(b) and all(abs(u - v) <= 1e-12 * max(abs(u), abs(v), 1e-300) for u, v in zip(a, b))))
PY
	used=$(sed -n 's/^pr-dist: round [0-9]*: shard [0-9]*: //p' par.err | sort -u | tr '\n' ' ')
	[ "$used" = "h1 h2 h3 " ] && ok || bad "--train $family: shards ran on \"$used\""
	[ -z "$(ls -A | grep '^\.dist\.json')" ] && ok || bad "--train $family: temporaries left: $(ls -A)"
	if [ -n "$vopts" ]; then
		# the last reduce says the measures as one run does, and the model holds them
		# shellcheck disable=SC2086
		pr-train --family $family $vopts -f "$f" all.csv 2>one.err >/dev/null
		grep -qxF "$(cat one.err)" par.err && grep -q '"validation"' dist.json && ok ||
			bad "--train $run: the measures: $(cat one.err) / $(grep -v ': round ' par.err)"
	fi
done
# a host that dies in a map round: with --retries, the same model
sed "s|$bin/pr-score|$bin/pr-train|" slow/pr-score >slow/pr-train
chmod +x slow/pr-train
rm -f h2.busy retry.json
wait_kill &
killer=$!
PATH="$tmp/slow:$PATH" dist --train -S h1,h2,h3 --retries 2 -o retry.json shard1.csv shard2.csv shard3.csv -- \
	--family linear -f "$f" 2>par.err
st=$?
wait $killer
[ $st -eq 0 ] && [ -e h2.busy ] && ok || bad "--train, host death with --retries: exit $st: $(head -n 3 par.err)"
cmp -s loop.json retry.json && ok || bad "--train, host death with --retries: the model differs"

echo "$passed passed, $failed failed"
