// The connection's logic in memory: WsConnection over Beast's in-memory stream pair, a manual
// clock injected through WorkerContext::now, and the test's io_context polled by hand. No socket,
// no real time: every instant and latency below is exact.
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
    cfg_ = std::get<std::shared_ptr<const RunConfig>>(make_run_config(std::move(a)));
    ctx_ = std::make_unique<WorkerContext>(
        ioc_, *cfg_, std::vector<std::shared_ptr<boost::asio::ssl::context>>(1));
    ctx_->manual_now = &now_;
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

TEST_F(MemoryConnection, UpgradeEstablishesAndSendsTheFirstRequestAtOnce) {
  establish(101, 5ms);
  EXPECT_EQ(counters().connections_attempted, 1u);
  EXPECT_EQ(counters().connections_established, 1u);
  EXPECT_EQ(ctx_->open, 1u);
  EXPECT_EQ(ctx_->delta.connect_time.count(), 1u);
  EXPECT_EQ(ctx_->delta.connect_time.max(), 5'000);
  auto frames = client_frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].op, ws::Opcode::kText);
  EXPECT_EQ(frames[0].payload, R"({"type":"ping","id":1})");
  EXPECT_EQ(ctx_->in_flight, 1u);
}

TEST_F(MemoryConnection, RequestLeavesAtItsInstantAndLatencyCountsFromIt) {
  establish();
  advance(50ms);  // the server's delay
  server_frame(ws::Opcode::kText, R"({"id":1})");
  client_frames();
  EXPECT_EQ(counters().replies, 1u);
  EXPECT_EQ(ctx_->delta.latency.max(), 50'000);
  EXPECT_EQ(ctx_->delta.latency_service.max(), 50'000);
  EXPECT_EQ(counters().sends_behind_schedule, 0u);

  advance(kInterval - 50ms - 1ms);  // not yet due
  EXPECT_TRUE(client_frames().empty());
  // The worker wakes 3 ms late: the request leaves then, its latency counts from its slot.
  advance(4ms);
  auto frames = client_frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].payload, R"({"type":"ping","id":2})");
  EXPECT_EQ(counters().sends_behind_schedule, 1u);
  EXPECT_EQ(counters().max_schedule_lag_us, 3'000u);
  advance(7ms);
  server_frame(ws::Opcode::kText, R"({"id":2})");
  EXPECT_EQ(counters().replies, 2u);
  EXPECT_EQ(ctx_->delta.latency.min(), 10'000);  // 3 ms late + 7 ms of service
  EXPECT_EQ(ctx_->delta.latency_service.min(), 7'000);
  EXPECT_EQ(ctx_->in_flight, 0u);
}

TEST_F(MemoryConnection, UnansweredRequestTimesOutAfterTimeoutAndItsReplyIsLate) {
  establish();
  advance(kTimeout - 1ms);  // the sends of the next slots go out, nothing expires
  EXPECT_EQ(counters().timeouts, 0u);
  advance(1ms);
  EXPECT_EQ(counters().timeouts, 1u);  // request 1, sent at 0
  server_frame(ws::Opcode::kText, R"({"id":1})");
  EXPECT_EQ(counters().late_replies, 1u);
  EXPECT_EQ(counters().replies, 0u);
  server_frame(ws::Opcode::kText, R"({"id":99})");
  EXPECT_EQ(counters().unmatched, 1u);
}

TEST_F(MemoryConnection, PlannedCloseSendsCloseFrameAndCountsThePeersCode) {
  establish();
  server_frame(ws::Opcode::kText, R"({"id":1})");
  client_frames();
  conn_->finish();
  poll();
  auto frames = client_frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].op, ws::Opcode::kClose);
  EXPECT_EQ(frames[0].payload, std::string("\x03\xe8", 2));
  server_close(1000);
  server_->close();
  poll();
  EXPECT_TRUE(done_);
  EXPECT_EQ(counters().connections_closed, 1u);
  EXPECT_EQ(counters().disconnects.at("close_1000"), 1u);
  EXPECT_EQ(counters().disconnects_unexpected, 0u);
  EXPECT_EQ(ctx_->open, 0u);
}

TEST_F(MemoryConnection, ServerCloseIsEchoedAndCountedUnexpected) {
  establish();
  client_frames();
  server_close(1001);
  auto frames = client_frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].op, ws::Opcode::kClose);
  EXPECT_EQ(frames[0].payload, std::string("\x03\xe9", 2));
  server_->close();
  poll();
  EXPECT_TRUE(done_);
  EXPECT_EQ(counters().disconnects.at("close_1001"), 1u);
  EXPECT_EQ(counters().disconnects_unexpected, 1u);
  EXPECT_EQ(counters().timeouts, 1u);  // request 1 was abandoned with the session
}

