#!/usr/bin/python3
# optimize-ref.py - independent check of the pr-optimize e2e outputs on
# optimize-logit.json / optimize-cands.csv / optimize-offers.csv: the logit
# optimum by the Lambert W closed form (scipy), offers by substituting the
# price paid, ladders by enumerating every allowed point.  Run once by hand
# (python3 optimize-ref.py); it prints the expected opt_price, offer and
# profit per row, compared with the stored stdout of the cases.
import math
from scipy.special import lambertw

coef = dict(b0=2, price=-0.5, loyalty=0.3, discount=2, segb=0.2, segc=0.7)
rows = [("r1", "a", 0, 10, 4), ("r2", "a", 5, 10, 4), ("r3", "b", 2, 12, 3),
        ("r4", "c", 1, 10, 4), ("r5", "a", 0, 8, 1)]
offers = [("10PCT", 0.9, 0, 0.1, 0.5), ("2OFF", 1, 2, 0.1, 0.25)]

def parts(seg, loy, disc):
    a = coef["b0"] + coef["loyalty"] * loy + coef["discount"] * disc
    b = -(coef["price"] + (coef["segb"] if seg == "b" else coef["segc"] if seg == "c" else 0))
    return a, b

def opt(a, b, c):  # max (p - c) / (1 + exp(-(a - b p)))
    return c + (1 + lambertw(math.exp(a - b * c - 1)).real) / b

def P(a, b, p):
    return 1 / (1 + math.exp(-(a - b * p)))

print("continuous, no offers")
for rid, seg, loy, today, cost in rows:
    a, b = parts(seg, loy, 0)
    if b <= 0:
        print(rid, "increasing_demand", today); continue
    p = opt(a, b, cost)
    lo, hi = max(today / 3, cost), today * 3
    p = min(max(p, lo), hi)
    print(rid, repr(p), (p - cost) * P(a, b, p))

print("offers")
for rid, seg, loy, today, cost in rows:
    a, b = parts(seg, loy, 0)
    if b <= 0:
        print(rid, "increasing_demand"); continue
    lo, hi = max(today / 3, cost), today * 3
    best = ("", min(max(opt(a, b, cost), lo), hi))
    bestf = (best[1] - cost) * P(a, b, best[1])
    for oid, pa, pb, ocost, promo in offers:
        a2, _ = parts(seg, loy, promo)
        # in the price paid x = pa p - pb: eta = a2 - b (x + pb)/pa
        ax, bx = a2 - b * pb / pa, b / pa
        x = min(max(opt(ax, bx, cost + ocost), lo), hi)
        f = (x - cost - ocost) * P(ax, bx, x)
        if f > bestf:
            best, bestf = (oid, (x + pb) / pa), f
    print(rid, best[0], repr(best[1]), bestf)

print("ending .99, max-change 0.2")
for rid, seg, loy, today, cost in rows:
    a, b = parts(seg, loy, 0)
    if b <= 0:
        print(rid, "increasing_demand"); continue
    lo, hi = max(today * 0.8, cost), today * 1.2
    pts = [k + 0.99 for k in range(0, 100) if lo <= k + 0.99 <= hi]
    p = max(pts, key=lambda q: (q - cost) * P(a, b, q))
    print(rid, p, (p - cost) * P(a, b, p))

print("capacity 0.6 by segment (segment a binds: shadow price by brentq)")
from scipy.optimize import brentq
seg_a = [(2, 0.5, 4, 10), (3.5, 0.5, 4, 10), (2, 0.5, 1, 8)]   # a, b, cost, today
def price_at(a, b, c, today, lam):
    return min(max(opt(a, b, c + lam), max(c, today / 3)), today * 3)
lam = brentq(lambda l: sum(P(a, b, price_at(a, b, c, t, l)) for a, b, c, t in seg_a) - 0.6,
             0, 100, xtol=1e-14)
print("shadow price", repr(lam), [price_at(a, b, c, t, lam) for a, b, c, t in seg_a])
