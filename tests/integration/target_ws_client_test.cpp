// Implementation of the test client (target_test_client.hpp): the only Beast translation unit of
// the integration tests. Each operation is started asynchronously and the io_context is run for at
// most the timeout; an operation still pending then is cancelled by closing the socket.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "process.hpp"
#include "target_test_client.hpp"

namespace wsload::test {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

// Runs `ioc` until `done` or the timeout; on timeout closes `socket` and drains the handlers.
template <class Socket>
bool run_until(asio::io_context& ioc, bool& done, Socket& socket,
               std::chrono::milliseconds timeout) {
  ioc.restart();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done && std::chrono::steady_clock::now() < deadline) {
    ioc.run_one_until(deadline);
  }
  if (done) return true;
  beast::error_code ignored;
  socket.close(ignored);
  ioc.restart();
  ioc.run_for(std::chrono::seconds(1));
  return false;
}

}  // namespace

HttpResult http_get(uint16_t port, const std::string& target, std::chrono::milliseconds timeout) {
  HttpResult result;
  asio::io_context ioc;
  tcp::socket socket(ioc);
  beast::error_code ec;
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) {
    result.error = "connect: " + ec.message();
    return result;
  }
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  req.set(http::field::connection, "close");
  http::write(socket, req, ec);
  if (ec) {
    result.error = "write: " + ec.message();
    return result;
  }
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  bool done = false;
  http::async_read(socket, buffer, res, [&](beast::error_code e, std::size_t) {
    ec = e;
    done = true;
  });
  if (!run_until(ioc, done, socket, timeout)) {
    result.error = "timeout";
    return result;
  }
  if (ec) {
    result.error = "read: " + ec.message();
    return result;
  }
  result.status = static_cast<int>(res.result_int());
  result.body = res.body();
  result.content_type = std::string(res[http::field::content_type]);
  return result;
}

struct WsClient::Impl {
  asio::io_context ioc;
  asio::ssl::context tls{asio::ssl::context::tls_client};
  std::optional<websocket::stream<beast::tcp_stream>> plain;
  std::optional<websocket::stream<beast::ssl_stream<beast::tcp_stream>>> secure;
  std::string error;
  std::string response_body;
  beast::flat_buffer buffer;
  int pongs = 0;
  int close_code = 0;
  std::chrono::milliseconds timeout{5000};

  template <class F>
  decltype(auto) visit(F&& f) {
    if (secure) return f(*secure);
    return f(*plain);
  }

  tcp::socket& socket() {
    if (secure) return beast::get_lowest_layer(*secure).socket();
    return beast::get_lowest_layer(*plain).socket();
  }

  bool wait(bool& done, std::chrono::milliseconds t, const char* what) {
    if (run_until(ioc, done, socket(), t)) return true;
    error = std::string(what) + ": timeout";
    return false;
  }

