# Shared helpers of the agent benchmarks (sourced, not run). Every process started here is
# recorded and killed by PID on exit. Needs: BIN_DIR with wsload, wsload-agent, wsload-target.
set -euo pipefail

BIN_DIR=${BIN_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/bin}
BENCH_DIR=$(mktemp -d /tmp/wsload-bench-XXXXXX)
AGENT_TOKEN=bench-agent-token
BENCH_PIDS=()

bench_cleanup() {
  for pid in "${BENCH_PIDS[@]}"; do kill -CONT "$pid" 2>/dev/null || true; kill "$pid" 2>/dev/null || true; done
  for pid in "${BENCH_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$BENCH_DIR"
}
trap bench_cleanup EXIT

# A TCP port on 127.0.0.1 that was free a moment ago.
free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Waits until FILE has a line starting with "listening on " and prints the address after it.
wait_listening() {
  local file=$1
  for _ in $(seq 1 200); do
    if grep -q '^listening on ' "$file" 2>/dev/null; then
      grep -m1 '^listening on ' "$file" | sed 's/^listening on //'
      return 0
    fi
    sleep 0.05
  done
  echo "no 'listening on' in $file:" >&2
  cat "$file" >&2
  return 1
}

# start_target NAME ARGS...: wsload-target (no auth) in the background; sets TARGET_PID.
start_target() {
  local name=$1; shift
  "$BIN_DIR/wsload-target" --no-auth --log-level warn "$@" >"$BENCH_DIR/$name.out" 2>&1 &
  TARGET_PID=$!
  BENCH_PIDS+=("$TARGET_PID")
}

# start_agent ARGS...: one wsload-agent on 127.0.0.1:0; sets AGENT_PID and AGENT_ADDR.
start_agent() {
  "$BIN_DIR/wsload-agent" --listen 127.0.0.1:0 --token "$AGENT_TOKEN" --log-level warn "$@" \
    >"$BENCH_DIR/agent.out" 2>&1 &
  AGENT_PID=$!
  BENCH_PIDS+=("$AGENT_PID")
  AGENT_ADDR=$(wait_listening "$BENCH_DIR/agent.out")
}

# run_wsload SCENARIO_YAML REPORT ARGS...: wsload run against AGENT_ADDR in the background;
# sets WSLOAD_PID; its output goes to $BENCH_DIR/wsload.out.
run_wsload() {
  local yaml=$1 report=$2; shift 2
  printf '%s\n' "$yaml" >"$BENCH_DIR/scenario.yaml"
  "$BIN_DIR/wsload" run "$BENCH_DIR/scenario.yaml" --agents "$AGENT_ADDR" --agent-token "$AGENT_TOKEN" \
    --json "$report" --live-interval 1s "$@" >"$BENCH_DIR/wsload.out" 2>&1 &
  WSLOAD_PID=$!
  BENCH_PIDS+=("$WSLOAD_PID")
}

# wait_all_open N: until the run_wsload live view shows N/N open (at most 60 s, or until wsload
# exits), then one second more to settle.
wait_all_open() {
  for _ in $(seq 1 600); do
    grep -q "open $1/$1" "$BENCH_DIR/wsload.out" && break
    kill -0 "$WSLOAD_PID" 2>/dev/null || break
    sleep 0.1
  done
  sleep 1
}

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
# User + system CPU time of a process, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
clk_tck() { getconf CLK_TCK; }

# json_get FILE EXPR: evaluates a Python expression over the report `j`.
json_get() {
  /usr/bin/python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"
}
