#pragma once
// Whether a plan fits on this machine with local agents, before anything is spawned. Pure: the
// machine's facts (descriptor limit, available memory) come in as values; local_cluster.cpp reads
// them from the system.
#include <cstdint>
#include <string>

namespace wsload::controller {

// At most this many local agents (--local-agents accepts 1..kMaxLocalAgents).
inline constexpr unsigned kMaxLocalAgents = 64;

struct MachineFacts {
  uint64_t fd_hard_limit = 0;     // RLIMIT_NOFILE hard limit of this process (and its children)
  uint64_t memory_available = 0;  // MemAvailable in bytes; 0 when unknown (no memory check)
};

// Connections one process (a local agent, the spawned target) can hold: it raises its soft
// limit to the hard one and keeps 1024 descriptors for itself. At least 1.
uint64_t process_fd_budget(uint64_t fd_hard_limit);

// Agents needed so that none holds more than `budget` connections; at least 1, not capped.
uint64_t agents_needed(uint64_t connections, uint64_t budget);

// What `connections` cost in memory here with `agents` local agents: the agents' base and
// per-connection memory and the kernel's side of their sockets, plus the kernel's side of the
// target's sockets when the target runs here too (`target_here`). A target process's own memory
// is not counted (it may be any program).
uint64_t local_memory_estimate(uint64_t connections, uint64_t agents, bool target_here);

struct LocalPlan {
  unsigned agents = 0;  // processes to spawn; 0 when `refusal` is set
  std::string refusal;  // why this machine cannot hold the plan, with the numbers
};
// The local agents for `connections` open at once: `requested` (0: agents_needed for the
// descriptor budget), refused when that is more than kMaxLocalAgents, when a requested count is
// too small for the budget, or when local_memory_estimate exceeds the available memory.
LocalPlan plan_local(uint64_t connections, unsigned requested, bool target_here,
                     const MachineFacts& machine);

// Why the spawned wsload-target (one process) cannot hold `connections`, or "" when it can.
std::string spawned_target_refusal(uint64_t connections, uint64_t fd_hard_limit);

}  // namespace wsload::controller
