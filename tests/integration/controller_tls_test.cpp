// TLS on the control channel: an agent with --tls-cert/--tls-key, a controller with --agent-ca.
#include <gtest/gtest.h>

#include <cstdlib>

#include "wsload_cluster.hpp"

namespace wsload::test {
namespace {

// A CA and an agent certificate for IP 127.0.0.1, made with the openssl command line.
void make_certificates(const TempDir& dir) {
  const std::string d = dir.path().string();
  const std::string script =
      "cd '" + d +
      "' && "
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=wsload-test-ca -keyout ca.key "
      "-out ca.pem && "
      "openssl req -newkey rsa:2048 -nodes -subj /CN=agent -keyout agent.key -out agent.csr && "
      "printf 'subjectAltName=IP:127.0.0.1\\n' > ext.cnf && "
      "openssl x509 -req -in agent.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile "
      "ext.cnf "
      "-out agent.pem && "
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=other-ca -keyout other.key -out "
      "other.pem"
      " >/dev/null 2>&1";
  ASSERT_EQ(std::system(script.c_str()), 0) << "openssl failed (apt-get install openssl)";
}

// An agent serving its control channel with agent.pem (signed by ca.pem).
ChildProcess start_tls_agent(const TempDir& dir) {
  return ChildProcess({bin("wsload-agent"), "--listen", "127.0.0.1:0", "--threads", "1", "--token",
                       Cluster::kAgentToken, "--tls-cert", dir.file("agent.pem"), "--tls-key",
                       dir.file("agent.key"), "--log-level", "warn"});
}

TEST(ControllerTls, AgentOverTlsAcceptsTheRightCaOnly) {
  TempDir dir;
  make_certificates(dir);
  Cluster cluster(0);
  ChildProcess agent = start_tls_agent(dir);
  const auto address = listening_address(agent);
  write_text(
      dir.file("s.yaml"),
      "name: tls\ntarget:\n  url: ${WS_URL}\n  auth:\n    token: ${AUTH_TOKEN}\n"
      "load:\n  connections: 10\n  ramp_up: 200ms\n  hold: 1s\nmessages:\n  interval: 200ms\n");
  auto run = [&](const std::string& ca) {
    ProcessOptions options;
    options.env = {{"WS_URL", cluster.url()}, {"AUTH_TOKEN", cluster.token()}};
    options.capture_stderr = true;
    ChildProcess wsload({bin("wsload"), "run", dir.file("s.yaml"), "--agents", address,
                         "--agent-token", Cluster::kAgentToken, "--agent-ca", ca},
                        options);
    const auto code = wsload.wait_exit(std::chrono::seconds(40));
    return std::pair{code.value_or(-1), wsload.output()};
  };
  const auto [good, good_output] = run(dir.file("ca.pem"));
  EXPECT_EQ(good, 0) << good_output;
  const auto [bad, bad_output] = run(dir.file("other.pem"));
  EXPECT_EQ(bad, 3) << bad_output;
  EXPECT_NE(bad_output.find("cannot reach agent"), std::string::npos) << bad_output;
}

// `wsload doctor --agent-ca` reaches a TLS agent with the right CA and reports it with the other.
TEST(ControllerTls, DoctorChecksATlsAgentWithTheGivenCa) {
  TempDir dir;
  make_certificates(dir);
  Cluster cluster(0);
  ChildProcess agent = start_tls_agent(dir);
  const auto address = listening_address(agent);
  auto doctor = [&](const std::string& ca) {
    return run_wsload(
        {"doctor", "quick", "--url", cluster.url(), "--token", cluster.token(), "--agents", address,
         "--agent-token", Cluster::kAgentToken, "--agent-ca", ca},
        "", std::chrono::seconds(30));
  };
  const auto good = doctor(dir.file("ca.pem"));
  EXPECT_EQ(good.exit_code, 0) << good.output;
  EXPECT_NE(good.output.find("[ok  ] agent " + address), std::string::npos) << good.output;
  const auto bad = doctor(dir.file("other.pem"));
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find("[FAIL] agent " + address), std::string::npos) << bad.output;
  const auto missing = doctor(dir.file("no-such-ca.pem"));
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_NE(missing.output.find("--agent-ca: cannot read"), std::string::npos) << missing.output;
}

}  // namespace
}  // namespace wsload::test
