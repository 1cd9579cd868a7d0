// Ping/pong, echo, RFC 6455 pings, message size limit, /health, /stats, /metrics, graceful stop.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "target_process.hpp"

namespace wsload::test {
namespace {

class TargetMessaging : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(target_.ok()) << target_.error();
    ASSERT_EQ(client_.connect(target_.port()), 101) << client_.error();
  }

  TargetProcess target_{{"--no-auth", "--max-message-size", "1024", "--threads", "2"}};
  WsClient client_;
};

TEST_F(TargetMessaging, PingGetsPongWithSameIdAndFields) {
  for (int id = 1; id <= 3; ++id) {
    std::string ping =
        R"({"type":"ping","id":)" + std::to_string(id) + R"(,"ts":123,"nested":{"type":"ping"}})";
    ASSERT_TRUE(client_.send_text(ping)) << client_.error();
    auto reply = client_.read();
    ASSERT_TRUE(reply) << client_.error();
    EXPECT_FALSE(reply->binary);
    EXPECT_EQ(reply->text, R"({"type":"pong","id":)" + std::to_string(id) +
                               R"(,"ts":123,"nested":{"type":"ping"}})");
  }
}

TEST_F(TargetMessaging, OtherFramesAreEchoedAsIs) {
  ASSERT_TRUE(client_.send_text("hello world"));
  auto text = client_.read();
  ASSERT_TRUE(text) << client_.error();
  EXPECT_EQ(text->text, "hello world");
  EXPECT_FALSE(text->binary);

  std::string binary("\x00\x01\xff ping", 8);
  ASSERT_TRUE(client_.send_binary(binary));
  auto echoed = client_.read();
  ASSERT_TRUE(echoed) << client_.error();
  EXPECT_TRUE(echoed->binary);
  EXPECT_EQ(echoed->text, binary);

  ASSERT_TRUE(client_.send_text(R"({"type":"data","id":1})"));
  auto json = client_.read();
  ASSERT_TRUE(json);
  EXPECT_EQ(json->text, R"({"type":"data","id":1})");
}

TEST_F(TargetMessaging, Rfc6455PingIsAnswered) {
  ASSERT_TRUE(client_.send_ping());
  ASSERT_TRUE(client_.send_text("after-ping"));
  auto echoed = client_.read();  // the pong arrives before the echo and is seen by this read
  ASSERT_TRUE(echoed) << client_.error();
  EXPECT_EQ(echoed->text, "after-ping");
  EXPECT_EQ(client_.pongs_received(), 1);
}

TEST_F(TargetMessaging, OversizeMessageClosesWith1009) {
  ASSERT_TRUE(client_.send_text(std::string(1000, 'a')));
  ASSERT_TRUE(client_.read());
  ASSERT_TRUE(client_.send_text(std::string(2000, 'a')));
  EXPECT_FALSE(client_.read());
  EXPECT_EQ(client_.close_code(), 1009) << client_.error();
  EXPECT_TRUE(wait_for_stat_equal(target_.port(), "oversize", 1));
}

TEST_F(TargetMessaging, StatsCountMessagesAndConnections) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(client_.send_text(R"({"type":"ping","id":)" + std::to_string(i) + "}"));
    ASSERT_TRUE(client_.read());
  }
  // A write is counted when its completion handler runs, which may be after the client read it.
  ASSERT_TRUE(wait_for_stat_equal(target_.port(), "messages_out", 5));
  auto r = http_get(target_.port(), "/stats");
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(stats_field(r.body, "connections_open"), 1) << r.body;
  EXPECT_EQ(stats_field(r.body, "connections_total"), 1);
  EXPECT_EQ(stats_field(r.body, "messages_in"), 5);
  EXPECT_EQ(stats_field(r.body, "messages_out"), 5);
  EXPECT_EQ(stats_field(r.body, "broadcasts"), 0);
  EXPECT_EQ(stats_field(r.body, "drops"), 0);
  EXPECT_GE(stats_field(r.body, "uptime_s"), 0);

  client_.close();
  EXPECT_TRUE(wait_for_stat_equal(target_.port(), "connections_open", 0));
}

TEST_F(TargetMessaging, HealthAndNotFound) {
  ASSERT_TRUE(wait_for_stat_equal(target_.port(), "connections_open", 1));
  auto health = http_get(target_.port(), "/health");
  ASSERT_EQ(health.status, 200);
  EXPECT_EQ(health.body.rfind(R"({"status":"ok","uptime_s":)", 0), 0u) << health.body;
  EXPECT_NE(health.body.find(R"("connections":1)"), std::string::npos) << health.body;
  EXPECT_EQ(http_get(target_.port(), "/nope").status, 404);
  EXPECT_EQ(http_get(target_.port(), "/ws").status, 426);  // the path without an upgrade
}

TEST_F(TargetMessaging, MetricsIsPrometheusText) {
  ASSERT_TRUE(client_.send_text("x"));
  ASSERT_TRUE(client_.read());
  auto r = http_get(target_.port(), "/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type.rfind("text/plain; version=0.0.4", 0), 0u) << r.content_type;
  const std::regex sample(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})? ([-+0-9.eE]+|NaN|[+-]Inf)$)");
  const std::regex type_line(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge)$)");
  std::istringstream in(r.body);
  std::string line;
  std::string family;
  std::string family_type;
  int samples = 0;
  while (std::getline(in, line)) {
    std::smatch m;
    if (line.rfind("# HELP ", 0) == 0) continue;
    if (std::regex_match(line, m, type_line)) {
      family = m[1];
      family_type = m[2];
      continue;
    }
    ASSERT_TRUE(std::regex_match(line, m, sample)) << "not a sample line: " << line;
    EXPECT_EQ(m[1].str(), family) << line;
    if (family_type == "counter") {
      EXPECT_TRUE(family.ends_with("_total")) << family;
    }
    ++samples;
  }
  EXPECT_GE(samples, 10);
  EXPECT_NE(r.body.find("\nwsload_target_messages_in_total 1\n"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\nwsload_target_connections_open 1\n"), std::string::npos) << r.body;
}

TEST_F(TargetMessaging, SigtermClosesClientsWith1001AndExitsZero) {
  ASSERT_TRUE(target_.process().send_signal(SIGTERM));
  EXPECT_FALSE(client_.read(std::chrono::seconds(10)));
  EXPECT_EQ(client_.close_code(), 1001) << client_.error();
  EXPECT_EQ(target_.process().wait_exit(std::chrono::seconds(10)), 0);
}

}  // namespace
}  // namespace wsload::test
