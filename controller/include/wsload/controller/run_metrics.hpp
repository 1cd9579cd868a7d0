#pragma once
// A StageResult seen through the metric table (shared/metric_catalog.hpp), and threshold
// evaluation. Reports read metric values through run_figures()/agent_figures() and the table.
#include <optional>
#include <string_view>

#include "wsload/controller/stage_result.hpp"
#include "wsload/shared/metric_catalog.hpp"

namespace wsload::controller {

// The stage's figures: merged totals, open connections summed over the agents' last gauges, peak,
// duration and ramp-up. Refers to `result`, which must outlive it.
shared::RunFigures run_figures(const StageResult& result);

// One agent's part: its totals and its last open gauge; no peak and no duration, so rates have no
// value. Refers to `agent`, which must outlive it.
shared::RunFigures agent_figures(const AgentResult& agent);

// The value of the metric called `name` (canonical unit) or nullopt when it has no value or the
// name is not in the table.
std::optional<double> metric_value(const StageResult& result, std::string_view name);

// Evaluates the scenario's thresholds against the result (fills result.thresholds).
void evaluate_thresholds(StageResult& result);

}  // namespace wsload::controller
