#pragma once
// Helpers for the system tests of wsload-target (system_target_*_test.cpp): a real nats-server, a
// `wsload run` started in the background and finished later, and the target's /stats.
// Everything started here is a ChildProcess: stopped by PID on destruction, also when a test fails.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "process.hpp"
#include "target_process.hpp"
#include "wsload_cluster.hpp"

namespace wsload::test {

// The nats-server binary, or "" when it is not installed (Debian: apt-get install nats-server).
inline std::string nats_server_binary() {
  for (const char* path :
       {"/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"}) {
    if (access(path, X_OK) == 0) return path;
  }
  return {};
}

// A nats-server on a free loopback port. ok() is false (with error()) when it is missing or did not
// start.
class NatsServer {
 public:
  NatsServer() {
    const std::string binary = nats_server_binary();
    if (binary.empty()) {
      error_ =
          "nats-server is required and was not found in /usr/sbin, /usr/bin or /usr/local/bin "
          "(apt-get install nats-server)";
      return;
    }
    port_ = free_loopback_port();
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{binary, "-a", "127.0.0.1", "-p", std::to_string(port_)},
        ProcessOptions{{}, {}, true});
    if (!process_->wait_for_text("Server is ready", std::chrono::seconds(15))) {
      error_ = "nats-server did not become ready:\n" + process_->output();
      port_ = 0;
    }
  }

  bool ok() const { return port_ != 0; }
  const std::string& error() const { return error_; }
  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }

 private:
  uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> process_;
  std::string error_;
};

// The port of a Cluster's target ("127.0.0.1:PORT").
inline uint16_t cluster_target_port(const Cluster& cluster) {
  return static_cast<uint16_t>(
      std::stoi(cluster.target_address.substr(cluster.target_address.rfind(':') + 1)));
}

// `wsload token --secret SECRET --ttl 24h`, as the quick start generates AUTH_TOKEN; "" on failure.
inline std::string wsload_token(const std::string& secret) {
  ChildProcess token({bin("wsload"), "token", "--secret", secret, "--ttl", "24h"});
  if (token.wait_exit(std::chrono::seconds(30)) != 0) return {};
  auto lines = token.lines();
  return lines.empty() ? std::string() : lines.front();
}

// `wsload run SCENARIO` against a Cluster (its agents, its target through WS_URL/AUTH_TOKEN),
// started in the background so that the test can act while the run holds its connections.
class BackgroundRun {
 public:
  BackgroundRun(const Cluster& cluster, const TempDir& dir, const std::string& scenario_yaml,
                const std::string& token, std::vector<std::string> extra = {})
      : json_path_(dir.file("report.json")) {
    write_text(dir.file("scenario.yaml"), scenario_yaml);
    std::vector<std::string> argv{bin("wsload"),
                                  "run",
                                  dir.file("scenario.yaml"),
                                  "--agents",
                                  cluster.agents_spec,
                                  "--agent-token",
                                  Cluster::kAgentToken,
                                  "--json",
                                  json_path_,
                                  "--live-interval",
                                  "250ms"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    ProcessOptions options;
    options.env = {{"WS_URL", cluster.url()}, {"AUTH_TOKEN", token}};
    options.unset_env = {"MAX_CONNECTIONS", "TEST_DURATION", "MESSAGE_FREQUENCY",
                         "WSLOAD_AGENT_TOKEN", "JWT_SECRET"};
    options.capture_stderr = true;
    process_ = std::make_unique<ChildProcess>(argv, options);
  }

  ChildProcess& process() { return *process_; }
  bool running() { return !process_->wait_exit(std::chrono::milliseconds(0)).has_value(); }

  // Waits for the run to end (bounded), then reads its JSON report.
  CliResult finish(std::chrono::seconds timeout = std::chrono::seconds(120)) {
    CliResult result;
    result.exit_code = process_->wait_exit(timeout).value_or(-1);
    if (result.exit_code == -1) process_->terminate();
    result.output = process_->output();
    std::ifstream in(json_path_);
    if (in) result.report = nlohmann::json::parse(in, nullptr, false);
    return result;
  }

 private:
  std::string json_path_;
  std::unique_ptr<ChildProcess> process_;
};

// The target's /stats as JSON (null when unreachable).
inline nlohmann::json target_stats(uint16_t port) {
  auto r = http_get(port, "/stats");
  if (r.status != 200) return nullptr;
  return nlohmann::json::parse(r.body, nullptr, false);
}

}  // namespace wsload::test
