#include <ostream>

#include <fmt/format.h>

#include "interval_views.hpp"
#include "wsload/controller/reports.hpp"
#include "wsload/controller/run_metrics.hpp"
#include "wsload/shared/duration.hpp"

namespace wsload::controller {
namespace {

std::string ms_or_dash(const std::optional<double>& v) { return v ? fmt::format("{:.3f}ms", *v) : "-"; }

std::string reasons(const std::map<std::string, uint64_t>& m) {
  std::string out;
  for (const auto& [k, v] : m) out += fmt::format("{}{} {}", out.empty() ? "" : ", ", k, v);
  return out;
}

std::string percentiles(const shared::Histogram& h) {
  std::string out;
  for (const char* stat : {"p50", "p90", "p95", "p99", "p999"}) {
    out += fmt::format("{}{} {}", out.empty() ? "" : "  ", stat, ms_or_dash(histogram_stat_ms(h, stat)));
  }
  return out;
}

std::string format_threshold_value(const ThresholdResult& t) {
  if (!t.available) return "no value";
  return fmt::format("{:.3f}", t.actual);
}

}  // namespace

void write_stage_summary(std::ostream& out, const StageResult& r) {
  const auto& c = r.totals.counters;
  const auto& s = r.scenario;
  auto metric = [&](const char* name) { return metric_value(r, name); };
  uint64_t in_flight = 0;
  for (const auto& a : r.agents) in_flight += a.in_flight;

  out << fmt::format("\n=== {} — {} connections, ramp-up {}, hold {}, {} agent(s), {:.1f}s ===\n", s.name,
                     s.load.connections, shared::format_duration(s.load.ramp_up),
                     shared::format_duration(s.load.hold), r.agents.size(), r.duration_s);
  if (r.partial) out << "PARTIAL: an agent was lost; its metrics up to the loss are included\n";
  if (r.aborted) out << "ABORTED: " << r.abort_reason << "\n";
  if (r.interrupted) out << "INTERRUPTED: stopped by a signal before the planned end\n";

  out << "\nConnection Metrics:\n";
  out << fmt::format("   Total Attempted: {}\n", c.connections_attempted);
  out << fmt::format("   Successful: {} ({:.1f}%)\n", c.connections_established,
                     metric("connections.success_rate").value_or(0));
  out << fmt::format("   Failed: {}{}\n", c.connections_failed,
                     c.failures.empty() ? "" : " (" + reasons(c.failures) + ")");
  out << fmt::format("   Peak Open: {}   Rate: {:.1f}/s\n", r.peak_open, metric("connections.rate").value_or(0));
  out << fmt::format("   Connect Time: avg {}  {}  max {}\n", ms_or_dash(metric("connect_time.avg")),
                     percentiles(r.totals.connect_time), ms_or_dash(metric("connect_time.max")));
  out << fmt::format("   Unexpected Disconnects: {}{}\n", c.disconnects_unexpected,
                     c.disconnects.empty() ? "" : " (closed: " + reasons(c.disconnects) + ")");

  out << "\nMessage Metrics:\n";
  out << fmt::format("   Messages Sent: {}{}\n", c.messages_sent,
                     c.unsent.empty() ? "" : fmt::format(" of {} scheduled; unsent {} ({})", c.requests_scheduled(),
                                                         c.unsent_total(), reasons(c.unsent)));
  out << fmt::format("   Messages Received: {} (replies {}, pushes {})\n", c.messages_received, c.replies,
                     c.push_received);
  out << fmt::format("   Timeouts: {}   In Flight: {}   Late Replies: {}   Unmatched Replies: {}   Protocol Errors: {}\n",
                     c.timeouts, in_flight, c.late_replies, c.unmatched, c.protocol_errors);
  out << fmt::format("   Average Rate: {:.1f} msg/sec received\n", metric("messages.rate").value_or(0));
  if (c.push_received > 0) {
    out << fmt::format("   Pushes: {} (gaps {}, duplicates {}, reordered {}, sequence resets {}), delivery latency "
                       "avg {} p99 {}\n",
                       c.push_received, c.push_gaps, c.push_duplicates, c.push_reordered, c.push_resets,
                       ms_or_dash(metric("push.latency.avg")), ms_or_dash(metric("push.latency.p99")));
  }
  out << fmt::format("   Errors: {} ({:.2f}% of connection attempts + requests scheduled)\n", error_count(c),
                     metric("errors.rate").value_or(0));

  out << "\nLatency Metrics (scheduled send to reply):\n";
  out << fmt::format("   Average: {}\n", ms_or_dash(metric("latency.avg")));
  out << fmt::format("   Minimum: {}\n", ms_or_dash(metric("latency.min")));
  out << fmt::format("   Maximum: {}\n", ms_or_dash(metric("latency.max")));
  out << fmt::format("   {}\n", percentiles(r.totals.latency));
  out << fmt::format("   Service latency (actual send to reply): avg {}  p50 {}  p99 {}\n",
                     ms_or_dash(metric("latency_service.avg")), ms_or_dash(metric("latency_service.p50")),
                     ms_or_dash(metric("latency_service.p99")));
  if (c.sends_behind_schedule > 0) {
    out << fmt::format("   WARNING: {} sends left more than 1 ms behind schedule (max lag {:.1f} ms); the agent "
                       "was overloaded and latency includes that delay\n",
                       c.sends_behind_schedule, static_cast<double>(c.max_schedule_lag_us) / 1000.0);
  }

  out << "\nAgents:\n";
  for (const auto& a : r.agents) {
    const auto& ac = a.totals.counters;
    out << fmt::format("   {} ({}): share {}, established {}, failed {}, sent {}, replies {}, timeouts {}, p50 {} p99 {}{}\n",
                       a.endpoint, a.hostname, a.share, ac.connections_established, ac.connections_failed,
                       ac.messages_sent, ac.replies, ac.timeouts,
                       ms_or_dash(histogram_stat_ms(a.totals.latency, "p50")),
                       ms_or_dash(histogram_stat_ms(a.totals.latency, "p99")),
                       a.lost ? " LOST: " + a.loss_reason : "");
  }

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
    case Verdict::kInterrupted: return "; stopped by a signal before its planned end, exit 130";
    case Verdict::kAborted: return "; the run could not complete, exit 3";
    case Verdict::kPartial:
      return report.allow_partial ? "; an agent was lost, accepted by --allow-partial, exit 0"
                                  : "; an agent was lost, so part of the load is missing: exit 1 "
                                    "(--allow-partial accepts it)";
    default: return "";
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
  out << fmt::format("\nResult: {} ({}/{} thresholds passed{})\n", verdict_name(verdict), passed, total,
                     verdict_detail(report));
  if (total == 0) {
    // Exit code 0 then says nothing about the figures: make sure nobody reads it as "healthy".
    uint64_t failed = 0, errors = 0;
    for (const auto& s : report.stages) {
      failed += s.totals.counters.connections_failed;
      errors += s.totals.counters.error_count() - s.totals.counters.connections_failed;
    }
    out << fmt::format(
        "   No thresholds were set, so nothing was judged ({} failed connections, {} unexpected "
        "disconnects/timeouts/protocol errors/unsent requests). Add `thresholds:` to the scenario to fail the run "
        "on them.\n",
        failed, errors);
  }
}

}  // namespace wsload::controller
