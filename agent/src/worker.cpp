#include "worker.hpp"

#include <sys/prctl.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <utility>

namespace wsload::agent {

namespace net = boost::asio;

namespace {

// Empties a delta without giving up its storage (each histogram clears only its occupied range).
void clear_delta(shared::MetricsDelta& delta) {
  // A field added to MetricsDelta must be cleared here too.
  static_assert(sizeof(shared::MetricsDelta) == sizeof(shared::Counters) +
                                                    5 * sizeof(shared::Histogram) +
                                                    sizeof(shared::PartsDelta));
  delta.counters = shared::Counters{};
  delta.latency.reset();
  delta.latency_service.reset();
  delta.connect_time.reset();
  delta.push_latency.reset();
  delta.reconnect_time.reset();
  for (auto& g : delta.parts.groups) g = shared::Counters{};
  for (auto& s : delta.parts.streams) {
    s.sent = s.replies = s.timeouts = s.unsent = 0;
    s.latency.reset();
  }
  for (auto& s : delta.parts.steps) {
    s.ok = s.failed = 0;
    s.failures.clear();
    s.latency.reset();
  }
}

// Format v2: connections record into their group's counters; the totals are their sum.
void total_groups(shared::MetricsDelta& delta) {
  if (delta.parts.groups.empty()) return;
  delta.counters = shared::Counters{};
  for (const auto& g : delta.parts.groups) delta.counters.merge(g);
}
}  // namespace

Worker::Worker() : guard_(net::make_work_guard(ioc_)), thread_([this] { run(); }) {}

template <class F>
void Worker::post(F&& f) {
  net::post(ioc_, std::forward<F>(f));
  // After a poll the io_context does not interrupt its reactor for a post from another thread
  // (it takes the reactor for running): the worker's own eventfd wakes the wait instead.
  loop_.notify();
}

// Each round: the io_context's ready handlers when it may have any, one wait, its events, then
// the tick when it is due. A due tick also runs between any two handlers or events: a send due in
// the middle of a burst (a broadcast reaching every connection at once) waits for one handler,
// not for the burst.
void Worker::run() {
  // Sends are timed by this thread's wait: let the kernel wake it within 1 µs of the instant
  // rather than its default 50 µs slack (the lag would count in every latency).
  ::prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);
  while (!quit_.load(std::memory_order_acquire)) {
    if (asio_due_) run_asio();
    if (!poll_until_tick()) {
      for (const epoll_event& ev : loop_.wait(wait_bound())) {
        dispatch(ev);
        tick_if_due();
      }
    }
    read_again();
    tick_if_due();
    // A connection in any stage but an established ws:// session may have started io_context
    // operations from a session's events or the tick; some complete at once, without waking the
    // reactor (what handlers start during run_asio completes there). A resolve completes on
    // Asio's resolver thread, which wakes neither: the io_context runs every round (wait_bound
    // keeps rounds 1 ms apart) until it is back.
    if (ctx_ && (ctx_->resolving > 0 || (ran_outside_asio_ && live_ > ctx_->raw_open))) {
      asio_due_ = true;
    }
    ran_outside_asio_ = false;
  }
}

void Worker::run_asio() {
  asio_due_ = false;
  while (ioc_.poll_one() != 0) tick_if_due();
}

// While the worker polls for a precise tick (fire_at_ reached), it watches the clock alone for up
// to kPollSlice. True when the tick was reached: it runs at once, and the wait after it looks at
// the sockets (what arrived meanwhile waits for the tick's sends, not for a look of its own).
bool Worker::poll_until_tick() {
  if (tick_at_ == TimePoint::max() || (ctx_ && !ctx_->read_again.empty())) return false;
  TimePoint now = Clock::now();
  if (now < fire_at_) return false;
  if (!woke_) {
    woke_ = true;
    wake_.note_wake(fire_at_, now);
    begin_poll(now);
  }
  const TimePoint until = std::min(tick_at_, now + kPollSlice);
  while (now < until) now = Clock::now();
  return now >= tick_at_;
}

