// EventLoop (agent/src/event_loop.cpp): the worker's wait. Real descriptors: a socket pair, an
// eventfd, Asio's own reactor.
#include "event_loop.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <thread>
#include <vector>

namespace wsload::agent {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// An EventLoop over an io_context with work (as the worker's: poll() runs the reactor), which has
// run once: a new reactor starts interrupted (ready once), and the worker's first round takes
// that away the same way.
struct LoopSetup {
  explicit LoopSetup(bool precise = true) : loop(io, precise) { io.poll(); }
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work =
      boost::asio::make_work_guard(io);
  EventLoop loop;
};

std::vector<uint64_t> keys_of(std::span<const epoll_event> events) {
  std::vector<uint64_t> keys;
  for (const epoll_event& ev : events) keys.push_back(ev.data.u64);
  return keys;
}

TEST(EventLoop, KeysCarryTheSlotAndTheDescriptor) {
  const uint64_t key = EventLoop::key_of(4'000'000, 19'999);
  EXPECT_EQ(EventLoop::slot_of(key), 4'000'000u);
  EXPECT_EQ(EventLoop::fd_of(key), 19'999);
  EXPECT_LT(EventLoop::key_of(UINT32_MAX - 2, INT32_MAX), EventLoop::kAsioKey);
}

TEST(EventLoop, ATimeoutIsKeptToTheMillisecondAndNothingIsReported) {
  LoopSetup setup;
  EventLoop& loop = setup.loop;
  EXPECT_TRUE(loop.wait(0ns).empty());
  const auto start = Clock::now();
  EXPECT_TRUE(loop.wait(3ms).empty());
  const auto took = Clock::now() - start;
  EXPECT_GE(took, 3ms);
  EXPECT_LT(took, 200ms);
}

// Kernels before 5.11 have no epoll_pwait2: the loop waits in whole milliseconds, never less than
// asked.
TEST(EventLoop, WithoutNanosecondWaitsATimeoutIsRoundedUpToTheMillisecond) {
  LoopSetup setup(false);
  EventLoop& loop = setup.loop;
  EXPECT_TRUE(loop.wait(0ns).empty());
  const auto start = Clock::now();
  EXPECT_TRUE(loop.wait(1500us).empty());
  const auto took = Clock::now() - start;
  EXPECT_GE(took, 2ms);
  EXPECT_LT(took, 200ms);
  loop.notify();
  EXPECT_EQ(keys_of(loop.wait(10s)), std::vector<uint64_t>{EventLoop::kNotifyKey});
}

TEST(EventLoop, NotifyWakesAWaitFromAnotherThread) {
  LoopSetup setup;
  EventLoop& loop = setup.loop;
  std::thread other([&] {
    std::this_thread::sleep_for(20ms);
    loop.notify();
  });
  const auto start = Clock::now();
  auto keys = keys_of(loop.wait(10s));
  other.join();
  EXPECT_LT(Clock::now() - start, 5s);
  EXPECT_EQ(keys, std::vector<uint64_t>{EventLoop::kNotifyKey});
  loop.take_notify();
  EXPECT_TRUE(loop.wait(0ns).empty()) << "taken: not reported again";
}

// The nesting the worker relies on: an expiring Asio timer (its reactor's timerfd) makes the wait
// report kAsioKey, and once the io_context has run, the reactor is quiet again.
TEST(EventLoop, AsioReactorWorkWakesTheWait) {
  LoopSetup setup;
  EventLoop& loop = setup.loop;
  boost::asio::steady_timer timer(setup.io);
  bool fired = false;
  timer.expires_after(20ms);
  timer.async_wait([&](boost::system::error_code ec) { fired = !ec; });
  setup.io.poll();
  EXPECT_FALSE(fired);
  auto keys = keys_of(loop.wait(10s));
  EXPECT_EQ(keys, std::vector<uint64_t>{EventLoop::kAsioKey});
  setup.io.poll();
  EXPECT_TRUE(fired);
  EXPECT_TRUE(loop.wait(0ns).empty()) << "nothing ready after the io_context ran";
}

TEST(EventLoop, ASocketReportsInputOutputRoomAndItsEnd) {
  LoopSetup setup;
  EventLoop& loop = setup.loop;
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
  const uint64_t key = EventLoop::key_of(7, fds[0]);
  ASSERT_FALSE(loop.add_socket(fds[0], key));
  auto first = loop.wait(1s);  // writable from the start
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].data.u64, key);
  EXPECT_NE(first[0].events & EPOLLOUT, 0u);
  EXPECT_EQ(first[0].events & EPOLLIN, 0u);
  EXPECT_TRUE(loop.wait(0ns).empty()) << "edge-triggered: no change, no event";

  ASSERT_EQ(::write(fds[1], "hi", 2), 2);
  auto input = loop.wait(1s);
  ASSERT_EQ(input.size(), 1u);
  EXPECT_NE(input[0].events & EPOLLIN, 0u);

  ::close(fds[1]);
  auto end = loop.wait(1s);
  ASSERT_EQ(end.size(), 1u);
  EXPECT_NE(end[0].events & (EPOLLRDHUP | EPOLLHUP), 0u);
  ::close(fds[0]);
  EXPECT_TRUE(loop.wait(0ns).empty()) << "a closed socket leaves the loop";
}

}  // namespace
}  // namespace wsload::agent
