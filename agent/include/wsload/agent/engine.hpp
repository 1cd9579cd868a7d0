#pragma once
// The load engine of one agent: opens its share of WebSocket connections on the global schedule,
// exchanges messages, and records metrics per thread. Beast and Asio stay behind this header.
// Thread-safety: every public member may be called from any thread (the gRPC session thread).
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "wsload/shared/metrics.hpp"
#include "wsload/shared/scenario.hpp"

namespace wsload::agent {

struct Assignment {
  shared::Scenario scenario;             // one stage, overrides applied
  uint32_t agent_index = 0;              // {{agent}} in templates
  uint64_t total_connections = 0;        // global count, for the ramp schedule
  std::vector<uint32_t> connection_ids;  // this agent's global ids, increasing
  std::vector<std::string> source_ips;   // local addresses to bind, round-robin; empty = any
};

struct EngineSnapshot {
  shared::MetricsDelta delta;     // recorded since the previous take_delta()
  uint64_t open_connections = 0;  // gauge: established and not yet closed
  uint64_t in_flight = 0;         // gauge: requests sent and neither answered nor timed out
  bool finished = false;          // schedule complete, all connections closed, nothing in flight
  // Load threads that had not answered by the deadline: their figures since their last answer are
  // in a later snapshot, and their gauges above are the last they gave.
  size_t late_threads = 0;
};

class Engine {
 public:
  explicit Engine(unsigned threads);
  ~Engine();  // stops the load, closes connections, joins the threads
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Checks the assignment (URL, TLS files, fd budget) and prepares per-thread state. Returns an
  // error message when it cannot run. Call once, before start().
  std::optional<std::string> prepare(Assignment assignment);

  // Runs the schedule with `t0` as the instant of connection 0 (ramp-up, hold, ramp-down, then a
  // drain of in-flight requests bounded by the request timeout).
  void start(std::chrono::steady_clock::time_point t0);

  // Moves the per-thread deltas out (each thread answers through its io_context) and merges them.
  // With `answer_by`, a thread that has not answered by then is not waited for (late_threads).
  EngineSnapshot take_delta(
      std::optional<std::chrono::steady_clock::time_point> answer_by = std::nullopt);

  // Stops early: no new connections or requests; open connections are closed gracefully, bounded
  // by `grace`, then dropped. Safe to call repeatedly and before start().
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

  bool finished() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// File descriptors this process may still open (RLIMIT_NOFILE soft limit minus those in use,
// minus a reserve for the agent itself).
uint64_t fd_budget();

}  // namespace wsload::agent
