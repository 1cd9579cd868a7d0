#!/usr/bin/env bash
# Renders wsload's HTML report in headless Chromium and checks that the charts were drawn:
#   1. `wsload run quick --spawn-target ... --html r.html` exits 0;
#   2. Chromium's --dump-dom of r.html has exactly 3 <svg class="chart"> per stage (<section>), each with
#      the expected series as <path d="M.. L.."> of at least 2 points; a probe copy of the page reports,
#      from inside the browser, that every path is an SVGPathElement of non-zero length;
#   3. a --screenshot of the page holds >200 pixels close to #1f77b4 and >400 close to the other series
#      colours (#d62728, #2ca02c, #ff7f0e, #9467bd) together.
# Usage: html_report_check.sh BIN_DIR
# HTML_REPORT_CHECK_HTML=FILE skips step 1 and checks FILE instead (to show that the check can fail).
# Exits non-zero with a "FAIL:" line on the first failed check.
set -euo pipefail

BIN=${1:?usage: html_report_check.sh BIN_DIR}
PY=/usr/bin/python3
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
fail() { echo "FAIL: $*" >&2; exit 1; }

[[ -n "$CHROMIUM" ]] || fail "chromium not installed (apt-get install chromium)"
[[ -x "$PY" ]] || fail "$PY not found"

DIR=$(mktemp -d /tmp/wsload-html-check.XXXXXX)
trap 'rm -rf "$DIR"' EXIT

run_chromium() {  # run_chromium LOG ARGS... : headless Chromium, bounded to 60 s, isolated profile.
  local log=$1; shift
  if ! timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync \
      --user-data-dir="$DIR/profile" "$@" 2>"$log"; then
    tail -n 20 "$log" >&2
    fail "chromium $* failed or timed out"
  fi
}

# 1. Produce the report.
if [[ -n "${HTML_REPORT_CHECK_HTML:-}" ]]; then
  cp "$HTML_REPORT_CHECK_HTML" "$DIR/r.html"
  echo "step 1: using given HTML $HTML_REPORT_CHECK_HTML (wsload run skipped)"
else
  [[ -x "$BIN/wsload" ]] || fail "$BIN/wsload not found"
  if ! timeout 120 "$BIN/wsload" run quick --spawn-target --connections 20 --ramp-up 1s --duration 2s \
      --message-interval 200ms --local-agents 1 -q --json "$DIR/r.json" --html "$DIR/r.html" >"$DIR/run.log" 2>&1; then
    tail -n 30 "$DIR/run.log" >&2
    fail "wsload run did not exit 0"
  fi
  [[ -s "$DIR/r.html" ]] || fail "wsload run exited 0 but wrote no HTML report"
  echo "step 1: wsload run exited 0 and wrote $(wc -c <"$DIR/r.html") bytes of HTML"
fi

# 2a. The DOM as Chromium parsed it.
run_chromium "$DIR/dump.log" --dump-dom "file://$DIR/r.html" >"$DIR/dom.html"
[[ -s "$DIR/dom.html" ]] || fail "chromium --dump-dom printed nothing"

# 2b. A probe copy: a script measures every chart path through the SVG DOM and records it as attributes.
"$PY" - "$DIR/r.html" "$DIR/probe.html" <<'PYEOF'
import sys
page = open(sys.argv[1], encoding="utf-8").read()
probe = """<script>
for (const svg of document.querySelectorAll('svg.chart')) {
  svg.setAttribute('data-probe-ns', svg.namespaceURI);
  for (const p of svg.querySelectorAll('path')) {
    const ok = p instanceof SVGPathElement;
    p.setAttribute('data-probe-len', ok ? p.getTotalLength().toFixed(1) : 'not-svg');
  }
}
</script>"""
if "</body>" not in page:
    sys.exit("FAIL: report has no </body>")
open(sys.argv[2], "w", encoding="utf-8").write(page.replace("</body>", probe + "</body>", 1))
PYEOF
run_chromium "$DIR/probe.log" --dump-dom "file://$DIR/probe.html" >"$DIR/probe_dom.html"

"$PY" - "$DIR/dom.html" "$DIR/probe_dom.html" <<'PYEOF'
import re, sys
from html.parser import HTMLParser

EXPECTED = [["open", "target"], ["sent/s", "received/s"], ["p50", "p99", "max"]]
SVG_NS = "http://www.w3.org/2000/svg"

class Charts(HTMLParser):
    """Collects, per <section> (stage), its svg.chart elements and their <path> attributes."""
    def __init__(self):
        super().__init__()
        self.stages, self.chart = [], None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            self.stages.append([])
        elif tag == "svg" and "chart" in (a.get("class") or "").split():
            if not self.stages:
                sys.exit("FAIL: svg.chart outside any <section>")
            self.chart = {"label": a.get("aria-label"), "ns": a.get("data-probe-ns"), "paths": []}
            self.stages[-1].append(self.chart)
        elif tag == "path" and self.chart is not None:
            self.chart["paths"].append(a)
    def handle_endtag(self, tag):
        if tag == "svg":
            self.chart = None

