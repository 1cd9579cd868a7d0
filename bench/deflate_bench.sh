#!/usr/bin/env bash
# permessage-deflate in a real agent: resident memory per connection and agent CPU per message,
# without compression and with `compression: deflate` (context takeover, and none), against
# wsload-target (--deflate: 4 KiB server window; --deflate-no-context-takeover). Each case runs on
# a fresh agent; its RSS is sampled through the run, the peak minus its RSS before is divided by
# the connections. Every connection sends a ~256-byte JSON request every INTERVAL and gets its
# reply. Memory per connection wants many connections (the default); CPU per message many messages
# (e.g. 200 connections, 10ms).
# Usage: bench/deflate_bench.sh [CONNECTIONS=2000] [HOLD=10s] [INTERVAL=1s]  (BIN_DIR=build/bin)
# The per-message and per-connection costs of the codec alone: build/bin/deflate_bench.
source "$(dirname "$0")/agent_bench_lib.sh"
CONNECTIONS=${1:-2000}
HOLD=${2:-10s}
INTERVAL=${3:-1s}
tck=$(clk_tck)
PAD="the quick brown fox jumps over the lazy dog; the quick brown fox jumps over the lazy dog; "
PAD="$PAD$PAD"

run_case() {
  local label=$1 target_flag=$2 compression=$3
  start_target "t_$label" --listen 127.0.0.1:0 --threads 1 $target_flag
  local target_pid=$TARGET_PID
  local addr
  addr=$(wait_listening "$BENCH_DIR/t_$label.out")
  start_agent --threads 1
  local rss0 peak cpu0 cpu1 r
  rss0=$(rss_kib "$AGENT_PID")
  cpu0=$(cpu_ticks "$AGENT_PID")
  run_wsload "name: deflate-$label
target: { url: 'ws://$addr/ws', compression: $compression }
load: { connections: $CONNECTIONS, ramp_up: 2s, hold: $HOLD }
messages: { interval: $INTERVAL, kind: json, template: '{\"type\":\"ping\",\"id\":{{seq}},\"conn\":{{conn}},\"text\":\"$PAD\"}', match: id, timeout: 5s }" \
    "$BENCH_DIR/$label.json"
  peak=$rss0
  while kill -0 "$WSLOAD_PID" 2>/dev/null; do
    r=$(rss_kib "$AGENT_PID")
    [ "$r" -gt "$peak" ] && peak=$r
    sleep 0.5
  done
  wait "$WSLOAD_PID" || true
  cpu1=$(cpu_ticks "$AGENT_PID")
  kill "$AGENT_PID" "$target_pid" 2>/dev/null || true
  wait "$AGENT_PID" "$target_pid" 2>/dev/null || true
  /usr/bin/python3 - "$BENCH_DIR/$label.json" "$label" "$CONNECTIONS" "$rss0" "$peak" \
    "$((cpu1 - cpu0))" "$tck" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
label, n, rss0, peak, ticks, tck = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
m, c = j["messages"], j["connections"]
sent_wire = m.get("bytes_sent_wire", m["bytes_sent"])
recv_wire = m.get("bytes_received_wire", m["bytes_received"])
frames = m["sent"] + m["received"]
print(f"deflate_bench[{label}]: established={c['established']}/{n} sent={m['sent']} replies={m['replies']} "
      f"timeouts={m['timeouts']} protocol_errors={m['protocol_errors']} "
      f"wire sent {100.0 * sent_wire / max(m['bytes_sent'], 1):.1f}% received {100.0 * recv_wire / max(m['bytes_received'], 1):.1f}% "
      f"agent_rss_per_connection={(peak - rss0) / n:.1f}KiB (rss {rss0}->{peak} KiB) "
      f"agent_cpu_us_per_message={ticks / tck * 1e6 / max(frames, 1):.2f} p50={j['latency']['p50_ms']}ms")
PY
}

run_case none "" none
run_case deflate_takeover --deflate deflate
run_case deflate_no_takeover --deflate-no-context-takeover deflate
