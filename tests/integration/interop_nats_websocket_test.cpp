// Interoperability with a server we did not write: nats-server's websocket listener speaks the
// NATS text protocol, so `PING\r\n` is answered by `PONG\r\n` (match: next). Its INFO greeting on
// every new connection is a server push.
#include <gtest/gtest.h>

#include "wsload_cluster.hpp"

namespace wsload::test {
namespace {

TEST(InteropNatsWebsocket, PingPongWithExactCounts) {
  ASSERT_EQ(std::system("command -v nats-server >/dev/null"), 0)
      << "nats-server missing: apt-get install nats-server";
  TempDir dir;
  const auto client_port = free_loopback_port();
  const auto ws_port = free_loopback_port();
  write_text(dir.file("nats.conf"), "listen: \"127.0.0.1:" + std::to_string(client_port) +
                                        "\"\nwebsocket {\n  listen: \"127.0.0.1:" +
                                        std::to_string(ws_port) + "\"\n  no_tls: true\n}\n");
  ProcessOptions nats_options;
  nats_options.capture_stderr = true;
  ChildProcess nats({"nats-server", "-c", dir.file("nats.conf")}, nats_options);
  ASSERT_TRUE(nats.wait_for_text("Listening for websocket clients", std::chrono::seconds(15)))
      << nats.output();

  write_text(dir.file("s.yaml"),
             "name: nats-ws\ntarget:\n  url: ws://127.0.0.1:" + std::to_string(ws_port) +
                 "/\nload:\n  connections: 20\n  ramp_up: 500ms\n  hold: 2s\n"
                 "messages:\n  interval: 200ms\n  kind: text\n  template: \"PING\\r\\n\"\n"
                 "  match: next\n  timeout: 2s\nthresholds:\n  - messages.timeouts == 0\n");
  auto r = run_wsload(
      {"run", dir.file("s.yaml"), "--local-agents", "1", "-q", "--json", dir.file("r.json")},
      dir.file("r.json"), std::chrono::seconds(60));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto& j = r.report;
  EXPECT_EQ(j["connections"]["established"], 20);
  EXPECT_EQ(j["connections"]["failed"], 0);
  const uint64_t sent = j["messages"]["sent"];
  EXPECT_GE(sent, 20u * 10);  // every 200 ms over at least a 2 s hold
  EXPECT_EQ(j["messages"]["replies"], sent);
  EXPECT_EQ(j["messages"]["timeouts"], 0);
  EXPECT_EQ(j["messages"]["in_flight"], 0);
  EXPECT_EQ(j["push"]["received"], 20);  // one INFO per connection
  EXPECT_EQ(j["messages"]["received"].get<uint64_t>(), sent + 20);
  EXPECT_EQ(j["messages"]["bytes_sent"], sent * 6);  // "PING\r\n"
}

}  // namespace
}  // namespace wsload::test
