// A self-contained HTML report: tables and inline SVG line charts of the timeline.
#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>
#include <sstream>

#include "report/load_shape.hpp"
#include "wsload/controller/reports.hpp"
#include "wsload/controller/run_metrics.hpp"
#include "wsload/shared/part_metrics.hpp"

namespace wsload::controller {
namespace {

std::string escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

struct Series {
  std::string name;
  std::string color;
  std::vector<double> values;
};

// A line chart of several series over the timeline's t_s axis, as an <svg> element.
std::string svg_chart(const std::string& title, const std::string& unit,
                      const std::vector<double>& xs, const std::vector<Series>& series) {
  constexpr double kW = 640, kH = 220, kLeft = 56, kRight = 12, kTop = 24, kBottom = 28;
  double max_y = 0;
  for (const auto& s : series) {
    for (double v : s.values) max_y = std::max(max_y, v);
  }
  if (max_y <= 0) max_y = 1;
  const double max_x = xs.empty() ? 1 : std::max(1e-9, xs.back());
  auto px = [&](double x) { return kLeft + (kW - kLeft - kRight) * x / max_x; };
  auto py = [&](double y) { return kH - kBottom - (kH - kTop - kBottom) * y / max_y; };
  std::ostringstream svg;
  svg << fmt::format(
      "<svg class=\"chart\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\" "
      "aria-label=\"{}\">",
      kW, kH, kW, kH, escape(title));
  svg << fmt::format("<text x=\"{}\" y=\"16\" class=\"title\">{} ({})</text>", kLeft, escape(title),
                     escape(unit));
  svg << fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" class=\"axis\"/>", kLeft,
                     kH - kBottom, kW - kRight);
  svg << fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" class=\"axis\"/>", kLeft,
                     kTop, kH - kBottom);
  svg << fmt::format("<text x=\"4\" y=\"{}\" class=\"tick\">{:.4g}</text>", kTop + 4, max_y);
  svg << fmt::format("<text x=\"4\" y=\"{}\" class=\"tick\">0</text>", kH - kBottom);
  svg << fmt::format("<text x=\"{}\" y=\"{}\" class=\"tick\">{:.0f}s</text>", kW - kRight - 30,
                     kH - 8, max_x);
  double legend_x = kLeft + 200;
  for (const auto& s : series) {
    std::string d;
    for (size_t i = 0; i < xs.size() && i < s.values.size(); ++i) {
      d += fmt::format("{}{:.1f},{:.1f}", i == 0 ? "M" : " L", px(xs[i]), py(s.values[i]));
    }
    if (!d.empty()) {
      svg << fmt::format(
          "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\" data-series=\"{}\"/>", d,
          s.color, escape(s.name));
    }
    svg << fmt::format("<text x=\"{}\" y=\"16\" class=\"legend\" fill=\"{}\">{}</text>", legend_x,
                       s.color, escape(s.name));
    legend_x += 90;
  }
  svg << "</svg>";
  return svg.str();
}

std::string number(const std::optional<double>& v, const char* unit) {
  return v ? fmt::format("{:.3f}{}", *v, unit) : "-";
}

// " (http_401 20, refused 3)" for the counts by reason; empty when there are none.
std::string by_reason(const std::map<std::string, uint64_t>& counts) {
  if (counts.empty()) return {};
  std::string out;
  for (const auto& [reason, n] : counts)
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", escape(reason), n);
  return " (" + out + ")";
}

