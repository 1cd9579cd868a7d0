#include "source_ips.hpp"

#include <arpa/inet.h>

#include <cstdint>

#include "wsload/shared/strings.hpp"

namespace wsload::agent {
namespace {

using shared::trim;

std::optional<uint32_t> parse_v4(std::string_view text) {
  in_addr addr{};
  const std::string s(text);
  if (inet_pton(AF_INET, s.c_str(), &addr) != 1) return std::nullopt;
  return ntohl(addr.s_addr);
}

std::string format_v4(uint32_t value) {
  in_addr addr{};
  addr.s_addr = htonl(value);
  char buffer[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &addr, buffer, sizeof(buffer));
  return buffer;
}

}  // namespace

std::optional<std::vector<std::string>> parse_source_ips(std::string_view text,
                                                         std::string* error) {
  constexpr uint32_t kMaxRange = 65536;
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto item = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    if (item.empty()) continue;
    const auto dash = item.find('-');
    if (dash == std::string_view::npos) {
      if (!parse_v4(item)) {
        *error = "'" + std::string(item) + "' is not an IPv4 address";
        return std::nullopt;
      }
      out.emplace_back(item);
      continue;
    }
    const auto first = parse_v4(trim(item.substr(0, dash)));
    const auto last = parse_v4(trim(item.substr(dash + 1)));
    if (!first || !last || *last < *first) {
      *error = "'" + std::string(item) + "' is not a range FIRST-LAST of IPv4 addresses";
      return std::nullopt;
    }
    if (*last - *first >= kMaxRange) {
      *error = "range '" + std::string(item) + "' holds more than 65536 addresses";
      return std::nullopt;
    }
    for (uint64_t v = *first; v <= *last; ++v) out.push_back(format_v4(static_cast<uint32_t>(v)));
  }
  return out;
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  const auto v4 = parse_v4(host);
  return v4 && (*v4 >> 24) == 127;
}

}  // namespace wsload::agent
