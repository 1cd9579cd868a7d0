#include "run/stage_clock.hpp"

#include <gtest/gtest.h>

namespace wsload::controller {
namespace {

using namespace std::chrono_literals;

TEST(ClockSample, SymmetricPathGivesExactOffset) {
  // Agent clock 500 us ahead; 100 us each way; agent holds the probe 20 us.
  const auto s = clock_sample(1000, 1000 + 100 + 500, 1000 + 120 + 500, 1000 + 220);
  EXPECT_EQ(s.offset_us, 500);
  EXPECT_EQ(s.rtt_us, 200);
}

TEST(PhaseAt, FollowsTheLoadShape) {
  shared::LoadSpec load;
  load.ramp_up = 10s;
  load.hold = 30s;
  load.ramp_down = 5s;
  EXPECT_EQ(phase_at(-1ms, load), "starting");
  EXPECT_EQ(phase_at(0s, load), "ramp-up");
  EXPECT_EQ(phase_at(9999ms, load), "ramp-up");
  EXPECT_EQ(phase_at(10s, load), "hold");
  EXPECT_EQ(phase_at(40s, load), "ramp-down");
  EXPECT_EQ(phase_at(45s, load), "drain");
}

TEST(PlannedLength, IncludesTheRequestTimeoutForTheDrain) {
  shared::Scenario s;
  s.load.ramp_up = 10s;
  s.load.hold = 30s;
  s.load.ramp_down = 0s;
  EXPECT_EQ(planned_length(s), 40s);
  s.messages = shared::MessagesSpec{};
  s.messages->timeout = 5s;
  EXPECT_EQ(planned_length(s), 45s);
}

}  // namespace
}  // namespace wsload::controller
