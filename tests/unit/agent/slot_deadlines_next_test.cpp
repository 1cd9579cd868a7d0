// SlotDeadlines::next(): the earliest armed deadline with its kind, left armed.
#include <gtest/gtest.h>

#include "../../../agent/src/slot_deadlines.hpp"

namespace wsload::agent {
namespace {

using std::chrono::milliseconds;

TimePoint at(int ms) { return TimePoint(milliseconds(ms)); }

TEST(SlotDeadlinesNext, IsTheEarliestArmedDeadlineWithItsKind) {
  SlotDeadlines d;
  d.reset(3);
  EXPECT_FALSE(d.next());
  d.arm(0, DeadlineKind::kSend, at(30));
  d.arm(1, DeadlineKind::kTimeout, at(10));
  d.arm(2, DeadlineKind::kSend, at(20));
  auto next = d.next();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->slot, 1u);
  EXPECT_EQ(next->kind, DeadlineKind::kTimeout);
  EXPECT_EQ(next->at, at(10));
  EXPECT_TRUE(d.armed(1, DeadlineKind::kTimeout));  // still armed
  EXPECT_EQ(d.armed_count(), 3u);
}

TEST(SlotDeadlinesNext, SkipsCancelledAndReplacedEntries) {
  SlotDeadlines d;
  d.reset(2);
  d.arm(0, DeadlineKind::kTimeout, at(10));
  d.arm(1, DeadlineKind::kSend, at(15));
  d.cancel(0, DeadlineKind::kTimeout);
  d.arm(1, DeadlineKind::kSend, at(40));  // replaces 15
  d.arm(0, DeadlineKind::kDeadline, at(25));
  auto next = d.next();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->slot, 0u);
  EXPECT_EQ(next->kind, DeadlineKind::kDeadline);
  EXPECT_EQ(next->at, at(25));
  ASSERT_TRUE(d.pop_due(at(30)));
  next = d.next();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->kind, DeadlineKind::kSend);
  EXPECT_EQ(next->at, at(40));
}

}  // namespace
}  // namespace wsload::agent
