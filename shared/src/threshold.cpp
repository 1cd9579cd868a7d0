#include "wsload/shared/threshold.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "wsload/shared/metric_catalog.hpp"
#include "wsload/shared/part_metrics.hpp"
#include "wsload/shared/strings.hpp"

namespace wsload::shared {
namespace {

bool is_operator_char(char c) { return c == '<' || c == '>' || c == '=' || c == '!'; }

std::optional<CompareOp> operator_from(std::string_view op) {
  if (op == "<") return CompareOp::kLess;
  if (op == "<=") return CompareOp::kLessEqual;
  if (op == ">") return CompareOp::kGreater;
  if (op == ">=") return CompareOp::kGreaterEqual;
  if (op == "==") return CompareOp::kEqual;
  if (op == "!=") return CompareOp::kNotEqual;
  return std::nullopt;
}

std::string_view unit_description(MetricUnit unit) {
  switch (unit) {
    case MetricUnit::kMillis:
      return "a time in ms/us/s";
    case MetricUnit::kPercent:
      return "a percentage (% or no unit)";
    case MetricUnit::kPerSecond:
      return "a rate per second (no unit)";
    case MetricUnit::kCount:
      return "a count (no unit)";
  }
  return "";
}

// Multiplier from `unit` to the canonical unit of `metric_unit`; nullopt when it does not fit.
std::optional<double> unit_factor(std::string_view unit, MetricUnit metric_unit) {
  if (unit.empty()) return 1.0;
  switch (metric_unit) {
    case MetricUnit::kMillis:
      if (unit == "us") return 1e-3;
      if (unit == "ms") return 1.0;
      if (unit == "s") return 1e3;
      return std::nullopt;
    case MetricUnit::kPercent:
      if (unit == "%") return 1.0;
      return std::nullopt;
    case MetricUnit::kCount:
    case MetricUnit::kPerSecond:
      return std::nullopt;
  }
  return std::nullopt;
}

void set_error(std::string* error, std::string text) {
  if (error != nullptr) *error = std::move(text);
}

std::string unknown_metric(std::string_view metric, const std::string& closest) {
  std::string msg = "unknown metric '" + std::string(metric) + "'";
  if (!closest.empty()) msg += " (did you mean " + closest + "?)";
  return msg;
}

// What a metric name reads and in which unit: a row of the table or a part metric.
struct ResolvedMetric {
  PartKind part = PartKind::kTotal;
  std::string part_name;
  std::string leaf;
  MetricUnit unit = MetricUnit::kCount;
};

std::optional<ResolvedMetric> resolve_part_metric(std::string_view metric,
                                                  const PartMetricName& name, std::string* error) {
  const std::string_view prefix = part_prefix(name.kind);
  if (!valid_part_name(name.part)) {
    set_error(error, "bad name '" + std::string(name.part) + "' in '" + std::string(metric) +
                         "': " + std::string(prefix) +
                         ".<name>.* names are letters, digits, _ and -");
    return std::nullopt;
  }
  const auto unit = part_leaf_unit(name.kind, name.leaf);
  if (unit) return ResolvedMetric{name.kind, std::string(name.part), std::string(name.leaf), *unit};
  if (name.leaf.empty()) {
    set_error(error, "incomplete metric '" + std::string(metric) + "': expected " +
                         std::string(prefix) + "." + std::string(name.part) + ".<metric>");
  } else if (const MetricInfo* row = find_metric(name.leaf);
             name.kind == PartKind::kGroup && row != nullptr) {
    set_error(error, "'" + std::string(name.leaf) + "' is not kept per group in '" +
                         std::string(metric) +
                         "': groups have the counts and rates of the totals; latency is per "
                         "stream and step (streams.<name>.latency.*)");
  } else {
    set_error(error, unknown_metric(metric, closest_part_metric(metric)));
  }
  return std::nullopt;
}

std::optional<ResolvedMetric> resolve_metric(std::string_view metric, std::string* error) {
  if (const auto name = split_part_metric(metric)) return resolve_part_metric(metric, *name, error);
  if (const MetricInfo* info = find_metric(metric)) {
    return ResolvedMetric{PartKind::kTotal, {}, std::string(info->name), info->unit};
  }
  // The nearer of the closest total and the closest part metric ("stream.ping.sent").
  std::string closest = closest_metric(metric);
  const std::string part = closest_part_metric(metric);
  if (!part.empty() &&
      (closest.empty() || edit_distance(metric, part) < edit_distance(metric, closest))) {
    closest = part;
  }
  set_error(error, unknown_metric(metric, closest));
  return std::nullopt;
}

}  // namespace

std::optional<Threshold> parse_threshold(std::string_view text, std::string* error) {
  text = trim(text);
  const std::string quoted = "'" + std::string(text) + "'";
  size_t op_start = 0;
  while (op_start < text.size() && !is_operator_char(text[op_start])) ++op_start;
  const std::string_view metric = trim(text.substr(0, op_start));
  if (metric.empty()) {
    set_error(error, "missing metric name in " + quoted);
    return std::nullopt;
  }
  if (op_start == text.size()) {
    set_error(error, "missing operator in " + quoted + ": expected one of < <= > >= == !=");
    return std::nullopt;
  }
  auto resolved = resolve_metric(metric, error);
  if (!resolved) return std::nullopt;
  size_t op_end = op_start;
  while (op_end < text.size() && is_operator_char(text[op_end])) ++op_end;
  const std::string_view op_text = text.substr(op_start, op_end - op_start);
  const auto op = operator_from(op_text);
  if (!op) {
    set_error(error, "bad operator '" + std::string(op_text) + "' in " + quoted +
                         ": expected one of < <= > >= == !=");
    return std::nullopt;
  }

  const std::string_view rest = trim(text.substr(op_end));
  if (rest.empty()) {
    set_error(error, "missing value after '" + std::string(op_text) + "' in " + quoted);
    return std::nullopt;
  }
  double number = 0;
  const auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), number);
  const size_t consumed = static_cast<size_t>(ptr - rest.data());
  if (ec != std::errc() || consumed == 0 || !std::isfinite(number)) {
    set_error(error, "bad number '" + std::string(rest) + "' in " + quoted);
    return std::nullopt;
  }
  const std::string_view unit = trim(rest.substr(consumed));
  const auto factor = unit_factor(unit, resolved->unit);
  if (!factor) {
    const bool known = unit == "us" || unit == "ms" || unit == "s" || unit == "%";
    if (!known) {
      set_error(error,
                "unknown unit '" + std::string(unit) + "' in " + quoted + ": use us, ms, s or %");
    } else {
      set_error(error, "'" + std::string(unit) + "' does not fit " + std::string(metric) + ", " +
                           std::string(unit_description(resolved->unit)));
    }
    return std::nullopt;
  }

  Threshold t;
  t.expression = std::string(text);
  t.metric = std::string(metric);
  t.op = *op;
  t.value = number * *factor;
  t.part = resolved->part;
  t.part_name = std::move(resolved->part_name);
  t.leaf = std::move(resolved->leaf);
  return t;
}

bool threshold_passes(const Threshold& t, double actual) {
  if (std::isnan(actual)) return false;
  const double tolerance = 1e-9 * std::max(std::fabs(actual), std::fabs(t.value));
  const bool equal = std::fabs(actual - t.value) <= tolerance;
  switch (t.op) {
    case CompareOp::kLess:
      return actual < t.value;
    case CompareOp::kLessEqual:
      return actual <= t.value;
    case CompareOp::kGreater:
      return actual > t.value;
    case CompareOp::kGreaterEqual:
      return actual >= t.value;
    case CompareOp::kEqual:
      return equal;
    case CompareOp::kNotEqual:
      return !equal;
  }
  return false;
}

std::string_view to_string(CompareOp op) {
  switch (op) {
    case CompareOp::kLess:
      return "<";
    case CompareOp::kLessEqual:
      return "<=";
    case CompareOp::kGreater:
      return ">";
    case CompareOp::kGreaterEqual:
      return ">=";
    case CompareOp::kEqual:
      return "==";
    case CompareOp::kNotEqual:
      return "!=";
  }
  return "?";
}

}  // namespace wsload::shared
