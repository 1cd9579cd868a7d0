#include "wsload/shared/metric_catalog.hpp"

#include <algorithm>
#include <vector>

namespace wsload::shared {
namespace {

std::optional<double> ratio_percent(uint64_t part, uint64_t whole) {
  if (whole == 0) return std::nullopt;
  return 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

std::optional<double> per_second(uint64_t count, double seconds) {
  if (seconds <= 0) return std::nullopt;
  return static_cast<double>(count) / seconds;
}

}  // namespace

namespace metric_readers {

uint64_t open(const RunFigures& f) { return f.open; }
uint64_t peak_open(const RunFigures& f) { return f.peak_open; }
uint64_t closed_planned(const RunFigures& f) {
  const auto& c = f.delta.counters;
  return c.connections_closed > c.disconnects_unexpected
             ? c.connections_closed - c.disconnects_unexpected
             : 0;
}
uint64_t unsent(const RunFigures& f) { return f.delta.counters.unsent_total(); }
uint64_t error_count(const RunFigures& f) { return f.delta.counters.error_count(); }

std::optional<double> success_rate(const RunFigures& f) {
  const auto& c = f.delta.counters;
  return ratio_percent(c.connections_established, c.connections_attempted);
}

// SPEC §4: errors over connection attempts + requests scheduled; 0 % when nothing was attempted.
std::optional<double> error_rate(const RunFigures& f) {
  const auto& c = f.delta.counters;
  const uint64_t denominator = c.connections_attempted + c.requests_scheduled();
  if (denominator == 0) return 0.0;
  return ratio_percent(c.error_count(), denominator);
}

// Established per second of the plan's opening time (ramp-up, rising stages); a scenario without
// one divides by the whole run. An arrival model: attempts per second of its arrivals' duration.
std::optional<double> connection_rate(const RunFigures& f) {
  const auto& c = f.delta.counters;
  return per_second(f.arrivals ? c.connections_attempted : c.connections_established,
                    f.ramp_up_s > 0 ? f.ramp_up_s : f.duration_s);
}

std::optional<double> message_rate(const RunFigures& f) {
  return per_second(f.delta.counters.messages_received, f.duration_s);
}

std::optional<double> max_schedule_lag_ms(const RunFigures& f) {
  return static_cast<double>(f.delta.counters.max_schedule_lag_us) / 1000.0;
}

}  // namespace metric_readers

std::optional<double> histogram_stat_ms(const Histogram& h, HistogramStat stat) {
  if (h.empty()) return std::nullopt;
  auto ms = [](double us) { return us / 1000.0; };
  auto at = [&](double percentile) {
    return ms(static_cast<double>(h.value_at_percentile(percentile)));
  };
  switch (stat) {
    case HistogramStat::kMin:
      return ms(static_cast<double>(h.min()));
    case HistogramStat::kAvg:
      return ms(h.mean());
    case HistogramStat::kP50:
      return at(50);
    case HistogramStat::kP90:
      return at(90);
    case HistogramStat::kP95:
      return at(95);
    case HistogramStat::kP99:
      return at(99);
    case HistogramStat::kP999:
      return at(99.9);
    case HistogramStat::kMax:
      return ms(static_cast<double>(h.max()));
  }
  return std::nullopt;
}

std::span<const MetricInfo> metric_catalog() { return kMetricTable; }

const MetricInfo* find_metric(std::string_view name) {
  for (const auto& info : kMetricTable) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

std::optional<double> metric_value(const MetricInfo& info, const RunFigures& figures) {
  if (info.unit == MetricUnit::kCount) return static_cast<double>(metric_count(info, figures));
  if (info.histogram != nullptr) return histogram_stat_ms(figures.delta.*info.histogram, info.stat);
  if (info.measure != nullptr) return info.measure(figures);
  return std::nullopt;
}

uint64_t metric_count(const MetricInfo& info, const RunFigures& figures) {
  if (info.counter != nullptr) return figures.delta.counters.*info.counter;
  if (info.count != nullptr) return info.count(figures);
  return 0;
}

std::string_view metric_leaf(const MetricInfo& info) {
  const auto dot = info.name.rfind('.');
  return dot == std::string_view::npos ? info.name : info.name.substr(dot + 1);
}

std::string closest_metric(std::string_view name) {
  const size_t cutoff = std::max<size_t>(2, name.size() / 3);
  std::string_view best;
  size_t best_distance = cutoff + 1;
  for (const auto& info : kMetricTable) {
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
