#pragma once
// Gathers one snapshot from every load thread for an interval report, waiting for each at most
// until a deadline. A thread that has not answered by then is not waited for: the report goes with
// the others, so one load thread that is behind (a saturated machine gives it a sliver of a core)
// does not make the whole agent silent to the controller. Its answer, when it comes, goes into a
// later report; until then its gauges are the last it gave. Nothing is lost or counted twice.
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <optional>
#include <vector>

#include "worker.hpp"

namespace wsload::agent {

struct CollectedSnapshot {
  shared::MetricsDelta delta;  // every answer taken by this collect()
  uint64_t open = 0;           // gauges: the answers', or the last ones of threads still late
  uint64_t in_flight = 0;
  bool all_finished = true;  // every thread answered and every one has finished
  size_t late = 0;           // threads that had not answered by the deadline
};

class SnapshotCollector {
 public:
  using Take = std::function<std::future<WorkerSnapshot>(size_t thread)>;
  using Recycle = std::function<void(size_t thread, shared::MetricsDelta delta)>;

  explicit SnapshotCollector(size_t threads);

  // Asks every thread with no question pending (`take`), then waits for the answers until
  // `deadline` (nullopt: for all of them). Each delta taken is handed back through `recycle`.
  CollectedSnapshot collect(const Take& take, const Recycle& recycle,
                            std::optional<std::chrono::steady_clock::time_point> deadline);

 private:
  struct Thread {
    std::optional<std::future<WorkerSnapshot>> pending;
    uint64_t open = 0;
    uint64_t in_flight = 0;
  };
  std::vector<Thread> threads_;
};

}  // namespace wsload::agent
