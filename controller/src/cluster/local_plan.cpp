#include "cluster/local_plan.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace wsload::controller {
namespace {

constexpr uint64_t kReservedDescriptors = 1024;

// Measured per idle loopback WebSocket connection on Debian 12 (../shared/MACHINE.md, 10,000
// connections with both ends on one machine): the kernel holds ≈ 9.7 KB of slab for the
// connection's two sockets and ≈ 2 KB of TCP buffers, so ≈ 5.9 KB per socket; wsload-agent ≈
// 1.1 KB (1,169 B) above its base. An idle agent is ≈ 16.5 MB resident (gRPC server, threads).
constexpr uint64_t kKernelBytesPerSocket = 5'900;
constexpr uint64_t kAgentBytesPerConnection = 1'200;
constexpr uint64_t kAgentBaseBytes = uint64_t{20} << 20;

uint64_t mib(uint64_t bytes) { return (bytes + (uint64_t{1} << 19)) >> 20; }

}  // namespace

uint64_t process_fd_budget(uint64_t fd_hard_limit) {
  return fd_hard_limit > kReservedDescriptors ? fd_hard_limit - kReservedDescriptors : 1;
}

uint64_t agents_needed(uint64_t connections, uint64_t budget) {
  budget = std::max<uint64_t>(1, budget);
  return std::max<uint64_t>(1, (connections + budget - 1) / budget);
}

uint64_t local_memory_estimate(uint64_t connections, uint64_t agents, bool target_here) {
  const uint64_t per_connection =
      kKernelBytesPerSocket + kAgentBytesPerConnection + (target_here ? kKernelBytesPerSocket : 0);
  return agents * kAgentBaseBytes + connections * per_connection;
}

LocalPlan plan_local(uint64_t connections, unsigned requested, bool target_here,
                     const MachineFacts& machine) {
  const uint64_t per_agent = process_fd_budget(machine.fd_hard_limit);
  const uint64_t needed = agents_needed(connections, per_agent);
  LocalPlan plan;
  if (requested > 0 && requested < needed) {
    plan.refusal = fmt::format(
        "{} local agent(s) cannot hold {} connections: each has a file-descriptor budget of {}"
        " (use --local-agents {} or more, or --agents)",
        requested, connections, per_agent, needed);
    return plan;
  }
  if (requested == 0 && needed > kMaxLocalAgents) {
    plan.refusal = fmt::format(
        "{} connections need {} local agents of {} connections each, more than the {} this "
        "machine may spawn; run agents on other machines (--agents)",
        connections, needed, per_agent, kMaxLocalAgents);
    return plan;
  }
  const unsigned agents = requested > 0 ? requested : static_cast<unsigned>(needed);
  const uint64_t estimate = local_memory_estimate(connections, agents, target_here);
  if (machine.memory_available > 0 && estimate > machine.memory_available) {
    plan.refusal = fmt::format(
        "{} connections over {} local agent(s) need about {} MiB here (the agents and the "
        "kernel's side of {} socket(s) per connection{}), but only {} MiB are available; run "
        "agents on other machines (--agents)",
        connections, agents, mib(estimate), target_here ? 2 : 1,
        target_here ? ", the target's process not counted" : "", mib(machine.memory_available));
    return plan;
  }
  plan.agents = agents;
  return plan;
}

std::string spawned_target_refusal(uint64_t connections, uint64_t fd_hard_limit) {
  const uint64_t budget = process_fd_budget(fd_hard_limit);
  if (connections <= budget) return {};
  return fmt::format(
      "{} connections are more than the spawned wsload-target can hold: it is one process with a "
      "file-descriptor budget of {}; start wsload-target processes yourself (several can share "
      "one port) and pass --url",
      connections, budget);
}

}  // namespace wsload::controller
