#pragma once
// Server-wide state shared by every thread: the shards, global counters, limits, publication.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "shard.hpp"
#include "subject_set.hpp"
#include "wsload/target/config.hpp"
#include "wsload/target/token_bucket.hpp"

namespace wsload::target {

// Thread-safe unless noted.
class Hub {
 public:
  explicit Hub(TargetConfig config);

  const TargetConfig& config() const { return config_; }
  int shard_count() const { return static_cast<int>(shards_.size()); }
  Shard& shard(int index) { return *shards_[index]; }

  // Delivers `message` to every open session (with --require-subscribe: to every session holding a
  // channel): one post per shard, no copy per client. Returns false
  // (and counts broadcasts_dropped) without delivering when the broadcasts posted but not yet
  // handed to the sessions would exceed kBroadcastBacklogBytes: a publisher faster than the shards
  // cannot grow the server's memory without bound.
  bool publish(SharedText message);
  // Global push sequence: 1, 2, 3, ... per process.
  uint64_t next_seq() { return seq_.fetch_add(1, std::memory_order_relaxed) + 1; }
  void count_nats_message() { nats_received_.fetch_add(1, std::memory_order_relaxed); }
  // A NATS message that was not relayed (larger than --max-message-size).
  void count_nats_dropped() { nats_dropped_.fetch_add(1, std::memory_order_relaxed); }

  // Reserves one session slot under --max-connections; false when full. Each true is paired with
  // exactly one release_session().
  bool try_reserve_session();
  void release_session() { reserved_.fetch_sub(1, std::memory_order_acq_rel); }
  uint64_t reserved_sessions() const { return reserved_.load(std::memory_order_acquire); }
  // The most session slots reserved at once since start: sessions open or upgrading.
  uint64_t peak_sessions() const { return peak_.load(std::memory_order_acquire); }

  // Numbers of subscription ids "s<K>", shared by every session.
  std::atomic<uint64_t>& subscription_ids() { return subscription_ids_; }
  // JWT subjects of completed upgrades (distinct_subjects).
  SubjectSet& subjects() { return subjects_; }

  // Per-IP upgrade limiter, or nullptr when --accept-rate is off.
  KeyedRateLimiter* limiter() { return limiter_.get(); }

  // Closes every session with 1001 (posted to each shard).
  void go_away_all();

  StatsSnapshot snapshot() const;
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  void set_stopping() { stopping_.store(true, std::memory_order_release); }

 private:
  TargetConfig config_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::atomic<uint64_t> seq_{0};
  std::atomic<uint64_t> broadcasts_{0};
  std::atomic<uint64_t> broadcasts_dropped_{0};
  std::atomic<uint64_t> backlog_bytes_{0};
  std::atomic<uint64_t> nats_received_{0};
  std::atomic<uint64_t> nats_dropped_{0};
  std::atomic<uint64_t> reserved_{0};
  std::atomic<uint64_t> peak_{0};  // the most reserved_ has been
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> subscription_ids_{0};
  SubjectSet subjects_{kMaxDistinctSubjects, kMaxDistinctSubjectBytes};
  std::unique_ptr<KeyedRateLimiter> limiter_;
  // Declared last: shards (and the sessions their io_contexts hold) die before the state above.
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace wsload::target
