"""A lab of network namespaces that plays several hosts on one machine (MACHINE.md's recipe).

    with Lab(bin_dir, {"ctl": [2], "agent1": [11, 111], "target": [20]}) as lab:
        proc = lab.spawn("target", [lab.bin("wsload-target"), "--listen", lab.ip("target") + ":3001"])
        lab.wait_listening(proc)

Every host is a namespace `wlab<pid>-<host>` with one veth `eth0` holding 10.231.N.<suffix>/24 (the
first suffix is the host's main address); the other end of each veth is the port `<host>` of the
bridge `br0`, which lives in its own namespace `wlab<pid>-br`. Before anything else the root
namespace gets `ip route add unreachable 10.231.N.0/24`, so no packet for the lab subnet can leave
the machine even if a namespace were misconfigured. Teardown (also on an exception, SIGTERM or
SIGINT) stops every process the lab started, by PID, deletes the namespaces and the route. If the
harness itself is SIGKILLed, its children die with it (PR_SET_PDEATHSIG) and the next lab removes
the leftover namespaces and route from the state file it finds in /tmp/wsload-lab/.
"""

import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SKIP = 77  # ctest SKIP_RETURN_CODE
AGENT_HOSTS = ("agent1", "agent2", "agent3")
# The usual lab: a controller host, three agent hosts and a target host (address suffixes).
STANDARD_HOSTS = {"ctl": [2], "agent1": [11], "agent2": [12], "agent3": [13], "target": [20]}
STATE_DIR = "/tmp/wsload-lab"
_libc = ctypes.CDLL("libc.so.6", use_errno=True)
_PR_SET_PDEATHSIG = 1


def _die_with_parent():
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def sh(*argv, check=True, capture=True):
    """Runs a command in the root namespace; raises with its stderr when it fails."""
    result = subprocess.run(argv, capture_output=capture, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"`{' '.join(argv)}` failed ({result.returncode}): {result.stderr.strip()}")
    return result


def require_root():
    if os.geteuid() != 0:
        print("SKIPPED: the system lab creates network namespaces and needs root "
              "(CI runs as root; run `sudo ctest -L lab` here)")
        sys.exit(SKIP)
    for tool in ("ip", "nft", "ss", "sysctl", "nsenter"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"`{tool}` is missing: apt-get install iproute2 nftables procps util-linux")


