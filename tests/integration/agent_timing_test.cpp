// Latency accounting through the whole system: a server that delays every reply by a known amount
// is reported at that latency, and an agent that is starved mid-run reports the delay from the
// scheduled send instants (no coordinated omission) apart from the service latency.
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "agent_test_support.hpp"

namespace wsload::test {
namespace {

TEST(AgentTiming, ServerDelayOf50MsIsReportedAs50Ms) {
  constexpr int kDelayMs = 50;
  auto server = start_node_echo(kDelayMs);
  ASSERT_TRUE(server->ok()) << server->error();
  Agents agents(1);
  TempDir dir;
  const auto yaml = echo_scenario(server->url(), 20,
                                  "  kind: json\n  template: '{\"id\":{{seq}}}'\n  match: id\n");
  auto r = run_scenario_file(dir, yaml, agents.spec);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_exact_echo(r, 20, 10);
  const auto& latency = r.report["latency"];
  EXPECT_NEAR(latency["p50_ms"].get<double>(), kDelayMs, 2.0) << latency.dump();
  // No reply arrives before the server's delay (less the timer granularity of 1 ms).
  EXPECT_GE(latency["min_ms"].get<double>(), kDelayMs - 1.5) << latency.dump();
  EXPECT_NEAR(r.report["latency_service"]["p50_ms"].get<double>(), kDelayMs, 2.0);
}

TEST(AgentTiming, StarvedAgentCountsTheLagFromTheScheduledSend) {
  Cluster cluster(1);
  TempDir dir;
  const std::string yaml =
      "name: starved\n"
      "target:\n"
      "  url: " +
      cluster.url() +
      "\n"
      "  auth: { token: '" +
      cluster.token() +
      "' }\n"
      "load: { connections: 20, ramp_up: 200ms, hold: 4s }\n"
      "messages: { interval: 20ms, kind: json, match: id, timeout: 5s,\n"
      "            template: '{\"type\":\"ping\",\"id\":{{seq}}}' }\n";
  std::vector<std::string> argv{bin("wsload")};
  const auto args = scenario_run_args(dir, yaml, cluster.agents_spec);
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess wsload(argv,
                      ProcessOptions{{}, {"WS_URL", "AUTH_TOKEN", "WSLOAD_AGENT_TOKEN"}, true});
  // The live view shows every connection open: the run is in its hold.
  ASSERT_TRUE(wsload.wait_for_text("open 20/20", std::chrono::seconds(30))) << wsload.output();
  ChildProcess& agent = *cluster.agent_processes.front();
  ASSERT_TRUE(agent.send_signal(SIGSTOP));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_TRUE(agent.send_signal(SIGCONT));
  ASSERT_EQ(wsload.wait_exit(std::chrono::seconds(60)), 0) << wsload.output();

  std::ifstream in(dir.file("report.json"));
  const auto j = nlohmann::json::parse(in, nullptr, false);
  ASSERT_TRUE(j.is_object()) << wsload.output();
  EXPECT_EQ(j["connections"]["established"].get<uint64_t>(), 20u);
  const uint64_t sent = j["messages"]["sent"];
  EXPECT_EQ(j["messages"]["replies"].get<uint64_t>(), sent);
  EXPECT_EQ(j["messages"]["timeouts"].get<uint64_t>(), 0u);
  // The 300 ms stop put every connection's sends behind schedule by up to the stop.
  EXPECT_GT(j["schedule"]["sends_behind"].get<uint64_t>(), 20u) << j["schedule"].dump();
  EXPECT_GE(j["schedule"]["max_lag_ms"].get<double>(), 250.0) << j["schedule"].dump();
  // Latency from the scheduled instant carries the stall; latency from the actual send does not.
  EXPECT_GE(j["latency"]["max_ms"].get<double>(), 250.0);
  EXPECT_GT(j["latency"]["avg_ms"].get<double>(), j["latency_service"]["avg_ms"].get<double>());
  EXPECT_EQ(j["latency"]["count"], j["latency_service"]["count"]);
}

}  // namespace
}  // namespace wsload::test
