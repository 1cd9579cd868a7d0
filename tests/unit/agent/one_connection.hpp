#pragma once
// One real-socket connection driven by hand, as a Worker drives its connections: the io_context's
// handlers, the EventLoop's session events, the deadlines (tests/unit/agent/).
#include <sys/epoll.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <utility>
#include <variant>
#include <vector>

#include "connection.hpp"
#include "event_loop.hpp"
#include "run_config.hpp"

namespace wsload::agent::testing {

// One ws:// connection on an io_context and an EventLoop of the test thread, with the worker's
// deadline loop reduced to its essence (a timer at the earliest armed deadline), so that the test
// can read the connection's state between rounds, choose when it runs, and shorten the write-stall
// bound.
class OneConnection {
 public:
  explicit OneConnection(Assignment a, std::chrono::milliseconds write_stall) {
    auto made = make_run_config(std::move(a));
    cfg_ = std::get<std::shared_ptr<const RunConfig>>(std::move(made));
    ctx_ = std::make_unique<WorkerContext>(
        ioc_, *cfg_, std::vector<std::shared_ptr<boost::asio::ssl::context>>(1));
    ctx_->write_stall = write_stall;
    ctx_->deadlines.reset(1);
    ctx_->on_done = [this](uint32_t) { done_ = true; };
    ctx_->wake_at = [this](TimePoint at) { wake_at(at); };
    ctx_->loop = &loop_;
    conn_ = make_plain_connection(*ctx_, 0, 0);
  }
  ~OneConnection() {
    if (!done_) conn_->abort(std::chrono::milliseconds(0));
    work_.reset();
    ioc_.run_for(std::chrono::seconds(1));  // lets aborted operations return before it dies
  }

  Connection& conn() { return *conn_; }
  const shared::Counters& counters() const { return ctx_->delta.counters; }
  bool done() const { return done_; }
  // Runs handlers and the established session's socket events (as a Worker does) for `d`;
  // returns early once the connection is over.
  void run_for(std::chrono::milliseconds d) {
    auto until = Clock::now() + d;
    while (!done_ && Clock::now() < until) {
      ioc_.poll();
      for (const epoll_event& ev : loop_.wait(std::chrono::milliseconds(1))) {
        if (ev.data.u64 < EventLoop::kAsioKey && !done_) {
          conn_->on_io(EventLoop::fd_of(ev.data.u64), ev.events);
        }
      }
      for (const RawRead& r : std::exchange(ctx_->read_again, {})) {
        if (!done_) conn_->on_io(r.fd, r.events);
      }
    }
  }

 private:
  void wake_at(TimePoint at) {
    if (at >= armed_at_) return;
    armed_at_ = at;
    timer_.expires_at(at);
    timer_.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      armed_at_ = TimePoint::max();
      while (auto due = ctx_->deadlines.pop_due(Clock::now())) {
        if (!done_) conn_->on_deadline(due->kind);
      }
      if (auto next = ctx_->deadlines.earliest()) wake_at(*next);
    });
  }

  boost::asio::io_context ioc_;
  // As the worker's: poll() never finds the io_context out of work (it would stop it).
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      boost::asio::make_work_guard(ioc_)};
  EventLoop loop_{ioc_};
  std::shared_ptr<const RunConfig> cfg_;
  std::unique_ptr<WorkerContext> ctx_;
  boost::asio::steady_timer timer_{ioc_};
  TimePoint armed_at_ = TimePoint::max();
  std::shared_ptr<Connection> conn_;
  bool done_ = false;
};

}  // namespace wsload::agent::testing
