// NATS relay with a real nats-server and the `wsload-target publish` subcommand.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "target_process.hpp"

namespace wsload::test {
namespace {

std::string find_nats_server() {
  for (const char* path :
       {"/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"}) {
    if (access(path, X_OK) == 0) return path;
  }
  return {};
}

class TargetNats : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string binary = find_nats_server();
    ASSERT_FALSE(binary.empty())
        << "nats-server is required for this test and was not found in "
           "/usr/sbin, /usr/bin or /usr/local/bin (apt-get install nats-server)";
    nats_port_ = free_loopback_port();
    nats_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{binary, "-a", "127.0.0.1", "-p", std::to_string(nats_port_)},
        ProcessOptions{{}, {}, true});
    ASSERT_TRUE(nats_->wait_for_text("Server is ready", std::chrono::seconds(15)))
        << nats_->output();
    target_ = std::make_unique<TargetProcess>(std::vector<std::string>{
        "--no-auth", "--threads", "2", "--nats", nats_url(), "--subject", "wsload.test.data"});
    ASSERT_TRUE(target_->ok()) << target_->error();
  }

  void TearDown() override {
    target_.reset();  // stop the target before its NATS server
    nats_.reset();
  }

  std::string nats_url() const { return "nats://127.0.0.1:" + std::to_string(nats_port_); }

  uint16_t nats_port_ = 0;
  std::unique_ptr<ChildProcess> nats_;
  std::unique_ptr<TargetProcess> target_;
};

// The guide's NATS_URL names the server when --nats is absent; without either, a usage error.
TEST_F(TargetNats, PublisherReadsNatsUrlFromTheEnvironment) {
  WsClient a;
  ASSERT_EQ(a.connect(target_->port()), 101);
  ASSERT_TRUE(wait_for_stat_equal(target_->port(), "connections_open", 1));
  ProcessOptions with_url;
  with_url.env = {{"NATS_URL", nats_url()}};
  ChildProcess publisher({target_binary(), "publish", "--subject", "wsload.test.data", "--rate",
                          "1000", "--count", "5"},
                         with_url);
  ASSERT_EQ(publisher.wait_exit(std::chrono::seconds(30)), 0) << publisher.output();
  for (int seq = 1; seq <= 5; ++seq) {
    auto m = a.read();
    ASSERT_TRUE(m) << "seq " << seq << ": " << a.error();
    EXPECT_EQ(nlohmann::json::parse(m->text).at("seq").get<int>(), seq);
  }
  ProcessOptions without_url;
  without_url.unset_env = {"NATS_URL"};
  without_url.capture_stderr = true;
  ChildProcess refused({target_binary(), "publish", "--subject", "s", "--rate", "1"}, without_url);
  EXPECT_EQ(refused.wait_exit(std::chrono::seconds(10)), 2) << refused.output();
  // The output reader may still be draining the pipe when the exit is seen.
  EXPECT_TRUE(refused.wait_for_text("--nats", std::chrono::seconds(5))) << refused.output();
}

TEST_F(TargetNats, PublisherMessagesReachEveryClientInOrder) {
  WsClient a;
  WsClient b;
  ASSERT_EQ(a.connect(target_->port()), 101);
  ASSERT_EQ(b.connect(target_->port()), 101);
  // Both sessions are registered once the server counts them.
  ASSERT_TRUE(wait_for_stat_equal(target_->port(), "connections_open", 2));

  constexpr int kCount = 200;
  ChildProcess publisher({target_binary(), "publish", "--nats", nats_url(), "--subject",
                          "wsload.test.data", "--rate", "1000", "--count", std::to_string(kCount),
                          "--size", "48"});
  ASSERT_EQ(publisher.wait_exit(std::chrono::seconds(30)), 0) << publisher.output();
  EXPECT_TRUE(publisher.wait_for_line("published 200 messages", std::chrono::seconds(5)))
      << publisher.output();

  for (WsClient* client : {&a, &b}) {
    for (int seq = 1; seq <= kCount; ++seq) {
      auto m = client->read();
      ASSERT_TRUE(m) << "seq " << seq << ": " << client->error();
      auto j = nlohmann::json::parse(m->text);
      ASSERT_EQ(j.at("type"), "data");
      ASSERT_EQ(j.at("seq").get<int>(), seq) << "relayed as is, in order";
      EXPECT_EQ(j.at("payload").get<std::string>().size(), 48u);
      EXPECT_GT(j.at("ts").get<long long>(), 0);
    }
  }
  auto stats = http_get(target_->port(), "/stats");
  EXPECT_EQ(stats_field(stats.body, "nats_received"), kCount) << stats.body;
  EXPECT_EQ(stats_field(stats.body, "broadcasts"), kCount) << stats.body;
}

