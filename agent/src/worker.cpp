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

void Worker::run() {
  // Sends are timed by this thread's timer: let the kernel wake it within 1 µs of the instant
  // rather than its default 50 µs slack (the lag would count in every latency).
  ::prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);
  // A due tick runs between any two handlers: a send due in the middle of a burst of ready
  // handlers (a broadcast reaching every connection at once) waits for one handler, not for the
  // burst, behind which the timer's own completion would be queued.
  while (ioc_.run_one() != 0) {
    if (tick_at_ != TimePoint::max() && Clock::now() >= tick_at_) on_tick();
  }
}

Worker::~Worker() {
  guard_.reset();
  ioc_.stop();
  if (thread_.joinable()) thread_.join();
  // Connections still referenced by handlers die with ioc_; drop ours first.
  conns_.clear();
}

void Worker::configure(std::shared_ptr<const RunConfig> cfg, std::vector<uint32_t> ids,
                       std::vector<std::shared_ptr<net::ssl::context>> tls) {
  net::post(ioc_,
            [this, cfg = std::move(cfg), ids = std::move(ids), tls = std::move(tls)]() mutable {
              cfg_ = std::move(cfg);
              ctx_ = std::make_unique<WorkerContext>(ioc_, *cfg_, std::move(tls));
              ctx_->on_done = [this](uint32_t slot) { on_connection_done(slot); };
              ctx_->wake_at = [this](TimePoint at) { wake_at(at); };
              ids_ = std::move(ids);
              size_parts(ctx_->delta, *cfg_);
              spare_ = next_delta();  // the first take() then allocates nothing either
            });
}

void Worker::start(TimePoint t0, std::shared_ptr<const shared::LoadPlan> plan) {
  net::post(ioc_, [this, t0, plan] {
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
  net::post(ioc_, [this, delta = std::move(delta)]() mutable {
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
  if (in_tick_ || at >= tick_at_) return;  // on_tick re-arms at its end; or already early enough
  // Planned for the earliest armed deadline: normally the one just armed at `at`.
  const auto next = ctx_->deadlines.next();
  if (!next) return;
  const TimePoint now = Clock::now();
  const WakePolicy::Plan plan =
      wake_.plan(now, next->at, last_tick_, next->kind != DeadlineKind::kDeadline);
  if (plan.tick >= tick_at_) return;
  tick_at_ = plan.tick;
  const uint64_t gen = ++tick_gen_;
  if (plan.fire <= now && plan.tick > now) {
    // Too close to sleep: poll from now on. Never inline: the caller may be a connection in the
    // middle of arming its deadlines.
    tick_timer_.cancel();
    begin_poll(now);
    net::post(ioc_, [this, gen] { poll(gen); });
    return;
  }
  end_poll(now);                      // sleeps until the timer
  tick_timer_.expires_at(plan.fire);  // a pending wait completes with operation_aborted
  tick_timer_.async_wait([this, gen](boost::system::error_code ec) {
    if (ec || gen != tick_gen_) return;
    const TimePoint woke = Clock::now();
    wake_.note_wake(tick_timer_.expiry(), woke);
    begin_poll(woke);
    poll(gen);
  });
}

// Runs the tick once tick_at_ is reached. Until then each round watches the clock for up to
// kPollSlice, then posts the next round; between posted handlers Asio polls the reactor without
// blocking (one epoll_wait), so replies arriving meanwhile are handled, and timed, at most
// kPollSlice late. A newer plan (gen) ends the rounds of an older one.
void Worker::poll(uint64_t gen) {
  if (gen != tick_gen_) return;
  TimePoint now = Clock::now();
  const TimePoint until = std::min(tick_at_, now + kPollSlice);
  while (now < until) now = Clock::now();
  if (now >= tick_at_) {
    on_tick();
    return;
  }
  net::post(ioc_, [this, gen] { poll(gen); });
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
  ++tick_gen_;  // whatever timer wait or poll round is pending belongs to this tick
  tick_at_ = TimePoint::max();
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
