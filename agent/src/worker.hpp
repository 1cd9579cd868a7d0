#pragma once
// One load thread: its own io_context, connections and MetricsDelta (h2load's Worker).
// Public members may be called from any thread; they post to the worker's io_context.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "connection.hpp"
#include "run_config.hpp"
#include "schedule.hpp"
#include "wsload/shared/metrics.hpp"

namespace wsload::agent {

struct WorkerSnapshot {
  shared::MetricsDelta delta;
  uint64_t open = 0;
  uint64_t in_flight = 0;
  bool finished = false;
};

class Worker {
 public:
  Worker();
  ~Worker();  // stops the io_context and joins; call abort() and wait first for a clean close
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Hands the worker its connection ids (global, increasing). Before start().
  void configure(std::shared_ptr<const RunConfig> cfg, std::vector<uint32_t> ids,
                 std::shared_ptr<boost::asio::ssl::context> tls);
  void start(RunSchedule schedule);
  void stop(std::chrono::milliseconds grace);
  // Moves the delta out on the worker thread; the future is ready once it ran there.
  std::future<WorkerSnapshot> take();
  bool finished() const { return finished_.load(std::memory_order_acquire); }

 private:
  void open_due();
  void arm_open_timer();
  void on_hold_end();
  void close_due();
  void arm_close_timer();
  void on_connection_done(uint32_t slot);
  void check_finished();

  std::shared_ptr<const RunConfig> cfg_;
  std::unique_ptr<WorkerContext> ctx_;  // outlives the io_context's pending handlers
  boost::asio::io_context ioc_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::vector<uint32_t> ids_;
  std::vector<std::shared_ptr<Connection>> conns_;  // by slot (index into ids_)
  boost::asio::steady_timer open_timer_{ioc_};
  boost::asio::steady_timer hold_timer_{ioc_};
  boost::asio::steady_timer close_timer_{ioc_};
  RunSchedule schedule_;
  size_t next_open_ = 0;
  size_t next_close_ = 0;
  size_t live_ = 0;
  bool started_ = false;
  bool stopped_ = false;
  bool schedule_done_ = false;
  std::atomic<bool> finished_{false};
  std::thread thread_;  // last: starts after every member exists
};

}  // namespace wsload::agent
