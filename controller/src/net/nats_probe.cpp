#include "net/nats_probe.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "net/tcp_connect.hpp"

namespace wsload::controller {
namespace {

using Clock = std::chrono::steady_clock;

// The first line the server sends (without CR LF), or nullopt with *error set.
std::optional<std::string> read_first_line(int fd, Clock::time_point deadline, std::string* error) {
  std::string in;
  char buf[4096];
  while (in.size() < kNatsInfoMaxBytes) {
    if (const auto eol = in.find("\r\n"); eol != std::string::npos) return in.substr(0, eol);
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, remaining_ms(deadline)) != 1) {
      *error = in.empty()
                   ? "connected, but the server sent nothing (a NATS server greets with INFO)"
                   : "connected, but the first line did not end in time";
      return std::nullopt;
    }
    const auto n = recv(fd, buf, std::min(sizeof buf, kNatsInfoMaxBytes - in.size()), 0);
    if (n <= 0) {
      *error = n == 0 ? "connected, but the server closed without a greeting"
                      : std::string("read failed: ") + strerror(errno);
      return std::nullopt;
    }
    in.append(buf, static_cast<std::size_t>(n));
  }
  *error = "the first line is longer than " + std::to_string(kNatsInfoMaxBytes) + " bytes";
  return std::nullopt;
}

// The raw text of a top-level "name":value in INFO's JSON (strings without quotes), at most
// kMaxFieldChars; empty if absent.
std::string info_field(std::string_view info, std::string_view name) {
  constexpr std::size_t kMaxFieldChars = 40;
  const std::string key = "\"" + std::string(name) + "\":";
  auto pos = info.find(key);
  if (pos == std::string_view::npos) return {};
  pos += key.size();
  if (pos < info.size() && info[pos] == '"') {
    const auto end = info.find('"', pos + 1);
    if (end == std::string_view::npos) return {};
    return std::string(info.substr(pos + 1, std::min(end - pos - 1, kMaxFieldChars)));
  }
  const auto end = std::min(info.find_first_of(",}", pos), info.size());
  return std::string(info.substr(pos, std::min(end - pos, kMaxFieldChars)));
}

// `url` for an error message: credentials removed, at most 100 characters.
std::string shown(std::string_view url) {
  std::string out(url);
  const auto scheme = out.find("://");
  const auto start = scheme == std::string::npos ? 0 : scheme + 3;
  if (const auto at = out.rfind('@'); at != std::string::npos && at >= start)
    out.erase(start, at + 1 - start);
  if (out.size() > 100) out = out.substr(0, 100) + "...";
  return "'" + out + "'";
}

}  // namespace

std::vector<std::string> split_nats_urls(std::string_view list) {
  std::vector<std::string> urls;
  while (!list.empty()) {
    const auto comma = list.find(',');
    std::string_view one = list.substr(0, comma);
    while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
    while (!one.empty() && one.back() == ' ') one.remove_suffix(1);
    if (!one.empty()) urls.emplace_back(one);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return urls;
}

std::optional<NatsEndpoint> parse_nats_url(std::string_view url, std::string* error) {
  std::string_view rest = url;
  std::string scheme = "nats://";
  if (const auto sep = rest.find("://"); sep != std::string_view::npos) {
    scheme = std::string(rest.substr(0, sep + 3));
    if (scheme != "nats://" && scheme != "tls://") {
      *error = shown(url) + ": the scheme must be nats:// or tls://";
      return std::nullopt;
    }
    rest.remove_prefix(sep + 3);
  }
  rest = rest.substr(0, rest.find('/'));
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  NatsEndpoint e;
  std::string_view port;
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) {
      *error = shown(url) + ": unterminated [IPv6] host";
      return std::nullopt;
    }
    e.host = std::string(rest.substr(1, close - 1));
    if (close + 1 < rest.size() && rest[close + 1] == ':') port = rest.substr(close + 2);
  } else {
    const auto colon = rest.find(':');
    e.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port = rest.substr(colon + 1);
  }
  if (!port.empty()) e.port = std::string(port);
  const bool digits =
      std::all_of(e.port.begin(), e.port.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (e.host.empty() || e.port.empty() || e.port.size() > 5 || !digits ||
      std::stoul(e.port) > 65535) {
    *error = shown(url) + " is not nats://host:port";
    return std::nullopt;
  }
  const bool v6 = e.host.find(':') != std::string::npos;
  e.url = scheme + (v6 ? "[" + e.host + "]" : e.host) + ":" + e.port;
  return e;
}

NatsProbe probe_nats(const NatsEndpoint& endpoint, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  NatsProbe result;
  const int fd = tcp_connect(endpoint.host, endpoint.port, deadline, &result.detail);
  if (fd < 0) return result;
  const auto line = read_first_line(fd, deadline, &result.detail);
  close(fd);
  if (!line) return result;
  if (line->rfind("INFO ", 0) != 0) {
    result.detail =
        "connected, but the greeting is not a NATS INFO line: '" + line->substr(0, 60) + "'";
    return result;
  }
  const std::string version = info_field(*line, "version");
  const std::string max_payload = info_field(*line, "max_payload");
  result.ok = true;
  result.detail = "nats-server " + (version.empty() ? std::string("(version unknown)") : version) +
                  (max_payload.empty() ? std::string() : ", max payload " + max_payload + " bytes");
  return result;
}

}  // namespace wsload::controller
