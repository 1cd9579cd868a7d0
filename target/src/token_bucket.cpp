#include "wsload/target/token_bucket.hpp"

#include <algorithm>

namespace wsload::target {

TokenBucket::TokenBucket(double rate, double burst, SteadyTime now)
    : rate_(rate), burst_(burst), tokens_(burst), last_(now) {}

void TokenBucket::refill(SteadyTime now) {
  if (now <= last_) return;
  std::chrono::duration<double> elapsed = now - last_;
  tokens_ = std::min(burst_, tokens_ + elapsed.count() * rate_);
  last_ = now;
}

bool TokenBucket::try_take(SteadyTime now) {
  refill(now);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

double TokenBucket::available(SteadyTime now) const {
  if (now <= last_) return tokens_;
  std::chrono::duration<double> elapsed = now - last_;
  return std::min(burst_, tokens_ + elapsed.count() * rate_);
}

KeyedRateLimiter::KeyedRateLimiter(double rate, double burst) : rate_(rate), burst_(burst) {}

bool KeyedRateLimiter::try_take(const std::string& key, SteadyTime now) {
  std::lock_guard lock(mutex_);
  if (buckets_.size() >= kSweepThreshold) sweep(now);
  auto it = buckets_.try_emplace(key, rate_, burst_, now).first;
  return it->second.try_take(now);
}

std::size_t KeyedRateLimiter::tracked_keys() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

void KeyedRateLimiter::sweep(SteadyTime now) {
  // A full bucket behaves exactly like a new one, so forgetting it changes nothing.
  std::erase_if(buckets_, [&](auto& entry) { return entry.second.available(now) >= burst_; });
}

}  // namespace wsload::target
