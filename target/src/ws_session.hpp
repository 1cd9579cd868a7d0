#pragma once
// One WebSocket connection (do_x/on_x style), templated on the byte stream: beast::tcp_stream or
// ssl_stream<tcp_stream>. Included only by plain_session.cpp and tls_session.cpp.
//
// Runs on its shard's thread. Owns itself through shared_from_this while I/O is pending. One read
// and at most one write in flight; outgoing messages wait in a bounded queue. A full queue means a
// slow client: it is counted as a drop and closed with 1008, and its socket is closed if the close
// frame cannot be written within kCloseGrace.
//
// Plain sessions that negotiate no extension are handed to a LeanWsSession once the handshake is
// done: WsSession serves TLS and permessage-deflate sessions.
//
// Text frames: pings are answered with pongs, subscribe/unsubscribe/publish by SessionMessages
// (which holds the session's channels), anything else is echoed.
#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include "http_routes.hpp"
#include "hub.hpp"
#include "lean_ws_session.hpp"
#include "session_messages.hpp"

namespace wsload::target {

template <class Stream>
class WsSession : public SessionHandle, public std::enable_shared_from_this<WsSession<Stream>> {
 public:
  WsSession(Stream&& stream, Hub& hub, Shard& shard)
      : ws_(std::move(stream)),
        hub_(hub),
        shard_(shard),
        timer_(shard.ioc()),
        messages_(shard.counters(), hub.subscription_ids()) {}

  ~WsSession() override {
    if (attached_) {
      shard_.detach(this);
      shard_.counters().connections_closed.add();
    }
    if (!handed_over_) hub_.release_session();
  }

  // `request` is the upgrade request already accepted by route_request (slot reserved); `subject`
  // its JWT subject, recorded once the upgrade completes.
  void run(HttpRequest request, std::optional<std::string> subject) {
    namespace websocket = boost::beast::websocket;
    boost::beast::get_lowest_layer(ws_).expires_never();
    // Idle clients are legitimate (load tests hold idle connections): no idle timeout.
    auto timeouts = websocket::stream_base::timeout::suggested(boost::beast::role_type::server);
    timeouts.idle_timeout = websocket::stream_base::none();
    ws_.set_option(timeouts);
    // The decorator runs after Beast's permessage-deflate negotiation: it sees the extension.
    ws_.set_option(websocket::stream_base::decorator(
        [negotiated = &deflate_negotiated_](websocket::response_type& res) {
          res.set(boost::beast::http::field::server, "wsload-target");
          *negotiated = res.count(boost::beast::http::field::sec_websocket_extensions) != 0;
        }));
    ws_.read_message_max(hub_.config().max_message_size);
    ws_.auto_fragment(false);
    if (const DeflateMode mode = hub_.config().deflate; mode != DeflateMode::kOff) {
      // Beast allocates its zlib streams only for sessions that negotiate the extension.
      websocket::permessage_deflate pmd;
      pmd.server_enable = true;
      pmd.server_max_window_bits = kDeflateWindowBits;
      pmd.memLevel = kDeflateMemLevel;
      pmd.compLevel = kDeflateLevel;
      pmd.server_no_context_takeover = pmd.client_no_context_takeover =
          mode == DeflateMode::kNoContextTakeover;
      ws_.set_option(pmd);
    }
    ws_.async_accept(
        request, boost::beast::bind_front_handler(&WsSession::on_accept, this->shared_from_this(),
                                                  std::move(subject)));
  }

  void deliver(const SharedText& message) override { enqueue(message, false); }
  void go_away() override { start_close(boost::beast::websocket::close_code::going_away); }

 private:
  struct Outgoing {
    SharedText text;
    bool binary = false;
  };
  static constexpr std::chrono::seconds kCloseGrace{2};

  void on_accept(std::optional<std::string> subject, boost::beast::error_code ec) {
    if (ec) return;
    if (subject) hub_.subjects().record(*subject);
    if constexpr (std::is_same_v<Stream, boost::beast::tcp_stream>) {
      if (!deflate_negotiated_) {
        // Plain and no extension: a LeanWsSession takes the socket and the reserved slot.
        handed_over_ = true;
        start_lean_session(ws_.next_layer().release_socket(), hub_, shard_);
        return;
      }
    }
    attached_ = true;
    shard_.attach(this);
    shard_.counters().connections_total.add();
    if (hub_.stopping()) go_away();
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_,
                   boost::beast::bind_front_handler(&WsSession::on_read, this->shared_from_this()));
  }

