#include "net/tcp_connect.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace wsload::controller {

int remaining_ms(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now())
                        .count();
  return static_cast<int>(std::max<long long>(0, left));
}

int tcp_connect(const std::string& host, const std::string& port,
                std::chrono::steady_clock::time_point deadline, std::string* error) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    *error = "cannot resolve " + host + ": " + gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  *error = "cannot connect";
  for (auto* ai = found; ai && fd < 0; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    int so_error = 0;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      so_error = errno;
      if (so_error == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        socklen_t len = sizeof(so_error);
        so_error = poll(&p, 1, remaining_ms(deadline)) != 1                     ? ETIMEDOUT
                   : getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0 ? errno
                                                                                : so_error;
      }
    }
    if (so_error != 0) {
      *error = std::string("cannot connect: ") + strerror(so_error);
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd >= 0) error->clear();
  return fd;
}

}  // namespace wsload::controller
