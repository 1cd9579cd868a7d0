"""The --web live dashboard in a real headless Chromium, driven over the DevTools protocol.

A real run (wsload, one local agent, a wsload-target capped below the run's connections so that
some fail by reason) serves the dashboard; Chromium opens it. Checks, while the run goes on:
  - the page's figures (DOM) equal those of the /api/live answer the page drew, and that answer
    agrees with an independent GET /api/live taken just after it (same stage, counters not ahead);
  - the figures and the charts change from one sample to the next (the page updates itself);
  - the charts are drawn: a path per series with points, y ticks with units, a log latency axis;
  - the thresholds are evaluated live, errors by reason (the target refuses some connections with
    503) are the rows of /api/live, and sent/s is the last point's count over its second;
and after the run: the verdict of the JSON report shows on the page, the final report is framed
from /report, and /api/live says finished with the same verdict and exit code. The finished page fits a
390 px phone screen. Screenshots of the running page, the finished one and the phone view are
written for a person to look at ($WEB_DASHBOARD_SHOTS or the work directory).

Usage: web_dashboard_check.py BIN_DIR      (needs chromium and python3-websockets; FAILs without)
"""
import asyncio
import base64
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

FAILURES = []
CONNECTIONS = 40
TARGET_CAP = 30  # wsload-target --max-connections: the rest are refused with 503


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what, flush=True)
    if not ok:
        FAILURES.append(what)
    return ok


def fetch(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode()


def first_match(stream, pattern, seconds, echo=None):
    """The first group of `pattern` in the lines of `stream` within `seconds`; None otherwise."""
    found = []

    def read():
        for line in stream:
            if echo:
                print(echo + line.rstrip())
            match = re.search(pattern, line)
            if match:
                found.append(match.group(1))
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(seconds)
    return found[0] if found else None


def spawn(procs, cmd, from_stderr, pattern, seconds, echo=None):
    """Starts `cmd` (added to `procs`, stopped by the caller), waits for the first group of
    `pattern` on its stdout (stdout and stderr merged) or, with `from_stderr`, its stderr; then
    keeps reading that stream so that the process never blocks on a full pipe (printing each line
    after `echo` when given). The group, or None."""
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL if from_stderr else subprocess.PIPE,
        stderr=subprocess.PIPE if from_stderr else subprocess.STDOUT, text=True,
        start_new_session=True)
    procs.append(proc)
    stream = proc.stderr if from_stderr else proc.stdout
    found = first_match(stream, pattern, seconds, echo)
    drain = (lambda: [print(echo + l.rstrip()) for l in stream]) if echo else (lambda: [None for _ in stream])
    threading.Thread(target=drain, daemon=True).start()
    return found


class Page:
    """One Chromium tab over the DevTools protocol (Runtime.evaluate, Page.captureScreenshot)."""

    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0

    async def call(self, method, **params):
        self.next_id += 1
        my_id = self.next_id
        await self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            msg = json.loads(await asyncio.wait_for(self.ws.recv(), 30))
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg["result"]

    async def eval(self, expression):
        r = await self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                            awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"page error: {r['exceptionDetails']}")
        return r["result"].get("value")

    async def screenshot(self, path):
        r = await self.call("Page.captureScreenshot", format="png")
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))


SAMPLE = """(() => {
  const live = window.wsloadLive;
  if (!live) return null;
  const fig = id => { const e = document.getElementById('fig-' + id); return e ? e.dataset.value : null; };
  const paths = id => [...document.querySelectorAll('#' + id + ' path')].map(p => ({
      series: p.dataset.series, points: Number(p.dataset.points), d: p.getAttribute('d').length}));
  const ticks = id => [...document.querySelectorAll('#' + id + ' text')].map(t => t.textContent);
  return {
    live, points: window.wsloadPoints.length, timeline: window.wsloadPoints.slice(-2),
    dom: {target: fig('target'), open: fig('open'), established: fig('established'),
          failed: fig('failed'), sent: fig('sent'), received: fig('received'),
          timeouts: fig('timeouts'), errors: fig('errors'), sent_rate: fig('sent-rate'),
          p50: document.getElementById('fig-latency').dataset.p50,
          state: document.getElementById('state').textContent,
          phase: document.getElementById('phase').textContent,
          agents: document.querySelectorAll('#agents tr[data-agent]').length,
          thresholds: [...document.querySelectorAll('#thresholds tr[data-passed]')].map(r => r.dataset.passed),
          reasons: [...document.querySelectorAll('#errors-by-reason tr[data-reason]')].map(r => r.dataset.reason + '=' + r.dataset.count),
          verdict: document.getElementById('verdict').textContent,
          frame: document.getElementById('report-frame').getAttribute('src')},
    charts: {connections: paths('chart-connections'), messages: paths('chart-messages'),
             latency: paths('chart-latency'), latency_ticks: ticks('chart-latency'),
             connection_ticks: ticks('chart-connections')},
  };
})()"""


