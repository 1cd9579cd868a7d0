// Reconnects in the reports (issue 14): the text line and the HTML line, and the JSON
// distribution connections.reconnect_time (exact round trip), only where something reconnected.
#include <gtest/gtest.h>

#include <sstream>

#include "wsload/controller/reports.hpp"

namespace wsload::controller {
namespace {

StageResult stage(uint64_t reconnects, std::initializer_list<int64_t> reconnect_us) {
  StageResult r;
  r.scenario.name = "restart";
  r.scenario.target.url = "ws://127.0.0.1:1/ws";
  r.scenario.load.connections = 4;
  r.scenario.load.ramp_up = std::chrono::seconds(1);
  r.scenario.load.hold = std::chrono::seconds(2);
  r.duration_s = 3;
  r.start_unix_ms = 1'800'000'000'000;
  r.peak_open = 4;
  AgentResult a;
  a.endpoint = "127.0.0.1:7000";
  a.hostname = "h";
  a.share = 4;
  a.finished = true;
  auto& c = a.totals.counters;
  c.connections_attempted = 4 + reconnects;
  c.connections_established = 4 + reconnect_us.size();
  c.connections_failed = c.connections_attempted - c.connections_established;
  c.disconnects_unexpected = reconnects > 0 ? 4 : 0;
  c.reconnects = reconnects;
  a.totals.connect_time.record(800);
  for (int64_t us : reconnect_us) a.totals.reconnect_time.record(us);
  r.agents.push_back(a);
  r.totals = a.totals;
  return r;
}

std::string text(const StageResult& r) {
  std::ostringstream out;
  write_stage_summary(out, r);
  return out.str();
}

RunReport report_of(StageResult r) {
  RunReport report;
  report.name = r.scenario.name;
  report.stages.push_back(std::move(r));
  return report;
}

TEST(ReconnectReport, TextLineWithAttemptsAndTheTimeToReconnect) {
  const std::string t = text(stage(6, {200'000, 400'000, 600'000, 1'600'000}));
  // p50 is the histogram's value for 400 ms (3 significant digits); avg and max are exact.
  EXPECT_NE(t.find("   Reconnects: 6 attempts (4 reconnected), time to reconnect avg 700.000ms  "
                   "p50 400.127ms  p99 1600.000ms  max 1600.000ms\n"),
            std::string::npos)
      << t;
  // Inside the Connection Metrics block, after the disconnects that caused them.
  EXPECT_LT(t.find("Unexpected Disconnects"), t.find("Reconnects:"));
  EXPECT_LT(t.find("Reconnects:"), t.find("Message Metrics"));
}

TEST(ReconnectReport, AttemptsThatNeverReconnectedShowNoTime) {
  const std::string t = text(stage(3, {}));
  EXPECT_NE(t.find("   Reconnects: 3 attempts (0 reconnected), time to reconnect avg -  p50 -  "
                   "p99 -  max -\n"),
            std::string::npos)
      << t;
}

TEST(ReconnectReport, NothingWithoutReconnects) {
  const StageResult r = stage(0, {});
  EXPECT_EQ(text(r).find("Reconnects"), std::string::npos);
  const auto j = report_to_json(report_of(r));
  EXPECT_FALSE(j["connections"].contains("reconnect_time")) << j["connections"].dump();
  EXPECT_EQ(j["connections"]["reconnects"], 0);
  EXPECT_EQ(report_to_html(report_of(r)).find("reconnect"), std::string::npos);
}

TEST(ReconnectReport, JsonDistributionRoundTripsExactly) {
  const RunReport report = report_of(stage(5, {150'000, 330'000, 990'000}));
  const auto j = report_to_json(report);
  const auto& d = j["connections"]["reconnect_time"];
  EXPECT_EQ(d["count"], 3);
  EXPECT_DOUBLE_EQ(d["max_ms"].get<double>(), 990.0);
  EXPECT_TRUE(d["histogram"].contains("encoded"));
  const RunReport back = report_from_json(j);
  ASSERT_EQ(back.stages.size(), 1u);
  EXPECT_EQ(back.stages[0].totals.reconnect_time, report.stages[0].totals.reconnect_time);
  EXPECT_EQ(report_to_json(back), j);
  // A report written before reconnect_time existed reads back with an empty distribution.
  auto old = j;
  old["connections"].erase("reconnect_time");
  EXPECT_TRUE(report_from_json(old).stages[0].totals.reconnect_time.empty());
}

TEST(ReconnectReport, HtmlLineNearTheDisconnects) {
  const std::string html = report_to_html(report_of(stage(6, {200'000, 400'000})));
  const auto at = html.find("<br>reconnects 6 (2 reconnected)<br>time to reconnect avg 300");
  EXPECT_NE(at, std::string::npos);
  EXPECT_LT(html.find("unexpected disconnects"), at);
}

}  // namespace
}  // namespace wsload::controller
