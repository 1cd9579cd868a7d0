#include "interval_views.hpp"

#include "wsload/shared/prometheus_writer.hpp"

namespace wsload::controller {
namespace {

double ms(int64_t us) { return static_cast<double>(us) / 1000.0; }

}  // namespace

uint64_t error_count(const shared::Counters& c) { return c.error_count(); }

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

std::string live_exposition(const shared::MetricsDelta& d, const std::string& stage, double elapsed_s, uint64_t open,
                            uint64_t peak_open, unsigned agents_healthy, unsigned agents_total) {
  const auto& c = d.counters;
  shared::PrometheusWriter w;
  const shared::Labels s{{"stage", stage}};
  auto with = [&](const char* key, const std::string& value) {
    auto labels = s;
    labels.emplace_back(key, value);
    return labels;
  };
  w.gauge("wsload_elapsed_seconds", "Seconds since the synchronized start of the stage", elapsed_s, s);
  w.counter("wsload_connections_attempted_total", "WebSocket connection attempts", static_cast<double>(c.connections_attempted), s);
  w.counter("wsload_connections_established_total", "Handshakes that returned 101", static_cast<double>(c.connections_established), s);
  w.counter("wsload_connections_failed_total", "Failed connection attempts, by reason", static_cast<double>(c.connections_failed), s);
  for (const auto& [reason, n] : c.failures) {
    w.counter("wsload_connection_failures_total", "Failed connection attempts by reason", static_cast<double>(n), with("reason", reason));
  }
  w.counter("wsload_disconnects_unexpected_total", "Established connections the server ended", static_cast<double>(c.disconnects_unexpected), s);
  w.gauge("wsload_connections_open", "Open connections over all agents", static_cast<double>(open), s);
  w.gauge("wsload_connections_peak_open", "Most connections open at once", static_cast<double>(peak_open), s);
  w.counter("wsload_messages_sent_total", "Requests sent", static_cast<double>(c.messages_sent), s);
  w.counter("wsload_messages_received_total", "Frames received", static_cast<double>(c.messages_received), s);
  w.counter("wsload_replies_total", "Requests answered in time", static_cast<double>(c.replies), s);
  w.counter("wsload_timeouts_total", "Requests not answered in time", static_cast<double>(c.timeouts), s);
  w.counter("wsload_push_received_total", "Server-initiated messages", static_cast<double>(c.push_received), s);
  w.counter("wsload_push_gaps_total", "Sequence numbers never received", static_cast<double>(c.push_gaps), s);
  w.counter("wsload_push_resets_total", "Push sequences that restarted (jumps of more than 2^24)",
            static_cast<double>(c.push_resets), s);
  w.counter("wsload_bytes_sent_total", "Payload bytes sent", static_cast<double>(c.bytes_sent), s);
  w.counter("wsload_bytes_received_total", "Payload bytes received", static_cast<double>(c.bytes_received), s);
  for (const auto& [reason, n] : c.unsent) {
    w.counter("wsload_messages_unsent_total", "Scheduled requests never sent, by reason", static_cast<double>(n), with("reason", reason));
  }
  w.counter("wsload_messages_unmatched_total", "Replies that paired with no request (duplicates, unknown ids)",
            static_cast<double>(c.unmatched), s);
  w.counter("wsload_errors_total", "Failed connections, unexpected disconnects, timeouts, protocol errors and unsent requests",
            static_cast<double>(error_count(c)), s);
  w.counter("wsload_sends_behind_schedule_total", "Sends more than 1 ms behind their scheduled instant",
            static_cast<double>(c.sends_behind_schedule), s);
  if (!d.latency.empty()) {
    for (const auto& [q, p] : {std::pair{"0.5", 50.0}, std::pair{"0.9", 90.0}, std::pair{"0.99", 99.0}, std::pair{"0.999", 99.9}}) {
      w.gauge("wsload_latency_milliseconds", "Latency from the scheduled send to the reply, since the stage start",
              ms(d.latency.value_at_percentile(p)), with("quantile", q));
    }
    w.gauge("wsload_latency_milliseconds_max", "Largest latency since the stage start", ms(d.latency.max()), s);
    w.gauge("wsload_latency_milliseconds_avg", "Average latency since the stage start", d.latency.mean() / 1000.0, s);
  }
  w.gauge("wsload_agents_healthy", "Agents reporting", agents_healthy, s);
  w.gauge("wsload_agents", "Agents in the run", agents_total, s);
  return w.take();
}

}  // namespace wsload::controller
