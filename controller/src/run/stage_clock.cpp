#include "run/stage_clock.hpp"

#include <fmt/format.h>

#include "wsload/shared/load_plan.hpp"

namespace wsload::controller {
namespace {

using Nanos = std::chrono::nanoseconds;

// "stage 2/4 → 120" while stage 2 runs; "drain" after the last.
std::string stage_phase(Nanos elapsed, const std::vector<shared::LoadStage>& stages) {
  Nanos end{0};
  for (size_t i = 0; i < stages.size(); ++i) {
    end += stages[i].over;
    if (elapsed < end) return fmt::format("stage {}/{} → {}", i + 1, stages.size(), stages[i].to);
  }
  return "drain";
}

}  // namespace

std::string phase_at(Nanos elapsed, const shared::LoadSpec& load) {
  if (elapsed < Nanos::zero()) return "starting";
  if (load.arrival) {
    if (elapsed < load.arrival->duration) return "arrivals";
    return elapsed < shared::LoadPlan(load).end() ? "draining" : "drain";
  }
  if (!load.stages.empty()) return stage_phase(elapsed, load.stages);
  if (elapsed < load.ramp_up) return "ramp-up";
  if (elapsed < load.ramp_up + load.hold) return "hold";
  if (elapsed < load.ramp_up + load.hold + load.ramp_down) return "ramp-down";
  return "drain";
}

Nanos planned_length(const shared::Scenario& scenario) {
  Nanos length = shared::LoadPlan(scenario.load).end();
  if (scenario.messages) length += scenario.messages->timeout;
  return length;
}

}  // namespace wsload::controller
