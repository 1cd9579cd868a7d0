// Format v2 (SPEC §3a): groups, steps, streams and the rules across them.
#include <gtest/gtest.h>

#include "v2_test_support.hpp"
#include "wsload/scenario/scenario_loader.hpp"
#include "wsload/shared/session_plan.hpp"

namespace wsload::scenario {

using namespace shared;  // the model types (scenario.hpp) and core parsers
using namespace testing;

namespace {

using namespace std::chrono_literals;
using Pairs = std::vector<std::pair<std::string, std::string>>;

const std::string kHead = "load: { connections: 10 }\n";

TEST(ScenarioGroups, SessionFixtureReadsEveryPart) {
  const LoadResult r = load_scenario(kV2Dir + "session.yaml", env_of());
  ASSERT_TRUE(r.diagnostics.empty()) << dump(r.diagnostics);
  const Scenario& s = r.plan->stages.at(0);
  EXPECT_TRUE(s.has_sessions());
  EXPECT_FALSE(s.messages.has_value());
  ASSERT_EQ(s.groups.size(), 2u);

  const GroupSpec& listeners = s.groups[0];
  EXPECT_EQ(listeners.name, "listeners");
  EXPECT_EQ(listeners.weight, 9u);
  EXPECT_FALSE(listeners.connections.has_value());
  EXPECT_EQ(listeners.target.url, "ws://localhost:3001/ws");
  EXPECT_EQ(listeners.target.auth.token, "{{data.users.token}}");
  ASSERT_EQ(listeners.on_open.size(), 2u);
  const StepSpec& subscribe = listeners.on_open[0];
  EXPECT_EQ(subscribe.name, "subscribe");
  ASSERT_TRUE(subscribe.send.has_value());
  EXPECT_EQ(subscribe.send->kind, MessageKind::kJson);
  EXPECT_EQ(subscribe.send->payload_template,
            R"({"type":"subscribe","channel":"prices","id":{{seq}}})");
  ASSERT_TRUE(subscribe.expect.has_value());
  EXPECT_EQ(subscribe.expect->match, Match::by_field("id"));
  EXPECT_TRUE(subscribe.expect->where.empty());
  EXPECT_EQ(subscribe.expect->timeout, 5s);
  EXPECT_EQ(subscribe.capture, (Pairs{{"sub", "subscription"}}));
  EXPECT_EQ(subscribe.wait, 0s);
  const StepSpec& settle = listeners.on_open[1];
  EXPECT_EQ(settle.name, "settle");
  EXPECT_FALSE(settle.send.has_value());
  EXPECT_FALSE(settle.expect.has_value());
  EXPECT_EQ(settle.wait, 500ms);
  ASSERT_EQ(listeners.streams.size(), 2u);
  EXPECT_EQ(listeners.streams[0].name, "ping");
  EXPECT_EQ(listeners.streams[0].interval, 5s);
  EXPECT_EQ(listeners.streams[0].match, Match::by_field("id"));
  EXPECT_EQ(listeners.streams[1].name, "chat");
  EXPECT_EQ(listeners.streams[1].interval, 30s);
  EXPECT_EQ(listeners.streams[1].match, Match::none());
  EXPECT_EQ(listeners.streams[1].payload_template,
            R"({"type":"chat","id":{{seq}},"to":"{{var.sub}}"})");
  ASSERT_EQ(listeners.on_close.size(), 1u);
  EXPECT_EQ(listeners.on_close[0].name, "unsubscribe");
  EXPECT_TRUE(listeners.on_close[0].send.has_value());
  EXPECT_EQ(listeners.push.sequence_field, "seq");
  EXPECT_EQ(listeners.push.timestamp_field, "ts");

  const GroupSpec& publishers = s.groups[1];
  EXPECT_EQ(publishers.name, "publishers");
  EXPECT_EQ(publishers.weight, 1u);
  // "${WS_URL}?role=publisher" with WS_URL unset is relative: resolved against the scenario's url.
  EXPECT_EQ(publishers.target.url, "ws://localhost:3001/ws?role=publisher");
  EXPECT_EQ(publishers.target.headers, (Pairs{{"X-Role", "publisher"}}));
  EXPECT_EQ(publishers.target.auth.token, "{{data.users.token}}");  // inherited
  EXPECT_TRUE(publishers.on_open.empty());
  ASSERT_EQ(publishers.streams.size(), 1u);
  EXPECT_EQ(publishers.streams[0].name, "publish");
  EXPECT_EQ(publishers.streams[0].timeout, 2s);
  EXPECT_EQ(publishers.push.sequence_field, "");  // the scenario's push: none

  ASSERT_EQ(s.data.size(), 1u);
  EXPECT_EQ(s.data[0].name, "users");
  EXPECT_EQ(s.data[0].file, "users.csv");
  EXPECT_EQ(s.data[0].columns, (std::vector<std::string>{"user", "token"}));
  EXPECT_EQ(s.data[0].row_count, 3u);
  ASSERT_EQ(s.data[0].rows.size(), 3u);
  EXPECT_EQ(s.data[0].rows[2].index, 2u);
  EXPECT_EQ(s.data[0].rows[2].values, (std::vector<std::string>{"carol", "tok-c"}));
  EXPECT_EQ(s.thresholds.size(), 4u);
  EXPECT_TRUE(validate_scenario(s).empty()) << dump(validate_scenario(s));
}

TEST(ScenarioGroups, FixtureFollowsWsUrl) {
  const LoadResult r = load_scenario(kV2Dir + "session.yaml", env_of({{"WS_URL", "wss://h:9/x"}}));
  ASSERT_TRUE(r.diagnostics.empty()) << dump(r.diagnostics);
  const Scenario& s = r.plan->stages.at(0);
  EXPECT_EQ(s.groups[0].target.url, "wss://h:9/x");
  EXPECT_EQ(s.groups[1].target.url, "wss://h:9/x?role=publisher");
}

TEST(ScenarioGroups, AV1FileIsOneDefaultGroupWithOneDefaultStream) {
  const Scenario s = load_v2(kHead + "messages: { interval: 1s }\npush: { sequence_field: n }\n");
  EXPECT_FALSE(s.has_sessions());
  ASSERT_TRUE(s.messages.has_value());
  EXPECT_EQ(s.messages->name, "default");
  const std::vector<GroupSpec> groups = effective_groups(s);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].name, "default");
  ASSERT_EQ(groups[0].streams.size(), 1u);
  EXPECT_EQ(groups[0].streams[0].name, "default");
  EXPECT_EQ(groups[0].push.sequence_field, "n");
}

