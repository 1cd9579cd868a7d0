#include "wsload/controller/run_metrics.hpp"

#include <chrono>
#include <string>

namespace wsload::controller {
namespace {

double seconds_of(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

std::optional<double> ratio_percent(uint64_t part, uint64_t whole) {
  if (whole == 0) return std::nullopt;
  return 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

std::optional<double> per_second(uint64_t count, double seconds) {
  if (seconds <= 0) return std::nullopt;
  return static_cast<double>(count) / seconds;
}

// "latency.p99" -> (latency histogram, "p99"); the longest matching prefix wins so that
// "push.latency.p99" is not read as a push counter.
const shared::Histogram* histogram_for(const shared::MetricsDelta& d, std::string_view name,
                                       std::string_view* stat) {
  struct Family {
    std::string_view prefix;
    const shared::Histogram* histogram;
  };
  const Family families[] = {{"latency_service.", &d.latency_service},
                             {"push.latency.", &d.push_latency},
                             {"connect_time.", &d.connect_time},
                             {"latency.", &d.latency}};
  for (const auto& f : families) {
    if (name.starts_with(f.prefix)) {
      *stat = name.substr(f.prefix.size());
      return f.histogram;
    }
  }
  return nullptr;
}

}  // namespace

std::optional<double> histogram_stat_ms(const shared::Histogram& h, std::string_view stat) {
  if (h.empty()) return std::nullopt;
  auto ms = [](double us) { return us / 1000.0; };
  if (stat == "min") return ms(static_cast<double>(h.min()));
  if (stat == "max") return ms(static_cast<double>(h.max()));
  if (stat == "avg") return ms(h.mean());
  if (stat == "p50") return ms(static_cast<double>(h.value_at_percentile(50)));
  if (stat == "p90") return ms(static_cast<double>(h.value_at_percentile(90)));
  if (stat == "p95") return ms(static_cast<double>(h.value_at_percentile(95)));
  if (stat == "p99") return ms(static_cast<double>(h.value_at_percentile(99)));
  if (stat == "p999") return ms(static_cast<double>(h.value_at_percentile(99.9)));
  return std::nullopt;
}

std::optional<double> metric_value(const StageResult& r, std::string_view name) {
  const auto& c = r.totals.counters;
  std::string_view stat;
  if (const auto* h = histogram_for(r.totals, name, &stat)) return histogram_stat_ms(*h, stat);

  uint64_t open = 0;
  for (const auto& a : r.agents) open += a.open_connections;
  const double ramp_s = seconds_of(r.scenario.load.ramp_up);
  const uint64_t error_count = c.error_count();

  if (name == "connections.attempted") return static_cast<double>(c.connections_attempted);
  if (name == "connections.established") return static_cast<double>(c.connections_established);
  if (name == "connections.failed") return static_cast<double>(c.connections_failed);
  if (name == "connections.closed") return static_cast<double>(c.connections_closed);
  if (name == "connections.open") return static_cast<double>(open);
  if (name == "connections.peak_open") return static_cast<double>(r.peak_open);
  if (name == "connections.success_rate") {
    return ratio_percent(c.connections_established, c.connections_attempted);
  }
  if (name == "connections.rate") {
    return per_second(c.connections_established, ramp_s > 0 ? ramp_s : r.duration_s);
  }
  if (name == "disconnects.unexpected") return static_cast<double>(c.disconnects_unexpected);
  if (name == "messages.sent") return static_cast<double>(c.messages_sent);
  if (name == "messages.received") return static_cast<double>(c.messages_received);
  if (name == "messages.replies") return static_cast<double>(c.replies);
  if (name == "messages.timeouts") return static_cast<double>(c.timeouts);
  if (name == "messages.unmatched") return static_cast<double>(c.unmatched);
  if (name == "messages.unsent") return static_cast<double>(c.unsent_total());
  if (name == "messages.late_replies") return static_cast<double>(c.late_replies);
  if (name == "messages.protocol_errors") return static_cast<double>(c.protocol_errors);
  if (name == "messages.rate") return per_second(c.messages_received, r.duration_s);
  if (name == "bytes.sent") return static_cast<double>(c.bytes_sent);
  if (name == "bytes.received") return static_cast<double>(c.bytes_received);
  if (name == "push.received") return static_cast<double>(c.push_received);
  if (name == "push.gaps") return static_cast<double>(c.push_gaps);
  if (name == "push.duplicates") return static_cast<double>(c.push_duplicates);
  if (name == "push.reordered") return static_cast<double>(c.push_reordered);
  if (name == "push.resets") return static_cast<double>(c.push_resets);
  if (name == "errors.count") return static_cast<double>(error_count);
  if (name == "errors.rate") {
    const auto denominator = c.connections_attempted + c.requests_scheduled();
    if (denominator == 0) return 0.0;
    return ratio_percent(error_count, denominator);
  }
  if (name == "schedule.behind") return static_cast<double>(c.sends_behind_schedule);
  if (name == "schedule.max_lag") return static_cast<double>(c.max_schedule_lag_us) / 1000.0;
  return std::nullopt;
}

void evaluate_thresholds(StageResult& result) {
  result.thresholds.clear();
  for (const auto& t : result.scenario.thresholds) {
    ThresholdResult tr;
    tr.expression = t.expression;
    tr.metric = t.metric;
    const auto value = metric_value(result, t.metric);
    tr.available = value.has_value();
    tr.actual = value.value_or(0);
    tr.passed = tr.available && shared::threshold_passes(t, tr.actual);
    result.thresholds.push_back(std::move(tr));
  }
}

}  // namespace wsload::controller
