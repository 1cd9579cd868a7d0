// The HTML report's tables of figures: the three columns, distributions, push, agents and
// thresholds, and the behind-schedule warning.
#include <fmt/format.h>

#include <sstream>

#include "report/html_format.hpp"
#include "report/html_sections.hpp"
#include "wsload/controller/run_metrics.hpp"

namespace wsload::controller::html {
namespace {

using shared::metric;
using S = shared::HistogramStat;

// "<td>..</td>" per statistic of `h`, adaptive units.
std::string distribution_cells(const shared::Histogram& h) {
  std::string out;
  for (const auto stat : {S::kMin, S::kAvg, S::kP50, S::kP90, S::kP99, S::kP999, S::kMax})
    out += "<td class=\"num\">" + duration(shared::histogram_stat_ms(h, stat)) + "</td>";
  return out;
}

// A threshold's actual value in the unit of its metric.
std::string threshold_actual(const ThresholdResult& t) {
  if (!t.available) return "no value";
  const auto* info = shared::find_metric(t.metric);
  if (info == nullptr) return fmt::format("{:.3f}", t.actual);
  switch (info->unit) {
    case shared::MetricUnit::kCount:
      return fmt::format("{:.0f}", t.actual);
    case shared::MetricUnit::kMillis:
      return fmt::format("{:.3f} ms", t.actual);
    case shared::MetricUnit::kPercent:
      return fmt::format("{:.3f}%", t.actual);
    case shared::MetricUnit::kPerSecond:
      return fmt::format("{:.3f}/s", t.actual);
  }
  return fmt::format("{:.3f}", t.actual);
}

std::string connections_column(const StageResult& r, const shared::RunFigures& f) {
  const auto& c = r.totals.counters;
  auto n = [&](const shared::MetricInfo& m) { return shared::metric_count(m, f); };
  auto ms = [&](const shared::MetricInfo& m) { return fixed(shared::metric_value(m, f), " ms"); };
  std::string h = fmt::format(
      "attempted {}<br>established {} ({})<br>failed {}{}<br>peak open {}",
      n(metric("connections.attempted")), n(metric("connections.established")),
      fixed(shared::metric_value(metric("connections.success_rate"), f), "%"),
      n(metric("connections.failed")), by_reason(c.failures), n(metric("connections.peak_open")));
  h += fmt::format("<br>unexpected disconnects {}{}", n(metric("disconnects.unexpected")),
                   by_reason(c.disconnects));
  if (c.reconnects > 0) {
    h += fmt::format(
        "<br>reconnects {} ({} reconnected)<br>time to reconnect avg {}, p50 {}, p99 {}, max {}",
        c.reconnects, r.totals.reconnect_time.count(), ms(metric("reconnect_time.avg")),
        ms(metric("reconnect_time.p50")), ms(metric("reconnect_time.p99")),
        ms(metric("reconnect_time.max")));
  }
  return h;
}

std::string messages_column(const StageResult& r, const shared::RunFigures& f) {
  const auto& c = r.totals.counters;
  auto n = [&](const shared::MetricInfo& m) { return shared::metric_count(m, f); };
  std::string h = fmt::format(
      "sent {} of {} scheduled<br>unsent {}{}<br>received {}<br>replies {}<br>timeouts {}<br>"
      "unmatched replies {}<br>protocol errors {}<br>pushes {} (gaps {}, duplicates {}, reordered "
      "{}, sequence resets {})<br>errors {} ({})",
      n(metric("messages.sent")), c.requests_scheduled(), n(metric("messages.unsent")),
      by_reason(c.unsent), n(metric("messages.received")), n(metric("messages.replies")),
      n(metric("messages.timeouts")), n(metric("messages.unmatched")),
      n(metric("messages.protocol_errors")), n(metric("push.received")), n(metric("push.gaps")),
      n(metric("push.duplicates")), n(metric("push.reordered")), n(metric("push.resets")),
      n(metric("errors.count")), fixed(shared::metric_value(metric("errors.rate"), f), "%"));
  // permessage-deflate: payload bytes and what went over the wire, as the text summary shows them.
  if (r.scenario.offers_compression() || c.bytes_sent_wire != c.bytes_sent ||
      c.bytes_received_wire != c.bytes_received) {
    h += fmt::format("<br>bytes sent {} (wire {}), received {} (wire {})", c.bytes_sent,
                     c.bytes_sent_wire, c.bytes_received, c.bytes_received_wire);
  }
  return h;
}

}  // namespace

std::string figures_table(const StageResult& r) {
  const auto f = run_figures(r);
  auto ms = [&](const shared::MetricInfo& m) { return fixed(shared::metric_value(m, f), " ms"); };
  std::ostringstream h;
  h << "<table><tr><th>Connections</th><th>Messages</th><th>Latency (scheduled send to "
       "reply)</th></tr><tr><td>";
  h << connections_column(r, f) << "</td><td>" << messages_column(r, f) << "</td><td>";
  h << fmt::format("min {}<br>avg {}<br>p50 {}<br>p99 {}<br>p99.9 {}<br>max {}",
                   ms(metric("latency.min")), ms(metric("latency.avg")), ms(metric("latency.p50")),
                   ms(metric("latency.p99")), ms(metric("latency.p999")),
                   ms(metric("latency.max")));
  h << "</td></tr></table>";
  return h.str();
}

std::string schedule_warning(const StageResult& r, const std::string& ids) {
  const auto& c = r.totals.counters;
  if (c.sends_behind_schedule == 0) return {};
  return fmt::format(
      "<div class=\"warn\" id=\"behind-schedule{}\"><b>&#9888; Behind schedule:</b> {} send(s) "
      "({} of those sent) went out more than 1 ms after their scheduled instant; the largest lag "
      "was {}. The agents ran late (overloaded, or not scheduled by the kernel): the load offered "
      "was lower than planned, and latency, counted from the scheduled instant, includes the "
      "delay.</div>",
      ids, c.sends_behind_schedule, percent(c.sends_behind_schedule, c.messages_sent),
      duration(shared::metric_value(metric("schedule.max_lag"), run_figures(r))));
}

std::string distributions_table(const StageResult& r, const std::string& ids) {
  const auto& t = r.totals;
  const std::pair<const char*, const shared::Histogram*> rows[] = {
      {"latency (scheduled send to reply)", &t.latency},
      {"service latency (actual send to reply)", &t.latency_service},
      {"connect time (TCP connect to 101)", &t.connect_time},
      {"push delivery latency (server timestamp to receipt)", &t.push_latency},
      {"time to reconnect (unexpected disconnect to 101)", &t.reconnect_time}};
  std::string body;
  for (const auto& [name, h] : rows) {
    if (h->empty()) continue;
    body += fmt::format("<tr><td>{}</td><td class=\"num\">{}</td>{}</tr>", name, h->count(),
                        distribution_cells(*h));
  }
  if (body.empty()) {
    return fmt::format(
        "<h3>Distributions</h3><p id=\"distributions{}\">No samples: nothing connected, was "
        "answered or was pushed.</p>",
        ids);
  }
  return fmt::format(
      "<h3>Distributions</h3><table id=\"distributions{}\"><tr><th>distribution</th><th>samples"
      "</th><th>min</th><th>avg</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th>"
      "</tr>{}</table>",
      ids, body);
}

std::string push_table(const StageResult& r, const std::string& ids) {
  const auto& c = r.totals.counters;
  if (c.push_received + c.push_gaps + c.push_duplicates + c.push_reordered + c.push_resets == 0)
    return {};
  const auto& h = r.totals.push_latency;
  return fmt::format(
      "<h3>Push</h3><table id=\"push{}\"><tr><th>received</th><th>gaps</th><th>duplicates</th>"
      "<th>reordered</th><th>sequence resets</th><th>delivery p50</th><th>p99</th><th>max</th>"
      "</tr><tr><td class=\"num\">{}</td><td class=\"num{}\">{}</td><td class=\"num{}\">{}</td>"
      "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td "
      "class=\"num\">{}</td><td class=\"num\">{}</td></tr></table>",
      ids, c.push_received, c.push_gaps > 0 ? " bad" : "", c.push_gaps,
      c.push_duplicates > 0 ? " bad" : "", c.push_duplicates, c.push_reordered, c.push_resets,
      duration(shared::histogram_stat_ms(h, S::kP50)),
      duration(shared::histogram_stat_ms(h, S::kP99)),
      duration(shared::histogram_stat_ms(h, S::kMax)));
}

std::string agents_table(const StageResult& r, const std::string& ids) {
  std::string out = fmt::format(
      "<h3>Agents</h3><table id=\"agents{}\"><tr><th>agent</th><th>host</th><th>share</th>"
      "<th>established</th><th>failed</th><th>sent</th><th>replies</th><th>timeouts</th><th>p50"
      "</th><th>p99</th><th>behind schedule</th><th>state</th></tr>",
      ids);
  for (const auto& a : r.agents) {
    const auto f = agent_figures(a);
    auto n = [&](const shared::MetricInfo& m) { return shared::metric_count(m, f); };
    auto ms = [&](const shared::MetricInfo& m) { return duration(shared::metric_value(m, f)); };
    out += fmt::format(
        "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td "
        "class=\"num\">{}{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td "
        "class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td "
        "class=\"num\">{}</td><td class=\"{}\">{}</td></tr>",
        escape(a.endpoint), escape(a.hostname), a.share, n(metric("connections.established")),
        n(metric("connections.failed")), by_reason(a.totals.counters.failures),
        n(metric("messages.sent")), n(metric("messages.replies")), n(metric("messages.timeouts")),
        ms(metric("latency.p50")), ms(metric("latency.p99")), n(metric("schedule.behind")),
        a.lost ? "fail" : "pass",
        a.lost               ? "lost: " + escape(a.loss_reason)
        : a.late_reports > 0 ? fmt::format("finished ({} late reports)", a.late_reports)
                             : std::string("finished"));
  }
  out += "</table>";
  if (r.partial) {
    out +=
        "<p class=\"warn\">PARTIAL: an agent was lost; its metrics up to the loss are "
        "included.</p>";
  }
  return out;
}

std::string thresholds_table(const StageResult& r, const std::string& ids) {
  if (r.thresholds.empty()) return {};
  std::string out = fmt::format(
      "<h3>Thresholds</h3><table id=\"thresholds{}\"><tr><th>threshold</th><th>actual</th>"
      "<th>result</th></tr>",
      ids);
  for (const auto& t : r.thresholds) {
    out += fmt::format(
        "<tr class=\"{0}-row\"><td><code>{1}</code></td><td class=\"num\">{2}</td><td "
        "class=\"{0}\">{3}</td></tr>",
        t.passed ? "pass" : "fail", escape(t.expression), threshold_actual(t),
        t.passed ? "PASS" : "FAIL");
  }
  return out + "</table>";
}

}  // namespace wsload::controller::html
