#include "report/text_agents.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <optional>
#include <string>
#include <tuple>

#include "wsload/controller/run_metrics.hpp"

namespace wsload::controller {
namespace {

using shared::metric;

std::string ms_or_dash(const std::optional<double>& v) {
  return v ? fmt::format("{:.3f}ms", *v) : "-";
}

std::optional<double> p99_ms(const AgentResult& a) {
  return shared::metric_value(metric("latency.p99"), agent_figures(a));
}

// ", late reports N" when some of an agent's reports went without a late load thread's figures.
std::string late_note(uint64_t late_reports) {
  return late_reports > 0 ? fmt::format(", late reports {}", late_reports) : std::string();
}

std::string agent_line(const AgentResult& a) {
  const auto f = agent_figures(a);
  auto n = [&](const shared::MetricInfo& m) { return shared::metric_count(m, f); };
  return fmt::format(
      "   {} ({}): share {}, established {}, failed {}, sent {}, replies {}, timeouts {}, p50 {} "
      "p99 {}{}{}\n",
      a.endpoint, a.hostname, a.share, n(metric("connections.established")),
      n(metric("connections.failed")), n(metric("messages.sent")), n(metric("messages.replies")),
      n(metric("messages.timeouts")), ms_or_dash(shared::metric_value(metric("latency.p50"), f)),
      ms_or_dash(p99_ms(a)), late_note(a.late_reports), a.lost ? " LOST: " + a.loss_reason : "");
}

// "60 agents: shares 2 to 3 (130 in all), established 130, failed 0, errors 0, lost 0, p99 0.1 to
// 8.2ms"
std::string summary_line(const std::vector<AgentResult>& agents) {
  uint64_t low = UINT64_MAX, high = 0, total = 0, established = 0, failed = 0, errors = 0, lost = 0,
           late = 0;
  std::optional<double> p99_low, p99_high;
  for (const auto& a : agents) {
    const auto f = agent_figures(a);
    low = std::min(low, a.share);
    high = std::max(high, a.share);
    total += a.share;
    established += shared::metric_count(metric("connections.established"), f);
    failed += shared::metric_count(metric("connections.failed"), f);
    errors += shared::metric_readers::error_count(f);
    lost += a.lost ? 1 : 0;
    late += a.late_reports;
    if (const auto p99 = p99_ms(a)) {
      p99_low = std::min(p99_low.value_or(*p99), *p99);
      p99_high = std::max(p99_high.value_or(*p99), *p99);
    }
  }
  const auto shares =
      low == high ? fmt::format("share {} each", low) : fmt::format("shares {} to {}", low, high);
  return fmt::format(
      "   {} agents: {} ({} in all), established {}, failed {}, errors {}, lost {}{}, p99 {} to "
      "{}\n",
      agents.size(), shares, total, established, failed, errors, lost, late_note(late),
      ms_or_dash(p99_low), ms_or_dash(p99_high));
}

}  // namespace

std::vector<size_t> worst_agents(const std::vector<AgentResult>& agents, size_t count) {
  // Sort key per agent: bigger is worse.
  std::vector<std::tuple<bool, uint64_t, double>> keys;
  keys.reserve(agents.size());
  for (const auto& a : agents) {
    keys.emplace_back(a.lost, shared::metric_readers::error_count(agent_figures(a)),
                      p99_ms(a).value_or(-1.0));
  }
  std::vector<size_t> order(agents.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t x, size_t y) { return keys[x] > keys[y]; });
  order.resize(std::min(count, order.size()));
  return order;
}

void write_agent_lines(std::ostream& out, const StageResult& r) {
  out << "\nAgents:\n";
  if (r.agents.size() <= kAgentLinesInFull) {
    for (const auto& a : r.agents) out << agent_line(a);
    return;
  }
  out << summary_line(r.agents);
  out << fmt::format("   the {} worst (lost, then most errors, then highest p99):\n",
                     kWorstAgentsShown);
  for (size_t i : worst_agents(r.agents, kWorstAgentsShown)) out << agent_line(r.agents[i]);
  out << fmt::format("   ({} more agents; the JSON report (--json) has every agent)\n",
                     r.agents.size() - kWorstAgentsShown);
}

}  // namespace wsload::controller
