// `wsload doctor` against real processes: a good setup passes every check; a wrong token, a dead
// target, a missing agent and an unreachable NATS server each fail with a hint.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wsload_cluster.hpp"

namespace wsload::test {
namespace {

// Runs `wsload doctor quick EXTRA` with NATS_URL set to `nats_url` (unset when empty) and the
// scenario's environment variables unset. The output is complete: it is read up to its end.
CliResult doctor(const std::vector<std::string>& extra, const std::string& nats_url = "") {
  std::vector<std::string> argv{bin("wsload"), "doctor", "quick"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  ProcessOptions options;
  options.capture_stderr = true;
  options.unset_env = {"WS_URL",        "AUTH_TOKEN",        "MAX_CONNECTIONS",
                       "TEST_DURATION", "MESSAGE_FREQUENCY", "WSLOAD_AGENT_TOKEN",
                       "JWT_SECRET"};
  if (nats_url.empty()) {
    options.unset_env.push_back("NATS_URL");
  } else {
    options.env.emplace_back("NATS_URL", nats_url);
  }
  ChildProcess wsload(argv, options);
  CliResult result;
  result.exit_code = wsload.wait_exit(std::chrono::seconds(30)).value_or(-1);
  if (result.exit_code == -1) wsload.terminate();
  wsload.wait_for_text("\x01 never printed",
                       std::chrono::seconds(5));  // returns at the end of output
  result.output = wsload.output();
  return result;
}

std::string find_nats_server() {
  for (const char* path :
       {"/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"}) {
    if (access(path, X_OK) == 0) return path;
  }
  return {};
}

// A TCP listener on 127.0.0.1 that completes handshakes (the kernel does) but never sends a byte.
class SilentListener {
 public:
  SilentListener() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || listen(fd_, 8) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error("cannot listen on 127.0.0.1");
    }
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { close(fd_); }
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

TEST(ControllerDoctor, GoodSetupPassesEveryCheck) {
  Cluster cluster(1);
  auto r = doctor({"--url", cluster.url(), "--token", cluster.token(), "--agents",
                   cluster.agents_spec, "--agent-token", Cluster::kAgentToken});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("[ok  ] websocket handshake"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("[ok  ] token: JWT valid for another"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("[ok  ] agent " + cluster.agents_spec), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("all checks passed"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("[skip] NATS server: NATS_URL is not set"), std::string::npos)
      << r.output;
}

TEST(ControllerDoctor, NatsServerFromNatsUrlIsChecked) {
  const std::string binary = find_nats_server();
  ASSERT_FALSE(binary.empty()) << "nats-server is required (apt-get install nats-server)";
  const auto nats_port = std::to_string(free_loopback_port());
  ChildProcess nats({binary, "-a", "127.0.0.1", "-p", nats_port}, ProcessOptions{{}, {}, true});
  ASSERT_TRUE(nats.wait_for_text("Server is ready", std::chrono::seconds(15))) << nats.output();
  Cluster cluster(1);
  auto r = doctor({"--url", cluster.url(), "--token", cluster.token(), "--agents",
                   cluster.agents_spec, "--agent-token", Cluster::kAgentToken},
                  "nats://127.0.0.1:" + nats_port);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("[ok  ] NATS server: nats://127.0.0.1:" + nats_port +
                          " answered INFO (nats-server 2."),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("all checks passed"), std::string::npos) << r.output;
}

// A closed port and a listener that never greets each fail, with a hint, within the probe's
// timeout.
TEST(ControllerDoctor, UnreachableOrSilentNatsFails) {
  Cluster cluster(1);
  const auto closed = std::to_string(free_loopback_port());
  SilentListener silent;
  const auto silent_url = "nats://user:pw@127.0.0.1:" + std::to_string(silent.port());
  const auto started = std::chrono::steady_clock::now();
  auto r = doctor({"--url", cluster.url(), "--token", cluster.token(), "--agents",
                   cluster.agents_spec, "--agent-token", Cluster::kAgentToken},
                  "nats://127.0.0.1:" + closed + "," + silent_url);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(20));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("[FAIL] NATS server: nats://127.0.0.1:" + closed +
                          ": cannot connect: Connection refused"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("[FAIL] NATS server: nats://127.0.0.1:" + std::to_string(silent.port()) +
                          ": connected, but the server sent nothing"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("user:pw"), std::string::npos)
      << "credentials are not printed: " << r.output;
  EXPECT_NE(r.output.find("hint: start it (nats-server -p " + closed + ")"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("2 check(s) failed"), std::string::npos) << r.output;
}

TEST(ControllerDoctor, TokenWithoutExpiryFails) {
  Cluster cluster(1);
  const auto forever = shared::jwt_sign_hs256({{"sub", "x"}}, Cluster::kSecret);
  auto r = doctor({"--url", cluster.url(), "--token", forever, "--agents", cluster.agents_spec,
                   "--agent-token", Cluster::kAgentToken});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("[FAIL] token: JWT without an expiry"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("answered HTTP 401"), std::string::npos) << r.output;
}

TEST(ControllerDoctor, ExpiredTokenAndRejectedHandshakeFail) {
  Cluster cluster(1);
  const auto expired = shared::jwt_make_token(Cluster::kSecret, "x", now_s() - 7200, 3600);
  auto r = doctor({"--url", cluster.url(), "--token", expired, "--agents", cluster.agents_spec,
                   "--agent-token", Cluster::kAgentToken});
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
