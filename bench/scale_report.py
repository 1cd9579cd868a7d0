"""bench/scale.sh's verdict: reads the run's JSON report and the memory deltas the script measured,
prints the detail lines and then the one last line

    established=N failed=F seconds_to_open=S agent_bytes_per_conn=A target_bytes_per_conn=T
    kernel_bytes_per_conn=K processes=P replies=R timeouts=X

and exits 0 only when every connection was established, none failed, and every ping was answered.

Pings: one per connection, in the hold's last INTERVAL seconds (the stream's `start`); see the
checks below.

Usage: scale_report.py REPORT N INTERVAL_S AGENT_BYTES TARGET_BYTES KERNEL_BYTES
                       PROCESSES SS_ESTABLISHED CONTROLLER_RC ELAPSED_S
"""
import json
import sys


def main(argv):
    (path, n, interval, agent_b, target_b, kernel_b, processes, ss_est, rc, elapsed) = argv[1:11]
    n, interval = int(n), int(interval)
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

    reasons = m.get("unsent_reasons") or {}
    stopped = reasons.get("stopped", 0)
    # The stream starts at the hold's last INTERVAL seconds (`start`), a half-open window one
    # interval long: every connection's schedule (its opening + k x interval) has exactly one slot
    # in it, so exactly N pings are scheduled. A busy agent may reach a slot due in the hold's last
    # instants after the end and not send it (unsent `stopped`): at most the slots of its last
    # 100 ms (N / 300) are tolerated, and every ping sent must be answered.
    slack = n // 300
    ping_checks = [
        (scheduled == n and sent + unsent == scheduled,
         f"scheduled {scheduled} == {n} (one ping per connection in the hold's last {interval} s) "
         f"== sent {sent} + unsent {unsent}"),
        (unsent == stopped <= slack,
         f"unsent {unsent} (reasons {reasons or 'none'}) only `stopped` (due in the hold's last "
         f"instants, not yet sent when it ended), at most N/300 = {slack}"),
        (replies == sent, f"every ping sent was answered: replies {replies} == sent {sent}"),
    ]
    checks = [
        (established == n, f"established {established} == {n}"),
        (failed == 0, f"failed {failed} == 0"),
        (disconnects == 0, f"unexpected disconnects {disconnects} == 0"),
        (not lost, f"no agent lost ({lost or 'none'})"),
        (timeouts == 0 and in_flight == 0, f"timeouts {timeouts} == 0, in flight {in_flight} == 0"),
        *ping_checks,
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