def check_sample(s, url, label):
    live, dom = s["live"], s["dom"]
    c, m = live["connections"], live["messages"]
    expect = {"target": c["target"], "open": c["open"], "established": c["established"],
              "failed": c["failed"], "sent": m["sent"], "received": m["received"],
              "timeouts": m["timeouts"], "errors": live["errors"]["count"]}
    same = all(str(v) == dom[k] for k, v in expect.items())
    check(same, f"{label}: page figures equal its /api/live answer: {dom} vs {expect}")
    p50 = live["latency"]["p50_ms"]
    check(p50 is not None and float(dom["p50"]) == p50,
          f"{label}: latency p50 on the page is /api/live's: {dom['p50']} vs {p50}")
    check(dom["agents"] == len(live["agents"]), f"{label}: one agent row per agent")
    points = s["timeline"]
    if len(points) >= 2:
        last, before = points[-1], points[-2]
        rate = math.floor(last["sent"] / (last["t_s"] - before["t_s"]) + 0.5)  # JS Math.round
        check(dom["sent_rate"] == str(rate),
              f"{label}: sent/s is the last point's sent over its second: {dom['sent_rate']} vs {rate}")
    check(dom["thresholds"] == [str(t["passed"]).lower() for t in live["thresholds"]],
          f"{label}: thresholds evaluated live as /api/live says: {dom['thresholds']}")
    _, body = fetch(url + "api/live")
    now = json.loads(body)
    check(now["schema"] == "wsload.live/v1" and now["run"] == live["run"],
          f"{label}: an independent GET /api/live is the same stage of the same schema")
    check(now["messages"]["sent"] >= m["sent"] and now["connections"]["established"] >= c["established"],
          f"{label}: the independent answer is not behind the page's (counters only grow)")


