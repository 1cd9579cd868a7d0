#pragma once
// Puts the agents' interval reports into timeline points by the interval they cover (SPEC §5): an
// agent's report with index k holds what it measured during (start + (k-1)·I, start + k·I], so
// point k is the sum of every agent's k-th report, whatever order and delay they arrive with.
// A point is complete when every agent still reporting has moved past it. Pure; not thread-safe.
#include <cstdint>
#include <map>
#include <vector>

#include "wsload/shared/metrics.hpp"

namespace wsload::controller {

struct AlignedInterval {
  uint64_t index = 0;          // k: covers (start + (k-1)·I, start + k·I]
  shared::MetricsDelta delta;  // sum over the agents' reports with this index
  uint64_t open = 0;           // sum over agents of the last open-connection gauge reported with it
  uint32_t reports = 0;        // how many reports went into it
};

class TimelineAligner {
 public:
  explicit TimelineAligner(std::size_t agents)
      : last_index_(agents, 0), last_open_(agents, 0), retired_(agents, false) {}

  // Report `index` of `agent` (indices never decrease per agent; equal ones add up).
  void add(std::size_t agent, uint64_t index, const shared::MetricsDelta& delta, uint64_t open);
  // The agent will send no more reports (finished or lost); it no longer holds points back.
  void retire(std::size_t agent) { retired_[agent] = true; }

  // Points every agent still reporting has passed, in index order; removed from the aligner.
  std::vector<AlignedInterval> take_complete();
  // Every point still held, complete or not (at the end of a run).
  std::vector<AlignedInterval> take_all();

 private:
  std::map<uint64_t, AlignedInterval> pending_;
  std::vector<uint64_t> last_index_;  // per agent: highest index received (0: none yet)
  std::vector<uint64_t> last_open_;   // per agent: the gauge it added to that point
  std::vector<bool> retired_;
};

}  // namespace wsload::controller
