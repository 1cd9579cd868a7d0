#!/usr/bin/env bash
# Echo round trips per agent CPU-second: 100 connections against wsload-target (ping/pong by id),
# first closed loop (next request when the reply arrives), then open loop at a fixed rate. Agent
# CPU is user+system time from /proc/PID/stat over the run (its gRPC work included).
# Usage: bench/agent_throughput_bench.sh [HOLD=5s] [RATE_INTERVAL=5ms] [AGENT_THREADS=1]  (BIN_DIR=build/bin)
source "$(dirname "$0")/agent_bench_lib.sh"
HOLD=${1:-5s}
RATE_INTERVAL=${2:-5ms}
THREADS=${3:-1}
CONNECTIONS=100

start_target target --listen 127.0.0.1:0 --threads 1
target_addr=$(wait_listening "$BENCH_DIR/target.out")
start_agent --threads "$THREADS"
tck=$(clk_tck)

measure() {
  local label=$1 interval=$2
  local before after user_before user_after
  before=$(cpu_ticks "$AGENT_PID")
  user_before=$(awk '{print $14}' "/proc/$AGENT_PID/stat")
  run_wsload "name: throughput
target: { url: 'ws://$target_addr/ws' }
load: { connections: $CONNECTIONS, ramp_up: 0s, hold: $HOLD }
messages: { interval: $interval, kind: json, template: '{\"type\":\"ping\",\"id\":{{seq}}}', match: id, timeout: 5s }" \
    "$BENCH_DIR/$label.json"
  wait "$WSLOAD_PID" || true
  after=$(cpu_ticks "$AGENT_PID")
  user_after=$(awk '{print $14}' "/proc/$AGENT_PID/stat")
  /usr/bin/python3 - "$BENCH_DIR/$label.json" "$label" "$interval" "$((after - before))" "$tck" \
    "$((user_after - user_before))" <<'PY'
import json, sys
j = json.load(open(sys.argv[1])); label, interval, ticks, tck = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
user_ticks = int(sys.argv[6])
m, l = j["messages"], j["latency"]
cpu = ticks / tck
user_s, sys_s = user_ticks / tck, (ticks - user_ticks) / tck
replies = m['replies'] or 1
print(f"agent_throughput[{label}]: interval={interval} sent={m['sent']} replies={m['replies']} timeouts={m['timeouts']} "
      f"rate={j['messages']['rate']:.0f}/s agent_cpu_s={cpu:.2f} "
      f"round_trips_per_cpu_s={m['replies'] / cpu if cpu else float('nan'):.0f} (floor 130000) "
      f"p50={l['p50_ms']}ms p99={l['p99_ms']}ms behind_schedule={j['schedule']['sends_behind']} "
      f"user_us_per_round_trip={user_s * 1e6 / replies:.2f} sys_us_per_round_trip={sys_s * 1e6 / replies:.2f}")
PY
}
measure closed_loop 0s
measure fixed_rate "$RATE_INTERVAL"
