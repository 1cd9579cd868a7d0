"""Packet loss on one agent host's link: an nftables rule in the bridge namespace drops LOSS_PERCENT
of the frames to and from agent2's bridge port (the kernel has no netem). Requests time out after
less than TCP's minimum retransmission timeout (200 ms), so a request or reply that loses a packet
times out. The run must complete, every count must be conserved, and the timeouts must be
attributed to agent2's share alone — agents 1 and 3 see none.

Usage: lab_loss_test.py BIN_DIR
"""
import sys

from lab import STANDARD_HOSTS, Checks, Lab, agent_token, read_report

LOSS_PERCENT = 2
CONNECTIONS = 300  # 100 per agent host
LOSSY = "agent2"


def main(bin_dir):
    token = agent_token()
    checks = Checks()
    with Lab(bin_dir, STANDARD_HOSTS) as lab:
        # Frames entering the bridge from agent2 and frames leaving it towards agent2.
        rules = f"""table bridge lab {{
  chain forward {{
    type filter hook forward priority 0; policy accept;
    iifname "{LOSSY}" numgen random mod 100 < {LOSS_PERCENT} counter drop
    oifname "{LOSSY}" numgen random mod 100 < {LOSS_PERCENT} counter drop
  }}
}}
"""
        lab.run_in("br", "nft", "-f", lab.write("loss.nft", rules))
        target = lab.spawn("target", [lab.bin("wsload-target"), "--listen", f"{lab.ip('target')}:3001",
                                      "--no-auth"])
        lab.wait_listening(target)
        endpoints = lab.start_agents(token)
        controller, report_path = lab.start_run(f"""name: lab-loss
target: {{ url: 'ws://{lab.ip('target')}:3001/ws', connect_timeout: 15s }}
load: {{ connections: {CONNECTIONS}, ramp_up: 2s, hold: 10s }}
messages: {{ interval: 100ms, kind: json, template: '{{"type":"ping","id":{{{{seq}}}}}}', match: id, timeout: 150ms }}
""", endpoints.values(), token, "-q")
        code = lab.wait(controller, timeout=180)
        print(controller.tail(60))
        print(lab.run_in("br", "nft", "list", "ruleset"))
        checks.expect(code == 0, f"wsload completes with exit 0 (no thresholds; got {code})")
        report = read_report(report_path)
        checks.expect(not report["partial"], "report is not partial: no agent was lost")
        m = report["messages"]
        checks.expect(m["sent"] == m["replies"] + m["timeouts"] + m["in_flight"],
                      f"sent {m['sent']} == replies {m['replies']} + timeouts {m['timeouts']} + in flight {m['in_flight']}")
        by_host = {host: a for host in endpoints for a in report["agents"] if a["endpoint"] == endpoints[host]}
        checks.expect(len(by_host) == 3, "the report has one entry per agent")
        for host, agent in by_host.items():
            am, ac = agent["messages"], agent["connections"]
            checks.expect(am["sent"] == am["replies"] + am["timeouts"] + am["in_flight"],
                          f"{host}: sent {am['sent']} == replies {am['replies']} + timeouts {am['timeouts']} "
                          f"+ in flight {am['in_flight']}")
            checks.expect(agent["share"] == CONNECTIONS // 3, f"{host}: share {agent['share']} == {CONNECTIONS // 3}")
            if host == LOSSY:
                checks.expect(am["timeouts"] > 0, f"{host} (lossy link): timeouts {am['timeouts']} > 0")
                checks.expect(am["timeouts"] < am["sent"] * 0.2,
                              f"{host}: timeouts {am['timeouts']} are a few percent of sent {am['sent']}, not a collapse")
            else:
                checks.expect(am["timeouts"] == 0 and am["late_replies"] == 0,
                              f"{host} (clean link): timeouts {am['timeouts']} == 0, late replies {am['late_replies']} == 0")
                checks.expect(ac["established"] == agent["share"] and ac["failed"] == 0,
                              f"{host}: established {ac['established']} == share, failed {ac['failed']} == 0")
        total_timeouts = sum(a["messages"]["timeouts"] for a in report["agents"])
        checks.expect(total_timeouts == m["timeouts"], f"per-agent timeouts sum to the total {m['timeouts']}")
        return checks.finish(lab)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
