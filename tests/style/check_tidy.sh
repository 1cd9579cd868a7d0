#!/usr/bin/env bash
# Runs clang-tidy (the checks of .clang-tidy) with every warning as an error on the product sources
# of shared/src, scenario/src, controller/src (all rooms) and proto/convert.cpp. Two files run at a
# time (the machines have two cores). Needs a configured and built BUILD_DIR: compile_commands.json
# and the generated protobuf headers. The 48 files take about 110 s (measured, 2 cores).
#
# agent/ and target/ are not checked yet, and cost is not the reason: measured on the 2-core
# machine, their Beast translation units take 10-25 s each under clang-tidy, not a minute
# (target/src/plain_session.cpp 15 s alone, target/src/tls_session.cpp 25 s and
# agent/src/connection_plain.cpp 11 s two at a time), and all 31 files of both folders 106 s with
# -P2. They still have findings: agent/ (being reworked) reply_matcher.cpp's widening
# multiplication; target/ widening multiplications in config.cpp and main.cpp, a by-value
# parameter in hub.cpp and exceptions escaping main(). Add each folder below once it is clean.
# Usage: tests/style/check_tidy.sh BUILD_DIR    Environment: CLANG_TIDY (default clang-tidy).
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
cd "$(dirname "$0")/../.."

CLANG_TIDY=${CLANG_TIDY:-clang-tidy}
if ! command -v "$CLANG_TIDY" >/dev/null; then
  echo "check_tidy: $CLANG_TIDY not found (Debian: apt-get install clang-tidy)" >&2
  exit 1
fi
if [ ! -f "$build_dir/compile_commands.json" ]; then
  echo "check_tidy: no $build_dir/compile_commands.json; configure and build first" >&2
  exit 1
fi

# git pathspec '*' also matches '/': controller/src/*.cpp covers every room below it.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files -- 'shared/src/*.cpp' 'scenario/src/*.cpp' \
    'controller/src/*.cpp' 'proto/convert.cpp')
else
  mapfile -t files < <(find shared/src scenario/src controller/src -name '*.cpp' | sort;
    echo proto/convert.cpp)
fi

echo "check_tidy: $("$CLANG_TIDY" --version | grep -m1 version) on ${#files[@]} files"
# --quiet drops the "N warnings generated" summaries; a finding prints as file:line:col: error.
set +e
printf '%s\n' "${files[@]}" |
  xargs -P2 -n1 "$CLANG_TIDY" -p "$build_dir" --quiet --warnings-as-errors='*' 2>&1 |
  grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$'
status=${PIPESTATUS[1]}
set -e
if [ "$status" -ne 0 ]; then
  echo "check_tidy: clang-tidy reported findings (above)" >&2
  exit 1
fi
echo "check_tidy: clean"
