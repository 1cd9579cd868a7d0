#!/usr/bin/env bash
# Renders helm/wsload with our Go renderer (text/template + Sprig, Helm's engine; there is no helm
# binary here) and checks it: golden files, required-value errors, Kubernetes schema and wiring
# (check_manifests.py: also the controller's metrics/web ports, its Service, ServiceMonitor/PodMonitor
# and the Grafana dashboard ConfigMap), the checker's own ability to catch broken objects
# (check_checker.py), the controller Job's script against a stub wsload (check_controller_script.py),
# and deploy/compose.yaml. The dashboard's queries against a live scrape: check_dashboard_metrics.sh.
#   tests/helm/check_chart.sh [BIN_DIR]  run every check; exit 1 on the first failing group. With
#                                        BIN_DIR (build/bin), every flag the Job passes to wsload run
#                                        must be one `BIN_DIR/wsload run --help` lists
#   tests/helm/check_chart.sh --update   rewrite tests/helm/golden/* from the current chart
# Needs: golang-go golang-github-masterminds-sprig-dev golang-k8s-sigs-yaml-dev python3-kubernetes
# python3-yaml. HELM_CHECK_WORKDIR: where to build and render (default: a temporary directory).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
chart=$root/helm/wsload
golden=$here/golden
update=0 bin_dir=""
if [ "${1:-}" = "--update" ]; then update=1; elif [ -n "${1:-}" ]; then bin_dir=$1; fi

missing() {
  echo "FAIL: $1 is missing. Install: apt-get install golang-go golang-github-masterminds-sprig-dev" \
       "golang-k8s-sigs-yaml-dev python3-kubernetes python3-yaml" >&2
  exit 1
}
command -v go >/dev/null || missing "go (golang-go)"
[ -d /usr/share/gocode/src/github.com/Masterminds/sprig ] || missing "Sprig (golang-github-masterminds-sprig-dev)"
[ -d /usr/share/gocode/src/sigs.k8s.io/yaml ] || missing "sigs.k8s.io/yaml (golang-k8s-sigs-yaml-dev)"
/usr/bin/python3 -c 'import kubernetes.client, yaml' 2>/dev/null || missing "python3-kubernetes / python3-yaml"

if [ -n "${HELM_CHECK_WORKDIR:-}" ]; then
  work=$HELM_CHECK_WORKDIR
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# Debian's Go libraries are a GOPATH tree; no module download happens.
export GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= GOCACHE=$work/gocache
export PYTHONDONTWRITEBYTECODE=1
unformatted=$(cd "$here/render" && gofmt -l .)
[ -z "$unformatted" ] || fail "gofmt: $unformatted"
(cd "$here/render" && go vet . && go build -o "$work/render" .)
render=$work/render

# name | values file | extra checker arguments
cases=(
  "default|values-default.yaml|"
  "scale|values-scale.yaml|"
  "external|values-external.yaml|--external-secret wsload-agent-credentials"
  "metrics|values-metrics.yaml|"
)
mkdir -p "$golden"
for c in "${cases[@]}"; do
  IFS='|' read -r name values extra <<<"$c"
  "$render" -chart "$chart" -f "$here/$values" >"$work/$name.yaml"
  "$render" -chart "$chart" -f "$here/$values" -notes >"$work/$name-NOTES.txt"
  for out in "$name.yaml" "$name-NOTES.txt"; do
    if [ $update -eq 1 ]; then
      cp "$work/$out" "$golden/$out"
      echo "updated golden/$out"
    elif ! diff -u "$golden/$out" "$work/$out"; then
      fail "$out differs from golden/$out (run tests/helm/check_chart.sh --update if intended)"
    fi
  done
  # shellcheck disable=SC2086
  /usr/bin/python3 "$here/check_manifests.py" "$work/$name.yaml" $extra || fail "check_manifests $name"
done

