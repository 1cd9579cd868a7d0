#include "worker.hpp"

#include <sys/prctl.h>

#include <algorithm>
#include <utility>

#include <boost/asio/post.hpp>

namespace wsload::agent {

namespace net = boost::asio;

Worker::Worker()
    : guard_(net::make_work_guard(ioc_)), thread_([this] {
        // Sends are timed by this thread's timer: let the kernel wake it within 1 µs of the
        // instant rather than its default 50 µs slack (the lag would count in every latency).
        ::prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);
        ioc_.run();
      }) {}

Worker::~Worker() {
  guard_.reset();
  ioc_.stop();
  if (thread_.joinable()) thread_.join();
  // Connections still referenced by handlers die with ioc_; drop ours first.
  conns_.clear();
}

void Worker::configure(std::shared_ptr<const RunConfig> cfg, std::vector<uint32_t> ids,
                       std::shared_ptr<net::ssl::context> tls) {
  net::post(ioc_, [this, cfg = std::move(cfg), ids = std::move(ids), tls = std::move(tls)]() mutable {
    cfg_ = std::move(cfg);
    ctx_ = std::make_unique<WorkerContext>(ioc_, *cfg_, std::move(tls));
    ctx_->on_done = [this](uint32_t slot) { on_connection_done(slot); };
    ctx_->wake_at = [this](TimePoint at) { wake_at(at); };
    ids_ = std::move(ids);
    ctx_->deadlines.reset(ids_.size());
    conns_.assign(ids_.size(), nullptr);
  });
}

void Worker::start(RunSchedule schedule) {
  net::post(ioc_, [this, schedule] {
    if (started_ || stopped_ || !ctx_) return;
    started_ = true;
    schedule_ = schedule;
    ctx_->hold_end = schedule_.hold_end();
    open_due();
    hold_timer_.expires_at(schedule_.hold_end());
    hold_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) on_hold_end();
    });
    check_finished();
  });
}

void Worker::stop(std::chrono::milliseconds grace) {
  net::post(ioc_, [this, grace] {
    if (stopped_) return;
    stopped_ = true;
    schedule_done_ = true;
    open_timer_.cancel();
    hold_timer_.cancel();
    close_timer_.cancel();
    if (ctx_) ctx_->hold_end = Clock::now();
    // The tick stays: close bounds and timeouts of aborting connections still need it.
    for (size_t slot = 0; slot < conns_.size(); ++slot) {
      // abort() may call on_connection_done(slot), which resets conns_[slot].
      if (auto conn = conns_[slot]) conn->abort(grace);
    }
    check_finished();
  });
}

std::future<WorkerSnapshot> Worker::take() {
  auto promise = std::make_shared<std::promise<WorkerSnapshot>>();
  auto future = promise->get_future();
  net::post(ioc_, [this, promise] {
    WorkerSnapshot snap;
    if (ctx_) {
      snap.delta = std::exchange(ctx_->delta, shared::MetricsDelta{});
      snap.open = ctx_->open;
      snap.in_flight = ctx_->in_flight;
    }
    snap.finished = finished_.load(std::memory_order_relaxed);
    promise->set_value(std::move(snap));
  });
  return future;
}

void Worker::open_due() {
  if (stopped_) return;
  TimePoint now = Clock::now();
  while (next_open_ < ids_.size() && schedule_.open_at(ids_[next_open_]) <= now) {
    auto slot = static_cast<uint32_t>(next_open_++);
    auto conn = ctx_->cfg.endpoint.tls ? make_tls_connection(*ctx_, ids_[slot], slot)
                                       : make_plain_connection(*ctx_, ids_[slot], slot);
    conns_[slot] = conn;
    ++live_;
    conn->start();
  }
  arm_open_timer();
}

void Worker::arm_open_timer() {
  if (next_open_ >= ids_.size()) return;
  open_timer_.expires_at(schedule_.open_at(ids_[next_open_]));
  open_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) open_due();
  });
}

