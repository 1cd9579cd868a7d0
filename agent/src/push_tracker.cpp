#include "push_tracker.hpp"

#include <algorithm>

namespace wsload::agent {

void PushTracker::observe(uint64_t seq, PushCounts& out) {
  if (seen_any_ && (seq > max_ ? seq - max_ > kMaxJump : max_ - seq > kMaxJump)) {
    finish(out);
    ++out.resets;
  }
  if (!seen_any_) {
    seen_any_ = true;
    first_ = seq;
    max_ = seq;
    return;
  }
  if (seq > max_) {
    uint64_t skipped = seq - max_ - 1;
    uint64_t floor = seq > kWindow ? seq - kWindow : 0;
    // Numbers skipped so far below the window are final gaps right away.
    uint64_t from = max_ + 1;
    if (skipped > 0 && from < floor) {
      uint64_t direct = std::min(floor, seq) - from;
      out.gaps += direct;
      from += direct;
    }
    for (uint64_t n = from; n < seq; ++n) missing_.push_back(n);
    max_ = seq;
    evict_below(floor, out);
    return;
  }
  if (seq == max_) {
    ++out.duplicates;
    return;
  }
  // seq < max_: a missing number arriving late, a repeat, or something older than we remember.
  auto it = std::lower_bound(missing_.begin(), missing_.end(), seq);
  if (it != missing_.end() && *it == seq) {
    missing_.erase(it);
    ++out.reordered;
    return;
  }
  uint64_t floor = max_ > kWindow ? max_ - kWindow : 0;
  if (seq < first_ || seq <= floor) {
    // Below the first number seen, or older than the window: it arrived after a higher one.
    ++out.reordered;
    return;
  }
  ++out.duplicates;
}

void PushTracker::finish(PushCounts& out) {
  out.gaps += missing_.size();
  missing_.clear();
  seen_any_ = false;
  first_ = 0;
  max_ = 0;
}

void PushTracker::evict_below(uint64_t floor, PushCounts& out) {
  auto end = std::lower_bound(missing_.begin(), missing_.end(), floor + 1);
  auto count = static_cast<uint64_t>(end - missing_.begin());
  if (count == 0) return;
  out.gaps += count;
  missing_.erase(missing_.begin(), end);
}

}  // namespace wsload::agent
