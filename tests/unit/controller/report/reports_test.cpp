#include "wsload/controller/reports.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "wsload/controller/run_metrics.hpp"

namespace wsload::controller {
namespace {

StageResult sample_stage() {
  StageResult r;
  r.scenario.name = "sample";
  r.scenario.target.url = "ws://127.0.0.1:1/ws";
  r.scenario.load.connections = 4;
  r.scenario.load.ramp_up = std::chrono::seconds(1);
  r.scenario.load.hold = std::chrono::seconds(2);
  r.scenario.messages = shared::MessagesSpec{};
  r.duration_s = 3.5;
  r.start_unix_ms = 1'800'000'000'000;
  r.peak_open = 4;
  AgentResult a;
  a.endpoint = "127.0.0.1:7000";
  a.hostname = "h";
  a.share = 4;
  a.finished = true;
  auto& c = a.totals.counters;
  c.connections_attempted = 5;
  c.connections_established = 4;
  c.connections_failed = 1;
  c.failures["http_503"] = 1;
  c.messages_sent = 10;
  c.replies = 9;
  c.timeouts = 1;
  c.messages_received = 12;
  c.push_received = 3;
  for (int v : {120, 250, 900, 4000, 12000, 7, 33, 1000, 1001}) a.totals.latency.record(v);
  a.totals.latency_service = a.totals.latency;
  a.totals.connect_time.record(800);
  r.agents.push_back(a);
  r.totals = a.totals;
  std::string error;
  r.scenario.thresholds.push_back(*shared::parse_threshold("latency.p99 < 5ms", &error));
  r.scenario.thresholds.push_back(
      *shared::parse_threshold("connections.success_rate == 100%", &error));
  evaluate_thresholds(r);
  TimelinePoint p;
  p.t_s = 1;
  p.open_connections = 4;
  p.sent = 5;
  p.latency_p99_ms = 3.2;
  r.timeline.push_back(p);
  return r;
}

TEST(Reports, JsonRoundTripIsExact) {
  RunReport report;
  report.name = "sample";
  report.stages.push_back(sample_stage());
  ASSERT_FALSE(report.stages[0].agents.empty());
  report.stages[0].agents[0].late_reports = 3;
  const auto first = report_to_json(report);
  EXPECT_EQ(first["agents"][0]["late_reports"], 3);
  const auto back = report_from_json(first);
  EXPECT_EQ(back.stages[0].agents[0].late_reports, 3u);
  const auto again = report_to_json(back);
  EXPECT_EQ(first, again) << first.dump(2) << "\n---\n" << again.dump(2);
}

TEST(Reports, SequenceRoundTripKeepsEveryStage) {
  RunReport report;
  report.name = "seq";
  report.sequence = true;
  report.stages = {sample_stage(), sample_stage()};
  report.stages[1].scenario.name = "second";
  const auto j = report_to_json(report);
  ASSERT_EQ(j["stages"].size(), 2u);
  const auto back = report_from_json(j);
  ASSERT_EQ(back.stages.size(), 2u);
  EXPECT_EQ(back.stages[1].scenario.name, "second");
  EXPECT_EQ(report_to_json(back), j);
  // Issue 14: a CI script reads summary.failedConnections whatever it ran; a sequence sums its
  // stages.
  EXPECT_EQ(j["summary"]["totalConnections"], 10);
  EXPECT_EQ(j["summary"]["failedConnections"], 2);
  EXPECT_EQ(j["summary"]["totalMessagesSent"], 20);
  EXPECT_DOUBLE_EQ(j["summary"]["connectionsPerSecond"].get<double>(),
                   4.0);  // 8 over 2 s of ramp-up
}

TEST(Reports, SummaryHasTheGuideFields) {
  RunReport report;
  report.stages.push_back(sample_stage());
  const auto j = report_to_json(report);
  const auto& s = j["summary"];
  EXPECT_EQ(s["totalConnections"], 5);
  EXPECT_EQ(s["successfulConnections"], 4);
  EXPECT_EQ(s["failedConnections"], 1);
  EXPECT_EQ(s["totalMessagesSent"], 10);
  EXPECT_EQ(s["totalMessagesReceived"], 12);
  EXPECT_DOUBLE_EQ(s["minLatency"].get<double>(), 0.007);
  EXPECT_DOUBLE_EQ(s["maxLatency"].get<double>(), 12.0);
  EXPECT_NEAR(s["averageLatency"].get<double>(),
              (120 + 250 + 900 + 4000 + 12000 + 7 + 33 + 1000 + 1001) / 9.0 / 1000.0, 1e-12);
  EXPECT_TRUE(s["errors"].is_array());
  EXPECT_EQ(s["errors"][0], "connection failed (http_503): 1");
}

// Without thresholds the run passes whatever happened; the summary says so, with the error counts.
TEST(Reports, TextSummaryWithoutThresholdsSaysNothingWasJudged) {
  RunReport report;
  StageResult stage = sample_stage();
  stage.scenario.thresholds.clear();
  stage.thresholds.clear();
  report.stages.push_back(stage);
  std::ostringstream out;
  write_text_summary(out, report);
  const std::string text = out.str();
  EXPECT_NE(text.find("Result: PASSED (0/0 thresholds passed)"), std::string::npos) << text;
  EXPECT_NE(text.find("No thresholds were set, so nothing was judged (1 failed connections, 1 "
                      "unexpected disconnects/timeouts/protocol errors/unsent requests)"),
            std::string::npos)
      << text;

  RunReport judged;
  judged.stages.push_back(sample_stage());
  std::ostringstream out2;
  write_text_summary(out2, judged);
  EXPECT_EQ(out2.str().find("No thresholds were set"), std::string::npos);
}

// Issue 11.7: one verdict, the same in text, JSON, JUnit and HTML, and the exit code that goes with
// it.
struct VerdictCase {
  const char* name;
  void (*apply)(StageResult&);
  bool allow_partial;
  int exit_code;
};

TEST(Reports, OneVerdictInEveryFormat) {
  const VerdictCase cases[] = {
      {"PASSED", [](StageResult&) {}, false, 0},
      {"FAILED", [](StageResult& s) { s.thresholds[0].passed = false; }, false, 1},
      {"PARTIAL", [](StageResult& s) { s.partial = true; }, false, 1},
      {"PARTIAL", [](StageResult& s) { s.partial = true; }, true, 0},
      {"FAILED", [](StageResult& s) { s.partial = true, s.thresholds[0].passed = false; }, true, 1},
      {"ABORTED", [](StageResult& s) { s.aborted = true, s.abort_reason = "agent x lost"; }, false,
       3},
      {"INTERRUPTED", [](StageResult& s) { s.interrupted = true; }, false, 130},
      {"INTERRUPTED", [](StageResult& s) { s.interrupted = true, s.partial = true; }, false, 130},
  };
  for (const auto& c : cases) {
    RunReport report;
    report.name = "sample";
    report.allow_partial = c.allow_partial;
    auto stage = sample_stage();
    for (auto& t : stage.thresholds) t.passed = true;  // thresholds passed unless the case says not
    c.apply(stage);
    report.stages.push_back(stage);
    SCOPED_TRACE(std::string(c.name) + (c.allow_partial ? " allowed" : ""));
    EXPECT_EQ(verdict_name(report.verdict()), c.name);
    EXPECT_EQ(report.exit_code(), c.exit_code);
    std::ostringstream text;
    write_text_summary(text, report);
    EXPECT_NE(text.str().find(std::string("Result: ") + c.name + " ("), std::string::npos)
        << text.str();
    const auto j = report_to_json(report);
    EXPECT_EQ(j["verdict"], c.name);
    EXPECT_EQ(j["passed"], c.exit_code == 0);
    EXPECT_EQ(j["exit_code"], c.exit_code);
    const auto back = report_from_json(j);
    EXPECT_EQ(back.verdict(), report.verdict());
    EXPECT_EQ(back.exit_code(), c.exit_code);  // `wsload report FILE.json` exits with this
    EXPECT_NE(report_to_html(report).find(c.name), std::string::npos);
    const auto junit = report_to_junit(report);
    EXPECT_EQ(junit.find("failures=\"0\"") != std::string::npos, c.exit_code == 0) << junit;
  }
}

TEST(Reports, RejectsWhatIsNotAReport) {
  EXPECT_THROW(report_from_json(nlohmann::json::object()), std::runtime_error);
  auto j = report_to_json(RunReport{"x", {sample_stage()}, false, ""});
  j["latency"]["histogram"]["encoded"] = "!!";
  EXPECT_THROW(report_from_json(j), std::runtime_error);
}

TEST(Reports, JunitHasOneCasePerThreshold) {
  RunReport report;
  report.stages.push_back(sample_stage());
  const auto xml = report_to_junit(report);
  EXPECT_NE(xml.find("tests=\"2\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("failures=\"2\""), std::string::npos) << xml;  // p99 12ms, success 80%
  EXPECT_NE(xml.find("name=\"latency.p99 &lt; 5ms\""), std::string::npos) << xml;
}

TEST(Reports, HtmlIsSelfContainedWithCharts) {
  RunReport report;
  report.stages.push_back(sample_stage());
  const auto html = report_to_html(report);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("<path d=\"M"), std::string::npos);
}

TEST(Reports, EveryFormatShowsFailureReasonsAndUnsentRequests) {
  RunReport report;
  auto stage = sample_stage();
  stage.totals.counters.unsent["peer_not_reading"] = 7;
  stage.totals.counters.unmatched = 2;
  report.stages.push_back(stage);
  const auto html = report_to_html(report);
  EXPECT_NE(html.find("failed 1 (http_503 1)"), std::string::npos);
  EXPECT_NE(html.find("sent 10 of 17 scheduled<br>unsent 7 (peer_not_reading 7)"),
            std::string::npos);
  EXPECT_NE(html.find("unmatched replies 2"), std::string::npos);
  std::ostringstream text;
  write_text_summary(text, report);
  EXPECT_NE(text.str().find("Messages Sent: 10 of 17 scheduled; unsent 7 (peer_not_reading 7)"),
            std::string::npos)
      << text.str();
  EXPECT_NE(text.str().find("Unmatched Replies: 2"), std::string::npos);
  const auto j = report_to_json(report);
  EXPECT_EQ(j["messages"]["unsent_reasons"]["peer_not_reading"], 7);
  EXPECT_EQ(j["messages"]["scheduled"], 17);
  EXPECT_EQ(report_from_json(j).stages[0].totals.counters.unsent, stage.totals.counters.unsent);
}

}  // namespace
}  // namespace wsload::controller
