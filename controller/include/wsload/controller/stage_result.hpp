#pragma once
// What one run of one scenario stage measured, merged across agents. Plain values; reports and
// threshold evaluation read only this.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "wsload/shared/metrics.hpp"
#include "wsload/shared/scenario.hpp"

namespace wsload::controller {

struct AgentResult {
  std::string endpoint;           // host:port as dialled
  std::string hostname;           // as the agent reported it
  uint64_t share = 0;             // connections assigned
  shared::MetricsDelta totals;    // everything received from this agent
  uint64_t open_connections = 0;  // last reported gauge
  uint64_t in_flight = 0;         // last reported gauge
  int64_t clock_offset_us = 0;    // agent clock minus controller clock
  int64_t clock_rtt_us = 0;
  bool lost = false;
  std::string loss_reason;
  bool finished = false;  // sent its final report
  // Reports it cut while one of its load threads had not answered (that thread's figures came in
  // a later report, so a later timeline point): its threads were behind, e.g. a saturated machine.
  uint64_t late_reports = 0;
};

// One point of the timeline: what happened during the interval ending at `t_s`.
struct TimelinePoint {
  double t_s = 0;                 // seconds since the synchronized start
  std::string phase;              // ramp-up, hold, ramp-down, drain
  uint64_t open_connections = 0;  // summed gauges
  uint64_t target_connections = 0;
  uint64_t established = 0;  // during the interval
  uint64_t failed = 0;
  uint64_t sent = 0;
  uint64_t received = 0;
  uint64_t timeouts = 0;
  uint64_t errors = 0;
  double latency_p50_ms = 0;  // 0 when the interval had no reply
  double latency_p90_ms = 0;
  double latency_p99_ms = 0;
  double latency_max_ms = 0;
  uint32_t agents_healthy = 0;
  std::map<std::string, double> monitor;  // numeric fields of the scenario's monitor endpoint
};

struct ThresholdResult {
  std::string expression;
  std::string metric;
  double actual = 0;
  bool available = true;  // false when the metric has no value (e.g. no samples)
  bool passed = false;
};

struct StageResult {
  shared::Scenario scenario;
  std::vector<AgentResult> agents;
  shared::MetricsDelta totals;  // merge of every agent's totals
  std::vector<TimelinePoint> timeline;
  std::vector<ThresholdResult> thresholds;
  uint64_t peak_open = 0;
  int64_t start_unix_ms = 0;
  double duration_s = 0;     // synchronized start to the last final report
  bool partial = false;      // an agent was lost; its share is only partly measured
  bool interrupted = false;  // stopped by SIGINT/SIGTERM
  bool aborted = false;      // stopped because an agent was lost under abort
  std::string abort_reason;
};

}  // namespace wsload::controller
