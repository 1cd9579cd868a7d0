// The HTML report's sections: errors by reason, the behind-schedule warning, distributions, push,
// agents, thresholds, ids over stages, escaping; and the timeline's p90 in the JSON.
#include <gtest/gtest.h>

#include "report/html_sections.hpp"
#include "report/interval_views.hpp"
#include "wsload/controller/reports.hpp"
#include "wsload/controller/run_metrics.hpp"

namespace wsload::controller {
namespace {

// 20 attempts that all got 401: what a wrong token looks like.
StageResult unauthorized_stage() {
  StageResult r;
  r.scenario.name = "wrong-token";
  r.scenario.target.url = "ws://127.0.0.1:1/ws";
  r.scenario.load.connections = 20;
  r.scenario.messages = shared::MessagesSpec{};
  r.duration_s = 3;
  AgentResult a;
  a.endpoint = "127.0.0.1:7000";
  a.hostname = "h";
  a.share = 20;
  a.finished = true;
  a.totals.counters.connections_attempted = 20;
  a.totals.counters.connections_failed = 20;
  a.totals.counters.failures["http_401"] = 20;
  r.totals = a.totals;
  r.agents.push_back(a);
  std::string error;
  r.scenario.thresholds.push_back(
      *shared::parse_threshold("connections.success_rate == 100%", &error));
  evaluate_thresholds(r);
  for (int t = 1; t <= 3; ++t) {
    shared::MetricsDelta d;
    d.counters.connections_attempted = d.counters.connections_failed = t == 1 ? 20 : 0;
    r.timeline.push_back(timeline_point(d, t, "hold", 0, 20, 1));
  }
  return r;
}

RunReport report_of(std::vector<StageResult> stages) {
  RunReport report;
  report.name = "r";
  report.stages = std::move(stages);
  return report;
}

TEST(HtmlReport, ErrorsByReasonShowTheStatus) {
  const auto rows = html::reason_rows(unauthorized_stage());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].kind, "connection failed");
  EXPECT_EQ(rows[0].reason, "http_401");
  EXPECT_EQ(rows[0].count, 20u);
  EXPECT_EQ(rows[0].share, "100.0% of attempts");
  const auto page = report_to_html(report_of({unauthorized_stage()}));
  EXPECT_NE(page.find("<table id=\"errors-by-reason\""), std::string::npos);
  EXPECT_NE(page.find("<td>http_401</td><td class=\"num\">20</td>"), std::string::npos) << page;
  EXPECT_NE(page.find("id=\"errors-by-reason-chart\""), std::string::npos);
  EXPECT_NE(page.find("data-label=\"connection failed: http_401\" data-count=\"20\""),
            std::string::npos);
  // Errors happened: their chart over time is drawn, with the failures in the first second.
  EXPECT_NE(page.find("id=\"errors-over-time\""), std::string::npos);
  EXPECT_NE(page.find("<tr class=\"fail-row\"><td><code>connections.success_rate == 100%"),
            std::string::npos);
}

TEST(HtmlReport, EveryKindOfErrorHasARow) {
  auto r = unauthorized_stage();
  auto& c = r.totals.counters;
  c.connections_established = 10;
  c.disconnects_unexpected = 2;
  c.disconnects = {{"close_1006", 2}, {"close_1000", 8}};
  c.connections_closed = 10;
  c.messages_sent = 100;
  c.timeouts = 5;
  c.messages_received = 95;
  c.protocol_errors = 1;
  c.unsent = {{"peer_not_reading", 3}, {"stopped", 7}};
  std::vector<std::string> seen;
  for (const auto& row : html::reason_rows(r)) seen.push_back(row.kind + "/" + row.reason);
  EXPECT_EQ(seen, (std::vector<std::string>{"connection failed/http_401", "unexpected disconnect/-",
                                            "timeout/no reply in time", "protocol error/-",
                                            "unsent/stopped", "unsent/peer_not_reading"}));
  const auto page = report_to_html(report_of({r}));
  EXPECT_NE(page.find("<table id=\"closes-by-reason\">"), std::string::npos);
  EXPECT_NE(page.find("<tr><td>close_1006</td><td class=\"num\">2</td><td>20.0%</td></tr>"),
            std::string::npos);
}

