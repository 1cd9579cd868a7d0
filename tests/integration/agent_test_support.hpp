#pragma once
// Support for agent end-to-end tests: third-party WebSocket echo servers (Node `ws`,
// python3-websockets) started on 127.0.0.1 with a port of their own choosing that they print as
// "listening on 127.0.0.1:PORT", a test PKI made with the openssl CLI, and a runner that drives
// `wsload run SCENARIO.yaml` against given agents and returns the parsed JSON report.
// Every process is a ChildProcess: stopped by PID on destruction, also when a test fails.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "process.hpp"
#include "wsload_cluster.hpp"

namespace wsload::test {

// An echo server process and the port it listens on (0 when it did not start; see error()).
class EchoServer {
 public:
  EchoServer(std::vector<std::string> argv, ProcessOptions options) {
    options.capture_stderr = true;
    process_ = std::make_unique<ChildProcess>(std::move(argv), std::move(options));
    auto line = process_->wait_for_line("listening on ", std::chrono::seconds(20));
    if (!line) {
      error_ = "echo server did not start:\n" + process_->output();
      return;
    }
    port_ = static_cast<uint16_t>(std::stoi(line->substr(line->rfind(':') + 1)));
  }

  bool ok() const { return port_ != 0; }
  const std::string& error() const { return error_; }
  std::string url() const { return "ws://127.0.0.1:" + std::to_string(port_) + "/"; }
  ChildProcess& process() { return *process_; }

 private:
  std::unique_ptr<ChildProcess> process_;
  uint16_t port_ = 0;
  std::string error_;
};

// Node `ws` echo: text stays text, binary stays binary; pings are answered by ws itself. With
// delay_ms > 0 each reply leaves delay_ms after its request arrived (libuv timers: millisecond
// granularity, so up to 1 ms early or late).
inline std::unique_ptr<EchoServer> start_node_echo(int delay_ms = 0) {
  static constexpr const char* kScript = R"JS(
const { WebSocketServer } = require('ws');
const delay = Number(process.argv[1]);
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
wss.on('listening', () => console.log('listening on 127.0.0.1:' + wss.address().port));
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => {
    if (delay > 0) {
      setTimeout(() => ws.send(data, { binary: isBinary }), delay);
    } else {
      ws.send(data, { binary: isBinary });
    }
  });
});
process.on('SIGTERM', () => process.exit(0));
)JS";
  ProcessOptions options;
  options.env = {{"NODE_PATH", "/usr/share/nodejs"}};
  return std::make_unique<EchoServer>(
      std::vector<std::string>{"/usr/bin/node", "-e", kScript, std::to_string(delay_ms)}, options);
}

// python3-websockets echo (Debian's /usr/bin/python3; pings are answered by websockets itself).
// With a certificate and its key (PEM files) it serves wss:// instead.
inline std::unique_ptr<EchoServer> start_python_echo(const std::string& tls_cert = {},
                                                     const std::string& tls_key = {}) {
  static constexpr const char* kScript = R"PY(
import asyncio, signal, ssl, sys
import websockets

tls = None
if len(sys.argv) > 2:
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(sys.argv[1], sys.argv[2])

async def echo(ws, path=None):
    async for message in ws:
        await ws.send(message)

async def main():
    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set_result, None)
    async with websockets.serve(echo, '127.0.0.1', 0, compression=None, ssl=tls) as server:
        port = server.sockets[0].getsockname()[1]
        print(f'listening on 127.0.0.1:{port}', flush=True)
        await stop

asyncio.run(main())
)PY";
  std::vector<std::string> argv{"/usr/bin/python3", "-c", kScript};
  if (!tls_cert.empty()) argv.insert(argv.end(), {tls_cert, tls_key});
  return std::make_unique<EchoServer>(std::move(argv), ProcessOptions{});
}

// Python for minimal servers written on asyncio streams: upgrade_response(head, extra) is the 101
// that accepts the upgrade request `head` (bytes up to its blank line), with `extra` header lines;
// serve(session, tls) runs `session` for every connection on a port of its own choosing, prints
// "listening on 127.0.0.1:PORT" and returns at SIGTERM.
inline constexpr const char* kPythonUpgradeResponse = R"PY(
import asyncio, base64, hashlib, signal

def serve(session, tls=None):
    async def main():
        stop = asyncio.get_running_loop().create_future()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set_result, None)
        server = await asyncio.start_server(session, '127.0.0.1', 0, ssl=tls)
        print(f'listening on 127.0.0.1:{server.sockets[0].getsockname()[1]}', flush=True)
        await stop
    asyncio.run(main())

