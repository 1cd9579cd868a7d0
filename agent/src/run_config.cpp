#include "run_config.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <fstream>

#include "wsload/shared/session_plan.hpp"

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

namespace {

using Error = std::string;  // empty = fine

shared::TemplateNames template_names(const shared::Scenario& sc, std::vector<std::string> vars) {
  shared::TemplateNames names;
  names.vars = std::move(vars);
  for (const shared::DataFeeder& f : sc.data) names.data.push_back({f.name, f.columns});
  return names;
}

// A target field with {{data.F.C}} placeholders (the only ones there: other braces are literal,
// as in format v1); a field without stays unset (nothing to render per connection).
Error compile_if_templated(const std::string& text, const shared::TemplateNames& names,
                           const std::string& where, std::optional<shared::MessageTemplate>* out) {
  if (text.find("{{data.") == std::string::npos) return {};
  std::string error;
  *out = shared::MessageTemplate::compile_data_only(text, names, &error);
  return *out ? Error{} : where + ": " + error;
}

Error digest_payload(shared::MessageKind kind, const std::string& text, uint64_t size,
                     const shared::TemplateNames& names, const std::string& where, Payload* out) {
  out->kind = kind;
  if (kind == shared::MessageKind::kBinary && size > 0) {
    out->binary.resize(size);
    for (uint64_t i = 0; i < size; ++i) out->binary[i] = static_cast<char>(i & 0xff);
    return {};
  }
  if (kind == shared::MessageKind::kPing) return {};
  std::string error;
  out->text = shared::MessageTemplate::compile(text, names, &error);
  return out->text ? Error{} : where + ".template: " + error;
}

Error digest_stream(const shared::MessagesSpec& m, const shared::TemplateNames& names,
                    const std::string& where, StreamRuntime* out) {
  out->spec = m;
  if (auto e = digest_payload(m.kind, m.payload_template, m.size, names, where, &out->payload);
      !e.empty()) {
    return e;
  }
  const bool needs_field =
      m.match.mode == MatchMode::kField && m.kind != shared::MessageKind::kPing;
  if (needs_field && m.match.field.empty()) {
    return where + ".match must be a field name, \"next\" or \"none\"";
  }
  out->match = m.match.mode;
  if (needs_field) out->match_field = m.match.field;
  return {};
}

Error digest_step(const shared::StepSpec& step, const shared::TemplateNames& names,
                  std::vector<std::string>& vars, StepRuntime* out) {
  out->spec = step;
  const std::string where = "step " + step.name;
  if (step.send) {
    out->send.emplace();
    if (auto e = digest_payload(step.send->kind, step.send->payload_template, step.send->size,
                                names, where + ".send", &*out->send);
        !e.empty()) {
      return e;
    }
  }
  if (step.expect && step.expect->where.empty() && !step.send) {
    return where + ": expect without where needs a send to match the reply of";
  }
  if (step.expect && step.expect->where.empty() && step.expect->match.mode == MatchMode::kField &&
      step.expect->match.field.empty()) {
    return where + ".expect.match must be a field name or \"next\"";
  }
  for (const auto& [var, field] : step.capture) {
    auto found = std::find(vars.begin(), vars.end(), var);
    if (found == vars.end()) found = vars.insert(vars.end(), var);
    out->capture_vars.push_back(static_cast<uint32_t>(found - vars.begin()));
  }
  return {};
}

// A URL parser refuses "{{": {{data.F.C}} placeholders are swapped for plain markers while the
// URL is parsed, and put back into the path and query afterwards.
std::optional<TargetEndpoint> parse_templated_url(const std::string& url, std::string* error) {
  std::vector<std::string> placeholders;
  std::string plain;
  size_t i = 0;
  while (i < url.size()) {
    const size_t open = url.find("{{data.", i);
    const size_t close = open == std::string::npos ? open : url.find("}}", open);
    if (close == std::string::npos) {
      plain += url.substr(i);
      break;
    }
    plain += url.substr(i, open - i) + "wsloadph" + std::to_string(placeholders.size()) + "x";
    placeholders.push_back(url.substr(open, close + 2 - open));
    i = close + 2;
  }
  auto endpoint = parse_target_url(plain, error);
  if (!endpoint) return endpoint;
  for (size_t k = placeholders.size(); k-- > 0;) {  // from the last: "ph1x" is not in "ph10x"
    const std::string marker = "wsloadph" + std::to_string(k) + "x";
    const size_t at = endpoint->target.find(marker);
    if (at == std::string::npos) {
      *error = "target url '" + url + "': placeholders are allowed in the path and query only";
      return std::nullopt;
    }
    endpoint->target.replace(at, marker.size(), placeholders[k]);
  }
  return endpoint;
}

Error digest_target(const shared::Scenario& sc, GroupRuntime& g) {
  std::string error;
  auto endpoint = parse_templated_url(g.target.url, &error);
  if (!endpoint) return error;
  g.endpoint = *endpoint;
  const shared::TemplateNames names = template_names(sc, {});
  if (auto e = compile_if_templated(g.endpoint.target, names, "target.url", &g.target_template);
      !e.empty()) {
    return e;
  }
  for (const auto& [name, value] : g.target.headers) {
    g.header_templates.emplace_back();
    if (auto e = compile_if_templated(value, names, "target.headers." + name,
                                      &g.header_templates.back());
        !e.empty()) {
      return e;
    }
  }
  if (auto e = compile_if_templated(g.target.auth.token, names, "auth.token", &g.token_template);
      !e.empty()) {
    return e;
  }
  if (g.target.auth.jwt) {
    g.jwt_subject = shared::MessageTemplate::compile(g.target.auth.jwt->subject, names, &error);
    if (!g.jwt_subject) return "auth.jwt.subject: " + error;
  }
  if (g.endpoint.tls && !g.target.tls.ca_file.empty() &&
      !g.target.tls.ca_file.starts_with("pem:")) {
    std::ifstream probe(g.target.tls.ca_file);
    if (!probe) return "cannot read tls.ca_file '" + g.target.tls.ca_file + "'";
  }
  for (const std::string& p : g.target.subprotocols) {
    if (!g.subprotocol_header.empty()) g.subprotocol_header += ", ";
    g.subprotocol_header += p;
  }
  return {};
}

Error digest_group(const shared::Scenario& sc, const shared::GroupSpec& spec,
                   const shared::PartIndex& parts, uint32_t index, GroupRuntime& g) {
  g.index = index;
  g.target = spec.target;
  g.push = spec.push;
  if (auto e = digest_target(sc, g); !e.empty()) return e;
  uint32_t step_part = parts.first_step[index];
  for (const shared::StepSpec& step : spec.on_open) {
    // A step's templates see the variables captured by the steps before it.
    const shared::TemplateNames names = template_names(sc, g.vars);
    StepRuntime& r = g.on_open.emplace_back();
    r.part = step_part++;
    if (auto e = digest_step(step, names, g.vars, &r); !e.empty()) return e;
  }
  const shared::TemplateNames names = template_names(sc, g.vars);
  uint32_t stream_part = parts.first_stream[index];
  for (const shared::MessagesSpec& m : spec.streams) {
    StreamRuntime& r = g.streams.emplace_back();
    r.part = stream_part++;
    const std::string where = sc.has_sessions() ? "stream " + m.name : "messages";
    if (auto e = digest_stream(m, names, where, &r); !e.empty()) return e;
    g.uniform_timeouts = g.uniform_timeouts && m.timeout == spec.streams.front().timeout;
    g.has_closed_loop = g.has_closed_loop || m.interval.count() == 0;
    if (m.kind == shared::MessageKind::kPing) {
      g.ping_replies = g.ping_replies || r.match != MatchMode::kNone;
      continue;
    }
    if (r.match == MatchMode::kNext) g.match_next = true;
    if (r.match == MatchMode::kField && std::find(g.reply_fields.begin(), g.reply_fields.end(),
                                                  r.match_field) == g.reply_fields.end()) {
      g.reply_fields.push_back(r.match_field);
    }
  }
  if (g.streams.size() > 32) return "at most 32 streams per group";
  for (const shared::StepSpec& step : spec.on_close) {
    StepRuntime& r = g.on_close.emplace_back();
    r.part = step_part++;
    std::vector<std::string> vars = g.vars;  // on_close captures nothing
    if (auto e = digest_step(step, names, vars, &r); !e.empty()) return e;
  }
  return {};
}

}  // namespace

