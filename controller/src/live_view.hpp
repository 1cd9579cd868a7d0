#pragma once
// The live view (SPEC §5): one plain line per live interval. Not thread-safe; the coordinator
// thread owns it.
#include <cstdint>
#include <iosfwd>
#include <string>

namespace wsload::controller {

struct LiveSnapshot {
  double elapsed_s = 0;
  std::string phase;
  uint64_t open = 0;
  uint64_t target = 0;
  double connections_per_s = 0;   // established per second over the interval
  double sent_per_s = 0;
  double received_per_s = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;  // latency over the interval (0 without samples)
  bool has_latency = false;
  uint64_t errors = 0;            // cumulative error count
  uint64_t behind_schedule = 0;   // sends behind schedule during the interval
  double max_lag_ms = 0;
  unsigned agents_healthy = 0;
  unsigned agents_total = 0;
};

class LiveView {
 public:
  LiveView(std::ostream& out, bool quiet) : out_(out), quiet_(quiet) {}
  void update(const LiveSnapshot& s);
  void message(const std::string& line);  // a notice (agent lost, stopping, ...) unless quiet

 private:
  std::ostream& out_;
  bool quiet_;
};

}  // namespace wsload::controller
