#!/usr/bin/python3
# xsum-ref.py - reference values for test_xsum: random sets of doubles
# (ill-conditioned on purpose: large values that cancel, tiny ones beside
# them), each with its exactly rounded sum (math.fsum), and its mean and
# sample variance computed exactly in rational arithmetic (fractions) and
# rounded once.  Values are written as hex floats, so they read back
# exactly.  Run once: python3 tests/unit/xsum-ref.py > testdata/xsum-ref.txt
import math
import random
from fractions import Fraction

random.seed(20261201)
for case in range(60):
    n = random.choice([1, 2, 3, 7, 50, 400])
    kind = case % 4
    v = []
    for _ in range(n):
        if kind == 0:      # prices with two decimals
            x = round(random.uniform(0, 500), 2)
        elif kind == 1:    # a large offset: the variance cancels in n S2 - S1^2
            x = 1e9 + round(random.uniform(-1, 1), 3)
        elif kind == 2:    # magnitudes from 1e-20 to 1e20, both signs
            x = random.choice([-1, 1]) * 10.0 ** random.uniform(-20, 20)
        else:              # values that cancel exactly, and a small one
            x = random.choice([1e16, -1e16, 3.0, 0.1, -0.1, 2.0 ** -30])
        v.append(x)
    s = math.fsum(v)
    fs = sum(Fraction(x) for x in v)
    mean = float(fs / n)
    if n > 1:
        var = float(sum((Fraction(x) - fs / n) ** 2 for x in v) / (n - 1))
    else:
        var = 0.0
    print(n, ' '.join(x.hex() for x in v), s.hex(), mean.hex(), var.hex())