TEST(ScenarioGroups, GroupTargetOverridesFieldsAndMergesHeadersByName) {
  const Scenario s = load_v2(kHead + R"(target:
  url: ws://a:1/ws
  headers: { X-Client: wsload, X-Team: odin }
  subprotocols: [v1]
  auth: { jwt: { secret: s } }
  connect_timeout: 3s
groups:
  - name: same
  - name: other
    target:
      url: wss://b:2/other
      headers: { x-team: blue, X-Extra: "1" }
      subprotocols: [v2, v3]
      auth: { token: t }
      tls: { verify: false }
      connect_timeout: 1s
  - name: path
    target: { url: "/pub?x=1" }
)");
  ASSERT_EQ(s.groups.size(), 3u);
  const TargetSpec& same = s.groups[0].target;
  EXPECT_EQ(same.url, "ws://a:1/ws");
  EXPECT_EQ(same.headers, (Pairs{{"X-Client", "wsload"}, {"X-Team", "odin"}}));
  ASSERT_TRUE(same.auth.jwt.has_value());
  EXPECT_EQ(same.connect_timeout, 3s);
  const TargetSpec& other = s.groups[1].target;
  EXPECT_EQ(other.url, "wss://b:2/other");
  EXPECT_EQ(other.headers, (Pairs{{"X-Client", "wsload"}, {"x-team", "blue"}, {"X-Extra", "1"}}));
  EXPECT_EQ(other.subprotocols, (std::vector<std::string>{"v2", "v3"}));
  EXPECT_EQ(other.auth.token, "t");
  EXPECT_FALSE(other.auth.jwt.has_value());  // auth is replaced as a whole
  EXPECT_FALSE(other.tls.verify);
  EXPECT_EQ(other.connect_timeout, 1s);
  EXPECT_EQ(s.groups[2].target.url, "ws://a:1/pub?x=1");
  EXPECT_EQ(s.target.url, "ws://a:1/ws");  // the scenario's own is untouched
}

