#!/usr/bin/env bash
# Self-overhead: latency the agent reports against wsload-target's echo at low load (10
# connections, one request each per 100 ms) next to what a minimal blocking client
# (bench/agent_blocking_client.py) measures against the same server, one request per 10 ms.
# Usage: bench/agent_overhead_bench.sh [HOLD=5s] [COUNT=500]  (BIN_DIR=build/bin)
source "$(dirname "$0")/agent_bench_lib.sh"
HOLD=${1:-5s}
COUNT=${2:-500}

start_target target --listen 127.0.0.1:0 --threads 1
target_addr=$(wait_listening "$BENCH_DIR/target.out")
start_agent --threads 1
run_wsload "name: overhead
target: { url: 'ws://$target_addr/ws' }
load: { connections: 10, ramp_up: 1s, hold: $HOLD }
messages: { interval: 100ms, kind: json, template: '{\"type\":\"ping\",\"id\":{{seq}}}', match: id }" \
  "$BENCH_DIR/report.json"
wait "$WSLOAD_PID" || true
json_get "$BENCH_DIR/report.json" "'agent: count=%d p50=%.3fms p99=%.3fms service p50=%.3fms p99=%.3fms behind_schedule=%d' % (j['latency']['count'], j['latency']['p50_ms'], j['latency']['p99_ms'], j['latency_service']['p50_ms'], j['latency_service']['p99_ms'], j['schedule']['sends_behind'])"
/usr/bin/python3 "$(dirname "$0")/agent_blocking_client.py" "$target_addr" /ws "$COUNT" 10