TEST_F(MemoryConnection, CloseTimeoutWhenThePeerNeverAnswers) {
  establish();
  server_frame(ws::Opcode::kText, R"({"id":1})");
  conn_->finish();
  poll();
  advance(kCloseWait - 1ms);
  EXPECT_FALSE(done_);
  advance(1ms);
  EXPECT_TRUE(done_);
  EXPECT_EQ(counters().disconnects.at("close_timeout"), 1u);
}

class MemoryReconnect : public MemoryConnection {
 protected:
  MemoryReconnect() {
    reconnect_.enabled = true;
    reconnect_.backoff = 500ms;
  }
};

// The new attempt starts from a fresh Attempt value: nothing of the ended session (its close
// frames, its pong, its end) carries over; the sequence and the counters do.
TEST_F(MemoryReconnect, UnexpectedEndReconnectsAfterTheBackoffWithAFreshSession) {
  establish();
  client_frames();
  server_close(1001);
  server_->close();
  poll();
  EXPECT_FALSE(done_);
  EXPECT_EQ(counters().disconnects.at("close_1001"), 1u);
  advance(500ms - 1ms);
  EXPECT_EQ(counters().connections_attempted, 1u);
  advance(1ms);
  EXPECT_EQ(counters().reconnects, 1u);
  EXPECT_EQ(counters().connections_attempted, 2u);
  answer_upgrade();
  EXPECT_EQ(counters().connections_established, 2u);
  auto frames = client_frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].payload, R"({"type":"ping","id":2})");
  server_frame(ws::Opcode::kText, R"({"id":2})");
  conn_->finish();
  poll();
  frames = client_frames();
  ASSERT_EQ(frames.size(), 1u);  // our close frame again: the first session's is forgotten
  EXPECT_EQ(frames[0].op, ws::Opcode::kClose);
  server_close(1000);
  server_->close();
  poll();
  EXPECT_TRUE(done_);
  EXPECT_EQ(counters().disconnects.at("close_1000"), 1u);
  EXPECT_EQ(counters().disconnects_unexpected, 1u);
}

TEST_F(MemoryConnection, StatusOtherThan101FailsAsHttpStatus) {
  establish(401);
  EXPECT_TRUE(done_);
  EXPECT_EQ(counters().connections_failed, 1u);
  EXPECT_EQ(counters().failures.at("http_401"), 1u);
}

TEST_F(MemoryConnection, UnansweredUpgradeFailsAtTheConnectTimeout) {
  conn_->start();
  poll();
  advance(cfg_->scenario().target.connect_timeout - 1ms);
  EXPECT_FALSE(done_);
  advance(1ms);
  EXPECT_TRUE(done_);
  EXPECT_EQ(counters().failures.at("handshake_timeout"), 1u);
}

TEST_F(MemoryConnection, ReasonNamesAreTheReportNames) {
  EXPECT_EQ(to_string(Failure{FailureReason::kHttpStatus, 503}), "http_503");
  EXPECT_EQ(to_string(Failure{FailureReason::kStoppedBeforeEstablished}),
            "stopped_before_established");
  EXPECT_EQ(to_string(DisconnectReason::kPeerClose, 4000), "close_4000");
  EXPECT_EQ(to_string(DisconnectReason::kWriteStall, 0), "write_stall");
  EXPECT_STREQ(to_string(UnsentReason::kPeerNotReading), "peer_not_reading");
  conn_->abort(0ms);  // never started
  EXPECT_TRUE(done_);
}

}  // namespace
}  // namespace wsload::agent
