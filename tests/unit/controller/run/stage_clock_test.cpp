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

TEST(PhaseAt, NamesTheRunningStageAndItsTarget) {
  shared::LoadSpec load;
  load.stages = {{60, 1s}, {60, 1s}, {120, 500ms}, {0, 1s}};
  EXPECT_EQ(phase_at(-1ms, load), "starting");
  EXPECT_EQ(phase_at(0s, load), "stage 1/4 → 60");
  EXPECT_EQ(phase_at(1s, load), "stage 2/4 → 60");
  EXPECT_EQ(phase_at(2499ms, load), "stage 3/4 → 120");
  EXPECT_EQ(phase_at(2500ms, load), "stage 4/4 → 0");
  EXPECT_EQ(phase_at(3500ms, load), "drain");
}

TEST(PhaseAt, ArrivalsThenTheirDrain) {
  shared::LoadSpec load;
  load.arrival = shared::ArrivalSpec{.count = 40, .per = 1s, .lifetime = 300ms, .duration = 2s};
  load.connections = 80;
  EXPECT_EQ(phase_at(0s, load), "arrivals");
  EXPECT_EQ(phase_at(1999ms, load), "arrivals");
  EXPECT_EQ(phase_at(2s, load), "draining");  // the last arrival (at 1975 ms) lives until 2275 ms
  EXPECT_EQ(phase_at(2274ms, load), "draining");
  EXPECT_EQ(phase_at(2275ms, load), "drain");
}

TEST(PlannedLength, IsTheLoadPlansEndForEveryShape) {
  shared::Scenario s;
  s.load.stages = {{10, 1s}, {0, 2s}};
  s.load.connections = 10;
  EXPECT_EQ(planned_length(s), 3s);
  s.load.stages.clear();
  s.load.arrival = shared::ArrivalSpec{.count = 40, .per = 1s, .lifetime = 300ms, .duration = 2s};
  s.load.connections = 80;
  EXPECT_EQ(planned_length(s), 2275ms);
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
