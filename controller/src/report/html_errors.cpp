// Errors by reason: what failed and why, as a table, a bar chart and the connections' ends.
#include <fmt/format.h>

#include <algorithm>

#include "report/html_charts.hpp"
#include "report/html_format.hpp"
#include "report/html_sections.hpp"
#include "wsload/controller/run_metrics.hpp"
#include "wsload/shared/part_metrics.hpp"

namespace wsload::controller::html {
namespace {

// At most this many bars; the table lists every row.
constexpr size_t kMaxBars = 15;

// Adds one row per reason of `counts`, largest first, the share taken of `whole` (`of` names it).
void add_reasons(std::vector<ReasonRow>& rows, const std::string& kind, const char* color,
                 const std::map<std::string, uint64_t>& counts, uint64_t whole, const char* of,
                 const std::string& prefix = {}) {
  std::vector<std::pair<std::string, uint64_t>> sorted(counts.begin(), counts.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [reason, n] : sorted) {
    if (n == 0) continue;
    rows.push_back({kind, prefix + reason, n, percent(n, whole) + " of " + of, color});
  }
}

void add_count(std::vector<ReasonRow>& rows, const std::string& kind, const char* color,
               const std::string& reason, uint64_t n, uint64_t whole, const char* of) {
  if (n > 0) rows.push_back({kind, reason, n, percent(n, whole) + " of " + of, color});
}

std::string reasons_table(const std::vector<ReasonRow>& rows, const std::string& ids) {
  std::string out = fmt::format(
      "<table id=\"errors-by-reason{}\" class=\"reasons\"><tr><th>kind</th><th>reason</th><th>count"
      "</th><th>share</th></tr>",
      ids);
  for (const auto& row : rows) {
    out += fmt::format(
        "<tr data-kind=\"{0}\" data-reason=\"{1}\" data-count=\"{2}\"><td><span class=\"swatch\" "
        "style=\"background:{3}\"></span>{0}</td><td>{1}</td><td class=\"num\">{2}</td><td>{4}</td>"
        "</tr>",
        escape(row.kind), escape(row.reason), row.count, row.color, escape(row.share));
  }
  return out + "</table>";
}

std::string reasons_chart(std::vector<ReasonRow> rows, const std::string& ids) {
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto& a, const auto& b) { return a.count > b.count; });
  std::vector<Bar> bars;
  for (const auto& row : rows) {
    if (bars.size() == kMaxBars) break;
    bars.push_back(
        {row.reason == "-" ? row.kind : row.kind + ": " + row.reason, row.count, row.color});
  }
  const std::string title = rows.size() > kMaxBars
                                ? fmt::format("Errors by reason (largest {})", kMaxBars)
                                : std::string("Errors by reason");
  return bar_chart_svg("errors-by-reason-chart" + ids, title, bars);
}

// Every end of an established connection by reason (planned closes included).
std::string closes_table(const shared::Counters& c, const std::string& ids) {
  if (c.disconnects.empty()) return {};
  std::string out = fmt::format(
      "<p>{} connection(s) ended, {} of them unexpectedly (the server or the network ended them; "
      "the rest were closed as planned):</p><table id=\"closes-by-reason{}\"><tr><th>how it ended"
      "</th><th>count</th><th>share</th></tr>",
      c.connections_closed, c.disconnects_unexpected, ids);
  for (const auto& [reason, n] : c.disconnects) {
    out += fmt::format("<tr><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>", escape(reason),
                       n, percent(n, c.connections_closed));
  }
  return out + "</table>";
}

}  // namespace

std::vector<ReasonRow> reason_rows(const StageResult& r) {
  return reason_rows(r.totals, stage_parts(r.scenario));
}

std::vector<ReasonRow> reason_rows(const shared::MetricsDelta& totals,
                                   const shared::PartIndex& parts) {
  const auto& c = totals.counters;
  std::vector<ReasonRow> rows;
  add_reasons(rows, "connection failed", "#d62728", c.failures, c.connections_attempted,
              "attempts");
  add_count(rows, "unexpected disconnect", "#ff7f0e", "-", c.disconnects_unexpected,
            c.connections_established, "established");
  add_count(rows, "timeout", "#9467bd", "no reply in time", c.timeouts, c.messages_sent, "sent");
  add_count(rows, "protocol error", "#e377c2", "-", c.protocol_errors, c.messages_received,
            "received");
  add_reasons(rows, "unsent", "#8c564b", c.unsent, c.requests_scheduled(), "scheduled");
  if (parts.step_names.empty()) return rows;
  add_reasons(rows, "session failed", "#17becf",
              shared::sessions_failed_by_step(totals.parts, parts), c.connections_established,
              "established", "step ");
  for (size_t i = 0; i < parts.step_names.size(); ++i) {
    const auto& step = shared::step_at(totals.parts, i);
    add_reasons(rows, "step failed", "#bcbd22", step.failures, step.ok + step.failed,
                "the step's runs", parts.step_names[i] + ": ");
  }
  return rows;
}

std::string errors_section(const StageResult& r, const std::string& ids) {
  const auto rows = reason_rows(r);
  const auto& c = r.totals.counters;
  std::string out =
      fmt::format("<h3>Errors by reason</h3><div class=\"errors\" id=\"errors{}\">", ids);
  if (rows.empty()) {
    out += fmt::format(
        "<p class=\"ok\" id=\"errors-by-reason{}\">No errors: every attempt connected, no "
        "unexpected disconnect, every request sent and answered in time.</p>",
        ids);
  } else {
    out += fmt::format("<p><b>{} error(s)</b> in errors.count; by kind and reason:</p>",
                       c.error_count());
    out += reasons_table(rows, ids) + reasons_chart(rows, ids);
  }
  return out + closes_table(c, ids) + "</div>";
}

}  // namespace wsload::controller::html