# Structure only (no golden): another release name and namespace; agents without a controller Job.
"$render" -chart "$chart" -f "$here/values-scale.yaml" -name perf -namespace loadtest >"$work/renamed.yaml"
/usr/bin/python3 "$here/check_manifests.py" "$work/renamed.yaml" || fail "check_manifests renamed"
grep -q -- '- dns:///perf-wsload-agents.loadtest.svc.cluster.local:7000$' "$work/renamed.yaml" ||
  fail "release name/namespace not reflected in --agents"
printf 'agents: {token: t}\ncontroller: {enabled: false}\n' >"$work/agents-only-values.yaml"
"$render" -chart "$chart" -f "$work/agents-only-values.yaml" >"$work/agents-only.yaml"
/usr/bin/python3 "$here/check_manifests.py" "$work/agents-only.yaml" || fail "check_manifests agents-only"
if grep -q '^kind: Job$' "$work/agents-only.yaml"; then fail "controller.enabled=false still renders a Job"; fi

# Metrics: a PodMonitor instead of the ServiceMonitor; the dashboard ConfigMap carries
# dashboards/wsload.json byte for byte; metrics.enabled=false leaves no port, flag or Service.
printf 'agents: {token: t}\ncontroller: {url: ws://x:1/ws}\nmetrics: {podMonitor: {enabled: true, labels: {release: prom}}}\n' \
  >"$work/podmonitor-values.yaml"
"$render" -chart "$chart" -f "$work/podmonitor-values.yaml" >"$work/podmonitor.yaml"
/usr/bin/python3 "$here/check_manifests.py" "$work/podmonitor.yaml" || fail "check_manifests podmonitor"
grep -q '^kind: PodMonitor$' "$work/podmonitor.yaml" || fail "metrics.podMonitor.enabled renders no PodMonitor"
/usr/bin/python3 - "$work/metrics.yaml" "$chart/dashboards/wsload.json" <<'PY' || fail "dashboard ConfigMap"
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
cm = next(d for d in docs if d["kind"] == "ConfigMap" and "wsload.json" in d.get("data", {}))
assert cm["data"]["wsload.json"] == open(sys.argv[2]).read().rstrip("\n"), "ConfigMap differs from the file"
print(f"dashboard ConfigMap {cm['metadata']['name']}: dashboards/wsload.json, labels {cm['metadata']['labels']}")
PY
printf 'agents: {token: t}\ncontroller: {url: ws://x:1/ws}\nmetrics: {enabled: false}\n' >"$work/no-metrics-values.yaml"
"$render" -chart "$chart" -f "$work/no-metrics-values.yaml" >"$work/no-metrics.yaml"
/usr/bin/python3 "$here/check_manifests.py" "$work/no-metrics.yaml" || fail "check_manifests no-metrics"
/usr/bin/python3 - "$work/no-metrics.yaml" <<'PY' || fail "metrics.enabled=false still wires metrics"
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
ctl = next(d for d in docs if d["kind"] == "Job")["spec"]["template"]["spec"]["containers"][0]
assert "--metrics-listen" not in ctl["args"] and "ports" not in ctl, ctl
assert not [d for d in docs if d["kind"] == "Service" and d["metadata"]["name"].endswith("-controller")]
PY

