#pragma once
// The live view (SPEC §5): on a terminal a panel with a progress bar, redrawn in place every live
// interval; otherwise (CI logs, pipes) one plain line per interval. Not thread-safe; the
// coordinator thread owns it.
#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "run/agent_notices.hpp"

namespace wsload::controller {

// One stream of a format-v2 scenario over the interval.
struct StreamRate {
  std::string name;
  double sent_per_s = 0;
  bool has_latency = false;
  double p99_ms = 0;  // 0 without samples
  uint64_t timeouts = 0;
};

struct LiveSnapshot {
  double elapsed_s = 0;
  double planned_s = 0;  // ramp-up + hold + ramp-down, for the progress bar
  std::string phase;
  uint64_t open = 0;
  uint64_t target = 0;           // connections the load plan has open now (shared::LoadPlan)
  double arrival_rate = 0;       // arrivals per second of an arrival model; 0 for other shapes
  double connections_per_s = 0;  // established per second over the interval
  double sent_per_s = 0;
  double received_per_s = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;  // latency over the interval (0 without samples)
  bool has_latency = false;
  uint64_t errors = 0;           // cumulative error count
  uint64_t behind_schedule = 0;  // sends behind schedule during the interval
  double max_lag_ms = 0;
  unsigned agents_healthy = 0;
  unsigned agents_total = 0;
  std::map<std::string, double> server;  // the monitor endpoint's numeric fields, if any
  std::string server_error;              // why the last monitor poll failed
  std::vector<StreamRate> streams;       // format v2: every stream, in the scenario's order
  std::vector<std::pair<std::string, uint64_t>> steps_failed;  // steps that failed, how often
};

class LiveView {
 public:
  // `terminal`: draw the redrawn panel (the caller decides, e.g. isatty(STDOUT_FILENO)).
  LiveView(std::ostream& out, bool quiet, bool terminal = false)
      : out_(out), quiet_(quiet), terminal_(terminal) {}
  void update(const LiveSnapshot& s);
  // A notice (stopping, interrupted, ...) unless quiet; notices held by agent_lost go first.
  void message(const std::string& line);
  // Agent `agent` with `share` connections was lost for `reason`: told at once, unless another
  // agent was lost for the same reason since the last update; those are told as one line at the
  // next update, message or flush_notices (AgentLossNotices).
  void agent_lost(const std::string& agent, const std::string& reason, uint64_t share);
  // Prints the held notices (the end of a stage).
  void flush_notices();

  // One line; for a format-v2 scenario a second one (streams and failed steps) under it.
  static std::string plain_line(const LiveSnapshot& s);
  static std::string panel(const LiveSnapshot& s);  // several lines, each ending in '\n'

 private:
  void erase_panel();
  void print_notice(const std::string& line);

  std::ostream& out_;
  bool quiet_;
  bool terminal_;
  int panel_lines_ = 0;  // lines of the panel currently on screen
  AgentLossNotices losses_;
};

}  // namespace wsload::controller
