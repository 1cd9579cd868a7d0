#include "wsload/scenario/scenario_loader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <ostream>
#include <tuple>

#include "v2_test_support.hpp"

namespace wsload::scenario {

using namespace shared;  // the model types (scenario.hpp) and core parsers

namespace {

using namespace std::chrono_literals;
using testing::dump;
using testing::env_of;
using testing::load_ok;

const std::string kDir = std::string(WSLOAD_TEST_DATA_DIR) + "/scenarios/";

// ---- malformed fixtures: one problem each, exact place and a fragment of the message ----

struct BadFile {
  std::string file;
  int line;
  int column;
  std::string fragment;
};

void PrintTo(const BadFile& bad, std::ostream* os) { *os << bad.file; }

class BadFixture : public ::testing::TestWithParam<BadFile> {};

TEST_P(BadFixture, ReportsExactlyOneDiagnosticAtThePlace) {
  const BadFile& bad = GetParam();
  const LoadResult r = load_scenario(kDir + bad.file, env_of({}));
  EXPECT_FALSE(r.plan.has_value());
  ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r.diagnostics);
  const Diagnostic& d = r.diagnostics[0];
  EXPECT_EQ(d.file, kDir + bad.file);
  EXPECT_EQ(d.line, bad.line) << d.to_string();
  EXPECT_EQ(d.column, bad.column) << d.to_string();
  EXPECT_NE(d.message.find(bad.fragment), std::string::npos) << d.to_string();
}

INSTANTIATE_TEST_SUITE_P(
    Scenarios, BadFixture,
    ::testing::Values(
        BadFile{"bad_syntax.yaml", 4, 7, "YAML syntax error: end of sequence flow not found"},
        BadFile{"bad_unknown_top_key.yaml", 2, 1, "unknown key 'trget'; did you mean 'target'?"},
        BadFile{"bad_unknown_nested_key.yaml", 3, 3,
                "load: unknown key 'conections'; did you mean 'connections'?"},
        BadFile{"bad_wrong_type.yaml", 3, 16,
                "load.connections: expected a positive integer, got 'lots'"},
        BadFile{"bad_duration.yaml", 5, 9, "load.hold: expected a duration"},
        BadFile{"bad_kind.yaml", 4, 9,
                "messages.kind: expected one of ping, text, binary, json, got 'jsn'; did you "
                "mean 'json'?"},
        BadFile{"bad_threshold.yaml", 4, 5, "thresholds[1]: unknown metric 'latency.avgg'"},
        BadFile{"bad_url_scheme.yaml", 3, 8,
                "target.url: expected a ws:// or wss:// URL, got 'http://localhost:3001/ws'"},
        BadFile{"bad_negative_connections.yaml", 3, 16,
                "load.connections: expected a positive integer, got '-5'"},
        BadFile{"bad_unterminated_var.yaml", 3, 8, "target.url: unterminated '${'"},
        BadFile{"bad_template_variable.yaml", 4, 13,
                "messages.template: unknown template variable 'sq'"},
        BadFile{"bad_match.yaml", 3, 10, "messages.match: expected a JSON field name"},
        BadFile{"bad_section_type.yaml", 2, 7, "load: expected a mapping, got '1000'"},
        BadFile{"bad_duplicate_key.yaml", 4, 3, "load: duplicate key 'connections'"},
        BadFile{"bad_token_placement.yaml", 5, 9,
                "target.auth.in: expected one of header, query, got 'cookie'"},
        BadFile{"bad_sequence_mixed.yaml", 4, 3, "load: cannot be combined with 'sequence'"}),
    [](const ::testing::TestParamInfo<BadFile>& info) {
      std::string name = info.param.file.substr(0, info.param.file.find('.'));
      for (char& c : name) {
        if (c == '-') c = '_';
      }
      return name;
    });

TEST(ScenarioLoader, ReportsEveryErrorOfAFileAtOnce) {
  const std::string file = kDir + "bad_many_errors.yaml";
  const LoadResult r = load_scenario(file, env_of({}));
  EXPECT_FALSE(r.plan.has_value());
  const std::vector<std::tuple<int, int, std::string>> expected = {
      {3, 8, "target.url: expected a ws:// or wss:// URL, got 'ftp://example.com/ws'"},
      {4, 20, "target.connect_timeout: expected a duration"},
      {6, 16, "load.connections: expected a positive integer, got '0'"},
      {7, 3, "load: unknown key 'hodl'; did you mean 'hold'?"},
      {10, 12, "messages.timeout: must not be negative, got '-1s'"},
      {12, 5, "thresholds[0]: "},
  };
  ASSERT_EQ(r.diagnostics.size(), expected.size()) << dump(r.diagnostics);
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto& [line, column, fragment] = expected[i];
    EXPECT_EQ(r.diagnostics[i].file, file);
    EXPECT_EQ(r.diagnostics[i].line, line) << r.diagnostics[i].to_string();
    EXPECT_EQ(r.diagnostics[i].column, column) << r.diagnostics[i].to_string();
    EXPECT_NE(r.diagnostics[i].message.find(fragment), std::string::npos)
        << r.diagnostics[i].to_string();
  }
  EXPECT_EQ(r.diagnostics[0].to_string(),
            file + ":3:8: target.url: expected a ws:// or wss:// URL, got 'ftp://example.com/ws'");
}

