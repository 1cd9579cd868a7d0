#pragma once
// A small WebSocket server on 127.0.0.1 (ephemeral port) for engine tests, with one io thread.
// Implemented in test_server_test.cpp (the test glob only picks up *_test.cpp files).
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace wsload::agent::testing {

enum class ServerMode {
  kEcho,        // echoes every data frame (after reply_delay); Beast answers pings
  kReject401,   // answers the upgrade request with HTTP 401
  kPushes,      // after the upgrade sends push_seqs as {"type":"data","seq":N,"ts":US}, then echoes
  kSilent,      // accepts and reads, never replies to data frames
  kMute,        // accepts the upgrade, then never reads again: no pong, no answer to a close frame
  kFragmented,  // pings the client, then echoes every data frame in three fragments
  kOversize,    // after the upgrade sends one binary message of oversize_bytes, then reads
  kMasked,      // after the upgrade writes a masked text frame (servers must not mask), then reads
  kCloses,      // after the upgrade closes the session with code 4001
  kEarlyPush,  // a raw 101 and a text frame in the same write, then answers a close frame with 1000
  kBadAccept,  // a raw 101 whose Sec-WebSocket-Accept is wrong
  kUnofferedProtocol,  // a valid raw 101 that selects subprotocol "surprise"
};

struct ServerOptions {
  ServerOptions() = default;
  ServerOptions(ServerMode m, std::chrono::milliseconds delay = {}, std::vector<uint64_t> seqs = {})
      : mode(m), reply_delay(delay), push_seqs(std::move(seqs)) {}

  ServerMode mode = ServerMode::kEcho;
  std::chrono::milliseconds reply_delay{0};
  std::vector<uint64_t> push_seqs;
  std::size_t oversize_bytes = 0;
};

class TestServer {
 public:
  explicit TestServer(ServerOptions options);
  ~TestServer();  // closes the listener and every session, joins the thread
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  uint16_t port() const;
  std::string url(const std::string& path = "/ws") const;  // ws://127.0.0.1:PORT/ws
  uint64_t upgrades() const;                               // WebSocket sessions accepted
  uint64_t data_frames() const;                            // data frames received
  std::string last_authorization() const;  // Authorization header of the latest request
  std::string last_target() const;         // request target of the latest request
  // Every Host header line of the latest request, joined with ", ".
  std::string last_hosts() const;
  uint64_t pongs() const;            // pong frames received (kFragmented pings)
  uint64_t closes_received() const;  // close frames received from clients
  int last_close_code() const;       // code of the latest client close frame, or -1

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// A TCP port on 127.0.0.1 with nothing listening (bound then closed).
uint16_t closed_port();

}  // namespace wsload::agent::testing
