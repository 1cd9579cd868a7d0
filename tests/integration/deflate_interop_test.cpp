// permessage-deflate end to end: `wsload run` with `target.compression: deflate`, one real
// wsload-agent, against servers that negotiate it (python3-websockets by default, Node `ws` with
// perMessageDeflate, wsload-target --deflate, also over wss://), one that does not (the session
// runs uncompressed), and a server that sends a decompression bomb (a protocol error; the agent's
// memory stays bounded).
#include <gtest/gtest.h>

#include <fstream>

#include "agent_test_support.hpp"
#include "target_process.hpp"

namespace wsload::test {
namespace {

constexpr int kConnections = 20;
constexpr uint64_t kMinSentPerConnection = 10;  // 2 s at one request per 200 ms

// A JSON request of ~1.5 KiB that compresses well (Node `ws` compresses replies of 1 KiB and more
// only, its default threshold).
std::string compressible_template() {
  std::string pad;
  for (int i = 0; i < 30; ++i) pad += "user-" + std::to_string(i % 7) + " joined the channel; ";
  return "'{\"type\":\"ping\",\"id\":{{seq}},\"conn\":{{conn}},\"pad\":\"" + pad + "\"}'";
}

std::string deflate_scenario(const std::string& url, const std::string& messages) {
  return "name: deflate\n"
         "target:\n"
         "  url: " +
         url +
         "\n"
         "  compression: deflate\n"
         "load: { connections: " +
         std::to_string(kConnections) +
         ", ramp_up: 500ms, hold: 2s }\n"
         "messages:\n"
         "  interval: 200ms\n"
         "  timeout: 5s\n" +
         messages;
}

const std::string kJsonById =
    "  kind: json\n  template: " + compressible_template() + "\n  match: id\n";

// Bytes before compression and on the wire (messages.bytes_*_wire appear when they differ).
void expect_compressed(const CliResult& r) {
  const auto& m = r.report["messages"];
  ASSERT_TRUE(m.contains("bytes_sent_wire")) << r.output;
  const uint64_t sent = m["bytes_sent"], sent_wire = m["bytes_sent_wire"];
  const uint64_t received = m["bytes_received"], received_wire = m["bytes_received_wire"];
  EXPECT_GT(sent, 0u);
  EXPECT_LT(sent_wire * 2, sent) << "sent " << sent << " on the wire " << sent_wire;
  EXPECT_LT(received_wire * 2, received) << "received " << received << " wire " << received_wire;
  EXPECT_NE(r.output.find("Bytes: sent " + std::to_string(sent) + " (wire " +
                          std::to_string(sent_wire) + ")"),
            std::string::npos)
      << r.output;
}

// python3-websockets echo with its default compression ("deflate": 4 KiB windows, both ways).
std::unique_ptr<EchoServer> start_python_deflate_echo() {
  static constexpr const char* kScript = R"PY(
import asyncio, signal
import websockets

async def echo(ws, path=None):
    async for message in ws:
        await ws.send(message)

async def main():
    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set_result, None)
    async with websockets.serve(echo, '127.0.0.1', 0) as server:
        port = server.sockets[0].getsockname()[1]
        print(f'listening on 127.0.0.1:{port}', flush=True)
        await stop

asyncio.run(main())
)PY";
  return std::make_unique<EchoServer>(std::vector<std::string>{"/usr/bin/python3", "-c", kScript},
                                      ProcessOptions{});
}

std::unique_ptr<EchoServer> start_node_deflate_echo() {
  static constexpr const char* kScript = R"JS(
const { WebSocketServer } = require('ws');
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: true });
wss.on('listening', () => console.log('listening on 127.0.0.1:' + wss.address().port));
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
process.on('SIGTERM', () => process.exit(0));
)JS";
  ProcessOptions options;
  options.env = {{"NODE_PATH", "/usr/share/nodejs"}};
  return std::make_unique<EchoServer>(std::vector<std::string>{"/usr/bin/node", "-e", kScript},
                                      options);
}

// Accepts permessage-deflate and sends, right after its 101, one binary message of 100 MiB of
// zeros compressed to ~100 KiB; closes once the client answers.
std::unique_ptr<EchoServer> start_bomb_server() {
  static constexpr const char* kScript = R"PY(
import zlib

c = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
bomb = c.compress(b'\0' * (100 << 20)) + c.flush(zlib.Z_SYNC_FLUSH)
assert bomb.endswith(b'\x00\x00\xff\xff')
bomb = bomb[:-4]
frame = bytes([0xC2, 127]) + len(bomb).to_bytes(8, 'big') + bomb

async def session(reader, writer):
    try:
        head = await reader.readuntil(b'\r\n\r\n')
        writer.write(upgrade_response(head, b'Sec-WebSocket-Extensions: permessage-deflate\r\n') +
                     frame)
        await writer.drain()
        await reader.read(65536)  # the client's close frame (or its EOF)
    except Exception:
        pass
    writer.close()

serve(session)
)PY";
  return std::make_unique<EchoServer>(
      std::vector<std::string>{"/usr/bin/python3", "-c",
                               std::string(kPythonUpgradeResponse) + kScript},
      ProcessOptions{});
}

// kB of a /proc/PID/status field (VmRSS, VmHWM); -1 when unreadable.
long long status_kib(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stoll(line.substr(field.size() + 1));
  }
  return -1;
}

