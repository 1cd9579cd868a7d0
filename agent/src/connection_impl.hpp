#pragma once
// Implementation of Connection, templated on the byte stream (a TCP socket, or TLS over one).
// Heavy: include only from connection_plain.cpp / connection_tls.cpp, which instantiate it once
// each.
// Lifecycle (one attempt): resolve -> TCP connect -> [TLS] -> upgrade (Beast's HTTP parser) ->
// frames (ws_codec) until the close handshake or an error.
// The object owns itself through shared_from_this() while I/O is pending; the worker also holds it
// until on_done. Member definitions: connection_connect.ipp (attempts, upgrade), connection_io.ipp
// (reads, decoding, writes, end of a session) and connection_session.ipp (requests, replies,
// pushes, close).
//
// I/O of an established session: frames to send are appended to out_ and written at once (many
// messages that are due together leave in one system call). ws:// and wss:// hand their socket to
// the worker's EventLoop once established (a raw session: no Asio operation, no buffer of its own)
// and read into the worker's shared buffer when the loop reports input; wss:// decrypts and
// encrypts through the TlsSession it took over from Asio's stream (tls_session.hpp). The in-memory
// test stream keeps one read pending through Asio into a buffer allocated while established.
// With `target.compression: deflate` the upgrade offers permessage-deflate; when the server accepts
// it, deflate_ holds the session's compression state (nothing else of the connection grows).
#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "connection.hpp"
#include "connection_reasons.hpp"
#include "event_loop.hpp"
#include "push_tracker.hpp"
#include "reply_matcher.hpp"
#include "schedule.hpp"
#include "step_runner.hpp"
#include "tls_session.hpp"
#include "ws_codec.hpp"
#include "wsload/shared/clock.hpp"

