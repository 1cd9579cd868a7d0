"""50,000 concurrent connections over three agent hosts, in the namespace lab.

Each agent host runs two wsload-agent processes (one process holds at most ~19K connections under
the 20,000 fd limit) that spread their connections over the host's two load addresses with
--source-ips; the target host runs four wsload-target processes sharing one port (SO_REUSEPORT).
The controller, on its own host, drives the six agents over the lab network by gRPC.

Checks: every connection established and every request answered; each agent's share is the exact
planner split (50,000 / 6 → 8,334 ×2 and 8,333 ×4) and each agent established exactly its share;
while the load holds, the target host has exactly CONNECTIONS established sockets on the port,
every target process holds some of them, and each agent host uses exactly its two load addresses.

The hold-time counts are cheap and taken while the load holds: `ss` without -p in the namespaces,
and each target's descriptor count from /proc/PID/fd against its count before the run (the slow
`ss -p`, which resolves every descriptor of every process, is not used: on 50,000 sockets in a fresh
Debian root it outlasted the hold). The established count is taken again after them, so a
measurement that ran past the end of the hold fails visibly instead of counting a closing run.

Usage: lab_scale_test.py BIN_DIR        (WSLOAD_LAB_CONNECTIONS overrides 50000 for a quick try)
"""
import collections
import os
import sys
import time

from lab import Checks, Lab, agent_token, read_report

CONNECTIONS = int(os.environ.get("WSLOAD_LAB_CONNECTIONS", "50000"))
AGENTS_PER_HOST = 2
TARGET_PROCESSES = 4
PORT = 3001


def exact_shares(total, parts):
    base, extra = divmod(total, parts)
    return sorted([base + 1] * extra + [base] * (parts - extra))


def established_on_port(lab):
    """Established sockets on the target port in the target host: `ss` without -p, which reads only
    the namespace's socket table (no walk over every process's file descriptors)."""
    return len(lab.run_in("target", "ss", "-Htn", "state", "established", f"( sport = :{PORT} )").splitlines())


def fd_count(pid):
    """Open file descriptors of a process: one directory listing, no readlink per descriptor (this is
    what makes `ss -p` slow with 50,000 sockets: it resolves every descriptor of every process)."""
    return len(os.listdir(f"/proc/{pid}/fd"))


def sockets_by_source(lab):
    """(agent host, local address) -> established sockets to the target port, from each agent host."""
    by_source = collections.Counter()
    for i in (1, 2, 3):
        host = f"agent{i}"
        lines = lab.run_in(host, "ss", "-Htn", "state", "established", f"( dport = :{PORT} )").splitlines()
        for line in lines:
            by_source[(host, line.split()[2].rsplit(":", 1)[0])] += 1
    return by_source


def measure_during_hold(lab, controller, targets, baseline_fds, started):
    """Waits until every connection is established, then takes the per-process and per-source counts
    at once, cheapest first, and counts again: the measurement is valid only if the load still held
    all connections afterwards (the run had not ended while it was being taken)."""
    peak = 0
    while controller.popen.poll() is None and time.monotonic() - started < 240:
        count = established_on_port(lab)
        peak = max(peak, count)
        if count >= CONNECTIONS:
            taken = time.monotonic()
            growth = {t.pid: fd_count(t.pid) - baseline_fds[t.pid] for t in targets}
            by_source = sockets_by_source(lab)
            after = established_on_port(lab)
            took = time.monotonic() - taken
            print(f"measured during the hold in {took:.1f}s: {count} then {after} established; "
                  f"descriptors gained per target pid {growth}")
            return {"peak": peak, "count": count, "after": after, "took": took, "growth": growth,
                    "by_source": by_source}
        time.sleep(1)
    return {"peak": peak, "count": peak, "after": None, "took": None, "growth": {}, "by_source": {}}