TEST(ScenarioLoader, MissingFileNamesThePathAndThePresets) {
  const std::string path = kDir + "no_such_file.yaml";
  const LoadResult r = load_scenario(path, env_of({}));
  EXPECT_FALSE(r.plan.has_value());
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].file, path);
  EXPECT_EQ(r.diagnostics[0].line, 0);
  EXPECT_NE(r.diagnostics[0].message.find("'" + path + "' is neither a preset nor a readable file"),
            std::string::npos);
  EXPECT_NE(r.diagnostics[0].message.find("quick, medium, stress, progressive"), std::string::npos);
  EXPECT_EQ(r.diagnostics[0].to_string(), path + ": " + r.diagnostics[0].message);
}

TEST(ScenarioLoader, ADirectoryIsNotAReadableFile) {
  const LoadResult r = load_scenario(kDir + "stages", env_of({}));
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_NE(r.diagnostics[0].message.find("neither a preset nor a readable file"),
            std::string::npos);
}

// ---- the full-featured fixture ----

TEST(ScenarioLoader, FullFixtureReadsEveryKey) {
  const LoadResult r = load_scenario(kDir + "good_full.yaml", env_of({}));
  ASSERT_TRUE(r.diagnostics.empty()) << dump(r.diagnostics);
  ASSERT_TRUE(r.plan.has_value());
  EXPECT_EQ(r.plan->name, "full");
  ASSERT_EQ(r.plan->stages.size(), 1u);
  EXPECT_EQ(r.plan->cooldown, 0s);
  const Scenario& s = r.plan->stages[0];
  EXPECT_EQ(s.name, "full");
  EXPECT_EQ(s.description, "Every key in use");
  EXPECT_EQ(s.target.url, "wss://example.test:8443/ws");
  using Header = std::pair<std::string, std::string>;
  EXPECT_EQ(s.target.headers, (std::vector<Header>{{"X-Client", "wsload"}, {"X-Run", "local"}}));
  EXPECT_EQ(s.target.subprotocols, (std::vector<std::string>{"odin.v1", "odin.v2"}));
  EXPECT_EQ(s.target.auth.token, "");
  ASSERT_TRUE(s.target.auth.jwt.has_value());
  EXPECT_EQ(s.target.auth.jwt->secret, "s3cret");
  EXPECT_EQ(s.target.auth.jwt->subject, "user-{{conn}}-{{agent}}");
  EXPECT_EQ(s.target.auth.jwt->ttl, 2h);
  EXPECT_EQ(s.target.auth.in, TokenPlacement::kQuery);
  EXPECT_EQ(s.target.auth.query_param, "access_token");
  EXPECT_FALSE(s.target.tls.verify);
  EXPECT_EQ(s.target.tls.ca_file, "/etc/ssl/ca.pem");
  EXPECT_EQ(s.target.connect_timeout, 7s);
  EXPECT_EQ(s.load.connections, 250u);
  EXPECT_EQ(s.load.ramp_up, 15s);
  EXPECT_EQ(s.load.hold, 90s);
  EXPECT_EQ(s.load.ramp_down, 5s);
  ASSERT_TRUE(s.messages.has_value());
  EXPECT_EQ(s.messages->interval, 250ms);
  EXPECT_EQ(s.messages->kind, MessageKind::kText);
  EXPECT_EQ(s.messages->payload_template,
            "hello {{seq}} from {{conn}} at {{now_us}} r{{random 10}} costs $5");
  EXPECT_EQ(s.messages->match, Match::next());
  EXPECT_EQ(s.messages->timeout, 2s);
  EXPECT_EQ(s.push.sequence_field, "seq");
  EXPECT_EQ(s.push.timestamp_field, "ts");
  EXPECT_TRUE(s.reconnect.enabled);
  EXPECT_EQ(s.reconnect.max_attempts, 5u);
  EXPECT_EQ(s.reconnect.backoff, 500ms);
  ASSERT_TRUE(s.monitor.has_value());
  EXPECT_EQ(s.monitor->url, "http://localhost:3001/stats");
  EXPECT_EQ(s.monitor->interval, 2s);
  ASSERT_EQ(s.thresholds.size(), 3u);
  EXPECT_EQ(s.thresholds[0].metric, "connections.success_rate");
  EXPECT_EQ(s.thresholds[0].op, CompareOp::kGreaterEqual);
  EXPECT_DOUBLE_EQ(s.thresholds[0].value, 99);
  EXPECT_EQ(s.thresholds[1].metric, "latency.p99");
  EXPECT_DOUBLE_EQ(s.thresholds[1].value, 50);
  EXPECT_EQ(s.thresholds[2].expression, "errors.rate < 1%");
  EXPECT_TRUE(validate_scenario(s).empty()) << dump(validate_scenario(s));
}

