#pragma once
// `--metrics-listen`: serves the merged live metrics in Prometheus text format at GET /metrics on
// its own thread (plain HTTP/1.1, one short request per connection). publish() is thread-safe.
#include <mutex>
#include <string>
#include <thread>

namespace wsload::controller {

class MetricsServer {
 public:
  // Listens on "host:port" (port 0 = any free port). Throws std::runtime_error when it cannot.
  explicit MetricsServer(const std::string& listen);
  ~MetricsServer();  // stops and joins
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  void publish(std::string exposition_text);
  const std::string& address() const { return address_; }  // host:port actually bound

 private:
  void run();
  void answer(int client);

  int listen_fd_ = -1;
  int wake_fds_[2] = {-1, -1};  // a write to [1] stops run()
  std::string address_;
  std::mutex mutex_;
  std::string body_ = "# no run has started yet\n";  // guarded by mutex_
  std::thread thread_;
};

}  // namespace wsload::controller
