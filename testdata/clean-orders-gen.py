#!/usr/bin/python3
# clean-orders-gen.py - writes clean-orders.csv, the dirty order history the
# pr-clean tests and examples use: prices with currency symbols and
# thousands separators, missing-value spellings, dates in many spellings,
# duplicates, rows of the wrong width, quoted fields with commas, quotes and
# newlines, CRLF line ends.  Fixed seed: run it again and the file is the
# same.  Usage: python3 clean-orders-gen.py > clean-orders.csv
import csv
import datetime
import random
import sys

rng = random.Random(20261124)
items = {"I01": 6.50, "I02": 12.00, "I03": 34.00, "I04": 19.90, "I05": 89.00,
         "I06": 4.25, "I07": 29.00, "I08": 39.00, "I09": 15.00, "I10": 11.00,
         "I11": 249.00, "I12": 1299.00}
date_fmts = ["%Y-%m-%d"] * 6 + ["%Y/%m/%d", "%d.%m.%Y", "%d %b %Y", "%b %d, %Y",
                                  "%Y%m%d", "%Y-%m-%dT%H:%M:%S", "%d-%b-%Y", "%B %d %Y"]
missing = ["NA", "N/A", "null", "-", "", "NULL", "NaN", " NA "]
notes = ["", "", "", "", "", "", "gift, wrapped", "call before\ndelivery",
         'said "leave at door"', "  ", "n/a"]
header = ["order_id", "customer_id", "item_id", "date", "price", "list_price",
          "quantity", "discount", "segment", "bought", "note"]
rows = []
for i in range(200):
    item = rng.choice(sorted(items))
    lp = items[item]
    disc = rng.choice([0, 0, 0, 0.1, 0.15, 0.2])
    price = round(lp * (1 - disc) * rng.uniform(0.9, 1.1), 2)
    day = datetime.date(2026, 1, 1) + datetime.timedelta(days=rng.randrange(0, 327))
    stamp = datetime.datetime(day.year, day.month, day.day, rng.randrange(24), rng.randrange(60), 0)
    date = stamp.strftime(rng.choice(date_fmts))
    r = rng.random()
    if r < 0.05:
        p = rng.choice(missing)
    elif r < 0.25:
        p = "${:,.2f}".format(price)
    elif r < 0.30:
        p = " {:.2f} ".format(price)
    elif r < 0.35:
        p = "{:.4f}".format(price)
    elif r < 0.40:
        p = "\u20ac{:,.2f}".format(price)
    else:
        p = "{:.2f}".format(price)
    lps = rng.choice(["{:.2f}", "{:.2f}", "${:,.2f}", "{:g}"]).format(lp)
    q = rng.choice(["1", "1", "1", "2", "3", "2.0", "+1", "01", "-", "NA", "1,200"])
    if disc == 0:
        d = rng.choice(["0", "0", "0%", "", "N/A"])
    else:
        d = rng.choice(["{:g}".format(disc), "{:g}%".format(disc * 100),
                        "{:g} %".format(disc * 100)])
    seg = rng.choice(["new", "regular", "regular", "vip", "null", "VIP"])
    bought = rng.choice(["1", "0", "yes", "no", "Y", "N", "true", "False", "0", "1"])
    rows.append([str(5001 + i), "C%03d" % rng.randrange(1, 41), item, date, p, lps, q, d,
                 seg, bought, rng.choice(notes)])

# The dirt that needs a reason: each goes in at a fixed place.
rows[17][4] = "12,5O"                       # not a number
rows[23][3] = "2026-02-30"                  # no such date
rows[41][3] = "03/04/2026"                  # ambiguous without --date-order
rows[58][6] = "two"                         # not a whole number
rows[77][9] = "maybe"                       # not a yes/no value
rows[90] = rows[90][:6]                     # too few fields
rows[120] = rows[120] + ["extra"]           # too many fields
rows[133] = rows[133] + [""]                # one empty field too many (--pad drops it)
rows[150][8] = "  vip  "                    # text keeps its spaces
rows[160][4] = "$1,234.50"                  # the classic
rows[161][4] = "(5.00)"                     # accounting negative: not read
dups = [list(rows[5]), list(rows[60]), list(rows[61]), list(rows[99])]   # exact duplicates
rekey = list(rows[30])
rekey[1] = "C039"                           # same order_id, other content
rows[70:70] = [dups[0]]
rows[110:110] = [dups[1], dups[2]]
rows[180:180] = [dups[3], rekey]

out = csv.writer(sys.stdout, lineterminator="\r\n")
out.writerow(header)
for r in rows:
    out.writerow(r)
