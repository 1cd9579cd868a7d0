#pragma once
// `--agents` parsing: "host:port[@weight],..." or "dns:///name:port" (every address the name
// resolves to is one agent).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wsload/controller/run_options.hpp"

namespace wsload::controller {

// Static parse; dns:/// entries are kept as they are (resolve_endpoints expands them).
// nullopt with *error naming the bad item.
std::optional<std::vector<AgentEndpoint>> parse_agents(std::string_view spec, std::string* error);

// Expands dns:///name:port entries into one endpoint per resolved address (IPv4 and IPv6, sorted,
// de-duplicated); other entries pass through. Names that do not resolve yield no endpoint.
std::vector<AgentEndpoint> resolve_endpoints(const std::vector<AgentEndpoint>& endpoints);

}  // namespace wsload::controller
