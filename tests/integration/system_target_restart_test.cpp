// The server restarted in the middle of a run: wsload-target is SIGKILLed while 50 connections
// exchange messages and a new process takes its port. Every connection sees an unexpected
// disconnect, reconnects once after the backoff to the new process and goes on; nothing measured
// before the restart is lost and every count stays conserved.
#include <gtest/gtest.h>

#include <csignal>
#include <thread>

#include "system_target.hpp"

namespace wsload::test {
namespace {

constexpr int kConnections = 50;

TEST(SystemTargetRestart, ConnectionsReconnectToTheNewProcessAndCountsStayConserved) {
  Cluster cluster(2);
  const uint16_t port = cluster_target_port(cluster);
  TempDir dir;
  BackgroundRun run(cluster, dir,
                    "name: restart\n"
                    "target:\n  url: ${WS_URL}\n  auth:\n    token: ${AUTH_TOKEN}\n"
                    "load:\n  connections: 50\n  ramp_up: 500ms\n  hold: 7s\n"
                    "messages:\n  interval: 100ms\n  kind: json\n"
                    "  template: '{\"type\":\"ping\",\"id\":{{seq}}}'\n  match: id\n  timeout: 1s\n"
                    "reconnect:\n  enabled: true\n  max_attempts: 3\n  backoff: 1s\n",
                    cluster.token());
  ASSERT_EQ(wait_for_stat(port, "connections_open", kConnections), kConnections)
      << run.process().output();
  const auto before = target_stats(port);
  ASSERT_TRUE(before.is_object());
  ASSERT_GT(before["messages_in"].get<long long>(), 0);

  // The old process dies with its sockets; the new one binds the same port well inside the backoff.
  ASSERT_TRUE(cluster.target->send_signal(SIGKILL));
  ASSERT_TRUE(cluster.target->wait_exit(std::chrono::seconds(5)).has_value());
  cluster.target = std::make_unique<ChildProcess>(
      std::vector<std::string>{bin("wsload-target"), "--listen", cluster.target_address, "--path",
                               "/ws", "--jwt-secret", Cluster::kSecret, "--log-level", "warn"});
  ASSERT_TRUE(cluster.target->wait_for_line("listening on ", std::chrono::seconds(10)))
      << cluster.target->output();
  EXPECT_EQ(wait_for_stat(port, "connections_open", kConnections), kConnections)
      << "the new process got them back";

  auto r = run.finish();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto& j = r.report;
  ASSERT_TRUE(j.is_object()) << r.output;
  const auto& c = j["connections"];
  const auto& m = j["messages"];
  EXPECT_EQ(c["unexpected_disconnects"], kConnections) << r.output;
  EXPECT_EQ(c["reconnects"], kConnections);
  EXPECT_EQ(c["attempted"], 2 * kConnections);
  EXPECT_EQ(c["established"], 2 * kConnections);
  EXPECT_EQ(c["failed"], 0);
  EXPECT_EQ(c["closed"], 2 * kConnections);
  const auto disconnects = c["disconnects"];
  EXPECT_EQ(disconnects.value("close_1000", 0), kConnections) << disconnects.dump();
  // A request in flight when the server died can never be answered: it is a timeout, not lost.
  EXPECT_EQ(m["sent"].get<long long>(),
            m["replies"].get<long long>() + m["timeouts"].get<long long>());
  EXPECT_EQ(m["in_flight"], 0);
  EXPECT_LE(m["timeouts"].get<long long>(), kConnections);
  EXPECT_EQ(j["latency"]["count"], m["replies"]);
  // Sends before the restart are in the report: more than the new process alone received.
  const auto after = target_stats(port);
  ASSERT_TRUE(after.is_object());
  EXPECT_GT(m["replies"].get<long long>(), after["messages_in"].get<long long>());
  EXPECT_GE(m["replies"].get<long long>(), before["messages_in"].get<long long>() +
                                               after["messages_in"].get<long long>() -
                                               kConnections);
  EXPECT_TRUE(wait_for_stat_equal(port, "connections_open", 0))
      << "no load left on the new process";
}

}  // namespace
}  // namespace wsload::test
