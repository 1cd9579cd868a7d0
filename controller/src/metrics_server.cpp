#include "metrics_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include "wsload/shared/prometheus_writer.hpp"

namespace wsload::controller {

MetricsServer::MetricsServer(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("--metrics-listen: expected host:port, got '" + listen + "'");
  std::string host = listen.substr(0, colon);
  if (host.empty() || host == "localhost") host = "127.0.0.1";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::atoi(listen.substr(colon + 1).c_str())));
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    throw std::runtime_error("--metrics-listen: '" + host + "' is not an IPv4 address");
  }
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  socklen_t len = sizeof(addr);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(listen_fd_, 16) != 0 ||
      getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const std::string error = strerror(errno);
    close(listen_fd_);
    throw std::runtime_error("--metrics-listen: cannot listen on " + listen + ": " + error);
  }
  address_ = host + ":" + std::to_string(ntohs(addr.sin_port));
  if (pipe2(wake_fds_, O_CLOEXEC) != 0) throw std::runtime_error("--metrics-listen: pipe failed");
  thread_ = std::thread([this] { run(); });
}

MetricsServer::~MetricsServer() {
  const char stop = 1;
  (void)!write(wake_fds_[1], &stop, 1);
  thread_.join();
  close(listen_fd_);
  close(wake_fds_[0]);
  close(wake_fds_[1]);
}

void MetricsServer::publish(std::string exposition_text) {
  std::lock_guard lock(mutex_);
  body_ = std::move(exposition_text);
}

void MetricsServer::run() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fds_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    if (fds[0].revents & POLLIN) {
      const int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client >= 0) {
        answer(client);
        close(client);
      }
    }
  }
}

void MetricsServer::answer(int client) {
  // Read the request head (bounded in size and time), then answer and close.
  std::string request;
  char buffer[2048];
  while (request.find("\r\n\r\n") == std::string::npos && request.size() < 16384) {
    pollfd p{client, POLLIN, 0};
    if (poll(&p, 1, 2000) != 1) return;
    const auto n = recv(client, buffer, sizeof(buffer), 0);
    if (n <= 0) return;
    request.append(buffer, static_cast<size_t>(n));
  }
  std::string status = "200 OK", type = std::string(shared::PrometheusWriter::kContentType), body;
  if (request.rfind("GET /metrics ", 0) == 0 || request.rfind("GET /metrics?", 0) == 0) {
    std::lock_guard lock(mutex_);
    body = body_;
  } else {
    status = "404 Not Found";
    type = "text/plain";
    body = "wsload serves /metrics only\n";
  }
  const std::string response = "HTTP/1.1 " + status + "\r\nContent-Type: " + type +
                               "\r\nContent-Length: " + std::to_string(body.size()) +
                               "\r\nConnection: close\r\n\r\n" + body;
  size_t sent = 0;
  while (sent < response.size()) {
    const auto n = send(client, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<size_t>(n);
  }
}

}  // namespace wsload::controller
