#pragma once
// One HTTP connection before (or instead of) a WebSocket upgrade, do_x/on_x style, templated on the
// stream like WsSession. Serves keep-alive requests until an upgrade hands the stream to a
// WsSession. Included only by plain_session.cpp and tls_session.cpp.
//
// Bounds: a request header over kHttpHeaderLimit is answered 431, a body over kHttpBodyLimit 413
// (both counted, then the connection is closed); a request must arrive within kRequestTimeout.
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include "http_routes.hpp"
#include "hub.hpp"
#include "ws_session.hpp"
#include "wsload/target/limits.hpp"

namespace wsload::target {

template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, boost::beast::tcp_stream>;

  template <class... Args>
  HttpSession(Hub& hub, Shard& shard, std::string remote_ip, Args&&... stream_args)
      : stream_(std::forward<Args>(stream_args)...),
        hub_(hub),
        shard_(shard),
        remote_ip_(std::move(remote_ip)) {}

  void run() {
    if constexpr (kTls) {
      boost::beast::get_lowest_layer(stream_).expires_after(kRequestTimeout);
      stream_.async_handshake(
          boost::asio::ssl::stream_base::server,
          boost::beast::bind_front_handler(&HttpSession::on_handshake, this->shared_from_this()));
    } else {
      do_read();
    }
  }

 private:
  static constexpr std::chrono::seconds kRequestTimeout{30};
  // After a refused request, unread input is discarded up to these bounds before the socket closes.
  static constexpr std::chrono::seconds kDrainTimeout{2};
  static constexpr std::size_t kDrainBytes = 1024 * 1024;
  static constexpr std::size_t kDrainChunk = 16 * 1024;

  void on_handshake(boost::beast::error_code ec) {
    if (ec) return;
    do_read();
  }

  void do_read() {
    parser_.emplace();
    parser_->header_limit(kHttpHeaderLimit);
    parser_->body_limit(kHttpBodyLimit);
    boost::beast::get_lowest_layer(stream_).expires_after(kRequestTimeout);
    boost::beast::http::async_read(
        stream_, buffer_, *parser_,
        boost::beast::bind_front_handler(&HttpSession::on_read, this->shared_from_this()));
  }

  void on_read(boost::beast::error_code ec, std::size_t) {
    if (ec == boost::beast::http::error::end_of_stream) return do_close();
    if (ec == boost::beast::http::error::header_limit ||
        ec == boost::beast::http::error::body_limit) {
      response_ = reject_oversize_request(ec == boost::beast::http::error::header_limit, shard_);
      unread_input_ = true;
      return do_write();
    }
    if (ec) return;
    HttpRequest request = parser_->release();
    RouteResult route = route_request(request, remote_ip_, hub_, shard_);
    if (route.upgrade) {
      // The buffer may hold nothing else: a client sends no frame before the 101.
      std::make_shared<WsSession<Stream>>(std::move(stream_), hub_, shard_)
          ->run(std::move(request), std::move(route.subject));
      return;
    }
    response_ = std::move(route.response);
    do_write();
  }

  void do_write() {
    boost::beast::http::async_write(
        stream_, response_,
        boost::beast::bind_front_handler(&HttpSession::on_write, this->shared_from_this()));
  }

  void on_write(boost::beast::error_code ec, std::size_t) {
    if (ec) return;
    if (!response_.keep_alive()) return do_close();
    do_read();
  }

  // Closing a socket with unread input makes the kernel send a reset, which can destroy the answer
  // before the client reads it; so after our FIN the rest of a refused request is read and dropped,
  // at most kDrainBytes within kDrainTimeout, then the socket closes (when the last handler
  // returns).
  void do_drain() {
    boost::beast::get_lowest_layer(stream_).expires_after(kDrainTimeout);
    buffer_.clear();
    stream_.async_read_some(
        buffer_.prepare(kDrainChunk),
        boost::beast::bind_front_handler(&HttpSession::on_drain, this->shared_from_this()));
  }

  void on_drain(boost::beast::error_code ec, std::size_t bytes) {
    drained_ += bytes;
    if (ec || drained_ >= kDrainBytes) return;
    stream_.async_read_some(
        buffer_.prepare(kDrainChunk),
        boost::beast::bind_front_handler(&HttpSession::on_drain, this->shared_from_this()));
  }

  void do_close() {
    if constexpr (kTls) {
      boost::beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
      stream_.async_shutdown([self = this->shared_from_this()](boost::beast::error_code) {});
    } else {
      boost::beast::error_code ignored;
      stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
      if (unread_input_) do_drain();
    }
  }

  Stream stream_;
  Hub& hub_;
  Shard& shard_;
  std::string remote_ip_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  HttpResponse response_;
  bool unread_input_ = false;  // the last request was refused before it was read completely
  std::size_t drained_ = 0;    // bytes discarded by do_drain
};

}  // namespace wsload::target
