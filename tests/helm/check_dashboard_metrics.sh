#!/usr/bin/env bash
# The chart's Grafana dashboard (helm/wsload/dashboards/wsload.json) against a real run: every
# query's metric names and grouping labels exist in the controller's /metrics, every query parses
# (promtool), and a real Prometheus on 127.0.0.1 that scraped the run answers every query and
# variable with data (check_dashboard.py).
#   tests/helm/check_dashboard_metrics.sh BIN_DIR      (BIN_DIR: build/bin with the three binaries)
# The run: a wsload-target limited to 15 sessions (--max-connections 15, broadcasts every 200 ms)
# and `wsload run quick` with 20 connections, so that failures by reason (http_503), disconnects,
# pushes and every histogram have samples; --metrics-listen 127.0.0.1:0 (the controller prints the
# address it bound) and --metrics-linger 20s, during which /metrics is scraped with curl. The ramp-up
# (8 s) outlasts Prometheus' discovery delay (up to 5 s), so that its rates and quantiles see the
# connects, requests and pushes: every panel query must return a number, not NaN.
# Needs: curl, prometheus (promtool, prometheus), python3-yaml. Missing ones FAIL with the apt-get
# line. Every process started here is stopped by PID on exit; a pass takes ~20 s, a failure <= 90 s.
set -euo pipefail

bin=${1:?usage: check_dashboard_metrics.sh BIN_DIR}
here=$(cd "$(dirname "$0")" && pwd)
dashboard=$here/../../helm/wsload/dashboards/wsload.json
for tool in curl promtool prometheus; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is missing. Install: apt-get install curl prometheus" >&2; exit 1; }
done
for b in wsload wsload-target wsload-agent; do
  [ -x "$bin/$b" ] || { echo "FAIL: $bin/$b is missing (build the wsload, wsload-agent and wsload-target targets)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/wsload-dashboard-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# wait_for FILE REGEX SECONDS: prints the first matching line of FILE, or fails after SECONDS.
wait_for() {
  local file=$1 regex=$2 tries=$(($3 * 10))
  for _ in $(seq 1 "$tries"); do
    if grep -m1 -E "$regex" "$file" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "FAIL: no /$regex/ in $file after $3 s:" >&2
  cat "$file" >&2
  return 1
}

# Prometheus first (it takes a second or two): scrapes every second whatever the file_sd file names;
# the labels mimic a ServiceMonitor's (job = the Service, namespace).
prom_port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
echo '[]' >"$work/targets.json"
cat >"$work/prometheus.yml" <<EOF
global: {scrape_interval: 1s, scrape_timeout: 1s}
scrape_configs:
  - job_name: wsload-controller
    file_sd_configs: [{files: ['$work/targets.json'], refresh_interval: 1s}]
EOF
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" --log.level=warn >"$work/prometheus.out" 2>&1 &
pids+=($!)

"$bin/wsload-target" --listen 127.0.0.1:0 --no-auth --max-connections 15 --broadcast-interval 200ms \
  --log-level warn >"$work/target.out" 2>&1 &
pids+=($!)
target=$(wait_for "$work/target.out" '^listening on ' 10 | sed 's/^listening on //')

for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$prom_port/-/ready" >/dev/null && break
  sleep 0.2
done
curl -sf "http://127.0.0.1:$prom_port/-/ready" >/dev/null || { cat "$work/prometheus.out" >&2; echo "FAIL: Prometheus not ready" >&2; exit 1; }

"$bin/wsload" run quick --url "ws://$target/ws" --connections 20 --ramp-up 8s --duration 3s \
  --live-interval 1s --metrics-listen 127.0.0.1:0 --metrics-linger 20s >"$work/run.out" 2>&1 &
run_pid=$!
pids+=("$run_pid")
metrics=$(wait_for "$work/run.out" 'live metrics at http://' 20 | sed -E 's|.*http://([^/]+)/metrics.*|\1|')
echo "controller metrics at $metrics"
printf '[{"targets": ["%s"], "labels": {"namespace": "wsload-test"}}]\n' "$metrics" >"$work/targets.json.new"
mv "$work/targets.json.new" "$work/targets.json"

# The run is over and the final figures stay up for the linger.
wait_for "$work/run.out" '^metrics stay at http://' 30 >/dev/null
curl -sf "http://$metrics/metrics" >"$work/scrape.txt"
echo "scrape: $(grep -c -v '^#' "$work/scrape.txt") samples"
grep -q 'wsload_connection_failures_total{.*reason="http_503"} 5$' "$work/scrape.txt" ||
  { echo "FAIL: the run did not produce its 5 http_503 failures:" >&2; cat "$work/run.out" >&2; exit 1; }

# Prometheus holds the final figures once its latest scrape has all 20 attempts; two more scrapes
# give every rate() its second sample.
for _ in $(seq 1 100); do
  n=$(curl -sf "http://127.0.0.1:$prom_port/api/v1/query" --data-urlencode 'query=sum(wsload_connections_attempted_total)' |
    /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)')
  [ "$n" = 20 ] && break
  sleep 0.2
done
[ "$n" = 20 ] || { echo "FAIL: Prometheus never scraped the final figures (attempted=$n)" >&2; cat "$work/prometheus.out" >&2; exit 1; }
sleep 2

/usr/bin/python3 "$here/check_dashboard.py" "$dashboard" "$work/scrape.txt" --promtool "$(command -v promtool)" \
  --prometheus "http://127.0.0.1:$prom_port" --require-numbers

# The checker catches what it claims to: a metric name that is not exported, a histogram family
# queried without its _bucket suffix, a grouping label the metric does not have.
for broken in 's/wsload_latency_seconds_bucket/wsload_latency_ms_bucket/' \
  's/wsload_latency_seconds_bucket/wsload_latency_seconds/' 's/by (reason)/by (cause)/'; do
  sed "$broken" "$dashboard" >"$work/broken.json"
  if /usr/bin/python3 "$here/check_dashboard.py" "$work/broken.json" "$work/scrape.txt" >"$work/broken.out" 2>&1; then
    echo "FAIL: check_dashboard.py accepted a dashboard changed by $broken" >&2
    exit 1
  fi
  echo "caught ($broken): $(grep -m1 '^FAIL' "$work/broken.out")"
done
echo "dashboard metrics: all passed"
