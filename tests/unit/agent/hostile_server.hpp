#pragma once
// A misbehaving server on 127.0.0.1 (ephemeral port) for connection tests: plain POSIX sockets
// and one poll() thread, so it does exactly (and only) what a test asks: stall the TLS or HTTP
// handshake, answer the upgrade with raw bytes, close mid-upgrade, never read again, flood pings.
// Bounded: every client's ping flood has a fixed count, and the thread ends when the object is
// destroyed or after kHostileLifetime, whichever comes first; every descriptor is closed then.
// Header-only (test executables glob *_test.cpp only).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "ws_codec.hpp"

namespace wsload::agent::testing {

enum class Hostile {
  kSilent,          // accepts TCP, reads and discards, never writes (stalls TLS and the upgrade)
  kCloseOnRequest,  // reads the upgrade request, then closes without a response
  kRaw,             // reads the upgrade request, writes respond(key), then reads and discards
  kNeverRead,       // a valid 101, then never reads again; optionally floods 125-byte pings
  kFullBacklog,     // listens with backlog 0 and never accepts; its queue is filled at once, so
                    // clients' SYNs are dropped and their TCP connect stalls
};

struct HostileOptions {
  explicit HostileOptions(Hostile m = Hostile::kSilent) : mode(m) {}

  Hostile mode;
  std::function<std::string(const std::string& key)> respond;  // kRaw: the response bytes
  bool close_after_respond = false;  // kRaw: close once the response is written
  uint64_t flood_pings = 0;  // kNeverRead: pings to send per client, as fast as the client reads
  int rcvbuf = 0;            // SO_RCVBUF of accepted sockets (0 = kernel default)
};

inline constexpr std::chrono::seconds kHostileLifetime{60};

// A correct 101 for `key` (RFC 6455 §4.2.2).
inline std::string valid_101(const std::string& key) {
  return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Accept: " +
         ws::accept_for(key) + "\r\n\r\n";
}

class HostileServer {
 public:
  explicit HostileServer(HostileOptions options) : options_(std::move(options)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (options_.rcvbuf > 0) {
      ::setsockopt(listener_, SOL_SOCKET, SO_RCVBUF, &options_.rcvbuf, sizeof(options_.rcvbuf));
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    bool backlog0 = options_.mode == Hostile::kFullBacklog;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(listener_, backlog0 ? 0 : 128) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ::close(listener_);
      throw std::runtime_error("hostile server: cannot listen");
    }
    port_ = ntohs(addr.sin_port);
    if (backlog0) {
      // One completed connection fills a backlog-0 queue; later SYNs are dropped by the kernel.
      filler_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      ::connect(filler_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
      return;  // no thread: nothing is ever accepted
    }
    thread_ = std::thread([this] { run(); });
  }

  ~HostileServer() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
    for (auto& c : clients_) ::close(c.fd);
    if (filler_ >= 0) ::close(filler_);
    ::close(listener_);
  }
  HostileServer(const HostileServer&) = delete;
  HostileServer& operator=(const HostileServer&) = delete;

  uint16_t port() const { return port_; }
  std::string url(const std::string& scheme = "ws") const {
    return scheme + "://127.0.0.1:" + std::to_string(port_) + "/ws";
  }
  uint64_t accepted() const { return accepted_.load(); }
  uint64_t pings_sent() const { return pings_sent_.load(); }

 private:
  struct Client {
    explicit Client(int socket) : fd(socket) {}

    int fd;
    std::string in;   // the upgrade request so far
    std::string out;  // bytes still to write
    bool responded = false;
    bool reading = true;
    uint64_t pings_left = 0;
  };

  void run() {
    auto until = std::chrono::steady_clock::now() + kHostileLifetime;
    std::vector<pollfd> fds;
    while (!stop_.load() && std::chrono::steady_clock::now() < until) {
      fds.assign(1, pollfd{listener_, POLLIN, 0});
      for (auto& c : clients_) {
        short events = static_cast<short>((c.reading ? POLLIN : 0) | (c.out.empty() ? 0 : POLLOUT));
        fds.push_back(pollfd{c.fd, events, 0});
      }
      if (::poll(fds.data(), fds.size(), 5) < 0 && errno != EINTR) return;
      if (fds[0].revents & POLLIN) accept_all();
      for (size_t i = 1; i < fds.size(); ++i) {
        Client& c = clients_[i - 1];
        if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) on_readable(c);
        if (c.fd >= 0 && !c.out.empty() && (fds[i].revents & POLLOUT)) on_writable(c);
      }
      std::erase_if(clients_, [](const Client& c) { return c.fd < 0; });
    }
  }

  void accept_all() {
    while (true) {
      int fd = ::accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;
      ++accepted_;
      clients_.emplace_back(fd);
    }
  }

  void drop(Client& c) {
    ::close(c.fd);
    c.fd = -1;
  }

  void on_readable(Client& c) {
    char buf[4096];
    ssize_t n = ::recv(c.fd, buf, sizeof(buf), 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
      drop(c);
      return;
    }
    if (n < 0 || c.responded || options_.mode == Hostile::kSilent) return;
    c.in.append(buf, static_cast<size_t>(n));
    if (c.in.find("\r\n\r\n") == std::string::npos) return;
    c.responded = true;
    std::string key = header(c.in, "Sec-WebSocket-Key: ");
    switch (options_.mode) {
      case Hostile::kCloseOnRequest:
        drop(c);
        return;
      case Hostile::kRaw:
        c.out = options_.respond(key);
        break;
      default:  // kNeverRead
        c.out = valid_101(key);
        c.reading = false;
        c.pings_left = options_.flood_pings;
        break;
    }
    on_writable(c);
  }

  void on_writable(Client& c) {
    while (true) {
      if (c.out.empty()) refill_pings(c);
      if (c.out.empty()) return;
      ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno != EAGAIN && errno != EINTR) drop(c);
        return;
      }
      c.out.erase(0, static_cast<size_t>(n));
      if (c.out.empty() && options_.mode == Hostile::kRaw && options_.close_after_respond) {
        drop(c);
        return;
      }
    }
  }

  void refill_pings(Client& c) {
    const std::string frame = std::string("\x89\x7d", 2) + std::string(125, 'p');
    for (int i = 0; i < 64 && c.pings_left > 0; ++i, --c.pings_left) {
      c.out += frame;
      ++pings_sent_;
    }
  }

  static std::string header(const std::string& request, const std::string& name) {
    auto at = request.find(name);
    if (at == std::string::npos) return {};
    at += name.size();
    return request.substr(at, request.find("\r\n", at) - at);
  }

  HostileOptions options_;
  int listener_ = -1;
  int filler_ = -1;
  uint16_t port_ = 0;
  std::vector<Client> clients_;  // touched by the thread only (and by the destructor after join)
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> accepted_{0};
  std::atomic<uint64_t> pings_sent_{0};
  std::thread thread_;
};

}  // namespace wsload::agent::testing
