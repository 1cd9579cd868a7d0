#pragma once
// Derived metric values of SPEC §4 computed from a StageResult, and threshold evaluation.
#include <optional>
#include <string_view>
#include <vector>

#include "wsload/controller/stage_result.hpp"

namespace wsload::controller {

// The value of a catalogued metric in its canonical unit (ms, percent, count, per second), or
// nullopt when it has no value (a latency percentile without samples, a rate over zero time).
std::optional<double> metric_value(const StageResult& result, std::string_view name);

// Distribution summaries in milliseconds; nullopt for an empty histogram.
std::optional<double> histogram_stat_ms(const shared::Histogram& h, std::string_view stat);

// Evaluates the scenario's thresholds against the result (fills result.thresholds).
void evaluate_thresholds(StageResult& result);

}  // namespace wsload::controller
