// Format v2 in the HTML report: groups, steps and streams with the figures of the text summary.
#include <fmt/format.h>

#include <initializer_list>
#include <sstream>

#include "report/html_format.hpp"
#include "report/html_sections.hpp"
#include "wsload/controller/run_metrics.hpp"
#include "wsload/shared/part_metrics.hpp"

namespace wsload::controller::html {
namespace {

// "<td>p50</td><td>p99</td>...": the latency statistics `stats` of `h`, in ms.
std::string latency_cells(const shared::Histogram& h,
                          std::initializer_list<shared::HistogramStat> stats) {
  std::string out;
  for (const auto stat : stats)
    out += "<td>" + fixed(shared::histogram_stat_ms(h, stat), " ms") + "</td>";
  return out;
}

}  // namespace

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

}  // namespace wsload::controller::html
