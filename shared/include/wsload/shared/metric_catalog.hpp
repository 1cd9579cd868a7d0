#pragma once
// The metric table: every metric name of SPEC §4 once, with its unit, a one-line help text and how
// its value is read from a run's figures. Threshold parsing validates names and units against it;
// threshold evaluation, the text summary, the JSON and HTML reports, the Prometheus exposition and
// the live view read values (and the exposition its help text) from it instead of spelling names
// and formulas again. Metrics per stream, step and group of a format-v2 scenario are in
// part_metrics.hpp. The table is constexpr so that `metric("name")` is checked at compile time.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "wsload/shared/metrics.hpp"

namespace wsload::shared {

enum class MetricUnit { kCount, kMillis, kPercent, kPerSecond };

// What one run, one agent's part of it or one interval measured: the view every value accessor
// reads. Holds a reference; the delta must outlive it.
struct RunFigures {
  const MetricsDelta& delta;  // counters and histograms
  uint64_t open = 0;          // connections open now (summed last gauges)
  uint64_t peak_open = 0;     // most connections open at once
  double duration_s = 0;  // synchronized start to the last final report; 0 = rates have no value
  // What connections.rate divides by when > 0: the time the load plan opens connections over
  // (a ramp's ramp-up, the rising stages, the arrivals' duration).
  double ramp_up_s = 0;
  bool arrivals = false;  // an arrival model: connections.rate counts attempts (arrivals)
};

enum class HistogramStat { kMin, kAvg, kP50, kP90, kP95, kP99, kP999, kMax };

// A distribution summary in milliseconds; nullopt for an empty histogram.
std::optional<double> histogram_stat_ms(const Histogram& h, HistogramStat stat);

// One row. Exactly one way to read the value is set, and a count (kCount) is always read exactly:
// `counter` (a plain Counters field; also writable, the JSON reader restores through it) or
// `count` (a derived count or gauge); every other unit through `histogram`+`stat` or `measure`.
struct MetricInfo {
  std::string_view name;  // SPEC §4, e.g. "messages.unsent"
  MetricUnit unit;
  std::string_view help;  // one line; the Prometheus HELP text where the metric is exported
  uint64_t Counters::*counter = nullptr;
  uint64_t (*count)(const RunFigures&) = nullptr;
  Histogram MetricsDelta::*histogram = nullptr;
  HistogramStat stat = HistogramStat::kMin;
  std::optional<double> (*measure)(const RunFigures&) = nullptr;  // nullopt = no value
};

namespace metric_readers {
// The derived values (SPEC §4). Defined in metric_catalog.cpp.
uint64_t open(const RunFigures& f);
uint64_t peak_open(const RunFigures& f);
uint64_t closed_planned(const RunFigures& f);  // closed - unexpected disconnects
uint64_t unsent(const RunFigures& f);          // Counters::unsent_total
uint64_t error_count(const RunFigures& f);     // Counters::error_count
std::optional<double> success_rate(const RunFigures& f);
std::optional<double> error_rate(const RunFigures& f);
std::optional<double> connection_rate(const RunFigures& f);
std::optional<double> message_rate(const RunFigures& f);
std::optional<double> max_schedule_lag_ms(const RunFigures& f);
}  // namespace metric_readers

namespace metric_rows {
constexpr MetricInfo counter(std::string_view name, std::string_view help,
                             uint64_t Counters::*field) {
  return {.name = name, .unit = MetricUnit::kCount, .help = help, .counter = field};
}
constexpr MetricInfo count(std::string_view name, std::string_view help,
                           uint64_t (*read)(const RunFigures&)) {
  return {.name = name, .unit = MetricUnit::kCount, .help = help, .count = read};
}
constexpr MetricInfo measure(std::string_view name, MetricUnit unit, std::string_view help,
                             std::optional<double> (*read)(const RunFigures&)) {
  return {.name = name, .unit = unit, .help = help, .measure = read};
}
constexpr MetricInfo stat(std::string_view name, std::string_view help, Histogram MetricsDelta::*h,
                          HistogramStat s) {
  return {.name = name, .unit = MetricUnit::kMillis, .help = help, .histogram = h, .stat = s};
}
}  // namespace metric_rows

// Ordered as the catalog always was (the closest-name suggestion breaks ties by this order).
inline constexpr auto kMetricTable = [] {
  namespace r = metric_readers;
  using metric_rows::counter, metric_rows::count, metric_rows::measure, metric_rows::stat;
  using C = Counters;
  using D = MetricsDelta;
  using S = HistogramStat;
  using U = MetricUnit;
  return std::array{
      counter("connections.attempted", "WebSocket connection attempts", &C::connections_attempted),
      counter("connections.established", "Handshakes that returned 101",
              &C::connections_established),
      counter("connections.failed", "Failed connection attempts, by reason",
              &C::connections_failed),
      count("connections.open", "Open connections over all agents", r::open),
      count("connections.peak_open", "Most connections open at once", r::peak_open),
      counter("connections.closed", "Established connections that ended, for any reason",
              &C::connections_closed),
      counter("disconnects.unexpected", "Established connections the server ended",
              &C::disconnects_unexpected),
      count("connections.closed_planned",
            "Established connections closed as planned (ramp-down, stage fall, session end)",
            r::closed_planned),
      counter("connections.reconnects",
              "Connection attempts made after an unexpected disconnect (subset of attempted)",
              &C::reconnects),
      counter("messages.sent", "Requests sent", &C::messages_sent),
      counter("messages.received", "Frames received", &C::messages_received),
      counter("messages.replies", "Requests answered in time", &C::replies),
      counter("messages.timeouts", "Requests not answered in time", &C::timeouts),
      counter("bytes.sent", "Payload bytes sent", &C::bytes_sent),
      counter("bytes.received", "Payload bytes received", &C::bytes_received),
      counter("bytes.sent_wire",
              "Payload bytes sent as they went on the wire (compressed with permessage-deflate)",
              &C::bytes_sent_wire),
      counter(
          "bytes.received_wire",
          "Payload bytes received as they came on the wire (compressed with permessage-deflate)",
          &C::bytes_received_wire),
      counter("push.received", "Server-initiated messages", &C::push_received),
      counter("push.gaps", "Sequence numbers never received", &C::push_gaps),
      counter("push.duplicates", "Sequence numbers received more than once", &C::push_duplicates),
      counter("push.reordered", "Sequence numbers that arrived after a higher one",
              &C::push_reordered),
      count("errors.count",
            "Failed connections, unexpected disconnects, timeouts, protocol errors and unsent "
            "requests",
            r::error_count),
      counter("schedule.behind", "Sends more than 1 ms behind their scheduled instant",
              &C::sends_behind_schedule),
      counter("messages.unmatched", "Replies that paired with no request (duplicates, unknown ids)",
              &C::unmatched),
      count("messages.unsent", "Scheduled requests never sent, by reason", r::unsent),
      counter("messages.late_replies", "Replies that arrived after their request timed out",
              &C::late_replies),
      counter("messages.protocol_errors",
              "Undecodable frames, oversize messages and bad close frames", &C::protocol_errors),
      counter("push.resets", "Push sequences that restarted (jumps of more than 2^24)",
              &C::push_resets),
      counter("sessions.failed",
              "Sessions whose on_open steps failed (format v2; by step in steps.<name>.failed)",
              &C::sessions_failed),
      measure("connections.success_rate", U::kPercent,
              "Established connections per attempt, in percent", r::success_rate),
      measure("errors.rate", U::kPercent,
              "errors.count per connection attempt and request scheduled, in percent",
              r::error_rate),
      measure("connections.rate", U::kPerSecond,
              "Connections established per second of ramp-up (of the run without one); "
              "arrivals per second of an arrival model",
              r::connection_rate),
      measure("messages.rate", U::kPerSecond, "Frames received per second of the run",
              r::message_rate),
      stat("latency.min", "Scheduled send to reply, shortest (ms)", &D::latency, S::kMin),
      stat("latency.avg", "Scheduled send to reply, average (ms)", &D::latency, S::kAvg),
      stat("latency.p50", "Scheduled send to reply, median (ms)", &D::latency, S::kP50),
      stat("latency.p90", "Scheduled send to reply, 90th percentile (ms)", &D::latency, S::kP90),
      stat("latency.p95", "Scheduled send to reply, 95th percentile (ms)", &D::latency, S::kP95),
      stat("latency.p99", "Scheduled send to reply, 99th percentile (ms)", &D::latency, S::kP99),
      stat("latency.p999", "Scheduled send to reply, 99.9th percentile (ms)", &D::latency,
           S::kP999),
      stat("latency.max", "Scheduled send to reply, longest (ms)", &D::latency, S::kMax),
      stat("latency_service.min", "Actual send to reply, shortest (ms)", &D::latency_service,
           S::kMin),
      stat("latency_service.avg", "Actual send to reply, average (ms)", &D::latency_service,
           S::kAvg),
      stat("latency_service.p50", "Actual send to reply, median (ms)", &D::latency_service,
           S::kP50),
      stat("latency_service.p90", "Actual send to reply, 90th percentile (ms)", &D::latency_service,
           S::kP90),
      stat("latency_service.p95", "Actual send to reply, 95th percentile (ms)", &D::latency_service,
           S::kP95),
      stat("latency_service.p99", "Actual send to reply, 99th percentile (ms)", &D::latency_service,
           S::kP99),
      stat("latency_service.p999", "Actual send to reply, 99.9th percentile (ms)",
           &D::latency_service, S::kP999),
      stat("latency_service.max", "Actual send to reply, longest (ms)", &D::latency_service,
           S::kMax),
      stat("connect_time.min", "TCP connect to 101, shortest (ms)", &D::connect_time, S::kMin),
      stat("connect_time.avg", "TCP connect to 101, average (ms)", &D::connect_time, S::kAvg),
      stat("connect_time.p50", "TCP connect to 101, median (ms)", &D::connect_time, S::kP50),
      stat("connect_time.p90", "TCP connect to 101, 90th percentile (ms)", &D::connect_time,
           S::kP90),
      stat("connect_time.p95", "TCP connect to 101, 95th percentile (ms)", &D::connect_time,
           S::kP95),
      stat("connect_time.p99", "TCP connect to 101, 99th percentile (ms)", &D::connect_time,
           S::kP99),
      stat("connect_time.p999", "TCP connect to 101, 99.9th percentile (ms)", &D::connect_time,
           S::kP999),
      stat("connect_time.max", "TCP connect to 101, longest (ms)", &D::connect_time, S::kMax),
      stat("push.latency.min", "Server timestamp to push receipt, shortest (ms)", &D::push_latency,
           S::kMin),
      stat("push.latency.avg", "Server timestamp to push receipt, average (ms)", &D::push_latency,
           S::kAvg),
      stat("push.latency.p50", "Server timestamp to push receipt, median (ms)", &D::push_latency,
           S::kP50),
      stat("push.latency.p90", "Server timestamp to push receipt, 90th percentile (ms)",
           &D::push_latency, S::kP90),
      stat("push.latency.p95", "Server timestamp to push receipt, 95th percentile (ms)",
           &D::push_latency, S::kP95),
      stat("push.latency.p99", "Server timestamp to push receipt, 99th percentile (ms)",
           &D::push_latency, S::kP99),
      stat("push.latency.p999", "Server timestamp to push receipt, 99.9th percentile (ms)",
           &D::push_latency, S::kP999),
      stat("push.latency.max", "Server timestamp to push receipt, longest (ms)", &D::push_latency,
           S::kMax),
      measure("schedule.max_lag", U::kMillis,
              "Largest delay of a send behind its scheduled instant (ms)", r::max_schedule_lag_ms),
      stat("reconnect_time.min", "Unexpected disconnect to the reconnected 101, shortest (ms)",
           &D::reconnect_time, S::kMin),
      stat("reconnect_time.avg", "Unexpected disconnect to the reconnected 101, average (ms)",
           &D::reconnect_time, S::kAvg),
      stat("reconnect_time.p50", "Unexpected disconnect to the reconnected 101, median (ms)",
           &D::reconnect_time, S::kP50),
      stat("reconnect_time.p90",
           "Unexpected disconnect to the reconnected 101, 90th percentile (ms)", &D::reconnect_time,
           S::kP90),
      stat("reconnect_time.p95",
           "Unexpected disconnect to the reconnected 101, 95th percentile (ms)", &D::reconnect_time,
           S::kP95),
      stat("reconnect_time.p99",
           "Unexpected disconnect to the reconnected 101, 99th percentile (ms)", &D::reconnect_time,
           S::kP99),
      stat("reconnect_time.p999",
           "Unexpected disconnect to the reconnected 101, 99.9th percentile (ms)",
           &D::reconnect_time, S::kP999),
      stat("reconnect_time.max", "Unexpected disconnect to the reconnected 101, longest (ms)",
           &D::reconnect_time, S::kMax),
  };
}();

// The row called `name`; a name not in the table does not compile.
consteval const MetricInfo& metric(std::string_view name) {
  for (const auto& info : kMetricTable) {
    if (info.name == name) return info;
  }
  throw "not a metric of the table";  // not a constant expression: the call fails to compile
}

std::span<const MetricInfo> metric_catalog();
const MetricInfo* find_metric(std::string_view name);

// The row's value in its canonical unit (ms, percent, count, per second); nullopt when it has none
// (a percentile without samples, a rate over no time, a share of nothing).
std::optional<double> metric_value(const MetricInfo& info, const RunFigures& figures);
// A kCount row's exact value; 0 for any other row.
uint64_t metric_count(const MetricInfo& info, const RunFigures& figures);
// "p99" for "latency.p99": the last part of the name.
std::string_view metric_leaf(const MetricInfo& info);

// The known name closest to `name` by edit distance, or "" when nothing is reasonably close.
std::string closest_metric(std::string_view name);

// Levenshtein distance; shared by scenario key suggestions and metric suggestions.
size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace wsload::shared
