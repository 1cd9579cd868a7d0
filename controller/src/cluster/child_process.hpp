#pragma once
// A child process started by the controller (local agents, the spawned target). Its stdout is read
// line by line on a thread: the first kKeptLines lines are kept for wait_for_line, and with a
// `forward_prefix` every line but the "listening on" one is copied to our stderr behind it (so the
// agents' logs reach the user); stderr is inherited. The child gets SIGTERM if the controller dies
// (PR_SET_PDEATHSIG). Destruction stops it: SIGTERM, then SIGKILL after a grace period.
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace wsload::controller {

class ChildProcess {
 public:
  // Throws std::runtime_error when the program cannot be started.
  static constexpr std::size_t kKeptLines = 64;

  ChildProcess(const std::string& program, const std::vector<std::string>& args,
               const std::vector<std::pair<std::string, std::string>>& extra_env = {},
               std::string forward_prefix = "");
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The first stdout line starting with `prefix`, waiting at most `timeout`; nullopt on timeout or
  // when the child exits first.
  std::optional<std::string> wait_for_line(const std::string& prefix,
                                           std::chrono::milliseconds timeout);

  // Sends SIGTERM once and returns at once (stop() then only waits): stopping many children
  // takes one grace period, not one each.
  void request_stop();
  // SIGTERM (unless request_stop sent it), wait up to `grace`, then SIGKILL. Returns the wait
  // status. Idempotent.
  int stop(std::chrono::milliseconds grace = std::chrono::milliseconds(3000));

  pid_t pid() const { return pid_; }
  bool running();

 private:
  void read_output(int fd);

  void take_line(std::string line);

  std::string forward_prefix_;
  pid_t pid_ = -1;
  std::optional<int> status_;
  bool terminated_ = false;  // SIGTERM sent
  std::thread reader_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> lines_;  // guarded by mutex_
  bool eof_ = false;                // guarded by mutex_
};

// The path of a sibling binary of this executable (bin/wsload -> bin/wsload-agent), falling back
// to the bare name (looked up in PATH).
std::string sibling_binary(const std::string& name);

}  // namespace wsload::controller
