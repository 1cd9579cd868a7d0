// `wsload doctor`: the guide's pre-test checklist, each item printed as ok/FAIL with a hint.
#include <fmt/format.h>
#include <sys/resource.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cluster/agent_capacity.hpp"
#include "cluster/agent_link.hpp"
#include "cluster/local_cluster.hpp"
#include "net/http_client.hpp"
#include "net/nats_probe.hpp"
#include "wsload/controller/endpoints.hpp"
#include "wsload/proto/convert.hpp"
#include "wsload/shared/clock.hpp"
#include "wsload/shared/jwt.hpp"
#include "wsload/shared/load_plan.hpp"
#include "wsload/shared/planner.hpp"
#include "wsload/shared/session_plan.hpp"

namespace wsload::controller {
namespace {

class Checklist {
 public:
  void ok(const std::string& item, const std::string& detail) { print("ok  ", item, detail, ""); }
  void fail(const std::string& item, const std::string& detail, const std::string& hint) {
    ++failures_;
    print("FAIL", item, detail, hint);
  }
  void skip(const std::string& item, const std::string& why) { print("skip", item, why, ""); }
  int failures() const { return failures_; }

 private:
  static void print(const char* mark, const std::string& item, const std::string& detail,
                    const std::string& hint) {
    std::cout << fmt::format("[{}] {}: {}\n", mark, item, detail);
    if (!hint.empty()) std::cout << "       hint: " << hint << "\n";
  }
  int failures_ = 0;
};

void check_token(const shared::Scenario& s, Checklist& list) {
  const auto& auth = s.target.auth;
  if (auth.jwt) {
    list.ok("token", "one HS256 token per connection, signed by the agents");
    return;
  }
  if (auth.token.empty()) {
    list.skip("token",
              "the scenario sends no token (set AUTH_TOKEN or --token if the server requires one)");
    return;
  }
  const auto claims_text = shared::jwt_decode_claims_unverified(auth.token);
  if (!claims_text) {
    list.ok("token", "present (not a JWT, so its expiry cannot be checked)");
    return;
  }
  const auto claims = nlohmann::json::parse(*claims_text, nullptr, false);
  if (!claims.is_object() || !claims.contains("exp") || !claims["exp"].is_number()) {
    list.fail(
        "token",
        "JWT without an expiry (exp): a token should expire, and wsload-target refuses it (401)",
        "make one that expires: wsload token --secret S --ttl 24h");
    return;
  }
  const auto left = claims["exp"].get<int64_t>() - shared::unix_s_now();
  if (left <= 0) {
    list.fail("token", fmt::format("JWT expired {} s ago", -left),
              "make a new one: wsload token --secret S --ttl 24h");
  } else {
    list.ok("token", fmt::format("JWT valid for another {} h {} min (sub {})", left / 3600,
                                 left % 3600 / 60, claims.value("sub", std::string("-"))));
  }
}

void check_handshake(const shared::Scenario& s, Checklist& list) {
  const auto& url = s.target.url;
  if (url.rfind("wss://", 0) == 0) {
    list.skip("websocket handshake", "wss:// is checked by the agents during a run, not by doctor");
    return;
  }
  std::string error;
  auto parsed = parse_http_url(url, &error);
  if (!parsed) {
    list.fail("websocket handshake", error, "target.url must be ws://host:port/path or wss://...");
    return;
  }
  if (s.target.auth.in == shared::TokenPlacement::kQuery && !s.target.auth.token.empty()) {
    parsed->target += (parsed->target.find('?') == std::string::npos ? "?" : "&") +
                      s.target.auth.query_param + "=" + s.target.auth.token;
  }
  std::string headers =
      "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: "
      "13\r\nSec-WebSocket-Key: "
      "dGhlIHNhbXBsZSBub25jZQ==\r\n";
  if (s.target.auth.in == shared::TokenPlacement::kHeader && !s.target.auth.token.empty()) {
    headers += "Authorization: Bearer " + s.target.auth.token + "\r\n";
  }
  for (const auto& [name, value] : s.target.headers)
    headers += fmt::format("{}: {}\r\n", name, value);
  const auto r = http_request(*parsed, headers, std::chrono::milliseconds(5000));
  if (!r.error.empty()) {
    list.fail("target reachable", url + ": " + r.error,
              "is the server running on that host and port?");
  } else if (r.status == 101) {
    list.ok("websocket handshake", url + " answered 101 Switching Protocols");
  } else {
    const auto hint = r.status == 401 || r.status == 403
                          ? "the token is missing, expired or signed with another secret"
                      : r.status == 404                    ? "check the path of target.url"
                      : r.status == 429 || r.status == 503 ? "the server's rate or connection limit"
                                                           : "the server refused the upgrade";
    list.fail("websocket handshake", fmt::format("{} answered HTTP {}", url, r.status), hint);
  }
}

void check_monitor(const shared::Scenario& s, Checklist& list) {
  if (!s.monitor) {
    list.skip("health URL", "the scenario has no monitor");
    return;
  }
  std::string error;
  auto parsed = parse_http_url(s.monitor->url, &error);
  if (!parsed) {
    list.fail("health URL", error, "monitor.url must be http://");
    return;
  }
  const auto r = http_request(*parsed, "", std::chrono::milliseconds(5000));
  if (r.error.empty() && r.status == 200) {
    list.ok("health URL", s.monitor->url + " answered 200");
  } else {
    list.fail(
        "health URL",
        s.monitor->url + ": " + (r.error.empty() ? "HTTP " + std::to_string(r.status) : r.error),
        "check monitor.url and that the server exposes it");
  }
}

// The guide's "NATS server running and accessible", for every server named by NATS_URL.
void check_nats(Checklist& list) {
  constexpr auto kTimeout = std::chrono::seconds(3);
  const char* env = std::getenv("NATS_URL");
  const auto urls = split_nats_urls(env ? env : "");
  if (urls.empty()) {
    list.skip("NATS server", "NATS_URL is not set (set it when the server relays a NATS subject)");
    return;
  }
  for (const auto& url : urls) {
    std::string error;
    const auto endpoint = parse_nats_url(url, &error);
    if (!endpoint) {
      list.fail("NATS server", error,
                "NATS_URL must be nats://host:port (comma-separated for several)");
      continue;
    }
    const auto probe = probe_nats(*endpoint, kTimeout);
    if (probe.ok) {
      list.ok("NATS server", endpoint->url + " answered INFO (" + probe.detail + ")");
    } else {
      list.fail("NATS server", endpoint->url + ": " + probe.detail,
                "start it (nats-server -p " + endpoint->port +
                    ") or fix NATS_URL; the publisher and the server's "
                    "relay need it");
    }
  }
}

// Without --agents: the plan `run` would make on this machine (the same refusal rule) and the
// local port range.
void check_local_agents(const shared::Scenario& s, Checklist& list) {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  // The most connections open at once (an arrival model opens more over the run).
  const uint64_t peak = shared::LoadPlan(s.load).peak();
  const auto plan = plan_local_agents(peak, 0, false);
  if (!plan.refusal.empty()) {
    list.fail("local agents", plan.refusal, "run agents on other machines and pass --agents");
  } else {
    list.ok("local agents",
            fmt::format("{} local agent(s) would be spawned for {} connections (fd hard limit {})",
                        plan.agents, peak, static_cast<uint64_t>(limit.rlim_max)));
  }
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  uint64_t low = 0, high = 0;
  if (!(range >> low >> high) || high < low) return;
  const uint64_t ports = high - low + 1;
  if (peak > ports) {
    list.fail(
        "ephemeral ports",
        fmt::format("{} connections to one target need more than the {} local ports", peak, ports),
        "widen net.ipv4.ip_local_port_range or use agents with --source-ips");
  } else {
    list.ok("ephemeral ports", fmt::format("{} ports for {} connections", ports, peak));
  }
}

// One agent's answer to the hello: reachable, compatible, and with room for its share.
void check_agent_answer(const std::string& name, const AgentEvent& event, uint64_t share,
                        Checklist& list) {
  if (!event.message) {
    list.fail("agent " + name, describe_status(name, event.status),
              "start it with wsload-agent --listen ... and pass the same --agent-token");
    return;
  }
  const auto& hello = event.message->hello();
  if (hello.protocol_version() != proto::kProtocolVersion) {
    list.fail("agent " + name,
              fmt::format("protocol {} (version {}), expected {}", hello.protocol_version(),
                          hello.agent_version(), proto::kProtocolVersion),
              "run the same wsload version everywhere");
  } else if (auto why = share_refusal(hello, share)) {
    // The same rule `run` applies before it assigns anything.
    list.fail("agent " + name,
              fmt::format("cannot hold its share of {} connections: {}", share, *why),
              "add agents, raise its open-files limit, or give it --source-ips");
  } else {
    list.ok("agent " + name, fmt::format("{} {} on {}, {} threads, share {} of fd budget {}",
                                         "wsload-agent", hello.agent_version(), hello.hostname(),
                                         hello.threads(), share, hello.fd_budget()));
  }
}

void check_agents(const shared::Scenario& s, const DoctorRequest& request, Checklist& list) {
  if (request.agents_spec.empty()) return check_local_agents(s, list);
  std::string error;
  auto parsed = parse_agents(request.agents_spec, &error);
  if (!parsed) {
    list.fail("agents", error, "--agents host:port[@weight],... or dns:///name:port");
    return;
  }
  const auto endpoints = resolve_endpoints(*parsed);
  if (endpoints.empty()) {
    list.fail("agents", "no agent address resolved from " + request.agents_spec, "check the names");
    return;
  }
  std::vector<double> weights;
  weights.reserve(endpoints.size());
  for (const auto& e : endpoints) weights.push_back(e.weight);
  // The split a run would make (groups apportioned over the agents on their own).
  shared::AgentSplit split;
  if (!shared::split_agents(s.load.connections, shared::effective_groups(s), weights, &split)
           .empty()) {
    split.shares = shared::apportion(s.load.connections, weights);
  }
  // What each agent holds at once: its share, or for arrivals its most overlapping sessions.
  std::vector<uint64_t> shares = split.shares;
  if (s.load.arrival) {
    const shared::LoadPlan plan(s.load);
    for (size_t i = 0; i < shares.size(); ++i) {
      if (shares[i] <= (uint64_t{1} << 24)) shares[i] = plan.peak_of(shared::agent_ids(split, i));
    }
  }
  EventQueue events;
  std::vector<std::unique_ptr<AgentLink>> links;
  for (size_t i = 0; i < endpoints.size(); ++i) {
    links.push_back(std::make_unique<AgentLink>(i, endpoints[i].address, request.agent_token,
                                                events, std::chrono::nanoseconds::zero(),
                                                request.agent_ca_pem));
    v1::ControllerMessage hello;
    hello.set_command_id(1);
    hello.mutable_hello()->set_controller_version(WSLOAD_VERSION);
    hello.mutable_hello()->set_protocol_version(proto::kProtocolVersion);
    links.back()->send(hello);
  }
  std::vector<bool> answered(endpoints.size());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (size_t pending = endpoints.size(); pending > 0;) {
    auto event = events.pop(deadline);
    if (!event) break;
    if (answered[event->agent]) continue;
    answered[event->agent] = true;
    --pending;
    check_agent_answer(endpoints[event->agent].address, *event, shares[event->agent], list);
  }
  for (size_t i = 0; i < endpoints.size(); ++i) {
    if (!answered[i])
      list.fail("agent " + endpoints[i].address, "no answer within 5 s", "is the address right?");
  }
  for (auto& link : links) link->close_writes();
}

}  // namespace

int doctor_command(const DoctorRequest& request) {
  scenario::Overrides overrides;
  if (!request.url.empty()) overrides.url = request.url;
  if (!request.token.empty()) overrides.token = request.token;
  auto loaded = load_plan(request.scenario, overrides);
  if (!loaded) return kExitUsage;
  const auto& plan = *loaded;
  Checklist list;
  const auto& s = plan.stages.front();
  list.ok("scenario", fmt::format("{}: {} stage(s), first: {} connections to {}", plan.name,
                                  plan.stages.size(), s.load.connections, s.target.url));
  check_token(s, list);
  check_handshake(s, list);
  check_monitor(s, list);
  check_nats(list);
  check_agents(s, request, list);
  std::cout << (list.failures() == 0 ? "all checks passed\n"
                                     : fmt::format("{} check(s) failed\n", list.failures()));
  return list.failures() == 0 ? kExitPassed : kExitThresholdFailed;
}

}  // namespace wsload::controller
