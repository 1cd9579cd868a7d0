#!/usr/bin/env bash
# wsload-target memory per idle open WebSocket connection: one wsload-target (JWT auth on, one
# thread unless THREADS) holds CONNECTIONS idle authenticated connections (no messages, no
# broadcasts) opened by one wsload-agent driven by `wsload run`, on 127.0.0.1.
# Figure: (target VmRSS with every connection open - VmRSS of the empty target after a
# 200-connection warm-up run) / CONNECTIONS. Kernel socket memory is not in VmRSS and not counted.
# Usage: bench/target_memory_bench.sh [CONNECTIONS=10000] [THREADS=1] [EXTRA TARGET FLAGS...]
#        (BIN_DIR=build/bin; e.g. `... 10000 1 --deflate` measures with deflate accepted)
# Bounded: every process it starts is stopped by PID on exit; a run lasts about 30 s.
# One process holds at most ~19,000 sockets (20,000 fd limit): keep CONNECTIONS <= 18000.
source "$(dirname "$0")/agent_bench_lib.sh"
CONNECTIONS=${1:-10000}
THREADS=${2:-1}
shift $(( $# < 2 ? $# : 2 ))
SECRET=target-memory-bench-secret

port=$(free_port)
"$BIN_DIR/wsload-target" --listen "127.0.0.1:$port" --jwt-secret "$SECRET" --threads "$THREADS" \
  --log-level warn "$@" >"$BENCH_DIR/target.out" 2>&1 &
TARGET_PID=$!
BENCH_PIDS+=("$TARGET_PID")
wait_listening "$BENCH_DIR/target.out" >/dev/null
start_agent
sleep 0.5
rss_fresh=$(rss_kib "$TARGET_PID")
token=$("$BIN_DIR/wsload" token --secret "$SECRET" --ttl 1h)

# A short run first: code pages and one-off state (allocator arenas, subject set) that do not grow
# with the connection count are then part of the empty target, not of the per-connection figure.
run_wsload "name: warmup
target: { url: 'ws://127.0.0.1:$port/ws', auth: { token: '$token' } }
load: { connections: 200, ramp_up: 0s, hold: 1s }" "$BENCH_DIR/warmup.json"
wait "$WSLOAD_PID" || true
sleep 0.5
rss_empty=$(rss_kib "$TARGET_PID")

run_wsload "name: target-memory
target: { url: 'ws://127.0.0.1:$port/ws', auth: { token: '$token' }, connect_timeout: 30s }
load: { connections: $CONNECTIONS, ramp_up: 10s, hold: 8s }" "$BENCH_DIR/report.json"

# Sample once the live view shows every connection open, after one more second to settle.
wait_all_open "$CONNECTIONS"
rss_open=$(rss_kib "$TARGET_PID")
open_now=$(curl -s "http://127.0.0.1:$port/stats" | /usr/bin/python3 -c \
  'import json,sys; print(json.load(sys.stdin)["connections_open"])' || echo "?")
wait "$WSLOAD_PID" || true
established=$(json_get "$BENCH_DIR/report.json" "j['connections']['established']")
sleep 0.5
rss_after=$(rss_kib "$TARGET_PID")

per_conn=$(( (rss_open - rss_empty) * 1024 / CONNECTIONS ))
per_conn_fresh=$(( (rss_open - rss_fresh) * 1024 / CONNECTIONS ))
echo "target_memory: connections=$CONNECTIONS established=$established open_at_sample=$open_now threads=$THREADS flags='$*'"
echo "target_memory: rss_fresh_kib=$rss_fresh rss_empty_after_warmup_kib=$rss_empty rss_open_kib=$rss_open rss_after_run_kib=$rss_after"
echo "target_memory: target_bytes_per_conn_from_fresh=$per_conn_fresh (above a freshly started target)"
echo "target_bytes_per_conn=$per_conn"
