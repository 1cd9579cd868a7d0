#include "cli/validate_plan.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "wsload/scenario/scenario_loader.hpp"

namespace wsload::controller {
namespace {

shared::Scenario load(std::string_view name_or_yaml, bool preset) {
  const scenario::EnvLookup no_env = [](std::string_view) { return std::nullopt; };
  scenario::LoadResult r = preset ? scenario::load_scenario(name_or_yaml, no_env)
                                  : scenario::parse_scenario_text(name_or_yaml, "t.yaml", no_env);
  EXPECT_TRUE(r.diagnostics.empty());
  return r.plan.value().stages.at(0);
}

std::string print(const shared::Scenario& s, std::vector<AgentEndpoint> agents) {
  std::ostringstream out;
  print_stage_plan(out, s, agents);
  return out.str();
}

TEST(ValidatePlan, V1OutputIsUnchanged) {
  EXPECT_EQ(print(load("quick", true), {{"a", 1.0}, {"b", 1.0}}),
            "\nstage quick: 100 connections to ws://localhost:3001/ws, ramp-up 10s, hold 30s, "
            "ramp-down 0s\n"
            "  messages every 5s per connection, match id, timeout 5s\n"
            "  threshold: connections.success_rate == 100%\n"
            "  threshold: latency.avg < 5ms\n"
            "  a: 50 connections, opening from +0s to +9s800ms\n"
            "  b: 50 connections, opening from +100ms to +9s900ms\n");
}

// A stream's `start` is printed where its interval is, in both formats.
TEST(ValidatePlan, AStreamsStartIsShownWithItsInterval) {
  const std::string v1 = print(load("load: { connections: 10, ramp_up: 100s, hold: 35s }\n"
                                    "messages: { interval: 30s, start: 105s, kind: ping }\n",
                                    false),
                               {{"a", 1.0}});
  EXPECT_NE(v1.find("  messages every 30s per connection from 1m45s, match next, timeout 5s\n"),
            std::string::npos)
      << v1;
  const std::string v2 =
      print(load("groups:\n  - name: g\n    messages:\n"
                 "      - { name: ping, interval: 30s, start: 2m, kind: ping }\n"
                 "      - { name: chat, interval: 5s, kind: text, template: hi, match: none }\n",
                 false),
            {{"a", 1.0}});
  EXPECT_NE(v2.find("    stream ping: every 30s from 2m, match next"), std::string::npos) << v2;
  EXPECT_NE(v2.find("    stream chat: every 5s, match none"), std::string::npos) << v2;
}

TEST(ValidatePlan, SessionsShowGroupSharesAndEachAgentsConnectionsPerGroup) {
  const std::string text = print(load("odin-session", true), {{"a", 1.0}, {"b", 1.0}, {"c", 1.0}});
  EXPECT_NE(text.find("stage odin-session: 100 connections in 2 groups, ramp-up 10s, hold 30s"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  group listeners: 90 connections (weight 9) to ws://localhost:3001/ws\n"
                      "    on_open: subscribe (send, expect match id, timeout 5s, capture sub)\n"
                      "    stream ping: every 5s, match id, timeout 5s\n"
                      "    on_close: unsubscribe (send)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  group publishers: 10 connections (weight 1)"), std::string::npos);
  // Each group is split over the agents on its own: 90 listeners are 30/30/30 and 10 publishers
  // 4/3/3, so each agent runs nine listeners for one publisher, give or take one.
  EXPECT_NE(
      text.find(
          "  a: 34 connections, opening from +0s to +9s700ms; listeners 30, publishers 4\n"
          "  b: 33 connections, opening from +100ms to +9s800ms; listeners 30, publishers 3\n"
          "  c: 33 connections, opening from +200ms to +9s900ms; listeners 30, publishers 3\n"),
      std::string::npos)
      << text;
}

TEST(ValidatePlan, PerAgentGroupCountsAddUpToTheGroupShares) {
  const shared::Scenario s = load(R"(load: { connections: 97 }
groups:
  - { name: a, weight: 5 }
  - { name: b, connections: 7 }
  - { name: c, weight: 2 }
)",
                                  false);
  const std::string text = print(s, {{"x", 1.0}, {"y", 2.0}, {"z", 3.0}});
  EXPECT_NE(text.find("  group a: 64 connections (weight 5)"), std::string::npos) << text;
  EXPECT_NE(text.find("  group b: 7 connections (absolute)"), std::string::npos) << text;
  EXPECT_NE(text.find("  group c: 26 connections (weight 2)"), std::string::npos) << text;
  // Sum each group over the three agent lines.
  uint64_t sums[3] = {0, 0, 0};
  std::istringstream lines(text);
  std::string line;
  int agents = 0;
  while (std::getline(lines, line)) {
    const size_t semi = line.find("; a ");
    if (semi == std::string::npos) continue;
    ++agents;
    unsigned a = 0, b = 0, c = 0;
    ASSERT_EQ(std::sscanf(line.c_str() + semi, "; a %u, b %u, c %u", &a, &b, &c), 3) << line;
    sums[0] += a;
    sums[1] += b;
    sums[2] += c;
  }
  EXPECT_EQ(agents, 3);
  EXPECT_EQ(sums[0], 64u);
  EXPECT_EQ(sums[1], 7u);
  EXPECT_EQ(sums[2], 26u);
}

}  // namespace
}  // namespace wsload::controller
