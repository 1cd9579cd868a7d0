#pragma once
// Pure timing of one agent's run: when each connection opens and closes, and when each request of a
// connection is due. No clocks are read here; callers pass instants in (tests inject them).
#include <chrono>
#include <cstdint>

#include "wsload/shared/scenario.hpp"

namespace wsload::agent {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

// The global ramp schedule, anchored at the synchronized start t0.
class RunSchedule {
 public:
  RunSchedule() = default;
  RunSchedule(TimePoint t0, const shared::LoadSpec& load, uint64_t total_connections);

  TimePoint t0() const { return t0_; }
  // t0 + scheduled_open(id, total, ramp_up).
  TimePoint open_at(uint64_t id) const;
  // End of hold: t0 + ramp_up + hold. No request is started at or after this instant.
  TimePoint hold_end() const { return hold_end_; }
  // hold_end + scheduled_open(id, total, ramp_down): ramp-down spreads closes in id order;
  // with ramp_down == 0 every connection closes at hold_end.
  TimePoint close_at(uint64_t id) const;

 private:
  TimePoint t0_{};
  TimePoint hold_end_{};
  std::chrono::nanoseconds ramp_up_{0};
  std::chrono::nanoseconds ramp_down_{0};
  uint64_t total_ = 0;
};

// Open-loop request clock of one connection: request k is due at established + k * interval.
// With interval 0 (closed loop) a request is due whenever the caller asks (after each reply).
class SendSchedule {
 public:
  void reset(TimePoint established, std::chrono::nanoseconds interval);
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
