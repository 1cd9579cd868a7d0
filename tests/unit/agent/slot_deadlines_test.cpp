#include "../../../agent/src/slot_deadlines.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace wsload::agent {
namespace {

using std::chrono::milliseconds;

TimePoint at(int ms) { return TimePoint(milliseconds(ms)); }

std::vector<SlotDeadlines::Due> drain(SlotDeadlines& d, TimePoint now) {
  std::vector<SlotDeadlines::Due> out;
  while (auto due = d.pop_due(now)) out.push_back(*due);
  return out;
}

TEST(SlotDeadlines, ReportsDueDeadlinesInInstantOrder) {
  SlotDeadlines d;
  d.reset(4);
  d.arm(0, DeadlineKind::kSend, at(30));
  d.arm(1, DeadlineKind::kTimeout, at(10));
  d.arm(2, DeadlineKind::kDeadline, at(20));
  d.arm(3, DeadlineKind::kSend, at(50));
  EXPECT_EQ(d.earliest(), at(10));
  EXPECT_FALSE(d.pop_due(at(9)));  // nothing due yet

  auto due = drain(d, at(30));
  ASSERT_EQ(due.size(), 3u);
  EXPECT_EQ(due[0].slot, 1u);
  EXPECT_EQ(due[0].kind, DeadlineKind::kTimeout);
  EXPECT_EQ(due[0].at, at(10));
  EXPECT_EQ(due[1].slot, 2u);
  EXPECT_EQ(due[1].kind, DeadlineKind::kDeadline);
  EXPECT_EQ(due[2].slot, 0u);
  EXPECT_EQ(due[2].kind, DeadlineKind::kSend);
  EXPECT_EQ(d.earliest(), at(50));
  EXPECT_EQ(d.armed_count(), 1u);
}

TEST(SlotDeadlines, EachArmingIsReportedExactlyOnce) {
  SlotDeadlines d;
  d.reset(1);
  d.arm(0, DeadlineKind::kTimeout, at(5));
  EXPECT_TRUE(d.armed(0, DeadlineKind::kTimeout));
  ASSERT_EQ(drain(d, at(100)).size(), 1u);
  EXPECT_FALSE(d.armed(0, DeadlineKind::kTimeout));  // disarmed when reported
  EXPECT_TRUE(drain(d, at(200)).empty());            // never again
  EXPECT_EQ(d.earliest(), std::nullopt);
}

TEST(SlotDeadlines, RearmingReplacesTheEarlierInstant) {
  SlotDeadlines d;
  d.reset(2);
  d.arm(0, DeadlineKind::kSend, at(10));
  d.arm(0, DeadlineKind::kSend, at(40));  // replaces 10
  d.arm(1, DeadlineKind::kSend, at(20));
  d.arm(1, DeadlineKind::kSend, at(5));  // replaces 20 with an earlier instant
  EXPECT_EQ(d.earliest(), at(5));
  auto due = drain(d, at(30));
  ASSERT_EQ(due.size(), 1u);  // neither stale 10 nor stale 20 is reported
  EXPECT_EQ(due[0].slot, 1u);
  EXPECT_EQ(due[0].at, at(5));
  EXPECT_EQ(d.earliest(), at(40));
  due = drain(d, at(40));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].slot, 0u);
}

TEST(SlotDeadlines, KindsOfOneSlotAreIndependent) {
  SlotDeadlines d;
  d.reset(1);
  d.arm(0, DeadlineKind::kSend, at(1));
  d.arm(0, DeadlineKind::kTimeout, at(2));
  d.arm(0, DeadlineKind::kDeadline, at(3));
  d.cancel(0, DeadlineKind::kTimeout);
  auto due = drain(d, at(10));
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].kind, DeadlineKind::kSend);
  EXPECT_EQ(due[1].kind, DeadlineKind::kDeadline);
}

TEST(SlotDeadlines, FinishedConnectionsStaleEntriesAreIgnored) {
  SlotDeadlines d;
  d.reset(3);
  d.arm(0, DeadlineKind::kSend, at(10));
  d.arm(0, DeadlineKind::kTimeout, at(11));
  d.arm(0, DeadlineKind::kDeadline, at(12));
  d.arm(1, DeadlineKind::kTimeout, at(15));
  d.cancel_all(0);                   // connection 0 is over
  d.cancel(2, DeadlineKind::kSend);  // cancelling what was never armed is a no-op
  EXPECT_EQ(d.armed_count(), 1u);
  EXPECT_EQ(d.earliest(), at(15));  // stale heads dropped
  auto due = drain(d, at(100));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].slot, 1u);
  EXPECT_EQ(d.heap_size(), 0u);
}

TEST(SlotDeadlines, ArmingWhileDrainingIsSeenInTheSameDrain) {
  SlotDeadlines d;
  d.reset(1);
  d.arm(0, DeadlineKind::kSend, at(10));
  int reported = 0;
  while (auto due = d.pop_due(at(25))) {
    ++reported;
    // A connection behind schedule re-arms for its next send: 10, 20 are due now, 30 is not.
    d.arm(0, DeadlineKind::kSend, due->at + milliseconds(10));
  }
  EXPECT_EQ(reported, 2);
  EXPECT_EQ(d.earliest(), at(30));
}

TEST(SlotDeadlines, StaleEntriesDoNotPileUp) {
  SlotDeadlines d;
  d.reset(8);
  for (int i = 0; i < 100000; ++i) {
    d.arm(static_cast<uint32_t>(i % 8), DeadlineKind::kTimeout, at(1000 + i));
  }
  EXPECT_EQ(d.armed_count(), 8u);
  EXPECT_LE(d.heap_size(), 64u + 4u * 8u);  // compacted, bounded by the live count
  EXPECT_EQ(drain(d, at(1000000)).size(), 8u);
}

}  // namespace
}  // namespace wsload::agent
