#include "run/stage_clock.hpp"

namespace wsload::controller {

std::string_view phase_at(std::chrono::nanoseconds elapsed, const shared::LoadSpec& load) {
  if (elapsed < std::chrono::nanoseconds::zero()) return "starting";
  if (elapsed < load.ramp_up) return "ramp-up";
  if (elapsed < load.ramp_up + load.hold) return "hold";
  if (elapsed < load.ramp_up + load.hold + load.ramp_down) return "ramp-down";
  return "drain";
}

std::chrono::nanoseconds planned_length(const shared::Scenario& scenario) {
  auto length = scenario.load.ramp_up + scenario.load.hold + scenario.load.ramp_down;
  if (scenario.messages) length += scenario.messages->timeout;
  return length;
}

}  // namespace wsload::controller
