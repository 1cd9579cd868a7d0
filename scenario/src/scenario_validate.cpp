// Value checks shared by the loader and validate_scenario (which runs after overrides).
#include <algorithm>
#include <cctype>
#include <charconv>

#include "scenario_reader.hpp"
#include "wsload/shared/message_template.hpp"
#include "wsload/shared/planner.hpp"

namespace wsload::scenario {

using namespace shared;  // the model types (scenario.hpp) and core parsers

namespace detail {
namespace {

constexpr std::size_t kMaxTemplateBytes = 1 << 20;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// "" when `url` is SCHEME://host[:port][/...] with SCHEME one of `schemes`.
std::string check_url(std::string_view url, std::string_view scheme_a, std::string_view scheme_b) {
  // Built only when the scheme is wrong.
  const auto expected = [&] {
    return "expected a " + std::string(scheme_a) + ":// or " + std::string(scheme_b) +
           ":// URL, got '" + std::string(url) + "'";
  };
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) return expected();
  const std::string scheme = lower(url.substr(0, sep));
  if (scheme != scheme_a && scheme != scheme_b) return expected();
  std::string_view authority = url.substr(sep + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos)
      return "unterminated IPv6 address in '" + std::string(url) + "'";
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':')
        return "unexpected text after the host in '" + std::string(url) + "'";
      port = after.substr(1);
      if (port.empty()) return "empty port in '" + std::string(url) + "'";
    }
  } else if (const size_t colon = authority.find(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty()) return "empty port in '" + std::string(url) + "'";
  }
  if (host.empty()) return "no host in '" + std::string(url) + "'";
  if (host.find_first_of(" \t") != std::string_view::npos) {
    return "the host contains a space in '" + std::string(url) + "'";
  }
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return "bad port '" + std::string(port) + "' in '" + std::string(url) + "'";
    }
  }
  return "";
}

}  // namespace

std::string check_ws_url(std::string_view url) { return check_url(url, "ws", "wss"); }
std::string check_http_url(std::string_view url) { return check_url(url, "http", "https"); }

std::string check_match_field(std::string_view field) {
  const bool ok = !field.empty() && std::all_of(field.begin(), field.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
  if (ok) return "";
  return "expected a JSON field name (letters, digits, _ - .), next or none, got '" +
         std::string(field) + "'";
}

Match parse_match(std::string_view text) {
  if (text == "next") return Match::next();
  if (text == "none") return Match::none();
  return Match::by_field(std::string(text));
}

}  // namespace detail

std::vector<Diagnostic> validate_scenario(const Scenario& s) {
  std::vector<Diagnostic> out;
  const std::string file = s.name.empty() ? "scenario" : s.name;
  auto fail = [&](std::string message) {
    out.push_back(Diagnostic{file, 0, 0, std::move(message)});
  };
  auto check = [&](const std::string& field, const std::string& why) {
    if (!why.empty()) fail(field + ": " + why);
  };

  if (s.target.url.empty()) {
    fail("target.url: is empty; set it in the scenario, with --url or with WS_URL");
  } else {
    check("target.url", detail::check_ws_url(s.target.url));
  }
  if (s.target.connect_timeout.count() <= 0) fail("target.connect_timeout: must be greater than 0");
  const AuthSpec& auth = s.target.auth;
  if (auth.jwt) {
    if (!auth.token.empty()) fail("target.auth: use either token or jwt, not both");
    if (auth.jwt->secret.empty()) fail("target.auth.jwt.secret: is empty");
    if (auth.jwt->ttl.count() <= 0) fail("target.auth.jwt.ttl: must be greater than 0");
    std::string why;
    if (!MessageTemplate::compile(auth.jwt->subject, &why)) fail("target.auth.jwt.subject: " + why);
  }
  if (auth.in == TokenPlacement::kQuery && auth.query_param.empty()) {
    fail("target.auth.query_param: must not be empty when the token goes in the query");
  }
  if (s.load.connections == 0) fail("load.connections: must be greater than 0");
  if (s.load.connections > kMaxConnections) {
    fail("load.connections: at most 4294967296 per run (connection ids are 32-bit); got " +
         std::to_string(s.load.connections));
  }
  if (s.load.ramp_up.count() < 0 || s.load.hold.count() < 0 || s.load.ramp_down.count() < 0) {
    fail("load: durations must not be negative");
  }
  if (s.messages) {
    const MessagesSpec& m = *s.messages;
    if (m.timeout.count() <= 0) fail("messages.timeout: must be greater than 0");
    if (m.interval.count() < 0) fail("messages.interval: must not be negative");
    if (m.match.mode == Match::Mode::kField) {
      check("messages.match", detail::check_match_field(m.match.field));
    }
    std::string why;
    if (m.payload_template.size() > detail::kMaxTemplateBytes) {
      fail("messages.template: " + std::to_string(m.payload_template.size()) + " bytes; at most " +
           std::to_string(detail::kMaxTemplateBytes) +
           " (1 MiB, the largest message wsload sends); for large binary "
           "payloads use kind: binary with size");
    } else if (!MessageTemplate::compile(m.payload_template, &why)) {
      fail("messages.template: " + why);
    }
    if (m.size > 0 && m.kind != MessageKind::kBinary) {
      fail("messages.size: only applies to kind binary");
    }
  }
  if (s.monitor) {
    check("monitor.url", detail::check_http_url(s.monitor->url));
    if (s.monitor->interval.count() <= 0) fail("monitor.interval: must be greater than 0");
  }
  return out;
}

}  // namespace wsload::scenario
