// A connection's output against peers that stop reading: bounded queues (pongs coalesce), a
// write stall ends the session under its own reason, and every scheduled request ends as sent or
// as a counted non-send.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "connection.hpp"
#include "engine_run.hpp"
#include "hostile_server.hpp"
#include "one_connection.hpp"
#include "run_config.hpp"
#include "test_server.hpp"

namespace wsload::agent {
namespace {

using namespace std::chrono_literals;
using testing::Hostile;
using testing::HostileOptions;
using testing::HostileServer;
using testing::make_assignment;
using testing::OneConnection;
using testing::run_engine;
using testing::RunResult;
using Reasons = std::map<std::string, uint64_t>;

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
