#include "interval_views.hpp"

namespace wsload::controller {
namespace {

double ms(int64_t us) { return static_cast<double>(us) / 1000.0; }

}  // namespace

uint64_t error_count(const shared::Counters& c) {
  return c.connections_failed + c.disconnects_unexpected + c.timeouts + c.protocol_errors;
}

TimelinePoint timeline_point(const shared::MetricsDelta& d, double t_s, std::string phase, uint64_t open,
                             uint64_t target, unsigned agents_healthy) {
  TimelinePoint p;
  p.t_s = t_s;
  p.phase = std::move(phase);
  p.open_connections = open;
  p.target_connections = target;
  p.established = d.counters.connections_established;
  p.failed = d.counters.connections_failed;
  p.sent = d.counters.messages_sent;
  p.received = d.counters.messages_received;
  p.timeouts = d.counters.timeouts;
  p.errors = error_count(d.counters);
  if (!d.latency.empty()) {
    p.latency_p50_ms = ms(d.latency.value_at_percentile(50));
    p.latency_p99_ms = ms(d.latency.value_at_percentile(99));
    p.latency_max_ms = ms(d.latency.max());
  }
  p.agents_healthy = agents_healthy;
  return p;
}

LiveSnapshot live_snapshot(const shared::MetricsDelta& d, double interval_s, double elapsed_s, double planned_s,
                           std::string phase,
                           uint64_t open, uint64_t target, uint64_t errors_total, unsigned agents_healthy,
                           unsigned agents_total) {
  LiveSnapshot s;
  s.elapsed_s = elapsed_s;
  s.planned_s = planned_s;
  s.phase = std::move(phase);
  s.open = open;
  s.target = target;
  const double span = interval_s > 0 ? interval_s : 1.0;
  s.connections_per_s = static_cast<double>(d.counters.connections_established) / span;
  s.sent_per_s = static_cast<double>(d.counters.messages_sent) / span;
  s.received_per_s = static_cast<double>(d.counters.messages_received) / span;
  s.has_latency = !d.latency.empty();
  if (s.has_latency) {
    s.p50_ms = ms(d.latency.value_at_percentile(50));
    s.p99_ms = ms(d.latency.value_at_percentile(99));
    s.max_ms = ms(d.latency.max());
  }
  s.errors = errors_total;
  s.behind_schedule = d.counters.sends_behind_schedule;
  s.max_lag_ms = static_cast<double>(d.counters.max_schedule_lag_us) / 1000.0;
  s.agents_healthy = agents_healthy;
  s.agents_total = agents_total;
  return s;
}

}  // namespace wsload::controller
