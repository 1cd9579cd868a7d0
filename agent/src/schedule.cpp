#include "schedule.hpp"

#include <algorithm>

namespace wsload::agent {

RunSchedule::RunSchedule(TimePoint t0, const shared::LoadPlan& plan,
                         const std::vector<uint32_t>& ids)
    : t0_(t0), hold_end_(t0 + plan.requests_end()) {
  std::vector<shared::LoadPlan::Session> sessions;
  slots_.reserve(ids.size());
  for (uint32_t id : ids) {
    sessions.clear();
    plan.sessions(id, sessions);
    for (const auto& s : sessions) slots_.push_back({id, t0 + s.open, t0 + s.close});
  }
  // Ids come in increasing order; a ramp's opens already are in order (stable: ties by id).
  std::stable_sort(slots_.begin(), slots_.end(),
                   [](const Slot& a, const Slot& b) { return a.open < b.open; });
  close_order_.resize(slots_.size());
  for (size_t i = 0; i < slots_.size(); ++i) close_order_[i] = static_cast<uint32_t>(i);
  std::stable_sort(close_order_.begin(), close_order_.end(),
                   [this](uint32_t a, uint32_t b) { return slots_[a].close < slots_[b].close; });
}

uint64_t RunSchedule::peak() const {
  // A session holds its descriptor from its open to its close, both included (a session that
  // closes as another opens still counts: the close takes time).
  int64_t open = 0;
  int64_t peak = 0;
  size_t k = 0;
  for (const Slot& slot : slots_) {  // in open order
    while (k < close_order_.size() && slots_[close_order_[k]].close < slot.open) {
      --open;
      ++k;
    }
    peak = std::max(peak, ++open);
  }
  return static_cast<uint64_t>(peak);
}

void SendSchedule::reset(TimePoint established, std::chrono::nanoseconds interval,
                         TimePoint not_before) {
  established_ = established;
  interval_ = interval;
  next_k_ = 0;
  if (closed_loop() || not_before <= established) return;
  const auto ahead = not_before - established;  // the first k with established + k * interval
  next_k_ = static_cast<uint64_t>((ahead + interval_ - Clock::duration(1)) / interval_);  // >= it
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
