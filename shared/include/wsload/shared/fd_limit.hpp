#pragma once
// Every connection is a file descriptor: processes that hold many raise their soft limit to the
// hard one at start, so the budget they report (agent) or the connections they accept (target) is
// what they can really hold.
#include <cstdint>

namespace wsload::shared {

// Raises RLIMIT_NOFILE's soft limit to its hard limit; returns the soft limit now in force
// (0 when it cannot be read).
uint64_t raise_fd_limit();

}  // namespace wsload::shared
