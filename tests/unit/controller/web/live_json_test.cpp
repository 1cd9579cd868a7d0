#include "web/live_json.hpp"

#include <gtest/gtest.h>

#include "wsload/shared/threshold.hpp"

namespace wsload::controller {
namespace {

struct Sample {
  shared::Scenario scenario;
  shared::PartIndex parts;
  shared::MetricsDelta running, agent_a, agent_b;
  std::vector<TimelinePoint> timeline;
  std::map<std::string, double> server{{"connections_open", 7}};

  Sample() {
    scenario.name = "live";
    scenario.load.connections = 10;
    scenario.load.ramp_up = std::chrono::seconds(4);
    std::string error;
    for (const char* text : {"latency.p99 < 3ms", "connections.failed == 0", "push.gaps == 0"}) {
      scenario.thresholds.push_back(*shared::parse_threshold(text, &error));
    }
    auto& a = agent_a.counters;
    a.connections_attempted = 6;
    a.connections_established = 4;
    a.connections_failed = 2;
    a.failures["http_401"] = 2;
    a.messages_sent = 40;
    a.replies = 37;
    a.timeouts = 3;
    a.messages_received = 37;
    for (int us : {1000, 2000, 4000}) agent_a.latency.record(us);
    auto& b = agent_b.counters;
    b.connections_attempted = 4;
    b.connections_established = 4;
    b.messages_sent = 20;
    b.replies = 20;
    b.messages_received = 20;
    agent_b.latency.record(500);
    running.merge(agent_a);
    running.merge(agent_b);
    timeline.emplace_back().t_s = 1;
  }

  LiveFrame frame(std::span<const AgentExposition> agents) const {
    return {
        .scenario = scenario,
        .parts = parts,
        .figures = {.delta = running, .open = 8, .peak_open = 8, .duration_s = 2, .ramp_up_s = 2},
        .agents = agents,
        .timeline = timeline,
        .phase = "ramp-up",
        .target = 5,
        .planned_s = 10,
        .agents_healthy = 1,
        .agents_total = 2,
        .server = &server,
        .server_error = ""};
  }
};

TEST(LiveJson, FiguresAreTheMergedCountersUnderTheReportsKeys) {
  Sample s;
  const AgentExposition agents[] = {{"a:1", &s.agent_a, 4, true, "running"},
                                    {"b:2", &s.agent_b, 4, false, "lost"}};
  const auto j = live_json(s.frame(agents));
  EXPECT_EQ(j["connections"]["attempted"], 10);
  EXPECT_EQ(j["connections"]["established"], 8);
  EXPECT_EQ(j["connections"]["failed"], 2);
  EXPECT_EQ(j["connections"]["open"], 8);
  EXPECT_EQ(j["connections"]["target"], 5);
  EXPECT_DOUBLE_EQ(j["connections"]["rate"].get<double>(), 4);  // 8 established over 2 s
  EXPECT_EQ(j["messages"]["sent"], 60);
  EXPECT_EQ(j["messages"]["timeouts"], 3);
  EXPECT_EQ(j["errors"]["count"], 5);  // 2 failed + 3 timeouts
  EXPECT_EQ(j["latency"]["count"], 4);
  EXPECT_DOUBLE_EQ(j["latency"]["max_ms"].get<double>(), 4);
  EXPECT_DOUBLE_EQ(j["latency"]["min_ms"].get<double>(), 0.5);
  EXPECT_TRUE(j["push"]["latency"]["p99_ms"].is_null()) << "no push: no value, not 0";
  EXPECT_EQ(j["phase"], "ramp-up");
  EXPECT_DOUBLE_EQ(j["elapsed_s"].get<double>(), 2);
  EXPECT_EQ(j["server"]["connections_open"], 7);
  EXPECT_FALSE(j.contains("streams")) << "a v1 scenario has no streams";
}

TEST(LiveJson, ErrorsByReasonAgentsAndThresholdsAreEvaluatedNow) {
  Sample s;
  const AgentExposition agents[] = {{"a:1", &s.agent_a, 4, true, "running"},
                                    {"b:2", &s.agent_b, 4, false, "lost"}};
  const auto j = live_json(s.frame(agents));
  const auto& reasons = j["errors"]["by_reason"];
  ASSERT_EQ(reasons.size(), 2u);
  EXPECT_EQ(reasons[0]["kind"], "connection failed");
  EXPECT_EQ(reasons[0]["reason"], "http_401");
  EXPECT_EQ(reasons[0]["count"], 2);
  EXPECT_EQ(reasons[1]["kind"], "timeout");
  EXPECT_EQ(reasons[1]["count"], 3);
  ASSERT_EQ(j["agents"].size(), 2u);
  EXPECT_EQ(j["agents"][0]["endpoint"], "a:1");
  EXPECT_EQ(j["agents"][0]["failed"], 2);
  EXPECT_DOUBLE_EQ(j["agents"][0]["latency_p99_ms"].get<double>(), 4);
  EXPECT_EQ(j["agents"][1]["state"], "lost");
  EXPECT_EQ(j["agents"][1]["up"], false);
  const auto& t = j["thresholds"];
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0]["passed"], false) << "p99 is 4 ms";
  EXPECT_DOUBLE_EQ(t[0]["actual"].get<double>(), 4);
  EXPECT_EQ(t[1]["passed"], false) << "2 failed";
  EXPECT_EQ(t[2]["passed"], true);
}

TEST(LiveJson, EmptyDistributionsHaveNoValues) {
  const auto j = live_distribution(shared::Histogram{});
  EXPECT_EQ(j["count"], 0);
  for (const char* k : {"min_ms", "avg_ms", "p50_ms", "p90_ms", "p99_ms", "max_ms"}) {
    EXPECT_TRUE(j[k].is_null()) << k;
  }
}

}  // namespace
}  // namespace wsload::controller
