// Reconnect over the wire (proto/convert.cpp, proto/convert_metrics.cpp): the backoff settings of
// the scenario reach the agent unchanged (the jittered delays depend on every one of them), and the
// time to reconnect comes back to the controller exactly.
#include <gtest/gtest.h>

#include "wsload/proto/convert.hpp"
#include "wsload/shared/reconnect_backoff.hpp"

namespace wsload::proto {
namespace {

using namespace std::chrono_literals;

shared::Scenario scenario_through_wire(const shared::Scenario& s) {
  v1::ScenarioSpec parsed;
  EXPECT_TRUE(parsed.ParseFromString(to_wire(s, "").SerializeAsString()));
  return from_wire(parsed, nullptr);
}

TEST(ConvertReconnect, BackoffSettingsSurviveTheWire) {
  shared::Scenario s;
  s.reconnect.enabled = true;
  s.reconnect.max_attempts = 5;
  s.reconnect.backoff = 200ms;
  s.reconnect.max_backoff = 1600ms;
  s.reconnect.jitter = true;
  s.reconnect.seed = 0xFFFF'FFFF'FFFF'FFF7ULL;  // all 64 bits travel
  const shared::ReconnectSpec got = scenario_through_wire(s).reconnect;
  EXPECT_TRUE(got.enabled);
  EXPECT_EQ(got.max_attempts, 5u);
  EXPECT_EQ(got.backoff, 200ms);
  EXPECT_EQ(got.max_backoff, 1600ms);
  EXPECT_TRUE(got.jitter);
  EXPECT_EQ(got.seed, s.reconnect.seed);
  for (uint32_t k = 1; k <= 5; ++k)
    EXPECT_EQ(shared::reconnect_delay(got, 41, k), shared::reconnect_delay(s.reconnect, 41, k));
}

TEST(ConvertReconnect, AFormatV1ReconnectKeepsItsFixedBackoff) {
  shared::Scenario s;
  s.reconnect.enabled = true;
  s.reconnect.backoff = 1s;
  const shared::ReconnectSpec got = scenario_through_wire(s).reconnect;
  EXPECT_EQ(got.max_backoff, 0s);
  EXPECT_FALSE(got.jitter);
  EXPECT_EQ(got.seed, 0u);
  EXPECT_EQ(shared::reconnect_delay(got, 3, 4), 1s);
}

TEST(ConvertReconnect, ReconnectTimeSurvivesTheWire) {
  shared::MetricsDelta want;
  want.counters.reconnects = 7;
  for (int64_t us : {150'000, 420'000, 1'900'000}) want.reconnect_time.record(us);
  v1::Metrics wire;
  to_wire(want, &wire);
  v1::Metrics parsed;
  ASSERT_TRUE(parsed.ParseFromString(wire.SerializeAsString()));
  shared::MetricsDelta got;
  got.reconnect_time.record(5);  // decoding replaces what was there
  ASSERT_TRUE(from_wire(parsed, &got));
  EXPECT_EQ(got.reconnect_time, want.reconnect_time);
  EXPECT_EQ(got.counters.reconnects, 7u);
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace wsload::proto
