#pragma once
// A StageResult seen through the metric table (shared/metric_catalog.hpp), and threshold
// evaluation. Reports read metric values through run_figures()/agent_figures() and the table.
#include <optional>
#include <string_view>
#include <vector>

#include "wsload/controller/stage_result.hpp"
#include "wsload/shared/metric_catalog.hpp"
#include "wsload/shared/session_plan.hpp"

namespace wsload::controller {

// The time a load plan opens connections over, in seconds: a ramp's ramp-up, the stages that
// rise, an arrival model's duration (connections.rate divides by it; RunFigures::ramp_up_s).
double opening_s(const shared::LoadSpec& load);

// The stage's figures: merged totals, open connections summed over the agents' last gauges, peak,
// duration and opening time (opening_s; arrivals set for an arrival model). Refers to `result`,
// which must outlive it.
shared::RunFigures run_figures(const StageResult& result);

// One agent's part: its totals and its last open gauge; no peak and no duration, so rates have no
// value. Refers to `agent`, which must outlive it.
shared::RunFigures agent_figures(const AgentResult& agent);

// The names of the stage's parts, placing the figures of MetricsDelta::parts (format v2). Empty for
// a v1 scenario: its one group and stream are the totals, and reports show no part of it.
shared::PartIndex stage_parts(const shared::Scenario& scenario);

// The value of the metric called `name` (canonical unit): a row of the table or a part metric
// (streams.<name>.*, steps.<name>.*, groups.<name>.*) read from the totals' parts. nullopt when it
// has no value, or the name is neither in the table nor a part of the stage's scenario.
std::optional<double> metric_value(const StageResult& result, std::string_view name);

// The scenario's thresholds evaluated on `figures` (also while the stage runs: --web).
std::vector<ThresholdResult> threshold_results(const shared::Scenario& scenario,
                                               const shared::RunFigures& figures);

// Evaluates the scenario's thresholds against the result (fills result.thresholds).
void evaluate_thresholds(StageResult& result);

}  // namespace wsload::controller
