#!/usr/bin/env bash
# N live WebSocket connections end to end on this machine (issue 16; default N = 1,000,000):
# agents, controller, reference target and the exact report, all inside one network namespace of
# the script's own, on its loopback.
#
# Design
# - One network namespace `wscale<PID>` with nothing but `lo` (no veth, no route out); its own
#   sysctls: ip_local_port_range 1024-65535, somaxconn and tcp_max_syn_backlog 65535, and above
#   131,072 connections its own established-socket hash table of 2N buckets (a power of two, at
#   most 16M; net.ipv4.tcp_child_ehash_entries, Linux 6.1+, set for `ip netns add` alone). As
#   ../shared/MACHINE.md asks, before anything else the root namespace gets
#   `ip route add unreachable 10.231.X.0/24` (the lab's guard; the namespace has no interface that
#   could use it, the route is belt and braces) and a state file in /tmp/wsload-lab/ in the lab's
#   format, so a later lab or scale run removes the namespace and the route if this one is SIGKILLed.
# - ceil(N / SCALE_PER_TARGET) `wsload-target` processes (one thread each) share 127.0.0.1:3001 with
#   SO_REUSEPORT (a process holds at most ~19,900 sockets under the 20,000-descriptor cap; the
#   kernel's hash spreads connections over them, hence the 16,000 budget: room for the imbalance).
# - ceil(N / SCALE_PER_AGENT) `wsload-agent` processes (one thread each, gRPC on 127.0.0.1:20000+k),
#   agent k connecting from its own source address 127.1.k/250.k%250+1 (--source-ips): one source
#   address gives ~64,500 ports toward the target's one address and port, more than an agent's share.
# - One `wsload run` (controller) with `--agents` listing them: ramp to N at SCALE_RATE connections/s
#   (4,000 per second), hold SCALE_HOLD = settle + 30 s, then close evenly at SCALE_CLOSE_RATE = 10,000/s
#   (closing everything at once starved the control plane of 120 processes: agents and controller
#   each took the other for lost). The controller runs at nice -10: its loss verdicts must not wait
#   behind 100+ busy load processes on two cores.
# - The pings: one per connection every 30 s during the hold (the stream's `start`: none before
#   the last 30 s of the hold, so the ramp opens connections without pinging them and each
#   connection's one slot in that half-open 30 s window is exactly one ping; the phases stay spread
#   as the ramp spread the openings). SCALE_PING=json: the Odin application ping
#   (`{"type":"ping","id":N}`, match id); ws: RFC 6455 ping frames (the pong is the reply); auto
#   (default): json up to N = 100,000, ws beyond (a round trip costs ~45 us of CPU against
#   ~65-110 us for JSON, and a million connections ping 33,000 times a second). Timeout 10 s.
# - Every process is a child of this script, started through `nsenter --net` and `setpriv
#   --pdeathsig KILL` (both exec: $! is the binary's PID, and it dies with the script even when the
#   script is SIGKILLed), stopped by PID on every exit path (EXIT trap), then the namespace, the
#   route, the state file and the work directory are removed. A watchdog sends the script SIGTERM
#   after SCALE_TIMEOUT seconds (default ramp + hold + ramp-down + 240 s).
#
# Figures (the last line):
#   established=N failed=F seconds_to_open=S agent_bytes_per_conn=A target_bytes_per_conn=T
#   kernel_bytes_per_conn=K processes=P replies=R timeouts=X
# - established/failed/replies/timeouts: the JSON report (`wsload run --json`).
# - seconds_to_open: the report's timeline, first second whose open count is N.
# - agent_/target_bytes_per_conn: sum of the processes' VmRSS while every connection is open (hold)
#   minus the same sum with the processes started and idle before the run, / N.
# - kernel_bytes_per_conn: (Slab of /proc/meminfo + TCP `mem` pages of /proc/net/sockstat read in
#   the namespace, x 4096) at the hold minus before the run, / N. Both counters are machine-wide
#   (the kernel keeps one TCP memory count for every namespace; Slab is global), so concurrent work
#   on the machine adds noise; the socket count in the namespace (`ss`) is printed next to them.
# - processes: agents + targets + the controller.
# Exit: 0 when every connection was established, none failed or dropped, no agent was lost, the
# kernel saw N established sockets, and every ping was answered: exactly N pings scheduled (one per
# connection), replies == sent, timeouts == 0, and of the N at most N/300 unsent, all `stopped`
# (due in the hold's last ~100 ms and reached by a busy agent after its end) —
# bench/scale_report.py. 1 otherwise; 2 when refused (bad N, not enough memory:
# MemAvailable against SCALE_BYTES_PER_CONN x N + the processes' base); 77 without root (ctest's
# skip code); 124 on the global timeout.
#
# Usage: [BIN_DIR=build/bin] sudo bench/scale.sh [N=1000000]
# Tunables (environment): SCALE_BYTES_PER_CONN SCALE_PER_AGENT SCALE_PER_TARGET SCALE_RATE
# SCALE_HOLD SCALE_CLOSE_RATE SCALE_TIMEOUT SCALE_PING=auto|json|ws SCALE_PING_INTERVAL SCALE_KEEP=1 (keep the work directory:
# logs, report).
# Run it on a quiet machine: under other heavy work (compiles) the 2 cores starve the gRPC streams
# and agents are lost (the start and end load averages are printed).
set -euo pipefail

