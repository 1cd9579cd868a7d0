#pragma once
// Starts the real wsload-target binary on 127.0.0.1:0 and reads its port from the
// "listening on HOST:PORT" line. The process is stopped (SIGTERM, then SIGKILL) on destruction.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "process.hpp"
#include "target_test_client.hpp"

namespace wsload::test {

inline constexpr const char* kTargetSecret = "integration-test-secret";

inline std::string target_binary() { return std::string(WSLOAD_BIN_DIR) + "/wsload-target"; }

class TargetProcess {
 public:
  // `args` are appended after "--listen 127.0.0.1:0"; pass --jwt-secret/--no-auth yourself.
  explicit TargetProcess(std::vector<std::string> args, ProcessOptions options = {}) {
    std::vector<std::string> argv{target_binary(), "--listen", "127.0.0.1:0", "--log-level",
                                  "warn"};
    argv.insert(argv.end(), args.begin(), args.end());
    process_ = std::make_unique<ChildProcess>(argv, std::move(options));
    auto line = process_->wait_for_line("listening on ", std::chrono::seconds(15));
    if (!line) {
      error_ = "wsload-target did not print 'listening on': exit " +
               std::to_string(process_->wait_exit(std::chrono::seconds(1)).value_or(-1)) +
               ", output:\n" + process_->output();
      return;
    }
    port_ = static_cast<uint16_t>(std::stoi(line->substr(line->rfind(':') + 1)));
  }

  bool ok() const { return port_ != 0; }
  const std::string& error() const { return error_; }
  uint16_t port() const { return port_; }
  ChildProcess& process() { return *process_; }

 private:
  std::unique_ptr<ChildProcess> process_;
  uint16_t port_ = 0;
  std::string error_;
};

// Reads one numeric field of the /stats JSON (flat object); -1 when absent.
inline long long stats_field(const std::string& json, const std::string& name) {
  auto key = "\"" + name + "\":";
  auto pos = json.find(key);
  if (pos == std::string::npos) return -1;
  return std::stoll(json.substr(pos + key.size()));
}

// Polls GET /stats until `field` reaches `at_least`; returns the last value seen (or -1).
inline long long wait_for_stat(uint16_t port, const std::string& field, long long at_least,
                               std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  long long value = -1;
  while (true) {
    auto r = http_get(port, "/stats");
    if (r.status == 200) value = stats_field(r.body, field);
    if (value >= at_least || std::chrono::steady_clock::now() >= deadline) return value;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// Polls GET /stats until `field` equals `expected`; returns true when it did within the timeout.
inline bool wait_for_stat_equal(uint16_t port, const std::string& field, long long expected,
                                std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = http_get(port, "/stats");
    if (r.status == 200 && stats_field(r.body, field) == expected) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace wsload::test
