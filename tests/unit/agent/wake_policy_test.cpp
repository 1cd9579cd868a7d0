#include "../../../agent/src/wake_policy.hpp"

#include <gtest/gtest.h>

#include "../../../agent/src/cpu_headroom.hpp"

namespace wsload::agent {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

// Instants in microseconds from an epoch far from zero (the first budget second starts there).
TimePoint us(int64_t v) { return TimePoint(std::chrono::seconds(100) + microseconds(v)); }

TEST(WakePolicy, SleepsUntilPrewakeBeforeAFarDeadline) {
  WakePolicy w;
  auto plan = w.plan(us(0), us(5000), us(-10'000), true);
  EXPECT_EQ(plan.tick, us(5000));
  EXPECT_EQ(plan.fire, us(5000) - kPrewake);
}

TEST(WakePolicy, PollsFromNowWhenTheDeadlineIsTooCloseToSleep) {
  WakePolicy w;
  // 150 us (prewake) + 150 us (minimum sleep) ahead or closer: no sleep at all. The gap between
  // the prewake and twice the prewake used to be slept without any prewake.
  EXPECT_EQ(w.plan(us(0), us(299), us(-10'000), true).fire, us(0));
  EXPECT_EQ(w.plan(us(0), us(200), us(-10'000), true).fire, us(0));
  EXPECT_EQ(w.plan(us(0), us(1), us(-10'000), true).fire, us(0));
  EXPECT_EQ(w.plan(us(0), us(300), us(-10'000), true).fire, us(150));
}

TEST(WakePolicy, ImpreciseDeadlinesAreSleptToTheInstant) {
  WakePolicy w;
  EXPECT_EQ(w.plan(us(0), us(5000), us(-10'000), false).fire, us(5000));
  EXPECT_EQ(w.plan(us(0), us(100), us(-10'000), false).fire, us(100));
  EXPECT_EQ(w.plan(us(0), us(100), us(-10'000), false).tick, us(100));
}

TEST(WakePolicy, DueDeadlineFiresAtOnceWithoutPolling) {
  WakePolicy w;
  auto plan = w.plan(us(1000), us(400), us(-10'000), true);
  EXPECT_EQ(plan.tick, us(400));
  EXPECT_EQ(plan.fire, us(400));
}

TEST(WakePolicy, TicksAreSpacedByTheMinimumGap) {
  WakePolicy w;
  auto plan = w.plan(us(0), us(10), us(-100), true);  // the last tick ran 100 us ago
  EXPECT_EQ(plan.tick, us(-100) + kMinTickGap);
}

TEST(WakePolicy, StopsPollingWhenTheSecondsBudgetIsSpentAndResumesNextSecond) {
  WakePolicy w;
  EXPECT_EQ(w.plan(us(0), us(5000), us(-10'000), true).fire, us(5000) - kPrewake);
  w.charge_poll(us(0), us(0) + kSpinBudget);
  auto plan = w.plan(us(10'000), us(20'000), us(0), true);
  EXPECT_EQ(plan.fire, us(20'000));  // sleeps to the instant itself
  EXPECT_EQ(w.plan(us(10'000), us(10'100), us(0), true).fire, us(10'100));  // no polling either
  // A second after the budget second began, polling is allowed again.
  EXPECT_EQ(w.plan(us(1'000'000), us(1'005'000), us(0), true).fire, us(1'005'000) - kPrewake);
  EXPECT_EQ(w.spent(), std::chrono::nanoseconds(0));
}

TEST(WakePolicy, NegativePollIntervalChargesNothing) {
  WakePolicy w;
  w.charge_poll(us(10), us(5));
  EXPECT_EQ(w.spent(), std::chrono::nanoseconds(0));
}

TEST(WakePolicy, ABusyMachineGetsNoPollingForThatSecond) {
  bool busy = true;
  int asked = 0;
  WakePolicy w([&] {
    ++asked;
    return busy;
  });
  // Busy: the timer fires at the instant itself, even for a deadline too close to sleep for.
  EXPECT_EQ(w.plan(us(0), us(5000), us(-10'000), true).fire, us(5000));
  EXPECT_EQ(w.plan(us(10), us(100), us(-10'000), true).fire, us(100));
  EXPECT_EQ(asked, 1);  // asked once per budget second, not per plan
  busy = false;
  EXPECT_EQ(w.plan(us(500'000), us(505'000), us(-10'000), true).fire, us(505'000));  // same second
  EXPECT_EQ(w.plan(us(1'000'000), us(1'005'000), us(0), true).fire, us(1'005'000) - kPrewake);
  EXPECT_EQ(asked, 2);
}

TEST(WakePolicy, AWakeUpLaterThanThePrewakeEndsPollingForThatSecond) {
  WakePolicy w;
  EXPECT_EQ(w.plan(us(0), us(5000), us(-10'000), true).fire, us(5000) - kPrewake);
  w.note_wake(us(4850), us(4850) + kPrewake);  // exactly the prewake late: still worth polling
  EXPECT_EQ(w.plan(us(5000), us(9000), us(5000), true).fire, us(9000) - kPrewake);
  w.note_wake(us(8850), us(9100));  // 250 us late: waiting for a core
  EXPECT_EQ(w.plan(us(9100), us(12'000), us(9100), true).fire, us(12'000));
  EXPECT_EQ(w.plan(us(1'000'000), us(1'005'000), us(0), true).fire, us(1'005'000) - kPrewake);
}

TEST(CpuHeadroom, ASpareCoreMeansTheLoadLeavesOneWholeCoreFreeAndNothingQueuesNow) {
  EXPECT_TRUE(has_spare_core(0.0, 1, 2));
  EXPECT_TRUE(has_spare_core(1.0, 2, 2));
  EXPECT_FALSE(has_spare_core(1.01, 1, 2));
  EXPECT_FALSE(has_spare_core(104.6, 1, 2));  // bench/scale.sh at a million before this rule
  EXPECT_FALSE(has_spare_core(0.3, 3, 2));    // the average lags: 3 runnable now on 2 cores
  EXPECT_FALSE(has_spare_core(0.5, 121, 2));  // the million's pings starting after a quiet minute
  EXPECT_TRUE(has_spare_core(0.0, 1, 1));     // one idle core
  EXPECT_FALSE(has_spare_core(0.01, 1, 1));   // one core with any other work: it would lose it
  EXPECT_FALSE(has_spare_core(0.5, 1, 0));    // unknown count: one core
  EXPECT_TRUE(has_spare_core(6.9, 8, 8));
}

TEST(CpuHeadroom, ParsesProcLoadavg) {
  auto s = parse_loadavg("0.43 3.68 12.52 2/878 12345\n");
  ASSERT_TRUE(s.has_value());
  EXPECT_DOUBLE_EQ(s->load1, 0.43);
  EXPECT_EQ(s->running, 2u);
  s = parse_loadavg("104.58 54.68 26.39 121/1053 4261");
  ASSERT_TRUE(s.has_value());
  EXPECT_DOUBLE_EQ(s->load1, 104.58);
  EXPECT_EQ(s->running, 121u);
  EXPECT_FALSE(parse_loadavg("").has_value());
  EXPECT_FALSE(parse_loadavg("0.43 3.68 12.52").has_value());
  EXPECT_FALSE(parse_loadavg("x 1 2 3/4 5").has_value());
  EXPECT_FALSE(parse_loadavg("0.1 0.2 0.3 a/4 5").has_value());
}

}  // namespace
}  // namespace wsload::agent
