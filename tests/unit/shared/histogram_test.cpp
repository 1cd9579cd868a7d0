#include "wsload/shared/histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

namespace wsload::shared {
namespace {

// Percentiles as parts per million so that the oracle's rank is exact integer arithmetic.
struct Percentile {
  double p;
  uint64_t ppm;
};
constexpr Percentile kPercentiles[] = {
    {0.1, 1'000},  {1, 10'000},   {10, 100'000},   {50, 500'000},    {90, 900'000},
    {95, 950'000}, {99, 990'000}, {99.9, 999'000}, {99.99, 999'900}, {100, 1'000'000}};

// The sample of rank max(1, ceil(ppm * n / 10^6)) in sorted order.
int64_t oracle(const std::vector<int64_t>& sorted, uint64_t ppm) {
  const uint64_t n = sorted.size();
  uint64_t rank = (ppm * n + 999'999) / 1'000'000;
  rank = std::max<uint64_t>(rank, 1);
  return sorted[rank - 1];
}

// Checks every percentile against the oracle: never below it and above it by at most the width
// of the oracle's bucket, which the layout keeps within oracle/1024 (3 significant digits).
void expect_matches_oracle(const Histogram& h, std::vector<int64_t> samples) {
  std::sort(samples.begin(), samples.end());
  ASSERT_EQ(h.count(), samples.size());
  for (const auto& pc : kPercentiles) {
    const int64_t want = oracle(samples, pc.ppm);
    const int64_t got = h.value_at_percentile(pc.p);
    EXPECT_GE(got, want) << "p" << pc.p;
    EXPECT_LE(got - want, want / 1024) << "p" << pc.p;
    EXPECT_LE(static_cast<double>(got - want), static_cast<double>(want) / 1000.0) << "p" << pc.p;
  }
  EXPECT_EQ(h.value_at_percentile(100), samples.back());
  EXPECT_EQ(h.min(), samples.front());
  EXPECT_EQ(h.max(), samples.back());
  const uint64_t sum =
      std::accumulate(samples.begin(), samples.end(), uint64_t{0},
                      [](uint64_t a, int64_t v) { return a + static_cast<uint64_t>(v); });
  EXPECT_EQ(h.sum(), sum);
  EXPECT_DOUBLE_EQ(h.mean(), static_cast<double>(sum) / static_cast<double>(samples.size()));
}

Histogram from(const std::vector<int64_t>& samples) {
  Histogram h;
  for (int64_t v : samples) h.record(v);
  return h;
}

std::vector<int64_t> random_samples(std::mt19937_64& rng, int kind, size_t n) {
  std::vector<int64_t> out(n);
  std::uniform_int_distribution<int64_t> uniform(1, Histogram::kHighest);
  std::uniform_real_distribution<double> log_uniform(
      0.0, std::log(static_cast<double>(Histogram::kHighest)));
  std::exponential_distribution<double> exponential(1.0 / 5000.0);
  for (auto& v : out) {
    switch (kind) {
      case 0:
        v = uniform(rng);
        break;
      case 1:
        v = static_cast<int64_t>(std::exp(log_uniform(rng)));
        break;
      default:
        v = static_cast<int64_t>(exponential(rng)) + 1;
        break;
    }
    v = std::clamp<int64_t>(v, 1, Histogram::kHighest);
  }
  return out;
}

TEST(HistogramLayout, MatchesHdrParameters) {
  // 2048 sub-buckets for 3 digits, 22 buckets to reach 1 h: the last slot holds kHighest.
  EXPECT_EQ(Histogram::index_of(2047), 2047u);
  EXPECT_EQ(Histogram::index_of(2048), 2048u);
  EXPECT_EQ(Histogram::lowest_at(2048), 2048);
  EXPECT_EQ(Histogram::highest_at(2048), 2049);
  EXPECT_EQ(Histogram::index_of(4096), 3072u);
  EXPECT_EQ(Histogram::bucket_slots(), Histogram::index_of(Histogram::kHighest) + 1);
  EXPECT_EQ(Histogram::bucket_slots(), 23221u);
  EXPECT_LE(Histogram::lowest_at(Histogram::bucket_slots() - 1), Histogram::kHighest);
  EXPECT_GE(Histogram::highest_at(Histogram::bucket_slots() - 1), Histogram::kHighest);
}

TEST(HistogramLayout, BucketsTileTheRangeWithinThreeDigits) {
  for (size_t i = 1; i < Histogram::bucket_slots(); ++i) {
    const int64_t lo = Histogram::lowest_at(i);
    const int64_t hi = Histogram::highest_at(i);
    ASSERT_LE(lo, hi);
    ASSERT_EQ(lo, Histogram::highest_at(i - 1) + 1) << i;
    ASSERT_EQ(Histogram::index_of(lo), i);
    ASSERT_EQ(Histogram::index_of(hi), i);
    ASSERT_LE(hi - lo, lo / 1024) << i;
  }
}

TEST(Histogram, EmptyIsZero) {
  Histogram h;
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.mean(), 0.0);
  EXPECT_EQ(h.value_at_percentile(50), 0);
  EXPECT_EQ(h, Histogram());
}

TEST(Histogram, SingleSampleIsExactAtEveryPercentile) {
  for (int64_t v :
       {int64_t{1}, int64_t{2047}, int64_t{2049}, int64_t{123'457}, Histogram::kHighest}) {
    Histogram h;
    h.record(v);
    for (const auto& pc : kPercentiles) EXPECT_EQ(h.value_at_percentile(pc.p), v);
    EXPECT_EQ(h.value_at_percentile(0), v);
  }
}

TEST(Histogram, RandomDistributionsMatchOracle) {
  std::mt19937_64 rng(42);
  for (int kind = 0; kind < 3; ++kind) {
    for (size_t n : {size_t{1}, size_t{7}, size_t{1000}, size_t{100'000}}) {
      SCOPED_TRACE("kind " + std::to_string(kind) + " n " + std::to_string(n));
      const auto samples = random_samples(rng, kind, n);
      expect_matches_oracle(from(samples), samples);
    }
  }
}

TEST(Histogram, AdversarialInputsMatchOracle) {
  std::vector<std::vector<int64_t>> cases;
  cases.push_back(std::vector<int64_t>(5000, 777'777));  // all the same value
  std::vector<int64_t> powers;
  for (int b = 0; b < 32; ++b) {
    const int64_t v = int64_t{1} << b;
    for (int64_t d : {-1, 0, 1}) {
      if (v + d >= 1 && v + d <= Histogram::kHighest) powers.push_back(v + d);
    }
  }
  cases.push_back(powers);
  std::vector<int64_t> boundaries;
  for (size_t i = 1; i < Histogram::bucket_slots(); i += 97) {
    boundaries.push_back(Histogram::lowest_at(i));
    boundaries.push_back(Histogram::highest_at(i));
  }
  cases.push_back(boundaries);
  cases.push_back({Histogram::kHighest, Histogram::kHighest - 1, 1, 2});
  for (const auto& samples : cases) expect_matches_oracle(from(samples), samples);
}

TEST(Histogram, ClampsAndCountsOutOfRangeValues) {
  Histogram h;
  h.record(0);
  h.record(-5);
  h.record(Histogram::kHighest + 1);
  h.record(std::numeric_limits<int64_t>::max());
  h.record(10);
  EXPECT_EQ(h.count(), 5u);
  EXPECT_EQ(h.clamped(), 4u);
  EXPECT_EQ(h.min(), 1);
  EXPECT_EQ(h.max(), Histogram::kHighest);
  EXPECT_EQ(h.sum(), 1u + 1u + 10u + 2u * static_cast<uint64_t>(Histogram::kHighest));
  expect_matches_oracle(h, {1, 1, 10, Histogram::kHighest, Histogram::kHighest});
}

TEST(Histogram, HugeCountsKeepPercentileRanks) {
  Histogram h;
  h.record(100, 999'000'000'000);
  h.record(5'000, 1'000'000'000);
  EXPECT_EQ(h.count(), 1'000'000'000'000u);
  EXPECT_EQ(h.value_at_percentile(99.9), 100);
  EXPECT_EQ(h.value_at_percentile(99.91), 5'000);
  EXPECT_EQ(h.sum(), 999'000'000'000u * 100u + 5'000'000'000'000u);
  h.record(7, 0);  // a zero count records nothing
  EXPECT_EQ(h.min(), 100);
}

TEST(Histogram, PercentileRankIsNotOffByFloatingPointNoise) {
  // 99.9/100*1000 is 999.0000000000001 in doubles; the rank must still be 999.
  std::vector<int64_t> samples(1000);
  std::iota(samples.begin(), samples.end(), 1);
  const Histogram h = from(samples);
  EXPECT_EQ(h.value_at_percentile(99.9), 999);
  EXPECT_EQ(h.value_at_percentile(0.1), 1);
  EXPECT_EQ(h.value_at_percentile(50), 500);
}

TEST(Histogram, MergeOfShardsEqualsOneHistogram) {
  std::mt19937_64 rng(7);
  for (int k = 2; k <= 16; ++k) {
    const auto samples = random_samples(rng, k % 3, 20'000);
    std::vector<Histogram> shards(k);
    std::uniform_int_distribution<int> pick(0, k - 1);
    for (int64_t v : samples) shards[pick(rng)].record(v);
    Histogram merged;
    for (const auto& s : shards) merged.merge(s);
    const Histogram whole = from(samples);
    EXPECT_EQ(merged, whole) << "k=" << k;
    for (const auto& pc : kPercentiles) {
      EXPECT_EQ(merged.value_at_percentile(pc.p), whole.value_at_percentile(pc.p));
    }
    expect_matches_oracle(merged, samples);
  }
}

TEST(Histogram, MergeIntoEmptyAndOfEmpty) {
  Histogram a, empty;
  a.record(5);
  a.record(9'000);
  Histogram b;
  b.merge(a);
  EXPECT_EQ(b, a);
  a.merge(empty);
  EXPECT_EQ(b, a);
  a.reset();
  EXPECT_EQ(a, Histogram());
}

TEST(HistogramSerialize, RoundTrips) {
  std::mt19937_64 rng(3);
  std::vector<Histogram> cases(1);  // empty first
  for (int kind = 0; kind < 3; ++kind) cases.push_back(from(random_samples(rng, kind, 5000)));
  Histogram clamped;
  clamped.record(-1);
  clamped.record(Histogram::kHighest * 2, 3);
  cases.push_back(clamped);
  for (const auto& h : cases) {
    const std::string bytes = h.serialize();
    const auto back = Histogram::deserialize(bytes);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, h);
    EXPECT_EQ(back->serialize(), bytes);
  }
  EXPECT_LT(cases[0].serialize().size(), 8u);
}

TEST(HistogramSerialize, RejectsTruncationAndGarbage) {
  std::mt19937_64 rng(11);
  const Histogram h = from(random_samples(rng, 1, 3000));
  const std::string bytes = h.serialize();
  EXPECT_FALSE(Histogram::deserialize("").has_value());
  EXPECT_FALSE(Histogram::deserialize(std::string(1, '\x02') + bytes.substr(1)).has_value());
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(Histogram::deserialize(bytes.substr(0, n)).has_value()) << n;
  }
  // Random bytes and random single-byte corruptions never crash; anything accepted is consistent.
  std::uniform_int_distribution<int> byte(0, 255);
  for (int i = 0; i < 20'000; ++i) {
    std::string input;
    if (i % 2 == 0) {
      input.resize(static_cast<size_t>(byte(rng) % 64));
      for (auto& c : input) c = static_cast<char>(byte(rng));
      if (!input.empty() && i % 4 == 0) input[0] = '\x01';
    } else {
      input = bytes;
      input[static_cast<size_t>(byte(rng)) % input.size()] = static_cast<char>(byte(rng));
    }
    const auto parsed = Histogram::deserialize(input);
    if (parsed) {
      uint64_t total = 0;
      parsed->for_each_bucket([&](int64_t, int64_t, uint64_t c) { total += c; });
      EXPECT_EQ(total, parsed->count());
      EXPECT_LE(parsed->min(), parsed->max());
      EXPECT_EQ(Histogram::deserialize(parsed->serialize()), parsed);
    }
  }
}

TEST(HistogramSerialize, RejectsInconsistentHeader) {
  Histogram h;
  h.record(100);
  std::string bytes = h.serialize();
  // Layout: version, count, sum, min, max, clamped, then (gap, count) pairs.
  std::string wrong_count = bytes;
  wrong_count[1] = 2;
  EXPECT_FALSE(Histogram::deserialize(wrong_count).has_value());
  std::string extra_pair = bytes + std::string("\x00\x01", 2);
  EXPECT_FALSE(Histogram::deserialize(extra_pair).has_value());
}

// deserialize_into reuses a histogram that held other data: the result equals a fresh decode, and
// a malformed input leaves it empty (equal to Histogram(), so no slot keeps a stale count).
TEST(HistogramSerialize, DeserializeIntoReusedStorageEqualsFreshDecode) {
  std::mt19937_64 rng(21);
  Histogram reused = from(random_samples(rng, 2, 4000));
  for (int kind = 0; kind < 3; ++kind) {
    const Histogram h = from(random_samples(rng, kind, 3000));
    ASSERT_TRUE(Histogram::deserialize_into(h.serialize(), &reused));
    EXPECT_EQ(reused, h);
  }
  ASSERT_TRUE(Histogram::deserialize_into(Histogram().serialize(), &reused));
  EXPECT_EQ(reused, Histogram());

  const Histogram h = from(random_samples(rng, 1, 3000));
  const std::string bytes = h.serialize();
  for (size_t n : {size_t{0}, size_t{1}, bytes.size() / 2, bytes.size() - 1}) {
    Histogram dirty = from(random_samples(rng, 0, 500));
    EXPECT_FALSE(Histogram::deserialize_into(bytes.substr(0, n), &dirty)) << n;
    EXPECT_EQ(dirty, Histogram()) << n;
  }
  // A valid bucket list with an inconsistent header fails after writing slots: they are cleared.
  std::string wrong_count = bytes;
  wrong_count[1] = static_cast<char>(wrong_count[1] ^ 1);
  Histogram dirty = from(random_samples(rng, 0, 500));
  EXPECT_FALSE(Histogram::deserialize_into(wrong_count, &dirty));
  EXPECT_EQ(dirty, Histogram());
}

// reset() clears only the occupied range; the result must still equal an empty histogram.
TEST(Histogram, ResetAfterMergesAndClampsIsEmpty) {
  std::mt19937_64 rng(5);
  Histogram h = from(random_samples(rng, 1, 2000));
  h.merge(from(random_samples(rng, 2, 2000)));
  h.record(-5);
  h.record(Histogram::kHighest * 3);
  h.reset();
  EXPECT_EQ(h, Histogram());
  h.record(42);
  EXPECT_EQ(h.min(), 42);
  EXPECT_EQ(h.count(), 1u);
}

}  // namespace
}  // namespace wsload::shared
