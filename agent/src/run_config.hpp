#pragma once
// The immutable, pre-digested form of an Assignment that every worker and connection reads
// (shared between threads read-only). Built and validated once by make_run_config().
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "wsload/agent/engine.hpp"
#include "wsload/shared/message_template.hpp"
#include "wsload/shared/metrics.hpp"

namespace wsload::agent {

struct TargetEndpoint {
  bool tls = false;
  std::string host;         // for DNS and SNI, without brackets
  std::string port;         // decimal
  std::string host_header;  // Host header value: host, or host:port when not the default port
  std::string target;       // path and query, e.g. "/ws?x=1"
};

using MatchMode = shared::Match::Mode;

// What a request or a step sends, digested: a compiled template, or fixed binary bytes.
struct Payload {
  shared::MessageKind kind = shared::MessageKind::kJson;
  std::optional<shared::MessageTemplate> text;  // json/text/binary with a template
  std::string binary;                           // binary with size > 0 (and no template)
};

// One stream of a group, pre-digested for the hot path.
struct StreamRuntime {
  shared::MessagesSpec spec;
  Payload payload;
  // spec.match copied; kind ping pairs each pong by the sequence number in its payload in any mode
  // but kNone (match_field unused).
  MatchMode match = MatchMode::kNone;
  std::string match_field;  // kField only
  uint32_t part = 0;        // index in PartsDelta::streams
};

// One step of a group's on_open or on_close.
struct StepRuntime {
  shared::StepSpec spec;
  std::optional<Payload> send;
  std::vector<uint32_t> capture_vars;  // per spec.capture entry: its index in GroupRuntime::vars
  uint32_t part = 0;                   // index in PartsDelta::steps
};

// One group (a v1 scenario: the one group "default"), pre-digested.
struct GroupRuntime {
  uint32_t index = 0;
  shared::TargetSpec target;
  TargetEndpoint endpoint;
  // endpoint.target, header values and the static token when they hold placeholders
  // ({{data.F.C}}, {{conn}}, ...): rendered per connection.
  std::optional<shared::MessageTemplate> target_template;
  std::vector<std::optional<shared::MessageTemplate>> header_templates;  // by target.headers index
  std::optional<shared::MessageTemplate> token_template;
  std::optional<shared::MessageTemplate> jwt_subject;  // when auth.jwt is set
  std::string subprotocol_header;                      // "a, b" or empty
  std::vector<StepRuntime> on_open;
  std::vector<StreamRuntime> streams;
  std::vector<StepRuntime> on_close;
  shared::PushSpec push;
  std::vector<std::string> vars;  // variables captured by on_open steps, by index
  // Every stream of the group has the same timeout: the oldest request in flight times out first.
  bool uniform_timeouts = true;
  // How a data frame is paired with a request: the distinct fields of the streams that match by
  // field (not kind ping), and whether a stream pairs by `next` (then the only replying stream).
  std::vector<std::string> reply_fields;
  bool match_next = false;
  bool ping_replies = false;     // a stream of kind ping pairs its pongs (match not none)
  bool has_closed_loop = false;  // a stream with interval 0 sends again after each reply
  // A connection of this group needs per-session state (steps, captured values, or more than one
  // stream); otherwise it runs exactly like a v1 connection.
  bool needs_session() const { return !on_open.empty() || !on_close.empty() || streams.size() > 1; }
};

struct RunConfig {
  Assignment assignment;
  std::vector<GroupRuntime> groups;    // at least one
  std::vector<uint64_t> group_counts;  // connections per group over the whole run
  bool sessions = false;               // format v2: parts are recorded (PartsDelta)

  const shared::Scenario& scenario() const { return assignment.scenario; }
  // The group of global connection `id`.
  const GroupRuntime& group_of(uint32_t id) const;
  // The row values of feeder `feeder` for connection `id`; nullptr when this agent has no such row.
  const std::vector<std::string>* data_row(size_t feeder, uint32_t id) const;
};

// Parses ws:// or wss:// URLs; nullopt and *error on anything else.
std::optional<TargetEndpoint> parse_target_url(const std::string& url, std::string* error);

// Validates and digests an assignment; returns the error text when it cannot run.
std::variant<std::shared_ptr<const RunConfig>, std::string> make_run_config(Assignment assignment);

// Sizes delta.parts for the run (one slot per group, stream and step of a format-v2 run; nothing
// for v1), so that connections record into them without checks.
void size_parts(shared::MetricsDelta& delta, const RunConfig& cfg);

// Percent-encodes everything but RFC 3986 unreserved characters (for a token in the query).
std::string percent_encode(std::string_view text);

}  // namespace wsload::agent