TEST(ScenarioLoader, FullFixtureTakesValuesFromTheEnvironment) {
  const LoadResult r = load_scenario(
      kDir + "good_full.yaml",
      env_of({{"WS_URL", "ws://127.0.0.1:9000/ws"}, {"RUN_ID", "ci-42"}, {"JWT_SECRET", "k"}}));
  ASSERT_TRUE(r.plan.has_value()) << dump(r.diagnostics);
  const Scenario& s = r.plan->stages[0];
  EXPECT_EQ(s.target.url, "ws://127.0.0.1:9000/ws");
  EXPECT_EQ(s.target.headers[1].second, "ci-42");
  EXPECT_EQ(s.target.auth.jwt->secret, "k");
}

TEST(ScenarioLoader, BinarySizeWithoutTemplateAndKindDefaults) {
  const LoadResult r = load_scenario(kDir + "good_binary.yaml", env_of({}));
  ASSERT_TRUE(r.plan.has_value()) << dump(r.diagnostics);
  const Scenario& s = r.plan->stages[0];
  ASSERT_TRUE(s.messages.has_value());
  EXPECT_EQ(s.messages->kind, MessageKind::kBinary);
  EXPECT_EQ(s.messages->size, 512u);
  EXPECT_EQ(s.messages->payload_template, "");
  EXPECT_EQ(s.messages->match,
            Match::next());  // binary replies pair by order unless told otherwise
  EXPECT_EQ(s.messages->interval, 0s);
}

TEST(ScenarioLoader, MinimalFileGetsStructDefaultsAndFileStemAsName) {
  const LoadResult r =
      parse_scenario_text("load: { connections: 3 }\n", "dir/my_test.yaml", env_of({}));
  ASSERT_TRUE(r.plan.has_value()) << dump(r.diagnostics);
  const Scenario& s = r.plan->stages[0];
  EXPECT_EQ(r.plan->name, "my_test");
  EXPECT_EQ(s.name, "my_test");
  EXPECT_EQ(s.load.connections, 3u);
  EXPECT_EQ(s.load.hold, 30s);
  EXPECT_EQ(s.target.url, "ws://localhost:3001/ws");
  EXPECT_FALSE(s.messages.has_value());  // no messages block: idle connections
  EXPECT_FALSE(s.monitor.has_value());
}

TEST(ScenarioLoader, PingKindDefaultsToNextAndAcceptsAnyMatch) {
  LoadResult r = load_ok("messages: { kind: ping }\n");
  EXPECT_EQ(r.plan->stages[0].messages->match, Match::next());
  r = load_ok("messages: { kind: ping, match: id }\n");
  EXPECT_EQ(r.plan->stages[0].messages->match, Match::by_field("id"));
}

