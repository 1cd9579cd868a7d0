// TLS (wss://) sessions: the explicit instantiations over ssl_stream<tcp_stream>, and the context.
#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <stdexcept>

#include "http_session.hpp"
#include "session_start.hpp"

namespace wsload::target {

using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

template class WsSession<TlsStream>;
template class HttpSession<TlsStream>;

void start_tls_session(boost::asio::ip::tcp::socket socket, Hub& hub, Shard& shard,
                       boost::asio::ssl::context& tls) {
  boost::beast::error_code ec;
  auto remote = socket.remote_endpoint(ec);
  if (ec) return;
  socket.set_option(boost::asio::ip::tcp::no_delay(true), ec);
  std::make_shared<HttpSession<TlsStream>>(hub, shard, remote.address().to_string(),
                                           std::move(socket), tls)
      ->run();
}

std::shared_ptr<boost::asio::ssl::context> make_tls_context(const std::string& cert_file,
                                                            const std::string& key_file) {
  namespace ssl = boost::asio::ssl;
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::single_dh_use);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec)
    throw std::runtime_error("cannot load TLS certificate " + cert_file + ": " + ec.message());
  ctx->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) throw std::runtime_error("cannot load TLS key " + key_file + ": " + ec.message());
  return ctx;
}

}  // namespace wsload::target
