// Format-v2 sessions end to end (issue 13): `wsload run` with 3 local agents against wsload-target
// with JWT auth on, scenarios from tests/data/scenarios/v2/sessions_*.yaml. Every count is exact:
// per group (largest remainder), per step, per stream, and the target's own /stats.
#include <gtest/gtest.h>

#include <regex>

#include "sessions_plan_oracle.hpp"
#include "target_process.hpp"
#include "wsload_cluster.hpp"

namespace wsload::test {
namespace {

constexpr const char* kJwtSecret = "sessions-run-secret";
constexpr int kLocalAgents = 3;

class SessionsRun : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(target_.ok()) << target_.error(); }

  // `wsload run tests/data/scenarios/v2/FILE --local-agents 3` against the target.
  CliResult run(const std::string& file) {
    ProcessOptions options;
    options.env = {{"WS_URL", "ws://127.0.0.1:" + std::to_string(target_.port()) + "/ws"},
                   {"SESSIONS_JWT_SECRET", kJwtSecret}};
    return run_wsload({"run", v2_scenario(file), "--local-agents", std::to_string(kLocalAgents),
                       "--json", dir_.file("report.json"), "--live-interval", "1s"},
                      dir_.file("report.json"), std::chrono::seconds(60), options);
  }

  // The target's /stats once every session has ended (each one's messages are counted by then).
  nlohmann::json final_stats() {
    EXPECT_TRUE(wait_for_stat_equal(target_.port(), "connections_open", 0));
    auto r = http_get(target_.port(), "/stats");
    EXPECT_EQ(r.status, 200) << r.error;
    return nlohmann::json::parse(r.body, nullptr, false);
  }

  TargetProcess target_{{"--jwt-secret", kJwtSecret, "--path", "/ws"}};
  TempDir dir_;
};

uint64_t u64(const nlohmann::json& j) { return j.get<uint64_t>(); }

// Every stream's requests are answered or timed out by the end, and the streams add up to the
// totals.
void expect_streams_add_up(const nlohmann::json& report) {
  uint64_t sent = 0;
  uint64_t replies = 0;
  for (const auto& [name, stream] : report["streams"].items()) {
    EXPECT_EQ(u64(stream["sent"]), u64(stream["replies"]) + u64(stream["timeouts"])) << name;
    sent += u64(stream["sent"]);
    replies += u64(stream["replies"]);
  }
  EXPECT_EQ(report["messages"]["in_flight"], 0);
  EXPECT_EQ(u64(report["messages"]["sent"]), sent);
  EXPECT_EQ(u64(report["messages"]["replies"]), replies);
}

