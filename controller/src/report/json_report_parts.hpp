#pragma once
// The wsload.report/v1 sections of a format-v2 stage (SPEC §4 names per part): scenario.groups
// (every part's name, in PartsDelta order), then `groups` (name -> the totals' sections over the
// group's counters, with connections.open and sessions.failed), `streams` (name -> sent, replies,
// timeouts, unsent and the latency distribution with its histogram), `steps` (name -> ok, failed,
// failures by reason and the latency distribution) and `sessions` ({failed, by_step}). A v1 stage
// has none of them. Reading restores every figure exactly.
#include <nlohmann/json.hpp>
#include <vector>

#include "wsload/controller/stage_result.hpp"

namespace wsload::controller {

// [{name, weight | connections, url, streams: [names], on_open: [names], on_close: [names]}]
nlohmann::json scenario_groups_json(const shared::Scenario& s);
// The groups with their names, shares and parts' names (what reports and thresholds use).
std::vector<shared::GroupSpec> scenario_groups_from_json(const nlohmann::json& groups);

void put_parts(nlohmann::json& j, const StageResult& r);
// Fills r.totals.parts (one entry per part of r.scenario.groups) and
// r.totals.counters.sessions_failed. Throws std::runtime_error naming a missing field.
void read_parts(const nlohmann::json& j, StageResult& r);

}  // namespace wsload::controller