class DeflateInterop : public ::testing::Test {
 protected:
  CliResult run(const std::string& url, const std::string& messages = kJsonById) {
    return run_scenario_file(dir_, deflate_scenario(url, messages), agents_.spec);
  }

  Agents agents_{1};
  TempDir dir_;
};

TEST_F(DeflateInterop, PythonWebsocketsNegotiatesByDefault) {
  auto server = start_python_deflate_echo();
  ASSERT_TRUE(server->ok()) << server->error();
  auto r = run(server->url());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_exact_echo(r, kConnections, kMinSentPerConnection);
  expect_compressed(r);
}

TEST_F(DeflateInterop, PythonWebsocketsTextAndPings) {
  auto server = start_python_deflate_echo();
  ASSERT_TRUE(server->ok()) << server->error();
  auto text = run(server->url(), "  kind: text\n  template: 'text {{seq}} {{conn}} " +
                                     std::string(400, 'a') + "'\n  match: next\n");
  ASSERT_EQ(text.exit_code, 0) << text.output;
  expect_exact_echo(text, kConnections, kMinSentPerConnection);
  // Pings are control frames: never compressed, replies matched as without compression.
  auto ping = run(server->url(), "  kind: ping\n");
  ASSERT_EQ(ping.exit_code, 0) << ping.output;
  expect_exact_echo(ping, kConnections, kMinSentPerConnection);
  EXPECT_FALSE(ping.report["messages"].contains("bytes_sent_wire"));
}

TEST_F(DeflateInterop, NodeWsWithPerMessageDeflate) {
  auto server = start_node_deflate_echo();
  ASSERT_TRUE(server->ok()) << server->error();
  auto r = run(server->url());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_exact_echo(r, kConnections, kMinSentPerConnection);
  expect_compressed(r);
}

TEST_F(DeflateInterop, WsloadTargetWithDeflate) {
  for (const char* flag : {"--deflate", "--deflate-no-context-takeover"}) {
    SCOPED_TRACE(flag);
    TargetProcess target({"--no-auth", flag});
    ASSERT_TRUE(target.ok()) << target.error();
    auto r = run("ws://127.0.0.1:" + std::to_string(target.port()) + "/ws");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_exact_echo(r, kConnections, kMinSentPerConnection);
    expect_compressed(r);
    const uint64_t sent = r.report["messages"]["sent"];
    EXPECT_EQ(wait_for_stat(target.port(), "messages_in", static_cast<long long>(sent)),
              static_cast<long long>(sent));
  }
}

TEST_F(DeflateInterop, WssThroughTls) {
  const TestPki pki = make_test_pki(dir_);
  ASSERT_TRUE(pki.error.empty()) << pki.error;
  TargetProcess target(
      {"--no-auth", "--deflate", "--tls-cert", pki.server_cert, "--tls-key", pki.server_key});
  ASSERT_TRUE(target.ok()) << target.error();
  const std::string url = "wss://127.0.0.1:" + std::to_string(target.port()) + "/ws";
  auto r = run(url + "\n  tls: { verify: true, ca_file: '" + pki.ca + "' }");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_exact_echo(r, kConnections, kMinSentPerConnection);
  expect_compressed(r);
}

TEST_F(DeflateInterop, ServerThatDeclinesRunsUncompressed) {
  TargetProcess target({"--no-auth"});  // no --deflate: the offer is declined
  ASSERT_TRUE(target.ok()) << target.error();
  auto r = run("ws://127.0.0.1:" + std::to_string(target.port()) + "/ws");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_exact_echo(r, kConnections, kMinSentPerConnection);
  EXPECT_FALSE(r.report["messages"].contains("bytes_sent_wire"));  // equal to the payload bytes
  EXPECT_NE(r.output.find("Bytes: sent"), std::string::npos);      // compression was asked for
}

TEST_F(DeflateInterop, DecompressionBombIsAProtocolErrorWithBoundedMemory) {
  auto server = start_bomb_server();
  ASSERT_TRUE(server->ok()) << server->error();
  const pid_t agent = agents_.processes[0]->pid();
  const long long rss_before = status_kib(agent, "VmRSS");
  ASSERT_GT(rss_before, 0);
  // Idle connections: the bomb comes unasked.
  auto r = run_scenario_file(dir_,
                             "name: bomb\n"
                             "target: { url: '" +
                                 server->url() +
                                 "', compression: deflate }\n"
                                 "load: { connections: " +
                                 std::to_string(kConnections) + ", ramp_up: 200ms, hold: 2s }\n",
                             agents_.spec);
  ASSERT_TRUE(r.report.is_object()) << r.output;
  const auto& j = r.report;
  EXPECT_EQ(j["connections"]["established"].get<uint64_t>(), kConnections) << r.output;
  EXPECT_EQ(j["messages"]["protocol_errors"].get<uint64_t>(), kConnections);
  EXPECT_EQ(j["messages"]["received"].get<uint64_t>(), 0u);
  EXPECT_EQ(j["connections"]["disconnects"]["protocol_error"].get<uint64_t>(), kConnections)
      << j["connections"]["disconnects"];
  // 20 bombs of 100 MiB: 2 GiB if inflated; the agent's peak stays within the 1 MiB limit (one
  // inflate buffer per worker) plus its usual working set.
  const long long peak = status_kib(agent, "VmHWM");
  EXPECT_LT(peak - rss_before, 32 * 1024) << "RSS before " << rss_before << " KiB, peak " << peak;
}

}  // namespace
}  // namespace wsload::test