std::optional<std::chrono::nanoseconds> Worker::wait_bound() {
  using std::chrono::nanoseconds;
  if (ctx_ && !ctx_->read_again.empty()) return nanoseconds::zero();
  // A resolve completes on Asio's resolver thread, which does not wake this one: look every 1 ms.
  std::optional<nanoseconds> bound;
  if (ctx_ && ctx_->resolving > 0) bound = std::chrono::milliseconds(1);
  if (tick_at_ == TimePoint::max()) return bound;
  const TimePoint now = Clock::now();
  if (now >= fire_at_) return nanoseconds::zero();  // polling: a look between two slices
  const nanoseconds until_fire = fire_at_ - now;
  return bound ? std::min(*bound, until_fire) : until_fire;
}

void Worker::dispatch(const epoll_event& ev) {
  const uint64_t key = ev.data.u64;
  if (key == EventLoop::kNotifyKey) {
    loop_.take_notify();
    asio_due_ = true;
  } else if (key == EventLoop::kAsioKey) {
    asio_due_ = true;
  } else if (const uint32_t slot = EventLoop::slot_of(key); slot < conns_.size()) {
    if (auto conn = conns_[slot]) {
      ran_outside_asio_ = true;
      conn->on_io(EventLoop::fd_of(key), ev.events);
    }
  }
}

// Sessions that stopped reading at their per-wake-up bound read on (edge-triggered: no new event
// comes for what they left in the socket).
void Worker::read_again() {
  if (!ctx_ || ctx_->read_again.empty()) return;
  std::vector<RawRead> again;
  again.swap(ctx_->read_again);
  ran_outside_asio_ = true;
  for (const RawRead& r : again) {
    if (r.slot < conns_.size()) {
      if (auto conn = conns_[r.slot]) conn->on_io(r.fd, r.events);
    }
    tick_if_due();
  }
  if (ctx_->read_again.empty()) again.swap(ctx_->read_again);  // keep the capacity
}

Worker::~Worker() {
  guard_.reset();
  quit_.store(true, std::memory_order_release);
  loop_.notify();
  if (thread_.joinable()) thread_.join();
  ioc_.stop();
  // Connections still referenced by handlers die with ioc_; drop ours first.
  conns_.clear();
}

void Worker::configure(std::shared_ptr<const RunConfig> cfg, std::vector<uint32_t> ids,
                       std::vector<std::shared_ptr<net::ssl::context>> tls) {
  post([this, cfg = std::move(cfg), ids = std::move(ids), tls = std::move(tls)]() mutable {
    cfg_ = std::move(cfg);
    ctx_ = std::make_unique<WorkerContext>(ioc_, *cfg_, std::move(tls));
    ctx_->on_done = [this](uint32_t slot) { on_connection_done(slot); };
    ctx_->wake_at = [this](TimePoint at) { wake_at(at); };
    ctx_->loop = &loop_;
    ids_ = std::move(ids);
    size_parts(ctx_->delta, *cfg_);
    spare_ = next_delta();  // the first take() then allocates nothing either
  });
}

void Worker::start(TimePoint t0, std::shared_ptr<const shared::LoadPlan> plan) {
  post([this, t0, plan] {
    if (started_ || stopped_ || !ctx_) return;
    started_ = true;
    schedule_ = RunSchedule(t0, *plan, ids_);
    ctx_->deadlines.reset(schedule_.slots());
    conns_.assign(schedule_.slots(), nullptr);
    ctx_->hold_end = schedule_.hold_end();
    ctx_->t0 = t0;
    open_due();
    if (schedule_.slots() > 0) arm_close_timer();  // stages and arrivals close before hold_end
    hold_timer_.expires_at(schedule_.hold_end());
    hold_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) on_hold_end();
    });
    check_finished();
  });
}

