#include "wsload/shared/metric_catalog.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace wsload::shared {
namespace {

struct Catalog {
  std::vector<std::string> names;  // owns the text behind composed names
  std::vector<MetricInfo> infos;
};

Catalog build_catalog() {
  static constexpr std::array<std::string_view, 24> kCounts = {
      "connections.attempted", "connections.established", "connections.failed",
      "connections.open",      "connections.peak_open",   "connections.closed",
      "disconnects.unexpected", "messages.sent",          "messages.received",
      "messages.replies",      "messages.timeouts",       "bytes.sent",
      "bytes.received",        "push.received",           "push.gaps",
      "push.duplicates",       "push.reordered",          "errors.count",
      "schedule.behind",       "messages.unmatched",      "messages.unsent",
      "messages.late_replies", "messages.protocol_errors", "push.resets"};
  static constexpr std::array<std::string_view, 2> kPercents = {"connections.success_rate", "errors.rate"};
  static constexpr std::array<std::string_view, 2> kRates = {"connections.rate", "messages.rate"};
  static constexpr std::array<std::string_view, 4> kDistributions = {"latency", "latency_service",
                                                                     "connect_time", "push.latency"};
  static constexpr std::array<std::string_view, 8> kStats = {"min", "avg", "p50", "p90",
                                                             "p95", "p99", "p999", "max"};
  Catalog c;
  c.names.reserve(kDistributions.size() * kStats.size() + 1);
  for (auto d : kDistributions) {
    for (auto s : kStats) c.names.push_back(std::string(d) + "." + std::string(s));
  }
  c.names.emplace_back("schedule.max_lag");
  for (auto n : kCounts) c.infos.push_back({n, MetricUnit::kCount});
  for (auto n : kPercents) c.infos.push_back({n, MetricUnit::kPercent});
  for (auto n : kRates) c.infos.push_back({n, MetricUnit::kPerSecond});
  // `names` is never resized after this point, so the views stay valid.
  for (const auto& n : c.names) c.infos.push_back({n, MetricUnit::kMillis});
  return c;
}

const Catalog& catalog() {
  static const Catalog kCatalog = build_catalog();
  return kCatalog;
}

}  // namespace

std::span<const MetricInfo> metric_catalog() { return catalog().infos; }

const MetricInfo* find_metric(std::string_view name) {
  for (const auto& info : catalog().infos) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

std::string closest_metric(std::string_view name) {
  const size_t cutoff = std::max<size_t>(2, name.size() / 3);
  std::string_view best;
  size_t best_distance = cutoff + 1;
  for (const auto& info : catalog().infos) {
    const size_t d = edit_distance(name, info.name);
    if (d < best_distance) {
      best_distance = d;
      best = info.name;
    }
  }
  return std::string(best);
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t substitute = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, substitute});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace wsload::shared
