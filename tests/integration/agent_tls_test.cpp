// wss:// through the whole system: wsload-target serves a certificate for 127.0.0.1 signed by a CA
// made at test time; the scenario names the CA file, the controller ships its PEM to the agent, and
// the agent verifies the server against it.
#include <gtest/gtest.h>

#include "agent_test_support.hpp"

namespace wsload::test {
namespace {

constexpr int kConnections = 20;

class AgentTls : public ::testing::Test {
 protected:
  void SetUp() override {
    pki_ = make_test_pki(dir_);
    ASSERT_TRUE(pki_.error.empty()) << pki_.error;
    cluster_ = std::make_unique<Cluster>(
        1, std::vector<std::string>{"--tls-cert", pki_.server_cert, "--tls-key", pki_.server_key});
  }

  CliResult run(const std::string& tls) {
    const std::string yaml =
        "name: agent-tls\n"
        "target:\n"
        "  url: wss://" +
        cluster_->target_address +
        "/ws\n"
        "  auth: { token: '" +
        cluster_->token() +
        "' }\n"
        "  tls: " +
        tls +
        "\n"
        "load: { connections: " +
        std::to_string(kConnections) +
        ", ramp_up: 500ms, hold: 1s }\n"
        "messages: { interval: 200ms, kind: json, match: id, timeout: 5s,\n"
        "            template: '{\"type\":\"ping\",\"id\":{{seq}}}' }\n"
        "thresholds:\n"
        "  - connections.success_rate == 100%\n";
    return run_scenario_file(dir_, yaml, cluster_->agents_spec);
  }

  TempDir dir_;
  TestPki pki_;
  std::unique_ptr<Cluster> cluster_;
};

TEST_F(AgentTls, VerifiesAgainstTheScenarioCaShippedByTheController) {
  auto r = run("{ verify: true, ca_file: '" + pki_.ca + "' }");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto& j = r.report;
  EXPECT_EQ(j["connections"]["established"].get<uint64_t>(), kConnections);
  EXPECT_EQ(j["connections"]["failed"].get<uint64_t>(), 0u);
  const uint64_t sent = j["messages"]["sent"];
  EXPECT_GE(sent, kConnections * 5u);
  EXPECT_EQ(j["messages"]["replies"].get<uint64_t>(), sent);
  EXPECT_EQ(j["messages"]["timeouts"].get<uint64_t>(), 0u);
}

TEST_F(AgentTls, WrongCaFailsEveryConnectionAsTls) {
  auto r = run("{ verify: true, ca_file: '" + pki_.other_ca + "' }");
  ASSERT_EQ(r.exit_code, 1) << r.output;
  const auto& j = r.report;
  ASSERT_TRUE(j.is_object()) << r.output;
  EXPECT_EQ(j["connections"]["attempted"].get<uint64_t>(), kConnections);
  EXPECT_EQ(j["connections"]["established"].get<uint64_t>(), 0u);
  EXPECT_EQ(j["connections"]["failed"].get<uint64_t>(), kConnections);
  EXPECT_EQ(j["connections"]["failures"]["tls"].get<uint64_t>(), kConnections)
      << j["connections"].dump();
  EXPECT_EQ(j["messages"]["sent"].get<uint64_t>(), 0u);
}

TEST_F(AgentTls, VerifyFalseAcceptsAnUntrustedCertificate) {
  auto r = run("{ verify: false, ca_file: '" + pki_.other_ca + "' }");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.report["connections"]["established"].get<uint64_t>(), kConnections);
}

}  // namespace
}  // namespace wsload::test
