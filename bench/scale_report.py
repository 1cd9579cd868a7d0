"""bench/scale.sh's verdict: reads the run's JSON report and the memory deltas the script measured,
prints the detail lines and then the one last line

    established=N failed=F seconds_to_open=S agent_bytes_per_conn=A target_bytes_per_conn=T
    kernel_bytes_per_conn=K processes=P replies=R timeouts=X

and exits 0 only when every connection was established, none failed, and every ping was answered.

Pings: a connection sends its first ping when it opens and one every INTERVAL after it, while the
ramp and the hold last. With ramp + hold <= 2 x INTERVAL and hold > INTERVAL that is exactly 2 per
connection (the opening one and one inside the hold), so replies must equal 2 x N. A longer ramp
gives the early connections more pings: then every scheduled ping must be answered
(replies == scheduled == sent) and there must be at least 2 x N of them.

Usage: scale_report.py REPORT N RAMP_S HOLD_S INTERVAL_S AGENT_BYTES TARGET_BYTES KERNEL_BYTES
                       PROCESSES SS_ESTABLISHED CONTROLLER_RC ELAPSED_S
"""
import json
import sys


def main(argv):
    (path, n, ramp, hold, interval, agent_b, target_b, kernel_b, processes, ss_est, rc,
     elapsed) = argv[1:13]
    n, ramp, hold, interval = int(n), int(ramp), int(hold), int(interval)
    agent_b, target_b, kernel_b = int(agent_b), int(target_b), int(kernel_b)
    ss_est, rc = int(ss_est), int(rc)
    with open(path) as f:
        report = json.load(f)
    c, m = report["connections"], report["messages"]
    established, failed = c["established"], c["failed"]
    replies, timeouts, sent = m["replies"], m["timeouts"], m["sent"]
    scheduled = m.get("scheduled", sent)
    unsent = m.get("unsent", 0)
    in_flight = m.get("in_flight", 0)
    disconnects = c.get("unexpected_disconnects", 0)
    lost = [a.get("endpoint", "?") for a in report.get("agents", []) if a.get("lost")]

    seconds_to_open = None
    for point in report.get("timeline", []):
        if point.get("open", 0) >= n:
            seconds_to_open = point["t_s"]
            break

    exact = ramp + hold <= 2 * interval and hold > interval
    # What the plan alone predicts (connection i opening at ramp * i / n): for information; the
    # agents schedule from the actual establishment instants.
    end = ramp + hold
    planned = sum(-(-(end * n - ramp * i) // (interval * n)) for i in range(n))
    expected = 2 * n
    checks = [
        (established == n, f"established {established} == {n}"),
        (failed == 0, f"failed {failed} == 0"),
        (disconnects == 0, f"unexpected disconnects {disconnects} == 0"),
        (not lost, f"no agent lost ({lost or 'none'})"),
        (timeouts == 0, f"timeouts {timeouts} == 0"),
        (unsent == 0 and in_flight == 0, f"unsent {unsent} == 0, in flight {in_flight} == 0"),
        (replies == sent == scheduled, f"replies {replies} == sent {sent} == scheduled {scheduled}"),
        (replies == expected if exact else replies >= expected,
         f"replies {replies} {'==' if exact else '>='} 2 pings x {n} connections = {expected}"
         + ("" if exact else f" (ramp {ramp}s + hold {hold}s > {2 * interval}s: early connections ping more;"
                             f" the plan's opening instants give {planned})")),
        (ss_est == n, f"the kernel saw {ss_est} established sockets on the target port during the hold"),
        (seconds_to_open is not None, f"the timeline reached open {n} (at {seconds_to_open} s)"),
        (rc == 0, f"wsload exited {rc}"),
    ]
    for ok, text in checks:
        print(("scale: ok   " if ok else "scale: FAIL ") + text)
    verdict = all(ok for ok, _ in checks)
    per = (lambda b: b // n) if n else (lambda b: 0)
    print(f"scale: {'PASSED' if verdict else 'FAILED'} in {elapsed} s; report verdict "
          f"{report.get('verdict', '?')}, {len(report.get('agents', []))} agents, "
          f"connect time p50 {c.get('connect_time', {}).get('p50_ms', '?')} ms "
          f"p99 {c.get('connect_time', {}).get('p99_ms', '?')} ms, "
          f"latency p50 {report.get('latency', {}).get('p50_ms', '?')} ms "
          f"p99 {report.get('latency', {}).get('p99_ms', '?')} ms")
    print(f"established={established} failed={failed} "
          f"seconds_to_open={seconds_to_open if seconds_to_open is not None else -1} "
          f"agent_bytes_per_conn={per(agent_b)} target_bytes_per_conn={per(target_b)} "
          f"kernel_bytes_per_conn={per(kernel_b)} processes={processes} replies={replies} "
          f"timeouts={timeouts}")
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
