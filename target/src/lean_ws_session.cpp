#include "lean_ws_session.hpp"

#include <unistd.h>

#include <boost/asio/write.hpp>

#include "hub.hpp"

namespace wsload::target {

LeanWsSession::LeanWsSession(Socket socket, Hub& hub, Shard& shard)
    : socket_(std::move(socket)),
      hub_(hub),
      shard_(shard),
      reader_(hub.config().max_message_size),
      messages_(shard.counters(), hub.subscription_ids()) {}

LeanWsSession::~LeanWsSession() {
  if (attached_) {
    shard_.detach(this);
    shard_.counters().connections_closed.add();
  }
  hub_.release_session();
}

void LeanWsSession::start() {
  boost::system::error_code ec;
  // Reads are synchronous after a readiness wait: would_block ends them.
  socket_.non_blocking(true, ec);
  attached_ = true;
  shard_.attach(this);
  shard_.counters().connections_total.add();
  if (ec) return close_socket();
  if (hub_.stopping()) go_away();
  do_wait();
}

void LeanWsSession::deliver(const SharedText& message) { enqueue(message, Opcode::kText); }

void LeanWsSession::go_away() { start_close(1001, false); }

void LeanWsSession::do_wait() {
  socket_.async_wait(Socket::wait_read, [self = shared_from_this()](boost::system::error_code ec) {
    self->on_readable(ec);
  });
}

void LeanWsSession::on_readable(boost::system::error_code ec) {
  if (state_ == State::kDone) return;
  if (ec) return close_socket();
  const std::span<uint8_t> buffer = shard_.read_buffer();
  for (int round = 0; round < kReadsPerWake; ++round) {
    const std::size_t n = socket_.read_some(boost::asio::buffer(buffer.data(), buffer.size()), ec);
    if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) break;
    // End of stream or a reset: nothing more can be read or sent.
    if (ec) return close_socket();
    consume(buffer.first(n));
    if (state_ == State::kDone) return;
    if (n < buffer.size()) break;
  }
  do_wait();
}

void LeanWsSession::consume(std::span<uint8_t> bytes) {
  if (failed_ || state_ == State::kDraining || reader_.done()) return;
  const FrameError error = reader_.feed(bytes, *this);
  if (error == FrameError::kNone) return;
  if (error == FrameError::kTooBig) shard_.counters().oversize.add();
  start_close(static_cast<uint16_t>(error), true);
}

void LeanWsSession::on_message(bool binary, std::string& payload) {
  auto& counters = shard_.counters();
  counters.messages_in.add();
  counters.bytes_in.add(payload.size());
  if (state_ != State::kOpen) return;
  if (!binary && answer_text(payload, messages_))
    shard_.set_subscribed(this, messages_.subscribed());
  enqueue(std::make_shared<const std::string>(std::move(payload)),
          binary ? Opcode::kBinary : Opcode::kText);
}

void LeanWsSession::on_ping(std::string_view payload) {
  // Control frames are not data messages: outside the queue bounds and the message counters.
  if (state_ == State::kOpen) push({std::make_shared<const std::string>(payload), Opcode::kPong});
}

void LeanWsSession::on_close(uint16_t code, std::string_view) {
  peer_closed_ = true;
  switch (state_) {
    case State::kOpen:
      // Like Beast: the reply carries the peer's code (1000 when it sent none), no reason.
      start_close(code == 0 ? 1000 : code, false);
      return;
    case State::kCloseSent:
      return begin_drain();
    default:  // our close frame is still queued, or we are past it: on_close_written follows
      return;
  }
}

void LeanWsSession::enqueue(SharedText text, Opcode opcode) {
  if (state_ != State::kOpen) return;
  const auto& config = hub_.config();
  if (queued_messages_ >= config.max_queue_messages ||
      queued_bytes_ + text->size() > config.max_queue_bytes) {
    shard_.counters().drops.add();
    return start_close(1008, false);
  }
  ++queued_messages_;
  queued_bytes_ += text->size();
  push({std::move(text), opcode});
}

void LeanWsSession::push(Outgoing outgoing) {
  if (!writing_) return do_write(std::move(outgoing));
  queue_.push_back(std::move(outgoing));
}

