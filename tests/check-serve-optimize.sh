#!/bin/sh
# tests/check-serve-optimize.sh - pr-optimize --line-buffered as a co-process:
# one answer line per request, flushed before the next is read; a rejected
# request is answered with its reason; SIGHUP reloads the model and the offers
# between two rows (a file that fails to load leaves the old ones in use).
# Every answer is compared with a batch run of the same row on the same files.
# Last line: "N passed, N failed".
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
timeout 60 /usr/bin/python3 - "$top/$BUILD/bin" "$top/testdata" "$T" <<'PY' || echo "0 passed, 1 failed"
import csv, io, os, signal, subprocess, sys, time
bindir, data, T = sys.argv[1:4]
passed = failed = 0
def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL serve-optimize: %s %s" % (name, detail))
model, offers = os.path.join(T, "model.json"), os.path.join(T, "offers.csv")
def put(path, text):   # atomically, as pr-train does
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)
base = open(os.path.join(data, "optimize-logit.json")).read()
put(model, base)
put(offers, open(os.path.join(data, "optimize-offers.csv")).read())
args = ["-m", model, "--cost", "cost", "--offers", offers, "--promo-col", "discount", "--ending", ".99"]
cands = open(os.path.join(data, "optimize-cands.csv")).read().splitlines()
header, rows = cands[0], cands[1:]
def batch(row):
    out = subprocess.run([os.path.join(bindir, "pr-optimize")] + args, input=header + "\n" + row + "\n",
                         capture_output=True, text=True).stdout.splitlines()
    return out[1] + "," if len(out) > 1 else None
err = open(os.path.join(T, "err"), "w+")
p = subprocess.Popen([os.path.join(bindir, "pr-optimize"), "--line-buffered"] + args,
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, bufsize=0)
p.stdin.write((header + "\n").encode())
answer_header = p.stdout.readline().decode().rstrip("\n")
check("header ends with _reason", answer_header.endswith(",offer_id,paid_price,_reason"), answer_header)
def ask(row):
    p.stdin.write((row + "\n").encode())
    return p.stdout.readline().decode().rstrip("\n")
for r in rows:
    check("answer " + r.split(",")[0], ask(r) == batch(r))
bad = "rx,a,0,0,ten,4"
got = ask(bad)
check("rejected row answered", got == 'rx,a,0,0,ten,4,,,,,,,,,,,,,"line 7: column ""price"": not a number: ""ten"""', got)
# a new model (a steeper price effect) and one offer fewer, then SIGHUP
put(model, base.replace('"estimate": -0.5,', '"estimate": -0.8,'))
put(offers, "offer_id,kind,value,cost,discount\n2OFF,amount,2,0.1,0.25\n")
p.send_signal(signal.SIGHUP)
time.sleep(0.2)
for r in rows:
    check("after reload " + r.split(",")[0], ask(r) == batch(r), ask(r))
# a broken model: the old ones stay in use, and stderr says so
good = [batch(r) for r in rows]
put(model, "{ not json")
p.send_signal(signal.SIGHUP)
time.sleep(0.2)
check("failed reload keeps the model", ask(rows[0]) == good[0])
p.stdin.close()
rest = p.stdout.read()
status = p.wait()
err.seek(0)
msg = err.read()
check("ends cleanly", status == 0 and rest == b"", "%s %r" % (status, rest))
check("failed reload said", "reload failed, still using the files loaded before" in msg, msg)
print("%d passed, %d failed" % (passed, failed))
PY