# ---- knobs ------------------------------------------------------------------------------------
# Memory one connection costs on this machine, both ends and the kernel (MACHINE.md, measured at
# 10,000 connections: kernel slab 9.7 KB + TCP buffers 2 KB + wsload-target 6.8 KB + agent 1.1 KB).
# Lower it when the lean target lands (~2 KiB in the target instead of 6.8 KB).
SCALE_BYTES_PER_CONN=${SCALE_BYTES_PER_CONN:-14336}
AGENT_BASE_KIB=20480        # an agent before its first connection (16.5 MB measured)
TARGET_BASE_KIB=4096        # a target before its first connection (2 MB measured)
CONTROLLER_KIB=262144       # the controller (64 MB binary, per-agent state, report)
RESERVE_KIB=1048576         # left to everyone else on the machine
SCALE_PER_AGENT=${SCALE_PER_AGENT:-18000}    # connections per agent (fd cap 20,000 per process)
SCALE_PER_TARGET=${SCALE_PER_TARGET:-16000}  # mean connections per target (SO_REUSEPORT imbalance)
# Planned connection opens per second (~0.75 of a core here at 2,000/s; no pings during the ramp).
SCALE_RATE=${SCALE_RATE:-4000}
# The hold: first a quiet settle, in which the script measures memory and counts the sockets with
# `ss` (1.5-3 s at 300,000 idle; at a million under the pings it took 61 s of kernel time and
# starved the run), then the pings' 30 s. 10 s + 1 s per 100,000 connections.
SCALE_HOLD=${SCALE_HOLD:-auto}
SCALE_CLOSE_RATE=${SCALE_CLOSE_RATE:-10000}  # planned closes per second after the hold (ramp-down)
SCALE_PING=${SCALE_PING:-auto}               # json: {"type":"ping","id":N} paired by id; ws: ping frames
PING_INTERVAL=${SCALE_PING_INTERVAL:-30}        # seconds between one connection's pings (the issue: 30)
PORT=3001

N=${1:-1000000}
BIN_DIR=${BIN_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/bin}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if ! [[ "$N" =~ ^[1-9][0-9]*$ ]] || (( N > 4000000 )); then
  echo "scale: N must be a whole number from 1 to 4,000,000 (got '$N')" >&2
  exit 2
fi
if (( EUID != 0 )); then
  echo "SKIPPED: bench/scale.sh creates a network namespace and needs root (CI runs as root)"
  exit 77
fi
for tool in ip nsenter setpriv ss sysctl; do
  command -v "$tool" >/dev/null || { echo "scale: '$tool' is missing (apt-get install iproute2 util-linux procps)" >&2; exit 2; }
