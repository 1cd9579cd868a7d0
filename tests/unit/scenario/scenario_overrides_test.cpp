// Environment variables, command-line overrides and the validation after them (scenario_loader's
// overrides and validate_scenario), on inline scenarios.
#include <gtest/gtest.h>

#include <map>

#include "v2_test_support.hpp"
#include "wsload/scenario/scenario_loader.hpp"

namespace wsload::scenario {

using namespace shared;  // the model types (scenario.hpp) and core parsers

namespace {

using namespace std::chrono_literals;
using testing::dump;
using testing::env_of;
using testing::load_ok;

TEST(Overrides, EnvironmentFillsOnlyWhatFlagsLeaveUnset) {
  Overrides flags;
  flags.url = "ws://flag:1/ws";
  flags.connections = 7;
  const EnvLookup env = env_of({{"WS_URL", "ws://env:2/ws"},
                                {"AUTH_TOKEN", "env-token"},
                                {"MAX_CONNECTIONS", "500"},
                                {"TEST_DURATION", "90000"},
                                {"MESSAGE_FREQUENCY", "250"}});
  EXPECT_TRUE(fill_from_env(flags, env).empty());
  EXPECT_EQ(flags.url, "ws://flag:1/ws");
  EXPECT_EQ(flags.token, "env-token");
  EXPECT_EQ(flags.connections, 7u);
  EXPECT_EQ(flags.hold, 90s);
  EXPECT_EQ(flags.message_interval, 250ms);
  EXPECT_FALSE(flags.ramp_up.has_value());
}

TEST(Overrides, NoEnvironmentLeavesEverythingUnset) {
  Overrides flags;
  EXPECT_TRUE(fill_from_env(flags, env_of({{"WS_URL", ""}})).empty());
  EXPECT_FALSE(flags.url || flags.token || flags.connections || flags.hold ||
               flags.message_interval);
}

TEST(Overrides, BadEnvironmentValuesAreDiagnosed) {
  Overrides flags;
  const std::vector<Diagnostic> d = fill_from_env(
      flags,
      env_of({{"MAX_CONNECTIONS", "lots"}, {"TEST_DURATION", "30s"}, {"MESSAGE_FREQUENCY", "-5"}}));
  ASSERT_EQ(d.size(), 3u) << dump(d);
  for (const Diagnostic& x : d) {
    EXPECT_EQ(x.file, "environment");
    EXPECT_EQ(x.line, 0);
  }
  EXPECT_EQ(d[0].message, "MAX_CONNECTIONS: expected a positive integer, got 'lots'");
  EXPECT_NE(d[1].message.find("TEST_DURATION"), std::string::npos);
  EXPECT_NE(d[2].message.find("MESSAGE_FREQUENCY"), std::string::npos);
  EXPECT_EQ(d[0].to_string(),
            "environment: MAX_CONNECTIONS: expected a positive integer, got 'lots'");
  EXPECT_FALSE(flags.connections || flags.hold || flags.message_interval);
  Overrides zero;
  EXPECT_EQ(fill_from_env(zero, env_of({{"MAX_CONNECTIONS", "0"}})).size(), 1u);
}

TEST(Overrides, ScaleEveryStageAndAppendThresholds) {
  LoadResult r = load_scenario("progressive", env_of({}));
  ASSERT_TRUE(r.plan.has_value());
  std::string error;
  Overrides o;
  o.url = "wss://x:1/ws";
  o.token = "T";
  o.connections = 12;
  o.ramp_up = 1s;
  o.hold = 2s;
  o.message_interval = 100ms;
  o.extra_thresholds.push_back(*parse_threshold("latency.p99 < 30ms", &error));
  o.extra_thresholds.push_back(*parse_threshold("latency.avg < 5ms", &error));  // quick has it
  const OverrideOutcome outcome = apply_overrides(*r.plan, o);
  EXPECT_TRUE(outcome.refusals.empty());
  EXPECT_EQ(outcome.notes.size(), 4u);  // each flag scaled three different figures
  ASSERT_EQ(r.plan->stages.size(), 3u);
  // Scaled, not flattened: the largest figure (stress's) becomes the flag's value; quick's and
  // medium's keep their proportions to it (rounded to a connection, a millisecond).
  const std::vector<std::tuple<uint64_t, std::chrono::nanoseconds, std::chrono::nanoseconds,
                               std::chrono::nanoseconds>>
      expected = {{1, 167ms, 200ms, 33ms}, {2, 500ms, 800ms, 67ms}, {12, 1s, 2s, 100ms}};
  for (size_t i = 0; i < 3; ++i) {
    const Scenario& s = r.plan->stages[i];
    EXPECT_EQ(s.load.connections, std::get<0>(expected[i])) << s.name;
    EXPECT_EQ(s.load.ramp_up, std::get<1>(expected[i])) << s.name;
    EXPECT_EQ(s.load.hold, std::get<2>(expected[i])) << s.name;
    EXPECT_EQ(s.messages->interval, std::get<3>(expected[i])) << s.name;
  }
  for (const Scenario& s : r.plan->stages) {
    EXPECT_EQ(s.target.url, "wss://x:1/ws");
    EXPECT_EQ(s.target.auth.token, "T");
    EXPECT_TRUE(std::any_of(s.thresholds.begin(), s.thresholds.end(), [](const Threshold& t) {
      return t.expression == "latency.p99 < 30ms";
    }));
  }
  EXPECT_EQ(r.plan->stages[0].thresholds.size(), 3u);  // quick: 2 + p99 (avg < 5ms not doubled)
  EXPECT_EQ(r.plan->stages[1].thresholds.size(), 4u);  // medium: 2 + both
  EXPECT_EQ(r.plan->stages[2].thresholds.size(), 5u);  // stress: 3 + both
}

TEST(Overrides, FlagsBeatEnvironmentBeatScenario) {
  LoadResult r = load_ok("target: { url: 'ws://file:1/ws' }\nload: { connections: 5 }\n");
  Overrides flags;
  flags.connections = 9;
  ASSERT_TRUE(fill_from_env(flags, env_of({{"WS_URL", "ws://env:2/ws"}, {"MAX_CONNECTIONS", "8"}}))
                  .empty());
  apply_overrides(*r.plan, flags);
  EXPECT_EQ(r.plan->stages[0].target.url, "ws://env:2/ws");
  EXPECT_EQ(r.plan->stages[0].load.connections, 9u);
}

TEST(Overrides, TokenReplacesJwtAndIntervalEnablesMessages) {
  LoadResult r = load_ok("target: { auth: { jwt: { secret: s } } }\n");
  Overrides o;
  o.token = "static";
  o.message_interval = 1s;
  apply_overrides(*r.plan, o);
  const Scenario& s = r.plan->stages[0];
  EXPECT_EQ(s.target.auth.token, "static");
  EXPECT_FALSE(s.target.auth.jwt.has_value());
  ASSERT_TRUE(s.messages.has_value());
  EXPECT_EQ(s.messages->interval, 1s);
  EXPECT_TRUE(validate_scenario(s).empty());
}

TEST(ValidateScenario, ReportsEveryProblemAfterOverrides) {
  Scenario s;
  s.name = "custom";
  s.target.url = "http://host/ws";
  s.load.connections = 0;
  s.messages.emplace();
  s.messages->timeout = 0s;
  s.messages->match = Match::by_field("a b");
  s.messages->payload_template = "{{oops}}";
  s.monitor.emplace();
  s.monitor->url = "http://h/stats";
  s.monitor->interval = 0s;
  const std::vector<Diagnostic> d = validate_scenario(s);
  std::vector<std::string> fields;
  for (const Diagnostic& x : d) {
    EXPECT_EQ(x.file, "custom");
    EXPECT_EQ(x.line, 0);
    fields.push_back(x.message.substr(0, x.message.find(':')));
  }
  EXPECT_EQ(fields,
            (std::vector<std::string>{"target.url", "load.connections", "messages.timeout",
                                      "messages.match", "messages.template", "monitor.interval"}));
}

TEST(ValidateScenario, AcceptsDefaultsAndWssWithPortAndIpv6) {
  Scenario s;
  EXPECT_TRUE(validate_scenario(s).empty());
  s.target.url = "wss://user@[::1]:8443/ws?x=1";
  EXPECT_TRUE(validate_scenario(s).empty()) << dump(validate_scenario(s));
  s.target.url = "WSS://Example.com";
  EXPECT_TRUE(validate_scenario(s).empty());
}

TEST(Diagnostic, ToStringFormats) {
  EXPECT_EQ((Diagnostic{"f.yaml", 3, 7, "msg"}).to_string(), "f.yaml:3:7: msg");
  EXPECT_EQ((Diagnostic{"environment", 0, 0, "msg"}).to_string(), "environment: msg");
  EXPECT_EQ((Diagnostic{"", 0, 0, "msg"}).to_string(), "msg");
}

}  // namespace
}  // namespace wsload::scenario
