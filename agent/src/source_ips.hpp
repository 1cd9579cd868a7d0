#pragma once
// `--source-ips` parsing: a comma-separated list of IPv4 addresses and inclusive ranges
// ("127.0.0.2-127.0.0.9,10.0.0.5"). Pure; no sockets.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wsload::agent {

// The addresses in order, or nullopt with *error naming the bad item. Ranges are capped at 65,536
// addresses.
std::optional<std::vector<std::string>> parse_source_ips(std::string_view text, std::string* error);

// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(std::string_view host);

}  // namespace wsload::agent
