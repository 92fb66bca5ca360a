#!/bin/sh
# tests/browser.sh - `make check-browser`: render pr-report's HTML in
# headless Chromium (Debian package chromium) at a phone's width (390
# pixels) and a desktop's (1280), and check the layout the browser computed,
# not the page's source: a script added to a copy of each page measures
# every element with getBoundingClientRect and writes what it found into
# the DOM, which Chromium dumps (--dump-dom).  Checked, at each width:
#   - the page does not scroll sideways (wide tables scroll in their box);
#   - every chart is drawn (its <svg> has a size, bars, a curve or points in it);
#   - no text of a chart leaves the chart or overlaps another text of it;
#   - no two blocks of the page (headings, lists, tables, charts) overlap.
# Screenshots of every page at both widths are kept in $BUILD/browser/.
# Last line: "N passed, N failed".
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/$BUILD/bin"
shots="$top/$BUILD/browser"
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
mkdir -p "$shots"

run_chrome() { # extra arguments...
	timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--hide-scrollbars --user-data-dir="$scratch/profile" "$@" 2>/dev/null
}

# Many groups with long names: the lift chart keeps 25 and cuts the names,
# the by-group table scrolls inside its box.
LC_ALL=C awk 'BEGIN {
	print "store,price,opt_price,exp_demand,exp_revenue,exp_profit,base_demand,base_revenue,base_profit,binding,status"
	for (i = 1; i <= 40; i++) {
		p = 2 + i / 10; o = p * (0.8 + (i % 9) / 20)
		printf "Store number %d on the very long high street of somewhere,%g,%g,%g,%g,%g,%g,%g,%g,none,ok\n", \
		    i, p, o, 100 * i, 100 * i * o, 1000 * i * (o - 1.5) / 10, 110 * i, 110 * i * p, 110 * i * (p - 1.5)
	}
}' >"$scratch/many.csv"

# Elasticities by group with intervals: three segments, then the same with
# names too long for the label column (cut, the whole name in the tooltip).
"$bin/pr-train" -q --family logistic -f 'bought ~ price * segment' -o "$scratch/elast.json" \
	"$top/testdata/elast-train.csv" >/dev/null
long='s/^\([^,]*,\)\{0,1\}\([abc]\),/\1Customers of segment \2 who shop on weekday evenings,/'
sed "$long" "$top/testdata/elast-train.csv" >"$scratch/elast-long-train.csv"
sed "$long" "$top/testdata/elast-opt.csv" >"$scratch/elast-long.csv"
"$bin/pr-train" -q --family logistic -f 'bought ~ price * segment' -o "$scratch/elast-long.json" \
	"$scratch/elast-long-train.csv" >/dev/null

# The measuring page: the report in an <iframe> as wide as the device
# (headless Chromium's window is never narrower than 500 pixels), and a
# script that measures the report's layout once everything has loaded.
cat >"$scratch/measure.js" <<'JS'
function measure(win, doc) {
  var out = [], W = win.innerWidth;
  function r(e) { return e.getBoundingClientRect(); }
  function meet(a, b, slack) {
    return Math.min(a.right, b.right) - Math.max(a.left, b.left) > slack &&
      Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > slack;
  }
  function name(e) { return (e.textContent || e.tagName).trim().slice(0, 40); }
  out.push('width ' + W);
  out.push('height ' + doc.documentElement.scrollHeight);
  if (doc.documentElement.scrollWidth - W > 1)
    out.push('FAIL the page is ' + doc.documentElement.scrollWidth + ' pixels wide at ' + W);
  var svgs = doc.querySelectorAll('svg');
  out.push('charts ' + svgs.length);
  svgs.forEach(function (svg, k) {
    var b = r(svg), texts = Array.prototype.slice.call(svg.querySelectorAll('text'));
    if (b.width - 50 < 0 || b.height - 50 < 0) out.push('FAIL chart ' + k + ' is not drawn');
    if (svg.querySelectorAll('rect.bar, rect.neg, polyline.curve, circle.dot, circle.pt').length === 0)
      out.push('FAIL chart ' + k + ' has no marks');
    if (b.right - W - 1 > 0) out.push('FAIL chart ' + k + ' passes the window');
    texts.forEach(function (t, i) {
      var a = r(t);
      if (a.left - b.left + 1 < 0 || b.right - a.right + 1 < 0 || a.top - b.top + 1 < 0 ||
          b.bottom - a.bottom + 1 < 0)
        out.push('FAIL chart ' + k + ': "' + name(t) + '" leaves the chart');
      for (var j = 0; j - i < 0; j++)
        if (meet(a, r(texts[j]), 0.5))
          out.push('FAIL chart ' + k + ': "' + name(t) + '" overlaps "' + name(texts[j]) + '"');
    });
  });
  var blocks = Array.prototype.slice.call(doc.querySelectorAll(
    'body > h1, body > h2, body > h3, body > p, body > ul, body > div, body > figure, body > details'));
  blocks.forEach(function (e, i) {
    var a = r(e);
    if (a.width === 0 || a.height === 0) return;
    if (a.right - W - 1 > 0) out.push('FAIL "' + name(e) + '" passes the window');
    for (var j = 0; j - i < 0; j++) {
      var c = r(blocks[j]);
      if (c.width !== 0 && c.height !== 0 && meet(a, c, 1))
        out.push('FAIL "' + name(e) + '" overlaps "' + name(blocks[j]) + '"');
    }
  });
  var pre = document.createElement('pre');
  pre.id = 'layout-result';
  pre.textContent = out.join('\n');
  document.body.appendChild(pre);
}
JS

