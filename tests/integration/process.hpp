#pragma once
// Test utilities for integration tests: an RAII child process with captured output, a temporary
// directory, and a free loopback port. POSIX only; header-only.
//
// ChildProcess: spawns argv (PATH searched when argv[0] has no '/') with the parent's environment
// plus overrides, captures stdout (and optionally stderr) line by line on a reader thread, and on
// destruction sends SIGTERM, waits up to 5 s, then SIGKILL — so a failing test never leaks a
// process. The child also gets SIGKILL if the test process dies (PR_SET_PDEATHSIG).
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

extern char** environ;

namespace wsload::test {

struct ProcessOptions {
  std::vector<std::pair<std::string, std::string>> env;  // added to, or replacing, the parent's
  std::vector<std::string> unset_env;                    // removed from the child's environment
  bool capture_stderr = false;                           // merge stderr into the captured lines
};

class ChildProcess {
 public:
  explicit ChildProcess(std::vector<std::string> argv, ProcessOptions options = {})
      : argv_(std::move(argv)) {
    if (argv_.empty()) throw std::invalid_argument("ChildProcess: empty argv");
    std::string path = resolve(argv_[0]);
    std::vector<std::string> env = build_env(options);
    std::vector<char*> c_argv;
    for (auto& a : argv_) c_argv.push_back(a.data());
    c_argv.push_back(nullptr);
    std::vector<char*> c_env;
    for (auto& e : env) c_env.push_back(e.data());
    c_env.push_back(nullptr);

    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    const pid_t parent = getpid();
    pid_ = fork();
    if (pid_ < 0) {
      close(fds[0]);
      close(fds[1]);
      throw std::runtime_error("fork failed");
    }
    if (pid_ == 0) {
      // Child: async-signal-safe calls only.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(127);
      dup2(fds[1], STDOUT_FILENO);
      if (options.capture_stderr) dup2(fds[1], STDERR_FILENO);
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, nullptr);
      execve(path.c_str(), c_argv.data(), c_env.data());
      _exit(127);
    }
    close(fds[1]);
    read_fd_ = fds[0];
    reader_ = std::thread([this] { read_loop(); });
  }

  ~ChildProcess() {
    terminate();
    stop_reader_.store(true);
    if (reader_.joinable()) reader_.join();
    if (read_fd_ >= 0) close(read_fd_);
  }

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  // The first line at or after the search cursor that starts with `prefix`; the cursor moves past
  // it. nullopt after `timeout`, or as soon as the output ended without a match.
  std::optional<std::string> wait_for_line(std::string_view prefix,
                                           std::chrono::milliseconds timeout) {
    return wait_for([&](const std::string& line) { return line.rfind(prefix, 0) == 0; }, timeout);
  }
  // Same, for a line containing `text` anywhere.
  std::optional<std::string> wait_for_text(std::string_view text,
                                           std::chrono::milliseconds timeout) {
    return wait_for([&](const std::string& line) { return line.find(text) != std::string::npos; },
                    timeout);
  }

