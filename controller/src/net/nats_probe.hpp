#pragma once
// `doctor`'s NATS check: is a NATS server listening at a URL? TCP connect, then the server's first
// line, which must be its INFO greeting. Blocking, bounded by one timeout; reads at most
// kNatsInfoMaxBytes and parses no JSON (two fields are picked out of the INFO text).
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wsload::controller {

inline constexpr std::size_t kNatsInfoMaxBytes = 64 * 1024;

struct NatsEndpoint {
  std::string url;  // as written, credentials removed (for messages)
  std::string host;
  std::string port = "4222";
};

// Parses one NATS_URL entry: nats://[user[:password]@]host[:port], tls://..., or host[:port]
// (default port 4222; IPv6 hosts in brackets). nullopt with *error for another scheme or a
// malformed URL.
std::optional<NatsEndpoint> parse_nats_url(std::string_view url, std::string* error);

// NATS_URL may list several servers separated by commas (as nats.go and libnats accept).
std::vector<std::string> split_nats_urls(std::string_view list);

struct NatsProbe {
  bool ok = false;
  std::string detail;  // ok: "nats-server 2.9.10, max payload 1048576"; else what went wrong
};

// Connects to `endpoint` and reads the INFO line, all within `timeout`.
NatsProbe probe_nats(const NatsEndpoint& endpoint, std::chrono::milliseconds timeout);

}  // namespace wsload::controller
