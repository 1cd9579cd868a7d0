#include "event_loop.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/detail/epoll_reactor.hpp>
#include <cerrno>
#include <cstdint>

namespace wsload::agent {

namespace {

using Reactor = boost::asio::detail::epoll_reactor;

// Asio keeps its reactor's epoll descriptor private. An explicit instantiation may name a private
// member ([temp.spec.general]), which hands its pointer to this friend; Boost is pinned to the
// distribution's 1.81 (MACHINE.md), and tests/unit/agent/event_loop_test.cpp fails if the nesting
// stops delivering Asio's events.
int Reactor::*reactor_epoll_fd();
template <int Reactor::*Member>
struct ReactorEpollFd {
  friend int Reactor::*reactor_epoll_fd() { return Member; }
};
template struct ReactorEpollFd<&Reactor::epoll_fd_>;

std::error_code last_error() { return {errno, std::system_category()}; }

void add_or_throw(int epoll_fd, int fd, uint32_t events, uint64_t key, const char* what) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = key;
  if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0)
    throw std::system_error(last_error(), what);
}

}  // namespace

EventLoop::EventLoop(boost::asio::io_context& io, bool precise) : precise_(precise) {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw std::system_error(last_error(), "epoll_create1");
  notify_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (notify_fd_ < 0) {
    std::error_code ec = last_error();
    ::close(epoll_fd_);
    throw std::system_error(ec, "eventfd");
  }
  try {
    add_or_throw(epoll_fd_, notify_fd_, EPOLLIN, kNotifyKey, "epoll_ctl(eventfd)");
    // Level-triggered: readable while the reactor has ready descriptors, expired timers or an
    // interrupt; the worker then runs the io_context until it has nothing ready.
    Reactor& reactor = boost::asio::use_service<Reactor>(io);
    reactor.init_task();  // the io_context runs it from now on (as once it has a socket or timer)
    add_or_throw(epoll_fd_, reactor.*reactor_epoll_fd(), EPOLLIN, kAsioKey, "epoll_ctl(asio)");
  } catch (...) {
    ::close(notify_fd_);
    ::close(epoll_fd_);
    throw;
  }
}

EventLoop::~EventLoop() {
  ::close(notify_fd_);
  ::close(epoll_fd_);
}

std::error_code EventLoop::add_socket(int fd, uint64_t key) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.u64 = key;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) return last_error();
  return {};
}

std::span<const epoll_event> EventLoop::wait(std::optional<std::chrono::nanoseconds> timeout) {
  const int64_t ns = timeout ? std::max<int64_t>(0, timeout->count()) : -1;
  int n = -1;
  if (precise_) {
    timespec ts{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    n = ::epoll_pwait2(epoll_fd_, events_.data(), kMaxEvents, ns < 0 ? nullptr : &ts, nullptr);
    if (n < 0 && errno == ENOSYS) precise_ = false;  // a kernel before 5.11: fall back below
  }
  if (!precise_) {
    // Whole milliseconds, rounded up so that the wait never ends before the instant (it may end
    // up to 1 ms after it: a send's lag, measured and reported as such).
    const int ms =
        ns < 0 ? -1 : static_cast<int>(std::min<int64_t>((ns + 999'999) / 1'000'000, INT32_MAX));
    n = ::epoll_wait(epoll_fd_, events_.data(), kMaxEvents, ms);
  }
  if (n <= 0) return {};  // timeout, or EINTR: the caller looks at its clock again
  return {events_.data(), static_cast<size_t>(n)};
}

void EventLoop::notify() {
  const uint64_t one = 1;
  // Fails only when the counter would overflow, and then the waiter is woken anyway.
  [[maybe_unused]] ssize_t n = ::write(notify_fd_, &one, sizeof(one));
}

void EventLoop::take_notify() {
  uint64_t count = 0;
  [[maybe_unused]] ssize_t n = ::read(notify_fd_, &count, sizeof(count));
}

}  // namespace wsload::agent
