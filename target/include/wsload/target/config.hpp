#pragma once
// wsload-target configuration: an immutable value built by main() from flags, validated in one
// place.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wsload/target/limits.hpp"

namespace wsload::target {

struct HostPort {
  std::string host;
  uint16_t port = 0;  // 0 = pick a free port
};

// Parses "HOST:PORT" or "[V6]:PORT"; nullopt when malformed or the port is out of range.
std::optional<HostPort> parse_host_port(std::string_view text);

// permessage-deflate (RFC 7692) when a client offers it: off (the offer is declined), on with
// context takeover, or on with no context takeover in either direction.
enum class DeflateMode : uint8_t { kOff, kContextTakeover, kNoContextTakeover };
// The server's compressor under --deflate: a 4 KiB window (announced as server_max_window_bits, so
// clients inflate with 4 KiB too), memLevel 5, level 6.
inline constexpr int kDeflateWindowBits = 12;
inline constexpr int kDeflateMemLevel = 5;
inline constexpr int kDeflateLevel = 6;

struct TargetConfig {
  HostPort listen{"127.0.0.1", 3001};
  std::string path = "/ws";               // WebSocket upgrade path; must start with '/'
  std::optional<std::string> jwt_secret;  // nullopt only with no_auth
  bool no_auth = false;
  int threads = 1;  // io_context threads, one SO_REUSEPORT acceptor each
  std::chrono::nanoseconds broadcast_interval{0};  // 0 = built-in publisher off
  std::size_t broadcast_size = 64;                 // payload bytes per broadcast
  bool require_subscribe = false;   // broadcasts only to sessions holding at least one channel
  std::size_t max_connections = 0;  // open WebSocket sessions; 0 = unlimited
  double accept_rate = 0;           // upgrades per second per IP, burst equal; 0 = off
  std::size_t max_message_size = 64 * 1024;  // incoming message limit; beyond -> close 1009.
                                             // Also the largest NATS message relayed.
  std::size_t max_queue_messages = 1024;     // per-connection outgoing queue; beyond -> drop
  std::size_t max_queue_bytes = 16 * 1024 * 1024;
  std::string nats_url;  // empty = no NATS relay
  std::string nats_subject;
  std::string tls_cert;  // PEM files; both set = wss
  std::string tls_key;
  std::string log_level = "info";
  DeflateMode deflate = DeflateMode::kOff;

  bool tls() const { return !tls_cert.empty(); }
};

// Every problem at once, one human-readable line each; empty when the configuration is usable.
std::vector<std::string> validate(const TargetConfig& config);

}  // namespace wsload::target
