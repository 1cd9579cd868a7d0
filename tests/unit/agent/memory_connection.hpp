#pragma once
// The connection's logic in memory: WsConnection over Beast's in-memory stream pair, a manual
// clock injected through WorkerContext::now, and the test's io_context polled by hand. No socket,
// no real time: every instant and latency in the tests is exact. Include from one test file per
// test binary translation unit: MemoryStream is a distinct type in each.
#include <gtest/gtest.h>

#include <boost/beast/_experimental/test/stream.hpp>
#include <functional>
#include <string>
#include <vector>

#include "connection_impl.hpp"
#include "engine_run.hpp"
#include "run_config.hpp"

namespace wsload::agent {
namespace {

using namespace std::chrono_literals;

// Beast's test stream (on any_io_executor: its read operation does not compile with another
// executor), except that the connection's own synchronous reads (drain) return would_block when
// nothing is buffered instead of waiting, as they do on a non-blocking socket.
class MemoryStream : public beast::test::stream {
 public:
  using Base = beast::test::stream;
  using Base::Base;
  template <class Buffers>
  std::size_t read_some(const Buffers& buffers, error_code& ec) {
    if (buffer().size() == 0) {
      ec = net::error::would_block;
      return 0;
    }
    return Base::read_some(buffers, ec);
  }
};

}  // namespace

// The seam for the in-memory stream: "connecting" pairs it with the test's server end
// (on_emplace) and completes at once; there are no socket options; close() is the stream's.
template <>
struct StreamTraits<MemoryStream> {
  static constexpr bool kTls = false;
  static constexpr bool kRaw = false;
  static inline std::function<void(MemoryStream&)> on_emplace;

  static void emplace(std::optional<MemoryStream>& s, WorkerContext& ctx, const GroupRuntime&) {
    s.emplace(ctx.ioc);
    on_emplace(*s);
  }
  template <class Handler>
  static error_code connect(MemoryStream& s, const tcp::resolver::results_type&,
                            const std::optional<net::ip::address>&, Handler&& handler) {
    net::post(s.get_executor(), [h = std::forward<Handler>(handler)]() mutable { h({}); });
    return {};
  }
  static void set_no_delay(MemoryStream&) {}
  static void set_non_blocking(MemoryStream&) {}
  static void close(MemoryStream& s) { s.close(); }
  template <class Handler>
  static void async_wait_writable(MemoryStream& s, Handler&& handler) {
    net::post(s.get_executor(), [h = std::forward<Handler>(handler)]() mutable { h({}); });
  }
};

template class WsConnection<MemoryStream>;

namespace {

struct ClientFrame {
  ws::Opcode op;
  std::string payload;  // unmasked
};

// One connection to ws://wsload.test/ws with its server end, on a manual clock.
class MemoryConnection : public ::testing::Test {
 protected:
  static constexpr auto kInterval = 100ms;
  static constexpr auto kTimeout = 2s;

  void SetUp() override {
    Assignment a = testing::make_assignment("ws://wsload.test/ws", 1, 0s, 10s);
    shared::MessagesSpec m;
    m.interval = kInterval;
    m.kind = shared::MessageKind::kJson;
    m.payload_template = R"({"type":"ping","id":{{seq}}})";
    m.match = shared::Match::by_field("id");
    m.timeout = kTimeout;
    a.scenario.messages = m;
    a.scenario.reconnect = reconnect_;
    shape(a);
    cfg_ = std::get<std::shared_ptr<const RunConfig>>(make_run_config(std::move(a)));
    ctx_ = std::make_unique<WorkerContext>(
        ioc_, *cfg_, std::vector<std::shared_ptr<boost::asio::ssl::context>>(1));
    ctx_->manual_now = &now_;
    size_parts(ctx_->delta, *cfg_);
    ctx_->hold_end = now_ + 10s;
    ctx_->deadlines.reset(1);
    ctx_->wake_at = [](TimePoint) {};
    ctx_->on_done = [this](uint32_t) { done_ = true; };
    ctx_->resolved[0] = tcp::resolver::results_type::create(
        tcp::endpoint(net::ip::make_address("192.0.2.1"), 80), "wsload.test", "80");
    StreamTraits<MemoryStream>::on_emplace = [this](MemoryStream& client) {
      server_.emplace(ioc_);
      client.connect(*server_);
    };
    conn_ = std::make_shared<WsConnection<MemoryStream>>(*ctx_, 0, 0);
  }

