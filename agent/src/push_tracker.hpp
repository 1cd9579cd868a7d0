#pragma once
// Pure per-connection accounting of server push sequence numbers: gaps, duplicates, reordering.
//   gap       a number after the connection's first one that is never received (6 then 9: 7 and 8);
//   duplicate a number received more than once;
//   reordered a number that arrived after a higher one (a "missing" number arriving late is
//             reordered, not a gap);
//   reset     a jump of more than kMaxJump numbers forward or back: not a loss but a sequence that
//             restarted or broke (a publisher restart, a corrupt field). The numbers still missing
//             become gaps and the tracker starts again from the new number, so one bad value
//             cannot turn into 2^64 gaps.
// A missing number is counted as a gap only once it is final: when it falls out of the window of
// the kWindow numbers below the highest seen, or at finish(). Counts never decrease, so they can
// be shipped as deltas. Not thread-safe (one per connection).
#include <cstddef>
#include <cstdint>
#include <vector>

namespace wsload::agent {

struct PushCounts {
  uint64_t gaps = 0;
  uint64_t duplicates = 0;
  uint64_t reordered = 0;
  uint64_t resets = 0;
};

class PushTracker {
 public:
  static constexpr uint64_t kWindow = 1024;
  static constexpr uint64_t kMaxJump = uint64_t{1} << 24;

  // Accounts one received number into `out`.
  void observe(uint64_t seq, PushCounts& out);
  // Counts every number still missing as a gap (the connection ended) and resets the tracker.
  void finish(PushCounts& out);
  size_t outstanding_missing() const { return missing_.size(); }

 private:
  void evict_below(uint64_t floor, PushCounts& out);

  bool seen_any_ = false;
  uint64_t first_ = 0;
  uint64_t max_ = 0;
  std::vector<uint64_t> missing_;  // sorted, all in (max_ - kWindow, max_)
};

}  // namespace wsload::agent
