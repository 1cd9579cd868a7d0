#include "wsload/controller/endpoints.hpp"

#include <arpa/inet.h>
#include <netdb.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "wsload/shared/strings.hpp"

namespace wsload::controller {
namespace {

using shared::trim;

constexpr std::string_view kDnsScheme = "dns:///";

bool valid_port(std::string_view text) {
  unsigned port = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  return ec == std::errc() && end == text.data() + text.size() && port > 0 && port < 65536;
}

// Splits "host:port" or "[v6]:port"; false when the port is missing or invalid.
bool split_host_port(std::string_view address, std::string_view* host, std::string_view* port) {
  const auto colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  *host = address.substr(0, colon);
  *port = address.substr(colon + 1);
  return valid_port(*port);
}

}  // namespace

std::optional<std::vector<AgentEndpoint>> parse_agents(std::string_view spec, std::string* error) {
  std::vector<AgentEndpoint> out;
  while (!spec.empty()) {
    const auto comma = spec.find(',');
    auto item = trim(spec.substr(0, comma));
    spec = comma == std::string_view::npos ? std::string_view{} : spec.substr(comma + 1);
    if (item.empty()) continue;
    AgentEndpoint endpoint;
    if (const auto at = item.rfind('@'); at != std::string_view::npos) {
      const auto weight_text = item.substr(at + 1);
      double weight = 0;
      auto [end, ec] =
          std::from_chars(weight_text.data(), weight_text.data() + weight_text.size(), weight);
      if (ec != std::errc() || end != weight_text.data() + weight_text.size() || !(weight > 0)) {
        *error = "agent '" + std::string(item) + "': weight must be a positive number";
        return std::nullopt;
      }
      endpoint.weight = weight;
      item = item.substr(0, at);
    }
    std::string_view host, port;
    const auto address = item.starts_with(kDnsScheme) ? item.substr(kDnsScheme.size()) : item;
    if (!split_host_port(address, &host, &port)) {
      *error = "agent '" + std::string(item) + "': expected host:port or dns:///name:port";
      return std::nullopt;
    }
    endpoint.address = std::string(item);
    out.push_back(std::move(endpoint));
  }
  if (out.empty()) {
    *error = "--agents lists no agent";
    return std::nullopt;
  }
  return out;
}

std::vector<AgentEndpoint> resolve_endpoints(const std::vector<AgentEndpoint>& endpoints) {
  std::vector<AgentEndpoint> out;
  for (const auto& e : endpoints) {
    if (!std::string_view(e.address).starts_with(kDnsScheme)) {
      out.push_back(e);
      continue;
    }
    std::string_view host, port;
    split_host_port(std::string_view(e.address).substr(kDnsScheme.size()), &host, &port);
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const std::string host_s(host), port_s(port);
    if (getaddrinfo(host_s.c_str(), port_s.c_str(), &hints, &found) != 0) continue;
    std::set<std::string> addresses;
    for (auto* ai = found; ai; ai = ai->ai_next) {
      char text[INET6_ADDRSTRLEN] = {};
      if (ai->ai_family == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr, text,
                  sizeof(text));
        addresses.insert(std::string(text) + ":" + port_s);
      } else if (ai->ai_family == AF_INET6) {
        inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr, text,
                  sizeof(text));
        addresses.insert("[" + std::string(text) + "]:" + port_s);
      }
    }
    freeaddrinfo(found);
    for (const auto& a : addresses) out.push_back({a, e.weight});
  }
  return out;
}

}  // namespace wsload::controller
