#!/bin/sh
# tests/browser.sh - `make check-browser`: render pr-report's HTML in
# headless Chromium (Debian package chromium) and fail when a chart is
# missing or empty.  For each page: the DOM Chromium built must hold every
# chart (an <svg> with the marks drawn in it); then each chart is rendered
# alone to a PNG, and the PNG must show the chart's blue (#4a7ab5) in
# enough pixels to be bars, a curve or points.  PNGs are decoded with
# Python's standard library (zlib).  Last line: "N passed, N failed".
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/$BUILD/bin"
chrome=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chrome" ]; then
	echo "check-browser: chromium not found (install the Debian package chromium)" >&2
	exit 1
fi
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL browser: $*"; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT INT TERM

run_chrome() { # extra arguments...
	timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$scratch/profile" "$@" 2>/dev/null
}

cat >"$scratch/pages" <<'PAGES'
pricing|--by region --id id report-opt.csv|1
curves|-m report-model.json --curves 2 --by region report-opt.csv|5
scored|--label bought report-scored.csv|1
PAGES
while IFS='|' read -r name args charts; do
	page="$scratch/$name.html"
	# shellcheck disable=SC2086
	(cd "$top/testdata" && "$bin/pr-report" -f html -q $args >"$page") || { bad "$name: pr-report failed"; continue; }
	run_chrome --dump-dom "file://$page" >"$scratch/$name.dom"
	n=$(grep -o '<svg ' "$scratch/$name.dom" | wc -l)
	if [ "$n" -eq "$charts" ]; then ok; else bad "$name: the browser shows $n charts, want $charts"; fi
	# Split out each chart as a page of its own and render it.
	/usr/bin/python3 - "$page" "$scratch/$name" <<'PY'
import re, sys
s = open(sys.argv[1], encoding="utf-8").read()
head = s[:s.index("<body>") + len("<body>")]
for k, m in enumerate(re.finditer(r"<svg .*?</svg>", s, re.S)):
    with open("%s.chart%d.html" % (sys.argv[2], k), "w", encoding="utf-8") as f:
        f.write(head.replace("margin:2em auto", "margin:0") + m.group(0) + "</body></html>\n")
PY
	for chart in "$scratch/$name".chart*.html; do
		[ -f "$chart" ] || { bad "$name: no chart to render"; continue; }
		png="${chart%.html}.png"
		run_chrome --window-size=560,340 --screenshot="$png" "file://$chart" >/dev/null
		if [ ! -s "$png" ]; then bad "$(basename "$chart"): no screenshot"; continue; fi
		blue=$(/usr/bin/python3 - "$png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        bpp = {2: 3, 6: 4}[ctype]
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
stride = w * bpp
prev = bytearray(stride)
count = 0
for y in range(h):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(w):
        r, g, bl = line[x * bpp:x * bpp + 3]
        if abs(r - 0x4a) < 40 and abs(g - 0x7a) < 40 and abs(bl - 0xb5) < 40:
            count += 1
    prev = line
print(count)
PY
)
		if [ "${blue:-0}" -ge 100 ]; then ok; else bad "$(basename "$chart"): chart looks empty ($blue blue pixels)"; fi
	done
done <"$scratch/pages"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
