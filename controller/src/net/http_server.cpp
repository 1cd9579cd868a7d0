#include "net/http_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace wsload::controller {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kMaxRequest = 16384;

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    default:
      return "Error";
  }
}

// "GET /path?query HTTP/1.1" -> the request; nullopt when the line is not one.
std::optional<HttpServer::Request> parse_request_line(const std::string& head) {
  const auto line_end = head.find("\r\n");
  const std::string line = head.substr(0, line_end);
  const auto sp1 = line.find(' ');
  const auto sp2 = line.find(' ', sp1 == std::string::npos ? sp1 : sp1 + 1);
  if (sp1 == std::string::npos || sp2 == std::string::npos) return std::nullopt;
  HttpServer::Request r;
  r.method = line.substr(0, sp1);
  std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (const auto q = target.find('?'); q != std::string::npos) {
    r.query = target.substr(q + 1);
    target.resize(q);
  }
  r.path = std::move(target);
  return r;
}

}  // namespace

struct HttpServer::Client {
  int fd = -1;
  Clock::time_point deadline;
  std::string request;   // read until the end of the head
  std::string response;  // set once the head is complete
  std::size_t sent = 0;
};

std::optional<ListenAddress> parse_listen_address(const std::string& text, std::string* error) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) {
    *error = "expected HOST:PORT (e.g. 127.0.0.1:9464, port 0 picks one)";
    return std::nullopt;
  }
  ListenAddress out;
  out.host = text.substr(0, colon);
  if (out.host.empty() || out.host == "localhost") out.host = "127.0.0.1";
  in_addr ignored{};
  if (inet_pton(AF_INET, out.host.c_str(), &ignored) != 1) {
    *error = "'" + out.host + "' is not an IPv4 address";
    return std::nullopt;
  }
  const std::string port = text.substr(colon + 1);
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) {
    *error = "port '" + port + "' is not a number from 0 to 65535";
    return std::nullopt;
  }
  out.port = static_cast<uint16_t>(value);
  return out;
}

std::optional<std::string> query_value(const std::string& query, const std::string& name) {
  std::size_t at = 0;
  while (at <= query.size()) {
    const auto end = std::min(query.find('&', at), query.size());
    const std::string pair = query.substr(at, end - at);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) return eq == std::string::npos ? "" : pair.substr(eq + 1);
    at = end + 1;
  }
  return std::nullopt;
}

HttpServer::HttpServer(const std::string& listen, const std::string& flag, Handler handler)
    : handler_(std::move(handler)) {
  std::string error;
  const auto parsed = parse_listen_address(listen, &error);
  if (!parsed) throw std::runtime_error(flag + " " + listen + ": " + error);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(parsed->port);
  inet_pton(AF_INET, parsed->host.c_str(), &addr.sin_addr);
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  const int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  socklen_t len = sizeof(addr);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listen_fd_, 128) != 0 ||
      getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const std::string reason = strerror(errno);
    close(listen_fd_);
    throw std::runtime_error(flag + ": cannot listen on " + listen + ": " + reason);
  }
  address_ = parsed->host + ":" + std::to_string(ntohs(addr.sin_port));
  if (pipe2(wake_fds_, O_CLOEXEC) != 0) throw std::runtime_error(flag + ": pipe failed");
  thread_ = std::thread([this] { run(); });
}

HttpServer::~HttpServer() {
  const char stop = 1;
  (void)!write(wake_fds_[1], &stop, 1);
  thread_.join();
  close(listen_fd_);
  close(wake_fds_[0]);
  close(wake_fds_[1]);
}

void HttpServer::run() {
  std::vector<Client> clients;
  std::vector<pollfd> fds;
  for (;;) {
    fds.assign({{wake_fds_[0], POLLIN, 0}, {listen_fd_, POLLIN, 0}});
    auto next_deadline = Clock::time_point::max();
    for (const auto& c : clients) {
      fds.push_back({c.fd, static_cast<short>(c.response.empty() ? POLLIN : POLLOUT), 0});
      next_deadline = std::min(next_deadline, c.deadline);
    }
    int timeout_ms = -1;
    if (!clients.empty()) {
      timeout_ms = static_cast<int>(std::max<int64_t>(
          0, std::chrono::duration_cast<std::chrono::milliseconds>(next_deadline - Clock::now())
                     .count() +
                 1));
    }
    if (poll(fds.data(), fds.size(), timeout_ms) < 0 && errno != EINTR) break;
    if (fds[0].revents) break;
    const auto now = Clock::now();
    std::size_t kept = 0;
    for (std::size_t i = 0; i < clients.size(); ++i) {
      auto& c = clients[i];
      const bool keep = now < c.deadline && (fds[i + 2].revents == 0 || serve(c));
      if (keep) {
        clients[kept++] = std::move(c);
      } else {
        close(c.fd);
      }
    }
    clients.resize(kept);
    if (fds[1].revents & POLLIN) accept_clients(clients);
  }
  for (auto& c : clients) close(c.fd);
}

void HttpServer::accept_clients(std::vector<Client>& clients) {
  for (;;) {
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;
    if (clients.size() >= kMaxClients) {
      close(fd);  // full: a client retries; the ones being served are not slowed down
      continue;
    }
    clients.push_back({fd, Clock::now() + kClientTimeout, {}, {}, 0});
  }
}

bool HttpServer::serve(Client& c) {
  if (c.response.empty()) {
    char buffer[2048];
    const auto n = recv(c.fd, buffer, sizeof(buffer), 0);
    if (n < 0) return errno == EAGAIN || errno == EINTR;
    if (n == 0) return false;
    c.request.append(buffer, static_cast<std::size_t>(n));
    if (c.request.find("\r\n\r\n") == std::string::npos) return c.request.size() < kMaxRequest;
    c.response = response_for(c.request);
  }
  const auto n = send(c.fd, c.response.data() + c.sent, c.response.size() - c.sent, MSG_NOSIGNAL);
  if (n < 0) return errno == EAGAIN || errno == EINTR;
  c.sent += static_cast<std::size_t>(n);
  return c.sent < c.response.size();
}

std::string HttpServer::response_for(const std::string& head) {
  Response r;
  if (const auto request = parse_request_line(head)) {
    r = handler_(*request);
  } else {
    r = {400, "text/plain; charset=utf-8", "malformed request line\n"};
  }
  return "HTTP/1.1 " + std::to_string(r.status) + " " + std::string(reason_phrase(r.status)) +
         "\r\nContent-Type: " + r.content_type +
         "\r\nContent-Length: " + std::to_string(r.body.size()) +
         "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n" + r.body;
}

}  // namespace wsload::controller