done
for bin in wsload wsload-agent wsload-target; do
  [ -x "$BIN_DIR/$bin" ] || { echo "scale: $BIN_DIR/$bin is not built" >&2; exit 2; }
done

[[ "$SCALE_PING" == auto || "$SCALE_PING" == json || "$SCALE_PING" == ws ]] || { echo "scale: SCALE_PING must be auto, json or ws" >&2; exit 2; }
if [ "$SCALE_PING" = auto ]; then SCALE_PING=json; (( N > 100000 )) && SCALE_PING=ws; fi
[ "$SCALE_HOLD" = auto ] && SCALE_HOLD=$(( 10 + N / 100000 + PING_INTERVAL ))
for knob in PING_INTERVAL SCALE_BYTES_PER_CONN SCALE_PER_AGENT SCALE_PER_TARGET SCALE_RATE SCALE_HOLD SCALE_CLOSE_RATE; do
  [[ "${!knob}" =~ ^[1-9][0-9]*$ ]] || { echo "scale: $knob must be a positive whole number (got '${!knob}')" >&2; exit 2; }
done
AGENTS=$(( (N + SCALE_PER_AGENT - 1) / SCALE_PER_AGENT ))
TARGETS=$(( (N + SCALE_PER_TARGET - 1) / SCALE_PER_TARGET ))
RAMP=$(( (N + SCALE_RATE - 1) / SCALE_RATE ))
(( RAMP < 5 )) && RAMP=5
# The pings' window is the hold's last PING_INTERVAL seconds: exactly one slot per connection.
(( SCALE_HOLD > PING_INTERVAL )) || { echo "scale: SCALE_HOLD ($SCALE_HOLD) must be longer than the ping interval ($PING_INTERVAL)" >&2; exit 2; }
PING_START=$(( RAMP + SCALE_HOLD - PING_INTERVAL ))
# Closing everything at once starves the control plane of 100+ processes on two cores (agents and
# controller each took the other for lost): close evenly instead.
RAMP_DOWN=$(( (N + SCALE_CLOSE_RATE - 1) / SCALE_CLOSE_RATE ))
(( RAMP_DOWN < 2 )) && RAMP_DOWN=2
SCALE_TIMEOUT=${SCALE_TIMEOUT:-$(( RAMP + SCALE_HOLD + RAMP_DOWN + 240 ))}
[[ "$SCALE_TIMEOUT" =~ ^[1-9][0-9]*$ ]] || { echo "scale: SCALE_TIMEOUT must be a positive whole number of seconds" >&2; exit 2; }
if (( AGENTS > 250 * 250 )); then echo "scale: too many agents" >&2; exit 2; fi

# ---- memory: refuse what cannot fit -----------------------------------------------------------
need_kib=$(( N * SCALE_BYTES_PER_CONN / 1024 + AGENTS * AGENT_BASE_KIB + TARGETS * TARGET_BASE_KIB + CONTROLLER_KIB + RESERVE_KIB ))
avail_kib=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
echo "scale: N=$N agents=$AGENTS targets=$TARGETS ramp=${RAMP}s hold=${SCALE_HOLD}s ramp-down=${RAMP_DOWN}s; pings ($SCALE_PING) every ${PING_INTERVAL}s from ${PING_START}s (the hold's last ${PING_INTERVAL}s); estimate $(( need_kib / 1024 )) MiB (${SCALE_BYTES_PER_CONN} B per connection), MemAvailable $(( avail_kib / 1024 )) MiB; load average $(cut -d' ' -f1-3 /proc/loadavg)"
if (( need_kib > avail_kib )); then
  echo "scale: refused: $N connections need about $(( need_kib / 1024 )) MiB and only $(( avail_kib / 1024 )) MiB are available (SCALE_BYTES_PER_CONN=$SCALE_BYTES_PER_CONN)" >&2
  exit 2
fi

