#pragma once
// Threshold expressions: `METRIC OP VALUE[UNIT]`, OP one of < <= > >= == !=, UNIT us ms s % or
// none. Values are normalised to the metric's canonical unit: milliseconds for times, percent for
// rates, plain numbers for counts. A value without a unit is already in the canonical unit.
// METRIC is a name of the metric table (shared/metric_catalog.hpp) or, for a format-v2 scenario, a
// part metric (shared/part_metrics.hpp): streams.<name>.<leaf>, steps.<name>.<leaf> or
// groups.<name>.<metric of the table>, a name being [A-Za-z0-9_-]+.
#include <optional>
#include <string>
#include <string_view>

namespace wsload::shared {

enum class CompareOp { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual, kNotEqual };

// Which figures a metric name reads: the run's totals or one part of a format-v2 scenario.
enum class PartKind { kTotal, kGroup, kStream, kStep };

struct Threshold {
  std::string expression;  // as written, trimmed
  std::string metric;      // the whole name, e.g. "latency.p99" or "streams.ping.latency.p99"
  CompareOp op = CompareOp::kLess;
  double value = 0;  // in the metric's canonical unit
  PartKind part = PartKind::kTotal;
  // The group, stream or step the metric names ("ping"); empty for totals. Parsing checks only its
  // spelling; the scenario loader checks that the part exists.
  std::string part_name;
  // The metric within the part ("latency.p99", "connections.open"); equals `metric` for totals.
  std::string leaf;
};

// Parses one expression. On failure returns nullopt and sets *error to a one-line reason that names
// the offending part (unknown metric with the closest known name, bad operator, unit that does not
// fit the metric, ...).
std::optional<Threshold> parse_threshold(std::string_view text, std::string* error);

// True when `actual` (canonical unit) satisfies the threshold. Equality compares within 1e-9
// relative tolerance.
bool threshold_passes(const Threshold& t, double actual);

std::string_view to_string(CompareOp op);

}  // namespace wsload::shared
