#pragma once
// The distinct JWT subjects ("sub" claims) of completed upgrades, bounded in count and bytes.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

namespace wsload::target {

// Thread-safe: record() takes one mutex (called once per upgrade, not per message); the counts are
// atomics read without it.
class SubjectSet {
 public:
  // At most `max_subjects` subjects and `max_bytes` bytes of subject text are kept.
  SubjectSet(std::size_t max_subjects, std::size_t max_bytes)
      : max_subjects_(max_subjects), max_bytes_(max_bytes) {}

  // Remembers `subject`. A subject already seen changes nothing; a new one that does not fit the
  // bounds is counted in overflow() (and again each time it is seen: it cannot be remembered).
  void record(std::string_view subject);

  // Distinct subjects recorded: exact while overflow() is 0, a lower bound after.
  uint64_t distinct() const { return distinct_.load(std::memory_order_relaxed); }
  uint64_t overflow() const { return overflow_.load(std::memory_order_relaxed); }

 private:
  const std::size_t max_subjects_;
  const std::size_t max_bytes_;
  std::mutex mutex_;
  std::unordered_set<std::string> subjects_;  // guarded by mutex_
  std::size_t bytes_ = 0;                     // guarded by mutex_; sum of subject sizes
  std::atomic<uint64_t> distinct_{0};
  std::atomic<uint64_t> overflow_{0};
};

}  // namespace wsload::target