TEST(ScenarioGroups, WeightsDefaultToOneAndAbsoluteConnectionsAreKept) {
  const Scenario s = load_v2(kHead + R"(groups:
  - { name: a }
  - { name: b, weight: 3 }
  - { name: c, connections: 4 }
)");
  ASSERT_EQ(s.groups.size(), 3u);
  EXPECT_EQ(s.groups[0].weight, 1u);
  EXPECT_EQ(s.groups[1].weight, 3u);
  EXPECT_EQ(s.groups[2].connections, std::optional<uint64_t>(4));
  std::vector<uint64_t> counts;
  EXPECT_EQ(group_counts(s.load.connections, s.groups, &counts), "");
  EXPECT_EQ(counts, (std::vector<uint64_t>{2, 4, 4}));
}

TEST(ScenarioGroups, PushDefaultsToTheScenariosAndAGroupReplacesIt) {
  const Scenario s = load_v2(kHead + R"(push: { sequence_field: seq, timestamp_field: ts }
groups:
  - { name: a }
  - { name: b, push: { sequence_field: n } }
)");
  EXPECT_EQ(s.groups[0].push.sequence_field, "seq");
  EXPECT_EQ(s.groups[0].push.timestamp_field, "ts");
  EXPECT_EQ(s.groups[1].push.sequence_field, "n");
  EXPECT_EQ(s.groups[1].push.timestamp_field, "");
}

// ---- group structure errors ----

TEST(ScenarioGroups, GroupsMustBeANonEmptyList) {
  expect_problem(kHead + "groups: { a: 1 }\n", 2, 9, "groups: expected a list of groups");
  expect_problem(kHead + "groups: []\n", 2, 9, "got an empty list");
}

TEST(ScenarioGroups, GroupNameIsRequiredAndChecked) {
  expect_problem(kHead + "groups:\n  - weight: 2\n", 3, 5, "groups[0].name: is required");
  expect_problem(kHead + "groups:\n  - name: a b\n", 3, 11,
                 "groups[0].name: 'a b' is not a valid name: use letters, digits, _ and - "
                 "(names become metric names and Prometheus label values)");
  expect_problem(kHead + "groups:\n  - { name: a, wieght: 2 }\n", 3, 16,
                 "groups[0]: unknown key 'wieght'; did you mean 'weight'?");
}

TEST(ScenarioGroups, WeightOrConnectionsNotBoth) {
  expect_problem(kHead + "groups:\n  - { name: a, weight: 0 }\n", 3, 24,
                 "groups[0].weight: expected a positive integer, got '0'");
  expect_problem(kHead + "groups:\n  - { name: a, weight: 2, connections: 3 }\n", 3, 40,
                 "groups[0]: give either weight (a share) or connections (an absolute count), "
                 "not both");
}

TEST(ScenarioGroups, AbsoluteConnectionsMustFitTheTotal) {
  const std::string yaml = kHead + R"(groups:
  - { name: a, connections: 6 }
  - { name: b }
  - { name: c, connections: 5 }
)";
  expect_problem(yaml, 5, column_of(yaml, 5, "5"),
                 "groups[2].connections: the groups' absolute connections add up to 11, more than "
                 "the 10 connections of the run");
  // Only absolute groups: they must add up to the total.
  expect_problem(kHead + "groups:\n  - { name: a, connections: 6 }\n", 3, 3,
                 "groups: the groups' absolute connections add up to 6, not the 10 connections");
}

