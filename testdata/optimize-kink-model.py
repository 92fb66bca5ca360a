# Writes optimize-kink-model.json: a logistic model of a loss-averse
# reference-price effect, bought ~ I(log(price/ref)) + pmax(log(price/ref), 0),
# with the coefficients 0, -2, -6 set by hand (the file's other fields come
# from a pr-train run on optimize-kink-train.csv).  With cost 5 and ref 10
# the profit (p - 5) plogis(eta) rises up to p = 10 (right-hand slope
# 0.5 - 0.125 * 2 > 0 on the left) and falls after it (0.5 - 0.125 * 8 < 0),
# so the optimum is the kink, p = 10 exactly, with profit 5 * 0.5 = 2.5.
# Run in testdata/:
#   pr-train -q --family logistic -f 'bought ~ I(log(price/ref)) + pmax(log(price/ref), 0)' \
#       -o optimize-kink-model.json optimize-kink-train.csv > /dev/null
#   python3 optimize-kink-model.py
import json
m = json.load(open("optimize-kink-model.json"))
for c, b in zip(m["coefficients"], [0.0, -2.0, -6.0]):
    c["estimate"] = b
json.dump(m, open("optimize-kink-model.json", "w"), indent=1)
