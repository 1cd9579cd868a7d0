// TestServer implementation (coroutines, Beast) plus a few self-checks of the server.
#include "test_server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <mutex>
#include <thread>

#include "ws_codec.hpp"
#include "wsload/shared/clock.hpp"

namespace wsload::agent::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = net::ip::tcp;

class TestServer::Impl {
 public:
  explicit Impl(ServerOptions options)
      : options_(std::move(options)),
        acceptor_(ioc_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    net::co_spawn(ioc_, accept_loop(), net::detached);
    thread_ = std::thread([this] { ioc_.run(); });
  }

  ~Impl() {
    net::post(ioc_, [this] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      ioc_.stop();
    });
    thread_.join();
  }

  uint16_t port_ = 0;
  std::atomic<uint64_t> upgrades_{0};
  std::atomic<uint64_t> data_frames_{0};
  mutable std::mutex mu_;
  std::string last_authorization_;
  std::string last_target_;
  std::string last_hosts_;
  std::atomic<uint64_t> pongs_{0};
  std::atomic<uint64_t> closes_{0};
  std::atomic<int> last_close_code_{-1};

 private:
  net::awaitable<void> accept_loop() {
    while (true) {
      auto [ec, socket] = co_await acceptor_.async_accept(net::as_tuple(net::use_awaitable));
      if (ec) co_return;
      net::co_spawn(ioc_, session(std::move(socket)), [](std::exception_ptr) {});
    }
  }

  net::awaitable<void> session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    co_await http::async_read(stream, buffer, req, net::use_awaitable);
    {
      std::lock_guard lock(mu_);
      last_authorization_ = std::string(req[http::field::authorization]);
      last_target_ = std::string(req.target());
      last_hosts_.clear();
      for (auto [it, end] = req.equal_range(http::field::host); it != end; ++it) {
        if (!last_hosts_.empty()) last_hosts_ += ", ";
        last_hosts_ += std::string(it->value());
      }
    }
    if (options_.mode == ServerMode::kEarlyPush || options_.mode == ServerMode::kBadAccept ||
        options_.mode == ServerMode::kUnofferedProtocol) {
      co_await raw_session(stream, req);
      co_return;
    }
    if (options_.mode == ServerMode::kReject401) {
      http::response<http::string_body> res{http::status::unauthorized, req.version()};
      res.set(http::field::content_type, "text/plain");
      res.keep_alive(false);
      res.body() = "missing token";
      res.prepare_payload();
      co_await http::async_write(stream, res, net::use_awaitable);
      boost::system::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
      co_return;
    }
    websocket::stream<beast::tcp_stream> ws(std::move(stream));
    ws.read_message_max(0);
    ws.control_callback([this](websocket::frame_type kind, beast::string_view) {
      if (kind == websocket::frame_type::pong) ++pongs_;
    });
    co_await ws.async_accept(req, net::use_awaitable);
    ++upgrades_;
    const ServerMode mode = options_.mode;
    if (mode == ServerMode::kOversize) {
      std::string big(options_.oversize_bytes, 'x');
      ws.binary(true);
      co_await ws.async_write(net::buffer(big), net::as_tuple(net::use_awaitable));
    } else if (mode == ServerMode::kMasked) {
      // FIN+text, MASK bit and length 5, a mask key, "hello" masked: only clients may mask.
      const unsigned char frame[] = {0x81,    0x85,    1,       2,       3,      4,
                                     'h' ^ 1, 'e' ^ 2, 'l' ^ 3, 'l' ^ 4, 'o' ^ 1};
      co_await net::async_write(ws.next_layer().socket(), net::buffer(frame),
                                net::as_tuple(net::use_awaitable));
    } else if (mode == ServerMode::kCloses) {
      co_await ws.async_close(websocket::close_reason(4001), net::as_tuple(net::use_awaitable));
      co_return;
    }
    if (options_.mode == ServerMode::kPushes) {
      for (uint64_t seq : options_.push_seqs) {
        const int64_t ts = shared::unix_us_now();
        std::string text = R"({"type":"data","seq":)" + std::to_string(seq) + R"(,"ts":)" +
                           std::to_string(ts) + "}";
        ws.text(true);
        co_await ws.async_write(net::buffer(text), net::use_awaitable);
      }
    }
    net::steady_timer delay(ioc_);
    if (options_.mode == ServerMode::kMute) {  // hold the session unread until the server stops
      delay.expires_after(std::chrono::hours(1));
      co_await delay.async_wait(net::as_tuple(net::use_awaitable));
      co_return;
    }
    beast::flat_buffer frame;
    while (true) {
      auto [ec, n] = co_await ws.async_read(frame, net::as_tuple(net::use_awaitable));
      if (ec == websocket::error::closed) {
        ++closes_;
        last_close_code_ = static_cast<int>(ws.reason().code);
      }
      if (ec) co_return;
      ++data_frames_;
      if (options_.mode == ServerMode::kSilent) {
        frame.consume(frame.size());
        continue;
      }
      if (options_.reply_delay.count() > 0) {
        delay.expires_after(options_.reply_delay);
        co_await delay.async_wait(net::use_awaitable);
      }
      ws.text(ws.got_text());
      if (mode == ServerMode::kFragmented) {
        auto [pec] = co_await ws.async_ping({}, net::as_tuple(net::use_awaitable));
        if (pec) co_return;
        // Three frames: two non-final pieces (the first possibly empty), then the rest.
        std::string data = beast::buffers_to_string(frame.data());
        std::size_t third = data.size() / 3;
        for (int piece = 0; piece < 3; ++piece) {
          std::size_t from = piece * third;
          std::size_t len = piece == 2 ? data.size() - from : third;
          auto [fec, fn] = co_await ws.async_write_some(
              piece == 2, net::buffer(data.data() + from, len), net::as_tuple(net::use_awaitable));
          if (fec) co_return;
        }
        frame.consume(frame.size());
        continue;
      }
      auto [wec, wn] = co_await ws.async_write(frame.data(), net::as_tuple(net::use_awaitable));
      if (wec) co_return;
      frame.consume(frame.size());
    }
  }

  // Upgrades by hand (no Beast websocket) to send what Beast would not: frames in the same write as
  // the 101, a wrong accept value, an unoffered subprotocol.
  net::awaitable<void> raw_session(beast::tcp_stream& stream,
                                   const http::request<http::string_body>& req) {
    const ServerMode mode = options_.mode;
    std::string key(req[http::field::sec_websocket_key]);
    std::string accept =
        mode == ServerMode::kBadAccept ? "AAAAAAAAAAAAAAAAAAAAAAAAAAA=" : ws::accept_for(key);
    std::string out =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: " +
        accept + "\r\n";
    if (mode == ServerMode::kUnofferedProtocol) out += "Sec-WebSocket-Protocol: surprise\r\n";
    out += "\r\n";
    if (mode == ServerMode::kEarlyPush) {
      const std::string text = R"({"type":"data","seq":1})";
      out += static_cast<char>(0x81);
      out += static_cast<char>(text.size());
      out += text;
    }
    auto [wec, wn] = co_await net::async_write(stream.socket(), net::buffer(out),
                                               net::as_tuple(net::use_awaitable));
    if (wec) co_return;
    ++upgrades_;
    // Any bytes from the client (its close frame, 6+ bytes masked) are answered with close 1000.
    char buf[512];
    auto [rec, rn] = co_await stream.socket().async_read_some(net::buffer(buf),
                                                              net::as_tuple(net::use_awaitable));
    if (rec) co_return;
    if (rn >= 2 && (static_cast<unsigned char>(buf[0]) & 0x0F) == 0x8) ++closes_;
    const unsigned char close[] = {0x88, 0x02, 0x03, 0xE8};
    co_await net::async_write(stream.socket(), net::buffer(close),
                              net::as_tuple(net::use_awaitable));
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    char drain[64];
    while (true) {
      auto [dec, dn] = co_await stream.socket().async_read_some(net::buffer(drain),
                                                                net::as_tuple(net::use_awaitable));
      if (dec) co_return;
    }
  }

  ServerOptions options_;
  net::io_context ioc_{1};
  tcp::acceptor acceptor_;
  std::thread thread_;
};

