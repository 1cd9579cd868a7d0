#include "wsload/shared/reconnect_backoff.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <limits>
#include <set>
#include <vector>

namespace wsload::shared {
namespace {

using namespace std::chrono_literals;
using std::chrono::nanoseconds;

ReconnectSpec spec(nanoseconds backoff, nanoseconds max_backoff, bool jitter, uint64_t seed = 0) {
  ReconnectSpec s;
  s.enabled = true;
  s.max_attempts = 10;
  s.backoff = backoff;
  s.max_backoff = max_backoff;
  s.jitter = jitter;
  s.seed = seed;
  return s;
}

TEST(ReconnectBackoff, FixedWithoutMaxBackoff) {
  const ReconnectSpec s = spec(500ms, 0s, false);
  for (uint32_t attempt : {0u, 1u, 2u, 3u, 10u, 64u, 1000u, UINT32_MAX}) {
    EXPECT_EQ(reconnect_backoff_cap(s, attempt), 500ms) << attempt;
    EXPECT_EQ(reconnect_delay(s, 7, attempt), 500ms) << attempt;
  }
}

TEST(ReconnectBackoff, DoublesUpToTheCap) {
  const ReconnectSpec s = spec(500ms, 10s, false);
  const std::vector<nanoseconds> want = {500ms, 1s, 2s, 4s, 8s, 10s, 10s, 10s};
  for (uint32_t k = 1; k <= want.size(); ++k) {
    EXPECT_EQ(reconnect_backoff_cap(s, k), want[k - 1]) << k;
    EXPECT_EQ(reconnect_delay(s, 123, k), want[k - 1]) << k;
  }
  EXPECT_EQ(reconnect_backoff_cap(s, 0), 500ms);  // 0 counts as the first attempt
  // The SPEC §3b integration example: 200 ms doubling to 1.6 s.
  const ReconnectSpec t = spec(200ms, 1600ms, false);
  const std::vector<nanoseconds> t_want = {200ms, 400ms, 800ms, 1600ms, 1600ms};
  for (uint32_t k = 1; k <= t_want.size(); ++k)
    EXPECT_EQ(reconnect_backoff_cap(t, k), t_want[k - 1]);
}

TEST(ReconnectBackoff, CapReachedExactlyOrBetweenDoublings) {
  EXPECT_EQ(reconnect_backoff_cap(spec(1s, 4s, false), 3), 4s);
  EXPECT_EQ(reconnect_backoff_cap(spec(1s, 3s, false), 2), 2s);
  EXPECT_EQ(reconnect_backoff_cap(spec(1s, 3s, false), 3), 3s);
  EXPECT_EQ(reconnect_backoff_cap(spec(1s, 1s, false), 5), 1s);  // max_backoff == backoff
  EXPECT_EQ(reconnect_backoff_cap(spec(2s, 1s, false), 1), 1s);  // min() even below backoff
  EXPECT_EQ(reconnect_backoff_cap(spec(0s, 1s, false), 9), 0s);
  EXPECT_EQ(reconnect_delay(spec(0s, 1s, true), 1, 9), 0s);
}

TEST(ReconnectBackoff, NeverOverflows) {
  const nanoseconds huge(std::numeric_limits<int64_t>::max());
  const ReconnectSpec s = spec(1ns, huge, false);
  EXPECT_EQ(reconnect_backoff_cap(s, 1), 1ns);
  EXPECT_EQ(reconnect_backoff_cap(s, 63), nanoseconds(int64_t{1} << 62));
  EXPECT_EQ(reconnect_backoff_cap(s, 64), huge);
  EXPECT_EQ(reconnect_backoff_cap(s, UINT32_MAX), huge);
  const ReconnectSpec big = spec(nanoseconds(int64_t{3} << 61), huge, false);
  EXPECT_EQ(reconnect_backoff_cap(big, 2), huge);  // 3 * 2^62 would wrap
  const ReconnectSpec hour = spec(1h, 24h, false);
  EXPECT_EQ(reconnect_backoff_cap(hour, UINT32_MAX), 24h);
  // Jitter over the largest cap stays within it.
  const ReconnectSpec jittered = spec(1ns, huge, true, 99);
  for (uint64_t id = 0; id < 100; ++id) {
    const nanoseconds d = reconnect_delay(jittered, id, 200);
    EXPECT_GE(d, 0ns);
    EXPECT_LE(d, huge);
  }
}

TEST(ReconnectBackoff, JitterStaysWithinTheCapOfEachAttempt) {
  const ReconnectSpec s = spec(200ms, 1600ms, true, 7);
  for (uint64_t id = 0; id < 500; ++id) {
    for (uint32_t k = 1; k <= 6; ++k) {
      const nanoseconds d = reconnect_delay(s, id, k);
      EXPECT_GE(d, 0ns);
      EXPECT_LE(d, reconnect_backoff_cap(s, k)) << id << " " << k;
    }
  }
  // Full jitter with a fixed backoff draws from [0, backoff].
  const ReconnectSpec fixed = spec(300ms, 0s, true, 7);
  for (uint64_t id = 0; id < 500; ++id) EXPECT_LE(reconnect_delay(fixed, id, 3), 300ms);
}

TEST(ReconnectBackoff, JitterIsAPureFunctionOfSeedIdAndAttempt) {
  const ReconnectSpec s = spec(500ms, 10s, true, 42);
  for (uint64_t id : {0ull, 1ull, 99ull, 4'000'000'000ull}) {
    for (uint32_t k = 1; k <= 5; ++k) {
      EXPECT_EQ(reconnect_delay(s, id, k), reconnect_delay(spec(500ms, 10s, true, 42), id, k));
    }
  }
  // Pinned values, computed independently (Python, the splitmix64 reference constants): the same
  // on every platform and compiler; a change here changes every run's delays.
  EXPECT_EQ(reconnect_mix(0, 0, 0), 0x238275BC38FCBE91ULL);
  EXPECT_EQ(reconnect_mix(7, 3, 2), 0x09473A693C473A79ULL);
  EXPECT_EQ(reconnect_delay(spec(200ms, 1600ms, true, 7), 3, 2), 14'497'242ns);  // of [0, 400ms]
  EXPECT_NE(reconnect_mix(7, 3, 2), reconnect_mix(8, 3, 2));
  EXPECT_NE(reconnect_mix(7, 3, 2), reconnect_mix(7, 4, 2));
  EXPECT_NE(reconnect_mix(7, 3, 2), reconnect_mix(7, 3, 3));
}

TEST(ReconnectBackoff, JitterDiffersAcrossIdsAttemptsAndSeeds) {
  const ReconnectSpec s = spec(200ms, 1600ms, true, 7);
  std::set<int64_t> by_id, by_attempt, by_seed;
  for (uint64_t id = 0; id < 100; ++id) by_id.insert(reconnect_delay(s, id, 4).count());
  for (uint32_t k = 4; k < 104; ++k) by_attempt.insert(reconnect_delay(s, 5, k).count());
  for (uint64_t seed = 0; seed < 100; ++seed)
    by_seed.insert(reconnect_delay(spec(200ms, 1600ms, true, seed), 5, 4).count());
  // 100 draws from 1.6e9 + 1 values: a repeat would be a broken generator.
  EXPECT_EQ(by_id.size(), 100u);
  EXPECT_EQ(by_attempt.size(), 100u);
  EXPECT_EQ(by_seed.size(), 100u);
}

TEST(ReconnectBackoff, JitterIsRoughlyUniformOverIds) {
  const ReconnectSpec s = spec(1s, 1s, true, 2024);
  const nanoseconds cap = reconnect_backoff_cap(s, 3);
  constexpr int kIds = 10'000;
  std::array<int, 10> deciles{};
  double sum_ns = 0;
  for (uint64_t id = 0; id < kIds; ++id) {
    const nanoseconds d = reconnect_delay(s, id, 3);
    sum_ns += static_cast<double>(d.count());
    const auto bin = static_cast<size_t>(10 * d.count() / (cap.count() + 1));
    ++deciles[bin];
  }
  const double mean = sum_ns / kIds;
  const double half = static_cast<double>(cap.count()) / 2;
  EXPECT_NEAR(mean, half, 0.03 * half);
  for (size_t i = 0; i < deciles.size(); ++i) {
    EXPECT_GE(deciles[i], kIds * 8 / 100) << "decile " << i;
    EXPECT_LE(deciles[i], kIds * 12 / 100) << "decile " << i;
  }
}

}  // namespace
}  // namespace wsload::shared
