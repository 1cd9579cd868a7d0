#pragma once
// A worker's own wait: one epoll instance that holds the sockets of established ws:// and wss://
// sessions (edge-triggered, read until a short read, so no failed read per message), an eventfd
// that other threads signal, and the worker's io_context reactor (its epoll descriptor, nested),
// which drives everything else (resolve, connect, TLS handshake, upgrade). The wait's timeout is
// the next deadline itself, to the nanosecond (epoll_pwait2): no timer descriptor is re-armed per
// send. At low rate a message then costs four system calls: the wait that wakes for the send, the
// send, the wait that wakes for the reply, the read (bench/agent_syscalls_bench.sh). One thread
// waits and registers; notify() may be called from any thread. Not copyable.
#include <sys/epoll.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <system_error>

namespace wsload::agent {

class EventLoop {
 public:
  // What an event is about: a session's socket (key_of), or one of these.
  static constexpr uint64_t kNotifyKey = UINT64_MAX;
  static constexpr uint64_t kAsioKey = UINT64_MAX - 1;
  // Events one wait takes at most (more stay ready for the next wait).
  static constexpr int kMaxEvents = 256;

  // Nests `io`'s reactor (created now if it was not). Throws std::system_error when the kernel
  // refuses an epoll instance or an eventfd. `precise`: wait with epoll_pwait2 (nanoseconds);
  // false, or a kernel without it (before 5.11), waits with epoll_wait in whole milliseconds,
  // rounded up.
  explicit EventLoop(boost::asio::io_context& io, bool precise = true);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // A session socket's key: its worker slot and descriptor (a stale event of a closed socket is
  // told from one of a later socket of the same slot by the descriptor).
  static uint64_t key_of(uint32_t slot, int fd) {
    return (static_cast<uint64_t>(slot) << 32) | static_cast<uint32_t>(fd);
  }
  static uint32_t slot_of(uint64_t key) { return static_cast<uint32_t>(key >> 32); }
  static int fd_of(uint64_t key) { return static_cast<int>(static_cast<uint32_t>(key)); }

  // Watches a connected, non-blocking socket for input, output room and its end (edge-triggered:
  // an event means "something changed"; the reader reads until a short read). Closing the socket
  // removes it. Returns the error when the kernel refuses.
  std::error_code add_socket(int fd, uint64_t key);
  // Waits until an event, `timeout` (nullopt: no bound; zero: a look without waiting) or a signal.
  std::span<const epoll_event> wait(std::optional<std::chrono::nanoseconds> timeout);
  // Wakes the waiting thread (any thread). The waiter reads it away with take_notify().
  void notify();
  void take_notify();

 private:
  bool precise_ = true;
  int epoll_fd_ = -1;
  int notify_fd_ = -1;
  std::array<epoll_event, kMaxEvents> events_{};
};

}  // namespace wsload::agent