  template <class Ws>
  bool write(Ws& ws, std::string_view data, bool binary) {
    ws.binary(binary);
    bool done = false;
    beast::error_code ec;
    ws.async_write(asio::buffer(data.data(), data.size()), [&](beast::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
    if (!wait(done, timeout, "write")) return false;
    if (ec) error = "write: " + ec.message();
    return !ec;
  }
};

WsClient::WsClient() : impl_(std::make_unique<Impl>()) {}
WsClient::~WsClient() = default;

const std::string& WsClient::error() const { return impl_->error; }
const std::string& WsClient::response_body() const { return impl_->response_body; }
int WsClient::pongs_received() const { return impl_->pongs; }
int WsClient::close_code() const { return impl_->close_code; }

int WsClient::connect(uint16_t port, const WsOptions& options) {
  auto& im = *impl_;
  im.timeout = options.timeout;
  if (options.tls) {
    if (!options.ca_file.empty()) {
      im.tls.load_verify_file(options.ca_file);
      im.tls.set_verify_mode(asio::ssl::verify_peer);
    } else {
      im.tls.set_verify_mode(asio::ssl::verify_none);
    }
    im.secure.emplace(im.ioc, im.tls);
  } else {
    im.plain.emplace(im.ioc);
  }
  tcp::socket& sock = im.socket();
  beast::error_code ec;
  sock.open(tcp::v4(), ec);
  if (!ec && options.receive_buffer > 0)
    sock.set_option(asio::socket_base::receive_buffer_size(options.receive_buffer), ec);
  if (!ec) sock.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) {
    im.error = "connect: " + ec.message();
    return 0;
  }
  if (options.tls) {
    bool done = false;
    im.secure->next_layer().async_handshake(asio::ssl::stream_base::client,
                                            [&](beast::error_code e) {
                                              ec = e;
                                              done = true;
                                            });
    if (!im.wait(done, options.timeout, "tls handshake")) return 0;
    if (ec) {
      im.error = "tls handshake: " + ec.message();
      return 0;
    }
  }
  std::string target = options.path;
  if (!options.token.empty() && options.token_in_query) target += "?token=" + options.token;
  return im.visit([&](auto& ws) -> int {
    ws.control_callback([&im](websocket::frame_type kind, beast::string_view) {
      if (kind == websocket::frame_type::pong) ++im.pongs;
    });
    ws.set_option(websocket::stream_base::decorator([&](websocket::request_type& req) {
      if (!options.token.empty() && !options.token_in_query)
        req.set(http::field::authorization, "Bearer " + options.token);
    }));
    websocket::response_type res;
    bool done = false;
    ws.async_handshake(res, "127.0.0.1:" + std::to_string(port), target, [&](beast::error_code e) {
      ec = e;
      done = true;
    });
    if (!im.wait(done, options.timeout, "handshake")) return 0;
    im.response_body = res.body();
    if (ec && res.result_int() == 0) {
      im.error = "handshake: " + ec.message();
      return 0;
    }
    if (ec) im.error = "handshake: " + ec.message() + " (" + std::to_string(res.result_int()) + ")";
    return static_cast<int>(res.result_int());
  });
}

bool WsClient::send_text(std::string_view text) {
  return impl_->visit([&](auto& ws) { return impl_->write(ws, text, false); });
}

bool WsClient::send_binary(std::string_view data) {
  return impl_->visit([&](auto& ws) { return impl_->write(ws, data, true); });
}

bool WsClient::send_ping() {
  return impl_->visit([&](auto& ws) {
    bool done = false;
    beast::error_code ec;
    ws.async_ping({}, [&](beast::error_code e) {
      ec = e;
      done = true;
    });
    if (!impl_->wait(done, impl_->timeout, "ping")) return false;
    if (ec) impl_->error = "ping: " + ec.message();
    return !ec;
  });
}

std::optional<WsMessage> WsClient::read(std::chrono::milliseconds timeout) {
  auto& im = *impl_;
  return im.visit([&](auto& ws) -> std::optional<WsMessage> {
    bool done = false;
    beast::error_code ec;
    im.buffer.clear();
    ws.async_read(im.buffer, [&](beast::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
    if (!im.wait(done, timeout, "read")) return std::nullopt;
    if (ec) {
      // The close frame may have arrived even when the teardown after it failed (peer reset first).
      im.close_code = ws.reason().code;
      im.error = "read: " + ec.message();
      return std::nullopt;
    }
    return WsMessage{beast::buffers_to_string(im.buffer.data()), ws.got_binary()};
  });
}

void WsClient::close(int code) {
  auto& im = *impl_;
  if (!im.plain && !im.secure) return;
  im.visit([&](auto& ws) {
    if (!ws.is_open()) return;
    bool done = false;
    ws.async_close(static_cast<websocket::close_code>(code),
                   [&](beast::error_code) { done = true; });
    im.wait(done, std::chrono::seconds(2), "close");
  });
}

std::string nats_publish(uint16_t port, std::string_view subject, std::string_view payload) {
  asio::io_context ioc;
  tcp::socket socket(ioc);
  beast::error_code ec;
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return "connect: " + ec.message();
  std::string out = "CONNECT {\"verbose\":false,\"pedantic\":false}\r\nPUB " +
                    std::string(subject) + " " + std::to_string(payload.size()) + "\r\n" +
                    std::string(payload) + "\r\nPING\r\n";
  asio::write(socket, asio::buffer(out), ec);
  if (ec) return "write: " + ec.message();
  std::string in;
  bool done = false;
  std::function<void()> read_more = [&] {
    auto buf = std::make_shared<std::array<char, 1024>>();
    socket.async_read_some(asio::buffer(*buf), [&, buf](beast::error_code e, std::size_t n) {
      in.append(buf->data(), n);
      if (e || in.find("PONG\r\n") != std::string::npos || in.find("-ERR") != std::string::npos) {
        done = true;
        return;
      }
      read_more();
    });
  };
  read_more();
  if (!run_until(ioc, done, socket, std::chrono::seconds(5))) return "timeout waiting for PONG";
  if (in.find("-ERR") != std::string::npos) return "server error: " + in;
  if (in.find("PONG\r\n") == std::string::npos) return "no PONG: " + in;
  return {};
}

namespace {

// Self-tests of the helpers every target test relies on.
TEST(TargetTestHelpers, ChildProcessCapturesLinesAndIsKilledByPid) {
  ChildProcess child({"/bin/sh", "-c", "echo hello; echo world; exec sleep 60"});
  auto line = child.wait_for_line("wor", std::chrono::seconds(5));
  ASSERT_TRUE(line);
  EXPECT_EQ(*line, "world");
  EXPECT_FALSE(
      child.wait_for_line("hello", std::chrono::milliseconds(50)));  // cursor moved past it
  EXPECT_EQ(child.terminate(), 128 + SIGTERM);
  EXPECT_NE(::kill(child.pid(), 0), 0);  // reaped
}

TEST(TargetTestHelpers, ChildProcessEnvAndExitCode) {
  ChildProcess child({"/bin/sh", "-c", "echo \"v=$WSLOAD_TEST_VAR\"; echo err >&2; exit 3"},
                     ProcessOptions{{{"WSLOAD_TEST_VAR", "42"}}, {}, true});
  EXPECT_TRUE(child.wait_for_line("v=42", std::chrono::seconds(5)));
  EXPECT_TRUE(child.wait_for_line("err", std::chrono::seconds(5)));
  EXPECT_EQ(child.wait_exit(std::chrono::seconds(5)), 3);
}

TEST(TargetTestHelpers, HttpGetReportsRefusedPort) {
  HttpResult r = http_get(free_loopback_port(), "/health");
  EXPECT_EQ(r.status, 0);
  EXPECT_FALSE(r.error.empty());
}

}  // namespace
}  // namespace wsload::test
