// The guide's quick start as real processes: nats-server, wsload-target relaying a NATS subject
// (the "Odin server"), `wsload-target publish` (the "Odin publisher") and `wsload run` with two
// agents. Every published message must reach every connection, once, in order, with its delivery
// latency.
#include <gtest/gtest.h>

#include "system_target.hpp"

namespace wsload::test {
namespace {

constexpr int kConnections = 50;
constexpr int kPublished = 40;
constexpr const char* kSubject = "odin.data";

// Ramp 1 s, then a hold long enough for the publisher (40 messages at 50/s, started once every
// connection is open) to finish well before any connection closes.
constexpr const char* kScenario = R"(name: nats-quick-start
target:
  url: ${WS_URL}
  auth:
    token: ${AUTH_TOKEN}
load:
  connections: 50
  ramp_up: 1s
  hold: 10s
messages:
  interval: 500ms
  kind: json
  template: '{"type":"ping","id":{{seq}}}'
  match: id
  timeout: 5s
push: { sequence_field: seq, timestamp_field: ts }
thresholds:
  - connections.success_rate == 100%
  - push.gaps == 0
)";

TEST(SystemTargetNats, QuickStartDeliversEveryPublishedMessageToEveryConnection) {
  NatsServer nats;
  ASSERT_TRUE(nats.ok())
      << nats.error();  // a missing nats-server fails the test, it does not skip it
  Cluster cluster(2, {"--nats", nats.url(), "--subject", kSubject});
  const uint16_t target_port = cluster_target_port(cluster);
  const std::string token = wsload_token(Cluster::kSecret);
  ASSERT_FALSE(token.empty()) << "wsload token failed";

  TempDir dir;
  BackgroundRun run(cluster, dir, kScenario, token);
  // The live view reports the agents' open connections; once it shows 50/50 every connection is
  // open, and none closes before the hold ends.
  ASSERT_TRUE(run.process().wait_for_text("open 50/50 ", std::chrono::seconds(60)))
      << run.process().output();

  ChildProcess publisher({bin("wsload-target"), "publish", "--nats", nats.url(), "--subject",
                          kSubject, "--rate", "50", "--count", std::to_string(kPublished)});
  ASSERT_EQ(publisher.wait_exit(std::chrono::seconds(30)), 0) << publisher.output();
  EXPECT_TRUE(publisher.wait_for_line("published 40 messages", std::chrono::seconds(5)))
      << publisher.output();
  // The relay took every message, and the run was still holding when the last was published.
  EXPECT_EQ(wait_for_stat(target_port, "nats_received", kPublished), kPublished);
  ASSERT_TRUE(run.running()) << "the run ended before the publisher finished (machine too slow?):\n"
                             << run.process().output();

  auto r = run.finish();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto& j = r.report;
  ASSERT_TRUE(j.is_object()) << r.output;
  EXPECT_EQ(j["connections"]["attempted"], kConnections);
  EXPECT_EQ(j["connections"]["established"], kConnections);
  EXPECT_EQ(j["connections"]["unexpected_disconnects"], 0);
  ASSERT_EQ(j["agents"].size(), 2u);
  EXPECT_EQ(j["agents"][0]["connections"]["established"], kConnections / 2);
  EXPECT_EQ(j["agents"][1]["connections"]["established"], kConnections / 2);

  const auto& push = j["push"];
  EXPECT_EQ(push["received"], kPublished * kConnections) << push.dump();
  EXPECT_EQ(push["gaps"], 0);
  EXPECT_EQ(push["duplicates"], 0);
  EXPECT_EQ(push["reordered"], 0);
  EXPECT_EQ(push["latency"]["count"], push["received"]);
  const double p50 = push["latency"]["p50_ms"].get<double>();
  EXPECT_GT(p50, 0.0);
  EXPECT_LT(p50, 1000.0);

  // Pings and pongs ran next to the pushes and stayed apart from them.
  const uint64_t sent = j["messages"]["sent"];
  EXPECT_GT(sent, 0u);
  EXPECT_EQ(j["messages"]["replies"], sent);
  EXPECT_EQ(j["messages"]["timeouts"], 0);
  EXPECT_TRUE(j["passed"]);

  // The target's own account: one broadcast per NATS message, each written to every client.
  auto stats = target_stats(target_port);
  ASSERT_TRUE(stats.is_object());
  EXPECT_EQ(stats["broadcasts"], kPublished);
  EXPECT_EQ(stats["drops"], 0);
  EXPECT_EQ(stats["messages_out"].get<uint64_t>(), sent + kPublished * kConnections)
      << stats.dump();
}

}  // namespace
}  // namespace wsload::test
