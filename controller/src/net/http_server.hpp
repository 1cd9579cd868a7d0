#pragma once
// A small HTTP/1.1 server for the controller's own endpoints (--metrics-listen, --web). One poll
// loop on its own thread serves many clients at once over non-blocking sockets; each connection
// gets kClientTimeout to send its request and take the answer, so an idle or slow client cannot
// delay anyone else. Every answer closes its connection. The handler runs on the server's thread.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace wsload::controller {

struct ListenAddress {
  std::string host;   // IPv4 literal ("localhost" and "" mean 127.0.0.1)
  uint16_t port = 0;  // 0: any free port
};
// Parses "host:port" for --metrics-listen and --web; nullopt with *error saying what is wrong.
std::optional<ListenAddress> parse_listen_address(const std::string& text, std::string* error);

class HttpServer {
 public:
  struct Request {
    std::string method;  // "GET", ...
    std::string path;    // "/api/live"
    std::string query;   // "since=3" (without '?'; "" when none)
  };
  struct Response {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
  };
  using Handler = std::function<Response(const Request&)>;
  static constexpr std::chrono::seconds kClientTimeout{5};
  static constexpr std::size_t kMaxClients = 256;  // beyond: new connections are closed at once

  // Listens on "host:port" (port 0 = any free port). `flag` names the option in messages. Throws
  // std::runtime_error when it cannot listen.
  HttpServer(const std::string& listen, const std::string& flag, Handler handler);
  ~HttpServer();  // stops and joins
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  const std::string& address() const { return address_; }  // host:port actually bound

 private:
  struct Client;
  void run();
  void accept_clients(std::vector<Client>& clients);
  // Reads or writes what the socket allows; false when the client is done (answered or broken).
  bool serve(Client& client);
  std::string response_for(const std::string& request_head);

  Handler handler_;
  int listen_fd_ = -1;
  int wake_fds_[2] = {-1, -1};  // a write to [1] stops run()
  std::string address_;
  std::thread thread_;
};

// The query parameter `name` of "a=1&b=2"; nullopt when absent.
std::optional<std::string> query_value(const std::string& query, const std::string& name);

}  // namespace wsload::controller