// The three columns of figures: connections, messages, latency.
std::string figures_table(const StageResult& r) {
  using shared::metric;
  const auto f = run_figures(r);
  const auto& c = r.totals.counters;
  auto n = [&](const shared::MetricInfo& m) { return shared::metric_count(m, f); };
  auto ms = [&](const shared::MetricInfo& m) { return number(shared::metric_value(m, f), " ms"); };
  std::ostringstream h;
  h << "<table><tr><th>Connections</th><th>Messages</th><th>Latency (scheduled send to "
       "reply)</th></tr><tr><td>";
  h << fmt::format("attempted {}<br>established {} ({})<br>failed {}{}<br>peak open {}",
                   n(metric("connections.attempted")), n(metric("connections.established")),
                   number(shared::metric_value(metric("connections.success_rate"), f), "%"),
                   n(metric("connections.failed")), by_reason(c.failures),
                   n(metric("connections.peak_open")));
  h << fmt::format("<br>unexpected disconnects {}{}", n(metric("disconnects.unexpected")),
                   by_reason(c.disconnects));
  if (c.reconnects > 0) {
    h << fmt::format(
        "<br>reconnects {} ({} reconnected)<br>time to reconnect avg {}, p50 {}, p99 {}, max {}",
        c.reconnects, r.totals.reconnect_time.count(), ms(metric("reconnect_time.avg")),
        ms(metric("reconnect_time.p50")), ms(metric("reconnect_time.p99")),
        ms(metric("reconnect_time.max")));
  }
  h << "</td><td>";
  h << fmt::format(
      "sent {} of {} scheduled<br>unsent {}{}<br>received {}<br>replies {}<br>timeouts {}<br>"
      "unmatched replies {}<br>protocol errors {}<br>pushes {} (gaps {}, duplicates {}, reordered "
      "{}, "
      "sequence resets {})<br>errors {} ({})",
      n(metric("messages.sent")), c.requests_scheduled(), n(metric("messages.unsent")),
      by_reason(c.unsent), n(metric("messages.received")), n(metric("messages.replies")),
      n(metric("messages.timeouts")), n(metric("messages.unmatched")),
      n(metric("messages.protocol_errors")), n(metric("push.received")), n(metric("push.gaps")),
      n(metric("push.duplicates")), n(metric("push.reordered")), n(metric("push.resets")),
      n(metric("errors.count")), number(shared::metric_value(metric("errors.rate"), f), "%"));
  // permessage-deflate: payload bytes and what went over the wire, as the text summary shows them.
  if (r.scenario.offers_compression() || c.bytes_sent_wire != c.bytes_sent ||
      c.bytes_received_wire != c.bytes_received) {
    h << fmt::format("<br>bytes sent {} (wire {}), received {} (wire {})", c.bytes_sent,
                     c.bytes_sent_wire, c.bytes_received, c.bytes_received_wire);
  }
  h << "</td><td>";
  h << fmt::format("min {}<br>avg {}<br>p50 {}<br>p99 {}<br>p99.9 {}<br>max {}",
                   ms(metric("latency.min")), ms(metric("latency.avg")), ms(metric("latency.p50")),
                   ms(metric("latency.p99")), ms(metric("latency.p999")),
                   ms(metric("latency.max")));
  h << "</td></tr></table>";
  return h.str();
}

// "<td>p50</td><td>p99</td>...": the latency statistics `stats` of `h`, in ms.
std::string latency_cells(const shared::Histogram& h,
                          std::initializer_list<shared::HistogramStat> stats) {
  std::string out;
  for (const auto stat : stats)
    out += "<td>" + number(shared::histogram_stat_ms(h, stat), " ms") + "</td>";
  return out;
}

// Format v2: a table of groups, steps and streams with the figures of the text summary.
std::string sessions_table(const StageResult& r) {
  using S = shared::HistogramStat;
  const auto parts = stage_parts(r.scenario);
  const auto& d = r.totals.parts;
  std::ostringstream h;
  h << fmt::format("<h3>Sessions</h3><p>sessions failed {}{}</p>",
                   r.totals.counters.sessions_failed,
                   by_reason(shared::sessions_failed_by_step(d, parts)));
  h << "<table><tr><th>group</th><th>attempted</th><th>established</th><th>failed</th><th>open</"
       "th><th>sessions failed</th></tr>";
  for (size_t i = 0; i < parts.group_names.size(); ++i) {
    const auto& c = shared::group_at(d, i);
    h << fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td><td>{}</td><td>{}</td></tr>",
        escape(parts.group_names[i]), c.connections_attempted, c.connections_established,
        c.connections_failed, by_reason(c.failures), shared::group_open(c), c.sessions_failed);
  }
  h << "</table><table><tr><th>step</th><th>ok</th><th>failed</th><th>p50</th><th>p99</"
       "th><th>max</th></tr>";
  for (size_t i = 0; i < parts.step_names.size(); ++i) {
    const auto& s = shared::step_at(d, i);
    h << fmt::format("<tr><td>{}</td><td>{}</td><td>{}{}</td>{}</tr>", escape(parts.step_names[i]),
                     s.ok, s.failed, by_reason(s.failures),
                     latency_cells(s.latency, {S::kP50, S::kP99, S::kMax}));
  }
  h << "</table><table><tr><th>stream</th><th>sent</th><th>replies</th><th>timeouts</"
       "th><th>unsent</th><th>avg</th><th>p50</th><th>p99</th><th>max</th></tr>";
  for (size_t i = 0; i < parts.stream_names.size(); ++i) {
    const auto& s = shared::stream_at(d, i);
    h << fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>{}</tr>",
                     escape(parts.stream_names[i]), s.sent, s.replies, s.timeouts, s.unsent,
                     latency_cells(s.latency, {S::kAvg, S::kP50, S::kP99, S::kMax}));
  }
  h << "</table>";
  return h.str();
}

