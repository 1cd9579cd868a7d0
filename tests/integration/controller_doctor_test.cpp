// `wsload doctor` against real processes: a good setup passes every check; a wrong token, a dead
// target and a missing agent each fail with a hint.
#include <gtest/gtest.h>

#include "wsload_cluster.hpp"

namespace wsload::test {
namespace {

CliResult doctor(const std::vector<std::string>& extra) {
  std::vector<std::string> args{"doctor", "quick"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_wsload(args, "", std::chrono::seconds(30));
}

TEST(ControllerDoctor, GoodSetupPassesEveryCheck) {
  Cluster cluster(1);
  auto r = doctor({"--url", cluster.url(), "--token", cluster.token(), "--agents", cluster.agents_spec,
                   "--agent-token", Cluster::kAgentToken});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("[ok  ] websocket handshake"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("[ok  ] token: JWT valid for another"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("[ok  ] agent " + cluster.agents_spec), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("all checks passed"), std::string::npos) << r.output;
}

TEST(ControllerDoctor, ExpiredTokenAndRejectedHandshakeFail) {
  Cluster cluster(1);
  const auto expired = shared::jwt_make_token(Cluster::kSecret, "x", now_s() - 7200, 3600);
  auto r = doctor({"--url", cluster.url(), "--token", expired, "--agents", cluster.agents_spec, "--agent-token",
                   Cluster::kAgentToken});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("[FAIL] token: JWT expired"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("answered HTTP 401"), std::string::npos) << r.output;
}

TEST(ControllerDoctor, UnreachableTargetAndAgentFail) {
  const auto port = std::to_string(free_loopback_port());
  auto r = doctor({"--url", "ws://127.0.0.1:" + port + "/ws", "--agents", "127.0.0.1:" + port});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("[FAIL] target reachable"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("[FAIL] agent 127.0.0.1:" + port), std::string::npos) << r.output;
}

}  // namespace
}  // namespace wsload::test
