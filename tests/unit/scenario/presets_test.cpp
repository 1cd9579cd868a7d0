#include "wsload/scenario/presets.hpp"

#include <gtest/gtest.h>

#include <map>

#include "wsload/scenario/scenario_loader.hpp"

namespace wsload::scenario {

using namespace shared;  // the model types (scenario.hpp) and core parsers

namespace {

using namespace std::chrono_literals;

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

struct ExpectedThreshold {
  std::string metric;
  CompareOp op;
  double value;
  std::string expression;
};

struct ExpectedPreset {
  std::string name;
  uint64_t connections;
  std::chrono::nanoseconds ramp_up;
  std::chrono::nanoseconds hold;
  std::chrono::nanoseconds interval;
  std::vector<ExpectedThreshold> thresholds;
};

const std::vector<ExpectedPreset>& expected_presets() {
  static const std::vector<ExpectedPreset> kExpected = {
      {"quick",
       100,
       10s,
       30s,
       5s,
       {{"connections.success_rate", CompareOp::kEqual, 100, "connections.success_rate == 100%"},
        {"latency.avg", CompareOp::kLess, 5, "latency.avg < 5ms"}}},
      {"medium",
       1000,
       30s,
       120s,
       10s,
       {{"connections.success_rate", CompareOp::kGreater, 99, "connections.success_rate > 99%"},
        {"latency.avg", CompareOp::kLess, 10, "latency.avg < 10ms"}}},
      {"stress",
       5000,
       60s,
       300s,
       15s,
       {{"connections.success_rate", CompareOp::kGreater, 95, "connections.success_rate > 95%"},
        {"latency.avg", CompareOp::kLess, 20, "latency.avg < 20ms"},
        {"errors.rate", CompareOp::kLess, 5, "errors.rate < 5%"}}},
  };
  return kExpected;
}

void expect_stage(const Scenario& s, const ExpectedPreset& e, const std::string& url,
                  const std::string& token) {
  SCOPED_TRACE(e.name);
  EXPECT_EQ(s.name, e.name);
  EXPECT_EQ(s.target.url, url);
  EXPECT_EQ(s.target.auth.token, token);
  EXPECT_FALSE(s.target.auth.jwt.has_value());
  EXPECT_EQ(s.load.connections, e.connections);
  EXPECT_EQ(s.load.ramp_up, e.ramp_up);
  EXPECT_EQ(s.load.hold, e.hold);
  EXPECT_EQ(s.load.ramp_down, 0s);
  ASSERT_TRUE(s.messages.has_value());
  EXPECT_EQ(s.messages->interval, e.interval);
  EXPECT_EQ(s.messages->kind, MessageKind::kJson);
  EXPECT_EQ(s.messages->payload_template, R"({"type":"ping","id":{{seq}}})");
  EXPECT_EQ(s.messages->match, Match::by_field("id"));
  EXPECT_EQ(s.messages->timeout, 5s);
  EXPECT_EQ(s.push.sequence_field, "seq");
  EXPECT_EQ(s.push.timestamp_field, "ts");
  EXPECT_FALSE(s.monitor.has_value());
  ASSERT_EQ(s.thresholds.size(), e.thresholds.size());
  for (size_t i = 0; i < e.thresholds.size(); ++i) {
    EXPECT_EQ(s.thresholds[i].metric, e.thresholds[i].metric);
    EXPECT_EQ(s.thresholds[i].op, e.thresholds[i].op);
    EXPECT_DOUBLE_EQ(s.thresholds[i].value, e.thresholds[i].value);
    EXPECT_EQ(s.thresholds[i].expression, e.thresholds[i].expression);
  }
  EXPECT_TRUE(validate_scenario(s).empty());
}

TEST(Presets, ListsTheGuidePresetsAndOdinSessionWithSummaries) {
  std::vector<std::string> names;
  for (const Preset& p : presets()) {
    names.emplace_back(p.name);
    EXPECT_FALSE(p.summary.empty()) << p.name;
    EXPECT_EQ(p.summary.find('\n'), std::string_view::npos) << p.name;
    EXPECT_EQ(find_preset(p.name), &p);
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{"quick", "medium", "stress", "progressive", "odin-session"}));
  EXPECT_NE(find_preset("stress")->summary.find("5000 connections"), std::string_view::npos);
  EXPECT_EQ(find_preset("Quick"), nullptr);
  EXPECT_EQ(find_preset(""), nullptr);
}

TEST(Presets, EachLoadsWithTheGuideValuesAndDefaults) {
  for (const ExpectedPreset& e : expected_presets()) {
    const LoadResult r = load_scenario(e.name, env_of({}));
    ASSERT_TRUE(r.diagnostics.empty()) << r.diagnostics.front().to_string();
    ASSERT_TRUE(r.plan.has_value());
    EXPECT_EQ(r.plan->name, e.name);
    EXPECT_FALSE(r.plan->is_sequence());
    ASSERT_EQ(r.plan->stages.size(), 1u);
    expect_stage(r.plan->stages[0], e, "ws://localhost:3001/ws", "");
  }
}

TEST(Presets, ReadWsUrlAndAuthTokenFromTheEnvironment) {
  const EnvLookup env =
      env_of({{"WS_URL", "wss://odin.example:9443/ws"}, {"AUTH_TOKEN", "eyJ.x.y"}});
  for (const ExpectedPreset& e : expected_presets()) {
    const LoadResult r = load_scenario(e.name, env);
    ASSERT_TRUE(r.plan.has_value()) << e.name;
    expect_stage(r.plan->stages[0], e, "wss://odin.example:9443/ws", "eyJ.x.y");
  }
}

TEST(Presets, ProgressiveRunsQuickMediumStressWithCooldown) {
  const EnvLookup env = env_of({{"WS_URL", "ws://10.0.0.5:3001/ws"}, {"AUTH_TOKEN", "tok"}});
  const LoadResult r = load_scenario("progressive", env);
  ASSERT_TRUE(r.diagnostics.empty()) << r.diagnostics.front().to_string();
  ASSERT_TRUE(r.plan.has_value());
  EXPECT_EQ(r.plan->name, "progressive");
  EXPECT_TRUE(r.plan->is_sequence());
  EXPECT_EQ(r.plan->cooldown, 30s);
  ASSERT_EQ(r.plan->stages.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    expect_stage(r.plan->stages[i], expected_presets()[i], "ws://10.0.0.5:3001/ws", "tok");
  }
}

TEST(Presets, OdinSessionSubscribesPingsAndPublishes) {
  const EnvLookup env = env_of({{"WS_URL", "ws://odin:3001/ws"}, {"AUTH_TOKEN", "tok"}});
  const LoadResult r = load_scenario("odin-session", env);
  ASSERT_TRUE(r.diagnostics.empty()) << r.diagnostics.front().to_string();
  const Scenario& s = r.plan->stages.at(0);
  EXPECT_EQ(s.name, "odin-session");
  EXPECT_EQ(s.load.connections, 100u);
  EXPECT_EQ(s.load.ramp_up, 10s);
  EXPECT_EQ(s.load.hold, 30s);
  EXPECT_FALSE(s.messages.has_value());
  ASSERT_EQ(s.groups.size(), 2u);

  const GroupSpec& listeners = s.groups[0];
  EXPECT_EQ(listeners.name, "listeners");
  EXPECT_EQ(listeners.weight, 9u);
  EXPECT_EQ(listeners.target.url, "ws://odin:3001/ws");
  EXPECT_EQ(listeners.target.auth.token, "tok");
  ASSERT_EQ(listeners.on_open.size(), 1u);
  const StepSpec& subscribe = listeners.on_open[0];
  EXPECT_EQ(subscribe.name, "subscribe");
  EXPECT_EQ(subscribe.send->payload_template,
            R"({"type":"subscribe","channel":"prices","id":{{seq}}})");
  EXPECT_EQ(subscribe.expect->match, Match::by_field("id"));
  EXPECT_EQ(subscribe.expect->timeout, 5s);
  EXPECT_EQ(subscribe.capture,
            (std::vector<std::pair<std::string, std::string>>{{"sub", "subscription"}}));
  ASSERT_EQ(listeners.streams.size(), 1u);
  EXPECT_EQ(listeners.streams[0].name, "ping");
  EXPECT_EQ(listeners.streams[0].interval, 5s);
  EXPECT_EQ(listeners.streams[0].payload_template, R"({"type":"ping","id":{{seq}}})");
  EXPECT_EQ(listeners.streams[0].match, Match::by_field("id"));
  EXPECT_EQ(listeners.streams[0].timeout, 5s);
  ASSERT_EQ(listeners.on_close.size(), 1u);
  EXPECT_EQ(listeners.on_close[0].name, "unsubscribe");
  EXPECT_EQ(listeners.on_close[0].send->payload_template,
            R"({"type":"unsubscribe","channel":"prices","id":{{seq}}})");
  EXPECT_EQ(listeners.push.sequence_field, "seq");
  EXPECT_EQ(listeners.push.timestamp_field, "ts");

  const GroupSpec& publishers = s.groups[1];
  EXPECT_EQ(publishers.name, "publishers");
  EXPECT_EQ(publishers.weight, 1u);
  EXPECT_EQ(publishers.target.url, "ws://odin:3001/ws");
  ASSERT_EQ(publishers.streams.size(), 1u);
  EXPECT_EQ(publishers.streams[0].name, "publish");
  EXPECT_EQ(publishers.streams[0].interval, 1s);
  EXPECT_EQ(publishers.streams[0].payload_template,
            R"({"type":"publish","channel":"prices","id":{{seq}},"sub":"none"})");
  EXPECT_EQ(publishers.streams[0].timeout, 2s);

  std::vector<std::string> thresholds;
  for (const Threshold& t : s.thresholds) thresholds.push_back(t.expression);
  EXPECT_EQ(thresholds, (std::vector<std::string>{"connections.success_rate == 100%",
                                                  "sessions.failed == 0", "latency.avg < 5ms"}));
  EXPECT_TRUE(validate_scenario(s).empty());
}

TEST(Presets, EmbeddedYamlParsesUnderItsPresetLabel) {
  for (const Preset& p : presets()) {
    const LoadResult r = parse_scenario_text(p.yaml, "preset:" + std::string(p.name), env_of({}));
    EXPECT_TRUE(r.diagnostics.empty()) << p.name;
    ASSERT_TRUE(r.plan.has_value());
    EXPECT_EQ(r.plan->name, p.name);
  }
}

}  // namespace
}  // namespace wsload::scenario
