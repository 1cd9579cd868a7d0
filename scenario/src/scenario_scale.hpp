#pragma once
// Internal to the scenario loader: how --connections, --ramp-up, --duration and
// --message-interval apply to a plan of several figures of their kind (a progressive sequence, a
// scenario with stages, groups with several streams). One rule: the largest figure of the kind in
// the whole plan becomes the flag's value and every other one is multiplied by the same factor
// (value / largest), so the plan keeps its proportions. For one figure that is plain setting.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "wsload/shared/scenario.hpp"

namespace wsload::scenario::detail {

enum class ScaledFigure {
  kConnections,      // a ramp's connections; every stage's `to`
  kRampUp,           // a ramp's ramp_up; every rising stage's `over` (to above the level before)
  kHold,             // a ramp's hold; every flat stage's `over` (to equal to the level before);
                     // an arrival's duration
  kMessageInterval,  // every stream's interval (an idle v1 scenario gets the default messages)
};

// The flag's name, e.g. "--connections".
std::string_view flag_name(ScaledFigure figure);

// Why `figure` cannot apply to `scenario` (an arrival has no connection count or ramp; stages
// without a flat stage have no hold), or "" when it applies.
std::string scale_refusal(const shared::Scenario& scenario, ScaledFigure figure);

// What scaling did, for the user: "" when every figure was simply set (one figure, or all equal).
struct ScaleNote {
  std::string text;
};

// Scales the counts (kConnections) of every scenario of `stages` so that the largest becomes
// `value`; the others round to the nearest whole connection, at least 1 where they were not 0.
// Recomputes load.connections (the ids a shape plans). Call only when no scenario refuses.
ScaleNote scale_counts(std::vector<shared::Scenario>& stages, uint64_t value);

// The same for a duration kind: the others round to the nearest millisecond, at least 1 ms (or
// `value` when it is shorter) where they were not 0. When every figure is 0 each becomes `value`.
ScaleNote scale_durations(std::vector<shared::Scenario>& stages, ScaledFigure figure,
                          std::chrono::nanoseconds value);

}  // namespace wsload::scenario::detail
