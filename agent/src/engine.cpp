#include "wsload/agent/engine.hpp"

#include <mutex>
#include <thread>
#include <variant>

#include "run_config.hpp"
#include "snapshot_collector.hpp"
#include "worker.hpp"

namespace wsload::agent {
class Engine::Impl {
 public:
  explicit Impl(unsigned threads) : collector_(std::max(1u, threads)) {
    workers_.reserve(std::max(1u, threads));
    for (unsigned i = 0; i < std::max(1u, threads); ++i)
      workers_.push_back(std::make_unique<Worker>());
  }

  ~Impl() {
    stop(std::chrono::milliseconds(1000));
    // Bounded wait for the graceful closes; the workers then drop whatever is left.
    auto deadline = Clock::now() + std::chrono::milliseconds(2500);
    while (!all_finished() && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    workers_.clear();
  }

  std::optional<std::string> prepare(Assignment assignment) {
    std::lock_guard lock(mu_);
    if (prepared_) return std::string("engine already prepared");
    shared::LoadSpec load = assignment.scenario.load;
    load.connections = assignment.total_connections;
    auto plan = std::make_shared<const shared::LoadPlan>(load);
    // What must fit is the most sessions open at once (arrivals: not all of the share).
    const uint64_t peak = RunSchedule(TimePoint{}, *plan, assignment.connection_ids).peak();
    const uint64_t budget = fd_budget();
    if (peak > budget) {
      return "share of " + std::to_string(peak) +
             " connections open at once exceeds this agent's file-descriptor budget of " +
             std::to_string(budget);
    }
    plan_ = std::move(plan);
    auto made = make_run_config(std::move(assignment));
    if (auto* error = std::get_if<std::string>(&made)) return *error;
    auto cfg = std::get<std::shared_ptr<const RunConfig>>(std::move(made));
    std::string tls_error;
    auto tls = make_tls_contexts(*cfg, &tls_error);
    if (tls.empty()) return tls_error;
    // Deal ids round-robin so each worker's share is spread over the whole ramp.
    std::vector<std::vector<uint32_t>> per_worker(workers_.size());
    const auto& ids = cfg->assignment.connection_ids;
    for (size_t i = 0; i < ids.size(); ++i) per_worker[i % workers_.size()].push_back(ids[i]);
    for (size_t w = 0; w < workers_.size(); ++w) {
      workers_[w]->configure(cfg, std::move(per_worker[w]), tls);
    }
    cfg_ = std::move(cfg);
    prepared_ = true;
    return std::nullopt;
  }

  void start(std::chrono::steady_clock::time_point t0) {
    std::lock_guard lock(mu_);
    if (!prepared_ || started_ || stopped_) return;
    started_ = true;
    for (auto& worker : workers_) worker->start(t0, plan_);
  }

  EngineSnapshot take_delta(std::optional<Clock::time_point> answer_by) {
    std::lock_guard take_lock(take_mu_);
    auto collected = collector_.collect(
        [&](size_t w) { return workers_[w]->take(); },
        [&](size_t w, shared::MetricsDelta delta) { workers_[w]->recycle(std::move(delta)); },
        answer_by);
    EngineSnapshot out{.delta = std::move(collected.delta),
                       .open_connections = collected.open,
                       .in_flight = collected.in_flight,
                       .late_threads = collected.late};
    std::lock_guard lock(mu_);
    out.finished = started_ ? collected.all_finished : stopped_;
    return out;
  }

  void stop(std::chrono::milliseconds grace) {
    std::lock_guard lock(mu_);
    stopped_ = true;
    for (auto& worker : workers_) worker->stop(grace);
  }

  bool finished() const {
    {
      std::lock_guard lock(mu_);
      if (!started_) return stopped_;  // stopped before start: nothing was ever opened
    }
    return all_finished();
  }

 private:
  bool all_finished() const {
    for (const auto& worker : workers_) {
      if (!worker->finished()) return false;
    }
    return true;
  }

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::mutex take_mu_;           // one report's collect at a time
  SnapshotCollector collector_;  // guarded by take_mu_
  std::shared_ptr<const RunConfig> cfg_;
  std::shared_ptr<const shared::LoadPlan> plan_;  // the run's global schedule
  bool prepared_ = false;
  bool started_ = false;
  bool stopped_ = false;
};

Engine::Engine(unsigned threads) : impl_(std::make_unique<Impl>(threads)) {}
Engine::~Engine() = default;

std::optional<std::string> Engine::prepare(Assignment assignment) {
  return impl_->prepare(std::move(assignment));
}

void Engine::start(std::chrono::steady_clock::time_point t0) { impl_->start(t0); }

EngineSnapshot Engine::take_delta(std::optional<std::chrono::steady_clock::time_point> answer_by) {
  return impl_->take_delta(answer_by);
}

void Engine::stop(std::chrono::milliseconds grace) { impl_->stop(grace); }

bool Engine::finished() const { return impl_->finished(); }

}  // namespace wsload::agent