def upgrade_response(head, extra=b''):
    key = [l.split(b':', 1)[1].strip() for l in head.split(b'\r\n')
           if l.lower().startswith(b'sec-websocket-key:')][0]
    accept = base64.b64encode(hashlib.sha1(key + b'258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest())
    return (b'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
            extra + b'Sec-WebSocket-Accept: ' + accept + b'\r\n\r\n')
)PY";

// wsload-agent processes on 127.0.0.1 with one load thread each, requiring Cluster::kAgentToken.
struct Agents {
  explicit Agents(int count) {
    for (int i = 0; i < count; ++i) {
      processes.push_back(std::make_unique<ChildProcess>(
          std::vector<std::string>{bin("wsload-agent"), "--listen", "127.0.0.1:0", "--threads", "1",
                                   "--token", Cluster::kAgentToken, "--log-level", "warn"}));
      if (!spec.empty()) spec += ",";
      spec += listening_address(*processes.back());
    }
  }
  std::vector<std::unique_ptr<ChildProcess>> processes;
  std::string spec;
};

// argv of `wsload run DIR/scenario.yaml` against `agents_spec`, writing DIR/report.json.
inline std::vector<std::string> scenario_run_args(const TempDir& dir, const std::string& yaml,
                                                  const std::string& agents_spec) {
  write_text(dir.file("scenario.yaml"), yaml);
  return {"run",       dir.file("scenario.yaml"), "--agents",
          agents_spec, "--agent-token",           Cluster::kAgentToken,
          "--json",    dir.file("report.json"),   "--live-interval",
          "1s"};
}

inline CliResult run_scenario_file(const TempDir& dir, const std::string& yaml,
                                   const std::string& agents_spec) {
  return run_wsload(scenario_run_args(dir, yaml, agents_spec), dir.file("report.json"),
                    std::chrono::seconds(90));
}

// A scenario of `connections` connections (ramp 500 ms, hold 2 s, one request every 200 ms)
// against `url` with the given messages block body (indented YAML lines after "messages:").
inline std::string echo_scenario(const std::string& url, int connections,
                                 const std::string& messages) {
  return "name: agent-interop\n"
         "target:\n"
         "  url: " +
         url +
         "\n"
         "load: { connections: " +
         std::to_string(connections) +
         ", ramp_up: 500ms, hold: 2s }\n"
         "messages:\n"
         "  interval: 200ms\n"
         "  timeout: 5s\n" +
         messages;
}

// The exact accounting of an echo run: every connection opened, every request answered once,
// nothing pushed (an echo server sends nothing unasked).
inline void expect_exact_echo(const CliResult& r, uint64_t connections,
                              uint64_t min_sent_per_connection) {
  const auto& j = r.report;
  ASSERT_TRUE(j.is_object()) << r.output;
  EXPECT_EQ(j["connections"]["attempted"].get<uint64_t>(), connections) << r.output;
  EXPECT_EQ(j["connections"]["established"].get<uint64_t>(), connections) << r.output;
  EXPECT_EQ(j["connections"]["failed"].get<uint64_t>(), 0u);
  EXPECT_EQ(j["connections"]["unexpected_disconnects"].get<uint64_t>(), 0u);
  const uint64_t sent = j["messages"]["sent"];
  EXPECT_GE(sent, connections * min_sent_per_connection);
  EXPECT_EQ(j["messages"]["replies"].get<uint64_t>(), sent);
  EXPECT_EQ(j["messages"]["timeouts"].get<uint64_t>(), 0u);
  EXPECT_EQ(j["messages"]["received"].get<uint64_t>(), sent);
  EXPECT_EQ(j["messages"]["unmatched"].get<uint64_t>(), 0u);
  EXPECT_EQ(j["messages"]["in_flight"].get<uint64_t>(), 0u);
  EXPECT_EQ(j["latency"]["count"].get<uint64_t>(), sent);
  EXPECT_EQ(j["push"]["received"].get<uint64_t>(), 0u);
}

// A CA, a server certificate for 127.0.0.1 (subjectAltName IP:127.0.0.1) signed by it, and a
// second, unrelated CA; all made by the openssl CLI under `dir`.
struct TestPki {
  std::string ca;           // PEM of the signing CA
  std::string other_ca;     // PEM of a CA that signed nothing
  std::string server_cert;  // PEM
  std::string server_key;   // PEM
  std::string error;        // empty when every step succeeded
};

inline TestPki make_test_pki(const TempDir& dir) {
  TestPki pki{dir.file("ca.pem"), dir.file("other-ca.pem"), dir.file("server.pem"),
              dir.file("server.key"), ""};
  write_text(dir.file("san.cnf"), "subjectAltName=IP:127.0.0.1\n");
  const std::vector<std::string> ec_key = {"-newkey", "ec", "-pkeyopt",
                                           "ec_paramgen_curve:prime256v1", "-nodes"};
  auto ca_cmd = [&](const std::string& name, const std::string& cn) {
    std::vector<std::string> argv{"openssl", "req", "-x509"};
    argv.insert(argv.end(), ec_key.begin(), ec_key.end());
    argv.insert(argv.end(),
                {"-keyout", dir.file(name + ".key"), "-out", dir.file(name + ".pem"), "-days", "1",
                 "-subj", "/CN=" + cn, "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
                 "keyUsage=critical,keyCertSign,cRLSign"});
    return argv;
  };
  std::vector<std::string> csr{"openssl", "req"};
  csr.insert(csr.end(), ec_key.begin(), ec_key.end());
  csr.insert(csr.end(),
             {"-keyout", pki.server_key, "-out", dir.file("server.csr"), "-subj", "/CN=127.0.0.1"});
  const std::vector<std::vector<std::string>> steps = {
      ca_cmd("ca", "wsload test CA"),
      ca_cmd("other-ca", "unrelated CA"),
      csr,
      {"openssl", "x509", "-req", "-in", dir.file("server.csr"), "-CA", pki.ca, "-CAkey",
       dir.file("ca.key"), "-set_serial", "1", "-days", "1", "-extfile", dir.file("san.cnf"),
       "-out", pki.server_cert},
  };
  for (const auto& argv : steps) {
    ChildProcess step(argv, ProcessOptions{{}, {}, true});
    if (step.wait_exit(std::chrono::seconds(60)) != 0) {
      pki.error = "openssl failed:\n" + step.output();
      break;
    }
  }
  return pki;
}

}  // namespace wsload::test
