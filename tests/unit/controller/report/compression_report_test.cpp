// permessage-deflate in the reports (issue 14): the text line "Bytes: sent X (wire Y), ..." and the
// JSON messages.bytes_sent_wire/bytes_received_wire (stage, agents; exact round trip), only where
// compression was asked for or changed the wire, so runs without it report as before.
#include <gtest/gtest.h>

#include <sstream>

#include "wsload/controller/reports.hpp"

namespace wsload::controller {
namespace {

StageResult stage(bool compression, uint64_t sent_wire, uint64_t received_wire) {
  StageResult r;
  r.scenario.name = "deflate";
  r.scenario.target.url = "ws://127.0.0.1:1/ws";
  if (compression) r.scenario.target.compression = shared::Compression::kDeflate;
  r.scenario.load.connections = 2;
  r.scenario.load.ramp_up = std::chrono::seconds(1);
  r.scenario.load.hold = std::chrono::seconds(2);
  r.duration_s = 3;
  r.start_unix_ms = 1'800'000'000'000;
  r.peak_open = 2;
  AgentResult a;
  a.endpoint = "127.0.0.1:7000";
  a.hostname = "h";
  a.share = 2;
  a.finished = true;
  auto& c = a.totals.counters;
  c.connections_attempted = c.connections_established = 2;
  c.messages_sent = c.messages_received = c.replies = 40;
  c.bytes_sent = 60'000;
  c.bytes_received = 61'000;
  c.bytes_sent_wire = sent_wire;
  c.bytes_received_wire = received_wire;
  a.totals.connect_time.record(800);
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

TEST(CompressionReport, TextShowsBytesBeforeCompressionAndOnTheWire) {
  const std::string t = text(stage(true, 9'100, 8'200));
  EXPECT_NE(t.find("   Bytes: sent 60000 (wire 9100), received 61000 (wire 8200)\n"),
            std::string::npos)
      << t;
  EXPECT_LT(t.find("Message Metrics"), t.find("Bytes: sent"));
  EXPECT_LT(t.find("Bytes: sent"), t.find("Latency Metrics"));
  // Asked for but declined by the server: the line says so by equal figures.
  EXPECT_NE(text(stage(true, 60'000, 61'000))
                .find("   Bytes: sent 60000 (wire 60000), received 61000 (wire 61000)\n"),
            std::string::npos);
}

TEST(CompressionReport, NothingWithoutCompression) {
  const StageResult r = stage(false, 60'000, 61'000);
  EXPECT_EQ(text(r).find("Bytes:"), std::string::npos);
  const auto j = report_to_json(report_of(r));
  EXPECT_FALSE(j["messages"].contains("bytes_sent_wire")) << j["messages"].dump();
  EXPECT_FALSE(j["agents"][0]["messages"].contains("bytes_sent_wire"));
  EXPECT_FALSE(j["scenario"].contains("compression"));
  // Read back, the wire figures are the payload figures again.
  const RunReport back = report_from_json(j);
  EXPECT_EQ(back.stages[0].totals.counters.bytes_sent_wire, 60'000u);
  EXPECT_EQ(back.stages[0].agents[0].totals.counters.bytes_received_wire, 61'000u);
}

TEST(CompressionReport, JsonWireBytesRoundTripExactly) {
  const RunReport report = report_of(stage(true, 9'100, 8'200));
  const auto j = report_to_json(report);
  EXPECT_EQ(j["scenario"]["compression"], "deflate");
  EXPECT_EQ(j["messages"]["bytes_sent"], 60'000);
  EXPECT_EQ(j["messages"]["bytes_sent_wire"], 9'100);
  EXPECT_EQ(j["messages"]["bytes_received_wire"], 8'200);
  EXPECT_EQ(j["agents"][0]["messages"]["bytes_sent_wire"], 9'100);
  const RunReport back = report_from_json(j);
  ASSERT_EQ(back.stages.size(), 1u);
  EXPECT_EQ(back.stages[0].totals.counters, report.stages[0].totals.counters);
  EXPECT_EQ(back.stages[0].agents[0].totals.counters, report.stages[0].agents[0].totals.counters);
  EXPECT_EQ(back.stages[0].scenario.target.compression, shared::Compression::kDeflate);
  EXPECT_EQ(report_to_json(back), j);
  // A text summary re-rendered from the JSON shows the same line.
  EXPECT_NE(text(back.stages[0]).find("Bytes: sent 60000 (wire 9100)"), std::string::npos);
}

}  // namespace
}  // namespace wsload::controller

namespace wsload::controller {
namespace {

TEST(CompressionReport, HtmlShowsTheWireBytesOnlyWithCompression) {
  EXPECT_NE(report_to_html(report_of(stage(true, 9'100, 8'200)))
                .find("bytes sent 60000 (wire 9100), received 61000 (wire 8200)"),
            std::string::npos);
  EXPECT_EQ(report_to_html(report_of(stage(false, 60'000, 61'000))).find("(wire "),
            std::string::npos);
}

}  // namespace
}  // namespace wsload::controller
