// Built-in broadcasts: global consecutive seq numbers, one serialization shared by all clients.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "target_process.hpp"
#include "wsload/shared/clock.hpp"

namespace wsload::test {
namespace {

// seq -> raw message, for `count` consecutive broadcasts starting at the first one with seq >=
// from.
std::map<long long, std::string> read_broadcasts(WsClient& client, long long from, int count) {
  std::map<long long, std::string> out;
  while (static_cast<int>(out.size()) < count) {
    auto m = client.read(std::chrono::seconds(5));
    if (!m) {
      ADD_FAILURE() << "read failed: " << client.error();
      break;
    }
    auto j = nlohmann::json::parse(m->text);
    long long seq = j.at("seq").get<long long>();
    if (seq >= from) out.emplace(seq, m->text);
  }
  return out;
}

TEST(TargetBroadcast, SeqConsecutiveAndIdenticalAcrossClients) {
  TargetProcess target(
      {"--no-auth", "--broadcast-interval", "20ms", "--broadcast-size", "100", "--threads", "2"});
  ASSERT_TRUE(target.ok()) << target.error();
  WsClient a;
  WsClient b;
  ASSERT_EQ(a.connect(target.port()), 101);
  ASSERT_EQ(b.connect(target.port()), 101);

  auto first = a.read();
  ASSERT_TRUE(first) << a.error();
  auto j = nlohmann::json::parse(first->text);
  EXPECT_EQ(j.at("type"), "data");
  EXPECT_EQ(j.at("payload").get<std::string>().size(), 100u);
  const long long ts = j.at("ts").get<long long>();
  const long long now_us = shared::unix_us_now();
  EXPECT_LE(ts, now_us);
  EXPECT_GT(ts, now_us - 10'000'000) << "ts is wall-clock microseconds at publish";

  // Both clients, from a seq both are sure to receive, see the same 10 consecutive messages.
  const long long from = j.at("seq").get<long long>() + 2;
  auto seen_a = read_broadcasts(a, from, 10);
  auto seen_b = read_broadcasts(b, from, 10);
  ASSERT_EQ(seen_a.size(), 10u);
  EXPECT_EQ(seen_a.begin()->first, from);
  EXPECT_EQ(seen_a.rbegin()->first, from + 9) << "consecutive seq numbers";
  EXPECT_EQ(seen_a, seen_b) << "identical bytes for the same seq";

  auto stats = http_get(target.port(), "/stats");
  EXPECT_GE(stats_field(stats.body, "broadcasts"), from + 9);
  EXPECT_GE(wait_for_stat(target.port(), "messages_out", 2 * 11), 2 * 11);
}

TEST(TargetBroadcast, SeqStartsAtOne) {
  TargetProcess target({"--no-auth", "--broadcast-interval", "1s"});
  ASSERT_TRUE(target.ok()) << target.error();
  WsClient a;
  ASSERT_EQ(a.connect(target.port()), 101);
  // The first broadcast is 1 s after start: this client, connected right away, receives seq 1.
  auto m = a.read();
  ASSERT_TRUE(m) << a.error();
  EXPECT_EQ(nlohmann::json::parse(m->text).at("seq"), 1);
}

}  // namespace
}  // namespace wsload::test
