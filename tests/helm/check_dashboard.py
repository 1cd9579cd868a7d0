#!/usr/bin/python3
"""Checks the chart's Grafana dashboard against a real wsload exposition.

Usage: check_dashboard.py DASHBOARD.json SCRAPE.txt [--promtool PATH] [--prometheus URL]

- every PromQL expression (panel targets and the templating variables' label_values queries) parses
  (promtool check rules, the expressions as recording rules, Grafana variables substituted);
- every metric name it uses is a sample name of SCRAPE.txt (a /metrics body); a name ending in
  _bucket, _sum or _count must belong to a family declared "# TYPE <base> histogram" (or summary
  for _sum/_count), _bucket only to a histogram;
- every label of a "by (...)" / "without (...)" grouping is a label of those metrics' samples;
- with --prometheus (one that scrapes the run), every expression returns at least one series and
  every variable query at least one value; with --require-numbers, no panel series is NaN (a
  histogram_quantile over buckets that did not move in the rate window).
Prints one line per query and exits 1 on the first group of problems.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request

# Grafana's variables, as the dashboard's "All" and a rate window that covers a short run.
SUBSTITUTIONS = {"$__rate_interval": "30s", "$__interval": "1s", "$__range": "1m",
                 "$namespace": ".*", "$job": ".*", "$stage": ".*"}
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or",
            "unless", "offset", "inf", "nan"}
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def substitute(expr):
    for name in sorted(SUBSTITUTIONS, key=len, reverse=True):
        expr = expr.replace(name, SUBSTITUTIONS[name])
    if "$" in expr:
        raise ValueError(f"unknown Grafana variable in {expr!r}")
    return expr


def walk_panels(panels):
    for p in panels:
        yield p
        yield from walk_panels(p.get("panels") or [])


def queries(board):
    """(where, expr) of every panel target, and (where, label_values(...)) of every variable."""
    out = []
    for p in walk_panels(board.get("panels") or []):
        for t in p.get("targets") or []:
            if t.get("expr"):
                out.append((f"panel {p['id']} {p.get('title')!r} {t.get('refId')}", t["expr"]))
    for v in (board.get("templating") or {}).get("list") or []:
        if v.get("type") != "query":
            continue
        q = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
        out.append((f"variable {v['name']}", q))
    return out


def parse_scrape(text):
    """{sample name: set of label names} and {family: type}."""
    samples, types = {}, {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, family, kind = line.split(maxsplit=3)
            types[family] = kind.strip()
            continue
        if not line or line.startswith("#"):
            continue
        m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*?)\})?\s", line)
        if not m:
            raise ValueError(f"unparsable sample line: {line!r}")
        labels = set(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="', m.group(3) or ""))
        samples.setdefault(m.group(1), set()).update(labels)
    return samples, types


def strip_strings(expr):
    return re.sub(r'"(\\.|[^"\\])*"', '""', expr)


def metric_names(expr):
    """Identifiers in metric position: not functions, keywords, label names in {...} or
    grouping lists, or durations."""
    text = strip_strings(expr)
    text = re.sub(r"\{[^}]*\}", "", text)                       # label matchers
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    text = re.sub(r"\[[^\]]*\]", "", text)                      # range / subquery durations
    names = []
    for m in re.finditer(r"[a-zA-Z_:][a-zA-Z0-9_:]*", text):
        name = m.group(0)
        rest = text[m.end():].lstrip()
        if rest.startswith("(") or name.lower() in KEYWORDS:
            continue
        before = text[:m.start()]
        if re.search(r"[0-9.]$", before):                       # 1e3, 0.99 seen as tokens
            continue
        names.append(name)
    return names


def grouping_labels(expr):
    labels = []
    for m in re.finditer(r"\b(?:by|without)\s*\(([^)]*)\)", strip_strings(expr)):
        labels += [x.strip() for x in m.group(1).split(",") if x.strip()]
    return labels


LABEL_VALUES = re.compile(r"\s*label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*")


def check_names(where, expr, samples, types, problems):
    # label_values(SELECTOR, LABEL): LABEL may be a target label (namespace, job) that Prometheus
    # adds; only the selector's metric must be in the scrape.
    m = LABEL_VALUES.fullmatch(expr)
    if m:
        expr = m.group(1)
    names = metric_names(expr)
    if not names:
        problems.append(f"{where}: no metric name in {expr!r}")
    for name in names:
        if name not in samples:
            hint = (f" ({name} is a {types[name]}: query its _bucket, _sum or _count series)"
                    if types.get(name) in ("histogram", "summary") else "")
            problems.append(f"{where}: metric {name} is not in the scrape{hint}")
            continue
        for suffix in HISTOGRAM_SUFFIXES:
            if name.endswith(suffix) and name not in types:
                base = name[:-len(suffix)]
                allowed = ("histogram",) if suffix == "_bucket" else ("histogram", "summary")
                if types.get(base) not in allowed:
                    problems.append(f"{where}: {name}: family {base} is {types.get(base)}, not {allowed}")
    known = set().union(*(samples.get(n, set()) for n in names)) if names else set()
    for label in grouping_labels(expr):
        if label not in known:
            problems.append(f"{where}: grouping label {label!r} is on none of {names} (labels: {sorted(known)})")


def promtool_parse(promtool, exprs, problems):
    rules = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"dashboard:query_{i}", "expr": e} for i, (_, e) in enumerate(exprs)]}]}
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
        json.dump(rules, f)  # JSON is YAML
    try:
        r = subprocess.run([promtool, "check", "rules", f.name], capture_output=True, text=True, timeout=60)
    finally:
        os.unlink(f.name)
    if r.returncode != 0:
        problems.append(f"promtool check rules:\n{r.stdout}{r.stderr}")
    else:
        print(f"promtool: {len(exprs)} expressions parse")


def prometheus_get(base, path, params):
    url = f"{base}{path}?{urllib.parse.urlencode(params, doseq=True)}"
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.load(r)


def query_prometheus(base, where, expr, problems, require_numbers):
    m = LABEL_VALUES.fullmatch(expr)
    if m:
        body = prometheus_get(base, f"/api/v1/label/{m.group(2)}/values", {"match[]": m.group(1)})
        values = body.get("data") or []
        print(f"{where}: {expr} -> {values}")
        if body.get("status") != "success" or not values:
            problems.append(f"{where}: {expr} returned no values: {body}")
        return
    body = prometheus_get(base, "/api/v1/query", {"query": expr})
    result = (body.get("data") or {}).get("result") or []
    shown = ", ".join(f"{r['metric'] or '{}'}={r['value'][1]}" for r in result[:3])
    print(f"{where}: {len(result)} series {shown}")
    if body.get("status") != "success" or not result:
        problems.append(f"{where}: {expr} returned nothing: {body}")
    elif require_numbers and any(r["value"][1] == "NaN" for r in result):
        problems.append(f"{where}: {expr} is NaN: {result}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dashboard")
    parser.add_argument("scrape")
    parser.add_argument("--promtool")
    parser.add_argument("--prometheus", help="base URL of a Prometheus scraping the run")
    parser.add_argument("--require-numbers", action="store_true", help="fail on NaN panel series")
    opts = parser.parse_args()
    board = json.load(open(opts.dashboard))
    samples, types = parse_scrape(open(opts.scrape).read())
    problems = []
    found = [(where, substitute(expr)) for where, expr in queries(board)]
    if not found:
        sys.exit(f"{opts.dashboard}: no queries")
    used = set()
    for where, expr in found:
        check_names(where, expr, samples, types, problems)
        m = LABEL_VALUES.fullmatch(expr)
        used.update(metric_names(m.group(1) if m else expr))
    print(f"{len(found)} queries use {len(used)} metric names, all in the scrape: "
          f"{', '.join(sorted(used))}" if not problems else f"{len(problems)} name problem(s)")
    if opts.promtool:
        promtool_parse(opts.promtool, [(w, e) for w, e in found if not LABEL_VALUES.fullmatch(e)],
                       problems)
    if opts.prometheus and not problems:
        for where, expr in found:
            query_prometheus(opts.prometheus, where, expr, problems, opts.require_numbers)
    for p in problems:
        print("FAIL", p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