void Worker::on_hold_end() {
  if (stopped_) return;
  open_due();  // anything overdue opens now, so that it is closed in order below
  for (size_t slot = 0; slot < conns_.size(); ++slot) {
    if (auto conn = conns_[slot]) conn->stop_sending();
  }
  close_due();
}

void Worker::close_due() {
  if (stopped_) return;
  TimePoint now = Clock::now();
  while (next_close_ < ids_.size() && schedule_.close_at(ids_[next_close_]) <= now) {
    size_t slot = next_close_++;
    if (slot >= next_open_) continue;  // never opened (cannot happen: opens precede closes)
    if (auto conn = conns_[slot]) conn->finish();
  }
  if (next_close_ >= ids_.size()) {
    schedule_done_ = true;
    check_finished();
    return;
  }
  arm_close_timer();
}

void Worker::arm_close_timer() {
  close_timer_.expires_at(schedule_.close_at(ids_[next_close_]));
  close_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) close_due();
  });
}

void Worker::on_connection_done(uint32_t slot) {
  if (slot < conns_.size() && conns_[slot]) {
    conns_[slot].reset();
    --live_;
  }
  check_finished();
}

void Worker::wake_at(TimePoint at) {
  if (in_tick_ || at >= tick_at_) return;  // on_tick re-arms at its end; or already early enough
  const TimePoint now = Clock::now();
  if (at > now && at - now <= kPrewake && may_spin(now)) {
    // Closer than a timer wakes precisely: keep the thread busy (handling I/O) until then.
    tick_at_ = at;
    tick_timer_.cancel();
    poll_until(at, ++tick_gen_, now);
    return;
  }
  TimePoint when = std::max(at, last_tick_ + kMinTickGap);
  if (when >= tick_at_) return;
  tick_at_ = when;
  // About to sleep for a while: wake early and poll for the rest (the wake-up latency is ~0.1 ms).
  TimePoint fire = when - now >= kPrewakeIdle && may_spin(now) ? when - kPrewake : when;
  tick_timer_.expires_at(fire);  // a pending wait completes with operation_aborted
  tick_timer_.async_wait([this, gen = ++tick_gen_](boost::system::error_code ec) {
    if (ec || gen != tick_gen_) return;
    poll_until(tick_at_, gen, Clock::now());
  });
}

// Runs the tick at `until`. Until then each round is a posted handler; between posted handlers
// Asio polls the reactor without blocking, so replies arriving meanwhile are handled (and timed)
// at once.
void Worker::poll_until(TimePoint until, uint64_t gen, TimePoint started) {
  const TimePoint now = Clock::now();
  if (now >= until) {
    spin_used_ += now - started;
    on_tick();
    return;
  }
  net::post(ioc_, [this, until, gen, started] {
    if (gen == tick_gen_) poll_until(until, gen, started);
  });
}

void Worker::on_tick() {
  tick_at_ = TimePoint::max();
  in_tick_ = true;
  TimePoint now = Clock::now();
  last_tick_ = now;
  // Handlers may arm new deadlines (due ones are popped in this loop too).
  while (auto due = ctx_->deadlines.pop_due(now)) {
    // A finished connection cancelled its deadlines; its slot is empty anyway.
    if (auto& conn = conns_[due->slot]) {
      auto keep = conn;  // on_deadline may end the connection and reset conns_[slot]
      keep->on_deadline(due->kind);
    }
  }
  in_tick_ = false;
  if (auto next = ctx_->deadlines.earliest()) wake_at(*next);
}

bool Worker::may_spin(TimePoint now) {
  if (now - spin_second_ >= std::chrono::seconds(1)) {
    spin_second_ = now;
    spin_used_ = Clock::duration::zero();
  }
  return spin_used_ < kSpinBudget;
}

void Worker::check_finished() {
  bool done = (schedule_done_ || (stopped_)) && live_ == 0;
  if (done) finished_.store(true, std::memory_order_release);
}

}  // namespace wsload::agent