TEST(SessionsValidate, PrintsTheGroupSharesOfEveryAgent) {
  ProcessOptions options;
  options.env = {{"WS_URL", "ws://127.0.0.1:1/ws"}, {"SESSIONS_JWT_SECRET", kJwtSecret}};
  auto r = run_wsload({"validate", v2_scenario("sessions_run.yaml"), "--local-agents", "3"}, "",
                      std::chrono::seconds(30), options);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto groups = largest_remainder(37, {3, 1});
  ASSERT_EQ(groups, (std::vector<uint64_t>{28, 9}));
  EXPECT_NE(r.output.find("group listeners: 28 connections (weight 3)"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("group publishers: 9 connections (weight 1)"), std::string::npos)
      << r.output;
  // Per agent: the agent interleave and the group interleave over the same global ids.
  const auto group_of = interleave(groups);
  const auto agent_of = interleave(largest_remainder(37, {1, 1, 1}));
  for (size_t k = 0; k < 3; ++k) {
    uint64_t listeners = 0;
    uint64_t publishers = 0;
    for (size_t id = 0; id < 37; ++id) {
      if (agent_of[id] != k) continue;
      (group_of[id] == 0 ? listeners : publishers) += 1;
    }
    const std::string line = "local-agent-" + std::to_string(k + 1) + ": " +
                             std::to_string(listeners + publishers) + " connections";
    const std::string mix =
        "listeners " + std::to_string(listeners) + ", publishers " + std::to_string(publishers);
    const auto at = r.output.find(line);
    ASSERT_NE(at, std::string::npos) << line << "\n" << r.output;
    const auto end = r.output.find('\n', at);
    EXPECT_NE(r.output.substr(at, end - at).find(mix), std::string::npos) << mix << "\n"
                                                                          << r.output;
  }
}

// SPEC §3a: groups are interleaved "so that every agent and every moment of the ramp has the same
// mix". Disabled: the group interleave is the agent interleave over the same ids, so they alias
// (odin-session, 9:1 over 2 agents: 50 listeners + 0 publishers and 40 + 10; over 10 agents one
// agent holds every publisher). Enable once the plan spreads groups over agents.
TEST(SessionsValidate, EveryAgentGetsTheGroupMixWithinOneConnection) {
  for (const char* agents : {"2", "3", "10"}) {
    auto r = run_wsload({"validate", "odin-session", "--local-agents", agents}, "",
                        std::chrono::seconds(30));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    // "local-agent-K: S connections, ...; listeners L, publishers P" for 100 connections, 9:1.
    const std::regex line(
        R"(local-agent-\d+: (\d+) connections.*; listeners (\d+), publishers (\d+))");
    int agent_lines = 0;
    for (std::sregex_iterator it(r.output.begin(), r.output.end(), line), end; it != end; ++it) {
      ++agent_lines;
      const double share = std::stod((*it)[1]);
      EXPECT_NEAR(std::stod((*it)[2]), share * 0.9, 1.0) << agents << " agents: " << it->str();
      EXPECT_NEAR(std::stod((*it)[3]), share * 0.1, 1.0) << agents << " agents: " << it->str();
    }
    EXPECT_EQ(agent_lines, std::stoi(agents)) << r.output;
  }
}

TEST_F(SessionsRun, TwoGroupsStepsStreamsAndDataAreCountedExactly) {
  auto r = run("sessions_run.yaml");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto& j = r.report;
  ASSERT_TRUE(j.is_object()) << r.output;

  constexpr uint64_t kConnections = 37;
  const auto counts = largest_remainder(kConnections, {3, 1});
  const uint64_t listeners = counts[0];
  const uint64_t publishers = counts[1];
  EXPECT_EQ(j["connections"]["attempted"], kConnections);
  EXPECT_EQ(j["connections"]["established"], kConnections);
  EXPECT_EQ(j["connections"]["unexpected_disconnects"], 0);
  const auto& groups = j["groups"];
  EXPECT_EQ(groups["listeners"]["connections"]["attempted"], listeners);
  EXPECT_EQ(groups["listeners"]["connections"]["established"], listeners);
  EXPECT_EQ(groups["listeners"]["connections"]["failed"], 0);
  EXPECT_EQ(groups["publishers"]["connections"]["attempted"], publishers);
  EXPECT_EQ(groups["publishers"]["connections"]["established"], publishers);
  EXPECT_EQ(groups["publishers"]["connections"]["failed"], 0);
  ASSERT_EQ(j["agents"].size(), static_cast<size_t>(kLocalAgents));
  uint64_t shares = 0;
  for (const auto& agent : j["agents"]) shares += u64(agent["share"]);
  EXPECT_EQ(shares, kConnections);

  // Steps: one subscribe per listener before its streams, one unsubscribe before its close.
  const auto& steps = j["steps"];
  EXPECT_EQ(steps["subscribe"]["ok"], listeners);
  EXPECT_EQ(steps["subscribe"]["failed"], 0);
  EXPECT_EQ(steps["subscribe"]["latency"]["count"], listeners);
  EXPECT_EQ(steps["unsubscribe"]["ok"], listeners);
  EXPECT_EQ(steps["unsubscribe"]["failed"], 0);
  EXPECT_EQ(j["sessions"]["failed"], 0);

  // Streams: each on its own interval over a hold of at least 2 s.
  const auto& streams = j["streams"];
  ASSERT_EQ(streams.size(), 3u);
  EXPECT_GE(u64(streams["ping"]["sent"]), listeners * (2000 / 300));
  EXPECT_GE(u64(streams["notify"]["sent"]), listeners * (2000 / 700));
  EXPECT_GE(u64(streams["publish"]["sent"]), publishers * (2000 / 200));
  expect_streams_add_up(j);
  EXPECT_EQ(u64(groups["listeners"]["messages"]["sent"]),
            u64(streams["ping"]["sent"]) + u64(streams["notify"]["sent"]));
  EXPECT_EQ(groups["publishers"]["messages"]["sent"], streams["publish"]["sent"]);

  // The server's side of it.
  const auto stats = final_stats();
  ASSERT_TRUE(stats.is_object());
  EXPECT_EQ(stats["connections_total"], kConnections);
  EXPECT_EQ(stats["rejected_401"], 0);
  EXPECT_EQ(stats["subscribes"], listeners);
  EXPECT_EQ(stats["unsubscribes"], listeners);  // every planned close preceded by its unsubscribe
  EXPECT_EQ(stats["unsubscribes_unknown"], 0);
  EXPECT_EQ(stats["subscriptions_open"], 0);
  // The notify stream publishes to the channel named by the captured subscription: an empty
  // {{var.sub}} would be refused (session_message_errors).
  EXPECT_EQ(stats["session_message_errors"], 0);
  EXPECT_EQ(u64(stats["publishes"]),
            u64(streams["notify"]["sent"]) + u64(streams["publish"]["sent"]));
  // One JWT subject per data row: 25 rows, 37 connections.
  EXPECT_EQ(stats["distinct_subjects"], std::min<uint64_t>(read_users_csv().size(), kConnections));
  // Every frame the target read is a stream request or a step message.
  EXPECT_EQ(u64(stats["messages_in"]), u64(j["messages"]["sent"]) + 2 * listeners);
}

TEST_F(SessionsRun, AStepThatTimesOutFailsItsSessionsAndTheirStreamsNeverStart) {
  auto r = run("sessions_step_timeout.yaml");
  // The scenario's threshold sessions.failed == 0 fails the run.
  ASSERT_EQ(r.exit_code, 1) << r.output;
  const auto& j = r.report;
  ASSERT_TRUE(j.is_object()) << r.output;
  EXPECT_FALSE(j["passed"]);
  ASSERT_EQ(j["thresholds"].size(), 1u);
  EXPECT_EQ(j["thresholds"][0]["expression"], "sessions.failed == 0");
  EXPECT_FALSE(j["thresholds"][0]["passed"]);

  const auto counts = largest_remainder(11, {2, 1});
  const uint64_t waiters = counts[0];
  const uint64_t others = counts[1];
  EXPECT_EQ(j["groups"]["waiters"]["connections"]["established"], waiters);
  EXPECT_EQ(j["groups"]["others"]["connections"]["established"], others);
  EXPECT_EQ(j["steps"]["hello"]["ok"], 0);
  EXPECT_EQ(j["steps"]["hello"]["failed"], waiters);
  EXPECT_EQ(j["steps"]["hello"]["failures"]["timeout"], waiters);
  EXPECT_EQ(j["sessions"]["failed"], waiters);
  EXPECT_EQ(j["sessions"]["by_step"]["hello"], waiters);
  EXPECT_EQ(j["groups"]["waiters"]["sessions"]["failed"], waiters);
  EXPECT_EQ(j["groups"]["others"]["sessions"]["failed"], 0);

  // The waiters' stream never started; the others' ran normally.
  EXPECT_EQ(j["streams"]["waiter_ping"]["sent"], 0);
  EXPECT_EQ(j["groups"]["waiters"]["messages"]["scheduled"], 0);
  EXPECT_GE(u64(j["streams"]["other_ping"]["sent"]), others * (1500 / 100));
  EXPECT_EQ(j["streams"]["other_ping"]["timeouts"], 0);
  expect_streams_add_up(j);

  // A failed session is closed by the client with 1000: not an unexpected disconnect.
  EXPECT_EQ(j["connections"]["unexpected_disconnects"], 0);
  EXPECT_EQ(j["groups"]["waiters"]["connections"]["closed"], waiters);
  EXPECT_EQ(j["groups"]["waiters"]["connections"]["disconnects"]["close_1000"], waiters);
  // Failed steps count as errors.
  EXPECT_EQ(j["errors"]["count"], waiters);

  // The target read one step message per waiter and the others' stream, nothing more.
  const auto stats = final_stats();
  ASSERT_TRUE(stats.is_object());
  EXPECT_EQ(u64(stats["messages_in"]), waiters + u64(j["streams"]["other_ping"]["sent"]));
}

TEST_F(SessionsRun, AMissingCaptureFailsItsSessionsAndTheirStreamsNeverStart) {
  auto r = run("sessions_capture_missing.yaml");
  ASSERT_EQ(r.exit_code, 1) << r.output;
  const auto& j = r.report;
  ASSERT_TRUE(j.is_object()) << r.output;
  EXPECT_FALSE(j["passed"]);

  const auto counts = largest_remainder(11, {2, 1});
  const uint64_t capturers = counts[0];
  EXPECT_EQ(j["groups"]["capturers"]["connections"]["established"], capturers);
  // The reply came (and was the step's), but has no "token" field.
  EXPECT_EQ(j["steps"]["subscribe"]["ok"], 0);
  EXPECT_EQ(j["steps"]["subscribe"]["failed"], capturers);
  EXPECT_EQ(j["steps"]["subscribe"]["failures"]["capture_missing"], capturers);
  EXPECT_EQ(j["sessions"]["failed"], capturers);
  EXPECT_EQ(j["sessions"]["by_step"]["subscribe"], capturers);
  EXPECT_EQ(j["messages"]["unmatched"], 0);

  EXPECT_EQ(j["streams"]["capturer_ping"]["sent"], 0);
  EXPECT_EQ(j["groups"]["capturers"]["messages"]["scheduled"], 0);
  EXPECT_GT(u64(j["streams"]["other_ping"]["sent"]), 0u);
  expect_streams_add_up(j);
  EXPECT_EQ(j["connections"]["unexpected_disconnects"], 0);
  EXPECT_EQ(j["groups"]["capturers"]["connections"]["disconnects"]["close_1000"], capturers);

  const auto stats = final_stats();
  ASSERT_TRUE(stats.is_object());
  EXPECT_EQ(stats["subscribes"], capturers);
  EXPECT_EQ(u64(stats["messages_in"]), capturers + u64(j["streams"]["other_ping"]["sent"]));
}

}  // namespace
}  // namespace wsload::test
