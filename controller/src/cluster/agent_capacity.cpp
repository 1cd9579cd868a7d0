#include "cluster/agent_capacity.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace wsload::controller {

std::optional<std::string> share_refusal(const v1::HelloReply& hello, uint64_t share) {
  if (share > hello.fd_budget()) {
    return fmt::format(
        "its file-descriptor budget is {} (add agents, or raise its open-files limit)",
        hello.fd_budget());
  }
  const uint64_t addresses = std::max<uint64_t>(1, hello.source_ips());
  const uint64_t ports = hello.ephemeral_ports() * addresses;
  if (ports > 0 && share > ports) {
    return fmt::format(
        "it has {} ephemeral ports over {} source address(es) for connections to one target "
        "(add agents or --source-ips)",
        ports, addresses);
  }
  return std::nullopt;
}

}  // namespace wsload::controller