std::string stage_html(const StageResult& r) {
  std::ostringstream h;
  const auto& load = r.scenario.load;
  // A ramp reads as it always did; stages and arrivals name their shape.
  const std::string shape = load.stages.empty() && !load.arrival
                                ? fmt::format("{} connections", load.connections)
                                : describe_load(load);
  h << fmt::format("<section><h2>{}</h2><p>{} to <code>{}</code>, {} agent(s), {:.1f} s{}{}</p>",
                   escape(r.scenario.name), escape(shape), escape(r.scenario.target.url),
                   r.agents.size(), r.duration_s, r.partial ? " — <b>partial</b>" : "",
                   r.aborted ? " — <b>aborted: " + escape(r.abort_reason) + "</b>" : "");
  h << figures_table(r);
  if (r.scenario.has_sessions()) h << sessions_table(r);

  std::vector<double> xs;
  Series open{"open", "#1f77b4", {}}, target{"target", "#999999", {}};
  Series sent{"sent/s", "#2ca02c", {}}, received{"received/s", "#ff7f0e", {}};
  Series p50{"p50", "#1f77b4", {}}, p99{"p99", "#d62728", {}}, max{"max", "#9467bd", {}};
  double previous_t = 0;
  for (const auto& p : r.timeline) {
    const double span = std::max(1e-3, p.t_s - previous_t);
    previous_t = p.t_s;
    xs.push_back(p.t_s);
    open.values.push_back(static_cast<double>(p.open_connections));
    target.values.push_back(static_cast<double>(p.target_connections));
    sent.values.push_back(static_cast<double>(p.sent) / span);
    received.values.push_back(static_cast<double>(p.received) / span);
    p50.values.push_back(p.latency_p50_ms);
    p99.values.push_back(p.latency_p99_ms);
    max.values.push_back(p.latency_max_ms);
  }
  // target: what the load plan had open at each point's end (shared::LoadPlan::level).
  h << svg_chart("Connections", "open", xs, {open, target});
  h << svg_chart("Throughput", "messages/s", xs, {sent, received});
  h << svg_chart("Latency", "ms", xs, {p50, p99, max});

  if (!r.thresholds.empty()) {
    h << "<h3>Thresholds</h3><table><tr><th>threshold</th><th>actual</th><th>result</th></tr>";
    for (const auto& t : r.thresholds) {
      h << fmt::format("<tr><td><code>{}</code></td><td>{}</td><td class=\"{}\">{}</td></tr>",
                       escape(t.expression),
                       t.available ? fmt::format("{:.3f}", t.actual) : "no value",
                       t.passed ? "pass" : "fail", t.passed ? "PASS" : "FAIL");
    }
    h << "</table>";
  }
  h << "<h3>Agents</h3><table><tr><th>agent</th><th>share</th><th>established</th><th>sent</"
       "th><th>replies</th><th>state</th></tr>";
  for (const auto& a : r.agents) {
    const auto f = agent_figures(a);
    auto n = [&](const shared::MetricInfo& m) { return shared::metric_count(m, f); };
    h << fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                     escape(a.endpoint), a.share, n(shared::metric("connections.established")),
                     n(shared::metric("messages.sent")), n(shared::metric("messages.replies")),
                     a.lost ? "lost: " + escape(a.loss_reason) : "finished");
  }
  h << "</table></section>";
  return h.str();
}

}  // namespace

std::string report_to_html(const RunReport& report) {
  std::ostringstream h;
  h << "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>wsload report: "
    << escape(report.name) << "</title><style>"
    << "body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:"
       "1em 0}"
    << "td,th{border:1px solid #ccc;padding:4px 10px;vertical-align:top;text-align:left}"
    << ".chart{display:block;margin:1em "
       "0;background:#fafafa}.axis{stroke:#666}.tick,.legend{font-size:11px}"
    << ".title{font-size:13px;font-weight:bold}.pass{color:#080}.fail{color:#c00;font-weight:bold}"
    << "</style></head><body>";
  h << fmt::format("<h1>wsload report: {} — <span class=\"{}\">{}</span></h1>", escape(report.name),
                   report.passed() ? "pass" : "fail", verdict_name(report.verdict()));
  h << "<p>agents: " << escape(report.agents_mode) << "</p>";
  for (const auto& s : report.stages) h << stage_html(s);
  h << "</body></html>\n";
  return h.str();
}

}  // namespace wsload::controller
