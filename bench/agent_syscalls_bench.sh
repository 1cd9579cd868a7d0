#!/usr/bin/env bash
# System calls per message of an agent at low rate: the quick preset scaled to CONNECTIONS
# connections, one request each per INTERVAL_S seconds (5,000 x 5 s = 1,000 msg/s), against a
# wsload-target of its own that echoes and pushes nothing (PUSHES=1: `--spawn-target` instead, whose
# server also broadcasts a push to every connection each second). One wsload-agent started here
# (so that its PID is known) is traced for WINDOW_S seconds in the middle of the hold; the messages
# of that window are CONNECTIONS / INTERVAL_S * WINDOW_S (every connection is open and sending on
# its own clock by then).
#   TRACER=perf (default)  `perf stat` on the syscall tracepoints: counts without slowing the agent,
#                          so the run's latency figures hold; calls not listed below count as other
#   TRACER=strace          `strace -c -f`: every call by name, but the traced window runs slowly
# Prints per system call the count per message (a recvfrom that failed, e.g. EAGAIN, apart),
# `syscalls_per_message=X`, and the run's latency p50/p99 and schedule lag from its JSON report.
# TLS=1: the same over wss:// (a self-signed certificate made with openssl, verify off); its
# established sessions are served by the worker's own loop as ws:// ones are.
# Usage: bench/agent_syscalls_bench.sh [CONNECTIONS=5000] [INTERVAL_S=5] [WINDOW_S=10]
#        (BIN_DIR=build/bin; needs perf or strace; TLS=1 needs openssl)
source "$(dirname "$0")/agent_bench_lib.sh"
CONNECTIONS=${1:-5000}
INTERVAL_S=${2:-5}
WINDOW_S=${3:-10}
TRACER=${TRACER:-perf}
RAMP_S=10
HOLD_S=$((INTERVAL_S + WINDOW_S + 5))
CALLS=(epoll_wait epoll_pwait epoll_pwait2 epoll_ctl timerfd_settime recvfrom sendto recvmsg sendmsg read write
  readv writev futex sched_yield nanosleep clock_nanosleep ioctl close)

if [ "${PUSHES:-0}" = 1 ]; then
  target_args=(--spawn-target)
elif [ "${TLS:-0}" = 1 ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
    -keyout "$BENCH_DIR/key.pem" -out "$BENCH_DIR/cert.pem" 2>/dev/null
  start_target target --listen 127.0.0.1:0 --tls-cert "$BENCH_DIR/cert.pem" --tls-key "$BENCH_DIR/key.pem"
  printf '%s\n' "name: syscalls-wss" \
    "target: { url: 'wss://$(wait_listening "$BENCH_DIR/target.out")/ws', tls: { verify: false } }" \
    "load: { connections: 1, ramp_up: 1s, hold: 1s }" \
    "messages: { interval: 1s, kind: json, template: '{\"type\":\"ping\",\"id\":{{seq}}}', match: id, timeout: 5s }" \
    >"$BENCH_DIR/wss.yaml"
  target_args=("$BENCH_DIR/wss.yaml")
else
  start_target target --listen 127.0.0.1:0
  target_args=(--url "ws://$(wait_listening "$BENCH_DIR/target.out")/ws")
fi
start_agent --threads 1
report="$BENCH_DIR/report.json"
[ "${TLS:-0}" = 1 ] && preset=() || preset=(quick)
"$BIN_DIR/wsload" run "${preset[@]}" "${target_args[@]}" --agents "$AGENT_ADDR" --agent-token "$AGENT_TOKEN" \
  --connections "$CONNECTIONS" --message-interval "${INTERVAL_S}s" --ramp-up "${RAMP_S}s" \
  --duration "${HOLD_S}s" --json "$report" -q >"$BENCH_DIR/wsload.out" 2>&1 &
WSLOAD_PID=$!
BENCH_PIDS+=("$WSLOAD_PID")

# Ramp, then one full interval so that every connection sends on its own clock.
sleep $((RAMP_S + INTERVAL_S + 2))
trace="$BENCH_DIR/trace.txt"
if [ "$TRACER" = strace ]; then
  timeout -s INT "$WINDOW_S" strace -c -f -q -p "$AGENT_PID" -o "$trace" || true
else
  events=(-e raw_syscalls:sys_enter)
  for c in "${CALLS[@]}"; do events+=(-e "syscalls:sys_enter_$c"); done
  events+=(-e syscalls:sys_exit_recvfrom --filter 'ret < 0')
  perf stat -x, -o "$trace" "${events[@]}" -p "$AGENT_PID" -- sleep "$WINDOW_S" 2>/dev/null
fi
wait "$WSLOAD_PID" || true
if [ ! -s "$report" ]; then
  echo "no report" >&2
  tail -20 "$BENCH_DIR/wsload.out" >&2
  exit 1
fi

/usr/bin/python3 - "$TRACER" "$trace" "$report" "$CONNECTIONS" "$INTERVAL_S" "$WINDOW_S" <<'PY'
import json, re, sys
tracer, path, report = sys.argv[1], sys.argv[2], sys.argv[3]
conns, interval, window = int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
messages = conns / interval * window
calls = {}  # name -> [calls, failed]
total = 0
for line in open(path):
    f = line.strip().split(",") if tracer == "perf" else line.split()
    if tracer == "perf":
        if len(f) < 3 or not f[0].isdigit():
            continue
        count, event = int(f[0]), f[2]
        if event == "raw_syscalls:sys_enter":
            total = count
        elif event.startswith("syscalls:sys_enter_"):
            calls.setdefault(event[len("syscalls:sys_enter_"):], [0, 0])[0] = count
        elif event == "syscalls:sys_exit_recvfrom":
            calls.setdefault("recvfrom", [0, 0])[1] = count
    else:  # % time  seconds  usecs/call  calls  [errors]  syscall
        if len(f) < 5 or not re.match(r"^[0-9.]+$", f[0]) or f[-1] == "total":
            continue
        calls[f[-1]] = [int(f[3]), int(f[4]) if len(f) == 6 else 0]
        total += int(f[3])
listed = sum(c for c, _ in calls.values())
if total > listed:
    calls["other"] = [total - listed, 0]
print(f"tracer={tracer} window={window:.0f}s messages={messages:.0f} "
      f"(connections={conns} interval={interval:.0f}s)")
for name, (count, failed) in sorted(calls.items(), key=lambda kv: -kv[1][0]):
    if count == 0:
        continue
    extra = f" (ok {(count - failed) / messages:.2f}, failed {failed / messages:.2f})" if failed else ""
    print(f"  {name:<18} {count:>8} calls  {count / messages:6.2f}/message{extra}")
j = json.load(open(report))
l, s, ls = j["latency"], j["schedule"], j["latency_service"]
print(f"latency p50={l['p50_ms']:.3f}ms p99={l['p99_ms']:.3f}ms max={l['max_ms']:.3f}ms "
      f"service p50={ls['p50_ms']:.3f}ms p99={ls['p99_ms']:.3f}ms "
      f"mean_schedule_lag={l['avg_ms'] - ls['avg_ms']:.3f}ms behind_schedule={s['sends_behind']} "
      f"max_lag={s['max_lag_ms']:.3f}ms sent={j['messages']['sent']} "
      f"replies={j['messages']['replies']} timeouts={j['messages']['timeouts']} "
      f"loadavg={open('/proc/loadavg').read().split()[0]}")
print(f"syscalls_per_message={total / messages:.2f}")
PY