TEST(ScenarioLoader, StreamStartIsADurationFromTheStageStart) {
  LoadResult r = load_ok("messages: { interval: 30s, start: 8m20s, kind: ping }\n");
  EXPECT_EQ(r.plan->stages[0].messages->start, 500s);
  r = load_ok("messages: { interval: 1s }\n");
  EXPECT_EQ(r.plan->stages[0].messages->start, 0s);        // from each connection's opening
  r = load_ok("messages: { interval: 0s, start: 0s }\n");  // zero is no start at all
  EXPECT_EQ(r.plan->stages[0].messages->start, 0s);
}

TEST(ScenarioLoader, MatchSpellingsParseOnceIntoTheTypedMode) {
  LoadResult r = load_ok("messages: { match: none }\n");
  EXPECT_EQ(r.plan->stages[0].messages->match, Match::none());
  r = load_ok("messages: { kind: text, match: next }\n");
  EXPECT_EQ(r.plan->stages[0].messages->match, Match::next());
  r = load_ok("messages: { match: req.seq-no_1 }\n");
  EXPECT_EQ(r.plan->stages[0].messages->match, Match::by_field("req.seq-no_1"));
  EXPECT_EQ(r.plan->stages[0].messages->match.to_string(), "req.seq-no_1");
  r = load_ok("messages: { kind: json }\n");
  EXPECT_EQ(r.plan->stages[0].messages->match, Match::by_field("id"));
  EXPECT_EQ(Match::none().to_string(), "none");
  EXPECT_EQ(Match::next().to_string(), "next");
}

// ---- smaller rule checks with inline YAML ----

struct InlineBad {
  std::string yaml;
  int line;
  int column;
  std::string fragment;
};

void PrintTo(const InlineBad& bad, std::ostream* os) { *os << "'" << bad.yaml << "'"; }

class InlineBadYaml : public ::testing::TestWithParam<InlineBad> {};

TEST_P(InlineBadYaml, IsRejectedAtThePlace) {
  const InlineBad& bad = GetParam();
  const LoadResult r = parse_scenario_text(bad.yaml, "inline.yaml", env_of({{"EMPTY", ""}}));
  EXPECT_FALSE(r.plan.has_value());
  ASSERT_EQ(r.diagnostics.size(), 1u) << bad.yaml << dump(r.diagnostics);
  EXPECT_EQ(r.diagnostics[0].line, bad.line) << r.diagnostics[0].to_string();
  EXPECT_EQ(r.diagnostics[0].column, bad.column) << r.diagnostics[0].to_string();
  EXPECT_NE(r.diagnostics[0].message.find(bad.fragment), std::string::npos)
      << r.diagnostics[0].to_string();
}

