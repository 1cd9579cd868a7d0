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

// `target.compression` (SPEC §3b): kDeflate offers permessage-deflate (RFC 7692); the server
// decides, and a session it declines runs uncompressed.
enum class Compression : uint8_t { kNone, kDeflate };

struct TargetSpec {
  std::string url = "ws://localhost:3001/ws";
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::string> subprotocols;
  AuthSpec auth;
  TlsSpec tls;
  std::chrono::nanoseconds connect_timeout = 10s;  // TCP connect + TLS + upgrade
  Compression compression = Compression::kNone;
};

// One k6-like stage: the planned number of open connections goes linearly to `to` over `over`.
struct LoadStage {
  uint64_t to = 0;
  std::chrono::nanoseconds over = 0s;
  bool operator==(const LoadStage&) const = default;
};

// An open model of sessions: arrival i opens at i / rate (rate = count per `per`) and closes
// `lifetime` later; arrivals come for `duration`.
struct ArrivalSpec {
  uint64_t count = 0;                 // arrivals per `per`
  std::chrono::nanoseconds per = 1s;  // e.g. 200/s: count 200, per 1s; 30/m: 30 per 60s
  std::chrono::nanoseconds lifetime = 30s;
  std::chrono::nanoseconds duration = 60s;
  bool operator==(const ArrivalSpec&) const = default;
};

// The load shape (SPEC §3, §3b): a linear ramp-up, hold and ramp-down; or stages; or arrivals.
// `connections` is always the number of global connection ids of the run: the ramp's count, the
// stages' peak, or the number of arrivals (the loader sets it; shared::LoadPlan reads it).
struct LoadSpec {
  uint64_t connections = 100;
  std::chrono::nanoseconds ramp_up = 10s;
  std::chrono::nanoseconds hold = 30s;      // after ramp-up
  std::chrono::nanoseconds ramp_down = 0s;  // connections close spread over this
  std::vector<LoadStage> stages;            // non-empty: stages instead of ramp_up/hold/ramp_down
  std::optional<ArrivalSpec> arrival;       // set: arrivals instead of the ramp
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

// One stream of requests of a connection (format v1: the `messages` block, named "default").
struct MessagesSpec {
  std::string name = "default";            // unique in the scenario (streams.<name>.* metrics)
  std::chrono::nanoseconds interval = 5s;  // per connection; 0 = closed loop
  // No request before this long after the stage's start (k6's startTime): the slots of the
  // connection's schedule (its opening + k * interval) that fall earlier are skipped, not sent
  // and not scheduled, so the phases stay spread as the ramp spread them. Open loop only.
  std::chrono::nanoseconds start{0};
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

// What a step sends: one frame rendered from a template (kind ping: a ping frame, no template).
struct SendSpec {
  MessageKind kind = MessageKind::kJson;
  std::string payload_template;
  uint64_t size = 0;  // binary: payload bytes when no template is given
};

// What a step waits for after its send: the reply to it (match by field or next), or, with
// `where`, the first server message whose top-level fields equal the given scalars.
struct ExpectSpec {
  Match match;  // kField or kNext; unused when `where` is set
  // field -> expected value as JSON scalar text (a string's contents, or a number/true/false/null
  // literal as written); all must match. Empty = match the reply to the step's send.
  std::vector<std::pair<std::string, std::string>> where;
  std::chrono::nanoseconds timeout = 5s;
};

// One step of a session (on_open or on_close), run in order: send, then expect (and capture from
// the message it matched), then wait.
struct StepSpec {
  std::string name;  // unique in the scenario (steps.<name>.* metrics)
  std::optional<SendSpec> send;
  std::optional<ExpectSpec> expect;  // on_open only
  // variable -> field of the expected message; {{var.<variable>}} in later templates.
  std::vector<std::pair<std::string, std::string>> capture;
  std::chrono::nanoseconds wait = 0s;  // pause at the end of the step
};

// One kind of client (format v2 `groups`; a v1 file is one group named "default").
struct GroupSpec {
  std::string name = "default";         // unique (groups.<name>.* metrics)
  uint64_t weight = 1;                  // share of the connections not taken by absolute groups
  std::optional<uint64_t> connections;  // absolute count instead of a weight
  TargetSpec target;                    // the scenario's target with this group's overrides
  std::vector<StepSpec> on_open;        // after the 101, in order; a failure ends the session
  std::vector<MessagesSpec> streams;    // each on its own schedule from the end of on_open
  std::vector<StepSpec> on_close;       // before a planned close (sends only)
  PushSpec push;
};

// A data feeder: a CSV table with a header row. Connection `id` uses row id % row_count.
struct DataRow {
  uint64_t index = 0;               // row number in the file, from 0 (header excluded)
  std::vector<std::string> values;  // one per column
};
struct DataFeeder {
  std::string name;
  std::string file;  // as written in the scenario (messages only)
  std::vector<std::string> columns;
  uint64_t row_count = 0;     // rows in the file
  std::vector<DataRow> rows;  // by increasing index: every row, or an agent's subset
};

// Reconnect after an unexpected disconnect: attempt k (from 1) waits backoff * 2^(k-1), capped
// at max_backoff; with jitter, a uniformly random part of that (full jitter), drawn from a
// generator seeded by (seed, connection id, attempt) so that runs are reproducible.
struct ReconnectSpec {
  bool enabled = false;
  uint32_t max_attempts = 3;
  std::chrono::nanoseconds backoff = 1s;
  std::chrono::nanoseconds max_backoff = 0s;  // 0 = a fixed backoff (no growth), as in format v1
  bool jitter = false;
  uint64_t seed = 0;
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
  // Format v2 (SPEC §3a). Empty groups = a v1 file: one group "default" made of target, messages
  // and push above (shared::effective_groups). With groups, `messages` is unused.
  std::vector<GroupSpec> groups;
  std::vector<DataFeeder> data;

  bool has_sessions() const { return !groups.empty(); }
  // target.compression: deflate, of the scenario or of any group.
  bool offers_compression() const {
    if (target.compression == Compression::kDeflate) return true;
    for (const GroupSpec& g : groups) {
      if (g.target.compression == Compression::kDeflate) return true;
    }
    return false;
  }
};

// What a scenario file or preset name yields: one stage, or a progressive sequence of stages.
struct ScenarioPlan {
  std::string name;
  std::vector<Scenario> stages;            // one for a plain scenario
  std::chrono::nanoseconds cooldown = 0s;  // between stages
  bool is_sequence() const { return stages.size() > 1; }
};

}  // namespace wsload::shared
