#!/usr/bin/env bash
# Format-v2 sessions per agent CPU-second: CONNECTIONS connections against wsload-target, each
# running one on_open step (subscribe, waiting for its acknowledgement, capturing the subscription)
# and then three streams at once (ping, publish naming the captured subscription, status), all
# matched by id. Agent CPU is user+system time from /proc/PID/stat over the run (gRPC included).
# Prints requests/s, replies, timeouts, latency p50/p99 (total and per stream) and agent
# CPU-seconds per 1000 requests (stream requests plus step messages).
# Usage: bench/agent_session_bench.sh [HOLD=5s] [PING_INTERVAL=5ms] [AGENT_THREADS=1]
#        (BIN_DIR=build/bin; the publish stream runs at 2x, the status stream at 4x PING_INTERVAL)
source "$(dirname "$0")/agent_bench_lib.sh"
HOLD=${1:-5s}
PING_INTERVAL=${2:-5ms}
THREADS=${3:-1}
CONNECTIONS=${CONNECTIONS:-100}

interval_ms=$(/usr/bin/python3 -c "import sys; t=sys.argv[1]
print(float(t[:-2]) if t.endswith('ms') else float(t[:-1]) * 1000)" "$PING_INTERVAL")
scaled() { /usr/bin/python3 -c "print(f'{$interval_ms * $1:g}ms')"; }
PUBLISH_INTERVAL=$(scaled 2)
STATUS_INTERVAL=$(scaled 4)

start_target target --listen 127.0.0.1:0 --threads 1
target_addr=$(wait_listening "$BENCH_DIR/target.out")
start_agent --threads "$THREADS"
tck=$(clk_tck)

before=$(cpu_ticks "$AGENT_PID")
user_before=$(awk '{print $14}' "/proc/$AGENT_PID/stat")
run_wsload "name: session-bench
target: { url: 'ws://$target_addr/ws' }
load: { connections: $CONNECTIONS, ramp_up: 0s, hold: $HOLD }
groups:
  - name: clients
    weight: 1
    on_open:
      - name: subscribe
        send: { kind: json, template: '{\"type\":\"subscribe\",\"channel\":\"prices\",\"id\":{{seq}}}' }
        expect: { match: id, timeout: 5s }
        capture: { sub: subscription }
    messages:
      - { name: ping, interval: $PING_INTERVAL, kind: json, template: '{\"type\":\"ping\",\"id\":{{seq}}}', match: id, timeout: 5s }
      - { name: publish, interval: $PUBLISH_INTERVAL, kind: json, template: '{\"type\":\"publish\",\"channel\":\"{{var.sub}}\",\"id\":{{seq}}}', match: id, timeout: 5s }
      - { name: status, interval: $STATUS_INTERVAL, kind: json, template: '{\"type\":\"ping\",\"id\":{{seq}},\"status\":\"{{var.sub}}\"}', match: id, timeout: 5s }" \
  "$BENCH_DIR/report.json"
wait "$WSLOAD_PID" || true
after=$(cpu_ticks "$AGENT_PID")
user_after=$(awk '{print $14}' "/proc/$AGENT_PID/stat")

/usr/bin/python3 - "$BENCH_DIR/report.json" "$((after - before))" "$tck" \
  "$((user_after - user_before))" "$HOLD" "$PING_INTERVAL,$PUBLISH_INTERVAL,$STATUS_INTERVAL" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
ticks, tck, user_ticks, hold, intervals = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
m, l, steps = j["messages"], j["latency"], j["steps"]
cpu = ticks / tck
step_messages = sum(s["ok"] + s["failed"] for s in steps.values())
requests = m["sent"] + step_messages
per_s = m["sent"] / j["duration_s"] if j["duration_s"] else float("nan")
print(f"agent_session: connections={j['connections']['established']}/{j['connections']['attempted']} "
      f"hold={hold} intervals={intervals} sessions_failed={j['sessions']['failed']}")
print(f"agent_session: requests_per_s={per_s:.0f} sent={m['sent']} replies={m['replies']} "
      f"timeouts={m['timeouts']} unsent={m['unsent']} step_messages={step_messages} "
      f"p50={l['p50_ms']}ms p99={l['p99_ms']}ms behind_schedule={j['schedule']['sends_behind']}")
print(f"agent_session: agent_cpu_s={cpu:.2f} (user {user_ticks / tck:.2f}) "
      f"agent_cpu_s_per_1000_requests={cpu * 1000 / requests if requests else float('nan'):.4f} "
      f"requests_per_cpu_s={requests / cpu if cpu else float('nan'):.0f} "
      f"user_us_per_request={user_ticks / tck * 1e6 / requests if requests else float('nan'):.2f}")
for name, s in j["steps"].items():
    print(f"agent_session: step {name}: ok={s['ok']} failed={s['failed']} "
          f"p50={s['latency']['p50_ms']}ms p99={s['latency']['p99_ms']}ms")
for name, s in j["streams"].items():
    print(f"agent_session: stream {name}: sent={s['sent']} replies={s['replies']} "
          f"timeouts={s['timeouts']} p50={s['latency']['p50_ms']}ms p99={s['latency']['p99_ms']}ms")
PY
