#!/usr/bin/env python3
# Run in testdata/: python3 fold-ref.py (outputs are stored; CI does not need to run it).
# An implementation of pr-train's validation split (pr-train(1), Validation),
# written from the man page, independent of the C code: SplitMix64's
# finaliser chained over 64-bit words of the seed and the row's values
# (a number by the bits of its double, -0 as 0; a category by its text's
# length, then its bytes in little-endian words of 8), u = top 53 bits / 2^53;
# a holdout takes u < FRAC, fold k = floor(u K).
# Writes cvcheck-folds.csv: for cvcheck-data.csv, the fold of each row (in
# file order) under --folds 5 for each of the three formulas of
# cvcheck-ref.R, seeds 1, 7 and 12345, and the held-out flag of
# --holdout 0.3 --seed 1 for the linear one.
import csv
import struct

M = (1 << 64) - 1


def mix64(z):
    z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M
    z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M
    return z ^ (z >> 31)


def unit(values, seed):
    """values: floats (numbers) and str (categories), in the formula's column order."""
    h = mix64((seed + 0x9e3779b97f4a7c15) & M)
    for v in values:
        if isinstance(v, str):
            b = v.encode()
            h = mix64(h ^ len(b) ^ 0x5bd1e9955bd1e995)
            for k in range(0, len(b), 8):
                h = mix64(h ^ int.from_bytes(b[k:k + 8], "little"))
        else:
            v = 0.0 if v == 0 else v
            h = mix64(h ^ struct.unpack("<Q", struct.pack("<d", v))[0])
    return (h >> 11) / float(1 << 53)


def fold(u, k):
    return int(u * k)


if __name__ == "__main__":
    rows = list(csv.DictReader(open("cvcheck-data.csv")))
    # the formulas' columns in order: response, then the predictors as written
    specs = [("linear", ["revenue", "price", "segment"], 1),
             ("logistic", ["bought", "price", "segment"], 7),
             ("poisson", ["qty", "price", "segment"], 12345)]
    out = open("cvcheck-folds.csv", "w")
    out.write("linear,logistic,poisson,holdout\n")
    for r in rows:
        f = []
        for _, cols, seed in specs:
            vals = [r[c] if c == "segment" else float(r[c]) for c in cols]
            f.append(str(fold(unit(vals, seed), 5)))
        vals = [r[c] if c == "segment" else float(r[c]) for c in specs[0][1]]
        f.append("1" if unit(vals, 1) < 0.3 else "0")
        out.write(",".join(f) + "\n")
