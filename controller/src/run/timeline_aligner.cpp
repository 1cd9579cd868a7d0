#include "run/timeline_aligner.hpp"

#include <algorithm>
#include <limits>

namespace wsload::controller {

void TimelineAligner::add(std::size_t agent, uint64_t index, const shared::MetricsDelta& delta,
                          uint64_t open) {
  // An index below the agent's last one cannot happen with a conforming agent; it is kept with
  // the agent's latest point rather than reopening a point that may already be published.
  index = std::max(index, last_index_[agent]);
  auto& point = pending_[index];
  // A gauge is a level, not a count: a second report for the same interval replaces the first.
  if (index == last_index_[agent]) point.open -= last_open_[agent];
  last_index_[agent] = index;
  last_open_[agent] = open;
  point.index = index;
  point.delta.merge(delta);
  point.open += open;
  ++point.reports;
}

std::vector<AlignedInterval> TimelineAligner::take_complete() {
  // Point k is complete once every agent still reporting has sent a report with an index > k:
  // its reports for k (if any) are then all in, as each agent's indices never decrease.
  uint64_t complete_below = std::numeric_limits<uint64_t>::max();
  for (std::size_t i = 0; i < last_index_.size(); ++i) {
    if (!retired_[i]) complete_below = std::min(complete_below, last_index_[i]);
  }
  std::vector<AlignedInterval> out;
  while (!pending_.empty() && pending_.begin()->first < complete_below) {
    out.push_back(std::move(pending_.begin()->second));
    pending_.erase(pending_.begin());
  }
  return out;
}

std::vector<AlignedInterval> TimelineAligner::take_all() {
  std::vector<AlignedInterval> out;
  for (auto& [index, point] : pending_) out.push_back(std::move(point));
  pending_.clear();
  return out;
}

}  // namespace wsload::controller
