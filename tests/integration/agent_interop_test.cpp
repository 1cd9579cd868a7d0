// The agent engine against third-party WebSocket servers, through the whole system: `wsload run`
// with a scenario file, one real wsload-agent over gRPC, and the JSON report. Each run is exact:
// every connection opens, every request gets exactly one reply, nothing else arrives.
#include <gtest/gtest.h>

#include "agent_test_support.hpp"

namespace wsload::test {
namespace {

constexpr int kConnections = 20;
// 2 s hold at one request per 200 ms: at least 10 requests per connection.
constexpr uint64_t kMinSentPerConnection = 10;

class NodeWsEcho : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = start_node_echo();
    ASSERT_TRUE(server_->ok()) << server_->error();
  }
  CliResult run(const std::string& messages) {
    return run_scenario_file(dir_, echo_scenario(server_->url(), kConnections, messages),
                             agents_.spec);
  }

  std::unique_ptr<EchoServer> server_;
  Agents agents_{1};
  TempDir dir_;
};

TEST_F(NodeWsEcho, TextMatchedByNextFrame) {
  auto r = run("  kind: text\n  template: 'hello {{conn}} #{{seq}}'\n  match: next\n");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_exact_echo(r, kConnections, kMinSentPerConnection);
}

TEST_F(NodeWsEcho, BinaryOf64BytesMatchedByNextFrame) {
  auto r = run("  kind: binary\n  size: 64\n  match: next\n");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_exact_echo(r, kConnections, kMinSentPerConnection);
  const uint64_t sent = r.report["messages"]["sent"];
  EXPECT_EQ(r.report["messages"]["bytes_sent"].get<uint64_t>(), sent * 64);
  EXPECT_EQ(r.report["messages"]["bytes_received"].get<uint64_t>(), sent * 64);
}

TEST_F(NodeWsEcho, BinaryLargerThanTheIdleReadIsReassembled) {
  // 5000 bytes span several reads of the agent (the first is at most kIdleReadBytes).
  auto r = run("  kind: binary\n  size: 5000\n  match: next\n");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_exact_echo(r, kConnections, kMinSentPerConnection);
  const uint64_t sent = r.report["messages"]["sent"];
  EXPECT_EQ(r.report["messages"]["bytes_received"].get<uint64_t>(), sent * 5000);
}

TEST_F(NodeWsEcho, JsonMatchedById) {
  // The echo returns the request itself, so its id pairs it with the request.
  auto r =
      run("  kind: json\n  template: '{\"type\":\"ping\",\"id\":{{seq}},\"conn\":{{conn}}}'\n  "
          "match: id\n");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_exact_echo(r, kConnections, kMinSentPerConnection);
}

TEST_F(NodeWsEcho, Rfc6455PingAnsweredByPong) {
  auto r = run("  kind: ping\n");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_exact_echo(r, kConnections, kMinSentPerConnection);
}

class PythonWebsocketsEcho : public NodeWsEcho {
 protected:
  void SetUp() override {
    server_ = start_python_echo();
    ASSERT_TRUE(server_->ok()) << server_->error();
  }
};

TEST_F(PythonWebsocketsEcho, JsonMatchedById) {
  auto r = run("  kind: json\n  template: '{\"id\":{{seq}},\"now\":{{now_us}}}'\n  match: id\n");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_exact_echo(r, kConnections, kMinSentPerConnection);
}

TEST_F(PythonWebsocketsEcho, TextMatchedByNextFrame) {
  auto r = run("  kind: text\n  template: 'text {{seq}} {{random 1000}}'\n  match: next\n");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_exact_echo(r, kConnections, kMinSentPerConnection);
}

TEST_F(PythonWebsocketsEcho, Rfc6455PingAnsweredByPong) {
  auto r = run("  kind: ping\n");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_exact_echo(r, kConnections, kMinSentPerConnection);
}

}  // namespace
}  // namespace wsload::test
