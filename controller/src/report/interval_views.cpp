#include "report/interval_views.hpp"

#include "wsload/shared/metric_catalog.hpp"
#include "wsload/shared/part_metrics.hpp"

namespace wsload::controller {
namespace {

using shared::metric;

// Format v2: every stream's rate, p99 and timeouts over the interval, and the steps that failed.
void add_parts(LiveSnapshot& s, const shared::PartsDelta& d, const shared::PartIndex& parts,
               double span_s) {
  for (size_t i = 0; i < parts.stream_names.size(); ++i) {
    const auto& figures = shared::stream_at(d, i);
    StreamRate rate;
    rate.name = parts.stream_names[i];
    rate.sent_per_s = static_cast<double>(figures.sent) / span_s;
    const auto p99 = shared::histogram_stat_ms(figures.latency, shared::HistogramStat::kP99);
    rate.has_latency = p99.has_value();
    rate.p99_ms = p99.value_or(0);
    rate.timeouts = figures.timeouts;
    s.streams.push_back(std::move(rate));
  }
  for (size_t i = 0; i < parts.step_names.size(); ++i) {
    if (const uint64_t failed = shared::step_at(d, i).failed; failed > 0)
      s.steps_failed.emplace_back(parts.step_names[i], failed);
  }
}

}  // namespace

uint64_t error_count(const shared::Counters& c) { return c.error_count(); }

TimelinePoint timeline_point(const shared::MetricsDelta& d, double t_s, std::string phase,
                             uint64_t open, uint64_t target, unsigned agents_healthy) {
  const shared::RunFigures f{.delta = d, .open = open};
  auto n = [&](const shared::MetricInfo& m) { return shared::metric_count(m, f); };
  auto ms = [&](const shared::MetricInfo& m) { return shared::metric_value(m, f).value_or(0); };
  TimelinePoint p;
  p.t_s = t_s;
  p.phase = std::move(phase);
  p.open_connections = n(metric("connections.open"));
  p.target_connections = target;
  p.established = n(metric("connections.established"));
  p.failed = n(metric("connections.failed"));
  p.sent = n(metric("messages.sent"));
  p.received = n(metric("messages.received"));
  p.timeouts = n(metric("messages.timeouts"));
  p.errors = n(metric("errors.count"));
  p.latency_p50_ms = ms(metric("latency.p50"));
  p.latency_p90_ms = ms(metric("latency.p90"));
  p.latency_p99_ms = ms(metric("latency.p99"));
  p.latency_max_ms = ms(metric("latency.max"));
  p.agents_healthy = agents_healthy;
  return p;
}

LiveSnapshot live_snapshot(const shared::MetricsDelta& d, double interval_s, double elapsed_s,
                           double planned_s, std::string phase, uint64_t open, uint64_t target,
                           uint64_t errors_total, unsigned agents_healthy, unsigned agents_total,
                           const shared::PartIndex& parts) {
  const shared::RunFigures f{.delta = d, .open = open};
  auto n = [&](const shared::MetricInfo& m) {
    return static_cast<double>(shared::metric_count(m, f));
  };
  LiveSnapshot s;
  s.elapsed_s = elapsed_s;
  s.planned_s = planned_s;
  s.phase = std::move(phase);
  s.open = shared::metric_count(metric("connections.open"), f);
  s.target = target;
  // Per second of this interval (the table's rates are over the whole run).
  const double span = interval_s > 0 ? interval_s : 1.0;
  s.connections_per_s = n(metric("connections.established")) / span;
  s.sent_per_s = n(metric("messages.sent")) / span;
  s.received_per_s = n(metric("messages.received")) / span;
  const auto p50 = shared::metric_value(metric("latency.p50"), f);
  s.has_latency = p50.has_value();
  if (s.has_latency) {
    s.p50_ms = *p50;
    s.p99_ms = *shared::metric_value(metric("latency.p99"), f);
    s.max_ms = *shared::metric_value(metric("latency.max"), f);
  }
  s.errors = errors_total;
  s.behind_schedule = shared::metric_count(metric("schedule.behind"), f);
  s.max_lag_ms = *shared::metric_value(metric("schedule.max_lag"), f);
  s.agents_healthy = agents_healthy;
  s.agents_total = agents_total;
  add_parts(s, d.parts, parts, span);
  return s;
}

}  // namespace wsload::controller
