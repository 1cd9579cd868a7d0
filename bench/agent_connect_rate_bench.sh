#!/usr/bin/env bash
# Connection rate of one agent process: CONNECTIONS idle connections, all scheduled at once
# (ramp 0), to one wsload-target (--threads 2). Every connection starts connecting at the start
# instant, so the slowest connect_time (TCP connect to 101) is the time until all were open; the
# figure is established / that time. The report's per-second timeline of open connections is shown.
# Usage: bench/agent_connect_rate_bench.sh [CONNECTIONS=15000] [AGENT_THREADS=2]  (BIN_DIR=build/bin)
source "$(dirname "$0")/agent_bench_lib.sh"
CONNECTIONS=${1:-15000}
THREADS=${2:-2}

start_target target --listen 127.0.0.1:0 --threads 2
target_addr=$(wait_listening "$BENCH_DIR/target.out")
start_agent --threads "$THREADS" --source-ips 127.0.0.2-127.0.0.9

run_wsload "name: connect-rate
target: { url: 'ws://$target_addr/ws', connect_timeout: 30s }
load: { connections: $CONNECTIONS, ramp_up: 0s, hold: 3s }" "$BENCH_DIR/report.json"

wait "$WSLOAD_PID" || true
established=$(json_get "$BENCH_DIR/report.json" "j['connections']['established']")
ct=$(json_get "$BENCH_DIR/report.json" "'p50 %.2fms p99 %.2fms max %.2fms' % (j['connections']['connect_time']['p50_ms'], j['connections']['connect_time']['p99_ms'], j['connections']['connect_time']['max_ms'])")
echo "agent_connect_rate: connections=$CONNECTIONS established=$established agent_threads=$THREADS target_threads=2"
echo "agent_connect_rate: connect_time $ct"
json_get "$BENCH_DIR/report.json" "'agent_connect_rate: open per second of run: ' + ' '.join(str(p['open']) for p in j['timeline'])"
json_get "$BENCH_DIR/report.json" "'agent_connect_rate: connections_per_second=%.0f (established / slowest connect_time)' % (j['connections']['established'] / (j['connections']['connect_time']['max_ms'] / 1000.0))"
