#include "wake_policy.hpp"

#include <algorithm>

namespace wsload::agent {

WakePolicy::Plan WakePolicy::plan(TimePoint now, TimePoint at, TimePoint last_tick, bool precise) {
  Plan p;
  p.tick = std::max(at, last_tick + kMinTickGap);
  p.fire = p.tick;
  if (!precise || p.tick <= now || !may_poll(now)) return p;
  p.fire = p.tick - now < kPrewake + kMinSleep ? now : p.tick - kPrewake;
  return p;
}

void WakePolicy::note_wake(TimePoint planned, TimePoint ran) {
  if (ran - planned > kPrewake) budget_ = std::chrono::nanoseconds::zero();
}

void WakePolicy::charge_poll(TimePoint from, TimePoint to) {
  if (to > from) spent_ += to - from;
}

bool WakePolicy::may_poll(TimePoint now) {
  if (now - budget_second_ >= std::chrono::seconds(1)) {
    budget_second_ = now;
    spent_ = std::chrono::nanoseconds::zero();
    budget_ = machine_busy_ && machine_busy_() ? std::chrono::nanoseconds::zero()
                                               : std::chrono::nanoseconds(kSpinBudget);
  }
  return spent_ < budget_;
}

}  // namespace wsload::agent
