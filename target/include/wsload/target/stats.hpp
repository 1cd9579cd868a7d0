#pragma once
// Server counters. Hot-path counters live per io_context thread (ShardCounters: a single writer,
// relaxed loads/stores, no lock) and are summed on read into a StatsSnapshot.
#include <atomic>
#include <cstdint>
#include <string>

namespace wsload::target {

// A counter written by exactly one thread and read by any: no read-modify-write instruction needed.
class SingleWriterCounter {
 public:
  void add(uint64_t n = 1) {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  uint64_t get() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// Counters owned by one io_context thread; only that thread calls add().
struct alignas(64) ShardCounters {
  SingleWriterCounter connections_total;   // WebSocket upgrades that completed (101 sent)
  SingleWriterCounter connections_closed;  // sessions ended; subset of connections_total
  SingleWriterCounter messages_in;         // WebSocket messages received
  SingleWriterCounter messages_out;  // WebSocket messages written (replies, echoes, broadcasts)
  SingleWriterCounter bytes_in;
  SingleWriterCounter bytes_out;
  SingleWriterCounter drops;     // slow clients disconnected for a full outgoing queue
  SingleWriterCounter oversize;  // sessions closed with 1009
  SingleWriterCounter rejected_401;
  SingleWriterCounter rejected_429;
  SingleWriterCounter rejected_503;
  SingleWriterCounter rejected_413;   // requests whose body exceeded the HTTP body limit
  SingleWriterCounter rejected_431;   // requests whose header exceeded kHttpHeaderLimit
  SingleWriterCounter http_requests;  // plain HTTP requests served (health, stats, metrics, 404)
  SingleWriterCounter
      subscribes;  // subscribe requests acknowledged (repeats of a held channel too)
  SingleWriterCounter unsubscribes;          // unsubscribe requests acknowledged
  SingleWriterCounter unsubscribes_unknown;  // subset of unsubscribes: channel was not held
  SingleWriterCounter publishes;             // publish requests acknowledged
  SingleWriterCounter
      session_message_errors;               // subscribe/unsubscribe/publish refused (error reply)
  SingleWriterCounter subscriptions_added;  // channels newly held by a session
  SingleWriterCounter subscriptions_released;  // channels let go: unsubscribe or session end
};

// Totals at one instant. Each field sums the per-thread counters (no cross-field consistency).
struct StatsSnapshot {
  uint64_t connections_open = 0;  // sessions currently open (gauge)
  uint64_t connections_total = 0;
  uint64_t connections_closed = 0;  // sessions ended (subset of connections_total)
  uint64_t connections_peak = 0;    // the most sessions open (or upgrading) at once
  uint64_t messages_in = 0;
  uint64_t messages_out = 0;
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  uint64_t broadcasts = 0;  // messages published to all clients (built-in + NATS)
  uint64_t broadcasts_dropped =
      0;                       // broadcasts refused because undelivered ones exceeded the backlog
  uint64_t nats_received = 0;  // messages received from the NATS subject (relayed or dropped)
  uint64_t nats_dropped = 0;   // subset of nats_received not relayed: over --max-message-size
  uint64_t drops = 0;
  uint64_t oversize = 0;
  uint64_t rejected_401 = 0;
  uint64_t rejected_429 = 0;
  uint64_t rejected_503 = 0;
  uint64_t rejected_413 = 0;
  uint64_t rejected_431 = 0;
  uint64_t http_requests = 0;
  uint64_t subscribes = 0;
  uint64_t unsubscribes = 0;
  uint64_t unsubscribes_unknown = 0;  // subset of unsubscribes
  uint64_t publishes = 0;
  uint64_t session_message_errors = 0;
  uint64_t subscriptions_open = 0;  // channels held by open sessions (gauge)
  uint64_t distinct_subjects = 0;   // distinct JWT "sub" claims of completed upgrades, exact up to
                                    // kMaxDistinctSubjects / kMaxDistinctSubjectBytes
  uint64_t distinct_subjects_overflow = 0;  // upgrades whose new subject found the set full
  double uptime_s = 0;
  int threads = 0;
};

// GET /stats body: one JSON object with every field above.
std::string render_stats_json(const StatsSnapshot& s);
// GET /health body: {"status":"ok","uptime_s":...,"connections":...}.
std::string render_health_json(const StatsSnapshot& s);
// GET /metrics body, Prometheus text format 0.0.4; metric names prefixed "wsload_target_".
std::string render_metrics(const StatsSnapshot& s);

}  // namespace wsload::target
