// wss:// connections: WsConnection over TLS (SNI, peer verification per TlsSpec).
#include <openssl/ssl.h>

#include <boost/asio/ssl.hpp>

#include "connection_impl.hpp"

namespace wsload::agent {

namespace ssl = boost::asio::ssl;
using TlsStream = ssl::stream<Socket>;

template <>
struct StreamTraits<TlsStream> : SocketStreamOps<StreamTraits<TlsStream>> {
  static constexpr bool kTls = true;
  static void emplace(std::optional<TlsStream>& s, WorkerContext& ctx) {
    s.emplace(ctx.ioc, *ctx.tls);
  }
  static Socket& socket(TlsStream& s) { return s.next_layer(); }

  template <class Handler>
  static void handshake(TlsStream& tls, const RunConfig& cfg, Handler&& handler) {
    const std::string& host = cfg.endpoint.host;
    ::SSL_set_tlsext_host_name(tls.native_handle(), host.c_str());
    if (cfg.scenario().target.tls.verify) {
      tls.set_verify_mode(ssl::verify_peer);
      tls.set_verify_callback(ssl::host_name_verification(host));
    } else {
      tls.set_verify_mode(ssl::verify_none);
    }
    tls.async_handshake(ssl::stream_base::client, std::forward<Handler>(handler));
  }
};

template class WsConnection<TlsStream>;

std::shared_ptr<Connection> make_tls_connection(WorkerContext& ctx, uint32_t id, uint32_t slot) {
  return std::make_shared<WsConnection<TlsStream>>(ctx, id, slot);
}

std::shared_ptr<ssl::context> make_tls_context(const RunConfig& cfg, std::string* error) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  const shared::TlsSpec& spec = cfg.scenario().target.tls;
  boost::system::error_code ec;
  if (spec.verify) {
    if (spec.ca_file.empty()) {
      ctx->set_default_verify_paths(ec);
    } else {
      ctx->load_verify_file(spec.ca_file, ec);
    }
    if (ec) {
      *error = "tls: cannot load CA certificates" +
               (spec.ca_file.empty() ? std::string() : " from '" + spec.ca_file + "'") + ": " +
               ec.message();
      return nullptr;
    }
  }
  return ctx;
}

}  // namespace wsload::agent