async def drive(devtools_port, url, shots, report_path):
    import websockets
    targets = json.loads(fetch(f"http://127.0.0.1:{devtools_port}/json/list")[1])
    page_target = next(t for t in targets if t["type"] == "page")
    async with websockets.connect(page_target["webSocketDebuggerUrl"], max_size=2 ** 26) as ws:
        page = Page(ws)
        await page.call("Emulation.setDeviceMetricsOverride", width=1280, height=2200,
                        deviceScaleFactor=1, mobile=False)
        first = None
        deadline = time.time() + 20
        while time.time() < deadline:
            first = await page.eval(SAMPLE)
            if first and first["points"] >= 2 and first["live"]["state"] == "running":
                break
            await asyncio.sleep(0.5)
        if not check(first is not None and first["points"] >= 2, "the page drew two points within 20 s"):
            return
        check_sample(first, url, "sample 1")
        await asyncio.sleep(2.5)
        second = await page.eval(SAMPLE)
        check_sample(second, url, "sample 2")
        check(second["points"] > first["points"], f"the timeline grew: {first['points']} -> {second['points']} points")
        check(second["live"]["messages"]["sent"] > first["live"]["messages"]["sent"],
              "the sent figure changed while the run went on")
        charts = second["charts"]
        for name in ("connections", "messages", "latency"):
            check(all(p["points"] == second["points"] and p["d"] > 10 for p in charts[name]) and charts[name],
                  f"chart {name}: every series drawn with every point: {charts[name]}")
        check(any(re.search(r"(µs|ms)$", t) for t in charts["latency_ticks"]),
              f"latency axis ticks carry units: {charts['latency_ticks']}")
        check(len(charts["connection_ticks"]) >= 4, "connections chart has y and time ticks")
        reasons = [f"{r['reason']}={r['count']}" for r in second["live"]["errors"]["by_reason"]]
        check(second["dom"]["reasons"] == reasons and reasons,
              f"errors by reason as /api/live lists them: {second['dom']['reasons']} vs {reasons}")
        check(second["live"]["connections"]["failed"] == CONNECTIONS - TARGET_CAP,
              f"the {CONNECTIONS - TARGET_CAP} connections beyond the target's cap are failed: "
              f"{second['live']['connections']['failed']}")
        await page.screenshot(os.path.join(shots, "dashboard_running.png"))
        # After the run: the verdict and the framed report.
        final = None
        deadline = time.time() + 60
        while time.time() < deadline:
            final = await page.eval(SAMPLE)
            if final and final["live"]["state"] == "finished" and final["dom"]["verdict"]:
                break
            await asyncio.sleep(0.5)
        with open(report_path) as f:
            report = json.load(f)
        check(final["live"]["verdict"] == report["verdict"] and report["verdict"] in final["dom"]["verdict"],
              f"the page shows the report's verdict {report['verdict']}: {final['dom']['verdict']!r}")
        check(final["live"]["exit_code"] == report["exit_code"], "/api/live has the report's exit code")
        check(final["dom"]["frame"] == "/report", "the final report is framed from /report")
        check(final["live"]["messages"]["sent"] == report["messages"]["sent"],
              f"the final live figures are the report's: sent {final['live']['messages']['sent']} "
              f"vs {report['messages']['sent']}")
        status, body = fetch(url + "report")
        check(status == 200 and "<html" in body and report["verdict"] in body, "/report serves the HTML report")
        await asyncio.sleep(1.0)
        await page.screenshot(os.path.join(shots, "dashboard_finished.png"))
        # Readable on a phone: nothing wider than the screen but what scrolls inside its own box.
        await page.call("Emulation.setDeviceMetricsOverride", width=390, height=844,
                        deviceScaleFactor=2, mobile=True)
        await asyncio.sleep(0.5)
        width = await page.eval("document.documentElement.scrollWidth")
        check(width <= 391, f"on a 390 px phone screen the page is {width} px wide (no sideways scroll)")
        await page.screenshot(os.path.join(shots, "dashboard_phone.png"))


def main():
    bin_dir = os.path.abspath(sys.argv[1])
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("FAIL chromium not installed (apt-get install chromium)")
        return 1
    work = tempfile.mkdtemp(prefix="wsload-web-")
    shots = os.environ.get("WEB_DASHBOARD_SHOTS", work)
    report_path = os.path.join(work, "report.json")
    procs = []
    try:
        # Our own target, capped at 30 sessions: of the run's 40 connections 10 fail (http_503), so
        # errors by reason have rows to compare.
        address = spawn(
            procs, [os.path.join(bin_dir, "wsload-target"), "--listen", "127.0.0.1:0", "--no-auth",
                    "--max-connections", str(TARGET_CAP)],
            False, r"listening on (127\.0\.0\.1:\d+)", 15)
        if not check(address is not None, "wsload-target printed its address"):
            return 1
        url = spawn(
            procs, [os.path.join(bin_dir, "wsload"), "run", "quick", "--url", f"ws://{address}/ws",
                    "--connections", str(CONNECTIONS), "--ramp-up", "3s", "--duration", "7s",
                    "--message-interval", "200ms", "--local-agents", "1",
                    "--threshold", "latency.p99 < 1ms", "--web", "127.0.0.1:0",
                    "--web-linger", "30s", "--json", report_path],
            False, r"live dashboard at (http://127\.0\.0\.1:\d+/)", 30, "wsload: ")
        if not check(url is not None, "wsload printed the dashboard URL"):
            return 1
        port = spawn(
            procs, [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--remote-debugging-port=0",
                    "--remote-debugging-address=127.0.0.1",
                    "--user-data-dir=" + os.path.join(work, "profile"), url],
            True, r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", 30)
        if not check(port is not None, "chromium opened its DevTools port"):
            return 1
        asyncio.run(asyncio.wait_for(drive(port, url, shots, report_path), 120))
        print(f"screenshots: {shots}/dashboard_{{running,finished,phone}}.png")
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
        if "WEB_DASHBOARD_SHOTS" not in os.environ:
            shutil.rmtree(work, ignore_errors=True)
    print("PASS" if not FAILURES else f"FAILED: {len(FAILURES)} check(s)")
    return 0 if not FAILURES else 1


if __name__ == "__main__":
    sys.exit(main())