const GroupRuntime& RunConfig::group_of(uint32_t id) const {
  if (groups.size() == 1) return groups.front();
  return groups[shared::group_of(group_counts, id).group];
}

const std::vector<std::string>* RunConfig::data_row(size_t feeder, uint32_t id) const {
  const auto& data = scenario().data;
  if (feeder >= data.size()) return nullptr;
  const shared::DataFeeder& f = data[feeder];
  const uint64_t row = shared::data_row_of(id, f.row_count);
  auto it = std::lower_bound(f.rows.begin(), f.rows.end(), row,
                             [](const shared::DataRow& r, uint64_t i) { return r.index < i; });
  return it != f.rows.end() && it->index == row ? &it->values : nullptr;
}

void size_parts(shared::MetricsDelta& delta, const RunConfig& cfg) {
  if (!cfg.sessions) return;
  size_t streams = 0;
  size_t steps = 0;
  for (const GroupRuntime& g : cfg.groups) {
    streams += g.streams.size();
    steps += g.on_open.size() + g.on_close.size();
  }
  delta.parts.groups.resize(cfg.groups.size());
  delta.parts.streams.resize(streams);
  delta.parts.steps.resize(steps);
}

std::variant<std::shared_ptr<const RunConfig>, std::string> make_run_config(Assignment assignment) {
  auto cfg = std::make_shared<RunConfig>();
  const shared::Scenario& sc = assignment.scenario;
  const std::vector<shared::GroupSpec> specs = shared::effective_groups(sc);
  if (auto e = shared::group_counts(assignment.total_connections, specs, &cfg->group_counts);
      !e.empty()) {
    return e;
  }
  const shared::PartIndex parts = shared::part_index(specs);
  cfg->sessions = sc.has_sessions();
  cfg->groups.resize(specs.size());
  for (size_t g = 0; g < specs.size(); ++g) {
    if (auto e = digest_group(sc, specs[g], parts, static_cast<uint32_t>(g), cfg->groups[g]);
        !e.empty()) {
      return specs.size() > 1 ? "group " + specs[g].name + ": " + e : e;
    }
  }
  cfg->assignment = std::move(assignment);
  return std::shared_ptr<const RunConfig>(std::move(cfg));
}

}  // namespace wsload::agent
