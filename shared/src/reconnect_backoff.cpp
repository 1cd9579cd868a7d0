#include "wsload/shared/reconnect_backoff.hpp"

#include <algorithm>

namespace wsload::shared {
namespace {

__extension__ typedef unsigned __int128 u128;

// splitmix64's output function (Steele, Lea, Flood 2014; the seeding generator of xoshiro):
// a bijection of 64-bit values with full avalanche, the same on every platform.
uint64_t splitmix64(uint64_t x) {
  uint64_t z = x + 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

uint64_t reconnect_mix(uint64_t seed, uint64_t connection_id, uint32_t attempt) {
  return splitmix64(splitmix64(splitmix64(seed) ^ connection_id) ^ attempt);
}

std::chrono::nanoseconds reconnect_backoff_cap(const ReconnectSpec& spec, uint32_t attempt) {
  const int64_t base = std::max<int64_t>(spec.backoff.count(), 0);
  const int64_t cap = spec.max_backoff.count();
  if (cap <= 0 || base == 0) return std::chrono::nanoseconds(base);
  // base * 2^(attempt-1), doubled only while it stays below the cap (so it never overflows).
  int64_t wait = base;
  for (uint32_t k = 1; k < attempt && wait < cap; ++k) wait = wait > cap / 2 ? cap : wait * 2;
  return std::chrono::nanoseconds(std::min(wait, cap));
}

std::chrono::nanoseconds reconnect_delay(const ReconnectSpec& spec, uint64_t connection_id,
                                         uint32_t attempt) {
  const std::chrono::nanoseconds cap = reconnect_backoff_cap(spec, attempt);
  if (!spec.jitter || cap.count() <= 0) return cap;
  // Uniform over the cap + 1 values 0..cap: the high 64 bits of r * (cap + 1) (Lemire's
  // multiply-shift; its bias is below (cap + 1) / 2^64, under 2e-6 even for a 1 h cap in ns).
  const u128 span = static_cast<u128>(cap.count()) + 1;
  const u128 r = reconnect_mix(spec.seed, connection_id, attempt);
  return std::chrono::nanoseconds(static_cast<int64_t>((r * span) >> 64));
}

}  // namespace wsload::shared
