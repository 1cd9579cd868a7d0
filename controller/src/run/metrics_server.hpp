#pragma once
// `--metrics-listen`: serves the merged live metrics in Prometheus text format at GET /metrics on
// its own thread. One poll loop serves many scrapers at once over non-blocking sockets; each
// connection gets kClientTimeout to send its request and take the answer, so an idle or slow
// client cannot delay anyone else. publish() is thread-safe.
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace wsload::controller {

struct ListenAddress {
  std::string host;   // IPv4 literal ("localhost" and "" mean 127.0.0.1)
  uint16_t port = 0;  // 0: any free port
};
// Parses "host:port" for --metrics-listen; nullopt with *error saying what is wrong.
std::optional<ListenAddress> parse_listen_address(const std::string& text, std::string* error);

class MetricsServer {
 public:
  static constexpr std::chrono::seconds kClientTimeout{5};
  static constexpr std::size_t kMaxClients = 256;  // beyond: new connections are closed at once

  // Listens on "host:port" (port 0 = any free port). Throws std::runtime_error when it cannot.
  explicit MetricsServer(const std::string& listen);
  ~MetricsServer();  // stops and joins
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  void publish(std::string exposition_text);
  const std::string& address() const { return address_; }  // host:port actually bound

 private:
  struct Client;
  void run();
  void accept_clients(std::vector<Client>& clients);
  // Reads or writes what the socket allows; false when the client is done (answered or broken).
  bool serve(Client& client);
  std::string response_for(const std::string& request);

  int listen_fd_ = -1;
  int wake_fds_[2] = {-1, -1};  // a write to [1] stops run()
  std::string address_;
  std::mutex mutex_;
  std::string body_ = "# no run has started yet\n";  // guarded by mutex_
  std::thread thread_;
};

}  // namespace wsload::controller
