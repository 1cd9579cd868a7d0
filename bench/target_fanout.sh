#!/usr/bin/env bash
# Fan-out benchmark of wsload-target: its built-in broadcaster pushes one message every INTERVAL to
# CONNECTIONS clients held by `wsload run` itself (one local agent, push accounting on), on loopback.
#
# Prints: broadcasts per second made by the target, messages delivered per second (target /stats
# messages_out, and the wsload report's push.received), the target's CPU (utime+stime from
# /proc/PID/stat) per million delivered messages, the agent's CPU likewise, per-connection queue
# drops (/stats drops) and the report's push gaps and delivery latency.
#
# usage: bench/target_fanout.sh [--bin-dir DIR] [--connections N] [--interval DUR] [--size BYTES]
#                               [--ramp-up DUR] [--hold SECONDS] [--threads N]
# Defaults: the binaries next to it or build/bin, 10000 connections, 10ms, 64 bytes, ramp-up 10s, hold 20s, 1 target thread.
# Bounded: everything it starts is stopped by PID on exit; the run lasts ramp-up + hold + ~10 s.
# Needs curl and jq. One process holds at most ~19,000 sockets (20,000 fd limit): keep N <= 18000.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Next to the binaries when CMake copied it to build/bin; otherwise the source tree's build/bin.
if [[ -x "$here/wsload-target" ]]; then bin_dir="$here"; else bin_dir="$here/../build/bin"; fi
connections=10000
interval=10ms
size=64
ramp_up=10s
hold=20
threads=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --bin-dir) bin_dir="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --interval) interval="$2"; shift 2 ;;
    --size) size="$2"; shift 2 ;;
    --ramp-up) ramp_up="$2"; shift 2 ;;
    --hold) hold="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "target_fanout.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
for tool in curl jq; do
  command -v "$tool" >/dev/null || { echo "target_fanout.sh: $tool is required" >&2; exit 2; }
done
for b in wsload wsload-target wsload-agent; do
  [[ -x "$bin_dir/$b" ]] || { echo "target_fanout.sh: $bin_dir/$b not found (build first, or --bin-dir)" >&2; exit 2; }
done

work="$(mktemp -d /tmp/wsload-fanout-XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ -n "${KEEP_WORK:-}" ]]; then echo "work files kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

secret="fanout-bench-secret"
"$bin_dir/wsload-target" --listen 127.0.0.1:0 --jwt-secret "$secret" --threads "$threads" \
  --broadcast-interval "$interval" --broadcast-size "$size" --log-level warn >"$work/target.out" 2>&1 &
target_pid=$!
pids+=("$target_pid")
for _ in $(seq 100); do grep -q '^listening on ' "$work/target.out" && break; sleep 0.1; done
address="$(sed -n 's/^listening on //p' "$work/target.out")"
[[ -n "$address" ]] || { echo "wsload-target did not start:"; cat "$work/target.out"; exit 1; }
port="${address##*:}"

cat >"$work/scenario.yaml" <<EOF
name: target-fanout
target:
  url: ws://$address/ws
  auth:
    token: \${AUTH_TOKEN}
  connect_timeout: 30s
load: { connections: $connections, ramp_up: $ramp_up, hold: ${hold}s }
push: { sequence_field: seq, timestamp_field: ts }
EOF

AUTH_TOKEN="$("$bin_dir/wsload" token --secret "$secret" --ttl 1h)" \
  "$bin_dir/wsload" run "$work/scenario.yaml" --local-agents 1 --json "$work/report.json" \
  --live-interval 1s >"$work/wsload.out" 2>&1 &
wsload_pid=$!
pids+=("$wsload_pid")
touch "$work/wsload.out"

# Clock ticks of user + system CPU of a process (fields 14 and 15 of /proc/PID/stat).
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
stat_field() { jq -r ".$2" <<<"$1"; }
now_s() { date +%s.%N; }

# The measurement window starts once every connection is open and lasts most of the hold.
for _ in $(seq 1200); do
  grep -q "open $connections/$connections " "$work/wsload.out" && break
  kill -0 "$wsload_pid" 2>/dev/null || break
  sleep 0.1
done
if ! grep -q "open $connections/$connections " "$work/wsload.out"; then
  echo "not every connection opened:"; tail -20 "$work/wsload.out"; exit 1
