#!/usr/bin/python3
"""serve-client.py - a small web service that prices with a co-process.

It keeps one `pr-score --line-buffered` open on a pipe and answers HTTP
requests on 127.0.0.1 (an ephemeral port): GET /score?id=..&item=..&...
writes one CSV row to the co-process, reads one answer row and returns it
as JSON (status 200, or 422 with the reason when the row was rejected).
This is the integration the man page documents, exercised end to end:

  - every answer equals what pr-score gives for the same row in one batch;
  - a rejected row gets an answer line, with its reason, and the service
    goes on;
  - a new model put in place with an atomic rename and a SIGHUP answers
    the next request; a broken model file leaves the old one in use and
    says so on stderr;
  - closing the co-process's input ends it with status 0.

Usage: serve-client.py BINDIR TESTDATA SCRATCH.  Last line: "N passed, N failed".
"""
import csv
import http.server
import io
import json
import os
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request

bindir, testdata, scratch = sys.argv[1:4]
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL serve: %s %s" % (name, detail))


def run(*args, stdin=None):
    return subprocess.run([os.path.join(bindir, args[0])] + list(args[1:]), input=stdin,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True,
                          cwd=testdata).stdout.decode()


def train(formula, path):
    tmp = path + ".new"
    run("pr-train", "-q", "--family", "logistic", "-f", formula, "-o", tmp, "train-shop.csv")
    os.replace(tmp, path)   # as pr-train -o does: readers see the old file or the new one


def rows_of(text):
    return list(csv.reader(io.StringIO(text)))


class Pricer:
    """One co-process; one request at a time on its pipe."""

    def __init__(self, argv, header):
        self.err = open(os.path.join(scratch, argv[0] + ".err"), "w+b")
        self.proc = subprocess.Popen(
            [os.path.join(bindir, argv[0])] + argv[1:],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.err, bufsize=0)
        self.out = io.TextIOWrapper(self.proc.stdout, encoding="utf-8", newline="")
        self.lock = threading.Lock()
        self.header = header
        self.proc.stdin.write((",".join(header) + "\n").encode())
        self.answer_header = next(csv.reader([self.out.readline()]))

    def ask(self, row):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(row)
        with self.lock:
            self.proc.stdin.write(buf.getvalue().encode())
            return next(csv.reader([self.out.readline()]))

    def reload(self):
        self.proc.send_signal(signal.SIGHUP)

    def close(self):
        self.proc.stdin.close()
        rest = self.out.read()
        status = self.proc.wait()
        self.err.seek(0)
        return rest, status, self.err.read().decode()

    def stderr(self):
        self.err.flush()
        self.err.seek(0)
        return self.err.read().decode()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query,
                                      keep_blank_values=True)
        row = [query.get(name, [""])[0] for name in pricer.header]
        answer = dict(zip(pricer.answer_header, pricer.ask(row)))
        body = json.dumps(answer).encode()
        self.send_response(422 if answer["_reason"] else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def get(row):
    url = "http://127.0.0.1:%d/score?%s" % (server.server_port,
                                            urllib.parse.urlencode(dict(zip(pricer.header, row))))
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


model = os.path.join(scratch, "model.json")
train("bought ~ log(price) * segment + loyalty", model)
requests = rows_of(open(os.path.join(testdata, "score-offers.csv")).read())
header, requests = requests[0], requests[1:]
batch_a = rows_of(run("pr-score", "-m", model, "score-offers.csv"))

pricer = Pricer(["pr-score", "--line-buffered", "-m", model], header)
server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()

check("answer header", pricer.answer_header == batch_a[0] + ["_reason"], pricer.answer_header)
for i, row in enumerate(requests):
    status, answer = get(row)
    want = dict(zip(batch_a[0] + ["_reason"], batch_a[i + 1] + [""]))
    check("request %d" % (i + 1), status == 200 and answer == want, (status, answer, want))

# A rejected row is answered (line 1 is the header: the n-th request is line n + 1).
bad = list(requests[0])
bad[header.index("price")] = "x"
status, answer = get(bad)
check("rejected row", status == 422 and
      answer["_reason"] == 'line %d: column "price": not a number: "x"' % (len(requests) + 2) and
      answer["p_buy"] == "" and answer["id"] == bad[0], (status, answer))
status, answer = get(requests[0])
check("after a rejected row", status == 200 and answer["p_buy"] == batch_a[1][-1], answer)

# A new model, put in place atomically, is in use from the next request on.
train("bought ~ log(price) + loyalty", model)
batch_b = rows_of(run("pr-score", "-m", model, "score-offers.csv"))
check("the models differ", batch_a[1][-1] != batch_b[1][-1])
pricer.reload()
for i, row in enumerate(requests):
    status, answer = get(row)
    check("reloaded request %d" % (i + 1),
          status == 200 and answer["p_buy"] == batch_b[i + 1][-1], (answer, batch_b[i + 1]))

# A broken model file: the one in use stays, and stderr says so.
with open(model + ".new", "w") as f:
    f.write("{ not json")
os.replace(model + ".new", model)
pricer.reload()
status, answer = get(requests[0])
check("broken model: old one answers", status == 200 and answer["p_buy"] == batch_b[1][-1], answer)
err = pricer.stderr()
check("broken model: said on stderr",
      err.startswith("pr-score: reload failed, still using the files loaded before: %s:" % model),
      repr(err))

server.shutdown()
rest, status, err = pricer.close()
check("end of input ends it", status == 0 and rest == "", (status, rest))
check("rows summary", err.rstrip("\n").endswith(
    "pr-score: stdin: %d rows in, %d out, 1 rejected (1 column \"price\": not a number)"
    % (2 * len(requests) + 3, 2 * len(requests) + 2)), repr(err))

# pr-features --apply as a co-process: a refitted state is used from the next
# row on; a state that adds other columns is refused (the header is out).
state = os.path.join(scratch, "state.json")
run("pr-features", "-q", "--fit", state, "--zscore", "price", "--onehot", "segment",
    "score-offers.csv")
feat_a = rows_of(run("pr-features", "-q", "--apply", state, "score-offers.csv"))
features = Pricer(["pr-features", "--line-buffered", "--apply", state], header)
check("features header", features.answer_header == feat_a[0] + ["_reason"], features.answer_header)
check("features row", features.ask(requests[0]) == feat_a[1] + [""])
run("pr-features", "-q", "--fit", state + ".new", "--zscore", "price", "--onehot", "segment",
    "-", stdin="".join(",".join(r) + "\n" for r in [header] + requests[:3]).encode())
os.replace(state + ".new", state)
feat_b = rows_of(run("pr-features", "-q", "--apply", state, "score-offers.csv"))
check("the states differ", feat_a[1] != feat_b[1])
features.reload()
check("features reloaded", features.ask(requests[0]) == feat_b[1] + [""])
run("pr-features", "-q", "--fit", state + ".new", "--zscore", "loyalty", "score-offers.csv")
os.replace(state + ".new", state)
features.reload()
check("features: other columns refused", features.ask(requests[0]) == feat_b[1] + [""])
rest, status, err = features.close()
check("features: said on stderr", status == 0 and err ==
      "pr-features: reload failed, still using the files loaded before: %s: "
      "the state adds other columns than the one in use\n" % state, repr(err))

print("%d passed, %d failed" % (passed, failed))
