#pragma once
// Threshold expressions: `METRIC OP VALUE[UNIT]`, OP one of < <= > >= == !=, UNIT us ms s % or
// none. Values are normalised to the metric's canonical unit: milliseconds for times, percent for
// rates, plain numbers for counts. A value without a unit is already in the canonical unit.
#include <optional>
#include <string>
#include <string_view>

namespace wsload::shared {

enum class CompareOp { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual, kNotEqual };

struct Threshold {
  std::string expression;  // as written, trimmed
  std::string metric;      // e.g. "latency.p99"
  CompareOp op = CompareOp::kLess;
  double value = 0;  // in the metric's canonical unit
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
