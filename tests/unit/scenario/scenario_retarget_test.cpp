// Overrides on a format-v2 scenario: --url (scenario::retarget), --token, --message-interval,
// and validate_scenario on every group.
#include <gtest/gtest.h>

#include "v2_test_support.hpp"
#include "wsload/scenario/scenario_loader.hpp"

namespace wsload::scenario {

using namespace shared;  // the model types (scenario.hpp) and core parsers
using namespace testing;

namespace {

using namespace std::chrono_literals;

const std::string kGroups =
    R"(target: { url: "${WS_URL:-ws://localhost:3001/ws}", auth: { jwt: { secret: k } } }
load: { connections: 10 }
groups:
  - name: same
    messages: [ { name: a, interval: 1s } ]
  - name: query
    target: { url: "${WS_URL:-ws://localhost:3001/ws}?role=publisher" }
    messages: [ { name: b, interval: 2s, match: none }, { name: c, kind: ping } ]
  - name: relative
    target: { url: "?role=relative" }
  - name: path
    target: { url: "/other" }
  - name: elsewhere
    target: { url: "ws://elsewhere:9/ws", auth: { token: own } }
  - name: longer
    target: { url: "ws://localhost:3001/wsx" }
)";

ScenarioPlan plan_of(const std::string& yaml, const EnvLookup& env = env_of()) {
  LoadResult r = parse_scenario_text(yaml, kInline, env);
  EXPECT_TRUE(r.diagnostics.empty()) << dump(r.diagnostics);
  return r.plan.value_or(ScenarioPlan{});
}

std::vector<std::string> urls(const Scenario& s) {
  std::vector<std::string> out;
  for (const GroupSpec& g : s.groups) out.push_back(g.target.url);
  return out;
}

TEST(ScenarioRetarget, RelativeGroupUrlsResolveAtLoad) {
  const ScenarioPlan plan = plan_of(kGroups);
  EXPECT_EQ(
      urls(plan.stages.at(0)),
      (std::vector<std::string>{"ws://localhost:3001/ws", "ws://localhost:3001/ws?role=publisher",
                                "ws://localhost:3001/ws?role=relative", "ws://localhost:3001/other",
                                "ws://elsewhere:9/ws", "ws://localhost:3001/wsx"}));
}

TEST(ScenarioRetarget, UrlFlagMovesGroupsThatFollowTheScenarioUrl) {
  ScenarioPlan plan = plan_of(kGroups);
  Overrides o;
  o.url = "wss://prod.example:8443/live";
  apply_overrides(plan, o);
  const Scenario& s = plan.stages.at(0);
  EXPECT_EQ(s.target.url, "wss://prod.example:8443/live");
  EXPECT_EQ(urls(s), (std::vector<std::string>{"wss://prod.example:8443/live",
                                               "wss://prod.example:8443/live?role=publisher",
                                               "wss://prod.example:8443/live?role=relative",
                                               // resolved at load: it continues the old url's
                                               // server, not its path, so it stays
                                               "ws://localhost:3001/other", "ws://elsewhere:9/ws",
                                               // ws://localhost:3001/ws is not a prefix at a
                                               // boundary of .../wsx
                                               "ws://localhost:3001/wsx"}));
  EXPECT_TRUE(validate_scenario(s).empty()) << dump(validate_scenario(s));
}

TEST(ScenarioRetarget, AQueryJoinsTheNewUrlsQuery) {
  Scenario s = plan_of(kGroups).stages.at(0);
  retarget(s, "ws://h/ws?tenant=7");
  EXPECT_EQ(s.groups[1].target.url, "ws://h/ws?tenant=7&role=publisher");
}

TEST(ScenarioRetarget, UnsetScenarioUrlLeavesRelativeGroupsForTheFlag) {
  const std::string yaml = R"(target: { url: "${WS_URL}" }
load: { connections: 10 }
groups:
  - { name: a }
  - { name: b, target: { url: "${WS_URL}?role=publisher" } }
  - { name: c, target: { url: "/pub" } }
)";
  ScenarioPlan plan = plan_of(yaml);
  Scenario& s = plan.stages.at(0);
  EXPECT_EQ(urls(s), (std::vector<std::string>{"", "?role=publisher", "/pub"}));
  const std::vector<Diagnostic> problems = validate_scenario(s);
  ASSERT_EQ(problems.size(), 3u) << dump(problems);
  EXPECT_EQ(problems[0].message,
            "groups.a.target.url: is empty; set it in the scenario, with --url or with WS_URL");
  EXPECT_EQ(problems[1].message,
            "groups.b.target.url: '?role=publisher' is relative, but the scenario's url is "
            "empty; set it in the scenario, with --url or with WS_URL");
  Overrides o;
  o.url = "ws://flag:1/ws";
  apply_overrides(plan, o);
  EXPECT_EQ(urls(s), (std::vector<std::string>{"ws://flag:1/ws", "ws://flag:1/ws?role=publisher",
                                               "ws://flag:1/pub"}));
  EXPECT_TRUE(validate_scenario(s).empty()) << dump(validate_scenario(s));
}

TEST(ScenarioRetarget, WsUrlInTheEnvironmentIsTheSameUrl) {
  // WS_URL expanded in the file and given as the seed override: the groups keep their paths.
  const EnvLookup env = env_of({{"WS_URL", "ws://seed:2/ws"}});
  ScenarioPlan plan = plan_of(kGroups, env);
  Overrides o;
  ASSERT_TRUE(fill_from_env(o, env).empty());
  apply_overrides(plan, o);
  EXPECT_EQ(plan.stages.at(0).groups[1].target.url, "ws://seed:2/ws?role=publisher");
}

TEST(ScenarioRetarget, TokenFlagReplacesEveryGroupsTokenAndJwt) {
  ScenarioPlan plan = plan_of(kGroups);
  Overrides o;
  o.token = "flag-token";
  apply_overrides(plan, o);
  for (const GroupSpec& g : plan.stages.at(0).groups) {
    SCOPED_TRACE(g.name);
    EXPECT_EQ(g.target.auth.token, "flag-token");
    EXPECT_FALSE(g.target.auth.jwt.has_value());
  }
}

// The streams keep their proportions: the longest interval (c, a ping stream at the default 5s)
// becomes the flag's value and the others scale with it.
TEST(ScenarioRetarget, MessageIntervalScalesEveryStreamAndAddsNone) {
  ScenarioPlan plan = plan_of(kGroups);
  Overrides o;
  o.message_interval = 250ms;
  const OverrideOutcome outcome = apply_overrides(plan, o);
  EXPECT_TRUE(outcome.refusals.empty());
  ASSERT_EQ(outcome.notes.size(), 1u);
  EXPECT_EQ(outcome.notes[0],
            "--message-interval 250ms: the largest figure of its kind (5s) becomes 250ms; every "
            "other one is scaled by the same factor (250ms/5s)");
  const Scenario& s = plan.stages.at(0);
  EXPECT_FALSE(s.messages.has_value());
  std::vector<std::chrono::nanoseconds> intervals;
  for (const GroupSpec& g : s.groups) {
    for (const MessagesSpec& m : g.streams) intervals.push_back(m.interval);
  }
  EXPECT_EQ(intervals, (std::vector<std::chrono::nanoseconds>{50ms, 100ms, 250ms}));
  EXPECT_TRUE(s.groups[2].streams.empty());
}

TEST(ScenarioRetarget, ValidateChecksEveryGroupAndTheCounts) {
  Scenario s = plan_of(kGroups).stages.at(0);
  s.groups[4].target.url = "http://elsewhere:9/ws";
  s.groups[1].streams[0].timeout = 0s;
  s.groups[0].connections = 20;  // say --connections lowered the total under it
  const std::vector<Diagnostic> problems = validate_scenario(s);
  std::vector<std::string> fields;
  for (const Diagnostic& d : problems) fields.push_back(d.message.substr(0, d.message.find(':')));
  EXPECT_EQ(fields, (std::vector<std::string>{"groups.query.messages.b.timeout",
                                              "groups.elsewhere.target.url", "groups"}))
      << dump(problems);
  EXPECT_NE(problems.back().message.find("add up to 20, more than the 10 connections"),
            std::string::npos);
}

}  // namespace
}  // namespace wsload::scenario
