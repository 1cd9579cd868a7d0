#pragma once
// The immutable, pre-digested form of an Assignment that every worker and connection reads
// (shared between threads read-only). Built and validated once by make_run_config().
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "wsload/agent/engine.hpp"
#include "wsload/shared/message_template.hpp"

namespace wsload::agent {

struct TargetEndpoint {
  bool tls = false;
  std::string host;         // for DNS and SNI, without brackets
  std::string port;         // decimal
  std::string host_header;  // Host header value: host, or host:port when not the default port
  std::string target;       // path and query, e.g. "/ws?x=1"
};

using MatchMode = shared::Match::Mode;

struct RunConfig {
  Assignment assignment;
  TargetEndpoint endpoint;
  std::optional<shared::MessageTemplate> message_template;  // json/text/binary with a template
  std::string binary_payload;                               // binary with size > 0
  std::optional<shared::MessageTemplate> jwt_subject;       // when auth.jwt is set
  // messages.match, copied for the hot path; kNone without messages. Kind ping pairs each pong by
  // the sequence number in its payload in any mode but kNone (match_field unused).
  MatchMode match = MatchMode::kNone;
  std::string match_field;         // kField only
  std::string subprotocol_header;  // "a, b" or empty

  const shared::Scenario& scenario() const { return assignment.scenario; }
};

// Parses ws:// or wss:// URLs; nullopt and *error on anything else.
std::optional<TargetEndpoint> parse_target_url(const std::string& url, std::string* error);

// Validates and digests an assignment; returns the error text when it cannot run.
std::variant<std::shared_ptr<const RunConfig>, std::string> make_run_config(Assignment assignment);

// Percent-encodes everything but RFC 3986 unreserved characters (for a token in the query).
std::string percent_encode(std::string_view text);

}  // namespace wsload::agent