def parse(path):
    p = Charts()
    p.feed(open(path, encoding="utf-8").read())
    return p.stages

def fail(msg):
    sys.exit("FAIL: " + msg)

stages = parse(sys.argv[1])
if not stages:
    fail("dumped DOM has no stage <section>")
total_paths = 0
for si, charts in enumerate(stages):
    if len(charts) != 3:
        fail(f"stage {si}: {len(charts)} svg charts in the DOM, expected exactly 3")
    for chart, expected in zip(charts, EXPECTED):
        names = [p.get("data-series") for p in chart["paths"]]
        if names != expected:
            fail(f"stage {si} chart {chart['label']!r}: series paths {names}, expected {expected}")
        for p in chart["paths"]:
            d = p.get("d") or ""
            if not re.fullmatch(r"M-?[\d.]+,-?[\d.]+( L-?[\d.]+,-?[\d.]+)+", d):
                fail(f"stage {si} chart {chart['label']!r} series {p.get('data-series')!r}: "
                     f"d has fewer than 2 points or is malformed: {d[:80]!r}")
            total_paths += 1
print(f"step 2: DOM has {len(stages)} stage(s) x 3 svg charts, {total_paths} series paths, each with >= 2 points")

probed = parse(sys.argv[2])
lengths = []
for si, charts in enumerate(probed):
    for chart in charts:
        if chart["ns"] != SVG_NS:
            fail(f"stage {si} chart {chart['label']!r}: namespace {chart['ns']!r}, not SVG")
        for p in chart["paths"]:
            v = p.get("data-probe-len")
            try:
                length = float(v)
            except (TypeError, ValueError):
                fail(f"stage {si} chart {chart['label']!r} series {p.get('data-series')!r}: "
                     f"browser did not measure it as an SVG path ({v!r})")
            if length <= 0:
                fail(f"stage {si} chart {chart['label']!r} series {p.get('data-series')!r}: length {length}")
            lengths.append(length)
if len(lengths) != total_paths:
    fail(f"probe measured {len(lengths)} paths, DOM has {total_paths}")
print(f"step 2: in the browser all {len(lengths)} paths are SVGPathElements, "
      f"lengths {min(lengths):.0f}..{max(lengths):.0f} px")
PYEOF

# 3. Pixels.
run_chromium "$DIR/shot.log" --screenshot="$DIR/shot.png" --window-size=1000,1400 "file://$DIR/r.html" >/dev/null
[[ -s "$DIR/shot.png" ]] || fail "chromium wrote no screenshot"

"$PY" - "$DIR/shot.png" <<'PYEOF'
import struct, sys, zlib

def fail(msg):
    sys.exit("FAIL: " + msg)

def decode_png(path):
    """8-bit RGB/RGBA (and grey) non-interlaced PNG -> (width, height, channels, rows of bytes)."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("screenshot is not a PNG")
    pos, idat, hdr = 8, [], None
    while pos < len(data):
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if ctype == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif ctype == b"IDAT":
            idat.append(body)
        elif ctype == b"IEND":
            break
    width, height, depth, color, _, _, interlace = hdr
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(color)
    if depth != 8 or channels is None or interlace != 0:
        fail(f"unsupported PNG: depth {depth}, colour type {color}, interlace {interlace}")
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            elif f != 0:
                fail(f"bad PNG filter {f}")
        rows.append(line)
        prev = line
    return width, height, channels, rows

width, height, ch, rows = decode_png(sys.argv[1])
colours = {"#1f77b4": (31, 119, 180), "#d62728": (214, 39, 40), "#2ca02c": (44, 160, 44),
           "#ff7f0e": (255, 127, 14), "#9467bd": (148, 103, 189)}
counts = dict.fromkeys(colours, 0)
coloured = 0
for row in rows:
    for x in range(width):
        px = row[x * ch:x * ch + 3] if ch >= 3 else bytes([row[x * ch]] * 3)
        r, g, b = px[0], px[1], px[2]
        if max(r, g, b) - min(r, g, b) < 24:
            continue  # white, #fafafa chart background, greys and black text
        coloured += 1
        for name, (cr, cg, cb) in colours.items():
            if abs(r - cr) <= 40 and abs(g - cg) <= 40 and abs(b - cb) <= 40:
                counts[name] += 1
summary = ", ".join(f"{k} {v}" for k, v in counts.items())
print(f"step 3: screenshot {width}x{height}: {coloured} coloured pixels; close to series colours: {summary}")
if counts["#1f77b4"] <= 200:
    fail(f"only {counts['#1f77b4']} pixels close to #1f77b4 (open/p50 series); charts not drawn?")
# Later series are drawn over earlier ones (p99 under max, sent/s under received/s), so the other
# colours are checked together; each chart's topmost line is one of them.
others = sum(v for k, v in counts.items() if k != "#1f77b4")
if others <= 400:
    fail(f"only {others} pixels close to #d62728/#2ca02c/#ff7f0e/#9467bd; charts not drawn?")
PYEOF

echo "PASS: HTML report charts parsed as SVG and drawn by Chromium"
