#include "hub.hpp"

#include <boost/asio/post.hpp>

namespace wsload::target {

Hub::Hub(TargetConfig config) : config_(std::move(config)) {
  if (config_.accept_rate > 0)
    limiter_ =
        std::make_unique<KeyedRateLimiter>(config_.accept_rate, std::max(1.0, config_.accept_rate));
  for (int i = 0; i < config_.threads; ++i) shards_.push_back(std::make_unique<Shard>(i));
}

bool Hub::publish(SharedText message) {
  const uint64_t cost = (message->size() + kBroadcastOverheadBytes) * shards_.size();
  // Reserve first, then check: concurrent publishers can never push the backlog past the bound.
  if (backlog_bytes_.fetch_add(cost, std::memory_order_acq_rel) + cost > kBroadcastBacklogBytes) {
    backlog_bytes_.fetch_sub(cost, std::memory_order_acq_rel);
    broadcasts_dropped_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  broadcasts_.fetch_add(1, std::memory_order_relaxed);
  const uint64_t share = cost / shards_.size();
  for (auto& shard : shards_) {
    boost::asio::post(shard->ioc(), [this, s = shard.get(), message, share] {
      s->deliver_all(message, config_.require_subscribe);
      backlog_bytes_.fetch_sub(share, std::memory_order_acq_rel);
    });
  }
  return true;
}

namespace {

// peak = max(peak, value), for any number of writers.
void raise_to(std::atomic<uint64_t>& peak, uint64_t value) {
  uint64_t seen = peak.load(std::memory_order_relaxed);
  while (seen < value && !peak.compare_exchange_weak(seen, value, std::memory_order_acq_rel)) {
  }
}

}  // namespace

bool Hub::try_reserve_session() {
  const uint64_t max = config_.max_connections;
  if (max == 0) {
    raise_to(peak_, reserved_.fetch_add(1, std::memory_order_acq_rel) + 1);
    return true;
  }
  uint64_t current = reserved_.load(std::memory_order_acquire);
  while (current < max) {
    if (reserved_.compare_exchange_weak(current, current + 1, std::memory_order_acq_rel)) {
      raise_to(peak_, current + 1);
      return true;
    }
  }
  return false;
}

void Hub::go_away_all() {
  for (auto& shard : shards_) {
    boost::asio::post(shard->ioc(), [s = shard.get()] { s->go_away_all(); });
  }
}

StatsSnapshot Hub::snapshot() const {
  StatsSnapshot s;
  uint64_t closed = 0;
  uint64_t added = 0;
  uint64_t released = 0;
  for (const auto& shard : shards_) {
    const auto& c = shard->counters();
    s.connections_total += c.connections_total.get();
    closed += c.connections_closed.get();
    s.messages_in += c.messages_in.get();
    s.messages_out += c.messages_out.get();
    s.bytes_in += c.bytes_in.get();
    s.bytes_out += c.bytes_out.get();
    s.drops += c.drops.get();
    s.oversize += c.oversize.get();
    s.rejected_401 += c.rejected_401.get();
    s.rejected_429 += c.rejected_429.get();
    s.rejected_503 += c.rejected_503.get();
    s.rejected_413 += c.rejected_413.get();
    s.rejected_431 += c.rejected_431.get();
    s.http_requests += c.http_requests.get();
    s.subscribes += c.subscribes.get();
    s.unsubscribes += c.unsubscribes.get();
    s.unsubscribes_unknown += c.unsubscribes_unknown.get();
    s.publishes += c.publishes.get();
    s.session_message_errors += c.session_message_errors.get();
    added += c.subscriptions_added.get();
    released += c.subscriptions_released.get();
  }
  // Counters are read at slightly different instants; never report a negative gauge.
  s.connections_open = s.connections_total > closed ? s.connections_total - closed : 0;
  s.connections_closed = closed;
  s.connections_peak = peak_sessions();
  s.subscriptions_open = added > released ? added - released : 0;
  s.distinct_subjects = subjects_.distinct();
  s.distinct_subjects_overflow = subjects_.overflow();
  s.broadcasts = broadcasts_.load(std::memory_order_relaxed);
  s.broadcasts_dropped = broadcasts_dropped_.load(std::memory_order_relaxed);
  s.nats_received = nats_received_.load(std::memory_order_relaxed);
  s.nats_dropped = nats_dropped_.load(std::memory_order_relaxed);
  s.uptime_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  s.threads = shard_count();
  return s;
}

}  // namespace wsload::target
