#include "wsload/controller/run_metrics.hpp"

#include <chrono>

#include "wsload/shared/part_metrics.hpp"

namespace wsload::controller {

double opening_s(const shared::LoadSpec& load) {
  std::chrono::nanoseconds opening = load.ramp_up;
  if (load.arrival) opening = load.arrival->duration;
  uint64_t level = 0;
  for (const auto& stage : load.stages) {
    if (stage.to > level) opening += stage.over;
    level = stage.to;
  }
  return std::chrono::duration<double>(opening).count();
}

shared::RunFigures run_figures(const StageResult& r) {
  uint64_t open = 0;
  for (const auto& a : r.agents) open += a.open_connections;
  return {.delta = r.totals,
          .open = open,
          .peak_open = r.peak_open,
          .duration_s = r.duration_s,
          .ramp_up_s = opening_s(r.scenario.load),
          .arrivals = r.scenario.load.arrival.has_value()};
}

shared::RunFigures agent_figures(const AgentResult& a) {
  return {.delta = a.totals, .open = a.open_connections};
}

shared::PartIndex stage_parts(const shared::Scenario& scenario) {
  if (!scenario.has_sessions()) return {};
  return shared::part_index(scenario.groups);
}

namespace {

// The value of a part metric over `f`; nullopt for a part its scenario does not have.
std::optional<double> part_value(const shared::RunFigures& f, const shared::PartIndex& parts,
                                 shared::PartKind kind, std::string_view name,
                                 std::string_view leaf) {
  return shared::part_metric_value(kind, name, leaf, f.delta.parts, parts, f.duration_s,
                                   f.ramp_up_s);
}

}  // namespace

std::optional<double> metric_value(const StageResult& result, std::string_view name) {
  if (const auto part = shared::split_part_metric(name)) {
    return part_value(run_figures(result), stage_parts(result.scenario), part->kind, part->part,
                      part->leaf);
  }
  const auto* info = shared::find_metric(name);
  if (info == nullptr) return std::nullopt;
  return shared::metric_value(*info, run_figures(result));
}

std::vector<ThresholdResult> threshold_results(const shared::Scenario& scenario,
                                               const shared::RunFigures& figures) {
  std::vector<ThresholdResult> out;
  const auto parts = stage_parts(scenario);
  for (const auto& t : scenario.thresholds) {
    ThresholdResult tr;
    tr.expression = t.expression;
    tr.metric = t.metric;
    std::optional<double> value;
    if (t.part != shared::PartKind::kTotal) {
      value = part_value(figures, parts, t.part, t.part_name, t.leaf);
    } else if (const auto* info = shared::find_metric(t.metric)) {
      // Parsing accepted only names of the table; a hand-made Threshold with another name has no
      // value.
      value = shared::metric_value(*info, figures);
    }
    tr.available = value.has_value();
    tr.actual = value.value_or(0);
    tr.passed = tr.available && shared::threshold_passes(t, tr.actual);
    out.push_back(std::move(tr));
  }
  return out;
}

void evaluate_thresholds(StageResult& result) {
  result.thresholds = threshold_results(result.scenario, run_figures(result));
}

}  // namespace wsload::controller
