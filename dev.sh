#!/usr/bin/env bash
# wsload developer entry point. Installs what is missing (Debian 12), builds, and then:
#   ./dev.sh demo    a real load test: the quick preset against a spawned wsload-target, local agents
#   ./dev.sh test    builds everything and runs every test (what CI runs)
#   ./dev.sh build   only installs dependencies and builds
# Environment: BUILD_DIR (default build), BUILD_TYPE (default RelWithDebInfo), JOBS (default 2),
#              WSLOAD_SANITIZE=ON for an ASan+UBSan build.
set -euo pipefail
cd "$(dirname "$0")"

BUILD_DIR=${BUILD_DIR:-build}
BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo}
JOBS=${JOBS:-2}

# Build dependencies (MACHINE.md) plus what the tests drive: third-party WebSocket servers, NATS,
# openssl for test certificates, clang-format and clang-tidy 14 for the style tests.
PACKAGES=(build-essential cmake git ninja-build pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libspdlog-dev libfmt-dev libyaml-cpp-dev libssl-dev libgtest-dev libgmock-dev
  libcli11-dev nlohmann-json3-dev libboost1.81-dev libboost-system1.81-dev
  libboost-url1.81-dev libboost-json1.81-dev zlib1g-dev
  nats-server libnats-dev openssl procps curl
  golang-go golang-github-masterminds-sprig-dev golang-k8s-sigs-yaml-dev python3-kubernetes python3-yaml
  chromium node-ws python3-websockets iproute2 nftables
  clang-format clang-tidy)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_dependencies() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing ${#missing[@]} Debian packages: ${missing[*]}"
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q "${missing[@]}"
  fi
}

build() {
  install_dependencies
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" \
    -DWSLOAD_SANITIZE="${WSLOAD_SANITIZE:-OFF}" >/dev/null
  cmake --build "$BUILD_DIR" -j "$JOBS"
}

case "${1:-}" in
  build)
    build
    ;;
  demo)
    build
    shift
    echo "== wsload run quick --spawn-target (about 45 s)"
    "$BUILD_DIR/bin/wsload" run quick --spawn-target --json "$BUILD_DIR/quick-report.json" "$@"
    ;;
  test)
    build
    shift
    ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout 900 "$@"
    ;;
  *)
    echo "usage: ./dev.sh demo|test|build" >&2
    exit 2
    ;;
esac
