#pragma once
// One load thread: its own io_context, connections and MetricsDelta (h2load's Worker).
// Public members may be called from any thread; they post to the worker's io_context and wake
// its thread. The thread waits in its EventLoop (event_loop.hpp): established ws:// sessions are
// served from there directly, everything else through the io_context, which it runs whenever the
// io_context may have work (its reactor is ready, a post arrived, or a connection is in a stage
// that uses it).
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "connection.hpp"
#include "cpu_headroom.hpp"
#include "event_loop.hpp"
#include "run_config.hpp"
#include "schedule.hpp"
#include "wake_policy.hpp"
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
                 std::vector<std::shared_ptr<boost::asio::ssl::context>> tls);
  // Runs the sessions of its ids in `plan` from t0 (the synchronized start).
  void start(TimePoint t0, std::shared_ptr<const shared::LoadPlan> plan);
  void stop(std::chrono::milliseconds grace);
  // Moves the delta out on the worker thread; the future is ready once it ran there. The worker
  // goes on recording into a spare delta handed back by recycle(), so that taking allocates
  // nothing on the thread that times the sends (a fresh MetricsDelta is ~0.75 MB of zeroed
  // histogram slots: 0.1-0.7 ms of page faults and memset); without a spare it allocates one.
  std::future<WorkerSnapshot> take();
  // Hands a taken delta back for reuse; it is cleared on the calling thread.
  void recycle(shared::MetricsDelta delta);
  bool finished() const { return finished_.load(std::memory_order_acquire); }

 private:
  void open_due();
  void arm_open_timer();
  void on_hold_end();
  void close_due();
  void arm_close_timer();
  void on_connection_done(uint32_t slot);
  void check_finished();
  void run();  // the thread's body
  // A delta to record into: the spare, or a fresh one sized for the run's parts.
  shared::MetricsDelta next_delta();
  template <class F>
  void post(F&& f);  // runs f on the worker thread (any thread)
  void run_asio();
  bool poll_until_tick();
  // How long the next wait may block: until the planned wake-up; not at all while polling or while
  // work is left; nullopt: no bound.
  std::optional<std::chrono::nanoseconds> wait_bound();
  void dispatch(const epoll_event& ev);
  void read_again();
  void tick_if_due() {
    if (tick_at_ != TimePoint::max() && Clock::now() >= tick_at_) on_tick();
  }
  void wake_at(TimePoint at);
  // Polling time is charged to wake_ from begin_poll to the next end_poll.
  void begin_poll(TimePoint now);
  void end_poll(TimePoint now);
  void on_tick();

  std::shared_ptr<const RunConfig> cfg_;
  std::unique_ptr<WorkerContext> ctx_;  // outlives the io_context's pending handlers
  // One thread runs it; sockets are only touched on that thread, so the reactor's per-descriptor
  // locking is off (posts from other threads still lock the scheduler).
  boost::asio::io_context ioc_{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  EventLoop loop_{ioc_};  // nests ioc_'s reactor: after it, and gone before it
  std::vector<uint32_t> ids_;
  std::vector<std::shared_ptr<Connection>> conns_;  // by slot (index into ids_)
  boost::asio::steady_timer open_timer_{ioc_};
  boost::asio::steady_timer hold_timer_{ioc_};
  boost::asio::steady_timer close_timer_{ioc_};
  // The earliest of ctx_->deadlines is handled at tick_at_ (see WakePolicy); the thread sleeps
  // until fire_at_ (the wait's timeout) and polls from then on until the tick.
  TimePoint tick_at_ = TimePoint::max();  // instant of the planned tick; max = none planned
  TimePoint fire_at_ = TimePoint::max();
  bool woke_ = false;  // fire_at_ was reached (or the plan polled from the start)
  TimePoint last_tick_{};
  WakePolicy wake_{[] { return !machine_has_spare_core(); }};
  TimePoint poll_from_ = TimePoint::max();  // max = not polling
  bool in_tick_ = false;
  bool asio_due_ = true;  // run the io_context before the next wait
  // This round ran connections outside the io_context (a session's events, the tick).
  bool ran_outside_asio_ = false;
  std::optional<shared::MetricsDelta> spare_;  // cleared, becomes ctx_->delta at the next take
  RunSchedule schedule_;
  size_t next_open_ = 0;
  size_t next_close_ = 0;
  size_t live_ = 0;
  bool started_ = false;
  bool stopped_ = false;
  bool schedule_done_ = false;
  std::atomic<bool> finished_{false};
  std::atomic<bool> quit_{false};
  std::thread thread_;  // last: starts after every member exists
};

}  // namespace wsload::agent
