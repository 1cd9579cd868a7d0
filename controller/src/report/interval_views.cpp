#include "report/interval_views.hpp"

#include <map>

#include "wsload/shared/metric_catalog.hpp"
#include "wsload/shared/prometheus_writer.hpp"

namespace wsload::controller {
namespace {

using shared::metric;
using ReasonCounts = std::map<std::string, uint64_t>;

// One exported family: Prometheus's name here, help text and value from the metric table. A name
// ending in _total is a counter, any other a gauge. With `reasons`, one sample per reason follows
// in the family `reasons_name` ("Failed connection attempts by reason"), or, when that is empty,
// the reasons are the family's only samples (labelled reason=...; nothing when there are none).
struct Exported {
  const shared::MetricInfo* metric;
  std::string_view name;
  ReasonCounts shared::Counters::*reasons = nullptr;
  std::string_view reasons_name;
  std::string_view reasons_help;
};

// The exposition's order (scrapers do not care; the byte-for-byte tests do).
constexpr Exported kExported[] = {
    {&metric("connections.attempted"), "wsload_connections_attempted_total"},
    {&metric("connections.established"), "wsload_connections_established_total"},
    {&metric("connections.failed"), "wsload_connections_failed_total", &shared::Counters::failures,
     "wsload_connection_failures_total", "Failed connection attempts by reason"},
    {&metric("disconnects.unexpected"), "wsload_disconnects_unexpected_total"},
    {&metric("connections.open"), "wsload_connections_open"},
    {&metric("connections.peak_open"), "wsload_connections_peak_open"},
    {&metric("messages.sent"), "wsload_messages_sent_total"},
    {&metric("messages.received"), "wsload_messages_received_total"},
    {&metric("messages.replies"), "wsload_replies_total"},
    {&metric("messages.timeouts"), "wsload_timeouts_total"},
    {&metric("push.received"), "wsload_push_received_total"},
    {&metric("push.gaps"), "wsload_push_gaps_total"},
    {&metric("push.resets"), "wsload_push_resets_total"},
    {&metric("bytes.sent"), "wsload_bytes_sent_total"},
    {&metric("bytes.received"), "wsload_bytes_received_total"},
    {&metric("messages.unsent"), "wsload_messages_unsent_total", &shared::Counters::unsent},
    {&metric("messages.unmatched"), "wsload_messages_unmatched_total"},
    {&metric("errors.count"), "wsload_errors_total"},
    {&metric("schedule.behind"), "wsload_sends_behind_schedule_total"},
};

// Latency since the stage start as one quantile-labelled family plus max and avg.
struct Quantile {
  const char* label;
  const shared::MetricInfo* metric;
};
constexpr Quantile kQuantiles[] = {{"0.5", &metric("latency.p50")},
                                   {"0.9", &metric("latency.p90")},
                                   {"0.99", &metric("latency.p99")},
                                   {"0.999", &metric("latency.p999")}};

void sample(shared::PrometheusWriter& w, std::string_view name, std::string_view help, double value,
            const shared::Labels& labels) {
  if (name.ends_with("_total")) {
    w.counter(name, help, value, labels);
  } else {
    w.gauge(name, help, value, labels);
  }
}

void write_exported(shared::PrometheusWriter& w, const Exported& e, const shared::RunFigures& f,
                    const shared::Labels& stage) {
  auto with_reason = [&](const std::string& reason) {
    auto labels = stage;
    labels.emplace_back("reason", reason);
    return labels;
  };
  const bool reasons_only = e.reasons != nullptr && e.reasons_name.empty();
  if (!reasons_only) {
    sample(w, e.name, e.metric->help, static_cast<double>(shared::metric_count(*e.metric, f)),
           stage);
  }
  if (e.reasons == nullptr) return;
  for (const auto& [reason, n] : f.delta.counters.*e.reasons) {
    sample(w, reasons_only ? e.name : e.reasons_name,
           reasons_only ? e.metric->help : e.reasons_help, static_cast<double>(n),
           with_reason(reason));
  }
}

void write_latency(shared::PrometheusWriter& w, const shared::RunFigures& f,
                   const shared::Labels& stage) {
  auto value = [&](const shared::MetricInfo& m) { return shared::metric_value(m, f); };
  if (!value(metric("latency.max"))) return;  // no samples yet
  for (const auto& q : kQuantiles) {
    auto labels = stage;
    labels.emplace_back("quantile", q.label);
    w.gauge("wsload_latency_milliseconds",
            "Latency from the scheduled send to the reply, since the stage start",
            *value(*q.metric), labels);
  }
  w.gauge("wsload_latency_milliseconds_max", "Largest latency since the stage start",
          *value(metric("latency.max")), stage);
  w.gauge("wsload_latency_milliseconds_avg", "Average latency since the stage start",
          *value(metric("latency.avg")), stage);
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
  p.latency_p99_ms = ms(metric("latency.p99"));
  p.latency_max_ms = ms(metric("latency.max"));
  p.agents_healthy = agents_healthy;
  return p;
}

LiveSnapshot live_snapshot(const shared::MetricsDelta& d, double interval_s, double elapsed_s,
                           double planned_s, std::string phase, uint64_t open, uint64_t target,
                           uint64_t errors_total, unsigned agents_healthy, unsigned agents_total) {
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
  return s;
}

std::string live_exposition(const shared::MetricsDelta& d, const std::string& stage,
                            double elapsed_s, uint64_t open, uint64_t peak_open,
                            unsigned agents_healthy, unsigned agents_total) {
  const shared::RunFigures f{
      .delta = d, .open = open, .peak_open = peak_open, .duration_s = elapsed_s};
  const shared::Labels s{{"stage", stage}};
  shared::PrometheusWriter w;
  w.gauge("wsload_elapsed_seconds", "Seconds since the synchronized start of the stage", elapsed_s,
          s);
  for (const auto& e : kExported) write_exported(w, e, f, s);
  write_latency(w, f, s);
  w.gauge("wsload_agents_healthy", "Agents reporting", agents_healthy, s);
  w.gauge("wsload_agents", "Agents in the run", agents_total, s);
  return w.take();
}

}  // namespace wsload::controller
