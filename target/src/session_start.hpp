#pragma once
// Entry points from the listener into the session code (plain and TLS live in separate TUs).
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace wsload::target {

class Hub;
class Shard;

// Serves HTTP on `socket` (health/stats/metrics) and upgrades to WebSocket on the configured path.
void start_plain_session(boost::asio::ip::tcp::socket socket, Hub& hub, Shard& shard);
// The same after a TLS handshake.
void start_tls_session(boost::asio::ip::tcp::socket socket, Hub& hub, Shard& shard,
                       boost::asio::ssl::context& tls);

// Loads a PEM certificate chain and private key; throws std::runtime_error with the file name.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const std::string& cert_file,
                                                            const std::string& key_file);

}  // namespace wsload::target
