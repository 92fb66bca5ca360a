#!/usr/bin/python3
# clean-orders-ref.py - an independent reference for the pr-clean case
# clean-orders: the cleaning of clean-orders.csv by
#   pr-clean --num price,list_price --int quantity --date date --bool bought
#            --percent discount --dedupe-key order_id
# written from the man page with Python's csv, re, datetime and decimal
# (no code shared with pr-clean).  Prints the expected standard output, and
# the summary line on standard error.  Numbers are printed with repr(), the
# shortest text that reads back to the same double.
# Usage: python3 clean-orders-ref.py < clean-orders.csv
import csv
import datetime
import re
import sys

MISSING = {"NA", "N/A", "n/a", "na", "#N/A", "null", "NULL", "Null", "NaN", "nan",
           "None", "none", "-"}
NUM = re.compile(r"^([-+]?)(?:\$|\u20ac|\u00a3|\u00a5)? *([-+]?)"
                 r"(\d{1,3}(?:,\d{3})+|\d*)(\.\d*)?((?<!,\d{3})[eE][-+]?\d+)?"
                 r" *(%?) *(?:\$|\u20ac|\u00a3|\u00a5)?$")


class Bad(Exception):
    pass


def num(s, percent):
    m = NUM.match(s)
    if not m or (m.group(1) and m.group(2)):
        raise Bad("not a number")
    intpart, frac = m.group(3).replace(",", ""), m.group(4) or ""
    if not intpart and len(frac) < 2:
        raise Bad("not a number")
    if m.group(6) and not percent:
        raise Bad("not a number")
    x = float((m.group(1) or m.group(2)) + (intpart or "0") + frac + (m.group(5) or ""))
    if m.group(6):
        x /= 100
    return fmt(x)


def fmt(x):
    if x == int(x) and abs(x) < 1e16:
        return str(int(x))
    return repr(x)


def whole(s):
    m = re.match(r"^([-+]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.0*)?$", s)
    if not m:
        raise Bad("not a whole number")
    digits = m.group(2).replace(",", "").lstrip("0") or "0"
    return ("-" if m.group(1) == "-" and digits != "0" else "") + digits


def date(s):
    if re.match(r"^\d{1,2}[/-]\d{1,2}[/-]\d{4}$", s):
        raise Bad("ambiguous date (day or month first? use --date-order)")
    for f in ("%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%d %b %Y", "%b %d, %Y", "%Y%m%d",
              "%Y-%m-%dT%H:%M:%S", "%d-%b-%Y", "%B %d %Y", "%b %d %Y"):
        try:
            return datetime.datetime.strptime(s, f).date().isoformat()
        except ValueError:
            pass
    if re.match(r"^\d{4}-\d{2}-\d{2}$", s):
        raise Bad("no such date")
    raise Bad("not a date")


def yesno(s):
    s = s.lower()
    if s in ("1", "true", "yes", "y", "t", "on"):
        return "1"
    if s in ("0", "false", "no", "n", "f", "off"):
        return "0"
    raise Bad("not a yes/no value")


def quote(f):
    return '"' + f.replace('"', '""') + '"' if re.search('[",\r\n]', f) else f


rows = list(csv.reader(sys.stdin))
header, data = rows[0], rows[1:]
col = {n: i for i, n in enumerate(header)}
types = {"price": lambda s: num(s, False), "list_price": lambda s: num(s, False),
         "quantity": whole, "date": date, "bought": yesno,
         "discount": lambda s: num(s, True)}
seen, reasons, out = set(), {}, [",".join(header)]
for r in data:
    try:
        if len(r) != len(header):
            raise Bad("%s fields (expected %d)" % ("too many" if len(r) > len(header)
                                                   else "too few", len(header)))
        r = ["" if f.strip(" \t") in MISSING or not f.strip(" \t") else f for f in r]
        for name, conv in types.items():
            i = col[name]
            if r[i]:
                try:
                    r[i] = conv(r[i].strip(" \t"))
                except Bad as e:
                    raise Bad('column "%s": %s' % (name, e))
        if r[col["order_id"]] in seen:
            raise Bad("duplicate key")
        seen.add(r[col["order_id"]])
        out.append(",".join(quote(f) for f in r))
    except Bad as e:
        reasons[str(e)] = reasons.get(str(e), 0) + 1
sys.stdout.write("\n".join(out) + "\n")
n_rej = sum(reasons.values())
print("pr-clean: clean-orders.csv: %d rows in, %d out, %d rejected (%s)" % (
    len(data), len(out) - 1, n_rej, "; ".join("%d %s" % (n, k) for k, n in reasons.items())),
    file=sys.stderr)
