#pragma once
// A plain (ws://) WebSocket session with no extension negotiated, after Beast's handshake: our own
// framing (FrameReader, encode_frame_header) on the bare socket, so that an idle session holds no
// read buffer, no Beast stream and no timer — about a few hundred bytes besides the kernel's
// socket. TLS and permessage-deflate sessions stay WsSession (Beast).
//
// Behaves like WsSession: pings are answered with pongs, session messages by SessionMessages,
// other frames echoed, RFC 6455 pings answered; one write in flight, outgoing data messages wait in
// a queue bounded by --max-queue-messages/--max-queue-bytes (a full queue is a drop: close 1008);
// a message over --max-message-size closes with 1009 (counted as oversize), a malformed stream
// with 1002 or 1007. Every close (ours or the peer's) is bounded by kCloseGrace.
//
// Reading: the session waits for readability, then reads into its shard's shared buffer and parses
// synchronously; only a message still incomplete is kept (in FrameReader).
//
// Runs on its shard's thread; owns itself through shared_from_this while I/O is pending.
#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <memory>
#include <vector>

#include "frame_reader.hpp"
#include "session_messages.hpp"
#include "shard.hpp"

namespace wsload::target {

class Hub;

class LeanWsSession final : public SessionHandle,
                            public FrameSink,
                            public std::enable_shared_from_this<LeanWsSession> {
 public:
  using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp,
                                                  boost::asio::io_context::executor_type>;

  // `socket` has completed the upgrade; the session takes over the slot reserved for it (released
  // by the destructor).
  LeanWsSession(Socket socket, Hub& hub, Shard& shard);
  ~LeanWsSession() override;

  // Attaches to the shard and starts reading.
  void start();

  void deliver(const SharedText& message) override;
  void go_away() override;

 private:
  using Timer =
      boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                        boost::asio::wait_traits<std::chrono::steady_clock>,
                                        boost::asio::io_context::executor_type>;
  // kOpen -> kCloseQueued (our close frame waits for the write in flight) -> kCloseSent ->
  // kDraining (send side shut, input discarded until end of stream) -> kDone (socket closed). Any
  // state may go straight to kDone on an I/O error, end of stream or the grace timer.
  enum class State : uint8_t { kOpen, kCloseQueued, kCloseSent, kDraining, kDone };
  struct Outgoing {
    SharedText text;
    Opcode opcode = Opcode::kText;
  };
  static constexpr std::chrono::seconds kCloseGrace{2};
  // Reads per readiness wake-up before waiting again, so one busy client cannot starve the shard.
  static constexpr int kReadsPerWake = 4;

  void on_message(bool binary, std::string& payload) override;
  void on_ping(std::string_view payload) override;
  void on_close(uint16_t code, std::string_view reason) override;

  void do_wait();
  void on_readable(boost::system::error_code ec);
  // Feeds what was read to the reader, or discards it once our side has failed or is draining.
  void consume(std::span<uint8_t> bytes);

  // Queues a data message within the queue bounds (drop and close 1008 beyond them).
  void enqueue(SharedText text, Opcode opcode);
  void push(Outgoing outgoing);
  void do_write(Outgoing outgoing);
  void on_write(boost::system::error_code ec);
  void write_next();

  // Starts our closing handshake with `code`; `failed`: the input can no longer be parsed.
  void start_close(uint16_t code, bool failed);
  void on_close_written();
  void begin_drain();
  void close_socket();

  Socket socket_;
  Hub& hub_;
  Shard& shard_;
  FrameReader reader_;
  SessionMessages messages_;
  Outgoing in_flight_;           // the frame being written, when writing_
  std::vector<Outgoing> queue_;  // frames waiting behind it, from queue_head_; released when empty
  std::size_t queue_head_ = 0;
  std::size_t queued_messages_ = 0;   // data messages in in_flight_ and queue_
  std::size_t queued_bytes_ = 0;      // their payload bytes
  std::unique_ptr<Timer> grace_;      // only while closing
  std::array<uint8_t, 10> header_{};  // header of in_flight_
  uint16_t close_code_ = 0;           // ours, once start_close ran
  State state_ = State::kOpen;
  bool writing_ = false;
  bool failed_ = false;       // the input is not parsed any more (protocol error)
  bool peer_closed_ = false;  // the peer's close frame arrived
  bool attached_ = false;
};

// Takes over an upgraded plain socket (see LeanWsSession).
void start_lean_session(boost::asio::ip::tcp::socket socket, Hub& hub, Shard& shard);

}  // namespace wsload::target