TEST(ScenarioGroups, TopLevelMessagesBelongToAGroup) {
  expect_problem(kHead + "messages: { interval: 1s }\ngroups:\n  - { name: a }\n", 2, 11,
                 "messages: with groups, messages belong to a group");
}

TEST(ScenarioGroups, GroupMessagesAreAListOfNamedStreams) {
  expect_problem(kHead + "groups:\n  - name: a\n    messages: { interval: 1s }\n", 4, 15,
                 "groups[0].messages: in a group, messages is a list of named streams");
  expect_problem(kHead + "groups:\n  - name: a\n    messages:\n      - { interval: 1s }\n", 5, 9,
                 "groups[0].messages[0].name: is required");
  expect_problem(kHead + "groups:\n  - name: a\n    messages:\n      - { name: p, intreval: 1s }\n",
                 5, 20, "groups[0].messages[0]: unknown key 'intreval'; did you mean 'interval'?");
}

// ---- steps ----

std::string one_step(const std::string& step, const std::string& list = "on_open") {
  return kHead + "groups:\n  - name: g\n    " + list + ":\n      - " + step + "\n";
}

TEST(ScenarioSteps, SendDefaultsExpectMatchByKind) {
  const Scenario s = load_v2(kHead + R"(groups:
  - name: g
    on_open:
      - { name: j, send: { template: '{"id":{{seq}}}' }, expect: { timeout: 2s } }
      - { name: t, send: { kind: text, template: 'hi' }, expect: {} }
      - { name: b, send: { kind: binary, size: 16 }, expect: { match: next } }
      - { name: p, send: { kind: ping }, expect: {} }
)");
  const auto& steps = s.groups.at(0).on_open;
  ASSERT_EQ(steps.size(), 4u);
  EXPECT_EQ(steps[0].send->kind, MessageKind::kJson);
  EXPECT_EQ(steps[0].expect->match, Match::by_field("id"));
  EXPECT_EQ(steps[0].expect->timeout, 2s);
  EXPECT_EQ(steps[1].expect->match, Match::next());
  EXPECT_EQ(steps[2].send->size, 16u);
  EXPECT_EQ(steps[2].send->payload_template, "");
  EXPECT_EQ(steps[3].send->kind, MessageKind::kPing);
  EXPECT_EQ(steps[3].expect->match, Match::next());
}

TEST(ScenarioSteps, WhereKeepsScalarsAsWritten) {
  const Scenario s = load_v2(one_step(
      R"({ name: w, expect: { where: { type: subscribed, code: 200, ok: true, label: "7", ratio: 0.5, gone: null }, timeout: 1s } })"));
  const StepSpec& step = s.groups.at(0).on_open.at(0);
  EXPECT_FALSE(step.send.has_value());
  EXPECT_EQ(step.expect->where, (Pairs{{"type", "subscribed"},
                                       {"code", "200"},
                                       {"ok", "true"},
                                       {"label", "7"},
                                       {"ratio", "0.5"},
                                       {"gone", "null"}}));
  EXPECT_EQ(step.expect->timeout, 1s);
}

// `step` alone in on_open; its one problem is on line 5, at the first `at` of the step's text.
void expect_step_problem(const std::string& step, const std::string& at,
                         const std::string& fragment, const std::string& list = "on_open") {
  SCOPED_TRACE(step);
  const std::string yaml = one_step(step, list);
  expect_problem(yaml, 5, column_of(yaml, 5, at), fragment);
}

