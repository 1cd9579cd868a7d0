// The `target` section of a scenario: URL, headers, subprotocols, auth, TLS, connect timeout.
#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <string_view>

#include "scenario_reader.hpp"
#include "wsload/shared/message_template.hpp"

namespace wsload::scenario::detail {

using namespace shared;  // the model types (scenario.hpp) and core parsers

namespace {

void read_headers(ScenarioReader& reader, const YAML::Node& node, TargetSpec& out) {
  if (node.IsNull()) return;
  if (!node.IsMap()) {
    reader.error(node, "target.headers: expected a mapping of header names to values, got " +
                           describe(node));
    return;
  }
  // The WebSocket handshake's own headers: wsload writes them, a second copy breaks the upgrade.
  static constexpr std::array<std::string_view, 8> kReserved = {"upgrade",
                                                                "connection",
                                                                "sec-websocket-key",
                                                                "sec-websocket-version",
                                                                "sec-websocket-extensions",
                                                                "sec-websocket-accept",
                                                                "content-length",
                                                                "transfer-encoding"};
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  auto is_token = [](const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
      return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) !=
                                    std::string_view::npos;
    });
  };
  std::set<std::string> seen;
  for (const auto& entry : node) {
    const YAML::Node key = entry.first;
    if (!key.IsScalar() || !is_token(key.Scalar())) {
      reader.error(key,
                   "target.headers: header names must be HTTP tokens (letters, digits, -), got " +
                       describe(key));
      continue;
    }
    const std::string& name = key.Scalar();
    if (!seen.insert(lower(name)).second) {
      reader.error(key, "target.headers: duplicate header '" + name + "'");
      continue;
    }
    if (std::find(kReserved.begin(), kReserved.end(), lower(name)) != kReserved.end()) {
      reader.error(key, "target.headers: '" + name +
                            "' is part of the WebSocket handshake and set by wsload; remove it");
      continue;
    }
    std::optional<std::string> value = reader.string(entry.second, "target.headers." + name);
    if (value && value->find_first_of("\r\n") != std::string::npos) {
      reader.error(entry.second,
                   "target.headers." + name + ": a header value cannot contain a line break");
      continue;
    }
    if (value) out.headers.emplace_back(name, std::move(*value));
  }
}

void read_jwt(ScenarioReader& reader, const YAML::Node& node, JwtAuthSpec& out) {
  bool secret_given = false;
  reader.for_each_key(node, "target.auth.jwt", {"secret", "subject", "ttl"},
                      [&](const std::string& key, const YAML::Node& value) {
                        const std::string path = "target.auth.jwt." + key;
                        if (key == "secret") {
                          secret_given = true;
                          if (auto v = reader.string(value, path)) {
                            out.secret = std::move(*v);
                            if (out.secret.empty()) {
                              reader.error(value,
                                           path + ": is empty (is the variable it names set?)");
                            }
                          }
                        } else if (key == "subject") {
                          if (auto v = reader.string(value, path)) {
                            std::string why;
                            if (!MessageTemplate::compile(*v, &why))
                              reader.error(value, path + ": " + why);
                            out.subject = std::move(*v);
                          }
                        } else if (key == "ttl") {
                          if (auto v = reader.duration(value, path, true)) out.ttl = *v;
                        }
                      });
  if (!secret_given && node.IsMap()) {
    reader.error(node, "target.auth.jwt: a secret is required to sign tokens");
  }
}

void read_auth(ScenarioReader& reader, const YAML::Node& node, AuthSpec& out) {
  reader.for_each_key(node, "target.auth", {"token", "jwt", "in", "query_param"},
                      [&](const std::string& key, const YAML::Node& value) {
                        const std::string path = "target.auth." + key;
                        if (key == "token") {
                          if (auto v = reader.string(value, path)) out.token = std::move(*v);
                        } else if (key == "jwt") {
                          out.jwt.emplace();
                          read_jwt(reader, value, *out.jwt);
                        } else if (key == "in") {
                          if (auto v = reader.choice(value, path, {"header", "query"})) {
                            out.in =
                                *v == "query" ? TokenPlacement::kQuery : TokenPlacement::kHeader;
                          }
                        } else if (key == "query_param") {
                          if (auto v = reader.string(value, path)) {
                            if (v->empty()) {
                              reader.error(value, path + ": must not be empty");
                            } else {
                              out.query_param = std::move(*v);
                            }
                          }
                        }
                      });
  if (!out.token.empty() && out.jwt) {
    reader.error(node, "target.auth: use either token or jwt, not both");
  }
}

void read_tls(ScenarioReader& reader, const YAML::Node& node, TlsSpec& out) {
  reader.for_each_key(node, "target.tls", {"verify", "ca_file"},
                      [&](const std::string& key, const YAML::Node& value) {
                        const std::string path = "target.tls." + key;
                        if (key == "verify") {
                          if (auto v = reader.boolean(value, path)) out.verify = *v;
                        } else if (key == "ca_file") {
                          if (auto v = reader.string(value, path)) out.ca_file = std::move(*v);
                        }
                      });
}

}  // namespace

void read_target(ScenarioReader& reader, const YAML::Node& node, TargetSpec& out) {
  reader.for_each_key(node, "target",
                      {"url", "headers", "subprotocols", "auth", "tls", "connect_timeout"},
                      [&](const std::string& key, const YAML::Node& value) {
                        const std::string path = "target." + key;
                        if (key == "url") {
                          if (auto v = reader.string(value, path)) {
                            // An empty URL (unset variable) is left for validate_scenario: a flag
                            // may supply it.
                            if (!v->empty()) {
                              const std::string why = check_ws_url(*v);
                              if (!why.empty()) reader.error(value, path + ": " + why);
                            }
                            out.url = std::move(*v);
                          }
                        } else if (key == "headers") {
                          read_headers(reader, value, out);
                        } else if (key == "subprotocols") {
                          if (auto items = reader.string_list(value, path)) {
                            for (ListItem& item : *items) {
                              if (item.text.empty()) {
                                reader.error(item.node, path + "[" + std::to_string(item.index) +
                                                            "]: a subprotocol must not be empty");
                              } else {
                                out.subprotocols.push_back(std::move(item.text));
                              }
                            }
                          }
                        } else if (key == "auth") {
                          read_auth(reader, value, out.auth);
                        } else if (key == "tls") {
                          read_tls(reader, value, out.tls);
                        } else if (key == "connect_timeout") {
                          if (auto v = reader.duration(value, path, true)) out.connect_timeout = *v;
                        }
                      });
}

}  // namespace wsload::scenario::detail
