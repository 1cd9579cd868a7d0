#include "run/agent_notices.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

namespace wsload::controller {
namespace {

// `text` with every occurrence of `agent` replaced by "<agent>" (describe_status names the agent
// in the reason, and gRPC's messages may repeat its address).
std::string without_agent(std::string text, const std::string& agent) {
  if (agent.empty()) return text;
  constexpr std::string_view kPlaceholder = "<agent>";
  for (size_t at = text.find(agent); at != std::string::npos;
       at = text.find(agent, at + kPlaceholder.size())) {
    text.replace(at, agent.size(), kPlaceholder);
  }
  return text;
}

}  // namespace

std::string agent_list(const std::vector<std::string>& names, size_t shown) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < shown; ++i) out += (i == 0 ? "" : ", ") + names[i];
  if (names.size() > shown) out += fmt::format(", +{} more", names.size() - shown);
  return out;
}

std::string clock_warning(const std::vector<std::string>& agents, int64_t worst_us) {
  const double worst_ms = static_cast<double>(worst_us) / 1000.0;
  if (agents.empty()) return {};
  if (agents.size() == 1) {
    return fmt::format(
        "warning: agent {} clock differs from this host's by {:.1f} ms; the start is corrected, "
        "but timestamps in its logs will be off (run NTP)",
        agents.front(), worst_ms);
  }
  return fmt::format(
      "warning: {} agents' clocks differ from this host's by up to {:.1f} ms ({}); the start is "
      "corrected, but timestamps in their logs will be off (run NTP)",
      agents.size(), worst_ms, agent_list(agents));
}

std::optional<std::string> AgentLossNotices::lost(const std::string& agent,
                                                  const std::string& reason, uint64_t share) {
  auto key = without_agent(reason, agent);
  auto fold =
      std::find_if(folds_.begin(), folds_.end(), [&](const Fold& f) { return f.reason == key; });
  if (fold != folds_.end()) {
    fold->held.push_back(agent);
    fold->held_share += share;
    return std::nullopt;
  }
  folds_.push_back({std::move(key), {}, 0});
  return fmt::format("agent {} lost: {} (its {} connections' metrics up to now are kept)", agent,
                     reason, share);
}

std::vector<std::string> AgentLossNotices::flush() {
  std::vector<std::string> lines;
  for (const auto& f : folds_) {
    if (f.held.empty()) continue;
    lines.push_back(
        fmt::format("{} more agent{} lost: {} ({}; {} {} connections' metrics up to now are kept)",
                    f.held.size(), f.held.size() == 1 ? "" : "s", f.reason, agent_list(f.held),
                    f.held.size() == 1 ? "its" : "their", f.held_share));
  }
  folds_.clear();
  return lines;
}

}  // namespace wsload::controller
