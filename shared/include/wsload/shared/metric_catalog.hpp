#pragma once
// The metric names of SPEC §4 that thresholds, the live view and reports use.
#include <span>
#include <string>
#include <string_view>

namespace wsload::shared {

enum class MetricUnit { kCount, kMillis, kPercent, kPerSecond };

struct MetricInfo {
  std::string_view name;
  MetricUnit unit;
};

std::span<const MetricInfo> metric_catalog();
const MetricInfo* find_metric(std::string_view name);

// The known name closest to `name` by edit distance, or "" when nothing is reasonably close.
std::string closest_metric(std::string_view name);

// Levenshtein distance; shared by scenario key suggestions and metric suggestions.
size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace wsload::shared