TEST(HtmlReport, NoErrorsSaysSo) {
  auto r = unauthorized_stage();
  r.totals = shared::MetricsDelta{};
  const auto page = report_to_html(report_of({r}));
  EXPECT_NE(page.find("<p class=\"ok\" id=\"errors-by-reason\">No errors"), std::string::npos);
  EXPECT_EQ(page.find("errors-by-reason-chart"), std::string::npos);
  EXPECT_NE(page.find("<p id=\"distributions\">No samples"), std::string::npos);
}

TEST(HtmlReport, BehindScheduleWarningOnlyWhenLate) {
  auto r = unauthorized_stage();
  EXPECT_EQ(report_to_html(report_of({r})).find("behind-schedule"), std::string::npos);
  r.totals.counters.messages_sent = 200;
  r.totals.counters.sends_behind_schedule = 6;
  r.totals.counters.max_schedule_lag_us = 4321;
  const auto page = report_to_html(report_of({r}));
  EXPECT_NE(page.find("<div class=\"warn\" id=\"behind-schedule\"><b>&#9888; Behind schedule:</b> "
                      "6 send(s) (3.0% of those sent)"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find("the largest lag was 4.32 ms"), std::string::npos);
}

TEST(HtmlReport, DistributionsAndPushWhereMeasured) {
  auto r = unauthorized_stage();
  for (int v : {200, 400, 162'000}) r.totals.latency.record(v);
  r.totals.latency_service.record(150);
  r.totals.connect_time.record(900);
  r.totals.push_latency.record(300);
  r.totals.counters.push_received = 1;
  r.totals.counters.push_gaps = 2;
  const auto page = report_to_html(report_of({r}));
  EXPECT_NE(page.find("<tr><td>latency (scheduled send to reply)</td><td class=\"num\">3</td><td "
                      "class=\"num\">200 µs</td>"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find("<td class=\"num\">162 ms</td></tr>"), std::string::npos);
  EXPECT_NE(page.find("service latency"), std::string::npos);
  EXPECT_NE(page.find("connect time (TCP connect to 101)"), std::string::npos);
  EXPECT_NE(page.find("push delivery latency"), std::string::npos);
  EXPECT_EQ(page.find("reconnect"), std::string::npos);  // nothing reconnected: no row
  EXPECT_NE(page.find("<table id=\"push\">"), std::string::npos);
  EXPECT_NE(page.find("<td class=\"num bad\">2</td>"), std::string::npos);  // the gaps
}

TEST(HtmlReport, StagesKeepIdsUniqueAndTextEscaped) {
  auto first = unauthorized_stage();
  first.scenario.name = "<script>alert(1)</script>";
  first.totals.counters.failures = {{"<img src=x>", 20}};
  first.agents[0].loss_reason = "\"quoted\"";
  first.agents[0].lost = true;
  const auto page = report_to_html(report_of({first, unauthorized_stage()}));
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_EQ(page.find("<img"), std::string::npos);
  EXPECT_NE(page.find("&lt;img src=x&gt;"), std::string::npos);
  EXPECT_NE(page.find("lost: &quot;quoted&quot;"), std::string::npos);
  EXPECT_NE(page.find("id=\"errors-by-reason\""), std::string::npos);
  EXPECT_NE(page.find("id=\"errors-by-reason-2\""), std::string::npos);
  EXPECT_NE(page.find("id=\"latency-2\""), std::string::npos);
}

TEST(HtmlReport, AnAgentWithLateReportsSaysSoInItsState) {
  auto stage = unauthorized_stage();
  EXPECT_EQ(report_to_html(report_of({stage})).find("late reports"), std::string::npos);
  stage.agents[0].late_reports = 3;
  EXPECT_NE(report_to_html(report_of({stage})).find(">finished (3 late reports)</td>"),
            std::string::npos);
}

TEST(HtmlReport, TimelineCarriesP90ThroughJson) {
  shared::MetricsDelta d;
  for (int v = 1; v <= 100; ++v) d.latency.record(v * 1000);
  StageResult r = unauthorized_stage();
  r.timeline = {timeline_point(d, 1, "hold", 1, 1, 1)};
  EXPECT_NEAR(r.timeline[0].latency_p90_ms, 90, 0.1);
  auto j = report_to_json(report_of({r}));
  EXPECT_EQ(report_from_json(j).stages[0].timeline[0].latency_p90_ms, r.timeline[0].latency_p90_ms);
  j["timeline"][0].erase("latency_p90_ms");  // a report written before the field
  EXPECT_EQ(report_from_json(j).stages[0].timeline[0].latency_p90_ms, 0);
}

}  // namespace
}  // namespace wsload::controller
