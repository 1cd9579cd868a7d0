#include "run/timeline_aligner.hpp"

#include <gtest/gtest.h>

namespace wsload::controller {
namespace {

shared::MetricsDelta established(uint64_t n) {
  shared::MetricsDelta d;
  d.counters.connections_established = n;
  return d;
}

// Issue 11.5: reports that arrive with jitter around second boundaries (the controller used to
// bucket them by arrival: 0, 10, 20, 0, 20 ...) land in the interval they cover.
TEST(TimelineAligner, EachPointHoldsItsOwnInterval) {
  TimelineAligner aligner(2);
  std::vector<AlignedInterval> points;
  auto take = [&] {
    for (auto& p : aligner.take_complete()) points.push_back(std::move(p));
  };
  // Agent 0 is fast, agent 1 is one interval late; each opens 5 connections per second.
  aligner.add(0, 1, established(5), 5);
  aligner.add(0, 2, established(5), 10);
  take();
  EXPECT_TRUE(points.empty());  // agent 1 has not reported interval 1 yet
  aligner.add(1, 1, established(5), 5);
  aligner.add(0, 3, established(5), 15);
  take();
  EXPECT_TRUE(points.empty());  // agent 1 may still add to interval 1 (a stop-forced report)
  aligner.add(1, 2, established(5), 10);
  take();
  ASSERT_EQ(points.size(), 1u);
  aligner.add(1, 3, established(5), 15);
  take();
  ASSERT_EQ(points.size(), 2u);
  for (auto& p : aligner.take_all()) points.push_back(std::move(p));
  ASSERT_EQ(points.size(), 3u);
  for (uint64_t k = 0; k < 3; ++k) {
    EXPECT_EQ(points[k].index, k + 1);
    EXPECT_EQ(points[k].delta.counters.connections_established, 10u);
    EXPECT_EQ(points[k].open, 10 * (k + 1));
    EXPECT_EQ(points[k].reports, 2u);
  }
}

TEST(TimelineAligner, RetiredAgentsDoNotHoldPointsBack) {
  TimelineAligner aligner(2);
  aligner.add(0, 1, established(1), 1);
  aligner.add(0, 2, established(1), 1);
  EXPECT_TRUE(aligner.take_complete().empty());
  aligner.retire(1);  // lost before its first report
  const auto points = aligner.take_complete();
  ASSERT_EQ(points.size(), 1u);  // point 2 waits: agent 0 may still add to it
  EXPECT_EQ(points[0].index, 1u);
}

TEST(TimelineAligner, RepeatedIndexAddsUpAndNeverReopensAPoint) {
  TimelineAligner aligner(1);
  aligner.add(0, 4, established(2), 2);
  aligner.add(0, 4, established(3), 2);  // a stop-forced report and the final one, same interval
  aligner.add(0, 3, established(1), 1);  // out of order: kept with the agent's latest point
  const auto points = aligner.take_all();
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].delta.counters.connections_established, 6u);
  EXPECT_EQ(points[0].open, 1u);  // a gauge: the agent's latest report counts, once
}

}  // namespace
}  // namespace wsload::controller
