// I/O of established sessions of WsConnection: reads and decoding, writes, the end of a session
// (included by connection_impl.hpp only, before connection_session.ipp).
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>

namespace wsload::agent {
namespace session_detail {

inline int64_t micros(std::chrono::nanoseconds d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

inline bool would_block(error_code ec) {
  return ec == net::error::would_block || ec == net::error::try_again;
}

}  // namespace session_detail

// Forwards what the decoder finds to the connection; returning false stops the feed once the
// session is ending.
template <class Ws>
struct WsConnection<Ws>::Frames final : ws::FrameHandler {
  explicit Frames(Self& c) : conn(c) {}
  bool on_message(bool text, std::string_view payload, std::size_t wire_size) override {
    return conn.on_message(text, payload, wire_size);
  }
  bool on_ping(std::string_view payload) override { return conn.on_ping(payload); }
  bool on_pong(std::string_view payload) override {
    conn.on_pong(payload);
    return !conn.ending();
  }
  bool on_close(uint16_t code, std::string_view) override { return conn.on_close(code); }
  ws::PerMessageDeflate* extension() override { return conn.deflate_.get(); }
  Self& conn;
};

// A session through Asio (the in-memory test stream) always has one read pending, into io_; one
// that fills it reads the rest of its queue into the worker's shared buffer (drain). ws:// and
// wss:// sessions do not come here: they are raw sessions (read_raw).
template <class Ws>
void WsConnection<Ws>::start_read() {
  if constexpr (!kRaw) {
    char* into = io_->in;
    constexpr std::size_t size = sizeof(AsyncIo::in);
    attempt_.read_pending = true;
    stream_->async_read_some(net::buffer(into, size),
                             [self = this->shared_from_this(), into](error_code ec, std::size_t n) {
                               self->attempt_.read_pending = false;
                               if (self->ending()) {
                                 self->maybe_finalize();
                                 return;
                               }
                               if (ec) {
                                 self->on_read_end(ec);
                                 return;
                               }
                               if (!self->consume(std::string_view(into, n))) return;
                               if (n == size && !self->drain()) return;
                               self->start_read();
                             });
  }
}

// The worker's EventLoop reports the raw session's socket: input (or its end) is read and decoded
// at once; room for output that waited is used.
template <class Ws>
void WsConnection<Ws>::on_io(int fd, uint32_t events) {
  if (!kRaw || fd != raw_fd_ || ending()) return;
  if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0 && !read_raw(events)) return;
  if ((events & EPOLLOUT) != 0 && attempt_.write_blocked) on_write_done({});
}

// Reads the raw session's socket into the worker's shared buffer until a short read (the socket
// is empty: the loop is edge-triggered and reports the next input), at most kMaxDrainReads times
// per report (the rest waits in WorkerContext::read_again for the worker's next round, so that a
// flooding server cannot keep the worker from its other connections). When the report says the
// peer ended its side (or the socket failed), that end may already sit behind the data with no
// report to come: it reads on until the end itself. False when the session is ending.
template <class Ws>
bool WsConnection<Ws>::read_raw(uint32_t events) {
  std::vector<char>& buf = ctx_.read_buffer;
  const bool ended = (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0;
  for (int reads = 0; reads < kMaxDrainReads; ++reads) {
    const ssize_t n = ::recv(raw_fd_, buf.data(), buf.size(), MSG_DONTWAIT);
    if (n > 0) {
      const std::string_view bytes(buf.data(), static_cast<std::size_t>(n));
      if (!(kTls ? read_tls(bytes) : consume(bytes))) return false;
      if (static_cast<std::size_t>(n) < buf.size() && !ended) return true;
      continue;
    }
    if (n == 0) {
      on_read_end(net::error::eof);
      return false;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
    if (errno == EINTR) continue;
    on_read_end(error_code(errno, boost::system::system_category()));
    return false;
  }
  ctx_.read_again.push_back(RawRead{slot_, raw_fd_, events});
  return true;
}

// Decrypts ciphertext of a wss:// session (and what OpenSSL still holds) into the worker's
// plaintext buffer and decodes it. What decrypting wrote (an alert, a key update's answer) is sent.
// False when the session is ending.
template <class Ws>
bool WsConnection<Ws>::read_tls(std::string_view cipher) {
  if constexpr (kTls) {
    std::vector<char>& plain = ctx_.plain_buffer();
    if (!cipher.empty()) io_->feed(cipher);  // empty: what adopt() carried over
    for (;;) {
      std::size_t n = 0;
      switch (io_->read(std::span<char>(plain), n)) {
        case TlsSession::Read::kData:
          if (!consume(std::string_view(plain.data(), n))) return false;
          continue;
        case TlsSession::Read::kWant:
          if (io_->pending_size() > 0) flush();
          return !ending();
        case TlsSession::Read::kClosed:
          on_read_end(net::error::eof);
          return false;
        case TlsSession::Read::kFailed:  // a bad record or a fatal alert: `error`
          send_records();                // OpenSSL's alert tells the server why, if it fits
          if (!ending()) on_read_end(net::error::connection_aborted);
          return false;
      }
    }
  }
  return false;
}

// Reads and decodes what the stream holds beyond io_->in. False when the session is ending.
template <class Ws>
bool WsConnection<Ws>::drain() {
  std::vector<char>& buf = ctx_.read_buffer;
  // Bounded, so that a flooding server cannot keep the worker from its other connections and
  // deadlines; what is left is picked up by the next pending read.
  for (int reads = 0; reads < kMaxDrainReads; ++reads) {
    error_code ec;
    std::size_t n = stream_->read_some(net::buffer(buf.data(), buf.size()), ec);
    if (session_detail::would_block(ec)) return true;
    if (ec) {
      on_read_end(ec);
      return false;
    }
    if (!consume(std::string_view(buf.data(), n))) return false;
    if (n < buf.size()) return true;  // emptied; more data raises a new readiness event
  }
  return true;
}

// Decodes bytes from the server. False when the session is ending (the caller stops reading).
template <class Ws>
bool WsConnection<Ws>::consume(std::string_view bytes) {
  // After a protocol error or the peer's close frame nothing more is decoded: discard until EOF.
  if (decoder_.failed() || attempt_.close_received) return !ending();
  Frames frames(*this);
  attempt_.in_feed = true;
  bool ok = decoder_.feed(bytes, frames);
  attempt_.in_feed = false;
  if (!ok && decoder_.failed() && !ending()) {
    // Oversize message, bad frame, invalid UTF-8, bad close frame: say why in a close frame, then
    // wait (bounded) for the server to close, discarding what it still sends.
    ++counters().protocol_errors;
    send_close(decoder_.error_code());
    if (state_ == State::kOpen) enter_closing(kCloseWait);
  }
  if (ending()) {
    maybe_finalize();
    return false;
  }
  return true;
}

template <class Ws>
void WsConnection<Ws>::on_read_end(error_code ec) {
  if (decoder_.failed()) {
    end_session(DisconnectReason::kProtocol);
  } else if (attempt_.close_received) {
    // The close handshake happened; how TCP ended is moot.
    end_session(DisconnectReason::kPeerClose);
  } else if (ec == net::error::eof || ec == net::ssl::error::stream_truncated) {
    end_session(DisconnectReason::kEof);
  } else if (ec == net::error::connection_reset) {
    end_session(DisconnectReason::kReset);
  } else {
    end_session(DisconnectReason::kError);
  }
}

template <class Ws>
std::size_t WsConnection<Ws>::queued_bytes() const {
  std::size_t n = out_.size() - out_done_;
  if constexpr (kTls) {
    if (io_) n += io_->pending_size();
  }
  return n;
}

// Data frames of a session with permessage-deflate go out compressed (RSV1), control frames never.
template <class Ws>
std::size_t WsConnection<Ws>::queue_frame(ws::Opcode op, std::string_view payload) {
  if (deflate_ && !ws::is_control(op)) [[unlikely]] {
    if (std::optional<std::string_view> compressed = deflate_->compress(payload)) {
      ws::append_frame(out_, op, *compressed, next_mask(), true);
      return compressed->size();
    }
  }
  ws::append_frame(out_, op, payload, next_mask());
  return payload.size();
}

// Writes out_ straight to the socket without waiting (wss://: as records, flush_tls); what does
// not fit waits for writability, which the loop reports (on_io). While output waits, the
// write-stall bound runs (note_write_blocked).
template <class Ws>
void WsConnection<Ws>::flush() {
  if (ending() || attempt_.write_pending) return;
  if (kTls) {
    flush_tls();
    return;
  }
  if (out_done_ == out_.size()) {
    attempt_.write_blocked = false;
    return;
  }
  const std::size_t started_at = out_done_;
  while (out_done_ < out_.size()) {
    error_code ec;
    std::size_t n = write_some(out_.data() + out_done_, out_.size() - out_done_, ec);
    if (session_detail::would_block(ec)) {
      note_write_blocked(out_done_ != started_at);
      if (out_done_ >= kOutHighWater) compact_out();  // keep only the unwritten part
      if constexpr (kRaw) return;                     // the loop reports room (on_io)
      attempt_.write_pending = true;
      Traits::async_wait_writable(*stream_, [self = this->shared_from_this()](error_code e) {
        self->attempt_.write_pending = false;
        if (!e && !self->ending()) {
          self->flush();
          if (self->attempt_.write_pending) return;
        }
        self->on_write_done(e);
      });
      return;
    }
    if (ec) {
      on_write_done(ec);
      return;
    }
    out_done_ += n;
  }
  out_.clear();
  out_done_ = 0;
  attempt_.pong_at = kNoPong;
  attempt_.write_blocked = false;
  if (out_.capacity() > kOutHighWater) std::string().swap(out_);
}

// wss://: the frames queued in out_ become records at once (out_ empties: a pong queued before
// can no longer be replaced), and the records go to the socket as it takes them.
template <class Ws>
void WsConnection<Ws>::flush_tls() {
  if constexpr (kTls) {
    if (out_done_ < out_.size()) {
      if (!io_->write(std::string_view(out_).substr(out_done_))) {
        on_write_done(net::error::connection_aborted);
        return;
      }
      out_.clear();
      out_done_ = 0;
      attempt_.pong_at = kNoPong;
      if (out_.capacity() > kOutHighWater) std::string().swap(out_);
    }
  }
  send_records();
}

// wss://: the records waiting in the TLS session, as far as the socket takes them; the rest waits
// for room (note_write_blocked).
template <class Ws>
void WsConnection<Ws>::send_records() {
  if constexpr (kTls) {
    const std::size_t before = io_->pending_size();
    while (io_->pending_size() > 0) {
      error_code ec;
      const std::string_view records = io_->pending();
      const std::size_t n = write_some(records.data(), records.size(), ec);
      if (session_detail::would_block(ec)) {
        note_write_blocked(io_->pending_size() != before);
        return;
      }
      if (ec) {
        on_write_done(ec);
        return;
      }
      io_->sent(n);
    }
    attempt_.write_blocked = false;
  }
}

// Writes what the socket takes now, without waiting (ws://).
template <class Ws>
std::size_t WsConnection<Ws>::write_some(const char* data, std::size_t size, error_code& ec) {
  if constexpr (kRaw) {
    const ssize_t n = ::send(raw_fd_, data, size, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n >= 0) return static_cast<std::size_t>(n);
    ec = error_code(errno, boost::system::system_category());
    return 0;
  } else {
    return stream_->write_some(net::buffer(data, size), ec);
  }
}

// Drops the written head of out_ (ws://), keeping pong_at_ pointing at the queued pong.
template <class Ws>
void WsConnection<Ws>::compact_out() {
  uint32_t& pong_at = attempt_.pong_at;
  if (pong_at != kNoPong) pong_at = pong_at >= out_done_ ? pong_at - out_done_ : kNoPong;
  out_.erase(0, out_done_);
  out_done_ = 0;
}

// Output is waiting for the socket; `progressed` when bytes went out since the last wait. The
// stall bound (kDeadline while kOpen) is armed once per stretch of waiting and, when it fires,
// re-armed from the last progress (check_write_stall): no timer operation per write.
template <class Ws>
void WsConnection<Ws>::note_write_blocked(bool progressed) {
  if (progressed || !attempt_.write_blocked) attempt_.write_progress = ctx_.now();
  attempt_.write_blocked = true;
  if (state_ == State::kOpen && !ctx_.deadlines.armed(slot_, DeadlineKind::kDeadline)) {
    arm(DeadlineKind::kDeadline, attempt_.write_progress + ctx_.write_stall);
  }
}

// The write-stall bound fired (kOpen): a peer that has read nothing of ours for write_stall has
// stopped reading; the session is dropped (no close handshake: the peer would not read it) and
// counted as the unexpected disconnect `write_stall`.
template <class Ws>
void WsConnection<Ws>::check_write_stall() {
  if (!attempt_.write_blocked || ending()) return;
  TimePoint bound = attempt_.write_progress + ctx_.write_stall;
  if (ctx_.now() < bound) {
    arm(DeadlineKind::kDeadline, bound);
    return;
  }
  end_session(DisconnectReason::kWriteStall);
}

// A write finished (wss://) or the socket drained (ws://).
template <class Ws>
void WsConnection<Ws>::on_write_done(error_code ec) {
  if (ending()) {
    maybe_finalize();
    return;
  }
  if (ec) {
    // The read side would see the same broken connection; end it now with that cause.
    on_read_end(ec);
    return;
  }
  flush();
  if (state_ == State::kOpen && !backlogged()) maybe_send();
}

// The session is over: the socket is closed now; the accounting waits until no operation of ours
// is outstanding on the stream (they return with operation_aborted) and no decode is running.
template <class Ws>
void WsConnection<Ws>::end_session(DisconnectReason cause) {
  if (state_ != State::kOpen && state_ != State::kClosing) return;
  stop_schedule(cause == DisconnectReason::kWriteStall ? UnsentReason::kPeerNotReading
                                                       : UnsentReason::kClosed);
  state_ = State::kEnding;
  attempt_.end_cause = cause;
  close_stream();
  maybe_finalize();
}

// Closes the session's socket: a raw session's own descriptor (which leaves the loop with it),
// else the stream (its pending operations return with operation_aborted).
template <class Ws>
void WsConnection<Ws>::close_stream() {
  if constexpr (kRaw) {
    if (raw_fd_ >= 0) {
      ::close(raw_fd_);
      raw_fd_ = -1;
      --ctx_.raw_open;
    }
  }
  if (stream_) Traits::close(*stream_);
}

// Accounts the session once it is ending and nothing of ours is outstanding on it.
template <class Ws>
void WsConnection<Ws>::maybe_finalize() {
  if (!ending() || attempt_.read_pending || attempt_.write_pending || attempt_.in_feed) return;
  on_session_end();
}

}  // namespace wsload::agent
