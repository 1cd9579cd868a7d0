#pragma once
// Turns an interval's (or the running stage's) merged delta into a timeline point, a live-view
// line or a Prometheus exposition, reading every metric through the metric table. Pure.
#include <span>
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

// One agent as the exposition's per-agent series see it.
struct AgentExposition {
  std::string agent;                             // its endpoint, as dialled (the `agent` label)
  const shared::MetricsDelta* totals = nullptr;  // what it reported in this stage; not null
  uint64_t open = 0;                             // connections open at its last report
  bool up = true;                                // still reporting (not lost)
  std::string_view state = "running";            // agent_phase_name (run/agent_phase.hpp)
  uint64_t late_reports = 0;  // reports cut before one of its load threads answered
};

// Agents beyond this many share the series agent="other" (bounded cardinality).
inline constexpr size_t kMaxAgentSeries = 64;

// The merged live metrics in Prometheus text format (for --metrics-listen), base units only: the
// table's counters (_total; failures, disconnects and unsent requests also by reason) and gauges
// for open connections and agents, under the names of kExported in live_exposition.cpp; latency,
// service latency, connect time, push latency and reconnect time as histograms in seconds
// (cumulative `le` buckets exact from the merged histograms). Every series has the label stage.
// With `parts` (format v2) also sessions failed, and per group (label group), stream (label
// stream, latency histogram) and step (label step, failures by reason, latency histogram) their
// own families. With `agents`, wsload_agent_* series labelled agent (kMaxAgentSeries at most, the
// rest folded into agent="other").
std::string live_exposition(const shared::MetricsDelta& running, const std::string& stage,
                            double elapsed_s, uint64_t open, uint64_t peak_open,
                            unsigned agents_healthy, unsigned agents_total,
                            const shared::PartIndex& parts,
                            std::span<const AgentExposition> agents = {});

}  // namespace wsload::controller