def main(bin_dir):
    hosts = {"ctl": [2], "target": [20]}
    for i in (1, 2, 3):
        hosts[f"agent{i}"] = [10 + i, 100 + 10 * i + 1, 100 + 10 * i + 2]  # control + two load addresses
    token = agent_token()
    checks = Checks()
    with Lab(bin_dir, hosts) as lab:
        targets = []
        for _ in range(TARGET_PROCESSES):
            target = lab.spawn("target", [lab.bin("wsload-target"), "--listen", f"{lab.ip('target')}:{PORT}",
                                          "--no-auth", "--threads", "1", "--log-level", "warn"])
            targets.append(target)
        for target in targets:
            lab.wait_listening(target)
        baseline_fds = {t.pid: fd_count(t.pid) for t in targets}  # before any client connects
        endpoints = []
        for i in (1, 2, 3):
            host = f"agent{i}"
            sources = f"{lab.ip(host, 1)}-{lab.ip(host, 2)}"
            for k in range(AGENTS_PER_HOST):
                agent = lab.spawn(host, [lab.bin("wsload-agent"), "--listen", f"{lab.ip(host)}:{7000 + k}",
                                         "--token", token, "--threads", "1", "--source-ips", sources])
                endpoints.append(lab.wait_listening(agent))
        controller, report_path = lab.start_run(f"""name: lab-scale
target: {{ url: 'ws://{lab.ip('target')}:{PORT}/ws', connect_timeout: 30s }}
load: {{ connections: {CONNECTIONS}, ramp_up: 25s, hold: 20s }}
messages: {{ interval: 10s, kind: json, template: '{{"type":"ping","id":{{{{seq}}}}}}', match: id, timeout: 10s }}
""", endpoints, token, "--live-interval", "5s")
        started = time.monotonic()
        seen = measure_during_hold(lab, controller, targets, baseline_fds, started)
        code = lab.wait(controller, timeout=300)
        print(controller.tail(45))

        checks.expect(code == 0, f"wsload exits 0 (got {code})")
        checks.expect(seen["count"] == CONNECTIONS and seen["after"] == CONNECTIONS,
                      f"target host held {seen['count']} established sockets on :{PORT} at once, still "
                      f"{seen['after']} after the per-process and per-source counts (took {seen['took'] or 0:.1f}s; peak seen "
                      f"{seen['peak']}), expected {CONNECTIONS}")
        growth = seen["growth"]
        target_pids = {t.pid for t in targets}
        checks.expect(set(growth) == target_pids and all(n > 0 for n in growth.values())
                      and sum(growth.values()) == CONNECTIONS,
                      f"all {TARGET_PROCESSES} target processes share the port: descriptors gained per pid "
                      f"{growth} (sum {sum(growth.values())} == {CONNECTIONS})")
        report = read_report(report_path)
        c, m = report["connections"], report["messages"]
        checks.expect(c["established"] == CONNECTIONS and c["failed"] == 0,
                      f"established {c['established']} == {CONNECTIONS}, failed {c['failed']} == 0")
        checks.expect(c["unexpected_disconnects"] == 0, f"unexpected disconnects {c['unexpected_disconnects']} == 0")
        checks.expect(m["sent"] >= CONNECTIONS and m["sent"] == m["replies"] and m["timeouts"] == 0
                      and m["in_flight"] == 0,
                      f"every request answered: sent {m['sent']} == replies {m['replies']}, timeouts {m['timeouts']}, "
                      f"in flight {m['in_flight']}")
        agents = report["agents"]
        checks.expect(len(agents) == len(endpoints), f"{len(agents)} agents in the report")
        shares = sorted(a["share"] for a in agents)
        checks.expect(shares == exact_shares(CONNECTIONS, len(endpoints)),
                      f"shares {shares} == exact split {exact_shares(CONNECTIONS, len(endpoints))}")
        for a in agents:
            checks.expect(a["connections"]["established"] == a["share"] and a["connections"]["failed"] == 0,
                          f"agent {a['endpoint']}: established {a['connections']['established']} == share {a['share']}")
        for i in (1, 2, 3):
            host = f"agent{i}"
            load_ips = {lab.ip(host, 1), lab.ip(host, 2)}
            host_share = sum(a["share"] for a in agents if a["endpoint"].startswith(lab.ip(host) + ":"))
            used = {ip: n for (h, ip), n in seen["by_source"].items() if h == host}
            checks.expect(set(used) == load_ips and sum(used.values()) == host_share,
                          f"{host}: sockets to the target per local address {used} "
                          f"(only --source-ips {sorted(load_ips)}; {host_share} = its agents' shares)")
        return checks.finish(lab)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