# Required values: each negative/*.yaml must fail to render with the message on its "# expect:" line.
for values in "$here"/negative/*.yaml; do
  expected=$(sed -n 's/^# expect: //p' "$values" | head -n1)
  [ -n "$expected" ] || { fail "$values has no '# expect:' line"; continue; }
  if "$render" -chart "$chart" -f "$values" >/dev/null 2>"$work/stderr"; then
    fail "$(basename "$values"): rendered, expected an error containing: $expected"
  elif ! grep -qF -- "$expected" "$work/stderr"; then
    fail "$(basename "$values"): wrong error: $(cat "$work/stderr") (expected: $expected)"
  else
    echo "negative $(basename "$values"): $(cat "$work/stderr")"
  fi
done

/usr/bin/python3 "$here/check_checker.py" "$work/scale.yaml" "$work/metrics.yaml" || fail "check_checker"
/usr/bin/python3 "$here/check_controller_script.py" "$work/scale.yaml" || fail "check_controller_script"

# The controller's flags (golden/metrics.yaml has them all, --web included) exist in this wsload.
if [ -n "$bin_dir" ]; then
  "$bin_dir/wsload" run --help >"$work/run-help.txt"
  flags=$(/usr/bin/python3 - "$work/metrics.yaml" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
args = next(d for d in docs if d["kind"] == "Job")["spec"]["template"]["spec"]["containers"][0]["args"]
print(" ".join(sorted({a for a in args if a.startswith("--")})))
PY
)
  for flag in $flags; do
    grep -qE -- "(^|[ ,])$flag( |=|\$)" "$work/run-help.txt" || fail "the controller Job passes $flag, which wsload run --help does not list"
  done
  echo "controller flags known to $bin_dir/wsload run: $flags"
fi

# deploy/compose.yaml: three agents with raised limits, a controller that uses all three.
/usr/bin/python3 - "$root/deploy/compose.yaml" <<'PY' || fail "deploy/compose.yaml"
import sys, yaml
services = yaml.safe_load(open(sys.argv[1]))["services"]
assert set(services) == {"target", "agent1", "agent2", "agent3", "controller"}, sorted(services)
for name in ("agent1", "agent2", "agent3"):
    agent = services[name]
    assert agent["command"][:3] == ["wsload-agent", "--listen", "0.0.0.0:7000"], agent["command"]
    assert agent["ulimits"]["nofile"] == {"soft": 20000, "hard": 20000}
    assert agent["sysctls"]["net.ipv4.ip_local_port_range"] == "1024 65000"
    assert "WSLOAD_AGENT_TOKEN" in agent["environment"]
command = " ".join(services["controller"]["command"])
for needle in ("--agents agent1:7000,agent2:7000,agent3:7000", "--url ws://target:3001/ws",
               "wsload token --secret", "--json /reports/report.json"):
    assert needle in command, needle
assert "/ws" in services["target"]["command"] and "0.0.0.0:3001" in services["target"]["command"]
print("deploy/compose.yaml: OK")
PY

# deploy/Dockerfile: the build stage installs dev.sh's BUILD_PACKAGES (TEST_PACKAGES are the tests'),
# the runtime stage is slim, unprivileged and ships the three binaries.
dockerfile=$root/deploy/Dockerfile
build_packages=$(sed -n '/^BUILD_PACKAGES=(/,/)/p' "$root/dev.sh" | tr -d '()' | sed 's/BUILD_PACKAGES=//' | tr ' ' '\n' | grep -v '^$' || true)
[ -n "$build_packages" ] || fail "no BUILD_PACKAGES=(...) list found in dev.sh"
for p in $build_packages; do
  grep -v '^ *#' "$dockerfile" | grep -qw -- "$p" || fail "deploy/Dockerfile does not install $p (dev.sh BUILD_PACKAGES)"
done
for needle in '^FROM debian:12 AS build$' '^FROM debian:12-slim AS runtime$' '^USER 10001:10001$' \
  '^EXPOSE 7000 3001$' '-DWSLOAD_BUILD_TESTS=OFF -DWSLOAD_BUILD_BENCH=OFF' \
  'build/bin/wsload /src/build/bin/wsload-agent /src/build/bin/wsload-target /usr/local/bin/'; do
  grep -qe "$needle" "$dockerfile" || fail "deploy/Dockerfile lacks: $needle"
done
if grep -q '^ENTRYPOINT' "$dockerfile"; then fail "deploy/Dockerfile must not set an ENTRYPOINT"; fi

if [ $failures -ne 0 ]; then
  echo "helm chart checks: $failures failure(s)" >&2
  exit 1
fi
echo "helm chart checks: all passed"
