#pragma once
// The scenario: an immutable value parsed in one place (wsload::scenario, scenario/) and carried
// typed through proto/ to the agent. Times are nanoseconds.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "wsload/shared/threshold.hpp"

namespace wsload::shared {

using namespace std::chrono_literals;

enum class MessageKind { kPing, kText, kBinary, kJson };
enum class TokenPlacement { kHeader, kQuery };

struct JwtAuthSpec {
  std::string secret;
  std::string subject = "user-{{conn}}";  // template: {{conn}} {{agent}}
  std::chrono::nanoseconds ttl = 1h;
};

struct AuthSpec {
  std::string token;               // static bearer token; empty = none
  std::optional<JwtAuthSpec> jwt;  // one token per connection, signed by the agent
  TokenPlacement in = TokenPlacement::kHeader;
  std::string query_param = "token";
};

struct TlsSpec {
  bool verify = true;
  std::string ca_file;  // empty = system store
};

struct TargetSpec {
  std::string url = "ws://localhost:3001/ws";
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::string> subprotocols;
  AuthSpec auth;
  TlsSpec tls;
  std::chrono::nanoseconds connect_timeout = 10s;  // TCP connect + TLS + upgrade
};

struct LoadSpec {
  uint64_t connections = 100;
  std::chrono::nanoseconds ramp_up = 10s;
  std::chrono::nanoseconds hold = 30s;      // after ramp-up
  std::chrono::nanoseconds ramp_down = 0s;  // connections close spread over this
};

// How a reply is paired with the request it answers; YAML `messages.match` is the field name,
// `next` or `none`. With kind ping the replies are pong frames whose payload is the request's
// sequence number: they pair by that number in modes kField and kNext, and not at all in kNone.
struct Match {
  enum class Mode {
    kField,  // the reply's JSON field `field` holds the request's sequence number
    kNext,   // a reply answers the oldest request in flight
    kNone,   // replies are not paired: no latency, no timeouts
  };
  Mode mode = Mode::kField;
  std::string field = "id";  // kField only; empty in the other modes

  static Match by_field(std::string name) { return Match{Mode::kField, std::move(name)}; }
  static Match next() { return Match{Mode::kNext, {}}; }
  static Match none() { return Match{Mode::kNone, {}}; }
  // The YAML spelling: the field name, "next" or "none".
  std::string to_string() const {
    return mode == Mode::kField ? field : mode == Mode::kNext ? "next" : "none";
  }
  bool operator==(const Match&) const = default;
};

struct MessagesSpec {
  std::chrono::nanoseconds interval = 5s;  // per connection; 0 = closed loop
  MessageKind kind = MessageKind::kJson;
  std::string payload_template = R"({"type":"ping","id":{{seq}}})";
  Match match;  // the loader's default depends on the kind
  std::chrono::nanoseconds timeout = 5s;
  uint64_t size = 0;  // binary: payload bytes when no template is given
};

struct PushSpec {
  std::string sequence_field;   // empty = no sequence accounting
  std::string timestamp_field;  // empty = no delivery latency (value: microseconds since epoch)
};

struct ReconnectSpec {
  bool enabled = false;
  uint32_t max_attempts = 3;
  std::chrono::nanoseconds backoff = 1s;
};

struct MonitorSpec {
  std::string url;
  std::chrono::nanoseconds interval = 5s;
};

struct Scenario {
  std::string name;
  std::string description;
  TargetSpec target;
  LoadSpec load;
  std::optional<MessagesSpec> messages;  // nullopt = idle connections
  PushSpec push;
  ReconnectSpec reconnect;
  std::optional<MonitorSpec> monitor;
  std::vector<Threshold> thresholds;
};

// What a scenario file or preset name yields: one stage, or a progressive sequence of stages.
struct ScenarioPlan {
  std::string name;
  std::vector<Scenario> stages;            // one for a plain scenario
  std::chrono::nanoseconds cooldown = 0s;  // between stages
  bool is_sequence() const { return stages.size() > 1; }
};

}  // namespace wsload::shared
