#include "run_config.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <fstream>

namespace wsload::agent {

std::optional<TargetEndpoint> parse_target_url(const std::string& url, std::string* error) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) {
    *error = "invalid target url '" + url + "': " + parsed.error().message();
    return std::nullopt;
  }
  const boost::urls::url_view& u = *parsed;
  TargetEndpoint ep;
  std::string scheme(u.scheme());
  if (scheme == "ws") {
    ep.tls = false;
  } else if (scheme == "wss") {
    ep.tls = true;
  } else {
    *error = "target url '" + url + "' must start with ws:// or wss://";
    return std::nullopt;
  }
  if (u.host_type() == boost::urls::host_type::ipv6) {
    ep.host = std::string(u.host_address());
  } else {
    ep.host = std::string(u.host());
  }
  if (ep.host.empty()) {
    *error = "target url '" + url + "' has no host";
    return std::nullopt;
  }
  std::string default_port = ep.tls ? "443" : "80";
  ep.port = u.has_port() && !u.port().empty() ? std::string(u.port()) : default_port;
  std::string host_for_header =
      u.host_type() == boost::urls::host_type::ipv6 ? "[" + ep.host + "]" : ep.host;
  ep.host_header = ep.port == default_port ? host_for_header : host_for_header + ":" + ep.port;
  ep.target = u.encoded_path().empty() ? "/" : std::string(u.encoded_path());
  if (u.has_query()) ep.target += "?" + std::string(u.encoded_query());
  return ep;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::variant<std::shared_ptr<const RunConfig>, std::string> make_run_config(Assignment assignment) {
  auto cfg = std::make_shared<RunConfig>();
  std::string error;
  auto endpoint = parse_target_url(assignment.scenario.target.url, &error);
  if (!endpoint) return error;
  cfg->endpoint = *endpoint;

  const shared::Scenario& sc = assignment.scenario;
  if (cfg->endpoint.tls && !sc.target.tls.ca_file.empty()) {
    std::ifstream probe(sc.target.tls.ca_file);
    if (!probe) return "cannot read tls.ca_file '" + sc.target.tls.ca_file + "'";
  }
  if (sc.target.auth.jwt) {
    cfg->jwt_subject = shared::MessageTemplate::compile(sc.target.auth.jwt->subject, &error);
    if (!cfg->jwt_subject) return "auth.jwt.subject: " + error;
  }
  if (sc.messages) {
    const shared::MessagesSpec& m = *sc.messages;
    bool binary_fixed = m.kind == shared::MessageKind::kBinary && m.size > 0;
    if (binary_fixed) {
      cfg->binary_payload.resize(m.size);
      for (uint64_t i = 0; i < m.size; ++i) cfg->binary_payload[i] = static_cast<char>(i & 0xff);
    } else if (m.kind != shared::MessageKind::kPing) {
      cfg->message_template = shared::MessageTemplate::compile(m.payload_template, &error);
      if (!cfg->message_template) return "messages.template: " + error;
    }
    const bool needs_field =
        m.match.mode == MatchMode::kField && m.kind != shared::MessageKind::kPing;
    if (needs_field && m.match.field.empty()) {
      return std::string("messages.match must be a field name, \"next\" or \"none\"");
    }
    cfg->match = m.match.mode;
    if (needs_field) cfg->match_field = m.match.field;
  }
  for (const std::string& p : sc.target.subprotocols) {
    if (!cfg->subprotocol_header.empty()) cfg->subprotocol_header += ", ";
    cfg->subprotocol_header += p;
  }
  cfg->assignment = std::move(assignment);
  return std::shared_ptr<const RunConfig>(std::move(cfg));
}

}  // namespace wsload::agent
