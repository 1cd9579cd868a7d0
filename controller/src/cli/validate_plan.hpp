#pragma once
// What `wsload validate` prints for one stage of a plan: load, messages (v1) or groups with their
// steps and streams (v2), thresholds, and each agent's share of the connections (v2: per group
// too). Pure formatting over the shared planner; no I/O besides `out`.
#include <ostream>
#include <span>

#include "wsload/controller/run_options.hpp"
#include "wsload/shared/scenario.hpp"

namespace wsload::controller {

void print_stage_plan(std::ostream& out, const shared::Scenario& stage,
                      std::span<const AgentEndpoint> agents);

}  // namespace wsload::controller
