// The exposition's per-agent series (label agent), bounded to kMaxAgentSeries agents.
#include "report/agent_exposition.hpp"

#include <fmt/format.h>

#include <optional>
#include <set>

namespace wsload::controller {
namespace {

// The per-agent counters (labelled agent).
struct AgentCounter {
  std::string_view name;
  std::string_view help;
  uint64_t shared::Counters::*field;
};
constexpr AgentCounter kAgentCounters[] = {
    {"wsload_agent_connections_attempted_total", "WebSocket connection attempts, per agent",
     &shared::Counters::connections_attempted},
    {"wsload_agent_connections_established_total", "Handshakes that returned 101, per agent",
     &shared::Counters::connections_established},
    {"wsload_agent_connections_failed_total", "Failed connection attempts, per agent",
     &shared::Counters::connections_failed},
    {"wsload_agent_messages_sent_total", "Requests sent, per agent",
     &shared::Counters::messages_sent},
    {"wsload_agent_messages_received_total", "Frames received, per agent",
     &shared::Counters::messages_received},
    {"wsload_agent_replies_total", "Requests answered in time, per agent",
     &shared::Counters::replies},
    {"wsload_agent_timeouts_total", "Requests not answered in time, per agent",
     &shared::Counters::timeouts},
};

// One agent="..." series set: an agent of the first kMaxAgentSeries, or "other" (the rest summed;
// no up gauge, a sum of 1/0 states meaning nothing).
struct AgentRow {
  shared::Labels labels;
  shared::Counters counters;
  uint64_t open = 0;
  std::optional<bool> up;
  uint64_t late_reports = 0;
};

std::vector<AgentRow> agent_rows(std::span<const AgentExposition> agents,
                                 const shared::Labels& stage) {
  std::vector<AgentRow> rows;
  std::set<std::string> seen;
  for (size_t i = 0; i < agents.size(); ++i) {
    const auto& a = agents[i];
    if (i < kMaxAgentSeries) {
      // Two agents dialled at one address still get a series each.
      auto name = seen.insert(a.agent).second ? a.agent : fmt::format("{}#{}", a.agent, i);
      rows.push_back({stage, a.totals->counters, a.open, a.up, a.late_reports});
      rows.back().labels.emplace_back("agent", std::move(name));
      continue;
    }
    if (rows.size() == kMaxAgentSeries) {
      rows.push_back({stage, {}, 0, std::nullopt, 0});
      rows.back().labels.emplace_back("agent", "other");
    }
    rows.back().counters.merge(a.totals->counters);
    rows.back().open += a.open;
    rows.back().late_reports += a.late_reports;
  }
  return rows;
}

}  // namespace

void write_agent_series(shared::PrometheusWriter& w, std::span<const AgentExposition> agents,
                        const shared::Labels& stage) {
  const auto rows = agent_rows(agents, stage);
  const auto bound = fmt::format(
      " (the first {} agents in the run's order; the rest summed under agent=\"other\")",
      kMaxAgentSeries);
  for (const auto& r : rows) {
    if (r.up) {
      w.gauge("wsload_agent_up",
              fmt::format("1 while the agent reports, 0 once it is lost{}", bound), *r.up ? 1 : 0,
              r.labels);
    }
  }
  for (const auto& r : rows) {
    w.gauge("wsload_agent_connections_open",
            fmt::format("Open connections at the agent's last report{}", bound),
            static_cast<double>(r.open), r.labels);
  }
  for (const auto& c : kAgentCounters) {
    for (const auto& r : rows) {
      w.counter(c.name, fmt::format("{}{}", c.help, bound),
                static_cast<double>(r.counters.*c.field), r.labels);
    }
  }
  for (const auto& r : rows) {
    w.counter("wsload_agent_late_reports_total",
              fmt::format("Reports the agent cut before one of its load threads answered (its "
                          "figures came in a later report: the threads were behind){}",
                          bound),
              static_cast<double>(r.late_reports), r.labels);
  }
}

}  // namespace wsload::controller
