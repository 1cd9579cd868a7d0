#pragma once
// Pure timing of one agent's run: when each connection opens and closes, and when each request of a
// connection is due. No clocks are read here; callers pass instants in (tests inject them).
#include <chrono>
#include <cstdint>
#include <vector>

#include "wsload/shared/load_plan.hpp"
#include "wsload/shared/scenario.hpp"

namespace wsload::agent {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

// One worker's part of the global schedule (shared::LoadPlan), anchored at the synchronized start
// t0: the sessions of its connection ids, by slot in open order. A connection id may have several
// sessions (stages that open it again); each session is its own slot.
class RunSchedule {
 public:
  RunSchedule() = default;
  // `ids`: the worker's global connection ids.
  RunSchedule(TimePoint t0, const shared::LoadPlan& plan, const std::vector<uint32_t>& ids);

  TimePoint t0() const { return t0_; }
  // No request is started at or after this instant (LoadPlan::requests_end).
  TimePoint hold_end() const { return hold_end_; }
  size_t slots() const { return slots_.size(); }
  uint32_t id(size_t slot) const { return slots_[slot].id; }
  // Slots open in slot order: open_at is non-decreasing.
  TimePoint open_at(size_t slot) const { return slots_[slot].open; }
  TimePoint close_at(size_t slot) const { return slots_[slot].close; }
  // The k-th slot to close (close_at non-decreasing in k).
  uint32_t closing(size_t k) const { return close_order_[k]; }
  // The most of these sessions open at once.
  uint64_t peak() const;

 private:
  struct Slot {
    uint32_t id = 0;
    TimePoint open{};
    TimePoint close{};
  };
  TimePoint t0_{};
  TimePoint hold_end_{};
  std::vector<Slot> slots_;
  std::vector<uint32_t> close_order_;
};

// Open-loop request clock of one connection: request k is due at established + k * interval.
// With interval 0 (closed loop) a request is due whenever the caller asks (after each reply).
class SendSchedule {
 public:
  // Slots established + k * interval; those before `not_before` are skipped (never scheduled).
  void reset(TimePoint established, std::chrono::nanoseconds interval,
             TimePoint not_before = TimePoint::min());
  bool closed_loop() const { return interval_.count() == 0; }
  uint64_t next_index() const { return next_k_; }
  // Scheduled instant of the next request (closed loop: the established instant; callers use now).
  TimePoint next_instant() const;
  bool due(TimePoint now) const { return closed_loop() || next_instant() <= now; }
  // Consumes the next request and returns its scheduled instant; closed loop returns `now`.
  TimePoint take(TimePoint now);
  // How many requests not yet taken have their instant at or before `now` and before `end`
  // (the requests that were due and never went out). 0 for a closed loop.
  uint64_t overdue(TimePoint now, TimePoint end) const;

 private:
  TimePoint established_{};
  std::chrono::nanoseconds interval_{0};
  uint64_t next_k_ = 0;
};

// A send counts as behind schedule when it left more than this after its scheduled instant.
inline constexpr std::chrono::microseconds kScheduleSlack{1000};

}  // namespace wsload::agent
