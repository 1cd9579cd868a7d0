// wsload-target's connection limits through real upgrades made by `wsload run` with two agents: the
// refusals appear in the wsload report by HTTP status, and in the target's /stats.
#include <gtest/gtest.h>

#include "system_target.hpp"

namespace wsload::test {
namespace {

std::string scenario(int connections, const std::string& ramp_up, const std::string& hold,
                     const std::string& thresholds) {
  return "name: limits\n"
         "target:\n"
         "  url: ${WS_URL}\n"
         "  auth:\n"
         "    token: ${AUTH_TOKEN}\n"
         "load:\n"
         "  connections: " +
         std::to_string(connections) +
         "\n"
         "  ramp_up: " +
         ramp_up +
         "\n"
         "  hold: " +
         hold +
         "\n"
         "thresholds:\n" +
         thresholds;
}

TEST(SystemTargetLimits, MaxConnectionsRefusesEveryUpgradeBeyondItWith503) {
  constexpr int kConnections = 50;
  constexpr int kMax = 30;
  Cluster cluster(2, {"--max-connections", std::to_string(kMax)});
  TempDir dir;
  // Nothing closes before the hold ends, so exactly kMax sessions are admitted and the rest
  // refused.
  BackgroundRun run(cluster, dir,
                    scenario(kConnections, "1s", "1s",
                             "  - connections.established == 30\n  - connections.failed == 20\n"),
                    cluster.token());
  auto r = run.finish();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto& j = r.report;
  ASSERT_TRUE(j.is_object()) << r.output;
  const auto& c = j["connections"];
  EXPECT_EQ(c["attempted"], kConnections);
  EXPECT_EQ(c["established"], kMax);
  EXPECT_EQ(c["failed"], kConnections - kMax);
  EXPECT_EQ(c["failures"]["http_503"], kConnections - kMax) << c["failures"].dump();
  EXPECT_EQ(c["failures"].size(), 1u) << c["failures"].dump();
  EXPECT_EQ(c["peak_open"], kMax);
  EXPECT_EQ(j["summary"]["failedConnections"], kConnections - kMax);
  EXPECT_TRUE(j["passed"]);

  auto stats = target_stats(cluster_target_port(cluster));
  ASSERT_TRUE(stats.is_object());
  EXPECT_EQ(stats["rejected_503"], kConnections - kMax);
  EXPECT_EQ(stats["connections_total"], kMax);
}

TEST(SystemTargetLimits, AcceptRateAdmitsTheBurstAndRefusesTheRestWith429) {
  constexpr int kConnections = 40;
  constexpr int kRate = 4;
  Cluster cluster(2, {"--accept-rate", std::to_string(kRate)});
  TempDir dir;
  // ramp_up 0s: both agents open all 40 connections at the same synchronized instant, from one IP
  // (127.0.0.1), hence one bucket. It starts full with kRate tokens and refills one token per
  // 1/kRate = 250 ms; the 40 upgrades reach the server within a few tens of milliseconds (about
  // 30 ms measured on a loaded 2-core machine), so no token is added during the burst: exactly
  // kRate upgrades succeed and every other one gets 429.
  BackgroundRun run(cluster, dir,
                    scenario(kConnections, "0s", "1s", "  - connections.established == 4\n"),
                    cluster.token());
  auto r = run.finish();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto& j = r.report;
  ASSERT_TRUE(j.is_object()) << r.output;
  const auto& c = j["connections"];
  EXPECT_EQ(c["attempted"], kConnections);
  EXPECT_EQ(c["established"], kRate);
  EXPECT_EQ(c["failed"], kConnections - kRate);
  EXPECT_EQ(c["failures"]["http_429"], kConnections - kRate) << c["failures"].dump();
  EXPECT_EQ(c["failures"].size(), 1u) << c["failures"].dump();

  auto stats = target_stats(cluster_target_port(cluster));
  ASSERT_TRUE(stats.is_object());
  EXPECT_EQ(stats["rejected_429"], kConnections - kRate);
  EXPECT_EQ(stats["connections_total"], kRate);
}

}  // namespace
}  // namespace wsload::test
