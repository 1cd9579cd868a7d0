// A connection's output against peers that stop reading: bounded queues (pongs coalesce), a
// write stall ends the session under its own reason, and every scheduled request ends as sent or
// as a counted non-send.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <string>
#include <utility>

#include "connection.hpp"
#include "engine_run.hpp"
#include "event_loop.hpp"
#include "hostile_server.hpp"
#include "run_config.hpp"
#include "test_server.hpp"

namespace wsload::agent {
namespace {

using namespace std::chrono_literals;
using testing::Hostile;
using testing::HostileOptions;
using testing::HostileServer;
using testing::make_assignment;
using testing::run_engine;
using testing::RunResult;
using Reasons = std::map<std::string, uint64_t>;

// One ws:// connection on an io_context of the test thread, with the worker's deadline loop
// reduced to its essence (a timer at the earliest armed deadline), so that the test can read the
// connection's state between handlers and shorten the write-stall bound.
class OneConnection {
 public:
  explicit OneConnection(Assignment a, std::chrono::milliseconds write_stall) {
    auto made = make_run_config(std::move(a));
    cfg_ = std::get<std::shared_ptr<const RunConfig>>(std::move(made));
    ctx_ = std::make_unique<WorkerContext>(
        ioc_, *cfg_, std::vector<std::shared_ptr<boost::asio::ssl::context>>(1));
    ctx_->write_stall = write_stall;
    ctx_->deadlines.reset(1);
    ctx_->on_done = [this](uint32_t) { done_ = true; };
    ctx_->wake_at = [this](TimePoint at) { wake_at(at); };
    ctx_->loop = &loop_;
    conn_ = make_plain_connection(*ctx_, 0, 0);
  }
  ~OneConnection() {
    if (!done_) conn_->abort(0ms);
    ioc_.run_for(1s);  // lets aborted operations return before the context dies
  }

  Connection& conn() { return *conn_; }
  const shared::Counters& counters() const { return ctx_->delta.counters; }
  bool done() const { return done_; }
  // Runs handlers and the established session's socket events (as a Worker does) for `d`;
  // returns early once the connection is over.
  void run_for(std::chrono::milliseconds d) {
    auto until = Clock::now() + d;
    while (!done_ && Clock::now() < until) {
      ioc_.poll();
      for (const epoll_event& ev : loop_.wait(1ms)) {
        if (ev.data.u64 < EventLoop::kAsioKey && !done_) {
          conn_->on_io(EventLoop::fd_of(ev.data.u64), ev.events);
        }
      }
      for (const RawRead& r : std::exchange(ctx_->read_again, {})) {
        if (!done_) conn_->on_io(r.fd, EPOLLIN);
      }
    }
  }

 private:
  void wake_at(TimePoint at) {
    if (at >= armed_at_) return;
    armed_at_ = at;
    timer_.expires_at(at);
    timer_.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      armed_at_ = TimePoint::max();
      while (auto due = ctx_->deadlines.pop_due(Clock::now())) {
        if (!done_) conn_->on_deadline(due->kind);
      }
      if (auto next = ctx_->deadlines.earliest()) wake_at(*next);
    });
  }

  boost::asio::io_context ioc_;
  EventLoop loop_{ioc_};
  std::shared_ptr<const RunConfig> cfg_;
  std::unique_ptr<WorkerContext> ctx_;
  boost::asio::steady_timer timer_{ioc_};
  TimePoint armed_at_ = TimePoint::max();
  std::shared_ptr<Connection> conn_;
  bool done_ = false;
};

// Issue 11 item 2: after a correct 101 the server floods 125-byte pings and never reads. The
// agent answers only the latest ping (a queued pong is replaced), so its queue stays at one pong
// however many pings arrive; once its writes make no progress for the stall bound the session
// ends as `write_stall`, an unexpected disconnect.
TEST(ConnectionOutput, PingFloodOfANonReadingPeerStaysBoundedAndEndsAsWriteStall) {
  HostileOptions o{Hostile::kNeverRead};
  o.flood_pings = 400'000;  // 50 MB of pings
  o.rcvbuf = 4096;
  HostileServer server(o);
  OneConnection c(make_assignment(server.url(), 1, 0ms, 60s), 1000ms);
  c.conn().start();
  std::size_t max_queued = 0;
  auto until = Clock::now() + 8s;
  while (!c.done() && Clock::now() < until) {
    c.run_for(2ms);
    max_queued = std::max(max_queued, c.conn().queued_bytes());
  }
  EXPECT_GT(server.pings_sent(), 20'000u);
  EXPECT_LE(max_queued, 2u * (2 + 4 + 125)) << "pongs must coalesce";
  ASSERT_TRUE(c.done());
  const auto& k = c.counters();
  EXPECT_EQ(k.connections_established, 1u);
  EXPECT_EQ(k.disconnects, (Reasons{{"write_stall", 1}}));
  EXPECT_EQ(k.disconnects_unexpected, 1u);
}

// Slots of one connection established at e, every `interval`, before the hold's end: k such that
// e + k * interval < hold_end. With ramp-up 0 and a hold of 1050 ms at 100 ms, any connection
// established within 50 ms of t0 has exactly 11 (however late they are sent or counted).
constexpr uint64_t kSlotsPerConnection = 11;

Assignment big_binary_sends(const std::string& url, uint32_t n) {
  auto a = make_assignment(url, n, 0ms, 1050ms);
  shared::MessagesSpec m;
  m.interval = 100ms;
  m.kind = shared::MessageKind::kBinary;
  m.size = 512 * 1024;  // 11 of them are more than the kernel's socket buffers hold
  m.match = shared::Match::none();
  a.scenario.messages = m;
  return a;
}

// Issue 11 item 4: a server that never reads. Sends pause while the output is backlogged; the
// slots that pass meanwhile are not lost: scheduled = sent + unsent, exactly.
TEST(ConnectionOutput, EveryScheduledRequestIsSentOrCountedUnsent) {
  HostileOptions o{Hostile::kNeverRead};
  o.rcvbuf = 4096;
  HostileServer server(o);
  Engine engine(1);
  RunResult r = run_engine(engine, big_binary_sends(server.url(), 3), 8000ms);
  ASSERT_TRUE(r.finished);
  const auto& c = r.total.counters;
  ASSERT_EQ(c.connections_established, 3u);
  EXPECT_LT(c.messages_sent, 3 * kSlotsPerConnection);  // the peer stopped reading
  EXPECT_EQ(c.messages_sent + c.unsent_total(), 3 * kSlotsPerConnection)
      << "sent " << c.messages_sent << ", unsent " << c.unsent_total();
  ASSERT_EQ(c.unsent.count("peer_not_reading"), 1u);
  EXPECT_EQ(c.unsent.size(), 1u);
}

// The same schedule against a peer that reads: everything goes out, nothing is unsent.
TEST(ConnectionOutput, AReadingPeerGetsEveryScheduledRequest) {
  testing::TestServer server(testing::ServerOptions{testing::ServerMode::kSilent});
  Engine engine(1);
  RunResult r = run_engine(engine, big_binary_sends(server.url(), 2), 8000ms);
  ASSERT_TRUE(r.finished);
  const auto& c = r.total.counters;
  EXPECT_EQ(c.messages_sent, 2 * kSlotsPerConnection);
  EXPECT_EQ(c.unsent_total(), 0u);
}

}  // namespace
}  // namespace wsload::agent
