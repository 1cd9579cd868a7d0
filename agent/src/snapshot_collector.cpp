#include "snapshot_collector.hpp"

namespace wsload::agent {

SnapshotCollector::SnapshotCollector(size_t threads) : threads_(threads) {}

CollectedSnapshot SnapshotCollector::collect(
    const Take& take, const Recycle& recycle,
    std::optional<std::chrono::steady_clock::time_point> deadline) {
  for (size_t i = 0; i < threads_.size(); ++i) {
    if (!threads_[i].pending) threads_[i].pending = take(i);
  }
  CollectedSnapshot out;
  for (size_t i = 0; i < threads_.size(); ++i) {
    auto& thread = threads_[i];
    const bool ready =
        !deadline || thread.pending->wait_until(*deadline) == std::future_status::ready;
    if (ready) {
      WorkerSnapshot snap = thread.pending->get();
      thread.pending.reset();
      out.delta.merge(snap.delta);
      thread.open = snap.open;
      thread.in_flight = snap.in_flight;
      out.all_finished = out.all_finished && snap.finished;
      recycle(i, std::move(snap.delta));
    } else {
      ++out.late;
      out.all_finished = false;
    }
    out.open += thread.open;
    out.in_flight += thread.in_flight;
  }
  return out;
}

}  // namespace wsload::agent
