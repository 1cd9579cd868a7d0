#pragma once
// Token buckets for the per-IP upgrade limit (--accept-rate). Time is passed in (injected clock).
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace wsload::target {

using SteadyTime = std::chrono::steady_clock::time_point;

// `rate` tokens per second, at most `burst` stored; starts full. Not thread-safe.
class TokenBucket {
 public:
  TokenBucket(double rate, double burst, SteadyTime now);

  // Takes one token if available at `now`. Time going backwards adds nothing.
  bool try_take(SteadyTime now);
  // Tokens available at `now` (without taking any).
  double available(SteadyTime now) const;

 private:
  void refill(SteadyTime now);

  double rate_;
  double burst_;
  double tokens_;
  SteadyTime last_;
};

// One bucket per key (client IP). Thread-safe: one mutex, taken once per upgrade attempt.
// Buckets that have refilled completely are forgotten when the map grows past `kSweepThreshold`.
class KeyedRateLimiter {
 public:
  KeyedRateLimiter(double rate, double burst);

  bool try_take(const std::string& key, SteadyTime now);
  std::size_t tracked_keys() const;

 private:
  static constexpr std::size_t kSweepThreshold = 4096;
  void sweep(SteadyTime now);

  double rate_;
  double burst_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, TokenBucket> buckets_;
};

}  // namespace wsload::target
