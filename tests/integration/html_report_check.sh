#!/usr/bin/env bash
# Renders wsload's HTML reports in headless Chromium and checks what a reader sees:
#   1. report A: `wsload run quick --spawn-target ... --html a.html` exits 0; report B: a run against a
#      wsload-target this script starts, with a wrong token, exits 1 (thresholds failed) and writes
#      b.html with every attempt failed as http_401;
#   2. Chromium's --dump-dom of A has per stage (<section>) the charts connections [open, target],
#      throughput [sent/s, received/s] and latency [p50, p90, p99, max] on a log axis
#      (data-scale="log", tick labels in µs/ms/s), each with >= 2 labelled y ticks and >= 3 time ticks,
#      series as <path d="M.. L.."> of at least 2 points; the distributions, push, agents and
#      thresholds tables and an errors-by-reason element; a probe copy of the page reports, from
#      inside the browser, that every path is an SVGPathElement of non-zero length;
#   3. B's DOM has the table errors-by-reason with the row http_401 and the count of the JSON report,
#      the bar chart errors-by-reason-chart with that bar, and the errors-over-time chart;
#   4. screenshots: A holds >200 pixels close to #1f77b4 and >400 close to the other series colours
#      (#d62728, #2ca02c, #ff7f0e, #9467bd) together; B holds >2000 pixels of the bar colour #d62728.
# Usage: html_report_check.sh BIN_DIR
# HTML_REPORT_CHECK_HTML=FILE checks FILE as report A and skips both runs and B (to show that the
# check can fail). HTML_REPORT_CHECK_KEEP=DIR copies the reports and screenshots there.
# Exits non-zero with a "FAIL:" line on the first failed check.
set -euo pipefail

BIN=${1:?usage: html_report_check.sh BIN_DIR}
PY=/usr/bin/python3
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
fail() { echo "FAIL: $*" >&2; exit 1; }

[[ -n "$CHROMIUM" ]] || fail "chromium not installed (apt-get install chromium)"
[[ -x "$PY" ]] || fail "$PY not found"

DIR=$(mktemp -d /tmp/wsload-html-check.XXXXXX)
TARGET_PID=
cleanup() {
  if [[ -n "$TARGET_PID" ]]; then kill "$TARGET_PID" 2>/dev/null || true; wait "$TARGET_PID" 2>/dev/null || true; fi
  rm -rf "$DIR"
}
trap cleanup EXIT

run_chromium() {  # run_chromium LOG ARGS... : headless Chromium, bounded to 60 s, isolated profile.
  local log=$1; shift
  if ! timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync \
      --user-data-dir="$DIR/profile" "$@" 2>"$log"; then
    tail -n 20 "$log" >&2
    fail "chromium $* failed or timed out"
  fi
}

# 1. Produce the reports.
RUN_ARGS=(--connections 20 --ramp-up 1s --duration 2s --message-interval 200ms --local-agents 1 -q)
if [[ -n "${HTML_REPORT_CHECK_HTML:-}" ]]; then
  cp "$HTML_REPORT_CHECK_HTML" "$DIR/a.html"
  echo "step 1: using given HTML $HTML_REPORT_CHECK_HTML as report A (runs and report B skipped)"
else
  [[ -x "$BIN/wsload" && -x "$BIN/wsload-target" ]] || fail "$BIN/wsload or wsload-target not found"
  if ! timeout 120 "$BIN/wsload" run quick --spawn-target "${RUN_ARGS[@]}" \
      --json "$DIR/a.json" --html "$DIR/a.html" >"$DIR/run_a.log" 2>&1; then
    tail -n 30 "$DIR/run_a.log" >&2
    fail "wsload run (report A) did not exit 0"
  fi
  [[ -s "$DIR/a.html" ]] || fail "wsload run exited 0 but wrote no HTML report"
  echo "step 1: report A: wsload run exited 0 and wrote $(wc -c <"$DIR/a.html") bytes of HTML"

  # Report B: a target with its own secret, and a token it did not sign.
  "$BIN/wsload-target" --listen 127.0.0.1:0 --jwt-secret "check-$$-$RANDOM" >"$DIR/target.out" 2>"$DIR/target.log" &
  TARGET_PID=$!
  PORT=
  for _ in $(seq 50); do
    PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$DIR/target.out")
    [[ -n "$PORT" ]] && break
    sleep 0.1
  done
  [[ -n "$PORT" ]] || fail "wsload-target did not say where it listens"
  rc=0
  timeout 120 "$BIN/wsload" run quick --url "ws://127.0.0.1:$PORT/ws" --token not-signed-by-the-target \
      "${RUN_ARGS[@]}" --json "$DIR/b.json" --html "$DIR/b.html" >"$DIR/run_b.log" 2>&1 || rc=$?
  kill "$TARGET_PID"; wait "$TARGET_PID" 2>/dev/null || true; TARGET_PID=
  if [[ $rc -ne 1 || ! -s "$DIR/b.html" ]]; then
    tail -n 30 "$DIR/run_b.log" >&2
    fail "wsload run with a wrong token exited $rc (expected 1, thresholds failed) or wrote no HTML"
  fi
  echo "step 1: report B: wsload run with a wrong token exited 1 and wrote $(wc -c <"$DIR/b.html") bytes of HTML"
