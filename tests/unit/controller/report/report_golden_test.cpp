// Every format that shows metrics, rendered from one fully populated stage and compared byte for
// byte with the files in tests/data/reports/ (written by the code before the metric table, so the
// table changed no output). WSLOAD_UPDATE_GOLDEN=1 rewrites them instead of comparing.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "report/interval_views.hpp"
#include "wsload/controller/reports.hpp"
#include "wsload/controller/run_metrics.hpp"

namespace wsload::controller {
namespace {

shared::MetricsDelta populated_delta(uint64_t scale) {
  shared::MetricsDelta d;
  auto& c = d.counters;
  c.connections_attempted = 12 * scale;
  c.connections_established = 9 * scale;
  c.connections_failed = 3 * scale;
  c.connections_closed = 4 * scale;
  c.disconnects_unexpected = 2 * scale;
  c.reconnects = 1 * scale;
  c.messages_sent = 300 * scale;
  c.messages_received = 320 * scale;
  c.replies = 280 * scale;
  c.timeouts = 7 * scale;
  c.late_replies = 2 * scale;
  c.unmatched = 3 * scale;
  c.protocol_errors = 1 * scale;
  c.bytes_sent = 12345 * scale;
  c.bytes_received = 23456 * scale;
  c.bytes_sent_wire = c.bytes_sent;  // no compression: the wire carries the payloads as they are
  c.bytes_received_wire = c.bytes_received;
  c.push_received = 40 * scale;
  c.push_gaps = 5 * scale;
  c.push_duplicates = 2 * scale;
  c.push_reordered = 1 * scale;
  c.push_resets = 1 * scale;
  c.sends_behind_schedule = 6 * scale;
  c.max_schedule_lag_us = 4321 * scale;
  c.failures = {{"http_503", 2 * scale}, {"refused", 1 * scale}};
  c.disconnects = {{"close_1006", 2 * scale}, {"close_1000", 2 * scale}};
  c.unsent = {{"peer_not_reading", 5 * scale}, {"closed", 1 * scale}};
  for (int v : {120, 250, 900, 4000, 12000, 7, 33, 1000, 1001})
    d.latency.record(v * static_cast<int>(scale));
  for (int v : {100, 200, 800}) d.latency_service.record(v * static_cast<int>(scale));
  for (int v : {700, 900, 1500, 30000}) d.connect_time.record(v);
  for (int v : {50, 60, 70, 4000}) d.push_latency.record(v);
  d.reconnect_time.record(420'000 * static_cast<int>(scale));  // of c.reconnects attempts
  return d;
}

StageResult populated_stage() {
  StageResult r;
  r.scenario.name = "golden";
  r.scenario.description = "every figure set";
  r.scenario.target.url = "ws://127.0.0.1:1/ws";
  r.scenario.load.connections = 9;
  r.scenario.load.ramp_up = std::chrono::seconds(3);
  r.scenario.load.hold = std::chrono::seconds(5);
  r.scenario.messages = shared::MessagesSpec{};
  r.duration_s = 8.25;
  r.start_unix_ms = 1'800'000'000'000;
  r.peak_open = 8;
  for (uint64_t scale : {1, 2}) {
    AgentResult a;
    a.endpoint = "127.0.0.1:700" + std::to_string(scale);
    a.hostname = "h" + std::to_string(scale);
    a.share = 3 * scale;
    a.finished = scale == 1;
    a.lost = scale == 2;
    a.loss_reason = a.lost ? "stream closed" : "";
    a.open_connections = 2 * scale;
    a.in_flight = scale;
    a.clock_offset_us = 1500;
    a.totals = populated_delta(scale);
    r.totals.merge(a.totals);
    r.agents.push_back(std::move(a));
  }
  r.partial = true;
  std::string error;
  for (const char* text :
       {"latency.p99 < 5ms", "connections.success_rate >= 50%", "errors.rate < 10%",
        "messages.rate > 1", "push.latency.avg < 1s", "schedule.max_lag < 1ms",
        "connections.open == 6", "messages.unsent == 0"}) {
    r.scenario.thresholds.push_back(*shared::parse_threshold(text, &error));
  }
  evaluate_thresholds(r);
  for (int i = 1; i <= 3; ++i) {
    r.timeline.push_back(
        timeline_point(populated_delta(static_cast<uint64_t>(i)), i, "hold", 6, 9, 2));
  }
  return r;
}

std::string golden_path(const std::string& name) {
  return std::string(WSLOAD_TEST_DATA_DIR) + "/reports/" + name;
}

void expect_golden(const std::string& name, const std::string& actual) {
  if (std::getenv("WSLOAD_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden_path(name), std::ios::binary) << actual;
    return;
  }
  std::ifstream in(golden_path(name), std::ios::binary);
  ASSERT_TRUE(in) << golden_path(name);
  std::ostringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(actual, expected.str()) << name;
}

RunReport populated_report() {
  RunReport report;
  report.name = "golden";
  report.agents_mode = "local";
  report.stages.push_back(populated_stage());
  return report;
}

TEST(ReportGolden, TextSummary) {
  std::ostringstream out;
  write_text_summary(out, populated_report());
  expect_golden("stage.txt", out.str());
}

TEST(ReportGolden, Json) {
  auto j = report_to_json(populated_report());
  j["tool"]["version"] = "golden";
  expect_golden("stage.json", j.dump(1) + "\n");
}

TEST(ReportGolden, Html) { expect_golden("stage.html", report_to_html(populated_report())); }

TEST(ReportGolden, Junit) { expect_golden("stage.junit.xml", report_to_junit(populated_report())); }

TEST(ReportGolden, PrometheusExposition) {
  const auto d = populated_delta(3);
  expect_golden("stage.prom", live_exposition(d, "golden", 4.5, 7, 8, 2, 3, {}));
  expect_golden("empty.prom", live_exposition(shared::MetricsDelta{}, "empty", 0, 0, 0, 0, 1, {}));
}

TEST(ReportGolden, LiveViewAndTimeline) {
  const auto d = populated_delta(2);
  auto s = live_snapshot(d, 0.5, 4, 8, "hold", 6, 9, 17, 2, 2, {});
  std::string text = LiveView::plain_line(s) + "\n" + LiveView::panel(s);
  const auto p = timeline_point(d, 2.5, "ramp-up", 5, 9, 2);
  text += fmt::format("{} {} {} {} {} {} {} {} {} {} {}\n", p.established, p.failed, p.sent,
                      p.received, p.timeouts, p.errors, p.latency_p50_ms, p.latency_p99_ms,
                      p.latency_max_ms, p.open_connections, p.target_connections);
  expect_golden("live.txt", text);
}

}  // namespace
}  // namespace wsload::controller
