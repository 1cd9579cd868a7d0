#include "wsload/shared/part_metrics.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace wsload::shared {
namespace {

constexpr std::array<std::pair<PartKind, std::string_view>, 3> kPrefixes{{
    {PartKind::kStream, "streams"},
    {PartKind::kStep, "steps"},
    {PartKind::kGroup, "groups"},
}};

// latency.min … latency.max, named and ordered like the table's latency family.
void add_latency_leaves(std::vector<PartLeaf>& leaves) {
  for (const auto& m : kMetricTable) {
    if (m.histogram != &MetricsDelta::latency) continue;
    leaves.push_back({.name = "latency." + std::string(metric_leaf(m)),
                      .unit = MetricUnit::kMillis,
                      .stat = m.stat});
  }
}

const std::vector<PartLeaf>& stream_leaves() {
  static const std::vector<PartLeaf> leaves = [] {
    std::vector<PartLeaf> out{{.name = "sent", .stream_count = &StreamFigures::sent},
                              {.name = "replies", .stream_count = &StreamFigures::replies},
                              {.name = "timeouts", .stream_count = &StreamFigures::timeouts},
                              {.name = "unsent", .stream_count = &StreamFigures::unsent}};
    add_latency_leaves(out);
    return out;
  }();
  return leaves;
}

const std::vector<PartLeaf>& step_leaves() {
  static const std::vector<PartLeaf> leaves = [] {
    std::vector<PartLeaf> out{{.name = "ok", .step_count = &StepFigures::ok},
                              {.name = "failed", .step_count = &StepFigures::failed}};
    add_latency_leaves(out);
    return out;
  }();
  return leaves;
}

}  // namespace

std::span<const PartLeaf> part_leaves(PartKind kind) {
  if (kind == PartKind::kStream) return stream_leaves();
  if (kind == PartKind::kStep) return step_leaves();
  return {};
}

const PartLeaf* find_part_leaf(PartKind kind, std::string_view leaf) {
  for (const auto& l : part_leaves(kind)) {
    if (l.name == leaf) return &l;
  }
  return nullptr;
}

bool is_group_metric(const MetricInfo& info) {
  return info.histogram == nullptr && &info != &metric("connections.peak_open");
}

const MetricInfo* group_metric(std::string_view leaf) {
  const MetricInfo* info = find_metric(leaf);
  return info != nullptr && is_group_metric(*info) ? info : nullptr;
}

std::string_view part_prefix(PartKind kind) {
  for (const auto& [k, prefix] : kPrefixes) {
    if (k == kind) return prefix;
  }
  return {};
}

std::optional<PartMetricName> split_part_metric(std::string_view name) {
  const auto dot = name.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  for (const auto& [kind, prefix] : kPrefixes) {
    if (name.substr(0, dot) != prefix) continue;
    const std::string_view rest = name.substr(dot + 1);
    const auto end = rest.find('.');
    if (end == std::string_view::npos) return PartMetricName{kind, rest, {}};
    return PartMetricName{kind, rest.substr(0, end), rest.substr(end + 1)};
  }
  return std::nullopt;
}

bool valid_part_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

std::optional<MetricUnit> part_leaf_unit(PartKind kind, std::string_view leaf) {
  if (kind == PartKind::kGroup) {
    const MetricInfo* info = group_metric(leaf);
    return info != nullptr ? std::optional(info->unit) : std::nullopt;
  }
  const PartLeaf* l = find_part_leaf(kind, leaf);
  return l != nullptr ? std::optional(l->unit) : std::nullopt;
}

std::string closest_part_metric(std::string_view name) {
  const auto first = name.find('.');
  if (first == std::string_view::npos) return {};
  const auto second = name.find('.', first + 1);
  if (second == std::string_view::npos) return {};
  const std::string_view part = name.substr(first + 1, second - first - 1);
  const size_t cutoff = std::max<size_t>(2, name.size() / 3);
  std::string best;
  size_t best_distance = cutoff + 1;
  auto consider = [&](std::string_view prefix, std::string_view leaf) {
    std::string candidate = std::string(prefix) + "." + std::string(part) + "." + std::string(leaf);
    const size_t d = edit_distance(name, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = std::move(candidate);
    }
  };
  for (const auto& [kind, prefix] : kPrefixes) {
    if (kind == PartKind::kGroup) {
      for (const auto& m : kMetricTable) {
        if (is_group_metric(m)) consider(prefix, m.name);
      }
    } else {
      for (const auto& l : part_leaves(kind)) consider(prefix, l.name);
    }
  }
  return best;
}