  // Every line captured so far.
  std::vector<std::string> lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }
  std::string output() const {
    std::string all;
    for (const auto& line : lines()) all += line + "\n";
    return all;
  }

  bool send_signal(int sig) { return !status_ && ::kill(pid_, sig) == 0; }

  // Exit status once the process ended within `timeout`: the exit code, or 128 + signal number.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!status_) {
      int raw = 0;
      pid_t r = waitpid(pid_, &raw, WNOHANG);
      if (r == pid_) {
        status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
        break;
      }
      if (r < 0 || std::chrono::steady_clock::now() >= deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    // The reader may still be draining the pipe when the exit is seen: what the process wrote
    // before it exited is in output() once the pipe has ended (bounded: a child it left running
    // may hold the pipe open).
    if (status_) {
      std::unique_lock lock(mutex_);
      cv_.wait_for(lock, std::chrono::seconds(2), [this] { return eof_; });
    }
    return status_;
  }

  // SIGTERM, up to `grace` to exit, then SIGKILL. Returns the exit status. Idempotent.
  int terminate(std::chrono::milliseconds grace = std::chrono::seconds(5)) {
    if (status_) return *status_;
    send_signal(SIGTERM);
    if (auto s = wait_exit(grace)) return *s;
    ::kill(pid_, SIGKILL);
    return wait_exit(std::chrono::seconds(10)).value_or(-1);
  }

 private:
  template <class Pred>
  std::optional<std::string> wait_for(Pred pred, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      for (; cursor_ < lines_.size(); ++cursor_) {
        if (pred(lines_[cursor_])) return lines_[cursor_++];
      }
      if (eof_) return std::nullopt;
      if (cv_.wait_until(lock, deadline) == std::cv_status::timeout) {
        for (; cursor_ < lines_.size(); ++cursor_) {
          if (pred(lines_[cursor_])) return lines_[cursor_++];
        }
        return std::nullopt;
      }
    }
  }

  void read_loop() {
    std::string partial;
    char buf[4096];
    while (!stop_reader_.load()) {
      pollfd p{read_fd_, POLLIN, 0};
      int r = poll(&p, 1, 100);
      if (r == 0) continue;
      if (r < 0 && errno == EINTR) continue;
      ssize_t n = r > 0 ? read(read_fd_, buf, sizeof buf) : -1;
      if (n < 0 && errno == EINTR) continue;
      std::lock_guard lock(mutex_);
      if (n <= 0) {
        if (!partial.empty()) lines_.push_back(partial);
        eof_ = true;
        cv_.notify_all();
        return;
      }
      partial.append(buf, static_cast<std::size_t>(n));
      std::size_t start = 0;
      for (std::size_t nl; (nl = partial.find('\n', start)) != std::string::npos; start = nl + 1) {
        std::string line = partial.substr(start, nl - start);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        lines_.push_back(std::move(line));
      }
      partial.erase(0, start);
      cv_.notify_all();
    }
  }

  static std::string resolve(const std::string& name) {
    if (name.find('/') != std::string::npos) return name;
    const char* path = std::getenv("PATH");
    std::string_view dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
    while (!dirs.empty()) {
      auto colon = dirs.find(':');
      std::string dir(dirs.substr(0, colon));
      std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
      if (access(candidate.c_str(), X_OK) == 0) return candidate;
      if (colon == std::string_view::npos) break;
      dirs.remove_prefix(colon + 1);
    }
    return name;
  }

  static std::vector<std::string> build_env(const ProcessOptions& options) {
    std::vector<std::string> env;
    auto overridden = [&](std::string_view entry) {
      std::string_view key = entry.substr(0, entry.find('='));
      for (const auto& [k, v] : options.env)
        if (k == key) return true;
      for (const auto& k : options.unset_env)
        if (k == key) return true;
      return false;
    };
    for (char** e = environ; e && *e; ++e) {
      if (!overridden(*e)) env.emplace_back(*e);
    }
    for (const auto& [k, v] : options.env) env.push_back(k + "=" + v);
    return env;
  }

  std::vector<std::string> argv_;
  pid_t pid_ = -1;
  int read_fd_ = -1;
  std::optional<int> status_;
  std::thread reader_;
  std::atomic<bool> stop_reader_{false};
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::string> lines_;
  std::size_t cursor_ = 0;
  bool eof_ = false;
};

// A fresh directory under the system temp dir, removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "wsload-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string file(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// A TCP port on 127.0.0.1 that was free a moment ago (for servers that cannot pick their own).
inline uint16_t free_loopback_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    throw std::runtime_error("bind to 127.0.0.1:0 failed");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

// The path of the executable `name` on PATH; empty when there is none.
inline std::string executable_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "";
  while (!dirs.empty()) {
    const auto colon = dirs.find(':');
    const std::string candidate = std::string(dirs.substr(0, colon)) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  return {};
}

}  // namespace wsload::test
