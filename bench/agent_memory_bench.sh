#!/usr/bin/env bash
# Agent memory per idle open WebSocket connection: one wsload-agent opens CONNECTIONS idle
# connections (no messages) to two wsload-target processes sharing one port (SO_REUSEPORT; each
# process has its own 20,000 fd limit), spread over source addresses 127.0.0.2-127.0.0.9.
# Figure: (agent VmRSS with every connection open - VmRSS of the empty agent) / CONNECTIONS, the
# empty agent being measured after a short warm-up run (and, for comparison, when fresh).
# TLS=1: wss:// connections (a self-signed certificate made with openssl, verify off).
# Usage: bench/agent_memory_bench.sh [CONNECTIONS=19000] [THREADS=1]   (BIN_DIR=build/bin)
source "$(dirname "$0")/agent_bench_lib.sh"
CONNECTIONS=${1:-19000}
THREADS=${2:-1}

port=$(free_port)
scheme=ws
tls_args=()
tls_yaml=
if [ "${TLS:-0}" = 1 ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
    -keyout "$BENCH_DIR/key.pem" -out "$BENCH_DIR/cert.pem" 2>/dev/null
  scheme=wss
  tls_args=(--tls-cert "$BENCH_DIR/cert.pem" --tls-key "$BENCH_DIR/key.pem")
  tls_yaml=", tls: { verify: false }"
fi
start_target target1 --listen "127.0.0.1:$port" --threads 1 "${tls_args[@]}"
wait_listening "$BENCH_DIR/target1.out" >/dev/null
start_target target2 --listen "127.0.0.1:$port" --threads 1 "${tls_args[@]}"
wait_listening "$BENCH_DIR/target2.out" >/dev/null
start_agent --threads "$THREADS" --source-ips 127.0.0.2-127.0.0.9
sleep 0.5
rss_cold=$(rss_kib "$AGENT_PID")
# A short run first: code pages and per-run state (histograms, gRPC buffers) that do not grow with
# the connection count are then part of the empty agent, not of the per-connection figure.
run_wsload "name: warmup
target: { url: '$scheme://127.0.0.1:$port/ws'$tls_yaml }
load: { connections: 200, ramp_up: 0s, hold: 1s }" "$BENCH_DIR/warmup.json"
wait "$WSLOAD_PID" || true
sleep 0.5
rss_empty=$(rss_kib "$AGENT_PID")

run_wsload "name: memory
target: { url: '$scheme://127.0.0.1:$port/ws', connect_timeout: 30s$tls_yaml }
load: { connections: $CONNECTIONS, ramp_up: 10s, hold: 8s }" "$BENCH_DIR/report.json"

# Sample once the live view shows every connection open, after one more second to settle.
wait_all_open "$CONNECTIONS"
rss_open=$(rss_kib "$AGENT_PID")
wait "$WSLOAD_PID" || true
established=$(json_get "$BENCH_DIR/report.json" "j['connections']['established']")
rss_after=$(rss_kib "$AGENT_PID")

per_conn=$(( (rss_open - rss_empty) * 1024 / CONNECTIONS ))
per_conn_cold=$(( (rss_open - rss_cold) * 1024 / CONNECTIONS ))
echo "agent_memory: scheme=$scheme connections=$CONNECTIONS established=$established threads=$THREADS"
echo "agent_memory: rss_fresh_kib=$rss_cold rss_empty_after_warmup_kib=$rss_empty rss_open_kib=$rss_open rss_after_run_kib=$rss_after"
echo "agent_memory: bytes_per_idle_connection=$per_conn (above the empty agent after a 200-connection warm-up run; floor 4096, aim < 1126)"
echo "agent_memory: bytes_per_idle_connection_from_fresh=$per_conn_cold (above a freshly started agent: includes one-off code pages and run state)"
