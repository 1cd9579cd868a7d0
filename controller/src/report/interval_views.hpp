#pragma once
// Turns an interval's (or the running stage's) merged delta into a timeline point, a live-view
// line or a Prometheus exposition, reading every metric through the metric table. Pure.
#include <string>

#include "run/live_view.hpp"
#include "wsload/controller/stage_result.hpp"
#include "wsload/shared/session_plan.hpp"

namespace wsload::controller {

// shared::Counters::error_count (SPEC §4 errors).
uint64_t error_count(const shared::Counters& c);

TimelinePoint timeline_point(const shared::MetricsDelta& interval, double t_s, std::string phase,
                             uint64_t open, uint64_t target, unsigned agents_healthy);

// `parts` names the stage's streams and steps (run_metrics.hpp stage_parts; empty for v1): the
// snapshot then has every stream's rate and the steps that failed during the interval.
LiveSnapshot live_snapshot(const shared::MetricsDelta& interval, double interval_s,
                           double elapsed_s, double planned_s, std::string phase, uint64_t open,
                           uint64_t target, uint64_t errors_total, unsigned agents_healthy,
                           unsigned agents_total, const shared::PartIndex& parts);

// The merged live metrics in Prometheus text format (for --metrics-listen): the table's counters
// (with counts by reason) and gauges for open connections and agents, under the names of
// kExported in live_exposition.cpp, and latency quantiles in milliseconds. With `parts` (format
// v2) also sessions failed, and per group (label group), stream (label stream) and step (label
// step, failures by reason) their own families.
std::string live_exposition(const shared::MetricsDelta& running, const std::string& stage,
                            double elapsed_s, uint64_t open, uint64_t peak_open,
                            unsigned agents_healthy, unsigned agents_total,
                            const shared::PartIndex& parts);

}  // namespace wsload::controller
