#include "schedule.hpp"

#include <algorithm>

#include "wsload/shared/planner.hpp"

namespace wsload::agent {

RunSchedule::RunSchedule(TimePoint t0, const shared::LoadSpec& load, uint64_t total_connections)
    : t0_(t0),
      hold_end_(t0 + load.ramp_up + load.hold),
      ramp_up_(load.ramp_up),
      ramp_down_(load.ramp_down),
      total_(total_connections) {}

TimePoint RunSchedule::open_at(uint64_t id) const {
  return t0_ + shared::scheduled_open(id, total_, ramp_up_);
}

TimePoint RunSchedule::close_at(uint64_t id) const {
  if (ramp_down_.count() == 0) return hold_end_;
  return hold_end_ + shared::scheduled_open(id, total_, ramp_down_);
}

void SendSchedule::reset(TimePoint established, std::chrono::nanoseconds interval) {
  established_ = established;
  interval_ = interval;
  next_k_ = 0;
}

TimePoint SendSchedule::next_instant() const {
  if (closed_loop()) return established_;
  return established_ + interval_ * static_cast<int64_t>(next_k_);
}

TimePoint SendSchedule::take(TimePoint now) {
  TimePoint at = closed_loop() ? now : next_instant();
  ++next_k_;
  return at;
}

uint64_t SendSchedule::overdue(TimePoint now, TimePoint end) const {
  if (closed_loop() || end == TimePoint::min()) return 0;
  TimePoint last = std::min(now, end - Clock::duration(1));  // instants < end are <= end - 1 tick
  TimePoint first = next_instant();
  if (last < first) return 0;
  return static_cast<uint64_t>((last - first) / interval_) + 1;
}

}  // namespace wsload::agent