host() { # page width height measure(0/1) > host page
	printf '<!DOCTYPE html>\n<html><head><meta charset="utf-8"/><style>body{margin:0;background:#ccc}iframe{border:0;background:#fff;display:block}</style></head><body>\n'
	printf '<iframe id="f" src="%s" style="width:%spx;height:%spx"></iframe>\n' "$1" "$2" "$3"
	if [ "$4" = 1 ]; then
		printf '<script>\n'
		cat "$scratch/measure.js"
		printf 'window.addEventListener("load", function () { var f = document.getElementById("f"); measure(f.contentWindow, f.contentDocument); });\n</script>\n'
	fi
	printf '</body></html>\n'
}

# name | arguments (run in testdata/; MANY is the generated file) | charts
cat >"$scratch/pages" <<'PAGES'
pricing|--by region --id id report-opt.csv|2
curves|-m report-model.json --curves 3 --by region report-opt.csv|9
ounce|--by store --currency $ --title Orange-juice-per-ounce --audit segment report-ounce.csv|2
many|--by store --currency EUR --top 3 --title Forty-stores-with-long-names MANY|2
scored|--label bought report-scored.csv|1
bytes|--by region --id region report-bytes.csv|2
ope|--ope new_price --outcome bought --cost cost report-ope.csv|0
ab|--ab arm --outcome bought --cost cost --currency $ report-ab.csv|0
elast|--by segment -m ELAST elast-opt.csv|3
elast-long|--by segment -m LONGMODEL LONG|3
PAGES
while IFS='|' read -r name args charts; do
	page="$scratch/$name.html"
	args=$(printf '%s' "$args" | sed "s|MANY|$scratch/many.csv|; s|ELAST|$scratch/elast.json|;
		s|LONGMODEL|$scratch/elast-long.json|; s|LONG|$scratch/elast-long.csv|")
	# shellcheck disable=SC2086
	(cd "$top/testdata" && "$bin/pr-report" -f html -q $args >"$page") || { bad "$name: pr-report failed"; continue; }
	for view in phone:390 desktop:1280; do
		vname=${view%%:*}
		width=${view#*:}
		host "$name.html" "$width" 900 1 >"$scratch/$name.$vname.host.html"
		run_chrome --allow-file-access-from-files --window-size="$((width + 20)),900" \
			--dump-dom "file://$scratch/$name.$vname.host.html" >"$scratch/$name.$vname.dom"
		result=$(/usr/bin/python3 - "$scratch/$name.$vname.dom" <<'PY'
import html, re, sys
s = open(sys.argv[1], encoding="utf-8", errors="replace").read()
m = re.search(r'<pre id="layout-result">(.*?)</pre>', s, re.S)
print(html.unescape(m.group(1)) if m else "FAIL the page did not measure itself")
PY
)
		got_width=$(printf '%s\n' "$result" | sed -n 's/^width //p')
		height=$(printf '%s\n' "$result" | sed -n 's/^height //p')
		n=$(printf '%s\n' "$result" | sed -n 's/^charts //p')
		if [ "$got_width" = "$width" ]; then ok; else bad "$name/$vname: the page is ${got_width:-?} pixels wide, want $width"; fi
		if [ "${n:-0}" -eq "$charts" ]; then ok; else bad "$name/$vname: ${n:-no} charts, want $charts"; fi
		faults=$(printf '%s\n' "$result" | grep '^FAIL' || true)
		if [ -z "$faults" ]; then
			ok
		else
			printf '%s\n' "$faults" | head -10 | sed "s|^FAIL|FAIL browser: $name/$vname:|"
			failed=$((failed + 1))
		fi
		# The screenshot of the whole page (as tall as it is, up to 16000 pixels).
		height=${height:-900}
		[ "$height" -gt 16000 ] && height=16000
		host "$name.html" "$width" "$height" 0 >"$scratch/$name.$vname.shot.html"
		run_chrome --window-size="$width,$height" --screenshot="$shots/$name-$vname.png" \
			"file://$scratch/$name.$vname.shot.html" >/dev/null
		if [ -s "$shots/$name-$vname.png" ]; then ok; else bad "$name/$vname: no screenshot"; fi
	done
done <"$scratch/pages"
echo "screenshots: $shots"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
