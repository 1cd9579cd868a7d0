// The `target` section of a scenario: URL, headers, subprotocols, auth, TLS, connect timeout,
// compression.
#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <string_view>

#include "scenario_reader.hpp"

namespace wsload::scenario::detail {

using namespace shared;  // the model types (scenario.hpp) and core parsers

namespace {

// Where a target section puts its {{data.F.C}} fields and reports its problems.
struct TargetContext {
  std::string path;  // "target" or "groups[0].target"
  std::vector<TemplateRef>& templates;
};

void read_headers(ScenarioReader& reader, const YAML::Node& node, TargetSpec& out,
                  TargetContext& context) {
  const std::string& path = context.path;
  if (node.IsNull()) return;
  if (!node.IsMap()) {
    reader.error(node, path + ".headers: expected a mapping of header names to values, got " +
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
                   path + ".headers: header names must be HTTP tokens (letters, digits, -), got " +
                       describe(key));
      continue;
    }
    const std::string& name = key.Scalar();
    if (!seen.insert(lower(name)).second) {
      reader.error(key, concat({path, ".headers: duplicate header '", name, "'"}));
      continue;
    }
    if (std::find(kReserved.begin(), kReserved.end(), lower(name)) != kReserved.end()) {
      reader.error(key, concat({path, ".headers: '", name,
                                "' is part of the WebSocket handshake and set by wsload; remove "
                                "it"}));
      continue;
    }
    const std::string value_path = concat({path, ".headers.", name});
    std::optional<std::string> value = reader.string(entry.second, value_path);
    if (value && value->find_first_of("\r\n") != std::string::npos) {
      reader.error(entry.second, value_path + ": a header value cannot contain a line break");
      continue;
    }
    if (!value) continue;
    context.templates.push_back(
        template_ref(entry.second, value_path, *value, TemplateUse::kField));
    out.headers.emplace_back(name, std::move(*value));
  }
}

void read_jwt(ScenarioReader& reader, const YAML::Node& node, JwtAuthSpec& out,
              TargetContext& context) {
  bool secret_given = false;
  const std::string jwt_path = context.path + ".auth.jwt";
  reader.for_each_key(
      node, jwt_path, {"secret", "subject", "ttl"},
      [&](const std::string& key, const YAML::Node& value) {
        const std::string path = jwt_path + "." + key;
        if (key == "secret") {
          secret_given = true;
          if (auto v = reader.string(value, path)) {
            out.secret = std::move(*v);
            if (out.secret.empty()) {
              reader.error(value, path + ": is empty (is the variable it names set?)");
            }
          }
        } else if (key == "subject") {
          if (auto v = reader.string(value, path)) {
            context.templates.push_back(template_ref(value, path, *v, TemplateUse::kSubject));
            out.subject = std::move(*v);
          }
        } else if (key == "ttl") {
          if (auto v = reader.duration(value, path, true)) out.ttl = *v;
        }
      });
  if (!secret_given && node.IsMap()) {
    reader.error(node, jwt_path + ": a secret is required to sign tokens");
  }
}

void read_auth(ScenarioReader& reader, const YAML::Node& node, AuthSpec& out,
               TargetContext& context) {
  const std::string auth_path = context.path + ".auth";
  reader.for_each_key(
      node, auth_path, {"token", "jwt", "in", "query_param"},
      [&](const std::string& key, const YAML::Node& value) {
        const std::string path = auth_path + "." + key;
        if (key == "token") {
          if (auto v = reader.string(value, path)) {
            context.templates.push_back(template_ref(value, path, *v, TemplateUse::kField));
            out.token = std::move(*v);
          }
        } else if (key == "jwt") {
          out.jwt.emplace();
          read_jwt(reader, value, *out.jwt, context);
        } else if (key == "in") {
          if (auto v = reader.choice(value, path, {"header", "query"})) {
            out.in = *v == "query" ? TokenPlacement::kQuery : TokenPlacement::kHeader;
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
    reader.error(node, auth_path + ": use either token or jwt, not both");
  }
}

void read_tls(ScenarioReader& reader, const YAML::Node& node, const std::string& tls_path,
              TlsSpec& out) {
  reader.for_each_key(node, tls_path, {"verify", "ca_file"},
                      [&](const std::string& key, const YAML::Node& value) {
                        const std::string path = tls_path + "." + key;
                        if (key == "verify") {
                          if (auto v = reader.boolean(value, path)) out.verify = *v;
                        } else if (key == "ca_file") {
                          if (auto v = reader.string(value, path)) out.ca_file = std::move(*v);
                        }
                      });
}

// A url's problem: placeholders in the scheme, host or port, else its scheme and authority (a
// relative one is left for the group merge when allowed). "" when fine.
std::string url_problem(std::string_view url, bool allow_relative) {
  if (allow_relative && is_relative_url(url)) return "";
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) return check_ws_url(url);  // no scheme: say that first
  const size_t authority_end = url.find_first_of("/?#", sep + 3);
  for (const NamedPlaceholder& p : named_placeholders(url)) {
    if (p.offset < authority_end) {
      return "'{{" + std::string(p.inner) +
             "}}' is in the scheme, host or port; placeholders may only be used in the path and "
             "query (every connection of a group goes to the same server)";
    }
  }
  return check_ws_url(url);
}

}  // namespace

std::vector<std::string> read_target(ScenarioReader& reader, const YAML::Node& node,
                                     const std::string& target_path, TargetSpec& out,
                                     std::vector<TemplateRef>& templates, bool allow_relative_url) {
  TargetContext context{target_path, templates};
  std::vector<std::string> given;
  reader.for_each_key(
      node, target_path,
      {"url", "headers", "subprotocols", "auth", "tls", "connect_timeout", "compression"},
      [&](const std::string& key, const YAML::Node& value) {
        given.push_back(key);
        const std::string path = target_path + "." + key;
        if (key == "url") {
          if (auto v = reader.string(value, path)) {
            // An empty URL (unset variable) is left for validate_scenario: a flag may supply it.
            if (!v->empty()) {
              const std::string why = url_problem(*v, allow_relative_url);
              if (why.empty()) {
                templates.push_back(template_ref(value, path, *v, TemplateUse::kField));
              } else {
                reader.error(value, path + ": " + why);
              }
            }
            out.url = std::move(*v);
          }
        } else if (key == "headers") {
          read_headers(reader, value, out, context);
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
          read_auth(reader, value, out.auth, context);
        } else if (key == "tls") {
          read_tls(reader, value, path, out.tls);
        } else if (key == "connect_timeout") {
          if (auto v = reader.duration(value, path, true)) out.connect_timeout = *v;
        } else if (key == "compression") {
          if (auto v = reader.choice(value, path, {"none", "deflate"})) {
            out.compression = *v == "deflate" ? Compression::kDeflate : Compression::kNone;
          }
        }
      });
  return given;
}

}  // namespace wsload::scenario::detail
