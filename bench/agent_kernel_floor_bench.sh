#!/usr/bin/env bash
# Kernel floor for bench/agent_throughput_bench.sh: round trips per client CPU-second of a minimal
# C client (bench/agent_kernel_floor.c: plain TCP, no WebSocket, no per-message work) against a
# minimal C echo server on loopback, 100 connections, closed loop. Whatever the agent spends per
# round trip beyond this figure is its own; below it no client on this machine can go.
# With INTERVAL_US the client runs at a fixed rate instead (one message per connection every
# INTERVAL_US, sends spread evenly, a nanosecond sleep until each): the floor of a precise schedule,
# printed as agent_kernel_floor_fixed_rate.
# Usage: bench/agent_kernel_floor_bench.sh [SECONDS=5] [CONNECTIONS=100] [INTERVAL_US]   (needs cc)
source "$(dirname "$0")/agent_bench_lib.sh"
SECONDS_RUN=${1:-5}
CONNECTIONS=${2:-100}
INTERVAL_US=${3:-}

cc -O2 -o "$BENCH_DIR/agent_kernel_floor" "$(dirname "$0")/agent_kernel_floor.c"
port=$(free_port)
"$BENCH_DIR/agent_kernel_floor" server "$port" >"$BENCH_DIR/server.out" 2>&1 &
BENCH_PIDS+=("$!")
wait_listening "$BENCH_DIR/server.out" >/dev/null
"$BENCH_DIR/agent_kernel_floor" client "$port" "$CONNECTIONS" "$SECONDS_RUN" $INTERVAL_US