fi
agent_pid="$(pgrep -P "$wsload_pid" -f wsload-agent | head -1 || true)"
# The live line's elapsed time says how much of the hold is left; stop measuring a quarter of the
# hold (at least 3 s) before its end, as a loaded machine stretches sleeps and delays live lines.
opened_at="$(grep -m1 "open $connections/$connections " "$work/wsload.out" | sed 's/^\[ *\([0-9.]*\)s\].*/\1/')"
ramp_s="$(awk -v d="$ramp_up" 'BEGIN { v = d + 0; if (d ~ /ms$/) v /= 1000; else if (d ~ /m$/) v *= 60; print v }')"
window="$(awk -v r="$ramp_s" -v h="$hold" -v o="$opened_at" 'BEGIN { m = h / 4; if (m < 3) m = 3; w = r + h - o - m; print (w > 0 ? w : 0) }')"
if awk -v w="$window" 'BEGIN { exit !(w < 2) }'; then
  echo "every connection opened at ${opened_at}s, too late to measure within the hold: raise --hold"; exit 1
fi

t0=$(now_s); cpu0=$(cpu_ticks "$target_pid"); s0="$(curl -s "http://$address/stats")"
acpu0=$([[ -n "$agent_pid" ]] && cpu_ticks "$agent_pid" || echo 0)
sleep "$window"
t1=$(now_s); cpu1=$(cpu_ticks "$target_pid"); s1="$(curl -s "http://$address/stats")"
acpu1=$([[ -n "$agent_pid" ]] && cpu_ticks "$agent_pid" || echo 0)

wait "$wsload_pid" || echo "(wsload exited with $?)"
final="$(curl -s "http://$address/stats")"
report="$work/report.json"
[[ -s "$report" ]] || { echo "no report:"; tail -30 "$work/wsload.out"; exit 1; }

hz=$(getconf CLK_TCK)
awk -v n="$connections" -v interval="$interval" -v size="$size" -v threads="$threads" \
    -v t0="$t0" -v t1="$t1" -v cpu0="$cpu0" -v cpu1="$cpu1" -v acpu0="$acpu0" -v acpu1="$acpu1" -v hz="$hz" \
    -v b0="$(stat_field "$s0" broadcasts)" -v b1="$(stat_field "$s1" broadcasts)" \
    -v m0="$(stat_field "$s0" messages_out)" -v m1="$(stat_field "$s1" messages_out)" \
    -v drops="$(stat_field "$final" drops)" -v open1="$(stat_field "$s1" connections_open)" \
    -v bytes0="$(stat_field "$s0" bytes_out)" -v bytes1="$(stat_field "$s1" bytes_out)" \
    -v received="$(jq '.push.received' "$report")" -v duration="$(jq '.duration_s' "$report")" \
    -v gaps="$(jq '.push.gaps' "$report")" -v dups="$(jq '.push.duplicates' "$report")" \
    -v reord="$(jq '.push.reordered' "$report")" -v established="$(jq '.connections.established' "$report")" \
    -v unexpected="$(jq '.connections.unexpected_disconnects' "$report")" \
    -v p50="$(jq '.push.latency.p50_ms' "$report")" -v p99="$(jq '.push.latency.p99_ms' "$report")" \
    -v hold_rx="$(jq "[.timeline[] | select(.phase == \"hold\" and .open == $connections) | .received] | add // 0" "$report")" \
    -v hold_s="$(jq "[.timeline[] | select(.phase == \"hold\" and .open == $connections)] | length" "$report")" \
    'BEGIN {
      dt = t1 - t0; msgs = m1 - m0; cpu = (cpu1 - cpu0) / hz; acpu = (acpu1 - acpu0) / hz;
      printf "target_fanout: %d connections, broadcast every %s, %d-byte payload, %d target thread(s)\n", n, interval, size, threads;
      printf "  established %d, unexpected disconnects %d, open at window end %d\n", established, unexpected, open1;
      printf "  window %.1f s (all connections open):\n", dt;
      printf "    broadcasts/s made by the target       %10.1f\n", (b1 - b0) / dt;
      printf "    messages/s delivered (/stats)         %10.0f  (%.1f MB/s payload+frames)\n", msgs / dt, (bytes1 - bytes0) / dt / 1e6;
      printf "    broadcasts/s per client (/stats)      %10.1f\n", msgs / dt / n;
      printf "    target CPU                            %10.1f %%  = %.3f CPU-s per million delivered\n", 100 * cpu / dt, (msgs > 0 ? cpu / (msgs / 1e6) : 0);
      printf "    agent CPU                             %10.1f %%  = %.3f CPU-s per million received\n", 100 * acpu / dt, (msgs > 0 ? acpu / (msgs / 1e6) : 0);
      printf "  wsload report:\n";
      printf "    push.received / duration              %10.0f msg/s (%d in %.1f s, ramp-up included)\n", received / duration, received, duration;
      if (hold_s > 0) printf "    push rate over full-open hold seconds %10.0f msg/s = %.1f broadcasts/s per client\n", hold_rx / hold_s, hold_rx / hold_s / n;
      printf "    push gaps %d, duplicates %d, reordered %d; delivery latency p50 %s ms, p99 %s ms\n", gaps, dups, reord, p50, p99;
      printf "  target queue drops (/stats drops)       %10d\n", drops;
    }'