INSTANTIATE_TEST_SUITE_P(
    Rules, InlineBadYaml,
    ::testing::Values(
        InlineBad{"", 0, 0, "is empty"},
        InlineBad{"- a\n- b\n", 1, 1, "expected a mapping of scenario keys"},
        InlineBad{"cooldown: 5s\n", 1, 11, "cooldown: only applies to a sequence file"},
        InlineBad{"messages: { kind: text, size: 10 }\n", 1, 31, "only applies to kind binary"},
        InlineBad{"messages: { kind: binary, template: x, size: 10 }\n", 1, 46,
                  "either template or size"},
        InlineBad{"messages: { kind: binary, match: id }\n", 1, 34, "binary replies"},
        InlineBad{"messages: { timeout: 0s }\n", 1, 22, "must be greater than 0"},
        InlineBad{"messages: { interval: 0s, start: 10s }\n", 1, 34,
                  "start: needs an open-loop stream (interval > 0)"},
        InlineBad{"messages: { start: -1s }\n", 1, 20, "must not be negative"},
        InlineBad{"target: { url: 'ws://:80/ws' }\n", 1, 16, "no host"},
        InlineBad{"target: { url: 'ws://h:99999/' }\n", 1, 16, "bad port"},
        InlineBad{"target: { auth: { token: t, jwt: { secret: s } } }\n", 1, 17,
                  "either token or jwt"},
        InlineBad{"target: { auth: { jwt: { subject: x } } }\n", 1, 24, "a secret is required"},
        InlineBad{"target: { auth: { jwt: { secret: '${EMPTY}' } } }\n", 1, 34, "is empty"},
        InlineBad{"target: { tls: { verify: maybe } }\n", 1, 26, "expected true or false"},
        InlineBad{"target: { subprotocols: odin }\n", 1, 25, "expected a list"},
        InlineBad{"target: { headers: [a] }\n", 1, 20, "expected a mapping of header names"},
        InlineBad{"target: { headers: { Upgrade: h2c } }\n", 1, 22,
                  "'Upgrade' is part of the WebSocket handshake"},
        InlineBad{"target: { headers: { sec-websocket-key: x } }\n", 1, 22,
                  "part of the WebSocket handshake"},
        InlineBad{"target: { headers: { X-A: 1, x-a: 2 } }\n", 1, 30, "duplicate header 'x-a'"},
        InlineBad{"target: { headers: { 'X A': 1 } }\n", 1, 22, "must be HTTP tokens"},
        InlineBad{"target: { headers: { X-A: \"a\\r\\nB: c\" } }\n", 1, 27,
                  "cannot contain a line break"},
        InlineBad{"monitor: { interval: 1s }\n", 1, 10, "monitor.url: is required"},
        InlineBad{"monitor: { url: 'ws://x/stats' }\n", 1, 17, "http:// or https://"},
        InlineBad{"reconnect: { max_attempts: 1.5 }\n", 1, 28, "non-negative integer"},
        InlineBad{"thresholds: latency.avg < 5ms\n", 1, 13, "expected a list"},
        InlineBad{"thresholds: [ { a: 1 } ]\n", 1, 15, "thresholds[0]: expected a string"},
        InlineBad{"sequence: []\n", 1, 11, "must list at least one scenario"},
        InlineBad{"load: { connections: '${N:-ten}' }\n", 1, 22, "got 'ten'"},
        InlineBad{"name: '${1ABC}'\n", 1, 7, "malformed"},
        InlineBad{"name: '${A:?x}'\n", 1, 7, "malformed"},
        InlineBad{"load: { ramp_up: -10s }\n", 1, 18, "must not be negative"},
        InlineBad{"load:\n  hold:\n", 2, 3, "load.hold: expected a duration such as"},
        InlineBad{"name: x\nmonitor:\n", 2, 1, "monitor.url: is required"}));

// ---- ${VAR} expansion ----

TEST(ScenarioLoader, ExpandsVariablesInScalars) {
  const EnvLookup env = env_of({{"HOST", "h1"}, {"PORT", "4000"}, {"EMPTY", ""}, {"N", "42"}});
  const LoadResult r = load_ok(
      "name: '${HOST}-${UNSET}-${UNSET:-dflt}-${EMPTY:-fallback}-$$HOST-$-${UNSET:-${HOST:-x}}'\n"
      "description: 'costs $5 and ${UNSET:-a:b}'\n"
      "target: { url: 'ws://${HOST}:${PORT}/ws' }\n"
      "load: { connections: '${N}', hold: '${HOLD:-2m}' }\n",
      env);
  const Scenario& s = r.plan->stages[0];
  EXPECT_EQ(s.name, "h1--dflt-fallback-$HOST-$-h1");
  EXPECT_EQ(s.description, "costs $5 and a:b");
  EXPECT_EQ(s.target.url, "ws://h1:4000/ws");
  EXPECT_EQ(s.load.connections, 42u);
  EXPECT_EQ(s.load.hold, 2min);
}

TEST(ScenarioLoader, KeysAreNotExpanded) {
  const LoadResult r = parse_scenario_text("${KEY}: 1\n", "inline.yaml", env_of({{"KEY", "name"}}));
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_NE(r.diagnostics[0].message.find("unknown key '${KEY}'"), std::string::npos);
}

TEST(ScenarioLoader, UnsetRequiredUrlIsLeftToValidation) {
  const LoadResult r = load_ok("target: { url: '${WS_URL}' }\n");
  const Scenario& s = r.plan->stages[0];
  EXPECT_EQ(s.target.url, "");
  const std::vector<Diagnostic> problems = validate_scenario(s);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].message.find("target.url: is empty"), std::string::npos);
  EXPECT_EQ(problems[0].line, 0);
}

TEST(ScenarioLoader, SyntaxErrorInTextNeverThrows) {
  LoadResult r;
  EXPECT_NO_THROW(r = parse_scenario_text("load: {connections: 1\n", "x.yaml", env_of({})));
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_GT(r.diagnostics[0].line, 0);
  EXPECT_NE(r.diagnostics[0].message.find("YAML syntax error"), std::string::npos);
}

