// Reports of a format-v2 stage: thresholds on parts, the text Sessions block, the JSON sections and
// their exact round trip, HTML, JUnit and the Prometheus families per group, stream and step.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "report/interval_views.hpp"
#include "wsload/controller/reports.hpp"
#include "wsload/controller/run_metrics.hpp"

namespace wsload::controller {
namespace {

shared::StepSpec step(std::string name) {
  shared::StepSpec s;
  s.name = std::move(name);
  return s;
}

shared::MessagesSpec stream(std::string name) {
  shared::MessagesSpec m;
  m.name = std::move(name);
  return m;
}

// listeners: on_open subscribe, settle; streams ping, chat; on_close unsubscribe.
// publishers (1 connection): stream publish.
shared::Scenario v2_scenario() {
  shared::Scenario s;
  s.name = "sessions";
  s.target.url = "ws://127.0.0.1:1/ws";
  s.load.connections = 10;
  s.load.ramp_up = std::chrono::seconds(2);
  shared::GroupSpec listeners;
  listeners.name = "listeners";
  listeners.weight = 9;
  listeners.on_open = {step("subscribe"), step("settle")};
  listeners.streams = {stream("ping"), stream("chat")};
  listeners.on_close = {step("unsubscribe")};
  shared::GroupSpec publishers;
  publishers.name = "publishers";
  publishers.connections = 1;
  publishers.target.url = "ws://127.0.0.1:1/ws?role=publisher";
  publishers.streams = {stream("publish")};
  s.groups = {listeners, publishers};
  return s;
}

shared::PartsDelta v2_parts() {
  shared::PartsDelta p;
  p.groups.resize(2);
  auto& l = p.groups[0];
  l.connections_attempted = 10;
  l.connections_established = 8;
  l.connections_failed = 2;
  l.connections_closed = 3;
  l.sessions_failed = 1;
  l.messages_sent = 40;
  l.messages_received = 60;
  l.replies = 28;
  l.timeouts = 2;
  l.failures = {{"refused", 2}};
  l.unsent = {{"closed", 4}};
  l.max_schedule_lag_us = 1500;
  auto& pub = p.groups[1];
  pub.connections_attempted = 1;
  pub.connections_established = 1;
  pub.messages_sent = 5;
  p.streams.resize(3);
  p.streams[0].sent = 30;
  p.streams[0].replies = 28;
  p.streams[0].timeouts = 2;
  for (int v : {1000, 2000, 3000, 4000}) p.streams[0].latency.record(v);
  p.streams[1].sent = 10;
  p.streams[1].unsent = 4;
  p.streams[2].sent = 5;
  p.streams[2].replies = 5;
  p.streams[2].latency.record(800);
  p.steps.resize(3);
  p.steps[0].ok = 7;
  p.steps[0].failed = 1;
  p.steps[0].failures = {{"timeout", 1}};
  p.steps[0].latency.record(1500);
  p.steps[1].ok = 7;
  p.steps[2].ok = 2;
  p.steps[2].failed = 5;
  p.steps[2].failures = {{"unsent", 5}};
  return p;
}

StageResult v2_stage(std::initializer_list<const char*> thresholds = {}) {
  StageResult r;
  r.scenario = v2_scenario();
  r.duration_s = 10;
  r.totals.parts = v2_parts();
  for (const auto& g : r.totals.parts.groups) r.totals.counters.merge(g);
  for (const auto& s : r.totals.parts.streams) r.totals.latency.merge(s.latency);
  AgentResult a;
  a.endpoint = "127.0.0.1:7001";
  a.hostname = "h";
  a.share = 10;
  a.finished = true;
  a.totals = r.totals;
  a.open_connections = 6;
  r.agents.push_back(std::move(a));
  std::string error;
  for (const char* text : thresholds) {
    auto t = shared::parse_threshold(text, &error);
    EXPECT_TRUE(t) << text << ": " << error;
    if (t) r.scenario.thresholds.push_back(std::move(*t));
  }
  evaluate_thresholds(r);
  return r;
}

RunReport report_of(StageResult stage) {
  RunReport report;
  report.name = stage.scenario.name;
  report.agents_mode = "local";
  report.stages.push_back(std::move(stage));
  return report;
}

TEST(SessionsReport, StagePartsNameEveryPartOfAV2ScenarioOnly) {
  const auto parts = stage_parts(v2_scenario());
  EXPECT_EQ(parts.group_names, (std::vector<std::string>{"listeners", "publishers"}));
  EXPECT_EQ(parts.stream_names, (std::vector<std::string>{"ping", "chat", "publish"}));
  EXPECT_EQ(parts.step_names, (std::vector<std::string>{"subscribe", "settle", "unsubscribe"}));
  shared::Scenario v1;
  v1.messages = shared::MessagesSpec{};
  EXPECT_TRUE(stage_parts(v1).group_names.empty());
  EXPECT_TRUE(stage_parts(v1).stream_names.empty());
}

TEST(SessionsReport, ThresholdsOnPartsReadTheStagesParts) {
  const auto r =
      v2_stage({"streams.ping.latency.max < 5ms", "streams.ping.timeouts == 2",
                "streams.chat.latency.p99 < 5ms", "steps.subscribe.failed == 0",
                "steps.subscribe.latency.p50 <= 1.5ms", "groups.listeners.connections.open == 5",
                "groups.listeners.connections.success_rate >= 80%",
                "groups.publishers.connections.success_rate == 100%",
                "groups.listeners.messages.unsent == 4", "sessions.failed <= 1"});
  ASSERT_EQ(r.thresholds.size(), 10u);
  struct Expect {
    bool available;
    double actual;
    bool passed;
  };
  const Expect expected[] = {
      {true, 4, true}, {true, 2, true},  {false, 0, false}, {true, 1, false}, {true, 1.5, true},
      {true, 5, true}, {true, 80, true}, {true, 100, true}, {true, 4, true},  {true, 1, true}};
  for (size_t i = 0; i < r.thresholds.size(); ++i) {
    const auto& t = r.thresholds[i];
    EXPECT_EQ(t.available, expected[i].available) << t.expression;
    EXPECT_NEAR(t.actual, expected[i].actual, 0.002) << t.expression;
    EXPECT_EQ(t.passed, expected[i].passed) << t.expression;
    EXPECT_EQ(t.metric, t.expression.substr(0, t.expression.find(' ')));
  }
  EXPECT_DOUBLE_EQ(*metric_value(r, "streams.publish.sent"), 5);
  EXPECT_DOUBLE_EQ(*metric_value(r, "groups.publishers.connections.attempted"), 1);
  EXPECT_FALSE(metric_value(r, "streams.nope.sent"));
}

TEST(SessionsReport, APartThatRecordedNothingReadsLikeAnEmptyTotal) {
  auto r = v2_stage();
  r.totals.parts = {};  // no agent reported parts yet
  std::string error;
  for (const char* text : {"streams.ping.sent == 0", "streams.ping.latency.p99 < 5ms",
                           "groups.listeners.errors.rate < 1%", "steps.subscribe.ok == 0",
                           "streams.unknown.sent == 0"}) {
    r.scenario.thresholds.push_back(*shared::parse_threshold(text, &error));
  }
  evaluate_thresholds(r);
  ASSERT_EQ(r.thresholds.size(), 5u);
  EXPECT_TRUE(r.thresholds[0].passed);
  EXPECT_FALSE(r.thresholds[1].available);  // like latency.p99 without samples
  EXPECT_TRUE(r.thresholds[2].passed);      // like errors.rate over nothing: 0 %
  EXPECT_TRUE(r.thresholds[3].passed);
  EXPECT_FALSE(r.thresholds[4].available);  // not a part of the scenario
  EXPECT_FALSE(r.thresholds[4].passed);
}

TEST(SessionsReport, TextSummaryHasASessionsBlockAfterTheGuideBlocks) {
  std::ostringstream out;
  write_stage_summary(out, v2_stage());
  const auto text = out.str();
  const std::string expected =
      "\nSessions:\n"
      "   Sessions Failed: 1 (subscribe 1)\n"
      "   group  listeners    attempted 10  established 8  failed 2  sessions failed 1\n"
      "   group  publishers   attempted 1  established 1  failed 0  sessions failed 0\n"
      "   step   subscribe    ok 7  failed 1 (timeout 1)  p50 1.500ms  p99 1.500ms  max 1.500ms\n"
      "   step   settle       ok 7  failed 0\n"
      "   step   unsubscribe  ok 2  failed 5 (unsent 5)\n"
      "   stream ping         sent 30  replies 28  timeouts 2  unsent 0  avg 2.500ms  p50 2.000ms  "
      "p99 4.000ms  max 4.000ms\n"
      "   stream chat         sent 10  replies 0  timeouts 0  unsent 4  avg -  p50 -  p99 -  max "
      "-\n"
      "   stream publish      sent 5  replies 5  timeouts 0  unsent 0  avg 0.800ms  p50 0.800ms  "
      "p99 0.800ms  max 0.800ms\n"
      "\nAgents:\n";
  EXPECT_NE(text.find(expected), std::string::npos) << text;
  EXPECT_LT(text.find("Latency Metrics"), text.find("Sessions:"));
  std::ostringstream unjudged;
  write_text_summary(unjudged, report_of(v2_stage()));
  // errors.count counts the failed session: 2 failed connections apart, 2 timeouts, 4 unsent, 1.
  EXPECT_NE(unjudged.str().find("(2 failed connections, 7 unexpected disconnects/timeouts/protocol "
                                "errors/unsent requests/failed sessions)"),
            std::string::npos)
      << unjudged.str();
  // A v1 stage has no such block.
  auto v1 = v2_stage();
  v1.scenario.groups.clear();
  std::ostringstream v1_out;
  write_stage_summary(v1_out, v1);
  EXPECT_EQ(v1_out.str().find("Sessions"), std::string::npos);
}

TEST(SessionsReport, JsonHasTheSectionsAndReadsBackExactly) {
  const auto report = report_of(v2_stage({"streams.ping.latency.max < 5ms"}));
  const auto j = report_to_json(report);
  EXPECT_EQ(j["scenario"]["groups"][0]["name"], "listeners");
  EXPECT_EQ(j["scenario"]["groups"][0]["weight"], 9);
  EXPECT_EQ(j["scenario"]["groups"][1]["connections"], 1);
  EXPECT_EQ(j["scenario"]["groups"][0]["streams"], nlohmann::json({"ping", "chat"}));
  EXPECT_EQ(j["scenario"]["groups"][0]["on_open"], nlohmann::json({"subscribe", "settle"}));
  EXPECT_EQ(j["scenario"]["groups"][0]["on_close"], nlohmann::json({"unsubscribe"}));
  EXPECT_EQ(j["groups"]["listeners"]["connections"]["attempted"], 10);
  EXPECT_EQ(j["groups"]["listeners"]["connections"]["open"], 5);
  EXPECT_DOUBLE_EQ(j["groups"]["listeners"]["connections"]["success_rate"].get<double>(), 80);
  EXPECT_EQ(j["groups"]["listeners"]["connections"]["failures"]["refused"], 2);
  EXPECT_EQ(j["groups"]["listeners"]["messages"]["unsent"], 4);
  EXPECT_EQ(j["groups"]["listeners"]["sessions"]["failed"], 1);
  EXPECT_FALSE(j["groups"]["listeners"]["connections"].contains("peak_open"));
  EXPECT_EQ(j["streams"]["ping"]["sent"], 30);
  EXPECT_EQ(j["streams"]["ping"]["timeouts"], 2);
  EXPECT_EQ(j["streams"]["chat"]["unsent"], 4);
  EXPECT_DOUBLE_EQ(j["streams"]["ping"]["latency"]["max_ms"].get<double>(), 4);
  EXPECT_EQ(j["streams"]["ping"]["latency"]["count"], 4);
  EXPECT_EQ(j["streams"]["ping"]["latency"]["histogram"]["unit"], "us");
  EXPECT_TRUE(j["streams"]["chat"]["latency"]["p99_ms"].is_null());
  EXPECT_EQ(j["steps"]["subscribe"]["ok"], 7);
  EXPECT_EQ(j["steps"]["subscribe"]["failures"]["timeout"], 1);
  EXPECT_EQ(j["steps"]["unsubscribe"]["failed"], 5);
  EXPECT_EQ(j["sessions"]["failed"], 1);
  EXPECT_EQ(j["sessions"]["by_step"], nlohmann::json({{"subscribe", 1}}));
  EXPECT_EQ(j["thresholds"][0]["metric"], "streams.ping.latency.max");
  EXPECT_NE(
      std::find(j["summary"]["errors"].begin(), j["summary"]["errors"].end(), "failed sessions: 1"),
      j["summary"]["errors"].end())
      << j["summary"]["errors"];

  const auto back = report_from_json(j);
  ASSERT_EQ(back.stages.size(), 1u);
  const auto& stage = back.stages[0];
  EXPECT_EQ(stage.totals.parts, report.stages[0].totals.parts);
  EXPECT_EQ(stage.totals.counters, report.stages[0].totals.counters);
  EXPECT_EQ(stage_parts(stage.scenario).step_names,
            stage_parts(report.stages[0].scenario).step_names);
  EXPECT_EQ(stage.scenario.groups[1].connections, 1u);
  EXPECT_EQ(stage.scenario.groups[1].target.url, "ws://127.0.0.1:1/ws?role=publisher");
  EXPECT_EQ(report_to_json(back), j);
  // The text summary of the report read back is the one of the run.
  std::ostringstream run_text, read_text;
  write_text_summary(run_text, report);
  write_text_summary(read_text, back);
  EXPECT_EQ(read_text.str(), run_text.str());
}

TEST(SessionsReport, JsonReaderNamesAMissingPart) {
  auto j = report_to_json(report_of(v2_stage()));
  j["streams"].erase("chat");
  try {
    report_from_json(j);
    FAIL() << "a report without streams.chat was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "missing field streams.chat");
  }
}

TEST(SessionsReport, V1JsonHasNoPartSections) {
  auto stage = v2_stage();
  stage.scenario.groups.clear();
  const auto j = report_to_json(report_of(std::move(stage)));
  for (const char* key : {"groups", "streams", "steps", "sessions"}) EXPECT_FALSE(j.contains(key));
  EXPECT_FALSE(j["scenario"].contains("groups"));
}

TEST(SessionsReport, HtmlHasASessionsTable) {
  const auto html = report_to_html(report_of(v2_stage()));
  EXPECT_NE(html.find("<h3>Sessions</h3><p>sessions failed 1 (subscribe 1)</p>"),
            std::string::npos);
  EXPECT_NE(html.find("<tr><td>listeners</td><td>10</td><td>8</td><td>2 (refused 2)</td><td>5</"
                      "td><td>1</td></tr>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<tr><td>subscribe</td><td>7</td><td>1 (timeout 1)</td><td>1.500 ms</"
                      "td><td>1.500 ms</td><td>1.500 ms</td></tr>"),
            std::string::npos);
  EXPECT_NE(html.find("<tr><td>ping</td><td>30</td><td>28</td><td>2</td><td>0</td><td>2.500 "
                      "ms</td><td>2.000 ms</td><td>4.000 ms</td><td>4.000 ms</td></tr>"),
            std::string::npos);
  EXPECT_NE(html.find("<tr><td>chat</td><td>10</td><td>0</td><td>0</td><td>4</td><td>-</td>"),
            std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);  // still self-contained
  auto v1 = v2_stage();
  v1.scenario.groups.clear();
  EXPECT_EQ(report_to_html(report_of(std::move(v1))).find("Sessions"), std::string::npos);
}

TEST(SessionsReport, JunitHasOneCasePerPartThreshold) {
  const auto xml = report_to_junit(
      report_of(v2_stage({"streams.ping.latency.max < 5ms", "steps.subscribe.failed == 0"})));
  EXPECT_NE(xml.find("tests=\"2\" failures=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<testcase classname=\"sessions.thresholds\" name=\"streams.ping.latency.max "
                     "&lt; 5ms\"></testcase>"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<failure message=\"steps.subscribe.failed == 0 (actual 1.000)\"/>"),
            std::string::npos)
      << xml;
}

// Every sample's family was announced once, just before its samples (the text format's rule).
void expect_families_grouped(const std::string& text) {
  std::set<std::string> announced;
  std::string current;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# TYPE ", 0) == 0) {
      current = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_TRUE(announced.insert(current).second) << "announced twice: " << current;
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    std::string name = line.substr(0, line.find_first_of("{ "));
    // A histogram's samples are its name with _bucket, _sum or _count.
    for (const std::string suffix : {"_bucket", "_sum", "_count"}) {
      if (name == current + suffix) name = current;
    }
    EXPECT_EQ(name, current) << line;
  }
}

TEST(SessionsExposition, FamiliesPerGroupStreamAndStepWithLabels) {
  const auto r = v2_stage();
  const auto text = live_exposition(r.totals, "s", 10, 6, 8, 1, 1, stage_parts(r.scenario));
  expect_families_grouped(text);
  for (const char* line : {
           "wsload_sessions_failed_total{stage=\"s\"} 1\n",
           "wsload_group_connections_attempted_total{stage=\"s\",group=\"listeners\"} 10\n",
           "wsload_group_connections_established_total{stage=\"s\",group=\"publishers\"} 1\n",
           "wsload_group_connections_open{stage=\"s\",group=\"listeners\"} 5\n",
           "wsload_group_connection_failures_total{stage=\"s\",group=\"listeners\",reason="
           "\"refused\"} 2\n",
           "wsload_group_messages_unsent_total{stage=\"s\",group=\"listeners\",reason=\"closed\"} "
           "4\n",
           "wsload_group_sessions_failed_total{stage=\"s\",group=\"listeners\"} 1\n",
           "wsload_stream_requests_sent_total{stage=\"s\",stream=\"ping\"} 30\n",
           "wsload_stream_replies_total{stage=\"s\",stream=\"ping\"} 28\n",
           "wsload_stream_timeouts_total{stage=\"s\",stream=\"ping\"} 2\n",
           "wsload_stream_requests_unsent_total{stage=\"s\",stream=\"chat\"} 4\n",
           // ping's samples: 1, 2, 3 and 4 ms
           "# TYPE wsload_stream_latency_seconds histogram\n",
           "wsload_stream_latency_seconds_bucket{stage=\"s\",stream=\"ping\",le=\"0.0005\"} 0\n",
           "wsload_stream_latency_seconds_bucket{stage=\"s\",stream=\"ping\",le=\"0.001\"} 1\n",
           "wsload_stream_latency_seconds_bucket{stage=\"s\",stream=\"ping\",le=\"0.0025\"} 2\n",
           "wsload_stream_latency_seconds_bucket{stage=\"s\",stream=\"ping\",le=\"0.005\"} 4\n",
           "wsload_stream_latency_seconds_bucket{stage=\"s\",stream=\"ping\",le=\"+Inf\"} 4\n",
           "wsload_stream_latency_seconds_sum{stage=\"s\",stream=\"ping\"} 0.01\n",
           "wsload_stream_latency_seconds_count{stage=\"s\",stream=\"ping\"} 4\n",
           // a stream without samples has its (empty) series from the start
           "wsload_stream_latency_seconds_count{stage=\"s\",stream=\"chat\"} 0\n",
           "wsload_step_ok_total{stage=\"s\",step=\"subscribe\"} 7\n",
           "wsload_step_failed_total{stage=\"s\",step=\"subscribe\",reason=\"timeout\"} 1\n",
           "wsload_step_failed_total{stage=\"s\",step=\"settle\",reason=\"capture_missing\"} 0\n",
           "wsload_step_failed_total{stage=\"s\",step=\"unsubscribe\",reason=\"unsent\"} 5\n",
           "wsload_step_latency_seconds_bucket{stage=\"s\",step=\"subscribe\",le=\"0.001\"} 0\n",
           "wsload_step_latency_seconds_bucket{stage=\"s\",step=\"subscribe\",le=\"0.0025\"} "
           "1\n",
           "wsload_step_latency_seconds_sum{stage=\"s\",step=\"subscribe\"} 0.0015\n",
           "# TYPE wsload_step_failed_total counter\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\nin\n" << text;
  }
  // Base units only: no quantile gauges, nothing in milliseconds; no peak per group.
  EXPECT_EQ(text.find("quantile"), std::string::npos);
  EXPECT_EQ(text.find("milliseconds"), std::string::npos);
  EXPECT_EQ(text.find("wsload_group_connections_peak_open"), std::string::npos);
  // A v1 stage (no part names) has none of these families.
  const auto v1 = live_exposition(r.totals, "s", 10, 6, 8, 1, 1, {});
  for (const char* family :
       {"wsload_sessions_failed", "wsload_group_", "wsload_stream_", "wsload_step_"}) {
    EXPECT_EQ(v1.find(family), std::string::npos) << family;
  }
}

TEST(SessionsExposition, LabelValuesAreEscaped) {
  shared::PartIndex parts;
  parts.group_names = {"a\"b\\c"};
  parts.stream_names = {"new\nline"};
  shared::MetricsDelta d;
  d.parts.groups.resize(1);
  d.parts.groups[0].connections_attempted = 3;
  d.parts.streams.resize(1);
  d.parts.streams[0].sent = 2;
  const auto text = live_exposition(d, "s", 1, 0, 0, 1, 1, parts);
  EXPECT_NE(text.find("wsload_group_connections_attempted_total{stage=\"s\",group=\"a\\\"b\\\\c\"} "
                      "3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("wsload_stream_requests_sent_total{stage=\"s\",stream=\"new\\nline\"} 2\n"),
            std::string::npos)
      << text;
}

TEST(SessionsLiveView, SnapshotHasEveryStreamAndTheFailedSteps) {
  const auto r = v2_stage();
  const auto s = live_snapshot(r.totals, 2, 4, 8, "hold", 6, 10, 3, 1, 1, stage_parts(r.scenario));
  ASSERT_EQ(s.streams.size(), 3u);
  EXPECT_EQ(s.streams[0].name, "ping");
  EXPECT_DOUBLE_EQ(s.streams[0].sent_per_s, 15);  // 30 over 2 s
  EXPECT_TRUE(s.streams[0].has_latency);
  EXPECT_DOUBLE_EQ(s.streams[0].p99_ms, 4);
  EXPECT_EQ(s.streams[0].timeouts, 2u);
  EXPECT_FALSE(s.streams[1].has_latency);
  EXPECT_EQ(s.steps_failed,
            (std::vector<std::pair<std::string, uint64_t>>{{"subscribe", 1}, {"unsubscribe", 5}}));
  const auto line = LiveView::plain_line(s);
  EXPECT_NE(line.find("\n           streams: ping 15.0/s p99 4.00ms timeouts 2 | chat 5.0/s p99 - "
                      "| publish 2.5/s p99 0.80ms  steps failed: subscribe 1, unsubscribe 5"),
            std::string::npos)
      << line;
  const auto v1 = live_snapshot(r.totals, 2, 4, 8, "hold", 6, 10, 3, 1, 1, {});
  EXPECT_TRUE(v1.streams.empty());
  EXPECT_EQ(LiveView::plain_line(v1).find('\n'), std::string::npos);
}

}  // namespace
}  // namespace wsload::controller
