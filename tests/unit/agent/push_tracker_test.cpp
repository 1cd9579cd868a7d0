#include "../../../agent/src/push_tracker.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace wsload::agent {
namespace {

PushCounts run(const std::vector<uint64_t>& seqs) {
  PushTracker tracker;
  PushCounts counts;
  for (uint64_t s : seqs) tracker.observe(s, counts);
  tracker.finish(counts);
  return counts;
}

struct Case {
  std::vector<uint64_t> seqs;
  uint64_t gaps, duplicates, reordered;
};

TEST(PushTracker, CraftedSequences) {
  const std::vector<Case> cases = {
      {{}, 0, 0, 0},
      {{5}, 0, 0, 0},
      {{1, 2, 3, 4}, 0, 0, 0},
      {{6, 9}, 2, 0, 0},        // the SPEC's example: 7 and 8 never arrive
      {{1, 2, 2, 3}, 0, 1, 0},  // duplicate of the highest
      {{1, 2, 3, 2}, 0, 1, 0},  // duplicate of an older one
      {{1, 3, 2}, 0, 0, 1},     // 2 late: reordered, not a gap
      {{1, 4, 3, 2}, 0, 0, 2},  // both missing numbers arrive late
      {{1, 4, 2}, 1, 0, 1},     // 3 never arrives
      {{1, 3, 2, 2}, 0, 1, 1},  // late arrival then its duplicate
      {{10, 5}, 0, 0, 1},       // below the first number seen
      {{1, 1, 1}, 0, 2, 0},
      {{1, 5, 5, 3, 9}, 5, 1, 1},  // missing 2,4,6,7,8
      {{100, 101, 103, 102, 102, 104, 107}, 2, 1, 1},
  };
  for (const Case& c : cases) {
    PushCounts got = run(c.seqs);
    SCOPED_TRACE(::testing::PrintToString(c.seqs));
    EXPECT_EQ(got.gaps, c.gaps);
    EXPECT_EQ(got.duplicates, c.duplicates);
    EXPECT_EQ(got.reordered, c.reordered);
  }
}

TEST(PushTracker, GapsAreFinalOnlyWhenTheyLeaveTheWindowOrAtFinish) {
  PushTracker tracker;
  PushCounts counts;
  tracker.observe(1, counts);
  tracker.observe(3, counts);
  EXPECT_EQ(counts.gaps, 0u);  // 2 may still arrive
  EXPECT_EQ(tracker.outstanding_missing(), 1u);
  tracker.observe(3 + PushTracker::kWindow, counts);
  // 2 fell out of the window (numbers at or below seq - kWindow are final).
  EXPECT_EQ(counts.gaps, 1u);
  EXPECT_EQ(tracker.outstanding_missing(), PushTracker::kWindow - 1);
  tracker.finish(counts);
  EXPECT_EQ(counts.gaps, PushTracker::kWindow);
}

TEST(PushTracker, HugeJumpCountsEveryNumberOnce) {
  PushCounts counts = run({1, 1'000'002});
  EXPECT_EQ(counts.gaps, 1'000'000u);
  EXPECT_EQ(counts.duplicates, 0u);
}

// Issue 11.9: a jump from 1 to 2^64-1 used to count 2^64-3 gaps per connection (and wrapped when
// summed). A jump of more than kMaxJump is a sequence reset, counted as such.
TEST(PushTracker, AbsurdJumpIsAResetNotGaps) {
  PushCounts counts = run({1, 2, 4, UINT64_MAX, UINT64_MAX - 1, UINT64_MAX, 7, 8});
  EXPECT_EQ(counts.resets, 2u);  // up to 2^64-1, then back down to 7
  EXPECT_EQ(counts.gaps, 1u);    // 3, final at the first reset
  EXPECT_EQ(counts.duplicates, 1u);
  EXPECT_EQ(counts.reordered, 1u);
  counts = run({1, 1 + PushTracker::kMaxJump});
  EXPECT_EQ(counts.resets, 0u);
  EXPECT_EQ(counts.gaps, PushTracker::kMaxJump - 1);  // the largest jump still counted as loss
  counts = run({1, 2 + PushTracker::kMaxJump});
  EXPECT_EQ(counts.resets, 1u);
  EXPECT_EQ(counts.gaps, 0u);
}

TEST(PushTracker, FinishResetsForTheNextConnection) {
  PushTracker tracker;
  PushCounts counts;
  tracker.observe(1, counts);
  tracker.observe(3, counts);
  tracker.finish(counts);
  tracker.observe(50, counts);  // a fresh start: no gap against the old numbers
  tracker.finish(counts);
  EXPECT_EQ(counts.gaps, 1u);
  EXPECT_EQ(counts.duplicates, 0u);
}

}  // namespace
}  // namespace wsload::agent
