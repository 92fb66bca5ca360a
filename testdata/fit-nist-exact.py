#!/usr/bin/python3
# The digits that the data as a program reads them allow: each NIST StRD
# linear set's values rounded to double (as strtod reads them), solved
# exactly in rational arithmetic, and the correct significant digits (LRE)
# of that exact solution's worst estimate, worst standard error and
# residual SD against the certified values of fit-nist-cert.txt (15
# significant digits).  No double-precision solver can be reliably closer
# to the certified values than this; where R's lm is (fit-nist-R.txt), it
# is by the luck of its rounding.
# With the argument "decimal" the values are taken as written (1.11111
# exactly), as the extended-precision refit of a linear model takes them:
# the digits of the true solution against the 15 certified ones, which
# rounding limits to about 15 (NoInt2's standard error, 0.0420827318078432
# certified, is 0.04208273180784325 rounded: 14.9 digits).
#   python3 fit-nist-exact.py > fit-nist-exact.txt
#   python3 fit-nist-exact.py decimal > fit-nist-decimal.txt
import csv
import sys
from decimal import Decimal, getcontext
from fractions import Fraction as F

getcontext().prec = 50
cert = {}
for line in open("fit-nist-cert.txt"):
    k, v = line.split()
    cert[k] = Decimal(v)

def cv(key, n):
    return [cert["%s.%d" % (key, i + 1)] for i in range(n)]

def dec(q):
    return Decimal(q.numerator) / Decimal(q.denominator)

def lre(got, want):
    if want == 0:
        e = abs(got)
    else:
        e = abs((got - want) / want)
    return 17.0 if e == 0 else min(17.0, float(-e.log10()))

def solve(X, y):
    n, p = len(X), len(X[0])
    A = [[sum(X[i][a] * X[i][b] for i in range(n)) for b in range(p)] for a in range(p)]
    c = [sum(X[i][a] * y[i] for i in range(n)) for a in range(p)]
    M = [A[i] + [F(int(i == j)) for j in range(p)] for i in range(p)]
    for k in range(p):
        for i in range(p):
            if i != k and M[i][k] != 0:
                f = M[i][k] / M[k][k]
                M[i] = [a - f * b for a, b in zip(M[i], M[k])]
    inv = [[M[i][p + j] / M[i][i] for j in range(p)] for i in range(p)]
    b = [sum(inv[i][j] * c[j] for j in range(p)) for i in range(p)]
    rss = sum((y[i] - sum(X[i][j] * b[j] for j in range(p))) ** 2 for i in range(n))
    s2 = rss / (n - p)
    return b, [(dec(s2) * dec(inv[j][j])).sqrt() for j in range(p)], dec(s2).sqrt()

def report(key, X, y):
    p = len(X[0])
    b, se, sg = solve(X, y)
    cb, cs, cg = cv(key + ".coef", p), cv(key + ".se", p), cert[key + ".sigma.1"]
    lb = min(lre(dec(g), w) for g, w in zip(b, cb))
    ls = min(lre(g, w) if w != 0 else (17.0 if g == 0 else min(17.0, float(-(g / abs(dec(bj))).log10())))
             for g, w, bj in zip(se, cs, b))
    last = abs(dec(y[-1]))
    lg = lre(sg, cg) if cg != 0 else (17.0 if sg == 0 else min(17.0, float(-(sg / last).log10())))
    print("%s.coef_lre %.1f\n%s.se_lre %.1f\n%s.sigma_lre %.1f" % (key, lb, key, ls, key, lg))

def rows(path):
    return list(csv.DictReader(open(path)))

def d(s):
    return F(s) if sys.argv[1:] == ["decimal"] else F(float(s))

def poly(xs, degree, intercept=True):
    return [[x ** k for k in range(0 if intercept else 1, degree + 1)] for x in xs]

r = rows("fit-nist-norris.csv")
report("norris", poly([d(t["x"]) for t in r], 1), [d(t["y"]) for t in r])
r = rows("fit-nist-pontius.csv")
report("pontius", poly([d(t["x"]) for t in r], 2), [d(t["y"]) for t in r])
r = rows("fit-nist-noint.csv")
report("noint1", poly([d(t["x"]) for t in r], 1, False), [d(t["y"]) for t in r])
r = rows("fit-nist-noint2.csv")
report("noint2", poly([d(t["x"]) for t in r], 1, False), [d(t["y"]) for t in r])
r = rows("fit-nist-filip.csv")
report("filip", poly([d(t["x"]) for t in r], 10), [d(t["y"]) for t in r])
r = rows("fit-nist-longley.csv")
report("longley", [[F(1)] + [d(t["x%d" % j]) for j in range(1, 7)] for t in r], [d(t["y"]) for t in r])
r = rows("fit-nist-wampler.csv")
for k in range(1, 6):
    report("wampler%d" % k, poly([d(t["x"]) for t in r], 5), [d(t["y%d" % k]) for t in r])
