#!/usr/bin/python3
"""Runs the chart's run-controller.sh (from a rendered ConfigMap) against a stub `wsload` and a
loopback listener standing in for the agents: waiting, timeout (exit 3), token derivation, report
printing, exit-code propagation and SIGTERM forwarding (exit 130).

Usage: check_controller_script.py RENDERED_MANIFESTS.yaml
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import yaml

STUB = r"""#!/bin/bash
if [ "$1" = token ]; then echo "signed-with-$3"; exit 0; fi
for ((i = 1; i < $#; i++)); do [ "${!i}" = --json ] && j=$((i + 1)) && report=${!j}; done
echo "stub args: $*"
echo "stub AUTH_TOKEN=${AUTH_TOKEN:-}"
if [ -n "${STUB_BLOCK:-}" ]; then
  trap 'echo "{\"interrupted\": true}" > "$report"; exit 130' TERM
  touch "$STUB_BLOCK"
  while :; do sleep 0.1; done
fi
echo '{"schema": "wsload.report/v1"}' > "$report"
exit "${STUB_RC:-0}"
"""


def script_from(manifests):
    with open(manifests) as f:
        for doc in yaml.safe_load_all(f):
            if doc and doc["kind"] == "ConfigMap" and "run-controller.sh" in doc.get("data", {}):
                return doc["data"]["run-controller.sh"]
    sys.exit(f"{manifests}: no ConfigMap with run-controller.sh")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Case:
    def __init__(self, tmp, script):
        self.tmp, self.script = tmp, script

    def start(self, port, wait="10s", env=None):
        report = os.path.join(self.tmp, "report.json")
        if os.path.exists(report):
            os.remove(report)
        full_env = dict(os.environ, PATH=f"{self.tmp}:{os.environ['PATH']}", **(env or {}))
        full_env.pop("AUTH_TOKEN", None)
        args = ["bash", self.script, "run", "quick", "--agents", f"dns:///127.0.0.1:{port}",
                "--expect-agents", "1", "--agent-wait", wait, "--json", report]
        return subprocess.Popen(args, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, start_new_session=True)

    def run(self, port, wait="10s", env=None):
        proc = self.start(port, wait, env)
        try:
            out, _ = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
        return proc.returncode, out


def main():
    script_text = script_from(sys.argv[1])
    failures = []

    def expect(name, cond, detail):
        print(("ok   " if cond else "FAIL ") + name)
        if not cond:
            failures.append(f"{name}: {detail}")

    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "run-controller.sh")
        with open(script, "w") as f:
            f.write(script_text)
        stub = os.path.join(tmp, "wsload")
        with open(stub, "w") as f:
            f.write(STUB)
        os.chmod(stub, 0o755)
        case = Case(tmp, script)
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        port = listener.getsockname()[1]
        try:
            rc, out = case.run(port, env={"JWT_SECRET": "s3cret"})
            expect("passes, token signed from JWT_SECRET, report printed", rc == 0 and
                   "stub AUTH_TOKEN=signed-with-s3cret" in out and
                   "----- BEGIN wsload report.json -----\n{\"schema\": \"wsload.report/v1\"}" in out and
                   "----- END wsload report.json -----" in out, f"rc={rc}\n{out}")
            rc, out = case.run(port, env={"STUB_RC": "1"})
            expect("threshold failure keeps exit code 1", rc == 1 and "wsload exit code: 1" in out,
                   f"rc={rc}\n{out}")
            rc, out = case.run(free_port(), wait="2s")
            expect("no agent listening: exit 3 after --agent-wait", rc == 3 and
                   "0 of 1 agents listening" in out and "stub args" not in out, f"rc={rc}\n{out}")
            rc, out = case.run(port, wait="2s", env={"WSLOAD_WAIT_TARGET": f"127.0.0.1:{free_port()}"})
            expect("target not listening: exit 3", rc == 3 and "target down" in out, f"rc={rc}\n{out}")

            started = os.path.join(tmp, "started")
            proc = case.start(port, env={"STUB_BLOCK": started})
            try:
                deadline = time.monotonic() + 30
                while not os.path.exists(started) and time.monotonic() < deadline and proc.poll() is None:
                    time.sleep(0.05)
                proc.send_signal(signal.SIGTERM)
                out, _ = proc.communicate(timeout=30)
            finally:
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGKILL)
            expect("SIGTERM reaches wsload: exit 130, report printed", proc.returncode == 130 and
                   "{\"interrupted\": true}" in out, f"rc={proc.returncode}\n{out}")
        finally:
            listener.close()
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
