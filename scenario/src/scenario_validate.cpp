// Value checks shared by the loader and validate_scenario (which runs after overrides).
#include <algorithm>
#include <cctype>
#include <charconv>

#include "scenario_reader.hpp"
#include "wsload/shared/message_template.hpp"
#include "wsload/shared/planner.hpp"
#include "wsload/shared/session_plan.hpp"

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

std::string check_part_name(std::string_view name) {
  const bool ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
  if (ok) return "";
  return "'" + std::string(name) +
         "' is not a valid name: use letters, digits, _ and - (names become metric names and "
         "Prometheus label values)";
}

Match parse_match(std::string_view text) {
  if (text == "next") return Match::next();
  if (text == "none") return Match::none();
  return Match::by_field(std::string(text));
}

}  // namespace detail

namespace {

// validate_scenario's checks, each problem prefixed with its field path.
class Checker {
 public:
  explicit Checker(const Scenario& s) : file_(s.name.empty() ? "scenario" : s.name) {
    for (const DataFeeder& f : s.data) names_.data.push_back({f.name, f.columns});
  }

  std::vector<Diagnostic>& problems() { return out_; }

  void fail(std::string message) { out_.push_back(Diagnostic{file_, 0, 0, std::move(message)}); }
  void check(const std::string& field, const std::string& why) {
    if (!why.empty()) fail(field + ": " + why);
  }

  void target(const std::string& path, const TargetSpec& t) {
    if (t.url.empty()) {
      fail(path + ".url: is empty; set it in the scenario, with --url or with WS_URL");
    } else if (detail::is_relative_url(t.url)) {
      fail(path + ".url: '" + t.url +
           "' is relative, but the scenario's url is empty; set it in the scenario, with --url "
           "or with WS_URL");
    } else {
      check(path + ".url", detail::check_ws_url(t.url));
    }
    if (t.connect_timeout.count() <= 0) fail(path + ".connect_timeout: must be greater than 0");
    const AuthSpec& auth = t.auth;
    if (auth.jwt) {
      if (!auth.token.empty()) fail(path + ".auth: use either token or jwt, not both");
      if (auth.jwt->secret.empty()) fail(path + ".auth.jwt.secret: is empty");
      if (auth.jwt->ttl.count() <= 0) fail(path + ".auth.jwt.ttl: must be greater than 0");
      compile(path + ".auth.jwt.subject", auth.jwt->subject, {});
    }
    if (auth.in == TokenPlacement::kQuery && auth.query_param.empty()) {
      fail(path + ".auth.query_param: must not be empty when the token goes in the query");
    }
  }

  void stream(const std::string& path, const MessagesSpec& m,
              const std::vector<std::string>& vars) {
    if (m.timeout.count() <= 0) fail(path + ".timeout: must be greater than 0");
    if (m.interval.count() < 0) fail(path + ".interval: must not be negative");
    if (m.match.mode == Match::Mode::kField) {
      check(path + ".match", detail::check_match_field(m.match.field));
    }
    compile(path + ".template", m.payload_template, vars);
    if (m.size > 0 && m.kind != MessageKind::kBinary) {
      fail(path + ".size: only applies to kind binary");
    }
  }

  void group(const GroupSpec& g) {
    const std::string path = "groups." + g.name;
    target(path + ".target", g.target);
    std::vector<std::string> vars;
    for (const StepSpec& step : g.on_open) {
      for (const auto& [var, field] : step.capture) vars.push_back(var);
    }
    for (const MessagesSpec& m : g.streams) stream(path + ".messages." + m.name, m, vars);
    for (const StepSpec& step : g.on_open) this->step(path + ".on_open." + step.name, step, vars);
    for (const StepSpec& step : g.on_close) this->step(path + ".on_close." + step.name, step, vars);
  }

 private:
  void step(const std::string& path, const StepSpec& step, const std::vector<std::string>& vars) {
    if (step.send) compile(path + ".send.template", step.send->payload_template, vars);
    if (step.expect && step.expect->timeout.count() <= 0) {
      fail(path + ".expect.timeout: must be greater than 0");
    }
    if (step.wait.count() < 0) fail(path + ".wait: must not be negative");
  }

  void compile(const std::string& path, const std::string& text,
               const std::vector<std::string>& vars) {
    if (text.size() > detail::kMaxTemplateBytes) {
      fail(path + ": " + std::to_string(text.size()) + " bytes; at most " +
           std::to_string(detail::kMaxTemplateBytes) +
           " (1 MiB, the largest message wsload sends); for large binary "
           "payloads use kind: binary with size");
      return;
    }
    TemplateNames names = names_;
    names.vars = vars;
    std::string why;
    if (!MessageTemplate::compile(text, names, &why)) fail(path + ": " + why);
  }

  std::string file_;
  TemplateNames names_;  // the feeders
  std::vector<Diagnostic> out_;
};

}  // namespace

std::vector<Diagnostic> validate_scenario(const Scenario& s) {
  Checker checker(s);
  // With groups, the top-level target is only the groups' default: each group's is checked.
  if (s.has_sessions()) {
    for (const GroupSpec& g : s.groups) checker.group(g);
  } else {
    checker.target("target", s.target);
  }
  // load.connections holds the ids the shape plans (the stages' peak, the arrivals).
  const std::string shape = s.load.arrival          ? "load.arrival"
                            : s.load.stages.empty() ? "load.connections"
                                                    : "load.stages";
  if (s.load.connections == 0) {
    checker.fail(s.load.arrival ? "load.arrival: no arrival within the duration"
                                : shape + ": must be greater than 0");
  }
  if (s.load.connections > kMaxConnections) {
    checker.fail(shape + ": at most 4294967296 connection ids per run (they are 32-bit); got " +
                 std::to_string(s.load.connections));
  }
  if (s.load.ramp_up.count() < 0 || s.load.hold.count() < 0 || s.load.ramp_down.count() < 0) {
    checker.fail("load: durations must not be negative");
  }
  if (s.has_sessions()) {
    std::vector<uint64_t> counts;
    const std::string why = group_counts(s.load.connections, s.groups, &counts);
    if (!why.empty()) checker.fail("groups: " + why);
  } else if (s.messages) {
    checker.stream("messages", *s.messages, {});
  }
  const ReconnectSpec& rc = s.reconnect;
  if (rc.backoff.count() < 0) checker.fail("reconnect.backoff: must not be negative");
  if (rc.max_backoff.count() < 0) checker.fail("reconnect.max_backoff: must not be negative");
  if (rc.max_backoff.count() > 0 && rc.max_backoff < rc.backoff) {
    checker.fail("reconnect.max_backoff: must be at least reconnect.backoff");
  }
  if (s.monitor) {
    checker.check("monitor.url", detail::check_http_url(s.monitor->url));
    if (s.monitor->interval.count() <= 0) checker.fail("monitor.interval: must be greater than 0");
  }
  return std::move(checker.problems());
}

}  // namespace wsload::scenario
