# report-json-check.py - independent check of the sums in
# cases/report-json/stdout (pr-report -f json on report-opt.csv) with
# Python's correctly rounded math.fsum.  Run in testdata/:
#     python3 report-json-check.py     (prints "mismatches: 0")
import csv, json, math
rows = list(csv.DictReader(open("report-opt.csv")))
js = json.load(open("cases/report-json/stdout"))
S = js["summary"]
cols = ["base_demand", "base_revenue", "base_profit", "exp_demand", "exp_revenue", "exp_profit"]
def fs(col, rs=rows):
    return math.fsum(float(r[col]) for r in rs)
bad = 0
for k in cols:
    if fs(k) != S[k]:
        print("summary", k, fs(k), S[k]); bad += 1
lift = fs("exp_profit") - fs("base_profit")
if lift != S["lift"] or lift / abs(fs("base_profit")) != S["lift_rel"]:
    print("lift", lift, S["lift"]); bad += 1
for g in js["by_group"]:
    rs = [r for r in rows if r["region"] == g["group"]]
    for k in cols:
        if fs(k, rs) != g[k]:
            print(g["group"], k, fs(k, rs), g[k]); bad += 1
    if g["rows"] != len(rs):
        bad += 1
ch = [(float(r["opt_price"]) - float(r["price"])) / float(r["price"]) for r in rows]
if math.fsum(ch) / len(ch) != js["changes"]["mean_change"]:
    print("mean change", math.fsum(ch) / len(ch)); bad += 1
print("mismatches:", bad)