# ---- state, cleanup, watchdog -----------------------------------------------------------------
WORK=$(mktemp -d /tmp/wsload-scale-XXXXXX)
NS=wscale$$
NSPATH=/run/netns/$NS
STATE_DIR=/tmp/wsload-lab
STATE_FILE=$STATE_DIR/$$.json
SUBNET=""
ROUTE_ADDED=0
NS_ADDED=0
CHILD_EHASH_WAS=   # the machine's net.ipv4.tcp_child_ehash_entries while ours is set
PIDS=()
WATCHDOG=""
STARTED=$(date +%s)

alive() {  # a zombie counts as gone
  local state
  state=$(awk '{sub(/.*\) /, ""); print $1}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  set +e
  [ -n "$WATCHDOG" ] && kill -KILL "$WATCHDOG" 2>/dev/null && wait "$WATCHDOG" 2>/dev/null
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  # Closing a few hundred thousand sockets takes the processes a few seconds.
  for _ in $(seq 1 200); do
    local any=0
    for pid in "${PIDS[@]}"; do alive "$pid" && { any=1; break; }; done
    (( any )) || break
    sleep 0.1
  done
  for pid in "${PIDS[@]}"; do alive "$pid" && kill -KILL "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  [ -n "$CHILD_EHASH_WAS" ] && sysctl -qw net.ipv4.tcp_child_ehash_entries="$CHILD_EHASH_WAS"
  (( NS_ADDED )) && ip netns del "$NS" 2>/dev/null
  (( ROUTE_ADDED )) && ip route del unreachable "$SUBNET" 2>/dev/null
  rm -f "$STATE_FILE"
  if [ "${SCALE_KEEP:-0}" = 1 ]; then echo "scale: kept $WORK" >&2; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "scale: interrupted" >&2; exit 130' INT HUP
trap 'echo "scale: stopped (SIGTERM or the ${SCALE_TIMEOUT}s global timeout)" >&2; exit 124' TERM

# The watchdog: SIGTERM to this script after SCALE_TIMEOUT. It dies with the script (pdeathsig), its
# sleep with it, so a SIGKILLed script leaves no watchdog that could signal a reused PID later;
# cleanup kills it by PID.
setpriv --pdeathsig KILL -- bash -c 'setpriv --pdeathsig KILL -- sleep "$1" && kill -TERM "$2"' \
  scale-watchdog "$SCALE_TIMEOUT" $$ &
WATCHDOG=$!

# Leftovers of labs or scale runs whose script was SIGKILLed (the lab's state-file format, plus the
# scale run's work directory, a key lab.py ignores).
mkdir -p "$STATE_DIR"
/usr/bin/python3 - "$STATE_DIR" <<'EOF'
import json, os, shutil, subprocess, sys
d = sys.argv[1]
for name in os.listdir(d):
    path = os.path.join(d, name)
    try:
        state = json.load(open(path))
        pid = int(state["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        os.unlink(path); continue
    try:
        st = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
        if st not in ("Z", "X"):
            continue
    except (OSError, IndexError):
        pass
    for ns in state.get("namespaces", []):
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
    subprocess.run(["ip", "route", "del", "unreachable", state["subnet"]], capture_output=True)
    work = state.get("workdir", "")  # a scale run's temporary directory (labs clean their own)
    if work.startswith("/tmp/wsload-scale-") and "/" not in work[len("/tmp/"):]:
        shutil.rmtree(work, ignore_errors=True)
    os.unlink(path)
EOF

# ---- the namespace ----------------------------------------------------------------------------
routes=$(ip -4 route show table all; ip -4 addr show)
for third in $(( $$ % 250 + 1 )) $(seq 1 250); do
  if ! grep -q "10\.231\.$third\." <<<"$routes"; then SUBNET=10.231.$third.0/24; break; fi
done
[ -n "$SUBNET" ] || { echo "scale: no free 10.231.N.0/24 for the guard route" >&2; exit 2; }
printf '{"pid": %d, "subnet": "%s", "namespaces": ["%s"], "workdir": "%s"}\n' $$ "$SUBNET" "$NS" "$WORK" >"$STATE_FILE"
ip route add unreachable "$SUBNET"      # the guard comes first
ROUTE_ADDED=1
# The namespace gets an established-socket hash table of its own, sized for its 2N sockets: the
# machine's (net.ipv4.tcp_ehash_entries, 262,144 buckets here) shared by 2,000,000 sockets made
# every packet's lookup walk chains of ~8 (perf at a million: __inet_lookup_established 9%).
# net.ipv4.tcp_child_ehash_entries (Linux 6.1+) applies to namespaces created while it is set, so it
# is set for `ip netns add` alone and put back at once (and by cleanup); without it, the shared one.
buckets=$(( 2 * N ))
if (( buckets > 262144 )) && [ -r /proc/sys/net/ipv4/tcp_child_ehash_entries ]; then
  pow=262144; while (( pow < buckets && pow < 16777216 )); do pow=$(( pow * 2 )); done
  CHILD_EHASH_WAS=$(cat /proc/sys/net/ipv4/tcp_child_ehash_entries)
  # Not settable (a container without the right): the shared table, as on older kernels.
  sysctl -qw net.ipv4.tcp_child_ehash_entries="$pow" 2>/dev/null || CHILD_EHASH_WAS=
fi
ip netns add "$NS"
NS_ADDED=1
if [ -n "$CHILD_EHASH_WAS" ]; then
  sysctl -qw net.ipv4.tcp_child_ehash_entries="$CHILD_EHASH_WAS"
  CHILD_EHASH_WAS=
  echo "scale: the namespace's established-socket hash: $(nsenter --net="$NSPATH" sysctl -n net.ipv4.tcp_ehash_entries) buckets (the machine's: $(sysctl -n net.ipv4.tcp_ehash_entries))"
fi
in_ns() { nsenter --net="$NSPATH" "$@"; }
in_ns ip link set lo up
in_ns sysctl -qw net.ipv4.ip_local_port_range="1024 65535" net.core.somaxconn=65535 \
  net.ipv4.tcp_max_syn_backlog=65535

# spawn NAME ARGS...: a process inside the namespace that dies with this script; sets LAST_PID.
spawn() {
  local name=$1; shift
  nsenter --net="$NSPATH" setpriv --pdeathsig KILL -- "$@" >"$WORK/$name.log" 2>&1 </dev/null &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}

wait_listening() {  # wait_listening LOG PID
  for _ in $(seq 1 300); do
    grep -q 'listening on ' "$1" 2>/dev/null && return 0
    alive "$2" || { echo "scale: $(basename "$1" .log) exited before listening:" >&2; tail -20 "$1" >&2; return 1; }
    sleep 0.1
  done
  echo "scale: $(basename "$1" .log) did not listen within 30 s" >&2
  return 1
}

since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
# Sums over processes; one that has gone counts 0 (its failure shows in the report).
rss_sum_kib() { local s=0 pid v; for pid in "$@"; do v=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true); s=$(( s + ${v:-0} )); done; echo "$s"; }
cpu_sum_ticks() { local s=0 pid v; for pid in "$@"; do v=$(awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$pid/stat" 2>/dev/null || true); s=$(( s + ${v:-0} )); done; echo "$s"; }
cores() { awk -v t="$1" -v s="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (s > 0 ? t / hz / s : 0) }'; }
# /proc/net/sockstat as seen from inside the namespace (empty if that fails).
ns_sockstat() { nsenter --net="$NSPATH" cat /proc/net/sockstat 2>/dev/null || true; }
# Slab (KiB) + TCP memory pages (KiB), as seen from inside the namespace.
kernel_kib() {
  local slab tcp
  slab=$(awk '/^Slab:/ {print $2}' /proc/meminfo)
  tcp=$(ns_sockstat | awk '/^TCP:/ {for (i = 1; i < NF; i++) if ($i == "mem") print $(i + 1)}')
  echo "$slab $(( ${tcp:-0} * 4 ))"
}

# ---- targets and agents -----------------------------------------------------------------------
TARGET_PIDS=()
for t in $(seq 1 "$TARGETS"); do
  spawn "target$t" "$BIN_DIR/wsload-target" --listen "127.0.0.1:$PORT" --no-auth --threads 1 --log-level warn
  TARGET_PIDS+=("$LAST_PID")
done
TOKEN=scale-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
AGENT_PIDS=()
ENDPOINTS=()
for k in $(seq 0 $(( AGENTS - 1 ))); do
  src=127.1.$(( k / 250 )).$(( k % 250 + 1 ))
  spawn "agent$k" "$BIN_DIR/wsload-agent" --listen "127.0.0.1:$(( 20000 + k ))" --token "$TOKEN" \
    --threads 1 --source-ips "$src" --log-level warn
  AGENT_PIDS+=("$LAST_PID")
  ENDPOINTS+=("127.0.0.1:$(( 20000 + k ))")
done
for t in $(seq 1 "$TARGETS"); do wait_listening "$WORK/target$t.log" "${TARGET_PIDS[$(( t - 1 ))]}"; done
for k in $(seq 0 $(( AGENTS - 1 ))); do wait_listening "$WORK/agent$k.log" "${AGENT_PIDS[$k]}"; done
sleep 1
echo "scale: $TARGETS targets on 127.0.0.1:$PORT (SO_REUSEPORT), $AGENTS agents (127.1.0.1 onwards), namespace $NS, guard route unreachable $SUBNET"

# ---- the run ----------------------------------------------------------------------------------
# The ping: the Odin application ping (JSON, paired by id) by default; SCALE_PING=ws sends RFC 6455
# ping frames instead (the server's pong is the reply).
if [ "$SCALE_PING" = ws ]; then
  MESSAGES="{ interval: ${PING_INTERVAL}s, start: ${PING_START}s, kind: ping, match: next, timeout: 10s }"
else
  MESSAGES="{ interval: ${PING_INTERVAL}s, start: ${PING_START}s, kind: json, template: '{\"type\":\"ping\",\"id\":{{seq}}}', match: id, timeout: 10s }"
fi
cat >"$WORK/scenario.yaml" <<EOF
name: scale-$N
target: { url: 'ws://127.0.0.1:$PORT/ws', connect_timeout: 30s }
load: { connections: $N, ramp_up: ${RAMP}s, hold: ${SCALE_HOLD}s, ramp_down: ${RAMP_DOWN}s }
messages: $MESSAGES
thresholds:
  - connections.success_rate == 100%
EOF
agent_rss0=$(rss_sum_kib "${AGENT_PIDS[@]}")
target_rss0=$(rss_sum_kib "${TARGET_PIDS[@]}")
read -r slab0 tcp0 < <(kernel_kib)
agent_cpu0=$(cpu_sum_ticks "${AGENT_PIDS[@]}")
target_cpu0=$(cpu_sum_ticks "${TARGET_PIDS[@]}")
IFS=,
spawn controller nice -n -10 "$BIN_DIR/wsload" run "$WORK/scenario.yaml" --agents "${ENDPOINTS[*]}" --agent-token "$TOKEN" \
  --json "$WORK/report.json" --live-interval 2s
unset IFS
CONTROLLER_PID=$LAST_PID
run_start=$EPOCHREALTIME

# Wait for the hold (the live view's "open N/N"), then measure while every connection is open.
measured=0
controller_cpu=0
next_progress=10
tick_t=$run_start tick_a=$agent_cpu0 tick_b=$target_cpu0
while alive "$CONTROLLER_PID"; do
  controller_cpu=$(cpu_sum_ticks "$CONTROLLER_PID")
  line=$(grep -a -o "open [0-9]*/$N" "$WORK/controller.log" | tail -1 || true)
  inuse=$(ns_sockstat | awk '/^TCP:/ {print $3}')
  elapsed=$(since "$run_start")
  if (( ${elapsed%.*} >= next_progress )); then  # every 10 s: the live view's figures, CPU in cores
    a=$(cpu_sum_ticks "${AGENT_PIDS[@]}") b=$(cpu_sum_ticks "${TARGET_PIDS[@]}") dt=$(since "$tick_t")
    live=$(grep -a '^\[' "$WORK/controller.log" | tail -1 | sed -E 's/^\[[^]]*\] +//; s/  +(p50|latency|errors).*//; s/  +/ /g' || true)
    echo "scale: +${elapsed}s ${live:-starting}; cores used: agents $(cores $(( a - tick_a )) "$dt"), targets $(cores $(( b - tick_b )) "$dt")"
    tick_t=$EPOCHREALTIME tick_a=$a tick_b=$b
    next_progress=$(( next_progress + 10 ))
  fi
  # The hold: the live view says every connection is open, or (should its format change) the
  # namespace holds both ends of N sockets besides the listeners and the agents' gRPC connections.
  if (( ! measured )) && { [ "$line" = "open $N/$N" ] || (( ${inuse:-0} >= 2 * N + TARGETS + 3 * AGENTS )); }; then
    sleep 2  # settle: the last handshakes' buffers
    agent_rss1=$(rss_sum_kib "${AGENT_PIDS[@]}")
    target_rss1=$(rss_sum_kib "${TARGET_PIDS[@]}")
    read -r slab1 tcp1 < <(kernel_kib)
    t0=$EPOCHREALTIME
    in_ns_established=$(in_ns ss -Htn state established "( sport = :$PORT )" | wc -l || true)
    ss_s=$(since "$t0")
    sockstat=$(ns_sockstat | grep '^TCP:' || true)
    ss_end=$(since "$run_start")
    echo "scale: hold: $in_ns_established established sockets on :$PORT in the namespace (ss took ${ss_s}s, done at +${ss_end}s; pings from +${PING_START}s); $sockstat"
    (( ${ss_end%.*} < PING_START )) || echo "scale: warning: ss ran into the pings' window (raise SCALE_HOLD); it competes with them for the CPU"
    echo "scale: hold: agents VmRSS $agent_rss0 -> $agent_rss1 KiB, targets $target_rss0 -> $target_rss1 KiB, Slab $slab0 -> $slab1 KiB, TCP mem $tcp0 -> $tcp1 KiB"
    measured=1
  fi
  sleep 1
done
wait "$CONTROLLER_PID" && controller_rc=0 || controller_rc=$?
run_seconds=$(since "$run_start")
agent_cpu=$(( $(cpu_sum_ticks "${AGENT_PIDS[@]}") - agent_cpu0 ))
target_cpu=$(( $(cpu_sum_ticks "${TARGET_PIDS[@]}") - target_cpu0 ))
(( agent_cpu < 0 )) && agent_cpu=0   # a process that died took its ticks with it
(( target_cpu < 0 )) && target_cpu=0
secs() { awk -v t="$1" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz }'; }
echo "scale: controller exited $controller_rc after ${run_seconds}s; CPU seconds: agents $(secs "$agent_cpu"), targets $(secs "$target_cpu"), controller ~$(secs "$controller_cpu"); load average $(cut -d' ' -f1-3 /proc/loadavg)"
tail -40 "$WORK/controller.log" | sed 's/^/  | /'
if (( ! measured )); then
  echo "scale: the live view never showed open $N/$N: no hold measurement" >&2
  agent_rss1=$agent_rss0 target_rss1=$target_rss0 slab1=$slab0 tcp1=$tcp0 in_ns_established=0
fi
if [ ! -s "$WORK/report.json" ]; then
  echo "scale: FAILED: no JSON report (controller exit $controller_rc)" >&2
  exit 1
fi

/usr/bin/python3 "$HERE/scale_report.py" "$WORK/report.json" "$N" "$PING_INTERVAL" \
  "$(( (agent_rss1 - agent_rss0) * 1024 ))" "$(( (target_rss1 - target_rss0) * 1024 ))" \
  "$(( (slab1 - slab0 + tcp1 - tcp0) * 1024 ))" "$(( AGENTS + TARGETS + 1 ))" "$in_ns_established" "$controller_rc" \
  "$(( $(date +%s) - STARTED ))"