TEST(ScenarioSteps, EachRuleWithItsPosition) {
  expect_step_problem("{ wait: 1s }", "{", "groups[0].on_open[0].name: is required");
  expect_step_problem("{ name: idle }", "{",
                      "groups[0].on_open[0]: a step needs at least one of send, expect or wait");
  expect_step_problem("{ name: s, send: { kind: json } }", "{ kind",
                      "groups[0].on_open[0].send.template: is required");
  expect_step_problem("{ name: s, send: { template: x, size: 3 } }", "3",
                      "groups[0].on_open[0].send.size: only applies to kind binary");
  expect_step_problem("{ name: s, send: { template: x }, expect: { match: none } }", "none",
                      "groups[0].on_open[0].expect.match: none cannot be waited for");
  expect_step_problem("{ name: s, expect: { match: id } }", "id",
                      "groups[0].on_open[0].expect.match: waits for the reply to the step's "
                      "send, but the step sends nothing; use where");
  expect_step_problem("{ name: s, expect: { timeout: 1s } }", "{ timeout",
                      "groups[0].on_open[0].expect: the step sends nothing, so there is no reply "
                      "to wait for; give where");
  expect_step_problem("{ name: s, send: { template: x }, expect: { match: id, where: { a: 1 } } }",
                      "{ a", "groups[0].on_open[0].expect: give either match or where, not both");
  expect_step_problem("{ name: s, expect: { where: { a: [1] } } }", "[1]",
                      "groups[0].on_open[0].expect.where.a: expected a string, number, true, "
                      "false or null, got a list");
  expect_step_problem("{ name: s, wait: 1s, capture: { v: f } }", "{ v",
                      "groups[0].on_open[0].capture: needs an expect; values are captured from "
                      "the message the step waits for");
  expect_step_problem("{ name: s, send: { kind: binary, size: 4 }, expect: { match: id } }", "id",
                      "binary replies cannot be paired by a JSON field");
  expect_step_problem("{ name: s, wait: -1s }", "-1s",
                      "groups[0].on_open[0].wait: must not be negative");
}

TEST(ScenarioSteps, OnCloseStepsOnlySendAndWait) {
  const std::string why =
      "on_close steps may only send and wait; the connection is closing, so no reply is waited "
      "for";
  expect_step_problem("{ name: bye, send: { template: x }, expect: { match: id } }", "{ match",
                      "groups[0].on_close[0].expect: " + why, "on_close");
  expect_step_problem("{ name: bye, send: { template: x }, capture: { v: f } }", "{ v",
                      "groups[0].on_close[0].capture: " + why, "on_close");
  const Scenario s =
      load_v2(one_step("{ name: bye, send: { template: x }, wait: 100ms }", "on_close"));
  EXPECT_EQ(s.groups.at(0).on_close.at(0).wait, 100ms);
}

TEST(ScenarioSteps, AVariableIsCapturedOncePerGroup) {
  const std::string yaml = kHead + R"(groups:
  - name: g
    on_open:
      - { name: a, send: { template: x }, expect: {}, capture: { v: f } }
      - { name: b, send: { template: y }, expect: {}, capture: { v: h } }
)";
  expect_problem(yaml, 6, column_of(yaml, 6, "v: h"),
                 "groups[0].on_open[1].capture: variable 'v' is already captured by step 'a' (" +
                     kInline + ":5:");
}

// ---- names ----

TEST(ScenarioNames, GroupStreamAndStepNamesAreEachUniqueAcrossTheScenario) {
  const std::string groups = kHead + "groups:\n  - { name: a }\n  - { name: a }\n";
  expect_problem(groups, 4, 13,
                 "groups[1].name: duplicate group name 'a' (first at " + kInline + ":3:13)");
  const std::string streams = kHead + R"(groups:
  - name: a
    messages: [ { name: ping } ]
  - name: b
    messages: [ { name: ping, match: none } ]
)";
  const int at = column_of(streams, 4, "ping");
  ASSERT_EQ(column_of(streams, 6, "ping"), at);
  expect_problem(streams, 6, at,
                 "groups[1].messages[0].name: duplicate stream name 'ping' (first at " + kInline +
                     ":4:" + std::to_string(at) + ")");
  // In the order of the file, whichever list comes first.
  const std::string steps = kHead + R"(groups:
  - name: a
    on_close: [ { name: hello, wait: 1s } ]
    on_open: [ { name: hello, wait: 1s } ]
)";
  expect_problem(steps, 5, column_of(steps, 5, "hello"),
                 "groups[0].on_open[0].name: duplicate step name 'hello' (first at " + kInline +
                     ":4:" + std::to_string(column_of(steps, 4, "hello")) + ")");
  const std::string across = kHead + R"(groups:
  - { name: a, on_open: [ { name: hello, wait: 1s } ] }
  - { name: b, on_open: [ { name: hello, wait: 1s } ] }
)";
  expect_problem(across, 4, column_of(across, 4, "hello"), "duplicate step name 'hello'");
  // A stream and a step may share a name: they are different kinds of parts.
  load_v2(kHead +
          "groups:\n  - name: a\n    on_open: [ { name: a, wait: 1s } ]\n"
          "    messages: [ { name: a } ]\n");
}

