// The --metrics-listen exposition (Prometheus text format 0.0.4) of the running stage's merged
// figures. Names and help texts of the totals come from the metric table through kExported; a
// format-v2 stage adds families per group, stream and step, labelled with the part's name.
#include <fmt/format.h>

#include <map>
#include <span>
#include <vector>

#include "report/agent_exposition.hpp"
#include "report/interval_views.hpp"
#include "wsload/shared/metric_catalog.hpp"
#include "wsload/shared/part_metrics.hpp"
#include "wsload/shared/prometheus_writer.hpp"

namespace wsload::controller {
namespace {

using shared::metric;
using ReasonCounts = std::map<std::string, uint64_t>;

// One exported family: Prometheus's name here, help text (the table's unless `help` is set) and
// value from the metric table. A name ending in _total is a counter, any other a gauge. With
// `reasons`, one sample per reason follows in the family `reasons_name`, or, when that is empty,
// the reasons are the family's only samples (labelled reason=...; nothing when there are none).
struct Exported {
  const shared::MetricInfo* metric;
  std::string_view name;
  ReasonCounts shared::Counters::*reasons = nullptr;
  std::string_view reasons_name = {};
  std::string_view reasons_help = {};
  std::string_view help = {};
};

// The exposition's order (scrapers do not care; the byte-for-byte tests do). The reasons are those
// of shared::Counters (agent/src/connection_reasons.hpp names them).
constexpr Exported kExported[] = {
    {&metric("connections.attempted"), "wsload_connections_attempted_total"},
    {&metric("connections.established"), "wsload_connections_established_total"},
    {&metric("connections.failed"), "wsload_connections_failed_total", &shared::Counters::failures,
     "wsload_connection_failures_total",
     "Failed connection attempts by reason: dns, refused, connect_timeout, tls, tls_timeout, "
     "handshake_timeout, http_<status>, bad_accept, bad_upgrade, bad_extension, "
     "closed_during_upgrade, stopped_before_established, other",
     "Failed connection attempts (by reason in *_connection_failures_total)"},
    {&metric("connections.closed"), "wsload_connections_closed_total",
     &shared::Counters::disconnects, "wsload_disconnects_total",
     "Established connections that ended, by reason: close_<code> (the close handshake's code), "
     "close_timeout, eof, reset, error, protocol_error, write_stall",
     "Established connections that ended, for any reason (by reason in *_disconnects_total)"},
    {&metric("disconnects.unexpected"), "wsload_disconnects_unexpected_total"},
    {&metric("connections.reconnects"), "wsload_reconnects_total"},
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
    {&metric("bytes.sent_wire"), "wsload_bytes_sent_wire_total"},
    {&metric("bytes.received_wire"), "wsload_bytes_received_wire_total"},
    {&metric("messages.unsent"),
     "wsload_messages_unsent_total",
     &shared::Counters::unsent,
     {},
     {},
     "Scheduled requests never sent, by reason: peer_not_reading, closed, stopped"},
    {&metric("messages.unmatched"), "wsload_messages_unmatched_total"},
    {&metric("errors.count"), "wsload_errors_total"},
    {&metric("schedule.behind"), "wsload_sends_behind_schedule_total"},
};

// The duration histograms of the totals, in seconds.
struct ExportedHistogram {
  shared::Histogram shared::MetricsDelta::*histogram;
  std::string_view name;
  std::string_view help;
};
constexpr ExportedHistogram kHistograms[] = {
    {&shared::MetricsDelta::latency, "wsload_latency_seconds",
     "Latency from the scheduled send to the reply (coordinated-omission free), since the stage "
     "start"},
    {&shared::MetricsDelta::latency_service, "wsload_service_latency_seconds",
     "Latency from the actual send to the reply, since the stage start"},
    {&shared::MetricsDelta::connect_time, "wsload_connect_time_seconds",
     "Time from the TCP connect to the 101 answer, since the stage start"},
    {&shared::MetricsDelta::push_latency, "wsload_push_latency_seconds",
     "Time from the server's timestamp to the push's receipt, since the stage start"},
    {&shared::MetricsDelta::reconnect_time, "wsload_reconnect_time_seconds",
     "Time from an unexpected disconnect to the reconnected 101, since the stage start"},
};

void sample(shared::PrometheusWriter& w, std::string_view name, std::string_view help, double value,
            const shared::Labels& labels) {
  if (name.ends_with("_total")) {
    w.counter(name, help, value, labels);
  } else {
    w.gauge(name, help, value, labels);
  }
}

// One series of a family: whose figures, under which labels (the stage's, a group's).
struct Series {
  shared::RunFigures figures;
  shared::Labels labels;
};

// The family `e` for every series, its samples together; `prefix` replaces the names' "wsload_"
// ("wsload_group_" for groups).
void write_exported(shared::PrometheusWriter& w, const Exported& e, std::span<const Series> series,
                    std::string_view prefix = "wsload_") {
  constexpr size_t kOwnPrefix = std::string_view("wsload_").size();
  const std::string name = std::string(prefix) + std::string(e.name.substr(kOwnPrefix));
  const bool reasons_only = e.reasons != nullptr && e.reasons_name.empty();
  const std::string_view help = e.help.empty() ? e.metric->help : e.help;
  if (!reasons_only) {
    for (const auto& s : series) {
      sample(w, name, help, static_cast<double>(shared::metric_count(*e.metric, s.figures)),
             s.labels);
    }
  }
  if (e.reasons == nullptr) return;
  const std::string reasons_name =
      reasons_only ? name : std::string(prefix) + std::string(e.reasons_name.substr(kOwnPrefix));
  for (const auto& s : series) {
    for (const auto& [reason, n] : s.figures.delta.counters.*e.reasons) {
      auto labels = s.labels;
      labels.emplace_back("reason", reason);
      sample(w, reasons_name, reasons_only ? help : e.reasons_help, static_cast<double>(n), labels);
    }
  }
}

void write_histograms(shared::PrometheusWriter& w, const shared::MetricsDelta& d,
                      const shared::Labels& stage) {
  for (const auto& h : kHistograms) w.histogram(h.name, h.help, d.*h.histogram, stage);
}

// Format v2, per group: the totals' families (but the peak, which no group keeps) and sessions
// failed, named wsload_group_*, over the group's counters.
void write_groups(shared::PrometheusWriter& w, const shared::PartsDelta& d,
                  const shared::PartIndex& parts, const shared::Labels& stage, double elapsed_s) {
  std::vector<shared::GroupFigures> groups;
  groups.reserve(parts.group_names.size());
  for (size_t i = 0; i < parts.group_names.size(); ++i)
    groups.emplace_back(shared::group_at(d, i), elapsed_s, 0);
  std::vector<Series> series;
  for (size_t i = 0; i < groups.size(); ++i) {
    auto labels = stage;
    labels.emplace_back("group", parts.group_names[i]);
    series.push_back({groups[i].figures(), std::move(labels)});
  }
  for (const auto& e : kExported) {
    if (shared::is_group_metric(*e.metric)) write_exported(w, e, series, "wsload_group_");
  }
  write_exported(w, {&metric("sessions.failed"), "wsload_sessions_failed_total"}, series,
                 "wsload_group_");
}

// A part's latency histogram (seconds) since the stage start, for every part. `family` is e.g.
// "wsload_stream_latency_seconds", `what` what it measures ("from the scheduled send to the reply,
// per stream").
void write_part_latency(
    shared::PrometheusWriter& w, const std::string& family, std::string_view what,
    const std::vector<std::pair<const shared::Histogram*, shared::Labels>>& hs) {
  const auto help = fmt::format("Latency {}, since the stage start", what);
  for (const auto& [h, labels] : hs) w.histogram(family, help, *h, labels);
}

// One counter family of streams or steps: `value` of every part, labelled with its name.
template <typename Figures, typename Read>
void write_part_counter(shared::PrometheusWriter& w, std::string_view name, std::string_view help,
                        const std::vector<std::pair<const Figures*, shared::Labels>>& parts,
                        Read value) {
  for (const auto& [figures, labels] : parts)
    w.counter(name, help, static_cast<double>(value(*figures)), labels);
}

void write_streams(shared::PrometheusWriter& w, const shared::PartsDelta& d,
                   const shared::PartIndex& parts, const shared::Labels& stage) {
  std::vector<std::pair<const shared::StreamFigures*, shared::Labels>> streams;
  std::vector<std::pair<const shared::Histogram*, shared::Labels>> latency;
  for (size_t i = 0; i < parts.stream_names.size(); ++i) {
    auto labels = stage;
    labels.emplace_back("stream", parts.stream_names[i]);
    const auto& figures = shared::stream_at(d, i);
    streams.emplace_back(&figures, labels);
    latency.emplace_back(&figures.latency, std::move(labels));
  }
  using F = shared::StreamFigures;
  write_part_counter(w, "wsload_stream_requests_sent_total", "Requests sent, per stream", streams,
                     [](const F& f) { return f.sent; });
  write_part_counter(w, "wsload_stream_replies_total", "Requests answered in time, per stream",
                     streams, [](const F& f) { return f.replies; });
  write_part_counter(w, "wsload_stream_timeouts_total", "Requests not answered in time, per stream",
                     streams, [](const F& f) { return f.timeouts; });
  write_part_counter(w, "wsload_stream_requests_unsent_total",
                     "Scheduled requests never sent, per stream", streams,
                     [](const F& f) { return f.unsent; });
  write_part_latency(w, "wsload_stream_latency_seconds",
                     "from the scheduled send to the reply, per stream", latency);
}

// StepFigures::failures' reasons, exported at 0 until they happen.
constexpr std::string_view kStepFailureReasons[] = {"capture_missing", "closed", "timeout",
                                                    "unsent"};

void write_steps(shared::PrometheusWriter& w, const shared::PartsDelta& d,
                 const shared::PartIndex& parts, const shared::Labels& stage) {
  std::vector<std::pair<const shared::StepFigures*, shared::Labels>> steps;
  std::vector<std::pair<const shared::Histogram*, shared::Labels>> latency;
  for (size_t i = 0; i < parts.step_names.size(); ++i) {
    auto labels = stage;
    labels.emplace_back("step", parts.step_names[i]);
    const auto& figures = shared::step_at(d, i);
    steps.emplace_back(&figures, labels);
    latency.emplace_back(&figures.latency, std::move(labels));
  }
  write_part_counter(w, "wsload_step_ok_total", "Steps that succeeded", steps,
                     [](const shared::StepFigures& f) { return f.ok; });
  for (const auto& [figures, labels] : steps) {
    ReasonCounts failures = figures->failures;
    for (const auto reason : kStepFailureReasons) failures.try_emplace(std::string(reason), 0);
    for (const auto& [reason, n] : failures) {
      auto with_reason = labels;
      with_reason.emplace_back("reason", reason);
      w.counter("wsload_step_failed_total", "Steps that failed, by reason", static_cast<double>(n),
                with_reason);
    }
  }
  write_part_latency(w, "wsload_step_latency_seconds",
                     "from the start of the step to the message it expected, per step", latency);
}

void write_parts(shared::PrometheusWriter& w, const shared::MetricsDelta& d,
                 const shared::PartIndex& parts, const shared::Labels& stage, double elapsed_s) {
  if (parts.group_names.empty()) return;  // a v1 stage: the totals are its one group and stream
  w.counter("wsload_sessions_failed_total", metric("sessions.failed").help,
            static_cast<double>(d.counters.sessions_failed), stage);
  write_groups(w, d.parts, parts, stage, elapsed_s);
  write_streams(w, d.parts, parts, stage);
  write_steps(w, d.parts, parts, stage);
}

}  // namespace

std::string live_exposition(const shared::MetricsDelta& d, const std::string& stage,
                            double elapsed_s, uint64_t open, uint64_t peak_open,
                            unsigned agents_healthy, unsigned agents_total,
                            const shared::PartIndex& parts,
                            std::span<const AgentExposition> agents) {
  const shared::RunFigures f{
      .delta = d, .open = open, .peak_open = peak_open, .duration_s = elapsed_s};
  const shared::Labels s{{"stage", stage}};
  shared::PrometheusWriter w;
  w.gauge("wsload_elapsed_seconds", "Seconds since the synchronized start of the stage", elapsed_s,
          s);
  const Series totals[] = {{f, s}};
  for (const auto& e : kExported) write_exported(w, e, totals);
  write_histograms(w, d, s);
  write_parts(w, d, parts, s, elapsed_s);
  w.gauge("wsload_agents_healthy", "Agents reporting", agents_healthy, s);
  w.gauge("wsload_agents", "Agents in the run", agents_total, s);
  write_agent_series(w, agents, s);
  return w.take();
}

}  // namespace wsload::controller
