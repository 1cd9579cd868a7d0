#!/usr/bin/env bash
# Builds deploy/Dockerfile with podman (no Docker engine needed) and checks the image for real:
#   1. the build succeeds (all three binaries, runtime libraries present: the Dockerfile's ldd gate),
#   2. the image runs as the unprivileged user 10001 and is reasonably small,
#   3. `wsload run quick --spawn-target` inside a container ends PASSED with exit 0,
#   4. the compose topology: a target container, three agent containers and a controller container
#      (host network, 127.0.0.1 only) run the quick preset with a JWT and an agent token, exit 0,
#      every connection established across the three agents.
# Not run by CI (it compiles the project inside the image: ~15 minutes on 2 cores); run it by hand
# after changing deploy/Dockerfile.
#
# Usage: deploy/podman_check.sh            from the repository root
#   IMAGE=localhost/wsload:check           tag to build
#   JOBS=2                                 build parallelism inside the image
#   BASE_ROOTFS_TAR=FILE                   no registry reachable: import this Debian 12 root file system
#                                          tarball as debian:12 and debian:12-slim first
#   PODMAN="podman --runtime runc --cgroup-manager cgroupfs"   where crun or systemd cgroups fail
#   SKIP_BUILD=1                           check an image built before
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=${IMAGE:-localhost/wsload:check}
JOBS=${JOBS:-2}
PODMAN=${PODMAN:-podman}
command -v podman >/dev/null || { echo "podman is not installed: apt-get install podman" >&2; exit 2; }

containers=()
cleanup() {
  for c in "${containers[@]}"; do $PODMAN rm -f "$c" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT

if [ -n "${BASE_ROOTFS_TAR:-}" ]; then
  podman import "$BASE_ROOTFS_TAR" localhost/debian-rootfs:12 >/dev/null
  podman tag localhost/debian-rootfs:12 docker.io/library/debian:12
  podman tag localhost/debian-rootfs:12 docker.io/library/debian:12-slim
fi

if [ -z "${SKIP_BUILD:-}" ]; then
  echo "== build $IMAGE"
  start=$(date +%s)
  podman build --isolation chroot --network host --build-arg JOBS="$JOBS" -f deploy/Dockerfile -t "$IMAGE" .
  echo "built in $(( $(date +%s) - start )) s"
fi

user=$(podman image inspect --format '{{.Config.User}}' "$IMAGE")
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
echo "image user: $user, size: $(( size / 1024 / 1024 )) MiB"
[ "$user" = "10001:10001" ] || { echo "FAIL: image user is '$user', expected 10001:10001"; exit 1; }

run() { $PODMAN run --rm --network host "$@"; }

echo "== wsload run quick --spawn-target (in one container)"
run "$IMAGE" sh -c 'id -u && wsload --version && wsload run quick --spawn-target --json /reports/quick.json -q' \
  | tee /tmp/wsload-podman-quick.log
grep -q "Result: PASSED" /tmp/wsload-podman-quick.log || { echo "FAIL: quick run did not pass"; exit 1; }

echo "== compose topology: target + 3 agents + controller, each in its own container (host network)"
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
secret=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
agent_token=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
target_port=$(free_port)
c=$($PODMAN run -d --network host "$IMAGE" wsload-target --listen "127.0.0.1:$target_port" --jwt-secret "$secret")
containers+=("$c")
agents=()
for i in 1 2 3; do
  port=$(free_port)
  c=$($PODMAN run -d --network host -e WSLOAD_AGENT_TOKEN="$agent_token" "$IMAGE" \
        wsload-agent --listen "127.0.0.1:$port" --threads 1)
  containers+=("$c")
  agents+=("127.0.0.1:$port")
done
for c in "${containers[@]}"; do
  for _ in $(seq 1 100); do
    $PODMAN logs "$c" 2>&1 | grep -q "listening on" && break
    sleep 0.1
  done
  $PODMAN logs "$c" 2>&1 | grep -q "listening on" || { echo "FAIL: container $c did not start:"; $PODMAN logs "$c"; exit 1; }
done
agent_list=$(IFS=,; echo "${agents[*]}")
run -e JWT_SECRET="$secret" -e WSLOAD_AGENT_TOKEN="$agent_token" "$IMAGE" sh -c "
  wsload run quick --url ws://127.0.0.1:$target_port/ws --agents $agent_list \
    --token \"\$(wsload token --secret \"\$JWT_SECRET\")\" --json /reports/report.json -q" | tee /tmp/wsload-podman-compose.log
grep -q "Result: PASSED" /tmp/wsload-podman-compose.log || { echo "FAIL: distributed run did not pass"; exit 1; }
grep -c "share " /tmp/wsload-podman-compose.log | grep -qx 3 || { echo "FAIL: expected three agent lines"; exit 1; }
echo "podman check: all passed"