void Worker::stop(std::chrono::milliseconds grace) {
  post([this, grace] {
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
  post([this, promise] {
    const bool finished = finished_.load(std::memory_order_relaxed);
    if (!ctx_) {
      promise->set_value(WorkerSnapshot{shared::MetricsDelta{}, 0, 0, finished});
      return;
    }
    shared::MetricsDelta next = next_delta();
    spare_.reset();
    total_groups(ctx_->delta);
    promise->set_value(WorkerSnapshot{std::exchange(ctx_->delta, std::move(next)), ctx_->open,
                                      ctx_->in_flight, finished});
  });
  return future;
}

shared::MetricsDelta Worker::next_delta() {
  if (spare_) return std::move(*spare_);
  shared::MetricsDelta fresh;
  size_parts(fresh, *cfg_);
  return fresh;
}

void Worker::recycle(shared::MetricsDelta delta) {
  clear_delta(delta);
  post([this, delta = std::move(delta)]() mutable {
    if (!spare_) spare_ = std::move(delta);
  });
}

void Worker::open_due() {
  if (stopped_) return;
  TimePoint now = Clock::now();
  while (next_open_ < schedule_.slots() && schedule_.open_at(next_open_) <= now) {
    auto slot = static_cast<uint32_t>(next_open_++);
    const uint32_t id = schedule_.id(slot);
    auto conn = ctx_->cfg.group_of(id).endpoint.tls ? make_tls_connection(*ctx_, id, slot)
                                                    : make_plain_connection(*ctx_, id, slot);
    conns_[slot] = conn;
    ++live_;
    conn->start();
  }
  arm_open_timer();
}

void Worker::arm_open_timer() {
  if (next_open_ >= schedule_.slots()) return;
  open_timer_.expires_at(schedule_.open_at(next_open_));
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
  open_due();  // a session that opens and closes at the same instant opens first
  while (next_close_ < schedule_.slots() &&
         schedule_.close_at(schedule_.closing(next_close_)) <= now) {
    const uint32_t slot = schedule_.closing(next_close_++);
    if (auto conn = conns_[slot]) {
      ctx_->planned_close = schedule_.close_at(slot);
      conn->finish();
      ctx_->planned_close = TimePoint::max();
    }
  }
  if (next_close_ >= schedule_.slots()) {
    schedule_done_ = true;
    check_finished();
    return;
  }
  arm_close_timer();
}

void Worker::arm_close_timer() {
  close_timer_.expires_at(schedule_.close_at(schedule_.closing(next_close_)));
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
  if (in_tick_ || at >= tick_at_) return;  // on_tick re-plans at its end; or already early enough
  // Planned for the earliest armed deadline: normally the one just armed at `at`.
  const auto next = ctx_->deadlines.next();
  if (!next) return;
  const TimePoint now = Clock::now();
  const WakePolicy::Plan plan =
      wake_.plan(now, next->at, last_tick_, next->kind != DeadlineKind::kDeadline);
  if (plan.tick >= tick_at_) return;
  tick_at_ = plan.tick;
  fire_at_ = plan.fire;
  // Too close to sleep for: poll from now on (wait_bound), else sleep until fire_at_.
  woke_ = plan.fire <= now;
  if (woke_) {
    begin_poll(now);
  } else {
    end_poll(now);
  }
}

void Worker::begin_poll(TimePoint now) {
  if (poll_from_ == TimePoint::max()) poll_from_ = now;
}

void Worker::end_poll(TimePoint now) {
  if (poll_from_ == TimePoint::max()) return;
  wake_.charge_poll(poll_from_, now);
  poll_from_ = TimePoint::max();
}

void Worker::on_tick() {
  TimePoint now = Clock::now();
  end_poll(now);
  tick_at_ = TimePoint::max();
  fire_at_ = TimePoint::max();
  ran_outside_asio_ = true;
  in_tick_ = true;
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

void Worker::check_finished() {
  bool done = (schedule_done_ || (stopped_)) && live_ == 0;
  if (done) finished_.store(true, std::memory_order_release);
}

}  // namespace wsload::agent
