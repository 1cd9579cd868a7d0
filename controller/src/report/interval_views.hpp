#pragma once
// Turns an interval's (or the running stage's) merged delta into a timeline point, a live-view
// line or a Prometheus exposition, reading every metric through the metric table. Pure.
#include <string>

#include "run/live_view.hpp"
#include "wsload/controller/stage_result.hpp"

namespace wsload::controller {

// shared::Counters::error_count (SPEC §4 errors).
uint64_t error_count(const shared::Counters& c);

TimelinePoint timeline_point(const shared::MetricsDelta& interval, double t_s, std::string phase,
                             uint64_t open, uint64_t target, unsigned agents_healthy);

LiveSnapshot live_snapshot(const shared::MetricsDelta& interval, double interval_s,
                           double elapsed_s, double planned_s, std::string phase, uint64_t open,
                           uint64_t target, uint64_t errors_total, unsigned agents_healthy,
                           unsigned agents_total);

// The merged live metrics in Prometheus text format (for --metrics-listen): the table's counters
// (with counts by reason) and gauges for open connections and agents, under the names of
// kExported in interval_views.cpp, and latency quantiles in milliseconds.
std::string live_exposition(const shared::MetricsDelta& running, const std::string& stage,
                            double elapsed_s, uint64_t open, uint64_t peak_open,
                            unsigned agents_healthy, unsigned agents_total);

}  // namespace wsload::controller
