#include "wsload/controller/run_metrics.hpp"

#include <chrono>

namespace wsload::controller {

shared::RunFigures run_figures(const StageResult& r) {
  uint64_t open = 0;
  for (const auto& a : r.agents) open += a.open_connections;
  return {.delta = r.totals,
          .open = open,
          .peak_open = r.peak_open,
          .duration_s = r.duration_s,
          .ramp_up_s = std::chrono::duration<double>(r.scenario.load.ramp_up).count()};
}

shared::RunFigures agent_figures(const AgentResult& a) {
  return {.delta = a.totals, .open = a.open_connections};
}

std::optional<double> metric_value(const StageResult& result, std::string_view name) {
  const auto* info = shared::find_metric(name);
  if (info == nullptr) return std::nullopt;
  return shared::metric_value(*info, run_figures(result));
}

void evaluate_thresholds(StageResult& result) {
  result.thresholds.clear();
  const auto figures = run_figures(result);
  for (const auto& t : result.scenario.thresholds) {
    ThresholdResult tr;
    tr.expression = t.expression;
    tr.metric = t.metric;
    // Parsing accepted only names of the table; a hand-made Threshold with another name has no
    // value.
    const auto* info = shared::find_metric(t.metric);
    const auto value = info != nullptr ? shared::metric_value(*info, figures) : std::nullopt;
    tr.available = value.has_value();
    tr.actual = value.value_or(0);
    tr.passed = tr.available && shared::threshold_passes(t, tr.actual);
    result.thresholds.push_back(std::move(tr));
  }
}

}  // namespace wsload::controller