fi

# 2a. The DOMs as Chromium parsed them.
run_chromium "$DIR/dump_a.log" --dump-dom "file://$DIR/a.html" >"$DIR/dom_a.html"
[[ -s "$DIR/dom_a.html" ]] || fail "chromium --dump-dom printed nothing"

# 2b. A probe copy: a script measures every chart path through the SVG DOM and records it as attributes.
"$PY" - "$DIR/a.html" "$DIR/probe.html" <<'PYEOF'
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

# The DOM parser shared by steps 2 and 3.
cat >"$DIR/dom.py" <<'PYEOF'
import sys
from html.parser import HTMLParser

SVG_NS = "http://www.w3.org/2000/svg"

def fail(msg):
    sys.exit("FAIL: " + msg)

class Dom(HTMLParser):
    """Per <section> (stage): its svg.chart elements (paths, bars, tick labels by axis) and its
    elements with an id (tag, attributes, text, and the rows of a table as lists of cell texts)."""
    def __init__(self):
        super().__init__()
        self.stages, self.chart, self.axis, self.text_into = [], None, None, None
        self.open_ids, self.row = [], None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            self.stages.append({"charts": [], "ids": {}})
            return
        if not self.stages:
            return
        stage = self.stages[-1]
        if tag == "svg" and "chart" in (a.get("class") or "").split():
            self.chart = {"id": a.get("id"), "scale": a.get("data-scale"), "ns": a.get("data-probe-ns"),
                          "paths": [], "bars": [], "ticks": {"x": [], "y": []}}
            stage["charts"].append(self.chart)
        elif tag == "g" and self.chart is not None and a.get("class") in ("x-axis", "y-axis"):
            self.axis = a.get("class")[0]
        elif tag == "path" and self.chart is not None:
            self.chart["paths"].append(a)
        elif tag == "g" and self.chart is not None and a.get("class") == "bar":
            self.chart["bars"].append(a)
        elif tag == "text" and self.axis and "tick" in (a.get("class") or "").split():
            self.text_into = self.chart["ticks"][self.axis]
            self.text_into.append("")
        if a.get("id"):
            el = {"tag": tag, "attrs": a, "text": "", "rows": []}
            stage["ids"][a["id"]] = el
            self.open_ids.append((tag, el))
        if tag == "tr" and self.open_ids:
            self.row = []
            self.open_ids[-1][1]["rows"].append(self.row)
        elif tag in ("td", "th") and self.row is not None:
            self.row.append("")
    def handle_endtag(self, tag):
        if tag == "svg":
            self.chart, self.axis = None, None
        elif tag == "g":
            self.axis = None
        elif tag == "text":
            self.text_into = None
        elif tag == "tr":
            self.row = None
        if self.open_ids and self.open_ids[-1][0] == tag:
            self.open_ids.pop()
    def handle_data(self, data):
        if self.text_into is not None:
            self.text_into[-1] += data
        for _, el in self.open_ids:
            el["text"] += data
        if self.row:
            self.row[-1] += data

def parse(path):
    d = Dom()
    d.feed(open(path, encoding="utf-8").read())
    if not d.stages:
        fail(f"{path}: dumped DOM has no stage <section>")
    return d.stages
PYEOF

"$PY" - "$DIR/dom_a.html" "$DIR/probe_dom.html" <<'PYEOF'
import re, sys
sys.path.insert(0, sys.argv[1].rsplit("/", 1)[0])
from dom import fail, parse, SVG_NS

EXPECTED = {"connections": ["open", "target"], "throughput": ["sent/s", "received/s"],
            "latency": ["p50", "p90", "p99", "max"]}