std::optional<double> stream_metric_value(const PartLeaf& leaf, const StreamFigures& figures) {
  if (leaf.stream_count != nullptr) return static_cast<double>(figures.*leaf.stream_count);
  if (leaf.stat) return histogram_stat_ms(figures.latency, *leaf.stat);
  return std::nullopt;
}

std::optional<double> step_metric_value(const PartLeaf& leaf, const StepFigures& figures) {
  if (leaf.step_count != nullptr) return static_cast<double>(figures.*leaf.step_count);
  if (leaf.stat) return histogram_stat_ms(figures.latency, *leaf.stat);
  return std::nullopt;
}

uint64_t group_open(const Counters& c) {
  return c.connections_established > c.connections_closed
             ? c.connections_established - c.connections_closed
             : 0;
}

GroupFigures::GroupFigures(const Counters& counters, double duration_s, double ramp_up_s)
    : duration_s_(duration_s), ramp_up_s_(ramp_up_s) {
  delta_.counters = counters;
}

RunFigures GroupFigures::figures() const {
  return {.delta = delta_,
          .open = group_open(delta_.counters),
          .duration_s = duration_s_,
          .ramp_up_s = ramp_up_s_};
}

std::optional<size_t> find_part(const PartIndex& index, PartKind kind, std::string_view name) {
  const std::vector<std::string>* names = kind == PartKind::kStream  ? &index.stream_names
                                          : kind == PartKind::kStep  ? &index.step_names
                                          : kind == PartKind::kGroup ? &index.group_names
                                                                     : nullptr;
  if (names == nullptr) return std::nullopt;
  const auto it = std::find(names->begin(), names->end(), name);
  if (it == names->end()) return std::nullopt;
  return static_cast<size_t>(it - names->begin());
}

const StreamFigures& stream_at(const PartsDelta& parts, size_t i) {
  static const StreamFigures nothing;
  return i < parts.streams.size() ? parts.streams[i] : nothing;
}

const StepFigures& step_at(const PartsDelta& parts, size_t i) {
  static const StepFigures nothing;
  return i < parts.steps.size() ? parts.steps[i] : nothing;
}

const Counters& group_at(const PartsDelta& parts, size_t i) {
  static const Counters nothing;
  return i < parts.groups.size() ? parts.groups[i] : nothing;
}

std::optional<double> part_metric_value(PartKind kind, std::string_view name, std::string_view leaf,
                                        const PartsDelta& parts, const PartIndex& index,
                                        double duration_s, double ramp_up_s) {
  const auto at = find_part(index, kind, name);
  if (!at) return std::nullopt;
  if (kind == PartKind::kGroup) {
    const MetricInfo* info = group_metric(leaf);
    if (info == nullptr) return std::nullopt;
    const GroupFigures group(group_at(parts, *at), duration_s, ramp_up_s);
    return metric_value(*info, group.figures());
  }
  const PartLeaf* l = find_part_leaf(kind, leaf);
  if (l == nullptr) return std::nullopt;
  return kind == PartKind::kStream ? stream_metric_value(*l, stream_at(parts, *at))
                                   : step_metric_value(*l, step_at(parts, *at));
}

std::map<std::string, uint64_t> sessions_failed_by_step(const PartsDelta& parts,
                                                        const PartIndex& index) {
  std::map<std::string, uint64_t> out;
  for (size_t i = 0; i < index.step_names.size(); ++i) {
    if (index.step_on_close[i]) continue;
    const uint64_t failed = step_at(parts, i).failed;
    if (failed > 0) out[index.step_names[i]] += failed;
  }
  return out;
}

}  // namespace wsload::shared
