#pragma once
// One WebSocket client connection of a worker (interface). The implementation (Asio sockets, the
// upgrade with Beast's HTTP parser, frames by ws_codec) lives in connection_impl.hpp and is
// instantiated in connection_plain.cpp and connection_tls.cpp only.
// Every member runs on the worker's io_context thread; nothing here is thread-safe.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "permessage_deflate.hpp"
#include "run_config.hpp"
#include "schedule.hpp"
#include "slot_deadlines.hpp"
#include "wsload/shared/metrics.hpp"

namespace boost::asio::ssl {
class context;
}

namespace wsload::agent {

class EventLoop;

// Size of a worker's shared read buffer: one read takes up to this much of a socket's queue.
inline constexpr std::size_t kWorkerReadBytes = 64 * 1024;
// A session whose unwritten output makes no write progress for this long has a peer that stopped
// reading: it is dropped and counted as the disconnect `write_stall`.
inline constexpr std::chrono::milliseconds kWriteStall{10'000};

// Rate limit of the per-attempt debug line about failed connection attempts (one per worker).
// Pure: the caller passes the instant.
struct FailureLogBudget {
  static constexpr uint32_t kPerSecond = 10;
  // True when a line may be logged at `now`. On the first call of a new one-second window,
  // *suppressed_before receives how many calls the previous window refused (0 otherwise).
  bool take(std::chrono::steady_clock::time_point now, uint64_t* suppressed_before) {
    *suppressed_before = 0;
    if (now - window_start >= std::chrono::seconds(1)) {
      *suppressed_before = refused;
      window_start = now;
      used = 0;
      refused = 0;
    }
    if (used < kPerSecond) {
      ++used;
      return true;
    }
    ++refused;
    return false;
  }

  std::chrono::steady_clock::time_point window_start{};
  uint32_t used = 0;
  uint64_t refused = 0;
};

// A session socket to read on in the worker's next round (see WorkerContext::read_again).
struct RawRead {
  uint32_t slot = 0;
  int fd = -1;
  uint32_t events = 0;  // of the report it did not finish reading
};

// What a worker shares with its connections (owned by the worker, used on its thread only).
struct WorkerContext {
  WorkerContext(boost::asio::io_context& io, const RunConfig& config,
                std::vector<std::shared_ptr<boost::asio::ssl::context>> tls_contexts)
      : ioc(io), cfg(config), tls(std::move(tls_contexts)), resolved(config.groups.size()) {}

  // The connections' clock: steady_clock, or *manual_now when set (tests drive time by hand).
  TimePoint now() const { return manual_now != nullptr ? *manual_now : Clock::now(); }
  // Made when the first connection negotiates permessage-deflate.
  ws::DeflateWorkspace& deflate_workspace() {
    if (!deflate) deflate = std::make_unique<ws::DeflateWorkspace>();
    return *deflate;
  }

  boost::asio::io_context& ioc;
  const RunConfig& cfg;
  const TimePoint* manual_now = nullptr;  // not owned; outlives the connections when set
  // By group: set when the group's target is wss://.
  std::vector<std::shared_ptr<boost::asio::ssl::context>> tls;
  shared::MetricsDelta delta;  // recorded since the last take
  uint64_t open = 0;           // gauge: established and not yet ended
  uint64_t in_flight = 0;      // gauge: requests awaiting a reply or their timeout
  std::minstd_rand rng{std::random_device{}()};  // {{random N}} in templates, masks, upgrade keys
  std::string scratch;  // a request is rendered here, then encoded into its connection's frames
  std::vector<const std::vector<std::string>*> data_rows;  // a connection's rows, while rendering
  // ws:// connections read a backlog into this and decode it in place before the next read.
  std::vector<char> read_buffer = std::vector<char>(kWorkerReadBytes);
  // wss:// connections decrypt what they read into this (made with the first one).
  std::vector<char>& plain_buffer() {
    if (plain.empty()) plain.resize(kWorkerReadBytes);
    return plain;
  }
  std::vector<char> plain;
  // permessage-deflate streams and buffers the connections share (deflate_workspace()).
  std::unique_ptr<ws::DeflateWorkspace> deflate;
  TimePoint hold_end = TimePoint::max();  // no request starts at or after this instant
  TimePoint t0{};                         // the stage's start (streams' `start` counts from it)
  // While the worker calls Connection::finish for a planned close (stages, arrivals, ramp-down):
  // the instant that close was planned for; slots at or after it were never scheduled.
  TimePoint planned_close = TimePoint::max();
  // By group: first successful resolution of its target, reused by later connections.
  std::vector<std::optional<boost::asio::ip::tcp::resolver::results_type>> resolved;
  // By slot, while a connection reconnects: the instant its session ended unexpectedly (entered
  // with its first reconnect, left at the next 101 or at the connection's end); the time to
  // reconnect counts from it. Kept here rather than in every connection: few reconnect at once.
  std::unordered_map<uint32_t, TimePoint> reconnect_since;
  // Called once per connection when it is over for good (no reconnect pending).
  std::function<void(uint32_t slot)> on_done;
  // Every connection's timed events (sends, request timeouts, connect/backoff/close bounds), by
  // slot; the worker's single timer reports due ones through Connection::on_deadline. After
  // arming, a connection calls wake_at(instant) so that the worker's wait ends in time.
  SlotDeadlines deadlines;
  std::function<void(TimePoint)> wake_at;
  // The worker's wait (event_loop.hpp): established ws:// sessions hand their socket to it.
  // nullptr without a worker (in-memory tests).
  EventLoop* loop = nullptr;
  uint64_t raw_open = 0;   // sessions served by `loop` (not through the io_context)
  uint32_t resolving = 0;  // resolves in progress (Asio's resolver thread does not wake `loop`)
  // Sessions that stopped reading at their per-wake-up bound with bytes left in the socket.
  std::vector<RawRead> read_again;
  // Write-stall bound of every session (kWriteStall; tests shorten it).
  std::chrono::milliseconds write_stall = kWriteStall;
  FailureLogBudget failure_log;
};

// What a connection records under a reason (shared::Counters; the reasons are enumerated in
// connection_reasons.hpp):
// - failures (attempted = established + failed, always): dns, refused, connect_timeout, tls,
//   tls_timeout, handshake_timeout (the connect deadline, named by the stage it stopped),
//   http_<status>, bad_accept, bad_upgrade, bad_extension, closed_during_upgrade,
//   stopped_before_established (the run stopped first; a reconnect still in its backoff is not an
//   attempt), other.
// - disconnects: close_<code>, close_timeout, protocol_error, eof, reset, error, write_stall.
// - unsent (scheduled = sent + unsent for open loops): peer_not_reading, closed, stopped.
class Connection {
 public:
  virtual ~Connection() = default;
  // Starts the first attempt (resolve, connect, handshakes), then reads and sends.
  virtual void start() = 0;
  // The hold ended: no new request; in-flight requests still wait for their reply or timeout.
  virtual void stop_sending() = 0;
  // Scheduled close: once nothing is in flight, close gracefully (close frame, bounded wait).
  virtual void finish() = 0;
  // Early stop: abandon connecting, close open sessions now, dropping them after `grace`.
  virtual void abort(std::chrono::milliseconds grace) = 0;
  // A deadline this connection armed in WorkerContext::deadlines is due (reported once per arming).
  virtual void on_deadline(DeadlineKind kind) = 0;
  // Encoded output not yet handed to the socket (wss://: including the write in progress).
  virtual std::size_t queued_bytes() const = 0;
  // The worker's EventLoop reports epoll `events` on the session socket `fd` this connection
  // registered (a stale report, for a socket since closed, is ignored).
  virtual void on_io(int fd, uint32_t events) = 0;
};

// Factories; `slot` is the worker's handle passed back through WorkerContext::on_done.
std::shared_ptr<Connection> make_plain_connection(WorkerContext& ctx, uint32_t id, uint32_t slot);
std::shared_ptr<Connection> make_tls_connection(WorkerContext& ctx, uint32_t id, uint32_t slot);

// Client TLS context per TlsSpec (verify peer + CA file, "pem:<contents>", or the system store).
// nullptr and *error on failure.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const shared::TlsSpec& spec,
                                                            std::string* error);
// One per group of `cfg` (nullptr for ws:// groups); empty and *error on failure.
std::vector<std::shared_ptr<boost::asio::ssl::context>> make_tls_contexts(const RunConfig& cfg,
                                                                          std::string* error);

// Bounded wait for the peer's close frame after we send ours at the end of the run; beyond it the
// socket is dropped and the disconnect counted as `close_timeout`. A server closing tens of
// thousands of sessions at once needs more than a second.
inline constexpr std::chrono::milliseconds kCloseWait{3000};
// Largest message accepted from the server; bigger ones are protocol errors.
inline constexpr uint64_t kReadMessageMax = 1024 * 1024;

}  // namespace wsload::agent
