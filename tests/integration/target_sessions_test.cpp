// Session messages against the real wsload-target: subscribe/unsubscribe/publish replies, their
// /stats and /metrics counters, distinct JWT subjects, --require-subscribe and hostile input.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "target_process.hpp"
#include "wsload/shared/jwt.hpp"
#include "wsload_cluster.hpp"

namespace wsload::test {
namespace {

using nlohmann::json;

// Sends `request` and returns the first reply that is not a broadcast ({"type":"data"}).
json ask(WsClient& client, const std::string& request) {
  if (!client.send_text(request)) {
    ADD_FAILURE() << "send failed: " << client.error();
    return {};
  }
  while (auto message = client.read()) {
    auto reply = json::parse(message->text);
    if (reply.at("type") != "data") return reply;
  }
  ADD_FAILURE() << "no reply to " << request << ": " << client.error();
  return {};
}

// Reads until `count` broadcasts arrived; false on a read failure.
bool read_broadcasts(WsClient& client, int count) {
  for (int seen = 0; seen < count;) {
    auto message = client.read();
    if (!message) return false;
    if (json::parse(message->text).at("type") == "data") ++seen;
  }
  return true;
}

// Sends a ping and returns how many broadcasts arrived before its pong (-1 on failure). Messages
// are written in the order the session queued them, so this counts every broadcast queued for the
// client before the ping was answered, with no timing assumption.
int broadcasts_before_pong(WsClient& client, int id) {
  if (!client.send_text(R"({"type":"ping","id":)" + std::to_string(id) + "}")) return -1;
  int broadcasts = 0;
  while (auto message = client.read()) {
    auto j = json::parse(message->text);
    if (j.at("type") == "pong" && j.at("id") == id) return broadcasts;
    if (j.at("type") == "data") ++broadcasts;
  }
  return -1;
}

std::string subscribe(const std::string& channel, int id) {
  return R"({"type":"subscribe","channel":")" + channel + R"(","id":)" + std::to_string(id) + "}";
}

TEST(TargetSessions, SubscribeUnsubscribePublishAreAnswered) {
  TargetProcess target({"--no-auth", "--threads", "2"});
  ASSERT_TRUE(target.ok()) << target.error();
  WsClient client;
  ASSERT_EQ(client.connect(target.port()), 101) << client.error();

  auto subscribed = ask(client, subscribe("prices", 41));
  EXPECT_EQ(subscribed.at("type"), "subscribed");
  EXPECT_EQ(subscribed.at("channel"), "prices");
  EXPECT_EQ(subscribed.at("id"), 41);
  ASSERT_TRUE(subscribed.at("subscription").is_string());
  EXPECT_FALSE(subscribed.at("subscription").get<std::string>().empty());
  auto second = ask(client, subscribe("news", 42));
  EXPECT_NE(second.at("subscription"), subscribed.at("subscription"));

  EXPECT_EQ(ask(client, R"({"type":"unsubscribe","channel":"prices","id":43})"),
            json::parse(R"({"type":"unsubscribed","channel":"prices","id":43})"));
  EXPECT_EQ(ask(client, R"({"type":"unsubscribe","channel":"prices"})"),
            json::parse(R"({"type":"unsubscribed","channel":"prices"})"));
  EXPECT_EQ(ask(client, R"({"type":"publish","id":18446744073709551615,"data":{"p":1}})"),
            json::parse(R"({"type":"published","id":18446744073709551615})"));
  EXPECT_EQ(ask(client, R"({"type":"ping","id":44})"), json::parse(R"({"type":"pong","id":44})"));
  EXPECT_TRUE(wait_for_stat_equal(target.port(), "unsubscribes_unknown", 1));
  EXPECT_TRUE(wait_for_stat_equal(target.port(), "subscriptions_open", 1));
}

TEST(TargetSessions, StatsAreExactAfterTenSessions) {
  TargetProcess target({"--no-auth", "--threads", "2"});
  ASSERT_TRUE(target.ok()) << target.error();
  std::vector<std::unique_ptr<WsClient>> clients;
  std::set<std::string> subscriptions;
  for (int i = 0; i < 10; ++i) {
    auto& client = *clients.emplace_back(std::make_unique<WsClient>());
    ASSERT_EQ(client.connect(target.port()), 101) << client.error();
    subscriptions.insert(ask(client, subscribe("ch", i)).at("subscription"));
    ask(client, subscribe("keep-" + std::to_string(i), 100 + i));
    EXPECT_EQ(ask(client, R"({"type":"unsubscribe","channel":"ch","id":1})").at("type"),
              "unsubscribed");
    EXPECT_EQ(ask(client, R"({"type":"publish","id":2})").at("type"), "published");
  }
  EXPECT_EQ(subscriptions.size(), 10u) << "one subscription string per subscription";
  EXPECT_TRUE(wait_for_stat_equal(target.port(), "subscriptions_open", 10));
  // Sessions that close while subscribed release their channels.
  for (auto& client : clients) client->close();
  EXPECT_TRUE(wait_for_stat_equal(target.port(), "connections_open", 0));
  EXPECT_TRUE(wait_for_stat_equal(target.port(), "subscriptions_open", 0));
  auto stats = http_get(target.port(), "/stats");
  ASSERT_EQ(stats.status, 200) << stats.error;
  EXPECT_EQ(stats_field(stats.body, "subscribes"), 20) << stats.body;
  EXPECT_EQ(stats_field(stats.body, "unsubscribes"), 10);
  EXPECT_EQ(stats_field(stats.body, "unsubscribes_unknown"), 0);
  EXPECT_EQ(stats_field(stats.body, "publishes"), 10);
  EXPECT_EQ(stats_field(stats.body, "session_message_errors"), 0);
  EXPECT_EQ(stats_field(stats.body, "distinct_subjects"), 0) << "no JWT, no subjects";

  auto metrics = http_get(target.port(), "/metrics");
  for (const char* sample :
       {"\nwsload_target_subscribes_total 20\n", "\nwsload_target_unsubscribes_total 10\n",
        "\nwsload_target_publishes_total 10\n", "\nwsload_target_subscriptions_open 0\n"}) {
    EXPECT_NE(metrics.body.find(sample), std::string::npos) << sample << " in " << metrics.body;
  }
}

TEST(TargetSessions, DistinctSubjectsCountsJwtSubClaims) {
  TargetProcess target({"--jwt-secret", kTargetSecret, "--threads", "2"});
  ASSERT_TRUE(target.ok()) << target.error();
  const std::vector<std::string> subjects = {"user-0", "user-1", "user-2", "user-1",
                                             "user-3", "user-4", "user-3", "user-0"};
  for (const auto& subject : subjects) {
    WsClient client;
    WsOptions options;
    options.token = shared::jwt_make_token(kTargetSecret, subject, now_s(), 3600);
    ASSERT_EQ(client.connect(target.port(), options), 101) << client.error();
    // The subject is recorded when the upgrade completes; an answered ping proves it did.
    EXPECT_EQ(ask(client, R"({"type":"ping","id":1})").at("type"), "pong");
  }
  WsClient refused;  // a rejected token is not an accepted upgrade
  WsOptions bad;
  bad.token = shared::jwt_make_token("other-secret", "user-9", now_s(), 3600);
  EXPECT_EQ(refused.connect(target.port(), bad), 401);
  EXPECT_TRUE(wait_for_stat_equal(target.port(), "connections_total", 8));
  auto stats = http_get(target.port(), "/stats");
  EXPECT_EQ(stats_field(stats.body, "distinct_subjects"), 5) << stats.body;
  EXPECT_EQ(stats_field(stats.body, "distinct_subjects_overflow"), 0);
}

TEST(TargetSessions, RequireSubscribeBroadcastsOnlyToSubscribedSessions) {
  TargetProcess target(
      {"--no-auth", "--require-subscribe", "--broadcast-interval", "20ms", "--threads", "2"});
  ASSERT_TRUE(target.ok()) << target.error();
  WsClient listener;
  WsClient idle;
  ASSERT_EQ(listener.connect(target.port()), 101) << listener.error();
  ASSERT_EQ(idle.connect(target.port()), 101) << idle.error();
  // Both sessions are attached once they answered a ping; only then does the window start.
  ASSERT_EQ(broadcasts_before_pong(idle, 1), 0);
  ASSERT_EQ(broadcasts_before_pong(listener, 1), 0);
  ASSERT_EQ(ask(listener, subscribe("prices", 2)).at("type"), "subscribed");
  ASSERT_TRUE(read_broadcasts(listener, 5)) << listener.error();
  EXPECT_EQ(broadcasts_before_pong(idle, 3), 0) << "5 broadcasts went out meanwhile";

  // Subscribing starts the broadcasts; unsubscribing from the last channel stops them.
  ASSERT_EQ(ask(idle, subscribe("prices", 4)).at("type"), "subscribed");
  ASSERT_TRUE(read_broadcasts(idle, 2)) << idle.error();
  ASSERT_EQ(ask(idle, R"({"type":"unsubscribe","channel":"prices","id":5})").at("type"),
            "unsubscribed");
  ASSERT_TRUE(read_broadcasts(listener, 5)) << listener.error();
  EXPECT_EQ(broadcasts_before_pong(idle, 6), 0);
}

TEST(TargetSessions, HostileChannelsAreRefusedAndBounded) {
  // Frames up to 128 KiB reach the session, so the 64 KiB session message bound is what refuses.
  TargetProcess target({"--no-auth", "--threads", "2", "--max-message-size", "131072"});
  ASSERT_TRUE(target.ok()) << target.error();
  constexpr int kSessions = 3;
  constexpr int kAttempts = 100;
  constexpr int kMaxChannels = 16;
  std::vector<std::unique_ptr<WsClient>> clients;
  for (int s = 0; s < kSessions; ++s) {
    auto& client = *clients.emplace_back(std::make_unique<WsClient>());
    ASSERT_EQ(client.connect(target.port()), 101) << client.error();
    auto too_long = ask(client, subscribe(std::string(65, 'n'), 7));
    EXPECT_EQ(too_long, json::parse(R"({"type":"error","id":7,)"
                                    R"("error":"channel must be a string of 1 to 64 bytes"})"));
    for (int i = 0; i < kAttempts; ++i) {
      auto reply = ask(client, subscribe("c" + std::to_string(i), i));
      EXPECT_EQ(reply.at("type"), i < kMaxChannels ? "subscribed" : "error") << reply.dump();
      EXPECT_EQ(reply.at("id"), i);
    }
    auto big = ask(client, R"({"type":"subscribe","id":8,"channel":"x","pad":")" +
                               std::string(70 * 1024, 'p') + "\"}");
    EXPECT_EQ(big.at("error"), "message larger than 65536 bytes");
  }
  EXPECT_TRUE(wait_for_stat_equal(target.port(), "subscriptions_open", kSessions * kMaxChannels));
  auto stats = http_get(target.port(), "/stats");
  EXPECT_EQ(stats_field(stats.body, "subscribes"), kSessions * kMaxChannels) << stats.body;
  EXPECT_EQ(stats_field(stats.body, "session_message_errors"),
            kSessions * (kAttempts - kMaxChannels + 2));
  EXPECT_EQ(ask(*clients[0], R"({"type":"ping","id":9})").at("type"), "pong");
}

TEST(TargetSessions, MetricsPassPromtoolCheck) {
  TargetProcess target({"--no-auth"});
  ASSERT_TRUE(target.ok()) << target.error();
  WsClient client;
  ASSERT_EQ(client.connect(target.port()), 101) << client.error();
  ask(client, subscribe("a", 1));
  ask(client, R"({"type":"unsubscribe","channel":"b"})");
  auto metrics = http_get(target.port(), "/metrics");
  ASSERT_EQ(metrics.status, 200) << metrics.error;
  const std::string promtool = executable_on_path("promtool");
  if (promtool.empty())
    GTEST_SKIP() << "promtool is not installed (Debian package 'prometheus'): the /metrics text "
                    "was not checked by promtool";
  TempDir dir;
  const std::string file = dir.file("metrics.txt");
  std::ofstream(file) << metrics.body;
  ProcessOptions options;
  options.capture_stderr = true;
  ChildProcess check({"/bin/sh", "-c", "'" + promtool + "' check metrics < '" + file + "'"},
                     options);
  EXPECT_EQ(check.wait_exit(std::chrono::seconds(30)), 0) << check.output();
  EXPECT_EQ(check.output().find("problem"), std::string::npos) << check.output();
}

}  // namespace
}  // namespace wsload::test