namespace wsload::agent {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;
// The worker's io_context executor, not any_io_executor: every socket and pending operation of a
// connection then carries an 8-byte executor instead of a type-erased one.
using Executor = net::io_context::executor_type;
using Socket = net::basic_stream_socket<tcp, Executor>;
using Resolver = net::ip::basic_resolver<tcp, Executor>;

// Pending reads of a stream that is not a raw session (the in-memory test stream) land in this
// many bytes (several short frames fit); a fuller queue is read on into the worker's buffer.
inline constexpr std::size_t kIdleReadBytes = 128;
// Sends pause (and fall behind schedule, which is reported) while this much is queued unwritten.
// So out_ never holds more than kOutHighWater + one request + one pong (they coalesce, see
// queue_pong) + one close frame; wss:// holds it as records (TlsSession::pending) instead.
// A session whose output makes no progress for WorkerContext::write_stall is dropped.
inline constexpr std::size_t kOutHighWater = 16 * 1024;
// At most this many reads of the worker buffer per wake-up of one connection.
inline constexpr int kMaxDrainReads = 16;
// At most this many overdue requests of one connection go out per wake-up.
inline constexpr int kMaxSendBurst = 64;

// The connection's seam to its byte stream; everything a connection does to its stream below
// reads, writes and the upgrade goes through it (so a test can put an in-memory stream in):
//   kTls;
//   kRaw: an established session leaves Asio (Stream is a Socket, or TLS over one; see go_raw);
//   emplace(optional<Stream>&, WorkerContext&): a fresh, unconnected stream;
//   connect(Stream&, const tcp::resolver::results_type&, const std::optional<address>& source,
//           handler(error_code)) -> error_code: starts connecting (from `source` when set); an
//           error means nothing was started and the handler is never called;
//   set_no_delay(Stream&), set_non_blocking(Stream&) (own synchronous reads and writes);
//   close(Stream&): pending operations complete with operation_aborted, the peer sees the end;
//   async_wait_writable(Stream&, handler(error_code));
//   handshake(Stream&, const RunConfig&, handler(error_code)) when kTls.
// Streams over a Socket get the socket-level ones from SocketStreamOps (connection_connect.ipp).
template <class Stream>
struct StreamTraits;

template <class Stream>
class WsConnection final : public Connection,
                           public std::enable_shared_from_this<WsConnection<Stream>> {
 public:
  WsConnection(WorkerContext& ctx, uint32_t id, uint32_t slot);

  void start() override;
  void stop_sending() override;
  void finish() override;
  void abort(std::chrono::milliseconds grace) override;
  void on_deadline(DeadlineKind kind) override;
  std::size_t queued_bytes() const override;
  void on_io(int fd, uint32_t events) override;
  ~WsConnection() override;

 private:
  // kIdle: no attempt (before the first, or in a reconnect backoff). kEnding: the session is over
  // and its socket closed; it is accounted (on_session_end) once its pending I/O has returned.
  // kDone: over for good.
  enum class State : uint8_t { kIdle, kConnecting, kOpen, kClosing, kEnding, kDone };
  enum class Stage : uint8_t { kResolve, kConnect, kTls, kUpgrade };
  // How far the run has wound the connection down; it only grows (wind_to). kHoldEnded: no new
  // request. kFinishing: close once nothing is in flight. kAborting: close now. Anything but
  // kRunning also rules out a reconnect.
  enum class Winding : uint8_t { kRunning, kHoldEnded, kFinishing, kAborting };
  // Offset in out_ of the pong queued with none of its bytes written yet, or kNoPong.
  static constexpr uint32_t kNoPong = UINT32_MAX;
  // What one attempt and its session know; a new attempt starts from a fresh value
  // (attempt_ = {}), so nothing of a previous session leaks into it.
  struct Attempt {
    TimePoint connect_start{};
    TimePoint write_progress{};  // while write_blocked: the last instant output made progress
    uint32_t pong_at = kNoPong;
    uint16_t peer_close_code = 0;
    Stage stage = Stage::kResolve;
    DisconnectReason end_cause = DisconnectReason::kError;  // set when the session ends
    bool timed_out : 1 = false;                             // the connect deadline fired
    bool close_initiated : 1 = false;  // we started the close handshake (an expected end)
    bool close_sent : 1 = false;       // our close frame is queued or written
    bool close_received : 1 = false;   // the peer's close frame arrived
    bool read_pending : 1 = false;     // a read is outstanding on the stream
    bool write_pending : 1 = false;    // a write or writability wait is outstanding
    bool in_feed : 1 = false;          // inside decoder_.feed (finalizing must wait)
    bool write_blocked : 1 = false;    // output waits for room in the socket
    bool sending : 1 = false;          // the open loop of this session runs: its slots count
  };
  using Self = WsConnection<Stream>;
  static constexpr bool kTls = StreamTraits<Stream>::kTls;

  // The upgrade request and the response being read; exists during the upgrade only.
  struct Upgrade {
    std::string request;
    std::string key;
    beast::flat_buffer buffer;
    beast::http::response_parser<beast::http::empty_body> parser;
    std::string offered_protocols;  // the Sec-WebSocket-Protocol we sent
  };
  struct Frames;  // ws::FrameHandler of this connection (connection_session.ipp)
  static constexpr bool kRaw = StreamTraits<Stream>::kRaw;
  // What a session through Asio (the in-memory test stream) needs: its read buffer.
  struct AsyncIo {
    char in[kIdleReadBytes];
  };
  // An established session's own I/O state: wss:// its TLS; else AsyncIo when not raw (ws://
  // sessions need none).
  using SessionIo = std::conditional_t<kTls, TlsSession, AsyncIo>;

  // connection_connect.ipp
  void attempt();
  std::string make_token() const;
  std::string render_field(const std::optional<shared::MessageTemplate>& tmpl,
                           const std::string& plain) const;
  // The upgrade request; `offered` receives the subprotocols it offers.
  std::string make_request(const std::string& key, std::string& offered) const;
  void on_resolve(error_code ec, tcp::resolver::results_type results);
  void do_connect(const tcp::resolver::results_type& results);
  void on_connect(error_code ec);
  void do_upgrade();
  void on_upgrade_response(error_code ec);
  // `deflate`: the negotiated permessage-deflate parameters (nullopt: none).
  std::optional<FailureReason> check_upgrade(std::optional<ws::DeflateParams>& deflate) const;
  bool cancelled();
  void fail_attempt(Failure failure, error_code ec = {});
  void fail_attempt(FailureReason reason, error_code ec = {}) { fail_attempt(Failure{reason}, ec); }
  void stop_attempt();
  void count_failure(Failure failure, error_code ec);
  FailureReason classify_failure(error_code ec) const;
  static FailureReason upgrade_failure(error_code ec);
  void cancel_io();
  void schedule_reconnect();
  bool may_reconnect() const;
  void done();

  // connection_steps.ipp: format v2 sessions (steps, several streams, captured values)
  struct Session;  // what only a connection of a group with steps or several streams needs
  void start_session(TimePoint now);
  void start_streams(TimePoint now);
  void on_steps(StepRunner::Status status);
  bool steps_running() const;
  bool step_message(std::string_view data, TimePoint now);
  bool step_pong(uint64_t seq, TimePoint now);
  uint64_t send_step(const StepRuntime& step);
  bool step_reply(uint64_t seq);
  void record_step(const StepRuntime& step, std::optional<int64_t> latency_us,
                   std::optional<StepFailure> failure);
  void close_planned();
  SendSchedule& schedule(size_t stream);
  bool stream_waiting(size_t stream) const;
  void set_waiting(size_t stream, bool waiting);
  const std::string* render(const Payload& payload, uint64_t seq);
  std::span<const std::vector<std::string>* const> data_rows();
  shared::StreamFigures* stream_figures(size_t stream);

  // connection_session.ipp
  void on_established(std::string_view early_bytes);
  bool go_raw();
  bool read_raw(uint32_t events);
  bool read_tls(std::string_view cipher);
  void flush_tls();
  void send_records();
  void close_stream();
  void start_read();
  bool drain();
  bool consume(std::string_view bytes);
  void on_read_end(error_code ec);
  bool on_message(bool text, std::string_view payload, std::size_t wire_size);
  bool on_ping(std::string_view payload);
  void queue_pong(std::string_view payload);
  void on_pong(std::string_view payload);
  bool on_close(uint16_t code);
  void handle_frame(std::string_view data, TimePoint now);
  void handle_push(std::string_view data);
  bool match_reply(uint64_t seq, TimePoint now);
  void record_reply(const InFlight& request, TimePoint now);
  void on_settled();
  void maybe_send();
  void send_due_before_end();
  void stop_schedule(UnsentReason reason);
  bool send_due(size_t stream, TimePoint now);
  void encode_request(size_t stream, TimePoint scheduled, TimePoint now);
  TimePoint next_send_instant(TimePoint now);
  // Returns the payload bytes the frame carries (compressed or not).
  std::size_t queue_frame(ws::Opcode op, std::string_view payload);
  void flush();
  std::size_t write_some(const char* data, std::size_t size, error_code& ec);
  void compact_out();
  void note_write_blocked(bool progressed);
  void check_write_stall();
  void on_write_done(error_code ec);
  bool backlogged() const { return queued_bytes() >= kOutHighWater; }
  void arm_timeout();
  void on_timeout();
  void begin_close(std::chrono::milliseconds grace);
  void send_close(uint16_t code);
  void enter_closing(std::chrono::milliseconds bound);
  void end_session(DisconnectReason cause);
  void maybe_finalize();
  void on_session_end();

  // The group's counters in a format-v2 run (the worker sums them into the totals when it hands
  // its delta over), else the totals.
  shared::Counters& counters() {
    return ctx_.cfg.sessions ? ctx_.delta.parts.groups[group_.index] : ctx_.delta.counters;
  }
  using Traits = StreamTraits<Stream>;
  bool ending() const { return state_ == State::kEnding; }
  bool sending_stopped() const { return winding_ != Winding::kRunning; }
  bool finish_requested() const { return winding_ >= Winding::kFinishing; }
  void wind_to(Winding w) { winding_ = std::max(winding_, w); }
  uint32_t next_mask() { return static_cast<uint32_t>(ctx_.rng()); }
  // kDeadline: connect deadline while kConnecting, reconnect backoff while kIdle, write-stall
  // bound while kOpen, close bound while kClosing (each arming replaces the previous one).
  void arm(DeadlineKind kind, TimePoint at) {
    ctx_.deadlines.arm(slot_, kind, at);
    ctx_.wake_at(at);
  }
  void disarm(DeadlineKind kind) { ctx_.deadlines.cancel(slot_, kind); }

  WorkerContext& ctx_;
  const uint32_t id_;
  const uint32_t slot_;
  const GroupRuntime& group_;
  std::optional<Stream> stream_;
  std::unique_ptr<Resolver> resolver_;  // only until the worker has resolved the target once
  std::unique_ptr<Upgrade> upgrade_;
  std::unique_ptr<SessionIo> io_;  // while established: see SessionIo
  ws::Decoder decoder_{kReadMessageMax};
  std::unique_ptr<ws::PerMessageDeflate> deflate_;  // negotiated permessage-deflate, per session
  std::string out_;  // encoded frames not yet written (from out_done_ on)
  std::size_t out_done_ = 0;
  InFlightTable in_flight_;
  std::unique_ptr<PushTracker> push_;  // only when pushes carry a sequence field
  SendSchedule sends_;                 // the group's first stream; the others live in session_
  std::unique_ptr<Session> session_;   // groups with steps or several streams, while established
  Attempt attempt_;
  // Connection lifetime: across attempts.
  uint64_t seq_ = 0;
  uint32_t reconnect_attempts_ = 0;
  int raw_fd_ = -1;  // the socket of a raw session (owned), else -1
  State state_ = State::kIdle;
  Winding winding_ = Winding::kRunning;
  bool reconnecting_ = false;  // the current attempt follows an unexpected disconnect
};

}  // namespace wsload::agent

#include "connection_connect.ipp"
#include "connection_io.ipp"
#include "connection_session.ipp"
#include "connection_steps.ipp"
