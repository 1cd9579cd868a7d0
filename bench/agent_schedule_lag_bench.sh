#!/usr/bin/env bash
# Schedule lag of an almost idle agent: the quick preset (100 connections, one request each per
# 5 s = 20/s) against a wsload-target that broadcasts to every connection, RUNS times. Prints per
# run the sends that left more than 1 ms behind their scheduled instant, the largest lag, the
# latency, and the load average (other work on the same cores shows up as lag too: compare runs on
# an otherwise idle machine).
#   default           `wsload run quick --spawn-target`: what `./dev.sh demo` runs (a broadcast
#                     every second: a send collides with it only when their phases happen to match)
#   BROADCAST=10ms    a target of our own broadcasting that often, so that sends keep colliding
#                     with bursts of 100 pushes (10,000 pushes/s)
# Usage: bench/agent_schedule_lag_bench.sh [RUNS=3] [HOLD=10s]   (BIN_DIR=build/bin)
source "$(dirname "$0")/agent_bench_lib.sh"
RUNS=${1:-3}
HOLD=${2:-10s}
BROADCAST=${BROADCAST:-}

target_args=(--spawn-target)
if [ -n "$BROADCAST" ]; then
  start_target target --listen 127.0.0.1:0 --broadcast-interval "$BROADCAST"
  target_args=(--url "ws://$(wait_listening "$BENCH_DIR/target.out")/ws")
fi

total_behind=0
for run in $(seq 1 "$RUNS"); do
  report="$BENCH_DIR/quick-$run.json"
  "$BIN_DIR/wsload" run quick "${target_args[@]}" --duration "$HOLD" --json "$report" -q \
    >"$BENCH_DIR/wsload-$run.out" 2>&1 &
  WSLOAD_PID=$!
  BENCH_PIDS+=("$WSLOAD_PID")
  wait "$WSLOAD_PID" || true
  if [ ! -s "$report" ]; then
    echo "run $run: no report" >&2
    tail -5 "$BENCH_DIR/wsload-$run.out" >&2
    continue
  fi
  total_behind=$((total_behind + $(json_get "$report" "j['schedule']['sends_behind']")))
  # latency counts from the scheduled instant, latency_service from the actual send: the
  # difference of their means is the mean lag of a send.
  json_get "$report" "'run $run: sent=%d behind_schedule=%d max_lag=%.3fms mean_lag=%.3fms latency avg=%.3fms p99=%.3fms max=%.3fms service avg=%.3fms pushes=%d loadavg=%s' % (j['messages']['sent'], j['schedule']['sends_behind'], j['schedule']['max_lag_ms'], j['latency']['avg_ms'] - j['latency_service']['avg_ms'], j['latency']['avg_ms'], j['latency']['p99_ms'], j['latency']['max_ms'], j['latency_service']['avg_ms'], j['push']['received'], open('/proc/loadavg').read().split()[0])"
done
echo "total: $total_behind sends more than 1 ms behind schedule in $RUNS runs"
