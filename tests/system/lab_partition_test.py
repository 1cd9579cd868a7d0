"""A network partition cuts one agent host off in the middle of a run (its bridge port goes down):
no process dies, packets just stop. Under `--on-agent-loss continue` the controller declares the
agent lost after 3 silent report intervals, finishes with the other two and marks the report
partial, keeping what the lost agent had measured. The cut-off agent, no longer hearing its
controller, stops its own load within 3 s: no connection of it stays established.

Usage: lab_partition_test.py BIN_DIR
"""
import sys
import time

from lab import STANDARD_HOSTS, Checks, Lab, agent_token, read_report

CONNECTIONS = 300  # 100 per agent host
CUT = "agent3"


def established_to(lab, host, port):
    return len(lab.run_in(host, "ss", "-Htn", "state", "established", f"( dport = :{port} )").splitlines())


def main(bin_dir):
    token = agent_token()
    checks = Checks()
    with Lab(bin_dir, STANDARD_HOSTS) as lab:
        target = lab.spawn("target", [lab.bin("wsload-target"), "--listen", f"{lab.ip('target')}:3001", "--no-auth"])
        lab.wait_listening(target)
        endpoints = lab.start_agents(token)
        controller, report_path = lab.start_run(f"""name: lab-partition
target: {{ url: 'ws://{lab.ip('target')}:3001/ws' }}
load: {{ connections: {CONNECTIONS}, ramp_up: 1s, hold: 14s }}
messages: {{ interval: 200ms, kind: json, template: '{{"type":"ping","id":{{{{seq}}}}}}', match: id, timeout: 2s }}
""", endpoints.values(), token, "--on-agent-loss", "continue")
        # Wait until the cut-off agent holds its whole share, then cut its link.
        deadline = time.monotonic() + 30
        while established_to(lab, CUT, 3001) < CONNECTIONS // 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        checks.expect(established_to(lab, CUT, 3001) == CONNECTIONS // 3, f"{CUT} holds its share before the cut")
        time.sleep(2)
        lab.run_in("br", "ip", "link", "set", CUT, "down")
        cut_at = time.monotonic()
        # The agent's watchdog: silent controller for 3 s -> stop the load and close.
        while established_to(lab, CUT, 3001) > 0 and time.monotonic() - cut_at < 10:
            time.sleep(0.1)
        stopped_after = time.monotonic() - cut_at
        left = established_to(lab, CUT, 3001)
        checks.expect(left == 0 and stopped_after <= 3.0,
                      f"{CUT} closed its connections {stopped_after:.1f} s after the cut ({left} still established); "
                      "SPEC: within 3 s")
        code = lab.wait(controller, timeout=60)
        print(controller.tail(40))
        # A third of the load is missing: PARTIAL, which exits 1 without --allow-partial.
        checks.expect(code == 1, f"wsload finishes under --on-agent-loss continue with exit 1, PARTIAL (got {code})")
        report = read_report(report_path)
        checks.expect(report["partial"], "report is marked partial")
        checks.expect(report["verdict"] == "PARTIAL", f"the verdict is PARTIAL (got {report['verdict']})")
        by_host = {host: a for host in endpoints for a in report["agents"] if a["endpoint"] == endpoints[host]}
        cut = by_host[CUT]
        checks.expect(cut["lost"] and not cut["finished"], f"{CUT} is reported lost")
        checks.expect(cut["connections"]["established"] == cut["share"] and cut["messages"]["sent"] > 0,
                      f"{CUT}'s metrics up to the cut are kept: established {cut['connections']['established']}, "
                      f"sent {cut['messages']['sent']}")
        for host in ("agent1", "agent2"):
            a = by_host[host]
            m = a["messages"]
            checks.expect(a["finished"] and not a["lost"], f"{host} finished")
            checks.expect(m["sent"] == m["replies"] and m["timeouts"] == 0,
                          f"{host}: sent {m['sent']} == replies {m['replies']}, timeouts {m['timeouts']}")
        return checks.finish(lab)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