TEST(ScenarioNames, StreamAndStepNamesAreMetricSafe) {
  const std::string stream = kHead + "groups:\n  - name: a\n    messages: [ { name: p.q } ]\n";
  expect_problem(stream, 4, column_of(stream, 4, "p.q"),
                 "groups[0].messages[0].name: 'p.q' is not a valid name");
  expect_step_problem("{ name: 'x y', wait: 1s }", "'x y'",
                      "groups[0].on_open[0].name: 'x y' is not a valid name");
}

// ---- match: next ----

TEST(ScenarioMatchNext, RefusedNextToAnotherStreamExpectingReplies) {
  const std::string yaml = kHead + R"(groups:
  - name: g
    messages:
      - { name: a, kind: json, match: next }
      - { name: b, kind: json, match: id }
)";
  expect_problem(yaml, 5, column_of(yaml, 5, "next"),
                 "groups[0].messages[0].match: next is ambiguous: stream 'b' of group 'g' also "
                 "expects replies, so a frame could answer either; pair replies by a field "
                 "(match: id) or make one stream fire-and-forget (match: none)");
  // The default for kind text is next: the same rule, said so.
  const std::string text = kHead + R"(groups:
  - name: g
    messages:
      - { name: a, kind: json }
      - { name: b, kind: text, template: hi }
)";
  expect_problem(text, 6, 9,
                 "groups[0].messages[1].match: next (the default for its kind) is ambiguous: "
                 "stream 'a'");
}

TEST(ScenarioMatchNext, AllowedWhereItCannotBeAmbiguous) {
  load_v2(kHead + R"(groups:
  - name: alone
    on_open: [ { name: hello, send: { kind: text, template: hi }, expect: { match: next } } ]
    messages:
      - { name: a, kind: text, template: x, match: next }
      - { name: b, kind: json, match: none }
      - { name: c, kind: ping }
  - name: other
    messages:
      - { name: d, kind: text, template: y, match: next }
)");
}

// ---- thresholds naming parts ----

TEST(ScenarioThresholds, PartsNamedByThresholdsMustExist) {
  const std::string yaml = kHead + R"(groups:
  - name: g
    on_open: [ { name: hello, wait: 1s } ]
    messages: [ { name: ping }, { name: chat, match: none } ]
thresholds:
  - streams.ping.latency.p99 < 5ms
  - streams.pnig.latency.p99 < 5ms
)";
  expect_problem(yaml, 8, 5,
                 "thresholds[1]: 'streams.pnig.latency.p99' names no stream 'pnig' (streams: "
                 "ping, chat)");
  expect_problem(
      kHead + "groups: [ { name: g } ]\nthresholds: [ groups.h.connections.failed == 0 ]\n", 3, 15,
      "names no group 'h' (groups: g)");
  expect_problem(kHead + "groups: [ { name: g } ]\nthresholds: [ steps.x.failed == 0 ]\n", 3, 15,
                 "names no step 'x' (steps: none)");
  // A v1 file has the group and stream "default".
  load_v2(kHead +
          "messages: {}\nthresholds: [ streams.default.latency.p99 < 5ms, "
          "groups.default.connections.failed == 0 ]\n");
}

}  // namespace
}  // namespace wsload::scenario
