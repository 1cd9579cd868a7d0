#include "wsload/shared/planner.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>

namespace wsload::shared {
namespace {

using std::chrono::nanoseconds;
using std::chrono::seconds;

uint64_t sum(const std::vector<uint64_t>& v) {
  return std::accumulate(v.begin(), v.end(), uint64_t{0});
}

TEST(ScheduledOpen, FloorOfLinearRamp) {
  EXPECT_EQ(scheduled_open(0, 100, seconds(10)), nanoseconds(0));
  EXPECT_EQ(scheduled_open(1, 100, seconds(10)), std::chrono::milliseconds(100));
  EXPECT_EQ(scheduled_open(99, 100, seconds(10)), std::chrono::milliseconds(9900));
  EXPECT_EQ(scheduled_open(1, 3, nanoseconds(10)), nanoseconds(3));  // floor(10/3)
  EXPECT_EQ(scheduled_open(2, 3, nanoseconds(10)), nanoseconds(6));  // floor(20/3)
  EXPECT_EQ(scheduled_open(5, 0, seconds(10)), nanoseconds(0));
  EXPECT_EQ(scheduled_open(5, 10, nanoseconds(0)), nanoseconds(0));
  // id * ramp overflows 64 bits here; the 128-bit product keeps it exact.
  EXPECT_EQ(scheduled_open(3'999'999'999, 4'000'000'000, nanoseconds(86'400'000'000'000)),
            nanoseconds(86'399'999'978'400));
}

TEST(Apportion, TableOfKnownSplits) {
  struct Case {
    uint64_t total;
    std::vector<double> weights;
    std::vector<uint64_t> want;
  };
  const Case cases[] = {
      {10, {1, 1, 1}, {4, 3, 3}},  // ties go to the lower index
      {12, {1, 2, 3}, {2, 4, 6}},
      {10, {1, 2, 3}, {2, 3, 5}},  // quotas 1.67 3.33 5: largest remainder gets the seat
      {1, {1, 1, 1, 1}, {1, 0, 0, 0}},
      {0, {1, 2}, {0, 0}},
      {7, {0.5, 0.25, 0.25}, {3, 2, 2}},  // quotas 3.5 1.75 1.75
      {100, {0.1, 0.2, 0.7}, {10, 20, 70}},
      {5, {1e-3, 1e6}, {0, 5}},  // weights too far apart for exact scaling
      {std::numeric_limits<uint64_t>::max(), {1, 1}, {9223372036854775808u, 9223372036854775807u}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(apportion(c.total, c.weights), c.want) << "total " << c.total;
  }
}

TEST(Apportion, RejectsBadWeights) {
  EXPECT_THROW(apportion(10, std::vector<double>{}), std::invalid_argument);
  EXPECT_THROW(apportion(10, std::vector<double>{1, 0}), std::invalid_argument);
  EXPECT_THROW(apportion(10, std::vector<double>{1, -2}), std::invalid_argument);
  EXPECT_THROW(apportion(10, std::vector<double>{1, std::nan("")}), std::invalid_argument);
  EXPECT_THROW(apportion(10, std::vector<double>{1, INFINITY}), std::invalid_argument);
  EXPECT_THROW(split_connections(10, std::vector<double>{}), std::invalid_argument);
}

TEST(Apportion, SumsExactlyAndStaysWithinOneOfTheQuota) {
  std::mt19937_64 rng(17);
  for (int i = 0; i < 5000; ++i) {
    const uint64_t total = i % 4 == 0 ? rng() % 10 : rng() % 1'000'000;
    const size_t agents = 1 + rng() % 300;
    std::vector<double> weights(agents);
    for (auto& w : weights) {
      switch (i % 3) {
        case 0:
          w = 1;
          break;
        case 1:
          w = static_cast<double>(1 + rng() % 5);
          break;
        default:
          w = std::ldexp(static_cast<double>(1 + rng() % 1000), -static_cast<int>(rng() % 20));
          break;
      }
    }
    const auto shares = apportion(total, weights);
    ASSERT_EQ(shares.size(), agents);
    ASSERT_EQ(sum(shares), total);
    const double weight_sum = std::accumulate(weights.begin(), weights.end(), 0.0);
    for (size_t k = 0; k < agents; ++k) {
      const double quota = static_cast<double>(total) * weights[k] / weight_sum;
      EXPECT_LT(std::fabs(static_cast<double>(shares[k]) - quota), 1.0 + 1e-6) << k;
    }
  }
}

// Checks the split against its contract: exact shares, a partition of 0..total-1, and spread.
void check_split(uint64_t total, const std::vector<double>& weights) {
  const auto shares = apportion(total, weights);
  const auto ids = split_connections(total, weights);
  ASSERT_EQ(ids.size(), weights.size());
  std::vector<int> owner(total, -1);
  size_t active = 0;
  for (size_t k = 0; k < ids.size(); ++k) {
    ASSERT_EQ(ids[k].size(), shares[k]) << "agent " << k;
    if (shares[k] > 0) ++active;
    for (size_t j = 0; j < ids[k].size(); ++j) {
      ASSERT_LT(ids[k][j], total);
      if (j > 0) {
        ASSERT_LT(ids[k][j - 1], ids[k][j]);
      }
      ASSERT_EQ(owner[ids[k][j]], -1) << "id " << ids[k][j] << " given twice";
      owner[ids[k][j]] = static_cast<int>(k);
    }
  }
  for (uint64_t id = 0; id < total; ++id) ASSERT_NE(owner[id], -1) << "id " << id << " unassigned";
  // Spread: between two consecutive ids of agent k lie at most floor(s_m / s_k) + 1 ids of every
  // other agent m (ideal positions (j + 1/2) * total / s_k), so gap <= total / s_k + active - 1.
  for (size_t k = 0; k < ids.size(); ++k) {
    if (shares[k] < 2) continue;
    uint64_t bound = 1;
    for (size_t m = 0; m < ids.size(); ++m) {
      if (m != k && shares[m] > 0) bound += shares[m] / shares[k] + 1;
    }
    EXPECT_LE(bound, total / shares[k] + active - 1);
    for (size_t j = 1; j < ids[k].size(); ++j) {
      ASSERT_LE(ids[k][j] - ids[k][j - 1], bound) << "agent " << k << " total " << total;
    }
    // The first and last ids sit near their ideal positions too.
    EXPECT_LE(ids[k].front(), total / (2 * shares[k]) + active);
    EXPECT_GE(ids[k].back() + total / (2 * shares[k]) + active, total - 1);
  }
}

TEST(SplitConnections, TableOfShapes) {
  check_split(0, {1, 1});
  check_split(1, {1, 1, 1});
  check_split(3, std::vector<double>(10, 1.0));  // more agents than connections
  check_split(12, {1, 2, 3});
  check_split(1000, {1, 2, 3});
  check_split(1001, {1, 1, 1, 1, 1, 1, 1});
  check_split(5000, {0.1, 0.3, 0.6});
  EXPECT_EQ(split_connections(9, std::vector<double>{1, 1, 1}),
            (std::vector<std::vector<uint32_t>>{{0, 3, 6}, {1, 4, 7}, {2, 5, 8}}));
  EXPECT_EQ(split_connections(6, std::vector<double>{1, 2}),
            (std::vector<std::vector<uint32_t>>{{1, 4}, {0, 2, 3, 5}}));
}

TEST(SplitConnections, EqualWeightsAreRoundRobin) {
  for (uint64_t per_agent : {1u, 2u, 10u, 37u}) {
    for (size_t agents : {2u, 3u, 7u, 16u}) {
      const uint64_t total = per_agent * agents;
      const auto ids = split_connections(total, std::vector<double>(agents, 1.0));
      for (size_t k = 0; k < agents; ++k) {
        ASSERT_EQ(ids[k].size(), per_agent);
        for (size_t j = 0; j < per_agent; ++j) EXPECT_EQ(ids[k][j], k + j * agents);
      }
      check_split(total + 1, std::vector<double>(agents, 1.0));  // uneven shares
      check_split(total + agents - 1, std::vector<double>(agents, 1.0));
    }
  }
}

TEST(SplitConnections, RandomPropertyCases) {
  std::mt19937_64 rng(23);
  for (int i = 0; i < 400; ++i) {
    const uint64_t total = rng() % 3000;
    const size_t agents = 1 + rng() % 64;
    std::vector<double> weights(agents);
    for (auto& w : weights) w = i % 2 == 0 ? 1.0 : static_cast<double>(1 + rng() % 10);
    check_split(total, weights);
  }
}

TEST(SplitConnections, UnionOfAgentSchedulesIsTheSingleMachineSchedule) {
  const uint64_t total = 1000;
  const nanoseconds ramp = seconds(30);
  const auto ids = split_connections(total, std::vector<double>{1, 2, 3, 4});
  std::vector<nanoseconds> merged;
  for (const auto& agent : ids) {
    for (uint32_t id : agent) merged.push_back(scheduled_open(id, total, ramp));
  }
  std::sort(merged.begin(), merged.end());
  std::vector<nanoseconds> single;
  for (uint64_t id = 0; id < total; ++id) single.push_back(scheduled_open(id, total, ramp));
  EXPECT_EQ(merged, single);
}

// connection_id computes each agent's ids without the global list: it must equal split_connections
// (the oracle) for every shape, weights with ties and zero shares included.
TEST(ConnectionId, EqualsTheMaterializedSplit) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 300; ++i) {
    const uint64_t total = rng() % 2000;
    const size_t agents = 1 + rng() % 40;
    std::vector<double> weights(agents);
    for (auto& w : weights) w = i % 3 == 0 ? 1.0 : static_cast<double>(1 + rng() % 7);
    const auto shares = apportion(total, weights);
    const auto split = split_connections(total, weights);
    for (size_t k = 0; k < agents; ++k) {
      ASSERT_EQ(agent_connection_ids(shares, k), split[k])
          << "total " << total << " agents " << agents << " k " << k;
    }
  }
}

// Issue 11.6: a plan for 4,294,967,295 connections used to list every id (over 1 GB). The ids of
// any one connection are computed in O(agents).
TEST(ConnectionId, HugePlansNeedNoMemory) {
  const uint64_t total = 4'294'967'295ULL;
  const auto shares = apportion(total, std::vector<double>{1, 1, 1});
  EXPECT_EQ(shares, (std::vector<uint64_t>{1'431'655'765, 1'431'655'765, 1'431'655'765}));
  EXPECT_EQ(connection_id(shares, 0, 0), 0u);
  EXPECT_EQ(connection_id(shares, 2, 0), 2u);
  EXPECT_EQ(connection_id(shares, 1, shares[1] - 1), total - 2);
  EXPECT_EQ(connection_id(shares, 2, shares[2] - 1), total - 1);
}

// Timing of this split is measured by bench/planner_bench; here only its correctness at scale.
TEST(SplitConnections, LargeSplitIsExact) {
  std::vector<double> weights(200);
  for (size_t k = 0; k < weights.size(); ++k) weights[k] = 1.0 + static_cast<double>(k % 3);
  const auto ids = split_connections(100'000, weights);
  size_t n = 0;
  for (const auto& agent : ids) n += agent.size();
  EXPECT_EQ(n, 100'000u);
  check_split(100'000, weights);
}

}  // namespace
}  // namespace wsload::shared
