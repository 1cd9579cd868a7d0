// Compression over the wire (proto/convert*.cpp): target.compression reaches the agent for a v1
// scenario and per group, and the bytes on the wire come back to the controller.
#include <gtest/gtest.h>

#include "wsload/proto/convert.hpp"

namespace wsload::proto {
namespace {

shared::Scenario scenario_through_wire(const shared::Scenario& s) {
  v1::ScenarioSpec parsed;
  EXPECT_TRUE(parsed.ParseFromString(to_wire(s, "").SerializeAsString()));
  return from_wire(parsed, nullptr);
}

TEST(ConvertCompression, TargetCompressionSurvivesTheWire) {
  shared::Scenario s;
  s.target.url = "ws://h:1/ws";
  EXPECT_EQ(scenario_through_wire(s).target.compression, shared::Compression::kNone);
  s.target.compression = shared::Compression::kDeflate;
  EXPECT_EQ(scenario_through_wire(s).target.compression, shared::Compression::kDeflate);

  s.groups.resize(2);
  s.groups[0].name = "a";
  s.groups[0].target.url = "ws://h:1/a";
  s.groups[0].target.compression = shared::Compression::kDeflate;
  s.groups[1].name = "b";
  s.groups[1].target.url = "ws://h:1/b";
  const shared::Scenario got = scenario_through_wire(s);
  ASSERT_EQ(got.groups.size(), 2u);
  EXPECT_EQ(got.groups[0].target.compression, shared::Compression::kDeflate);
  EXPECT_EQ(got.groups[1].target.compression, shared::Compression::kNone);
}

TEST(ConvertCompression, WireBytesSurviveTheWire) {
  shared::MetricsDelta want;
  want.counters.bytes_sent = 10'000;
  want.counters.bytes_sent_wire = 1'234;
  want.counters.bytes_received = 20'000;
  want.counters.bytes_received_wire = 2'345;
  v1::Metrics wire;
  to_wire(want, &wire);
  v1::Metrics parsed;
  ASSERT_TRUE(parsed.ParseFromString(wire.SerializeAsString()));
  shared::MetricsDelta got;
  ASSERT_TRUE(from_wire(parsed, &got));
  EXPECT_EQ(got.counters, want.counters);
}

}  // namespace
}  // namespace wsload::proto
