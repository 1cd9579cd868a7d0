// A self-contained HTML report: one <section> per stage with tables and inline SVG charts of the
// timeline (no script, no external resource; readable from a file without a server).
#include <fmt/format.h>

#include <algorithm>
#include <sstream>

#include "report/html_charts.hpp"
#include "report/html_format.hpp"
#include "report/html_sections.hpp"
#include "report/load_shape.hpp"
#include "wsload/controller/reports.hpp"

namespace wsload::controller {
namespace {

using html::escape;
using html::LineChart;

constexpr const char* kStyle =
    "body{font-family:sans-serif;margin:2em;color:#222;max-width:1100px}"
    "table{border-collapse:collapse;margin:1em 0}"
    "td,th{border:1px solid #ccc;padding:4px 10px;vertical-align:top;text-align:left}"
    "th{background:#f0f0f0}"
    "td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    ".chart{display:block;margin:1em 0;background:#fafafa;border:1px solid #e4e4e4;"
    "max-width:100%;height:auto}"
    ".axis{stroke:#666}.grid{stroke:#ddd}.grid.minor{stroke:#eee}"
    ".tick,.legend{font-size:11px;fill:#333}.axis-label{font-size:11px;fill:#666}"
    ".title{font-size:13px;font-weight:bold}"
    ".pass{color:#080}.fail{color:#c00;font-weight:bold}.bad{color:#c00}"
    "tr.pass-row{background:#eef8ee}tr.fail-row{background:#fbeaea}"
    ".warn{background:#fff4d6;border:1px solid #e0a800;padding:8px 12px;margin:1em 0}"
    ".ok{color:#080}.swatch{display:inline-block;width:10px;height:10px;margin-right:6px}";

// The timeline as chart series: connections, throughput per second, latency percentiles and,
// when any occurred, errors per second.
struct TimelineCharts {
  LineChart connections{"connections",
                        "Connections",
                        "connections",
                        html::YScale::kLinear,
                        html::YUnit::kCount,
                        {},
                        {}};
  LineChart throughput{
      "throughput", "Throughput", "messages/s", html::YScale::kLinear, html::YUnit::kCount, {}, {}};
  LineChart latency{"latency",
                    "Latency per second (scheduled send to reply; log scale)",
                    "latency",
                    html::YScale::kLog,
                    html::YUnit::kMillis,
                    {},
                    {}};
  LineChart errors{"errors-over-time",
                   "Errors",
                   "per second",
                   html::YScale::kLinear,
                   html::YUnit::kCount,
                   {},
                   {}};
  uint64_t error_total = 0;
};

TimelineCharts timeline_charts(const std::vector<TimelinePoint>& timeline, const std::string& ids) {
  TimelineCharts c;
  for (auto* chart : {&c.connections, &c.throughput, &c.latency, &c.errors}) chart->id += ids;
  // target: what the load plan had open at each point's end (shared::LoadPlan::level).
  c.connections.series = {{"open", "#1f77b4", {}}, {"target", "#999999", {}}};
  c.throughput.series = {{"sent/s", "#2ca02c", {}}, {"received/s", "#ff7f0e", {}}};
  // max dashed: with under 100 replies a second p99 is the max, and shows through the gaps.
  c.latency.series = {{"p50", "#1f77b4", {}},
                      {"p90", "#2ca02c", {}},
                      {"p99", "#d62728", {}},
                      {"max", "#9467bd", {}, true}};
  // The total last and dashed: where one kind is every error, both lines stay visible.
  c.errors.series = {{"failed connections/s", "#ff7f0e", {}},
                     {"timeouts/s", "#9467bd", {}},
                     {"errors/s", "#d62728", {}, true}};
  double previous_t = 0;
  for (const auto& p : timeline) {
    const double span = std::max(1e-3, p.t_s - previous_t);
    previous_t = p.t_s;
    auto per_s = [&](uint64_t n) { return static_cast<double>(n) / span; };
    for (auto* chart : {&c.connections, &c.throughput, &c.latency, &c.errors})
      chart->xs.push_back(p.t_s);
    c.connections.series[0].values.push_back(static_cast<double>(p.open_connections));
    c.connections.series[1].values.push_back(static_cast<double>(p.target_connections));
    c.throughput.series[0].values.push_back(per_s(p.sent));
    c.throughput.series[1].values.push_back(per_s(p.received));
    // A point without replies has 0 everywhere: a gap on the log axis.
    c.latency.series[0].values.push_back(p.latency_p50_ms);
    c.latency.series[1].values.push_back(p.latency_p90_ms);
    c.latency.series[2].values.push_back(p.latency_p99_ms);
    c.latency.series[3].values.push_back(p.latency_max_ms);
    c.errors.series[0].values.push_back(per_s(p.failed));
    c.errors.series[1].values.push_back(per_s(p.timeouts));
    c.errors.series[2].values.push_back(per_s(p.errors));
    c.error_total += p.errors;
  }
  return c;
}

std::string charts_html(const StageResult& r, const std::string& ids) {
  const auto c = timeline_charts(r.timeline, ids);
  std::string out = "<h3>Over time</h3>";
  out += html::line_chart_svg(c.connections) + html::line_chart_svg(c.throughput) +
         html::line_chart_svg(c.latency);
  if (c.error_total > 0) out += html::line_chart_svg(c.errors);
  return out;
}

std::string stage_header(const StageResult& r) {
  const auto& load = r.scenario.load;
  // A ramp reads as it always did; stages and arrivals name their shape.
  const std::string shape = load.stages.empty() && !load.arrival
                                ? fmt::format("{} connections", load.connections)
                                : describe_load(load);
  return fmt::format("<h2>{}</h2><p>{} to <code>{}</code>, {} agent(s), {:.1f} s{}{}</p>",
                     escape(r.scenario.name), escape(shape), escape(r.scenario.target.url),
                     r.agents.size(), r.duration_s, r.partial ? " — <b>partial</b>" : "",
                     r.aborted ? " — <b>aborted: " + escape(r.abort_reason) + "</b>" : "");
}

// `ids` keeps element ids unique over the stages of a sequence ("" for the first stage).
std::string stage_html(const StageResult& r, const std::string& ids) {
  std::ostringstream h;
  h << "<section>" << stage_header(r);
  h << html::schedule_warning(r, ids);
  h << html::figures_table(r);
  h << html::thresholds_table(r, ids);
  h << html::errors_section(r, ids);
  h << charts_html(r, ids);
  h << html::distributions_table(r, ids);
  h << html::push_table(r, ids);
  if (r.scenario.has_sessions()) h << html::sessions_table(r);
  h << html::agents_table(r, ids);
  h << "</section>";
  return h.str();
}

}  // namespace

std::string report_to_html(const RunReport& report) {
  std::ostringstream h;
  h << "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>wsload report: "
    << escape(report.name) << "</title><style>" << kStyle << "</style></head><body>";
  h << fmt::format("<h1>wsload report: {} — <span class=\"{}\">{}</span></h1>", escape(report.name),
                   report.passed() ? "pass" : "fail", verdict_name(report.verdict()));
  h << "<p>agents: " << escape(report.agents_mode) << "</p>";
  for (size_t i = 0; i < report.stages.size(); ++i)
    h << stage_html(report.stages[i], i == 0 ? "" : fmt::format("-{}", i + 1));
  h << "</body></html>\n";
  return h.str();
}

}  // namespace wsload::controller