void LeanWsSession::do_write(Outgoing outgoing) {
  writing_ = true;
  in_flight_ = std::move(outgoing);
  const std::size_t header_size =
      encode_frame_header(header_, in_flight_.opcode, in_flight_.text->size());
  const std::array<boost::asio::const_buffer, 2> buffers{
      boost::asio::buffer(header_.data(), header_size), boost::asio::buffer(*in_flight_.text)};
  boost::asio::async_write(socket_, buffers,
                           [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                             self->on_write(ec);
                           });
}

void LeanWsSession::on_write(boost::system::error_code ec) {
  writing_ = false;
  const Outgoing done = std::move(in_flight_);
  in_flight_ = {};
  if (ec || state_ == State::kDone) return close_socket();
  if (done.opcode == Opcode::kText || done.opcode == Opcode::kBinary) {
    auto& counters = shard_.counters();
    counters.messages_out.add();
    counters.bytes_out.add(done.text->size());
    --queued_messages_;
    queued_bytes_ -= done.text->size();
  }
  if (done.opcode == Opcode::kClose) return on_close_written();
  write_next();
}

void LeanWsSession::write_next() {
  if (queue_head_ < queue_.size()) {
    Outgoing next = std::move(queue_[queue_head_++]);
    // A drained queue gives its memory back: idle sessions hold none.
    if (queue_head_ == queue_.size()) {
      std::vector<Outgoing>().swap(queue_);
      queue_head_ = 0;
    }
    return do_write(std::move(next));
  }
  if (state_ == State::kCloseQueued) {
    const std::string payload{static_cast<char>(close_code_ >> 8), static_cast<char>(close_code_)};
    do_write({std::make_shared<const std::string>(payload), Opcode::kClose});
  }
}

void LeanWsSession::start_close(uint16_t code, bool failed) {
  if (state_ != State::kOpen) return;
  state_ = State::kCloseQueued;
  close_code_ = code;
  failed_ = failed;
  // Queued frames are dropped; the one being written finishes first (its buffers are in use).
  std::vector<Outgoing>().swap(queue_);
  queue_head_ = 0;
  const bool data_in_flight =
      writing_ && (in_flight_.opcode == Opcode::kText || in_flight_.opcode == Opcode::kBinary);
  queued_messages_ = data_in_flight ? 1 : 0;
  queued_bytes_ = data_in_flight ? in_flight_.text->size() : 0;
  grace_ = std::make_unique<Timer>(socket_.get_executor());
  grace_->expires_after(kCloseGrace);
  grace_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec) self->close_socket();
  });
  if (!writing_) write_next();
}

void LeanWsSession::on_close_written() {
  state_ = State::kCloseSent;
  // After a protocol error the peer's close cannot be recognized; after the peer's close there is
  // nothing more to wait for.
  if (failed_ || peer_closed_) begin_drain();
}

// Like Beast's teardown: our FIN first, then the peer's input is read and dropped until its end, so
// that closing with unread input does not reset the connection before our close frame is read.
void LeanWsSession::begin_drain() {
  state_ = State::kDraining;
  boost::system::error_code ignored;
  socket_.shutdown(Socket::shutdown_send, ignored);
}

void LeanWsSession::close_socket() {
  if (state_ == State::kDone) return;
  state_ = State::kDone;
  boost::system::error_code ignored;
  socket_.close(ignored);
  if (grace_) grace_->cancel();
  std::vector<Outgoing>().swap(queue_);
  queue_head_ = 0;
}

void start_lean_session(boost::asio::ip::tcp::socket socket, Hub& hub, Shard& shard) {
  boost::system::error_code ec;
  const auto protocol = socket.local_endpoint(ec).protocol();
  if (ec) return hub.release_session();
  // The io_context's own executor: a smaller socket and smaller pending operations than with
  // any_io_executor.
  const auto fd = socket.release(ec);
  if (ec) return hub.release_session();
  LeanWsSession::Socket lean(shard.ioc());
  lean.assign(protocol, fd, ec);
  if (ec) {
    ::close(fd);
    return hub.release_session();
  }
  std::make_shared<LeanWsSession>(std::move(lean), hub, shard)->start();
}

}  // namespace wsload::target
