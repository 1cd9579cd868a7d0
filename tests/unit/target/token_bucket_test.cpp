#include "wsload/target/token_bucket.hpp"

#include <gtest/gtest.h>

namespace wsload::target {
namespace {

using std::chrono::milliseconds;

const SteadyTime kT0 = SteadyTime{} + std::chrono::hours(1);

TEST(TokenBucket, StartsFullAndAllowsBurst) {
  TokenBucket b(5, 5, kT0);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(b.try_take(kT0)) << i;
  EXPECT_FALSE(b.try_take(kT0));
}

TEST(TokenBucket, RefillsAtRate) {
  TokenBucket b(10, 10, kT0);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(b.try_take(kT0));
  EXPECT_FALSE(b.try_take(kT0 + milliseconds(99)));
  EXPECT_TRUE(b.try_take(kT0 + milliseconds(100)));  // one token after 1/rate
  EXPECT_FALSE(b.try_take(kT0 + milliseconds(150)));
  EXPECT_TRUE(b.try_take(kT0 + milliseconds(200)));
}

TEST(TokenBucket, NeverExceedsBurst) {
  TokenBucket b(10, 3, kT0);
  EXPECT_DOUBLE_EQ(b.available(kT0 + std::chrono::hours(5)), 3.0);
  int taken = 0;
  while (b.try_take(kT0 + std::chrono::hours(5))) ++taken;
  EXPECT_EQ(taken, 3);
}

TEST(TokenBucket, TimeGoingBackwardsAddsNothing) {
  TokenBucket b(1, 1, kT0);
  ASSERT_TRUE(b.try_take(kT0));
  EXPECT_FALSE(b.try_take(kT0 - std::chrono::seconds(10)));
  EXPECT_FALSE(b.try_take(kT0 + milliseconds(500)));
  EXPECT_TRUE(b.try_take(kT0 + milliseconds(1000)));
}

TEST(KeyedRateLimiter, KeysAreIndependent) {
  KeyedRateLimiter limiter(2, 2);
  EXPECT_TRUE(limiter.try_take("10.0.0.1", kT0));
  EXPECT_TRUE(limiter.try_take("10.0.0.1", kT0));
  EXPECT_FALSE(limiter.try_take("10.0.0.1", kT0));
  EXPECT_TRUE(limiter.try_take("10.0.0.2", kT0));
  EXPECT_EQ(limiter.tracked_keys(), 2u);
}

TEST(KeyedRateLimiter, ForgetsFullBucketsWhenLarge) {
  KeyedRateLimiter limiter(1, 1);
  for (int i = 0; i < 5000; ++i) limiter.try_take("ip" + std::to_string(i), kT0);
  // Ten seconds later every bucket is full again; the next insertion sweeps them.
  EXPECT_TRUE(limiter.try_take("fresh", kT0 + std::chrono::seconds(10)));
  EXPECT_LT(limiter.tracked_keys(), 5000u);
  // A swept key starts full, exactly like before.
  EXPECT_TRUE(limiter.try_take("ip1", kT0 + std::chrono::seconds(10)));
}

}  // namespace
}  // namespace wsload::target
