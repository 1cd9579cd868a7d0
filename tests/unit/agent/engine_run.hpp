#pragma once
// Helpers to run an Engine against an in-process server and collect its deltas, bounded in time
// (shared by the connection tests; engine_test.cpp keeps its own copies).
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "wsload/agent/engine.hpp"

namespace wsload::agent::testing {

inline Assignment make_assignment(
    const std::string& url, uint32_t n, std::chrono::nanoseconds ramp_up,
    std::chrono::nanoseconds hold,
    std::chrono::nanoseconds connect_timeout = std::chrono::seconds(3)) {
  Assignment a;
  a.scenario.target.url = url;
  a.scenario.target.connect_timeout = connect_timeout;
  a.scenario.target.tls.verify = false;
  a.scenario.load.connections = n;
  a.scenario.load.ramp_up = ramp_up;
  a.scenario.load.hold = hold;
  a.scenario.load.ramp_down = std::chrono::seconds(0);
  a.total_connections = n;
  for (uint32_t id = 0; id < n; ++id) a.connection_ids.push_back(id);
  return a;
}

struct RunResult {
  shared::MetricsDelta total;
  EngineSnapshot last;
  bool finished = false;
};

// Collects deltas of a started engine until it reports finished, at most `limit`.
inline void collect(Engine& engine, RunResult& r, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!r.finished && std::chrono::steady_clock::now() < deadline) {
    r.last = engine.take_delta();
    r.total.merge(r.last.delta);
    r.finished = r.last.finished;
    if (!r.finished) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// Starts the engine now and collects until finished, at most `limit`. When `stop_after` is
// given, engine.stop(`grace`) is called that long after the start (if still running), and the
// collection goes on (bounded by `limit` from then).
inline RunResult run_engine(Engine& engine, Assignment assignment, std::chrono::milliseconds limit,
                            std::chrono::milliseconds stop_after = std::chrono::milliseconds::max(),
                            std::chrono::milliseconds grace = std::chrono::milliseconds(200)) {
  RunResult r;
  auto error = engine.prepare(std::move(assignment));
  EXPECT_FALSE(error) << *error;
  if (error) return r;
  engine.start(std::chrono::steady_clock::now());
  if (stop_after != std::chrono::milliseconds::max()) {
    collect(engine, r, stop_after);
    if (!r.finished) engine.stop(grace);
  }
  collect(engine, r, limit);
  return r;
}

}  // namespace wsload::agent::testing
