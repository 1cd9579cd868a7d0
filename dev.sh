#!/usr/bin/env bash
# wsload developer entry point. Installs what is missing (Debian 12), builds, and then:
#   ./dev.sh demo    a real load test: the quick preset against a spawned wsload-target, local agents
#                    (installs and builds only what the three binaries need)
#   ./dev.sh test    installs the test tools too, builds everything and runs every test (what CI runs)
#   ./dev.sh build   only installs every dependency and builds everything
# Environment: BUILD_DIR (default build), BUILD_TYPE (default RelWithDebInfo), JOBS (default 2),
#              WSLOAD_SANITIZE=ON for an ASan+UBSan build.
set -euo pipefail
cd "$(dirname "$0")"

BUILD_DIR=${BUILD_DIR:-build}
BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo}
JOBS=${JOBS:-2}

# What building the three binaries needs (MACHINE.md); `./dev.sh demo` installs only these.
BUILD_PACKAGES=(build-essential cmake git ninja-build pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libspdlog-dev libfmt-dev libyaml-cpp-dev libssl-dev zlib1g-dev
  libcli11-dev nlohmann-json3-dev libboost1.81-dev libboost-system1.81-dev
  libboost-url1.81-dev libboost-json1.81-dev libnats-dev)
# What the tests add: GoogleTest, third-party WebSocket servers, NATS, openssl for test
# certificates, Go and Python for the Helm chart checks, Chromium for the HTML checks, the
# namespace lab's tools, clang-format and clang-tidy 14 for the style tests.
TEST_PACKAGES=(libgtest-dev libgmock-dev nats-server openssl procps curl
  golang-go golang-github-masterminds-sprig-dev golang-k8s-sigs-yaml-dev python3-kubernetes python3-yaml
  chromium node-ws python3-websockets iproute2 nftables
  clang-format clang-tidy)
# Installed without their recommendations: promtool and a Prometheus server the tests start
# themselves (not the node exporter, and not the packaged service, which is stopped).
TEST_PACKAGES_NO_RECOMMENDS=(prometheus)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# install [--no-install-recommends] PACKAGE...: installs the ones that are missing.
install() {
  local flags=()
  if [ "${1:-}" = --no-install-recommends ]; then flags=("$1"); shift; fi
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing ${#missing[@]} Debian packages: ${missing[*]}"
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
      "${flags[@]}" "${missing[@]}"
  fi
}

install_test_dependencies() {
  install "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
  local had_prometheus=yes
  dpkg-query -W -f='${Status}' prometheus 2>/dev/null | grep -q "install ok installed" || had_prometheus=no
  install --no-install-recommends "${TEST_PACKAGES_NO_RECOMMENDS[@]}"
  # The package starts its own server on :9090 where systemd runs; the tests start theirs.
  if [ "$had_prometheus" = no ] && [ -d /run/systemd/system ]; then
    as_root systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
}

# configure ON|OFF: the build directory, with or without the tests and benchmarks.
configure() {
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" \
    -DWSLOAD_SANITIZE="${WSLOAD_SANITIZE:-OFF}" -DWSLOAD_BUILD_TESTS="$1" \
    -DWSLOAD_BUILD_BENCH="$1" >/dev/null
}

# Everything: binaries, tests and benchmarks.
build() {
  install_test_dependencies
  configure ON
  cmake --build "$BUILD_DIR" -j "$JOBS"
}

# Only the three binaries, with only their build dependencies: a first report in minutes.
build_binaries() {
  install "${BUILD_PACKAGES[@]}"
  configure OFF
  cmake --build "$BUILD_DIR" -j "$JOBS" --target wsload wsload-agent wsload-target
}

case "${1:-}" in
  build)
    build
    ;;
  demo)
    build_binaries
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
