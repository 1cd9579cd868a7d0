#pragma once
// One HTTP connection before (or instead of) a WebSocket upgrade, do_x/on_x style, templated on the
// stream like WsSession. Serves keep-alive requests until an upgrade hands the stream to a WsSession.
// Included only by plain_session.cpp and tls_session.cpp.
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "http_routes.hpp"
#include "hub.hpp"
#include "ws_session.hpp"

namespace wsload::target {

template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, boost::beast::tcp_stream>;

  template <class... Args>
  HttpSession(Hub& hub, Shard& shard, std::string remote_ip, Args&&... stream_args)
      : stream_(std::forward<Args>(stream_args)...), hub_(hub), shard_(shard), remote_ip_(std::move(remote_ip)) {}

  void run() {
    if constexpr (kTls) {
      boost::beast::get_lowest_layer(stream_).expires_after(kRequestTimeout);
      stream_.async_handshake(boost::asio::ssl::stream_base::server,
                              boost::beast::bind_front_handler(&HttpSession::on_handshake, this->shared_from_this()));
    } else {
      do_read();
    }
  }

 private:
  static constexpr std::chrono::seconds kRequestTimeout{30};
  static constexpr std::size_t kHeaderLimit = 16 * 1024;
  static constexpr std::size_t kBodyLimit = 64 * 1024;

  void on_handshake(boost::beast::error_code ec) {
    if (ec) return;
    do_read();
  }

  void do_read() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(kBodyLimit);
    boost::beast::get_lowest_layer(stream_).expires_after(kRequestTimeout);
    boost::beast::http::async_read(stream_, buffer_, *parser_,
                                   boost::beast::bind_front_handler(&HttpSession::on_read, this->shared_from_this()));
  }

  void on_read(boost::beast::error_code ec, std::size_t) {
    if (ec == boost::beast::http::error::end_of_stream) return do_close();
    if (ec) return;
    HttpRequest request = parser_->release();
    RouteResult route = route_request(request, remote_ip_, hub_, shard_);
    if (route.upgrade) {
      // The buffer may hold nothing else: a client sends no frame before the 101.
      std::make_shared<WsSession<Stream>>(std::move(stream_), hub_, shard_)->run(std::move(request));
      return;
    }
    response_ = std::move(route.response);
    boost::beast::http::async_write(stream_, response_,
                                    boost::beast::bind_front_handler(&HttpSession::on_write, this->shared_from_this()));
  }

  void on_write(boost::beast::error_code ec, std::size_t) {
    if (ec) return;
    if (!response_.keep_alive()) return do_close();
    do_read();
  }

  void do_close() {
    if constexpr (kTls) {
      boost::beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
      stream_.async_shutdown([self = this->shared_from_this()](boost::beast::error_code) {});
    } else {
      boost::beast::error_code ignored;
      stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    }
  }

  Stream stream_;
  Hub& hub_;
  Shard& shard_;
  std::string remote_ip_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  HttpResponse response_;
};

}  // namespace wsload::target
