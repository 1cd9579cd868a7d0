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

// Smallest spacing of the worker's deadline wake-ups. A send waits at most this long past its
// scheduled instant for the wake-up (well under kScheduleSlack); its latency and any lag are still
// measured from the scheduled instant.
inline constexpr std::chrono::microseconds kMinTickGap{250};
// A worker about to sleep at least kPrewakeIdle arms its timer kPrewake early and polls (handling
// I/O as it comes) for the rest: the kernel's wake-up latency (about 0.1 ms on a VM) would
// otherwise be added to every latency measured from the scheduled instant. A deadline less than
// kPrewake ahead is polled for instead of slept for. Such polling is limited to kSpinBudget per
// second (2% of a core); beyond it the worker simply sleeps.
inline constexpr std::chrono::microseconds kPrewake{150};
inline constexpr std::chrono::microseconds kPrewakeIdle{300};
inline constexpr std::chrono::milliseconds kSpinBudget{20};

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
  void wake_at(TimePoint at);
  void on_tick();
  void poll_until(TimePoint until, uint64_t gen, TimePoint started);
  // True while this second's kSpinBudget is not used up.
  bool may_spin(TimePoint now);

  std::shared_ptr<const RunConfig> cfg_;
  std::unique_ptr<WorkerContext> ctx_;  // outlives the io_context's pending handlers
  // One thread runs it; sockets are only touched on that thread, so the reactor's per-descriptor
  // locking is off (posts from other threads still lock the scheduler).
  boost::asio::io_context ioc_{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::vector<uint32_t> ids_;
  std::vector<std::shared_ptr<Connection>> conns_;  // by slot (index into ids_)
  boost::asio::steady_timer open_timer_{ioc_};
  boost::asio::steady_timer hold_timer_{ioc_};
  boost::asio::steady_timer close_timer_{ioc_};
  // Fires at the earliest of ctx_->deadlines, but never sooner than kMinTickGap after it last
  // fired: under load, sends and timeouts due within that gap are handled in one wake-up.
  boost::asio::steady_timer tick_timer_{ioc_};
  TimePoint tick_at_ = TimePoint::max();  // when tick_timer_ is armed for; max = not armed
  TimePoint last_tick_{};
  // CPU spent waiting for deadlines in the current second (see kSpinBudget).
  TimePoint spin_second_{};
  Clock::duration spin_used_{0};
  uint64_t tick_gen_ = 0;
  bool in_tick_ = false;
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
