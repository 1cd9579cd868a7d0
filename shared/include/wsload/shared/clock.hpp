#pragma once
// Wall-clock (system_clock) time as Unix time, for values that leave the process: protocol
// timestamps, JWT iat/exp, push `ts` fields, template {{now_us}}. Not monotonic (NTP may step it):
// measure durations with steady_clock. Thread-safe.
#include <chrono>
#include <cstdint>

namespace wsload::shared {

// Microseconds since the Unix epoch.
inline int64_t unix_us_now() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Whole seconds since the Unix epoch (truncated).
inline int64_t unix_s_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace wsload::shared
