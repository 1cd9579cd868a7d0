#pragma once
// Pure per-worker deadlines: at most one armed deadline per (connection slot, kind), kept in one
// min-heap so that a worker needs a single timer for every connection's sends, request timeouts
// and connect/backoff/close bounds. No clocks are read here; callers pass instants in.
// Re-arming or cancelling leaves the old heap entry behind as a stale entry: it is skipped (never
// reported) when it reaches the top, and the heap is compacted when stale entries pile up.
// Not thread-safe (one per worker thread).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "schedule.hpp"

namespace wsload::agent {

enum class DeadlineKind : uint8_t {
  kSend = 0,      // the next open-loop request of the connection is due
  kTimeout = 1,   // the oldest request in flight times out
  kDeadline = 2,  // connect/handshake deadline, reconnect backoff or close-handshake bound
};

class SlotDeadlines {
 public:
  static constexpr size_t kKinds = 3;

  struct Due {
    uint32_t slot = 0;
    DeadlineKind kind = DeadlineKind::kSend;
    TimePoint at{};
  };

  // Slots are 0 .. slots-1. Drops every armed deadline.
  void reset(size_t slots);
  // Arms (slot, kind) at `at`, replacing whatever was armed for it. Precondition: slot < slots.
  void arm(uint32_t slot, DeadlineKind kind, TimePoint at);
  // Disarms (slot, kind); a no-op when nothing is armed.
  void cancel(uint32_t slot, DeadlineKind kind);
  // Disarms every kind of `slot` (its connection is over).
  void cancel_all(uint32_t slot);
  bool armed(uint32_t slot, DeadlineKind kind) const;
  // Earliest armed instant; nullopt when nothing is armed.
  std::optional<TimePoint> earliest();
  // The earliest armed deadline, left armed; nullopt when nothing is armed.
  std::optional<Due> next();
  // Removes and returns the earliest armed deadline whose instant is <= now (it is disarmed
  // before it is returned, so each arming is reported at most once); nullopt when none is due.
  std::optional<Due> pop_due(TimePoint now);
  size_t armed_count() const { return live_; }
  size_t heap_size() const { return heap_.size(); }

 private:
  struct Entry {
    TimePoint at;
    uint64_t token;
    uint32_t slot;
    DeadlineKind kind;
  };
  size_t index(uint32_t slot, DeadlineKind kind) const {
    return static_cast<size_t>(slot) * kKinds + static_cast<size_t>(kind);
  }
  bool is_live(const Entry& e) const { return current_[index(e.slot, e.kind)] == e.token; }
  void drop_stale_top();
  void compact();

  std::vector<Entry> heap_;        // min-heap on `at`
  std::vector<uint64_t> current_;  // per (slot, kind): token of the armed entry, 0 = not armed
  uint64_t next_token_ = 0;
  size_t live_ = 0;
};

}  // namespace wsload::agent
