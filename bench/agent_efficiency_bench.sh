#!/usr/bin/env bash
# The agent's throughput as a share of the kernel floor, both measured in this one run (the floor
# moves by 2x within an hour on this shared VM, so a ratio is only meaningful against a floor
# taken minutes apart): bench/agent_kernel_floor_bench.sh (a minimal C epoll client, 100
# connections: closed loop, and at the fixed rate below), then bench/agent_throughput_bench.sh (the
# agent, 100 connections, closed loop and fixed rate, every reply's latency recorded), then both
# floors again. Ratios are round trips per client CPU-second of the agent over the mean of the two
# floor runs: closed_loop_ratio and fixed_rate_ratio against the closed-loop floor (the issue's
# figures), and fixed_rate_vs_fixed_floor against the C client on the same fixed schedule (a client
# that keeps a precise schedule pays a wake-up per send and per reply, which no closed loop does).
# Usage: bench/agent_efficiency_bench.sh [HOLD=5s] [RATE_INTERVAL=5ms]   (BIN_DIR=build/bin; needs cc)
set -euo pipefail
here=$(dirname "$0")
HOLD=${1:-5s}
RATE_INTERVAL=${2:-5ms}
seconds=${HOLD%s}
case "$RATE_INTERVAL" in
  *ms) interval_us=$(( ${RATE_INTERVAL%ms} * 1000 )) ;;
  *us) interval_us=${RATE_INTERVAL%us} ;;
  *s) interval_us=$(( ${RATE_INTERVAL%s} * 1000000 )) ;;
  *) echo "agent_efficiency_bench: RATE_INTERVAL must be whole us, ms or s (got $RATE_INTERVAL)" >&2; exit 2 ;;
esac
out=$(mktemp /tmp/wsload-efficiency-XXXXXX)
trap 'rm -f "$out"' EXIT

floors() {
  "$here/agent_kernel_floor_bench.sh" "$seconds" 100 | tee -a "$out"
  "$here/agent_kernel_floor_bench.sh" "$seconds" 100 "$interval_us" | tee -a "$out"
}
floors
"$here/agent_throughput_bench.sh" "$HOLD" "$RATE_INTERVAL" 1 | tee -a "$out"
floors

/usr/bin/python3 - "$out" <<'PY'
import re, sys
floor, fixed_floor, agent, complete = [], [], {}, {}
for line in open(sys.argv[1]):
    rate = re.search(r"round_trips_per_cpu_s=([0-9.]+)", line)
    if not rate:
        continue
    if line.startswith("agent_kernel_floor:"):
        floor.append(float(rate.group(1)))
    elif line.startswith("agent_kernel_floor_fixed_rate:"):
        fixed_floor.append(float(rate.group(1)))
    elif m := re.match(r"agent_throughput\[(\w+)\]", line):
        agent[m.group(1)] = float(rate.group(1))
        sent = int(re.search(r" sent=(\d+)", line).group(1))
        replies = int(re.search(r" replies=(\d+)", line).group(1))
        timeouts = int(re.search(r" timeouts=(\d+)", line).group(1))
        complete[m.group(1)] = (sent, replies, timeouts)
if len(floor) != 2 or len(fixed_floor) != 2 or set(agent) != {"closed_loop", "fixed_rate"}:
    sys.exit("missing figures")
f = sum(floor) / 2
ff = sum(fixed_floor) / 2
print(f"kernel_floor={f:.0f} (runs {floor[0]:.0f}, {floor[1]:.0f}) "
      f"fixed_rate_floor={ff:.0f} (runs {fixed_floor[0]:.0f}, {fixed_floor[1]:.0f}) "
      f"closed_loop={agent['closed_loop']:.0f} fixed_rate={agent['fixed_rate']:.0f} round trips per CPU-second")
for k, (sent, replies, timeouts) in complete.items():
    # Every reply's latency goes into the histogram; requests without a reply are counted timeouts.
    print(f"{k}: sent={sent} replies_with_latency={replies} timeouts={timeouts}")
print(f"closed_loop_ratio={agent['closed_loop'] / f:.2f} fixed_rate_ratio={agent['fixed_rate'] / f:.2f} "
      f"fixed_rate_vs_fixed_floor={agent['fixed_rate'] / ff:.2f}")
PY
