// --max-connections (503), --accept-rate (429), and slow-client disconnection.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "target_process.hpp"

namespace wsload::test {
namespace {

TEST(TargetLimits, MaxConnectionsGivesExactly503sBeyondTheLimit) {
  TargetProcess target({"--no-auth", "--max-connections", "3", "--threads", "2"});
  ASSERT_TRUE(target.ok()) << target.error();
  std::vector<std::unique_ptr<WsClient>> clients;
  int accepted = 0;
  int unavailable = 0;
  for (int i = 0; i < 5; ++i) {
    auto client = std::make_unique<WsClient>();
    int status = client->connect(target.port());
    if (status == 101) ++accepted;
    if (status == 503) ++unavailable;
    clients.push_back(std::move(client));
  }
  EXPECT_EQ(accepted, 3);
  EXPECT_EQ(unavailable, 2);
  // A session is counted open when the server's accept completes, possibly after the client saw
  // 101.
  EXPECT_TRUE(wait_for_stat_equal(target.port(), "connections_open", 3));
  auto stats = http_get(target.port(), "/stats");
  EXPECT_EQ(stats_field(stats.body, "rejected_503"), 2) << stats.body;

  // A freed slot can be used again.
  clients[0]->close();
  ASSERT_TRUE(wait_for_stat_equal(target.port(), "connections_open", 2));
  WsClient again;
  EXPECT_EQ(again.connect(target.port()), 101) << again.error();
}

TEST(TargetLimits, AcceptRateGives429BeyondTheBurst) {
  // 2 upgrades per second per IP with a burst of 2: the next three within the same half second
  // fail.
  TargetProcess target({"--no-auth", "--accept-rate", "2"});
  ASSERT_TRUE(target.ok()) << target.error();
  std::vector<int> statuses;
  std::vector<std::unique_ptr<WsClient>> clients;
  for (int i = 0; i < 5; ++i) {
    clients.push_back(std::make_unique<WsClient>());
    statuses.push_back(clients.back()->connect(target.port()));
  }
  EXPECT_EQ(statuses, (std::vector<int>{101, 101, 429, 429, 429}));
  auto stats = http_get(target.port(), "/stats");
  EXPECT_EQ(stats_field(stats.body, "rejected_429"), 3) << stats.body;
}

TEST(TargetLimits, SlowClientIsDroppedWhileOthersKeepReceiving) {
  TargetProcess target({"--no-auth", "--broadcast-interval", "5ms", "--broadcast-size", "16384",
                        "--max-queue-bytes", "262144", "--threads", "2"});
  ASSERT_TRUE(target.ok()) << target.error();

  WsClient normal;
  ASSERT_EQ(normal.connect(target.port()), 101) << normal.error();
  std::atomic<bool> stop{false};
  std::atomic<long long> received{0};
  std::atomic<long long> gaps{0};
  std::atomic<bool> normal_failed{false};
  std::thread reader([&] {
    long long last_seq = -1;
    while (!stop.load()) {
      auto m = normal.read(std::chrono::seconds(5));
      if (!m) {
        normal_failed = true;
        return;
      }
      auto pos = m->text.find("\"seq\":");
      long long seq = std::stoll(m->text.substr(pos + 6));
      if (last_seq >= 0 && seq != last_seq + 1) ++gaps;
      last_seq = seq;
      ++received;
    }
  });

  WsClient slow;
  WsOptions options;
  options.receive_buffer = 4096;
  ASSERT_EQ(slow.connect(target.port(), options), 101) << slow.error();
  // The slow client never reads. Its queue overflows and it is dropped.
  EXPECT_EQ(wait_for_stat(target.port(), "drops", 1, std::chrono::seconds(30)), 1);
  EXPECT_TRUE(wait_for_stat_equal(target.port(), "connections_open", 1, std::chrono::seconds(10)));
  const long long at_drop = received.load();
  // The normal client keeps receiving: wait for 50 more broadcasts.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (received.load() < at_drop + 50 && !normal_failed &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  stop = true;
  reader.join();
  EXPECT_FALSE(normal_failed) << normal.error();
  EXPECT_GE(received.load(), at_drop + 50);
  EXPECT_EQ(gaps.load(), 0);
  auto stats = http_get(target.port(), "/stats");
  EXPECT_EQ(stats_field(stats.body, "drops"), 1) << stats.body;
}

}  // namespace
}  // namespace wsload::test
