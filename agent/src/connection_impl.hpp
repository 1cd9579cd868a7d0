#pragma once
// Beast implementation of Connection, templated on the WebSocket stream type. Heavy: include only
// from connection_plain.cpp / connection_tls.cpp, which instantiate it once each.
// Lifecycle (one attempt): resolve -> TCP connect -> [TLS] -> upgrade -> read loop + sends -> close.
// The object owns itself through shared_from_this() while I/O is pending; the worker also holds it
// until on_done. Member definitions: connection_connect.ipp (attempts) and
// connection_session.ipp (messages, close).
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "connection.hpp"
#include "push_tracker.hpp"
#include "reply_matcher.hpp"
#include "schedule.hpp"

namespace wsload::agent {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;
// The worker's io_context executor, not any_io_executor: every socket and pending Beast
// operation of a connection then carries an 8-byte executor instead of a type-erased one.
using Executor = net::io_context::executor_type;
// A bare socket, not beast::basic_stream: our deadlines live in the worker's SlotDeadlines, so
// basic_stream's own timers, shared impl and operation wrappers would be pure cost.
using Socket = net::basic_stream_socket<tcp, Executor>;
using Resolver = net::ip::basic_resolver<tcp, Executor>;

// A read started while no message is in progress reads into this many bytes inside the
// connection; only a message longer than that moves to a heap buffer (freed once it is handled).
inline constexpr std::size_t kIdleReadBytes = 128;
// Heap buffer growth per read while a long message is in progress.
inline constexpr std::size_t kLongReadChunk = 4096;

template <class Ws>
struct StreamTraits;  // static Ws* emplace(std::optional<Ws>&, WorkerContext&); kTls; handshake

template <class Ws>
class WsConnection final : public Connection, public std::enable_shared_from_this<WsConnection<Ws>> {
 public:
  WsConnection(WorkerContext& ctx, uint32_t id, uint32_t slot);

  void start() override;
  void stop_sending() override;
  void finish() override;
  void abort(std::chrono::milliseconds grace) override;
  void on_deadline(DeadlineKind kind) override;

 private:
  enum class State : uint8_t { kIdle, kConnecting, kOpen, kClosing, kDone };
  enum class Stage : uint8_t { kResolve, kConnect, kTls, kUpgrade };
  using Self = WsConnection<Ws>;

  // connection_connect.ipp
  void attempt();
  void prepare_stream();
  std::string make_token() const;
  void on_resolve(error_code ec, tcp::resolver::results_type results);
  void do_connect(const tcp::resolver::results_type& results);
  void on_connect(error_code ec);
  void on_tls(error_code ec);
  void do_upgrade();
  void on_upgrade(error_code ec);
  void fail_attempt(const std::string& reason);
  std::string classify_failure(error_code ec) const;
  void cancel_io();
  void schedule_reconnect();
  bool may_reconnect() const;
  void done();

  // connection_session.ipp
  void on_established();
  void do_read();
  void on_read(error_code ec, std::size_t bytes);
  void on_control(websocket::frame_type kind, std::string_view payload);
  void handle_frame(std::string_view data, TimePoint now);
  void handle_push(std::string_view data);
  bool match_reply(uint64_t seq, TimePoint now);
  void record_reply(const InFlight& request, TimePoint now);
  void on_settled();
  void maybe_send();
  void send_one(TimePoint scheduled, TimePoint now);
  void on_write(error_code ec);
  void arm_send(TimePoint at);
  void arm_timeout();
  void on_timeout();
  void begin_close(std::chrono::milliseconds grace);
  void do_close();
  void maybe_end_session();
  void on_session_end(error_code ec);

  shared::Counters& counters() { return ctx_.delta.counters; }
  Socket& socket() { return beast::get_lowest_layer(*ws_); }
  // kDeadline: connect deadline while kConnecting, reconnect backoff while kIdle, close bound
  // while kClosing (each arming replaces the previous one).
  void arm(DeadlineKind kind, TimePoint at) {
    ctx_.deadlines.arm(slot_, kind, at);
    ctx_.wake_at(at);
  }
  void disarm(DeadlineKind kind) { ctx_.deadlines.cancel(slot_, kind); }

  WorkerContext& ctx_;
  const RunConfig& cfg_;
  const uint32_t id_;
  const uint32_t slot_;
  std::optional<Ws> ws_;
  std::unique_ptr<Resolver> resolver_;  // only until the worker has resolved the target once
  beast::flat_buffer long_msg_;  // a message longer than kIdleReadBytes being read; else empty
  char short_msg_[kIdleReadBytes];  // target of reads between messages
  std::string send_buf_;
  std::string token_;   // during an attempt: bearer token for the decorator
  std::string target_;  // during an attempt: request target with query token
  std::unique_ptr<websocket::response_type> response_;  // during the upgrade only
  InFlightTable in_flight_;
  PushTracker push_;
  SendSchedule sends_;
  TimePoint connect_start_{};
  uint64_t seq_ = 0;
  uint32_t generation_ = 0;  // bumps per attempt; stale close handlers compare it
  uint32_t reconnect_attempts_ = 0;
  State state_ = State::kIdle;
  Stage stage_ = Stage::kResolve;
  bool timed_out_ = false;        // connect deadline fired during this attempt
  bool aborting_ = false;         // stop(): nothing more is counted as failure
  bool sending_stopped_ = false;  // hold ended
  bool finish_requested_ = false;
  bool close_started_ = false;    // we sent (or are about to send) a close frame
  bool close_pending_ = false;    // close waits for the write in flight
  bool write_in_flight_ = false;
  bool reconnecting_ = false;     // current attempt follows an unexpected disconnect
  bool read_ended_ = false;       // the read loop completed with an error
  bool long_read_ = false;        // the message being read continues in long_msg_
  bool close_op_pending_ = false; // our async_close has not completed
  bool close_done_ = false;
  bool close_timed_out_ = false;  // the close bound expired and we dropped the socket
  error_code read_ec_;
  error_code close_ec_;
};

}  // namespace wsload::agent

#include "connection_connect.ipp"
#include "connection_session.ipp"