  // A fixture's own scenario on top of the default one (one v1 stream of pings every kInterval).
  virtual void shape(Assignment&) {}
  void TearDown() override {
    if (!done_) conn_->abort(0ms);
    advance(0ms);
    EXPECT_TRUE(done_);
    server_.reset();
    conn_.reset();
    StreamTraits<MemoryStream>::on_emplace = nullptr;
  }

  // Runs every ready handler.
  void poll() {
    ioc_.restart();
    ioc_.poll();
  }
  // Moves the manual clock on, reports the deadlines now due (as the worker does), then polls.
  void advance(std::chrono::nanoseconds d) {
    now_ += d;
    poll();
    while (auto due = ctx_->deadlines.pop_due(now_)) conn_->on_deadline(due->kind);
    poll();
  }

  // Starts the connection and answers its upgrade with a valid 101 (or `status`) `after` later.
  void establish(int status = 101, std::chrono::nanoseconds after = 0ns) {
    conn_->start();
    poll();
    advance(after);
    answer_upgrade(status);
  }
  // Answers the pending upgrade request with a valid 101 (or `status`).
  void answer_upgrade(int status = 101) {
    std::string request(server_->str());
    server_->clear();
    ASSERT_NE(request.find("GET /ws HTTP/1.1\r\n"), std::string::npos) << request;
    auto at = request.find("Sec-WebSocket-Key: ");
    ASSERT_NE(at, std::string::npos);
    std::string key = request.substr(at + 19, request.find("\r\n", at) - at - 19);
    if (status == 101) {
      server_write(
          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
          "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
          ws::accept_for(key) + "\r\n\r\n");
    } else {
      server_write("HTTP/1.1 " + std::to_string(status) + " No\r\nContent-Length: 0\r\n\r\n");
    }
  }

  void server_write(const std::string& bytes) {
    net::write(*server_, net::buffer(bytes));
    poll();
  }
  // An unmasked server frame (payload < 126 bytes).
  void server_frame(ws::Opcode op, const std::string& payload) {
    std::string f;
    f += static_cast<char>(0x80 | static_cast<uint8_t>(op));
    f += static_cast<char>(payload.size());
    server_write(f + payload);
  }
  void server_close(uint16_t code) {
    server_frame(ws::Opcode::kClose,
                 std::string{static_cast<char>(code >> 8), static_cast<char>(code & 0xff)});
  }

  // Everything the client wrote since the last call, decoded (frames of < 64 KiB).
  std::vector<ClientFrame> client_frames() {
    std::string in(server_->str());
    server_->clear();
    std::vector<ClientFrame> frames;
    std::size_t i = 0;
    while (i + 6 <= in.size()) {
      auto op = static_cast<ws::Opcode>(static_cast<uint8_t>(in[i]) & 0x0f);
      std::size_t len = static_cast<uint8_t>(in[i + 1]) & 0x7f;
      std::size_t at = i + 2;
      if (len == 126) {
        len = static_cast<uint8_t>(in[at]) << 8 | static_cast<uint8_t>(in[at + 1]);
        at += 2;
      }
      const char* mask = in.data() + at;
      at += 4;
      std::string payload = in.substr(at, len);
      for (std::size_t k = 0; k < payload.size(); ++k) payload[k] ^= mask[k % 4];
      frames.push_back({op, payload});
      i = at + len;
    }
    EXPECT_EQ(i, in.size());
    return frames;
  }

  const shared::Counters& counters() const { return ctx_->delta.counters; }

  // Declared first: destroyed last, after the streams and the connection.
  net::io_context ioc_;
  shared::ReconnectSpec reconnect_;  // set by a fixture's constructor to test reconnects
  TimePoint now_ = TimePoint{} + 1000s;
  std::shared_ptr<const RunConfig> cfg_;
  std::unique_ptr<WorkerContext> ctx_;
  std::optional<beast::test::stream> server_;
  std::shared_ptr<WsConnection<MemoryStream>> conn_;
  bool done_ = false;
};

}  // namespace
}  // namespace wsload::agent