DURATION_TICK = re.compile(r"\d+(\.\d+)? (µs|ms|s)")
TIME_TICK = re.compile(r"\d+(\.\d+)?s|\d+m(\d+s)?")
PATH = re.compile(r"M-?[\d.]+,-?[\d.]+( [ML]-?[\d.]+,-?[\d.]+)+")

stages = parse(sys.argv[1])
total_paths = 0
for si, stage in enumerate(stages):
    suffix = "" if si == 0 else f"-{si + 1}"
    charts = {c["id"]: c for c in stage["charts"]}
    for name, expected in EXPECTED.items():
        chart = charts.get(name + suffix)
        if chart is None:
            fail(f"stage {si}: no svg.chart with id {name + suffix!r}; charts: {list(charts)}")
        names = [p.get("data-series") for p in chart["paths"]]
        if names != expected:
            fail(f"stage {si} chart {name!r}: series paths {names}, expected {expected}")
        for p in chart["paths"]:
            if not PATH.fullmatch(p.get("d") or ""):
                fail(f"stage {si} chart {name!r} series {p.get('data-series')!r}: d has fewer than "
                     f"2 points or is malformed: {(p.get('d') or '')[:80]!r}")
            total_paths += 1
        xt, yt = chart["ticks"]["x"], chart["ticks"]["y"]
        if len(xt) < 3 or not all(TIME_TICK.fullmatch(t) for t in xt):
            fail(f"stage {si} chart {name!r}: time ticks {xt}, expected >= 3 like '1s'")
        if len(yt) < 2:
            fail(f"stage {si} chart {name!r}: y ticks {yt}, expected >= 2")
        if name == "latency":
            if chart["scale"] != "log":
                fail(f"stage {si}: latency chart data-scale {chart['scale']!r}, expected 'log'")
            if not all(DURATION_TICK.fullmatch(t) for t in yt):
                fail(f"stage {si}: latency ticks {yt} are not durations with units (µs/ms/s)")
    ids = stage["ids"]
    for needed in ("errors-by-reason", "distributions", "push", "agents", "thresholds"):
        if needed + suffix not in ids:
            fail(f"stage {si}: no element with id {needed + suffix!r}")
    dist = [r[0] for r in ids["distributions" + suffix]["rows"][1:]]
    for row in ("latency (scheduled send to reply)", "service latency (actual send to reply)",
                "connect time (TCP connect to 101)"):
        if row not in dist:
            fail(f"stage {si}: distributions table rows {dist}, missing {row!r}")
    if len(ids["agents" + suffix]["rows"]) < 2:
        fail(f"stage {si}: agents table has no agent row")
print(f"step 2: report A has {len(stages)} stage(s) with the connections, throughput and log-scale "
      f"latency charts (ticks with units), {total_paths} series paths of >= 2 points, and the "
      f"errors, distributions, push, agents and thresholds sections")

probed = parse(sys.argv[2])
lengths = []
for si, stage in enumerate(probed):
    for chart in stage["charts"]:
        if chart["ns"] != SVG_NS:
            fail(f"stage {si} chart {chart['id']!r}: namespace {chart['ns']!r}, not SVG")
        for p in chart["paths"]:
            v = p.get("data-probe-len")
            try:
                length = float(v)
            except (TypeError, ValueError):
                fail(f"stage {si} chart {chart['id']!r} series {p.get('data-series')!r}: "
                     f"browser did not measure it as an SVG path ({v!r})")
            if length <= 0:
                fail(f"stage {si} chart {chart['id']!r} series {p.get('data-series')!r}: length {length}")
            lengths.append(length)
if len(lengths) < total_paths:
    fail(f"probe measured {len(lengths)} paths, DOM has {total_paths} series paths")
print(f"step 2: in the browser all {len(lengths)} paths are SVGPathElements, "
      f"lengths {min(lengths):.0f}..{max(lengths):.0f} px")
PYEOF

# 3. Report B: what failed and why.
if [[ -z "${HTML_REPORT_CHECK_HTML:-}" ]]; then
  run_chromium "$DIR/dump_b.log" --dump-dom "file://$DIR/b.html" >"$DIR/dom_b.html"
  "$PY" - "$DIR/dom_b.html" "$DIR/b.json" <<'PYEOF'
import json, sys
sys.path.insert(0, sys.argv[1].rsplit("/", 1)[0])
from dom import fail, parse

