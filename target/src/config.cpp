#include "wsload/target/config.hpp"

#include <charconv>

namespace wsload::target {

std::optional<HostPort> parse_host_port(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return std::nullopt;
  }
  if (host.empty() || port.empty()) return std::nullopt;
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || ptr != port.data() + port.size() || value > 65535) return std::nullopt;
  return HostPort{std::string(host), static_cast<uint16_t>(value)};
}

std::vector<std::string> validate(const TargetConfig& c) {
  std::vector<std::string> errors;
  if (c.listen.host.empty()) errors.push_back("--listen: host is empty");
  if (c.path.empty() || c.path.front() != '/') errors.push_back("--path must start with '/'");
  if (c.path == "/health" || c.path == "/stats" || c.path == "/metrics")
    errors.push_back("--path must not be one of the HTTP endpoints /health, /stats, /metrics");
  if (c.no_auth && c.jwt_secret)
    errors.push_back("--no-auth and --jwt-secret are mutually exclusive");
  if (!c.no_auth && (!c.jwt_secret || c.jwt_secret->empty()))
    errors.push_back("no JWT secret: pass --jwt-secret S, set JWT_SECRET, or run with --no-auth");
  if (c.threads < 1 || c.threads > 256) errors.push_back("--threads must be between 1 and 256");
  if (c.broadcast_interval.count() < 0)
    errors.push_back("--broadcast-interval must not be negative");
  if (c.broadcast_interval.count() > 0 && c.broadcast_interval < std::chrono::microseconds(100))
    errors.push_back("--broadcast-interval must be at least 100us");
  if (c.broadcast_size > 16 * 1024 * 1024)
    errors.push_back("--broadcast-size must be at most 16 MiB");
  if (c.accept_rate < 0) errors.push_back("--accept-rate must not be negative");
  if (c.max_message_size < 16) errors.push_back("--max-message-size must be at least 16 bytes");
  if (c.max_message_size > kMaxMessageSizeLimit)
    errors.push_back("--max-message-size must be at most 64 MiB");
  // An echo of an accepted message must fit the queue, or a client would be counted as slow for it.
  if (c.max_message_size > c.max_queue_bytes && c.max_queue_bytes >= 1024)
    errors.push_back("--max-message-size must not exceed --max-queue-bytes");
  if (c.max_queue_messages < 1) errors.push_back("--max-queue-messages must be at least 1");
  if (c.max_queue_bytes < 1024) errors.push_back("--max-queue-bytes must be at least 1024");
  if (c.nats_url.empty() != c.nats_subject.empty())
    errors.push_back("--nats and --subject must be given together");
  if (c.tls_cert.empty() != c.tls_key.empty())
    errors.push_back("--tls-cert and --tls-key must be given together");
  static constexpr std::string_view kLevels[] = {"trace", "debug",    "info", "warn",
                                                 "error", "critical", "off"};
  bool level_ok = false;
  for (auto level : kLevels) level_ok = level_ok || c.log_level == level;
  if (!level_ok)
    errors.push_back("--log-level must be one of trace, debug, info, warn, error, critical, off");
  return errors;
}

}  // namespace wsload::target