def _pid_alive(pid):
    """True when `pid` runs; a zombie (killed, not yet reaped) counts as gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def remove_leftovers():
    """Removes namespaces and guard routes of labs whose harness died without tearing down."""
    os.makedirs(STATE_DIR, exist_ok=True)
    for name in os.listdir(STATE_DIR):
        path = os.path.join(STATE_DIR, name)
        try:
            with open(path) as f:
                state = json.load(f)
        except (OSError, ValueError):
            os.unlink(path)
            continue
        if _pid_alive(state["pid"]):
            continue
        for ns in state["namespaces"]:
            sh("ip", "netns", "del", ns, check=False)
        sh("ip", "route", "del", "unreachable", state["subnet"], check=False)
        os.unlink(path)


class Proc:
    def __init__(self, host, name, popen, log):
        self.host, self.name, self.popen, self.log = host, name, popen, log

    @property
    def pid(self):
        return self.popen.pid

    def output(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def tail(self, lines=30):
        return "\n".join(self.output().splitlines()[-lines:])


class Lab:
    def __init__(self, bin_dir, hosts):
        self.bin_dir = bin_dir
        self.hosts = hosts  # name -> [address suffixes]
        self.prefix = f"wlab{os.getpid()}-"
        self.subnet_base = None
        self.namespaces = []
        self.procs = []
        self.route_added = False
        self.workdir = tempfile.mkdtemp(prefix="wsload-lab-")
        self.state_file = os.path.join(STATE_DIR, f"{os.getpid()}.json")
        self._old_handlers = {}

    # ---- set-up and teardown ----------------------------------------------------------------
    def __enter__(self):
        require_root()
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            self._old_handlers[sig] = signal.signal(sig, self._on_signal)
        try:
            remove_leftovers()
            self._choose_subnet()
            self._write_state()
            # The guard comes first: from here on no lab packet can leave the machine.
            sh("ip", "route", "add", "unreachable", self.subnet)
            self.route_added = True
            self._add_ns(self.ns("br"))
            self._in("br", "ip", "link", "add", "br0", "type", "bridge")
            self._in("br", "ip", "link", "set", "br0", "up")
            for host, suffixes in self.hosts.items():
                self._add_host(host, suffixes)
        except BaseException:
            self.teardown()
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is not None and not isinstance(exc, KeyboardInterrupt):
            self.dump_logs()
        self.teardown()
        return False

    def _on_signal(self, signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    def _choose_subnet(self):
        routes = sh("ip", "-4", "route", "show", "table", "all").stdout
        addrs = sh("ip", "-4", "addr", "show").stdout
        for third in [os.getpid() % 250 + 1] + list(range(1, 251)):
            base = f"10.231.{third}."
            if base not in routes and base not in addrs:
                self.subnet_base = base
                self.subnet = base + "0/24"
                return
        raise RuntimeError("no free 10.231.N.0/24 subnet for the lab")

    def _write_state(self):
        os.makedirs(STATE_DIR, exist_ok=True)
        with open(self.state_file, "w") as f:
            json.dump({"pid": os.getpid(), "subnet": self.subnet,
                       "namespaces": [self.ns("br")] + [self.ns(h) for h in self.hosts]}, f)

    def _add_ns(self, ns):
        sh("ip", "netns", "add", ns)
        self.namespaces.append(ns)
        sh("nsenter", f"--net=/run/netns/{ns}", "ip", "link", "set", "lo", "up")  # not `ip -n`: see _enter

    def _add_host(self, host, suffixes):
        if len(host) > 15:
            raise ValueError(f"host name '{host}' is longer than an interface name may be")
        ns = self.ns(host)
        self._add_ns(ns)
        sh("ip", "link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", host, "netns", self.ns("br"))
        self._in("br", "ip", "link", "set", host, "master", "br0", "up")
        for suffix in suffixes:
            self._in(host, "ip", "addr", "add", f"{self.subnet_base}{suffix}/24", "dev", "eth0")
        self._in(host, "ip", "link", "set", "eth0", "up")
        # Per-namespace sysctls: room for tens of thousands of sockets per host.
        self._in(host, "sysctl", "-qw", "net.ipv4.ip_local_port_range=1024 65000",
                 "net.core.somaxconn=8192", "net.ipv4.tcp_max_syn_backlog=8192")

    def teardown(self):
        for proc in reversed(self.procs):
            if proc.popen.poll() is None:
                proc.popen.terminate()
        deadline = time.monotonic() + 5
        for proc in self.procs:
            try:
                proc.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.popen.kill()
                proc.popen.wait()
        for ns in reversed(self.namespaces):
            sh("ip", "netns", "del", ns, check=False)
        self.namespaces = []
        if self.route_added:
            sh("ip", "route", "del", "unreachable", self.subnet, check=False)
            self.route_added = False
        if os.path.exists(self.state_file):
            os.unlink(self.state_file)
        shutil.rmtree(self.workdir, ignore_errors=True)
        for sig, handler in self._old_handlers.items():
            signal.signal(sig, handler)
        self._old_handlers = {}

    # ---- use --------------------------------------------------------------------------------
    def ns(self, host):
        return self.prefix + host

    def ip(self, host, index=0):
        return f"{self.subnet_base}{self.hosts[host][index]}"

    def bin(self, name):
        path = os.path.join(self.bin_dir, name)
        if not os.access(path, os.X_OK):
            raise RuntimeError(f"{path} is not built")
        return path

    def path(self, name):
        return os.path.join(self.workdir, name)

    def write(self, name, text):
        with open(self.path(name), "w") as f:
            f.write(text)
        return self.path(name)

    def _enter(self, host):
        # nsenter rather than `ip netns exec` or `ip -n`: it only switches the network namespace, so it
        # also works where / is not a mount point (a chroot), and the processes need nothing else.
        return ["nsenter", f"--net=/run/netns/{self.ns(host)}"]

    def _in(self, host, *argv):
        return sh(*self._enter(host), *argv)

    def run_in(self, host, *argv):
        """Runs a short command inside a host; returns its stdout."""
        return self._in(host, *argv).stdout

    def spawn(self, host, argv, name=None, env=None):
        name = name or f"{host}-{os.path.basename(argv[0])}-{len(self.procs)}"
        log = self.path(name + ".log")
        with open(log, "w") as out:
            popen = subprocess.Popen(self._enter(host) + list(argv), stdout=out,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     preexec_fn=_die_with_parent, env=env)
        proc = Proc(host, name, popen, log)
        self.procs.append(proc)
        return proc

    def wait_listening(self, proc, timeout=20):
        """Waits for the `listening on HOST:PORT` line the wsload binaries print when ready."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = re.search(r"listening on (\S+):(\d+)", proc.output())
            if m:
                return f"{m.group(1)}:{m.group(2)}"
            if proc.popen.poll() is not None:
                raise RuntimeError(f"{proc.name} exited ({proc.popen.returncode}) before listening:\n{proc.tail()}")
            time.sleep(0.05)
        raise RuntimeError(f"{proc.name} did not listen within {timeout}s:\n{proc.tail()}")

    def wait(self, proc, timeout):
        try:
            return proc.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"{proc.name} still running after {timeout}s:\n{proc.tail()}") from None

    def start_agents(self, token, hosts=AGENT_HOSTS, port=7000, extra=()):
        """One wsload-agent per host on its main address; returns {host: "IP:PORT"} once all listen."""
        procs = {host: self.spawn(host, [self.bin("wsload-agent"), "--listen", f"{self.ip(host)}:{port}",
                                         "--token", token, "--threads", "1", *extra])
                 for host in hosts}
        return {host: self.wait_listening(proc) for host, proc in procs.items()}

    def start_run(self, scenario_yaml, agents, token, *extra):
        """`wsload run` on the controller host against `agents` (endpoints); returns the process and
        the path its JSON report will be written to."""
        scenario = self.write("scenario.yaml", scenario_yaml)
        report = self.path("report.json")
        proc = self.spawn("ctl", [self.bin("wsload"), "run", scenario, "--agents", ",".join(agents),
                                  "--agent-token", token, "--json", report, *extra])
        return proc, report

    def dump_logs(self, lines=40):
        for proc in self.procs:
            print(f"----- {proc.name} (pid {proc.pid}, exit {proc.popen.poll()}) -----")
            print(proc.tail(lines))


class Checks:
    """Collects failed expectations so one run reports all of them; exit 1 when any failed."""

    def __init__(self):
        self.failures = []

    def expect(self, condition, message):
        print(("ok   " if condition else "FAIL ") + message)
        if not condition:
            self.failures.append(message)

    def finish(self, lab):
        """Call inside the `with Lab` block: prints the lab's logs when anything failed."""
        if self.failures:
            lab.dump_logs()
        return self.exit_code()

    def exit_code(self):
        if self.failures:
            print(f"{len(self.failures)} expectation(s) failed")
            return 1
        print("all expectations met")
        return 0


def agent_token():
    return "lab-" + os.urandom(8).hex()


def read_report(path):
    with open(path) as f:
        return json.load(f)
