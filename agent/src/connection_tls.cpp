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
  static constexpr bool kRaw = true;  // established sessions are served by the EventLoop
  static void emplace(std::optional<TlsStream>& s, WorkerContext& ctx, const GroupRuntime& group) {
    s.emplace(ctx.ioc, *ctx.tls[group.index]);
  }
  static Socket& socket(TlsStream& s) { return s.next_layer(); }

  template <class Handler>
  static void handshake(TlsStream& tls, const GroupRuntime& group, Handler&& handler) {
    const std::string& host = group.endpoint.host;
    ::SSL_set_tlsext_host_name(tls.native_handle(), host.c_str());
    if (group.target.tls.verify) {
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

std::shared_ptr<ssl::context> make_tls_context(const shared::TlsSpec& spec, std::string* error) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  if (spec.verify) {
    if (spec.ca_file.empty()) {
      ctx->set_default_verify_paths(ec);
    } else if (spec.ca_file.starts_with("pem:")) {  // a group's CA, sent as its contents
      const std::string_view pem = std::string_view(spec.ca_file).substr(4);
      ctx->add_certificate_authority(boost::asio::buffer(pem.data(), pem.size()), ec);
    } else {
      ctx->load_verify_file(spec.ca_file, ec);
    }
    if (ec) {
      const bool named = !spec.ca_file.empty() && !spec.ca_file.starts_with("pem:");
      *error = "tls: cannot load CA certificates" +
               (named ? " from '" + spec.ca_file + "'" : std::string()) + ": " + ec.message();
      return nullptr;
    }
  }
  return ctx;
}

std::vector<std::shared_ptr<ssl::context>> make_tls_contexts(const RunConfig& cfg,
                                                             std::string* error) {
  std::vector<std::shared_ptr<ssl::context>> out;
  for (const GroupRuntime& group : cfg.groups) {
    std::shared_ptr<ssl::context> ctx;
    if (group.endpoint.tls) {
      ctx = make_tls_context(group.target.tls, error);
      if (!ctx) return {};
    }
    out.push_back(std::move(ctx));
  }
  return out;
}

}  // namespace wsload::agent