expected = json.load(open(sys.argv[2]))["connections"]["failures"].get("http_401", 0)
if expected == 0:
    fail(f"report B's JSON has no http_401 failures: {json.load(open(sys.argv[2]))['connections']['failures']}")
stage = parse(sys.argv[1])[0]
table = stage["ids"].get("errors-by-reason")
if table is None or table["tag"] != "table":
    fail("report B: no table with id errors-by-reason")
rows = [r for r in table["rows"] if len(r) >= 3 and r[1] == "http_401"]
if not rows or rows[0][2] != str(expected):
    fail(f"report B: errors-by-reason rows {table['rows']}, expected http_401 with {expected}")
chart = next((c for c in stage["charts"] if c["id"] == "errors-by-reason-chart"), None)
bars = {b.get("data-label"): b.get("data-count") for b in (chart or {"bars": []})["bars"]}
if bars.get("connection failed: http_401") != str(expected):
    fail(f"report B: errors-by-reason-chart bars {bars}, expected 'connection failed: http_401' {expected}")
if not any(c["id"] == "errors-over-time" for c in stage["charts"]):
    fail("report B: no errors-over-time chart")
print(f"step 3: report B lists http_401 {expected} in errors-by-reason (table and bar chart) "
      f"and draws errors over time")
PYEOF
fi

# 4. Pixels.
cat >"$DIR/png.py" <<'PYEOF'
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


def colour_counts(path, colours):
    width, height, ch, rows = decode_png(path)
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
    return width, height, coloured, counts
PYEOF

shoot() {  # shoot NAME: a.html -> a.png, 1280 px wide and tall enough for every chart
  run_chromium "$DIR/shot_$1.log" --screenshot="$DIR/$1.png" --window-size=1280,4000 "file://$DIR/$1.html" >/dev/null
  [[ -s "$DIR/$1.png" ]] || fail "chromium wrote no screenshot of report $1"
}
shoot a
"$PY" - "$DIR/a.png" <<'PYEOF'
import sys
sys.path.insert(0, sys.argv[1].rsplit("/", 1)[0])
from png import colour_counts, fail
colours = {"#1f77b4": (31, 119, 180), "#d62728": (214, 39, 40), "#2ca02c": (44, 160, 44),
           "#ff7f0e": (255, 127, 14), "#9467bd": (148, 103, 189)}
width, height, coloured, counts = colour_counts(sys.argv[1], colours)
summary = ", ".join(f"{k} {v}" for k, v in counts.items())
print(f"step 4: screenshot A {width}x{height}: {coloured} coloured pixels; close to series colours: {summary}")
if counts["#1f77b4"] <= 200:
    fail(f"only {counts['#1f77b4']} pixels close to #1f77b4 (open/p50 series); charts not drawn?")
# Later series are drawn over earlier ones (p99 under max, sent/s under received/s), so the other
# colours are checked together; each chart's topmost line is one of them.
others = sum(v for k, v in counts.items() if k != "#1f77b4")
if others <= 400:
    fail(f"only {others} pixels close to #d62728/#2ca02c/#ff7f0e/#9467bd; charts not drawn?")
PYEOF
if [[ -z "${HTML_REPORT_CHECK_HTML:-}" ]]; then
  shoot b
  "$PY" - "$DIR/b.png" <<'PYEOF'
import sys
sys.path.insert(0, sys.argv[1].rsplit("/", 1)[0])
from png import colour_counts, fail
width, height, coloured, counts = colour_counts(sys.argv[1], {"#d62728": (214, 39, 40)})
print(f"step 4: screenshot B {width}x{height}: {counts['#d62728']} pixels close to #d62728 (the http_401 bar)")
if counts["#d62728"] <= 2000:
    fail(f"only {counts['#d62728']} pixels close to #d62728: the errors-by-reason bar was not drawn")
PYEOF
fi

if [[ -n "${HTML_REPORT_CHECK_KEEP:-}" ]]; then
  mkdir -p "$HTML_REPORT_CHECK_KEEP"
  cp "$DIR"/*.html "$DIR"/*.png "$HTML_REPORT_CHECK_KEEP"/ 2>/dev/null || true
  cp "$DIR"/*.json "$HTML_REPORT_CHECK_KEEP"/ 2>/dev/null || true
fi

echo "PASS: HTML report charts and sections parsed as SVG/HTML and drawn by Chromium; errors by reason shown"