// ---- sequences ----

TEST(ScenarioLoader, SequenceMixesPresetsAndRelativeFiles) {
  const LoadResult r = load_scenario(kDir + "seq_mixed.yaml", env_of({{"WS_URL", "ws://a:1/ws"}}));
  ASSERT_TRUE(r.plan.has_value()) << dump(r.diagnostics);
  EXPECT_EQ(r.plan->name, "warmup-then-custom");
  EXPECT_TRUE(r.plan->is_sequence());
  EXPECT_EQ(r.plan->cooldown, 5s);
  ASSERT_EQ(r.plan->stages.size(), 2u);
  EXPECT_EQ(r.plan->stages[0].name, "quick");
  EXPECT_EQ(r.plan->stages[0].target.url, "ws://a:1/ws");
  EXPECT_EQ(r.plan->stages[1].name, "stage-a");
  EXPECT_EQ(r.plan->stages[1].load.connections, 20u);
  EXPECT_EQ(r.plan->stages[1].load.hold, 10s);
}

TEST(ScenarioLoader, SequenceItemsThatAreMissingOrSequencesAreReported) {
  const std::string file = kDir + "bad_sequence_item.yaml";
  const LoadResult r = load_scenario(file, env_of({}));
  EXPECT_FALSE(r.plan.has_value());
  ASSERT_EQ(r.diagnostics.size(), 2u) << dump(r.diagnostics);
  EXPECT_EQ(r.diagnostics[0].file, file);
  EXPECT_EQ(r.diagnostics[0].line, 4);
  EXPECT_EQ(r.diagnostics[0].column, 5);
  EXPECT_NE(r.diagnostics[0].message.find(
                "sequence[1]: 'missing_stage.yaml' is neither a preset nor a readable file"),
            std::string::npos);
  EXPECT_EQ(r.diagnostics[1].line, 5);
  EXPECT_NE(r.diagnostics[1].message.find("'progressive' is itself a sequence"), std::string::npos);
}

TEST(ScenarioLoader, ErrorsInsideAStageFileNameThatFile) {
  const LoadResult r = load_scenario(kDir + "seq_bad_stage.yaml", env_of({}));
  EXPECT_FALSE(r.plan.has_value());
  ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r.diagnostics);
  EXPECT_EQ(r.diagnostics[0].file, kDir + "stages/stage_bad.yaml");
  EXPECT_EQ(r.diagnostics[0].line, 2);
  EXPECT_EQ(r.diagnostics[0].column, 16);
  EXPECT_NE(r.diagnostics[0].message.find("got 'none'"), std::string::npos);
}

}  // namespace
}  // namespace wsload::scenario

namespace wsload::scenario {
namespace {

// Issue 11.11: error messages used to echo a whole 6.6 MB input back, and a 5 MB template passed
// validation, then failed the run with a raw gRPC size error.
TEST(ScenarioLimits, HugeValuesAreQuotedShortAndHugeTemplatesRefused) {
  const std::string huge(6'600'000, 'x');
  auto r = parse_scenario_text(
      "name: n\ntarget:\n  url: ws://h/ws\nload:\n  connections: " + huge + "\n", "inline.yaml",
      [](std::string_view) { return std::nullopt; });
  ASSERT_EQ(r.diagnostics.size(), 1u);
  const auto text = r.diagnostics[0].to_string();
  EXPECT_LT(text.size(), 300u) << text.substr(0, 300);
  EXPECT_NE(text.find("(6600000 characters)"), std::string::npos) << text.substr(0, 300);

  r = parse_scenario_text(
      "name: n\ntarget:\n  url: ws://h/ws\nload:\n  connections: 1\nmessages:\n  interval: 1s\n"
      "  template: '" +
          std::string(5'000'000, 'y') + "'\n",
      "inline.yaml", [](std::string_view) { return std::nullopt; });
  ASSERT_TRUE(r.plan) << (r.diagnostics.empty() ? "" : r.diagnostics[0].to_string());
  const auto problems = validate_scenario(r.plan->stages.at(0));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].message.find("messages.template: 5000000 bytes; at most 1048576"),
            std::string::npos)
      << problems[0].to_string();
}

}  // namespace
}  // namespace wsload::scenario