  void on_read(boost::beast::error_code ec, std::size_t bytes) {
    if (ec) {
      if (ec == boost::beast::websocket::error::message_too_big) shard_.counters().oversize.add();
      reading_ = false;
      discard_queued();
      finish();
      return;
    }
    auto& counters = shard_.counters();
    counters.messages_in.add();
    counters.bytes_in.add(bytes);
    const bool binary = ws_.got_binary();
    auto data = buffer_.data();
    std::string message(static_cast<const char*>(data.data()), data.size());
    buffer_.consume(buffer_.size());
    if (!binary && answer_text(message, messages_))
      shard_.set_subscribed(this, messages_.subscribed());
    enqueue(std::make_shared<const std::string>(std::move(message)), binary);
    do_read();
  }

  void enqueue(const SharedText& message, bool binary) {
    if (closing_ || !reading_) return;
    const auto& config = hub_.config();
    if (queue_.size() >= config.max_queue_messages ||
        queued_bytes_ + message->size() > config.max_queue_bytes) {
      shard_.counters().drops.add();
      start_close(boost::beast::websocket::close_code::policy_error);
      return;
    }
    queue_.push_back(Outgoing{message, binary});
    queued_bytes_ += message->size();
    if (!writing_) do_write();
  }

  void do_write() {
    writing_ = true;
    const Outgoing& next = queue_.front();
    ws_.binary(next.binary);
    ws_.async_write(
        boost::asio::buffer(*next.text),
        boost::beast::bind_front_handler(&WsSession::on_write, this->shared_from_this()));
  }

  void on_write(boost::beast::error_code ec, std::size_t bytes) {
    writing_ = false;
    if (ec) {
      queue_.clear();
      queued_bytes_ = 0;
      return;
    }
    auto& counters = shard_.counters();
    counters.messages_out.add();
    counters.bytes_out.add(bytes);
    queued_bytes_ -= queue_.front().text->size();
    queue_.pop_front();
    if (close_code_) {
      do_close();
    } else if (!queue_.empty()) {
      do_write();
    }
  }

  // Stops accepting messages, lets the write in flight finish, then sends a close frame.
  void start_close(boost::beast::websocket::close_code code) {
    if (closing_ || !reading_) return;
    closing_ = true;
    close_code_ = code;
    discard_queued();
    if (!writing_) do_close();
    timer_.expires_after(kCloseGrace);
    timer_.async_wait([self = this->shared_from_this()](boost::beast::error_code ec) {
      if (!ec) boost::beast::get_lowest_layer(self->ws_).close();
    });
  }

  // Drops every queued message except the one being written (its buffer is in use).
  void discard_queued() {
    if (writing_) {
      queue_.erase(queue_.begin() + 1, queue_.end());
      queued_bytes_ = queue_.front().text->size();
    } else {
      queue_.clear();
      queued_bytes_ = 0;
    }
  }

  void do_close() {
    ws_.async_close(*close_code_, [self = this->shared_from_this()](boost::beast::error_code) {});
  }

  // The read loop ended (peer closed, close handshake done, or error): nothing more will be sent.
  void finish() { timer_.cancel(); }

  boost::beast::websocket::stream<Stream> ws_;
  Hub& hub_;
  Shard& shard_;
  boost::beast::flat_buffer buffer_;
  std::deque<Outgoing> queue_;
  std::size_t queued_bytes_ = 0;
  boost::asio::steady_timer timer_;
  std::optional<boost::beast::websocket::close_code> close_code_;
  SessionMessages messages_;
  bool attached_ = false;
  bool deflate_negotiated_ = false;  // set by the handshake's decorator
  bool handed_over_ = false;         // the socket and the slot went to a LeanWsSession
  bool reading_ = true;
  bool writing_ = false;
  bool closing_ = false;
};

}  // namespace wsload::target
