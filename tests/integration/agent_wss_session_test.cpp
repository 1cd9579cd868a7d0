// wss:// sessions after the handshake: the agent takes the TLS session over from Asio and reads and
// writes the socket itself (agent/src/tls_session.hpp). Against python3-websockets over TLS (a
// real third-party server): messages of ~1 MB that span many records and fill the socket both ways,
// JSON requests matched by id with the server verified against the test CA; and against a minimal
// TLS server that sends frames in the same record as its 101 and right behind it, which Asio has
// already read (or OpenSSL decrypted) when the session is taken over: not one byte may be lost.
#include <gtest/gtest.h>

#include "agent_test_support.hpp"

namespace wsload::test {
namespace {

// Answers the upgrade with its 101 and a 3,000-byte text frame in one write (one TLS record), then
// a 20,000-byte text frame (two more records) at once; then waits for the client's close frame,
// answers it with its own and closes.
constexpr uint64_t kGreetingBytes = 3000 + 20000;
std::unique_ptr<EchoServer> start_tls_greeter(const TestPki& pki) {
  static constexpr const char* kScript = R"PY(
import ssl, sys
tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
tls.load_cert_chain(sys.argv[1], sys.argv[2])
def text(payload):
    n = len(payload)
    head = bytes([0x81, n]) if n < 126 else bytes([0x81, 126]) + n.to_bytes(2, 'big')
    return head + payload
async def session(reader, writer):
    try:
        head = await reader.readuntil(b'\r\n\r\n')
        writer.write(upgrade_response(head) + text(b'a' * 3000))
        writer.write(text(b'b' * 20000))
        await writer.drain()
        await reader.read(65536)  # the client's close frame
        writer.write(bytes([0x88, 2, 0x03, 0xE8]))
        await writer.drain()
    except Exception:
        pass
    writer.close()
serve(session, tls)
)PY";
  return std::make_unique<EchoServer>(
      std::vector<std::string>{"/usr/bin/python3", "-c",
                               std::string(kPythonUpgradeResponse) + kScript, pki.server_cert,
                               pki.server_key},
      ProcessOptions{});
}

std::string wss_url(const EchoServer& server) {
  std::string url = server.url();
  return "wss" + url.substr(2);
}

class WssSession : public ::testing::Test {
 protected:
  void SetUp() override {
    pki_ = make_test_pki(dir_);
    ASSERT_TRUE(pki_.error.empty()) << pki_.error;
  }

  CliResult run(const std::string& url, int connections, const std::string& load,
                const std::string& messages) {
    const std::string yaml =
        "name: wss-session\n"
        "target:\n"
        "  url: " +
        url +
        "\n"
        "  tls: { verify: true, ca_file: '" +
        pki_.ca +
        "' }\n"
        "load: { connections: " +
        std::to_string(connections) + ", " + load + " }\n" + messages;
    return run_scenario_file(dir_, yaml, agents_.spec);
  }

  TempDir dir_;
  TestPki pki_;
  Agents agents_{1};
};

TEST_F(WssSession, MessagesOfAMegabyteSpanManyRecordsAndComeBackWhole) {
  auto server = start_python_echo(pki_.server_cert, pki_.server_key);
  ASSERT_TRUE(server->ok()) << server->error();
  constexpr int kConnections = 4;
  auto r = run(wss_url(*server), kConnections, "ramp_up: 200ms, hold: 2s",
               "messages: { interval: 500ms, kind: binary, size: 1000000, match: next, "
               "timeout: 10s }\n");
  ASSERT_NO_FATAL_FAILURE(expect_exact_echo(r, kConnections, 3));
  const auto& m = r.report["messages"];
  EXPECT_EQ(m["bytes_sent"].get<uint64_t>(), m["sent"].get<uint64_t>() * 1000000u);
  EXPECT_EQ(m["bytes_received"].get<uint64_t>(), m["bytes_sent"].get<uint64_t>());
  EXPECT_EQ(m["protocol_errors"].get<uint64_t>(), 0u);
  EXPECT_EQ(r.report["connections"]["closed"].get<uint64_t>(), kConnections);
}

TEST_F(WssSession, JsonRequestsMatchedByIdAgainstAVerifiedServer) {
  auto server = start_python_echo(pki_.server_cert, pki_.server_key);
  ASSERT_TRUE(server->ok()) << server->error();
  constexpr int kConnections = 50;
  auto r = run(wss_url(*server), kConnections, "ramp_up: 500ms, hold: 2s",
               "messages: { interval: 100ms, kind: json, match: id, timeout: 5s,\n"
               "            template: '{\"type\":\"ping\",\"id\":{{seq}}}' }\n");
  ASSERT_NO_FATAL_FAILURE(expect_exact_echo(r, kConnections, 15));
  EXPECT_EQ(r.report["connections"]["closed"].get<uint64_t>(), kConnections);
}

TEST_F(WssSession, FramesThatCameWithThe101AreAllCounted) {
  auto server = start_tls_greeter(pki_);
  ASSERT_TRUE(server->ok()) << server->error();
  constexpr int kConnections = 30;
  auto r = run(wss_url(*server), kConnections, "ramp_up: 300ms, hold: 1s", "");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto& j = r.report;
  EXPECT_EQ(j["connections"]["established"].get<uint64_t>(), kConnections) << r.output;
  EXPECT_EQ(j["connections"]["unexpected_disconnects"].get<uint64_t>(), 0u) << r.output;
  EXPECT_EQ(j["connections"]["closed"].get<uint64_t>(), kConnections);
  EXPECT_EQ(j["messages"]["received"].get<uint64_t>(), 2u * kConnections);
  EXPECT_EQ(j["push"]["received"].get<uint64_t>(), 2u * kConnections);
  EXPECT_EQ(j["messages"]["bytes_received"].get<uint64_t>(), kGreetingBytes * kConnections);
  EXPECT_EQ(j["messages"]["protocol_errors"].get<uint64_t>(), 0u);
}

}  // namespace
}  // namespace wsload::test
