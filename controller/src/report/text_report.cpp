#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>
#include <ostream>

#include "report/load_shape.hpp"
#include "report/text_agents.hpp"
#include "wsload/controller/reports.hpp"
#include "wsload/controller/run_metrics.hpp"
#include "wsload/shared/duration.hpp"
#include "wsload/shared/part_metrics.hpp"

namespace wsload::controller {
namespace {

std::string ms_or_dash(const std::optional<double>& v) {
  return v ? fmt::format("{:.3f}ms", *v) : "-";
}

std::string reasons(const std::map<std::string, uint64_t>& m) {
  std::string out;
  for (const auto& [k, v] : m) out += fmt::format("{}{} {}", out.empty() ? "" : ", ", k, v);
  return out;
}

// "p50 …  p90 …  p95 …  p99 …  p999 …": the percentile rows of the table that read `family`.
std::string percentiles(const shared::RunFigures& f,
                        shared::Histogram shared::MetricsDelta::*family) {
  std::string out;
  for (const auto& m : shared::kMetricTable) {
    if (m.histogram != family || m.stat < shared::HistogramStat::kP50 ||
        m.stat > shared::HistogramStat::kP999)
      continue;
    out += fmt::format("{}{} {}", out.empty() ? "" : "  ", shared::metric_leaf(m),
                       ms_or_dash(shared::metric_value(m, f)));
  }
  return out;
}

std::string format_threshold_value(const ThresholdResult& t) {
  if (!t.available) return "no value";
  return fmt::format("{:.3f}", t.actual);
}

void write_connection_metrics(std::ostream& out, const StageResult& r,
                              const shared::RunFigures& f) {
  using shared::metric;
  const auto& c = r.totals.counters;
  auto n = [&](const shared::MetricInfo& m) { return shared::metric_count(m, f); };
  auto v = [&](const shared::MetricInfo& m) { return shared::metric_value(m, f); };
  out << "\nConnection Metrics:\n";
  out << fmt::format("   Total Attempted: {}\n", n(metric("connections.attempted")));
  out << fmt::format("   Successful: {} ({:.1f}%)\n", n(metric("connections.established")),
                     v(metric("connections.success_rate")).value_or(0));
  out << fmt::format("   Failed: {}{}\n", n(metric("connections.failed")),
                     c.failures.empty() ? "" : " (" + reasons(c.failures) + ")");
  out << fmt::format("   Peak Open: {}   Rate: {:.1f}/s{}\n", n(metric("connections.peak_open")),
                     v(metric("connections.rate")).value_or(0),
                     r.scenario.load.arrival ? " (arrivals, sustained over the run)" : "");
  out << fmt::format("   Connect Time: avg {}  {}  max {}\n",
                     ms_or_dash(v(metric("connect_time.avg"))),
                     percentiles(f, &shared::MetricsDelta::connect_time),
                     ms_or_dash(v(metric("connect_time.max"))));
  out << fmt::format("   Closed as Planned: {}\n", n(metric("connections.closed_planned")));
  out << fmt::format("   Unexpected Disconnects: {}{}\n", n(metric("disconnects.unexpected")),
                     c.disconnects.empty() ? "" : " (closed: " + reasons(c.disconnects) + ")");
  if (c.reconnects > 0) {
    out << fmt::format(
        "   Reconnects: {} attempts ({} reconnected), time to reconnect avg {}  p50 {}  p99 {}  "
        "max {}\n",
        c.reconnects, r.totals.reconnect_time.count(), ms_or_dash(v(metric("reconnect_time.avg"))),
        ms_or_dash(v(metric("reconnect_time.p50"))), ms_or_dash(v(metric("reconnect_time.p99"))),
        ms_or_dash(v(metric("reconnect_time.max"))));
  }
}

void write_message_metrics(std::ostream& out, const StageResult& r, const shared::RunFigures& f) {
  using shared::metric;
  const auto& c = r.totals.counters;
  auto n = [&](const shared::MetricInfo& m) { return shared::metric_count(m, f); };
  auto v = [&](const shared::MetricInfo& m) { return shared::metric_value(m, f); };
  uint64_t in_flight = 0;
  for (const auto& a : r.agents) in_flight += a.in_flight;
  out << "\nMessage Metrics:\n";
  out << fmt::format("   Messages Sent: {}{}\n", n(metric("messages.sent")),
                     c.unsent.empty()
                         ? ""
                         : fmt::format(" of {} scheduled; unsent {} ({})", c.requests_scheduled(),
                                       n(metric("messages.unsent")), reasons(c.unsent)));
  out << fmt::format("   Messages Received: {} (replies {}, pushes {})\n",
                     n(metric("messages.received")), n(metric("messages.replies")),
                     n(metric("push.received")));
  out << fmt::format(
      "   Timeouts: {}   In Flight: {}   Late Replies: {}   Unmatched Replies: {}   Protocol "
      "Errors: {}\n",
      n(metric("messages.timeouts")), in_flight, n(metric("messages.late_replies")),
      n(metric("messages.unmatched")), n(metric("messages.protocol_errors")));
  out << fmt::format("   Average Rate: {:.1f} msg/sec received\n",
                     v(metric("messages.rate")).value_or(0));
  // Payload bytes before compression and on the wire: with permessage-deflate only.
  const uint64_t sent = n(metric("bytes.sent")), sent_wire = n(metric("bytes.sent_wire"));
  const uint64_t received = n(metric("bytes.received"));
  const uint64_t received_wire = n(metric("bytes.received_wire"));
  if (r.scenario.offers_compression() || sent != sent_wire || received != received_wire) {
    out << fmt::format("   Bytes: sent {} (wire {}), received {} (wire {})\n", sent, sent_wire,
                       received, received_wire);
  }
  if (n(metric("push.received")) > 0) {
    out << fmt::format(
        "   Pushes: {} (gaps {}, duplicates {}, reordered {}, sequence resets {}), delivery "
        "latency "
        "avg {} p99 {}\n",
        n(metric("push.received")), n(metric("push.gaps")), n(metric("push.duplicates")),
        n(metric("push.reordered")), n(metric("push.resets")),
        ms_or_dash(v(metric("push.latency.avg"))), ms_or_dash(v(metric("push.latency.p99"))));
  }
  out << fmt::format("   Errors: {} ({:.2f}% of connection attempts + requests scheduled)\n",
                     n(metric("errors.count")), v(metric("errors.rate")).value_or(0));
}

void write_latency_metrics(std::ostream& out, const shared::RunFigures& f) {
  using shared::metric;
  auto v = [&](const shared::MetricInfo& m) { return shared::metric_value(m, f); };
  out << "\nLatency Metrics (scheduled send to reply):\n";
  out << fmt::format("   Average: {}\n", ms_or_dash(v(metric("latency.avg"))));
  out << fmt::format("   Minimum: {}\n", ms_or_dash(v(metric("latency.min"))));
  out << fmt::format("   Maximum: {}\n", ms_or_dash(v(metric("latency.max"))));
  out << fmt::format("   {}\n", percentiles(f, &shared::MetricsDelta::latency));
  out << fmt::format("   Service latency (actual send to reply): avg {}  p50 {}  p99 {}\n",
                     ms_or_dash(v(metric("latency_service.avg"))),
                     ms_or_dash(v(metric("latency_service.p50"))),
                     ms_or_dash(v(metric("latency_service.p99"))));
  if (const auto behind = shared::metric_count(metric("schedule.behind"), f); behind > 0) {
    out << fmt::format(
        "   WARNING: {} sends left more than 1 ms behind schedule (max lag {:.1f} ms); the agent "
        "was overloaded and latency includes that delay\n",
        behind, v(metric("schedule.max_lag")).value_or(0));
  }
}

// "p50 1.000ms  p99 2.000ms  max 3.000ms", the statistics of `h` given by `stats`.
std::string latency_stats(const shared::Histogram& h,
                          std::initializer_list<shared::HistogramStat> stats) {
  std::string out;
  for (const auto stat : stats) {
    for (const auto& m : shared::kMetricTable) {
      if (m.histogram != &shared::MetricsDelta::latency || m.stat != stat) continue;
      out += fmt::format("{}{} {}", out.empty() ? "" : "  ", shared::metric_leaf(m),
                         ms_or_dash(shared::histogram_stat_ms(h, stat)));
    }
  }
  return out;
}

// Format v2: one line per group, step and stream, names aligned.
void write_sessions(std::ostream& out, const StageResult& r, const shared::RunFigures& f) {
  using S = shared::HistogramStat;
  const auto parts = stage_parts(r.scenario);
  const auto& d = r.totals.parts;
  size_t width = 0;
  for (const auto* names : {&parts.group_names, &parts.step_names, &parts.stream_names}) {
    for (const auto& n : *names) width = std::max(width, n.size());
  }
  auto label = [&](std::string_view kind, const std::string& name) {
    return fmt::format("   {:<6} {:<{}}  ", kind, name, width);
  };
  const auto by_step = shared::sessions_failed_by_step(d, parts);
  out << "\nSessions:\n";
  out << fmt::format("   Sessions Failed: {}{}\n",
                     shared::metric_count(shared::metric("sessions.failed"), f),
                     by_step.empty() ? "" : " (" + reasons(by_step) + ")");
  for (size_t g = 0; g < parts.group_names.size(); ++g) {
    const auto& c = shared::group_at(d, g);
    out << label("group", parts.group_names[g])
        << fmt::format("attempted {}  established {}  failed {}  sessions failed {}\n",
                       c.connections_attempted, c.connections_established, c.connections_failed,
                       c.sessions_failed);
  }
  for (size_t i = 0; i < parts.step_names.size(); ++i) {
    const auto& s = shared::step_at(d, i);
    out << label("step", parts.step_names[i])
        << fmt::format("ok {}  failed {}{}", s.ok, s.failed,
                       s.failures.empty() ? "" : " (" + reasons(s.failures) + ")");
    if (!s.latency.empty()) out << "  " << latency_stats(s.latency, {S::kP50, S::kP99, S::kMax});
    out << "\n";
  }
  for (size_t i = 0; i < parts.stream_names.size(); ++i) {
    const auto& s = shared::stream_at(d, i);
    out << label("stream", parts.stream_names[i])
        << fmt::format("sent {}  replies {}  timeouts {}  unsent {}  {}\n", s.sent, s.replies,
                       s.timeouts, s.unsent,
                       latency_stats(s.latency, {S::kAvg, S::kP50, S::kP99, S::kMax}));
  }
}

}  // namespace

void write_stage_summary(std::ostream& out, const StageResult& r) {
  const auto& s = r.scenario;
  const auto f = run_figures(r);
  out << fmt::format("\n=== {} — {}, {} agent(s), {:.1f}s ===\n", s.name, describe_load(s.load),
                     r.agents.size(), r.duration_s);
  if (r.partial) out << "PARTIAL: an agent was lost; its metrics up to the loss are included\n";
  if (r.aborted) out << "ABORTED: " << r.abort_reason << "\n";
  if (r.interrupted) out << "INTERRUPTED: stopped by a signal before the planned end\n";
  write_connection_metrics(out, r, f);
  write_message_metrics(out, r, f);
  write_latency_metrics(out, f);
  if (r.scenario.has_sessions()) write_sessions(out, r, f);
  write_agent_lines(out, r);
  if (!r.thresholds.empty()) {
    out << "\nThresholds:\n";
    for (const auto& t : r.thresholds) {
      out << fmt::format("   {}  {}  (actual {})\n", t.passed ? "PASS" : "FAIL", t.expression,
                         format_threshold_value(t));
    }
  }
}

namespace {

// Why a run that is not PASSED or FAILED has its verdict, and what it exits with.
std::string verdict_detail(const RunReport& report) {
  switch (report.verdict()) {
    case Verdict::kInterrupted:
      return "; stopped by a signal before its planned end, exit 130";
    case Verdict::kAborted:
      return "; the run could not complete, exit 3";
    case Verdict::kPartial:
      return report.allow_partial ? "; an agent was lost, accepted by --allow-partial, exit 0"
                                  : "; an agent was lost, so part of the load is missing: exit 1 "
                                    "(--allow-partial accepts it)";
    default:
      return "";
  }
}

}  // namespace

void write_text_summary(std::ostream& out, const RunReport& report) {
  for (const auto& stage : report.stages) write_stage_summary(out, stage);
  size_t total = 0, passed = 0;
  for (const auto& s : report.stages) {
    for (const auto& t : s.thresholds) {
      ++total;
      if (t.passed) ++passed;
    }
  }
  const auto verdict = report.verdict();
  out << fmt::format("\nResult: {} ({}/{} thresholds passed{})\n", verdict_name(verdict), passed,
                     total, verdict_detail(report));
  if (total == 0) {
    // Exit code 0 then says nothing about the figures: make sure nobody reads it as "healthy".
    uint64_t failed = 0, errors = 0;
    bool sessions = false;
    for (const auto& s : report.stages) {
      sessions = sessions || s.scenario.has_sessions();
      const auto f = run_figures(s);
      const auto stage_failed = shared::metric_count(shared::metric("connections.failed"), f);
      failed += stage_failed;
      errors += shared::metric_count(shared::metric("errors.count"), f) - stage_failed;
    }
    out << fmt::format(
        "   No thresholds were set, so nothing was judged ({} failed connections, {} unexpected "
        "disconnects/timeouts/protocol errors/unsent requests{}). Add `thresholds:` to the "
        "scenario to fail the run on them.\n",
        failed, errors, sessions ? "/failed sessions" : "");
  }
}

}  // namespace wsload::controller
