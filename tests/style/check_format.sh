#!/usr/bin/env bash
# Fails when a tracked C++ file of the tree (agent/ included) differs from what clang-format makes
# of it with the repository's .clang-format. Prints each differing file; fix one with
# `clang-format -i FILE`. The layout is pinned to clang-format 14 (Debian 12): other versions
# format some constructs differently, so the check says which version it ran.
# Usage: tests/style/check_format.sh    Environment: CLANG_FORMAT (default clang-format).
set -euo pipefail
cd "$(dirname "$0")/../.."

CLANG_FORMAT=${CLANG_FORMAT:-clang-format}
if ! command -v "$CLANG_FORMAT" >/dev/null; then
  echo "check_format: $CLANG_FORMAT not found (Debian: apt-get install clang-format)" >&2
  exit 1
fi
version=$("$CLANG_FORMAT" --version)
case "$version" in
  *" version 14."*) ;;
  *) echo "check_format: note: expected clang-format 14, running: $version" >&2 ;;
esac

# Tracked files only: generated code (build/) is never checked.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files -- '*.cpp' '*.hpp' '*.ipp' '*.h' '*.cc')
else
  mapfile -t files < <(find proto shared scenario agent controller target tests bench \
    -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.ipp' -o -name '*.h' -o -name '*.cc' \) |
    sort)
fi

differ=()
for f in "${files[@]}"; do
  [ -f "$f" ] || continue  # deleted in the working tree, not yet in the index
  if ! "$CLANG_FORMAT" --dry-run --Werror "$f" >/dev/null 2>&1; then
    differ+=("$f")
  fi
done

if [ ${#differ[@]} -gt 0 ]; then
  printf '%s\n' "${differ[@]}"
  echo "check_format: ${#differ[@]} of ${#files[@]} C++ files differ from .clang-format;" \
    "fix each with: clang-format -i FILE" >&2
  exit 1
fi
echo "check_format: ${#files[@]} C++ files follow .clang-format"