TEST_F(TargetNats, NonDataMessagesAreWrapped) {
  WsClient client;
  ASSERT_EQ(client.connect(target_->port()), 101);
  ASSERT_TRUE(wait_for_stat_equal(target_->port(), "connections_open", 1));
  ASSERT_EQ(nats_publish(nats_port_, "wsload.test.data", R"(hello "world")"), "");
  ASSERT_EQ(
      nats_publish(nats_port_, "wsload.test.data", R"({"type":"data","seq":77,"ts":5,"x":1})"), "");
  auto wrapped = client.read();
  ASSERT_TRUE(wrapped) << client.error();
  auto j = nlohmann::json::parse(wrapped->text);
  EXPECT_EQ(j.at("type"), "data");
  EXPECT_EQ(j.at("seq"), 1) << "the server's own sequence";
  EXPECT_EQ(j.at("payload"), R"(hello "world")");
  auto as_is = client.read();
  ASSERT_TRUE(as_is) << client.error();
  EXPECT_EQ(as_is->text, R"({"type":"data","seq":77,"ts":5,"x":1})");
}

// NATS input is bounded like client input: a payload that would exceed --max-message-size (64 KiB
// by default) once shaped is dropped and counted; deep nesting is scanned without recursion.
TEST_F(TargetNats, OversizeAndNestedPayloadsAreBounded) {
  WsClient client;
  ASSERT_EQ(client.connect(target_->port()), 101);
  ASSERT_TRUE(wait_for_stat_equal(target_->port(), "connections_open", 1));
  const std::string nested(30 * 1024, '[');
  ASSERT_EQ(nats_publish(nats_port_, "wsload.test.data", std::string(512 * 1024, '[')), "");
  ASSERT_EQ(nats_publish(nats_port_, "wsload.test.data", nested), "");
  ASSERT_EQ(nats_publish(nats_port_, "wsload.test.data", R"({"type":"data","seq":9,"x":)" + nested),
            "");
  // Escaping can make a payload under the limit too large once wrapped: 40,000 quotes -> 80,000
  // bytes.
  ASSERT_EQ(nats_publish(nats_port_, "wsload.test.data", std::string(40000, '"')), "");

  auto wrapped = client.read();
  ASSERT_TRUE(wrapped) << client.error();
  EXPECT_EQ(nlohmann::json::parse(wrapped->text).at("payload"), nested);
  auto as_is = client.read();
  ASSERT_TRUE(as_is) << client.error();
  EXPECT_EQ(as_is->text.rfind(R"({"type":"data","seq":9,)", 0), 0u);
  EXPECT_FALSE(client.read(std::chrono::milliseconds(300))) << "nothing else was relayed";
  EXPECT_TRUE(wait_for_stat_equal(target_->port(), "nats_received", 4));
  auto stats = http_get(target_->port(), "/stats");
  EXPECT_EQ(stats_field(stats.body, "nats_dropped"), 2) << stats.body;
  EXPECT_EQ(stats_field(stats.body, "broadcasts"), 2) << stats.body;
}

TEST(TargetNatsConfig, UnreachableNatsFailsAtStartup) {
  ChildProcess target(
      {target_binary(), "--listen", "127.0.0.1:0", "--no-auth", "--nats",
       "nats://127.0.0.1:" + std::to_string(free_loopback_port()), "--subject", "x"},
      ProcessOptions{{}, {}, true});
  EXPECT_EQ(target.wait_exit(std::chrono::seconds(20)), 1) << target.output();
  EXPECT_NE(target.output().find("NATS"), std::string::npos) << target.output();
}

}  // namespace
}  // namespace wsload::test
