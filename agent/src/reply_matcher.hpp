#pragma once
// Pure reply matching: a cheap scanner for `"<field>":<number>` in a frame, and the per-connection
// table of requests in flight keyed by their sequence number. No I/O, no allocation per lookup.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "schedule.hpp"

namespace wsload::agent {

// Finds the first `"field"` followed by optional blanks, ':' and optional blanks and an unsigned
// decimal integer (optionally in double quotes) and returns that integer. Occurrences of `"field"`
// that are not keys (e.g. a string value) are skipped. nullopt when absent, not a number, or
// larger than uint64. Not a JSON parser: it does not track nesting.
std::optional<uint64_t> scan_number_field(std::string_view frame, std::string_view field);

struct InFlight {
  uint64_t seq = 0;
  TimePoint scheduled{};  // the instant the open-loop schedule wanted it sent
  TimePoint sent{};       // the instant it was handed to the socket
  uint16_t stream = 0;    // index of its stream in the connection's group
};

// Requests sent and neither answered nor timed out, in send order (seq strictly increasing).
// Not thread-safe (one per connection). Holds no heap memory while nothing is in flight and no
// request ever timed out (an idle connection's table is just its members).
class InFlightTable {
 public:
  static constexpr size_t kExpiredMemory = 64;  // recently timed-out seqs kept to spot late replies

  // Precondition: seq greater than every seq added before.
  void add(uint64_t seq, TimePoint scheduled, TimePoint sent, uint16_t stream = 0);
  // Removes and returns the request `seq`; nullopt when it is not in flight. Pairs replies in
  // match mode kField (seq scanned from the reply) and pongs of kind ping (seq is the payload).
  std::optional<InFlight> take(uint64_t seq);
  // Removes and returns the oldest request in flight. Pairs replies in match mode kNext only.
  std::optional<InFlight> take_oldest();
  // The oldest request in flight, or nullptr.
  const InFlight* oldest() const;
  size_t size() const { return live_; }
  // Bytes of request storage held (0 once nothing is in flight).
  size_t storage_bytes() const { return slots_.capacity() * sizeof(Slot); }
  bool empty() const { return live_ == 0; }

  // Removes every request sent at or before `cutoff` (= now - timeout), remembering their seqs as
  // expired; returns how many were removed.
  size_t expire_sent_before(TimePoint cutoff);
  // Removes every request (connection ended); they are remembered as expired. Returns the count.
  size_t expire_all();

  // The same two with on_removed(const InFlight&) called for each removed request, and
  // expire_where removing every request for which due(const InFlight&) holds, wherever it sits
  // (streams whose timeouts differ do not expire in send order).
  template <class Fn>
  size_t expire_all(Fn&& on_removed) {
    return expire_where([](const InFlight&) { return true; }, on_removed);
  }
  template <class Due, class Fn>
  size_t expire_where(Due&& due, Fn&& on_removed) {
    size_t removed = 0;
    for (size_t i = head_; i < slots_.size(); ++i) {
      Slot& slot = slots_[i];
      if (!slot.live || !due(slot.request)) continue;
      slot.live = false;
      --live_;
      ++removed;
      remember_expired(slot.request.seq);
      on_removed(slot.request);
    }
    pop_dead_front();
    return removed;
  }
  // Calls fn(const InFlight&) for every request in flight, oldest first.
  template <class Fn>
  void for_each(Fn&& fn) const {
    for (size_t i = head_; i < slots_.size(); ++i) {
      if (slots_[i].live) fn(slots_[i].request);
    }
  }
  // True (and forgets it) when `seq` timed out recently: a reply for it is a late reply.
  bool take_expired(uint64_t seq);

 private:
  struct Slot {
    InFlight request;
    bool live = true;
  };
  void pop_dead_front();
  void remember_expired(uint64_t seq);

  std::vector<Slot> slots_;  // [head_, end) in flight or dead; slots_[head_] is live
  uint32_t head_ = 0;        // 32-bit: one per connection, and a connection never has 4G in flight
  uint32_t live_ = 0;
  uint32_t expired_next_ = 0;
  // Allocated at the first expiry; 0 = empty (seqs start at 1).
  std::unique_ptr<std::array<uint64_t, kExpiredMemory>> expired_;
};

}  // namespace wsload::agent
