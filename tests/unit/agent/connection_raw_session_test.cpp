// An established ws:// session is served by the worker's EventLoop (edge-triggered): what the
// peer sends, and its end, are read however they arrive. The peer here is a plain socket of the
// test, so that it writes exactly when the test says, while the connection is not running.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <string>

#include "engine_run.hpp"
#include "hostile_server.hpp"
#include "one_connection.hpp"

namespace wsload::agent {
namespace {

using namespace std::chrono_literals;
using testing::make_assignment;
using testing::OneConnection;
using Reasons = std::map<std::string, uint64_t>;

// A listening socket on 127.0.0.1 and the one peer it accepts, closed at the end.
class Peer {
 public:
  Peer() {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    auto* sa = reinterpret_cast<sockaddr*>(&addr);
    if (::bind(listener_, sa, len) != 0 || ::listen(listener_, 4) != 0 ||
        ::getsockname(listener_, sa, &len) != 0) {
      ADD_FAILURE() << "no listening socket";
    }
    port_ = ntohs(addr.sin_port);
  }
  ~Peer() {
    if (peer_ >= 0) ::close(peer_);
    ::close(listener_);
  }
  std::string url() const { return "ws://127.0.0.1:" + std::to_string(port_) + "/ws"; }

  // Runs the connection until its upgrade request is here, then answers it with a 101.
  bool accept_upgrade(OneConnection& c) {
    std::string request;
    const auto until = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < until) {
      c.run_for(2ms);
      if (peer_ < 0) peer_ = ::accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK);
      char buf[4096];
      ssize_t n = peer_ >= 0 ? ::recv(peer_, buf, sizeof(buf), 0) : -1;
      if (n > 0) request.append(buf, static_cast<size_t>(n));
      if (request.find("\r\n\r\n") == std::string::npos) continue;
      const std::string field = "Sec-WebSocket-Key: ";
      const size_t at = request.find(field);
      if (at == std::string::npos) return false;
      const size_t end = request.find("\r\n", at);
      return send(testing::valid_101(request.substr(at + field.size(), end - at - field.size())));
    }
    return false;
  }
  bool send(const std::string& bytes) {
    return ::send(peer_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  void end() { ::shutdown(peer_, SHUT_WR); }

 private:
  int listener_ = -1;
  int peer_ = -1;
  uint16_t port_ = 0;
};

// Runs the connection until it is done, at most `limit`; returns how long it took.
std::chrono::milliseconds run_until_done(OneConnection& c, std::chrono::milliseconds limit) {
  const auto start = std::chrono::steady_clock::now();
  c.run_for(limit);
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start);
}

// The peer's close frame and its end of TCP are both in the socket before the session reads:
// the one report the loop gives holds both, and none comes later for the end. The session reads
// on to the end and is over at once, not at the close bound (kCloseWait, 3 s) as `close_timeout`
// or a late `close_1000`.
TEST(RawSession, ACloseFrameAndTheEndArrivingTogetherEndTheSessionAtOnce) {
  Peer peer;
  OneConnection c(make_assignment(peer.url(), 1, 0ms, 60s), 10s);
  c.conn().start();
  ASSERT_TRUE(peer.accept_upgrade(c));
  const auto until = std::chrono::steady_clock::now() + 5s;
  while (c.counters().connections_established == 0 && std::chrono::steady_clock::now() < until) {
    c.run_for(2ms);
  }
  ASSERT_EQ(c.counters().connections_established, 1u);

  ASSERT_TRUE(peer.send(std::string("\x88\x02\x03\xe8", 4)));  // close 1000
  peer.end();
  ::usleep(50'000);  // both are in the agent's socket now; the connection has not run

  const auto took = run_until_done(c, 2500ms);
  ASSERT_TRUE(c.done()) << "still open after 2.5 s: the end was not read";
  EXPECT_LT(took, 1000ms);
  EXPECT_EQ(c.counters().disconnects, (Reasons{{"close_1000", 1}}));
  EXPECT_EQ(c.counters().disconnects_unexpected, 1u);
}

// Bytes that arrive in pieces, with the session reading between them: each piece is reported
// (no piece waits in the socket for the next one) and the frames they make up are decoded.
TEST(RawSession, AFrameArrivingInPiecesIsDecodedAsItCompletes) {
  Peer peer;
  OneConnection c(make_assignment(peer.url(), 1, 0ms, 60s), 10s);
  c.conn().start();
  ASSERT_TRUE(peer.accept_upgrade(c));
  const std::string frame = std::string("\x81\x05", 2) + "hello";
  for (char byte : frame) {
    ASSERT_TRUE(peer.send(std::string(1, byte)));
    c.run_for(5ms);
  }
  c.run_for(20ms);
  EXPECT_EQ(c.counters().messages_received, 1u);
  EXPECT_EQ(c.counters().bytes_received, 5u);
  EXPECT_FALSE(c.done());
}

}  // namespace
}  // namespace wsload::agent
