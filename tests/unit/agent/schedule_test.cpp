#include "../../../agent/src/schedule.hpp"

#include <gtest/gtest.h>

namespace wsload::agent {
namespace {

using namespace std::chrono_literals;

TimePoint t(std::chrono::nanoseconds d) { return TimePoint(d); }

shared::LoadSpec load(std::chrono::nanoseconds ramp_up, std::chrono::nanoseconds hold,
                      std::chrono::nanoseconds ramp_down) {
  shared::LoadSpec l;
  l.ramp_up = ramp_up;
  l.hold = hold;
  l.ramp_down = ramp_down;
  return l;
}

// A worker's part of a ramp with every id: slot k is id k.
RunSchedule ramp(TimePoint t0, shared::LoadSpec l, uint32_t total) {
  l.connections = total;
  std::vector<uint32_t> ids(total);
  for (uint32_t id = 0; id < total; ++id) ids[id] = id;
  return RunSchedule(t0, shared::LoadPlan(l), ids);
}

TEST(RunSchedule, OpensOnTheGlobalRamp) {
  RunSchedule s = ramp(t(1s), load(10s, 30s, 0s), 100);
  EXPECT_EQ(s.open_at(0), t(1s));
  EXPECT_EQ(s.open_at(1), t(1s + 100ms));
  EXPECT_EQ(s.open_at(99), t(1s + 9900ms));
  EXPECT_EQ(s.hold_end(), t(41s));
}

TEST(RunSchedule, ClosesAtHoldEndWithoutRampDown) {
  RunSchedule s = ramp(t(0s), load(2s, 3s, 0s), 4);
  for (uint64_t id = 0; id < 4; ++id) EXPECT_EQ(s.close_at(id), t(5s));
}

TEST(RunSchedule, RampDownSpreadsClosesInIdOrder) {
  RunSchedule s = ramp(t(0s), load(2s, 3s, 4s), 4);
  EXPECT_EQ(s.close_at(0), t(5s));
  EXPECT_EQ(s.close_at(1), t(6s));
  EXPECT_EQ(s.close_at(3), t(8s));
  for (uint64_t id = 0; id < 4; ++id) EXPECT_GE(s.close_at(id), s.open_at(id));
  for (uint32_t k = 0; k < 4; ++k) EXPECT_EQ(s.closing(k), k);
}

TEST(RunSchedule, FloorsLikeTheSingleMachineSchedule) {
  RunSchedule s = ramp(t(0s), load(1s, 0s, 0s), 3);
  EXPECT_EQ(s.open_at(1), t(333333333ns));
  EXPECT_EQ(s.open_at(2), t(666666666ns));
}

// Stages: an id opened twice is two slots; slots open in time order and close in time order.
TEST(RunSchedule, StagesGiveOneSlotPerSessionInTimeOrder) {
  shared::LoadSpec l;
  l.stages = {{4, 400ms}, {2, 200ms}, {4, 200ms}, {0, 0s}};
  l.connections = 4;
  const RunSchedule s(t(0s), shared::LoadPlan(l), {1, 3});
  ASSERT_EQ(s.slots(), 3u);  // id 3 opens twice
  EXPECT_EQ(s.id(0), 1u);
  EXPECT_EQ(s.open_at(0), t(100ms));
  EXPECT_EQ(s.id(1), 3u);
  EXPECT_EQ(s.open_at(1), t(300ms));
  EXPECT_EQ(s.close_at(1), t(400ms));  // the fall closes the highest id first
  EXPECT_EQ(s.id(2), 3u);
  EXPECT_EQ(s.open_at(2), t(700ms));
  EXPECT_EQ(s.closing(0), 1u);
  EXPECT_EQ(s.peak(), 2u);
}

// Sessions that open and close at the same instant (no ramp, no hold) still hold a descriptor.
TEST(RunSchedule, PeakCountsSessionsThatCloseAsTheyOpen) {
  EXPECT_EQ(ramp(t(0s), load(0s, 0s, 0s), 7).peak(), 7u);
}

// Arrivals: the most sessions open at once, not the share, must fit in the budget.
TEST(RunSchedule, PeakOfArrivalsIsWhatIsOpenAtOnce) {
  shared::LoadSpec l;
  l.arrival = shared::ArrivalSpec{.count = 100, .per = 1s, .lifetime = 50ms, .duration = 2s};
  l.connections = shared::planned_ids(l);
  std::vector<uint32_t> ids(200);
  for (uint32_t id = 0; id < 200; ++id) ids[id] = id;
  const RunSchedule s(t(0s), shared::LoadPlan(l), ids);
  EXPECT_EQ(s.slots(), 200u);
  EXPECT_EQ(s.peak(), 6u);  // 100/s for 50 ms, and the one opening as the first closes
}

TEST(SendSchedule, OpenLoopInstantsDoNotDependOnWhenSendsHappen) {
  SendSchedule s;
  s.reset(t(10s), 100ms);
  EXPECT_FALSE(s.closed_loop());
  EXPECT_TRUE(s.due(t(10s)));
  EXPECT_EQ(s.take(t(10s)), t(10s));
  EXPECT_FALSE(s.due(t(10s + 99ms)));
  EXPECT_TRUE(s.due(t(10s + 100ms)));
  // Sent late (at 10.35 s): the scheduled instants stay on the grid, and the overdue ones are due.
  EXPECT_EQ(s.take(t(10s + 350ms)), t(10s + 100ms));
  EXPECT_TRUE(s.due(t(10s + 350ms)));
  EXPECT_EQ(s.take(t(10s + 351ms)), t(10s + 200ms));
  EXPECT_EQ(s.next_index(), 3u);
  EXPECT_EQ(s.next_instant(), t(10s + 300ms));
}

// `start`: slots before it are skipped, the later ones keep the connection's own phase.
TEST(SendSchedule, SlotsBeforeNotBeforeAreSkippedAndThePhaseKept) {
  SendSchedule s;
  s.reset(t(10s + 7ms), 30s, t(500s));         // opened at 10.007 s; pings from 500 s on
  EXPECT_EQ(s.next_instant(), t(520s + 7ms));  // 10.007 + 17 x 30
  EXPECT_EQ(s.next_index(), 17u);
  EXPECT_FALSE(s.due(t(520s)));
  EXPECT_EQ(s.overdue(t(519s), TimePoint::max()), 0u);  // skipped slots are never scheduled
  EXPECT_EQ(s.overdue(t(551s), TimePoint::max()), 2u);
  s.reset(t(10s), 30s, t(490s));  // a slot exactly at not_before is kept
  EXPECT_EQ(s.next_instant(), t(490s));
  s.reset(t(10s), 30s, t(490s) + 1ns);
  EXPECT_EQ(s.next_instant(), t(520s));
  s.reset(t(600s), 30s, t(500s));  // opened after it: from the opening, as without start
  EXPECT_EQ(s.next_instant(), t(600s));
  EXPECT_EQ(s.next_index(), 0u);
  // Exactly one slot in any half-open window of one interval from not_before on (bench/scale.sh).
  for (int open_ms = 0; open_ms < 30'000; open_ms += 997) {
    s.reset(t(std::chrono::milliseconds(open_ms)), 30s, t(40s));
    EXPECT_EQ(s.overdue(t(70s), t(70s)), 1u) << open_ms;
  }
}

TEST(SendSchedule, ClosedLoopIsAlwaysDueAtNow) {
  SendSchedule s;
  s.reset(t(1s), 0s);
  EXPECT_TRUE(s.closed_loop());
  EXPECT_TRUE(s.due(t(1s)));
  EXPECT_EQ(s.take(t(5s)), t(5s));
  EXPECT_EQ(s.take(t(7s)), t(7s));
  EXPECT_EQ(s.next_index(), 2u);
}

// Requests due and not taken, counted against an oracle that walks the grid.
TEST(SendSchedule, OverdueCountsSlotsAtOrBeforeNowAndBeforeEnd) {
  SendSchedule s;
  s.reset(t(10s), 100ms);
  auto oracle = [&s](TimePoint now, TimePoint end) {
    uint64_t n = 0;
    for (TimePoint at = s.next_instant(); at <= now && at < end; at += 100ms) ++n;
    return n;
  };
  const TimePoint never = TimePoint::max();
  EXPECT_EQ(s.overdue(t(9s), never), 0u);
  EXPECT_EQ(s.overdue(t(10s), never), 1u);  // due at its instant
  EXPECT_EQ(s.overdue(t(10s + 99ms), never), 1u);
  EXPECT_EQ(s.overdue(t(10s + 100ms), never), 2u);
  EXPECT_EQ(s.overdue(t(11s), t(11s)), 10u);  // the slot at `end` is not before it
  EXPECT_EQ(s.overdue(t(11s), t(11s) + 1ns), 11u);
  s.take(t(10s));
  s.take(t(10s + 120ms));
  using Ms = std::chrono::milliseconds;
  for (Ms now : {9000ms, 10000ms, 10199ms, 10200ms, 10250ms, 12000ms, 60000ms}) {
    for (Ms end : {10000ms, 10200ms, 10201ms, 11000ms, 30000ms}) {
      EXPECT_EQ(s.overdue(t(now), t(end)), oracle(t(now), t(end)))
          << "now " << now.count() << " ms, end " << end.count() << " ms";
    }
    EXPECT_EQ(s.overdue(t(now), never), oracle(t(now), never));
  }
  SendSchedule closed;
  closed.reset(t(0s), 0s);
  EXPECT_EQ(closed.overdue(t(60s), never), 0u);
}

TEST(SendSchedule, ResetRestartsTheGrid) {
  SendSchedule s;
  s.reset(t(0s), 1s);
  s.take(t(0s));
  s.take(t(1s));
  s.reset(t(60s), 1s);
  EXPECT_EQ(s.next_index(), 0u);
  EXPECT_EQ(s.next_instant(), t(60s));
}

}  // namespace
}  // namespace wsload::agent
