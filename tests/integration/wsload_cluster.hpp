#pragma once
// A small cluster of real processes for controller tests: one wsload-target and N wsload-agents on
// loopback, and a helper to run the `wsload` CLI against them and read its JSON report.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "process.hpp"
#include "wsload/shared/clock.hpp"
#include "wsload/shared/jwt.hpp"

namespace wsload::test {

inline std::string bin(const std::string& name) { return std::string(WSLOAD_BIN_DIR) + "/" + name; }

inline std::string listening_address(ChildProcess& p) {
  auto line = p.wait_for_line("listening on ", std::chrono::seconds(20));
  if (!line) throw std::runtime_error("process did not report its address:\n" + p.output());
  return line->substr(std::string("listening on ").size());
}

inline int64_t now_s() { return shared::unix_s_now(); }

struct Cluster {
  static constexpr const char* kSecret = "integration-secret";
  static constexpr const char* kAgentToken = "agent-token-123";

  explicit Cluster(int agents, std::vector<std::string> target_args = {}) {
    std::vector<std::string> argv{bin("wsload-target"), "--listen", "127.0.0.1:0", "--path", "/ws",
                                  "--jwt-secret",       kSecret,    "--log-level", "warn"};
    argv.insert(argv.end(), target_args.begin(), target_args.end());
    target = std::make_unique<ChildProcess>(argv);
    target_address = listening_address(*target);
    for (int i = 0; i < agents; ++i) {
      agent_processes.push_back(std::make_unique<ChildProcess>(
          std::vector<std::string>{bin("wsload-agent"), "--listen", "127.0.0.1:0", "--threads", "1",
                                   "--token", kAgentToken, "--log-level", "warn"}));
      if (!agents_spec.empty()) agents_spec += ",";
      agents_spec += listening_address(*agent_processes.back());
    }
  }

  std::string url() const { return "ws://" + target_address + "/ws"; }
  std::string token() const { return shared::jwt_make_token(kSecret, "tester", now_s(), 3600); }

  std::unique_ptr<ChildProcess> target;
  std::string target_address;
  std::vector<std::unique_ptr<ChildProcess>> agent_processes;
  std::string agents_spec;
};

struct CliResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
  nlohmann::json report;
};

// Runs `wsload ARGS` to completion (bounded by `timeout`) with stderr merged into the output.
inline CliResult run_wsload(const std::vector<std::string>& args, const std::string& json_path = "",
                            std::chrono::seconds timeout = std::chrono::seconds(120),
                            ProcessOptions options = {}) {
  std::vector<std::string> argv{bin("wsload")};
  argv.insert(argv.end(), args.begin(), args.end());
  options.capture_stderr = true;
  options.unset_env.insert(options.unset_env.end(),
                           {"WS_URL", "AUTH_TOKEN", "MAX_CONNECTIONS", "TEST_DURATION",
                            "MESSAGE_FREQUENCY", "WSLOAD_AGENT_TOKEN", "JWT_SECRET"});
  ChildProcess wsload(argv, options);
  CliResult result;
  result.exit_code = wsload.wait_exit(timeout).value_or(-1);
  if (result.exit_code == -1) wsload.terminate();
  result.output = wsload.output();
  if (!json_path.empty()) {
    std::ifstream in(json_path);
    if (in) result.report = nlohmann::json::parse(in, nullptr, false);
  }
  return result;
}

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

}  // namespace wsload::test