TestServer::TestServer(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
TestServer::~TestServer() = default;
uint16_t TestServer::port() const { return impl_->port_; }
std::string TestServer::url(const std::string& path) const {
  return "ws://127.0.0.1:" + std::to_string(port()) + path;
}
uint64_t TestServer::upgrades() const { return impl_->upgrades_.load(); }
uint64_t TestServer::data_frames() const { return impl_->data_frames_.load(); }
std::string TestServer::last_authorization() const {
  std::lock_guard lock(impl_->mu_);
  return impl_->last_authorization_;
}
std::string TestServer::last_target() const {
  std::lock_guard lock(impl_->mu_);
  return impl_->last_target_;
}

std::string TestServer::last_hosts() const {
  std::lock_guard lock(impl_->mu_);
  return impl_->last_hosts_;
}
uint64_t TestServer::pongs() const { return impl_->pongs_.load(); }
uint64_t TestServer::closes_received() const { return impl_->closes_.load(); }
int TestServer::last_close_code() const { return impl_->last_close_code_.load(); }

uint16_t closed_port() {
  net::io_context ioc;
  tcp::acceptor acceptor(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  uint16_t port = acceptor.local_endpoint().port();
  acceptor.close();
  return port;
}

namespace {

// Self-checks: a synchronous Beast client against each mode.
TEST(TestServer, EchoesFrames) {
  TestServer server({});
  net::io_context ioc;
  websocket::stream<tcp::socket> ws(ioc);
  ws.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server.port()));
  ws.handshake("127.0.0.1", "/ws");
  ws.write(net::buffer(std::string("hello")));
  beast::flat_buffer buf;
  ws.read(buf);
  EXPECT_EQ(beast::buffers_to_string(buf.data()), "hello");
  ws.close(websocket::close_code::normal);
  EXPECT_EQ(server.upgrades(), 1u);
}

TEST(TestServer, Rejects401) {
  TestServer server(ServerOptions{ServerMode::kReject401});
  net::io_context ioc;
  websocket::stream<tcp::socket> ws(ioc);
  ws.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server.port()));
  websocket::response_type res;
  boost::system::error_code ec;
  ws.handshake(res, "127.0.0.1", "/ws", ec);
  EXPECT_TRUE(ec);
  EXPECT_EQ(res.result_int(), 401u);
  EXPECT_EQ(server.upgrades(), 0u);
}

}  // namespace
}  // namespace wsload::agent::testing
