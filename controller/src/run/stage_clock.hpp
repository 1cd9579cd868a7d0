#pragma once
// Pure timing helpers of a stage: NTP-style clock samples and the phase at an instant.
#include <chrono>
#include <cstdint>
#include <string>

#include "wsload/shared/scenario.hpp"

namespace wsload::controller {

struct ClockSample {
  int64_t offset_us = 0;  // agent clock minus controller clock
  int64_t rtt_us = 0;     // round trip without the agent's processing time
};

// t1: controller send, t2: agent receive, t3: agent send, t4: controller receive (us).
constexpr ClockSample clock_sample(int64_t t1, int64_t t2, int64_t t3, int64_t t4) {
  return {((t2 - t1) + (t3 - t4)) / 2, (t4 - t1) - (t3 - t2)};
}

// "starting" before 0, then the shape's phases, and "drain" after the schedule: ramp-up, hold,
// ramp-down for a ramp; "stage 2/4 → 120" (the stage running and its target) for stages;
// "arrivals" while sessions arrive, then "draining" while the last ones live, for arrivals.
std::string phase_at(std::chrono::nanoseconds elapsed, const shared::LoadSpec& load);

// The planned length of a stage from the synchronized start to the end of the drain: the load
// plan's last close (shared::LoadPlan::end) plus the request timeout.
std::chrono::nanoseconds planned_length(const shared::Scenario& scenario);

}  // namespace wsload::controller
