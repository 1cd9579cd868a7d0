// {{var.X}} and {{data.F.C}} (SPEC §3a): every reference checked at its own file:line:column.
#include <gtest/gtest.h>

#include "v2_test_support.hpp"
#include "wsload/scenario/scenario_loader.hpp"

namespace wsload::scenario {

using namespace shared;  // the model types (scenario.hpp) and core parsers
using namespace testing;

namespace {

const std::string kHead = "load: { connections: 10 }\ndata: { users: { file: users.csv } }\n";

// The one problem of `yaml` is at the first `needle` on `line`.
void expect_at(const std::string& yaml, int line, const std::string& needle,
               const std::string& fragment) {
  SCOPED_TRACE(yaml);
  expect_problem(yaml, line, column_of(yaml, line, needle), fragment);
}

// ---- variables ----

const std::string kCapture =
    "      - { name: sub, send: { template: '{\"id\":{{seq}}}' }, expect: {}, capture: { s: "
    "subscription } }\n";

TEST(ScenarioVariables, UsableByLaterStepsStreamsAndOnClose) {
  const Scenario s = load_v2(kHead + "groups:\n  - name: g\n    on_open:\n" + kCapture +
                             "      - { name: use, send: { template: 'x {{var.s}}' } }\n"
                             "    messages: [ { name: p, template: '{{ var.s }}', match: none } ]\n"
                             "    on_close: [ { name: bye, send: { template: '{{var.s}}' } } ]\n");
  ASSERT_EQ(s.groups.size(), 1u);
  EXPECT_EQ(s.groups[0].streams.at(0).payload_template, "{{ var.s }}");
}

TEST(ScenarioVariables, UnknownVariableNamesTheCapturedOnes) {
  const std::string yaml =
      kHead + "groups:\n  - name: g\n    on_open:\n" + kCapture +
      "    messages:\n"
      "      - { name: p, template: '{\"to\":\"{{var.sbu}}\"}', match: none }\n";
  expect_at(yaml, 8, "{{var.sbu}}",
            "groups[0].messages[0].template: unknown variable 'var.sbu' (captured before this "
            "template: s)");
}

TEST(ScenarioVariables, CapturedByALaterStepOrByTheStepItself) {
  const std::string later =
      kHead +
      "groups:\n  - name: g\n    on_open:\n"
      "      - { name: first, send: { template: '{{var.s}}' }, expect: {} }\n" +
      kCapture;
  expect_at(later, 6, "{{var.s}}",
            "groups[0].on_open[0].send.template: '{{var.s}}' is captured by step 'sub' (" +
                kInline + ":7:" + std::to_string(column_of(later, 7, "s: subscription")) +
                "), which runs after this one; a step can only use variables captured by earlier "
                "on_open steps");
  const std::string itself = kHead +
                             "groups:\n  - name: g\n    on_open:\n"
                             "      - { name: sub, send: { template: '{{var.s}}' }, expect: {}, "
                             "capture: { s: subscription } }\n";
  expect_at(itself, 6, "{{var.s}}",
            "'{{var.s}}' is captured by this step from its reply (" + kInline +
                ":6:" + std::to_string(column_of(itself, 6, "s: subscription")) +
                "), so its own send cannot use it");
}

TEST(ScenarioVariables, AreScopedToTheirGroup) {
  const std::string yaml = kHead + "groups:\n  - name: a\n    on_open:\n" + kCapture +
                           "  - name: b\n"
                           "    messages: [ { name: p, template: '{{var.s}}', match: none } ]\n";
  expect_at(yaml, 8, "{{var.s}}",
            "groups[1].messages[0].template: unknown variable 'var.s' (captured before this "
            "template: none)");
}

TEST(ScenarioVariables, RefusedInTargetFields) {
  const std::string why =
      "'{{var.s}}': variables cannot be used in target fields; they are captured from messages, "
      "and the connection is not open yet when its url, headers and token are used";
  const std::string group = kHead + "groups:\n  - name: g\n    on_open:\n" + kCapture;
  expect_at(group + "    target: { url: 'ws://h/ws?s={{var.s}}' }\n", 7, "{{var.s}}",
            "groups[0].target.url: " + why);
  expect_at(group + "    target: { headers: { X-Sub: '{{var.s}}' } }\n", 7, "{{var.s}}",
            "groups[0].target.headers.X-Sub: " + why);
  expect_at(group + "    target: { auth: { token: '{{var.s}}' } }\n", 7, "{{var.s}}",
            "groups[0].target.auth.token: " + why);
  expect_at(group + "    target: { auth: { jwt: { secret: x, subject: 'u-{{var.s}}' } } }\n", 7,
            "{{var.s}}", "groups[0].target.auth.jwt.subject: " + why);
}

// ---- data placeholders ----

TEST(ScenarioDataPlaceholders, AllowedInTemplatesUrlPathAndQueryHeadersTokenAndSubject) {
  const Scenario s = load_v2(kHead + R"(target:
  url: "ws://h:1/ws/{{data.users.user}}?t={{data.users.token}}"
  headers: { X-User: "{{data.users.user}}" }
  auth: { jwt: { secret: k, subject: "{{data.users.user}}-{{conn}}" } }
groups:
  - name: g
    target: { auth: { token: "{{data.users.token}}", in: query } }
    on_open: [ { name: hi, send: { template: 'hi {{data.users.user}}' }, expect: { where: { ok: true } } } ]
    messages: [ { name: p, template: '{"u":"{{data.users.user}}","id":{{seq}}}' } ]
)");
  ASSERT_EQ(s.groups.size(), 1u);
  EXPECT_EQ(s.groups[0].target.url, "ws://h:1/ws/{{data.users.user}}?t={{data.users.token}}");
  EXPECT_EQ(s.groups[0].target.auth.token, "{{data.users.token}}");
  EXPECT_TRUE(validate_scenario(s).empty()) << dump(validate_scenario(s));
}

TEST(ScenarioDataPlaceholders, AlsoInAV1File) {
  const Scenario s =
      load_v2(kHead +
              "target: { auth: { token: '{{data.users.token}}' } }\n"
              "messages: { template: '{\"u\":\"{{data.users.user}}\",\"id\":{{seq}}}' }\n");
  EXPECT_FALSE(s.has_sessions());
  ASSERT_EQ(s.data.size(), 1u);
  EXPECT_TRUE(validate_scenario(s).empty()) << dump(validate_scenario(s));
}

TEST(ScenarioDataPlaceholders, UnknownFeederOrColumnAtTheReference) {
  const std::string message = kHead + "messages: { template: 'a {{data.users.tokn}}' }\n";
  expect_at(message, 3, "{{data.users.tokn}}",
            "messages.template: unknown column 'tokn' of data feeder 'users' (columns: user, "
            "token)");
  const std::string feeder = kHead + "target: { url: 'ws://h/ws?u={{data.usres.user}}' }\n";
  expect_at(feeder, 3, "{{data.usres.user}}",
            "target.url: unknown data feeder 'usres' (feeders: users)");
  const std::string header =
      kHead + "target: { headers: { X-A: 'x', X-B: '{{data.users.nope}}' } }\n";
  expect_at(header, 3, "{{data.users.nope}}", "target.headers.X-B: unknown column 'nope'");
  const std::string token = kHead + "target:\n  auth:\n    token: {{data.users}}\n";
  // A plain (unquoted) {{...}} is a YAML flow mapping: the loader says it expected a string.
  const LoadResult r = parse_scenario_text(token, kInline, env_of());
  EXPECT_FALSE(r.plan.has_value());
  const std::string no_column = kHead + "target:\n  auth:\n    token: \"{{data.users}}\"\n";
  expect_at(no_column, 5, "{{data.users}}", "target.auth.token: 'data.users' needs a column");
}

TEST(ScenarioDataPlaceholders, RefusedInSchemeHostAndPort) {
  const std::string why =
      "' is in the scheme, host or port; placeholders may only be used in the path and query "
      "(every connection of a group goes to the same server)";
  const std::string host = kHead + "target: { url: 'ws://{{data.users.user}}:3001/ws' }\n";
  expect_problem(host, 3, column_of(host, 3, "'ws:"), "target.url: '{{data.users.user}}" + why);
  const std::string port = kHead + "target: { url: 'ws://h:{{data.users.user}}/ws' }\n";
  expect_problem(port, 3, column_of(port, 3, "'ws:"), "target.url: '{{data.users.user}}" + why);
  // Without a scheme (an unset ${VAR} before it) the url's problem is that, not the placeholder.
  const std::string unset = kHead + "target: { url: '?u={{data.users.user}}' }\n";
  expect_problem(unset, 3, column_of(unset, 3, "'?u"),
                 "target.url: expected a ws:// or wss:// URL, got '?u={{data.users.user}}'");
  const std::string group =
      kHead + "groups:\n  - name: g\n    target: { url: '{{data.users.user}}://h/ws' }\n";
  expect_problem(group, 5, column_of(group, 5, "'{{"),
                 "groups[0].target.url: '{{data.users.user}}" + why);
}

TEST(ScenarioDataPlaceholders, ColumnsCountFromTheScalarPlainQuotedOrBlock) {
  const std::string plain = kHead + "messages:\n  template: x {{data.users.nope}}\n";
  expect_at(plain, 4, "{{data", "unknown column 'nope'");
  const std::string double_quoted = kHead + "messages:\n  template: \"x {{data.users.nope}}\"\n";
  expect_at(double_quoted, 4, "{{data", "unknown column 'nope'");
  // A block scalar: the diagnostic is on the scalar's line (its column is approximate).
  const std::string block = kHead + "messages:\n  template: |\n    x {{data.users.nope}}\n";
  const LoadResult r = parse_scenario_text(block, kInline, env_of());
  ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r.diagnostics);
  EXPECT_EQ(r.diagnostics[0].line, 4);
  EXPECT_NE(r.diagnostics[0].message.find("unknown column 'nope'"), std::string::npos);
}

TEST(ScenarioDataPlaceholders, EveryBadReferenceOfATemplateIsReported) {
  const std::string yaml =
      kHead + "messages: { template: '{{data.a.b}} {{data.users.c}} {{data.users.user}}' }\n";
  const LoadResult r = parse_scenario_text(yaml, kInline, env_of());
  ASSERT_EQ(r.diagnostics.size(), 2u) << dump(r.diagnostics);
  EXPECT_EQ(r.diagnostics[0].column, column_of(yaml, 3, "{{data.a.b}}"));
  EXPECT_EQ(r.diagnostics[1].column, column_of(yaml, 3, "{{data.users.c}}"));
}

TEST(ScenarioDataPlaceholders, OtherTemplateErrorsStayAtTheScalar) {
  const std::string yaml = kHead + "messages: { template: 'x {{sq}}' }\n";
  expect_at(yaml, 3, "'x", "messages.template: unknown template variable 'sq'");
}

TEST(ScenarioDataPlaceholders, TargetFieldsKeepOtherBracesLiteral) {
  // A v1 header or token with braces meant nothing before format v2 and still means nothing.
  const Scenario s = load_v2(kHead +
                             "target: { headers: { X-T: '{{conn}} {{x' }, auth: { token: "
                             "'{{whatever}}' } }\n");
  EXPECT_EQ(s.target.headers.at(0).second, "{{conn}} {{x");
  EXPECT_EQ(s.target.auth.token, "{{whatever}}");
}

}  // namespace
}  // namespace wsload::scenario
